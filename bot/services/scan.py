"""Drift scan: read many users' photo metadata + SharePoint picture, record each
photo version in the ledger and classify it with `bot.domain.drift`. Nothing is sent to users here.

Graph photo endpoints allow 4 concurrent requests per app (Graph's Outlook service limits), so every
`get_user_and_photo` call (one `$batch` holding exactly one photo item) holds a place in a semaphore of
`concurrency` while its request is in flight: from just before it is sent (the request is built before) until
the answer's headers arrive (the body is read and parsed after), waits to retry included (GraphClient, `slot`);
Retry-After/backoff is GraphClient's own. SharePoint reads happen outside the semaphore so they overlap with the
photo calls.

Writes are behind, in batches: workers only read (Graph, SharePoint) and hand each finished user to one writer
task, which commits the ledger sightings, the drift verdicts and the checkpoint rows of up to `batch_size` users
in ONE transaction (`Store.observe_photos`, `Store.record_drifts`, `ScanCheckpoint.save_many`), at least every
`flush_interval` seconds while users are waiting. The ledger entry a verdict needs is read inside that
transaction, under the write lock, so verdicts are exactly what `observe_photo` + `assess` one user at a time
would give. At most `batch_size` finished users are ever unsaved: a crash re-scans at most one batch of
users (plus those in flight), which is harmless — a scan is idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.clock import Clock, Perf
from bot.domain.drift import DEFAULT_GRACE, DriftState, assess
from bot.domain.model import SharePointPicture
from bot.graph import GraphClient, GraphError, SharePointClient
from bot.graph.errors import GraphUnavailable, SharePointUnavailable, TokenError, UserNotFound
from bot.store import LedgerEntry, Store
from bot.store.scan_checkpoint import ScanCheckpoint

from .scan_pictures import confirm_with_pictures
from .scan_report import ScanReport, ScanRow

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Keep = Callable[["ScanRow"], bool]
WATCH_LIST_COLUMNS = ("user_id", "userPrincipalName")
BATCH_SIZE = 100  # users per write transaction, and the most finished users ever unsaved
FLUSH_INTERVAL_S = 0.25  # a waiting user is committed within about this long


@dataclass(frozen=True, slots=True)
class _Read:
    """One user read from Graph (+ SharePoint), waiting for the writer. `row` set: finished without a ledger
    write (Graph failed, no photo); else the photo to record and the SharePoint picture to judge it by."""

    index: int  # position in the scan's input
    row: ScanRow | None = None
    user_id: str = ""
    upn: str | None = None
    display_name: str | None = None
    etag: str = ""
    seen_at: datetime | None = None
    picture: SharePointPicture | None = None  # None: SharePoint not read (`failure` says why)
    failure: str | None = None


class DriftScanner:
    def __init__(
        self,
        graph: GraphClient,
        sharepoint: SharePointClient,
        store: Store,
        clock: Clock,
        grace: timedelta = DEFAULT_GRACE,
        concurrency: int = 4,
        checkpoint: ScanCheckpoint | None = None,
        *,
        batch_size: int = BATCH_SIZE,
        flush_interval: float = FLUSH_INTERVAL_S,
        perf: Perf = time.monotonic,
        compare_pictures: bool = True,
    ) -> None:
        self.compare_pictures = compare_pictures  # drift candidates: let the pictures decide
        self.checkpoint = checkpoint  # default checkpoint for scan(): resume an interrupted run
        if concurrency < 1:
            raise ValueError("concurrency must be >= 1")
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        if flush_interval <= 0:
            raise ValueError("flush_interval must be > 0")
        self.graph = graph
        self.sharepoint = sharepoint
        self.store = store
        self.clock = clock
        self.grace = grace
        self.concurrency = concurrency
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.perf = perf  # measures `ScanReport.duration_s` only

    async def scan(
        self,
        user_ids: Iterable[str],
        *,
        progress: Progress | None = None,
        checkpoint: ScanCheckpoint | None = None,
        stop: asyncio.Event | None = None,
        keep: Keep | None = None,
    ) -> ScanReport:
        """Scan each distinct user once; rows come back in input order. Errors become UNKNOWN rows.

        With `keep`, the report holds only the rows it accepts (its `tally`, `counts` and `total` still cover
        every user): a scan inside the serving bot keeps what it acts on, not one row per watched user
        (memory per watched user: see docs/BENCHMARKS.md).

        Finished users are written in batches (module docstring); `progress(done, total)` is called for each
        user once their batch is committed. With a `checkpoint`, each batch's rows are saved with it, and a scan
        of the same watch list that finds an unfinished run (the last one crashed) skips the users it already
        saved: a crash re-scans at most one batch (`batch_size` users) plus the users in flight. With `stop`,
        the scan ends early once it is set (users in progress finish and every finished user is committed
        before scan() returns; no query is cancelled half-way): the report is `interrupted` and the
        checkpoint stays open for the next scan. An exception (a worker's, the writer's, a progress
        callback's) or a cancellation stops the workers; a write transaction already under way completes
        first, the users still waiting for the writer are not saved."""
        ids = list(dict.fromkeys(u.strip() for u in user_ids if u and u.strip()))
        checkpoint = checkpoint or self.checkpoint
        total = len(ids)
        kept: dict[int, ScanRow] = {}  # input position -> row, for the rows `keep` accepts
        tally: Counter[DriftState] = Counter()

        def finish(index: int, row: ScanRow) -> None:
            tally[row.state] += 1
            if keep is None or keep(row):
                kept[index] = row

        photo_gate = asyncio.Semaphore(self.concurrency)
        started_at = self.clock()
        report = ScanReport(started_at=started_at)
        run_id, resumed = await checkpoint.open_run(ids, started_at) if checkpoint is not None else (0, {})
        for i, user_id in enumerate(ids):
            if user_id in resumed:
                finish(i, _row_from_json(resumed[user_id]))
        report.resumed = len(resumed)
        next_index = iter([i for i in range(total) if ids[i] not in resumed])
        done = report.resumed
        started = self.perf()
        if progress is not None:
            progress(done, total)

        batch_size = self.batch_size
        flush_at = max(
            1, batch_size // 2
        )  # start a commit at half a batch: workers fill the other half meanwhile
        unsaved = asyncio.Semaphore(batch_size)  # finished users handed to the writer and not committed yet
        waiting: list[_Read] = []
        wake = asyncio.Event()
        closing = False
        commit: asyncio.Future[list[ScanRow]] | None = None  # the write transaction under way

        async def worker() -> None:
            for i in next_index:  # shared iterator: each index taken by exactly one worker
                if stop is not None and stop.is_set():
                    report.interrupted = True  # shutting down: leave the rest to the checkpoint
                    return
                read = await self._read_one(i, ids[i], photo_gate)
                await unsaved.acquire()
                waiting.append(read)
                if len(waiting) >= flush_at:
                    wake.set()

        async def writer() -> None:
            nonlocal done, commit
            while True:
                if not closing and len(waiting) < flush_at:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(wake.wait(), self.flush_interval)
                wake.clear()
                if not waiting:
                    if closing:
                        return
                    continue
                batch = waiting[:batch_size]
                del waiting[:batch_size]
                # Shielded: cancelling the scan never cancels a transaction half-way (scan() waits for it).
                commit = asyncio.ensure_future(self._write(batch, ids, checkpoint, run_id))
                written = await asyncio.shield(commit)
                commit = None
                for _ in batch:
                    unsaved.release()
                for read, row in zip(batch, written, strict=True):
                    finish(read.index, row)
                    done += 1
                    if progress is not None:
                        progress(done, total)

        # More workers than photo slots, so SharePoint reads overlap the photo calls; the semaphore, not the
        # worker count, bounds the photo requests in flight.
        workers = [asyncio.create_task(worker()) for _ in range(max(1, min(total, self.concurrency * 4)))]
        writing = asyncio.create_task(writer())
        try:
            busy = set(workers)
            while busy:
                finished, _ = await asyncio.wait({*busy, writing}, return_when=asyncio.FIRST_COMPLETED)
                for task in finished:
                    task.result()  # re-raise a worker's or the writer's failure
                if writing in finished:  # pragma: no cover - the writer only returns once closing
                    raise RuntimeError("drift scan writer stopped early")
                busy -= finished
            closing = True  # every worker is done: commit what is waiting, then stop
            wake.set()
            await writing
        except BaseException:
            for task in (*workers, writing):  # stop the others before giving up the scan
                task.cancel()
            await asyncio.gather(*workers, writing, return_exceptions=True)
            if commit is not None:  # let a transaction under way finish (its pooled connection comes back)
                await asyncio.wait({commit})
                if not commit.cancelled():
                    commit.exception()  # retrieved: the scan's own exception is what propagates
            raise
        if checkpoint is not None and not report.interrupted:
            await checkpoint.finish(run_id)
        report.rows = [kept[i] for i in sorted(kept)]
        report.tally = tally
        if self.compare_pictures and not report.interrupted:
            report.cleared_by_pictures = await confirm_with_pictures(
                report, self.graph, self.sharepoint, self.store, self.clock, photo_gate
            )
        report.finished_at = self.clock()
        report.duration_s = self.perf() - started
        return report

    async def _read_one(self, index: int, user_id: str, photo_gate: asyncio.Semaphore) -> _Read:
        try:  # a photo place is held only while the request is in flight (GraphClient, `slot`)
            user, photo = await self.graph.get_user_and_photo(user_id, slot=photo_gate)
        except GraphError as exc:
            log.warning(
                "drift scan: graph read failed", extra={"user": user_id, "reason": type(exc).__name__}
            )
            row = ScanRow(user_id, None, None, None, None, None, DriftState.UNKNOWN, failure_detail(exc))
            return _Read(index, row)
        now = self.clock()
        uid = user.id if user is not None else user_id
        upn = user.upn if user is not None else None
        name = user.display_name if user is not None else None
        if photo is None:
            return _Read(index, ScanRow(uid, upn, name, None, None, None, DriftState.NO_PHOTO))
        read = _Read(index, None, uid, upn, name, photo.etag, now)
        if upn is None:  # pragma: no cover - get_user_and_photo raises rather than return no user
            return replace(read, failure="no user")
        try:
            picture = await self.sharepoint.picture(upn)
        except GraphError as exc:
            reason = type(exc).__name__
            log.warning("drift scan: sharepoint read failed", extra={"user": uid, "reason": reason})
            return replace(read, failure=failure_detail(exc))
        return replace(read, picture=picture)

    async def _write(
        self, batch: list[_Read], ids: list[str], checkpoint: ScanCheckpoint | None, run_id: int
    ) -> list[ScanRow]:
        """One transaction: the batch's photo sightings (the ledger read under the write lock, see
        `Store.observe_photos`), drift verdicts and checkpoint rows. Returns the rows in batch order."""
        sightings = [(r.user_id, r.etag, r.seen_at) for r in batch if r.row is None and r.seen_at is not None]
        async with self.store.engine.begin() as conn:
            entries = iter(await self.store.observe_photos(sightings, conn=conn))
            out: list[ScanRow] = []
            verdicts: list[tuple[str, str, datetime | None, datetime]] = []
            for read in batch:
                if read.row is not None:
                    out.append(read.row)
                    continue
                row, verdict = self._judge(read, next(entries))
                out.append(row)
                if verdict is not None:
                    verdicts.append(verdict)
            await self.store.record_drifts(verdicts, conn=conn)
            if checkpoint is not None:
                saved = {ids[r.index]: _row_to_json(row) for r, row in zip(batch, out, strict=True)}
                await checkpoint.save_many(run_id, saved, conn=conn)
        return out

    def _judge(
        self, read: _Read, entry: LedgerEntry
    ) -> tuple[ScanRow, tuple[str, str, datetime | None, datetime] | None]:
        """The user's row and drift verdict (None: not judged) from their ledger entry after the sighting."""
        uid, upn, name, etag, now = read.user_id, read.upn, read.display_name, read.etag, read.seen_at
        assert now is not None
        first_seen = entry.first_seen_at if entry.known_change else None
        previous_seen = entry.previous_seen_at if entry.known_change else None
        picture = read.picture
        if picture is None:  # SharePoint could not be read (or no UPN to read it by)
            return ScanRow(uid, upn, name, etag, first_seen, None, DriftState.UNKNOWN, read.failure), None
        placeholder = picture.placeholder_state not in (0, None)
        syncing = picture.profile_found and picture.exchange_sync_state != 0
        state = assess(
            first_seen,
            picture.timestamp,
            placeholder,
            now,
            self.grace,
            photo_previous_seen=previous_seen,
            sharepoint_syncing=syncing,
        )
        detail = drift_detail(first_seen, picture, placeholder=placeholder)
        row = ScanRow(uid, upn, name, etag, first_seen, picture.timestamp, state, detail)
        return row, (uid, state.value, picture.timestamp, now)


