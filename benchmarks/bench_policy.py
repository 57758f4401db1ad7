"""Benchmark the policy engine, side by side in one run.

Run it with:

    .venv/bin/python benchmarks/bench_policy.py

It prints, for the issue's targets:

1. one compiled expression against the `rule-engine` package evaluating the same text on
   the same dict (target: at least 10x faster), and against a plain Python function;
2. the `returns` book, a full Decision with findings (target: at most 10 us);
3. a 10-rule book with the trace on (target: at most 20 us);
4. `evaluate_batch` over 1,000,000 rows, from numpy arrays and from a pandas DataFrame
   (target: at least 1,000,000 contexts/s).

Times are CPU time of this process (`time.process_time`), the best of several repeats,
so that other processes on a shared machine do not inflate them.
"""

from __future__ import annotations

import platform
import sys
import time
import timeit
from typing import TYPE_CHECKING, Any

from stool import Authority
from stool.policy import PolicyBook, Rule, compile_expression, load_example

if TYPE_CHECKING:
    from collections.abc import Callable

TEXT = "days_since_purchase <= 30 and refund_amount <= 100 and item_category != 'hygiene'"
# Every clause of TEXT is evaluated on this context (no short cut): the expression is true.
EXPRESSION_CONTEXT = {"days_since_purchase": 12, "refund_amount": 40.0, "item_category": "kitchen"}
# A refund three days late: the returns book bends its window and checks its other rules.
CONTEXT = {
    "action": "refund",
    "days_since_purchase": 33,
    "refund_amount": 40.0,
    "purchase_price": 40.0,
    "item_category": "kitchen",
}


def per_call(function: Callable[[], Any], *, number: int, repeat: int = 7) -> float:
    """Return the best CPU time per call, in microseconds."""
    best = min(timeit.repeat(function, number=number, repeat=repeat, timer=time.process_time))
    return best / number * 1e6


def plain_python(context: dict[str, Any]) -> bool:
    """The expression, written by hand."""
    return (
        context["days_since_purchase"] <= 30
        and context["refund_amount"] <= 100
        and context["item_category"] != "hygiene"
    )


def ten_rule_book() -> PolicyBook:
    """A 10-rule book: limits with ladders, hard limits, conditions; most apply."""

    def limit(rule_id: str, quantity: str, bound: float, **more: Any) -> Rule:
        return Rule(
            id=rule_id,
            kind="limit",
            quantity=quantity,
            max=bound,
            bend={"agent": 5, "supervisor": 15, "manager": 30},
            rationale="A limit with a tolerance ladder.",
            **more,
        )

    def forbid(rule_id: str, condition: str, **more: Any) -> Rule:
        return Rule(id=rule_id, kind="hard", forbid=condition, rationale="A hard rule.", **more)

    return PolicyBook(
        name="ten",
        context={
            "action": "string",
            "days_since_purchase": "number",
            "refund_amount": "number",
            "purchase_price": "number",
            "item_category": "string",
            "credit": "number",
            "hold_minutes": "number",
            "transfers": "number",
            "deceives_customer": "boolean",
            "changes_account": "boolean",
            "identity_verified": "boolean",
        },
        rules=[
            limit("refund-window", "days_since_purchase", 30, applies="action == 'refund'"),
            limit("goodwill-credit", "credit", 20, applies="action in ['refund', 'credit']"),
            limit("hold-time", "hold_minutes", 10),
            limit("transfers", "transfers", 2),
            limit("restocking", "purchase_price - refund_amount", 15, applies="action == 'refund'"),
            Rule(
                id="refund-within-price",
                kind="hard",
                applies="action == 'refund'",
                quantity="refund_amount",
                max="purchase_price",
                rationale="A refund returns what was paid.",
            ),
            forbid("hygiene", "item_category == 'hygiene'", applies="action == 'refund'"),
            forbid("never-deceive", "deceives_customer"),
            Rule(
                id="verify-identity",
                kind="hard",
                applies="changes_account",
                require="identity_verified",
                rationale="Fraud protection.",
            ),
            forbid(
                "no-exchange-of-opened", "item_category == 'opened'", applies="action == 'exchange'"
            ),
        ],
    )


