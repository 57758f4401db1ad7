"""Showing user data in error messages without ever failing."""

from __future__ import annotations

from typing import Any, Final

__all__ = ["SHOWN_LIMIT", "shown"]

SHOWN_LIMIT: Final = 120
"""The longest text [shown][] gives for a value in a message."""


def shown(value: Any, limit: int = SHOWN_LIMIT) -> str:
    """Return `repr(value)` for a message, cut to `limit` characters, never raising.

    User data reaches messages as-is: an integer too long for `repr` (Python refuses
    to print more than 4,300 digits), a megabyte of string, a structure nested too
    deeply or a value whose own `repr` fails must still give a readable message, not
    a ValueError or RecursionError in place of the error being reported.

    Examples:
        >>> shown(10**5000)
        '<an integer of about 5001 digits>'
        >>> shown("x" * 200, limit=10)
        "'xxxxxx..."
    """
    if type(value) is int and value.bit_length() > 128:
        digits = int(value.bit_length() * 0.30103) + 1
        sign = "-" if value < 0 else ""
        return f"{sign}<an integer of about {digits} digits>"
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - any failure of a foreign repr becomes a placeholder
        return f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."
