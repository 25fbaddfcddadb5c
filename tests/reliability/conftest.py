"""Reliability suite: bounded in CI; `python -m bench.reliability` runs the same tests at full size.

Sizes come from the environment so that CI and the full run share one code path:
PHOTOSYNC_FUZZ_EXAMPLES (hostile activities), PHOTOSYNC_SOAK_SECONDS, PHOTOSYNC_RELIABILITY_FULL=1 (real
lease expiry instead of a fast-forward), PHOTOSYNC_RELIABILITY_REPORT (a JSON-lines file the tests append
their figures to).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.conftest import connector, identity, world  # noqa: F401 - shared loopback fixtures

FULL = os.environ.get("PHOTOSYNC_RELIABILITY_FULL") == "1"


def size(name: str, ci: int) -> int:
    return int(os.environ.get(name) or ci)


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Callable[..., None]:
    """Record a test's measured figures (printed; appended to PHOTOSYNC_RELIABILITY_REPORT when set)."""

    def record(**values: Any) -> None:
        entry = {
            "test": request.node.nodeid,
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            **values,
        }
        print("FIGURES", json.dumps(entry, default=str))
        path = os.environ.get("PHOTOSYNC_RELIABILITY_REPORT")
        if path:
            with open(path, "a", encoding="utf-8") as out:
                out.write(json.dumps(entry, default=str) + "\n")

    return record
