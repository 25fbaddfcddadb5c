"""A real `python -m bot` process on loopback for crash, shutdown and soak tests.

The process runs in demo mode with anonymous inbound auth (the only mode a separate process can run offline:
with a bot registration it would ask the real Entra login for outbound tokens). Its stderr goes to a file
that the suite-wide secrets check (tests/conftest.py) reads at session end.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
DEMO_TENANT_ID = "7a3c9b1e-2f4d-4e8a-9c6b-1d2e3f4a5b6c"  # bot/demo/tenant.json: the organisation served


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bot_env(**overrides: str) -> dict[str, str]:
    """The caller's environment without any bot setting, plus `overrides` (never a real Microsoft URL)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PHOTOSYNC_", "Microsoft", "MICROSOFT"))}
    env.update(PYTHONPATH=str(ROOT), PHOTOSYNC_LOG_FORMAT="json", PYTHONUNBUFFERED="1")
    env.update(overrides)
    return env


class BotProcess:
    """`python -m bot [args]` with its output in `log_path`; `start()` waits for /readyz when serving."""

    def __init__(
        self,
        workdir: Path,
        *,
        env: Mapping[str, str] | None = None,
        args: tuple[str, ...] = (),
        name: str = "bot",
    ) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.args = args
        self.env = bot_env(PORT=str(self.port), **dict(env or {}))
        self.log_path = workdir / f"{name}-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        register_output(self.log_path)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, *, wait_ready: bool = True, timeout: float = 120) -> BotProcess:
        self.log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", *self.args],
            cwd=self.workdir,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        if wait_ready:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"bot exited with {self.proc.returncode}:\n{self.output()[-3000:]}")
            try:
                if httpx.get(f"{self.base}/readyz", timeout=1, trust_env=False).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"bot not ready within {timeout}s:\n{self.output()[-3000:]}")

    def kill(self) -> int:
        """SIGKILL (no clean-up of any kind) and reap."""
        return self._signal(signal.SIGKILL)

    def terminate(self, timeout: float = 30) -> int:
        return self._signal(signal.SIGTERM, timeout)

    def _signal(self, sig: int, timeout: float = 30) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(timeout)
        self.log.close()
        return code

    def wait(self, timeout: float) -> int:
        assert self.proc is not None
        code = self.proc.wait(timeout)
        self.log.close()
        return code

    def stop(self) -> None:
        """Clean-up for `finally:` blocks: SIGKILL if still running."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if hasattr(self, "log") and not self.log.closed:
            self.log.close()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    # ------------------------------------------------------------------ resources (Linux /proc)
    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def fd_count(self) -> int:
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def __enter__(self) -> BotProcess:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


# Output files of every bot subprocess this session started: tests/conftest.py checks them for secrets.
SUBPROCESS_OUTPUTS: list[Path] = []


def register_output(path: Path) -> None:
    SUBPROCESS_OUTPUTS.append(path)


def activity(
    service_url: str,
    user_id: str,
    text: str | None = "why is my photo old?",
    *,
    n: int = 1,
    conversation_id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "message",
        "id": f"m{n}",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": f"29:{user_id}", "aadObjectId": user_id},
        "recipient": {"id": "28:bot"},
        "conversation": {
            "id": conversation_id or f"a:personal;{user_id}",
            "conversationType": "personal",
            "tenantId": DEMO_TENANT_ID,
        },
        "channelData": {"tenant": {"id": DEMO_TENANT_ID}},
        "locale": "en-US",
    }
    if text is not None:
        body["text"] = text
    body.update(extra)
    return body
