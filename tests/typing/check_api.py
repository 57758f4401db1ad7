"""Downstream-style use of stool's public API, checked with `mypy --strict tests/typing`.

Each `assert_type` pins the type a user's checker sees.
Each `# type: ignore[code]` marks a misuse the checker must keep refusing: with
`warn_unused_ignores` (part of `--strict`), an ignore that stops being needed is an error.
The module also runs (`python tests/typing/check_api.py`), so every line is real usage.
"""

from __future__ import annotations

import json
import pathlib
import tempfile
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st
from typing_extensions import assert_type

import stool
from stool import (
    Agent,
    Authority,
    Channel,
    Company,
    Customer,
    CustomerType,
    Interaction,
    Leg,
    Verdict,
    classify,
    structure,
    unstructure,
)
from stool.events import Escalate, Event, ExtraMile, Greet, Resolve, Survey
from stool.policy import Ledger, LedgerEntry, load_example
from stool.strategies import agents, customers, events, interactions


def build_and_classify() -> CustomerType:
    """Build parties and an interaction, then classify it."""
    customer = Customer(id="C-1", prior_bad_experiences=2, expectations=0.2)
    agent = Agent(id="rep-7", authority=Authority.SUPERVISOR, fatigue=0.3)
    company = Company(name="Acme", aht_target_s=420.0)
    interaction = Interaction.for_parties(
        customer=customer, agent=agent, company=company, fulfilment=1.0, extra_mile=True
    )
    assert_type(interaction, Interaction)
    assert_type(interaction.fulfilment, float | None)
    assert_type(interaction.transfers, int)
    assert_type(interaction.promised_days, float | None)
    assert_type(interaction.csat, int | None)
    assert_type(interaction.channel, Channel)
    result = classify(interaction, fulfilled_at=0.9, unprofessional_below=0.4)
    assert_type(result, CustomerType | None)
    return result or CustomerType.SATISFIED


def play_moves() -> Interaction:
    """Apply moves to an interaction, by call and by apply."""
    moves: list[Event] = [Greet(), Resolve(fulfilment=0.5), ExtraMile(), Survey(csat=5)]
    current = Interaction(fulfilment=0.0)
    for move in moves:
        current = move(current)
        assert_type(current, Interaction)
    escalated = Escalate(to=Authority.MANAGER).apply(current)
    assert_type(escalated, Interaction)
    assert_type(Escalate().describe(), str)
    return escalated.replace(thanked=True)


def order_things() -> tuple[Authority, Verdict]:
    """Ordered enums work with max() and sorted()."""
    worst = max(Verdict.BENT, Verdict.BROKEN)
    assert_type(worst, Verdict)
    highest = max([Authority.AGENT, Authority.MANAGER])
    assert_type(highest, Authority)
    assert_type(sorted([Verdict.BROKEN, Verdict.COMPLIANT]), list[Verdict])
    assert_type(Authority.AGENT < Authority.SUPERVISOR, bool)
    legs: dict[Leg, float] = dict.fromkeys(Leg, 1.0)
    assert len(legs) == len(Leg)
    return highest, worst


def round_trip() -> Interaction:
    """Write and read values; structure returns the requested type."""
    data: Any = unstructure(Interaction(fulfilment=0.5))
    again = structure(json.loads(json.dumps(data)), Interaction)
    assert_type(again, Interaction)
    event = structure({"type": "Greet"}, Event)
    assert_type(event, Event)
    agent = structure({"id": "rep-1", "authority": "SUPERVISOR"}, Agent)
    assert_type(agent, Agent)
    return again


def handle_errors() -> str:
    """Catch stool's errors and read their structured attributes."""
    try:
        Interaction(fulfilment=1.5)
    except stool.ValidationError as error:
        assert_type(error.field, str)
        assert_type(error.row, int | None)
        return f"{error.field}: {error.allowed}"
    except stool.StoolError:
        return "other"
    return "no error"


def evolve_with_attrs() -> Interaction:
    """attrs.evolve keeps the type."""
    return attrs.evolve(Interaction(), transfers=2)


@settings(max_examples=5, deadline=None)
@given(
    interactions(fulfilment=st.just(1.0), extra_mile=st.booleans()), customers(), agents(), events()
)
def property_test(interaction: Interaction, customer: Customer, agent: Agent, move: Event) -> None:
    """A user's own property test drawing from stool.strategies."""
    assert classify(interaction) in {CustomerType.SATISFIED, CustomerType.VERY_SATISFIED}
    assert_type(move(interaction), Interaction)
    assert customer.id
    assert agent.id


def keep_a_ledger() -> int:
    """Check and record bends in an SQLite ledger, read a budget, export the trail."""
    folder = pathlib.Path(tempfile.mkdtemp())
    refund = {
        "action": "refund",
        "days_since_purchase": 33,
        "refund_amount": 10.0,
        "purchase_price": 10.0,
        "item_category": "kitchen",
    }
    with Ledger.open(folder / "bends.db", create=True) as ledger:
        assert_type(ledger, Ledger)
        decision = ledger.evaluate_and_record(
            load_example("returns"), refund, actor="rep-7", when="2024-06-01"
        )
        assert_type(decision.verdict, Verdict)
        used = ledger.usage(
            book="returns", rule="refund-window", actor="rep-7", when="2024-06-01", per="day"
        )
        assert_type(used, tuple[int, float])
        assert_type(ledger.bends_of("rep-7"), tuple[LedgerEntry, ...])
        return ledger.export_jsonl(folder / "bends.jsonl")


def fit_and_evaluate() -> float:
    """Fit a small table of answers, then measure the fitted model (the research extra)."""
    import numpy as np  # noqa: PLC0415 - the research extra, loaded where it is used

    from stool.research import Evaluation, FitResult, Metric, sample_answers  # noqa: PLC0415

    waits = np.linspace(0.0, 86_400.0, 300)
    table = {"wait_time_s": waits, "csat": sample_answers(None, {"wait_time_s": waits}, seed=1)}
    result = stool.fit(
        table,
        params=["customer.call_wait_scale_s", "calibration.cutpoints", "calibration.slope"],
        cv=None,
        n_boot=0,
    )
    assert_type(result, FitResult)
    assert_type(result.model, stool.StoolModel)
    evaluation = stool.evaluate(result, table, n_boot=0)
    assert_type(evaluation, Evaluation)
    auc = evaluation.metrics["auc"]
    assert_type(auc, Metric)
    assert_type(auc.value, float | None)
    return auc.value or 0.0


def misuse_is_refused() -> None:
    """Misuses the checker must keep refusing."""
    Interaction(0.5)  # type: ignore[call-arg, arg-type]
    classify(Interaction(), 0.5)  # type: ignore[call-arg]
    Greet().apply("not an interaction")  # type: ignore[arg-type]
    Interaction().fulfilment = 0.5  # type: ignore[misc]
    structure({}, Interaction).no_such_field  # type: ignore[attr-defined]  # noqa: B018
    Ledger().record("not a decision")  # type: ignore[arg-type]
    stool.fit({}, "csat")  # type: ignore[call-arg]


def main() -> None:
    """Run every usage above."""
    assert build_and_classify() is CustomerType.VERY_SATISFIED
    assert play_moves().escalated
    assert order_things() == (Authority.MANAGER, Verdict.BROKEN)
    assert round_trip().fulfilment == 0.5
    assert handle_errors().startswith("Interaction.fulfilment")
    assert evolve_with_attrs().transfers == 2
    assert keep_a_ledger() == 1
    assert fit_and_evaluate() > 0.5
    property_test()


if __name__ == "__main__":
    main()
