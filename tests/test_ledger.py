"""Tests for the ledger and its stores: memory, SQLite (sqlite3), SQLAlchemy and PostgreSQL.

The PostgreSQL tests use the server of `STOOL_TEST_POSTGRES_URL`, or a throwaway server
they start from Debian's binaries (see `postgres_server` in conftest.py).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import os
import pathlib
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stool
from stool import Authority, Verdict
from stool.policy import (
    PERIODS,
    Cause,
    Decision,
    Finding,
    Ledger,
    LedgerEntry,
    LedgerError,
    PolicyBook,
)
from stool.policy._ledger import SCHEMA_VERSION, period_key, period_range
from stool.policy._ledger import _sqlite as sqlite_store
from stool.policy._ledger._ledger import _InTransaction

WORKER = pathlib.Path(__file__).with_name("ledger_worker.py")
DAY = "2024-06-01"
REQUEST = {"days": 33, "amount": 110}
"""Bends both rules of `book()`: the window by 3 days, the amount by 10."""


def book(*, bends: int = 3, name: str = "contended") -> PolicyBook:
    """Two limits a refund bends at once; the window has a daily budget (as the worker's)."""
    return PolicyBook.from_data(
        {
            "name": name,
            "context": {"days": "number", "amount": "number"},
            "rule": [
                {
                    "id": "window",
                    "kind": "limit",
                    "quantity": "days",
                    "max": 30,
                    "unit": "days",
                    "bend": {"agent": 5, "supervisor": 10},
                    "budget": {"per": "day", "bends": bends},
                    "rationale": "Refunds are for the first 30 days.",
                },
                {
                    "id": "amount",
                    "kind": "limit",
                    "quantity": "amount",
                    "max": 100,
                    "unit": "currency",
                    "bend": {"agent": 20},
                    "rationale": "Refunds above 100 need a reason.",
                },
                {
                    "id": "never",
                    "kind": "hard",
                    "forbid": "amount > 1000",
                    "rationale": "Nothing above 1000.",
                },
            ],
        }
    )


def entry(**changes: Any) -> LedgerEntry:
    """A valid bend of the window, with `changes`."""
    fields: dict[str, Any] = {
        "book": "contended",
        "rule": "window",
        "actor": "rep-7",
        "when": DAY,
        "deviation": 3.0,
        "unit": "days",
    }
    fields.update(changes)
    return LedgerEntry(**fields)


def open_ledger(target: str | None, **options: Any) -> Ledger:
    """A ledger in memory (target None) or opened at `target`."""
    return Ledger(**options) if target is None else Ledger.open(target, **options)


STORES = ("memory", "sqlite", "sqlalchemy-sqlite", "postgresql")
DATABASES = STORES[1:]


@pytest.fixture(params=STORES)
def target(request, tmp_path) -> str | None:
    """Where a ledger lives: None for memory, a path, or a database URL."""
    return _target(request.param, request, tmp_path)


@pytest.fixture(params=DATABASES)
def database(request, tmp_path) -> str:
    """A file path or a database URL, for the stores that outlive a process."""
    found = _target(request.param, request, tmp_path)
    assert found is not None
    return found


def _target(kind: str, request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> str | None:
    if kind == "memory":
        return None
    if kind == "sqlite":
        return str(tmp_path / "bends.db")
    if kind == "sqlalchemy-sqlite":
        return f"sqlite:///{tmp_path / 'alchemy.db'}"
    return str(request.getfixturevalue("postgres_url"))


def recount(entries: list[LedgerEntry], **query: str) -> tuple[int, float]:
    """Count a period's bends by reading every entry: what an index must agree with."""
    key = period_key(query["when"], query["per"])
    found = [
        e
        for e in entries
        if (e.book, e.rule, e.actor) == (query["book"], query["rule"], query["actor"])
        and e.when is not None
        and period_key(e.when, query["per"]) == key
    ]
    return len(found), float(math.fsum(e.deviation for e in found))


days = st.dates(min_value=dt.date(2023, 12, 20), max_value=dt.date(2024, 1, 12)).map(
    dt.date.isoformat
)
ledger_entries = st.builds(
    LedgerEntry,
    book=st.just("contended"),
    rule=st.sampled_from(["window", "amount"]),
    actor=st.none() | st.sampled_from(["rep-7", "rep-8"]),
    when=st.none() | days,
    deviation=st.integers(0, 10**6).map(float) | st.floats(0, 1e6),
    unit=st.just("days"),
)


class TestLedgerEntry:
    def test_a_date_becomes_its_iso_string(self):
        """A datetime.date is converted to its ISO string, losslessly."""
        assert entry(when=dt.date(2024, 6, 1)).when == "2024-06-01"

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("deviation", float("nan")),
            ("deviation", float("inf")),
            ("deviation", -1.0),
            ("deviation", 10**400),
            ("deviation", True),
            ("deviation", "3"),
            ("when", "2024-13-01"),
            ("when", "2024-6-1"),
            ("when", "2024-W22-1"),
            ("when", 20240601),
            ("when", dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.timezone.utc)),
            ("book", ""),
            ("book", None),
            ("book", "b" * 201),
            ("rule", "a\x00b"),
            ("rule", "\ud800"),
            ("actor", ""),
            ("unit", 5),
        ],
    )
    def test_bad_fields_are_refused(self, field, value):
        """Every field is checked, and the error names it."""
        with pytest.raises(stool.ValidationError) as info:
            entry(**{field: value})
        assert info.value.field == f"LedgerEntry.{field}"

    @given(ledger_entries)
    def test_round_trip(self, value):
        """Every valid entry survives unstructure, JSON and structure."""
        data = json.loads(json.dumps(stool.unstructure(value)))
        assert stool.structure(data, LedgerEntry) == value


