"""Tests for the public API surface: __all__, import cost, version, typing marker."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import importlib.resources
import importlib.util
import inspect
import pkgutil
import re
import subprocess
import sys
import textwrap
import warnings
import zipfile
from pathlib import Path
from typing import Any, TypeVar

import pytest

import stool

HEAVY = ("numpy", "pandas", "matplotlib", "hypothesis", "pyarrow", "yaml", "sqlalchemy", "psycopg")
PACKAGE_DIR = Path(stool.__file__).parent


def isort_style(name: str) -> tuple[int, list[Any]]:
    """Sort key of RUF022: CONSTANTS, then CamelCase, then the rest; natural order within."""
    if name.isupper() and len(name) > 1:
        group = 0
    elif name[:1].isupper():
        group = 1
    else:
        group = 2
    parts = [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]
    return group, parts


def is_public(module_name: str) -> bool:
    """Whether no part of the dotted name is private."""
    return not any(part.startswith("_") for part in module_name.split("."))


def is_package(module_name: str) -> bool:
    """Whether the module is a package (an `__init__.py`)."""
    spec = importlib.util.find_spec(module_name)
    return spec is not None and spec.submodule_search_locations is not None


def all_modules() -> list[str]:
    """Every module of the stool package, the package itself first."""
    names = ["stool"]
    names += [m.name for m in pkgutil.walk_packages([str(PACKAGE_DIR)], prefix="stool.")]
    return names


def modules_with_all() -> list[str]:
    """Every stool module that declares __all__."""
    return [name for name in all_modules() if "__all__" in _source_names(name)[1]]


def _source_names(module_name: str) -> tuple[set[str], set[str]]:
    """Public top-level names a module defines in its source, and all its top-level names."""
    spec = importlib.util.find_spec(module_name)
    assert spec is not None
    assert spec.origin is not None
    with warnings.catch_warnings():
        # A bad escape in a docstring is ruff's to report (W605), not this listing's.
        warnings.simplefilter("ignore")
        tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {n for n in names if not n.startswith("_")}, names


def defined_publicly(module_name: str) -> set[str]:
    """Public names a module defines itself: classes, functions and constants.

    Type variables are helpers for annotations, not API, and are left out.
    """
    module = importlib.import_module(module_name)
    public, _ = _source_names(module_name)
    return {n for n in public if not isinstance(getattr(module, n, None), TypeVar)}


class TestAll:
    """Every module's __all__ is sorted and says exactly what the module offers."""

    @pytest.mark.parametrize("module_name", modules_with_all())
    def test_sorted(self, module_name):
        """__all__ is sorted the way ruff's RUF022 sorts it (isort style)."""
        exported = importlib.import_module(module_name).__all__
        assert list(exported) == sorted(exported, key=isort_style)

    @pytest.mark.parametrize("module_name", modules_with_all())
    def test_no_duplicates(self, module_name):
        """No name is listed twice."""
        exported = importlib.import_module(module_name).__all__
        assert len(set(exported)) == len(exported)

    @pytest.mark.parametrize("module_name", modules_with_all())
    def test_every_name_exists(self, module_name):
        """Every name in __all__ is an attribute of the module (lazy ones included)."""
        module = importlib.import_module(module_name)
        missing = [name for name in module.__all__ if not hasattr(module, name)]
        assert missing == []

    @pytest.mark.parametrize(
        "module_name", [m for m in modules_with_all() if is_public(m) and not is_package(m)]
    )
    def test_matches_definitions(self, module_name):
        """A public module's __all__ lists exactly the public names it defines itself."""
        exported = set(importlib.import_module(module_name).__all__)
        assert exported == defined_publicly(module_name)

    @pytest.mark.parametrize("module_name", [m for m in modules_with_all() if is_package(m)])
    def test_package_exports_its_own_definitions(self, module_name):
        """A package's __all__ (mostly re-exports) includes every public name it defines."""
        exported = set(importlib.import_module(module_name).__all__)
        assert defined_publicly(module_name) <= exported

    @pytest.mark.parametrize("module_name", [m for m in all_modules() if is_public(m)])
    def test_public_modules_declare_all(self, module_name):
        """Every public module declares __all__."""
        assert hasattr(importlib.import_module(module_name), "__all__")

    def test_top_level_reexports_have_one_home(self):
        """Every class or function stool exports is defined in a stool module."""
        for name in stool.__all__:
            value = getattr(stool, name)
            if inspect.isclass(value) or inspect.isfunction(value):
                assert value.__module__.startswith("stool.")

    def test_contract_names_exported(self):
        """The names issue 2 fixes are all in stool.__all__."""
        contract = {
            "Leg",
            "Channel",
            "CustomerType",
            "Authority",
            "Verdict",
            "Customer",
            "Agent",
            "Company",
            "Interaction",
            "classify",
            "StoolError",
            "ValidationError",
            "PolicyError",
            "unstructure",
            "structure",
            "events",
            "__version__",
        }
        assert contract <= set(stool.__all__)

    def test_dir_lists_all(self):
        """dir(stool) lists every exported name, lazy ones included."""
        assert set(stool.__all__) <= set(dir(stool))

    def test_unknown_attribute(self):
        """A missing attribute raises AttributeError, so hasattr and getattr work."""
        assert not hasattr(stool, "no_such_name")
        with pytest.raises(AttributeError, match="no_such_name"):
            stool.no_such_name  # noqa: B018


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    """Run code in a fresh interpreter of this environment."""
    return subprocess.run(  # noqa: S603 - runs this interpreter on our own code
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
    )


