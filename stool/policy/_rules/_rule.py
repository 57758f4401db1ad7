"""Rule: one rule of a policy book, a limit that may be bent or a hard rule that may not."""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from stool._text import closest
from stool.policy._errors import PolicyDefinitionError, shown
from stool.policy._rules._bending import (
    Budget,
    Tolerance,
    budget_from,
    check_monotonic,
    format_amount,
    ladder_from,
)
from stool.policy._rules._data import plain_number
from stool.policy._rules._problems import Problems, check_text, finite
from stool.policy._syntax import Node, parse

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["EXPRESSION_KINDS", "RULE_KEYS", "Rule"]

RULE_KEYS: Final = (
    "id",
    "kind",
    "rationale",
    "applies",
    "quantity",
    "max",
    "min",
    "unit",
    "require",
    "forbid",
    "bend",
    "budget",
    "justification_required",
)
"""The keys a rule may have in a policy file (and the keyword arguments of Rule)."""

EXPRESSION_KINDS: Final = types.MappingProxyType(
    {
        "applies": "boolean",
        "quantity": "number",
        "max": "number",
        "min": "number",
        "require": "boolean",
        "forbid": "boolean",
    }
)
"""The keys of a rule that may hold an expression, and the kind of value each must give."""

_ID_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
_MAX_ID = 100


def _bound(value: Any) -> Any:
    number = plain_number(value)
    return number if number is not None else value


