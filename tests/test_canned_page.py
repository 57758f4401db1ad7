"""The canned-scenarios page is generated from the scenario files; this module generates it.

Run `python tests/test_canned_page.py` to write docs/explanation/canned-scenarios.md again
after a story file, or the default model, changes; the test below fails until the page
is the one the files make.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import re
import sys
from pathlib import Path

from stool import scenarios as canned
from stool.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "explanation" / "canned-scenarios.md"

INTRO = """\
# The canned scenarios

<!-- Generated from stool/scenarios/*.toml by tests/test_canned_page.py: edit the files, \
then run `python tests/test_canned_page.py`. -->

[stool.scenarios][] retells the source stories as ready-made [Scenario][stool.scenario.Scenario]s, \
each a scenario file shipped with stool ([FILES][stool.scenarios.FILES]): trainers run them, \
play them, branch them and debrief them; the test suite checks that each ends the way its \
file says.
Each one below has its story, its timeline (the three legs after every move, produced by \
running it), its documented outcome and its named what-ifs, all read from its file.

Every scenario opens the same way: the customer's request is open (`fulfilment` 0), the \
agent has not yet shown empathy or explained anything, and no time has passed.
That is why the customer leg starts at risk in every one of them: the moves do the rest.
In the tables, `at risk` marks a leg below its at-risk level and `collapsed` one below its \
collapse level.

```python
from stool import scenarios as canned
```
"""


def _sentences(text: str) -> str:
    """Reflow a file's text to one sentence per line, paragraphs apart."""
    paragraphs = []
    for paragraph in text.strip().split("\n\n"):
        flat = " ".join(paragraph.split())
        paragraphs.append("\n".join(re.split(r"(?<=[.!?])\s+(?=[A-Z(\"])", flat)))
    return "\n\n".join(paragraphs)


def _call(name: str) -> str:
    parameters = inspect.signature(getattr(canned, name)).parameters
    return f"{name}(honest=True)" if "honest" in parameters else f"{name}()"


def _printed(code: str) -> str:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(code, {"canned": canned})  # noqa: S102 - the page's own code, generated here
    return "\n".join(line.rstrip() for line in buffer.getvalue().rstrip("\n").split("\n"))


def _block(code: str) -> str:
    return f"```python\n{code}\n```\n\n```text\n{_printed(code)}\n```\n"


def render() -> str:
    """Return the page the scenario files make."""
    parts = [INTRO]
    for name, path in canned.FILES.items():
        story = load_scenario(path)
        summary = (inspect.getdoc(getattr(canned, name)) or "").partition("\n")[0]
        heading = summary.partition(" (")[0].rstrip(".")
        parts.append(f"## {heading}: `{_call(name).replace('=True', '')}`\n")
        parts.append(f"{_sentences(story.description)}\n")
        parts.append(_block(f"print(canned.{_call(name)}.run())"))
        parts.append(f"**Outcome.** {_sentences(story.outcome)}\n")
        what_ifs = [
            f"- `{b.name}`: " + _sentences(b.description).replace("\n", "\n  ")
            for b in story.branches
        ]
        parts.append("**What-ifs**, named in the file:\n\n" + "\n".join(what_ifs) + "\n")
        code = (
            f"story = canned.{_call(name)}\n"
            "for branch in story.branches:\n"
            "    timeline = story.branch(branch.name).run()\n"
            '    print(f"{branch.name}: {str(timeline).splitlines()[-1]}")'
        )
        parts.append(_block(code))
    return "\n".join(parts)


class TestCannedPage:
    """The page shows exactly what the scenario files hold."""

    def test_the_page_is_generated_from_the_files(self):
        """The committed page is the one the files make (run this module to write it)."""
        assert PAGE.read_text(encoding="utf-8") == render()

    def test_every_file_has_its_section(self):
        """The page has one section per file, in order, each with the file's outcome."""
        page = PAGE.read_text(encoding="utf-8")
        headings = re.findall(r"^## .*`(\w+)\(.*\)`$", page, flags=re.MULTILINE)
        assert headings == list(canned.FILES)
        flat = " ".join(page.split())
        for path in canned.FILES.values():
            story = load_scenario(path)
            assert " ".join(story.outcome.split()) in flat
            for branch in story.branches:
                assert f"`{branch.name}`: {' '.join(branch.description.split())}" in flat


if __name__ == "__main__":
    PAGE.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {PAGE.relative_to(ROOT)}\n")
