"""`python -m bot`: serve the bot (default), `manifest` (Teams app package), `scan` (drift scan) or `migrate`
(database schema)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from importlib.metadata import PackageNotFoundError, version
from typing import NoReturn

from aiohttp import web

from bot import logs
from bot.settings import Settings, load_settings
from bot.startup import StartupError, banner, bind_listener

log = logging.getLogger("bot")
EXAMPLES = """examples:
  %(prog)s                                  run the bot (demo tenant + SQLite without settings)
  %(prog)s scan --dry-run --report drift.csv
  %(prog)s migrate --status
  %(prog)s manifest --app-id <bot app id> --bot-domain bot.contoso.com --out photosync.zip"""


def serve() -> None:
    settings = load_settings()
    logs.configure(settings.log_level, settings.log_format.value)
    from bot.app import create_app, freeze_after_startup

    try:
        listener = bind_listener(settings.host, settings.port)
    except StartupError as exc:
        stop_start_up(exc)
    app = freeze_after_startup(create_app(settings))
    app.on_startup.append(lambda app: announce(settings))  # after the runtime is up: the banner means ready
    try:
        web.run_app(
            app,
            sock=listener,
            access_log=None,
            print=None,
            shutdown_timeout=15.0,
            keepalive_timeout=settings.request_read_s,  # also bounds how long a request's headers may take
        )
    except StartupError as exc:
        stop_start_up(exc)


def stop_start_up(exc: StartupError) -> NoReturn:
    """A start-up failure is one line on stderr and exit status 1 (an invalid setting exits 2)."""
    print(f"PhotoSync cannot start: {exc}", file=sys.stderr)
    raise SystemExit(1)


async def announce(settings: Settings) -> None:
    """The start-up banner: a short block (what runs where, on which data, auth); every setting (redacted) is
    in the debug log."""
    from bot.app import auth_report
    from bot.redact import redact_url

    auth = auth_report(settings)
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    data = (
        "DEMO DATA (built-in demo tenant, no Microsoft account)"
        if settings.demo
        else f"Microsoft Graph, tenant {settings.tenant_id}"
    )
    for line in banner(
        url=f"http://{host}:{settings.port}",
        demo=settings.demo,
        data=data,
        database=redact_url(settings.database_url),
        auth=auth["inbound_auth"],
    ):
        log.info(line)
    log.debug("settings", extra={"settings": settings.redacted()})
    if "warning" in auth:
        log.warning(
            f"INSECURE: {auth['warning']} (unset PHOTOSYNC_ALLOW_ANONYMOUS for anything but debugging)"
        )


def program_name(argv0: str) -> str:
    """How the user started us, for help and usage lines: `photosync-bot` or `python -m bot`."""
    name = os.path.basename(argv0)
    return "python -m bot" if name in ("__main__.py", "") else name


def package_version() -> str:
    try:
        return version("photosync-bot")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown (not installed)"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog=program_name(sys.argv[0]),
        description="PhotoSync Teams bot: explains and fixes stale profile photos. "
        "Without a command it serves the bot (demo tenant + SQLite when nothing is configured).",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser(
        "serve",
        help="run the bot (default)",
        description="Serve the bot on PHOTOSYNC_HOST:PORT (settings: docs/SETTINGS.md).",
        epilog="example:\n  PORT=3979 %(prog)s",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    try:
        from bot.manifest import add_manifest_subcommand, run_manifest_command
    except ImportError:  # pragma: no cover - manifest module optional during development
        add_manifest_subcommand = run_manifest_command = None  # type: ignore[assignment]
    if add_manifest_subcommand is not None:
        add_manifest_subcommand(sub)
    from bot.scan_cli import add_scan_subcommand, run_scan_command

    add_scan_subcommand(sub)
    from bot.migrate_cli import add_migrate_subcommand, run_migrate_command

    add_migrate_subcommand(sub)
    args = parser.parse_args(argv)
    if args.command in (None, "serve"):
        serve()
    elif args.command == "manifest" and run_manifest_command is not None:
        sys.exit(run_manifest_command(args))
    elif args.command == "scan":
        sys.exit(run_scan_command(args))
    elif args.command == "migrate":
        sys.exit(run_migrate_command(args))


if __name__ == "__main__":
    main()
