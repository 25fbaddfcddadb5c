"""Drift scan (issue 5, the scan part): read many users' photo metadata + SharePoint picture, record each
photo version in the ledger and classify it with `bot.domain.drift`. Nothing is sent to users here.

Graph photo endpoints allow 4 concurrent requests per app (DOMAIN.md, Outlook limits), so every
`get_user_and_photo` call (one `$batch` holding exactly one photo item) runs under a semaphore of
`concurrency`; Retry-After/backoff is GraphClient's own. SharePoint reads and ledger writes happen outside
the semaphore so they overlap with the photo calls.
"""

from __future__ import annotations

import asyncio
import csv
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.domain.drift import DEFAULT_GRACE, DriftState, assess
from bot.graph import GraphClient, GraphError, SharePointClient
from bot.store import Store
from bot.store.scan_checkpoint import ScanCheckpoint

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
WATCH_LIST_COLUMNS = ("user_id", "userPrincipalName")


@dataclass(frozen=True, slots=True)
class ScanRow:
    user_id: str  # Entra object id as Graph returned it (the input when Graph could not be read)
    upn: str | None
    display_name: str | None
    etag: str | None
    photo_first_seen: datetime | None  # ledger first sighting of a known change; None: change time unknown
    sharepoint_refreshed: datetime | None  # SPS-PictureTimestamp
    state: DriftState
    detail: str | None = None  # why (error class, "no SharePoint profile", "placeholder shown", ...)


@dataclass(slots=True)
class ScanReport:
    rows: list[ScanRow] = field(default_factory=list)
    resumed: int = 0  # rows taken from the checkpoint of an interrupted run of the same watch list
    interrupted: bool = False  # stopped early (shutdown): rows are partial, the checkpoint stays open
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_s: float = 0.0

    @property
    def counts(self) -> dict[DriftState, int]:
        """Rows per state, every state present (zero included), in DriftState order."""
        c = Counter(r.state for r in self.rows)
        return {s: c.get(s, 0) for s in DriftState}

    def by_state(self, state: DriftState) -> list[ScanRow]:
        return [r for r in self.rows if r.state is state]


class DriftScanner:
    def __init__(
        self,
        graph: GraphClient,
        sharepoint: SharePointClient,
        store: Store,
        clock: Callable[[], datetime],
        grace: timedelta = DEFAULT_GRACE,
        concurrency: int = 4,
        checkpoint: ScanCheckpoint | None = None,
    ) -> None:
        self.checkpoint = checkpoint  # default checkpoint for scan(): resume an interrupted run
        if concurrency < 1:
            raise ValueError("concurrency must be >= 1")
        self.graph = graph
        self.sharepoint = sharepoint
        self.store = store
        self.clock = clock
        self.grace = grace
        self.concurrency = concurrency

    async def scan(
        self,
        user_ids: Iterable[str],
        *,
        progress: Progress | None = None,
        checkpoint: ScanCheckpoint | None = None,
        stop: asyncio.Event | None = None,
    ) -> ScanReport:
        """Scan each distinct user once; rows come back in input order. Errors become UNKNOWN rows.

        With a `checkpoint`, every finished row is saved as it completes, and a scan of the same watch list
        that finds an unfinished run (the last one crashed) skips the users it already did. With `stop`, the
        scan ends early once it is set (users in progress finish; no query is cancelled half-way): the
        report is `interrupted` and the checkpoint stays open for the next scan."""
        ids = list(dict.fromkeys(u.strip() for u in user_ids if u and u.strip()))
        checkpoint = checkpoint or self.checkpoint
        total = len(ids)
        rows: list[ScanRow | None] = [None] * total
        photo_gate = asyncio.Semaphore(self.concurrency)
        report = ScanReport(started_at=self.clock())
        run_id, resumed = (
            await checkpoint.open_run(ids, report.started_at) if checkpoint is not None else (0, {})
        )
        for i, user_id in enumerate(ids):
            if user_id in resumed:
                rows[i] = _row_from_json(resumed[user_id])
        report.resumed = len(resumed)
        next_index = iter([i for i in range(total) if rows[i] is None])
        done = report.resumed
        started = time.monotonic()
        if progress is not None:
            progress(done, total)

        async def worker() -> None:
            nonlocal done
            for i in next_index:  # shared iterator: each index taken by exactly one worker
                if stop is not None and stop.is_set():
                    report.interrupted = True  # shutting down: leave the rest to the checkpoint
                    return
                row = await self._scan_one(ids[i], photo_gate)
                if checkpoint is not None:
                    await checkpoint.save(run_id, ids[i], _row_to_json(row))
                rows[i] = row
                done += 1
                if progress is not None:
                    progress(done, total)

        # More workers than photo slots, so SharePoint reads and ledger writes overlap the photo calls;
        # the semaphore, not the worker count, bounds the photo requests in flight.
        workers = max(1, min(total, self.concurrency * 4))
        tasks = [asyncio.create_task(worker()) for _ in range(workers)]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:  # one worker failed: stop the others before giving up the scan
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        if checkpoint is not None and not report.interrupted:
            await checkpoint.finish(run_id)
        report.rows = [r for r in rows if r is not None]
        report.finished_at = self.clock()
        report.duration_s = time.monotonic() - started
        return report

    async def _scan_one(self, user_id: str, photo_gate: asyncio.Semaphore) -> ScanRow:
        try:
            async with photo_gate:
                user, photo = await self.graph.get_user_and_photo(user_id)
        except GraphError as exc:
            log.warning(
                "drift scan: graph read failed", extra={"user": user_id, "reason": type(exc).__name__}
            )
            return ScanRow(user_id, None, None, None, None, None, DriftState.UNKNOWN, type(exc).__name__)
        now = self.clock()
        uid = user.id if user is not None else user_id
        upn = user.upn if user is not None else None
        name = user.display_name if user is not None else None
        if photo is None:
            return ScanRow(uid, upn, name, None, None, None, DriftState.NO_PHOTO)
        entry = await self.store.observe_photo(uid, photo.etag, now)
        first_seen = entry.first_seen_at if entry.known_change else None
        previous_seen = entry.previous_seen_at if entry.known_change else None
        if upn is None:  # pragma: no cover - get_user_and_photo raises rather than return no user
            return ScanRow(uid, upn, name, photo.etag, first_seen, None, DriftState.UNKNOWN, "no user")
        try:
            picture = await self.sharepoint.picture(upn)
        except GraphError as exc:
            reason = type(exc).__name__
            log.warning("drift scan: sharepoint read failed", extra={"user": uid, "reason": reason})
            return ScanRow(uid, upn, name, photo.etag, first_seen, None, DriftState.UNKNOWN, reason)
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
        await self.store.record_drift(uid, state.value, picture.timestamp, now)
        detail = None
        if first_seen is None:
            detail = "change time unknown"
        elif not picture.profile_found:
            detail = "no SharePoint profile"
        elif picture.exchange_sync_state == 0:
            detail = "SharePoint not pulling from Exchange"
        elif placeholder:
            detail = "placeholder shown"
        return ScanRow(uid, upn, name, photo.etag, first_seen, picture.timestamp, state, detail)


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
