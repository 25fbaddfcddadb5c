"""Intent classification: EN/NL phrasings per kind, negatives, whom a photo question is about (self, someone
named, an unnamed someone, the manager, several people), language, markup, and properties (never raises, cheap
on huge input). Sanity examples only: the model's figures come from the corpus's held-out split
(`python -m bench.language`), never from these tables."""

from __future__ import annotations

import random
import string
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.intents import (
    MAX_RAW_CHARS,
    MIN_CONFIDENCE,
    Intent,
    IntentKind,
    Language,
    classify,
    scores,
    strip_markup,
)

WHY = IntentKind.WHY_PHOTO_OLD
RESYNC = IntentKind.RESYNC
HELP = IntentKind.HELP
GREETING = IntentKind.GREETING
STOP = IntentKind.STOP_NOTICES
START = IntentKind.START_NOTICES
SMALL_TALK = IntentKind.SMALL_TALK
HOW_TO = IntentKind.HOW_TO_CHANGE
UNKNOWN = IntentKind.UNKNOWN

# (text, kind, language)
POSITIVES = [
    # why is my photo old: English
    ("why is my photo old", WHY, "en"),
    ("Why is my photo old?", WHY, "en"),
    ("my profile picture is outdated", WHY, "en"),
    ("old pic in sharepoint", WHY, "en"),
    ("photo not updating", WHY, "en"),
    ("my avatar still shows the old one", WHY, "en"),
    ("picture hasn't changed", WHY, "en"),
    ("picture hasn’t changed", WHY, "en"),
    ("picture hasnt changed", WHY, "en"),
    ("why does teams show my old photo", WHY, "en"),
    ("Why is Teams showing my old picture?", WHY, "en"),
    ("check my photo", WHY, "en"),
    ("check me", WHY, "en"),
    ("photo?", WHY, "en"),
    ("my photo", WHY, "en"),
    ("what's wrong with my picture", WHY, "en"),
    ("I uploaded a new photo yesterday but SharePoint still shows the old one", WHY, "en"),
    ("my new photo isn't showing in teams", WHY, "en"),
    ("is my picture up to date?", WHY, "en"),
    ("my photo won't update", WHY, "en"),
    ("how come my picture is still the old one", WHY, "en"),
    ("why is my photo different in outlook and teams", WHY, "en"),
    ("My profile photo in Delve is out of date", WHY, "en"),
    ("my photo still hasn't been updated in SharePoint after 3 days", WHY, "en"),
    ("why doesn't my photo sync", WHY, "en"),
    ("hi, my photo is old", WHY, "en"),
    ("help, my photo is old", WHY, "en"),
    # why is my photo old: Dutch
    ("waarom is mijn foto oud", WHY, "nl"),
    ("mijn profielfoto is verouderd", WHY, "nl"),
    ("mijn foto is niet bijgewerkt", WHY, "nl"),
    ("oude foto in sharepoint", WHY, "nl"),
    ("profielfoto klopt niet", WHY, "nl"),
    ("foto wordt niet geupdatet", WHY, "nl"),
    ("foto wordt niet geüpdatet", WHY, "nl"),
    ("Foto wordt niet GEÜPDATET", WHY, "nl"),
    ("controleer mijn foto", WHY, "nl"),
    ("controleer mij", WHY, "nl"),
    ("ik zie nog mijn oude foto", WHY, "nl"),
    ("waarom zie ik nog steeds mijn oude foto in Teams", WHY, "nl"),
    ("Hoi! Mijn profielfoto in Teams is nog de oude", WHY, "nl"),
    ("wat is er mis met mijn foto", WHY, "nl"),
    ("mijn foto wil niet updaten", WHY, "nl"),
    ("Ik heb gisteren een nieuwe foto geüpload maar Teams toont nog de oude", WHY, "nl"),
    ("foto?", WHY, "nl"),
    # resync
    ("resync my photo", RESYNC, "en"),
    ("Re-sync my picture please", RESYNC, "en"),
    ("sync my photo", RESYNC, "en"),
    ("can you please resync my picture", RESYNC, "en"),
    ("resync", RESYNC, None),
    ("opnieuw synchroniseren", RESYNC, "nl"),
    ("synchroniseer mijn foto", RESYNC, "nl"),
    ("kun je mijn foto opnieuw synchroniseren?", RESYNC, "nl"),
    ("ververs mijn profielfoto", RESYNC, "nl"),
    # help
    ("help", HELP, None),
    ("Help!", HELP, None),
    ("hulp", HELP, "nl"),
    ("what can you do", HELP, "en"),
    ("What can you do?", HELP, "en"),
    ("wat kun je", HELP, "nl"),
    ("wat kun je doen?", HELP, "nl"),
    ("hoe werkt dit", HELP, "nl"),
    ("?", HELP, None),
    # greeting
    ("hi", GREETING, None),
    ("Hello", GREETING, "en"),
    ("hello there", GREETING, "en"),
    ("Good morning!", GREETING, "en"),
    ("hi Megan", GREETING, None),
    ("hallo", GREETING, "nl"),
    ("goedemorgen", GREETING, "nl"),
    ("hoi allemaal", GREETING, "nl"),
    # stop notices
    ("stop", STOP, None),
    ("STOP", STOP, None),
    ("unsubscribe", STOP, "en"),
    ("stop notifications", STOP, "en"),
    ("turn off notifications", STOP, "en"),
    ("please stop sending me notifications", STOP, "en"),
    ("unsubscribe me please", STOP, "en"),
    ("geen meldingen meer", STOP, "nl"),
    ("afmelden", STOP, "nl"),
    ("meldingen uitzetten", STOP, "nl"),
    ("zet meldingen uit", STOP, "nl"),
    # start notices
    ("start", START, None),
    ("subscribe", START, None),  # said as is in Dutch too: the reply follows Teams' locale
    ("turn on notifications", START, "en"),
    ("opt in", START, None),
    ("aanmelden", START, "nl"),
    ("meldingen aan", START, "nl"),
    ("zet meldingen weer aan", START, "nl"),
    # small talk
    ("thanks!", SMALL_TALK, None),
    ("thank you so much", SMALL_TALK, "en"),
    ("ok", SMALL_TALK, None),
    ("bye", SMALL_TALK, "en"),
    ("bedankt", SMALL_TALK, "nl"),
    ("dank je wel", SMALL_TALK, "nl"),
    ("tot ziens", SMALL_TALK, "nl"),
    ("👍", SMALL_TALK, None),
    # how do I change my photo
    ("how do I change my photo?", HOW_TO, "en"),
    ("where can I upload a new profile picture", HOW_TO, "en"),
    ("hoe verander ik mijn profielfoto", HOW_TO, "nl"),
    ("waar kan ik mijn foto wijzigen?", HOW_TO, "nl"),
    # what people actually type: no staleness word, typos, Flemish, mixed
    ("when will teams pick up my new pic", WHY, "en"),
    ("my photo disappeared", WHY, "en"),
    ("teams only shows my initials", WHY, "en"),
    ("my picture doesn't match across apps", WHY, "en"),
    ("my prfile photo hasnt updated", WHY, "en"),
    ("hoe lang duurt het voordat mijn nieuwe foto zichtbaar is", WHY, "nl"),
    ("mijn foto synchroniseert niet", WHY, "nl"),
    ("m'n foto synct nie", WHY, "nl"),
    ("mn profielfoot is niet up to date", WHY, "nl"),
    ("mijn profile pic is niet updated", WHY, "nl"),
    # other words for the photo, what people see instead of it, where they see it
    ("my avatar won't change", WHY, "en"),
    ("outlook shows my initials instead of my picture", WHY, "en"),
    ("the photo next to my name in emails is old", WHY, "en"),
    ("mijn profielafbeelding is verouderd", WHY, "nl"),
    ("ik zie een grijs poppetje in plaats van mijn foto", WHY, "nl"),
    ("m'n profielfoto klopt nie", WHY, "nl"),
]

