"""Read a structured data file by its format: TOML, JSON or YAML, with a locator for its keys.

Policy books and scenario files are read the same way: the source (a path, text or bytes)
is read up to the size limit and decoded, parsed by its format, and indexed by a locator
that maps a key path to its line and column, so that every problem names where it is.
`read_data` is that one dispatch. The readers, parsers and
locators it calls are the policy loaders' (`stool.policy._loaders`), every problem they
find is a [PolicyDefinitionError][stool.policy.PolicyDefinitionError], and they are
imported on first use, so that this module stays as light as `import stool` must be.
Only the TOML locator differs between the two kinds of file (a scenario file nests its
tables and arrays of tables deeper than a policy book), so the caller passes it in.

Model files (`stool.modelfile`) read TOML and JSON only and report problems in their own
terms; they share `no_duplicates`, the JSON hook that
refuses a key given twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

__all__ = ["SUFFIXES", "DuplicateKeyError", "Locate", "Path_", "no_duplicates", "read_data"]

Path_ = tuple[Any, ...]
"""A key path in file data: table keys (str) and list positions (int), outermost first."""

Locate = Callable[[Path_], "tuple[int, int, int | None] | None"]
"""Maps a key path to (line, column, column of the value) in the source, best effort."""

SUFFIXES: Final = {".toml": "toml", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}
"""The format of a policy or scenario file, by its name's suffix in lower case."""


class DuplicateKeyError(ValueError):
    """A JSON object gives `key` twice: raised by `no_duplicates`."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Build a JSON object from its pairs, refusing a key given twice.

    Passed to `json.loads` as `object_pairs_hook`, since JSON itself keeps the last.

    Raises:
        DuplicateKeyError: Naming the key given twice.
    """
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKeyError(key)
        result[key] = value
    return result


def _nowhere(_path: Path_) -> None:
    """The locator of an empty YAML document: nothing is anywhere."""


def read_data(
    source: Any, fmt: str, *, label: str | None, toml_locator: Callable[[str], Locate]
) -> tuple[Any, str, Locate]:
    """Read `source` in format `fmt`: its parsed data, the name it goes by, and its locator.

    Args:
        source: A path (`os.PathLike`), text (`str`) or UTF-8 bytes.
        fmt: `"toml"` or `"json"`; anything else is read as YAML.
        label: The name of the source in messages, instead of its path or `<string>`.
        toml_locator: Builds the locator of TOML text: policy books and scenario files
            each lay out their tables their own way.

    Returns:
        The parsed data, the name of the source, and a function that maps a key path to
        its line and column.

    Raises:
        PolicyDefinitionError: If the source cannot be read, is over the size limit, is
            not UTF-8 or is not valid in its format, naming the line where it can.
        PolicyError: If the format needs a package that is not installed (PyYAML, or
            tomli on Python 3.10).
    """
    from stool.policy._loaders import (  # noqa: PLC0415 - loaded on first use, to keep import stool light
        _json_locator,
        _parse_json,
        _parse_toml,
        _parse_yaml,
        _read,
        _yaml_locator,
    )

    text, file = _read(source)
    if label is not None:
        file = label
    if fmt == "toml":
        return _parse_toml(text, file), file, toml_locator(text)
    if fmt == "json":
        return _parse_json(text, file), file, _json_locator(text)
    data, node = _parse_yaml(text, file)
    return data, file, (_yaml_locator(node) if node is not None else _nowhere)
