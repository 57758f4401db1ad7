"""How far and how often a limit may be bent: tolerances, their ladder, and budgets."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any, Final, Literal

import attrs

from stool._text import closest
from stool.enums import Authority
from stool.policy._errors import PolicyValidationError, shown
from stool.policy._ledger import PERIODS
from stool.policy._rules._data import AUTHORITY_NAMES, authority_from, plain_number
from stool.policy._rules._problems import Problems, finite

__all__ = [
    "Budget",
    "Tolerance",
    "budget_from",
    "check_monotonic",
    "effective_tolerances",
    "format_amount",
    "ladder_from",
    "percent_of",
]


@attrs.frozen(kw_only=True, order=False)
class Tolerance:
    """How far one authority may bend a limit rule: absolute, or a percentage of the bound.

    Thread safety: frozen, with immutable fields, so safe to share between threads.
    """

    authority: Authority
    """Who may bend this far."""
    amount: float
    """How far, in the rule's unit (or in percent of the bound when `percent`); >= 0."""
    percent: bool = False
    """Whether `amount` is a percentage of the bound rather than an absolute amount."""

    def __attrs_post_init__(self) -> None:
        this: Any = self  # the values may come from data: check them as such
        problems = Problems(prefix=f"bend.{_lower(this.authority)}")
        if not isinstance(this.authority, Authority):
            problems.add(None, f"got authority {shown(this.authority)}; allowed: an Authority")
        if plain_number(this.amount) is None or this.amount < 0:
            problems.add(None, f"got {shown(this.amount)}; allowed: {finite(this.amount, ' >= 0')}")
        if not isinstance(this.percent, bool):
            problems.add(None, f"got percent={shown(this.percent)}; allowed: true or false")
        problems.raise_if_any()

    def absolute(self, bound: float) -> float:
        """Return the tolerance in the rule's unit, for a bound of `bound`."""
        return percent_of(bound, self.amount) if self.percent else self.amount


def percent_of(bound: float, amount: float) -> float:
    """Return `amount` percent of `abs(bound)`, as float64 computes it, with no false overflow.

    The product comes first, so that exact edges stay exact (10% of 30 is 3.0, not
    3.0000000000000004); only when the product overflows (`1e308 * 10`) is the bound
    divided by 100 first, so the result is infinite only when the tolerance truly
    exceeds the largest float. The column path computes the same, element by element.
    """
    scale = float(abs(bound))
    product = scale * amount
    if product - product == 0.0:
        return product / 100
    return scale / 100 * amount


def _lower(authority: Any) -> str:
    return authority.name.lower() if isinstance(authority, Authority) else str(authority)


@attrs.frozen(kw_only=True)
class Budget:
    """How often, or how far in total, an actor may bend a rule per period.

    A bend beyond the budget is BROKEN: "a rule bent every day is a broken rule".
    Budgets count per actor (each agent, supervisor or manager their own), in the
    [Ledger][stool.policy.Ledger] passed to
    [PolicyBook.evaluate][stool.policy.PolicyBook.evaluate].

    Thread safety: frozen, with immutable fields, so safe to share between threads.
    """

    per: Literal["day", "week", "month", "quarter", "year"]
    """The period the budget counts over."""
    bends: int | None = None
    """How many bends an actor may make per period; None for no limit on the count."""
    total: float | None = None
    """How much deviation in total (in the rule's unit) an actor may bend per period;
    None for no limit on the total."""

    def __attrs_post_init__(self) -> None:
        this: Any = self  # the values may come from data: check them as such
        problems = Problems(prefix="budget.")
        if this.per not in PERIODS:
            problems.add(
                "per",
                f"got {shown(this.per)}; allowed: {', '.join(PERIODS)}",
                suggestion=closest(this.per, PERIODS),
            )
        if this.bends is not None and (
            isinstance(this.bends, bool)
            or not isinstance(this.bends, int)
            or not 1 <= this.bends <= _MAX_BENDS
        ):
            problems.add(
                "bends",
                f"got {shown(this.bends)}; allowed: a whole number from 1 to 2**63 - 1 "
                "(a rule that may never be bent is a hard rule)",
            )
        if this.total is not None and (plain_number(this.total) is None or this.total <= 0):
            problems.add("total", f"got {shown(this.total)}; allowed: {finite(this.total, ' > 0')}")
        if this.bends is None and this.total is None:
            problems.add(None, "a budget sets bends, total or both")
        problems.raise_if_any()


_BUDGET_KEYS: Final = ("per", "bends", "total")
_MAX_BENDS: Final = 2**63 - 1