NEGATIVES = [
    "what's the weather",
    "reset my password",
    "my phone is old",
    "photo of the team outing",
    "where is the team outing photo album",
    "upload a photo of the cake",
    "the printer is old",
    "start the meeting",
    "stop the meeting",
    "check the weather",
    "sync the calendar",
    "wachtwoord vergeten",
    "mijn laptop is oud",
    "ik heb een nieuwe laptop nodig",
    "kun je de vergadering verzetten",
    "",
    "   ",
    "\n\t \u00a0",
    "&nbsp;",
    "<p></p>",
    "my badge photo is old",
    "de foto op mijn toegangspas is verouderd",
    "can you send me the photos of the event",
    "onedrive isn't syncing my photos",
    "we need a team photo for the website",
    "nice avatar!",
    "mooie foto",
    "photo of my cat",
    "foto van mijn hond",
    "my github avatar is old",
    "my access badge has an old picture",
    "check this",
    "controleer dit",
]

# (text, kind, subject): helpdesk questions about someone else, and the sender's own (None)
SUBJECTS = [
    ("why is Megan's photo old?", WHY, "Megan"),
    ("why is Megan’s photo old?", WHY, "Megan"),
    ("Megan's photo", WHY, "Megan"),
    ("Why is Megan Bowen's picture outdated?", WHY, "Megan Bowen"),
    ("why is megan bowen's photo old", WHY, "megan bowen"),
    ("James' photo is outdated", WHY, "James"),
    ("check megan@contoso.com", WHY, "megan@contoso.com"),
    ("check MeganB@contoso.onmicrosoft.com", WHY, "MeganB@contoso.onmicrosoft.com"),
    ("megan@contoso.com", WHY, "megan@contoso.com"),
    ("check Megan Bowen", WHY, "Megan Bowen"),
    ("check Megan Bowen please", WHY, "Megan Bowen"),
    ("check megan bowen", WHY, "megan bowen"),
    ("check <at>Megan Bowen</at>", WHY, "Megan Bowen"),
    ("check photo for Megan", WHY, "Megan"),
    ("why is the photo of Megan old", WHY, "Megan"),
    ("Photo of Zoë Ångström is old", WHY, "Zoë Ångström"),
    ("waarom is de foto van Megan oud?", WHY, "Megan"),
    ("waarom is de foto van Jan de Vries niet bijgewerkt", WHY, "Jan de Vries"),
    ("controleer megan@contoso.com", WHY, "megan@contoso.com"),
    ("controleer Megan Bowen", WHY, "Megan Bowen"),
    ("controleer de foto van Megan Bowen", WHY, "Megan Bowen"),
    ("check de foto van Isaiah", WHY, "Isaiah"),
    ("waarom is Zoë's foto oud", WHY, "Zoë"),
    ("resync Megan's photo", RESYNC, "Megan"),
    ("Piet zijn foto is nog de oude", WHY, "Piet"),
    ("kun je de foto van Sanne controleren?", WHY, "Sanne"),
    ("D'Arcy's photo is old", WHY, "D'Arcy"),
    ("user k.smith photo is old", WHY, "k.smith"),
    ("check user jdoe", WHY, "jdoe"),
    # the sender's own photo
    ("why is my photo old", WHY, None),
    ("check my photo", WHY, None),
    ("check me please", WHY, None),
    ("controleer mijn foto", WHY, None),
    ("de foto van mij is oud", WHY, None),
    ("resync my photo", RESYNC, None),
    # a subject only comes with a photo question or a re-sync
    ("hi Megan", GREETING, None),
    ("stop notifications megan@contoso.com", STOP, None),
]

