"""Benchmark the bending ledger in each store, side by side with a floor in one run.

Run it with:

    .venv/bin/python benchmarks/bench_ledger.py              # add --entries 100000 to be quick

It prints, for each store (memory, an SQLite file, PostgreSQL):

1. `record()` of a decision with one bend, per second, against a floor: the same row
   written with the bare driver (sqlite3 or psycopg) in its own transaction;
2. `evaluate_and_record()` (check the budget and record in one transaction) per second,
   from one thread, and from 4 threads contending for the same actor's budget;
3. `usage()` on a ledger of 1,000,000 entries (target: under 1 ms), per month and per
   year, against the floor of the same aggregate query sent with the bare driver.

PostgreSQL is the server of `--postgres URL` or `$STOOL_TEST_POSTGRES_URL`; without
either, the script starts a throwaway server from Debian's binaries with `.ci/postgres`
and the server's default (durable) settings, and stops it at the end.

Times are wall-clock (`time.perf_counter`): the stores wait on disks and sockets, which
CPU time would not count. Each figure is the median of 5 rounds, and each round runs
stool and its floor in turn, so that a busy disk or neighbour weighs on both alike.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import pathlib
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from stool.policy import Ledger, LedgerEntry, PolicyBook
from stool.policy._ledger import period_range

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

ROOT = pathlib.Path(__file__).resolve().parent.parent
REQUEST = {"days": 33}
ACTORS = 1000
RULES = ("window", "late-delivery")


def book(bends: int) -> PolicyBook:
    """One limit with a daily budget of `bends`."""
    return PolicyBook.from_data(
        {
            "name": "bench",
            "context": {"days": "number"},
            "rule": [
                {
                    "id": "window",
                    "kind": "limit",
                    "quantity": "days",
                    "max": 30,
                    "unit": "days",
                    "bend": {"agent": 5},
                    "budget": {"per": "day", "bends": bends},
                    "rationale": "Refunds are for the first 30 days.",
                }
            ],
        }
    )


def medians(*functions: Callable[[], float], rounds: int = 5) -> list[float]:
    """Run the functions in turn, `rounds` times, and return each one's median figure.

    Taking turns spreads the disk's and the neighbours' ups and downs over all of them.
    """
    figures: list[list[float]] = [[] for _ in functions]
    for _ in range(rounds):
        for results, function in zip(figures, functions, strict=True):
            results.append(function())
    return [statistics.median(results) for results in figures]


def rate(function: Callable[[int], None], count: int) -> float:
    """Return calls per second of `function(i)` for i in range(count)."""
    start = time.perf_counter()
    for i in range(count):
        function(i)
    return count / (time.perf_counter() - start)


def synthetic(count: int, seed: int = 7) -> Iterator[LedgerEntry]:
    """`count` bends of 1,000 actors and two rules, spread over 2024."""
    rng = random.Random(seed)
    start = dt.date(2024, 1, 1)
    for _ in range(count):
        yield LedgerEntry(
            book="bench",
            rule=RULES[rng.randrange(2)],
            actor=f"rep-{rng.randrange(ACTORS)}",
            when=(start + dt.timedelta(days=rng.randrange(366))).isoformat(),
            deviation=float(rng.randrange(1, 6)),
            unit="days",
        )


# ------------------------------------------------------------------------- PostgreSQL


class Postgres:
    """A PostgreSQL server: the one named, or a throwaway one started here."""

    def __init__(self, url: str | None) -> None:
        self.folder: str | None = None
        if url is None:
            self.folder = tempfile.mkdtemp(prefix="stool-pg-bench-")
            started = subprocess.run(  # noqa: S603 - our own script
                ["bash", str(ROOT / ".ci" / "postgres"), "start", self.folder],  # noqa: S607
                capture_output=True,
                text=True,
                check=True,
            )
            url = started.stdout.strip()
        self.url = url

    def database(self, name: str) -> str:
        """Create (afresh) the database `name`; return its URL."""
        import sqlalchemy as sa

        admin = sa.create_engine(self.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
        return sa.engine.make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def stop(self) -> None:
        """Stop the server if this script started it."""
        if self.folder is not None:
            subprocess.run(  # noqa: S603 - our own script
                ["bash", str(ROOT / ".ci" / "postgres"), "stop", self.folder],  # noqa: S607
                capture_output=True,
                check=False,
            )


def psycopg_conninfo(url: str) -> str:
    """The libpq URI of a SQLAlchemy URL."""
    import sqlalchemy as sa

    return (
        sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    )


# ------------------------------------------------------------------------------ floors


def sqlite_floor_insert(path: str, count: int) -> float:
    """Rows/s that bare sqlite3 writes, one transaction each, with the ledger's settings."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("CREATE TABLE IF NOT EXISTS floor (a TEXT, b TEXT, c TEXT, d TEXT, e REAL)")

    def write(i: int) -> None:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "INSERT INTO floor VALUES (?, ?, ?, ?, ?)", ("b", "r", f"a{i}", "d", 3.0)
        )
        connection.execute("COMMIT")

    result = rate(write, count)
    connection.close()
    return result


