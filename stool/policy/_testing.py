"""Policy tests as data: run a book's own test cases, plus generated boundary cases."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

import attrs

from stool.enums import Authority, Verdict
from stool.errors import ValidationError
from stool.policy._book import PolicyBook
from stool.policy._errors import PolicyError, shown
from stool.policy._expr import compile_expression
from stool.policy._ledger import Ledger, LedgerEntry
from stool.policy._rules import PolicyTest, Rule, effective_tolerances, percent_of, thaw
from stool.policy._syntax import FieldRef

if TYPE_CHECKING:
    from stool.policy._decision import Decision

__all__ = ["PolicyTestReport", "PolicyTestResult", "run_tests"]


def _name(value: Authority | Literal["nobody"] | None) -> str:
    if value is None or value == "nobody":
        return "nobody"
    assert isinstance(value, Authority)  # noqa: S101 - narrows a type the code already guarantees
    return value.name.lower()


@attrs.frozen(kw_only=True)
class PolicyTestResult:
    """The outcome of one policy test case (from the book, or generated).

    Thread safety: frozen, with immutable fields, so safe to share between threads.
    """

    name: str
    """The case's name."""
    passed: bool
    """Whether the book decided as expected."""
    generated: bool = False
    """Whether the case was generated at a tolerance edge rather than written in the book."""
    rule: str | None = None
    """For a generated case, the rule whose edge it tests (its finding is compared);
    None for the book's own cases (the whole decision is compared)."""
    by: Authority = Authority.AGENT
    """The acting authority."""
    expected: Verdict
    """The expected verdict."""
    actual: Verdict | None = None
    """The verdict reached; None if evaluation failed."""
    expected_requires: Authority | Literal["nobody"] | None = None
    """The expected `requires` (`"nobody"` for None); None when not checked."""
    actual_requires: Authority | None = None
    """The `requires` reached."""
    problems: tuple[str, ...] = ()
    """What differed from the expectation, or the evaluation error, in words."""


@attrs.frozen(kw_only=True)
class PolicyTestReport:
    """The outcome of [run_tests][stool.policy.run_tests]: every case, and a readable report.

    Thread safety: frozen, with immutable fields, so safe to share between threads.
    """

    book: str
    """The book's name."""
    version: str
    """The book's version."""
    results: tuple[PolicyTestResult, ...] = ()
    """Every case, the book's own first, then the generated boundary cases."""
    notes: tuple[str, ...] = ()
    """Why boundary cases could not be generated for some rules, if any."""

    @property
    def failed(self) -> tuple[PolicyTestResult, ...]:
        """The cases that failed; empty when all pass."""
        return tuple(r for r in self.results if not r.passed)

    @property
    def passed(self) -> tuple[PolicyTestResult, ...]:
        """The cases that passed."""
        return tuple(r for r in self.results if r.passed)

    @property
    def ok(self) -> bool:
        """Whether every case passed."""
        return not self.failed

    def report(self) -> str:
        """Return a readable report: a summary line, every case, and the notes."""
        own = sum(1 for r in self.results if not r.generated)
        generated = len(self.results) - own
        summary = (
            f"Policy tests of {self.book!r} (version {self.version}): {own} written and "
            f"{generated} boundary cases, {len(self.failed)} failed."
        )
        lines = [summary]
        for result in self.results:
            mark = "PASS" if result.passed else "FAIL"
            lines.append(f"{mark}  {result.name}")
            lines.extend(f"      {problem}" for problem in result.problems)
        lines.extend(f"note: {note}" for note in self.notes)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()


def run_tests(book: PolicyBook, *, boundaries: bool = True) -> PolicyTestReport:
    """Run a book's own test cases, and cases generated at every tolerance edge.

    Each written case is evaluated as it says (context, acting authority,
    justification, and a ledger holding its `prior_bends` when it names an actor and a
    date) and its verdict, `requires` and per-rule `findings` are compared.
    Boundary cases take, for each limit rule whose quantity is a plain field, the first
    written case the rule applies to, and move the quantity to the bound, to each
    authority's tolerance edge and just beyond it; each checks that rule's finding.

    Args:
        book: The book to test.
        boundaries: Whether to add the generated boundary cases.

    Returns:
        The [PolicyTestReport][stool.policy.PolicyTestReport]; `failed` is empty when
        every case passes, and `report()` reads well in a terminal or a CI log.

    Raises:
        ValidationError: If `book` is not a PolicyBook.

    Examples:
        >>> from stool.policy import load_example, run_tests
        >>> result = run_tests(load_example("returns"))
        >>> result.failed
        ()
    """
    if not isinstance(book, PolicyBook):
        raise ValidationError("run_tests.book", book, "a PolicyBook")
    results = [_run_case(book, case) for case in book.tests]
    notes: list[str] = []
    if boundaries:
        for rule in book.rules:
            if rule.kind == "limit":
                results.extend(_boundary_cases(book, rule, notes))
    return PolicyTestReport(
        book=book.name, version=book.version, results=tuple(results), notes=tuple(notes)
    )


