"""Every example script runs to completion, as CI and the README promise."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))


class TestExamples:
    def test_there_are_examples(self):
        """The examples folder holds the quickstart and numbered scripts."""
        names = {script.name for script in SCRIPTS}
        assert "quickstart.py" in names
        assert len(names) >= 3

    @pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
    def test_script_runs(self, script, capsys, monkeypatch):
        """The script runs as `__main__` and prints something for its reader."""
        monkeypatch.setattr(sys, "argv", [str(script)])
        monkeypatch.setenv("MPLBACKEND", "Agg")
        runpy.run_path(str(script), run_name="__main__")
        assert capsys.readouterr().out.strip()

    @pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
    def test_script_shape(self, script):
        """Each script has a module docstring and a `main()` under a `__main__` guard."""
        source = script.read_text(encoding="utf-8")
        assert source.lstrip().startswith(('"""', '#!/usr/bin/env python3\n"""'))
        assert "def main(" in source
        assert 'if __name__ == "__main__":' in source
        assert "sys.path" not in source
