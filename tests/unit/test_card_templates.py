"""Card templates (cards/template.py) give exactly the card the typed models build, for every shape and text.

The diagnosis card is filled from a template per shape; `_build` is the typed build the template is made of.
These tests hold the two equal: on the catalogue's diagnoses, on generated diagnoses and readers, and on
generated texts (any Unicode: quotes, backslashes, control characters, lone surrogates, marker look-alikes).
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.model import Diagnosis, DiagnosisCase, StaleCopy
from cards import CardContext, diagnosis_card
from cards import diagnosis as diag
from cards.common import text_block
from cards.template import CardTemplate
from tests.cards.catalogue import CHAT_URL, REQUESTED_BY, sample_diagnoses

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PROFILE_URL = "https://contoso-my.sharepoint.com/person.aspx?user=megan%40contoso.com&v=editprofile"


def _ctx(
    locale: str | None, tz: str = "Europe/Amsterdam", *, demo: bool = False, now: datetime = NOW
) -> CardContext:
    return CardContext(locale=locale, tz=ZoneInfo(tz), now=now, demo=demo, profile_edit_url=PROFILE_URL)


def _direct(diagnosis: Diagnosis, ctx: CardContext, **kw: Any) -> dict[str, Any]:
    """The same card from the typed models alone (no template)."""
    subject = kw.get("subject", "self")
    shape, texts = diag._texts(diagnosis, ctx, subject, kw.get("requested_by"), kw.get("chat_url"))
    return diag._build(shape, texts)


def _variants() -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = [("self", {})]
    out += [("other", {"subject": "other"}), ("other+by", {"subject": "other", "requested_by": REQUESTED_BY})]
    out += [("other+by+chat", {"subject": "other", "requested_by": REQUESTED_BY, "chat_url": CHAT_URL})]
    return out


@pytest.mark.parametrize("locale", ["en-GB", "en-US", "nl-NL", None])
@pytest.mark.parametrize("demo", [False, True])
def test_every_catalogue_diagnosis_equals_its_typed_build(locale: str | None, demo: bool) -> None:
    ctx = _ctx(locale, demo=demo)
    checked = 0
    for (name, diagnosis), (label, kw) in itertools.product(sample_diagnoses().items(), _variants()):
        if diagnosis.case is DiagnosisCase.UNAVAILABLE:
            continue  # the error card: not templated
        card = diagnosis_card(diagnosis, ctx, **kw)
        assert card == _direct(diagnosis, ctx, **kw), f"{name} {label}"
        # and the same JSON text, key order included (what the connector receives)
        assert json.dumps(card) == json.dumps(_direct(diagnosis, ctx, **kw)), f"{name} {label}"
        checked += 1
    assert checked >= 40


_moments = st.one_of(
    st.none(),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
)
_texts = st.text(min_size=0, max_size=40)  # any code point, surrogates and NUL included

diagnoses = st.builds(
    Diagnosis,
    case=st.sampled_from([c for c in DiagnosisCase if c is not DiagnosisCase.UNAVAILABLE]),
    user_id=st.text(min_size=1, max_size=40),
    display_name=st.one_of(st.none(), _texts),
    upn=st.one_of(st.none(), _texts),
    stale_copy=st.sampled_from(StaleCopy),
    has_photo=st.booleans(),
    sharepoint_read=st.booleans(),
    photo_changed_at=_moments,
    sharepoint_refreshed_at=_moments,
    expected_by=_moments,
    expected_by_field=_moments,
    overdue_for=st.one_of(st.none(), st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=900))),
)
readers = st.builds(
    _ctx,
    st.sampled_from(["en-GB", "en-US", "nl-NL", "nl_BE", "fr-FR", None]),
    st.sampled_from(["UTC", "Europe/Amsterdam", "America/New_York", "Asia/Kolkata"]),
    demo=st.booleans(),
    now=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    diagnosis=diagnoses,
    ctx=readers,
    other=st.booleans(),
    requested_by=st.one_of(st.none(), _texts),
    chat=st.booleans(),
)
def test_generated_diagnoses_equal_their_typed_build(
    diagnosis: Diagnosis, ctx: CardContext, other: bool, requested_by: str | None, chat: bool
) -> None:
    kw: dict[str, Any] = {"subject": "other" if other else "self"}
    if other:
        kw["requested_by"] = requested_by
        if chat:
            kw["chat_url"] = CHAT_URL
    try:
        expected = _direct(diagnosis, ctx, **kw)
    except ValueError:  # an empty text (e.g. a display name of "") is refused by the typed build ...
        with pytest.raises(ValueError):
            diagnosis_card(diagnosis, ctx, **kw)  # ... and by the template
        return
    assert diagnosis_card(diagnosis, ctx, **kw) == expected


@settings(max_examples=300)
@given(data=st.data())
def test_any_texts_fill_a_template_as_the_typed_build_places_them(data: st.DataObject) -> None:
    """Every shape, every slot with arbitrary non-empty Unicode: the filled template equals the typed build."""
    shape = data.draw(
        st.builds(
            diag._Shape,
            lang=st.sampled_from(["en", "nl"]),
            demo=st.booleans(),
            subject=st.sampled_from(["self", "other"]),
            requested_by=st.booleans(),
            sp_refresh=st.booleans(),
            facts=st.integers(0, 5),
            chat=st.booleans(),
            sync=st.booleans(),
            send_link=st.booleans(),
            progress=st.booleans(),
            sync_execute=st.booleans(),
            refresh=st.booleans(),
        )
    )
    template = diag._template(shape)
    tricky = st.one_of(
        st.text(min_size=1, max_size=30),
        st.sampled_from(
            ['"', "\\", "\x00", "\x00title\x00", "\\u0000title\\u0000", "\ud800", "a\udfffb", "\u2028"]
        ),
    )
    texts = {slot: data.draw(tricky, label=slot) for slot in sorted(template.slots)}
    assert template.fill(texts) == diag._build(shape, texts)


def test_a_template_refuses_what_the_typed_build_would_not_make() -> None:
    def build(texts: Any) -> dict[str, Any]:
        return {
            "body": [text_block(texts["a"]).model_dump(by_alias=True, exclude_none=True)],
            "x": texts["b"],
        }

    template = CardTemplate(build, ["a", "b"])
    assert template.fill({"a": "one", "b": "two"}) == {
        "body": [{"type": "TextBlock", "text": "one", "wrap": True}],
        "x": "two",
    }
    with pytest.raises(ValueError, match="empty"):
        template.fill({"a": "", "b": "two"})  # text_block refuses an empty text; a marker never is
    with pytest.raises(KeyError, match="'b'"):
        template.fill({"a": "one"})
    with pytest.raises(TypeError):
        template.fill({"a": "one", "b": 2})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    "build",
    [
        lambda texts: {"text": texts["a"].upper()},  # transformed: the marker is not found again
        lambda texts: {"text": texts["a"][:2]},  # cut
        lambda texts: {"text": texts["b"]},  # a slot the template was not told about
        lambda texts: {"text": "constant"},  # a slot never placed (shape and slot list disagree)
    ],
)
def test_a_build_that_transforms_its_texts_cannot_become_a_template(build: Any) -> None:
    with pytest.raises((ValueError, KeyError)):
        CardTemplate(build, ["a"])