class TestPeriods:
    @given(st.dates(), st.sampled_from(PERIODS))
    def test_range_is_the_period(self, day, per):
        """period_range gives exactly the days that share the period key of a date."""
        when = day.isoformat()
        first, last = period_range(when, per)
        key = period_key(when, per)
        assert period_key(first, per) == key == period_key(last, per)
        first_day, last_day = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        assert first_day <= day <= last_day
        if first_day > dt.date.min:
            before = (first_day - dt.timedelta(days=1)).isoformat()
            assert period_key(before, per) != key
        if last_day < dt.date.max:
            after = (last_day + dt.timedelta(days=1)).isoformat()
            assert period_key(after, per) != key

    @pytest.mark.parametrize("field", ["book", "rule", "actor"])
    def test_usage_names_must_be_strings(self, field):
        """usage() refuses a name that is not a string rather than count nothing."""
        query: dict[str, Any] = {"book": "b", "rule": "r", "actor": "a", "when": DAY, "per": "day"}
        query[field] = None
        with pytest.raises(stool.ValidationError, match=rf"usage\.{field}"):
            Ledger().usage(**query)

    def test_bad_period_and_date(self):
        """An unknown period or a date that is not one is a ValidationError naming it."""
        with pytest.raises(stool.ValidationError, match=r"usage\.per"):
            period_range(DAY, "fortnight")
        with pytest.raises(stool.ValidationError, match=r"usage\.when"):
            Ledger().usage(book="b", rule="r", actor="a", when="June", per="day")


class TestMemoryLedger:
    def test_record_none_is_a_stool_error(self):
        """Ledger.record(None) raises a ValidationError (a StoolError), not AttributeError."""
        with pytest.raises(stool.StoolError, match=r"record\.decision"):
            Ledger().record(None)  # type: ignore[arg-type]

    def test_threads_lose_no_record(self):
        """8 threads x 500 record() calls keep 4,000 entries, all counted by the index."""
        ledger = Ledger()
        decision = book(bends=10**6).evaluate({"days": 33, "amount": 50}, actor="a", when=DAY)
        barrier = threading.Barrier(8)

        def work():
            barrier.wait()
            for _ in range(500):
                ledger.record(decision)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(ledger.entries) == len(ledger) == 4000
        assert ledger.usage(book="contended", rule="window", actor="a", when=DAY, per="day") == (
            4000,
            12000.0,
        )

    def test_a_nan_entry_cannot_switch_a_budget_off(self):
        """structure refuses an entry with a NaN deviation instead of disabling a total budget."""
        data = {"entries": [stool.unstructure(entry())]}
        data["entries"][0]["deviation"] = float("nan")
        with pytest.raises(stool.ValidationError) as info:
            stool.structure(data, Ledger)
        assert info.value.field == "Ledger.entries[0].deviation"

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            (
                {"entries": [{"book": "b", "rule": "r", "when": "yesterday"}]},
                "Ledger.entries[0].when",
            ),
            (
                {"entries": [{"book": "b", "rule": "r", "deviation": -2}]},
                "Ledger.entries[0].deviation",
            ),
            ({"entries": {"book": "b"}}, "Ledger.entries"),
            ({"entries": [], "extra": 1}, "Ledger.extra"),
            ([], "Ledger"),
        ],
    )
    def test_structure_refuses_bad_data(self, data, field):
        """Bad ledger data is refused, naming the key path."""
        with pytest.raises(stool.ValidationError) as info:
            stool.structure(data, Ledger)
        assert info.value.field == field

    @pytest.mark.parametrize(
        "entries", [[object()], "entries", 5], ids=["not-an-entry", "string", "number"]
    )
    def test_construction_refuses_non_entries(self, entries):
        """Entries must be LedgerEntry values."""
        with pytest.raises(stool.ValidationError, match=r"Ledger\.entries"):
            Ledger(entries=entries)

    @given(st.lists(ledger_entries, max_size=20))
    def test_structure_round_trip(self, entries):
        """A ledger survives unstructure, JSON and structure, in order."""
        ledger = Ledger(entries=entries)
        back = stool.structure(json.loads(json.dumps(stool.unstructure(ledger))), Ledger)
        assert back == ledger
        assert back.entries == tuple(entries)

    def test_record_refuses_a_corrupt_decision(self):
        """A hand-built decision whose bend has a NaN deviation records nothing."""
        finding = Finding(
            rule="window",
            verdict=Verdict.BENT,
            cause=Cause.WITHIN_TOLERANCE,
            kind="limit",
            check="max",
            expression="days",
            observed=33,
            bound=30,
            deviation=float("nan"),
            unit="days",
        )
        decision = Decision(
            book="contended", version="v", verdict=Verdict.BENT, findings=(finding,)
        )
        ledger = Ledger()
        with pytest.raises(stool.ValidationError, match=r"LedgerEntry\.deviation"):
            ledger.record(decision)
        assert len(ledger) == 0

    def test_repr_and_equality_across_stores(self, tmp_path):
        """Ledgers with the same entries are equal whatever their store."""
        memory = Ledger(entries=[entry()])
        with Ledger.open(tmp_path / "bends.db") as on_disk:
            on_disk.import_jsonl(io.StringIO(json.dumps(stool.unstructure(entry()))))
            assert on_disk == memory
            assert repr(on_disk) == f"Ledger.open('sqlite:{tmp_path / 'bends.db'}')"
        assert repr(memory) == f"Ledger(entries=({entry()!r},))"
        assert memory != Ledger()
        assert memory != "ledger"


