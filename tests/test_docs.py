"""Every code block in the docs runs, and every output a page shows is the output it gives.

The docs are tested as pydantic and dirty-equals test theirs with pytest-examples, with a small
runner of our own and the conventions of Sybil:

- A ```` ```python ```` block runs as it is written. All the blocks of a page, top to bottom, share
  one namespace, so a later block uses what an earlier one defined.
- A ```` ```pycon ```` block (or any block whose code starts with `>>>`) is a doctest, run with the
  standard library's `doctest` in the same namespace, with `ELLIPSIS` and `NORMALIZE_WHITESPACE`.
- A ```` ```text ```` block right after a code block (only blank lines between) is that block's
  printed output: the captured stdout must equal it, up to trailing whitespace.
  A ```` ```text ```` block anywhere else is prose (formulas, an excerpt) and is not compared.
- An HTML comment `<!-- invisible-code-block: python` ... `-->` holds code that runs like a
  ```` ```python ```` block but is not rendered: it sets up what a page reads (a policy file, a
  table) or checks a number the prose quotes. A ```` ```text ```` block right after it is its
  output.
- `<!-- append-to-file: NAME -->` right before a block appends the block's text to the file NAME
  in the page's directory, so the fragments of a policy file a how-to builds up are the file its
  code then loads.
- `<!-- skip: next -->` right before a block keeps it from running. Keep this rare: a snippet that
  shows an error is run, and its error printed or shown as a doctest traceback, instead.
- Functions named `test_*` that a page defines are called after the page has run, as pytest
  would call them, so the property tests a how-to shows really pass.

Each page runs in a fresh temporary directory with matplotlib's Agg backend and no network.
Other fences (`bash`, `toml`, `ebnf`, ...) are not run.
"""

from __future__ import annotations

import contextlib
import difflib
import doctest
import inspect
import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

PAGES = (
    "README.md",
    "docs/getting-started.md",
    "docs/concepts.md",
    "docs/tutorials/first-scenario.md",
    "docs/tutorials/developer.md",
    "docs/tutorials/trainer.md",
    "docs/tutorials/role-play-workshop.md",
    "docs/tutorials/researcher.md",
    "docs/tutorials/shift.md",
    "docs/explanation/how-scoring-works.md",
    "docs/explanation/bending-vs-breaking.md",
    "docs/explanation/canned-scenarios.md",
    "docs/explanation/longer-calls.md",
    "docs/explanation/shift.md",
    "docs/how-to/save-and-share-a-model.md",
    "docs/how-to/enforce-budgets-across-a-team.md",
    "docs/how-to/score-a-table.md",
    "docs/how-to/map-your-own-table.md",
    "docs/how-to/scale-out.md",
    "docs/how-to/test-with-strategies.md",
    "docs/how-to/test-your-policies.md",
    "docs/how-to/use-the-command-line.md",
    "docs/how-to/tune-weights.md",
    "docs/how-to/write-a-policy-file.md",
    "docs/how-to/write-a-scenario-file.md",
    "docs/reference/expressions.md",
    "docs/reference/example-books.md",
)