LANGUAGES = [
    ("why is my photo old", "en"),
    ("waarom is mijn foto oud", "nl"),
    ("check mijn foto", "nl"),
    ("photo?", "en"),
    ("foto?", "nl"),
    ("what's the weather", "en"),
    ("wachtwoord vergeten", "nl"),
    ("hello", "en"),
    ("hallo", "nl"),
    ("help", None),
    ("stop", None),
    ("Teams", None),
    ("", None),
    ("👍", None),
]

MARKUP = [
    ("<p>why&nbsp;is my <b>photo</b> old?</p>", "why is my photo old?"),
    ("<at>Megan</at>'s photo", "Megan's photo"),
    ('<span itemscope="" itemtype="http://schema.skype.com/Mention">Megan</span> hi', "Megan hi"),
    ("line1<br>line2", "line1 line2"),
    ("line1<br/>line2", "line1 line2"),
    ("<div>a</div><div>b</div>", "a b"),
    ("<!-- comment -->hi", "hi"),
    ("a &amp; b", "a & b"),
    ("it&#39;s &quot;old&quot;", 'it\'s "old"'),
    ("&amp;nbsp;x", "x"),
    ("&lt;p&gt;hi&lt;/p&gt;", "hi"),
    ("x\u200by\u00adz", "xyz"),
    ("ｆｏｔｏ", "foto"),
    ("cafe\u0301", "café"),
    ("  many   spaces \n\t here ", "many spaces here"),
    ("a\u2028b\x00c", "a b c"),
    ("3 < 4 > 2", "3 < 4 > 2"),
    ("<p", "<p"),
    ("Zoë’s foto", "Zoë’s foto"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "kind", "language"), POSITIVES, ids=[p[0] for p in POSITIVES])
