"""`scripts/playground`, run as a newcomer runs it: one command starts the bot and the Agents Playground in
one loopback-only namespace and prints the URL to open; that URL, opened from this machine (outside the
namespace), serves the Playground, and a question sent through it is answered by the bot."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest

from tests.e2e.driver import REPO, card_kind
from tests.e2e.tools import playground_unavailable, require_or_skip
from tests.reliability.procs import bot_env, free_port

SCRIPT = REPO / "scripts" / "playground"
ADELE_CHAT = "a:photosync-personal-chat-adele"  # .m365agentsplayground.yml
START_TIMEOUT_S = 120.0
ANSWER_TIMEOUT_S = 30.0


@pytest.fixture
def playground() -> Iterator[str]:
    """The script running; yields the URL it printed."""
    require_or_skip(playground_unavailable(), "scripts/playground")
    port = free_port()
    env = bot_env(PLAYGROUND_PORT=str(port), PORT=str(free_port()))
    proc = subprocess.Popen(
        [str(SCRIPT)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        url = _printed_url(proc)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # what Ctrl+C does: the script's trap stops the namespace too
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def _printed_url(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT_S
    seen = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break  # the script ended
        seen.append(line)
        if line.startswith("Open http://127.0.0.1:"):
            return line.split()[1]
    pytest.fail(f"scripts/playground printed no URL:\n{''.join(seen)}", pytrace=False)


async def _ask(url: str, text: str) -> dict[str, Any]:
    """Send `text` as Adele through the Playground's test API; the bot's first card comes back on the stream."""
    stream = f"{url}/_ws_conversation/v1/conversations/stream"
    async with aiohttp.ClientSession(trust_env=False) as http, http.ws_connect(stream) as ws:
        body = {"from": {"id": "29:adele-vance"}, "text": text, "textFormat": "plain"}
        async with http.post(f"{url}/_conversation/v1/conversations/{ADELE_CHAT}/messages", json=body) as r:
            assert r.status < 300, await r.text()
        async with asyncio.timeout(ANSWER_TIMEOUT_S):
            async for msg in ws:
                item = msg.json() if msg.type == aiohttp.WSMsgType.TEXT else {}
                message = item.get("message") if isinstance(item, dict) else None
                if item.get("action") == "createMessage" and isinstance(message, dict) and card_kind(message):
                    return message
    raise AssertionError("no card from the bot")


@pytest.mark.slow
def test_one_command_starts_bot_and_playground_and_the_printed_url_works(playground: str) -> None:
    import httpx

    page = httpx.get(playground, timeout=10, trust_env=False)
    assert page.status_code == 200 and "Agents Playground" in page.text
    answer = asyncio.run(_ask(playground, "why is my photo old?"))
    assert card_kind(answer) == "diagnosis"
