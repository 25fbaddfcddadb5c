"""`python -m bot`: serve the bot (default), `manifest` (Teams app package), `scan` (drift scan) or `migrate`
(database schema)."""

from __future__ import annotations

import argparse
import logging
import sys

from aiohttp import web

from bot import logs
from bot.settings import load_settings

log = logging.getLogger("bot")


def serve() -> None:
    settings = load_settings()
    logs.configure(settings.log_level, settings.log_format.value)
    from bot.app import auth_report, create_app, freeze_after_startup

    mode = "DEMO DATA (built-in demo tenant, no Microsoft account)" if settings.demo else "Microsoft Graph"
    auth = auth_report(settings)
    log.info(
        f"PhotoSync bot on http://{settings.host}:{settings.port}/api/messages — {mode}; "
        f"inbound auth: {auth['inbound_auth']}",
        extra={"settings": settings.redacted()},
    )
    if "warning" in auth:
        log.warning(
            f"INSECURE: {auth['warning']} (unset PHOTOSYNC_ALLOW_ANONYMOUS for anything but debugging)"
        )
    web.run_app(
        freeze_after_startup(create_app(settings)),
        host=settings.host,
        port=settings.port,
        access_log=None,
        print=None,
        shutdown_timeout=15.0,
        keepalive_timeout=settings.request_read_s,  # also bounds how long a request's headers may take
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot", description="PhotoSync Teams bot")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the bot (default)")
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
