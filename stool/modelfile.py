"""Save a [StoolModel][stool.models.StoolModel] as a file a person can read, and load it back.

A model file is TOML (or JSON, with the same keys): a header, the keys
`format = "stool.model"` and `version = 1`, then one table per part of the model
(`[customer]`, `[company]`, `[agent]`, `[thresholds]`, ...) holding that part's numbers.
Every float is written exactly (its shortest `repr`), so a loaded model equals the saved
one bit for bit, and a fitted model can be shared, reviewed in a pull request and used from
the command line.

    >>> from stool.models import StoolModel
    >>> text = model_to_toml(StoolModel(), comments=False)
    >>> print(text.splitlines()[3:5])
    ['format = "stool.model"', 'version = 1']
    >>> model_from_toml(text) == StoolModel()
    True

Reading is strict and forgiving where it is safe to be:

- every key is optional: a key left out takes the model's default, so a short file of
  overrides is a whole model;
- an unknown table or key, a value of the wrong type or one the model rejects raises
  [ModelFileError][stool.modelfile.ModelFileError] (a
  [ValidationError][stool.errors.ValidationError]) listing every problem at once, each
  naming its dotted key (`customer.wait_scale_s`) and, for a misspelt key, the key you
  probably meant;
- a missing or unknown `format` or `version`, text that is not TOML or JSON, and a file
  over [MAX_MODEL_BYTES][stool.modelfile.MAX_MODEL_BYTES] are errors too.

The file follows the model's attrs fields, so a field added to the model appears in the
files written from then on, and files written before it load with its default.
"""

from __future__ import annotations

import ast
import difflib
import functools
import inspect
import itertools
import json
import os
import re
import sys
import textwrap
import types
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final, Literal

import attrs

from stool._fields import spec_of
from stool._text import clipped
from stool.errors import ValidationError
from stool.models import StoolModel
from stool.serialization import _hints, _structure, _unstructure

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MAX_LISTED",
    "MAX_MODEL_BYTES",
    "ModelFileError",
    "load_model",
    "model_from_json",
    "model_from_toml",
    "model_to_json",
    "model_to_toml",
    "save_model",
]

FORMAT: Final = "stool.model"
"""The value of the `format` key that marks a stool model file."""

FORMAT_VERSION: Final = 1
"""The version of the model file format this stool writes and reads (the `version` key)."""

MAX_MODEL_BYTES: Final = 1024 * 1024
"""The largest model file read, in bytes (characters, for text): 1 MiB, far above any model."""

_META_KEYS: Final = ("format", "version", "comment")

MAX_LISTED: Final = 50
"""The most problems a [ModelFileError][stool.modelfile.ModelFileError] lists; it counts
the rest, so a hostile file gives a short message fast."""
"""Top-level keys of a model file that are not fields of the model."""

_SUFFIXES: Final[dict[str, Literal["toml", "json"]]] = {".toml": "toml", ".json": "json"}

_BARE_KEY: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_TOML_ESCAPES: Final = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n"}
_TOML_ESCAPES_MORE: Final = {"\f": "\\f", "\r": "\\r"}
_COMMENT_WIDTH: Final = 88


class ModelFileError(ValidationError):
    """A model file could not be read: every problem found, each naming its key.

    `problems` holds one [ValidationError][stool.errors.ValidationError] per problem,
    each naming the dotted key (`customer.wait_scale_s`), the value and what is allowed;
    the message lists them all.
    `field`, `value` and `allowed` are those of the first problem, so code that handles
    a single `ValidationError` keeps working.
    At most [MAX_LISTED][stool.modelfile.MAX_LISTED] problems are listed, each cut to
    1,000 characters; `omitted` counts the rest.

    Args:
        problems: The problems, at least one, in the order the model's fields are listed.
        file: The file they are in (its path, or `<string>` for text), or None.
        omitted: How many more problems were found and not listed.

    Examples:
        >>> text = '''
        ... format = "stool.model"
        ... version = 1
        ... [customer]
        ... wait_scale = 900.0
        ... '''
        >>> try:
        ...     model_from_toml(text)
        ... except ModelFileError as error:
        ...     print(error.field)
        customer.wait_scale
    """

    def __init__(
        self,
        problems: tuple[ValidationError, ...],
        *,
        file: str | None = None,
        omitted: int = 0,
    ) -> None:
        if not problems:
            msg = "a ModelFileError holds at least one problem"
            raise ValueError(msg)
        problems = tuple(problems)
        self.problems = problems[:MAX_LISTED]
        self.omitted = omitted + max(0, len(problems) - MAX_LISTED)
        self.file = file
        first = self.problems[0]
        self.field = first.field
        self.value = first.value
        self.allowed = first.allowed
        self.row = None
        count = len(self.problems) + self.omitted
        noun = "problem" if count == 1 else "problems"
        where = f" {clipped(file, 200)}" if file else ""
        lines = [f"{count:,} {noun} in the model file{where}:"]
        lines.extend(f"  - {clipped(str(problem), 1_000)}" for problem in self.problems)
        if self.omitted:
            lines.append(f"  ... and {self.omitted:,} more (the first {MAX_LISTED} are listed)")
        Exception.__init__(self, "\n".join(lines))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_model_file_error, (self.problems, self.file, self.omitted))


