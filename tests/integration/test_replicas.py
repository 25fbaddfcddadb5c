"""Two real bot processes (`python -m bot`) on one PostgreSQL database and one fake Bot Connector that enforces
Teams' limits: every notice goes out exactly once, within the app-wide 50/s, and when the sending replica is
SIGKILLed the other takes over and finishes.

The one window no design closes (bot.store.outbox): the connector accepted a notice and the replica died before
its `sent` commit. Such a notice is sent again by the survivor. The test pins it down exactly: a notice may be
delivered twice only if the killed replica held it (`sending`, its lease) at the moment of the kill; every
notice marked `sent` is delivered exactly once, and every notice at least once."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.store.leases import DRIFT_SCAN, NOTICE_SENDER, leases
from bot.store.outbox import SENDING, SENT, Outbox, notice_outbox
from bot.store.scan_checkpoint import scan_results, scan_runs
from bot.store.tables import photo_ledger
from tests.fakes.connector import ConnectorServer

from .conftest import Database

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Replica:
    def __init__(self, name: str, database: Database, tmp: Path, extra: dict[str, str] | None = None) -> None:
        self.name = name
        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PHOTOSYNC_", "Microsoft"))}
        env.update(database.env())
        env.update(
            PORT=str(self.port),
            PHOTOSYNC_LEASE_SECONDS="2",
            PHOTOSYNC_LOG_FORMAT="json",
            PYTHONPATH=str(ROOT),
        )
        env.update(extra or {})
        self.log_path = tmp / f"{name}.log"
        self.log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot"], cwd=tmp, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 120) -> None:  # a hang guard, not a speed target
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"replica {self.name} exited with {self.proc.returncode}"
            try:
                r = httpx.get(f"http://127.0.0.1:{self.port}/readyz", timeout=1, trust_env=False)
                if r.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        pytest.fail(f"replica {self.name} did not become ready")

    def log_record(self, msg: str) -> dict[str, Any] | None:
        """The first JSON log record with this message, if the replica wrote one yet."""
        for line in self.log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and record.get("msg") == msg:
                return record
        return None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture
def replicas(postgres_database: Database, tmp_path: Path) -> Iterator[list[Replica]]:
    started: list[Replica] = []
    yield started
    for replica in started:
        replica.stop()


async def _seed(database: Database, service_url: str, n: int) -> list[str]:
    store = database.store()
    await store.open()
    outbox = Outbox(store.engine)
    keys = []
    now = datetime.now(UTC)
    for i in range(n):
        key = f"user-{i}:etag-{i}"
        body = {"type": "message", "text": f"notice {key}"}
        assert await outbox.enqueue(key, f"user-{i}", f"a:conv-{i}", service_url, body, now)
        keys.append(key)
    await store.close()
    return keys


def _delivered(server: ConnectorServer) -> Counter[str]:
    return Counter(c.text.removeprefix("notice ") for c in server.activities() if c.text)


async def _wait_delivered(server: ConnectorServer, keys: list[str], timeout: float) -> Counter[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = _delivered(server)
        if all(got[k] >= 1 for k in keys):
            return got
        await asyncio.sleep(0.05)
    got = _delivered(server)
    missing = [k for k in keys if got[k] == 0]
    raise AssertionError(f"{len(missing)} notices never delivered, e.g. {missing[:5]}")


async def test_two_replicas_deliver_every_notice_once_within_the_app_limit(
    postgres_database: Database, replicas: list[Replica], tmp_path: Path
) -> None:
    with ConnectorServer(enforce_rate_limits=True) as server:
        keys = await _seed(postgres_database, server.url, 150)  # 150 at <= 50/s: 3 s or more
        replicas += [Replica("a", postgres_database, tmp_path), Replica("b", postgres_database, tmp_path)]
        for replica in replicas:
            replica.wait_ready()
        got = await _wait_delivered(server, keys, 180)
        await asyncio.sleep(1.0)  # anything sent twice would show up now
        got = _delivered(server)
        assert got == Counter(dict.fromkeys(keys, 1))
        assert server.violation_count == 0, server.violations()[:3]  # 50/s per app, across both replicas
    store = postgres_database.store()
    try:
        assert (await Outbox(store.engine).counts())[SENT] == 150
    finally:
        await store.close()


async def test_killing_the_sending_replica_hands_the_work_to_the_other(
    postgres_database: Database, replicas: list[Replica], tmp_path: Path
) -> None:
    n = 200
    with ConnectorServer(enforce_rate_limits=True) as server:
        keys = await _seed(postgres_database, server.url, n)
        replicas += [Replica("a", postgres_database, tmp_path), Replica("b", postgres_database, tmp_path)]
        for replica in replicas:
            replica.wait_ready()
        store = postgres_database.store()
        try:
            deadline = time.monotonic() + 120
            while len(server.activities()) < n // 4:  # mid-run
                assert time.monotonic() < deadline, "no replica started sending"
                await asyncio.sleep(0.01)
            async with store.engine.connect() as conn:
                holder = (
                    await conn.execute(select(leases.c.owner).where(leases.c.name == NOTICE_SENDER))
                ).scalar_one()
            victim = next(r for r in replicas if f":{r.proc.pid}:" in holder)
            survivor = next(r for r in replicas if r is not victim)
            victim.proc.send_signal(signal.SIGKILL)
            victim.proc.wait()
            killed_at = time.monotonic()
            async with store.engine.connect() as conn:
                rows = (await conn.execute(select(notice_outbox))).mappings().all()
            sent_at_kill = {r["idempotency_key"] for r in rows if r["status"] == SENT}
            held_at_kill = {
                r["idempotency_key"] for r in rows if r["status"] == SENDING and r["lease_owner"] == holder
            }
            assert len(sent_at_kill) < n, "killed too late: nothing left to hand over"

            got = await _wait_delivered(server, keys, 180)  # the survivor finishes after the lease runs out
            await asyncio.sleep(1.0)
            got = _delivered(server)
            twice = {k for k, c in got.items() if c > 1}
            assert all(got[k] == 1 for k in sent_at_kill)  # marked sent: never again
            assert twice <= held_at_kill  # only the residual window (see the module docstring)
            assert all(c <= 2 for c in got.values())
            assert server.violation_count == 0, server.violations()[:3]
            counts = await Outbox(store.engine).counts()
            assert counts[SENT] == n and counts[SENDING] == 0
            async with store.engine.connect() as conn:
                new_holder = (
                    await conn.execute(select(leases.c.owner).where(leases.c.name == NOTICE_SENDER))
                ).scalar_one()
            assert new_holder is not None and f":{survivor.proc.pid}:" in new_holder
            for k in twice:  # each one's first delivery was accepted just before the kill (the window)
                first = min(c.at for c in server.activities() if c.text == f"notice {k}")
                assert first <= killed_at
            print(
                f"handover: {len(sent_at_kill)} sent before the kill, {len(held_at_kill)} held by the victim, "
                f"{len(twice)} delivered twice"
            )
        finally:
            await store.close()


def _big_demo_tenant(path: Path, n: int) -> int:
    """The packaged demo tenant plus `n` copies of Adele (stale photo): a scan long enough to kill mid-way."""
    raw = json.loads((ROOT / "bot" / "demo" / "tenant.json").read_text(encoding="utf-8"))
    template = next(u for u in raw["users"] if u["case"] == "stale")
    for i in range(n):
        user = copy.deepcopy(template)
        user["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"photosync-replica-test-{i}"))
        user["displayName"] = f"Stale User {i}"
        user["userPrincipalName"] = user["mail"] = f"stale{i}@contoso.onmicrosoft.com"
        user["photo"]["etag"] = f'W/"stale-{i}-v2"'
        raw["users"].append(user)
    path.write_text(json.dumps(raw), encoding="utf-8")
    return len(raw["users"])


async def test_a_scan_interrupted_by_a_kill_is_finished_by_the_other_replica(
    postgres_database: Database, replicas: list[Replica], tmp_path: Path
) -> None:
    total = _big_demo_tenant(tmp_path / "tenant.json", 150)
    extra = {
        "PHOTOSYNC_DEMO_TENANT": str(tmp_path / "tenant.json"),
        "PHOTOSYNC_DEMO_LATENCY_MS": "60",  # 160 users x 2 photo-bound calls / 4 in flight: several seconds
        "PHOTOSYNC_SCAN_INTERVAL": "60",  # minutes: exactly one pass in this test
    }
    replicas += [
        Replica("a", postgres_database, tmp_path, extra),
        Replica("b", postgres_database, tmp_path, extra),
    ]
    for replica in replicas:
        replica.wait_ready()
    store = postgres_database.store()
    try:
        deadline = time.monotonic() + 120
        while True:  # until one replica is well into the scan
            assert time.monotonic() < deadline, "no replica started scanning"
            async with store.engine.connect() as conn:
                done = (await conn.execute(select(func.count()).select_from(scan_results))).scalar_one()
                holder = (
                    await conn.execute(select(leases.c.owner).where(leases.c.name == DRIFT_SCAN))
                ).scalar_one_or_none()
            if done >= 30 and holder:
                break
            await asyncio.sleep(0.05)
        victim = next(r for r in replicas if f":{r.proc.pid}:" in holder)
        survivor = next(r for r in replicas if r is not victim)
        victim.proc.send_signal(signal.SIGKILL)
        victim.proc.wait()
        async with store.engine.connect() as conn:
            saved_at_kill = (await conn.execute(select(func.count()).select_from(scan_results))).scalar_one()
        assert saved_at_kill < total, "killed too late"

        finished = None
        deadline = time.monotonic() + 180
        while finished is None:
            assert time.monotonic() < deadline, "the survivor never finished the scan"
            finished = survivor.log_record("drift scan finished")
            await asyncio.sleep(0.1)
        assert finished["users"] == total
        assert finished["resumed"] >= saved_at_kill  # it did not read the victim's users again
        async with store.engine.connect() as conn:
            runs = (await conn.execute(select(scan_runs.c.finished))).scalars().all()
            scanned = (
                await conn.execute(
                    select(func.count())
                    .select_from(photo_ledger)
                    .where(photo_ledger.c.drift_state.is_not(None))
                )
            ).scalar_one()
        assert runs == [True]  # one run: started by the victim, finished by the survivor
        assert scanned >= 150  # every user with a photo has a drift verdict in the ledger
        next_due = None
        while next_due is None:  # set when the survivor gives the lease back, after queueing the notices
            assert time.monotonic() < deadline, "the survivor never released the scan lease"
            async with store.engine.connect() as conn:
                next_due = (
                    await conn.execute(select(leases.c.next_due_at).where(leases.c.name == DRIFT_SCAN))
                ).scalar_one()
            await asyncio.sleep(0.1)
        assert next_due > datetime.now(UTC) + timedelta(minutes=50)  # the next pass, for both, in an hour
    finally:
        await store.close()
