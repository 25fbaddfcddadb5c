"""The one line at the end of a test run that says which suites were skipped and why."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from tests.skips import skip_summary

ROOT = Path(__file__).resolve().parents[2]


def _skipped(nodeid: str, reason: str) -> SimpleNamespace:
    return SimpleNamespace(nodeid=nodeid, longrepr=(nodeid.split("::")[0], 1, f"Skipped: {reason}"))


def test_reasons_are_grouped_with_their_suites_most_frequent_first() -> None:
    reports = [
        _skipped("tests/e2e/test_playground.py::test_a", "needs root for unshare -n"),
        _skipped(
            "tests/integration/test_store.py::test_a[pg]", "PostgreSQL: set PHOTOSYNC_TEST_POSTGRES_URL"
        ),
        _skipped(
            "tests/integration/test_outbox.py::test_b[pg]", "PostgreSQL: set PHOTOSYNC_TEST_POSTGRES_URL"
        ),
        _skipped("tests/reliability/test_faults.py::test_c", "PostgreSQL: set PHOTOSYNC_TEST_POSTGRES_URL"),
    ]
    assert skip_summary(reports) == (
        "skipped 4: PostgreSQL: set PHOTOSYNC_TEST_POSTGRES_URL (tests/integration 2, tests/reliability 1); "
        "needs root for unshare -n (tests/e2e 1)"
    )
    assert skip_summary([]) is None


def test_a_run_with_skips_ends_with_the_summary_line(tmp_path: Path) -> None:
    (tmp_path / "test_some.py").write_text(
        "import pytest\n"
        "def test_skipped():\n    pytest.skip('no Chromium: apt install chromium')\n"
        "def test_run():\n    pass\n"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "tests.conftest",
            "--rootdir",  # node ids relative to the temporary folder, wherever the checkout is
            str(tmp_path),
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert "skipped 1: no Chromium: apt install chromium (test_some.py 1)" in lines[-2], lines[-3:]
