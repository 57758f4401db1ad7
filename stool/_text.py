"""Showing user data in error messages without ever failing."""

from __future__ import annotations

from typing import Any, Final

__all__ = ["SHOWN_LIMIT", "clipped", "closest", "listed", "printable", "shown"]

SHOWN_LIMIT: Final = 120
"""The longest text [shown][] gives for a value in a message."""

LISTED_LIMIT: Final = 20
"""The most names [listed][] writes before saying how many more there are."""


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


def clipped(text: str, limit: int) -> str:
    """Return `text` cut to `limit` characters (ending in `...` when cut).

    Examples:
        >>> clipped("abcdef", 5)
        'ab...'
    """
    return text if len(text) <= limit else text[: max(0, limit - 3)] + "..."


def listed(names: Any, limit: int = LISTED_LIMIT) -> str:
    """Return the first `limit` of `names` joined by commas, and how many more there are.

    An error message that lists what is allowed stays short however many names there
    are (a book may declare thousands of fields), each name cut to 60 characters.

    Examples:
        >>> listed(["a", "b", "c"], limit=2)
        'a, b (and 1 more)'
    """
    names = list(names)
    shown_names = ", ".join(clipped(str(name), 60) for name in names[:limit])
    rest = len(names) - limit
    return shown_names + (f" (and {rest:,} more)" if rest > 0 else "")


SUGGESTION_CHOICES: Final = 2_000
"""The most names [closest][] compares a word with; beyond that it suggests nothing."""


def closest(word: Any, choices: Any) -> str | None:
    """Return the choice most like `word` (a likely fix for a typo), or None.

    Bounded for hostile input: no suggestion for a word longer than 100 characters or
    among more than [SUGGESTION_CHOICES][] names, since each comparison costs time.

    Examples:
        >>> closest("days_since_purchse", ["days_since_purchase", "action"])
        'days_since_purchase'
    """
    if not isinstance(word, str) or len(word) > 100:
        return None
    pool = [choice for choice in choices if isinstance(choice, str)]
    if len(pool) > SUGGESTION_CHOICES:
        return None
    import difflib  # noqa: PLC0415 - imported on first use, to keep import stool light

    close = difflib.get_close_matches(word, pool, n=1)
    return close[0] if close else None


def printable(text: str) -> str:
    r"""Return `text` with lone surrogates written as escapes (`\udcff`).

    A message may quote user text (a path read with surrogate escapes, an expression
    with a lone surrogate in a string); such a message could not be printed, logged or
    written as UTF-8, so the character is shown as its escape instead.

    Examples:
        >>> printable("caf\udce9")
        'caf\\udce9'
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text
