"""`python -m bench.scan` end to end at a small size: the benchmark's own fakes and floors still run, and the
scanner never exceeds the fake Graph's photo limit across processes. (Its speed is measured in bench/, never
asserted here.)"""

from __future__ import annotations

import re
import subprocess
import sys

from tests.e2e.driver import REPO


def test_small_scan_with_floors_keeps_the_photo_limit() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.scan",
            "--users",
            "300",
            "--latency-ms",
            "2",
            "--floor",
            "--floor-users",
            "300",
            "--timeout",
            "120",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    photo = re.search(r"photo requests\s+(\d+)\s+ok (\d+), throttled \(429\) (\d+)", out)
    in_flight = re.search(r"max photo in flight\s+(\d+)\s+\$batch requests (\d+), SharePoint (\d+)", out)
    assert photo is not None and in_flight is not None, out
    assert (int(photo[1]), int(photo[2]), int(photo[3])) == (
        300,
        300,
        0,
    )  # one photo request per user, none 429
    assert int(in_flight[1]) == 4  # every slot used, never a fifth
    assert (int(in_flight[2]), int(in_flight[3])) == (300, 270)  # SharePoint read for the 90 % with a photo
    # Every user counted; no row kept: first sightings are "unknown", and a scheduled scan keeps only the rows
    # its notifier reads (drift, not syncing).
    assert "users by state     {'no_photo': 30, 'unknown': 270}; rows kept in the report 0 " in out
    for floor in ("client", "raw", "physical"):
        line = re.search(
            rf"^{floor} floor\s+([\d.]+) s\s+=\s+([\d.]+) % of the bound \(300 users\)", out, re.M
        )
        assert line is not None, f"{floor} floor missing:\n{out}"
        assert 0 < float(line[2]) <= 100.5, line[0]  # a floor cannot beat the bound by more than timer noise
