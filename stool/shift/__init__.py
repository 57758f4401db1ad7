"""The stool across a shift: the queue, every contact played and scored, agent strain, what-ifs.

A [Shift][stool.shift.Shift] is a day at the contact centre as data: the agents on duty,
the calls offered in each interval, who calls ([CustomerMix][stool.shift.CustomerMix]),
how agents act ([Behaviour][stool.shift.Behaviour]), how their fatigue builds
([Strain][stool.shift.Strain]) and the company with its policy book.
[Shift.run][stool.shift.Shift.run] simulates the day on [SimPy](https://simpy.readthedocs.io)
(the `sim` extra): calls queue, wait and hang up; each answered call is played as an
[Interaction][stool.Interaction] with [stool.events][], judged by the book through one
[Ledger][stool.policy.Ledger] kept all day, priced on the queue and scored; the agent's
fatigue carries over to the next call.

    >>> from stool import Agent
    >>> from stool.shift import Shift
    >>> shift = Shift(agents=[Agent(id=f"rep-{i}") for i in range(14)], arrivals=[100] * 4,
    ...               aht_s=180, patience_s=120, seed=7)
    >>> day = shift.run()
    >>> len(day.intervals), day.calls[0].agent
    (4, 'rep-0')

Runs are seeded and reproducible. Arrivals, handle times, patience and everything about
each caller draw from streams of their own, so two shifts with the same seed face the
same callers (common random numbers): [compare][stool.shift.compare] runs a what-if on
the same days and gives each difference with its confidence interval.
Shifts are data: TOML or JSON files ([load_shift][stool.shift.load_shift]), never code.
"""

from __future__ import annotations

from stool.shift._compare import Comparison, Difference, compare
from stool.shift._file import FORMAT, FORMAT_VERSION, ShiftFileError, load_shift, save_shift
from stool.shift._parts import STARTING, Behaviour, Breaks, CustomerMix, Request, Starting, Strain
from stool.shift._play import Caller
from stool.shift._result import (
    AgentDay,
    BudgetUse,
    Call,
    Contact,
    IntervalStats,
    LegSummary,
    Rest,
    ShiftResult,
    ShiftSummary,
)
from stool.shift._shift import Shift

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "STARTING",
    "AgentDay",
    "Behaviour",
    "Breaks",
    "BudgetUse",
    "Call",
    "Caller",
    "Comparison",
    "Contact",
    "CustomerMix",
    "Difference",
    "IntervalStats",
    "LegSummary",
    "Request",
    "Rest",
    "Shift",
    "ShiftFileError",
    "ShiftResult",
    "ShiftSummary",
    "Starting",
    "Strain",
    "compare",
    "load_shift",
    "save_shift",
]
