"""Write values, keys and table headers as TOML text: floats by their exact repr."""

from __future__ import annotations

from typing import Any, Final

from stool.errors import ValidationError
from stool.modelfile._format import _join

_BARE_KEY: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_TOML_ESCAPES: Final = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n"}
_TOML_ESCAPES_MORE: Final = {"\f": "\\f", "\r": "\\r"}


def _toml_string(text: str, path: str) -> str:
    out = ['"']
    for char in text:
        code = ord(char)
        if char in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[char])
        elif char in _TOML_ESCAPES_MORE:
            out.append(_TOML_ESCAPES_MORE[char])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04x}")
        elif 0xD800 <= code <= 0xDFFF:
            raise ValidationError(path, text, "text without lone surrogates (TOML is UTF-8)")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _toml_key(key: str) -> str:
    return key if key and set(key) <= _BARE_KEY else _toml_string(key, key)


def _toml_value(value: Any, path: str) -> str:
    """Write unstructured data (no None) as a TOML value: floats by their exact repr."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)  # finite: unstructure refuses NaN and infinities
    if isinstance(value, str):
        return _toml_string(value, path)
    if isinstance(value, list):
        items = ", ".join(_toml_value(item, f"{path}[{i}]") for i, item in enumerate(value))
        return f"[{items}]"
    if isinstance(value, dict):
        pairs = ", ".join(
            f"{_toml_key(key)} = {_toml_value(item, _join(path, key))}"
            for key, item in value.items()
            if item is not None
        )
        return f"{{ {pairs} }}" if pairs else "{}"
    raise ValidationError(path, value, "a number, a string, true or false, or a list of them")


def _toml_header(path: str) -> str:
    return ".".join(_toml_key(part) for part in path.split("."))
