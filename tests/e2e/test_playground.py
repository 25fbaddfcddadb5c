"""End-to-end through the real Microsoft 365 Agents Playground (npm, pinned in tests/js/package.json).

One session fixture runs tests/e2e/driver.py inside a loopback-only network namespace
(`unshare -n`, the Playground phones home) with the bot, the Playground and the driver together; each test
below asserts on one scenario of the driver's JSON report. Without `unshare` permission, node or the package:
skip with the reason, or FAIL when PHOTOSYNC_REQUIRE_E2E=1 (CI).
"""

from __future__ import annotations

import json
import shlex
import sys
from typing import Any

import pytest

from tests.cardtools import actions, block_text, card_text
from tests.e2e.driver import DEMO_USERS, HELPDESK, REPO, slug
from tests.e2e.tools import playground_unavailable, require_or_skip, run_in_netns

ADELE = "53d6c7d3-7bc7-4272-b9e3-4eb50bd7b23b"
PATTI = "de567967-bfef-48e7-bcdc-95bab6a08f07"  # the demo tenant's helpdesk member
MEGAN = "23b90566-9297-4355-b479-c6e30e87b1f2"


@pytest.fixture(scope="session")
def e2e(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    require_or_skip(playground_unavailable(), "Playground e2e")
    out = tmp_path_factory.mktemp("e2e") / "result.json"
    inner = f"ip link set lo up; exec {shlex.quote(sys.executable)} -m tests.e2e.driver --out {shlex.quote(str(out))}"
    proc = run_in_netns(inner, 300, REPO)
    if not out.is_file():
        pytest.fail(f"driver wrote no report (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    result: dict[str, Any] = json.loads(out.read_text())
    assert result["ok"], f"driver errors: {result['errors']}\nbot log:\n{result.get('bot_log_tail')}"
    return result


def scenario(e2e: dict[str, Any], name: str) -> dict[str, Any]:
    record = e2e["scenarios"].get(name)
    assert record is not None, f"scenario {name} did not run"
    assert record["error"] is None, f"{name}: {record['error']}\ntraffic: {record.get('traffic')}"
    return record


def cards(record: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for item in record["messages"]:
        for att in item["message"].get("attachments") or []:
            if att.get("contentType") == "application/vnd.microsoft.card.adaptive":
                out.append(att["content"])
    return out


def kinds(record: dict[str, Any]) -> list[str | None]:
    return [item["kind"] for item in record["messages"]]


def test_playground_loaded_our_config(e2e: dict[str, Any]) -> None:
    config = e2e["testConfig"]["body"]["config"]
    assert config["tenantId"] == "7a3c9b1e-2f4d-4e8a-9c6b-1d2e3f4a5b6c"
    assert config["currentUser"]["aadObjectId"] == ADELE
    assert len(config["users"]) == 5
    assert config["personalChat"]["id"] == "a:photosync-personal-chat-adele"


def test_install_sends_welcome_card(e2e: dict[str, Any]) -> None:
    record = scenario(e2e, "install")
    assert "welcome" in kinds(record)


def test_install_sends_only_the_welcome_card(e2e: dict[str, Any]) -> None:
    assert kinds(scenario(e2e, "install")) == ["welcome"]


def test_why_is_my_photo_old_gives_diagnosis_with_the_sync_link(e2e: dict[str, Any]) -> None:
    record = scenario(e2e, "why_en")
    assert kinds(record) == ["diagnosis"]
    card = cards(record)[0]
    sync = [a for a in actions(card) if a.get("title") == "Refresh my photo in SharePoint"]
    assert sync and sync[0]["type"] == "Action.OpenUrl" and "/sync/" in sync[0]["url"]
    assert not [a for a in actions(card) if a.get("verb") == "resyncPhoto"]
    assert block_text(card["body"][0]) == "SharePoint still shows your old photo"


def test_dutch_question_with_nl_locale_gives_dutch_card(e2e: dict[str, Any]) -> None:
    record = scenario(e2e, "why_nl")
    assert kinds(record) == ["diagnosis"]
    card = cards(record)[0]
    assert block_text(card["body"][0]) == "SharePoint toont nog je oude foto"
    texts = [a.get("title") for a in actions(card)]
    assert "Mijn foto in SharePoint vernieuwen" in texts
    assert "Demogegevens" in card["fallbackText"]


def test_dutch_question_via_message_api_is_answered(e2e: dict[str, Any]) -> None:
    # The Playground's message API always sends locale en-US, like a Teams client with an English UI:
    # the bot answers in the client's locale (English). Recorded so a change of that rule is noticed.
    record = scenario(e2e, "why_nl_message_api")
    assert kinds(record) == ["diagnosis"]


def test_an_older_cards_re_sync_click_is_answered_with_the_check_in_place(e2e: dict[str, Any]) -> None:
    record = scenario(e2e, "legacy_resync")
    http = record["http"]
    assert http["status"] == 200
    # Action.Execute: the invoke response carries the card that replaces the clicked one in place
    # (Playground 0.2.28 returns it to the caller; no extra message may appear in the chat).
    assert http["body"]["type"] == "application/vnd.microsoft.card.adaptive"
    assert http["body"]["value"]["body"][0]["id"] == "diagnosis", e2e["bot_log_tail"]
    assert not [m for m in record["messages"] if m["action"] == "createMessage"]
    sent = record["request"]["body"]
    assert sent["value"]["action"]["verb"] == "resyncPhoto"
    assert sent["replyToId"] == record["clicked_message_id"]


@pytest.mark.parametrize(("name", "object_id", "expected"), DEMO_USERS, ids=[slug(u[0]) for u in DEMO_USERS])
def test_each_demo_user_gets_their_case(
    e2e: dict[str, Any], name: str, object_id: str, expected: str
) -> None:
    record = scenario(e2e, f"user_{slug(name)}")
    inbound = [t for t in record["traffic"] if t["direction"].endswith("-> User Application")]
    assert inbound and inbound[0]["activity"]["from"]["aadObjectId"] == object_id
    assert kinds(record) == [expected]


def test_group_chat_mention_is_answered_in_the_group(e2e: dict[str, Any]) -> None:
    record = scenario(e2e, "group_mention")
    group = e2e["testConfig"]["body"]["config"]["groupChats"][0]["id"]
    assert kinds(record) == ["diagnosis"]
    assert record["messages"][0]["actionConversationId"] == group


def test_channel_mention_is_answered_in_the_thread(e2e: dict[str, Any]) -> None:
    record = scenario(e2e, "channel_mention")
    thread = record["thread_conversation_id"]
    team = e2e["testConfig"]["body"]["config"]["teams"][0]["id"]
    assert thread and thread.startswith(f"{team};messageid=")
    assert kinds(record) == ["diagnosis"]
    assert record["messages"][0]["actionConversationId"] == thread


# --- Helpdesk: Patti, the demo tenant's helpdesk member, asks about Megan -----------------------------------


def inbound_from(record: dict[str, Any]) -> dict[str, Any]:
    """The activity the Playground delivered to the bot for this scenario."""
    inbound = [t for t in record["traffic"] if t["direction"].endswith("-> User Application")]
    assert len(inbound) == 1, record["traffic"]
    return inbound[0]["activity"]


def assert_mentions_bot(activity: dict[str, Any], e2e: dict[str, Any]) -> None:
    bot = e2e["testConfig"]["body"]["config"]["bot"]
    assert activity["text"].startswith("<at>PhotoSync</at> ")
    assert any(e.get("type") == "mention" and e["mentioned"]["id"] == bot["id"] for e in activity["entities"])


def test_helpdesk_check_in_a_channel_gets_diagnosis_in_the_thread(e2e: dict[str, Any]) -> None:
    record = scenario(e2e, "helpdesk_channel")
    activity = inbound_from(record)  # only Patti's message: Adele's unmentioned thread opener is not answered
    assert activity["from"]["aadObjectId"] == PATTI == HELPDESK["aadObjectId"]
    assert activity["text"].endswith("check Megan Bowen")
    assert_mentions_bot(activity, e2e)
    thread = record["request"]["thread_conversation_id"]
    team = e2e["testConfig"]["body"]["config"]["teams"][0]["id"]
    assert thread.startswith(f"{team};messageid=") and activity["conversation"]["id"] == thread
    assert kinds(record) == ["diagnosis"]
    assert record["messages"][0]["actionConversationId"] == thread
    assert "Megan" in card_text(cards(record)[0])


def test_helpdesk_question_in_a_group_chat_gets_diagnosis_in_the_group(e2e: dict[str, Any]) -> None:
    record = scenario(e2e, "helpdesk_group")
    activity = inbound_from(record)
    assert activity["from"]["aadObjectId"] == PATTI
    assert activity["conversation"]["conversationType"] == "groupChat"
    assert_mentions_bot(activity, e2e)
    group = e2e["testConfig"]["body"]["config"]["groupChats"][0]["id"]
    assert kinds(record) == ["diagnosis"]
    assert record["messages"][0]["actionConversationId"] == group
    assert "Megan" in card_text(cards(record)[0])


def test_non_helpdesk_check_in_a_channel_is_refused_without_details(e2e: dict[str, Any]) -> None:
    record = scenario(e2e, "helpdesk_refused_channel")
    activity = inbound_from(record)
    assert activity["from"]["aadObjectId"] == ADELE
    assert_mentions_bot(activity, e2e)
    assert kinds(record) == ["refused"]
    assert record["messages"][0]["actionConversationId"] == record["http"]["body"]["postConversationId"]
    card = cards(record)[0]
    assert (
        "Megan" not in card_text(card) and "Megan" not in json.dumps(card) and MEGAN not in json.dumps(card)
    )


def test_send_link_for_megan_clicked_by_non_helpdesk_is_refused(e2e: dict[str, Any]) -> None:
    # Playground 0.2.28's invoke API sends `from` as given but only accepts its 6 configured users, so
    # Patti (not one of them) cannot click; recorded so a Playground that allows it is noticed.
    as_patti = scenario(e2e, "helpdesk_send_link_as_patti")
    assert as_patti["http"]["status"] == 400 and as_patti["http"]["body"]["code"] == "UserNotFound"
    assert not [t for t in as_patti["traffic"] if t["direction"].endswith("-> User Application")]
    # Instead: Adele (not helpdesk) clicks "Send Megan a sync link" on the helpdesk's card, a forged click.
    record = scenario(e2e, "helpdesk_send_link_forged_by_adele")
    activity = inbound_from(record)
    assert activity["type"] == "invoke" and activity["from"]["aadObjectId"] == ADELE
    assert activity["value"]["action"]["data"]["userId"] == MEGAN
    assert activity["replyToId"] == record["clicked_message_id"]
    http = record["http"]
    assert http["status"] == 200
    assert http["body"]["value"]["body"][0]["id"] == "refused", e2e["bot_log_tail"]
    assert "Megan" not in json.dumps(http["body"])
    assert not [m for m in record["messages"] if m["action"] == "createMessage"]
