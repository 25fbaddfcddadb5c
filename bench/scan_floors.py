"""Floors for `bench.scan --floor`: what the scan could reach at best, measured in the same run.

Three loads, each over the same users and photo slots as the scan, each lighter than the one before:

- `client_floor`: 4 loops posting the scan's `$batch` through the bot's own HTTP client (bot/graph/http.py),
  nothing else: no SharePoint read, no store, no retry logic.
- `raw_fake_floor`: the scan's whole HTTP shape with no client stack at all: 16 loops, each one `$batch` in a
  photo slot (given back when the answer's headers are in) then one SharePoint read, as raw HTTP/1.1 bytes on
  keep-alive asyncio streams. What any client can reach against this fake, doing what the scan does.
- `physical_floor`: 4 loops of minimal request/answer round trips against `bench.rtt_proc`, a server that
  answers after the same latency with no HTTP stack and no JSON. What two event loops on loopback allow on
  this machine: the part of the bound that no client and no server could recover.
"""

from __future__ import annotations

import asyncio
import json
import time

from bench.graph_proc import user_id
from bench.rtt_proc import content_length
from bot.graph.http import graph_http_client

AUTH = "Bearer bench"


def batch_body(n: int) -> dict[str, object]:
    uid = user_id(n)
    return {
        "requests": [
            {"id": "user", "method": "GET", "url": f"/users/{uid}"},
            {"id": "photo", "method": "GET", "url": f"/users/{uid}/photo"},
        ]
    }


async def client_floor(users: int, graph_url: str, slots: int) -> float:
    http = graph_http_client(timeout_s=10.0)
    numbers = iter(range(1, users + 1))

    async def loop() -> None:
        for n in numbers:
            response = await http.post(
                f"{graph_url}/v1.0/$batch", json=batch_body(n), headers={"Authorization": AUTH}
            )
            response.json()

    try:
        t0 = time.perf_counter()
        await asyncio.gather(*(loop() for _ in range(slots)))
        return time.perf_counter() - t0
    finally:
        await http.aclose()


async def _exchange(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    request: bytes,
    answered: asyncio.Semaphore | None = None,
) -> bytes:
    """One request on a keep-alive connection; `answered` is released when the answer's headers are in."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    if answered is not None:
        answered.release()
    return await reader.readexactly(content_length(head))


def _post(path: str, body: bytes) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {AUTH}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def _get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {AUTH}\r\n\r\n".encode()


async def raw_fake_floor(users: int, port: int, slots: int, workers: int = 16) -> float:
    numbers = iter(range(1, users + 1))
    gate = asyncio.Semaphore(slots)

    async def loop() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for n in numbers:
                body = json.dumps(batch_body(n)).encode()
                await gate.acquire()
                json.loads(await _exchange(reader, writer, _post("/v1.0/$batch", body), gate))
                sp = (
                    f"/sp/_api/SP.UserProfiles.PeopleManager/GetPropertiesFor(accountName=@v)"
                    f"?@v='i:0%23.f|membership|user{n}@bench.example'"
                )
                json.loads(await _exchange(reader, writer, _get(sp)))
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(workers)))
    return time.perf_counter() - t0


async def physical_floor(users: int, port: int, slots: int) -> float:
    numbers = iter(range(1, users + 1))
    request = _post("/", b"{}")

    async def loop() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for _ in numbers:
                await _exchange(reader, writer, request)
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(slots)))
    return time.perf_counter() - t0