class TestBooks:
    def test_unknown_book_rule_and_unit_are_refused(self):
        """A ledger given its books refuses entries of other books, rules or units."""
        books = [book()]
        with pytest.raises(stool.ValidationError) as info:
            Ledger(entries=[entry(book="other")], books=books)
        assert info.value.field == "Ledger.entries[0].book"
        with pytest.raises(stool.ValidationError) as info:
            Ledger(entries=[entry(rule="never")], books=books)
        assert info.value.field == "Ledger.entries[0].rule"
        with pytest.raises(stool.ValidationError) as info:
            Ledger(entries=[entry(unit="hours")], books=books)
        assert info.value.field == "Ledger.entries[0].unit"
        assert len(Ledger(entries=[entry()], books=books)) == 1

    def test_every_way_in_is_checked(self):
        """Recording, importing and check-and-record refuse a book the ledger does not know."""
        ledger = Ledger(books=[book(name="returns")])
        decision = book().evaluate(REQUEST, actor="a", when=DAY)
        with pytest.raises(stool.ValidationError, match=r"LedgerEntry\.book"):
            ledger.record(decision)
        line = json.dumps(stool.unstructure(entry()))
        with pytest.raises(stool.ValidationError, match=r"line 1: LedgerEntry\.book"):
            ledger.import_jsonl(io.StringIO(line))
        with pytest.raises(stool.ValidationError, match=r"evaluate_and_record\.book"):
            ledger.evaluate_and_record(book(), REQUEST, actor="a", when=DAY)
        assert len(ledger) == 0

    def test_loading_from_a_database_is_checked(self, tmp_path):
        """Entries read back from a file are checked against the books too."""
        path = tmp_path / "bends.db"
        with Ledger.open(path) as ledger:
            ledger.record(book().evaluate(REQUEST, actor="a", when=DAY))
        with (
            Ledger.open(path, books=[book(name="returns")]) as ledger,
            pytest.raises(stool.ValidationError, match=r"entry\.book"),
        ):
            ledger.entries  # noqa: B018
        with Ledger.open(path, books=[book()]) as ledger:
            assert len(ledger.entries) == 2

    @pytest.mark.parametrize("books", [5, book(), [5]], ids=["number", "one-book", "list"])
    def test_books_must_be_books(self, books):
        """`books` is an iterable of PolicyBooks."""
        with pytest.raises(stool.ValidationError, match=r"Ledger\.books"):
            Ledger(books=books)


class TestCheckAndRecord:
    def test_only_bent_decisions_are_recorded(self):
        """A COMPLIANT or BROKEN decision records nothing; a BENT one records each bend."""
        ledger, the_book = Ledger(), book()
        compliant = ledger.evaluate_and_record(the_book, {"days": 1, "amount": 1}, actor="a")
        broken = ledger.evaluate_and_record(the_book, {"days": 60, "amount": 110}, actor="a")
        assert (compliant.verdict, broken.verdict) == (Verdict.COMPLIANT, Verdict.BROKEN)
        assert len(ledger) == 0
        bent = ledger.evaluate_and_record(the_book, REQUEST, actor="a", when=DAY)
        assert bent.verdict is Verdict.BENT
        assert [(e.rule, e.deviation, e.unit) for e in ledger.entries] == [
            ("window", 3, "days"),
            ("amount", 10, "currency"),
        ]

    def test_evaluate_with_record(self):
        """book.evaluate(record=True) checks and records in one step."""
        ledger, the_book = Ledger(), book(bends=2)
        verdicts = [
            the_book.evaluate(REQUEST, ledger=ledger, actor="a", when=DAY, record=True).verdict
            for _ in range(3)
        ]
        assert verdicts == [Verdict.BENT, Verdict.BENT, Verdict.BROKEN]
        assert ledger.usage(book="contended", rule="window", actor="a", when=DAY, per="day") == (
            2,
            6.0,
        )

    @pytest.mark.parametrize(
        ("options", "field"),
        [
            ({"record": True}, "evaluate.record"),
            ({"record": "yes", "ledger": Ledger()}, "evaluate.record"),
            ({"record": True, "ledger": Ledger(), "actor": ""}, "evaluate.actor"),
            ({"record": True, "ledger": Ledger(), "actor": "a" * 201}, "evaluate.actor"),
            ({"record": True, "ledger": Ledger(), "actor": "a", "when": "soon"}, "evaluate.when"),
        ],
    )
    def test_bad_arguments(self, options, field):
        """Bad arguments raise a ValidationError naming them, and record nothing."""
        ledger = options.get("ledger")
        with pytest.raises(stool.ValidationError) as info:
            book().evaluate(REQUEST, **options)
        assert info.value.field == field
        assert ledger is None or len(ledger) == 0

    def test_the_book_must_be_a_book(self):
        """evaluate_and_record needs a PolicyBook."""
        with pytest.raises(stool.ValidationError, match=r"evaluate_and_record\.book"):
            Ledger().evaluate_and_record("returns", REQUEST)  # type: ignore[arg-type]

    def test_the_view_inside_a_transaction_only_reads(self):
        """The ledger evaluate sees inside a check-and-record refuses writes."""
        views: list[Ledger] = []

        def work(transaction):
            views.append(Ledger._over(_InTransaction(transaction, "in memory"), None))
            return views[0].usage(book="b", rule="r", actor="a", when=DAY, per="day")

        assert Ledger()._store.atomic("b", "a", work) == (0, 0.0)
        with pytest.raises(LedgerError, match="only reads budgets"):
            views[0].record(book().evaluate(REQUEST, actor="a", when=DAY))
        with pytest.raises(LedgerError, match="only reads budgets"):
            views[0].bends_of("a")


