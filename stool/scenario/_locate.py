"""Where a key path sits in a scenario file's TOML text: its line and column."""

from __future__ import annotations

from typing import Any

from stool._datafile import Locate, Path_

__all__ = ["Locate", "Path_", "field_name", "toml_locator"]


def _split_key(text: str) -> tuple[str, ...] | None:
    """Split a TOML dotted key (`proposal."late refund".context`) into its parts."""
    parts: list[str] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] in "\"'":
            quote = text[i]
            end = text.find(quote, i + 1)
            if end == -1:
                return None
            parts.append(text[i + 1 : end])
            i = end + 1
        else:
            start = i
            while i < n and text[i] not in ". \t":
                i += 1
            parts.append(text[start:i])
        while i < n and text[i] in " \t":
            i += 1
        if i < n:
            if text[i] != ".":
                return None
            i += 1
    return tuple(parts)


def toml_locator(text: str) -> Locate:  # noqa: C901, PLR0915 - one branch per case, kept in one place
    """Locate key paths in TOML text: table headers, arrays of tables, keys within them."""
    lines = text.splitlines()
    headers: list[tuple[int, tuple[Any, ...]]] = []
    counts: dict[tuple[Any, ...], int] = {}
    in_string: str | None = None
    for number, raw in enumerate(lines):
        stripped = raw.strip()
        if in_string is not None:
            if stripped.count(in_string) % 2 == 1:
                in_string = None
            continue
        for quotes in ('"""', "'''"):
            if stripped.count(quotes) % 2 == 1:
                in_string = quotes
        if in_string is not None or not stripped.startswith("["):
            continue
        is_array = stripped.startswith("[[")
        end = stripped.find("]]" if is_array else "]")
        keys = _split_key(stripped[2 if is_array else 1 : end]) if end != -1 else None
        if not keys:
            continue
        concrete: list[Any] = []
        for index, key in enumerate(keys):
            concrete.append(key)
            if index < len(keys) - 1 and tuple(concrete) in counts:
                concrete.append(counts[tuple(concrete)])
        if is_array:
            counts[tuple(concrete)] = counts.get(tuple(concrete), -1) + 1
            concrete.append(counts[tuple(concrete)])
        headers.append((number, tuple(concrete)))

    def key_line(span: range, key: str) -> int | None:
        for number in span:
            stripped = lines[number].lstrip()
            for spelled in (key, f'"{key}"', f"'{key}'"):
                rest = stripped[len(spelled) :].lstrip()
                if stripped.startswith(spelled) and rest.startswith("="):
                    return number
        return None

    def locate(path: Path_) -> tuple[int, int, int | None] | None:
        best = -1
        for position, (_, header) in enumerate(headers):
            if header == tuple(path[: len(header)]) and (
                best == -1 or len(header) >= len(headers[best][1])
            ):
                best = position
        if best == -1:
            within = [line for line, header in headers if header[: len(path)] == tuple(path)]
            if path and within:
                # A table written only through its sub-tables (`[proposal.refund]`).
                return within[0] + 1, lines[within[0]].find("[") + 1, None
            start, rest = -1, path
            span = range(headers[0][0] if headers else len(lines))
        else:
            start, header = headers[best]
            rest = path[len(header) :]
            end = headers[best + 1][0] if best + 1 < len(headers) else len(lines)
            span = range(start + 1, end)
        number = key_line(span, str(rest[0])) if rest else None
        if number is None:
            if start < 0:
                return None
            return start + 1, lines[start].find("[") + 1, None
        line = lines[number]
        equals = line.find("=")
        value = equals + 1 + (len(line[equals + 1 :]) - len(line[equals + 1 :].lstrip()))
        return number + 1, len(line) - len(line.lstrip()) + 1, value + 1

    return locate


def field_name(path: Path_) -> str:
    """Write a key path as `move[3].event` or `proposal.cancel.context`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
