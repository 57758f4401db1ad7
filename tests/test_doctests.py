"""The examples in stool's docstrings pass, as `pytest --doctest-modules stool` checks them.

One test per module of the package, private ones included, with pytest's default doctest option
(`ELLIPSIS`), so the plain `pytest` that CI runs checks them too.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import stool

MODULES = sorted(
    ["stool", *(info.name for info in pkgutil.walk_packages(stool.__path__, "stool."))]
)


def _is_public(name: str) -> bool:
    return not any(part.startswith("_") for part in name.split("."))


class TestDoctests:
    @pytest.mark.parametrize("name", MODULES)
    def test_module(self, name, tmp_path, monkeypatch):
        """Every example in the module's docstrings prints what it shows."""
        # Examples that write files (stool.tables, the command line) write them here.
        monkeypatch.chdir(tmp_path)
        module = importlib.import_module(name)
        tests = doctest.DocTestFinder(exclude_empty=True).find(module)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        report: list[str] = []
        for test in tests:
            runner.run(test, out=report.append)
        if _is_public(name) and name != "stool":
            assert runner.tries, f"public module {name} has no docstring examples"
        assert runner.failures == 0, "".join(report)

    def test_every_module_is_found(self):
        """The walk finds the public modules and the policy subpackage's private ones."""
        assert {"stool.scoring", "stool.policy", "stool.policy._book"} <= set(MODULES)
