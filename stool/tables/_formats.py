"""The table formats, their suffixes and column types, and the checks every read shares."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from stool._text import shown
from stool.errors import StoolError, TableError, ValidationError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["FORMATS", "SUFFIXES", "TYPES", "table_format"]

FORMATS: Final = ("csv", "jsonl", "parquet")
"""The table formats stool reads and writes."""

SUFFIXES: Final[Mapping[str, str]] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
"""The file suffixes each format is recognised by (case does not matter)."""

TYPES: Final = ("bool", "float64", "int64", "string")
"""The column types `types=` may name (a pyarrow `DataType` is accepted too)."""


_BLOCK_BYTES: Final = 1 << 20


def _pyarrow() -> Any:
    try:
        import pyarrow as pa  # noqa: PLC0415 - imported on first use, to keep import stool light
    except ImportError:  # pragma: no cover - pyarrow is installed in development
        raise StoolError(
            "reading and writing tables needs pyarrow, the batch extra: "
            "pip install 'stool[batch]', or '.[batch]' in a checkout of stool"
        ) from None
    return pa


def _name(path: Any) -> str:
    return os.fspath(path) if isinstance(path, (str, os.PathLike)) else shown(path)


def table_format(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,  # noqa: A002 - the word users know
) -> Literal["csv", "jsonl", "parquet"]:
    """Return the format of a table file: `format` if given, else the one its suffix names.

    Args:
        path: The file.
        format: `"csv"`, `"parquet"` or `"jsonl"`, or None to go by the suffix.

    Returns:
        One of [FORMATS][stool.tables.FORMATS].

    Raises:
        ValidationError: If `format` is not a known format.
        TableError: If `format` is None and the suffix is not one of
            [SUFFIXES][stool.tables.SUFFIXES].

    Examples:
        >>> from stool.tables import table_format
        >>> table_format("calls.PARQUET"), table_format("calls.txt", format="csv")
        ('parquet', 'csv')
    """
    if format is not None:
        if format not in FORMATS:
            raise ValidationError("format", format, "one of " + ", ".join(FORMATS))
        return format  # type: ignore[return-value]  # checked just above
    if not isinstance(path, (str, os.PathLike)):
        raise ValidationError("path", path, "a file name (str or os.PathLike)")
    suffix = Path(path).suffix.lower()
    found = SUFFIXES.get(suffix)
    if found is None:
        hint = (
            "; stool reads JSON Lines (one object per line): name the file .jsonl or pass "
            "format='jsonl'"
            if suffix == ".json"
            else ", or pass format= (one of " + ", ".join(FORMATS) + ")"
        )
        raise TableError(
            _name(path), f"a file name ending in {', '.join(SUFFIXES)}{hint}", value=suffix
        )
    return found  # type: ignore[return-value]  # the values of SUFFIXES are formats


def _arrow_types(types: Mapping[str, Any] | None) -> dict[str, Any]:
    if types is None:
        return {}
    if not isinstance(types, Mapping):
        raise ValidationError("types", types, "a mapping of column names to types")
    pa = _pyarrow()
    known = {
        "bool": pa.bool_(),
        "float64": pa.float64(),
        "int64": pa.int64(),
        "string": pa.string(),
    }
    out = {}
    for name, kind in types.items():
        if not isinstance(name, str):
            raise ValidationError("types", name, "column names (str) as keys")
        if isinstance(kind, pa.DataType):
            out[name] = kind
        elif isinstance(kind, str) and kind in known:
            out[name] = known[kind]
        else:
            raise ValidationError(
                f"types[{name!r}]", kind, "one of " + ", ".join(TYPES) + ", or a pyarrow DataType"
            )
    return out


def _check_columns(columns: Sequence[str] | None) -> list[str] | None:
    if columns is None:
        return None
    if isinstance(columns, str) or not all(isinstance(c, str) for c in columns):
        raise ValidationError("columns", columns, "a list of column names, or None for all")
    return list(columns)


def _missing_column(file: str, name: str, present: Sequence[str]) -> TableError:
    close = difflib.get_close_matches(name, list(present), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    listed = ", ".join(present) if len(present) <= 12 else ", ".join(present[:12]) + ", ..."
    return TableError(file, f"a column the file has{hint}; it has: {listed}", value=name)


def _exists(path: str | os.PathLike[str]) -> str:
    file = _name(path)
    if not Path(path).is_file():
        reason = "a folder, not a table file" if Path(path).is_dir() else "no such file"
        raise TableError(file, reason)
    return file


def _to(table: Any, to: Literal["pandas", "arrow"], offset: int = 0) -> Any:
    if to == "arrow":
        return table
    frame = table.to_pandas()
    if offset:
        import pandas as pd  # noqa: PLC0415 - an optional extra

        frame.index = pd.RangeIndex(offset, offset + len(frame))
    return frame


def _check_to(to: Any) -> Literal["pandas", "arrow"]:
    if to not in ("pandas", "arrow"):
        raise ValidationError("to", to, "'pandas' or 'arrow'")
    return to  # type: ignore[no-any-return]  # checked just above
