"""Prometheus metrics for one bot process (a registry per app, no module-level collectors)."""

from __future__ import annotations

from collections.abc import Iterable

import httpx
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.turns = Counter(
            "photosync_turns",
            "Requests to /api/messages by activity type and HTTP status",
            ["activity_type", "status"],
            registry=self.registry,
        )
        self.turn_seconds = Histogram(
            "photosync_turn_seconds",
            "Time to handle one /api/messages request",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.outbound = Counter(
            "photosync_outbound_requests",
            "HTTP requests to Graph, SharePoint and the Bot Connector",
            ["service", "status"],
            registry=self.registry,
        )
        self.throttled = Counter(
            "photosync_outbound_throttled",
            "429 answers from Graph, SharePoint or the Bot Connector",
            ["service"],
            registry=self.registry,
        )
        self.sync_starts = Counter(
            "photosync_sync_starts",
            "Sync links opened: started (the browser went on to SharePoint) or link_gone (expired, invalid)",
            ["outcome"],
            registry=self.registry,
        )
        self._services: list[tuple[str, str]] = []
        # Labelled children, looked up once: `labels()` validates and locks on every call (hot path: see
        # docs/BENCHMARKS.md). Label values are bounded (activity kinds, HTTP statuses).
        self._children: dict[tuple[int, str, str], Counter] = {}

    def _child(self, counter: Counter, a: str, b: str) -> Counter:
        key = (id(counter), a, b)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = counter.labels(a, b)
        return child

    def turn(self, kind: str, status: int, seconds: float) -> None:
        """Count one /api/messages request and its duration."""
        self._child(self.turns, kind, str(status)).inc()
        self.turn_seconds.observe(seconds)

    def name_services(self, services: Iterable[tuple[str, str]]) -> None:
        """(URL prefix, service label) pairs used to label outbound requests."""
        pairs = [(prefix.rstrip("/"), label) for prefix, label in services if prefix]
        self._services = sorted(pairs, key=lambda pair: len(pair[0]), reverse=True)  # longest prefix wins

    def _service(self, url: str) -> str:
        for prefix, label in self._services:
            if url.startswith(prefix):
                return label
        return "connector"

    async def on_response(self, response: httpx.Response) -> None:
        """httpx response hook: count every outbound answer (labels stay low-cardinality)."""
        self.count(self._service(str(response.request.url)), response.status_code)

    def count(self, service: str, status: int) -> None:
        """Count one outbound answer (the connector's aiohttp session reports here directly)."""
        self._child(self.outbound, service, str(status)).inc()
        if status == 429:
            self.throttled.labels(service).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
