"""Benchmark stool.shift: a 10-hour day with 20 agents and about 3,000 contacts.

Run from the repository root:

    .venv/bin/python benchmarks/bench_shift.py

Issue 11's target: the day, every contact played as an interaction with stool.events,
judged by the returns book through the shift's ledger, priced on the queue and scored,
simulates in under 5 seconds. The script prints, each the best CPU time of 5 runs:

- the whole day (`Shift.run()` and its interval and agent figures), as a share of the
  5-second target;
- the floor measured in the same run: the same day with `play=False` (the queue alone on
  SimPy), and the whole day as a ratio of it;
- where the time goes: the simulation with the contacts played, then pricing and scoring;
- the scoring choice: the day's interactions scored one by one with `score` (what
  `Shift.run` does), against `score_batch` on the same interactions, columns built.
"""

from __future__ import annotations

import platform
import time

import attrs
import numpy as np
import simpy

from stool import Agent, Company, Interaction
from stool.batch import score_batch
from stool.policy import load_example
from stool.scoring import score
from stool.shift import Breaks, CustomerMix, Request, Shift
from stool.shift._sim import finish, simulate

TARGET_S = 5.0
REFUND = {
    "action": "refund",
    "days_since_purchase": 12,
    "refund_amount": 40.0,
    "purchase_price": 40.0,
    "item_category": "kitchen",
}


def the_day() -> Shift:
    """20 half hours of 150 calls, 20 agents, with refund requests for the returns book."""
    requests = (
        Request(name="refund", share=0.10, context=REFUND),
        Request(
            name="late refund", share=0.08, context=REFUND | {"days_since_purchase": 33}, cost=40.0
        ),
        Request(
            name="very late refund",
            share=0.04,
            context=REFUND | {"days_since_purchase": 40},
            cost=40.0,
        ),
        Request(
            name="hygiene refund",
            share=0.02,
            context=REFUND | {"item_category": "hygiene"},
            cost=25.0,
        ),
    )
    return Shift(
        name="benchmark day",
        agents=[Agent(id=f"rep-{i}") for i in range(20)],
        arrivals=[150.0] * 20,
        aht_s=210,
        patience_s=180,
        seed=1,
        company=Company(name="Home & Bath", policies=load_example("returns")),
        customers=CustomerMix(requests=requests),
        breaks=Breaks(),
    )


def best(function, repeats: int = 5) -> tuple[float, object]:
    """The best CPU time of `repeats` calls, and the last call's result."""
    times = []
    result = None
    for _ in range(repeats):
        start = time.process_time()
        result = function()
        times.append(time.process_time() - start)
    return min(times), result


def main() -> None:
    print(f"Python {platform.python_version()}, SimPy {simpy.__version__}")
    shift = the_day()
    queue_only = attrs.evolve(shift, play=False)

    def whole_day():
        result = shift.run()
        _ = result.intervals, result.agents, result.summary()
        return result

    def floor():
        result = queue_only.run()
        _ = result.intervals
        return result

    t_day, result = best(whole_day)
    t_floor, _ = best(floor)
    contacts = result.contacts
    print(f"calls {len(result.calls)}, contacts played and scored {len(contacts)}")
    print(
        f"whole day (run + figures)      {t_day:8.3f} s   {t_day / TARGET_S:6.1%} of the 5 s target"
    )
    print(f"floor: the queue alone          {t_floor:8.3f} s")
    print(f"ratio whole day / queue alone   {t_day / t_floor:8.1f}")
    print(f"per contact                     {t_day / len(contacts) * 1e6:8.0f} us")

    t_sim, raw = best(lambda: simulate(shift))
    t_finish, _ = best(lambda: finish(shift, raw[0]))
    print(f"  simulate, contacts played     {t_sim:8.3f} s")
    print(f"  price on the queue + score    {t_finish:8.3f} s")

    interactions = [contact.interaction for contact in contacts]
    t_scalar, _ = best(lambda: [score(i, shift.model) for i in interactions])

    def batch():
        columns = {
            a.name: [getattr(i, a.name) for i in interactions]
            for a in attrs.fields(Interaction)
            if a.name not in ("csat", "promised_days", "delivered_days", "elapsed_days")
        }
        arrays = {
            name: np.array(
                [v.name if hasattr(v, "name") else v for v in values],
                dtype=object if name in ("channel", "authority") else None,
            )
            for name, values in columns.items()
        }
        return score_batch(arrays, shift.model)

    t_batch, _ = best(batch)
    print(f"scoring the {len(interactions)} interactions with score       {t_scalar:8.3f} s")
    print(f"... with score_batch (columns built from them)  {t_batch:8.3f} s")
    print(f"ratio score_batch / score                       {t_batch / t_scalar:8.2f}")


if __name__ == "__main__":
    main()