def load_watch_list(csv_path: str | Path) -> list[str]:
    """User ids (or UPNs) to watch from a CSV with a `user_id` or `userPrincipalName` column (the migration
    tool's export). Prefers `user_id` per row, falls back to the UPN; blank rows skipped, duplicates kept once.
    Column names match case-insensitively; a UTF-8 BOM is tolerated. ValueError when neither column exists."""
    path = Path(csv_path)
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = {name.strip().lower(): name for name in (reader.fieldnames or []) if name}
        id_col = header.get("user_id")
        upn_col = header.get("userprincipalname")
        if id_col is None and upn_col is None:
            raise ValueError(f"{path}: needs a 'user_id' or 'userPrincipalName' column")
        out: list[str] = []
        for row in reader:
            value = (row.get(id_col) or "").strip() if id_col else ""
            if not value and upn_col:
                value = (row.get(upn_col) or "").strip()
            if value:
                out.append(value)
    return list(dict.fromkeys(out))


__all__ = ["DriftScanner", "ScanReport", "ScanRow", "load_watch_list"]


def _row_to_json(row: ScanRow) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ScanRow.__slots__:
        if name == "pictures":
            continue  # looked at again after a resume: only candidates need them
        value = getattr(row, name)
        out[name] = (
            value.isoformat()
            if isinstance(value, datetime)
            else str(value)
            if isinstance(value, DriftState)
            else value
        )
    return out


