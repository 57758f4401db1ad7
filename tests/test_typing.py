"""Type-check and run the downstream-style code in tests/typing."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

TYPING_DIR = Path(__file__).parent / "typing"
ROOT = Path(__file__).parent.parent


class TestDownstreamTyping:
    """Code written against stool's public API type-checks strictly and runs."""

    def test_mypy_strict(self):
        """`mypy --strict tests/typing` passes: types are as documented, misuses refused.

        mypy keeps its incremental cache in the checkout's `.mypy_cache`, as `mypy --strict
        stool` does: it rechecks whatever changed since, and `.ci/run`'s own mypy steps,
        after the tests, start from what this one learnt.
        """
        result = subprocess.run(  # noqa: S603 - runs this interpreter's mypy on our own files
            [sys.executable, "-m", "mypy", "--strict", str(TYPING_DIR)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Success" in result.stdout

    def test_checked_code_runs(self):
        """Every usage the checker sees also runs without error."""
        namespace = runpy.run_path(str(TYPING_DIR / "check_api.py"))
        namespace["main"]()