@attrs.frozen(kw_only=True)
class Rule:
    """One rule of a policy book: a limit that may be bent, or a hard rule that may not.

    - A **limit** holds a numeric `quantity` to a `max` or a `min` (a number or an
      expression), with a tolerance ladder `bend` saying how far each authority may go
      beyond it: absolute (`{"agent": 5}`) or a percentage of the bound
      (`{"supervisor": "10%"}`), never shrinking as authority rises. Optionally a
      `budget` on bending and `justification_required`.
    - A **hard** rule either holds a quantity to a bound with no tolerance at all, or
      states a condition that must hold (`require`) or must not (`forbid`).
      Any deviation is BROKEN, for every authority.

    `applies` restricts a rule to the contexts where its condition holds.
    Expressions are parsed when the rule is built; a problem raises
    [PolicyValidationError][stool.policy.PolicyValidationError] listing every problem
    of the rule at once.

    Thread safety: frozen, with immutable fields, so safe to share between threads.

    Examples:
        >>> from stool.policy import Rule
        >>> window = Rule(
        ...     id="refund-window",
        ...     kind="limit",
        ...     applies="action == 'refund'",
        ...     quantity="days_since_purchase",
        ...     max=30,
        ...     unit="days",
        ...     bend={"agent": 5, "supervisor": 15, "manager": 30},
        ...     budget={"per": "day", "bends": 3},
        ...     rationale="Items returned after a month can rarely be resold as new.",
        ... )
        >>> [t.amount for t in window.bend]
        [5.0, 15.0, 30.0]
    """

    id: str
    """The rule's identifier, unique in its book: letters, digits, `-`, `_` and `.`."""
    kind: Literal["limit", "hard"]
    """`limit` (bendable within a tolerance ladder) or `hard` (never bendable)."""
    rationale: str
    """Why the rule exists, in words an agent can say to a customer; never empty."""
    applies: str | None = None
    """The condition under which the rule applies (an expression); None: always."""
    quantity: str | None = None
    """The numeric expression a limit holds to its bound."""
    max: float | str | None = attrs.field(default=None, converter=_bound)
    """The largest allowed quantity: a number, or an expression (`purchase_price`)."""
    min: float | str | None = attrs.field(default=None, converter=_bound)
    """The smallest allowed quantity: a number, or an expression."""
    unit: str = ""
    """The quantity's unit, for findings and explanations (`days`, `currency`)."""
    require: str | None = None
    """For a hard rule: a condition that must hold whenever the rule applies."""
    forbid: str | None = None
    """For a hard rule: a condition that must not hold whenever the rule applies."""
    bend: tuple[Tolerance, ...] = attrs.field(default=())
    """The tolerance ladder of a limit, ordered by authority. Given as a mapping of
    authority names (or [Authority][stool.Authority] members) to amounts, or to
    percentages such as `"10%"`."""
    budget: Budget | None = None
    """A budget on bending this limit, or None for no budget. Given as a
    [Budget][stool.policy.Budget] or a mapping with `per`, `bends` and/or `total`."""
    justification_required: bool = False
    """Whether a bend of this limit needs a justification; a bend without one is BROKEN."""
    _expressions: Mapping[str, tuple[str, Node]] = attrs.field(
        init=False, eq=False, hash=False, repr=False, factory=dict
    )

    def __attrs_post_init__(self) -> None:  # noqa: C901, PLR0912, PLR0915 - one branch per case, kept in one place
        this: Any = self  # the values may come from data: check them as such
        rule_id = this.id if isinstance(this.id, str) and this.id else None
        problems = Problems(rule=rule_id)
        if not isinstance(this.id, str) or not this.id:
            problems.add("id", f"got {shown(this.id)}; allowed: a non-empty string")
        elif len(this.id) > _MAX_ID or not set(this.id) <= _ID_CHARS:
            problems.add(
                "id",
                f"got {shown(this.id)}; allowed: up to {_MAX_ID} letters, digits, '-', '_' and '.'",
            )
        if this.kind not in ("limit", "hard"):
            problems.add(
                "kind",
                f"got {shown(this.kind)}; allowed: limit, hard",
                suggestion=closest(this.kind, ("limit", "hard")),
            )
        check_text(problems, "rationale", this.rationale)
        if not isinstance(this.unit, str):
            problems.add("unit", f"got {shown(this.unit)}; allowed: a string")
        if not isinstance(this.justification_required, bool):
            problems.add(
                "justification_required",
                f"got {shown(this.justification_required)}; allowed: true or false",
            )
        ladder = ladder_from(this.bend, problems) if this.bend != () else ()
        object.__setattr__(self, "bend", ladder)
        budget = budget_from(this.budget, problems)
        object.__setattr__(self, "budget", budget)

        expressions: dict[str, tuple[str, Node]] = {}

        def expression(key: str, value: Any) -> None:
            if value is None:
                return
            if not isinstance(value, str):
                problems.add(key, f"got {shown(value)}; allowed: an expression (a string)")
                return
            try:
                expressions[key] = (value, parse(value))
            except PolicyDefinitionError as error:
                problems.extend(error, key)

        expression("applies", this.applies)
        expression("quantity", this.quantity)
        expression("require", this.require)
        expression("forbid", this.forbid)
        for key in ("max", "min"):
            value = getattr(self, key)
            if value is None or plain_number(value) is not None:
                continue
            if isinstance(value, str):
                expression(key, value)
            else:
                problems.add(
                    key,
                    f"got {shown(value)}; allowed: {finite(value)} or an expression (a string)",
                )

        has_bound = this.max is not None or this.min is not None
        if this.max is not None and this.min is not None:
            problems.add("min", "a rule has a max or a min, not both; write two rules for a range")
        if this.kind == "limit":
            if this.quantity is None:
                problems.add("quantity", "a limit needs a quantity")
            if not has_bound:
                problems.add("max", "a limit needs a max or a min")
            for key in ("require", "forbid"):
                if getattr(self, key) is not None:
                    problems.add(
                        key, f"{key} belongs to hard rules; a limit has a quantity and a bound"
                    )
            if (
                not ladder
                and this.bend == ()
                and not any(
                    p.field == "bend" or (p.field or "").startswith("bend.") for p in problems.items
                )
            ):
                problems.add(
                    "bend",
                    "a limit needs a tolerance ladder (bend); a rule no one may bend is "
                    "kind = 'hard'",
                )
            check_monotonic(ladder, problems)
        elif this.kind == "hard":
            for key in ("bend", "budget", "justification_required"):
                value = getattr(self, key)
                if value not in ((), None, False):
                    problems.add(
                        key,
                        f"a hard rule allows no deviation, so it takes no {key}; "
                        "a rule that may be bent is kind = 'limit'",
                    )
            conditions = [k for k in ("require", "forbid") if getattr(self, k) is not None]
            if len(conditions) > 1:
                problems.add("forbid", "a hard rule has require or forbid, not both")
            if conditions and (this.quantity is not None or has_bound):
                problems.add(
                    conditions[0],
                    "a hard rule checks a condition (require/forbid) or a quantity against "
                    "a bound, not both",
                )
            if not conditions:
                if this.quantity is None:
                    problems.add(
                        "require", "a hard rule needs require, forbid, or a quantity and a bound"
                    )
                elif not has_bound:
                    problems.add("max", "a hard rule with a quantity needs a max or a min")
        problems.raise_if_any()
        object.__setattr__(self, "_expressions", types.MappingProxyType(expressions))

    @property
    def check(self) -> Literal["max", "min", "require", "forbid"]:
        """What the rule checks: `max`, `min`, `require` or `forbid`."""
        if self.require is not None:
            return "require"
        if self.forbid is not None:
            return "forbid"
        return "max" if self.max is not None else "min"

    def to_data(self) -> dict[str, Any]:
        """Return the rule as policy-file data (the keys of a `[[rule]]` table)."""
        data: dict[str, Any] = {"id": self.id, "kind": self.kind}
        for key in ("applies", "quantity", "max", "min", "require", "forbid"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        if self.unit:
            data["unit"] = self.unit
        if self.bend:
            data["bend"] = {
                t.authority.name.lower(): (f"{format_amount(t.amount)}%" if t.percent else t.amount)
                for t in self.bend
            }
        if self.budget is not None:
            budget: dict[str, Any] = {"per": self.budget.per}
            if self.budget.bends is not None:
                budget["bends"] = self.budget.bends
            if self.budget.total is not None:
                budget["total"] = self.budget.total
            data["budget"] = budget
        if self.justification_required:
            data["justification_required"] = True
        data["rationale"] = self.rationale
        return data
