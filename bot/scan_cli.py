"""`python -m bot scan`: one drift scan over the watched users, a summary, optionally a report file.

Builds the same Graph/SharePoint/store objects as the running bot (`bot.app`): without Graph credentials
that is the demo tenant, served on a loopback port, with the photo ledger seeded the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from bot.clock import system_clock
from bot.domain.drift import DriftState
from bot.services.scan import USER_NOT_FOUND, DriftScanner, ScanReport, ScanRow, load_watch_list
from bot.services.watch import configured, resolve_watch_list
from bot.settings import Settings
from bot.store.scan_checkpoint import ScanCheckpoint

REPORT_FIELDS = (
    "user_id",
    "upn",
    "display_name",
    "etag",
    "photo_first_seen",
    "sharepoint_refreshed",
    "state",
    "detail",
)
MAX_PHOTO_CONCURRENCY = 4  # Graph photo endpoints: 4 concurrent requests per app


def add_scan_subcommand(sub: Any) -> None:
    p = sub.add_parser(
        "scan",
        help="scan watched users for photo drift (SharePoint not refreshed after a new photo)",
        description=(
            "Read every watched user's photo metadata (Graph) and SharePoint picture, record each photo "
            "version in the ledger and classify it: ok, pending, drift, unknown, no_photo, not_syncing. "
            "Without --dry-run each drifted user gets one notice per photo version, queued in the database "
            "and delivered to their 1:1 chat by the running bot. Without Graph credentials it scans the "
            "built-in demo tenant."
        ),
        epilog="examples:\n"
        "  %(prog)s --dry-run --report drift.csv          report only\n"
        "  %(prog)s --users migrated.csv                  queue notices for these users' drift",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="report only: queue no notices (without it, drifted users get one notice per photo version, delivered by the running bot)",
    )
    p.add_argument(
        "--report",
        type=Path,
        metavar="FILE.csv|FILE.json",
        help="write every row to this file (format from the extension)",
    )
    p.add_argument(
        "--users",
        type=Path,
        metavar="USERS.csv",
        help="watch list: CSV with a user_id or userPrincipalName column (the migration export); "
        "default: PHOTOSYNC_WATCH_CSV + PHOTOSYNC_WATCH_GROUP_ID + PHOTOSYNC_WATCH_SYNCED, "
        "else every demo tenant user",
    )
    p.add_argument(
        "--grace-hours",
        type=float,
        default=24.0,
        help="hours after a new photo before a stale SharePoint copy counts as drift (default 24)",
    )
    p.add_argument(
        "--concurrency",
        type=int,
        default=MAX_PHOTO_CONCURRENCY,
        choices=range(1, MAX_PHOTO_CONCURRENCY + 1),
        metavar="1-4",
        help="photo requests in flight at most (Graph allows 4 per app; default 4)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def run_scan_command(
    args: argparse.Namespace, settings: Settings | None = None, clock: Callable[[], datetime] | None = None
) -> int:
    """Entry point for `python -m bot scan`; returns the process exit status."""
    from bot import logs
    from bot.settings import load_settings

    if settings is None:  # the real command line; tests pass settings and keep their own logging
        settings = load_settings()
        logs.configure(settings.log_level, settings.log_format.value)
    report_path: Path | None = args.report
    problem = report_problem(report_path) if report_path is not None else None
    if problem:
        print(f"--report: {problem}", file=sys.stderr)
        return 2
    if args.grace_hours < 0:
        print("--grace-hours must not be negative", file=sys.stderr)
        return 2
    watch: list[str] | None = None
    if args.users is not None:
        try:
            watch = load_watch_list(args.users)
        except (OSError, ValueError) as exc:
            print(f"--users: {exc}", file=sys.stderr)
            return 2
    elif not settings.demo and not configured(settings):
        print(
            "--users is required with Graph credentials unless PHOTOSYNC_WATCH_CSV, PHOTOSYNC_WATCH_GROUP_ID "
            "or PHOTOSYNC_WATCH_SYNCED is set (listing the whole tenant is not supported yet)",
            file=sys.stderr,
        )
        return 2
    return asyncio.run(_scan(args, settings, watch, clock or system_clock))


def report_problem(path: Path) -> str | None:
    """Checked before the scan starts: a report that cannot be written must not cost a whole scan."""
    if path.suffix.lower() not in (".csv", ".json"):
        return f"use a .csv or .json file name, not {path}"
    if path.is_dir():
        return f"{path} is a folder"
    folder = path.parent
    if not folder.is_dir():
        return f"folder {folder} does not exist"
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return f"cannot write {path}"
    return None


async def _scan(
    args: argparse.Namespace, settings: Settings, watch: list[str] | None, clock: Callable[[], datetime]
) -> int:
    from bot.graph.errors import GraphError
    from bot.runtime import RuntimeContext

    async with RuntimeContext(settings, clock, None, run_sender=False) as runtime:
        if watch is None:
            ids = runtime.backend.demo_user_ids
            demo_ids = list(ids) if ids is not None else None
            try:
                watch = await resolve_watch_list(settings, runtime.graph, demo_ids)
            except (OSError, ValueError, GraphError) as exc:
                print(f"watch list: {exc}", file=sys.stderr)
                return 2
            assert watch is not None  # configured, or demo mode
        scanner = DriftScanner(
            runtime.graph,
            runtime.sharepoint,
            runtime.store,
            clock,
            timedelta(hours=args.grace_hours),
            args.concurrency,
            checkpoint=ScanCheckpoint(runtime.store.engine),
        )
        # Replicas of the bot may be scanning on a schedule: one scan at a time (Graph's 4 photo requests in
        # flight are per app, not per process).
        from bot.services.replicas import LeaseBusy, holding, replica_id
        from bot.store.leases import DRIFT_SCAN, Leases

        bar = None if args.no_progress else ProgressBar(sys.stderr)
        try:
            with bar or contextlib.nullcontext():
                async with holding(
                    Leases(runtime.store.engine),
                    DRIFT_SCAN,
                    replica_id(),
                    timedelta(seconds=settings.lease_s),
                    clock=clock,
                ):
                    report = await scanner.scan(watch, progress=bar)
                    notified = None if args.dry_run else await runtime.notifier.enqueue(report)
        except LeaseBusy as exc:
            print(f"another drift scan is running ({exc}); try again when it has finished", file=sys.stderr)
            return 3
    source = "demo tenant" if settings.demo else "Microsoft Graph"
    print(summary(report, source, dry_run=args.dry_run))
    if args.report is not None:
        write_report(report, args.report, grace=timedelta(hours=args.grace_hours), dry_run=args.dry_run)
        print(f"report: {args.report}")
    if notified is not None:
        print(
            f"notices: {notified.queued} queued (the running bot delivers them), "
            f"{notified.already_notified} already notified for this photo, {notified.opted_out} opted out, "
            f"{notified.blocked} blocked the bot, {len(notified.unreachable)} without a chat with the bot; "
            f"{notified.not_syncing} not syncing (no notice: a re-sync cannot fix them)"
        )
    return 0


class ProgressBar:
    """`[#######.............]  120/200` on one stderr line, redrawn at most once per percent.

    While it is in use (`with bar:`) every log record goes out on a line of its own: the bar's line is cleared
    (a terminal) or ended (a file or pipe) before the record and drawn again after it."""

    def __init__(self, out: TextIO, width: int = 30) -> None:
        self.out, self.width = out, width
        self._last: tuple[int, int] | None = None
        self._shown: tuple[int, int] | None = None  # what the bar's line shows now (None: no bar on it)
        self._redraw: tuple[int, int] | None = None  # what to draw again once a log record is out
        self._terminal = out.isatty()
        self._handlers: list[logging.Handler] = []

    def __enter__(self) -> ProgressBar:
        root = logging.getLogger()
        self._handlers = root.handlers[:]
        root.handlers[:] = [_BesideTheBar(handler, self) for handler in self._handlers]
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger().handlers[:] = self._handlers
        self.close()

    def __call__(self, done: int, total: int) -> None:
        step = (done * 100 // total) if total else 100
        key = (step, total)
        if key == self._last and done != total:
            return
        self._last = key
        self._draw(done, total)

    def _draw(self, done: int, total: int) -> None:
        filled = self.width * done // total if total else self.width
        self.out.write(f"\rscanning [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total}")
        self.out.flush()
        self._shown = (done, total)

    def clear(self) -> None:
        """Free the line for other output."""
        if self._shown is None:
            return
        self.out.write("\r\x1b[K" if self._terminal else "\n")
        self.out.flush()
        self._redraw, self._shown = self._shown, None

    def redraw(self) -> None:
        if self._shown is None and self._redraw is not None:
            self._draw(*self._redraw)

    def close(self) -> None:
        if self._shown is not None:
            self.out.write("\n")
            self.out.flush()
            self._shown = None
        self._redraw = None


class _BesideTheBar(logging.Handler):
    """Hands each record to the real handler with the progress bar's line cleared first and drawn after."""

    def __init__(self, inner: logging.Handler, bar: ProgressBar) -> None:
        super().__init__(inner.level)
        self.inner, self.bar = inner, bar

    def handle(self, record: logging.LogRecord) -> bool:
        if record.levelno < self.inner.level:
            return False
        self.bar.clear()
        try:
            return bool(self.inner.handle(record))
        finally:
            self.bar.redraw()


