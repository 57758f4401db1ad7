"""Expression: a compiled expression of the policy language, and compile_expression."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from stool.policy._errors import (
    STACK_EXHAUSTED,
    PolicyDefinitionError,
    PolicyError,
    PolicyEvaluationError,
    StackExhaustedError,
)
from stool.policy._expr._compiler import compile_node, field_names
from stool.policy._expr._values import KINDS, Fn
from stool.policy._syntax import parse

__all__ = ["Expression", "compile_expression", "not_a_mapping"]


def not_a_mapping(context: Any) -> PolicyEvaluationError:
    """Say that a context is not a mapping, naming what it is."""
    return PolicyEvaluationError(
        f"the context is {type(context).__name__}; allowed: a mapping of field names to values",
        value=context,
    )


def _wrap_unexpected(error: Exception, text: str) -> PolicyEvaluationError:
    if isinstance(error, RecursionError):
        message = "the context is nested too deeply to evaluate"
    else:
        message = f"could not evaluate: {type(error).__name__}: {error}"
    return PolicyEvaluationError(message, expression=text)


@attrs.frozen(kw_only=True)
class Expression:
    """A compiled expression of the policy language: call it with a context.

    Build one with [compile_expression][stool.policy.compile_expression].
    Calling it evaluates the expression on a mapping of field names to values and
    returns a number, string, boolean or list; every problem raises
    [PolicyEvaluationError][stool.policy.PolicyEvaluationError] naming the field.
    Two expressions are equal when their text and declared fields are.

    Thread safety: immutable once compiled and stateless when called, so one
    expression may be called from many threads at once.
    """

    text: str
    """The source text, as given."""
    kind: str
    """The kind of value it returns, as far as known before evaluation:
    `number`, `string`, `boolean`, `list`, or `any` (it depends on the context)."""
    fields: tuple[str, ...]
    """The (dotted) names of the context fields it reads, in order of first use."""
    declared: tuple[tuple[str, str], ...] = ()
    """The declared context fields it was checked against, as (name, kind) pairs;
    empty when any field name was allowed."""
    _fn: Fn = attrs.field(eq=False, repr=False, alias="fn")

    def __reduce__(self) -> tuple[Any, ...]:
        # The compiled closure cannot be pickled; the text rebuilds it.
        return (_rebuild_expression, (self.text, dict(self.declared) if self.declared else None))

    def __call__(self, context: Mapping[str, Any]) -> Any:
        """Evaluate the expression on `context`.

        Args:
            context: A mapping of field names to values: numbers, strings, booleans,
                lists of those, and nested mappings for dotted names.

        Returns:
            The value of the expression.

        Raises:
            PolicyEvaluationError: If the context is not a mapping, a field is missing
                or of the wrong kind, or an operation fails (division by zero).
        """
        if type(context) is not dict and not issubclass(type(context), Mapping):
            raise not_a_mapping(context)
        try:
            return self._fn(context)
        except RecursionError:
            # The caller's stack is nearly full: raise without calling any Python code.
            raise StackExhaustedError(STACK_EXHAUSTED) from None
        except PolicyEvaluationError as error:
            try:
                enriched = error.with_context(expression=self.text)
            except RecursionError:
                raise error from None
            raise enriched from None
        except PolicyError:  # pragma: no cover - closures raise evaluation errors only
            raise
        except Exception as error:
            try:
                wrapped = _wrap_unexpected(error, self.text)
            except RecursionError:
                raise StackExhaustedError(STACK_EXHAUSTED) from None
            raise wrapped from error


def _rebuild_expression(text: str, fields: dict[str, str] | None) -> Expression:
    return compile_expression(text, fields=fields)


def _declared_kinds(fields: Mapping[str, str] | None) -> Mapping[str, str] | None:
    if fields is None:
        return None
    if not isinstance(fields, Mapping):
        raise PolicyDefinitionError(
            f"fields must be a mapping of field names to kinds, not {type(fields).__name__}"
        )
    for name, kind in fields.items():
        if kind not in KINDS:
            raise PolicyDefinitionError(
                f"field {name!r} has kind {kind!r}; allowed: {', '.join(KINDS)}", field=str(name)
            )
    return fields


def compile_expression(text: str, *, fields: Mapping[str, str] | None = None) -> Expression:
    """Parse and compile an expression of the policy language, once.

    The language reads plain fields of a context mapping (`days_since_purchase`,
    `customer.tier` for nested mappings) and combines them with numbers, strings,
    `true`/`false`, comparisons, `and`/`or`/`not`, `in`, arithmetic and a few
    documented functions; see the [expression reference](../reference/expressions.md).
    Nothing else can run: the text never reaches `eval` or `exec`.

    Args:
        text: The expression.
        fields: The context's declared fields and their kinds (`number`, `string`,
            `boolean`, `list`); when given, unknown names and kind mismatches are
            errors now rather than at evaluation. None allows any field.

    Returns:
        The compiled [Expression][stool.policy.Expression]; call it with a context.

    Raises:
        PolicyDefinitionError: If `text` is not a valid expression (the error names
            the line and column, with a caret under the problem), is too long or too
            deeply nested, or reads an undeclared field.

    Examples:
        >>> from stool.policy import compile_expression
        >>> ok = compile_expression("days_since_purchase <= 30 and item_category != 'hygiene'")
        >>> ok({"days_since_purchase": 12, "item_category": "kitchen"})
        True
        >>> ok.fields
        ('days_since_purchase', 'item_category')
    """
    declared = _declared_kinds(fields)
    node = parse(text)
    compiled = compile_node(text, node, declared)
    return Expression(
        text=text,
        kind=compiled.kind,
        fields=field_names(node),
        declared=tuple((str(k), str(v)) for k, v in declared.items())
        if declared is not None
        else (),
        fn=compiled.fn,
    )