def test_positive(text: str, kind: IntentKind, language: str | None) -> None:
    intent = classify(text)
    assert intent.kind is kind
    assert intent.language == language


def test_positive_table_covers_every_kind_in_both_languages() -> None:
    assert len(POSITIVES) >= 40
    for kind in IntentKind:
        if kind is UNKNOWN:
            continue
        assert {lang for _, k, lang in POSITIVES if k is kind} >= {"en", "nl"}, kind


@pytest.mark.parametrize("text", NEGATIVES, ids=[repr(t) for t in NEGATIVES])
def test_negative(text: str) -> None:
    intent = classify(text)
    assert intent.kind is UNKNOWN
    assert intent.subject is None


@pytest.mark.parametrize(("text", "kind", "subject"), SUBJECTS, ids=[s[0] for s in SUBJECTS])
def test_subject(text: str, kind: IntentKind, subject: str | None) -> None:
    intent = classify(text)
    assert intent.kind is kind
    assert intent.subject == subject


# (text, about, manager, several): whom a photo question is about when no one is named
ABOUT = [
    ("her photo is still the old one", "other", False, False),
    ("his pic is outdated in teams", "other", False, False),
    ("the new guy's photo is missing", "other", False, False),
    ("haar foto is nog de oude", "other", False, False),
    ("de foto van mijn collega klopt niet", "other", False, False),
    ("my manager's photo is outdated", "other", True, False),
    ("de foto van mijn leidinggevende is oud", "other", True, False),
    ("the whole finance team has old photos", "other", False, True),
    ("het hele team heeft nog oude foto's", "other", False, True),
    ("my manager says my old photo is still there", "self", False, False),
    ("why is my photo old", "self", False, False),
    ("check me", "self", False, False),
]


@pytest.mark.parametrize(("text", "about", "manager", "several"), ABOUT, ids=[a[0] for a in ABOUT])
def test_about(text: str, about: str, manager: bool, several: bool) -> None:
    intent = classify(text)
    assert intent.kind is WHY
    assert (intent.about, intent.manager, intent.several) == (about, manager, several)
    if about == "other":
        assert intent.subject is None  # "manager", "her", "the new guy" are not names


@pytest.mark.parametrize(
    ("text", "subject"),
    [("I changed it weeks ago. HR says my photo is old", None), ("my boss's pic is old", None)],
)
def test_words_that_are_not_names(text: str, subject: str | None) -> None:
    assert classify(text).subject == subject


@pytest.mark.parametrize(
    ("text", "never"),
    [
        ("I want to unsubscribe", IntentKind.START_NOTICES),
        ("unsubscribe me please", IntentKind.START_NOTICES),
        ("please don't send these anymore", IntentKind.START_NOTICES),
        ("ik wil me uitschrijven", IntentKind.START_NOTICES),
        ("subscribe me again", IntentKind.STOP_NOTICES),
        ("zet de meldingen weer aan", IntentKind.STOP_NOTICES),
    ],
)
def test_notices_are_never_switched_the_wrong_way(text: str, never: IntentKind) -> None:
    intent = classify(text)
    assert intent.kind is not never
    if intent.kind is UNKNOWN:  # not sure enough to switch: the card offers the meant action first
        meant = IntentKind.STOP_NOTICES if never is IntentKind.START_NOTICES else IntentKind.START_NOTICES
        assert intent.alternatives[0] is meant


def test_unknown_offers_the_closest_kinds() -> None:
    intent = classify("my badge photo is old")
    assert intent.kind is UNKNOWN
    assert intent.alternatives
    assert UNKNOWN not in intent.alternatives
    assert classify("why is my photo old").alternatives == ()


@pytest.mark.parametrize(("text", "language"), LANGUAGES, ids=[repr(t) for t, _ in LANGUAGES])
def test_language(text: str, language: str | None) -> None:
    assert classify(text).language == language


@pytest.mark.parametrize(("raw", "clean"), MARKUP, ids=[repr(r) for r, _ in MARKUP])
def test_strip_markup(raw: str, clean: str) -> None:
    assert strip_markup(raw) == clean


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("<p>why&nbsp;is my <b>photo</b> old?</p>", "en"),
        ("<div><p>waarom is mijn <strong>foto</strong>&nbsp;oud?</p></div>", "nl"),
        ("&lt;p&gt;why is my photo old&lt;/p&gt;", "en"),
        ("WHY   IS\nMY\tPHOTO\u00a0OLD", "en"),
        ("why is my ｐｈｏｔｏ old", "en"),
        ("why is my pho\u200bto old", "en"),
    ],
)
def test_markup_and_normalisation_before_matching(text: str, language: Language) -> None:
    assert classify(text) == Intent(WHY, language, None, "self")