def _rebuild_model_file_error(
    problems: tuple[ValidationError, ...], file: str | None, omitted: int = 0
) -> ModelFileError:
    return ModelFileError(problems, file=file, omitted=omitted)


# --------------------------------------------------------------------------------- fields


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _init_fields(cls: type) -> tuple[attrs.Attribute[Any], ...]:
    return tuple(a for a in attrs.fields(cls) if a.init)


def _check_root(cls: type) -> None:
    """Refuse a model class with a field whose name the file format reserves."""
    clash = [a.name for a in _init_fields(cls) if a.name in _META_KEYS]
    if clash:
        msg = f"{cls.__name__} has fields named {clash}, which model files reserve"
        raise TypeError(msg)


def _nested_class(hint: Any) -> tuple[type, bool] | None:
    """Return (attrs class, optional) if `hint` is an attrs class or one or None."""
    if isinstance(hint, type) and attrs.has(hint):
        return hint, False
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        members = [m for m in typing.get_args(hint) if m is not type(None)]
        optional = len(members) < len(typing.get_args(hint))
        if len(members) == 1 and isinstance(members[0], type) and attrs.has(members[0]):
            return members[0], optional
    return None


def _default(attribute: attrs.Attribute[Any]) -> Any:
    default = attribute.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]  # Factory is a class at run time
        factory: Any = default
        return attrs.NOTHING if factory.takes_self else factory.factory()
    return default


def _items(
    instance: Any, path: str, *, nulls: bool
) -> Iterator[tuple[attrs.Attribute[Any], Any, bool]]:
    """Yield each init field, its value, and whether the value is written.

    A None whose default is None is left out: the key reads back as None. A None whose
    default is not None cannot be left out (the key would read as the default): JSON
    writes it as null (`nulls`); TOML has no null, so it is an error.
    """
    for attribute in _init_fields(type(instance)):
        value = getattr(instance, attribute.name)
        if value is None and attribute.default is None:
            yield attribute, None, False
        elif value is None and not nulls:
            raise ValidationError(
                _join(path, attribute.name),
                None,
                "a value: TOML has no null, and a key left out reads as its default "
                f"({_default(attribute)!r}); save this model as JSON",
            )
        else:
            yield attribute, value, True


# ------------------------------------------------------------------------------- comments


