"""Statements the store's modules share, written once for SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

IN_CHUNK = 500  # ids per IN (...) list: well under SQLite's bound-parameter limit

T = TypeVar("T")


def dialect_insert(conn: AsyncConnection) -> Any:
    """The `insert` construct of `conn`'s database (both have ON CONFLICT: PostgreSQL and SQLite)."""
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


async def upsert(
    conn: AsyncConnection,
    table: Table,
    key: dict[str, Any],
    values: dict[str, Any],
    conflict: tuple[str, ...],
) -> None:
    """INSERT … ON CONFLICT (key) DO UPDATE: one atomic statement on SQLite and PostgreSQL (an UPDATE-then-INSERT
    races when two replicas write the same new row)."""
    statement = dialect_insert(conn)(table).values(**key, **values)
    await conn.execute(statement.on_conflict_do_update(index_elements=list(conflict), set_=values))


async def write_lock(conn: AsyncConnection) -> None:
    """SQLite: start the transaction with the write lock (BEGIN IMMEDIATE) so what it reads stays true until it
    commits; the driver would only begin at the first write, after the reads. PostgreSQL: nothing (rows are
    locked FOR UPDATE as they are read)."""
    if conn.dialect.name != "sqlite":
        return
    raw = await conn.get_raw_connection()
    if not raw.driver_connection.in_transaction:  # type: ignore[union-attr]
        await conn.exec_driver_sql("BEGIN IMMEDIATE")


def chunks(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """`items` in consecutive slices of at most `size` (for IN lists)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