class TestStores:
    """The same behaviour in every store."""

    def test_record_usage_and_reads(self, target):
        """Recording, counting, reading back by actor and in order agree."""
        with open_ledger(target) as ledger:
            if target is None:
                assert ledger.store == "in memory"
            elif "://" in target:
                assert ledger.store == target  # the URL, as SQLAlchemy writes it
            else:
                assert ledger.store == f"sqlite:{target}"
            the_book = book(bends=3)
            verdicts = [
                ledger.evaluate_and_record(the_book, REQUEST, actor="rep-7", when=DAY).verdict
                for _ in range(4)
            ]
            assert verdicts == [Verdict.BENT] * 3 + [Verdict.BROKEN]
            what_if = the_book.evaluate(REQUEST, ledger=ledger, actor="rep-7", when=DAY)
            assert what_if.findings[0].cause is Cause.BUDGET_EXHAUSTED
            added = ledger.record(the_book.evaluate(REQUEST, actor="rep-8", when="2024-06-02"))
            assert len(added) == 2
            assert len(ledger) == 8
            assert ledger.bends_of("rep-8") == added
            assert ledger.entries[-2:] == added
            assert ledger.usage(
                book="contended", rule="window", actor="rep-7", when="2024-06-30", per="month"
            ) == (3, 9.0)
            assert ledger.usage(
                book="contended", rule="window", actor="rep-8", when="2024-05-28", per="week"
            ) == (1, 3.0)

    @settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(entries=st.lists(ledger_entries, max_size=25), data=st.data())
    def test_usage_is_a_recount(self, target, entries, data):
        """usage() equals a count over every entry, for any entries and period."""
        # One ledger per test; each example writes a book of its own, so they do not mix.
        name = f"b{uuid.uuid4().hex}"
        entries = [LedgerEntry(**{**stool.unstructure(e), "book": name}) for e in entries]
        ledger = _shared_ledger(target)
        ledger.import_jsonl(
            io.StringIO("".join(json.dumps(stool.unstructure(e)) + "\n" for e in entries))
        )
        for _ in range(5):
            query = {
                "book": name,
                "rule": data.draw(st.sampled_from(["window", "amount"])),
                "actor": data.draw(st.sampled_from(["rep-7", "rep-8"])),
                "when": data.draw(days),
                "per": data.draw(st.sampled_from(PERIODS)),
            }
            count, total = ledger.usage(**query)
            expected_count, expected_total = recount(entries, **query)
            assert count == expected_count
            assert math.isclose(total, expected_total, rel_tol=1e-9, abs_tol=1e-6)

    def test_threads_are_granted_exactly_the_budget(self, target):
        """8 threads asking 5 times each against a budget of 5 get exactly 5 bends."""
        with open_ledger(target) as ledger:
            verdicts = _contend([ledger] * 8, book(bends=5), attempts=5)
            assert verdicts.count(Verdict.BENT) == 5
            assert verdicts.count(Verdict.BROKEN) == 35
            assert len(ledger) == 10

    def test_jsonl_round_trip(self, target, tmp_path):
        """Export then import into every other store gives the same entries, line for line."""
        entries = [entry(), entry(actor=None, when=None, deviation=2), entry(deviation=1.25e-7)]
        source = Ledger(entries=entries)
        path = tmp_path / "trail.jsonl"
        assert source.export_jsonl(path) == 3
        with open_ledger(target) as ledger:
            assert ledger.import_jsonl(path) == 3
            assert ledger.entries == tuple(entries)
            out = io.StringIO()
            ledger.export_jsonl(out)
        assert out.getvalue() == path.read_text(encoding="utf-8")

    def test_import_is_all_or_nothing(self, target):
        """A bad line anywhere means nothing of the file is added."""
        good = json.dumps(stool.unstructure(entry()))
        with open_ledger(target) as ledger:
            with pytest.raises(stool.ValidationError, match=r"line 3: LedgerEntry\.deviation"):
                ledger.import_jsonl(io.StringIO(f"{good}\n{good}\n" + good.replace("3.0", "NaN")))
            assert len(ledger) == 0


