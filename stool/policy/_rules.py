"""The parts of a policy book: context fields, tolerances, budgets, rules and test cases.

Each part validates itself and reports *every* problem it has at once; the book adds
the problems that involve several parts (duplicate ids, undeclared fields).
"""

from __future__ import annotations

import itertools
import math
import types
from collections.abc import Mapping
from typing import Any, Final, Literal

import attrs

from stool._text import closest
from stool.enums import Authority, Verdict
from stool.policy._errors import PolicyDefinitionError, PolicyValidationError, shown
from stool.policy._expr import KINDS
from stool.policy._ledger import PERIODS, iso_date
from stool.policy._syntax import MAX_INTEGER, Node, parse

__all__ = [
    "AUTHORITY_NAMES",
    "RULE_KEYS",
    "TEST_KEYS",
    "VERDICT_NAMES",
    "Budget",
    "ContextField",
    "PolicyTest",
    "Rule",
    "Tolerance",
    "authority_from",
    "freeze",
    "percent_of",
    "plain_number",
    "thaw",
    "verdict_from",
]

AUTHORITY_NAMES: Final = tuple(a.name.lower() for a in Authority)
"""Authority names as a policy file writes them: `agent`, `supervisor`, `manager`."""

VERDICT_NAMES: Final = tuple(v.name.lower() for v in Verdict)
"""Verdict names as a policy file writes them: `compliant`, `bent`, `broken`."""

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

TEST_KEYS: Final = (
    "name",
    "context",
    "by",
    "expect",
    "requires",
    "justification",
    "actor",
    "when",
    "prior_bends",
    "findings",
)
"""The keys a test case may have in a policy file (and the keyword arguments of PolicyTest)."""

_ID_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
_MAX_ID = 100
_MAX_NESTING = 32


def _suggest(word: Any, choices: tuple[str, ...] | list[str]) -> str | None:
    return closest(word, choices)


def plain_number(value: Any) -> float | None:
    """Return a finite real number as stored in a book (a float), else None.

    An integer is stored as the float it equals; an integer no float holds exactly
    (beyond 2**53, such as 2**53 + 1) is refused, since the column path computes in
    float64 and both paths must judge the same number.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    try:
        as_float = float(value)
    except OverflowError:
        return None
    return as_float if as_float == value else None


def _finite(value: Any, rest: str = "") -> str:
    """Say what a number must be, and why `value` is not one when it is a big integer."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INTEGER:
        return (
            f"a finite number{rest} (an integer beyond 2**53 must be one a float holds "
            "exactly; write it as a float)"
        )
    return f"a finite number{rest}"


def authority_from(value: Any) -> Authority | None:
    """Return the Authority `value` names (a member, or its name in any case), else None."""
    if isinstance(value, Authority):
        return value
    if isinstance(value, str) and value.isascii() and value.lower() in AUTHORITY_NAMES:
        return Authority[value.upper()]
    return None


def verdict_from(value: Any) -> Verdict | None:
    """Return the Verdict `value` names (a member, or its name in any case), else None."""
    if isinstance(value, Verdict):
        return value
    if isinstance(value, str) and value.isascii() and value.lower() in VERDICT_NAMES:
        return Verdict[value.upper()]
    return None


def freeze(value: Any, _depth: int = 0) -> Any:
    """Return a read-only deep copy of JSON-like data (mappings become read-only views).

    Raises:
        PolicyValidationError: If the data is nested more than 32 levels deep.
    """
    if _depth > _MAX_NESTING:
        raise PolicyValidationError(
            (PolicyDefinitionError(f"data nested more than {_MAX_NESTING} levels deep"),)
        )
    if isinstance(value, Mapping):
        return types.MappingProxyType({k: freeze(v, _depth + 1) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v, _depth + 1) for v in value)
    return value


