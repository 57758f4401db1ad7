"""The model file format: its header keys and limits, and the model's fields as its keys.

A model file holds one table per nested attrs class of the model and one key per field
that `__init__` takes; these helpers walk those fields the same way for writing and
reading.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Final

import attrs

__all__ = ["FORMAT", "FORMAT_VERSION", "MAX_MODEL_BYTES"]

FORMAT: Final = "stool.model"
"""The value of the `format` key that marks a stool model file."""

FORMAT_VERSION: Final = 1
"""The version of the model file format this stool writes and reads (the `version` key)."""

MAX_MODEL_BYTES: Final = 1024 * 1024
"""The largest model file read, in bytes (characters, for text): 1 MiB, far above any model."""

_META_KEYS: Final = ("format", "version", "comment")
"""Top-level keys of a model file that are not fields of the model."""


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _init_fields(cls: type) -> tuple[attrs.Attribute[Any], ...]:
    return tuple(a for a in attrs.fields(cls) if a.init)


def _check_root(cls: type) -> None:
    """Refuse a model class with a field whose name the file format reserves."""
    clash = [a.name for a in _init_fields(cls) if a.name in _META_KEYS]
    if clash:
        msg = f"{cls.__name__} has fields named {clash}, which model files reserve"
        raise TypeError(msg)


def _nested_class(hint: Any) -> tuple[type, bool] | None:
    """Return (attrs class, optional) if `hint` is an attrs class or one or None."""
    if isinstance(hint, type) and attrs.has(hint):
        return hint, False
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        members = [m for m in typing.get_args(hint) if m is not type(None)]
        optional = len(members) < len(typing.get_args(hint))
        if len(members) == 1 and isinstance(members[0], type) and attrs.has(members[0]):
            return members[0], optional
    return None


def _default(attribute: attrs.Attribute[Any]) -> Any:
    default = attribute.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]  # Factory is a class at run time
        factory: Any = default
        return attrs.NOTHING if factory.takes_self else factory.factory()
    return default
