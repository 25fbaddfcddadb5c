"""Suite-wide secrets check: no secret, token or photo byte may appear in any log output of the test session.

Every log record of the session (root logger, INFO and up, plus whatever a test lowers the level to) is kept
as the text a formatter would write (message, extras, exception), and so is the output of every bot
subprocess registered through `tests.reliability.procs.register_output`. The fakes report what they know:
every JWT the IdentityServer mints (channel tokens, msal access tokens), every client secret it registers,
every certificate private key made for tests, and every demo photo the demo Graph server generates. At the end
of the session the two are matched; a hit fails the session with the place it leaked (never the secret).

`tests/reliability/test_secrets.py` proves the check catches a planted leak (it cannot pass vacuously).
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import tests.hypothesis_profile  # noqa: F401 - deadline-free hypothesis for the whole session

_RUN = re.compile(r"[A-Za-z0-9_\-]{43,}")  # base64url runs: where a JWT signature would show up
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


@dataclass
class SecretRegistry:
    """What the fakes know is secret. Thread-safe: fakes run on their own threads."""

    signatures: set[str] = field(default_factory=set)  # JWT signature segments
    strings: set[str] = field(default_factory=set)  # client secrets, private key material
    photos: set[bytes] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def token(self, token: Any) -> None:
        if isinstance(token, str) and token.count(".") == 2:
            signature = token.rsplit(".", 1)[1]
            if len(signature) >= 43:
                with self.lock:
                    self.signatures.add(signature)

    def string(self, value: Any) -> None:
        if isinstance(value, str) and len(value) >= 8:
            with self.lock:
                self.strings.add(value)

    def photo(self, data: Any) -> None:
        if isinstance(data, bytes) and len(data) >= 64:
            with self.lock:
                self.photos.add(data)

    def needles(self) -> list[tuple[str, str]]:
        """(kind, substring) pairs to search for, besides the signatures."""
        out: list[tuple[str, str]] = [("secret", s) for s in self.strings]
        for data in self.photos:
            out.append(("photo bytes (base64)", base64.b64encode(data[:48]).decode()))
            out.append(("photo bytes (repr)", repr(data[:32])[2:-1]))
            out.append(("photo bytes (hex)", data[:32].hex()))
        return out


class CapturedLogs(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            extras = {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}
            text = f"{record.name} {record.getMessage()} {json.dumps(extras, default=str)}"
            if record.exc_info and record.exc_info[1] is not None:
                text += " " + logging.Formatter().formatException(record.exc_info)
            self.texts.append(text)
        except Exception:  # a record that cannot even be formatted: keep what we can
            self.texts.append(f"{record.name} {record.msg!r}")


def find_leaks(texts: list[tuple[str, str]], registry: SecretRegistry) -> list[str]:
    """Leaks as 'where: kind' lines; `texts` are (where, text) pairs."""
    leaks: list[str] = []
    needles = registry.needles()
    prefixes = {s[:43]: s for s in registry.signatures}
    for where, text in texts:
        for run in _RUN.findall(text):
            if run in registry.signatures or run[:43] in prefixes:
                leaks.append(f"{where}: a JWT signature")
                break
        for kind, needle in needles:
            if needle and needle in text:
                leaks.append(f"{where}: {kind}")
    return leaks


REGISTRY = SecretRegistry()
LOGS = CapturedLogs()


def _record_results(owner: Any, name: str, register: Any) -> None:
    original = getattr(owner, name)
    if getattr(original, "_secret_wrapped", False):
        return

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        register(result, args, kwargs)
        return result

    wrapper._secret_wrapped = True  # type: ignore[attr-defined]
    setattr(owner, name, wrapper)


def _install() -> None:
    from bot.demo import jpeg, renditions
    from tests.fakes import identity

    _record_results(identity.IdentityServer, "mint", lambda r, a, k: REGISTRY.token(r))
    _record_results(identity.IdentityServer, "mint_attack", lambda r, a, k: REGISTRY.token(r))
    _record_results(identity.IdentityServer, "issue_access_token", lambda r, a, k: REGISTRY.token(r))
    _record_results(identity.IdentityServer, "mint_user_token", lambda r, a, k: REGISTRY.token(r))
    _record_results(identity.IdentityServer, "register_app", lambda r, a, k: REGISTRY.string(k.get("secret")))
    _record_results(
        identity, "make_certificate", lambda r, a, k: REGISTRY.string(r.private_key_pem.splitlines()[2])
    )
    _record_results(jpeg, "flat_jpeg", lambda r, a, k: REGISTRY.photo(r))
    _record_results(renditions, "encode_jpeg", lambda r, a, k: REGISTRY.photo(r))
    from tests.integration import conftest as integration

    REGISTRY.string(integration.APP_SECRET)


def pytest_configure(config: pytest.Config) -> None:
    _install()
    root = logging.getLogger()
    root.addHandler(LOGS)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)  # the bot's production default: what an operator's logs would hold


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """The last line of a run: what was skipped and why (tests/skips.py)."""
    from tests.skips import skip_summary

    line = skip_summary(terminalreporter.stats.get("skipped", []))
    if line:
        terminalreporter.write_line(line, yellow=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    logging.getLogger().removeHandler(LOGS)
    texts = [(f"log record #{i}", t) for i, t in enumerate(LOGS.texts)]
    from tests.reliability.procs import SUBPROCESS_OUTPUTS

    for path in SUBPROCESS_OUTPUTS:
        if Path(path).exists():
            texts.append((f"bot subprocess output {Path(path).name}", Path(path).read_text(errors="replace")))
    leaks = find_leaks(texts, REGISTRY)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    summary = (
        f"secrets check: {len(LOGS.texts)} log records + {len(SUBPROCESS_OUTPUTS)} bot process outputs vs "
        f"{len(REGISTRY.signatures)} tokens, {len(REGISTRY.strings)} secrets, {len(REGISTRY.photos)} photos: "
        f"{len(leaks)} leaks"
    )
    if reporter is not None:
        reporter.write_line(summary)
        for leak in sorted(set(leaks))[:20]:
            reporter.write_line(f"  LEAK {leak}", red=True)
    if leaks and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
