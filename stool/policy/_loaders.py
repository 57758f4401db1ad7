"""Read policy books from TOML, JSON and YAML, and point every problem at its line.

All three formats hold the same data (`name`, `description`, `context`, `rule`, `test`)
and go through one builder, so they build identical books. Every problem found is
collected, located in the source (exactly for TOML and YAML key lines, by a scan of
the text for JSON) and raised together.

Hostile sources stay cheap: a file is read up to the size limit whatever it is (a
device or a pipe has no size to trust), every locator indexes its source once so that
placing a problem costs no rescan, and only the problems that will be listed (the first
[MAX_PROBLEMS][stool.policy.MAX_PROBLEMS]) are built in full; the rest are counted.
"""

from __future__ import annotations

import bisect
import json
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from stool._datafile import SUFFIXES, DuplicateKeyError, no_duplicates, read_data
from stool._text import closest, listed
from stool.policy._errors import (
    MAX_PROBLEMS,
    PolicyDefinitionError,
    PolicyError,
    PolicyValidationError,
    shown,
)
from stool.policy._rules import EXPRESSION_KINDS, RULE_KEYS, TEST_KEYS, PolicyTest, Rule
from stool.policy._syntax import Node, parse

if TYPE_CHECKING:
    from stool.policy._book import PolicyBook, Sketch

__all__ = ["MAX_NESTING", "MAX_SOURCE_BYTES", "build", "load", "load_file"]

MAX_SOURCE_BYTES: Final = 16 * 1024 * 1024
"""The largest policy source read, in bytes."""

MAX_NESTING: Final = 32
"""The deepest nesting of tables and lists accepted in a policy source."""

TOP_KEYS: Final = ("name", "description", "context", "rule", "test")
_REQUIRED_RULE_KEYS: Final = ("id", "kind", "rationale")
_REQUIRED_TEST_KEYS: Final = ("name", "context", "expect")

Path_ = tuple[Any, ...]
Locate = Callable[[Path_], "tuple[int, int, int | None] | None"]
"""Maps a key path to (line, column, column of the value) in the source, best effort."""


# ------------------------------------------------------------------------------- reading


