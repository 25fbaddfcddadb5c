"""Reading Adaptive Cards in tests: kind, visible text, actions (nested anywhere)."""

from __future__ import annotations

from typing import Any


def card_kind(card: dict[str, Any]) -> str:
    return str(card["body"][0]["id"])


def card_text(card: dict[str, Any]) -> str:
    """All visible text of a card, flattened."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "value"):
                if isinstance(node.get(key), str):
                    out.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return "\n".join(out)


def block_text(block: dict[str, Any]) -> str:
    """The text of a TextBlock, or of a RichTextBlock's runs (how names from outside are shown)."""
    if block.get("type") == "RichTextBlock":
        return "".join(run["text"] if isinstance(run, dict) else str(run) for run in block["inlines"])
    return str(block["text"])


def card_actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The card's own buttons (one per row, main action first), without the links inside its text."""
    rows = [
        e
        for e in card.get("body", [])
        if e.get("type") == "ActionSet" and str(e.get("id", "")).startswith("actions-")
    ]
    return [row["actions"][0] for row in rows] + list(card.get("actions", []))


def actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Action."):
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found
