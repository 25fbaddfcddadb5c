"""Start-up checks and the start-up banner of `python -m bot`.

The rule: anything a newcomer can get wrong (the database URL, its driver, an SQLite folder, the port, the
listening address) stops start-up with one line that says what and where, and a non-zero exit, before the
banner says the bot is listening.
"""

from __future__ import annotations

import importlib
import os
import socket
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.redact import redact_url

# The async drivers the store runs on, by dialect; the extra that installs each.
DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg"}
INSTALL_HINT = {"asyncpg": "pip install 'photosync-bot[postgres]' (or: pip install -e '.[postgres]')"}
EXAMPLE_URLS = "sqlite+aiosqlite:///photosync.db or postgresql+asyncpg://user@host/db"


class StartupError(RuntimeError):
    """Start-up cannot go on; the message is the one line the user sees."""


def database_url_problem(url: str) -> str | None:
    """What is wrong with a database URL (never quoting its password), or None when it can be used."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return f"not a database URL; use {EXAMPLE_URLS}"
    dialect, _, driver = parsed.drivername.partition("+")
    wanted = DRIVERS.get(dialect)
    if wanted is None:
        return f"unsupported database {dialect!r}; use {EXAMPLE_URLS}"
    if driver != wanted:
        return f"use the async driver: {dialect}+{wanted}://…"
    missing = _missing_driver(wanted)
    if missing:
        return missing
    if dialect == "sqlite":
        return sqlite_folder_problem(parsed.database)
    return None


def _missing_driver(module: str) -> str | None:
    try:
        importlib.import_module(module)
    except ImportError:
        return f"the {module} driver is not installed: {INSTALL_HINT.get(module, f'pip install {module}')}"
    return None


def sqlite_folder_problem(database: str | None) -> str | None:
    """SQLite creates the file and its journal beside it: the folder must exist and be writable."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = Path(database)
    if path.is_dir():
        return f"{path} is a folder, not a database file"
    folder = path.parent
    if not folder.is_dir():
        return f"folder {folder} does not exist (SQLite creates the file, not its folder)"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"folder {folder} is not writable (SQLite writes the file and its journal there)"
    return None


def database_failure(url: str, exc: BaseException) -> str:
    """One line for a database that cannot be opened: where (password hidden) and the driver's own reason."""
    reason = getattr(exc, "orig", None) or exc
    text = str(reason).splitlines()[0] if str(reason) else type(reason).__name__
    return f"cannot open the database {redact_url(url)}: {text}"


def bind_listener(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything else starts: a port in use or an address this machine
    doesn't have is one line, not a traceback after the runtime has started."""
    where = f"{host}:{port}" if ":" not in host else f"[{host}]:{port}"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise StartupError(f"cannot listen on {where}: unknown address ({exc.strerror})") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # what aiohttp's own listener sets
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise StartupError(f"cannot listen on {where}: {_bind_reason(exc)}") from None
    return sock


def _bind_reason(exc: OSError) -> str:
    import errno

    if exc.errno == errno.EADDRINUSE:
        return "the port is in use (another bot running? set PORT to another port)"
    if exc.errno == errno.EADDRNOTAVAIL:
        return "this machine has no such address (set PHOTOSYNC_HOST to one of its addresses, e.g. 127.0.0.1)"
    if exc.errno == errno.EACCES:
        return "permission denied (ports below 1024 need privileges; use e.g. PORT=3978)"
    return exc.strerror or str(exc)


def banner(*, url: str, demo: bool, data: str, database: str, auth: str) -> list[str]:
    """The start-up block: what runs where, on which data, with which inbound auth."""
    lines = [
        f"PhotoSync bot listening on {url}/api/messages",
        f"  data:     {data}",
        f"  database: {database}",
        f"  auth:     {auth}",
        f"  health:   {url}/readyz",
    ]
    if demo:
        lines.append("  try it:   scripts/playground (a Teams client with this bot, on loopback)")
    return lines
