"""Persistence: SQLAlchemy async on SQLite (default) or PostgreSQL."""

from .records import AuditRecord, ConversationRecord, LedgerEntry
from .store import Store

__all__ = ["AuditRecord", "ConversationRecord", "LedgerEntry", "Store"]
