"""Adaptive Cards for PhotoSync: pure functions from domain values to card dicts (English and Dutch).

Every card is version 1.5, built with the typed models of `microsoft-teams-cards` (the diagnosis card through a
template those models built once per card shape, cards/template.py), dumped without nulls,
and carries `fallbackText` and `speak`. The first body element's `id` names the card kind:
`welcome`, `help`, `diagnosis`, `error`, `unknown`, and for helpdesk staff
`pick-user`, `not-found`, `refused`, `whose-photo`, `several-people`; for anyone `how-to-change`,
`small-talk`; for proactive notices `notice`, `optout-result`.
No network, no SDK, no clock.

Actions the bot must route (Action.Execute `verb`; the Action.Submit fallback sends the same data,
whose `action` equals the verb):
- `diagnose`    data `{"action": "diagnose"}` (+ `"userId"` when checking someone else, e.g. from `pick-user`)
- `sendSyncLink` data `{"action": "sendSyncLink", "userId": <Entra object id>}` (helpdesk: send that user their link)
- `resyncPhoto` (cards sent before the sync link existed): answered like `diagnose` for that `userId`
- `stopNotices` / `startNotices` data `{"action": <verb>}`: opt the clicker out of / back into notices
"""

from __future__ import annotations

from .common import (
    CARD_VERSION,
    PHOTO_SYNC_ARTICLE,
    PROFILE_SYNC_ARTICLE,
    VERB_DIAGNOSE,
    VERB_RESYNC,
    VERB_SEND_SYNC_LINK,
    VERB_START_SYNC,
)
from .context import CardContext
from .conversation import (
    SUGGESTIONS,
    Suggestion,
    how_to_change_card,
    several_people_card,
    small_talk_card,
    whose_photo_card,
)
from .diagnosis import SyncProgress, diagnosis_card, offers_sync
from .error import ERROR_REASONS, ErrorReason, error_card
from .helpdesk import MAX_CANDIDATES, Candidate, not_found_card, pick_user_card, refusal_card
from .notice import VERB_START_NOTICES, VERB_STOP_NOTICES, notice_card, optout_result_card
from .sso import SIGNIN_REASONS, sso_failed_card, sso_signin_card, sso_started_card
from .sync import LINK_OUTCOMES, link_sent_card, sync_checking_card, sync_link_card, sync_outcome_card
from .welcome import help_card, unknown_card, welcome_card

CARD_KINDS = (
    "welcome",
    "help",
    "diagnosis",
    "error",
    "unknown",
    "pick-user",
    "not-found",
    "refused",
    "notice",
    "optout-result",
    "sync-checking",
    "sync-fixed",
    "sync-expired",
    "sync-link",
    "link-sent",
    "sso-started",
    "sso-failed",
    "sso-signin",
    "whose-photo",
    "several-people",
    "how-to-change",
    "small-talk",
)

__all__ = [
    "CARD_KINDS",
    "CARD_VERSION",
    "ERROR_REASONS",
    "LINK_OUTCOMES",
    "MAX_CANDIDATES",
    "PHOTO_SYNC_ARTICLE",
    "PROFILE_SYNC_ARTICLE",
    "SIGNIN_REASONS",
    "SUGGESTIONS",
    "VERB_DIAGNOSE",
    "VERB_RESYNC",
    "VERB_SEND_SYNC_LINK",
    "VERB_START_NOTICES",
    "VERB_START_SYNC",
    "VERB_STOP_NOTICES",
    "Candidate",
    "CardContext",
    "ErrorReason",
    "Suggestion",
    "SyncProgress",
    "diagnosis_card",
    "error_card",
    "help_card",
    "how_to_change_card",
    "link_sent_card",
    "not_found_card",
    "notice_card",
    "offers_sync",
    "optout_result_card",
    "pick_user_card",
    "refusal_card",
    "several_people_card",
    "small_talk_card",
    "sso_failed_card",
    "sso_signin_card",
    "sso_started_card",
    "sync_checking_card",
    "sync_link_card",
    "sync_outcome_card",
    "unknown_card",
    "welcome_card",
    "whose_photo_card",
]
