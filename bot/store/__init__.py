"""Persistence: SQLAlchemy async on SQLite (default) or PostgreSQL."""

from . import leases as _leases  # noqa: F401 - registers leases
from . import outbox as _outbox  # noqa: F401 - registers notice_outbox on tables.metadata
from . import scan_checkpoint as _scan_checkpoint  # noqa: F401 - registers scan_runs and scan_results
from .optouts import OptOuts  # also registers the notice_optouts table for Store.open()
from .records import AuditRecord, ConversationRecord, LedgerEntry
from .store import Store

__all__ = ["AuditRecord", "ConversationRecord", "LedgerEntry", "OptOuts", "Store"]
