"""Structured logging: one JSON object per line (or readable text in a terminal), never a secret."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from aiohttp.http_exceptions import HttpProcessingError

correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        cid = correlation_id.get()
        if cid:
            entry["correlation_id"] = cid
        entry.update(_extras(record))
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


_CONTROL = {c: f"\\x{c:02x}" for c in range(32)} | {10: "\\n", 13: "\\r", 9: "\\t", 127: "\\x7f"}


def one_line(text: object) -> str:
    """`text` with line breaks and other control characters escaped: one record is one line, whatever a user
    or the directory typed into it."""
    return str(text).translate(_CONTROL)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(f"{k}={one_line(v)}" for k, v in _extras(record).items())
        cid = correlation_id.get()
        line = f"{record.levelname:<7} {record.name}: {one_line(record.getMessage())}"
        if cid:
            line += f" [{one_line(cid)}]"
        if extras:
            line += f"  {extras}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class HttpParserErrorFilter(logging.Filter):
    """aiohttp logs a request it could not parse with the offending bytes (the first 100 of an oversized
    header line: an `Authorization` header's token). Keep the event, drop the bytes."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError):
            record.msg = f"{record.msg}: HTTP {exc.code} {type(exc).__name__} (request bytes not logged)"
            record.exc_info = None
            record.exc_text = None
        return True


_PARSER_FILTER = HttpParserErrorFilter()


def redact_server_errors() -> None:
    """Install the filter on aiohttp's server logger (idempotent)."""
    server_log = logging.getLogger("aiohttp.server")
    if _PARSER_FILTER not in server_log.filters:
        server_log.addFilter(_PARSER_FILTER)


def configure(level: str = "INFO", fmt: str = "auto") -> None:
    use_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if use_json else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    redact_server_errors()
    for noisy in ("httpx", "httpcore", "msal", "aiohttp.access", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
