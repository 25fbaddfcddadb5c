"""Scripted fault injection for the fake Graph/SharePoint server.

    state.faults.add(r"GET /v1.0/users/[^/]+/photo$", status=503, times=2, retry_after=1)
    state.faults.add(r"POST /v1.0/\\$batch", status=200, body=b"not json")   # malformed JSON
    state.faults.add(r"GET /sp/", reset=True)                                # connection reset
    state.faults.add(r"GET /v1.0/users/", status=None, delay_s=5)            # slow, then normal answer

Patterns are regular expressions searched (`re.search`) in 'METHOD /path' and, when the request has a
query, in 'METHOD /path?query' (decoded). `$batch` items are matched too, with their path made absolute
('/v1.0/users/x/photo'), so a fault can hit one item of a batch. Faults are consumed in the order they
were added: a request takes the first live fault that matches, and each fault fires `times` times
(None: forever).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(slots=True)
class Fault:
    pattern: re.Pattern[str]
    status: int | None = 503  # None: no error answer, only `delay_s` (then the normal handler runs)
    times: int | None = 1  # None: unlimited
    retry_after: float | None = None  # Retry-After header, seconds
    body: bytes | None = None  # raw body instead of the service's error JSON (e.g. b"not json")
    delay_s: float = 0.0  # wait before answering (or before resetting)
    reset: bool = False  # close the TCP connection abruptly (RST) instead of answering
    fired: int = 0

    @property
    def live(self) -> bool:
        return self.times is None or self.fired < self.times


@dataclass(slots=True)
class FaultInjector:
    """Ordered list of pending faults. All use happens on the server's event loop thread."""

    _faults: list[Fault] = field(default_factory=list)
    fired_total: int = 0

    def add(
        self,
        pattern: str,
        status: int | None = 503,
        times: int | None = 1,
        retry_after: float | None = None,
        body: bytes | None = None,
        delay_s: float = 0.0,
        reset: bool = False,
    ) -> Fault:
        if times is not None and times < 1:
            raise ValueError("times must be >= 1 or None")
        if status is None and not reset and not delay_s:
            raise ValueError("a fault needs a status, a delay or reset=True")
        fault = Fault(re.compile(pattern), status, times, retry_after, body, delay_s, reset)
        self._faults.append(fault)
        return fault

    def take(self, keys: tuple[str, ...]) -> Fault | None:
        """Consume the first live fault matching any of `keys` (see module doc)."""
        for fault in self._faults:
            if fault.live and any(fault.pattern.search(k) for k in keys):
                fault.fired += 1
                self.fired_total += 1
                return fault
        return None

    def pending(self) -> list[Fault]:
        return [f for f in self._faults if f.live]

    def clear(self) -> None:
        self._faults.clear()