def postgres_floor_insert(url: str, count: int) -> float:
    """Rows/s that bare psycopg writes, one transaction each."""
    import psycopg

    with psycopg.connect(psycopg_conninfo(url)) as connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS floor (a TEXT, b TEXT, c TEXT, d DATE, e FLOAT8)"
        )
        connection.commit()

        def write(i: int) -> None:
            connection.execute(
                "INSERT INTO floor VALUES (%s, %s, %s, %s, %s)",
                ("b", "r", f"a{i}", dt.date(2024, 6, 1), 3.0),
            )
            connection.commit()

        return rate(write, count)


USAGE_SQL = (
    "SELECT count(*), sum(deviation) FROM stool_ledger_entries "
    "WHERE book = {p} AND rule = {p} AND actor = {p} AND day BETWEEN {p} AND {p}"
)


# ----------------------------------------------------------------------------- figures


def bench_record(ledger: Ledger, count: int) -> float:
    """record() per second, one bend per decision, a different actor each time."""
    the_book = book(10**9)
    decisions = [
        the_book.evaluate(REQUEST, actor=f"r{i % 97}", when="2024-06-01") for i in range(count)
    ]
    return rate(lambda i: ledger.record(decisions[i]), count)


def bench_check_and_record(ledger: Ledger, count: int, threads: int) -> float:
    """evaluate_and_record() per second, `threads` callers on one actor's budget."""
    the_book = book(10**9)
    per_thread = count // threads
    actor = f"contended-{time.monotonic_ns()}"
    barrier = threading.Barrier(threads)

    def work(_: int) -> None:
        barrier.wait()
        for _ in range(per_thread):
            ledger.evaluate_and_record(the_book, REQUEST, actor=actor, when="2024-06-01")

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(work, range(threads)))
    return per_thread * threads / (time.perf_counter() - start)


def bench_usage(ledger: Ledger, per: str, calls: int = 2000) -> float:
    """The mean time of usage() in microseconds, over random actors and dates."""
    rng = random.Random(11)
    queries = [
        (
            RULES[rng.randrange(2)],
            f"rep-{rng.randrange(ACTORS)}",
            f"2024-{rng.randrange(1, 13):02d}-15",
        )
        for _ in range(calls)
    ]
    start = time.perf_counter()
    for rule, actor, when in queries:
        ledger.usage(book="bench", rule=rule, actor=actor, when=when, per=per)
    return (time.perf_counter() - start) / calls * 1e6


def bench_usage_floor(
    execute: Callable[[str, tuple[Any, ...]], Any], placeholder: str, per: str, calls: int = 2000
) -> float:
    """The same aggregate queries sent with the bare driver, in microseconds."""
    rng = random.Random(11)
    sql = USAGE_SQL.format(p=placeholder)
    queries = []
    for _ in range(calls):
        rule, actor = RULES[rng.randrange(2)], f"rep-{rng.randrange(ACTORS)}"
        first, last = period_range(f"2024-{rng.randrange(1, 13):02d}-15", per)
        queries.append(("bench", rule, actor, first, last))
    start = time.perf_counter()
    for query in queries:
        execute(sql, query)
    return (time.perf_counter() - start) / calls * 1e6


def check_usage(ledger: Ledger, entries: list[LedgerEntry]) -> None:
    """Check a few usage() results against a count over the entries."""
    for actor in ("rep-1", "rep-500"):
        first, last = period_range("2024-06-15", "month")
        found = [
            e
            for e in entries
            if e.actor == actor
            and e.rule == "window"
            and e.when is not None
            and first <= e.when <= last
        ]
        expected = (len(found), float(sum(e.deviation for e in found)))
        got = ledger.usage(book="bench", rule="window", actor=actor, when="2024-06-15", per="month")
        assert got == expected, (got, expected)


def load(ledger: Ledger, entries: list[LedgerEntry]) -> Ledger:
    """Fill an empty ledger with `entries` through JSON Lines (one transaction)."""
    buffer = io.StringIO()
    Ledger(entries=entries).export_jsonl(buffer)
    buffer.seek(0)
    ledger.import_jsonl(buffer)
    return ledger


class MemoryBench:
    """The ledger in memory; the floor of its index is a dict lookup."""

    name = "memory"
    records_factor = 10

    def small(self) -> Ledger:
        return Ledger()

    def big(self, entries: list[LedgerEntry]) -> Ledger:
        return Ledger(entries=entries)

    def floor_insert(self, count: int) -> float:
        raise NotImplementedError  # nothing to write below a list append

    def floor_usage(self, per: str) -> float:
        raise NotImplementedError  # a dict lookup, far below anything worth a ratio


