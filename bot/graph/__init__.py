"""Microsoft Graph and SharePoint Online clients (httpx, retries, msal tokens)."""

from bot.graph.client import GraphClient
from bot.graph.errors import (
    GraphError,
    GraphUnavailable,
    SharePointUnavailable,
    TokenError,
    UserNotFound,
)
from bot.graph.retry import RetryPolicy, retry_after_seconds, send
from bot.graph.sharepoint import SharePointClient
from bot.graph.tokens import MsalTokenProvider, StaticTokenProvider, TokenProvider, load_certificate

__all__ = [
    "GraphClient",
    "GraphError",
    "GraphUnavailable",
    "MsalTokenProvider",
    "RetryPolicy",
    "SharePointClient",
    "SharePointUnavailable",
    "StaticTokenProvider",
    "TokenError",
    "TokenProvider",
    "UserNotFound",
    "load_certificate",
    "retry_after_seconds",
    "send",
]
