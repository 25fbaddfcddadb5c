"""The tests' fake Bot Connector (tests/fakes/connector.py) with Teams' rate limits enforced, in its own process.

`python -m bench.teams_connector_proc` prints its serviceUrl on stdout, then waits for a line on stdin; on
any line (or EOF) it prints one JSON report and exits: accepted activities, distinct ones (by conversation:
the benchmark sends one notice per conversation), duplicates, 429s it answered, limit violations (requests it had
to refuse, by scope), first/last accepted send (server clock) and the most sends accepted in any 1 s window.
Limits (ConnectorServer defaults, Teams' documented limits: docs/DOMAIN.md): per conversation 7/1 s, 8/2 s,
60/30 s, 1,800/h; per app 50/s.
"""

from __future__ import annotations

import json
import sys
from bisect import bisect_left
from collections import Counter

from tests.fakes.connector import ConnectorServer


def report(server: ConnectorServer) -> dict[str, object]:
    calls = server.calls()
    accepted = [c for c in calls if c.route in ("send", "reply") and 200 <= c.status < 300]
    texts = Counter(c.conversation_id for c in accepted)
    times = sorted(c.at for c in accepted)
    busiest = 0
    for i, t in enumerate(times):  # most accepted sends in any window [t - 1 s, t]
        busiest = max(busiest, i - bisect_left(times, t - 1.0) + 1)
    violations = Counter(v.scope for v in server.violations())
    return {
        "requests": len(calls),
        "accepted": len(accepted),
        "distinct": len(texts),
        "duplicates": sum(n - 1 for n in texts.values()),
        "status_429": sum(1 for c in calls if c.status == 429),
        "other_errors": sum(1 for c in calls if c.status >= 300 and c.status != 429),
        "violations": dict(violations),
        "first_at": times[0] if times else None,
        "last_at": times[-1] if times else None,
        "max_per_1s": busiest,
    }


def main() -> None:
    with ConnectorServer(enforce_rate_limits=True) as server:
        print(server.url, flush=True)
        sys.stdin.readline()
        print(json.dumps(report(server)), flush=True)


if __name__ == "__main__":
    main()
