"""The SQLite store: a ledger in one file, with the standard library's sqlite3.

SQLite goes through the standard library rather than SQLAlchemy so that a ledger that
survives a restart needs nothing beyond stool's core dependency (attrs), and so that
this store controls its transactions exactly: `BEGIN IMMEDIATE` takes the file's write
lock before a check-and-record reads the budget, which serialises every writer, be it a
thread, a process or another connection. The schema is the one the SQLAlchemy store
creates, so a file written by either opens with the other.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import threading
import time
from typing import TYPE_CHECKING, Any, Final, TypeVar

from stool.errors import ValidationError
from stool.policy._ledger._entry import LedgerEntry, period_range
from stool.policy._ledger._store import SCHEMA_VERSION, LedgerError, checked_usage

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Iterable, Iterator, Sequence

    from stool.policy._ledger._store import Transaction

__all__ = ["SqliteStore", "entry_from_row"]

T = TypeVar("T")

BUSY_TIMEOUT_S: Final = 60.0
"""How long a writer waits for another connection's write lock before giving up."""

_ENTRIES = "stool_ledger_entries"

# The DDL SQLAlchemy emits for the same tables on SQLite (see _sql.py), one list per
# schema version: migrating a file from version n runs the lists n+1, n+2, ...
# Each statement may run again on a file whose migration was cut short.
_MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    (
        """CREATE TABLE IF NOT EXISTS stool_ledger_entries (
            id INTEGER NOT NULL,
            book VARCHAR(200) NOT NULL,
            rule VARCHAR(100) NOT NULL,
            actor VARCHAR(200),
            day DATE,
            deviation DOUBLE NOT NULL,
            unit VARCHAR(200) NOT NULL,
            PRIMARY KEY (id),
            CONSTRAINT stool_ledger_deviation
                CHECK (deviation >= 0 AND deviation <= 1.7976931348623157e308),
            CONSTRAINT stool_ledger_names CHECK (book <> '' AND rule <> '')
        )""",
        (
            "CREATE INDEX IF NOT EXISTS stool_ledger_usage ON stool_ledger_entries "
            "(book, rule, actor, day, deviation)"
        ),
        "CREATE INDEX IF NOT EXISTS stool_ledger_by_actor ON stool_ledger_entries (actor, id)",
        """CREATE TABLE IF NOT EXISTS stool_ledger_locks (
            book VARCHAR(200) NOT NULL,
            actor VARCHAR(200) NOT NULL,
            records INTEGER NOT NULL,
            PRIMARY KEY (book, actor)
        )""",
    ),
)
assert len(_MIGRATIONS) == SCHEMA_VERSION  # noqa: S101 - a schema change adds a migration