def summary(report: ScanReport, source: str, *, dry_run: bool) -> str:
    counts = report.counts
    parts = ", ".join(f"{state.value} {n}" for state, n in counts.items())
    lines = [
        f"drift scan ({source}{', dry run' if dry_run else ''}): {len(report.rows)} users in "
        f"{report.duration_s:.2f}s: {parts}"
    ]
    for row in report.by_state(DriftState.DRIFT):
        since = row.photo_first_seen.isoformat(timespec="minutes") if row.photo_first_seen else "?"
        lines.append(f"  drift: {row.display_name or '?'} <{row.upn or row.user_id}> photo since {since}")
    missing = not_found(report)
    if missing:  # a typo or a departed user in the watch list: say who, so the list can be fixed
        lines.append(f"  not found in the directory ({len(missing)}): {', '.join(missing)}")
    for row in report.by_state(DriftState.NOT_SYNCING):  # no notice: the helpdesk has to fix these
        lines.append(
            f"  not syncing (helpdesk): {row.display_name or '?'} <{row.upn or row.user_id}>: {row.detail or '?'}"
        )
    return "\n".join(lines)


def not_found(report: ScanReport) -> list[str]:
    """The watch-list entries Graph does not know, as they were given."""
    return [row.user_id for row in report.rows if row.detail == USER_NOT_FOUND]


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def row_dict(row: ScanRow) -> dict[str, str | None]:
    return {name: _cell(getattr(row, name)) for name in REPORT_FIELDS}


def write_report(report: ScanReport, path: Path, *, grace: timedelta, dry_run: bool) -> None:
    rows = [row_dict(r) for r in report.rows]
    if path.suffix.lower() == ".json":
        body = {
            "generated_at": _cell(report.finished_at),
            "grace_hours": grace.total_seconds() / 3600,
            "dry_run": dry_run,
            "counts": {state.value: n for state, n in report.counts.items()},
            "not_found": not_found(report),
            "rows": rows,
        }
        path.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
        return
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=REPORT_FIELDS)
        writer.writeheader()
        writer.writerows({k: v or "" for k, v in r.items()} for r in rows)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bot.scan_cli ...` (same as `python -m bot scan ...`)."""
    parser = argparse.ArgumentParser(prog="python -m bot")
    add_scan_subcommand(parser.add_subparsers(dest="command", required=True))
    return run_scan_command(parser.parse_args(["scan", *(sys.argv[1:] if argv is None else argv)]))


if __name__ == "__main__":
    sys.exit(main())
