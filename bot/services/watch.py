"""Who the drift scan watches: users listed in a CSV, members of an Entra group, users synced from on-premises.

The configured sources are unioned (first occurrence kept, order: CSV, group, synced). With none configured,
the demo tenant's users in demo mode, else None (the caller decides: warn, or ask for `--users`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.services.scan import load_watch_list
from bot.settings import Settings


class DirectoryReader(Protocol):
    async def group_member_ids(self, group_id: str) -> list[str]: ...
    async def synced_user_ids(self) -> list[str]: ...


def configured(settings: Settings) -> bool:
    return settings.watch_csv is not None or bool(settings.watch_group_id.strip()) or settings.watch_synced


async def resolve_watch_list(
    settings: Settings, graph: DirectoryReader, demo_user_ids: Sequence[str] | None
) -> list[str] | None:
    """Union of the configured sources (Graph errors propagate); see the module docstring for the fallbacks."""
    if not configured(settings):
        return list(demo_user_ids) if settings.demo and demo_user_ids is not None else None
    ids: list[str] = []
    if settings.watch_csv is not None:
        ids += load_watch_list(settings.watch_csv)
    if group := settings.watch_group_id.strip():
        ids += await graph.group_member_ids(group)
    if settings.watch_synced:
        ids += await graph.synced_user_ids()
    return list(dict.fromkeys(ids))


__all__ = ["DirectoryReader", "configured", "resolve_watch_list"]
