"""The expression language's back end: a type checker and a compiler to Python closures.

One tree, two back ends: this package compiles a parsed expression (`_syntax`) to nested
closures that evaluate one context (a mapping) in well under a microsecond per operation;
`_vector` compiles the same tree to numpy operations over columns.
Nothing here calls `eval`, `exec`, `getattr` or any function outside the fixed table.

- `_values`: the kinds of value, and how a context's fields are read and normalised;
- `_fastpaths`: the unrolled closures for a field compared with a literal;
- `_compiler`: the type checker and compiler of every other node;
- `_expression`: Expression and compile_expression, the public face.
"""

from __future__ import annotations

from stool.policy._expr._compiler import Compiled, compile_node, field_names
from stool.policy._expr._expression import Expression, compile_expression, not_a_mapping

# Expressions pickled before this module became a package name their rebuilder here.
from stool.policy._expr._expression import _rebuild_expression as _rebuild_expression
from stool.policy._expr._values import KINDS, Fn, kind_name, normalise_value, same_list

__all__ = [
    "KINDS",
    "Compiled",
    "Expression",
    "Fn",
    "compile_expression",
    "compile_node",
    "field_names",
    "kind_name",
    "normalise_value",
    "not_a_mapping",
    "same_list",
]
