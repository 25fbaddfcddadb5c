"""The subset of Graph's `$filter` and `$search` on users that a helpdesk name search needs.

$filter: `startswith(prop,'x')`, `prop eq 'x'`, `prop eq true|false|null`, joined by `and` / `or`
(`and` binds tighter; no parentheses). Case-insensitive like Graph. Properties: see `FILTERABLE`.
$search: `"prop:term"` clauses joined by AND / OR (needs `ConsistencyLevel: eventual`); a term matches a
word of the property that starts with it (Graph tokenizes names the same way).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.demo.tenant import DemoUser

Predicate = Callable[[DemoUser], bool]

FILTERABLE: dict[str, Callable[[DemoUser], object]] = {
    "id": lambda u: u.id,
    "displayname": lambda u: u.display_name,
    "givenname": lambda u: u.given_name,
    "surname": lambda u: u.surname,
    "mail": lambda u: u.mail,
    "userprincipalname": lambda u: u.upn,
    "preferredlanguage": lambda u: u.preferred_language,
    "onpremisessyncenabled": lambda u: u.on_premises_sync_enabled,
}
SEARCHABLE = ("displayname", "givenname", "surname", "mail", "userprincipalname")

_STARTSWITH = re.compile(r"startswith\(\s*(\w+)\s*,\s*'((?:[^']|'')*)'\s*\)", re.IGNORECASE)
_EQ_STRING = re.compile(r"(\w+)\s+eq\s+'((?:[^']|'')*)'", re.IGNORECASE)
_EQ_LITERAL = re.compile(r"(\w+)\s+eq\s+(true|false|null)", re.IGNORECASE)
_SEARCH_CLAUSE = re.compile(r'"\s*(\w+)\s*:([^"]*)"')
_WORD_SPLIT = re.compile(r"[^\w]+")


class QueryError(ValueError):
    """An unsupported or malformed query: Graph answers 400 Request_UnsupportedQuery."""


def _split_top(text: str, word: str) -> list[str]:
    """Split on ` word ` (case-insensitive) outside single-quoted strings."""
    parts: list[str] = []
    start, i, quoted = 0, 0, False
    needle = f" {word} "
    while i < len(text):
        ch = text[i]
        if ch == "'":
            quoted = not quoted
        elif not quoted and text[i : i + len(needle)].lower() == needle:
            parts.append(text[start:i])
            i += len(needle)
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _getter(prop: str) -> Callable[[DemoUser], object]:
    getter = FILTERABLE.get(prop.lower())
    if getter is None:
        raise QueryError(
            f"Unsupported or invalid query filter clause specified for property '{prop}' of resource 'User'."
        )
    return getter


def _atom(text: str) -> Predicate:
    if m := _STARTSWITH.fullmatch(text):
        get, prefix = _getter(m[1]), m[2].replace("''", "'").lower()
        return lambda u: isinstance(v := get(u), str) and v.lower().startswith(prefix)
    if m := _EQ_STRING.fullmatch(text):
        get, value = _getter(m[1]), m[2].replace("''", "'").lower()
        return lambda u: isinstance(v := get(u), str) and v.lower() == value
    if m := _EQ_LITERAL.fullmatch(text):
        get, literal = _getter(m[1]), {"true": True, "false": False, "null": None}[m[2].lower()]
        return lambda u: get(u) is literal
    raise QueryError(f"Invalid filter clause: {text!r}")


def parse_filter(text: str) -> Predicate:
    if not text.strip():
        raise QueryError("Invalid filter clause: empty")
    alternatives = [[_atom(a) for a in _split_top(o, "and")] for o in _split_top(text.strip(), "or")]
    return lambda u: any(all(p(u) for p in conj) for conj in alternatives)


def parse_search(text: str) -> Predicate:
    clauses = _SEARCH_CLAUSE.findall(text)
    if not clauses:
        raise QueryError('Syntax error: the $search query must be like "displayName:term".')
    preds: list[Predicate] = []
    for prop, term in clauses:
        if prop.lower() not in SEARCHABLE:
            raise QueryError(f"Unsupported property '{prop}' in $search.")
        get, needle = FILTERABLE[prop.lower()], term.strip().lower()

        def pred(u: DemoUser, get: Callable[[DemoUser], object] = get, needle: str = needle) -> bool:
            value = get(u)
            if not isinstance(value, str):
                return False
            low = value.lower()
            return low.startswith(needle) or any(w.startswith(needle) for w in _WORD_SPLIT.split(low) if w)

        preds.append(pred)
    if re.search(r'"\s+OR\s+"', text):
        return lambda u: any(p(u) for p in preds)
    return lambda u: all(p(u) for p in preds)
