"""Turn throughput/latency: PhotoSync vs the stock botbuilder CloudAdapter echo bot vs a bare aiohttp handler.

    python -m bench.turns [--seconds 10] [--concurrency 1,16]

Every server runs in its own process on 127.0.0.1 (bot under test, fast fake connector `bench.connector_proc`);
the loopback IdentityServer (tests/fakes) runs in a thread of this process, which is also the load generator
(asyncio + aiohttp, one pre-minted RS256 channel token per target). All targets are started and warmed up
first; then each concurrency level's `--seconds` per target is split into `--rounds` (3) slices, and every round
loads the three targets back to back, so a host that slows down for a while (this VM's speed moves ±10 % within
minutes) slows every target of that round alike; nothing runs beyond that bound. Prints msg/s, p50/p99,
errors, token requests and connector posts per turn, RSS under load, CPU time per turn of the server process
(utime + stime of all its threads: robust when the cores are shared), start→/readyz, and the ratios (msg/s
and CPU per turn).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

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


@dataclass
class Target:
    name: str
    proc: subprocess.Popen[bytes]
    url: str
    token: str
    log: Path
    log_file: BinaryIO
    ready_s: float
    idle_rss: float


async def start_target(
    name: str,
    module: str,
    extra: list[str],
    identity: IdentityServer,
    connector_url: str,
    ids: itertools.count[int],
) -> Target:
    """Spawn one server, time its start to /readyz, and warm it up (2 s at concurrency 1; up to 10 s while
    fewer than WARMUP // 10 turns succeeded on a busy machine)."""
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"bench-{name}-{port}.stderr"
    log_file = log.open("wb")
    proc = spawn(module, str(port), identity.url, *extra, stderr=log_file)
    target = Target(name, proc, f"http://127.0.0.1:{port}/api/messages", "", log, log_file, 0.0, 0.0)
    try:
        target.ready_s = wait_ready(f"http://127.0.0.1:{port}/readyz", proc)
        target.idle_rss = rss_mb(proc.pid)
        target.token = identity.mint(APP_ID, f"{connector_url}/")
        warm = Run(name, 1)
        for _ in range(5):
            await drive(target.url, target.token, f"{connector_url}/", 1, 2.0, ids, proc.pid, warm)
            if warm.ok >= WARMUP // 10:
                break
        if warm.ok < WARMUP // 10:
            raise RuntimeError(f"{name}: warm-up failed ({warm.ok} ok, {warm.errors} errors)")
    except BaseException:
        stop_target(target)
        raise
    return target


def stop_target(target: Target) -> None:
    stop(target.proc)
    target.log_file.close()
    if target.proc.returncode not in (0, -15):
        print(f"{target.name} exited {target.proc.returncode}; stderr in {target.log}")


async def measure(
    target: Target,
    identity: IdentityServer,
    admin: aiohttp.ClientSession,
    connector_url: str,
    concurrency: int,
    seconds: float,
    ids: itertools.count[int],
) -> Run:
    """One slice: `seconds` of load at `concurrency` on one target, with its token requests, connector posts,
    failed turns and CPU time counted around it."""
    run = Run(target.name, concurrency)
    tokens0 = identity.token_requests()
    posts0 = await _connector_count(admin, connector_url)
    failed0 = count_in(target.log, FAILED)
    cpu0 = cpu_seconds(target.proc.pid)
    await drive(
        target.url, target.token, f"{connector_url}/", concurrency, seconds, ids, target.proc.pid, run
    )
    run.cpu_s = cpu_seconds(target.proc.pid) - cpu0
    turns = max(run.ok + run.errors, 1)
    run.tokens_per_turn = (identity.token_requests() - tokens0) / turns
    run.posts_per_turn = (await _connector_count(admin, connector_url) - posts0) / turns
    run.failed = count_in(target.log, FAILED) - failed0
    return run


def pooled(runs: list[Run]) -> Run:
    """The slices of one (target, concurrency) as one run."""
    out = Run(runs[0].target, runs[0].concurrency)
    turns = 0
    for r in runs:
        n = r.ok + r.errors
        out.ok += r.ok
        out.errors += r.errors
        out.seconds += r.seconds
        out.latencies += r.latencies
        out.rss_max_mb = max(out.rss_max_mb, r.rss_max_mb)
        out.failed += r.failed
        out.cpu_s += r.cpu_s
        out.tokens_per_turn += r.tokens_per_turn * n
        out.posts_per_turn += r.posts_per_turn * n
        turns += n
    out.tokens_per_turn /= max(turns, 1)
    out.posts_per_turn /= max(turns, 1)
    return out


async def main_async(
    seconds: float, concurrencies: list[int], only: list[str] | None = None, rounds: int = 3
) -> None:
    ids = itertools.count(1)
    slices: dict[tuple[str, int], list[Run]] = {}
    footprint: dict[str, tuple[float, float]] = {}
    with IdentityServer() as identity, tempfile.TemporaryDirectory() as tmp:
        identity.register_app(APP_ID, secret=APP_SECRET)
        cport = free_port()
        connector = spawn("bench.connector_proc", str(cport))
        connector_url = f"http://127.0.0.1:{cport}"
        started: list[Target] = []
        try:
            wait_ready(f"{connector_url}/bench/count", connector)
            specs = [
                ("ours", "bench.ours_proc", [str(Path(tmp) / "bot.db")]),
                ("stock", "bench.stock_proc", []),
                ("bare", "bench.bare_proc", []),
            ]
            for name, module, extra in specs:
                if not only or name in only:
                    started.append(await start_target(name, module, extra, identity, connector_url, ids))
                    footprint[name] = (started[-1].ready_s, started[-1].idle_rss)
            async with aiohttp.ClientSession(trust_env=False) as admin:
                for c in concurrencies:
                    for r in range(rounds):
                        # every round loads each target in turn (its order rotated): a host that slows down
                        # for a while slows all targets of that round alike, and the per-round ratios show it
                        for target in started[r % len(started) :] + started[: r % len(started)]:
                            run = await measure(
                                target, identity, admin, connector_url, c, seconds / rounds, ids
                            )
                            slices.setdefault((target.name, c), []).append(run)
        finally:
            for target in started:
                stop_target(target)
            stop(connector)

    results = {t: [pooled(slices[(t, c)]) for c in concurrencies] for t in footprint}
    print(f"\n{seconds:g} s per cell in {rounds} interleaved rounds; concurrency {concurrencies}")
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
    print("\nratios (same run, all rounds pooled)")
    for i, c in enumerate(concurrencies):
        ours, stock, bare = (results[n][i] for n in ("ours", "stock", "bare"))
        print(
            f"c={c:<3} ours/stock msg/s = {ours.rate / stock.rate:6.2f}x   ours/bare msg/s = "
            f"{100 * ours.rate / bare.rate:5.1f}%   p50 ours/stock = {ours.pct(0.5) / stock.pct(0.5):.2f}"
        )
    print(
        "\nratios per round (each round loads the three targets back to back: drift of the host shows here)"
    )
    for c in concurrencies:
        per = list(zip(*(slices[(n, c)] for n in ("ours", "stock", "bare")), strict=True))
        vs_stock = [o.rate / s.rate for o, s, _ in per]
        vs_bare = [100 * o.rate / b.rate for o, _, b in per]
        print(
            f"c={c:<3} ours/stock "
            + " ".join(f"{x:6.2f}x" for x in vs_stock)
            + f"  (median {statistics.median(vs_stock):.2f}x)   ours/bare "
            + " ".join(f"{x:5.1f}%" for x in vs_bare)
            + f"  (median {statistics.median(vs_bare):.1f}%)"
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
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds each cell is split into")
    parser.add_argument(
        "--targets",
        default="ours,stock,bare",
        help="comma-separated subset (for profiling; ratios need all three)",
    )
    args = parser.parse_args()
    seconds = min(args.seconds, 30.0)
    concurrencies = [max(1, min(int(c), 256)) for c in args.concurrency.split(",")]
    asyncio.run(main_async(seconds, concurrencies, args.targets.split(","), max(1, min(args.rounds, 10))))


if __name__ == "__main__":
    main()