def ladder_from(value: Any, problems: Problems) -> tuple[Tolerance, ...]:
    """Return the tolerance ladder `value` gives (Tolerances, or a table), adding problems."""
    if isinstance(value, (tuple, list)) and all(isinstance(t, Tolerance) for t in value):
        ladder = tuple(sorted(value, key=lambda t: t.authority.value))
        seen = [t.authority for t in ladder]
        if len(set(seen)) != len(seen):
            problems.add("bend", "each authority appears at most once")
        return ladder
    if not isinstance(value, Mapping):
        problems.add(
            "bend",
            f"got {shown(value)}; allowed: a table of authority = tolerance, "
            "such as { agent = 5, supervisor = 15 }",
        )
        return ()
    items: list[Tolerance] = []
    for key, amount in value.items():
        authority = authority_from(key)
        if authority is None:
            problems.add(
                f"bend.{key}",
                f"unknown authority {shown(key)}; allowed: {', '.join(AUTHORITY_NAMES)}",
                suggestion=closest(key, AUTHORITY_NAMES),
            )
            continue
        percent = False
        number: Any = amount
        if isinstance(amount, str):
            text = amount.strip()
            if text.endswith("%"):
                percent = True
                try:
                    number = float(text[:-1])
                except ValueError:
                    number = None
            else:
                number = None
        number = plain_number(number)
        if number is None or number < 0:
            problems.add(
                f"bend.{authority.name.lower()}",
                f"got {shown(amount)}; "
                f"allowed: {finite(amount, ' >= 0')}, or a percentage such as '10%'",
            )
            continue
        items.append(Tolerance(authority=authority, amount=number, percent=percent))
    return tuple(sorted(items, key=lambda t: t.authority.value))


def budget_from(value: Any, problems: Problems) -> Budget | None:
    """Return the Budget `value` gives (a Budget, a table or None), adding problems."""
    if value is None or isinstance(value, Budget):
        return value
    if not isinstance(value, Mapping):
        problems.add(
            "budget", f"got {shown(value)}; allowed: a table with per and bends and/or total"
        )
        return None
    unknown = [k for k in value if k not in _BUDGET_KEYS]
    for key in unknown:
        problems.add(
            f"budget.{key}",
            f"unknown key {shown(key)}; allowed: {', '.join(_BUDGET_KEYS)}",
            suggestion=closest(key, _BUDGET_KEYS),
        )
    if unknown:
        return None
    total = value.get("total")
    number = plain_number(total)
    try:
        return Budget(
            per=value.get("per"),  # type: ignore[arg-type]
            bends=value.get("bends"),
            total=number if number is not None else total,
        )
    except PolicyValidationError as error:
        for problem in error.problems:
            problems.items.append(problem.located(rule=problems.rule))
        return None


def effective_tolerances(ladder: tuple[Tolerance, ...]) -> tuple[float, float, float]:
    """Return each authority's tolerance amount (AGENT, SUPERVISOR, MANAGER).

    An authority missing from the ladder may bend as far as the highest authority
    below it (a supervisor may do what an agent may), or not at all if none is below.
    """
    amounts = [0.0, 0.0, 0.0]
    for tolerance in ladder:
        amounts[tolerance.authority.value - 1] = tolerance.amount
    for i in (1, 2):
        if all(t.authority.value != i + 1 for t in ladder):
            amounts[i] = amounts[i - 1]
    return (amounts[0], amounts[1], amounts[2])


def format_amount(amount: float) -> str:
    """Write a tolerance amount as a policy file does: a whole number without a point."""
    if isinstance(amount, int):
        return str(amount)
    return str(int(amount)) if amount.is_integer() and abs(amount) < 1e15 else repr(amount)


def check_monotonic(ladder: tuple[Tolerance, ...], problems: Problems) -> None:
    """Add a problem where a ladder mixes absolute and percent, or shrinks as authority rises."""
    if not ladder:
        return
    if len({t.percent for t in ladder}) > 1:
        problems.add(
            "bend",
            "a tolerance ladder is either all absolute amounts or all percentages, "
            "so that it can be checked never to shrink",
        )
        return
    for lower, higher in itertools.pairwise(ladder):
        if higher.amount < lower.amount:
            unit = "%" if lower.percent else ""
            problems.add(
                f"bend.{higher.authority.name.lower()}",
                f"the ladder shrinks: {higher.authority.name.lower()} may bend "
                f"{format_amount(higher.amount)}{unit} but "
                f"{lower.authority.name.lower()} may bend {format_amount(lower.amount)}{unit}; "
                "a tolerance never shrinks as authority rises",
            )
