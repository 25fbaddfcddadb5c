"""Which Graph and SharePoint the bot talks to: Microsoft's, or the demo tenant's loopback server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .tokens import TokenProvider


@dataclass(frozen=True, slots=True)
class GraphBackend:
    """Where Graph and SharePoint are, how to get tokens for them, and which organisation that is."""

    graph_url: str
    sharepoint_url: str
    tokens: TokenProvider
    tenant_id: str  # the one organisation the bot serves
    tenant_name: str  # the SharePoint host's first label (profile links)
    helpdesk_group: str
    demo_app: Any = None  # the demo tenant's aiohttp application (demo mode only)
    demo_user_ids: tuple[str, ...] | None = None  # the demo's watch list
