"""The README's first commands are the ones CI runs, and they fit a newcomer."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _first_bash_block() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^```bash\n(.*?)^```$", text, flags=re.DOTALL | re.MULTILINE)
    assert match is not None, "README.md has no ```bash block"
    return [line for line in match.group(1).splitlines() if line.strip()]


class TestReadme:
    def test_starts_with_install_and_test_commands(self):
        """The first bash block holds exactly two commands: install + main job, then tests."""
        install, test = _first_bash_block()
        assert 'pip install -e ".[dev]"' in install
        assert "examples/quickstart.py" in install
        assert "pytest" in test

    def test_block_comes_before_any_other_section(self):
        """A newcomer sees the two commands before the tour: no section precedes them."""
        text = (ROOT / "README.md").read_text(encoding="utf-8")
        assert text.index("```bash") < text.index("\n## ")

    def test_ci_reads_the_same_block(self):
        """`.ci/run` runs the README's block rather than a copy that could drift."""
        ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
        assert 'eval "$install_cmd"' in ci
        assert 'eval "$test_cmd"' in ci
        for tool in ("ruff check .", "mypy --strict stool", "mkdocs build --strict", "examples/"):
            assert tool in ci

    def test_quickstart_excerpt_is_real(self):
        """The quickstart output the README shows is what the quickstart prints."""
        text = (ROOT / "README.md").read_text(encoding="utf-8")
        match = re.search(r"^```text\n(.*?)^```$", text, flags=re.DOTALL | re.MULTILINE)
        assert match is not None, "README.md shows no quickstart output"
        excerpt = match.group(1).rstrip("\n")
        result = subprocess.run(  # noqa: S603 - our own example, this interpreter
            [sys.executable, str(ROOT / "examples" / "quickstart.py")],
            capture_output=True,
            text=True,
            check=True,
        )
        assert excerpt in result.stdout
