"""A newcomer's first hour, tried as they would: real `python -m bot` processes on loopback.

Every start-up mistake is one line and a non-zero exit before anything says "listening"; the banner is a short
block; `migrate` explains itself and creates nothing by looking; every command has a version, its own name and
an example in its help.
"""

from __future__ import annotations

import csv
import json
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.procs import ROOT, BotProcess, bot_env, free_port

START_TIMEOUT_S = 60


def run_bot(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot …` in `tmp_path` with only these settings; stdout and stderr together."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=bot_env(PORT=env.pop("PORT", str(free_port())), **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=START_TIMEOUT_S,
        check=False,
    )


def one_line_failure(done: subprocess.CompletedProcess[str]) -> str:
    """The single line a failed start printed (asserting there is exactly one and nothing else)."""
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert done.returncode != 0, done.stdout
    assert len(lines) == 1, f"{len(lines)} lines:\n{done.stdout[-3000:]}"
    assert "Traceback" not in done.stdout
    assert "listening" not in done.stdout.lower()
    assert "Unclosed" not in done.stdout
    return lines[0]


@pytest.fixture
def port_in_use() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield int(taken.getsockname()[1])


@pytest.fixture
def without_asyncpg(tmp_path: Path) -> str:
    """A PYTHONPATH on which `import asyncpg` fails, as on an install without the `postgres` extra."""
    fake = tmp_path / "no-asyncpg" / "asyncpg"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ModuleNotFoundError(\"No module named 'asyncpg'\")\n")
    return f"{fake.parent}:{ROOT}"


# --- start-up failures -----------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("bogus://x", "unsupported database 'bogus'"),
        ("not a url", "not a database URL"),
        ("postgresql://postgres@127.0.0.1:1/test", "postgresql+asyncpg"),
        ("sqlite+aiosqlite:///{tmp}/missing/folder/bot.db", "does not exist"),
        ("sqlite+aiosqlite:///{tmp}", "is a folder"),
    ],
    ids=["unknown-dialect", "garbage", "sync-driver", "missing-folder", "folder-not-file"],
)
def test_a_bad_database_url_is_one_line(tmp_path: Path, url: str, says: str) -> None:
    line = one_line_failure(run_bot(tmp_path, PHOTOSYNC_DATABASE_URL=url.format(tmp=tmp_path)))
    assert line.startswith("invalid setting PHOTOSYNC_DATABASE_URL:"), line
    assert says in line


@pytest.mark.slow
def test_a_database_that_cannot_be_opened_is_one_line_naming_it_without_its_password(
    tmp_path: Path,
) -> None:
    # nothing listens on port 1: the driver's refusal, after the settings were fine
    url = "postgresql+asyncpg://photosync:s3cret-pw@127.0.0.1:1/photosync"
    line = one_line_failure(run_bot(tmp_path, PHOTOSYNC_DATABASE_URL=url))
    assert line.startswith(
        "PhotoSync cannot start: cannot open the database postgresql+asyncpg://photosync:***@"
    )
    assert "s3cret-pw" not in line


@pytest.mark.slow
def test_a_file_that_is_not_an_sqlite_database_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    db.write_bytes(b"this is not a database, just a file someone put here\n" * 100)
    line = one_line_failure(run_bot(tmp_path, PHOTOSYNC_DATABASE_URL=f"sqlite+aiosqlite:///{db}"))
    assert "cannot open the database" in line and "not a database" in line


@pytest.mark.slow
def test_a_port_in_use_is_one_line(tmp_path: Path, port_in_use: int) -> None:
    line = one_line_failure(run_bot(tmp_path, PORT=str(port_in_use)))
    assert f"127.0.0.1:{port_in_use}" in line and "in use" in line


@pytest.mark.slow
def test_an_address_this_machine_does_not_have_is_one_line(tmp_path: Path) -> None:
    # 192.0.2.1 (TEST-NET-1) is on no interface here: binding fails locally, nothing is sent
    line = one_line_failure(run_bot(tmp_path, PHOTOSYNC_HOST="192.0.2.1", PHOTOSYNC_ALLOW_ANONYMOUS="true"))
    assert "192.0.2.1" in line and "no such address" in line


@pytest.mark.slow
def test_a_missing_demo_tenant_file_is_one_line(tmp_path: Path) -> None:
    line = one_line_failure(run_bot(tmp_path, PHOTOSYNC_DEMO_TENANT=str(tmp_path / "nope.json")))
    assert "PHOTOSYNC_DEMO_TENANT" in line and "nope.json" in line


@pytest.mark.slow
def test_a_demo_tenant_file_that_is_not_a_tenant_is_one_line(tmp_path: Path) -> None:
    tenant = tmp_path / "tenant.json"
    tenant.write_text("{not json")
    line = one_line_failure(run_bot(tmp_path, PHOTOSYNC_DEMO_TENANT=str(tenant)))
    assert line.startswith("PhotoSync cannot start: PHOTOSYNC_DEMO_TENANT:"), line


@pytest.mark.slow
def test_a_postgresql_url_without_its_driver_names_the_package(tmp_path: Path, without_asyncpg: str) -> None:
    url = "postgresql+asyncpg://postgres@127.0.0.1:1/test"
    for args in ((), ("migrate",), ("migrate", "--status")):
        line = one_line_failure(
            run_bot(tmp_path, *args, PHOTOSYNC_DATABASE_URL=url, PYTHONPATH=without_asyncpg)
        )
        assert "asyncpg" in line and "photosync-bot[postgres]" in line, line


# --- the banner ------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_banner_is_a_short_block_and_every_setting_is_in_the_debug_log(tmp_path: Path) -> None:
    with BotProcess(tmp_path, env={"PHOTOSYNC_LOG_LEVEL": "DEBUG"}, name="banner-block") as bot:
        bot.start()
        assert bot.terminate() == 0
    records = [json.loads(line) for line in bot.output().splitlines() if line.startswith("{")]
    messages = [r["msg"] for r in records if r["logger"] == "bot"]
    first = next(i for i, m in enumerate(messages) if m.startswith("PhotoSync bot listening on"))
    block = [messages[first]]
    for message in messages[first + 1 :]:
        if not message.startswith("  "):
            break
        block.append(message)
    assert f"http://127.0.0.1:{bot.port}/api/messages" in block[0]
    text = "\n".join(block)
    assert "DEMO DATA" in text and "sqlite+aiosqlite" in text and "anonymous" in text
    assert len(text) < 600, text
    banner_records = [r for r in records if r["msg"] in block]
    assert all("settings" not in r for r in banner_records)  # no settings dump in the banner
    settings = next(r for r in records if r["msg"] == "settings")
    assert settings["level"] == "debug" and settings["settings"]["port"] == bot.port


# --- migrate ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_migrate_status_on_a_new_database_says_no_schema_yet_and_creates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    done = run_bot(tmp_path, "migrate", "--status", PHOTOSYNC_DATABASE_URL=f"sqlite+aiosqlite:///{db}")
    assert done.returncode == 1
    assert "no schema yet" in done.stdout and "nothing" not in done.stdout.replace("nothing created", "")
    assert not db.exists()


@pytest.mark.slow
def test_migrate_status_on_an_empty_database_says_no_schema_yet(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    db.touch()
    done = run_bot(tmp_path, "migrate", "--status", PHOTOSYNC_DATABASE_URL=f"sqlite+aiosqlite:///{db}")
    assert done.returncode == 1
    assert done.stdout.startswith("no schema yet"), done.stdout
    assert "database at nothing" not in done.stdout


@pytest.mark.slow
def test_migrate_to_an_unknown_revision_is_one_line_and_touches_nothing(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    url = f"sqlite+aiosqlite:///{db}"
    line = one_line_failure(run_bot(tmp_path, "migrate", "--revision", "bogus", PHOTOSYNC_DATABASE_URL=url))
    assert "bogus" in line and "head" in line
    assert not db.exists()


# --- command line basics ---------------------------------------------------------------------------------


def test_version_is_the_package_version() -> None:
    from importlib.metadata import version

    done = subprocess.run(
        [sys.executable, "-m", "bot", "--version"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == f"python -m bot {version('photosync-bot')}"


def test_the_installed_command_shows_its_own_name() -> None:
    command = Path(sys.executable).with_name("photosync-bot")
    if not command.exists():
        pytest.skip("photosync-bot is not installed beside this Python (pip install -e .)")
    done = subprocess.run([str(command), "--help"], capture_output=True, text=True, check=True)
    assert done.stdout.startswith("usage: photosync-bot")
    assert "python -m bot" not in done.stdout


@pytest.mark.parametrize("command", [(), ("serve",), ("scan",), ("migrate",), ("manifest",)])
def test_every_help_has_an_example(command: tuple[str, ...]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", *command, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "example" in done.stdout
    assert f"python -m bot {' '.join(command)}".strip() in done.stdout.split("example", 1)[1]


# --- python -m bot scan ----------------------------------------------------------------------------------

ADELE = "53d6c7d3-7bc7-4272-b9e3-4eb50bd7b23b"  # bot/demo/tenant.json
CLASS_NAME = re.compile(r"^[A-Z][a-z]+(?:[A-Z][a-z]+)+$")  # UserNotFound, SharePointUnavailable, ...


def run_scan(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "scan", *args],
        cwd=tmp_path,
        env=bot_env(PHOTOSYNC_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'scan.db'}"),
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT_S,
        check=False,
    )


def test_scan_help_says_what_the_scan_does() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "scan", "--help"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    text = " ".join(done.stdout.split())
    assert "NOT implemented" not in text
    assert "one notice per photo version" in text and "--dry-run" in text


@pytest.mark.slow
def test_log_lines_never_share_a_line_with_the_progress_bar(tmp_path: Path) -> None:
    # the demo's Nestor Wilke has a failing SharePoint: retries and a warning are logged mid-scan
    done = run_scan(tmp_path, "--dry-run")
    assert done.returncode == 0, done.stderr
    lines = done.stderr.split("\n")
    records = [line for line in lines if '{"ts"' in line]
    assert any("sharepoint read failed" in line for line in records)
    broken = [line for line in records if not line.startswith('{"ts"')]
    assert broken == [], broken[:3]
    assert any(line.startswith("scanning [") for line in lines)  # the bar is still there (\r read as \n)


@pytest.mark.slow
@pytest.mark.parametrize(
    "report", ["missing-folder/drift.csv", "a-folder.csv"], ids=["missing-folder", "folder"]
)
def test_an_unwritable_report_is_refused_before_the_scan(tmp_path: Path, report: str) -> None:
    (tmp_path / "a-folder.csv").mkdir()
    done = run_scan(tmp_path, "--dry-run", "--report", str(tmp_path / report))
    assert done.returncode == 2
    assert done.stderr.strip().startswith("--report:") and len(done.stderr.strip().splitlines()) == 1
    assert "drift scan" not in done.stdout
    assert not (tmp_path / "scan.db").exists()  # nothing opened, nothing scanned


@pytest.mark.slow
def test_users_not_found_are_named_in_the_summary_and_the_report(tmp_path: Path) -> None:
    users = tmp_path / "users.csv"
    users.write_text(f"userPrincipalName\n{ADELE}\nnobody@contoso.onmicrosoft.com\n", encoding="utf-8")
    report = tmp_path / "drift.json"
    done = run_scan(tmp_path, "--dry-run", "--no-progress", "--users", str(users), "--report", str(report))
    assert done.returncode == 0, done.stderr
    assert "not found in the directory (1): nobody@contoso.onmicrosoft.com" in done.stdout
    body = json.loads(report.read_text(encoding="utf-8"))
    assert body["not_found"] == ["nobody@contoso.onmicrosoft.com"]
    (row,) = [r for r in body["rows"] if r["user_id"] == "nobody@contoso.onmicrosoft.com"]
    assert row["detail"] == "user not found in the directory"


@pytest.mark.slow
def test_the_report_detail_column_is_words_not_class_names(tmp_path: Path) -> None:
    report = tmp_path / "drift.csv"
    done = run_scan(tmp_path, "--dry-run", "--no-progress", "--report", str(report))
    assert done.returncode == 0, done.stderr
    with report.open(encoding="utf-8") as fh:
        details = {row["user_id"]: row["detail"] for row in csv.DictReader(fh)}
    assert all(" " in d for d in details.values() if d), details
    assert not [d for d in details.values() if CLASS_NAME.match(d)]
    assert "SharePoint could not be read" in " ".join(details.values())  # Nestor Wilke's failing SharePoint
