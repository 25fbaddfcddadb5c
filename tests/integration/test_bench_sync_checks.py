"""`python -m bench.sync_checks` end to end at a small size: the backlog is worked through at most 50 checks a
pass, every pass claims with one query that the index answers, and a pass's statements are the same whatever the
backlog. (Its speed is measured in bench/, never asserted here.)"""

from __future__ import annotations

import re
import subprocess
import sys

from tests.e2e.driver import REPO

PASS = re.compile(
    r"^  pass (\d+): claimed=(\d+) rescheduled=(\d+) expired=(\d+) fixed=(\d+) unreadable=(\d+) sql=(\d+) "
    r"claim_sql=(\d+) .* photo_in_flight=(\d+)",
    re.M,
)


def test_small_backlog_is_worked_through_in_bounded_passes() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.sync_checks",
            "--checks",
            "100",
            "--baseline",
            "20",
            "--passes",
            "3",
            "--lag",
            "20000",  # ~5.5 hours without a pass: most of the 100 are due
        ],  # on PostgreSQL too when PHOTOSYNC_TEST_POSTGRES_URL is set (CI)
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    sections = re.split(r"^\[(?:sqlite|postgres)\] ", out, flags=re.M)[1:]
    assert len(sections) in (3, 6), out  # per database: the baseline, the backlog, the comparison
    runs = [s for i, s in enumerate(sections) if i % 3 != 2]
    for section in runs:
        head = re.match(r"(\d+) pending checks, (\d+) due at the start", section)
        assert head is not None, section
        due = int(head[2])
        passes = [tuple(int(g) for g in m.groups()) for m in PASS.finditer(section)]
        assert len(passes) == 3, section
        claimed = [p[1] for p in passes]
        assert all(c <= 50 for c in claimed)  # at most PASS_LIMIT a pass
        assert sum(claimed) == due and claimed[-1] == 0  # the backlog is worked through, then nothing is due
        for _, n, rescheduled, expired, fixed, unreadable, sql, claim_sql, _ in passes:
            # SharePoint still shows the old picture: every look reschedules
            assert (rescheduled, expired, fixed, unreadable) == (n, 0, 0, 0)
            assert claim_sql == 1  # one claim query per pass, whatever the backlog
            assert (
                sql <= 2 + 1 + n
            )  # the lease (insert-or-exists, update), the claim, a write per check at most
    backlog = sections[1]  # SQLite's
    assert "plan: SEARCH sync_checks USING INDEX ix_sync_checks_due" in backlog
    rows = re.search(
        r"all due: (\d+) VM steps with the index, (\d+) scanning the table; (\d+) rows returned", backlog
    )
    assert rows is not None and int(rows[3]) == 50, backlog
    assert "pass with nothing due: CPU" in sections[2] and "SQL statements 3 vs 3" in sections[2]
