"""Parse model file text, TOML or JSON, within the size limit; a syntax error names its line."""

from __future__ import annotations

import json
import sys
from typing import Any

from stool._datafile import DuplicateKeyError, no_duplicates
from stool.errors import ValidationError
from stool.modelfile._errors import _problem
from stool.modelfile._format import MAX_MODEL_BYTES


def _toml_module() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib  # noqa: PLC0415 - imported on first use, to keep import stool light

        return tomllib
    try:  # pragma: no cover - Python 3.10
        import tomli  # type: ignore[import-not-found, unused-ignore]  # noqa: PLC0415 - as above
    except ImportError:  # pragma: no cover - Python 3.10 without the toml extra
        from stool.errors import StoolError  # noqa: PLC0415 - only for this message

        msg = "reading TOML on Python 3.10 needs tomli: pip install 'stool[toml]'"
        raise StoolError(msg) from None
    return tomli  # pragma: no cover - Python 3.10


def _line_text(text: str, line: int | None) -> str:
    lines = text.splitlines()
    return lines[line - 1].strip() if line is not None and 0 < line <= len(lines) else ""


def _parse_toml(text: str, label: str) -> Any:
    toml = _toml_module()
    try:
        return toml.loads(text)
    except toml.TOMLDecodeError as error:
        message = str(error)
        line = None
        marker = message.rfind("(at line ")
        if marker != -1:
            number = message[marker + len("(at line ") :].partition(",")[0]
            line = int(number) if number.isdigit() else None
            message = message[:marker].rstrip()
        where = f"{label}, line {line}" if line is not None else label
        found = _line_text(text, line) if line is not None else "(the end of the file)"
        raise _problem(where, found, f"TOML syntax ({message})", file=label) from None
    except (ValueError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)[:200]
        raise _problem(label, "(the file)", f"TOML ({reason})", file=label) from None


def _parse_json(text: str, label: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as error:
        where = f"{label}, line {error.lineno}"
        found = _line_text(text, error.lineno)
        raise _problem(where, found, f"JSON syntax ({error.msg})", file=label) from None
    except DuplicateKeyError as error:
        raise _problem(
            error.key,
            "(a second entry)",
            "each key once per object (JSON with a duplicate key)",
            file=label,
        ) from None
    except (ValueError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)[:200]
        raise _problem(label, "(the file)", f"JSON ({reason})", file=label) from None


def _check_text(text: Any, label: str, what: str) -> str:
    if not isinstance(text, str):
        raise ValidationError(
            "text", text, f"{what} text (a str); to read a file use stool.load_model(path)"
        )
    if len(text) > MAX_MODEL_BYTES:
        raise _problem(
            label,
            f"{len(text)} characters",
            f"a model file of at most {MAX_MODEL_BYTES} characters",
            file=label,
        )
    return text.removeprefix("\ufeff")