def thaw(value: Any) -> Any:
    """Return plain JSON data (dicts and lists) for data made by [freeze][]."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [thaw(v) for v in value]
    return value


class _Problems:
    """Collects definition problems of one part."""

    def __init__(self, rule: str | None = None, prefix: str = "") -> None:
        self.items: list[PolicyDefinitionError] = []
        self.rule = rule
        self.prefix = prefix

    def add(self, field: str | None, message: str, *, suggestion: str | None = None) -> None:
        name = f"{self.prefix}{field}" if field is not None else (self.prefix.rstrip(".") or None)
        self.items.append(
            PolicyDefinitionError(message, rule=self.rule, field=name, suggestion=suggestion)
        )

    def extend(self, error: PolicyDefinitionError, field: str) -> None:
        self.items.append(error.located(rule=self.rule, field=f"{self.prefix}{field}"))

    def raise_if_any(self) -> None:
        if self.items:
            raise PolicyValidationError(tuple(self.items))


def _check_text(problems: _Problems, field: str, value: Any, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str) or not value.strip():
        problems.add(field, f"got {shown(value)}; allowed: a non-empty string")


# ---------------------------------------------------------------------------- the parts


@attrs.frozen(kw_only=True)
class ContextField:
    """A field the book's contexts carry, declared so that rules are checked when loaded.

    Declaring fields turns a misspelt field in any rule into a load error naming the
    file, the rule and the field, and catches kind mismatches (`item_category < 3`)
    before anything is evaluated.

    Thread safety: frozen, with immutable fields, so safe to share between threads.
    """

    name: str
    """The field's (dotted) name, as expressions read it."""
    kind: Literal["number", "string", "boolean", "list"]
    """What the field holds."""
    description: str = ""
    """What the field means, for people reading the book."""

    def __attrs_post_init__(self) -> None:
        this: Any = self  # the values may come from data: check them as such
        problems = _Problems(
            prefix=f"context.{this.name if isinstance(this.name, str) else shown(this.name)}."
        )
        if not isinstance(this.name, str) or not _is_dotted_name(this.name):
            problems.add(
                None, f"got name {shown(this.name)}; allowed: letters, digits and '_', dotted"
            )
        if this.kind not in KINDS:
            problems.add(
                "kind",
                f"got {shown(this.kind)}; allowed: {', '.join(KINDS)}",
                suggestion=_suggest(this.kind, KINDS),
            )
        if not isinstance(this.description, str):
            problems.add("description", f"got {shown(this.description)}; allowed: a string")
        problems.raise_if_any()


def _is_dotted_name(name: str) -> bool:
    parts = name.split(".")
    return all(
        part
        and part[0].isascii()
        and part[0].isalpha()
        and all(ch.isascii() and (ch.isalnum() or ch == "_") for ch in part)
        for part in parts
    )


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
        problems = _Problems(prefix=f"bend.{_lower(this.authority)}")
        if not isinstance(this.authority, Authority):
            problems.add(None, f"got authority {shown(this.authority)}; allowed: an Authority")
        if plain_number(this.amount) is None or this.amount < 0:
            problems.add(
                None, f"got {shown(this.amount)}; allowed: {_finite(this.amount, ' >= 0')}"
            )
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
        problems = _Problems(prefix="budget.")
        if this.per not in PERIODS:
            problems.add(
                "per",
                f"got {shown(this.per)}; allowed: {', '.join(PERIODS)}",
                suggestion=_suggest(this.per, PERIODS),
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
            problems.add(
                "total", f"got {shown(this.total)}; allowed: {_finite(this.total, ' > 0')}"
            )
        if this.bends is None and this.total is None:
            problems.add(None, "a budget sets bends, total or both")
        problems.raise_if_any()


_BUDGET_KEYS: Final = ("per", "bends", "total")
_MAX_BENDS: Final = 2**63 - 1


def _ladder(value: Any, problems: _Problems) -> tuple[Tolerance, ...]:
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
                suggestion=_suggest(key, AUTHORITY_NAMES),
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
                f"allowed: {_finite(amount, ' >= 0')}, or a percentage such as '10%'",
            )
            continue
        items.append(Tolerance(authority=authority, amount=number, percent=percent))
    return tuple(sorted(items, key=lambda t: t.authority.value))


def _budget(value: Any, problems: _Problems) -> Budget | None:
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
            suggestion=_suggest(key, _BUDGET_KEYS),
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


def _bound(value: Any) -> Any:
    number = plain_number(value)
    return number if number is not None else value


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
        problems = _Problems(rule=rule_id)
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
                suggestion=_suggest(this.kind, ("limit", "hard")),
            )
        _check_text(problems, "rationale", this.rationale)
        if not isinstance(this.unit, str):
            problems.add("unit", f"got {shown(this.unit)}; allowed: a string")
        if not isinstance(this.justification_required, bool):
            problems.add(
                "justification_required",
                f"got {shown(this.justification_required)}; allowed: true or false",
            )
        ladder = _ladder(this.bend, problems) if this.bend != () else ()
        object.__setattr__(self, "bend", ladder)
        budget = _budget(this.budget, problems)
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
                    f"got {shown(value)}; allowed: {_finite(value)} or an expression (a string)",
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
            _check_monotonic(ladder, problems)
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
                t.authority.name.lower(): (f"{_format(t.amount)}%" if t.percent else t.amount)
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


