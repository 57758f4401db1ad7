"""The context a book declares (ContextField), and the check of a test case's context data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import attrs

from stool._text import closest
from stool.policy._errors import shown
from stool.policy._expr import KINDS
from stool.policy._rules._data import MAX_NESTING, plain_number
from stool.policy._rules._problems import Problems, finite
from stool.policy._syntax import MAX_INTEGER

__all__ = ["ContextField", "check_context_data"]


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
        problems = Problems(
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
                suggestion=closest(this.kind, KINDS),
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


def check_context_data(value: Any, path: str, problems: Problems, depth: int = 0) -> None:  # noqa: C901 - one branch per kind of value
    """Add a problem for each value in a test context that no expression can read."""
    if depth > MAX_NESTING:
        problems.add(path, f"nested more than {MAX_NESTING} levels deep")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                problems.add(path, f"got key {shown(key)}; allowed: string keys")
                continue
            check_context_data(item, f"{path}.{key}", problems, depth + 1)
        return
    if isinstance(value, tuple):
        for index, item in enumerate(value):
            if isinstance(item, (Mapping, tuple)):
                problems.add(f"{path}[{index}]", "list items are numbers, strings or booleans")
            else:
                check_context_data(item, f"{path}[{index}]", problems, depth + 1)
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
        f"got {shown(value)}; allowed: {finite(value)}, a string, a boolean, a list or a table",
    )
