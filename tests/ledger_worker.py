"""A separate process for the ledger tests: contend for a budget, or record until killed.

    python tests/ledger_worker.py contend TARGET BUDGET ATTEMPTS GO_FILE
    python tests/ledger_worker.py record TARGET

Both print `ready` once the ledger is open.
`contend` opens the ledger at TARGET (a path or a database URL), waits until GO_FILE
exists so that every worker starts at once, asks `evaluate_and_record` ATTEMPTS times
for a bend of a rule with a budget of BUDGET bends a day, and prints the verdicts'
names as one JSON list.

`record` records decisions of two bends each (two rules bent at once), without end,
alternating `record` and `evaluate_and_record`,
printing after each commit the number of decisions committed so far; the test kills it
in the middle of its work.
"""

from __future__ import annotations

import json
import pathlib
import sys
import time

from stool.policy import Ledger, PolicyBook


def book(budget: int) -> PolicyBook:
    """Two limits a refund bends at once; the window has a daily budget."""
    return PolicyBook.from_data(
        {
            "name": "contended",
            "context": {"days": "number", "amount": "number"},
            "rule": [
                {
                    "id": "window",
                    "kind": "limit",
                    "quantity": "days",
                    "max": 30,
                    "unit": "days",
                    "bend": {"agent": 5},
                    "budget": {"per": "day", "bends": budget},
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
            ],
        }
    )


REQUEST = {"days": 33, "amount": 110}


def say(line: str) -> None:
    """Write a line to the test that runs this worker, at once."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def contend(target: str, budget: int, attempts: int, go: str) -> None:
    """Wait for the go file, then ask for `attempts` bends; print the verdicts."""
    the_book = book(budget)
    with Ledger.open(target) as ledger:
        say("ready")
        deadline = time.monotonic() + 60
        while not pathlib.Path(go).exists():
            if time.monotonic() > deadline:
                sys.exit("the go file never appeared")
            time.sleep(0.005)
        verdicts = [
            ledger.evaluate_and_record(
                the_book, REQUEST, actor="rep-7", when="2024-06-01"
            ).verdict.name
            for _ in range(attempts)
        ]
    say(json.dumps(verdicts))


def record(target: str) -> None:
    """Record two-bend decisions until killed, reporting each commit."""
    the_book = book(10**9)
    with Ledger.open(target) as ledger:
        say("ready")
        done = 0
        while True:
            actor = f"rep-{done % 7}"
            if done % 2:
                ledger.record(the_book.evaluate(REQUEST, actor=actor, when="2024-06-01"))
            else:
                ledger.evaluate_and_record(the_book, REQUEST, actor=actor, when="2024-06-01")
            done += 1
            say(str(done))


if __name__ == "__main__":
    if sys.argv[1] == "contend":
        contend(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    elif sys.argv[1] == "record":
        record(sys.argv[2])
    else:
        sys.exit(f"unknown command {sys.argv[1]!r}")