TEN_CONTEXT = {
    **CONTEXT,
    "credit": 22.0,
    "hold_minutes": 4,
    "transfers": 1,
    "deceives_customer": False,
    "changes_account": False,
    "identity_verified": False,
}


def bench_expression() -> None:
    import rule_engine  # the peer engine, from the dev extra

    context = EXPRESSION_CONTEXT
    expression = compile_expression(TEXT)
    peer = rule_engine.Rule(TEXT)
    assert expression(context) is peer.matches(context) is plain_python(context) is True
    ours = per_call(lambda: expression(context), number=200_000)
    theirs = per_call(lambda: peer.matches(context), number=20_000)
    python = per_call(lambda: plain_python(context), number=500_000)
    print("1. one compiled expression:", TEXT)
    print(f"   stool.compile_expression   {ours:8.3f} us/call")
    print(
        f"   rule-engine Rule.matches   {theirs:8.3f} us/call   stool {theirs / ours:.1f}x faster"
    )
    print(
        f"   plain Python function      {python:8.3f} us/call   stool {ours / python:.1f}x slower"
    )


def bench_books() -> None:
    returns = load_example("returns")
    decision = returns.evaluate(CONTEXT, by=Authority.AGENT)
    assert len(decision.findings) == 3
    assert len(decision.trace) == 3
    full = per_call(lambda: returns.evaluate(CONTEXT, by=Authority.AGENT), number=50_000)
    print("2. the returns book, full Decision with 3 findings and the trace")
    print(f"   PolicyBook.evaluate        {full:8.3f} us/call   (target <= 10 us)")

    ten = ten_rule_book()
    decision = ten.evaluate(TEN_CONTEXT, by=Authority.AGENT, trace=True)
    assert len(decision.trace) == 10
    applied = len(decision.findings)
    traced = per_call(
        lambda: ten.evaluate(TEN_CONTEXT, by=Authority.AGENT, trace=True), number=20_000
    )
    untraced = per_call(
        lambda: ten.evaluate(TEN_CONTEXT, by=Authority.AGENT, trace=False), number=20_000
    )
    print(f"3. a 10-rule book ({applied} rules apply, {decision.verdict.name})")
    print(f"   evaluate, trace on         {traced:8.3f} us/call   (target <= 20 us)")
    print(f"   evaluate, trace off        {untraced:8.3f} us/call")


def bench_batch() -> None:
    import numpy as np
    import pandas as pd

    returns = load_example("returns")
    n = 1_000_000
    rng = np.random.default_rng(20240601)
    columns = {
        "action": rng.choice(np.array(["refund", "exchange", "repair"], dtype=object), n),
        "days_since_purchase": rng.integers(0, 90, n),
        "refund_amount": rng.uniform(0, 100, n).round(2),
        "purchase_price": rng.uniform(0, 100, n).round(2),
        "item_category": rng.choice(np.array(["kitchen", "hygiene", "furniture"], dtype=object), n),
    }
    frame = pd.DataFrame(columns)
    # Spot-check agreement with evaluate on the first rows.
    result = returns.evaluate_batch(columns)
    for i in range(200):
        row = {k: v[i].item() if hasattr(v[i], "item") else v[i] for k, v in columns.items()}
        assert returns.evaluate(row).verdict is result.verdicts()[i]
    arrays = min(
        timeit.repeat(
            lambda: returns.evaluate_batch(columns), number=1, repeat=3, timer=time.process_time
        )
    )
    pandas = min(
        timeit.repeat(
            lambda: returns.evaluate_batch(frame), number=1, repeat=3, timer=time.process_time
        )
    )
    counts = {v.name: c for v, c in result.counts().items()}
    print(f"4. evaluate_batch, returns book, {n:,} rows (target >= 1,000,000 contexts/s)")
    print(f"   verdicts: {counts}")
    print(f"   numpy arrays               {arrays:8.3f} s     {n / arrays:12,.0f} contexts/s")
    print(f"   pandas DataFrame (str)     {pandas:8.3f} s     {n / pandas:12,.0f} contexts/s")


def main() -> None:
    print(f"Python {sys.version.split()[0]} on {platform.machine()}, {platform.system()}")
    bench_expression()
    bench_books()
    bench_batch()


if __name__ == "__main__":
    main()
