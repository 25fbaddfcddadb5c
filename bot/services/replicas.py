"""Background jobs that several bot replicas share through database leases.

- The notice sender: one replica at a time holds the `notice-sender` lease and delivers the outbox. Teams' limit
  of 50 messages per second is per app and tenant, not per replica, and one sender reaches it, so N replicas
  sending at once would only have to split that budget. Rows are still claimed with `FOR UPDATE SKIP LOCKED`
  and row leases, so a hand-over (or a lease lost to a long pause) never sends a row twice.
- The drift scan: one replica at a time holds the `drift-scan` lease and scans; `next_due_at` in the lease row
  makes the schedule global ("every hour" means once an hour for the whole deployment). Graph's limit of 4
  concurrent photo requests is per app, so shards scanned in parallel would have to split those 4 slots too;
  one leased scan uses all of them. A replica that dies mid-scan stops renewing; after the lease runs out the
  next replica takes the scan and resumes from the checkpoint (finished users are not read again).
Lease times come from the injected `clock` and every wait from the injected `wait` (bot.clock). Leases
coordinate processes, so in production every replica passes the system clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

from bot.clock import Clock, Wait, system_clock, wait_event
from bot.services.notices import NoticeSender
from bot.services.notify import DriftNotifier
from bot.services.scan import DriftScanner
from bot.services.sync_verify import SyncVerifier
from bot.store import Store
from bot.store.leases import DRIFT_SCAN, NOTICE_SENDER, RETENTION, SYNC_CHECKS, Leases

log = logging.getLogger(__name__)


def replica_id() -> str:
    """Who holds a lease: host, process and a random part (a restarted process is a new holder)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def leased_notice_sender(
    sender: NoticeSender,
    leases: Leases,
    owner: str,
    ttl: timedelta,
    stop: asyncio.Event,
    *,
    clock: Clock = system_clock,
    wait: Wait = wait_event,
) -> None:
    """Deliver the outbox while holding the sender lease; stand by (and retry every ttl/3) while another
    replica holds it. The lease is given back on shutdown so a standby takes over at once."""
    standby = max(ttl.total_seconds() / 3, 0.2)
    holding = False
    try:
        while not stop.is_set():
            try:
                held = await leases.acquire(NOTICE_SENDER, owner, clock(), ttl)
            except Exception:
                log.exception("notice sender: lease check failed")
                held = False
            if held != holding:
                log.info("notice sender: %s", "active on this replica" if held else "standing by")
                holding = held
            if not held:
                await wait(stop, standby)
                continue
            sender.active = True
            pass_done = asyncio.Event()
            heartbeat = asyncio.create_task(
                _heartbeat(sender, leases, owner, ttl, pass_done, clock, wait), name="notice-heartbeat"
            )
            try:
                claimed = await sender.run_once()
            except Exception:
                log.exception("notice outbox pass failed")
                claimed = 0
            finally:
                # Let the heartbeat finish its current statement rather than cancel it mid-query (a cancelled
                # query can leave a pooled connection behind unclosed).
                pass_done.set()
                await heartbeat
            if claimed == 0:
                await wait(stop, min(sender.idle_s, standby))
    finally:
        if holding:
            with contextlib.suppress(Exception):
                await leases.release(NOTICE_SENDER, owner, clock())


async def _heartbeat(
    sender: NoticeSender,
    leases: Leases,
    owner: str,
    ttl: timedelta,
    done: asyncio.Event,
    clock: Clock,
    wait: Wait,
) -> None:
    """While a pass runs (until `done`): renew the sender role and the claimed rows every ttl/4. If the role is
    lost, the sender hands its remaining rows back instead of sending them (another replica is sending now)."""
    while True:
        if await wait(done, ttl.total_seconds() / 4):
            return
        try:
            if not await leases.renew(NOTICE_SENDER, owner, clock(), ttl):
                log.warning("notice sender: role lost mid-pass; handing the rest back")
                sender.active = False
                return
            await sender.extend_leases()
        except Exception:
            log.exception("notice sender: heartbeat failed")


async def leased_scans(
    scanner: DriftScanner,
    notifier: DriftNotifier,
    watch: Callable[[], Awaitable[list[str] | None]],
    interval: timedelta,
    leases: Leases,
    owner: str,
    ttl: timedelta,
    stop: asyncio.Event,
    *,
    clock: Clock = system_clock,
    wait: Wait = wait_event,
) -> None:
    """Scan the watch list whenever the shared schedule says it is due and this replica gets the lease;
    queue the notices; set the next due time. A failed pass is retried after min(interval, 5 min)."""
    poll = max(min(interval.total_seconds(), ttl.total_seconds() / 2), 0.2)
    while not stop.is_set():
        if await wait(stop, poll):
            return
        try:
            if not await leases.acquire(DRIFT_SCAN, owner, clock(), ttl, when_due=True):
                continue
        except Exception:
            log.exception("drift scan: lease check failed")
            continue
        next_due = interval
        try:
            done = await _scan_while_leased(
                scanner, notifier, watch, leases, owner, ttl, stop, clock=clock, wait=wait
            )
            if stop.is_set():
                # Shutting down mid-pass: give the lease back without moving the schedule; the next holder
                # resumes from the checkpoint right away.
                with contextlib.suppress(Exception):
                    await leases.release(DRIFT_SCAN, owner, clock())
                return
            if not done:
                continue  # lease lost: whoever has it now finishes the scan
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("scheduled drift scan failed")
            next_due = min(interval, timedelta(minutes=5))
        with contextlib.suppress(Exception):
            now = clock()
            await leases.release(DRIFT_SCAN, owner, now, next_due_at=now + next_due)


