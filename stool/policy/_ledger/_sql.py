"""The SQL store: a ledger in any database SQLAlchemy reaches (PostgreSQL above all).

Written with SQLAlchemy Core only: the tables are SQLAlchemy metadata, the statements
SQLAlchemy constructs, and nothing here knows which database it talks to.

A check-and-record holds a row lock: its first statement is an `UPDATE` of the row of
its (book, actor) in `stool_ledger_locks`, and an `UPDATE` takes that row's write lock
on every SQL database (on SQLite, the file's). A second check-and-record for the same
actor and book waits at that statement until the first commits, and then reads the
budget with the first one's bends in it. The lock row is inserted by the first write
of a (book, actor); two first writes racing for it make one fail on the primary key,
and that one starts over. A serialisation failure or a deadlock reported by the
database (SQLSTATE class 40) also starts the transaction over; nothing is half written,
since each attempt is one transaction.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from typing import TYPE_CHECKING, Any, Final, TypeVar

from stool.errors import ValidationError
from stool.policy._ledger._entry import MAX_TEXT, LedgerEntry, period_range
from stool.policy._ledger._sqlite import entry_from_row
from stool.policy._ledger._store import SCHEMA_VERSION, LedgerError, checked_usage

try:
    import sqlalchemy as sa
except ImportError:  # pragma: no cover - the db extra is installed wherever tests run
    raise LedgerError(
        "a ledger in a database named by a URL needs SQLAlchemy: "
        "pip install 'stool[db]' (SQLAlchemy, and psycopg for PostgreSQL)"
    ) from None

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    from stool.policy._ledger._store import Transaction

__all__ = ["SqlStore"]

T = TypeVar("T")

MAX_ATTEMPTS: Final = 100
"""How often a write starts over after a lost race or a serialisation failure."""

_MIGRATE_ATTEMPTS: Final = 10
"""Openers racing to create a new ledger's tables start over this many times (with the
transactions' random back-off) before a failure is taken to be real: three lost races in
a row happened about once in a dozen runs of a test opening many at once."""


class _Retry(Exception):  # noqa: N818 - a signal within this module, not an error
    """The transaction lost a race and must start over."""


class _Tables:
    """The ledger's tables as SQLAlchemy metadata, and its prepared statements."""

    def __init__(self) -> None:
        self.metadata = metadata = sa.MetaData()
        # One row, id 1: a second writer of the version fails on the primary key,
        # even where DDL is not transactional (SQLite through pysqlite).
        self.schema = sa.Table(
            "stool_ledger_schema",
            metadata,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("version", sa.Integer, nullable=False),
        )
        self.entries = entries = sa.Table(
            "stool_ledger_entries",
            metadata,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("book", sa.String(MAX_TEXT["book"]), nullable=False),
            sa.Column("rule", sa.String(MAX_TEXT["rule"]), nullable=False),
            sa.Column("actor", sa.String(MAX_TEXT["actor"])),
            sa.Column("day", sa.Date),
            sa.Column("deviation", sa.Double, nullable=False),
            sa.Column("unit", sa.String(MAX_TEXT["unit"]), nullable=False),
            sa.CheckConstraint(
                "deviation >= 0 AND deviation <= 1.7976931348623157e308",
                name="stool_ledger_deviation",
            ),
            sa.CheckConstraint("book <> '' AND rule <> ''", name="stool_ledger_names"),
            sa.Index("stool_ledger_usage", "book", "rule", "actor", "day", "deviation"),
            sa.Index("stool_ledger_by_actor", "actor", "id"),
        )
        self.locks = locks = sa.Table(
            "stool_ledger_locks",
            metadata,
            sa.Column("book", sa.String(MAX_TEXT["book"]), primary_key=True),
            sa.Column("actor", sa.String(MAX_TEXT["actor"]), primary_key=True),
            sa.Column("records", sa.Integer, nullable=False),
        )
        c = entries.c
        self.columns = (c.id, c.book, c.rule, c.actor, c.day, c.deviation, c.unit)
        self.usage = sa.select(sa.func.count(), sa.func.sum(c.deviation)).where(
            c.book == sa.bindparam("book"),
            c.rule == sa.bindparam("rule"),
            c.actor == sa.bindparam("actor"),
            c.day.between(sa.bindparam("first"), sa.bindparam("last")),
        )
        self.insert = sa.insert(entries)
        self.lock = (
            sa.update(locks)
            .where(locks.c.book == sa.bindparam("b"), locks.c.actor == sa.bindparam("a"))
            .values(records=locks.c.records + 1)
        )
        self.new_lock = sa.insert(locks)


_TABLES: Final = _Tables()


def _row(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "book": entry.book,
        "rule": entry.rule,
        "actor": entry.actor,
        "day": None if entry.when is None else dt.date.fromisoformat(entry.when),
        "deviation": float(entry.deviation),
        "unit": entry.unit,
    }


