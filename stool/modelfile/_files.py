"""Save a model to a file and load it back, the format chosen by the file's suffix."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Final, Literal

from stool.errors import ValidationError
from stool.modelfile._errors import _problem
from stool.modelfile._format import MAX_MODEL_BYTES
from stool.modelfile._reading import _load
from stool.modelfile._writing import _check_model, _dump_json, _dump_toml
from stool.models import StoolModel

__all__ = ["load_model", "save_model"]

_SUFFIXES: Final[dict[str, Literal["toml", "json"]]] = {".toml": "toml", ".json": "json"}


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
