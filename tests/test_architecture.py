"""Tests for the shape of the package: data flows one way, and no import goes in a circle."""

from __future__ import annotations

import ast
import functools
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Mapping
    from collections.abc import Set as AbstractSet

import stool

PACKAGE_DIR = Path(stool.__file__).parent

DATA_MODEL = (
    "stool._fields",
    "stool._json",
    "stool._text",
    "stool.enums",
    "stool.errors",
    "stool.events",
    "stool.interaction",
    "stool.parties",
    "stool.serialization",
)
"""The modules of the data model: facts and their wire format, below every engine
(scoring, batches, the policy engine, scenarios, files, the command line)."""

SCORING_LAYERS = (
    "stool.scoring._contributions",
    "stool.scoring._inputs",
    "stool.scoring._reasons",
    "stool.scoring._result",
    "stool.scoring._score",
    "stool.scoring._wire",
)
"""The modules of stool.scoring, lowest first: a leg's contributions, an interaction read
as the formulas' inputs, the reasons' sentences, the scores, scoring, the wire format."""

SCORING_NEEDS = (*DATA_MODEL, "stool._formula", "stool.models")
"""What scoring may import besides itself: the facts, the model and the formulas."""

POLICY_LAYERS = ("stool.policy._expr", "stool.policy._rules", "stool.policy._book")
"""The policy engine's packages, lowest first: the expression language, the parts of a
book (rules, tolerances, test cases), and the book that compiles and judges them."""

TABLE_LAYERS = (
    "stool.tables._formats",
    "stool.tables._locate",
    "stool.tables._reading",
    "stool.tables._reading_chunks",
    "stool.tables._writing",
)
"""The modules of stool.tables, lowest first: formats and shared checks, locating a
problem's line, reading whole files, reading in chunks, and writing."""

PACKAGE_LAYERS = {"stool.scoring": SCORING_LAYERS, "stool.tables": TABLE_LAYERS}
"""Packages whose private modules are layered, each with its modules lowest first."""


def module_files() -> dict[str, Path]:
    """Every stool module's dotted name and source file."""
    modules = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    if node.level:
        base = module.split(".")
        base = base if is_package else base[:-1]
        base = base[: len(base) - (node.level - 1)]
        prefix = ".".join([*base, node.module] if node.module else base)
    else:
        prefix = node.module or ""
    # `from stool import events` imports a module; `from stool.x import name` a name.
    return {prefix} | {f"{prefix}.{alias.name}" for alias in node.names}


