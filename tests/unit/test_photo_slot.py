"""The drift scan's photo place (`retry.Slot`, `GraphClient.get_user_and_photo(slot=...)`): held while a request is
in flight or waits to be retried, given back once the final answer has arrived, on every way out. HTTP is
httpx.MockTransport (wire level, no network)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from bot.graph import GraphClient, GraphUnavailable, RetryPolicy, StaticTokenProvider
from bot.graph.retry import Slot, send

USER = {"id": "u1", "displayName": "U One", "userPrincipalName": "u1@x.example"}
PHOTO = {"@odata.mediaEtag": 'W/"e1"', "width": 96, "height": 96}


class Recorder:
    """A fake sleep that records whether the semaphore's only place was held while waiting."""

    def __init__(self, semaphore: asyncio.Semaphore) -> None:
        self.semaphore = semaphore
        self.held_while_sleeping: list[bool] = []

    async def sleep(self, seconds: float) -> None:
        self.held_while_sleeping.append(self.semaphore.locked())


def batch_answers(*rounds: dict[str, tuple[int, Any]]) -> httpx.MockTransport:
    queue = list(rounds)

    def handler(request: httpx.Request) -> httpx.Response:
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        items = json.loads(request.content)["requests"]
        responses = []
        for item in items:
            status, body = answer[item["id"]]
            headers = {"Retry-After": "0.01"} if status == 429 else {}
            responses.append({"id": item["id"], "status": status, "headers": headers, "body": body})
        return httpx.Response(200, json={"responses": responses})

    return httpx.MockTransport(handler)


async def test_send_gives_the_slot_back_once_answered_and_holds_it_to_retry() -> None:
    semaphore = asyncio.Semaphore(1)
    answers = iter([503, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        assert semaphore.locked()  # every attempt goes out holding the place
        return httpx.Response(next(answers), json={"ok": True})

    recorder = Recorder(semaphore)
    slot = Slot(semaphore)
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url="http://127.0.0.1") as http:
        response = await send(
            http,
            lambda: http.build_request("GET", "/x"),
            RetryPolicy(base_s=0.01),
            sleep=recorder.sleep,
            slot=slot,
        )
    assert response.status_code == 200 and response.json() == {"ok": True}  # body read
    assert recorder.held_while_sleeping == [True]
    assert not semaphore.locked()
    slot.give()  # idempotent
    assert not semaphore.locked()


async def test_get_user_and_photo_holds_the_slot_between_rounds_and_gives_it_back() -> None:
    semaphore = asyncio.Semaphore(1)
    recorder = Recorder(semaphore)
    transport = batch_answers({"user": (200, USER), "photo": (429, {})}, {"photo": (200, PHOTO)})
    async with httpx.AsyncClient(transport=transport) as http:
        graph = GraphClient(
            http, "http://127.0.0.1", StaticTokenProvider("t"), RetryPolicy(base_s=0.01), sleep=recorder.sleep
        )
        user, photo = await graph.get_user_and_photo("u1", slot=semaphore)
    assert user is not None and user.upn == "u1@x.example"
    assert photo is not None and photo.etag == 'W/"e1"'
    assert recorder.held_while_sleeping == [True]  # a throttled caller waits on its place, as before
    assert not semaphore.locked()


async def test_the_slot_is_given_back_on_errors_and_cancellation() -> None:
    semaphore = asyncio.Semaphore(1)
    transport = batch_answers({"user": (200, USER), "photo": (503, {})})
    async with httpx.AsyncClient(transport=transport) as http:
        graph = GraphClient(
            http, "http://127.0.0.1", StaticTokenProvider("t"), RetryPolicy(max_attempts=2, base_s=0.01)
        )
        with pytest.raises(GraphUnavailable):
            await graph.get_user_and_photo("u1", slot=semaphore)
        assert not semaphore.locked()

        waiting = asyncio.Event()

        async def stuck(seconds: float) -> None:
            waiting.set()
            await asyncio.Event().wait()

        graph = GraphClient(
            http, "http://127.0.0.1", StaticTokenProvider("t"), RetryPolicy(base_s=0.01), sleep=stuck
        )
        task = asyncio.create_task(graph.get_user_and_photo("u1", slot=semaphore))
        await waiting.wait()
        assert semaphore.locked()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert not semaphore.locked()


async def test_without_a_slot_nothing_changes() -> None:
    transport = batch_answers({"user": (200, USER), "photo": (404, {"error": {"code": "ImageNotFound"}})})
    async with httpx.AsyncClient(transport=transport) as http:
        graph = GraphClient(http, "http://127.0.0.1", StaticTokenProvider("t"), RetryPolicy())
        user, photo = await graph.get_user_and_photo("u1")
    assert user is not None and photo is None