_USAGE: Final = (
    f"SELECT count(*), total(deviation) FROM {_ENTRIES} "  # noqa: S608 - constant names only
    "WHERE book = ? AND rule = ? AND actor = ? AND day BETWEEN ? AND ?"
)
_INSERT: Final = (
    f"INSERT INTO {_ENTRIES} (book, rule, actor, day, deviation, unit) "  # noqa: S608 - constant
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_COLUMNS: Final = "id, book, rule, actor, day, deviation, unit"


def entry_from_row(label: str, row: Sequence[Any]) -> LedgerEntry:
    """Build the entry of a database row `(id, book, rule, actor, day, deviation, unit)`.

    Raises:
        ValidationError: If the row holds something no ledger entry allows, naming the
            store, the row's id and the field.
    """
    row_id, book, rule, actor, day, deviation, unit = row
    if day is not None and not isinstance(day, str) and hasattr(day, "isoformat"):
        day = day.isoformat()  # a DATE column read by SQLAlchemy is a datetime.date
    try:
        return LedgerEntry(
            book=book, rule=rule, actor=actor, when=day, deviation=deviation, unit=unit
        )
    except ValidationError as error:
        field = f"{label}: entry {row_id}: {error.field}"
        raise ValidationError(field, error.value, error.allowed) from None


def _row(entry: LedgerEntry) -> tuple[Any, ...]:
    return (entry.book, entry.rule, entry.actor, entry.when, float(entry.deviation), entry.unit)


class _SqliteTransaction:
    """A check-and-record inside `BEGIN IMMEDIATE`: reads and writes on its connection."""

    def __init__(self, connection: sqlite3.Connection, label: str) -> None:
        self._connection = connection
        self._label = label

    def usage(self, book: str, rule: str, actor: str, when: str, per: str) -> tuple[int, float]:
        first, last = period_range(when, per)
        count, total = self._connection.execute(_USAGE, (book, rule, actor, first, last)).fetchone()
        return checked_usage(self._label, count, total)

    def append(self, entries: Sequence[LedgerEntry]) -> None:
        self._connection.executemany(_INSERT, [_row(entry) for entry in entries])


def _journal_wal(connection: sqlite3.Connection) -> str:
    """Switch a connection's file to WAL, retrying while another opener holds the lock.

    SQLite answers "database is locked" at once, without its busy handler, when several
    connections switch a new file's journal mode together; retry within the busy timeout.
    """
    import sqlite3  # noqa: PLC0415 - imported on first use, to keep import stool light

    deadline = time.monotonic() + BUSY_TIMEOUT_S
    pause = 0.001
    while True:
        try:
            mode: str = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        except sqlite3.OperationalError as error:  # noqa: PERF203 - a retry loop
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
        else:
            return mode


class SqliteStore:
    """A ledger in an SQLite file: WAL journal, one transaction per write, full sync.

    One connection per store object (and per process: a store used after `fork` opens
    its own), guarded by a lock, so a ledger object is safe to share between threads;
    other ledger objects, processes and programs on the same file are serialised by
    SQLite's file locks.
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool) -> None:
        self.path = str(pathlib.Path(path).absolute())
        self.label = f"sqlite:{self.path}"
        if not create and not pathlib.Path(self.path).is_file():
            raise LedgerError(f"cannot open the ledger {self.label}: no such file (create=False)")
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._abandoned: list[sqlite3.Connection] = []
        self._connection = self._connect()
        try:
            self._migrate(create=create)
        except BaseException:
            self._connection.close()
            raise

    # ---------------------------------------------------------------- connections

    def _connect(self) -> sqlite3.Connection:
        import sqlite3  # noqa: PLC0415 - imported on first use, to keep import stool light

        try:
            connection = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as error:
            raise LedgerError(f"cannot open the ledger {self.label}: {error}") from None
        try:
            mode = _journal_wal(connection)
            if mode != "wal":
                raise LedgerError(  # noqa: TRY301 - closed below like any other failure
                    f"cannot open the ledger {self.label}: SQLite refused WAL mode ({mode})"
                )
            # FULL: a commit is on disk (the WAL synced) before record() returns.
            connection.execute("PRAGMA synchronous=FULL")
        except sqlite3.Error as error:
            connection.close()
            raise LedgerError(f"cannot open the ledger {self.label}: {error}") from None
        except LedgerError:
            connection.close()
            raise
        return connection

    def _conn(self) -> sqlite3.Connection:
        """Return this process's connection (call with the lock held)."""
        if os.getpid() != self._pid:
            # A connection must not cross a fork: keep the parent's open, unused.
            self._abandoned.append(self._connection)
            self._connection = self._connect()
            self._pid = os.getpid()
        return self._connection

    @contextlib.contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        import sqlite3  # noqa: PLC0415 - already loaded by _connect

        try:
            yield
        except sqlite3.Error as error:
            raise LedgerError(f"cannot {doing} the ledger {self.label}: {error}") from None

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock and an immediate transaction; commit on success, else roll back."""
        with self._lock, self._errors("write to"):
            connection = self._conn()
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    # ------------------------------------------------------------------ migration

    def _migrate(self, *, create: bool) -> None:
        with self._write() as connection:
            version = self._version(connection, create=create)
            if version > SCHEMA_VERSION:
                raise LedgerError(
                    f"cannot open the ledger {self.label}: its schema version is {version}, "
                    f"and this stool reads versions up to {SCHEMA_VERSION}; upgrade stool"
                )
            for statements in _MIGRATIONS[version:]:
                for statement in statements:
                    connection.execute(statement)
            if version == 0:
                connection.execute(
                    "INSERT INTO stool_ledger_schema (id, version) VALUES (1, ?)", (SCHEMA_VERSION,)
                )
            elif version < SCHEMA_VERSION:
                connection.execute("UPDATE stool_ledger_schema SET version = ?", (SCHEMA_VERSION,))

    def _version(self, connection: sqlite3.Connection, *, create: bool) -> int:
        exists = connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
            ("stool_ledger_schema",),
        ).fetchone()[0]
        if not exists:
            if not create:
                raise LedgerError(
                    f"cannot open the ledger {self.label}: the file holds no ledger (create=False)"
                )
            connection.execute(
                "CREATE TABLE stool_ledger_schema "
                "(id INTEGER NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (id))"
            )
            return 0
        rows = connection.execute("SELECT version FROM stool_ledger_schema").fetchall()
        version = rows[0][0] if rows else 0  # no row: a migration that died half way
        if len(rows) > 1 or type(version) is not int or (rows and version < 1):
            raise LedgerError(
                f"cannot open the ledger {self.label}: its table stool_ledger_schema holds "
                f"{[tuple(row) for row in rows]!r}, not one schema version"
            )
        return version

    # --------------------------------------------------------------------- reads

    def usage(self, book: str, rule: str, actor: str, when: str, per: str) -> tuple[int, float]:
        first, last = period_range(when, per)
        with self._lock, self._errors("read"):
            row = self._conn().execute(_USAGE, (book, rule, actor, first, last)).fetchone()
        return checked_usage(self.label, row[0], row[1])

    def iterate(self) -> Iterator[LedgerEntry]:
        # Page by id, releasing the lock between pages. Writers hold the file's write
        # lock from BEGIN IMMEDIATE to COMMIT, so ids are committed in order and the
        # pages read a consistent prefix of the ledger.
        last = 0
        while True:
            with self._lock, self._errors("read"):
                rows = (
                    self._conn()
                    .execute(
                        f"SELECT {_COLUMNS} FROM {_ENTRIES} "  # noqa: S608 - constant names
                        "WHERE id > ? ORDER BY id LIMIT 10000",
                        (last,),
                    )
                    .fetchall()
                )
            if not rows:
                return
            for row in rows:
                yield entry_from_row(self.label, row)
            last = rows[-1][0]

    def bends_of(self, actor: str) -> tuple[LedgerEntry, ...]:
        with self._lock, self._errors("read"):
            rows = (
                self._conn()
                .execute(
                    f"SELECT {_COLUMNS} FROM {_ENTRIES} WHERE actor = ? ORDER BY id",  # noqa: S608
                    (actor,),
                )
                .fetchall()
            )
        return tuple(entry_from_row(self.label, row) for row in rows)

    def count(self) -> int:
        with self._lock, self._errors("read"):
            return int(self._conn().execute(f"SELECT count(*) FROM {_ENTRIES}").fetchone()[0])  # noqa: S608

    # -------------------------------------------------------------------- writes

    def append(self, entries: Iterable[LedgerEntry], *, lock: tuple[str, str] | None) -> None:
        del lock  # BEGIN IMMEDIATE locks the whole file
        with self._write() as connection:
            batch: list[tuple[Any, ...]] = []
            for entry in entries:
                batch.append(_row(entry))
                if len(batch) == 10_000:
                    connection.executemany(_INSERT, batch)
                    batch = []
            if batch:
                connection.executemany(_INSERT, batch)

    def atomic(self, book: str, actor: str | None, work: Callable[[Transaction], T]) -> T:
        del book, actor  # BEGIN IMMEDIATE locks the whole file
        with self._write() as connection:
            return work(_SqliteTransaction(connection, self.label))

    def close(self) -> None:
        with self._lock:
            self._connection.close()
            for connection in self._abandoned:
                connection.close()
            self._abandoned = []