class _SqlTransaction:
    """A check-and-record on one connection, inside its transaction and row lock."""

    def __init__(self, connection: sa.Connection, label: str) -> None:
        self._connection = connection
        self._label = label

    def usage(self, book: str, rule: str, actor: str, when: str, per: str) -> tuple[int, float]:
        first, last = period_range(when, per)
        count, total = self._connection.execute(
            _TABLES.usage,
            {
                "book": book,
                "rule": rule,
                "actor": actor,
                "first": dt.date.fromisoformat(first),
                "last": dt.date.fromisoformat(last),
            },
        ).one()
        return checked_usage(self._label, count, total)

    def append(self, entries: Sequence[LedgerEntry]) -> None:
        if entries:
            self._connection.execute(_TABLES.insert, [_row(entry) for entry in entries])


class SqlStore:
    """A ledger in a database reached through SQLAlchemy: one transaction per write."""

    def __init__(self, target: Any, *, create: bool) -> None:
        if isinstance(target, sa.engine.Engine):
            engine, self._owned = target, False
        else:
            try:
                url = sa.engine.make_url(target)
            except sa.exc.ArgumentError:
                raise ValidationError(
                    "Ledger.open.target",
                    target,
                    "a file path, or a database URL such as "
                    "'postgresql+psycopg://user@host/dbname'",
                ) from None
            try:
                engine = sa.create_engine(url)
            except (ImportError, sa.exc.SQLAlchemyError) as error:
                raise LedgerError(
                    f"cannot open the ledger {url.render_as_string(hide_password=True)}: "
                    f"{type(error).__name__}: {error} (is its database driver installed?)"
                ) from None
            self._owned = True
        self._engine = engine
        self._autocommit = True
        self._pid = os.getpid()
        self.label = engine.url.render_as_string(hide_password=True)
        try:
            self._migrate(create=create)
        except BaseException:
            if self._owned:
                engine.dispose()
            raise

    # ---------------------------------------------------------------- plumbing

    def _engine_here(self) -> sa.Engine:
        if os.getpid() != self._pid:
            # Pooled connections must not cross a fork: the child opens its own.
            self._engine.dispose(close=False)
            self._pid = os.getpid()
        return self._engine

    def _failure(self, doing: str, error: BaseException) -> LedgerError:
        detail = getattr(error, "orig", None) or error
        text = str(detail).strip().splitlines()[0] if str(detail).strip() else repr(detail)
        return LedgerError(f"cannot {doing} the ledger {self.label}: {text}")

    def _retryable(self, error: BaseException) -> bool:
        orig = getattr(error, "orig", None)
        code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
        return isinstance(code, str) and code.startswith("40")

    def _transaction(self, doing: str, work: Callable[[sa.Connection], T]) -> T:
        """Run `work` in one transaction, starting over after a lost race.

        A connection the server dropped (a restart) is replaced and the transaction
        started over, unless it was lost while committing: then whether it committed
        cannot be known, and the error says so rather than risk writing twice.
        """
        for attempt in range(MAX_ATTEMPTS):
            committing = False
            try:
                with self._engine_here().begin() as connection:
                    result = work(connection)
                    committing = True
            except _Retry:
                pass
            except sa.exc.DBAPIError as error:
                if error.connection_invalidated and committing:
                    raise LedgerError(
                        f"cannot {doing} the ledger {self.label}: the connection was lost "
                        "while committing, so the write may or may not have been made"
                    ) from None
                if not (error.connection_invalidated or self._retryable(error)):
                    raise self._failure(doing, error) from None
            except sa.exc.SQLAlchemyError as error:
                raise self._failure(doing, error) from None
            else:
                return result
            # Back off a little, at random, so that racing writers spread out.
            time.sleep(random.uniform(0, min(0.05, 0.001 * 2**attempt)))  # noqa: S311 - jitter
        raise LedgerError(
            f"cannot {doing} the ledger {self.label}: still losing races after "
            f"{MAX_ATTEMPTS} attempts"
        )

    def _lock(self, connection: sa.Connection, book: str, actor: str) -> None:
        """Take the row lock of (book, actor), inserting its row on first use."""
        tables = _TABLES
        if connection.execute(tables.lock, {"b": book, "a": actor}).rowcount == 0:
            try:
                connection.execute(tables.new_lock, {"book": book, "actor": actor, "records": 1})
            except sa.exc.IntegrityError:
                raise _Retry from None  # another writer inserted it first: start over

    def _read(self, doing: str, work: Callable[[sa.Connection], T]) -> T:
        """Run the read `work`, in autocommit where the database offers it.

        One statement needs no transaction of its own, and autocommit saves the round
        trips of BEGIN and ROLLBACK. A read on a connection the server dropped (a
        restart) is tried once more, on a new connection.
        """
        for attempt in (1, 2):
            try:
                with self._engine_here().connect() as connection:
                    if self._autocommit:
                        try:
                            connection.execution_options(isolation_level="AUTOCOMMIT")
                        except sa.exc.ArgumentError:  # a database without autocommit
                            self._autocommit = False
                    return work(connection)
            except sa.exc.DBAPIError as error:  # noqa: PERF203 - a second try at most
                if not (error.connection_invalidated and attempt == 1):
                    raise self._failure(doing, error) from None
            except sa.exc.SQLAlchemyError as error:
                raise self._failure(doing, error) from None
        raise AssertionError  # pragma: no cover - the loop returns or raises

    # --------------------------------------------------------------- migration

    def _migrate(self, *, create: bool) -> None:
        tables = _TABLES

        def migrate(connection: sa.Connection) -> None:
            version = self._version(connection, create=create)
            if version > SCHEMA_VERSION:
                raise LedgerError(
                    f"cannot open the ledger {self.label}: its schema version is {version}, "
                    f"and this stool reads versions up to {SCHEMA_VERSION}; upgrade stool"
                )
            for step in _MIGRATIONS[version:]:
                step(connection, tables)
            if version == 0:
                connection.execute(sa.insert(tables.schema).values(id=1, version=SCHEMA_VERSION))
            elif version < SCHEMA_VERSION:
                connection.execute(sa.update(tables.schema).values(version=SCHEMA_VERSION))

        attempts = 0

        def attempt(connection: sa.Connection) -> None:
            nonlocal attempts
            attempts += 1
            try:
                migrate(connection)
            except sa.exc.DBAPIError as error:
                if attempts >= _MIGRATE_ATTEMPTS:
                    raise
                # Another process created the tables at the same moment (a duplicate
                # table, or a duplicate version row): read them again.
                raise _Retry from error

        self._transaction("open", attempt)

    def _version(self, connection: sa.Connection, *, create: bool) -> int:
        """Return the schema version of the database; 0 when it holds no ledger yet."""
        if not sa.inspect(connection).has_table("stool_ledger_schema"):
            if not create:
                raise LedgerError(
                    f"cannot open the ledger {self.label}: it holds no ledger (create=False)"
                )
            return 0
        rows = connection.execute(sa.select(_TABLES.schema.c.version)).all()
        # No row yet: another opener is creating the tables (where DDL is not
        # transactional) or died doing so; creating what is missing is safe.
        version = rows[0][0] if rows else 0
        if len(rows) > 1 or type(version) is not int or (rows and version < 1):
            raise LedgerError(
                f"cannot open the ledger {self.label}: its table stool_ledger_schema "
                f"holds {[tuple(row) for row in rows]!r}, not one schema version"
            )
        return version

    # ------------------------------------------------------------------- reads

    def usage(self, book: str, rule: str, actor: str, when: str, per: str) -> tuple[int, float]:
        label = self.label
        return self._read(
            "read",
            lambda connection: _SqlTransaction(connection, label).usage(
                book, rule, actor, when, per
            ),
        )

    def iterate(self) -> Iterator[LedgerEntry]:
        tables = _TABLES
        statement = sa.select(*tables.columns).order_by(tables.entries.c.id)
        try:
            with self._engine_here().connect() as connection:
                # One statement, so one snapshot of the ledger, read 10,000 rows at a time.
                result = connection.execution_options(yield_per=10_000).execute(statement)
                try:
                    for row in result:
                        yield entry_from_row(self.label, row)
                finally:
                    result.close()
        except sa.exc.SQLAlchemyError as error:
            raise self._failure("read", error) from None

    def bends_of(self, actor: str) -> tuple[LedgerEntry, ...]:
        tables = _TABLES
        statement = (
            sa.select(*tables.columns)
            .where(tables.entries.c.actor == actor)
            .order_by(tables.entries.c.id)
        )
        rows = self._read("read", lambda connection: connection.execute(statement).all())
        return tuple(entry_from_row(self.label, row) for row in rows)

    def count(self) -> int:
        statement = sa.select(sa.func.count()).select_from(_TABLES.entries)
        return int(
            self._read("read", lambda connection: connection.execute(statement).scalar_one())
        )

    # ------------------------------------------------------------------ writes

    def append(self, entries: Iterable[LedgerEntry], *, lock: tuple[str, str] | None) -> None:
        rows = [_row(entry) for entry in entries]
        tables = _TABLES

        def write(connection: sa.Connection) -> None:
            if lock is not None:
                self._lock(connection, *lock)
            for start in range(0, len(rows), 10_000):
                connection.execute(tables.insert, rows[start : start + 10_000])

        if rows:
            self._transaction("write to", write)

    def atomic(self, book: str, actor: str | None, work: Callable[[Transaction], T]) -> T:
        label = self.label

        def attempt(connection: sa.Connection) -> T:
            if actor is not None:
                self._lock(connection, book, actor)
            return work(_SqlTransaction(connection, label))

        return self._transaction("write to", attempt)

    def close(self) -> None:
        if self._owned:
            self._engine.dispose()


def _create_v1(connection: sa.Connection, tables: _Tables) -> None:
    tables.metadata.create_all(connection)


_MIGRATIONS: Final = (_create_v1,)
assert len(_MIGRATIONS) == SCHEMA_VERSION  # noqa: S101 - a schema change adds a migration
