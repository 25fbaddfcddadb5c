"""End-to-end driver: PhotoSync bot + Microsoft 365 Agents Playground, driven by the Playground's test API.

Run it ONLY inside a loopback-only network namespace (the Playground phones home), from the repo root:

    unshare -n sh -c 'ip link set lo up; exec .venv/bin/python -m tests.e2e.driver --out result.json'

It starts the bot (`python -m bot`, demo tenant, tmp SQLite, anonymous auth) and the Playground (reading
`.m365agentsplayground.yml`), runs the scenarios one after another and writes a JSON report: per scenario the
request sent, the Playground's HTTP answer, the bot messages that arrived on the conversation WebSocket and
the Playground's raw traffic log. It never asserts: tests/e2e/test_playground.py does. Both child processes
are always killed; every wait is bounded (whole run well under 60 s).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

REPO = Path(__file__).resolve().parents[2]
CONFIG_PATH = REPO / ".m365agentsplayground.yml"
PKG_DIR = REPO / "tests" / "js" / "node_modules" / "@microsoft" / "m365agentsplayground"
CLI = PKG_DIR / "cli.js"
TELEMETRY_CONFIG = PKG_DIR / "dist" / "server" / "config.json"

# Demo tenant (bot/demo/tenant.json): display name, aadObjectId, expected card kind (body[0].id).
DEMO_USERS: list[tuple[str, str, str]] = [
    ("Adele Vance", "53d6c7d3-7bc7-4272-b9e3-4eb50bd7b23b", "diagnosis"),  # stale
    ("Alex Wilber", "005cb079-6306-45e8-9d30-96624b1bdd63", "diagnosis"),  # pending
    ("Megan Bowen", "23b90566-9297-4355-b479-c6e30e87b1f2", "diagnosis"),  # in sync
    ("Lee Gu", "10d477f1-5081-456a-a79f-752efb5453d5", "diagnosis"),  # no photo
    ("Isaiah Langer", "2e2d50d5-d303-48e0-a2e4-b2b1f354953c", "diagnosis"),  # on premises
    ("Johanna Lorenz", "963c75d3-0f41-453b-96af-3c7c703a96fa", "diagnosis"),  # profile importing
    ("Diego Siciliani", "61d3d9f0-9e5e-40d0-a7c0-6417b073717c", "diagnosis"),  # sync disabled
    ("Nestor Wilke", "ede3cab1-3da3-4a9e-b29b-52579e39f952", "error"),  # SharePoint failing
    ("Lynne Robbins", "eda2fc04-204e-43bf-9ee6-bad796071651", "diagnosis"),  # change time unknown
    ("Patti Fernandez", "de567967-bfef-48e7-bcdc-95bab6a08f07", "diagnosis"),  # stale
]

# The demo tenant's helpdesk member; not one of the Playground's 5 configured users, so her messages are
# custom activities with `from` overridden.
HELPDESK = {
    "id": "29:patti_fernandez",
    "name": "Patti Fernandez",
    "aadObjectId": "de567967-bfef-48e7-bcdc-95bab6a08f07",
}
HELPDESK_TARGET = ("Megan Bowen", "23b90566-9297-4355-b479-c6e30e87b1f2")

# Hang guards, generous for a busy 2-core machine; waiting for an expected message ends as soon as it arrives.
RUN_DEADLINE_S = 240.0
STARTUP_TIMEOUT_S = 60.0
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=30)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def slug(name: str) -> str:
    return name.lower().replace(" ", "_")


def card_kind(message: dict[str, Any]) -> str | None:
    for att in message.get("attachments") or []:
        content = att.get("content") if isinstance(att, dict) else None
        if isinstance(content, dict) and content.get("body"):
            first = content["body"][0]
            if isinstance(first, dict):
                return first.get("id")
    return None


def summarize(item: Any) -> Any:
    """One line of the Playground's raw traffic log: who sent what to whom, and the answer's status."""
    log = item.get("log") if isinstance(item, dict) else None
    if not isinstance(log, dict):
        return item
    body = (log.get("request") or {}).get("body")
    body = body if isinstance(body, dict) else {}
    response = log.get("response") if isinstance(log.get("response"), dict) else {}
    return {
        "direction": f"{log.get('from')} -> {log.get('to')}",
        "activity": {
            k: body.get(k)
            for k in (
                "type",
                "name",
                "from",
                "conversation",
                "locale",
                "text",
                "replyToId",
                "entities",
                "value",
            )
            if body.get(k) is not None
        },
        "card_kinds": [card_kind({"attachments": [a]}) for a in body.get("attachments") or []],
        "response_status": response.get("statusCode"),
        "response_body": response.get("body"),
    }


class Run:
    def __init__(self, session: aiohttp.ClientSession, base: str, config: dict[str, Any]) -> None:
        self.session = session
        self.base = base
        self.config = config
        self.inbox: list[dict[str, Any]] = []  # bot output from the conversation stream
        self.log: list[Any] = []  # raw traffic log stream
        self.new_message = asyncio.Event()
        self.scenarios: dict[str, dict[str, Any]] = {}

    # --- WebSocket readers ---
    async def read_ws(self, path: str, sink: list[Any], notify: bool) -> None:
        async with self.session.ws_connect(self.base + path, heartbeat=None) as ws:
            async for msg in ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    continue
                try:
                    item = json.loads(msg.data)
                except ValueError:
                    item = {"raw": msg.data[:2000]}
                if isinstance(item, dict):
                    item["_received"] = time.monotonic()
                sink.append(item)
                if notify:
                    self.new_message.set()

    # --- HTTP ---
    async def call(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        async with self.session.request(method, self.base + path, json=body) as r:
            text = await r.text()
            try:
                parsed: Any = json.loads(text) if text else None
            except ValueError:
                parsed = text
            return {"status": r.status, "body": parsed}

    async def wait_messages(self, start: int, expect: int, timeout: float, settle: float = 0.4) -> None:
        """Wait until `expect` bot messages arrived after index `start` (or timeout), then a short settle."""
        deadline = time.monotonic() + timeout
        while len(self.inbox) - start < expect and time.monotonic() < deadline:
            self.new_message.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.new_message.wait(), max(0.01, deadline - time.monotonic()))
        await asyncio.sleep(settle)

    async def scenario(
        self, name: str, action: Any, expect: int = 1, timeout: float = 20.0
    ) -> dict[str, Any]:
        start, log_start, t0 = len(self.inbox), len(self.log), time.monotonic()
        record: dict[str, Any] = {"name": name, "error": None}
        self.scenarios[name] = record
        try:
            request, http = await action()
            record["request"], record["http"] = request, http
            if http["status"] >= 300:
                record["error"] = f"Playground answered HTTP {http['status']}: {http['body']}"
            await self.wait_messages(start, expect, timeout)
        except Exception as exc:  # a scenario failure must not stop the others
            record["error"] = f"{type(exc).__name__}: {exc}"
        received = []
        for item in self.inbox[start:]:
            item = {k: v for k, v in item.items() if k != "_received"}
            message = item.get("message") or {}
            item["kind"] = card_kind(message)
            item["text"] = (
                message.get("content", {}).get("text")
                if isinstance(message.get("content"), dict)
                else message.get("text")
            )
            received.append(item)
        record["messages"] = received
        record["traffic"] = [summarize(item) for item in self.log[log_start:]]
        record["elapsed_ms"] = round((time.monotonic() - t0) * 1000)
        return record

    # --- Playground API wrappers ---
    def send(self, conv: str, user_id: str, text: str, mention_bot: bool = False) -> Any:
        async def action() -> tuple[dict[str, Any], dict[str, Any]]:
            body: dict[str, Any] = {"from": {"id": user_id}, "text": text, "textFormat": "plain"}
            if mention_bot:
                bot = self.config["bot"]
                at = f"<at>{bot['name']}</at>"
                body["text"] = f"{at} {text}"
                body["mentions"] = [{"mentioned": {"id": bot["id"]}, "text": at}]
            path = f"/_conversation/v1/conversations/{conv}/messages"
            return {"path": path, "body": body}, await self.call("POST", path, body)

        return action

    def custom_message(
        self,
        conv: str,
        text: str,
        *,
        locale: str,
        user: dict[str, Any] | None = None,
        mention_bot: bool = False,
    ) -> Any:
        """A message activity built from the Playground's own template, with the fields the message API
        fixes (locale en-US, sender = a configured user) overridden. Sent verbatim to the bot. With
        `mention_bot`, the text starts with `<at>PhotoSync</at>` and a mention entity names the bot, as
        Teams sends an @mention in a channel or group chat."""

        async def action() -> tuple[dict[str, Any], dict[str, Any]]:
            tmpl = await self.call("GET", f"/_internal/v1/customActivities/template?conversationId={conv}")
            if tmpl["status"] != 200 or not isinstance(tmpl["body"], dict):
                return {"template": tmpl}, tmpl
            activity = dict(tmpl["body"])
            activity.update(type="message", text=text, textFormat="plain", locale=locale)
            activity["entities"] = [{"type": "clientInfo", "locale": locale, "country": locale[-2:]}]
            if mention_bot:
                bot = self.config["bot"]
                at = f"<at>{bot['name']}</at>"
                activity["text"] = f"{at} {text}"
                activity["entities"].insert(
                    0, {"type": "mention", "mentioned": {"id": bot["id"], "name": bot["name"]}, "text": at}
                )
            if user is not None:
                activity["from"] = user
            path = "/_internal/v1/customActivities"
            return {"path": path, "body": activity}, await self.call("POST", path, activity)

        return action


async def wait_http(session: aiohttp.ClientSession, url: str, procs: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    last: str = ""
    while time.monotonic() < deadline:
        for p in procs:
            if p.poll() is not None:
                raise RuntimeError(f"{p.args[:3]} exited with {p.returncode} while waiting for {url}")
        try:
            async with session.get(url, timeout=aiohttp.ClientTimeout(total=1)) as r:
                if r.status == 200:
                    return
                last = f"HTTP {r.status}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            last = type(exc).__name__
        await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} not ready after {STARTUP_TIMEOUT_S} s ({last})")


async def scenarios(run: Run) -> None:
    cfg = run.config
    personal = cfg["personalChat"]["id"]
    group = cfg["groupChats"][0]["id"]
    general = cfg["teams"][0]["id"]  # the General channel's conversation id is the team id
    me = cfg["currentUser"]

    async def install() -> tuple[dict[str, Any], dict[str, Any]]:
        path = f"/_debug/conversation/{personal}/installation"
        return {"path": path}, await run.call("POST", path)

    # expect=2 so an extra message (e.g. an error card besides the welcome card) is caught too.
    await run.scenario("install", install, expect=2)
    await run.scenario("why_en", run.send(personal, me["id"], "why is my photo old?"))
    await run.scenario("why_nl", run.custom_message(personal, "waarom is mijn foto oud?", locale="nl-NL"))
    # The message API always sends locale en-US (Playground 0.2.28): what a Dutch message gets that way.
    await run.scenario("why_nl_message_api", run.send(personal, me["id"], "waarom is mijn foto oud?"))

    diagnosis = next(
        (m["message"] for m in run.scenarios["why_en"]["messages"] if m["kind"] == "diagnosis"), None
    )

    async def legacy_resync() -> tuple[dict[str, Any], dict[str, Any]]:
        """A click on "Re-sync my photo" of a card sent before the sync link existed."""
        if diagnosis is None:
            raise RuntimeError("no diagnosis card from why_en to click")
        body = {
            "name": "adaptiveCard/action",
            "conversation": {"id": personal},
            "from": {"id": me["id"]},
            "replyToId": diagnosis["messageId"],
            "value": {
                "action": {
                    "type": "Action.Execute",
                    "verb": "resyncPhoto",
                    "data": {"action": "resyncPhoto", "userId": me["aadObjectId"]},
                }
            },
        }
        return {"path": "/_conversation/v1/invoke", "body": body}, await run.call(
            "POST", "/_conversation/v1/invoke", body
        )

    # An Action.Execute answer normally comes back as the invoke response; expect=0 only settles, so an
    # updateMessage/createMessage on the stream, if any, is recorded too.
    record = await run.scenario("legacy_resync", legacy_resync, expect=0, timeout=1.0)
    record["clicked_message_id"] = diagnosis["messageId"] if diagnosis else None

    # Playground 0.2.28's message API checks `from.id` but always sends the activity as the current user
    # (Adele), and its config holds only 5 other users: every other demo user's message is therefore a
    # custom activity (the Playground's own template, `from` set to that user), in the personal chat.
    for name, oid, _expected in DEMO_USERS:
        if oid == me["aadObjectId"]:
            action = run.send(personal, me["id"], "why is my photo old?")
            via = "message API, personal chat"
        else:
            sender = {"id": f"29:{slug(name)}", "name": name, "aadObjectId": oid}
            action = run.custom_message(personal, "why is my photo old?", locale="en-US", user=sender)
            via = "custom activity, personal chat"
        record = await run.scenario(f"user_{slug(name)}", action)
        record.update(user=name, aadObjectId=oid, via=via)

    await run.scenario("group_mention", run.send(group, me["id"], "why is my photo old?", mention_bot=True))
    record = await run.scenario(
        "channel_mention", run.send(general, me["id"], "why is my photo old?", mention_bot=True)
    )
    body = (record.get("http") or {}).get("body")
    record["thread_conversation_id"] = body.get("postConversationId") if isinstance(body, dict) else None

    await helpdesk_scenarios(run)


async def helpdesk_scenarios(run: Run) -> None:
    """Helpdesk staff (Patti) @mention the bot about another user (Megan) in a channel thread and a group
    chat; a non-helpdesk user (Adele) asking the same, or clicking "Send Megan a sync link", is refused."""
    cfg = run.config
    group = cfg["groupChats"][0]["id"]
    general = cfg["teams"][0]["id"]
    me = cfg["currentUser"]
    target_name, target_oid = HELPDESK_TARGET

    async def patti_in_a_thread() -> tuple[dict[str, Any], dict[str, Any]]:
        # A custom activity can only go to a conversation the Playground knows, so the thread is opened
        # first: Adele posts in General WITHOUT mentioning the bot (the bot must stay silent; a reply would
        # show up as an extra message in this scenario), then Patti @mentions the bot in that thread.
        opener_path = f"/_conversation/v1/conversations/{general}/messages"
        opener_body = {
            "from": {"id": me["id"]},
            "text": "Megan's photo is still the old one",
            "textFormat": "plain",
        }
        opener = await run.call("POST", opener_path, opener_body)
        thread = opener["body"].get("postConversationId") if isinstance(opener["body"], dict) else None
        if opener["status"] >= 300 or not thread:
            return {"path": opener_path, "body": opener_body}, opener
        request, http = await run.custom_message(
            thread, f"check {target_name}", locale="en-US", user=HELPDESK, mention_bot=True
        )()
        request.update(thread_conversation_id=thread, thread_opener={"body": opener_body, "http": opener})
        return request, http

    await run.scenario("helpdesk_channel", patti_in_a_thread)
    await run.scenario(
        "helpdesk_group",
        run.custom_message(
            group, "why is Megan's photo old?", locale="en-US", user=HELPDESK, mention_bot=True
        ),
    )
    await run.scenario(
        "helpdesk_refused_channel", run.send(general, me["id"], f"check {target_name}", mention_bot=True)
    )

    clicked = next(
        (m for m in run.scenarios["helpdesk_channel"]["messages"] if m["kind"] == "diagnosis"), None
    )
    card = (((clicked or {}).get("message") or {}).get("attachments") or [{}])[0].get("content") or {}
    offered = [a for a in iter_actions(card) if a.get("verb") == "sendSyncLink"]

    def click(sender_id: str) -> Any:
        async def action() -> tuple[dict[str, Any], dict[str, Any]]:
            if clicked is None:
                raise RuntimeError("no diagnosis card from helpdesk_channel to click")
            # The button's own data if the card offers one; Megan is in sync in the demo tenant, so her
            # card has none and the click is built from the documented contract (cards/__init__.py).
            data = offered[0].get("data") if offered else {"action": "sendSyncLink", "userId": target_oid}
            body = {
                "name": "adaptiveCard/action",
                "conversation": {"id": clicked["actionConversationId"]},
                "from": {"id": sender_id},
                "replyToId": clicked["message"]["messageId"],
                "value": {"action": {"type": "Action.Execute", "verb": "sendSyncLink", "data": data}},
            }
            path = "/_conversation/v1/invoke"
            return {"path": path, "body": body}, await run.call("POST", path, body)

        return action

    # Playground 0.2.28's invoke API sends `from` as given, but only for one of its 6 configured users
    # (tenantManager.getUser): a click as Patti is rejected by the Playground itself. Recorded as
    # `playground_rejected` (not an error) so a Playground that allows it is noticed.
    record = await run.scenario("helpdesk_send_link_as_patti", click(HELPDESK["id"]), expect=0, timeout=0.5)
    record["playground_rejected"], record["error"] = record["error"], None
    # What the Playground does allow: Adele (not helpdesk) clicking "Send Megan a sync link" on the
    # helpdesk's card, i.e. a forged click by a non-helpdesk user.
    record = await run.scenario("helpdesk_send_link_forged_by_adele", click(me["id"]), expect=0, timeout=1.0)
    record.update(
        clicked_message_id=clicked["message"]["messageId"] if clicked else None, button_offered=bool(offered)
    )


def iter_actions(node: Any) -> Any:
    """Every object with a `type` starting "Action." anywhere in an Adaptive Card."""
    if isinstance(node, dict):
        if str(node.get("type", "")).startswith("Action."):
            yield node
        for value in node.values():
            yield from iter_actions(value)
    elif isinstance(node, list):
        for value in node:
            yield from iter_actions(value)


def tail(path: Path, n: int = 6000) -> str:
    try:
        return path.read_text(errors="replace")[-n:]
    except OSError:
        return ""


def stop(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


async def main_async(out: Path) -> int:
    result: dict[str, Any] = {"ok": False, "errors": [], "scenarios": {}}
    tmp = Path(tempfile.mkdtemp(prefix="photosync-e2e-"))
    bot_log, pg_log = tmp / "bot.log", tmp / "playground.log"
    bot = playground = None
    t0 = time.monotonic()
    try:
        if not CLI.is_file():
            raise RuntimeError(f"Playground package missing: {CLI}")
        # Belt and braces against telemetry (we also have no network here).
        TELEMETRY_CONFIG.write_text('{"aiKey": ""}\n')
        bot_port, pg_port = free_port(), free_port()
        result["ports"] = {"bot": bot_port, "playground": pg_port}

        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("PHOTOSYNC_", "Microsoft", "MICROSOFT"))
        }
        bot_env = {
            **env,
            "PORT": str(bot_port),
            "PHOTOSYNC_HOST": "127.0.0.1",
            "PHOTOSYNC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/bot.db",
            "PHOTOSYNC_LOG_FORMAT": "text",
            "MicrosoftAppId": "",
            "MicrosoftAppPassword": "",
        }
        with bot_log.open("wb") as blog, pg_log.open("wb") as plog:
            bot = subprocess.Popen(
                [sys.executable, "-m", "bot"],
                cwd=REPO,
                env=bot_env,
                stdout=blog,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            playground = subprocess.Popen(
                [
                    "node",
                    str(CLI),
                    "-e",
                    f"http://127.0.0.1:{bot_port}/api/messages",
                    "-c",
                    "msteams",
                    "-p",
                    str(pg_port),
                    "--disable-telemetry",
                ],
                # cwd is the tmp dir: the Playground writes ./devTools/*.log relative to it; the config
                # path and the log file are given explicitly so nothing lands in the repo.
                cwd=tmp,
                env={
                    **env,
                    "TEAMSAPPTESTER_BROWSER": "none",
                    "M365_AGENTS_PLAYGROUND_CONFIG_PATH": str(CONFIG_PATH),
                    "M365_AGENTS_PLAYGROUND_LOGFILE": str(tmp / "playground-traffic.log"),
                },
                stdout=plog,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        base = f"http://127.0.0.1:{pg_port}"
        async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT, trust_env=False) as session:
            await wait_http(session, f"{base}/_debug/ping", [bot, playground])
            await wait_http(session, f"http://127.0.0.1:{bot_port}/readyz", [bot, playground])
            # The ids come from the Playground itself (it parsed .m365agentsplayground.yml).
            run = Run(session, base, {})
            test_config = await run.call("GET", "/_internal/v1/testConfig")
            result["testConfig"] = test_config
            if test_config["status"] != 200:
                raise RuntimeError(f"testConfig: HTTP {test_config['status']}")
            run.config = test_config["body"]["config"]
            readers = [
                asyncio.create_task(
                    run.read_ws("/_ws_conversation/v1/conversations/stream", run.inbox, True)
                ),
                asyncio.create_task(run.read_ws("/_ws/log/stream", run.log, False)),
            ]
            await asyncio.sleep(0.2)  # let both sockets connect
            try:
                await asyncio.wait_for(scenarios(run), RUN_DEADLINE_S - (time.monotonic() - t0))
            except TimeoutError:
                result["errors"].append("run deadline exceeded")
            finally:
                result["scenarios"] = run.scenarios
                for task in readers:
                    task.cancel()
                for task in readers:
                    with contextlib.suppress(asyncio.CancelledError, aiohttp.ClientError):
                        await task
                    if not task.cancelled() and task.exception() is not None:
                        result["errors"].append(f"websocket reader: {task.exception()!r}")
        result["ok"] = not result["errors"]
    except Exception as exc:
        result["errors"].append(f"{type(exc).__name__}: {exc}")
    finally:
        stop(playground)
        stop(bot)
        result["elapsed_s"] = round(time.monotonic() - t0, 2)
        result["bot_log_tail"] = tail(bot_log)
        result["playground_log_tail"] = tail(pg_log)
        shutil.rmtree(tmp, ignore_errors=True)
        out.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str))
    return 0 if result["ok"] else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    sys.exit(asyncio.run(main_async(args.out)))


if __name__ == "__main__":
    main()