_SHARED: dict[str | None, Ledger] = {}


def _shared_ledger(target: str | None) -> Ledger:
    """One ledger per target for a Hypothesis test (fixtures are set up once per test)."""
    if target not in _SHARED:
        _SHARED[target] = open_ledger(target)
    return _SHARED[target]


@pytest.fixture(autouse=True)
def _close_shared():
    yield
    while _SHARED:
        _SHARED.popitem()[1].close()


def _contend(ledgers: list[Ledger], the_book: PolicyBook, *, attempts: int) -> list[Verdict]:
    """Have one thread per ledger ask `attempts` times for a bend at once; all verdicts."""
    barrier = threading.Barrier(len(ledgers))

    def work(ledger: Ledger) -> list[Verdict]:
        barrier.wait()
        return [
            ledger.evaluate_and_record(the_book, REQUEST, actor="rep-7", when=DAY).verdict
            for _ in range(attempts)
        ]

    with ThreadPoolExecutor(len(ledgers)) as pool:
        results = list(pool.map(work, ledgers))
    return [verdict for result in results for verdict in result]


def _start_worker(*arguments: str) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - this interpreter, our own worker script
        [sys.executable, str(WORKER), *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


class TestDatabases:
    """What only a store that outlives the process can show."""

    def test_separate_connections_are_granted_exactly_the_budget(self, database):
        """Four ledger objects (four connections) on one store share one budget."""
        ledgers = [Ledger.open(database) for _ in range(4)]
        try:
            verdicts = _contend(ledgers, book(bends=6), attempts=4)
        finally:
            for ledger in ledgers:
                ledger.close()
        assert verdicts.count(Verdict.BENT) == 6
        with Ledger.open(database) as ledger:
            assert len(ledger) == 12

    @pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
    def test_processes_are_granted_exactly_the_budget(self, kind, request, tmp_path):
        """Four processes asking at once against a budget of 5 get exactly 5 bends."""
        where = _target(kind, request, tmp_path)
        assert where is not None
        Ledger.open(where).close()  # create the schema once, before the race
        go = tmp_path / "go"
        workers = [_start_worker("contend", where, "5", "4", str(go)) for _ in range(4)]
        try:
            for worker in workers:
                assert worker.stdout is not None
                assert worker.stdout.readline().strip() == "ready", worker.stderr
            go.touch()
            outputs = [worker.communicate(timeout=120) for worker in workers]
        finally:
            for worker in workers:
                worker.kill()
        verdicts = []
        for (out, err), worker in zip(outputs, workers, strict=True):
            assert worker.returncode == 0, err
            verdicts += json.loads(out)
        assert verdicts.count("BENT") == 5
        assert verdicts.count("BROKEN") == 11
        with Ledger.open(where) as ledger:
            assert len(ledger) == 10

    @pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
    def test_a_killed_process_loses_no_committed_entry(self, kind, request, tmp_path):
        """SIGKILL in the middle of recording keeps every commit and leaves no half decision."""
        where = _target(kind, request, tmp_path)
        assert where is not None
        worker = _start_worker("record", where)
        assert worker.stdout is not None
        acknowledged = 0
        deadline = time.monotonic() + 60
        while acknowledged < 40 and time.monotonic() < deadline:
            line = worker.stdout.readline()
            assert line, worker.stderr.read() if worker.stderr else ""
            if line.strip() != "ready":
                acknowledged = int(line)
        time.sleep(random.uniform(0, 0.02))  # noqa: S311 - a moment to kill at, not a secret
        worker.send_signal(signal.SIGKILL)
        rest, _ = worker.communicate(timeout=30)
        numbers = [int(n) for n in rest.split() if n.isdigit()]
        acknowledged = max([acknowledged, *numbers])
        assert worker.returncode == -signal.SIGKILL
        with Ledger.open(where, create=False) as ledger:
            entries = ledger.entries  # every row is validated as it is read
        assert len(entries) % 2 == 0, "half a decision was committed"
        assert acknowledged <= len(entries) // 2 <= acknowledged + 1
        assert [e.rule for e in entries] == ["window", "amount"] * (len(entries) // 2)
        if kind == "sqlite":
            with sqlite3.connect(where) as connection:
                assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    def test_entries_survive_a_restart(self, database):
        """What one ledger object recorded, the next one opened on the store sees."""
        with Ledger.open(database) as ledger:
            ledger.evaluate_and_record(book(bends=1), REQUEST, actor="a", when=DAY)
        with Ledger.open(database, create=False) as ledger:
            assert len(ledger) == 2
            decision = ledger.evaluate_and_record(book(bends=1), REQUEST, actor="a", when=DAY)
            assert decision.verdict is Verdict.BROKEN
            assert decision.findings[0].budget_used == 1

    def test_opens_race_to_create_the_schema(self, database):
        """Eight connections opening a new store at once make one schema, and no error."""
        barrier = threading.Barrier(8)

        def open_one(_: int) -> int:
            barrier.wait()
            with Ledger.open(database) as ledger:
                return len(ledger)

        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(open_one, range(8))) == [0] * 8
        assert _schema_rows(database) == [(SCHEMA_VERSION,)]

    def test_a_newer_schema_is_refused(self, database):
        """A store written by a newer stool is refused, not misread."""
        Ledger.open(database).close()
        _execute(database, "UPDATE stool_ledger_schema SET version = 99")
        with pytest.raises(LedgerError, match="schema version is 99"):
            Ledger.open(database)

    def test_a_broken_schema_table_is_refused(self, database):
        """A schema table that does not hold one version is refused."""
        Ledger.open(database).close()
        _execute(database, "INSERT INTO stool_ledger_schema (id, version) VALUES (2, 1)")
        with pytest.raises(LedgerError, match="not one schema version"):
            Ledger.open(database)

    def test_entries_are_append_only(self, database):
        """Replacing the entries of a database ledger is refused."""
        with Ledger.open(database) as ledger, pytest.raises(LedgerError, match="append-only"):
            ledger.entries = ()

    def test_a_corrupt_row_is_named_when_read(self, database):
        """A row another program wrote with an empty actor is refused when read, by its id."""
        Ledger.open(database).close()
        _execute(
            database,
            "INSERT INTO stool_ledger_entries (book, rule, actor, deviation, unit) "
            "VALUES ('contended', 'window', '', 1.0, 'days')",
        )
        with Ledger.open(database) as ledger, pytest.raises(stool.ValidationError) as info:
            ledger.entries  # noqa: B018
        assert info.value.field.endswith(": entry 1: LedgerEntry.actor")

    def test_create_false_refuses_a_missing_ledger(self, database):
        """create=False refuses a store with no ledger, so a typo cannot start an empty one."""
        with pytest.raises(LedgerError, match="create=False"):
            Ledger.open(database, create=False)

    def test_a_ledger_crosses_a_fork(self, database):
        """A child process of fork opens its own connection and records through it."""
        ledger = Ledger.open(database)
        ledger.record(book().evaluate(REQUEST, actor="a", when=DAY))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads, 3.12+
            pid = os.fork()
        if pid == 0:  # pragma: no cover - the child reports through its exit code
            code = 1
            try:
                ledger.record(book().evaluate(REQUEST, actor="b", when=DAY))
                code = 0 if len(ledger) == 4 else 2
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert len(ledger) == 4
        ledger.close()


def _execute(database: str, statement: str) -> None:
    """Run one statement on the store, as another program would."""
    if "://" not in database:
        with sqlite3.connect(database) as connection:
            connection.execute(statement)
        return
    import sqlalchemy as sa  # noqa: PLC0415

    engine = sa.create_engine(database)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


def _schema_rows(database: str) -> list[tuple[Any, ...]]:
    if "://" not in database:
        with sqlite3.connect(database) as connection:
            return connection.execute("SELECT version FROM stool_ledger_schema").fetchall()
    import sqlalchemy as sa  # noqa: PLC0415

    engine = sa.create_engine(database)
    try:
        with engine.connect() as connection:
            statement = "SELECT version FROM stool_ledger_schema"
            return [tuple(row) for row in connection.exec_driver_sql(statement)]
    finally:
        engine.dispose()


class TestSqlite:
    def test_an_empty_file_is_migrated(self, tmp_path):
        """An empty file gets the current schema, in WAL mode, with its indexes."""
        path = tmp_path / "empty.db"
        path.write_bytes(b"")
        with Ledger.open(path) as ledger:
            assert len(ledger) == 0
        with sqlite3.connect(path) as connection:
            assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
            names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            assert connection.execute("SELECT version FROM stool_ledger_schema").fetchall() == [
                (SCHEMA_VERSION,)
            ]
        assert {
            "stool_ledger_entries",
            "stool_ledger_usage",
            "stool_ledger_by_actor",
            "stool_ledger_locks",
        } <= names

    def test_other_tables_are_left_alone(self, tmp_path):
        """A file of another application gets the ledger's tables beside its own."""
        path = tmp_path / "app.db"
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE tickets (id INTEGER PRIMARY KEY)")
            connection.execute("INSERT INTO tickets VALUES (7)")
        with Ledger.open(path) as ledger:
            ledger.record(book().evaluate(REQUEST, actor="a", when=DAY))
        with sqlite3.connect(path) as connection:
            assert connection.execute("SELECT id FROM tickets").fetchall() == [(7,)]

    def test_usage_reads_the_index(self, tmp_path):
        """The usage query is a search of the covering index, not a scan of the table."""
        path = tmp_path / "bends.db"
        Ledger.open(path).close()
        with sqlite3.connect(path) as connection:
            plan = connection.execute(
                "EXPLAIN QUERY PLAN " + sqlite_store._USAGE, ("b", "r", "a", DAY, DAY)
            ).fetchall()
        assert "SEARCH stool_ledger_entries USING COVERING INDEX stool_ledger_usage" in str(plan)

    def test_the_file_refuses_what_no_entry_holds(self, tmp_path):
        """CHECK constraints refuse a negative or infinite deviation written by another program."""
        path = tmp_path / "bends.db"
        Ledger.open(path).close()
        for deviation in ("-1.0", "9e999"):
            with sqlite3.connect(path) as connection, pytest.raises(sqlite3.IntegrityError):
                connection.execute(
                    "INSERT INTO stool_ledger_entries (book, rule, deviation, unit) "  # noqa: S608 - test constants
                    f"VALUES ('b', 'r', {deviation}, '')"
                )

    @pytest.mark.parametrize(
        ("make", "match"),
        [
            (lambda p: p.write_text("not a database, just text " * 50), "file is not a database"),
            (lambda p: p.mkdir(), "unable to open"),
        ],
        ids=["text-file", "directory"],
    )
    def test_what_is_not_a_ledger_is_refused(self, tmp_path, make, match):
        """A file that is not SQLite, or a directory, raises LedgerError naming the store."""
        path = tmp_path / "bends.db"
        make(path)
        with pytest.raises(LedgerError, match=match) as info:
            Ledger.open(path)
        assert str(path) in str(info.value)

    @pytest.mark.parametrize("target", ["", ":memory:", 42, b"bends.db", "bends\x00.db"])
    def test_bad_targets(self, target):
        """A target that is not a path or a URL is a ValidationError."""
        with pytest.raises(stool.ValidationError, match=r"Ledger\.open\.target"):
            Ledger.open(target)

    def test_create_must_be_a_boolean(self, tmp_path):
        """create is True or False."""
        with pytest.raises(stool.ValidationError, match=r"Ledger\.open\.create"):
            Ledger.open(tmp_path / "x.db", create="no")  # type: ignore[arg-type]

    def test_no_sqlalchemy_for_a_file(self):
        """A ledger in an SQLite file needs nothing beyond the core dependency."""
        code = (
            "import sys, tempfile, pathlib\n"
            "from stool.policy import Ledger\n"
            "with Ledger.open(pathlib.Path(tempfile.mkdtemp()) / 'b.db') as ledger:\n"
            "    len(ledger)\n"
            "loaded = {m.split('.')[0] for m in sys.modules}\n"
            "print(sorted(loaded & {'sqlalchemy', 'psycopg'}))\n"
        )
        result = subprocess.run(  # noqa: S603 - this interpreter, our own code
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "[]"


class TestJsonLines:
    @pytest.mark.parametrize(
        ("text", "match"),
        [
            ("{not json}\n", "line 1: got '{not json}'"),
            ('{"book": "b", "rule": "r", "colour": 1}\n', r"line 1: LedgerEntry\.colour"),
            ('{"book": "b", "rule": "r", "deviation": 1e999}\n', r"line 1: LedgerEntry\.deviation"),
            ('{"book": "b", "rule": "r", "deviation": ' + "9" * 5000 + "}\n", "line 1"),
            ("[" * 100_000 + "]" * 100_000 + "\n", "at most 65536 characters"),
            ("[1, 2]\n", "line 1: LedgerEntry: got"),
        ],
        ids=["not-json", "unknown-key", "infinite", "huge-int", "too-long", "not-an-object"],
    )
    def test_bad_lines(self, text, match):
        """Every bad line is a ValidationError naming the line."""
        with pytest.raises(stool.ValidationError, match=match):
            Ledger().import_jsonl(io.StringIO(text))

    def test_binary_files_and_blank_lines(self):
        """A binary file is read as UTF-8, blank lines are skipped, bad UTF-8 is refused."""
        line = json.dumps(stool.unstructure(entry(actor="Zoë")), ensure_ascii=False)
        ledger = Ledger()
        assert ledger.import_jsonl(io.BytesIO(f"\n{line}\n\n".encode())) == 1
        assert ledger.entries[0].actor == "Zoë"
        with pytest.raises(stool.ValidationError, match="line 2: got"):
            ledger.import_jsonl(io.BytesIO(b"\n\xff\xfe\n"))

    def test_bad_sources_and_targets(self):
        """Something that is not a file is refused on both ways."""
        with pytest.raises(stool.ValidationError, match=r"import_jsonl\.source"):
            Ledger().import_jsonl(5)  # type: ignore[arg-type]
        with pytest.raises(stool.ValidationError, match=r"export_jsonl\.target"):
            Ledger().export_jsonl(5)  # type: ignore[arg-type]

    def test_unreadable_and_unwritable_paths(self, tmp_path):
        """A missing file to import, or a folder to export to, is a ValidationError."""
        with pytest.raises(stool.ValidationError, match=r"import_jsonl\.source"):
            Ledger().import_jsonl(tmp_path / "missing.jsonl")
        with pytest.raises(stool.ValidationError, match=r"export_jsonl\.target"):
            Ledger().export_jsonl(tmp_path)


class TestSqlAlchemy:
    def test_a_missing_driver_is_named(self):
        """A URL whose driver is not installed raises LedgerError, not ImportError."""
        with pytest.raises(LedgerError, match="driver"):
            Ledger.open("mysql://user@localhost/ledger")

    def test_an_unreachable_server_hides_the_password(self, tmp_path):
        """A server that cannot be reached raises LedgerError without the password."""
        url = f"postgresql+psycopg://user:s3cret@/ledger?host={tmp_path}"
        with pytest.raises(LedgerError, match="cannot open the ledger") as info:
            Ledger.open(url)
        assert "s3cret" not in str(info.value)

    def test_a_malformed_url(self):
        """A URL SQLAlchemy cannot parse is a ValidationError."""
        with pytest.raises(stool.ValidationError, match=r"Ledger\.open\.target"):
            Ledger.open("no such scheme://")

    def test_an_engine_is_accepted_and_left_open(self, tmp_path):
        """A SQLAlchemy Engine can be passed in; closing the ledger leaves it to its owner."""
        import sqlalchemy as sa  # noqa: PLC0415

        engine = sa.create_engine(f"sqlite:///{tmp_path / 'bends.db'}")
        with Ledger.open(engine) as ledger:
            ledger.record(book().evaluate(REQUEST, actor="a", when=DAY))
        with engine.connect() as connection:
            count = connection.exec_driver_sql("SELECT count(*) FROM stool_ledger_entries")
            assert count.scalar() == 2
        engine.dispose()

    def test_files_are_shared_with_the_sqlite_store(self, tmp_path):
        """A file written through SQLAlchemy opens with sqlite3, and the other way round."""
        path = tmp_path / "bends.db"
        with Ledger.open(f"sqlite:///{path}") as ledger:
            ledger.record(book().evaluate(REQUEST, actor="a", when=DAY))
        with Ledger.open(path) as ledger:
            ledger.record(book().evaluate(REQUEST, actor="b", when=DAY))
        with Ledger.open(f"sqlite:///{path}") as ledger:
            assert [e.actor for e in ledger.entries] == ["a", "a", "b", "b"]
            assert ledger.usage(
                book="contended", rule="window", actor="b", when=DAY, per="year"
            ) == (1, 3.0)


class TestPostgres:
    def test_the_database_refuses_nan_and_infinity(self, postgres_url):
        """PostgreSQL stores NaN and infinity in a double; the ledger's CHECK refuses both."""
        import sqlalchemy as sa  # noqa: PLC0415

        Ledger.open(postgres_url).close()
        for value in ("NaN", "Infinity", "-1"):
            with pytest.raises(sa.exc.IntegrityError):
                _execute(
                    postgres_url,
                    "INSERT INTO stool_ledger_entries (book, rule, deviation, unit) "  # noqa: S608 - test constants
                    f"VALUES ('b', 'r', '{value}', '')",
                )

    def test_a_nan_total_raises_instead_of_granting(self, postgres_url):
        """With the CHECK dropped by hand, a NaN row makes the budget check fail loudly."""
        with Ledger.open(postgres_url) as ledger:
            ledger.record(book().evaluate(REQUEST, actor="a", when=DAY))
            _execute(
                postgres_url,
                "ALTER TABLE stool_ledger_entries DROP CONSTRAINT stool_ledger_deviation",
            )
            _execute(
                postgres_url,
                "INSERT INTO stool_ledger_entries (book, rule, actor, day, deviation, unit) "  # noqa: S608 - test constants
                f"VALUES ('contended', 'window', 'a', '{DAY}', 'NaN', 'days')",
            )
            with pytest.raises(LedgerError, match="stool never writes"):
                ledger.evaluate_and_record(book(), REQUEST, actor="a", when=DAY)
            assert len(ledger) == 3

    def test_an_empty_database_is_migrated(self, postgres_url):
        """A new database gets the schema: its tables, its indexes and its version."""
        import sqlalchemy as sa  # noqa: PLC0415

        Ledger.open(postgres_url).close()
        engine = sa.create_engine(postgres_url)
        inspector = sa.inspect(engine)
        assert {"stool_ledger_schema", "stool_ledger_entries", "stool_ledger_locks"} <= set(
            inspector.get_table_names()
        )
        indexes = {index["name"] for index in inspector.get_indexes("stool_ledger_entries")}
        assert {"stool_ledger_usage", "stool_ledger_by_actor"} <= indexes
        engine.dispose()
        assert _schema_rows(postgres_url) == [(SCHEMA_VERSION,)]

    def test_dropped_connections_are_replaced(self, postgres_url):
        """After the server drops the ledger's connections, reads and writes go on."""
        drop = (
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        with Ledger.open(postgres_url) as ledger:
            ledger.record(book().evaluate(REQUEST, actor="a", when=DAY))
            _execute(postgres_url, drop)
            query = {"book": "contended", "rule": "window", "actor": "a", "when": DAY}
            assert ledger.usage(**query, per="day") == (1, 3.0)
            _execute(postgres_url, drop)
            ledger.evaluate_and_record(book(), REQUEST, actor="a", when=DAY)
            assert ledger.usage(**query, per="day") == (2, 6.0)
            assert len(ledger) == 4

    def test_supervisor_bends_count_on_their_own(self, postgres_url):
        """A supervisor's check-and-record counts the supervisor's own budget."""
        with Ledger.open(postgres_url) as ledger:
            the_book = book(bends=1)
            first = ledger.evaluate_and_record(the_book, REQUEST, actor="rep-7", when=DAY)
            second = ledger.evaluate_and_record(the_book, REQUEST, actor="rep-7", when=DAY)
            boss = ledger.evaluate_and_record(
                the_book, REQUEST, by=Authority.SUPERVISOR, actor="sup-1", when=DAY
            )
        assert [first.verdict, second.verdict, boss.verdict] == [
            Verdict.BENT,
            Verdict.BROKEN,
            Verdict.BENT,
        ]
        assert second.requires is Authority.SUPERVISOR
