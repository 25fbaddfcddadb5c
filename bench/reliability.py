"""The full reliability figures of docs/RELIABILITY.md, from the same tests CI runs at small size.

    python -m bench.reliability                  # full: >= 100,000 hostile activities, 10-minute soak (~20 min)
    python -m bench.reliability --auth-table     # print the token attack table (from the test's parameters)
    python -m bench.reliability --fuzz 5000 --soak-seconds 60    # a shorter run

It runs `pytest tests/reliability` twice in parallel — the soak alone (so its memory/fd samples are of a bot
doing nothing else), and everything else at full size (hypothesis + the seeded grammar fuzzer, the token
table, Graph/connector/database faults, SIGKILL tests with the real 60 s lease wait) — and prints every test's
figures (collected through PHOTOSYNC_RELIABILITY_REPORT) plus the machine it ran on. Loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} vCPU {model}, Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reliability", description=__doc__.split("\n")[0])
    parser.add_argument("--auth-table", action="store_true", help="print the token attack table and exit")
    parser.add_argument(
        "--fuzz", type=int, default=100_000, help="grammar-fuzzer activities (default 100000)"
    )
    parser.add_argument("--hypothesis", type=int, default=2_000, help="hypothesis examples (default 2000)")
    parser.add_argument("--soak-seconds", type=int, default=600)
    parser.add_argument("--soak-rate", type=int, default=20, help="activities per second during the soak")
    parser.add_argument("--report", type=Path, default=None, help="JSON-lines figures file (default: temp)")
    args = parser.parse_args(argv)
    if args.auth_table:
        sys.path.insert(0, str(ROOT))
        from tests.reliability.test_auth_table import markdown_table

        print(markdown_table())
        return 0

    report = args.report or Path(tempfile.mkdtemp(prefix="reliability-")) / "figures.jsonl"
    report.unlink(missing_ok=True)
    env = dict(os.environ)
    env.update(
        PHOTOSYNC_RELIABILITY_FULL="1",
        PHOTOSYNC_RELIABILITY_REPORT=str(report),
        PHOTOSYNC_FUZZ_EXAMPLES=str(args.hypothesis),
        PHOTOSYNC_FAST_FUZZ_EXAMPLES=str(args.fuzz),
        PHOTOSYNC_SOAK_SECONDS=str(args.soak_seconds),
        PHOTOSYNC_SOAK_RATE=str(args.soak_rate),
    )
    env.setdefault("PHOTOSYNC_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/reliability"]
    started = time.monotonic()
    print(f"reliability run on {machine()}; figures -> {report}", flush=True)
    soak = subprocess.Popen([*pytest, "-k", "steady_load"], cwd=ROOT, env=env)
    rest = subprocess.Popen([*pytest, "-k", "not steady_load"], cwd=ROOT, env=env)
    codes = (rest.wait(), soak.wait())
    minutes = (time.monotonic() - started) / 60
    print(
        f"\n## Figures ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {machine()}, {minutes:.1f} min)"
    )
    for line in report.read_text().splitlines() if report.exists() else []:
        entry = json.loads(line)
        name = entry.pop("test").split("::", 1)[1]
        entry.pop("at", None)
        print(f"- {name}: {json.dumps(entry, ensure_ascii=False)[:1500]}")
    print(f"\npytest exit codes: rest={codes[0]} soak={codes[1]}")
    return 0 if codes == (0, 0) else 1


if __name__ == "__main__":
    raise SystemExit(main())
