"""Safe defaults of a real `python -m bot` process: what it refuses to start with, what it says when told to
run unsafely, slow clients that can't hold connections, and request bytes that never reach its log."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from pathlib import Path

import httpx
import pytest

from tests import conftest as suite

from .procs import BotProcess

GRAPH = {
    "PHOTOSYNC_TENANT_ID": "7a3c9b1e-2f4d-4e8a-9c6b-1d2e3f4a5b6c",
    "PHOTOSYNC_CLIENT_ID": "5b1f1f0e-6a44-4e0b-9a43-6a1d6b1c2d3e",
    "PHOTOSYNC_CLIENT_SECRET": "graph-secret-value-1",
    "PHOTOSYNC_SHAREPOINT_URL": "https://contoso.sharepoint.com",
}


@pytest.mark.slow
@pytest.mark.parametrize(
    "env",
    [GRAPH, {"PHOTOSYNC_HOST": "0.0.0.0"}],
    ids=["real-graph-without-registration", "demo-on-all-interfaces"],
)
def test_no_bot_registration_outside_the_loopback_demo_stops_start_up(
    tmp_path: Path, env: dict[str, str]
) -> None:
    bot = BotProcess(
        tmp_path, env={**env, "PHOTOSYNC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'b.db'}"}
    )
    try:
        bot.start(wait_ready=False)
        assert bot.wait(30) == 2
    finally:
        bot.stop()
    lines = [line for line in bot.output().splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("invalid settings: MicrosoftAppId is required")
    assert "PHOTOSYNC_ALLOW_ANONYMOUS" in lines[0]


@pytest.mark.slow
def test_the_anonymous_opt_out_is_loud(tmp_path: Path) -> None:
    env = {"PHOTOSYNC_HOST": "0.0.0.0", "PHOTOSYNC_ALLOW_ANONYMOUS": "true"}
    with BotProcess(tmp_path, env=env, name="loud") as bot:
        bot.start()
        ready = httpx.get(f"{bot.base}/readyz", trust_env=False, timeout=5).json()
        assert bot.terminate() == 0
    assert ready["inbound_auth"] == "anonymous"
    assert "anyone who reaches this port can act as any user" in ready["warning"]
    records = [json.loads(line) for line in bot.output().splitlines() if line.startswith("{")]
    warnings = [r for r in records if r["level"] == "warning" and "PHOTOSYNC_ALLOW_ANONYMOUS" in r["msg"]]
    assert warnings, [r["msg"] for r in records]


def _closed(sock: socket.socket) -> bool:
    try:
        return sock.recv(4096) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except BlockingIOError:
        return False


@pytest.mark.slow
def test_half_open_requests_are_closed_and_do_not_pile_up(tmp_path: Path) -> None:
    """Slowloris: 40 connections trickle header bytes and never finish; another 10 send headers and a part of
    the body. With PHOTOSYNC_REQUEST_READ_SECONDS=1 every one is answered or closed within seconds, and the
    bot keeps serving meanwhile."""
    with BotProcess(tmp_path, env={"PHOTOSYNC_REQUEST_READ_SECONDS": "1"}, name="slow") as bot:
        bot.start()
        trickling = [socket.create_connection(("127.0.0.1", bot.port), timeout=5) for _ in range(40)]
        for sock in trickling:
            sock.sendall(b"POST /api/messages HTTP/1.1\r\nHost: bot\r\n")
            sock.setblocking(False)
        partial_body = []
        for _ in range(10):
            sock = socket.create_connection(("127.0.0.1", bot.port), timeout=5)
            sock.sendall(
                b"POST /api/messages HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
                b'Content-Length: 5000\r\n\r\n{"type": '
            )
            partial_body.append(sock)
        deadline = time.monotonic() + 10  # hang guard: the limit is 1 s
        open_ = list(trickling)
        while open_ and time.monotonic() < deadline:
            assert httpx.get(f"{bot.base}/healthz", trust_env=False, timeout=5).status_code == 200
            for sock in list(open_):
                with contextlib.suppress(BrokenPipeError, ConnectionResetError, BlockingIOError):
                    sock.send(b"X-Slow: 1\r\n")
                if _closed(sock):
                    open_.remove(sock)
            time.sleep(0.2)
        assert not open_, f"{len(open_)} of 40 header-trickling connections still open after 10 s"
        for sock in partial_body:
            sock.settimeout(5)
            answer = sock.recv(4096)
            assert answer.startswith(b"HTTP/1.1 408"), answer[:80]
            sock.close()
        for sock in trickling:
            sock.close()
        assert bot.terminate() == 0


@pytest.mark.slow
def test_an_oversized_authorization_header_never_reaches_the_log(tmp_path: Path) -> None:
    token = "eyJoversizedtokenvalue" + "Q" * 9000
    suite.REGISTRY.string(token[:40])  # the suite-wide secrets check watches for it too
    with BotProcess(tmp_path, name="oversized") as bot:
        bot.start()
        response = httpx.post(
            f"{bot.base}/api/messages",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            content=b"{}",
            trust_env=False,
            timeout=5,
        )
        assert response.status_code == 400
        assert bot.terminate() == 0
    output = bot.output()
    assert "eyJoversized" not in output
    assert "LineTooLong (request bytes not logged)" in output
