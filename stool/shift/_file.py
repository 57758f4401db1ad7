"""Shift files: a shift as TOML or JSON, read strictly (every problem at once), never run.

A shift file holds the keys `format = "stool.shift"` and `version = 1`, the shift's own
numbers (`arrivals`, `aht_s`, `patience_s`, ...), an `[[agent]]` table per agent, and the
tables `[company]`, `[customers]` (with a `[[customers.request]]` per request),
`[behaviour]`, `[strain]`, `[breaks]`, `[model]` and `[[ledger]]`, each optional but
the agents and arrivals. The company's `policies` name one of stool's example books
(`"returns"`), a policy file (`"books/returns.toml"`, relative to the shift file) or
hold a book inline; the `model` names a model file or holds its tables inline.
Nothing in a shift file is ever evaluated as code.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from stool.errors import PolicyError, StoolError, ValidationError
from stool.models import StoolModel
from stool.parties import Agent, Company
from stool.shift._parts import Behaviour, Breaks, CustomerMix, Request, Strain
from stool.shift._shift import Shift, request_problems

if TYPE_CHECKING:
    from stool.policy import PolicyBook

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MAX_SHIFT_BYTES",
    "ShiftFileError",
    "load_shift",
    "save_shift",
    "shift_from_text",
    "shift_to_text",
]

FORMAT: Final = "stool.shift"
"""The value of the `format` key that marks a stool shift file."""

FORMAT_VERSION: Final = 1
"""The version of the shift file format this stool writes and reads (the `version` key)."""

MAX_SHIFT_BYTES: Final = 8 * 1024 * 1024
"""The largest shift file read, in bytes: 8 MiB, room for a year of intervals."""

_META: Final = ("format", "version", "comment")
_SIMPLE: Final = (
    "name",
    "seed",
    "date",
    "interval_s",
    "aht_s",
    "patience_s",
    "service_level_s",
    "play",
    "supervisor",
    "arrivals",
)
_TABLES: Final[dict[str, type]] = {
    "company": Company,
    "customers": CustomerMix,
    "behaviour": Behaviour,
    "strain": Strain,
    "breaks": Breaks,
}
_LISTS: Final = ("agent", "ledger")
_TOP: Final = (*_META, *_SIMPLE, "agent", *_TABLES, "model", "ledger")
_SUFFIXES: Final[dict[str, Literal["toml", "json"]]] = {".toml": "toml", ".json": "json"}
_BOOK_SUFFIXES: Final = (".toml", ".json", ".yaml", ".yml")


class ShiftFileError(ValidationError):
    """A shift file could not be read: every problem found, each naming its key.

    `problems` holds one [ValidationError][stool.errors.ValidationError] per problem,
    each naming its dotted key (`customers.abusive`, `agent[2].fatigue`), the value and
    what is allowed, with the key you probably meant for a misspelt one. `field`,
    `value` and `allowed` are the first problem's.

    Args:
        problems: The problems, at least one.
        file: The file they are in, or None.

    Example:
        >>> text = '''
        ... format = "stool.shift"
        ... version = 1
        ... arrivals = [10]
        ... [[agent]]
        ... id = "rep-1"
        ... [behavior]
        ... bend = 0.5
        ... '''
        >>> try:
        ...     Shift.from_toml(text)
        ... except ShiftFileError as error:
        ...     print(error.problems[0].allowed)
        a known key at the top level; did you mean 'behaviour'?
    """

    def __init__(self, problems: tuple[ValidationError, ...], *, file: str | None = None) -> None:
        if not problems:
            msg = "a ShiftFileError holds at least one problem"
            raise ValueError(msg)
        self.problems = tuple(problems)
        self.file = file
        first = self.problems[0]
        self.field = first.field
        self.value = first.value
        self.allowed = first.allowed
        self.row = None
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        where = f" {file}" if file else ""
        lines = [f"{count} {noun} in the shift file{where}:"]
        lines.extend(f"  - {problem}" for problem in self.problems)
        Exception.__init__(self, "\n".join(lines))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.problems, self.file))


def _rebuild(problems: tuple[ValidationError, ...], file: str | None) -> ShiftFileError:
    return ShiftFileError(problems, file=file)


# ------------------------------------------------------------------------------ reading


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _fake(cls: type) -> Any:
    """An object whose class is named as `cls`: validators name fields after it."""
    return type(cls.__name__, (), {})()


def _repath(error: ValidationError, cls: type, path: str) -> ValidationError:
    prefix = f"{cls.__name__}."
    if error.field.startswith(prefix):
        return ValidationError(_join(path, error.field[len(prefix) :]), error.value, error.allowed)
    return error


def _unknown(key: Any, value: Any, path: str, names: list[str]) -> ValidationError:
    where = _join(path, str(key))
    table = f"a known key of [{path}]" if path else "a known key at the top level"
    close = difflib.get_close_matches(str(key), names, n=1)
    if close:
        return ValidationError(where, value, f"{table}; did you mean {_join(path, close[0])!r}?")
    for section, cls in _TABLES.items():
        if section != path and key in {a.name for a in attrs.fields(cls)}:
            return ValidationError(where, value, f"{table}; it belongs in [{section}]")
    if path and key in _TOP:
        return ValidationError(where, value, f"{table}; it belongs at the top level")
    return ValidationError(where, value, f"{table}: {', '.join(names)}")


class _Reader:
    """Builds a shift from parsed data, collecting every problem."""

    def __init__(self, label: str, base: Path) -> None:
        self.label = label
        self.base = base
        self.problems: list[ValidationError] = []

    def fields(
        self, cls: type, data: Any, path: str, *, skip: tuple[str, ...] = ()
    ) -> dict[str, Any] | None:
        """Check each key of a table against the fields of `cls`; None if it is no table."""
        if not isinstance(data, Mapping):
            self.problems.append(ValidationError(path, data, f"a table of {cls.__name__} keys"))
            return None
        fields = {a.name: a for a in attrs.fields(cls) if a.init}
        names = [*fields, *skip]
        kwargs: dict[str, Any] = {}
        fake = _fake(cls)
        for key, raw in data.items():
            if key in skip:
                continue
            attribute = fields.get(key)
            if attribute is None:
                self.problems.append(_unknown(key, raw, path, names))
                continue
            value = attribute.converter(raw) if callable(attribute.converter) else raw
            try:
                if attribute.validator is not None:
                    attribute.validator(fake, attribute, value)
            except ValidationError as error:
                self.problems.append(_repath(error, cls, path))
                continue
            kwargs[attribute.alias or key] = value
        return kwargs

    def build(self, cls: type, kwargs: dict[str, Any], path: str) -> Any:
        """Build `cls`; record its cross-field problem and return None if it fails."""
        try:
            return cls(**kwargs)
        except ValidationError as error:
            self.problems.append(_repath(error, cls, path))
            return None

    def required(self, cls: type, data: Any, path: str, *, given: tuple[str, ...] = ()) -> None:
        """Record a problem for each field of `cls` without a default that `data` lacks."""
        if not isinstance(data, Mapping):
            return
        for attribute in attrs.fields(cls):
            if (
                attribute.init
                and attribute.default is attrs.NOTHING
                and attribute.name not in data
                and attribute.name not in given
            ):
                self.problems.append(
                    ValidationError(_join(path, attribute.name), None, "a value (required)")
                )

    def table(self, cls: type, data: Any, path: str) -> Any:
        """Read a table into `cls`, or None (with the problems recorded)."""
        before = len(self.problems)
        kwargs = self.fields(cls, data, path)
        self.required(cls, data, path)
        if kwargs is None or len(self.problems) > before:
            return None
        return self.build(cls, kwargs, path)

    def tables(self, cls: type, data: Any, path: str) -> list[Any] | None:
        """Read an array of tables into a list of `cls`, or None."""
        if not isinstance(data, list):
            self.problems.append(ValidationError(path, data, f"an array of [[{path}]] tables"))
            return None
        before = len(self.problems)
        items = [self.table(cls, item, f"{path}[{index}]") for index, item in enumerate(data)]
        return None if len(self.problems) > before else items

    def policies(self, value: Any, path: str) -> PolicyBook | None:
        """The company's book: an example's name, a policy file, or the book inline."""
        from stool.policy import (  # noqa: PLC0415 - the policy engine, on first use
            EXAMPLES,
            PolicyBook,
            PolicyValidationError,
            load_example,
        )

        book: PolicyBook | None = None
        allowed = (
            f"an example book ({', '.join(EXAMPLES)}), a policy file (.toml, .json, .yaml "
            "or .yml) or the book's table"
        )
        try:
            if isinstance(value, str) and value in EXAMPLES:
                book = load_example(value)
            elif isinstance(value, str) and Path(value).suffix.lower() in _BOOK_SUFFIXES:
                book = PolicyBook.from_file(self.base / value)
            elif isinstance(value, Mapping):
                book = PolicyBook.from_data(dict(value), file=f"{self.label} [{path}]")
            else:
                self.problems.append(ValidationError(path, value, allowed))
        except PolicyValidationError as error:
            self.problems.extend(
                ValidationError(path, "(the book)", str(problem)) for problem in error.problems
            )
        except (PolicyError, OSError) as error:
            self.problems.append(ValidationError(path, value, f"a readable policy book ({error})"))
        return book

    def model(self, value: Any) -> StoolModel | None:
        """The model: a model file, or its tables inline."""
        from stool.modelfile import (  # noqa: PLC0415 - model files, on first use
            FORMAT as MODEL_FORMAT,
        )
        from stool.modelfile import (  # noqa: PLC0415
            FORMAT_VERSION as MODEL_VERSION,
        )
        from stool.modelfile import (  # noqa: PLC0415
            ModelFileError,
            load_model,
            model_from_json,
        )

        try:
            if isinstance(value, str):
                return load_model(self.base / value)
            if isinstance(value, Mapping):
                data = {"format": MODEL_FORMAT, "version": MODEL_VERSION, **value}
                return model_from_json(json.dumps(data, default=str))
        except ModelFileError as error:
            if isinstance(value, str):
                self.problems.append(ValidationError("model", value, f"a model file ({error})"))
            else:
                self.problems.extend(
                    ValidationError(f"model.{p.field}", p.value, p.allowed) for p in error.problems
                )
            return None
        except (OSError, StoolError) as error:
            self.problems.append(
                ValidationError("model", value, f"a readable model file ({error})")
            )
            return None
        self.problems.append(ValidationError("model", value, "a model file's name or a table"))
        return None


def _check_header(data: Mapping[str, Any], problems: list[ValidationError]) -> None:
    if data.get("format") != FORMAT or type(data.get("format")) is not str:
        problems.append(
            ValidationError(
                "format", data.get("format"), f'"{FORMAT}" (it marks a stool shift file)'
            )
        )
    version = data.get("version")
    if type(version) is not int or version != FORMAT_VERSION:
        allowed = f"{FORMAT_VERSION} (the shift file version this stool reads)"
        if type(version) is int and version > FORMAT_VERSION:
            allowed += "; the file was written by a newer stool: upgrade stool to read it"
        problems.append(ValidationError("version", version, allowed))
    if "comment" in data and type(data["comment"]) is not str:
        problems.append(ValidationError("comment", data["comment"], "a string (ignored)"))


def _company(reader: _Reader, data: Any, kwargs: dict[str, Any]) -> None:
    """Read `[company]`, its policy book included, into `kwargs["company"]`."""
    fields = reader.fields(Company, data, "company", skip=("policies",))
    if isinstance(data, Mapping) and "policies" in data:
        book = reader.policies(data["policies"], "company.policies")
        if fields is not None and book is not None:
            fields["policies"] = book
    before = len(reader.problems)
    reader.required(Company, data, "company")
    if fields is not None and len(reader.problems) == before:
        company = reader.build(Company, fields, "company")
        if company is not None:
            kwargs["company"] = company


def _customers(reader: _Reader, data: Any, kwargs: dict[str, Any]) -> None:
    """Read `[customers]`, its `[[customers.request]]` tables included."""
    fields = reader.fields(CustomerMix, data, "customers", skip=("request",))
    if isinstance(data, Mapping) and "request" in data:
        requests = reader.tables(Request, data["request"], "customers.request")
        if fields is not None and requests is not None:
            fields["requests"] = requests
    if fields is not None:
        mix = reader.build(CustomerMix, fields, "customers")
        if mix is not None:
            kwargs["customers"] = mix


def _the_rest(reader: _Reader, data: Mapping[str, Any], kwargs: dict[str, Any]) -> None:
    """Read the agents, the parts, the model and the ledger."""
    agents = reader.tables(Agent, data["agent"], "agent") if "agent" in data else None
    if agents is not None:
        kwargs["agents"] = agents
    if "company" in data:
        _company(reader, data["company"], kwargs)
    if "customers" in data:
        _customers(reader, data["customers"], kwargs)
    for key in ("behaviour", "strain", "breaks"):
        if key in data:
            part = reader.table(_TABLES[key], data[key], key)
            if part is not None:
                kwargs[key] = part
    if "model" in data:
        model = reader.model(data["model"])
        if model is not None:
            kwargs["model"] = model
    if "ledger" in data:
        _ledger(reader, data["ledger"], kwargs)


def _ledger(reader: _Reader, data: Any, kwargs: dict[str, Any]) -> None:
    """Read the `[[ledger]]` entries recorded before the shift."""
    from stool.policy import LedgerEntry  # noqa: PLC0415 - the policy engine, on first use

    entries = reader.tables(LedgerEntry, data, "ledger")
    if entries is not None:
        kwargs["ledger"] = entries


def shift_from_data(data: Any, *, label: str, base: str | Path | None = None) -> Shift:
    """Build a shift from parsed shift-file data, reporting every problem at once.

    Raises:
        ShiftFileError: Listing every problem found.
    """
    if not isinstance(data, Mapping):
        problem = ValidationError(label, data, "a table of keys (a JSON object)")
        raise ShiftFileError((problem,), file=label)
    reader = _Reader(label, Path.cwd() if base is None else Path(base))
    problems = reader.problems
    _check_header(data, problems)
    simple = {key: data[key] for key in _SIMPLE if key in data}
    if simple.get("patience_s") in ("inf", "infinity"):
        simple["patience_s"] = math.inf
    problems.extend(
        _unknown(key, data[key], "", [k for k in _TOP if k != "comment"])
        for key in data
        if key not in _TOP
    )
    kwargs = reader.fields(Shift, simple, "") or {}
    problems.extend(
        ValidationError(key, None, f"{what} (required)")
        for key, what in (
            ("agent", "an [[agent]] table per agent"),
            ("arrivals", "calls per interval"),
        )
        if key not in data
    )
    _the_rest(reader, data, kwargs)
    if not problems and kwargs.get("play", True) and "customers" in kwargs:
        company = kwargs.get("company")
        book = company.policies if company is not None else None
        for problem in request_problems(book, kwargs["customers"].requests):
            field = problem.field.removeprefix("Shift.")
            field = field.replace("customers.requests[", "customers.request[")
            problems.append(ValidationError(field, problem.value, problem.allowed))
    if not problems:
        shift = reader.build(Shift, kwargs, "")
        if isinstance(shift, Shift):
            return shift
    raise ShiftFileError(tuple(problems), file=label)


def _parse(text: str, fmt: Literal["toml", "json"], label: str) -> Any:
    def fail(where: str, found: Any, allowed: str) -> ShiftFileError:
        return ShiftFileError((ValidationError(where, found, allowed),), file=label)

    if fmt == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise fail(
                f"{label}, line {error.lineno}",
                error.doc.splitlines()[error.lineno - 1 : error.lineno] or "",
                f"JSON syntax ({error.msg})",
            ) from None
        except (ValueError, RecursionError) as error:
            raise fail(label, "(the file)", f"JSON ({type(error).__name__})") from None
    if sys.version_info >= (3, 11):
        import tomllib  # noqa: PLC0415 - on first use
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]  # noqa: PLC0415
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise fail(label, "(the file)", f"TOML syntax ({error})") from None
    except (ValueError, RecursionError) as error:
        raise fail(label, "(the file)", f"TOML ({type(error).__name__})") from None


def shift_from_text(
    text: str,
    fmt: Literal["toml", "json"],
    *,
    base: str | Path | None = None,
    label: str = "<string>",
) -> Shift:
    """Read a shift from TOML or JSON text."""
    if not isinstance(text, str):
        raise ValidationError(
            "text", text, f"{fmt.upper()} text (a str); to read a file use stool.load_shift(path)"
        )
    if len(text) > MAX_SHIFT_BYTES:
        problem = ValidationError(label, f"{len(text)} characters", f"at most {MAX_SHIFT_BYTES}")
        raise ShiftFileError((problem,), file=label)
    data = _parse(text.removeprefix("\ufeff"), fmt, label)
    return shift_from_data(data, label=label, base=base)


def load_shift(path: str | os.PathLike[str]) -> Shift:
    """Read a shift file, TOML or JSON by its suffix, as `Shift.from_toml` reads text.

    Policy and model files the shift names are read relative to the shift file's folder.

    Args:
        path: The file.

    Returns:
        The shift.

    Raises:
        ShiftFileError: Listing every problem of the file, each with its dotted key.
        ValidationError: If `path` is not a path.
        OSError: If the file cannot be read.

    Example:
        >>> import pathlib, tempfile
        >>> from stool import Agent
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "monday.toml"
        >>> shift = Shift(agents=[Agent(id="rep-1")], arrivals=[12.0, 20.0])
        >>> save_shift(shift, path)
        >>> load_shift(path) == shift
        True
    """
    if not isinstance(path, (str, os.PathLike)):
        raise ValidationError("path", path, "a path (a str or os.PathLike)")
    file = Path(os.fspath(path))
    with file.open("rb") as handle:
        raw = handle.read(MAX_SHIFT_BYTES + 1)
    label = str(file)
    if len(raw) > MAX_SHIFT_BYTES:
        problem = ValidationError(label, "(the file)", f"at most {MAX_SHIFT_BYTES} bytes")
        raise ShiftFileError((problem,), file=label)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        problem = ValidationError(label, "(the file)", "UTF-8 text")
        raise ShiftFileError((problem,), file=label) from None
    fmt = _SUFFIXES.get(file.suffix.lower())
    if fmt is None:
        fmt = "json" if text.lstrip().startswith("{") else "toml"
    return shift_from_text(text, fmt, base=file.parent, label=label)


def save_shift(shift: Shift, path: str | os.PathLike[str]) -> None:
    """Write a shift to a `.toml` or `.json` file, which [load_shift][stool.shift.load_shift] reads.

    Args:
        shift: The shift.
        path: The file to write (replaced if it exists).

    Raises:
        ValidationError: If `shift` is not a Shift or the suffix is neither `.toml` nor
            `.json`.
        OSError: If the file cannot be written.
    """
    if not isinstance(shift, Shift):
        raise ValidationError("shift", shift, "a Shift")
    if not isinstance(path, (str, os.PathLike)):
        raise ValidationError("path", path, "a path (a str or os.PathLike)")
    file = Path(os.fspath(path))
    fmt = _SUFFIXES.get(file.suffix.lower())
    if fmt is None:
        raise ValidationError("path", str(file), "a file name ending in .toml or .json")
    file.write_text(shift_to_text(shift, fmt), encoding="utf-8", newline="\n")


# ------------------------------------------------------------------------------ writing


def _value(value: Any) -> Any:
    """A field's value as file data."""
    from stool.enums import Authority, CustomerType  # noqa: PLC0415

    if isinstance(value, (Authority, CustomerType)):
        return value.name
    if isinstance(value, Mapping):
        return {str(k): _value(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_value(v) for v in value]
    return value


def _record(instance: Any, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """An attrs instance's init fields as data, None left out (TOML has no null)."""
    out = {}
    for attribute in attrs.fields(type(instance)):
        if not attribute.init or attribute.name in skip:
            continue
        value = getattr(instance, attribute.name)
        if value is not None:
            out[attribute.alias or attribute.name] = _value(value)
    return out


def _book_data(book: PolicyBook) -> Any:
    from stool.policy import EXAMPLES, load_example  # noqa: PLC0415 - the policy engine

    if book.name in EXAMPLES and load_example(book.name) == book:
        return book.name
    return book.to_data()


def shift_data(shift: Shift) -> dict[str, Any]:
    """The shift as shift-file data, in the order a file lists it."""
    data: dict[str, Any] = {"format": FORMAT, "version": FORMAT_VERSION}
    for key in _SIMPLE:
        data[key] = _value(getattr(shift, key))
    company = _record(shift.company, skip=("policies",))
    if shift.company.policies is not None:
        company["policies"] = _book_data(shift.company.policies)
    data["company"] = company
    customers = _record(shift.customers, skip=("requests",))
    if shift.customers.requests:
        customers["request"] = [_record(request) for request in shift.customers.requests]
    data["customers"] = customers
    data["behaviour"] = _record(shift.behaviour)
    data["strain"] = _record(shift.strain)
    if shift.breaks is not None:
        data["breaks"] = _record(shift.breaks)
    if shift.model != StoolModel():
        from stool.modelfile import model_to_json  # noqa: PLC0415 - model files, on first use

        model = json.loads(model_to_json(shift.model))
        data["model"] = {k: v for k, v in model.items() if k not in _META}
    data["agent"] = [_record(agent) for agent in shift.agents]
    if shift.ledger:
        data["ledger"] = [_record(entry) for entry in shift.ledger]
    return data


def _toml_lines(data: Mapping[str, Any], path: str, lines: list[str]) -> None:
    from stool.policy._writing import toml_key, toml_value  # noqa: PLC0415 - the TOML writer

    tables = []
    arrays = []
    body = []
    for key, value in data.items():
        if isinstance(value, Mapping):
            tables.append((key, value))
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            arrays.append((key, value))
        else:
            body.append(f"{toml_key(key)} = {toml_value(value)}")
    if path and (body or not (tables or arrays)):
        lines += ["", f"[{path}]"]
    lines += body
    for key, table in tables:
        _toml_lines(table, f"{path}.{toml_key(key)}" if path else toml_key(key), lines)
    for key, items in arrays:
        where = f"{path}.{toml_key(key)}" if path else toml_key(key)
        for item in items:
            lines += ["", f"[[{where}]]"]
            lines += [f"{toml_key(k)} = {toml_value(v)}" for k, v in item.items()]


def shift_to_text(shift: Shift, fmt: Literal["toml", "json"]) -> str:
    """Write a shift as TOML or JSON text."""
    data = shift_data(shift)
    if fmt == "json":
        if math.isinf(shift.patience_s):
            data["patience_s"] = "inf"
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False, default=str) + "\n"
    lines = [
        "# A stool shift: read it with stool.load_shift(path), run it with `stool shift run`.",
    ]
    _toml_lines(data, "", lines)
    return "\n".join(lines) + "\n"
