"""The Ledger: an explicit record of bends, so that budgets on bending can be enforced."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import IO, TYPE_CHECKING, Any

from stool.enums import Authority, Verdict
from stool.errors import ValidationError
from stool.policy._decision import Decision
from stool.policy._errors import PolicyEvaluationError
from stool.policy._ledger._entry import LedgerEntry, check_text, entry_from_data, iso_date
from stool.policy._ledger._jsonl import entry_data, read_jsonl, write_jsonl
from stool.policy._ledger._store import LedgerError, MemoryStore, Store, Transaction
from stool.serialization import register

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import TracebackType

    from typing_extensions import Self

    from stool.policy._book import PolicyBook

__all__ = ["Ledger"]

_Known = Mapping[str, Mapping[str, str]]
"""Book name -> {id of a limit rule -> its unit}: what a ledger with `books` accepts."""


def _known_of(books: Any) -> _Known | None:
    """Return the rules each of `books` lets an actor bend, or None for no books."""
    if books is None:
        return None
    from stool.policy._book import PolicyBook  # noqa: PLC0415 - _book imports this module

    if isinstance(books, PolicyBook) or not isinstance(books, Iterable):
        raise ValidationError("Ledger.books", books, "an iterable of PolicyBooks, or None")
    known: dict[str, dict[str, str]] = {}
    for book in books:
        if not isinstance(book, PolicyBook):
            raise ValidationError("Ledger.books", book, "a PolicyBook")
        known[book.name] = {rule.id: rule.unit for rule in book.rules if rule.kind == "limit"}
    return known


class _InTransaction:
    """The store of the ledger a check-and-record hands to `evaluate`: reads only."""

    def __init__(self, transaction: Transaction, label: str) -> None:
        self._transaction = transaction
        self.label = label

    def usage(self, book: str, rule: str, actor: str, when: str, per: str) -> tuple[int, float]:
        return self._transaction.usage(book, rule, actor, when, per)

    def _refuse(self, *_: Any, **__: Any) -> Any:
        raise LedgerError(
            f"the ledger {self.label} inside evaluate_and_record only reads budgets; "
            "evaluate_and_record records the decision itself"
        )

    append = atomic = iterate = bends_of = count = _refuse

    def close(self) -> None:
        """Nothing to release: the transaction belongs to the ledger."""


class Ledger:
    """The bends made so far: what budgets on bending count against.

    A ledger is state that you own: pass it to
    [PolicyBook.evaluate][stool.policy.PolicyBook.evaluate] to have budgets checked,
    and [record][stool.policy.Ledger.record] the decisions that were acted on, or do
    both in one step with [evaluate_and_record][stool.policy.Ledger.evaluate_and_record].
    Evaluating alone never records anything, so a what-if evaluation spends no budget.
    Nothing is global and nothing reads the clock: who and when come from the
    decisions (`actor=` and `when=` of `evaluate`).

    Where the entries live is the ledger's store; the API is the same for all of them:

    - `Ledger()` keeps them in memory, for scenarios, notebooks and tests;
    - [Ledger.open("bends.db")][stool.policy.Ledger.open] keeps them in an SQLite file
      that survives a restart;
    - `Ledger.open("postgresql+psycopg://...")` keeps them in any database SQLAlchemy
      reaches (the `db` extra), for processes and servers that share one budget.

    A ledger in memory round-trips through [unstructure][stool.unstructure] and
    [structure][stool.structure]; every ledger exports and imports its entries as
    JSON Lines.

    Thread safety: a ledger is safe to share between threads. Every store serialises
    its writes, and [evaluate_and_record][stool.policy.Ledger.evaluate_and_record] is
    atomic against every other writer of the same store: threads sharing the ledger,
    other ledger objects on the same file or database, other processes, other servers.

    Args:
        entries: The bends recorded before, oldest first.
        books: The policy books whose bends this ledger holds, or None to accept any.
            With books, every entry on every way in must name one of them and a limit
            rule of it, in the rule's unit.

    Examples:
        >>> from stool.policy import Ledger, load_example
        >>> book, ledger = load_example("returns"), Ledger()
        >>> late = {"action": "refund", "days_since_purchase": 33, "refund_amount": 10.0,
        ...         "purchase_price": 10.0, "item_category": "kitchen"}
        >>> for _ in range(4):
        ...     decision = book.evaluate(late, ledger=ledger, actor="rep-7", when="2024-06-01")
        ...     _ = ledger.record(decision)
        >>> decision.verdict.name, len(ledger.entries)
        ('BROKEN', 3)
    """

    __slots__ = ("_known", "_store")

    _known: _Known | None
    _store: Store

    def __init__(
        self, *, entries: Iterable[LedgerEntry] = (), books: Iterable[PolicyBook] | None = None
    ) -> None:
        self._known = _known_of(books)
        self._store = MemoryStore(self._checked(entries, "Ledger.entries"))

    @classmethod
    def open(
        cls,
        target: str | os.PathLike[str] | Any,
        *,
        books: Iterable[PolicyBook] | None = None,
        create: bool = True,
    ) -> Ledger:
        """Open the ledger stored in a file or a database, creating it if need be.

        - A path (`"bends.db"`) is an SQLite file, written with the standard library's
          `sqlite3`: WAL journal, one transaction per write, synced to disk before a
          write returns.
        - A URL (`"postgresql+psycopg://user@host/dbname"`, any URL SQLAlchemy knows),
          a SQLAlchemy `URL` or an `Engine` is a database reached through SQLAlchemy,
          which the `db` extra installs with psycopg for PostgreSQL.

        The ledger's tables are created on first use and migrated when they were
        written by an older stool; their schema version is stored with them.
        Close the ledger (or use it as a context manager) to release its connections.

        Args:
            target: Where the ledger lives.
            books: As for [Ledger][stool.policy.Ledger]: the books whose bends it holds.
            create: Whether to create the file or the tables when there are none;
                `False` refuses a ledger that does not exist yet, so that a mistyped
                path cannot start an empty ledger that no budget counts against.

        Returns:
            The ledger.

        Raises:
            LedgerError: If the store cannot be opened, holds a newer schema than this
                stool reads, needs the `db` extra, or does not exist and `create` is False.
            ValidationError: If `target` is neither a path nor a database URL.

        Examples:
            >>> import pathlib, tempfile
            >>> from stool.policy import Ledger, load_example
            >>> path = pathlib.Path(tempfile.mkdtemp()) / "bends.db"
            >>> late = {"action": "refund", "days_since_purchase": 33, "refund_amount": 10.0,
            ...         "purchase_price": 10.0, "item_category": "kitchen"}
            >>> with Ledger.open(path) as ledger:
            ...     ledger.evaluate_and_record(
            ...         load_example("returns"), late, actor="rep-7", when="2024-06-01"
            ...     ).verdict.name
            'BENT'
            >>> with Ledger.open(path, create=False) as ledger:  # after a restart
            ...     len(ledger)
            1
        """
        if type(create) is not bool:
            raise ValidationError("Ledger.open.create", create, "True or False")
        known = _known_of(books)
        store: Store
        if isinstance(target, (str, os.PathLike)):
            text = os.fspath(target)
            if not isinstance(text, str) or text in ("", ":memory:") or "\x00" in text:
                raise ValidationError(
                    "Ledger.open.target",
                    target,
                    "a file path or a database URL (Ledger() is the ledger in memory)",
                )
            if "://" in text:
                from stool.policy._ledger._sql import SqlStore  # noqa: PLC0415 - needs the db extra

                store = SqlStore(text, create=create)
            else:
                from stool.policy._ledger._sqlite import SqliteStore  # noqa: PLC0415 - on first use

                store = SqliteStore(text, create=create)
        elif type(target).__module__.split(".")[0] == "sqlalchemy":
            from stool.policy._ledger._sql import SqlStore  # noqa: PLC0415 - needs the db extra

            store = SqlStore(target, create=create)
        else:
            raise ValidationError(
                "Ledger.open.target",
                target,
                "a file path, a database URL, or a SQLAlchemy URL or Engine",
            )
        return cls._over(store, known)

    @classmethod
    def _over(cls, store: Store, known: _Known | None) -> Ledger:
        """Return a ledger over `store`, accepting the books of `known`."""
        ledger = cls.__new__(cls)
        cls._attach(ledger, store, known)
        return ledger

    def _attach(self, store: Store, known: _Known | None) -> None:
        self._store = store
        self._known = known

    # ------------------------------------------------------------------ checks

    def _check_known(self, entry: LedgerEntry, field: str) -> LedgerEntry:
        known = self._known
        if known is None:
            return entry
        rules = known.get(entry.book)
        if rules is None:
            names = ", ".join(sorted(known)) or "none"
            raise ValidationError(
                f"{field}.book", entry.book, f"one of the ledger's books: {names}"
            )
        unit = rules.get(entry.rule)
        if unit is None:
            ids = ", ".join(sorted(rules)) or "none"
            raise ValidationError(
                f"{field}.rule", entry.rule, f"a limit rule of book {entry.book!r}: {ids}"
            )
        if entry.unit != unit:
            raise ValidationError(
                f"{field}.unit", entry.unit, f"{unit!r}, the unit of rule {entry.rule!r}"
            )
        return entry

    def _checked(self, entries: Any, field: str) -> list[LedgerEntry]:
        if isinstance(entries, (str, bytes, Mapping)) or not isinstance(entries, Iterable):
            raise ValidationError(field, entries, "an iterable of LedgerEntry")
        checked = []
        for number, entry in enumerate(entries):
            if not isinstance(entry, LedgerEntry):
                raise ValidationError(f"{field}[{number}]", entry, "a LedgerEntry")
            checked.append(self._check_known(entry, f"{field}[{number}]"))
        return checked

    def _entries_of(self, decision: Decision) -> list[LedgerEntry]:
        added: list[LedgerEntry] = []
        for finding in decision.findings:
            if finding.verdict is not Verdict.BENT:
                continue
            if finding.budget_used is not None and (
                decision.actor is None or decision.when is None
            ):
                raise PolicyEvaluationError(  # pragma: no cover - evaluate refuses this first
                    "a budgeted bend needs the decision's actor and when", rule=finding.rule
                )
            entry = LedgerEntry(
                book=decision.book,
                rule=finding.rule,
                actor=decision.actor,
                when=decision.when,
                deviation=finding.deviation,
                unit=finding.unit,
            )
            added.append(self._check_known(entry, "LedgerEntry"))
        return added

    def _known_entries(self, entries: Iterable[LedgerEntry]) -> Iterator[LedgerEntry]:
        label = self._store.label
        for entry in entries:
            yield self._check_known(entry, f"{label}: entry")

    # ------------------------------------------------------------------ reads

    @property
    def store(self) -> str:
        """Where the entries live, in words.

        `in memory`, `sqlite:/path/bends.db`, or the database URL without its password.
        """
        return self._store.label

    @property
    def entries(self) -> tuple[LedgerEntry, ...]:
        """Every recorded bend, oldest first.

        A ledger in a database reads them all; for a large one, prefer
        [bends_of][stool.policy.Ledger.bends_of] or
        [export_jsonl][stool.policy.Ledger.export_jsonl].
        Assigning entries replaces them all, in a ledger in memory only: a ledger in a
        file or a database is an append-only audit trail.
        """
        store = self._store
        if isinstance(store, MemoryStore):
            return store.entries()
        return tuple(self._known_entries(store.iterate()))

    @entries.setter
    def entries(self, entries: Iterable[LedgerEntry]) -> None:
        store = self._store
        if not isinstance(store, MemoryStore):
            raise LedgerError(
                f"the ledger {store.label} is append-only: its entries cannot be replaced"
            )
        store.replace(self._checked(entries, "Ledger.entries"))

    def usage(self, *, book: str, rule: str, actor: str, when: str, per: str) -> tuple[int, float]:
        """Return how many bends, and how much deviation in total, `actor` made of `rule`.

        An indexed read in every store: a dict lookup in memory, one range scan of an
        index in a database.

        Args:
            book: The policy book's name.
            rule: The rule's id.
            actor: Who.
            when: An ISO date inside the period (or a `datetime.date`).
            per: The period: `day`, `week`, `month`, `quarter` or `year`.

        Returns:
            The number of bends and the sum of their deviations in that period.

        Raises:
            ValidationError: If `book`, `rule` or `actor` is not a string, `when` not a
                date or `per` not a period.
            LedgerError: If the store cannot be read.

        Examples:
            >>> from stool.policy import Ledger, LedgerEntry
            >>> ledger = Ledger(entries=[LedgerEntry(book="returns", rule="refund-window",
            ...     actor="rep-7", when="2024-06-03", deviation=2.0, unit="days")])
            >>> ledger.usage(book="returns", rule="refund-window", actor="rep-7",
            ...              when="2024-06-30", per="month")
            (1, 2.0)
        """
        if type(book) is not str or type(rule) is not str or type(actor) is not str:
            name, value = next(
                (name, value)
                for name, value in (("book", book), ("rule", rule), ("actor", actor))
                if type(value) is not str
            )
            raise ValidationError(f"usage.{name}", value, "a string")
        day = when if type(when) is str and len(when) == 10 else iso_date(when, field="usage.when")
        return self._store.usage(book, rule, actor, day, per)

    def bends_of(self, actor: str) -> tuple[LedgerEntry, ...]:
        """Return the recorded bends of `actor`, oldest first (an indexed read).

        Examples:
            >>> from stool.policy import Ledger, LedgerEntry
            >>> Ledger(entries=[LedgerEntry(book="b", rule="r", actor="rep-7")]).bends_of("rep-9")
            ()
        """
        return tuple(self._known_entries(self._store.bends_of(actor)))

    def __len__(self) -> int:
        """Return the number of recorded bends."""
        return self._store.count()

    def __eq__(self, other: object) -> bool:
        """Two ledgers are equal when they hold the same entries in the same order."""
        if not isinstance(other, Ledger):
            return NotImplemented
        return self is other or self.entries == other.entries

    # A ledger changes, so it has no hash.
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        store = self._store
        if isinstance(store, MemoryStore):
            return f"Ledger(entries={store.entries()!r})"
        return f"Ledger.open({store.label!r})"

    # ----------------------------------------------------------------- writes

    def record(self, decision: Decision) -> tuple[LedgerEntry, ...]:
        """Record the bends of a decision that was acted on.

        Every BENT finding becomes a [LedgerEntry][stool.policy.LedgerEntry]; breaks
        and compliant findings are not bends and are not recorded.
        Recording the same decision twice counts its bends twice.
        The entries of one decision are written in one transaction: all or none.
        Recording is O(1) amortised in every store.

        To check a budget and spend it without another caller slipping in between, use
        [evaluate_and_record][stool.policy.Ledger.evaluate_and_record] instead.

        Args:
            decision: A decision from [PolicyBook.evaluate][stool.policy.PolicyBook.evaluate].

        Returns:
            The entries added.

        Raises:
            ValidationError: If `decision` is not a Decision, or a bend of it makes an
                entry no ledger holds (a NaN or infinite deviation, a book or rule this
                ledger does not know).
            LedgerError: If the store cannot be written.
        """
        if not isinstance(decision, Decision):
            raise ValidationError(
                "record.decision", decision, "a Decision from PolicyBook.evaluate"
            )
        added = self._entries_of(decision)
        if added:
            lock = None if decision.actor is None else (decision.book, decision.actor)
            self._store.append(added, lock=lock)
        return tuple(added)

    def evaluate_and_record(
        self,
        book: PolicyBook,
        context: Mapping[str, Any],
        *,
        by: Authority = Authority.AGENT,
        justification: str | None = None,
        actor: str | None = None,
        when: Any = None,
        trace: bool = True,
    ) -> Decision:
        """Judge a context against this ledger's budgets and record it, in one transaction.

        The budgets are read and the bends recorded while the store's lock is held
        (an SQLite file's write lock, taken by `BEGIN IMMEDIATE`; in another database,
        a row lock for the book and the actor), so N concurrent callers against a
        budget of B bends are granted exactly B bends: threads, processes and servers
        alike. The bends are recorded when the decision is BENT, that is when `by` may
        act on it; a COMPLIANT or BROKEN decision records nothing.
        `book.evaluate(context, ledger=ledger, record=True, ...)` does the same.

        Args:
            book: The policy book.
            context: The facts of the proposed action.
            by: The authority acting.
            justification: Why the actor deviates.
            actor: Who acts; needed, with `when`, for rules with a budget.
            when: The date of the action (a `datetime.date` or ISO string).
            trace: Whether the decision carries a trace entry for every rule.

        Returns:
            The [Decision][stool.policy.Decision], as
            [PolicyBook.evaluate][stool.policy.PolicyBook.evaluate] gives it.

        Raises:
            PolicyEvaluationError: As for `evaluate`.
            ValidationError: As for `evaluate`, or if the ledger does not know `book`.
            LedgerError: If the store cannot be written.

        Examples:
            >>> from stool.policy import Ledger, load_example
            >>> book, ledger = load_example("returns"), Ledger()
            >>> late = {"action": "refund", "days_since_purchase": 33, "refund_amount": 10.0,
            ...         "purchase_price": 10.0, "item_category": "kitchen"}
            >>> [
            ...     ledger.evaluate_and_record(book, late, actor="rep-7", when="2024-06-01")
            ...     .verdict.name
            ...     for _ in range(4)
            ... ]
            ['BENT', 'BENT', 'BENT', 'BROKEN']
            >>> len(ledger)
            3
        """
        from stool.policy._book import PolicyBook  # noqa: PLC0415 - _book imports this module

        if not isinstance(book, PolicyBook):
            raise ValidationError("evaluate_and_record.book", book, "a PolicyBook")
        check_text("evaluate.actor", actor, kind="actor", optional=True)
        known = self._known
        if known is not None and book.name not in known:
            names = ", ".join(sorted(known)) or "none"
            raise ValidationError(
                "evaluate_and_record.book", book.name, f"one of the ledger's books: {names}"
            )
        label = self._store.label

        def work(transaction: Transaction) -> Decision:
            view = self._over(_InTransaction(transaction, label), known)
            decision = book.evaluate(
                context,
                by=by,
                ledger=view,
                justification=justification,
                actor=actor,
                when=when,
                trace=trace,
            )
            if decision.verdict is Verdict.BENT:
                transaction.append(self._entries_of(decision))
            return decision

        return self._store.atomic(book.name, actor, work)

    # ---------------------------------------------------------- JSON Lines

    def export_jsonl(self, target: str | os.PathLike[str] | IO[str]) -> int:
        r"""Write every entry, oldest first, as JSON Lines: one JSON object per line.

        Each line is what [unstructure][stool.unstructure] gives for the entry, so an
        auditor reads it with any JSON tool, and
        [import_jsonl][stool.policy.Ledger.import_jsonl] reads it into another store.

        Args:
            target: A path (the file is overwritten) or a text file open for writing.

        Returns:
            The number of entries written.

        Raises:
            ValidationError: If `target` is neither a path that can be written nor a
                text file.
            LedgerError: If the store cannot be read.

        Examples:
            >>> import io
            >>> from stool.policy import Ledger, LedgerEntry
            >>> out = io.StringIO()
            >>> Ledger(entries=[LedgerEntry(book="b", rule="r", deviation=1.5)]).export_jsonl(out)
            1
            >>> out.getvalue()
            '{"book":"b","rule":"r","actor":null,"when":null,"deviation":1.5,"unit":""}\n'
        """
        return write_jsonl(self._known_entries(self._store.iterate()), target)

    def import_jsonl(self, source: str | os.PathLike[str] | IO[Any]) -> int:
        r"""Add the entries of a JSON Lines file, all of them or none.

        Every line is validated as a [LedgerEntry][stool.policy.LedgerEntry] (and
        against the ledger's books) before anything is written, and the entries are
        written in one transaction. Blank lines are skipped. Importing does not check
        budgets: import into a ledger before it is in use, for example when moving to
        another store.

        Args:
            source: A path, or a file open for reading (text or binary, UTF-8).

        Returns:
            The number of entries added.

        Raises:
            ValidationError: On the first bad line, naming the line and the field, or
                if `source` cannot be read.
            LedgerError: If the store cannot be written.

        Examples:
            >>> import io
            >>> from stool.policy import Ledger
            >>> ledger = Ledger()
            >>> ledger.import_jsonl(io.StringIO('{"book": "b", "rule": "r", "deviation": -1}\n'))
            Traceback (most recent call last):
            ...
            stool.errors.ValidationError: line 1: LedgerEntry.deviation: got -1; allowed: ...
        """
        entries = [
            self._check_known(entry, f"line {number}: LedgerEntry")
            for number, entry in read_jsonl(source)
        ]
        if entries:
            self._store.append(entries, lock=None)
        return len(entries)

    # ------------------------------------------------------------- lifetime

    def close(self) -> None:
        """Release the store's connections; a ledger in memory has none.

        The entries stay where they are; open the ledger again to go on.
        """
        self._store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _unstructure_ledger(ledger: Ledger) -> Any:
    return {"entries": [entry_data(entry) for entry in ledger.entries]}


def _structure_ledger(data: Any, path: str) -> Ledger:
    if not isinstance(data, Mapping):
        raise ValidationError(path, data, "an object with the key entries")
    for key in data:
        if key != "entries":
            raise ValidationError(f"{path}.{key}", data[key], "a field of Ledger: entries")
    entries = structure_entries(data.get("entries", []), f"{path}.entries")
    return Ledger(entries=entries)


def structure_entries(data: Any, path: str) -> list[LedgerEntry]:
    """Build ledger entries from JSON data, naming `path[i].field` in errors."""
    if not isinstance(data, (list, tuple)):
        raise ValidationError(path, data, "a list of ledger entries")
    return [entry_from_data(item, f"{path}[{number}]") for number, item in enumerate(data)]


register(Ledger, unstructure=_unstructure_ledger, structure=_structure_ledger)
