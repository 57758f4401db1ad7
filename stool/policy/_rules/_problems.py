"""The problem list every part of a book reports through, and the checks they share."""

from __future__ import annotations

from typing import Any

from stool.policy._errors import PolicyDefinitionError, PolicyValidationError, shown
from stool.policy._syntax import MAX_INTEGER

__all__ = ["Problems", "check_text", "finite"]


def finite(value: Any, rest: str = "") -> str:
    """Say what a number must be, and why `value` is not one when it is a big integer."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INTEGER:
        return (
            f"a finite number{rest} (an integer beyond 2**53 must be one a float holds "
            "exactly; write it as a float)"
        )
    return f"a finite number{rest}"


class Problems:
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


def check_text(problems: Problems, field: str, value: Any, *, optional: bool = False) -> None:
    """Add a problem to `problems` unless `value` is a non-empty string (or None, if optional)."""
    if value is None and optional:
        return
    if not isinstance(value, str) or not value.strip():
        problems.add(field, f"got {shown(value)}; allowed: a non-empty string")
