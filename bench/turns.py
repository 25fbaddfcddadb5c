"""Turn throughput/latency: PhotoSync vs the stock botbuilder CloudAdapter echo bot vs a bare aiohttp handler.

    python -m bench.turns [--seconds 10] [--concurrency 1,16]

Every server runs in its own process on 127.0.0.1 (bot under test, fast fake connector `bench.connector_proc`);
the loopback IdentityServer (tests/fakes) runs in a thread of this process, which is also the load generator
(asyncio + aiohttp, one pre-minted RS256 channel token per target). Targets run one after another, each for
`--seconds` per concurrency level, after a warm-up; nothing runs beyond that bound. Prints msg/s, p50/p99,
errors, token requests and connector posts per turn, RSS under load, CPU time per turn of the server process
(utime + stime of all its threads: robust when the cores are shared), start→/readyz, and the ratios (msg/s
and CPU per turn).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bench.common import (
    APP_ID,
    APP_SECRET,
    activity,
    count_in,
    cpu_seconds,
    free_port,
    rss_mb,
    spawn,
    stop,
    wait_ready,
)
from tests.fakes.identity import IdentityServer

MAX_REQUESTS = 200_000  # hard cap per (target, concurrency) besides the time bound
WARMUP = 30
FAILED = "turn failed"  # PhotoSync's log line for a turn that raised (user got the error card)


@dataclass
class Run:
    target: str
    concurrency: int
    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    rss_max_mb: float = 0.0
    tokens_per_turn: float = 0.0
    posts_per_turn: float = 0.0
    failed: int = 0  # turns the bot logged as failed ("turn failed") though HTTP said 2xx
    cpu_s: float = 0.0  # CPU time (user + system, all threads) the server process used during the cell

    @property
    def cpu_ms_per_turn(self) -> float:
        return 1000 * self.cpu_s / self.ok if self.ok else float("nan")

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000


async def _connector_count(session: aiohttp.ClientSession, url: str) -> int:
    async with session.get(f"{url}/bench/count") as resp:
        return int((await resp.json())["count"])


async def drive(
    url: str,
    token: str,
    service_url: str,
    concurrency: int,
    seconds: float,
    ids: itertools.count[int],
    pid: int,
    run: Run,
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.perf_counter() + seconds
    sent = 0
    timeout = aiohttp.ClientTimeout(total=15)
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=concurrency), timeout=timeout, trust_env=False
    ) as session:

        async def worker() -> None:
            nonlocal sent
            while time.perf_counter() < deadline and sent < MAX_REQUESTS:
                sent += 1
                body = activity(next(ids), service_url)
                t0 = time.perf_counter()
                try:
                    async with session.post(url, json=body, headers=headers) as resp:
                        await resp.read()
                        good = 200 <= resp.status < 300
                except (TimeoutError, aiohttp.ClientError):
                    good = False
                if good:
                    run.ok += 1
                    run.latencies.append(time.perf_counter() - t0)
                else:
                    run.errors += 1

        async def sampler() -> None:
            while time.perf_counter() < deadline:
                run.rss_max_mb = max(run.rss_max_mb, rss_mb(pid))
                await asyncio.sleep(0.25)

        start = time.perf_counter()
        await asyncio.gather(sampler(), *(worker() for _ in range(concurrency)))
        run.seconds = time.perf_counter() - start


async def bench_target(
    name: str,
    module: str,
    extra: list[str],
    identity: IdentityServer,
    connector_url: str,
    concurrencies: list[int],
    seconds: float,
    ids: itertools.count[int],
) -> tuple[list[Run], float, float]:
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"bench-{name}-{port}.stderr"
    log_file = log.open("wb")
    proc = spawn(module, str(port), identity.url, *extra, stderr=log_file)
    try:
        ready_s = wait_ready(f"http://127.0.0.1:{port}/readyz", proc)
        idle_rss = rss_mb(proc.pid)
        url = f"http://127.0.0.1:{port}/api/messages"
        service_url = f"{connector_url}/"
        token = identity.mint(APP_ID, service_url)
        runs = []
        async with aiohttp.ClientSession(trust_env=False) as admin:
            warm = Run(name, 1)
            for _ in range(5):  # warm-up: 2 s, longer (≤ 10 s) while fewer than 3 turns succeeded (busy machine)
                await drive(url, token, service_url, 1, 2.0, ids, proc.pid, warm)
                if warm.ok >= WARMUP // 10:
                    break
            if warm.ok < WARMUP // 10:
                raise RuntimeError(f"{name}: warm-up failed ({warm.ok} ok, {warm.errors} errors)")
            for c in concurrencies:
                run = Run(name, c)
                tokens0 = identity.token_requests()
                posts0 = await _connector_count(admin, connector_url)
                failed0 = count_in(log, FAILED)
                cpu0 = cpu_seconds(proc.pid)
                await drive(url, token, service_url, c, seconds, ids, proc.pid, run)
                run.cpu_s = cpu_seconds(proc.pid) - cpu0
                turns = max(run.ok + run.errors, 1)
                run.tokens_per_turn = (identity.token_requests() - tokens0) / turns
                run.posts_per_turn = (await _connector_count(admin, connector_url) - posts0) / turns
                run.failed = count_in(log, FAILED) - failed0
                runs.append(run)
        return runs, ready_s, idle_rss
    finally:
        stop(proc)
        log_file.close()
        if proc.returncode not in (0, -15):
            print(f"{name} exited {proc.returncode}; stderr in {log}")


async def main_async(seconds: float, concurrencies: list[int], only: list[str] | None = None) -> None:
    ids = itertools.count(1)
    with IdentityServer() as identity, tempfile.TemporaryDirectory() as tmp:
        identity.register_app(APP_ID, secret=APP_SECRET)
        cport = free_port()
        connector = spawn("bench.connector_proc", str(cport))
        connector_url = f"http://127.0.0.1:{cport}"
        try:
            wait_ready(f"{connector_url}/bench/count", connector)
            targets = [
                ("ours", "bench.ours_proc", [str(Path(tmp) / "bot.db")]),
                ("stock", "bench.stock_proc", []),
                ("bare", "bench.bare_proc", []),
            ]
            targets = [t for t in targets if not only or t[0] in only]
            results: dict[str, list[Run]] = {}
            footprint: dict[str, tuple[float, float]] = {}
            for name, module, extra in targets:
                runs, ready_s, idle = await bench_target(
                    name, module, extra, identity, connector_url, concurrencies, seconds, ids
                )
                results[name] = runs
                footprint[name] = (ready_s, idle)
        finally:
            stop(connector)

    print(f"\n{seconds:g} s per cell; concurrency {concurrencies}")
    hdr = f"{'target':<6} {'c':>3} {'turns':>7} {'err':>4} {'msg/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
    print(hdr + f" {'failed':>6} {'tok/turn':>8} {'posts/turn':>10} {'RSS max MB':>10} {'CPU ms/turn':>11}")
    for name, runs in results.items():
        for r in runs:
            print(
                f"{name:<6} {r.concurrency:>3} {r.ok:>7} {r.errors:>4} {r.rate:>8.1f} {r.pct(0.5):>8.2f}"
                f" {r.pct(0.99):>8.2f} {r.failed:>6} {r.tokens_per_turn:>8.3f} {r.posts_per_turn:>10.2f} {r.rss_max_mb:>10.1f}"
                f" {r.cpu_ms_per_turn:>11.3f}"
            )
    if len(results) < 3:
        return  # a profiling run of some targets: no ratios
    print("\nratios (same run)")
    for i, c in enumerate(concurrencies):
        ours, stock, bare = (results[n][i] for n in ("ours", "stock", "bare"))
        print(
            f"c={c:<3} ours/stock msg/s = {ours.rate / stock.rate:6.2f}x   ours/bare msg/s = "
            f"{100 * ours.rate / bare.rate:5.1f}%   p50 ours/stock = {ours.pct(0.5) / stock.pct(0.5):.2f}"
        )
    print("\nper-turn CPU of the server process (robust when the cores are shared): capacity ratios")
    for i, c in enumerate(concurrencies):
        ours, stock, bare = (results[n][i] for n in ("ours", "stock", "bare"))
        print(
            f"c={c:<3} stock/ours CPU per turn = {stock.cpu_ms_per_turn / ours.cpu_ms_per_turn:6.2f}x   "
            f"bare/ours CPU per turn = {100 * bare.cpu_ms_per_turn / ours.cpu_ms_per_turn:5.1f}%   "
            f"(ours {ours.cpu_ms_per_turn:.3f} ms, stock {stock.cpu_ms_per_turn:.3f} ms, "
            f"bare {bare.cpu_ms_per_turn:.3f} ms)"
        )
    print("\nstart -> /readyz (process spawn incl. interpreter + imports) and idle RSS")
    for name, (ready_s, idle) in footprint.items():
        print(f"{name:<6} {ready_s:6.3f} s   idle RSS {idle:6.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.turns", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="load duration per cell (max 30)")
    parser.add_argument("--concurrency", default="1,16", help="comma-separated in-flight requests")
    parser.add_argument(
        "--targets", default="ours,stock,bare", help="comma-separated subset (for profiling; ratios need all three)"
    )
    args = parser.parse_args()
    seconds = min(args.seconds, 30.0)
    concurrencies = [max(1, min(int(c), 256)) for c in args.concurrency.split(",")]
    asyncio.run(main_async(seconds, concurrencies, args.targets.split(",")))


if __name__ == "__main__":
    main()