def _read(source: Any) -> tuple[str, str]:
    if isinstance(source, os.PathLike):
        location = os.fspath(source)
        file = os.fsdecode(location)
        try:
            # Read at most one byte past the limit, whatever the file is: a device
            # (/dev/zero) or a pipe reports no size worth trusting.
            with Path(file).open("rb") as handle:
                raw = handle.read(MAX_SOURCE_BYTES + 1)
        except (OSError, ValueError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else error
            raise PolicyDefinitionError(f"cannot read the file: {reason}", file=file) from None
        if len(raw) > MAX_SOURCE_BYTES:
            raise PolicyDefinitionError(
                f"the file is larger than the limit of {MAX_SOURCE_BYTES:,} bytes", file=file
            )
        return _decode(raw, file), file
    if isinstance(source, (bytes, bytearray)):
        return _decode(bytes(source), "<bytes>"), "<bytes>"
    if isinstance(source, str):
        if len(source) > MAX_SOURCE_BYTES:
            raise PolicyDefinitionError(
                f"the source is {len(source)} characters; the limit is {MAX_SOURCE_BYTES}",
                file="<string>",
            )
        return source.removeprefix("\ufeff"), "<string>"
    raise PolicyDefinitionError(
        f"a policy source is text (str), UTF-8 bytes or a path (pathlib.Path), "
        f"not {type(source).__name__}"
    )


def _decode(raw: bytes, file: str) -> str:
    if len(raw) > MAX_SOURCE_BYTES:
        raise PolicyDefinitionError(
            f"the source is {len(raw)} bytes; the limit is {MAX_SOURCE_BYTES}", file=file
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        raise PolicyDefinitionError(
            f"not valid UTF-8: byte 0x{raw[error.start]:02x} cannot start or continue a character",
            file=file,
            line=line,
            column=column,
        ) from None
    return text.removeprefix("\ufeff")


def _parse_toml(text: str, file: str) -> Any:
    if sys.version_info >= (3, 11):
        import tomllib  # noqa: PLC0415 - imported on first use, to keep import stool light
    else:  # pragma: no cover - Python 3.10
        try:
            import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]  # noqa: PLC0415 - imported on first use, to keep import stool light
        except ImportError:
            raise PolicyError(
                "reading TOML on Python 3.10 needs tomli, the toml extra: "
                "pip install 'stool[toml]', or '.[toml]' in a checkout of stool"
            ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        line, column = _at_line_column(message)
        if "(at " in message:
            message = message[: message.rindex("(at ")].rstrip()
        raise PolicyDefinitionError(
            f"not valid TOML: {message}", file=file, line=line, column=column
        ) from None
    except (ValueError, RecursionError) as error:
        raise PolicyDefinitionError(f"not valid TOML: {_brief(error)}", file=file) from None


def _at_line_column(message: str) -> tuple[int | None, int | None]:
    """Read `(at line L, column C)` from a tomllib message, without regular expressions."""
    marker = "(at line "
    start = message.rfind(marker)
    if start == -1:
        return None, None
    rest = message[start + len(marker) :]
    line_text, _, rest = rest.partition(", column ")
    column_text = rest.partition(")")[0]
    if line_text.isdigit() and column_text.isdigit():
        return int(line_text), int(column_text)
    return None, None


def _brief(error: BaseException) -> str:
    if isinstance(error, RecursionError):
        return "nested too deeply"
    text = str(error)
    return text if len(text) < 200 else text[:197] + "..."


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a policy may hold")


def _parse_json(text: str, file: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise PolicyDefinitionError(
            f"not valid JSON: {error.msg}", file=file, line=error.lineno, column=error.colno
        ) from None
    except DuplicateKeyError as error:
        raise PolicyDefinitionError(
            f"duplicate key {error.key!r}: each key appears once per table", file=file
        ) from None
    except (ValueError, RecursionError) as error:
        raise PolicyDefinitionError(f"not valid JSON: {_brief(error)}", file=file) from None


def _yaml() -> Any:
    try:
        import yaml  # noqa: PLC0415 - imported on first use, to keep import stool light
    except ImportError:
        raise PolicyError(
            "reading YAML needs PyYAML, the yaml extra: "
            "pip install 'stool[yaml]', or '.[yaml]' in a checkout of stool"
        ) from None
    return yaml


def _parse_yaml(text: str, file: str) -> tuple[Any, Any]:
    yaml = _yaml()
    # The C-accelerated safe loader (libyaml) when PyYAML was built with it: the same
    # plain data, many times faster than the pure-Python one.
    safe_loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = None
    try:
        loader = safe_loader(text)
        node = loader.get_single_node()
        if node is not None:
            _check_yaml_graph(node, file)
        data = loader.construct_document(node) if node is not None else None
    except PolicyError:
        raise
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        problem = error.problem or error.context or "malformed"
        raise PolicyDefinitionError(
            f"not valid YAML: {problem}", file=file, line=line, column=column
        ) from None
    except yaml.YAMLError as error:
        raise PolicyDefinitionError(f"not valid YAML: {_brief(error)}", file=file) from None
    except (ValueError, TypeError, RecursionError) as error:
        raise PolicyDefinitionError(f"not valid YAML: {_brief(error)}", file=file) from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, node


def _check_yaml_graph(root: Any, file: str) -> None:
    """Reject aliases (shared or recursive nodes), duplicate keys and deep nesting.

    Aliases could make a small file expand into an enormous one ("billion laughs");
    policy data never needs them.
    """
    yaml = _yaml()
    seen: set[int] = set()
    stack: list[tuple[Any, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        mark = node.start_mark
        if id(node) in seen:
            raise PolicyDefinitionError(
                "YAML aliases (*name) are not supported in policy files",
                file=file,
                line=mark.line + 1,
                column=mark.column + 1,
            )
        seen.add(id(node))
        if depth > MAX_NESTING:
            raise PolicyDefinitionError(
                f"nested more than {MAX_NESTING} levels deep",
                file=file,
                line=mark.line + 1,
                column=mark.column + 1,
            )
        if isinstance(node, yaml.MappingNode):
            keys: set[Any] = set()
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    key = (key_node.tag, key_node.value)
                    if key in keys:
                        raise PolicyDefinitionError(
                            f"duplicate key {shown(key_node.value)}: "
                            "each key appears once per table",
                            file=file,
                            line=key_node.start_mark.line + 1,
                            column=key_node.start_mark.column + 1,
                        )
                    keys.add(key)
                stack.append((key_node, depth + 1))
                stack.append((value_node, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)


def _check_nesting(data: Any, file: str) -> None:
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_NESTING:
            raise PolicyDefinitionError(f"nested more than {MAX_NESTING} levels deep", file=file)
        if isinstance(value, Mapping):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


# ------------------------------------------------------------------------------ locating


_QUOTES: Final = ('"""', "'''", '"', "'")


def _toml_locator(text: str) -> Locate:  # noqa: C901, PLR0915 - one branch per case, kept in one place
    """Index the table headers once, and each table's keys on first use."""
    lines = text.splitlines()
    headers: list[tuple[int, str, bool]] = []  # (line index, name, is array table)
    for number, raw in enumerate(lines):
        stripped = raw.strip()
        if stripped.startswith("[["):
            end = stripped.find("]]")
            if end != -1:
                headers.append((number, stripped[2:end].strip(), True))
        elif stripped.startswith("["):
            end = stripped.find("]")
            if end != -1:
                headers.append((number, stripped[1:end].strip(), False))
    # Where each table's block ends (the next header), and the tables by name.
    block_end = {-1: headers[0][0] if headers else len(lines)}
    for position, (number, _, _) in enumerate(headers):
        following = position + 1
        block_end[number] = headers[following][0] if following < len(headers) else len(lines)
    arrays: dict[str, list[int]] = {}
    tables: dict[str, int] = {}
    for number, name, is_array in headers:
        if is_array:
            arrays.setdefault(name, []).append(number)
        else:
            tables.setdefault(name, number)
    key_lines: dict[int, dict[str, int]] = {}

    def keys_of(start: int) -> dict[str, int]:
        """Each key of the block after line `start` (-1: before any header), and its line."""
        found = key_lines.get(start)
        if found is None:
            found = {}
            for number in range(start + 1, block_end[start]):
                key, equals, _ = lines[number].partition("=")
                if not equals:
                    continue
                key = key.strip()
                if len(key) >= 2 and key[0] == key[-1] and key[0] in "\"'":
                    key = key[1:-1]
                found.setdefault(key, number)
            key_lines[start] = found
        return found

    def locate(path: Path_) -> tuple[int, int, int | None] | None:
        if not path:
            return None
        section = path[0]
        if section in ("rule", "test") and len(path) >= 2:
            starts = arrays.get(section, [])
            if not isinstance(path[1], int) or not 0 <= path[1] < len(starts):
                return None
            start = starts[path[1]]
            rest = path[2:]
        elif section == "context" and len(path) >= 2:
            exact = tables.get(f"context.{path[1]}")
            if exact is not None:
                start, rest = exact, path[2:]
            else:
                context = tables.get("context")
                if context is None:
                    return None
                start, rest = context, path[1:]
        else:
            start, rest = -1, path
        number = keys_of(start).get(str(rest[0])) if rest else None
        if number is None:
            if start < 0:
                return None
            return start + 1, lines[start].find("[") + 1, None
        line = lines[number]
        equals = line.find("=")
        value = equals + 1 + (len(line[equals + 1 :]) - len(line[equals + 1 :].lstrip()))
        # The column where a string's text starts: past its opening quote(s).
        quotes = next((q for q in _QUOTES if line.startswith(q, value)), "")
        return number + 1, len(line) - len(line.lstrip()) + 1, value + len(quotes) + 1

    return locate


def _json_locator(text: str) -> Locate:  # noqa: C901, PLR0912, PLR0915 - one branch per case, kept in one place
    """Scan (already valid) JSON once, recording where each key of depth <= 4 sits."""
    keys: dict[Path_, tuple[int, int]] = {}  # path -> (key offset, value offset)
    stack: list[list[Any]] = []  # frames: [kind "o"/"a", current key or index, key offset]
    i, n = 0, len(text)

    def value_at(offset: int) -> None:
        if not stack:
            return
        path = tuple(frame[1] for frame in stack)
        if len(path) <= 4:
            top = stack[-1]
            keys[path] = (top[2] if top[0] == "o" else offset, offset)

    while i < n:
        ch = text[i]
        if ch in " \t\r\n:":
            i += 1
        elif ch in "{[":
            value_at(i)
            stack.append(["o", None, i] if ch == "{" else ["a", 0, i])
            i += 1
        elif ch in "}]":
            stack.pop()
            i += 1
        elif ch == ",":
            top = stack[-1]
            if top[0] == "a":
                top[1] += 1
            else:
                top[1] = None
            i += 1
        elif ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            frame = stack[-1] if stack else None
            if frame is not None and frame[0] == "o" and frame[1] is None:
                frame[1] = json.loads(text[i : j + 1])
                frame[2] = i
            else:
                value_at(i)
            i = j + 1
        else:
            j = i
            while j < n and text[j] not in ",}] \t\r\n":
                j += 1
            value_at(i)
            i = j

    line_starts: list[int] = []

    def position(offset: int) -> tuple[int, int]:
        """The 1-based line and column of `offset`, by bisection in the line starts."""
        if not line_starts:
            line_starts.append(0)
            found = text.find("\n")
            while found != -1:
                line_starts.append(found + 1)
                found = text.find("\n", found + 1)
        line = bisect.bisect_right(line_starts, offset)
        return line, offset - line_starts[line - 1] + 1

    def locate(path_: Path_) -> tuple[int, int, int | None] | None:
        for size in range(len(path_), 0, -1):
            found = keys.get(tuple(path_[:size]))
            if found is not None:
                key_offset, value_offset = found
                line, column = position(key_offset)
                value_line, value_column = position(value_offset)
                quoted = 1 if text.startswith('"', value_offset) else 0
                return line, column, (value_column + quoted if value_line == line else None)
        return None

    return locate


def _yaml_locator(root: Any) -> Locate:  # noqa: C901 - one branch per case, kept in one place
    """Walk the node tree along a path, indexing each mapping's keys on first use."""
    yaml = _yaml()
    index: dict[int, dict[str, tuple[Any, Any]]] = {}

    def entries(node: Any) -> dict[str, tuple[Any, Any]]:
        found = index.get(id(node))
        if found is None:
            found = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    found.setdefault(str(key_node.value), (key_node, value_node))
            index[id(node)] = found
        return found

    def locate(path: Path_) -> tuple[int, int, int | None] | None:
        node = root
        found: tuple[int, int, int | None] | None = None
        for part in path:
            if isinstance(node, yaml.MappingNode):
                entry = entries(node).get(str(part))
                if entry is None:
                    return found
                key_node, value_node = entry
                start = key_node.start_mark
                value_start = value_node.start_mark
                quoted = isinstance(value_node, yaml.ScalarNode) and value_node.style in ("'", '"')
                value_column = (
                    value_start.column + 1 + (1 if quoted else 0)
                    if value_start.line == start.line
                    else None
                )
                found = (start.line + 1, start.column + 1, value_column)
                node = value_node
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    return found
                node = node.value[part]
                found = (node.start_mark.line + 1, node.start_mark.column + 1, None)
            else:
                return found
        return found

    return locate


# ------------------------------------------------------------------------------ building


def _parsed(raw: Mapping[str, Any]) -> dict[str, tuple[str, Node]]:
    """Parse the expressions of a rule that failed its own checks, skipping bad ones.

    The rule has already reported its own problems; this lets the book-level checks
    (undeclared fields) see the expressions that do parse.
    """
    parsed: dict[str, tuple[str, Node]] = {}
    for key in EXPRESSION_KINDS:
        text = raw.get(key)
        if isinstance(text, str):
            try:
                parsed[key] = (text, parse(text))
            except PolicyDefinitionError:
                continue
    return parsed


def _field_path(field: str | None) -> list[Any]:
    """Split `bend.agent` or `test[2].expect` or `prior_bends.x` into key parts."""
    if not field:
        return []
    parts: list[Any] = []
    for piece in field.split("."):
        if "[" in piece and piece.endswith("]"):
            name, _, index = piece[:-1].partition("[")
            if name:
                parts.append(name)
            parts.append(int(index) if index.isdigit() and len(index) < 20 else index)
        else:
            parts.append(piece)
    return parts


def _place(
    error: PolicyDefinitionError,
    path: Path_,
    *,
    file: str | None,
    locate: Locate | None,
    field: str | None = None,
) -> PolicyDefinitionError:
    line = column = None
    if locate is not None:
        found = locate(path)
        if found is not None:
            line, column, value_column = found
            if (
                error.expression is not None
                and error.offset is not None
                and value_column is not None
                and "\n" not in error.expression
            ):
                column = value_column + error.offset
    return PolicyDefinitionError(
        error.message,
        file=file,
        line=line,
        column=column if line is not None else None,
        rule=error.rule,
        field=field if field is not None else error.field,
        expression=error.expression,
        offset=error.offset,
        suggestion=error.suggestion,
    )


def _unknown_key(key: Any, allowed: tuple[str, ...], where: str) -> PolicyDefinitionError:
    if not isinstance(key, str):
        hint = (
            "; YAML reads unquoted on/off/yes/no as booleans, so quote the key"
            if isinstance(key, bool)
            else ""
        )
        return PolicyDefinitionError(f"keys are strings, got {shown(key)}{hint}", field=shown(key))
    return PolicyDefinitionError(
        f"unknown key {shown(key)} in {where}; allowed: {listed(allowed)}",
        field=key,
        suggestion=closest(key, allowed),
    )


def build(data: Any, *, file: str | None, locate: Locate | None) -> PolicyBook:  # noqa: C901, PLR0912, PLR0915 - one branch per case, kept in one place
    """Build a book from parsed policy data, collecting every problem first.

    The first [MAX_PROBLEMS][stool.policy.MAX_PROBLEMS] problems are built, placed and
    listed; the rest are only counted, so that a source with a problem on every line
    costs no more to refuse than to read.
    """
    from stool.policy._book import PolicyBook, book_problems, context_fields  # noqa: PLC0415 - imported on first use, to keep import stool light

    found: list[PolicyDefinitionError] = []
    omitted = 0

    def full() -> bool:
        """Whether the list is full; if so, count one more problem that is not listed."""
        nonlocal omitted
        if len(found) < MAX_PROBLEMS:
            return False
        omitted += 1
        return True

    def add(error: PolicyDefinitionError, path: Path_, field: str | None = None) -> None:
        if not full():
            found.append(_place(error, path, file=file, locate=locate, field=field))

    def absorb(error: PolicyValidationError) -> None:
        nonlocal omitted
        omitted += error.omitted

    if not isinstance(data, Mapping):
        raise PolicyValidationError(
            (
                PolicyDefinitionError(
                    f"the top level is {type(data).__name__}; allowed: a table with name and rule",
                    file=file,
                ),
            ),
            file=file,
        )
    _check_nesting(data, file or "<data>")
    for key in data:
        if key not in TOP_KEYS and not full():
            add(_unknown_key(key, TOP_KEYS, "the book"), (key,))
    name: Any = data.get("name")
    if name is None:
        add(PolicyDefinitionError("missing key 'name': every book has a name", field="name"), ())
    description = data.get("description", "")

    context: Any = ()
    if "context" in data:
        try:
            context = context_fields(data["context"])
        except PolicyValidationError as error:
            for problem in error.problems:
                parts = _field_path(problem.field)
                add(problem, tuple(parts))
            absorb(error)
            context = ()

    rules: list[Rule] = []
    sketches: list[Sketch] = []  # one per raw rule, built or not, in file order
    raw_rules = data.get("rule", [])
    if not isinstance(raw_rules, list):
        add(
            PolicyDefinitionError("rule is a list of rule tables ([[rule]] in TOML)", field="rule"),
            ("rule",),
        )
        raw_rules = []
    for index, raw in enumerate(raw_rules):
        label = raw.get("id") if isinstance(raw, Mapping) else None
        rule_name = label if isinstance(label, str) and label else f"rule[{index}]"
        if not isinstance(raw, Mapping):
            add(PolicyDefinitionError("a rule is a table of keys", rule=rule_name), ("rule", index))
            sketches.append((None, {}))
            continue
        bad = [k for k in raw if k not in RULE_KEYS]
        for key in bad:
            if not full():
                unknown = _unknown_key(key, RULE_KEYS, "a rule")
                add(unknown.located(rule=rule_name), ("rule", index, key))
        missing = [k for k in _REQUIRED_RULE_KEYS if k not in raw]
        for key in missing:
            add(
                PolicyDefinitionError(f"missing key {shown(key)}", rule=rule_name, field=key),
                ("rule", index),
            )
        kwargs = {k: v for k, v in raw.items() if k in RULE_KEYS}
        for key in missing:
            kwargs[key] = None
        try:
            rule = Rule(**kwargs)
        except PolicyValidationError as error:
            for problem in error.problems:
                if problem.field in missing:
                    continue
                named = problem.located(rule=rule_name)
                add(named, ("rule", index, *_field_path(problem.field)))
            absorb(error)
            sketches.append((label if isinstance(label, str) and label else None, _parsed(raw)))
        else:
            rules.append(rule)
            sketches.append((rule.id, rule._expressions))  # noqa: SLF001 - the package's own rules

    tests: list[tuple[int, PolicyTest]] = []
    raw_tests = data.get("test", [])
    if not isinstance(raw_tests, list):
        add(
            PolicyDefinitionError("test is a list of test tables ([[test]] in TOML)", field="test"),
            ("test",),
        )
        raw_tests = []
    for index, raw in enumerate(raw_tests):
        where = f"test[{index}]"
        if not isinstance(raw, Mapping):
            add(PolicyDefinitionError("a test is a table of keys", field=where), ("test", index))
            continue
        for key in raw:
            if key not in TEST_KEYS and not full():
                unknown = _unknown_key(key, TEST_KEYS, "a test")
                add(unknown, ("test", index, key), field=f"{where}.{key}")
        missing = [k for k in _REQUIRED_TEST_KEYS if k not in raw]
        for key in missing:
            add(
                PolicyDefinitionError(f"missing key {shown(key)}", field=f"{where}.{key}"),
                ("test", index),
            )
        if missing:
            continue
        kwargs = {k: v for k, v in raw.items() if k in TEST_KEYS}
        try:
            tests.append((index, PolicyTest(**kwargs)))
        except PolicyValidationError as error:
            label = raw.get("name")
            prefix = f"test[{label if isinstance(label, str) and label else '?'}]."
            for problem in error.problems:
                key = (problem.field or "").removeprefix(prefix)
                add(problem, ("test", index, *_field_path(key)), field=f"{where}.{key}")
            absorb(error)

    built_rules = tuple(rules)
    built_tests = tuple(test for _, test in tests)
    room = max(0, MAX_PROBLEMS - len(found))
    for section, position, problem in book_problems(sketches, built_tests, context, room=room):
        if section == "rule":
            add(problem, ("rule", position, *_field_path(problem.field)))
        else:
            index = tests[position][0]
            key = (problem.field or "").partition("].")[2]
            add(problem, ("test", index, *_field_path(key)), field=f"test[{index}].{key}")

    if not found:
        try:
            return PolicyBook(
                name=name,
                description=description,
                context=context,
                rules=built_rules,
                tests=built_tests,
            )
        except PolicyValidationError as error:
            for problem in error.problems:
                add(problem, tuple(_field_path(problem.field)))
            absorb(error)
    found.sort(key=lambda e: e.line if e.line is not None else 0)
    raise PolicyValidationError(tuple(found), file=file, omitted=omitted)


def load(source: Any, fmt: str, *, label: str | None = None) -> PolicyBook:
    """Read `source` (a path, text or bytes) in format `fmt` and build the book.

    `label` names the source in messages instead of its path or `<string>`.
    """
    data, file, locate = read_data(source, fmt, label=label, toml_locator=_toml_locator)
    return build(data, file=file, locate=locate)


def load_file(path: str | os.PathLike[str]) -> PolicyBook:
    """Read a policy file, choosing the format by its suffix."""
    if not isinstance(path, (str, os.PathLike)):
        raise PolicyDefinitionError(f"a path is a str or os.PathLike, not {type(path).__name__}")
    file = Path(path)
    fmt = SUFFIXES.get(file.suffix.lower())
    if fmt is None:
        raise PolicyDefinitionError(
            f"unknown suffix {file.suffix!r}; allowed: {', '.join(SUFFIXES)}", file=str(file)
        )
    return load(file, fmt)
