"""The bot's own public pages: `/` (about), `/privacy` and `/terms`.

The Teams app package points its developer links here (`python -m bot manifest` defaults them to
`https://<bot-domain>/`, `/privacy` and `/terms`), so they must exist and say what is true of this bot: what it
reads, what it keeps and for how long (the retention settings in force), and who runs it. English and Dutch on
one page; the text is fixed, only numbers from the settings go in.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from aiohttp import web

ABOUT, PRIVACY, TERMS = "about", "privacy", "terms"


@dataclass(frozen=True, slots=True)
class Retention:
    """Days each kind of record is kept (0: kept until deleted by hand)."""

    audit_days: int
    ledger_days: int
    outbox_days: int


def _days(days: int, language: str) -> str:
    if days == 0:
        return (
            "until your IT department deletes it" if language == "en" else "tot je IT-afdeling het verwijdert"
        )
    return f"{days} days" if language == "en" else f"{days} dagen"


def _privacy(language: str, keep: Retention) -> tuple[str, list[str]]:
    if language == "en":
        return "PhotoSync: privacy", [
            "PhotoSync is run by your organisation's IT department, on its own servers, for its own Microsoft 365 "
            "tenant. It answers one question: why does my profile photo look old in some places?",
            "What it reads: your name, e-mail address and profile photo from Microsoft Graph, and the picture and "
            "photo state SharePoint shows for you. Pictures are compared in memory and not stored.",
            "What it keeps: how to reach you in Teams (while the app is installed); per photo version a short "
            f"fingerprint and when it was first seen ({_days(keep.ledger_days, language)} after you were last "
            f"seen); a log of every check and sync (who, whom, when, outcome: {_days(keep.audit_days, language)}); "
            f"notices sent to you ({_days(keep.outbox_days, language)}); and whether you said 'stop'.",
            "Nothing is shared outside your organisation. Send 'stop' to the bot for no more notices; ask your IT "
            "department to see or delete what is kept about you.",
        ]
    return "PhotoSync: privacy", [
        "PhotoSync wordt beheerd door de IT-afdeling van je organisatie, op haar eigen servers, voor haar eigen "
        "Microsoft 365-tenant. Het beantwoordt één vraag: waarom ziet mijn profielfoto er op sommige plekken oud "
        "uit?",
        "Wat het leest: je naam, e-mailadres en profielfoto uit Microsoft Graph, en de afbeelding en fotostatus "
        "die SharePoint voor je toont. Afbeeldingen worden in het geheugen vergeleken en niet opgeslagen.",
        "Wat het bewaart: hoe je in Teams te bereiken bent (zolang de app geïnstalleerd is); per fotoversie een "
        f"korte vingerafdruk en wanneer die voor het eerst gezien is ({_days(keep.ledger_days, language)} nadat je "
        f"het laatst gezien bent); een logboek van elke controle en synchronisatie (wie, over wie, wanneer, "
        f"uitkomst: {_days(keep.audit_days, language)}); meldingen aan jou "
        f"({_days(keep.outbox_days, language)}); en of je 'stop' hebt gezegd.",
        "Niets wordt buiten je organisatie gedeeld. Stuur 'geen meldingen meer' naar de bot om geen meldingen "
        "meer te krijgen; vraag je IT-afdeling om in te zien of te verwijderen wat over jou bewaard wordt.",
    ]


def _terms(language: str) -> tuple[str, list[str]]:
    if language == "en":
        return "PhotoSync: terms of use", [
            "PhotoSync is provided by your organisation's IT department for use with your work account. Use it "
            "to check and refresh your own profile photo; helpdesk staff may check colleagues' photos for support.",
            "It explains what Microsoft 365 shows and starts SharePoint's own photo refresh; it cannot promise when "
            "Microsoft's services update a photo. The software is open source (MIT licence) and comes without "
            "warranty.",
            "Questions: your IT department.",
        ]
    return "PhotoSync: gebruiksvoorwaarden", [
        "PhotoSync wordt door de IT-afdeling van je organisatie aangeboden voor gebruik met je werkaccount. "
        "Gebruik het om je eigen profielfoto te controleren en te verversen; helpdeskmedewerkers mogen voor "
        "ondersteuning de foto's van collega's controleren.",
        "Het legt uit wat Microsoft 365 toont en start de eigen fotoverversing van SharePoint; het kan niet "
        "beloven wanneer de diensten van Microsoft een foto bijwerken. De software is open source (MIT-licentie) "
        "en komt zonder garantie.",
        "Vragen: je IT-afdeling.",
    ]


def _about(language: str) -> tuple[str, list[str]]:
    if language == "en":
        return "PhotoSync", [
            "A Microsoft Teams bot that explains why a profile photo looks old in some places and helps "
            "SharePoint catch up. Ask it in Teams: 'why is my photo old?'.",
        ]
    return "PhotoSync", [
        "Een Microsoft Teams-bot die uitlegt waarom een profielfoto er op sommige plekken oud uitziet en "
        "SharePoint helpt bij te werken. Vraag het in Teams: 'waarom is mijn foto oud?'.",
    ]


def _section(language: str, title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f'<section lang="{language}"><h1>{html.escape(title)}</h1>{body}</section>'


def render(page: str, keep: Retention) -> str:
    """The page in English then Dutch, as a small self-contained HTML document."""
    sections = []
    for language in ("en", "nl"):
        if page == PRIVACY:
            title, paragraphs = _privacy(language, keep)
        elif page == TERMS:
            title, paragraphs = _terms(language)
        else:
            title, paragraphs = _about(language)
        sections.append(_section(language, title, paragraphs))
    links = '<p><a href="/privacy">Privacy</a> · <a href="/terms">Terms / Voorwaarden</a></p>'
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>PhotoSync</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
        f"<body>{''.join(sections)}{links}</body></html>"
    )


def add_routes(router: web.UrlDispatcher, keep: Retention) -> None:
    """GET /, /privacy and /terms (rendered once: the text changes only with the settings)."""
    for path, page in (("/", ABOUT), ("/privacy", PRIVACY), ("/terms", TERMS)):
        body = render(page, keep)

        async def handler(request: web.Request, body: str = body) -> web.Response:
            return web.Response(text=body, content_type="text/html")

        router.add_get(path, handler)
