"""The parts of a policy book: context fields, tolerances, budgets, rules and test cases.

Each part validates itself and reports *every* problem it has at once; the book adds
the problems that involve several parts (duplicate ids, undeclared fields).

- `_data`: policy-file data as the parts read it (names, plain numbers, read-only copies);
- `_problems`: the problem list every part reports through;
- `_context`: ContextField, and the check of a test case's context data;
- `_bending`: Tolerance, Budget and the tolerance ladder of a limit;
- `_rule`: Rule;
- `_cases`: PolicyTest, a book's test case.
"""

from __future__ import annotations

from stool.policy._rules._bending import (
    Budget,
    Tolerance,
    effective_tolerances,
    format_amount,
    percent_of,
)
from stool.policy._rules._cases import TEST_KEYS, PolicyTest
from stool.policy._rules._context import ContextField
from stool.policy._rules._data import (
    AUTHORITY_NAMES,
    VERDICT_NAMES,
    authority_from,
    freeze,
    plain_number,
    thaw,
    verdict_from,
)
from stool.policy._rules._rule import EXPRESSION_KINDS, RULE_KEYS, Rule

__all__ = [
    "AUTHORITY_NAMES",
    "EXPRESSION_KINDS",
    "RULE_KEYS",
    "TEST_KEYS",
    "VERDICT_NAMES",
    "Budget",
    "ContextField",
    "PolicyTest",
    "Rule",
    "Tolerance",
    "authority_from",
    "effective_tolerances",
    "format_amount",
    "freeze",
    "percent_of",
    "plain_number",
    "thaw",
    "verdict_from",
]
