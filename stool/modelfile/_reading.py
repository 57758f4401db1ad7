"""Read a model from TOML or JSON text: every problem of the file found and reported at once.

Each key is checked against the model's fields (a misspelt one gets the key it probably
meant), each value against its field's type and range, and each part against the model's
own checks; the problems are listed together, each naming its dotted key.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Mapping
from typing import Any, Final, Literal

from stool._fields import spec_of
from stool.errors import ValidationError
from stool.modelfile._errors import MAX_LISTED, ModelFileError, _problem
from stool.modelfile._format import (
    _META_KEYS,
    FORMAT,
    FORMAT_VERSION,
    _check_root,
    _init_fields,
    _join,
    _nested_class,
)
from stool.modelfile._parsing import _check_text, _parse_json, _parse_toml
from stool.models import StoolModel
from stool.serialization import _hints, _structure

__all__ = ["model_from_json", "model_from_toml"]


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
