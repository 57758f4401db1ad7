"""Write policy-file data back out as TOML: the inverse of reading a book from TOML.

The standard library reads TOML but does not write it; books hold a small set of
shapes (strings, numbers, booleans, dates, lists and tables), which this module writes
so that `tomllib` reads back exactly the same data.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any, Final

from stool.policy._errors import PolicyError, shown

__all__ = ["toml_document", "toml_key", "toml_value"]

_BARE: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_ESCAPES: Final = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}
_INT64: Final = 2**63


def _string(text: str) -> str:
    out = []
    for ch in text:
        escaped = _ESCAPES.get(ch)
        if escaped is not None:
            out.append(escaped)
        elif ch < " " or ch == "\x7f":
            out.append(f"\\u{ord(ch):04x}")
        elif "\ud800" <= ch <= "\udfff":
            msg = f"the text {shown(text)} holds a lone surrogate, which TOML cannot hold"
            raise PolicyError(msg)
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_key(key: str) -> str:
    """Return `key` as a TOML key: bare when it can be, quoted otherwise (`"customer.tier"`)."""
    return key if key and all(ch in _BARE for ch in key) else _string(key)


def _float(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = repr(value)
    return text if any(ch in text for ch in ".en") else text + ".0"


def toml_value(value: Any) -> str:  # noqa: PLR0911 - one return per kind of value
    """Return `value` as a TOML value on one line (tables inline).

    Raises:
        PolicyError: If the value has no TOML form (None, for instance: TOML has no null).
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if not -_INT64 <= value < _INT64:
            msg = f"the integer {shown(value)} is beyond TOML's 64 bits; write the book as JSON"
            raise PolicyError(msg)
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    msg = f"{shown(value)} has no TOML form (TOML has no null); write the book as JSON instead"
    raise PolicyError(msg)


def _is_tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def toml_document(data: Mapping[str, Any], *, sub_tables: tuple[str, ...] = ("context",)) -> str:
    """Return policy-file data as a TOML document.

    Plain values come first, then each table (`[context]`), then each array of tables
    (`[[rule]]`, `[[test]]`); inside an array's tables, the keys named in `sub_tables`
    are written as sub-tables (`[test.context]`) so that long contexts stay readable.
    """
    lines: list[str] = []
    tables: list[tuple[str, Mapping[str, Any]]] = []
    arrays: list[tuple[str, list[Mapping[str, Any]]]] = []
    for key, value in data.items():
        if isinstance(value, Mapping) and value:
            tables.append((key, value))
        elif _is_tables(value):
            arrays.append((key, value))
        else:
            lines.append(f"{toml_key(key)} = {toml_value(value)}")
    for key, table in tables:
        lines += ["", f"[{toml_key(key)}]"]
        lines += [f"{toml_key(k)} = {toml_value(v)}" for k, v in table.items()]
    for key, items in arrays:
        for item in items:
            lines += ["", f"[[{toml_key(key)}]]"]
            later = []
            for name, value in item.items():
                if name in sub_tables and isinstance(value, Mapping) and value:
                    later.append((name, value))
                else:
                    lines.append(f"{toml_key(name)} = {toml_value(value)}")
            for name, value in later:
                lines.append(f"[{toml_key(key)}.{toml_key(name)}]")
                lines += [f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()]
    return "\n".join(lines).lstrip("\n") + "\n"
