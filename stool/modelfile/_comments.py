"""Write each key's documentation as TOML comments above it, for a reviewer.

The text is the field's attribute docstring, read from the model's source, followed by what
the key allows and its default (and whether the file changes it).
"""

from __future__ import annotations

import ast
import functools
import inspect
import itertools
import re
import textwrap
from typing import Any, Final

import attrs

from stool._fields import spec_of
from stool.modelfile._format import _default
from stool.modelfile._tomlvalues import _toml_value
from stool.serialization import _unstructure

_COMMENT_WIDTH: Final = 88


@functools.cache
def _field_docs(cls: type) -> dict[str, str]:
    """The attribute docstrings of `cls` and its bases, read from their source; {} if none."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if klass is object:
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(klass)))
        except (OSError, TypeError, SyntaxError):
            continue
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for node, following in itertools.pairwise(body):
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                docs[node.target.id] = inspect.cleandoc(following.value.value)
    return docs


_CROSS_REF: Final = re.compile(r"\[([^\]]+)\](?:\[[^\]]*\]|\([^)]*\))")


def _comment(text: str) -> list[str]:
    """Wrap prose as TOML comment lines, Markdown cross-links reduced to their text."""
    plain = _CROSS_REF.sub(r"\1", text)
    lines: list[str] = []
    for paragraph in plain.split("\n\n"):
        words = " ".join(paragraph.split())
        if words:
            lines.extend(textwrap.wrap(words, _COMMENT_WIDTH - 2, break_on_hyphens=False) or [""])
    return [f"# {line}".rstrip() for line in lines]


def _key_comment(attribute: attrs.Attribute[Any], cls: type, value: Any) -> list[str]:
    """The comment lines above a key: its docstring, what it allows, its default."""
    lines = _comment(_field_docs(cls).get(attribute.name, ""))
    facts = []
    spec = spec_of(attribute)
    if spec is not None and spec.allowed:
        allowed = spec.allowed.removesuffix(", or None")
        left_out = ", or left out (None)" if allowed != spec.allowed else ""
        facts.append(f"Allowed: {allowed}{left_out}.")
    default = _default(attribute)
    if default is None:
        facts.append(
            "Default: not set." if value is None else "Default: not set; this file sets it."
        )
    elif default is not attrs.NOTHING and not attrs.has(type(default)):
        shown = _toml_value(_unstructure(default, attribute.name), attribute.name)
        changed = "" if value == default else "; this file changes it"
        facts.append(f"Default: {shown}{changed}.")
    if facts:
        lines.extend(_comment(" ".join(facts)))
    return lines


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415 - slow to import, needed only here

    try:
        return version("stool")
    except PackageNotFoundError:  # pragma: no cover - stool runs from an uninstalled tree
        return "(unknown version)"
