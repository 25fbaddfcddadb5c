"""Persistence: SQLAlchemy async on SQLite (default) or PostgreSQL. Every table is defined in `tables`."""

from .ledger import PhotoLedger
from .optouts import OptOuts
from .records import AuditRecord, ConversationRecord, LedgerEntry
from .store import Store

__all__ = ["AuditRecord", "ConversationRecord", "LedgerEntry", "OptOuts", "PhotoLedger", "Store"]