def _ledger_for(book: PolicyBook, case: PolicyTest) -> Ledger | None:
    if case.actor is None or case.when is None:
        return None
    units = {rule.id: rule.unit for rule in book.rules}
    return Ledger(
        entries=tuple(
            LedgerEntry(
                book=book.name,
                rule=rule,
                actor=case.actor,
                when=case.when,
                deviation=float(deviation),
                unit=units.get(rule, ""),
            )
            for rule, deviations in case.prior_bends.items()
            for deviation in deviations
        )
    )


def _run_case(book: PolicyBook, case: PolicyTest) -> PolicyTestResult:
    try:
        decision = book.evaluate(
            case.context,
            by=case.by,
            ledger=_ledger_for(book, case),
            justification=case.justification,
            actor=case.actor,
            when=case.when,
        )
    except PolicyError as error:
        return PolicyTestResult(
            name=case.name,
            passed=False,
            by=case.by,
            expected=case.expect,
            expected_requires=case.requires,
            problems=(f"evaluation failed: {error}",),
        )
    problems = _compare(decision, case)
    return PolicyTestResult(
        name=case.name,
        passed=not problems,
        by=case.by,
        expected=case.expect,
        actual=decision.verdict,
        expected_requires=case.requires,
        actual_requires=decision.requires,
        problems=tuple(problems),
    )


def _compare(decision: Decision, case: PolicyTest) -> list[str]:
    problems = []
    if decision.verdict is not case.expect:
        problems.append(f"expected {case.expect.name}, got {decision.verdict.name}")
    if case.requires is not None:
        expected = None if case.requires == "nobody" else case.requires
        if decision.requires is not expected:
            problems.append(
                f"expected requires {_name(case.requires)}, got {_name(decision.requires)}"
            )
    for rule, verdict in case.findings.items():
        finding = decision.finding(rule)
        if finding is None:
            problems.append(f"expected rule {rule!r} {verdict.name}, but it did not apply")
        elif finding.verdict is not verdict:
            problems.append(f"expected rule {rule!r} {verdict.name}, got {finding.verdict.name}")
    if problems:
        problems.extend(f"{f.rule}: {f.verdict.name} ({f.reason})" for f in decision.findings)
    return problems


# ------------------------------------------------------------------- generated boundaries


def _set_path(context: dict[str, Any], path: tuple[str, ...], value: float) -> dict[str, Any]:
    head = path[0]
    if len(path) == 1:
        return {**context, head: value}
    inner = context.get(head)
    inner = dict(inner) if isinstance(inner, Mapping) else {}
    return {**context, head: _set_path(inner, path[1:], value)}


def _base_context(book: PolicyBook, rule: Rule) -> dict[str, Any] | None:
    for case in book.tests:
        context = thaw(case.context)
        try:
            decision = book.evaluate(context, by=Authority.AGENT, trace=False)
        except PolicyError:
            continue
        if decision.finding(rule.id) is not None:
            return dict(context)
    return None


def _edge(bound: float, tolerance: float, deviation: Any, *, upward: bool) -> float:
    """Return a float as far from `bound` as possible with its deviation within `tolerance`.

    Rounding can put `bound + tolerance` a hair beyond the tolerance, so step back by
    units in the last place of the magnitudes involved until it is within.
    """
    x = bound + tolerance if upward else bound - tolerance
    step = math.ulp(max(abs(bound), abs(tolerance), abs(x)))
    for _ in range(64):
        if deviation(x) <= tolerance:
            return x
        x = x - step if upward else x + step
        step *= 2
    return bound  # pragma: no cover - float arithmetic converges in a few steps


def _beyond(x: float, bound: float, tolerance: float, deviation: Any, *, upward: bool) -> float:
    """Return the nearest float past `x` whose deviation exceeds `tolerance`.

    Steps grow from one unit in the last place of the magnitudes involved.
    """
    step = math.ulp(max(abs(bound), abs(tolerance), abs(x)))
    for _ in range(64):
        candidate = x + step if upward else x - step
        if deviation(candidate) > tolerance:
            return candidate
        step *= 2
    return candidate  # pragma: no cover - float arithmetic diverges in a few steps