def _format(amount: float) -> str:
    if isinstance(amount, int):
        return str(amount)
    return str(int(amount)) if amount.is_integer() and abs(amount) < 1e15 else repr(amount)


def _check_monotonic(ladder: tuple[Tolerance, ...], problems: _Problems) -> None:
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
                f"{_format(higher.amount)}{unit} but {lower.authority.name.lower()} may bend "
                f"{_format(lower.amount)}{unit}; a tolerance never shrinks as authority rises",
            )


# Converters of PolicyTest: each turns a file's spelling (`"bent"`, `"supervisor"`, a
# TOML date) into the Python value, and leaves anything else as it is, for
# __attrs_post_init__ to report with every other problem.


def _to_verdict(value: Any) -> Verdict:
    return verdict_from(value) or value


def _to_authority(value: Any) -> Authority:
    return authority_from(value) or value


def _to_requirement(value: Any) -> Authority | Literal["nobody"] | None:
    return authority_from(value) or value


def _to_day(value: Any) -> str | None:
    return iso_date(value, field="when") if _is_date(value) else value


def _to_verdicts(value: Any) -> Mapping[str, Verdict]:
    converted: Any = (
        freeze({k: verdict_from(v) or v for k, v in value.items()})
        if isinstance(value, Mapping)
        else value
    )
    return converted  # type: ignore[no-any-return]


