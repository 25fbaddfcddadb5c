"""SIGTERM while a turn is in flight: the turn finishes (reply sent, 200), then the process exits 0."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fakes.connector import ConnectorServer

ROOT = Path(__file__).resolve().parents[2]
ADELE = "53d6c7d3-7bc7-4272-b9e3-4eb50bd7b23b"
TENANT_ID = "7a3c9b1e-2f4d-4e8a-9c6b-1d2e3f4a5b6c"  # the demo tenant: the organisation served


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def connector() -> Iterator[ConnectorServer]:
    with ConnectorServer() as server:
        yield server


def test_sigterm_lets_the_in_flight_turn_finish(tmp_path: Path, connector: ConnectorServer) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PHOTOSYNC_", "Microsoft"))}
    env.update(
        PORT=str(port),
        PHOTOSYNC_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        PHOTOSYNC_DEMO_LATENCY_MS="1500",  # the diagnosis takes >= 1.5 s: SIGTERM lands mid-turn
        PHOTOSYNC_LOG_FORMAT="json",
        PYTHONPATH=str(ROOT),
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120  # a hang guard, not a speed target
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=1, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("bot did not become ready")
        activity = {
            "type": "message",
            "id": "m1",
            "serviceUrl": connector.url,
            "channelId": "msteams",
            "from": {"id": "29:a", "aadObjectId": ADELE},
            "recipient": {"id": "28:bot"},
            "conversation": {"id": "a:personal", "conversationType": "personal", "tenantId": TENANT_ID},
            "text": "why is my photo old?",
            "locale": "en-US",
        }
        with httpx.Client(trust_env=False, timeout=30) as client:
            result: dict[str, int] = {}

            def post() -> None:
                result["status"] = client.post(f"{base}/api/messages", json=activity).status_code

            sender = threading.Thread(target=post)
            sender.start()
            time.sleep(0.5)  # the turn is now waiting on the (slow) demo Graph
            proc.send_signal(signal.SIGTERM)
            sender.join(timeout=30)
        assert result.get("status") == 200
        assert proc.wait(timeout=30) == 0
        replies = connector.activities()
        assert len(replies) == 1
        assert replies[0].activity["attachments"][0]["content"]["body"][0]["id"] == "diagnosis"  # type: ignore[index]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        output = ""
        if proc.stdout is not None:
            output = proc.stdout.read().decode()
            proc.stdout.close()
    assert "Traceback" not in output
