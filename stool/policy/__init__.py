"""The policy engine: tell bending a company policy from breaking it.

A [PolicyBook][stool.policy.PolicyBook] is a named, versioned set of rules, read from
TOML, JSON or YAML or built in Python.
A **limit** rule holds a quantity to a bound with a tolerance ladder: how far each
[Authority][stool.Authority] may bend it. A **hard** rule allows no deviation at all.
[PolicyBook.evaluate][stool.policy.PolicyBook.evaluate] judges a context and returns a
[Decision][stool.policy.Decision]: the worst verdict over the applicable rules
(COMPLIANT, BENT or BROKEN), the lowest authority that may approve the deviation, a
finding per applicable rule, a trace of every rule (including the ones that did not
apply, and why) and a plain-language [explain][stool.policy.Decision.explain].

    >>> from stool import Authority
    >>> from stool.policy import load_example
    >>> returns = load_example("returns")
    >>> refund = {"action": "refund", "days_since_purchase": 33, "refund_amount": 40.0,
    ...           "purchase_price": 40.0, "item_category": "kitchen"}
    >>> returns.evaluate(refund, by=Authority.AGENT).verdict
    <Verdict.BENT: 2>

Conditions and quantities are written in a small expression language
([compile_expression][stool.policy.compile_expression]) that reads plain fields of the
context and nothing else; no policy text ever reaches `eval` or `exec`.
Budgets on bending are kept in an explicit [Ledger][stool.policy.Ledger], in memory, in
an SQLite file or in a database shared by several servers;
[apply_decision][stool.policy.apply_decision] folds a decision into an
[Interaction][stool.Interaction] so that scoring sees it, and
[run_tests][stool.policy.run_tests] runs the test cases a book carries.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING, Any, Final

from stool.errors import PolicyError, ValidationError
from stool.policy._batch import BatchDecision, evaluate_batch
from stool.policy._book import PolicyBook
from stool.policy._decision import Cause, Decision, Finding, TraceEntry, apply_decision
from stool.policy._errors import (
    MAX_PROBLEMS,
    PolicyDefinitionError,
    PolicyEvaluationError,
    PolicyValidationError,
)
from stool.policy._expr import KINDS, Expression, compile_expression
from stool.policy._ledger import PERIODS, Ledger, LedgerEntry, LedgerError
from stool.policy._loaders import MAX_NESTING, MAX_SOURCE_BYTES
from stool.policy._rules import Budget, ContextField, PolicyTest, Rule, Tolerance
from stool.policy._syntax import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_INTEGER,
    MAX_LENGTH,
    MAX_NUMBER_LENGTH,
)
from stool.policy._testing import PolicyTestReport, PolicyTestResult, run_tests
from stool.serialization import register

if TYPE_CHECKING:
    import os

__all__ = [
    "EXAMPLES",
    "FUNCTIONS",
    "KINDS",
    "MAX_DEPTH",
    "MAX_INTEGER",
    "MAX_LENGTH",
    "MAX_NESTING",
    "MAX_NUMBER_LENGTH",
    "MAX_PROBLEMS",
    "MAX_SOURCE_BYTES",
    "PERIODS",
    "BatchDecision",
    "Budget",
    "Cause",
    "ContextField",
    "Decision",
    "Expression",
    "Finding",
    "Ledger",
    "LedgerEntry",
    "LedgerError",
    "PolicyBook",
    "PolicyDefinitionError",
    "PolicyError",
    "PolicyEvaluationError",
    "PolicyTest",
    "PolicyTestReport",
    "PolicyTestResult",
    "PolicyValidationError",
    "Rule",
    "Tolerance",
    "TraceEntry",
    "apply_decision",
    "compile_expression",
    "evaluate_batch",
    "load_example",
    "load_policy",
    "run_tests",
]

EXAMPLES: Final = ("conduct", "delivery", "gym_cancellation", "returns", "warranty")
"""The names of the example books shipped with stool (see
[load_example][stool.policy.load_example])."""


def load_example(name: str) -> PolicyBook:
    """Load one of the example policy books shipped with stool.

    The books come from the source stories, each with its own test cases:

    - `returns`: refunds within 30 days, which an agent may bend by 5 days, a supervisor
      by 15 and a manager by 30, at most 3 window bends per actor per day; hygiene items
      are never refunded, and a refund never exceeds the price paid.
    - `conduct`: never deceive the customer, never insult the customer, verify identity
      before any account change (all hard).
    - `delivery`: the four-hour delivery window, no changes once the truck is loaded,
      delivery promises quoted with margin.
    - `warranty`: the warranty period (bendable by percent, with a justification and a
      monthly budget), no cover for accidental damage, proof of purchase required.
    - `gym_cancellation`: cancel on the first contact, at most one retention offer,
      notice periods an agent may waive, no fee beyond the contract.

    Args:
        name: One of [EXAMPLES][stool.policy.EXAMPLES].

    Returns:
        The book.

    Raises:
        ValidationError: If `name` is not an example book.

    Examples:
        >>> from stool.policy import load_example
        >>> load_example("conduct").name
        'conduct'
    """
    if name not in EXAMPLES:
        raise ValidationError("load_example.name", name, "one of " + ", ".join(EXAMPLES))
    from stool.policy._loaders import load  # noqa: PLC0415 - imported on first use, to keep import stool light

    source = resources.files("stool.policy") / "examples" / f"{name}.toml"
    return load(source.read_bytes(), "toml", label=f"stool/policy/examples/{name}.toml")


def load_policy(path: str | os.PathLike[str]) -> PolicyBook:
    """Load a policy book from a file, in whichever format its suffix names.

    `.toml`, `.json`, `.yaml` and `.yml` are read (YAML needs the `yaml` extra); the
    same as [PolicyBook.from_file][stool.policy.PolicyBook.from_file], and the one call
    to remember: `stool.load_policy("returns.toml")`.

    Args:
        path: The file, as a `str` or any `os.PathLike`.

    Returns:
        The book.

    Raises:
        PolicyDefinitionError: If the suffix is unknown, or the file cannot be read or
            parsed (naming the line and column).
        PolicyValidationError: Listing every problem of the content, each with its file,
            line, rule and field.

    Examples:
        >>> from pathlib import Path
        >>> import stool
        >>> _ = Path("conduct.toml").write_text(load_example("conduct").to_toml())
        >>> stool.load_policy("conduct.toml") == load_example("conduct")
        True
    """
    return PolicyBook.from_file(path)


def _unstructure_book(book: PolicyBook) -> Any:
    return book.to_data()


def _structure_book(data: Any, path: str) -> PolicyBook:
    try:
        return PolicyBook.from_data(data, file=path)
    except PolicyValidationError:
        raise
    except PolicyError as error:  # pragma: no cover - from_data raises validation errors
        raise ValidationError(path, data, str(error)) from error


register(PolicyBook, unstructure=_unstructure_book, structure=_structure_book)
