"""Turn a drift scan into notices: one per user and photo version, never to opted-out or blocked users."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import cards
from bot.domain.drift import DriftState, should_notify
from bot.domain.model import PictureEvidence
from bot.graph.errors import GraphError
from bot.services.scan import ScanReport, ScanRow
from bot.store import ConversationRecord, Store
from bot.store.optouts import OptOuts
from bot.store.outbox import Outbox

from .delivery import offering_sync

if TYPE_CHECKING:
    from bot.graph import GraphClient

log = logging.getLogger(__name__)


@dataclass(slots=True)
class NotifyResult:
    queued: int = 0
    already_notified: int = 0
    opted_out: int = 0
    blocked: int = 0
    unreachable: list[str] = field(default_factory=list)  # no stored 1:1 conversation with the user
    installed: int = 0  # users reached by installing the app for them (install on demand)
    not_syncing: int = 0  # SharePoint cannot take the photo (no profile / not pulling): helpdesk, no notice


class DriftNotifier:
    """Writes a notice to the durable outbox for every drifted user (the sender delivers it)."""

    def __init__(
        self,
        store: Store,
        outbox: Outbox,
        optouts: OptOuts,
        clock: Callable[[], datetime],
        *,
        demo: bool,
        profile_edit_url: str,
        default_locale: str = "en-US",
        default_timezone: str = "UTC",
        graph: GraphClient | None = None,
        install_on_demand: bool = False,
        teams_app_id: str = "",
        service_url: str = "",
        bot_id: str = "",
        sync_link: Callable[[str], str] | None = None,
    ) -> None:
        self.sync_link = sync_link  # the one-click start of SharePoint's sync, for the notice's main button
        self.store = store
        self.outbox = outbox
        self.optouts = optouts
        self.clock = clock
        self.demo = demo
        self.profile_edit_url = profile_edit_url
        self.default_locale = default_locale
        self.tz = ZoneInfo(default_timezone)
        self.graph = graph
        self.install_on_demand = (
            install_on_demand and graph is not None and bool(teams_app_id and service_url)
        )
        self.teams_app_id = teams_app_id
        self.service_url = service_url
        self.bot_id = bot_id
        self._catalog_id: str | None = None

    def _reader(
        self, conversation: ConversationRecord, user_id: str, upn: str | None, now: datetime
    ) -> cards.CardContext:
        """How the card reads for this user: their language and time zone as last seen, else the organisation's."""
        return cards.CardContext(
            locale=conversation.locale or self.default_locale,
            tz=self._reader_tz(conversation.timezone),
            now=now,
            demo=self.demo,
            profile_edit_url=self.profile_edit_url.format(object_id=user_id, upn=upn or "", tenant=""),
        )

    def sync_outcome_message(
        self, conversation: ConversationRecord, pictures: PictureEvidence | None, *, fixed: bool
    ) -> dict[str, Any]:
        """The proactive message that tells a user how the sync they started ended."""
        now = self.clock()
        ctx = self._reader(conversation, conversation.user_id, None, now)
        card = cards.sync_outcome_card(ctx, fixed=fixed, pictures=pictures, checked=now)
        return _message(conversation.reference, card)

    def sync_checking_message(
        self, conversation: ConversationRecord, started: datetime, next_check: datetime
    ) -> dict[str, Any]:
        """What the card that offered the sync says once the user started it."""
        ctx = self._reader(conversation, conversation.user_id, None, self.clock())
        card = cards.sync_checking_card(ctx, started=started, next_check=next_check)
        return _message(conversation.reference, card)

    def sync_link_message(
        self, conversation: ConversationRecord, url: str, requested_by: str | None
    ) -> dict[str, Any]:
        """The card a helpdesk sends someone: the one-click start of their SharePoint sync."""
        ctx = self._reader(conversation, conversation.user_id, None, self.clock())
        card = cards.sync_link_card(ctx, url=url, requested_by=requested_by)
        return offering_sync(_message(conversation.reference, card), conversation.user_id)

    def _reader_tz(self, name: str | None) -> ZoneInfo:
        """The user's own time zone (from their last activity), else the organisation's."""
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                pass
        return self.tz

    @staticmethod
    def acts_on(row: ScanRow) -> bool:
        """The rows `enqueue` reads (a scheduled scan keeps only these: `DriftScanner.scan(keep=)`)."""
        return row.state is DriftState.DRIFT or row.state is DriftState.NOT_SYNCING

    async def enqueue(self, report: ScanReport) -> NotifyResult:
        result = NotifyResult()
        drifted = [r for r in report.rows if r.state is DriftState.DRIFT and r.etag and r.photo_first_seen]
        result.not_syncing = report.counts[DriftState.NOT_SYNCING]
        opted_out = await self.optouts.opted_out_among([r.user_id for r in drifted])
        ledger = await self.store.ledger_entries([r.user_id for r in drifted])
        for row in drifted:
            assert row.etag is not None and row.photo_first_seen is not None
            entry = ledger.get(row.user_id)
            notified_etag = entry.notified_etag if entry is not None else None
            if not should_notify(row.state, row.etag, notified_etag, row.user_id in opted_out):
                if row.user_id in opted_out:
                    result.opted_out += 1
                else:
                    result.already_notified += 1
                continue
            if await self.outbox.is_blocked(row.user_id):
                result.blocked += 1
                continue
            conversation = await self.store.personal_conversation(row.user_id)
            if conversation is None and self.install_on_demand:
                conversation = await self._install(row.user_id)
                if conversation is not None:
                    result.installed += 1
            if conversation is None:
                result.unreachable.append(row.user_id)
                continue
            now = self.clock()
            ctx = self._reader(conversation, row.user_id, row.upn, now)
            card = cards.notice_card(
                ctx,
                user_id=row.user_id,
                photo_first_seen=row.photo_first_seen,
                sharepoint_refreshed=row.sharepoint_refreshed,
                pictures=row.pictures,
                sync_url=self.sync_link(row.user_id) if self.sync_link is not None else None,
            )
            payload = _message(conversation.reference, card)
            if self.sync_link is not None:
                payload = offering_sync(payload, row.user_id)
            queued = await self.outbox.enqueue(
                f"{row.user_id}:{row.etag}",
                row.user_id,
                conversation.conversation_id,
                conversation.service_url,
                payload,
                now,
                etag=row.etag,
            )
            if queued:
                result.queued += 1
            else:
                result.already_notified += 1
        log.info(
            "drift notices queued",
            extra={
                "queued": result.queued,
                "already_notified": result.already_notified,
                "opted_out": result.opted_out,
                "blocked": result.blocked,
                "unreachable": len(result.unreachable),
                "installed": result.installed,
                "not_syncing": result.not_syncing,
            },
        )
        return result

    async def _install(self, user_id: str) -> ConversationRecord | None:
        """Install the app for the user, find the 1:1 chat of the installation and store it as their
        personal conversation (the next scan finds it directly). None, with the reason logged, on failure."""
        assert self.graph is not None
        try:
            if self._catalog_id is None:
                self._catalog_id = await self.graph.find_catalog_app(self.teams_app_id)
            if self._catalog_id is None:
                log.warning(
                    "install on demand: app not in the tenant catalog",
                    extra={"user_id": user_id, "teams_app_id": self.teams_app_id},
                )
                return None
            installation = await self.graph.install_app_for_user(user_id, self._catalog_id)
            if installation is None:
                log.warning("install on demand: no installation found", extra={"user_id": user_id})
                return None
            chat_id = await self.graph.installed_app_chat(user_id, installation)
        except GraphError as exc:
            log.warning("install on demand failed", extra={"user_id": user_id, "reason": str(exc)})
            return None
        if not chat_id:
            log.warning("install on demand: no chat for the installation", extra={"user_id": user_id})
            return None
        reference: dict[str, Any] = {
            "user": {"id": f"8:orgid:{user_id}", "aadObjectId": user_id},
            "conversation": {"id": chat_id, "conversationType": "personal", "isGroup": False},
            "channelId": "msteams",
            "serviceUrl": self.service_url,
        }
        if self.bot_id:
            reference["bot"] = {"id": f"28:{self.bot_id}"}
        record = ConversationRecord(
            user_id=user_id,
            conversation_id=chat_id,
            conversation_type="personal",
            service_url=self.service_url,
            channel_id="msteams",
            tenant_id=None,
            bot_id=reference.get("bot", {}).get("id", ""),
            locale=None,
            updated_at=self.clock(),
            reference=reference,
        )
        await self.store.save_conversation(record)
        log.info("install on demand: app installed, chat stored", extra={"user_id": user_id})
        return record


def _message(reference: dict[str, Any], card: dict[str, Any]) -> dict[str, Any]:
    """A proactive message activity for the stored conversation reference (plain JSON, ready to POST)."""
    body: dict[str, Any] = {
        "type": "message",
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}],
        "summary": card.get("fallbackText", ""),
    }
    for key in ("bot", "conversation", "channelId", "serviceUrl"):
        if key in reference:
            body["from" if key == "bot" else key] = reference[key]
    if isinstance(reference.get("user"), dict):
        body["recipient"] = reference["user"]
    return body
