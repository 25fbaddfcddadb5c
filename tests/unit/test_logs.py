"""Text-format logs: one record is one line, whatever a user or the directory typed into it."""

from __future__ import annotations

import logging

from bot.logs import TextFormatter


def test_a_record_with_line_breaks_stays_one_line() -> None:
    record = logging.LogRecord(
        "bot", logging.WARNING, __file__, 1, "asked about %s", ("Megan\nINFO fake: ok",), None
    )
    record.query = "x\r\ny\x1b[31m"
    line = TextFormatter().format(record)
    assert "\n" not in line and "\r" not in line and "\x1b" not in line
    assert "Megan\\nINFO fake: ok" in line and "query=x\\r\\ny\\x1b[31m" in line