class SqliteBench:
    """An SQLite file; the floor is bare sqlite3 with the same settings and query."""

    records_factor = 1

    def __init__(self, folder: pathlib.Path) -> None:
        self.folder = folder
        self.name = f"SQLite file (WAL, synchronous=FULL) in {folder}"

    def small(self) -> Ledger:
        return Ledger.open(self.folder / "small.db")

    def big(self, entries: list[LedgerEntry]) -> Ledger:
        return load(Ledger.open(self.folder / "big.db"), entries)

    def floor_insert(self, count: int) -> float:
        return sqlite_floor_insert(str(self.folder / "floor.db"), count)

    def floor_usage(self, per: str) -> float:
        connection = sqlite3.connect(self.folder / "big.db")
        try:
            return bench_usage_floor(
                lambda sql, query: connection.execute(sql, query).fetchone(), "?", per
            )
        finally:
            connection.close()


class PostgresBench:
    """A PostgreSQL database; the floor is bare psycopg with the same query."""

    records_factor = 1

    def __init__(self, server: Postgres, *, given: bool) -> None:
        self.small_url = server.database("stool_bench_small")
        self.big_url = server.database("stool_bench_big")
        self.name = "PostgreSQL " + ("(given)" if given else "(throwaway server, default settings)")

    def small(self) -> Ledger:
        return Ledger.open(self.small_url)

    def big(self, entries: list[LedgerEntry]) -> Ledger:
        import sqlalchemy as sa

        ledger = load(Ledger.open(self.big_url), entries)
        engine = sa.create_engine(self.big_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.exec_driver_sql("VACUUM ANALYZE stool_ledger_entries")
        engine.dispose()
        return ledger

    def floor_insert(self, count: int) -> float:
        return postgres_floor_insert(self.small_url, count)

    def floor_usage(self, per: str) -> float:
        import psycopg

        def execute(sql: str, query: tuple[Any, ...]) -> Any:
            dates = (dt.date.fromisoformat(query[3]), dt.date.fromisoformat(query[4]))
            return connection.execute(sql, (*query[:3], *dates)).fetchone()

        with psycopg.connect(psycopg_conninfo(self.big_url), autocommit=True) as connection:
            return bench_usage_floor(execute, "%s", per)


def report(
    bench: MemoryBench | SqliteBench | PostgresBench, entries: list[LedgerEntry], records: int
) -> None:
    """Print the figures of one store: medians of 5 rounds, taken in turn with the floors."""
    memory = isinstance(bench, MemoryBench)
    records *= bench.records_factor
    print(f"\n== {bench.name}")
    with bench.small() as ledger:
        runs = [
            lambda: bench_record(ledger, records),
            lambda: bench_check_and_record(ledger, records, 1),
            lambda: bench_check_and_record(ledger, records, 4),
        ]
        if not memory:
            runs.append(lambda: bench.floor_insert(records))
        figures = medians(*runs)
        line = f"   record()                         {figures[0]:9,.0f} /s"
        if not memory:
            floor = figures[3]
            line += f"   bare driver, same row {floor:7,.0f} /s   ratio {floor / figures[0]:.2f}x"
        print(line)
        print(f"   evaluate_and_record(), 1 thread  {figures[1]:9,.0f} /s")
        print(f"   evaluate_and_record(), 4 threads {figures[2]:9,.0f} /s   (one actor's budget)")
    start = time.perf_counter()
    with bench.big(entries) as ledger:
        loaded = time.perf_counter() - start
        check_usage(ledger, entries)
        how = "built" if memory else "imported from JSON Lines"
        print(f"   {len(entries):,} entries {how} in {loaded:.1f} s")
        for per in ("month", "year"):
            runs = [lambda per=per: bench_usage(ledger, per)]
            if not memory:
                runs.append(lambda per=per: bench.floor_usage(per))
            times = medians(*runs)
            verdict = "met" if times[0] < 1000 else "MISSED"
            line = (
                f"   usage(per={per!r}){' ' * (7 - len(per))}              {times[0]:7.1f} us"
                f"   target < 1000 us: {verdict}"
            )
            if not memory:
                line += f"   bare query {times[1]:6.1f} us   ratio {times[0] / times[1]:.1f}x"
            print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, default=400)
    parser.add_argument("--postgres", default=os.environ.get("STOOL_TEST_POSTGRES_URL"))
    parser.add_argument("--skip-postgres", action="store_true")
    arguments = parser.parse_args()
    import sqlalchemy

    print(
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"SQLAlchemy {sqlalchemy.__version__}, {os.cpu_count()} cores"
    )
    entries = list(synthetic(arguments.entries))
    report(MemoryBench(), entries, arguments.records)
    folder = pathlib.Path(tempfile.mkdtemp(prefix="stool-ledger-bench-"))
    try:
        report(SqliteBench(folder), entries, arguments.records)
    finally:
        shutil.rmtree(folder)
    if not arguments.skip_postgres:
        server = Postgres(arguments.postgres)
        try:
            report(
                PostgresBench(server, given=bool(arguments.postgres)), entries, arguments.records
            )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
