"""Where a ledger keeps its entries: the store interface, and the store in memory."""

from __future__ import annotations

import math
import threading
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar

from stool.errors import StoolError
from stool.policy._ledger._entry import PERIODS, period_key, period_keys

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    from stool.policy._ledger._entry import LedgerEntry

__all__ = [
    "SCHEMA_VERSION",
    "LedgerError",
    "MemoryStore",
    "Store",
    "Transaction",
    "checked_usage",
]

T = TypeVar("T")

SCHEMA_VERSION: Final = 1
"""The version of the database schema this stool writes (and migrates older files to)."""


class LedgerError(StoolError, RuntimeError):
    """A ledger's store could not be opened, read or written.

    Raised for a database that cannot be reached or opened, a file written by a newer
    stool, a store that holds something no ledger writes, a missing `db` extra, or a
    write to a store that does not allow it. The message names the store.
    Bad entries are refused earlier, with a [ValidationError][stool.ValidationError].

    Examples:
        >>> from stool.policy import Ledger, LedgerError
        >>> try:
        ...     Ledger.open("no-such-folder/bends.db")
        ... except LedgerError as error:
        ...     print(str(error).split(":")[0])
        cannot open the ledger sqlite
    """


class Transaction(Protocol):
    """What a check-and-record sees while it holds its store's lock."""

    def usage(self, book: str, rule: str, actor: str, when: str, per: str) -> tuple[int, float]:
        """Return the count and total deviation of the bends in a period."""

    def append(self, entries: Sequence[LedgerEntry]) -> None:
        """Add validated entries; they are committed when the transaction is."""


class Store(Protocol):
    """Where a ledger keeps its entries; every method is safe to call from any thread."""

    label: str
    """The store, in words, for messages and `repr` (never a password)."""

    def usage(self, book: str, rule: str, actor: str, when: str, per: str) -> tuple[int, float]:
        """Return the count and total deviation of the bends in a period (an indexed read)."""

    def append(self, entries: Iterable[LedgerEntry], *, lock: tuple[str, str] | None) -> None:
        """Add validated entries in one transaction, all or none.

        `lock` is the (book, actor) whose check-and-record calls this write must not
        interleave with, or None.
        """

    def atomic(self, book: str, actor: str | None, work: Callable[[Transaction], T]) -> T:
        """Run `work` holding the store's lock for (book, actor), in one transaction.

        `work` reads budgets and appends entries through the transaction it is given;
        they are committed when it returns and discarded if it raises. A store may run
        `work` again after a lost race, so it must not have other effects.
        """

    def iterate(self) -> Iterator[LedgerEntry]:
        """Yield every entry, oldest first, validated as it is read."""

    def bends_of(self, actor: str) -> tuple[LedgerEntry, ...]:
        """Return the entries of `actor`, oldest first (an indexed read)."""

    def count(self) -> int:
        """Return the number of entries."""

    def close(self) -> None:
        """Release connections and files; the store is unusable afterwards."""


def checked_usage(label: str, count: Any, total: Any) -> tuple[int, float]:
    """Return a store's count and total of a period, refusing anything no ledger writes.

    Raises:
        LedgerError: If the count is not a whole number >= 0 or the total is NaN or
            negative: a store that gives them was written by something else, and a
            NaN total would switch the budget off.
    """
    total = 0.0 if total is None else total
    if (
        type(count) is not int
        or count < 0
        or type(total) not in (int, float)
        or math.isnan(total)
        or total < 0
    ):
        message = f"the ledger {label} gave a count of {count!r} and a total of {total!r}"
        raise LedgerError(message + " for a period; it holds entries stool never writes")
    return count, float(total)


_Key = tuple[str, str, str, str, str]


class _MemoryTransaction:
    """A check-and-record on a memory store: reads the index, buffers the new entries."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self.added: list[LedgerEntry] = []

    def usage(self, book: str, rule: str, actor: str, when: str, per: str) -> tuple[int, float]:
        return self._store.usage(book, rule, actor, when, per)

    def append(self, entries: Sequence[LedgerEntry]) -> None:
        self.added.extend(entries)


class MemoryStore:
    """The entries in a list, with indexes by period and by actor, under one lock.

    Recording appends to the list and updates five period counters per entry: O(1)
    amortised. `usage` is one dict lookup.
    """

    label = "in memory"

    def __init__(self, entries: Iterable[LedgerEntry] = ()) -> None:
        self._lock = threading.RLock()
        self._list: list[LedgerEntry] = []
        self._snapshot: tuple[LedgerEntry, ...] | None = ()
        self._index: dict[_Key, list[Any]] = {}
        self._by_actor: dict[str | None, list[LedgerEntry]] = {}
        self._add(entries)

    def _add(self, entries: Iterable[LedgerEntry]) -> None:
        index = self._index
        by_actor = self._by_actor
        added = False
        for entry in entries:
            added = True
            self._list.append(entry)
            by_actor.setdefault(entry.actor, []).append(entry)
            if entry.actor is None or entry.when is None:
                continue
            book, rule, actor = entry.book, entry.rule, entry.actor
            for per, period in zip(PERIODS, period_keys(entry.when), strict=True):
                key = (book, rule, actor, per, period)
                counter = index.get(key)
                if counter is None:
                    index[key] = [1, entry.deviation]
                else:
                    counter[0] += 1
                    counter[1] += entry.deviation
        if added:
            self._snapshot = None

    def usage(self, book: str, rule: str, actor: str, when: str, per: str) -> tuple[int, float]:
        key = (book, rule, actor, per, period_key(when, per))
        with self._lock:
            counter = self._index.get(key)
            return (0, 0.0) if counter is None else (counter[0], float(counter[1]))

    def append(self, entries: Iterable[LedgerEntry], *, lock: tuple[str, str] | None) -> None:
        del lock  # one lock guards the whole store
        batch = list(entries)
        with self._lock:
            self._add(batch)

    def atomic(self, book: str, actor: str | None, work: Callable[[Transaction], T]) -> T:
        del book, actor  # one lock guards the whole store
        with self._lock:
            transaction = _MemoryTransaction(self)
            result = work(transaction)
            self._add(transaction.added)
            return result

    def entries(self) -> tuple[LedgerEntry, ...]:
        """Return every entry, oldest first, as a tuple built once per change."""
        with self._lock:
            if self._snapshot is None:
                self._snapshot = tuple(self._list)
            return self._snapshot

    def iterate(self) -> Iterator[LedgerEntry]:
        return iter(self.entries())

    def bends_of(self, actor: str) -> tuple[LedgerEntry, ...]:
        with self._lock:
            return tuple(self._by_actor.get(actor, ()))

    def count(self) -> int:
        with self._lock:
            return len(self._list)

    def replace(self, entries: Iterable[LedgerEntry]) -> None:
        """Replace every entry and rebuild the indexes."""
        batch = list(entries)
        with self._lock:
            self._list = []
            self._index = {}
            self._by_actor = {}
            self._snapshot = ()
            self._add(batch)

    def close(self) -> None:
        """Nothing to release."""