class TestImportCost:
    """`import stool` stays light: no heavy optional dependency is imported."""

    def test_import_stool_is_light(self):
        """A fresh `import stool` and a first use import none of the heavy packages."""
        result = run_python(
            f"""
            import sys
            import stool
            stool.classify(stool.Interaction())
            stool.structure(stool.unstructure(stool.Interaction()), stool.Interaction)
            stool.events.Resolve()(stool.Interaction())
            heavy = {HEAVY!r}
            print(sorted(m for m in sys.modules if m.split(".")[0] in heavy))
            """
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "[]"

    def test_strategies_import_hypothesis(self):
        """Importing stool.strategies is what brings in Hypothesis, and nothing else heavy."""
        result = run_python(
            f"""
            import sys
            import stool.strategies
            heavy = {HEAVY!r}
            print(sorted({{m.split(".")[0] for m in sys.modules}} & set(heavy)))
            """
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "['hypothesis']"


class TestPackaging:
    """Version, typing marker and entry point are in place."""

    def test_version_matches_metadata(self):
        """stool.__version__ is the installed distribution's version."""
        assert stool.__version__ == importlib.metadata.version("stool")
        assert isinstance(stool.__version__, str)

    def test_py_typed_in_package(self):
        """The PEP 561 marker is in the installed package."""
        assert (importlib.resources.files("stool") / "py.typed").is_file()

    def test_wheel_ships_py_typed_and_entry_point(self, tmp_path):
        """A wheel built from the source holds py.typed and the Hypothesis entry point."""
        root = PACKAGE_DIR.parent
        result = subprocess.run(  # noqa: S603 - runs this interpreter on our own code
            [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        (wheel,) = tmp_path.glob("stool-*.whl")
        with zipfile.ZipFile(wheel) as archive:
            names = archive.namelist()
            assert "stool/py.typed" in names
            (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
            text = archive.read(entry_points).decode()
        assert "[hypothesis]" in text
        assert "stool.strategies:_hypothesis_setup_hook" in text

    def test_errors_hierarchy(self):
        """ValidationError and PolicyError are StoolError and ValueError."""
        for cls in (stool.ValidationError, stool.PolicyError):
            assert issubclass(cls, stool.StoolError)
            assert issubclass(cls, ValueError)
        assert issubclass(stool.StoolError, Exception)
