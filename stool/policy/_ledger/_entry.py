"""LedgerEntry, one recorded bend, and the dates and periods budgets count by."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, Final

import attrs

from stool._fields import SPEC, Spec, _normalise_real
from stool.errors import ValidationError

__all__ = [
    "MAX_TEXT",
    "PERIODS",
    "LedgerEntry",
    "check_text",
    "entry_from_data",
    "iso_date",
    "period_key",
    "period_keys",
    "period_range",
]

PERIODS: Final = ("day", "week", "month", "quarter", "year")
"""The periods a budget on bending may count per."""

MAX_TEXT: Final = {"book": 200, "rule": 100, "actor": 200, "unit": 200}
"""The longest text, in characters, each text field of a ledger entry holds: the
columns of a database ledger have these sizes, so every store holds the same entries."""


def iso_date(value: Any, *, field: str) -> str:
    """Return `value` (a date, a datetime or an ISO date string) as an ISO date string.

    Raises:
        ValidationError: If `value` is none of these, naming `field`.
    """
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise ValidationError(field, value, "a date, or an ISO date string such as '2024-06-01'")


def _day(when: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(when)
    except (TypeError, ValueError):
        raise ValidationError(field, when, "an ISO date string such as '2024-06-01'") from None


def period_key(when: str, per: str) -> str:
    """Return the key of the period of `per` that ISO date `when` falls in.

    Raises:
        ValidationError: If `when` is not an ISO date or `per` not one of
            [PERIODS][stool.policy.PERIODS].

    Examples:
        >>> period_key("2024-06-01", "week"), period_key("2024-06-01", "quarter")
        ('2024-W22', '2024-Q2')
    """
    index = _PERIOD_INDEX.get(per)
    if index is None:
        raise ValidationError("usage.per", per, "one of " + ", ".join(PERIODS))
    return period_keys(when)[index]


_PERIOD_INDEX: Final = {per: index for index, per in enumerate(PERIODS)}


@functools.lru_cache(maxsize=4096)
def period_keys(when: str) -> tuple[str, str, str, str, str]:
    """Return the keys of the day, week, month, quarter and year of ISO date `when`.

    Cached: a ledger's entries share few dates, so indexing one costs a lookup.

    Raises:
        ValidationError: If `when` is not an ISO date.

    Examples:
        >>> period_keys("2024-06-01")
        ('2024-06-01', '2024-W22', '2024-06', '2024-Q2', '2024')
    """
    day = _day(when, "usage.when")
    year, week, _ = day.isocalendar()
    return (
        day.isoformat(),
        f"{year}-W{week:02d}",
        f"{day.year}-{day.month:02d}",
        f"{day.year}-Q{(day.month - 1) // 3 + 1}",
        str(day.year),
    )


def period_range(when: str, per: str) -> tuple[str, str]:
    """Return the first and the last ISO date of the period of `per` that `when` falls in.

    Every period is a run of consecutive days, so a database counts a period's bends
    with one range scan of its index.

    Raises:
        ValidationError: If `when` is not an ISO date or `per` not one of
            [PERIODS][stool.policy.PERIODS].

    Examples:
        >>> period_range("2024-06-01", "week"), period_range("2024-05-17", "quarter")
        (('2024-05-27', '2024-06-02'), ('2024-04-01', '2024-06-30'))
    """
    day = _day(when, "usage.when")
    if per == "day":
        first = last = day
    elif per == "week":
        first = day - dt.timedelta(days=day.weekday())
        last = first + dt.timedelta(days=6)
    elif per in ("month", "quarter"):
        month = day.month if per == "month" else (day.month - 1) // 3 * 3 + 1
        first = dt.date(day.year, month, 1)
        after = month + (1 if per == "month" else 3)
        following = dt.date(day.year + 1, 1, 1) if after > 12 else dt.date(day.year, after, 1)
        last = following - dt.timedelta(days=1)
    elif per == "year":
        first, last = dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    else:
        raise ValidationError("usage.per", per, "one of " + ", ".join(PERIODS))
    return first.isoformat(), last.isoformat()


_DEVIATION: Final = Spec(kind="real", low=0.0, allowed="a finite number >= 0")


def check_text(field: str, value: Any, *, kind: str, optional: bool = False) -> None:
    """Raise unless `value` fits the `kind` text field of a ledger entry in every store.

    Args:
        field: The qualified field name for the message.
        value: The value.
        kind: `book`, `rule`, `actor` or `unit` (a unit alone may be empty).
        optional: Whether None is allowed.

    Raises:
        ValidationError: If `value` is not a string of at most
            `MAX_TEXT` characters (non-empty but for
            a unit) without NUL or lone surrogates, which no database stores.
    """
    if value is None and optional:
        return
    limit = MAX_TEXT[kind]
    empty = kind == "unit"
    ok = type(value) is str and (empty or bool(value)) and len(value) <= limit
    if ok:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            ok = False
        ok = ok and "\x00" not in value
    if not ok:
        words = "a string" if empty else "a non-empty string"
        words += f" of at most {limit} characters, without NUL or lone surrogates"
        raise ValidationError(field, value, words + (", or None" if optional else ""))


def _text(*, optional: bool = False) -> Any:
    """An attrs validator for a text field of a ledger entry."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        check_text(
            f"{type(instance).__name__}.{attribute.name}",
            value,
            kind=attribute.name,
            optional=optional,
        )

    return check


