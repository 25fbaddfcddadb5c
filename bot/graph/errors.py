"""Errors of the Graph and SharePoint clients. Messages are short and never contain tokens or secrets."""

from __future__ import annotations


class GraphError(Exception):
    """Base class: a Microsoft Graph or SharePoint call did not give a usable answer."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # HTTP status when there was one


class GraphUnavailable(GraphError):
    """Graph could not be read (5xx/429 after retries, malformed answer, transport error)."""


class UserNotFound(GraphError):
    """Graph does not know the user (404 on the user)."""


class SharePointUnavailable(GraphError):
    """SharePoint's user profile service could not be read."""


class TokenError(GraphError):
    """No access token could be acquired (message holds the error code, never a credential)."""
