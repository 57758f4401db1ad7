"""The Ledger: an explicit record of bends, in memory, in an SQLite file or in a database.

- `_entry`: LedgerEntry, one bend, and the dates and periods budgets count by;
- `_store`: the store interface, LedgerError, and the store in memory;
- `_sqlite`: the SQLite store (standard library);
- `_sql`: the SQLAlchemy store (the `db` extra);
- `_jsonl`: export and import as JSON Lines;
- `_ledger`: the Ledger itself.
"""

from __future__ import annotations

from stool.policy._ledger._entry import (
    MAX_TEXT,
    PERIODS,
    LedgerEntry,
    iso_date,
    period_key,
    period_range,
)
from stool.policy._ledger._ledger import Ledger
from stool.policy._ledger._store import SCHEMA_VERSION, LedgerError

__all__ = [
    "MAX_TEXT",
    "PERIODS",
    "SCHEMA_VERSION",
    "Ledger",
    "LedgerEntry",
    "LedgerError",
    "iso_date",
    "period_key",
    "period_range",
]
