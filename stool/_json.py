"""JSON for values the standard library does not write itself."""

from __future__ import annotations

from typing import Any

__all__ = ["json_default"]


def json_default(value: Any) -> Any:
    """Return a value `json` cannot write as one it can: a date or time as ISO text.

    Pass it as `default=` to `json.dumps` or `json.JSONEncoder`: dates read from TOML or
    YAML, or held in a table's column, are written as ISO text, as JSON holds them.

    Raises:
        TypeError: If `value` has no `isoformat`, as `json` itself raises for a value
            it cannot write.

    Examples:
        >>> import datetime as dt
        >>> import json
        >>> json.dumps({"due": dt.date(2024, 5, 1)}, default=json_default)
        '{"due": "2024-05-01"}'
    """
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return isoformat()
    msg = f"{type(value).__name__} is not a JSON value"
    raise TypeError(msg)
