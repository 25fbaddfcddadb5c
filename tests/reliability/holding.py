"""A fake Bot Connector that can hold `send` requests in flight, to SIGKILL a sender at a known point.

`HoldingConnector(pass_first=M)` answers the first M proactive sends normally, then holds every further send
(the request has reached the connector; no answer yet) until `release()`. A held request whose client died
meanwhile is answered 499 and is therefore *not* a delivery — unless `ack_orphans=True`, which models the
residual window of the outbox (bot/store/outbox.py): Teams accepted the activity, but the sender died before
it could record that. Everything else is `tests.fakes.connector.ConnectorServer`.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from aiohttp import web

from tests.fakes.connector import ConnectorServer


class HoldingConnector(ConnectorServer):
    def __init__(self, *, pass_first: int | None = None, ack_orphans: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pass_first = pass_first  # None: never hold
        self.ack_orphans = ack_orphans
        self._gate_lock = threading.Lock()
        self._sends = 0
        self._released = False
        self.held_keys: set[str] = set()  # notice text of requests held right now
        self.orphaned_keys: set[str] = set()  # held requests whose client went away
        self.orphans_acknowledged: list[str] = []

    def release(self) -> None:
        with self._gate_lock:
            self._released = True

    @property
    def held(self) -> int:
        with self._gate_lock:
            return len(self.held_keys)

    @property
    def orphaned(self) -> int:
        with self._gate_lock:
            return len(self.orphaned_keys)

    async def _answer(
        self, request: web.Request, route: str, ids: dict[str, str], body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        if route != "send" or self.pass_first is None:
            return await super()._answer(request, route, ids, body)
        key = str((body or {}).get("text", "")) if isinstance(body, dict) else ""
        with self._gate_lock:
            self._sends += 1
            hold = self._sends > self.pass_first and not self._released
            if hold:
                self.held_keys.add(key)
        if not hold:
            return await super()._answer(request, route, ids, body)
        while True:
            transport = request.transport
            with self._gate_lock:
                if transport is None or transport.is_closing():
                    self.orphaned_keys.add(key)
                if self._released:
                    self.held_keys.discard(key)
                    orphan = key in self.orphaned_keys
                    break
            await asyncio.sleep(0.02)
        if orphan and not self.ack_orphans:
            return 499, {"error": {"code": "ClientClosedRequest"}}, {}  # never delivered
        if orphan:
            with self._gate_lock:
                self.orphans_acknowledged.append(key)
        return await super()._answer(request, route, ids, body)
