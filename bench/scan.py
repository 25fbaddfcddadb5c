"""Drift scan against the Graph photo limit: scan time vs the bound users x latency / photo slots.

    python -m bench.scan [--users 100000] [--latency-ms 10] [--limit 4]

The real `DriftScanner` (bot/services/scan.py) with the real `GraphClient`/`SharePointClient` (one pooled
httpx client, as bot/app.py builds it) and a real store (SQLite file in a temp dir, with the scan checkpoint
as the scheduled scan uses it) runs in this process. The fake Graph + SharePoint (`bench.graph_proc`) runs in
its own process: at most `--limit` photo requests in flight, 429 + Retry-After above that, `--latency-ms` per
photo request, user read and SharePoint read. Nothing else runs. Bounded by `--timeout` (default: 3 x bound
+ users / 5 + 60 s) and by `--users` (max 200,000).

Prints: scan time, the bound (users x latency / limit), efficiency = bound / time (goal >= 95 %), photo
requests, throttled (429) share (goal < 0.5 %), most photo requests ever in flight, and the scanner process's
CPU seconds per user (the other thing that can bound the scan).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import cpu_seconds, free_port, rss_mb, spawn, stop, wait_ready
from bench.graph_proc import user_id
from bench.scan_floors import client_floor, physical_floor, raw_fake_floor
from bot.graph import GraphClient, SharePointClient
from bot.graph.http import graph_http_client
from bot.graph.retry import RetryPolicy
from bot.graph.tokens import StaticTokenProvider
from bot.services.notify import DriftNotifier
from bot.services.scan import DriftScanner
from bot.store import Store
from bot.store.scan_checkpoint import ScanCheckpoint


def _stats(url: str) -> dict[str, int]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{url}/bench/stats", timeout=5) as resp:
        return dict(json.loads(resp.read()))


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def run_scan(
    users: int, graph_url: str, db: Path, timeout_s: float, keep_all: bool, pictures: bool = True
) -> tuple[float, Counter[str], int, float]:
    http = graph_http_client(timeout_s=10.0)  # as bot/app.py builds it (minus the metrics hook)
    store = Store.from_url(f"sqlite+aiosqlite:///{db}")
    await store.open()
    try:
        tokens = StaticTokenProvider("bench")
        policy = RetryPolicy(budget_s=10.0)  # PHOTOSYNC_GRAPH_TIMEOUT default
        scanner = DriftScanner(
            GraphClient(http, graph_url, tokens, policy),
            SharePointClient(http, f"{graph_url}/sp", tokens, policy),
            store,
            lambda: datetime.now(UTC),
            timedelta(hours=24),
            checkpoint=ScanCheckpoint(store.engine),
            compare_pictures=pictures,
        )
        ids = [user_id(n) for n in range(1, users + 1)]
        step = max(1, users // 10)
        t0 = time.perf_counter()
        peak_rss = 0.0

        def progress(done: int, total: int) -> None:
            nonlocal peak_rss
            if done % step == 0 or done == total:
                peak_rss = max(peak_rss, _self_rss())
                print(f"  {done:>7}/{total}  {time.perf_counter() - t0:7.1f} s", file=sys.stderr, flush=True)

        keep = None if keep_all else DriftNotifier.acts_on  # as the scheduled scan keeps them (replicas.py)
        report = await asyncio.wait_for(scanner.scan(ids, progress=progress, keep=keep), timeout_s)
        elapsed = time.perf_counter() - t0
        states = Counter({str(state): n for state, n in report.counts.items() if n})
        return elapsed, states, len(report.rows), peak_rss
    finally:
        await store.close()
        await http.aclose()


def _self_rss() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scan", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--latency-ms", type=float, default=10.0)
    parser.add_argument("--limit", type=int, default=4, help="photo requests in flight the fake allows")
    parser.add_argument(
        "--keep-all",
        action="store_true",
        help="keep every user's row in the report, as `python -m bot scan` does for its CSV/JSON",
    )
    parser.add_argument(
        "--no-pictures",
        action="store_true",
        help="skip the picture pass over the drift candidates (metadata only, as before pictures)",
    )
    parser.add_argument(
        "--floor-users",
        type=int,
        default=20_000,
        help="users per floor load (a rate: fewer than the scan's are enough; default 20,000)",
    )
    parser.add_argument(
        "--timeout", type=float, default=None, help="seconds (default 3 x bound + users/5 + 60)"
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also measure the floors (bench/scan_floors.py): the bot's HTTP client alone, the scan's "
        "requests as raw bytes, and bare round trips to a server with no HTTP stack",
    )
    args = parser.parse_args()
    users = max(1, min(args.users, 200_000))
    bound = users * args.latency_ms / 1000 / args.limit
    floor_users = max(1, min(users, args.floor_users))
    floor_bound = floor_users * args.latency_ms / 1000 / args.limit
    timeout_s = args.timeout or 3 * bound + users / 5 + 60  # a slow (CPU-bound) scanner still gets ~5 users/s

    port = free_port()
    fake = spawn("bench.graph_proc", str(port), f"{args.latency_ms:g}", str(args.limit), "1")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(f"{url}/bench/stats", fake)
        with tempfile.TemporaryDirectory() as tmp:
            cpu0, fake_cpu0 = _cpu_s(), cpu_seconds(fake.pid)
            elapsed, states, kept, peak_rss = asyncio.run(
                run_scan(users, url, Path(tmp) / "scan.db", timeout_s, args.keep_all, not args.no_pictures)
            )
            cpu, fake_cpu = _cpu_s() - cpu0, cpu_seconds(fake.pid) - fake_cpu0
        s = _stats(url)
        fake_rss = rss_mb(fake.pid)
        floors: dict[str, float] = {}
        if args.floor:
            floors["client"] = asyncio.run(client_floor(floor_users, url, args.limit))
            floors["raw"] = asyncio.run(raw_fake_floor(floor_users, port, args.limit))
    finally:
        stop(fake)
    if args.floor:
        rtt_port = free_port()
        rtt = spawn("bench.rtt_proc", str(rtt_port), f"{args.latency_ms:g}")
        try:
            wait_ready(f"http://127.0.0.1:{rtt_port}/", rtt)
            floors["physical"] = asyncio.run(physical_floor(floor_users, rtt_port, args.limit))
        finally:
            stop(rtt)

    photo = max(s["photo_requests"], 1)
    print(
        f"\n{users} users, fake Graph latency {args.latency_ms:g} ms, {args.limit} photo requests allowed in flight"
    )
    print(f"scan time          {elapsed:9.1f} s")
    print(f"bound              {bound:9.1f} s   (users x latency / {args.limit})")
    print(f"efficiency         {100 * bound / elapsed:9.1f} %   (bound / scan time; goal >= 95 %)")
    print(
        f"photo requests     {s['photo_requests']:9d}   ok {s['photo_ok']}, throttled (429) {s['throttled']} "
        f"= {100 * s['throttled'] / photo:.3f} % (goal < 0.5 %)"
    )
    print(
        f"max photo in flight{s['max_in_flight']:9d}   $batch requests {s['batches']}, SharePoint {s['sharepoint_requests']}"
    )
    print(
        f"scanner CPU        {cpu:9.1f} s   = {1000 * cpu / users:.2f} ms per user "
        f"(CPU-bound ceiling {users / cpu if cpu else float('inf'):.0f} users/s vs {args.limit / args.latency_ms * 1000:.0f} users/s allowed)"
    )
    print(
        f"fake Graph         {fake_cpu:9.1f} s CPU; a $batch took {s['batch_service_us'] / 1000 / max(s['batches'], 1):.2f} ms "
        f"from its handler's start to its answer (latency {args.latency_ms:g} ms)"
    )
    floor_what = {
        "client": f"{args.limit} loops posting the same $batch through the bot's HTTP client, nothing else",
        "raw": "the scan's $batch + SharePoint requests as raw bytes against the same fake, no client stack",
        "physical": f"{args.limit} loops of bare round trips to a server with no HTTP stack, same latency",
    }
    for name, took in floors.items():
        share = floor_bound / took  # each floor against the bound of its own user count
        print(
            f"{name + ' floor':<19}{took:9.1f} s   = {100 * share:5.1f} % of the bound ({floor_users} users); "
            f"the scan reaches {100 * bound / elapsed / share:5.1f} % of it  ({floor_what[name]})"
        )
    print(f"scanner RSS peak   {peak_rss:9.1f} MB   fake Graph RSS {fake_rss:.1f} MB")
    print(
        f"users by state     {dict(sorted(states.items()))}; rows kept in the report {kept} "
        f"({'all, --keep-all' if args.keep_all else 'those the notifier reads, as a scheduled scan keeps them'})"
    )


if __name__ == "__main__":
    main()
