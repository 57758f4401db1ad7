"""PolicyTest: a test case a book carries, a context and what the book must decide for it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal

import attrs

from stool._text import closest
from stool.enums import Authority, Verdict
from stool.policy._errors import shown
from stool.policy._ledger import iso_date
from stool.policy._rules._context import check_context_data
from stool.policy._rules._data import (
    AUTHORITY_NAMES,
    VERDICT_NAMES,
    authority_from,
    freeze,
    plain_number,
    thaw,
    verdict_from,
)
from stool.policy._rules._problems import Problems, check_text

__all__ = ["TEST_KEYS", "PolicyTest"]

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
        problems = Problems(prefix="")
        problems.rule = None
        label = this.name if isinstance(this.name, str) and this.name else "?"
        problems.prefix = f"test[{label}]."
        check_text(problems, "name", this.name)
        if not isinstance(this.context, Mapping):
            problems.add("context", f"got {shown(this.context)}; allowed: a table of field values")
        else:
            check_context_data(this.context, "context", problems)
        if not isinstance(this.expect, Verdict):
            problems.add(
                "expect",
                f"got {shown(this.expect)}; allowed: {', '.join(VERDICT_NAMES)}",
                suggestion=closest(this.expect, VERDICT_NAMES),
            )
        if not isinstance(this.by, Authority):
            problems.add(
                "by",
                f"got {shown(this.by)}; allowed: {', '.join(AUTHORITY_NAMES)}",
                suggestion=closest(this.by, AUTHORITY_NAMES),
            )
        if (
            this.requires is not None
            and not isinstance(this.requires, Authority)
            and this.requires != "nobody"
        ):
            problems.add(
                "requires",
                f"got {shown(this.requires)}; allowed: {', '.join(AUTHORITY_NAMES)}, nobody",
                suggestion=closest(this.requires, (*AUTHORITY_NAMES, "nobody")),
            )
        check_text(problems, "justification", this.justification, optional=True)
        check_text(problems, "actor", this.actor, optional=True)
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
