"""The Ledger: an explicit record of bends, so that budgets on bending can be enforced."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Final

import attrs

from stool.enums import Verdict
from stool.errors import ValidationError
from stool.policy._errors import PolicyEvaluationError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from stool.policy._decision import Decision

__all__ = ["PERIODS", "Ledger", "LedgerEntry", "iso_date", "period_key"]

PERIODS: Final = ("day", "week", "month", "quarter", "year")
"""The periods a budget on bending may count per."""


def iso_date(value: Any, *, field: str) -> str:
    """Return `value` (a date, a datetime or an ISO date string) as an ISO date string.

    Raises:
        ValidationError: If `value` is none of these, naming `field`.
    """
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise ValidationError(field, value, "a date, or an ISO date string such as '2024-06-01'")


def period_key(when: str, per: str) -> str:
    """Return the key of the period of `per` that ISO date `when` falls in.

    Examples:
        >>> period_key("2024-06-01", "week"), period_key("2024-06-01", "quarter")
        ('2024-W22', '2024-Q2')
    """
    day = dt.date.fromisoformat(when)
    if per == "day":
        return day.isoformat()
    if per == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if per == "month":
        return f"{day.year}-{day.month:02d}"
    if per == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if per == "year":
        return str(day.year)
    raise ValidationError("per", per, "one of " + ", ".join(PERIODS))


@attrs.frozen(kw_only=True)
class LedgerEntry:
    """One recorded bend."""

    book: str
    """The name of the policy book."""
    rule: str
    """The id of the bent rule."""
    actor: str | None = None
    """Who bent it; None if the decision named no actor."""
    when: str | None = None
    """The ISO date of the bend; None if the decision gave no date."""
    deviation: float = 0.0
    """How far the rule was bent, in the rule's unit."""
    unit: str = ""
    """The rule's unit."""


_Key = tuple[str, str, str, str, str]


def _entries(entries: Iterable[LedgerEntry]) -> tuple[LedgerEntry, ...]:
    return tuple(entries)


@attrs.define(kw_only=True)
class Ledger:
    """The bends made so far: what budgets on bending count against.

    A ledger is plain state that you own: pass it to
    [PolicyBook.evaluate][stool.policy.PolicyBook.evaluate] to have budgets checked,
    and [record][stool.policy.Ledger.record] the decisions that were acted on.
    Evaluating never records anything by itself, so a what-if evaluation spends no
    budget. Nothing is global and nothing reads the clock: who and when come from
    the decisions (`actor=` and `when=` of `evaluate`).
    A ledger round-trips through [unstructure][stool.unstructure] and
    [structure][stool.structure].

    Examples:
        >>> from stool.policy import Ledger, load_example
        >>> book, ledger = load_example("returns"), Ledger()
        >>> late = {"action": "refund", "days_since_purchase": 33, "refund_amount": 10.0,
        ...         "purchase_price": 10.0, "item_category": "kitchen"}
        >>> for _ in range(4):
        ...     decision = book.evaluate(late, ledger=ledger, actor="rep-7", when="2024-06-01")
        ...     _ = ledger.record(decision)
        >>> decision.verdict.name, len(ledger.entries)
        ('BROKEN', 3)
    """

    entries: tuple[LedgerEntry, ...] = attrs.field(default=(), converter=_entries)
    """Every recorded bend, oldest first."""
    _index: dict[_Key, tuple[int, float]] = attrs.field(
        init=False, factory=dict, eq=False, repr=False
    )
    _indexed: tuple[LedgerEntry, ...] | None = attrs.field(
        init=False, default=None, eq=False, repr=False
    )

    def _add(self, entry: LedgerEntry) -> None:
        if entry.actor is None or entry.when is None:
            return
        for per in PERIODS:
            key = (entry.book, entry.rule, entry.actor, per, period_key(entry.when, per))
            count, total = self._index.get(key, (0, 0.0))
            self._index[key] = (count + 1, total + entry.deviation)

    def _ensure_index(self) -> None:
        if self._indexed is not self.entries:
            self._index = {}
            for entry in self.entries:
                self._add(entry)
            self._indexed = self.entries

    def usage(self, *, book: str, rule: str, actor: str, when: str, per: str) -> tuple[int, float]:
        """Return how many bends, and how much deviation in total, `actor` made of `rule`.

        Args:
            book: The policy book's name.
            rule: The rule's id.
            actor: Who.
            when: An ISO date inside the period.
            per: The period: `day`, `week`, `month`, `quarter` or `year`.

        Returns:
            The number of bends and the sum of their deviations in that period.
        """
        self._ensure_index()
        return self._index.get((book, rule, actor, per, period_key(when, per)), (0, 0.0))

    def record(self, decision: Decision) -> tuple[LedgerEntry, ...]:
        """Record the bends of a decision that was acted on.

        Every BENT finding becomes a [LedgerEntry][stool.policy.LedgerEntry]; breaks
        and compliant findings are not bends and are not recorded.
        Recording the same decision twice counts its bends twice.

        Args:
            decision: A decision from [PolicyBook.evaluate][stool.policy.PolicyBook.evaluate].

        Returns:
            The entries added.

        Raises:
            PolicyEvaluationError: If a bend of a rule with a budget has no `actor` or
                `when`, so it could never be counted.
        """
        added: list[LedgerEntry] = []
        for finding in decision.findings:
            if finding.verdict is not Verdict.BENT:
                continue
            if finding.budget_used is not None and (
                decision.actor is None or decision.when is None
            ):
                raise PolicyEvaluationError(  # pragma: no cover - evaluate refuses this first
                    "a budgeted bend needs the decision's actor and when", rule=finding.rule
                )
            added.append(
                LedgerEntry(
                    book=decision.book,
                    rule=finding.rule,
                    actor=decision.actor,
                    when=decision.when,
                    deviation=finding.deviation,
                    unit=finding.unit,
                )
            )
        if added:
            self._ensure_index()
            self.entries = (*self.entries, *added)
            for entry in added:
                self._add(entry)
            self._indexed = self.entries
        return tuple(added)

    def bends_of(self, actor: str) -> tuple[LedgerEntry, ...]:
        """Return the recorded bends of `actor`, oldest first."""
        return tuple(entry for entry in self.entries if entry.actor == actor)
