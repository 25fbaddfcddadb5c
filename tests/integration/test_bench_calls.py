"""`python -m bench.calls --sync-only` end to end at a small size: what opening a sync link and a pass of the
sync checks send to Graph, SharePoint, the token endpoint and the database. (Counts, never durations.)"""

from __future__ import annotations

import re
import subprocess
import sys

from tests.e2e.driver import REPO


def _row(out: str, label: str) -> dict[str, str]:
    line = next((ln for ln in out.splitlines() if ln.strip().startswith(label)), None)
    assert line is not None, f"{label!r} missing:\n{out}"
    return dict(re.findall(r"(graph \$batch|graph direct|sharepoint|tokens|sql|n)=([\d.]+)", line))


def test_sync_start_and_check_pass_calls() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.calls", "--sync-only", "--turns", "3"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    cold = _row(out, "link opened, first of the process")
    start = _row(out, "link opened (GET /sync/{token})")
    waiting = _row(out, "check pass, 1 due, still syncing")
    fixed = _row(out, "check pass, 1 due, fixed + told")
    # Opening the link: the user read once, no SharePoint; a token only for the process's first Graph call.
    assert (start["n"], start["graph direct"], start["graph $batch"], start["sharepoint"]) == (
        "3",
        "1.00",
        "0.00",
        "0.00",
    )
    assert (cold["tokens"], start["tokens"]) == ("1.00", "0.00")
    assert start["sql"] == "3.00"  # the audit row, the schedule, and where the card that offered it is
    # A pass over one due check: the user and the 96x96 photo from Graph in one $batch, the shown picture.
    for row in (waiting, fixed):
        # one $batch (the user, the photo's metadata and its small size) and SharePoint's picture
        assert (row["graph direct"], row["graph $batch"], row["sharepoint"], row["tokens"]) == (
            "0.00",
            "1.00",
            "1.00",
            "0.00",
        )
    assert float(waiting["sql"]) < float(fixed["sql"])  # the outcome is audited and queued only when it ends
    assert "pass outcomes: {'looked': 5, 'rescheduled': 4, 'fixed': 1}" in out