def _boundary_cases(book: PolicyBook, rule: Rule, notes: list[str]) -> list[PolicyTestResult]:  # noqa: C901, PLR0912, PLR0915 - one branch per case, kept in one place
    node = rule._expressions["quantity"][1]  # noqa: SLF001 - the package's own private state
    if not isinstance(node, FieldRef):
        notes.append(
            f"{rule.id}: no boundary cases, as its quantity `{rule.quantity}` is not a plain field"
        )
        return []
    base = _base_context(book, rule)
    if base is None:
        notes.append(f"{rule.id}: no boundary cases, as no written case applies the rule; add one")
        return []
    bound_source = rule.max if rule.max is not None else rule.min
    try:
        if isinstance(bound_source, str):
            declared = {f.name: f.kind for f in book.context} if book.context else None
            bound = compile_expression(bound_source, fields=declared)(base)
        else:
            bound = bound_source
        bound = float(bound)
    except (PolicyError, TypeError, ValueError, OverflowError):
        notes.append(
            f"{rule.id}: no boundary cases, as its bound cannot be evaluated on the base case"
        )
        return []
    upward = rule.max is not None
    amounts = effective_tolerances(rule.bend)
    percent = bool(rule.bend) and rule.bend[0].percent
    tolerances = tuple(percent_of(bound, a) if percent else a for a in amounts)

    def deviation(x: float) -> float:
        return x - bound if upward else bound - x

    def lowest(dev: float) -> Authority | None:
        for authority, tolerance in zip(Authority, tolerances, strict=True):
            if dev <= tolerance:
                return authority
        return None

    cases: list[tuple[str, Authority, float, Verdict, Authority | None]] = [
        (
            f"{rule.id}: {rule.quantity} at the bound {shown(bound)}",
            Authority.AGENT,
            bound,
            Verdict.COMPLIANT,
            None,
        )
    ]
    for authority, tolerance in zip(Authority, tolerances, strict=True):
        who = authority.name.lower()
        article = "an" if who[0] in "aeiou" else "a"
        reach = bound + tolerance if upward else bound - tolerance
        if not math.isfinite(reach * 2):
            # At the edge of the float range no case can sit at or just past the tolerance.
            notes.append(
                f"{rule.id}: no boundary cases for the {who}'s tolerance, as they lie beyond "
                "the largest float"
            )
            continue
        edge = _edge(bound, tolerance, deviation, upward=upward)
        if tolerance > 0:
            cases.append(
                (
                    (
                        f"{rule.id}: {rule.quantity} = {shown(edge)}, at the {who}'s tolerance, "
                        f"by {article} {who}"
                    ),
                    authority,
                    edge,
                    Verdict.BENT,
                    lowest(deviation(edge)),
                )
            )
        past = _beyond(edge, bound, tolerance, deviation, upward=upward)
        cases.append(
            (
                (
                    f"{rule.id}: {rule.quantity} = {shown(past)}, just beyond the {who}'s "
                    f"tolerance, by {article} {who}"
                ),
                authority,
                past,
                Verdict.BROKEN,
                lowest(deviation(past)),
            )
        )
    justification = "boundary case" if rule.justification_required else None
    results = []
    for name, authority, value, expected, requires in cases:
        context = _set_path(base, node.path, value)
        problems: list[str] = []
        actual = actual_requires = None
        try:
            decision = book.evaluate(
                context, by=authority, justification=justification, trace=False
            )
        except PolicyError as error:
            problems.append(f"evaluation failed: {error}")
        else:
            finding = decision.finding(rule.id)
            if finding is None:
                problems.append(f"the rule did not apply with {rule.quantity} = {shown(value)}")
            else:
                actual, actual_requires = finding.verdict, finding.requires
                if actual is not expected:
                    problems.append(
                        f"expected {expected.name}, got {actual.name} ({finding.reason})"
                    )
                if actual_requires is not requires:
                    problems.append(
                        f"expected requires {_name(requires)}, got {_name(actual_requires)}"
                    )
        results.append(
            PolicyTestResult(
                name=name,
                passed=not problems,
                generated=True,
                rule=rule.id,
                by=authority,
                expected=expected,
                actual=actual,
                expected_requires=requires if requires is not None else "nobody",
                actual_requires=actual_requires,
                problems=tuple(problems),
            )
        )
    return results
