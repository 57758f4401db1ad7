"""A developer checks refund requests against the returns policy, bend by bend.

The `returns` example book (refunds within 30 days; an agent may bend the window by 5
days, a supervisor by 15, a manager by 30, at most 3 window bends per actor per day;
hygiene items are never refunded; a refund never exceeds the price paid) judges a few
requests as an agent and as a supervisor, explains one decision in plain language,
folds a decision into an interaction for scoring, and shows the ledger turning an
agent's fourth bend of the day into a break.

Run it with `python examples/03_policy_returns.py`; it needs no extras and takes a second.
"""

from __future__ import annotations

import datetime as dt
import json

import stool
from stool import Authority
from stool.policy import Ledger, apply_decision, load_example, run_tests

TODAY = dt.date(2024, 6, 1)


def request(
    days: int, *, amount: float = 40.0, price: float = 40.0, category: str = "kitchen"
) -> dict[str, object]:
    """A refund request, as the returns book reads it."""
    return {
        "action": "refund",
        "days_since_purchase": days,
        "refund_amount": amount,
        "purchase_price": price,
        "item_category": category,
    }


def main() -> None:
    """Judge the requests, explain one, fold one into an interaction, spend a budget."""
    book = load_example("returns")
    report = run_tests(book)
    print(f"{book!r}: {len(report.results)} policy tests, {len(report.failed)} failed\n")

    requests = {
        "12 days after purchase": request(12),
        "33 days": request(33),
        "40 days": request(40),
        "50 days": request(50),
        "70 days": request(70),
        "a shower seat, 3 days": request(3, category="hygiene"),
        "60.00 back on a 40.00 kettle": request(3, amount=60.0),
    }
    print(f"{'request':32} {'as agent':10} {'as supervisor':14} requires")
    for label, context in requests.items():
        agent = book.evaluate(context, by=Authority.AGENT)
        supervisor = book.evaluate(context, by=Authority.SUPERVISOR)
        requires = agent.requires.name if agent.requires is not None else "-"
        print(f"{label:32} {agent.verdict.name:10} {supervisor.verdict.name:14} {requires}")

    print("\nWhy 40 days is a break for an agent:")
    decision = book.evaluate(
        request(40),
        by=Authority.AGENT,
        actor="rep-7",
        when=TODAY,
        justification="The customer was in hospital for two weeks.",
    )
    print(decision.explain())

    print("\nThe supervisor approves it; the interaction records the bend and the refund:")
    approved = book.evaluate(request(40), by=Authority.SUPERVISOR, actor="sup-2", when=TODAY)
    interaction = apply_decision(stool.Interaction(), approved, cost=40.0)
    print(
        f"  {approved.verdict.name}, bends={interaction.bends}, breaks={interaction.breaks}, "
        f"concession_cost={interaction.concession_cost}, authority={interaction.authority.name}"
    )
    record = json.dumps(stool.unstructure(approved))
    print(f"  audit record: {len(record)} bytes of JSON, book version {approved.version}")

    print("\nOne agent, one day, four late refunds (at most 3 window bends per day):")
    ledger = Ledger()
    for attempt in range(1, 5):
        late = book.evaluate(
            request(33), by=Authority.AGENT, ledger=ledger, actor="rep-7", when=TODAY
        )
        ledger.record(late)
        window = late.findings[0]  # refund-window, the book's first rule
        print(f"  bend {attempt}: {late.verdict.name:6} {window.cause.name}")
    print(f"  {window.reason}.")
    approver = late.requires.name.lower() if late.requires is not None else "nobody"
    print(f"  The ledger holds {len(ledger.entries)} bends; the fourth needs a {approver}.")


if __name__ == "__main__":
    main()