def _row_from_json(data: dict[str, Any]) -> ScanRow:
    values = dict(data)
    for name in ("photo_first_seen", "sharepoint_refreshed"):
        if values.get(name):
            values[name] = datetime.fromisoformat(values[name])
    values["state"] = DriftState(values["state"])
    return ScanRow(**values)


# The report's `detail` column is read by people: what went wrong in words, never an exception class.
USER_NOT_FOUND = "user not found in the directory"
FAILURE_DETAILS: dict[type[GraphError], str] = {
    UserNotFound: USER_NOT_FOUND,
    SharePointUnavailable: "SharePoint could not be read (try the scan again later)",
    GraphUnavailable: "Microsoft Graph could not be read (try the scan again later)",
    TokenError: "no access token (check the app registration and its permissions)",
}


def failure_detail(exc: GraphError) -> str:
    """The report's words for a user the scan could not read."""
    for kind, text in FAILURE_DETAILS.items():
        if isinstance(exc, kind):
            return text
    return "could not be read"


def drift_detail(first_seen: datetime | None, picture: SharePointPicture, *, placeholder: bool) -> str | None:
    """Why a scanned user's verdict is what it is, when the state alone does not say (report column)."""
    if first_seen is None:
        return "change time unknown"
    if not picture.profile_found:
        return "no SharePoint profile"
    if picture.exchange_sync_state == 0:
        return "SharePoint not pulling from Exchange"
    if placeholder:
        return "placeholder shown"
    return None