def _to_deviation(value: Any) -> Any:
    """Turn a whole number a float holds exactly into that float, as a database holds it."""
    value = _normalise_real(value)
    if type(value) is int and 0 <= value <= _EXACT:  # others stay, for the error to show
        return float(value)
    return value


_EXACT: Final = 2**53


def _to_when(value: Any) -> Any:
    """Turn a `datetime.date` (not a datetime) into its ISO string; leave the rest."""
    return value.isoformat() if type(value) is dt.date else value


def _check_when(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    ok = type(value) is str and len(value) == 10
    if ok:
        try:
            ok = dt.date.fromisoformat(value).isoformat() == value
        except ValueError:
            ok = False
    if not ok:
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}",
            value,
            "an ISO date string such as '2024-06-01' (or a datetime.date), or None",
        )


@attrs.frozen(kw_only=True)
class LedgerEntry:
    """One recorded bend.

    Every field is checked on every way in: built in Python, read by
    [structure][stool.structure], loaded from a database or imported from JSON Lines.
    A NaN, infinite or negative deviation, a date that is not an ISO date, or a text
    that no store could hold raises [ValidationError][stool.ValidationError] naming
    the field, so nothing corrupt can switch a budget off.

    Thread safety: frozen, with immutable fields, so safe to share between threads.

    Examples:
        >>> from stool.policy import LedgerEntry
        >>> LedgerEntry(book="returns", rule="refund-window", actor="rep-7",
        ...             when="2024-06-01", deviation=3.0, unit="days").deviation
        3.0
        >>> LedgerEntry(book="returns", rule="refund-window", deviation=float("nan"))
        Traceback (most recent call last):
        ...
        stool.errors.ValidationError: LedgerEntry.deviation: got nan; allowed: a finite number >= 0
    """

    book: str = attrs.field(validator=_text())
    """The name of the policy book."""
    rule: str = attrs.field(validator=_text())
    """The id of the bent rule."""
    actor: str | None = attrs.field(default=None, validator=_text(optional=True))
    """Who bent it; None if the decision named no actor."""
    when: str | None = attrs.field(default=None, converter=_to_when, validator=_check_when)
    """The ISO date of the bend (a `datetime.date` is converted to one); None if the
    decision gave no date."""
    deviation: float = attrs.field(
        default=0.0, converter=_to_deviation, validator=_DEVIATION, metadata={SPEC: _DEVIATION}
    )
    """How far the rule was bent, in the rule's unit: a finite number >= 0 (a whole
    number is stored as the float that equals it, as every store holds it)."""
    unit: str = attrs.field(default="", validator=_text())
    """The rule's unit."""


_FIELDS: Final = ("book", "rule", "actor", "when", "deviation", "unit")
_REQUIRED: Final = ("book", "rule")


def entry_from_data(data: Any, path: str) -> LedgerEntry:
    """Build an entry from its JSON data, as strictly as [structure][stool.structure].

    A fast path for the many entries of a ledger or a JSON Lines file: the fields are
    checked by LedgerEntry itself, and only the keys are checked here.

    Raises:
        ValidationError: If `data` is not an object with the keys of an entry, or a
            field is bad; the field is named `path.field`.
    """
    if type(data) is not dict:
        raise ValidationError(path, data, "an object with the fields of LedgerEntry")
    for key in data:
        if key not in _FIELDS:
            allowed = "a field of LedgerEntry: " + ", ".join(_FIELDS)
            raise ValidationError(f"{path}.{key}", data[key], allowed)
    for key in _REQUIRED:
        if key not in data:
            raise ValidationError(f"{path}.{key}", None, "a value (this key is required)")
    try:
        return LedgerEntry(**data)
    except ValidationError as error:
        field = path + error.field.removeprefix("LedgerEntry")
        raise ValidationError(field, error.value, error.allowed) from None