async def _scan_while_leased(
    scanner: DriftScanner,
    notifier: DriftNotifier,
    watch: Callable[[], Awaitable[list[str] | None]],
    leases: Leases,
    owner: str,
    ttl: timedelta,
    stop: asyncio.Event | None = None,
    *,
    clock: Clock = system_clock,
    wait: Wait = wait_event,
) -> bool:
    """One scan + enqueue, renewing the lease every ttl/3; False (scan abandoned) when the lease is lost.
    `stop` (shutdown) ends the scan between users, never mid-query."""

    async def work() -> None:
        users = await watch()
        if users is None:
            log.warning("scheduled drift scan skipped: no watch list")
            return
        report = await scanner.scan(users, stop=stop, keep=notifier.acts_on)
        if report.interrupted:
            log.info("drift scan interrupted by shutdown", extra={"done": report.total})
            return
        log.info(
            "drift scan finished",
            extra={
                "users": report.total,
                "resumed": report.resumed,  # taken from the checkpoint of an interrupted pass
                "counts": {state.value: n for state, n in report.counts.items()},
                "duration_s": round(report.duration_s, 3),
            },
        )
        await notifier.enqueue(report)

    task = asyncio.create_task(work(), name="drift-scan-pass")
    finished = asyncio.Event()
    task.add_done_callback(lambda _: finished.set())
    try:
        while True:
            if await wait(finished, ttl.total_seconds() / 3):
                task.result()  # re-raise a failure
                return True
            if not await leases.renew(DRIFT_SCAN, owner, clock(), ttl):
                log.warning("drift scan: lease lost, abandoning this pass (the holder resumes it)")
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                return False
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def leased_retention(
    store: Store,
    leases: Leases,
    owner: str,
    ttl: timedelta,
    stop: asyncio.Event,
    *,
    audit_days: int,
    ledger_days: int,
    outbox_days: int,
    every: timedelta = timedelta(days=1),
    poll_s: float = 300.0,
    clock: Clock = system_clock,
    wait: Wait = wait_event,
) -> None:
    """Once a day for the whole deployment (whichever replica gets the lease), purge what is past retention."""
    while not stop.is_set():
        try:
            if await leases.acquire(RETENTION, owner, clock(), ttl, when_due=True):
                deleted = await store.purge(
                    clock(), audit_days=audit_days, ledger_days=ledger_days, outbox_days=outbox_days
                )
                log.info("retention: old rows deleted", extra={"deleted": deleted})
                now = clock()
                await leases.release(RETENTION, owner, now, next_due_at=now + every)
        except Exception:
            log.exception("retention pass failed")
        await wait(stop, poll_s)


async def leased_sync_checks(
    verifier: SyncVerifier,
    leases: Leases,
    owner: str,
    ttl: timedelta,
    stop: asyncio.Event,
    *,
    every_s: float = 15.0,
    clock: Clock = system_clock,
    wait: Wait = wait_event,
) -> None:
    """Every `every_s`, the replica holding the `sync-checks` lease looks at the schedules that are due. A pass
    may be cancelled at shutdown (what it did not finish is still due); the lease is given back within seconds,
    or runs out by itself when the database can't be reached."""
    holding = False
    try:
        while not stop.is_set():
            try:
                holding = await leases.acquire(SYNC_CHECKS, owner, clock(), ttl)
                if holding:
                    result = await verifier.run_pass()
                    if result.looked:
                        log.info("sync checks: pass done", extra=dataclasses.asdict(result))
            except Exception:
                log.exception("sync check pass failed")
            await wait(stop, every_s)
    finally:
        if holding:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(leases.release(SYNC_CHECKS, owner, clock())), 5.0)


class LeaseBusy(RuntimeError):
    def __init__(self, name: str, holder: str | None) -> None:
        super().__init__(f"{name} is held by {holder or 'another process'}")
        self.holder = holder


@contextlib.asynccontextmanager
async def holding(
    leases: Leases,
    name: str,
    owner: str,
    ttl: timedelta,
    *,
    clock: Clock = system_clock,
    wait: Wait = wait_event,
) -> AsyncIterator[None]:
    """Hold a lease around one piece of work (e.g. `python -m bot scan` while replicas run): LeaseBusy when
    someone else holds it; renewed every ttl/3; if it is lost anyway, the work is cancelled."""
    if not await leases.acquire(name, owner, clock(), ttl):
        raise LeaseBusy(name, await leases.holder(name, clock()))
    work = asyncio.current_task()
    assert work is not None
    done = asyncio.Event()

    async def renew() -> None:
        while True:
            if await wait(done, ttl.total_seconds() / 3):
                return
            if not await leases.renew(name, owner, clock(), ttl):
                log.warning("%s: lease lost, stopping", name)
                work.cancel()
                return

    heartbeat = asyncio.create_task(renew(), name=f"{name}-heartbeat")
    try:
        yield
    finally:
        done.set()  # never cancel the heartbeat mid-query
        with contextlib.suppress(Exception):
            await heartbeat
        with contextlib.suppress(Exception):
            await leases.release(name, owner, clock())