def imports_of(path: Path, module: str, *, in_functions: bool) -> set[str]:
    """The modules `module` imports when it runs, leaving out imports only type checkers see.

    With `in_functions`, imports inside functions and methods count too; otherwise only
    those that run when the module is imported (at the top level, or under a top-level
    `if`, `try` or `with`).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found |= _imported(node, module, is_package)
        elif isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            if in_functions:
                stack.extend(ast.iter_child_nodes(node))
        else:
            stack.extend(ast.iter_child_nodes(node))
    return found


@functools.cache
def import_graph(*, in_functions: bool) -> dict[str, frozenset[str]]:
    """Each stool module and the stool modules it imports (a module imports its parents)."""
    files = module_files()
    graph: dict[str, frozenset[str]] = {}
    for module, path in files.items():
        edges: set[str] = set()
        for name in imports_of(path, module, in_functions=in_functions):
            parts = name.split(".")
            for end in range(1, len(parts) + 1):
                target = ".".join(parts[:end])
                # Importing a submodule runs its parent packages first, except one's own.
                if target in files and target != module and not module.startswith(target + "."):
                    edges.add(target)
        graph[module] = frozenset(edges)
    return graph


def cycles(graph: Mapping[str, AbstractSet[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (or a self-loop)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        # Tarjan's algorithm, iteratively: (node, iterator over its successors).
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = counter
                    counter += 1
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.get(successor, ())))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in graph.get(node, ()):
                        found.append(sorted(component))
    return found


class TestCycleFinder:
    def test_finds_a_circle(self):
        """The finder reports a three-module circle and leaves the modules outside it out."""
        graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
        assert cycles(graph) == [["a", "b", "c"]]

    def test_a_chain_is_not_a_circle(self):
        """A graph whose edges all point one way has no cycle."""
        assert cycles({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []

    def test_reads_imports_the_way_python_runs_them(self, tmp_path):
        """Imports under TYPE_CHECKING never count; imports in functions count on request."""
        source = tmp_path / "m.py"
        source.write_text(
            "from typing import TYPE_CHECKING\n"
            "import stool.enums\n"
            "if TYPE_CHECKING:\n"
            "    from stool.policy import PolicyBook\n"
            "try:\n"
            "    from stool import errors\n"
            "except ImportError:\n"
            "    pass\n"
            "def f():\n"
            "    from stool.scoring import score\n",
            encoding="utf-8",
        )
        top = imports_of(source, "stool.m", in_functions=False)
        assert {"stool.enums", "stool", "stool.errors"} <= top
        assert not any(name.startswith(("stool.policy", "stool.scoring")) for name in top)
        assert "stool.scoring" in imports_of(source, "stool.m", in_functions=True)


class TestImportGraph:
    def test_the_graph_covers_the_package(self):
        """The graph holds every data model module, and an engine module's imports of it."""
        graph = import_graph(in_functions=False)
        assert set(DATA_MODEL) <= set(graph)
        assert {"stool.enums", "stool.errors"} <= graph["stool.policy._book._book"]

    def test_no_cycle_among_module_level_imports(self):
        """No stool module imports, when it loads, a module that imports it back."""
        assert cycles(import_graph(in_functions=False)) == []

    @pytest.mark.parametrize("layer", POLICY_LAYERS)
    def test_the_policy_layers_import_only_downwards(self, layer):
        """No module of a policy layer imports a layer above it, even in a function."""
        above = POLICY_LAYERS[POLICY_LAYERS.index(layer) + 1 :]
        graph = import_graph(in_functions=True)
        members = [m for m in graph if m == layer or m.startswith(layer + ".")]
        assert len(members) > 1, f"{layer} is a package of several modules"
        upward = sorted(
            f"{module} -> {target}"
            for module in members
            for target in graph[module]
            if any(target == name or target.startswith(name + ".") for name in above)
        )
        assert upward == []

    @pytest.mark.parametrize("package", PACKAGE_LAYERS)
    def test_the_layers_list_every_module_of_their_package(self, package):
        """Every private module of a layered package has its place in its layers."""
        graph = import_graph(in_functions=True)
        assert {m for m in graph if m.startswith(package + ".")} == set(PACKAGE_LAYERS[package])

    @pytest.mark.parametrize(
        ("package", "layer"),
        [(package, layer) for package, layers in PACKAGE_LAYERS.items() for layer in layers],
    )
    def test_the_package_modules_import_only_downwards(self, package, layer):
        """No module of a layered package imports one listed after it, even in a function."""
        layers = PACKAGE_LAYERS[package]
        graph = import_graph(in_functions=True)
        above = set(layers[layers.index(layer) + 1 :])
        assert sorted(graph[layer] & above) == []

    @pytest.mark.parametrize("module", DATA_MODEL)
    def test_the_data_model_never_imports_an_engine(self, module):
        """The data model imports only itself, even in a function (type checkers may look up)."""
        graph = import_graph(in_functions=True)
        upward = sorted(graph[module] - set(DATA_MODEL))
        assert upward == [], f"{module} imports {upward}"

    @pytest.mark.parametrize("module", ["stool.scoring", *SCORING_LAYERS])
    def test_scoring_imports_only_what_flows_into_it(self, module):
        """Scoring imports the facts, the model and the formulas, never what reads scores."""
        graph = import_graph(in_functions=True)
        upstream = set(SCORING_NEEDS) | {"stool.scoring", *SCORING_LAYERS}
        assert sorted(graph[module] - upstream) == []