def test_intent_is_frozen() -> None:
    intent = classify("help")
    with pytest.raises(AttributeError):
        intent.kind = WHY  # type: ignore[misc]


def test_scores_explain_the_choice() -> None:
    assert scores("why is my photo old")[WHY] >= MIN_CONFIDENCE
    assert max(scores("my phone is old"), key=scores("my phone is old").__getitem__) is UNKNOWN
    assert sum(scores("anything at all").values()) == pytest.approx(1.0)
    # A resync request beats the photo question it also is; a complaint about syncing does not.
    resync = scores("resync my photo")
    assert resync[RESYNC] > resync[WHY]
    complaint = scores("why doesn't my photo sync")
    assert complaint[WHY] > complaint[RESYNC]


# --- big, odd and random input ---------------------------------------------------------------------------


def _random_text(size: int, seed: int) -> str:
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits + string.punctuation + "  \n"
    return "".join(rng.choice(alphabet) for _ in range(size))


@pytest.mark.parametrize("seed", range(5))
def test_ten_kb_of_random_text_is_unknown(seed: int) -> None:
    assert classify(_random_text(10_240, seed)).kind is UNKNOWN


def test_huge_input_is_cheap_and_only_the_start_counts() -> None:
    started = time.perf_counter()
    late = classify("x " * 500_000 + "why is my photo old")
    early = classify("why is my photo old " + "x " * 500_000)
    markup = classify("<p>" * 200_000)
    assert time.perf_counter() - started < 1.0
    assert late.kind is UNKNOWN
    assert early.kind is WHY
    assert markup.kind is UNKNOWN


def test_lone_surrogates_do_not_raise() -> None:
    assert classify("\ud800why is my photo old\udfff").kind is WHY
    assert classify("\udc00" * 10).kind is UNKNOWN
    assert strip_markup("a\ud800b") == "ab"


_FRAGMENTS = [
    "why", "is", "my", "photo", "foto", "old", "oud", "check", "controleer", "Megan", "Bowen",
    "megan@contoso.com", "'s", "’s", "van", "de", "of", "resync", "sync", "not", "niet", "stop", "start",
    "help", "hi", "?", "!",
    "<at>", "</at>", "<p>", "</p>", "<", ">", "&nbsp;", "&amp;", "&#", "&#xD800;", "&#0;", ";", "\u00a0",
    "\u200b", "\u0301", "é", "ß", "İ", "ﬁ", "👍", "\n", " ", "  ", "-", "'", ".", "@",
]  # fmt: skip


def _check_invariants(text: str) -> Intent:
    intent = classify(text)
    assert isinstance(intent, Intent)
    assert intent.kind in IntentKind
    assert intent.language in (None, "en", "nl")
    if intent.subject is not None:
        assert intent.kind in (WHY, RESYNC)
        assert intent.subject == intent.subject.strip()
        assert intent.subject
        assert intent.subject in strip_markup(text[:MAX_RAW_CHARS])
    return intent


@given(st.text())
def test_classify_never_raises_on_any_text(text: str) -> None:
    _check_invariants(text)


@given(st.text(max_size=40), st.integers(min_value=100, max_value=3_000))
def test_classify_never_raises_on_long_text(chunk: str, repeat: int) -> None:
    _check_invariants(chunk * repeat)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=3), max_size=60), st.sampled_from(["", " "]))
def test_classify_never_raises_on_keyword_and_markup_soup(parts: list[str], sep: str) -> None:
    _check_invariants(sep.join(parts))


@given(st.text())
def test_strip_markup_output_is_single_spaced_and_trimmed(text: str) -> None:
    clean = strip_markup(text)
    assert clean == clean.strip()
    assert "  " not in clean
    assert not any(c in clean for c in "\n\r\t\x00")


@given(st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=8), max_size=40))
def test_the_cached_classifier_answers_as_the_classifier(parts: list[str]) -> None:
    from bot.domain.intents import _classify

    text = " ".join(parts)
    assert classify(text) == _classify(text)
    assert classify(text) == _classify(text)  # the second answer comes from the cache when it is short
