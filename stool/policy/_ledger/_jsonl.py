"""The audit trail as JSON Lines: one ledger entry per line.

For auditors, and for moving a ledger from one store to another.
"""

from __future__ import annotations

import json
import os
import pathlib
from typing import IO, TYPE_CHECKING, Any, Final

from stool.errors import ValidationError
from stool.policy._ledger._entry import LedgerEntry, entry_from_data

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = ["MAX_LINE", "entry_data", "read_jsonl", "write_jsonl"]

MAX_LINE: Final = 65_536
"""The longest line, in characters, an imported JSON Lines file may hold (an entry
takes a few hundred at most)."""


def entry_data(entry: LedgerEntry) -> dict[str, Any]:
    """Return the JSON data of an entry: what [unstructure][stool.unstructure] gives."""
    return {
        "book": entry.book,
        "rule": entry.rule,
        "actor": entry.actor,
        "when": entry.when,
        "deviation": entry.deviation,
        "unit": entry.unit,
    }


def write_jsonl(entries: Iterable[LedgerEntry], target: str | os.PathLike[str] | IO[str]) -> int:
    """Write `entries` to `target`, one JSON object per line; return how many."""
    if isinstance(target, (str, os.PathLike)):
        try:
            handle = pathlib.Path(target).open("w", encoding="utf-8", newline="\n")  # noqa: SIM115 - closed below
        except (OSError, ValueError) as error:
            raise ValidationError(
                "export_jsonl.target", target, f"a file path that can be written ({error})"
            ) from None
        with handle:
            return write_jsonl(entries, handle)
    if not hasattr(target, "write"):
        raise ValidationError(
            "export_jsonl.target", target, "a file path, or a text file open for writing"
        )
    written = 0
    for entry in entries:
        line = json.dumps(
            entry_data(entry), ensure_ascii=False, allow_nan=False, separators=(",", ":")
        )
        target.write(line + "\n")
        written += 1
    return written


def _lines(handle: IO[Any]) -> Iterator[tuple[int, str]]:
    """Yield (line number, text) for each line of `handle`, each read with a bound."""
    number = 0
    while True:
        raw = handle.readline(MAX_LINE + 1)
        if not raw:
            return
        number += 1
        if isinstance(raw, bytes):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise ValidationError(f"line {number}", raw, "UTF-8 text") from None
        elif isinstance(raw, str):
            text = raw
        else:
            raise ValidationError("import_jsonl.source", handle, "a file open for reading")
        if len(text) > MAX_LINE:
            raise ValidationError(
                f"line {number}", text, f"a line of at most {MAX_LINE} characters"
            )
        yield number, text


def read_jsonl(source: str | os.PathLike[str] | IO[Any]) -> Iterator[tuple[int, LedgerEntry]]:
    """Yield the line number and entry of each line of a JSON Lines file, validated.

    Blank lines are skipped.

    Raises:
        ValidationError: On the first line that is not the JSON object of a valid
            entry, naming the line and the field.
    """
    if isinstance(source, (str, os.PathLike)):
        try:
            handle = pathlib.Path(source).open("rb")  # noqa: SIM115 - closed below
        except (OSError, ValueError) as error:
            raise ValidationError(
                "import_jsonl.source", source, f"a file path that can be read ({error})"
            ) from None
        with handle:
            yield from read_jsonl(handle)
        return
    if not hasattr(source, "readline"):
        raise ValidationError(
            "import_jsonl.source", source, "a file path, or a file open for reading"
        )
    for number, text in _lines(source):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as error:
            raise ValidationError(
                f"line {number}", text.rstrip("\n"), f"one JSON object ({error})"
            ) from None
        yield number, entry_from_data(data, f"line {number}: LedgerEntry")
