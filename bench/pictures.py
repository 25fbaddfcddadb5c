"""Photo comparison cost and accuracy (bot/pictures), in one process, no network.

    python -m bench.pictures

Prints:
  * the RSS delta of `import bot.pictures` (measured in a fresh child interpreter, Pillow included);
  * CPU per diagnosis: decode of the Microsoft 365 photo (96 px JPEG) + decode of SharePoint's picture
    (72 px JPEG) + compare, p50/p99 over 2,000 pairs (half same photo, half another photo);
  * verdict rates on a generated set (tests/pictures/dataset.py, fixed seed): 2,000 same, 2,000 different
    (1,400 other people + 600 old/new photos of one person), 300 placeholders, 100 missing pictures.
Bounded: ~30-50 s on a shared 2-core machine.
"""

from __future__ import annotations

import importlib
import time

from bench.common import import_rss_kb
from bot.demo.portraits import portrait
from tests.pictures.dataset import build_pairs, measure


def import_rss_delta_mb() -> tuple[float, float]:
    before, after = import_rss_kb("bot.pictures")
    return (after - before) / 1024, after / 1024


def cpu_per_diagnosis(pairs: int = 2000) -> list[float]:
    pictures = importlib.import_module("bot.pictures.compare")
    m365 = [portrait(seed, 0, 96) for seed in range(50)]
    sharepoint = [portrait(seed, 0, 72, quality=75) for seed in range(50)]
    times = []
    for i in range(pairs):
        a, b = m365[i % 50], sharepoint[i % 50 if i % 2 else (i + 1) % 50]
        start = time.process_time_ns()
        pictures.compare(pictures.decode(a), pictures.decode(b))
        times.append((time.process_time_ns() - start) / 1e3)
    return sorted(times)


def main() -> None:
    delta, total = import_rss_delta_mb()
    print(f"import bot.pictures: RSS +{delta:.1f} MB (interpreter + Pillow + bot.pictures = {total:.1f} MB)")
    times = cpu_per_diagnosis()
    p50, p99 = times[len(times) // 2], times[int(len(times) * 0.99)]
    print(
        f"decode 96 px + decode 72 px + compare: p50 {p50:.0f} µs, p99 {p99:.0f} µs CPU ({len(times)} pairs)"
    )
    start = time.perf_counter()
    per_kind = {"same": 2000, "other_person": 1400, "old_new": 600, "placeholder": 300, "none": 100}
    rates = measure(build_pairs(people=400, seed=7, per_kind=per_kind))
    print(f"generated set built and judged in {time.perf_counter() - start:.1f} s")
    for kind, verdicts in rates.verdicts.items():
        shown = ", ".join(f"{v.value} {n}" for v, n in verdicts.most_common())
        print(f"  {kind:<13} {rates.counts[kind]:>5} pairs: {shown}")
    different = rates.counts["other_person"] + rates.counts["old_new"]
    print(f"false SAME: {rates.false_same} of {different} different pairs")
    print(f"false not-SAME: {rates.false_different_rate:.2%} of {rates.counts['same']} same pairs")
    print(
        f"distance (SAME <= 1.0): same pairs max {max(rates.same_distances):.2f}, "
        f"different pairs min {min(rates.different_distances):.2f}"
    )


if __name__ == "__main__":
    main()
