"""Fast paths for the commonest comparison: a field against a literal (`days <= 30`).

Each closure is written out in full, one per operator, on purpose: an unrolled closure
compares at once, with no call through an operator table, which is what keeps a compiled
expression within a few times a hand-written Python function.
Anything the fast closure does not expect goes to the general path, which reads,
normalises, checks and raises exactly as every other comparison does.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from stool.policy._syntax import MAX_INTEGER

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from stool.policy._expr._values import Fn
    from stool.policy._syntax import Kind

__all__ = ["field_against_literal"]

_INF = math.inf
_MAX = MAX_INTEGER
_MIN = -MAX_INTEGER


def field_against_literal(  # noqa: C901, PLR0915 - one branch per case, kept in one place
    key: str, op: str, constant: Any, kind: Kind
) -> Callable[[Fn], Fn] | None:
    """Return a maker of a fast closure for `field op literal`, or None if there is none.

    The fast closure reads the field and, when its value is of the expected kind,
    compares at once; anything else (a missing key, another kind, a numpy scalar)
    goes to `slow`, which reads, normalises, checks and raises exactly as the general
    path does.
    """
    if kind == "number":

        def make_number(slow: Fn) -> Fn:  # noqa: C901 - one branch per case, kept in one place
            if op == "<=":

                def le(context: Mapping[str, Any]) -> Any:
                    try:
                        value = context[key]
                    except KeyError:
                        return slow(context)
                    cls = type(value)
                    if (cls is int and _MIN <= value <= _MAX) or (
                        cls is float and -_INF < value < _INF
                    ):
                        return value <= constant
                    return slow(context)

                return le
            if op == "<":

                def lt(context: Mapping[str, Any]) -> Any:
                    try:
                        value = context[key]
                    except KeyError:
                        return slow(context)
                    cls = type(value)
                    if (cls is int and _MIN <= value <= _MAX) or (
                        cls is float and -_INF < value < _INF
                    ):
                        return value < constant
                    return slow(context)

                return lt
            if op == ">=":

                def ge(context: Mapping[str, Any]) -> Any:
                    try:
                        value = context[key]
                    except KeyError:
                        return slow(context)
                    cls = type(value)
                    if (cls is int and _MIN <= value <= _MAX) or (
                        cls is float and -_INF < value < _INF
                    ):
                        return value >= constant
                    return slow(context)

                return ge
            if op == ">":

                def gt(context: Mapping[str, Any]) -> Any:
                    try:
                        value = context[key]
                    except KeyError:
                        return slow(context)
                    cls = type(value)
                    if (cls is int and _MIN <= value <= _MAX) or (
                        cls is float and -_INF < value < _INF
                    ):
                        return value > constant
                    return slow(context)

                return gt
            if op == "==":

                def eq(context: Mapping[str, Any]) -> Any:
                    try:
                        value = context[key]
                    except KeyError:
                        return slow(context)
                    cls = type(value)
                    if (cls is int and _MIN <= value <= _MAX) or (
                        cls is float and -_INF < value < _INF
                    ):
                        return value == constant
                    return slow(context)

                return eq

            def ne(context: Mapping[str, Any]) -> Any:
                try:
                    value = context[key]
                except KeyError:
                    return slow(context)
                cls = type(value)
                if (cls is int and _MIN <= value <= _MAX) or (
                    cls is float and -_INF < value < _INF
                ):
                    return value != constant
                return slow(context)

            return ne

        return make_number
    if kind in ("string", "boolean") and op in ("==", "!="):
        expected = str if kind == "string" else bool

        def make_equal(slow: Fn) -> Fn:
            if op == "==":

                def eq(context: Mapping[str, Any]) -> Any:
                    try:
                        value = context[key]
                    except KeyError:
                        return slow(context)
                    if type(value) is expected:
                        return value == constant
                    return slow(context)

                return eq

            def ne(context: Mapping[str, Any]) -> Any:
                try:
                    value = context[key]
                except KeyError:
                    return slow(context)
                if type(value) is expected:
                    return value != constant
                return slow(context)

            return ne

        return make_equal
    return None
