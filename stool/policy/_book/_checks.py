"""The checks of a whole book, beyond what each rule and test case checks of itself.

The declared context, the problems that span several parts (duplicate ids, undeclared
fields, tests naming unknown rules), and the content hash that names the book's version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from stool._text import listed
from stool.policy._errors import MAX_PROBLEMS, PolicyDefinitionError, PolicyValidationError, shown
from stool.policy._expr import Compiled, compile_node
from stool.policy._rules import EXPRESSION_KINDS, ContextField, PolicyTest
from stool.policy._syntax import Node

__all__ = ["Sketch", "book_problems", "book_version", "context_fields"]


def context_fields(value: Any) -> tuple[ContextField, ...]:
    """Normalise a book's `context` (a mapping or ContextFields) into ContextFields.

    Raises:
        PolicyValidationError: Listing every malformed field.
    """
    if isinstance(value, (tuple, list)) and all(isinstance(f, ContextField) for f in value):
        return tuple(sorted(value, key=lambda f: f.name))
    if not isinstance(value, Mapping):
        raise PolicyValidationError(
            (
                PolicyDefinitionError(
                    f"got {shown(value)}; allowed: a table of field = kind", field="context"
                ),
            )
        )
    fields: list[ContextField] = []
    problems: list[PolicyDefinitionError] = []
    for name, spec in value.items():
        try:
            if isinstance(spec, Mapping):
                unknown = [k for k in spec if k not in ("kind", "description")]
                if unknown:
                    problems.append(
                        PolicyDefinitionError(
                            f"unknown key {shown(unknown[0])}; allowed: kind, description",
                            field=f"context.{name}.{unknown[0]}",
                        )
                    )
                    continue
                kind: Any = spec.get("kind")
                fields.append(
                    ContextField(name=name, kind=kind, description=spec.get("description", ""))
                )
            else:
                fields.append(ContextField(name=name, kind=spec))
        except PolicyValidationError as error:
            problems.extend(error.problems)
    if problems:
        raise PolicyValidationError(tuple(problems))
    # A mapping's order means nothing (YAML and JSON writers may sort keys): sort by name.
    return tuple(sorted(fields, key=lambda f: f.name))


Sketch = tuple[str | None, Mapping[str, tuple[str, Node]]]
"""A rule as the book-level checks see it: its id (None if unusable) and its parsed
expressions by key; a rule that failed its own checks still has one."""


def book_problems(  # noqa: C901 - one branch per case, kept in one place
    rules: Iterable[Sketch],
    tests: tuple[PolicyTest, ...],
    fields: tuple[ContextField, ...],
    *,
    room: int = MAX_PROBLEMS,
    compiled_out: dict[tuple[int, str], Compiled] | None = None,
) -> list[tuple[str, int, PolicyDefinitionError]]:
    """Return the problems that involve several parts of a book, each with its place.

    Each problem comes with the section (`rule` or `test`) and index it belongs to.
    Rules are given as sketches, so that a rule with problems of its own is still
    checked for a duplicate id and undeclared fields. Only the first `room` problems
    (the ones that will be listed) get a suggested fix, which costs time to find.
    Each expression that compiles is stored in `compiled_out`, by rule index and key,
    so that a book need not compile it again.
    """
    rules = list(rules)
    problems: list[tuple[str, int, PolicyDefinitionError]] = []
    seen: dict[str, int] = {}
    for index, (rule_id, _) in enumerate(rules):
        if rule_id is None:
            continue
        if rule_id in seen:
            problems.append(
                (
                    "rule",
                    index,
                    PolicyDefinitionError(
                        f"duplicate rule id {rule_id!r} (first used by rule {seen[rule_id] + 1})",
                        rule=rule_id,
                        field="id",
                    ),
                )
            )
        else:
            seen[rule_id] = index
    declared = {f.name: f.kind for f in fields} if fields else None
    for index, (rule_id, expressions) in enumerate(rules):
        for key, (text, node) in expressions.items():
            try:
                compiled = compile_node(text, node, declared, suggest=len(problems) < room)
            except PolicyDefinitionError as error:
                problems.append(("rule", index, error.located(rule=rule_id, field=key)))
                continue
            if compiled_out is not None:
                compiled_out[index, key] = compiled
            wanted = EXPRESSION_KINDS[key]
            if compiled.kind not in ("any", wanted):
                problems.append(
                    (
                        "rule",
                        index,
                        PolicyDefinitionError(
                            f"`{text}` is a {compiled.kind} expression; {key} needs "
                            + (
                                "a condition (true or false)" if wanted == "boolean" else "a number"
                            ),
                            rule=rule_id,
                            field=key,
                        ),
                    )
                )
    names: dict[str, int] = {}
    for index, test in enumerate(tests):
        if test.name in names:
            problems.append(
                (
                    "test",
                    index,
                    PolicyDefinitionError(
                        f"duplicate test name {test.name!r}", field=f"test[{index}].name"
                    ),
                )
            )
        names.setdefault(test.name, index)
        problems.extend(
            (
                "test",
                index,
                PolicyDefinitionError(
                    f"unknown rule {shown(rule_id)}; the rules are: {listed(seen)}",
                    field=f"test[{index}].{key}.{rule_id}",
                ),
            )
            for key in ("findings", "prior_bends")
            for rule_id in getattr(test, key)
            if rule_id not in seen
        )
    return problems


def book_version(data: Mapping[str, Any]) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError:
        raise PolicyValidationError((_not_unicode(data),)) from None
    return hashlib.sha256(encoded).hexdigest()[:16]


def _lone_surrogate(text: Any) -> int | None:
    """Return the position of the first lone surrogate in `text`, or None."""
    if not isinstance(text, str):
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return error.start
    return None


def _not_unicode(data: Any) -> PolicyDefinitionError:
    """Name the first text in book data that holds a lone surrogate (no UTF-8 form)."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        texts = [value] if isinstance(value, str) else []
        if isinstance(value, Mapping):
            texts = list(value)
            stack.extend((f"{path}.{key}" if path else str(key), v) for key, v in value.items())
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", v) for i, v in enumerate(value))
        for text in texts:
            at = _lone_surrogate(text)
            if at is not None:
                return PolicyDefinitionError(
                    f"got {shown(text)}; allowed: text that can be written as UTF-8 (character "
                    f"{at} is a lone surrogate, {shown(text[at])})",
                    field=path or None,
                )
    return PolicyDefinitionError(
        "the book holds text that cannot be written as UTF-8"
    )  # pragma: no cover