@functools.cache
def _field_docs(cls: type) -> dict[str, str]:
    """The attribute docstrings of `cls` and its bases, read from their source; {} if none."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if klass is object:
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(klass)))
        except (OSError, TypeError, SyntaxError):
            continue
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for node, following in itertools.pairwise(body):
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                docs[node.target.id] = inspect.cleandoc(following.value.value)
    return docs


_CROSS_REF: Final = re.compile(r"\[([^\]]+)\](?:\[[^\]]*\]|\([^)]*\))")


def _comment(text: str) -> list[str]:
    """Wrap prose as TOML comment lines, Markdown cross-links reduced to their text."""
    plain = _CROSS_REF.sub(r"\1", text)
    lines: list[str] = []
    for paragraph in plain.split("\n\n"):
        words = " ".join(paragraph.split())
        if words:
            lines.extend(textwrap.wrap(words, _COMMENT_WIDTH - 2, break_on_hyphens=False) or [""])
    return [f"# {line}".rstrip() for line in lines]


def _key_comment(attribute: attrs.Attribute[Any], cls: type, value: Any) -> list[str]:
    """The comment lines above a key: its docstring, what it allows, its default."""
    lines = _comment(_field_docs(cls).get(attribute.name, ""))
    facts = []
    spec = spec_of(attribute)
    if spec is not None and spec.allowed:
        allowed = spec.allowed.removesuffix(", or None")
        left_out = ", or left out (None)" if allowed != spec.allowed else ""
        facts.append(f"Allowed: {allowed}{left_out}.")
    default = _default(attribute)
    if default is None:
        facts.append(
            "Default: not set." if value is None else "Default: not set; this file sets it."
        )
    elif default is not attrs.NOTHING and not attrs.has(type(default)):
        shown = _toml_value(_unstructure(default, attribute.name), attribute.name)
        changed = "" if value == default else "; this file changes it"
        facts.append(f"Default: {shown}{changed}.")
    if facts:
        lines.extend(_comment(" ".join(facts)))
    return lines


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415 - slow to import, needed only here

    try:
        return version("stool")
    except PackageNotFoundError:  # pragma: no cover - stool runs from an uninstalled tree
        return "(unknown version)"


# ------------------------------------------------------------------------------- writing


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


def _toml_table(instance: Any, path: str, doc: str, *, comments: bool) -> list[str]:
    """Write one table: its header, its keys, then its nested tables.

    With `comments`, a key or table left out because it is None is shown commented out,
    so a reviewer sees it exists.
    """
    cls: type = type(instance)
    hints = _hints(cls)
    docs = _field_docs(cls) if comments else {}
    lines: list[str] = []
    if path:
        lines.append("")
        lines.extend(_comment(doc) if comments else [])
        lines.append(f"[{_toml_header(path)}]")
    nested: list[tuple[attrs.Attribute[Any], Any]] = []
    for attribute, value, written in _items(instance, path, nulls=False):
        where = _join(path, attribute.name)
        if attrs.has(type(value)) or (not written and _nested_class(hints[attribute.name])):
            nested.append((attribute, value))
        elif written:
            if comments:
                lines.extend(["", *_key_comment(attribute, cls, value)])
            lines.append(
                f"{_toml_key(attribute.name)} = {_toml_value(_unstructure(value, where), where)}"
            )
        elif comments:
            lines.extend(["", *_key_comment(attribute, cls, value)])
            lines.append(f"# {_toml_key(attribute.name)} = (not set)")
    for attribute, value in nested:
        where = _join(path, attribute.name)
        doc = docs.get(attribute.name, "")
        if value is not None:
            lines.extend(_toml_table(value, where, doc, comments=comments))
        elif comments:
            lines.extend(["", *_comment(doc), f"# [{_toml_header(where)}] (not set)"])
    return lines


def _toml_header(path: str) -> str:
    return ".".join(_toml_key(part) for part in path.split("."))


def _dump_toml(instance: Any, *, comments: bool) -> str:
    _check_root(type(instance))
    name = type(instance).__name__
    lines = [
        f"# A stool model: the weights, curves and thresholds of a stool.{name}.",
        f"# Written by stool {_version()}; read it with stool.load_model(path).",
        "# Every key is optional: a key left out takes the model's default.",
        f'format = "{FORMAT}"',
        f"version = {FORMAT_VERSION}",
    ]
    lines.extend(_toml_table(instance, "", "", comments=comments))
    return "\n".join(lines) + "\n"


def _json_data(instance: Any, path: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for attribute, value, written in _items(instance, path, nulls=True):
        if not written:
            continue
        where = _join(path, attribute.name)
        if attrs.has(type(value)):
            data[attribute.name] = _json_data(value, where)
        else:
            data[attribute.name] = _unstructure(value, where)
    return data


def _dump_json(instance: Any) -> str:
    _check_root(type(instance))
    data: dict[str, Any] = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "comment": (
            f"A stool model (stool.{type(instance).__name__}), written by stool {_version()}; "
            "read it with stool.load_model(path). Every key is optional: a key left out "
            "takes the model's default."
        ),
    }
    data.update(_json_data(instance, ""))
    return json.dumps(data, indent=2, allow_nan=False) + "\n"


def _check_model(model: Any) -> None:
    if not isinstance(model, StoolModel):
        raise ValidationError("model", model, "a stool.StoolModel")


def model_to_toml(model: StoolModel, *, comments: bool = True) -> str:
    """Write `model` as TOML that a person can read and that reads back exactly.

    [model_from_toml][stool.modelfile.model_from_toml] and
    [load_model][stool.modelfile.load_model] read it.

    Every float is written by its shortest exact `repr`, so the model read back equals
    this one bit for bit. A field whose value is None is left out (TOML has no null) and
    reads back as None.

    Args:
        model: The model to write.
        comments: Whether to write each key's documentation, allowed values and default
            as comments above it, for a reviewer. The header comment is always written.

    Returns:
        The TOML text, ending in a newline.

    Raises:
        ValidationError: If `model` is not a [StoolModel][stool.models.StoolModel].

    Example:
        >>> from stool.models import StoolModel
        >>> text = model_to_toml(StoolModel(), comments=False)
        >>> for line in text.splitlines()[3:9]:
        ...     print(line)
        format = "stool.model"
        version = 1
        <BLANKLINE>
        [customer]
        fulfilment_weight = 0.3
        professionalism_weight = 0.18
    """
    _check_model(model)
    return _dump_toml(model, comments=comments)


def model_to_json(model: StoolModel) -> str:
    """Write `model` as indented JSON that reads back exactly.

    [model_from_json][stool.modelfile.model_from_json] and
    [load_model][stool.modelfile.load_model] read it. The keys are those of
    [model_to_toml][stool.modelfile.model_to_toml], plus a `comment` saying what the
    file is.

    Args:
        model: The model to write.

    Returns:
        The JSON text, ending in a newline.

    Raises:
        ValidationError: If `model` is not a [StoolModel][stool.models.StoolModel].

    Example:
        >>> import json
        >>> from stool.models import StoolModel
        >>> data = json.loads(model_to_json(StoolModel()))
        >>> thresholds = data.pop("thresholds")
        >>> data["format"], data["version"], thresholds["at_risk"]
        ('stool.model', 1, 0.5)
    """
    _check_model(model)
    return _dump_json(model)


# ------------------------------------------------------------------------------- reading


def _problem(field: str, value: Any, allowed: str, *, file: str) -> ModelFileError:
    """A file-level problem (syntax, size, encoding, header) as a ModelFileError."""
    return ModelFileError((ValidationError(field, value, allowed),), file=file)


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


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


def _parse_json(text: str, label: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as error:
        where = f"{label}, line {error.lineno}"
        found = _line_text(text, error.lineno)
        raise _problem(where, found, f"JSON syntax ({error.msg})", file=label) from None
    except _DuplicateKeyError as error:
        raise _problem(
            error.key,
            "(a second entry)",
            "each key once per object (JSON with a duplicate key)",
            file=label,
        ) from None
    except (ValueError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)[:200]
        raise _problem(label, "(the file)", f"JSON ({reason})", file=label) from None


def _check_header(data: Mapping[str, Any], label: str) -> None:
    """Raise unless `data` carries the format and a version this stool reads."""
    problems: list[ValidationError] = []
    fmt = data.get("format")
    if fmt != FORMAT or type(fmt) is not str:
        problems.append(
            ValidationError(
                "format",
                fmt,
                f'"{FORMAT}" (the key format = "{FORMAT}" marks a stool model file)',
            )
        )
    version = data.get("version")
    if type(version) is not int or version != FORMAT_VERSION:
        allowed = f"{FORMAT_VERSION} (the model file version this stool reads)"
        if type(version) is int and version > FORMAT_VERSION:
            allowed += "; the file was written by a newer stool: upgrade stool to read it"
        problems.append(ValidationError("version", version, allowed))
    comment = data.get("comment")
    if "comment" in data and type(comment) is not str:
        problems.append(ValidationError("comment", comment, "a string (ignored on reading)"))
    if problems:
        raise ModelFileError(tuple(problems), file=label)


@functools.cache
def _leaf_paths(cls: type, path: str = "") -> tuple[str, ...]:
    """Every dotted key a model file of `cls` may hold, tables included (computed once)."""
    paths: list[str] = []
    hints = _hints(cls)
    for attribute in _init_fields(cls):
        where = _join(path, attribute.name)
        paths.append(where)
        nested = _nested_class(hints[attribute.name])
        if nested is not None:
            paths.extend(_leaf_paths(nested[0], where))
    return tuple(paths)


def _unknown_key(key: Any, value: Any, path: str, cls: type, root: type) -> ValidationError:
    where = _join(path, str(key))
    table = f"a known key of [{path}]" if path else "a known key at the top level"
    names = [a.name for a in _init_fields(cls)] + ([] if path else list(_META_KEYS))
    everywhere = _leaf_paths(root)
    elsewhere = [p for p in everywhere if p.rpartition(".")[2] == key and p != where]
    close = difflib.get_close_matches(str(key), names, n=1)
    if elsewhere:
        hint = f"did you mean {elsewhere[0]!r}? It belongs in [{elsewhere[0].rpartition('.')[0]}]"
        if "." not in elsewhere[0]:
            hint = f"did you mean {elsewhere[0]!r}? It belongs at the top level"
    elif close:
        hint = f"did you mean {_join(path, close[0])!r}?"
    else:
        anywhere = difflib.get_close_matches(where, everywhere, n=1)
        hint = f"did you mean {anywhere[0]!r}?" if anywhere else f"keys: {', '.join(names)}"
    return ValidationError(where, value, f"{table}; {hint}")


def _repath(error: ValidationError, cls: type, path: str) -> ValidationError:
    prefix = f"{cls.__name__}."
    if error.field.startswith(prefix):
        return ValidationError(_join(path, error.field[len(prefix) :]), error.value, error.allowed)
    return error


_FAILED: Final = object()


def _build(  # noqa: C901, PLR0912 - one branch per case of one walk, kept in one place
    cls: type, data: Mapping[str, Any], path: str, root: type, problems: list[ValidationError]
) -> Any:
    """Build `cls` from a table, adding every problem found to `problems`.

    Returns the instance, or `_FAILED` if a problem stopped it from being built.
    """
    fields = _init_fields(cls)
    names = {a.name for a in fields}
    for key, value in data.items():
        if key not in names and not (cls is root and key in _META_KEYS):
            if len(problems) < MAX_LISTED:
                problems.append(_unknown_key(key, value, path, cls, root))
            else:
                # Counted, not listed: no suggestion is looked for.
                problems.append(ValidationError(_join(path, str(key)), value, "a known key"))
    hints = _hints(cls)
    kwargs: dict[str, Any] = {}
    built = True
    for attribute in fields:
        if attribute.name not in data:
            continue
        raw = data[attribute.name]
        where = _join(path, attribute.name)
        nested = _nested_class(hints[attribute.name])
        if nested is not None and not (raw is None and nested[1]):
            klass, _ = nested
            if not isinstance(raw, Mapping):
                problems.append(ValidationError(where, raw, f"a table of {klass.__name__} keys"))
                built = False
                continue
            value = _build(klass, raw, where, root, problems)
            if value is _FAILED:
                built = False
                continue
        else:
            try:
                value = _structure(raw, hints[attribute.name], where)
                spec = spec_of(attribute)
                if spec is not None:
                    spec.check(where, value)
            except ValidationError as error:
                problems.append(error)
                built = False
                continue
        kwargs[attribute.alias or attribute.name] = value
    if not built:
        return _FAILED
    try:
        return cls(**kwargs)
    except ValidationError as error:
        problems.append(_repath(error, cls, path))
        return _FAILED


def _from_data(data: Any, cls: type, label: str) -> Any:
    _check_root(cls)
    if not isinstance(data, Mapping):
        raise _problem(label, data, "a table of keys (a JSON object)", file=label)
    _check_header(data, label)
    problems: list[ValidationError] = []
    model = _build(cls, data, "", cls, problems)
    if problems:
        raise ModelFileError(tuple(problems), file=label)
    return model


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


def _load(text: str, fmt: Literal["toml", "json"], label: str, cls: type) -> Any:
    data = _parse_toml(text, label) if fmt == "toml" else _parse_json(text, label)
    return _from_data(data, cls, label)


def model_from_toml(text: str) -> StoolModel:
    """Read a model from TOML written by [model_to_toml][stool.modelfile.model_to_toml] or by hand.

    Keys left out take the model's defaults, so a file of a few overrides is a whole
    model; a table left out is that part's default.

    Args:
        text: The TOML text.

    Returns:
        The model, equal to the one that was written.

    Raises:
        ModelFileError: On text that is not TOML, a missing or unknown `format` or
            `version`, unknown keys (with the key you probably meant), wrong types and
            values the model rejects, all listed at once with their dotted keys.
        ValidationError: If `text` is not a str.

    Example:
        >>> text = '''
        ... format = "stool.model"
        ... version = 1
        ... [thresholds]
        ... at_risk = 0.6
        ... '''
        >>> model_from_toml(text).thresholds.at_risk
        0.6
    """
    label = "<string>"
    model: StoolModel = _load(_check_text(text, label, "TOML"), "toml", label, StoolModel)
    return model


def model_from_json(text: str) -> StoolModel:
    """Read a model from JSON written by [model_to_json][stool.modelfile.model_to_json] or by hand.

    The JSON holds the same keys as the TOML of
    [model_from_toml][stool.modelfile.model_from_toml], with the same rules.

    Args:
        text: The JSON text.

    Returns:
        The model, equal to the one that was written.

    Raises:
        ModelFileError: As [model_from_toml][stool.modelfile.model_from_toml], and on a
            key given twice in one object.
        ValidationError: If `text` is not a str.

    Example:
        >>> model_from_json('{"format": "stool.model", "version": 1}') == StoolModel()
        True
    """
    label = "<string>"
    model: StoolModel = _load(_check_text(text, label, "JSON"), "json", label, StoolModel)
    return model


def _read_capped(path: Path) -> str:
    """Read at most MAX_MODEL_BYTES (+1, to notice more) and decode UTF-8."""
    label = str(path)
    with path.open("rb") as file:
        raw = file.read(MAX_MODEL_BYTES + 1)
    if len(raw) > MAX_MODEL_BYTES:
        raise _problem(
            label,
            f"more than {MAX_MODEL_BYTES} bytes",
            f"a model file of at most {MAX_MODEL_BYTES} bytes",
            file=label,
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise _problem(
            f"{label}, line {line}", raw[error.start : error.start + 1], "UTF-8 text", file=label
        ) from None
    return text.removeprefix("\ufeff")


def _as_path(path: Any) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise ValidationError("path", path, "a path (a str or os.PathLike)")
    return Path(os.fspath(path))


def load_model(path: str | os.PathLike[str]) -> StoolModel:
    """Read a model file, TOML or JSON, saved by `save_model` or written by hand.

    [save_model][stool.modelfile.save_model] writes such files.

    The format is chosen by the suffix, `.toml` or `.json`; any other suffix is read as
    JSON if the text starts with `{`, and as TOML otherwise. At most
    [MAX_MODEL_BYTES][stool.modelfile.MAX_MODEL_BYTES] are read, whatever the file
    system says the size is.

    Args:
        path: The file to read.

    Returns:
        The model, equal to the one that was saved.

    Raises:
        ModelFileError: As [model_from_toml][stool.modelfile.model_from_toml], naming the
            file, and on a file over the size limit or not in UTF-8.
        ValidationError: If `path` is not a str or path.
        OSError: If the file cannot be opened (FileNotFoundError, for instance).

    Example:
        >>> import pathlib, tempfile
        >>> from stool.models import StoolModel
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.toml"
        >>> save_model(StoolModel(), path)
        >>> load_model(path) == StoolModel()
        True
    """
    file = _as_path(path)
    text = _read_capped(file)
    fmt = _SUFFIXES.get(file.suffix.lower())
    if fmt is None:
        fmt = "json" if text.lstrip().startswith("{") else "toml"
    model: StoolModel = _load(text, fmt, str(file), StoolModel)
    return model


def save_model(model: StoolModel, path: str | os.PathLike[str], *, comments: bool = True) -> None:
    """Write `model` to `path` as TOML or JSON, chosen by the suffix (`.toml` or `.json`).

    [load_model][stool.modelfile.load_model] reads the file back into a model equal to this one.

    Args:
        model: The model to save.
        path: The file to write (replaced if it exists), ending in `.toml` or `.json`.
        comments: For TOML, whether to write each key's documentation as comments
            (see [model_to_toml][stool.modelfile.model_to_toml]).

    Raises:
        ValidationError: If `model` is not a [StoolModel][stool.models.StoolModel] or the
            suffix is neither `.toml` nor `.json`.
        OSError: If the file cannot be written.

    Example:
        >>> import pathlib, tempfile
        >>> from stool.models import StoolModel
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.json"
        >>> save_model(StoolModel(), path)
        >>> path.read_text(encoding="utf-8").startswith('{')
        True
    """
    file = _as_path(path)
    _check_model(model)
    fmt = _SUFFIXES.get(file.suffix.lower())
    if fmt is None:
        raise ValidationError("path", str(file), "a file name ending in .toml or .json")
    text = _dump_toml(model, comments=comments) if fmt == "toml" else _dump_json(model)
    file.write_text(text, encoding="utf-8", newline="\n")
