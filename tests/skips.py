"""One line at the end of a test run: which suites were skipped and why (no PostgreSQL URL, no Chromium, no
root for `unshare -n`, no Node tools), so a newcomer knows what a green run did not cover."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any


def skip_reason(report: Any) -> str:
    """The reason a skipped test report gives (pytest keeps it as (file, line, "Skipped: reason"))."""
    longrepr = report.longrepr
    text = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    return str(text).removeprefix("Skipped: ").strip() or "no reason given"


def suite(nodeid: str) -> str:
    """tests/integration/test_x.py::test_y -> tests/integration"""
    parts = nodeid.split("::", 1)[0].split("/")
    return "/".join(parts[:2]) if len(parts) > 2 else parts[0]


def skip_summary(reports: Iterable[Any]) -> str | None:
    """`skipped N: reason (suites, count); …`, most frequent reason first; None when nothing was skipped."""
    by_reason: dict[str, Counter[str]] = defaultdict(Counter)
    for report in reports:
        by_reason[skip_reason(report)][suite(report.nodeid)] += 1
    if not by_reason:
        return None
    total = sum(sum(c.values()) for c in by_reason.values())
    ordered = sorted(by_reason.items(), key=lambda item: -sum(item[1].values()))
    parts = [
        f"{reason} ({', '.join(f'{name} {n}' for name, n in suites.most_common())})"
        for reason, suites in ordered
    ]
    return f"skipped {total}: " + "; ".join(parts)
