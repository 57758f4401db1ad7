"""Write a model as TOML or JSON text that reads back equal, bit for bit."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import attrs

from stool.errors import ValidationError
from stool.modelfile._comments import _comment, _field_docs, _key_comment, _version
from stool.modelfile._format import (
    FORMAT,
    FORMAT_VERSION,
    _check_root,
    _default,
    _init_fields,
    _join,
    _nested_class,
)
from stool.modelfile._tomlvalues import _toml_header, _toml_key, _toml_value
from stool.models import StoolModel
from stool.serialization import _hints, _unstructure

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["model_to_json", "model_to_toml"]


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