DOCTEST_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,}) *(?P<info>[^`]*?) *$")
_INVISIBLE = re.compile(r"^(?P<indent> *)<!-- *invisible-code-block: *python *$")
_SKIP = re.compile(r"^ *<!-- *skip: *next *--> *$")
_APPEND = re.compile(r"^ *<!-- *append-to-file: *(?P<name>[\w.-]+(?:/[\w.-]+)*) *--> *$")


class DocsSyntaxError(Exception):
    """A page breaks the conventions of this module."""


@dataclass(frozen=True)
class Block:
    """One block of a page: its kind, its dedented source and where it starts."""

    kind: str
    """`python`, `pycon` (a doctest), `output`, `file` (text to append to a file) or `other`."""
    source: str
    line: int
    """The 1-based line of the page on which the block's source starts."""
    skip: bool = False
    output: Block | None = None
    """The ```` ```text ```` block right after a code block: its expected stdout."""
    file: str | None = None
    """For a `file` block, the file its text is appended to."""


def _dedent(lines: list[str], indent: int, page: str, line: int) -> str:
    out = []
    for offset, text in enumerate(lines):
        if text.strip() and not text.startswith(" " * indent):
            msg = f"{page}:{line + offset}: a line of the block is indented less than its fence"
            raise DocsSyntaxError(msg)
        out.append(text[indent:])
    return "\n".join(out) + "\n"


def _code_kind(language: str, source: str) -> str:
    if language == "pycon" or source.lstrip().startswith(">>>"):
        return "pycon"
    return language if language in {"python", "text"} else "other"


@dataclass(frozen=True)
class _Token:
    """A marker comment, a block or a line of prose, in the order the page has them."""

    what: str
    """`marker`, `block` or `prose`."""
    line: int
    language: str = ""
    source: str = ""
    invisible: bool = False
    skip: bool = False
    file: str | None = None


def _scan_block(lines: list[str], i: int, page: str) -> tuple[_Token, int]:
    """Read the fence or invisible block opening at line `i`; return it and the next line."""
    start = i + 1
    invisible = _INVISIBLE.match(lines[i])
    if invisible is not None:
        indent, language = len(invisible["indent"]), "python"
        end = next((j for j in range(start, len(lines)) if lines[j].strip() == "-->"), None)
    else:
        fence = _FENCE.match(lines[i])
        assert fence is not None
        indent, marker = len(fence["indent"]), fence["fence"]
        language = fence["info"].split(" ", 1)[0].lower()
        closing = re.compile(rf"^ *{re.escape(marker[0])}{{{len(marker)},}} *$")
        end = next((j for j in range(start, len(lines)) if closing.match(lines[j])), None)
    if end is None:
        raise DocsSyntaxError(f"{page}:{start}: the block is never closed")
    source = _dedent(lines[start:end], indent, page, start + 1)
    token = _Token("block", start + 1, language, source, invisible=invisible is not None)
    return token, end + 1


def _scan(text: str, page: str) -> list[_Token]:
    """Split a page into marker comments, blocks and prose lines; blank lines are dropped."""
    lines = text.splitlines()
    tokens: list[_Token] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        skip, append = _SKIP.match(line), _APPEND.match(line)
        if _INVISIBLE.match(line) or _FENCE.match(line):
            token, i = _scan_block(lines, i, page)
            tokens.append(token)
            continue
        if skip is not None:
            tokens.append(_Token("marker", i + 1, skip=True))
        elif append is not None:
            if ".." in Path(append["name"]).parts:
                raise DocsSyntaxError(f"{page}:{i + 1}: files stay in the page's directory")
            tokens.append(_Token("marker", i + 1, file=append["name"]))
        elif line.strip():
            tokens.append(_Token("prose", i + 1))
        i += 1
    return tokens


def _attach_output(blocks: list[Block], output: Block, page: str) -> None:
    previous = blocks[-1]
    if previous.kind == "pycon":
        msg = f"{page}:{output.line}: a doctest carries its own output; drop the text block"
        raise DocsSyntaxError(msg)
    blocks[-1] = Block(previous.kind, previous.source, previous.line, previous.skip, output)


def parse(text: str, page: str = "<page>") -> list[Block]:
    """Split a Markdown page into its blocks, attaching each output block to its code block."""
    blocks: list[Block] = []
    marker: _Token | None = None  # the marker comment before the next block
    adjacent = False  # the last token was a code block that runs
    for token in _scan(text, page):
        if token.what != "block":
            if marker is not None:
                raise DocsSyntaxError(f"{page}:{marker.line}: the marker is not before a block")
            marker = token if token.what == "marker" else None
            adjacent = False
            continue
        kind = _code_kind(token.language, token.source)
        if marker is not None and marker.file is not None:
            if token.invisible:
                raise DocsSyntaxError(f"{page}:{token.line}: files are built from visible blocks")
            blocks.append(Block("file", token.source, token.line, file=marker.file))
        elif kind == "text" and adjacent and marker is None:
            _attach_output(blocks, Block("output", token.source, token.line), page)
        else:
            skip = marker is not None and marker.skip
            kind = "other" if kind == "text" else kind
            blocks.append(Block(kind, token.source, token.line, skip=skip))
            adjacent = kind in {"python", "pycon"} and not skip
            marker = None
            continue
        adjacent, marker = False, None
    if marker is not None:
        raise DocsSyntaxError(f"{page}:{marker.line}: the marker is not before a block")
    return blocks


def _normalise(output: str) -> str:
    return "\n".join(line.rstrip() for line in output.rstrip().splitlines())


def _diff(expected: str, got: str) -> str:
    lines = difflib.unified_diff(
        expected.splitlines(), got.splitlines(), "shown", "printed", lineterm="", n=2
    )
    return "\n".join(lines)


def _run_python(block: Block, path: str, namespace: dict[str, Any]) -> list[str]:
    code = compile("\n" * (block.line - 1) + block.source, path, "exec")
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(code, namespace)  # noqa: S102 - running the docs' own code is the point
    if block.output is None:
        return []
    shown, printed = _normalise(block.output.source), _normalise(buffer.getvalue())
    if shown == printed:
        return []
    return [f"{path}:{block.output.line}: the output shown is stale\n{_diff(shown, printed)}"]


def _run_doctest(block: Block, path: str, namespace: dict[str, Any]) -> list[str]:
    test = doctest.DocTestParser().get_doctest(
        block.source, namespace, f"{path}:{block.line}", path, block.line - 1
    )
    test.globs = namespace  # DocTest copies the globals; share the page's namespace instead
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=DOCTEST_FLAGS)
    runner.run(test, out=report.append, clear_globs=False)
    return ["".join(report)] if runner.failures else []


def _call_tests(namespace: dict[str, Any], path: str) -> None:
    for name, function in list(namespace.items()):
        if not (name.startswith("test") and inspect.isfunction(function)):
            continue
        if function.__module__ != namespace["__name__"]:
            continue
        if inspect.signature(function).parameters:
            msg = f"{path}: {name}() takes arguments; a page's tests must run on their own"
            raise DocsSyntaxError(msg)
        function()


def run_page(text: str, path: str) -> tuple[int, list[str]]:
    """Run a page's blocks; return how many ran and the failures found."""
    namespace: dict[str, Any] = {"__name__": "docs_page"}
    failures: list[str] = []
    ran = 0
    for block in parse(text, path):
        if block.kind == "file":
            assert block.file is not None
            with Path(block.file).open("a", encoding="utf-8") as file:
                file.write(block.source)
            continue
        if block.skip or block.kind not in {"python", "pycon"}:
            continue
        run = _run_python if block.kind == "python" else _run_doctest
        failures += run(block, path, namespace)
        ran += 1
    _call_tests(namespace, path)
    return ran, failures


@pytest.fixture
def page_environment(tmp_path, monkeypatch):
    """Run in an empty temporary directory, drawing with matplotlib's Agg backend."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    if "matplotlib" in sys.modules:
        sys.modules["matplotlib"].use("Agg")
    yield tmp_path
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


class TestPages:
    @pytest.mark.parametrize("page", PAGES, ids=PAGES)
    def test_page(self, page, page_environment):
        """The page's code runs and prints exactly the outputs the page shows."""
        ran, failures = run_page((ROOT / page).read_text(encoding="utf-8"), str(ROOT / page))
        assert ran, f"{page} has no code to run"
        if failures:
            pytest.fail("\n\n".join(failures), pytrace=False)

    def test_every_page_with_code_is_listed(self):
        """Every Markdown page holding Python code is among the pages tested."""
        candidates = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
        with_code = {
            str(path.relative_to(ROOT))
            for path in candidates
            if any(b.kind in {"python", "pycon"} for b in parse(path.read_text(encoding="utf-8")))
        }
        assert with_code <= set(PAGES)


class TestConventions:
    def run(self, text):
        return run_page(text, "page.md")

    def test_blocks_share_a_namespace(self):
        """A later block uses a name an earlier block defined."""
        ran, failures = self.run("```python\nx = 2\n```\n\n```python\nprint(x * 21)\n```\n")
        assert (ran, failures) == (2, [])

    def test_matching_output_passes(self):
        """An output block equal to the printed text, up to trailing whitespace, passes."""
        text = "```python\nprint('a  ')\nprint('b')\n```\n\n```text\na\nb\n\n```\n"
        assert self.run(text) == (1, [])

    def test_stale_output_fails(self):
        """An output block that differs from what the code prints is reported with a diff."""
        _, failures = self.run("```python\nprint(0.1752)\n```\n```text\n0.1829\n```\n")
        assert len(failures) == 1
        assert "-0.1829" in failures[0]
        assert "+0.1752" in failures[0]

    def test_text_after_prose_is_not_output(self):
        """A text block after a paragraph is prose, not the output of the block before it."""
        blocks = parse("```python\nprint(1)\n```\nThen:\n```text\nf(x) = 2\n```\n")
        assert [b.kind for b in blocks] == ["python", "other"]
        assert blocks[0].output is None

    def test_doctest_failure_is_reported(self):
        """A doctest whose expected output is wrong fails, naming the example."""
        _, failures = self.run("```pycon\n>>> 1 + 1\n3\n```\n")
        assert len(failures) == 1
        assert "Expected:\n    3\nGot:\n    2" in failures[0]

    def test_doctest_shares_the_namespace(self):
        """Doctests and python blocks see each other's names."""
        text = "```pycon\n>>> y = 5\n```\n```python\nprint(y)\n```\n```text\n5\n```\n"
        assert self.run(text) == (2, [])

    def test_invisible_block_runs_with_its_output(self):
        """An invisible code block runs, and the text block after it is its output."""
        text = "<!-- invisible-code-block: python\nprint('hidden')\n-->\n```text\nshown\n```\n"
        _, failures = self.run(text)
        assert len(failures) == 1
        assert "+hidden" in failures[0]

    def test_skipped_block_does_not_run(self):
        """A block after the skip marker is not run, nor is its output compared."""
        text = "<!-- skip: next -->\n```python\nraise SystemExit\n```\n```text\nx\n```\n"
        assert self.run(text) == (0, [])

    def test_dangling_skip_is_an_error(self):
        """A skip marker followed by prose instead of a block is an error, not ignored."""
        with pytest.raises(DocsSyntaxError, match="not before a block"):
            parse("<!-- skip: next -->\nSome prose.\n")

    def test_appended_blocks_build_a_file(self, page_environment):
        """Blocks marked `append-to-file` are written, in order, to the file the code reads."""
        text = (
            "<!-- append-to-file: book.toml -->\n```toml\na = 1\n```\n"
            "<!-- append-to-file: book.toml -->\n```toml\nb = 2\n```\n"
            "```python\nfrom pathlib import Path\nprint(Path('book.toml').read_text())\n```\n"
            "```text\na = 1\nb = 2\n```\n"
        )
        assert self.run(text) == (1, [])

    def test_errors_propagate(self):
        """An exception in a block fails the page."""
        with pytest.raises(ZeroDivisionError):
            self.run("```python\n1 / 0\n```\n")

    def test_page_tests_are_called(self):
        """A `test_*` function a page defines is called after the page runs."""
        with pytest.raises(AssertionError, match="called"):
            self.run("```python\ndef test_it():\n    raise AssertionError('called')\n```\n")

    def test_indented_blocks(self):
        """A fence indented inside a list item is dedented and still runs."""
        text = "- item:\n\n    ```python\n    print(3)\n    ```\n\n    ```text\n    3\n    ```\n"
        assert self.run(text) == (1, [])
