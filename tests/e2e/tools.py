"""What both end-to-end suites need before they can run: node, the Playground and a loopback-only namespace."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.e2e.driver import CLI


def playground_unavailable() -> str | None:
    """Why the Playground can't run here, or None."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not CLI.is_file():
        return f"npm @microsoft/m365agentsplayground is not installed ({CLI}); run npm ci in tests/js"
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return "unshare/ip not found (needed for a loopback-only network namespace)"
    probe = subprocess.run(
        ["unshare", "-n", "sh", "-c", "ip link set lo up"], capture_output=True, text=True, timeout=10
    )
    if probe.returncode != 0:
        return f"cannot create a network namespace (unshare -n): {probe.stderr.strip() or probe.returncode}"
    return None


def require_or_skip(reason: str | None, what: str) -> None:
    """Skip with the reason locally; fail in CI (PHOTOSYNC_REQUIRE_E2E=1), where a missing tool is a defect."""
    if reason is None:
        return
    if os.environ.get("PHOTOSYNC_REQUIRE_E2E") == "1":
        pytest.fail(f"{what} required (PHOTOSYNC_REQUIRE_E2E=1) but unavailable: {reason}")
    pytest.skip(f"{what} unavailable: {reason}")


def run_in_netns(inner: str, timeout: float, cwd: object) -> subprocess.CompletedProcess[str]:
    """`unshare -n sh -c inner` in its own process group; on timeout the whole group is killed (bot, Playground,
    browser), so nothing outlives the test, and the partial output is returned with returncode -9."""
    import signal

    proc = subprocess.Popen(
        ["unshare", "-n", "sh", "-c", inner],
        cwd=cwd,  # type: ignore[arg-type]
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
    finally:
        if proc.poll() is None:  # pragma: no cover - interrupted
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