@attrs.frozen(kw_only=True)
class PolicyTest:
    """A policy test case: a context and what the book must decide for it.

    Test cases live in the book, like `opa test` cases;
    [run_tests][stool.policy.run_tests] evaluates each case and compares.

    Thread safety: frozen, with immutable fields, so safe to share between threads.

    Examples:
        >>> from stool.policy import PolicyTest
        >>> case = PolicyTest(
        ...     name="a week late needs a supervisor",
        ...     context={"action": "refund", "days_since_purchase": 37, "refund_amount": 20.0,
        ...              "purchase_price": 20.0, "item_category": "kitchen"},
        ...     by="agent",
        ...     expect="broken",
        ...     requires="supervisor",
        ... )
        >>> case.expect
        <Verdict.BROKEN: 3>
    """

    name: str
    """What the case shows, in words; unique in its book."""
    context: Mapping[str, Any] = attrs.field(converter=freeze, hash=False)
    """The context to evaluate (stored read-only)."""
    expect: Verdict = attrs.field(converter=_to_verdict)
    """The expected verdict (a [Verdict][stool.Verdict] or `compliant`/`bent`/`broken`)."""
    by: Authority = attrs.field(default=Authority.AGENT, converter=_to_authority)
    """The acting authority (an [Authority][stool.Authority] or its lowercase name)."""
    requires: Authority | Literal["nobody"] | None = attrs.field(
        default=None, converter=_to_requirement
    )
    """The expected `requires`: an authority, `"nobody"` (no approval needed or possible),
    or None to leave it unchecked."""
    justification: str | None = None
    """The justification given, if any."""
    actor: str | None = None
    """Who acts (needed with `prior_bends`)."""
    when: str | None = attrs.field(default=None, converter=_to_day)
    """The ISO date of the action (needed with `prior_bends`)."""
    prior_bends: Mapping[str, tuple[float, ...]] = attrs.field(
        factory=dict, converter=freeze, hash=False
    )
    """Bends the actor already made in the period, by rule id: the deviation of each."""
    findings: Mapping[str, Verdict] = attrs.field(factory=dict, converter=_to_verdicts, hash=False)
    """Expected verdicts of individual rules, by rule id (optional)."""

    def __attrs_post_init__(self) -> None:  # noqa: C901, PLR0912 - one branch per case, kept in one place
        this: Any = self  # the values may come from data: check them as such
        problems = _Problems(prefix="")
        problems.rule = None
        label = this.name if isinstance(this.name, str) and this.name else "?"
        problems.prefix = f"test[{label}]."
        _check_text(problems, "name", this.name)
        if not isinstance(this.context, Mapping):
            problems.add("context", f"got {shown(this.context)}; allowed: a table of field values")
        else:
            _check_context_data(this.context, "context", problems)
        if not isinstance(this.expect, Verdict):
            problems.add(
                "expect",
                f"got {shown(this.expect)}; allowed: {', '.join(VERDICT_NAMES)}",
                suggestion=_suggest(this.expect, VERDICT_NAMES),
            )
        if not isinstance(this.by, Authority):
            problems.add(
                "by",
                f"got {shown(this.by)}; allowed: {', '.join(AUTHORITY_NAMES)}",
                suggestion=_suggest(this.by, AUTHORITY_NAMES),
            )
        if (
            this.requires is not None
            and not isinstance(this.requires, Authority)
            and this.requires != "nobody"
        ):
            problems.add(
                "requires",
                f"got {shown(this.requires)}; allowed: {', '.join(AUTHORITY_NAMES)}, nobody",
                suggestion=_suggest(this.requires, (*AUTHORITY_NAMES, "nobody")),
            )
        _check_text(problems, "justification", this.justification, optional=True)
        _check_text(problems, "actor", this.actor, optional=True)
        if this.when is not None:
            try:
                iso_date(this.when, field="when")
            except ValueError:
                problems.add(
                    "when", f"got {shown(this.when)}; allowed: an ISO date such as '2024-06-01'"
                )
        if not isinstance(this.prior_bends, Mapping):
            problems.add(
                "prior_bends",
                f"got {shown(this.prior_bends)}; allowed: a table of rule = [deviations]",
            )
        else:
            for rule, deviations in this.prior_bends.items():
                if not isinstance(deviations, tuple) or any(
                    plain_number(d) is None or d < 0 for d in deviations
                ):
                    problems.add(
                        f"prior_bends.{rule}",
                        f"got {shown(thaw(deviations))}; "
                        "allowed: a list of deviations (numbers >= 0)",
                    )
            if this.prior_bends and (this.actor is None or this.when is None):
                problems.add(
                    "prior_bends", "prior bends count for an actor on a date: set actor and when"
                )
        if not isinstance(this.findings, Mapping):
            problems.add(
                "findings", f"got {shown(this.findings)}; allowed: a table of rule = verdict"
            )
        else:
            for rule, verdict in this.findings.items():
                if not isinstance(verdict, Verdict):
                    problems.add(
                        f"findings.{rule}",
                        f"got {shown(verdict)}; allowed: {', '.join(VERDICT_NAMES)}",
                    )
        problems.raise_if_any()

    def to_data(self) -> dict[str, Any]:
        """Return the case as policy-file data (the keys of a `[[test]]` table)."""
        data: dict[str, Any] = {"name": self.name, "context": thaw(self.context)}
        data["by"] = self.by.name.lower()
        data["expect"] = self.expect.name.lower()
        if self.requires is not None:
            data["requires"] = (
                self.requires.name.lower()
                if isinstance(self.requires, Authority)
                else self.requires
            )
        for key in ("justification", "actor", "when"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        if self.prior_bends:
            data["prior_bends"] = thaw(self.prior_bends)
        if self.findings:
            data["findings"] = {k: v.name.lower() for k, v in self.findings.items()}
        return data


def _is_date(value: Any) -> bool:
    import datetime as dt  # noqa: PLC0415 - only to recognise TOML and YAML dates

    return isinstance(value, dt.date)


def _check_context_data(value: Any, path: str, problems: _Problems, depth: int = 0) -> None:  # noqa: C901 - one branch per kind of value
    if depth > _MAX_NESTING:
        problems.add(path, f"nested more than {_MAX_NESTING} levels deep")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                problems.add(path, f"got key {shown(key)}; allowed: string keys")
                continue
            _check_context_data(item, f"{path}.{key}", problems, depth + 1)
        return
    if isinstance(value, tuple):
        for index, item in enumerate(value):
            if isinstance(item, (Mapping, tuple)):
                problems.add(f"{path}[{index}]", "list items are numbers, strings or booleans")
            else:
                _check_context_data(item, f"{path}[{index}]", problems, depth + 1)
        return
    if isinstance(value, (bool, str)):
        return
    if isinstance(value, (int, float)) and plain_number(value) is not None:
        if not isinstance(value, int) or abs(value) <= MAX_INTEGER:
            return
        problems.add(
            path,
            f"got {shown(value)}; allowed: a whole number from -2**53 to 2**53 (the largest "
            "exact in float64), as an expression reads it",
        )
        return
    problems.add(
        path,
        f"got {shown(value)}; allowed: {_finite(value)}, a string, a boolean, a list or a table",
    )
