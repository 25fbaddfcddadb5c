"""Shared benchmark plumbing: free ports, child processes, readiness, RSS, the Teams activity."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
APP_ID = "9c1f1f0e-6a44-4e0b-9a43-6a1d6b1c2d3e"
APP_SECRET = "test-bot-secret-value"  # noqa: S105 - the loopback fake's test secret
TENANT_ID = "7a3c9b1e-2f4d-4e8a-9c6b-1d2e3f4a5b6c"
ADELE = "53d6c7d3-7bc7-4272-b9e3-4eb50bd7b23b"
MESSAGE = "why is my photo old?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def spawn(module: str, *args: str, stderr: Any = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_PROXY": "*", "no_proxy": "*"}
    return subprocess.Popen([sys.executable, "-m", module, *args], cwd=ROOT, env=env, stderr=stderr)


def count_in(path: Path, needle: str) -> int:
    """Occurrences of `needle` in a child's stderr log (failed turns the bot logged but answered 200)."""
    return path.read_text(errors="replace").count(needle) if path.exists() else 0


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> float:
    """Poll `url` every 5 ms until 200; return seconds since now (call right after spawn)."""
    start = time.perf_counter()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while time.perf_counter() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        try:
            with opener.open(url, timeout=1) as resp:
                if resp.status == 200:
                    return time.perf_counter() - start
        except OSError:
            pass
        time.sleep(0.005)
    raise TimeoutError(url)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def rss_mb(pid: int) -> float:
    try:
        import psutil  # type: ignore[import-not-found]

        return float(psutil.Process(pid).memory_info().rss) / 2**20
    except ImportError:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads (/proc/<pid>/stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def activity(n: int, service_url: str, user_id: str = ADELE, text: str = MESSAGE) -> dict[str, Any]:
    return {
        "type": "message",
        "id": f"act-{n}",
        "timestamp": datetime.now(UTC).isoformat(),
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": f"29:{user_id}", "name": "User", "aadObjectId": user_id},
        "recipient": {"id": f"28:{APP_ID}", "name": "PhotoSync"},
        "conversation": {
            "id": f"a:personal;{user_id}@thread.skype",
            "conversationType": "personal",
            "tenantId": TENANT_ID,
        },
        "channelData": {"tenant": {"id": TENANT_ID}},
        "text": text,
        "locale": "en-US",
    }


_RSS_KB = """
def rss_kb():
    with open('/proc/self/status') as f:
        return next(int(line.split()[1]) for line in f if line.startswith('VmRSS'))
"""


def import_rss_kb(module: str, preloaded: str = "") -> tuple[int, int]:
    """Resident memory (kB) of a fresh interpreter just before and just after `import module`; `preloaded`
    (comma-separated modules the bot loads anyway) is imported first, so it is not counted."""
    probe = _RSS_KB + (f"import {preloaded}\n" if preloaded else "")
    probe += f"before = rss_kb()\nimport {module}\nprint(before, rss_kb())\n"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return int(out[0]), int(out[1])
