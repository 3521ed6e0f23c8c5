"""No import cycles between govwatch's modules, and monitor/'s stages import only downwards.

The checker reads every ``.py`` under monitor/, store/ and spiders/ with `ast` (it imports
nothing) and builds the graph of *module-level* imports: ``import a.b`` and ``from a.b import c``
at the top of a module or inside its classes, ``try`` and ``if`` blocks. Two kinds of import
are left out, deliberately:

- those under ``if TYPE_CHECKING:`` — types for annotations, never run;
- those inside a function: a deferred import runs when the function is called, after every
  module has loaded, so it cannot break loading. It is how a lower stage reaches a higher one
  at call time (the alert channels check kinds against the detectors' registry, the watchlist
  loads its kinds' parsers, a crawl hands over to Scrapyd, the spiders read the Scrapy
  settings of a Scrapyd job). README.md, "Layout", lists them.

``from pkg import name`` is an edge to ``pkg.name`` when that is a module of the project, else to
``pkg`` (its ``__init__``). A cycle is a strongly connected component of more than one module;
each is reported as one path, with the file and line of each import.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("monitor", "store", "spiders")

# monitor/'s stages, lowest first: a module may import (at module level) its own stage and the
# stages before it, never one after it. "monitor" is the shared basics at the top of monitor/.
STAGES = ("monitor", "monitor.replica", "monitor.alerts", "monitor.watchlist", "monitor.detect",
          "monitor.publish", "monitor.run", "monitor.scrapyd", "monitor.cli")


def find_modules(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    """Return {dotted module name: file} for every .py under the given top-level folders of `root`."""
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """Return the longest prefix of `name` that is a project module (None: not ours)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def module_imports(name: str, path: Path, modules: dict[str, Path]) -> dict[str, int]:
    """Return {imported project module: line} of the module-level imports of one module."""
    found: dict[str, int] = {}
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def add(target: str | None, line: int) -> None:
        if target and target != name:
            found.setdefault(target, line)

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue  # deferred: runs at call time
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for other in child.orelse:
                    visit_statement(other)
                continue
            visit_statement(child)

    def visit_statement(child: ast.AST) -> None:
        if isinstance(child, ast.Import):
            for alias in child.names:
                add(_known(alias.name, modules), child.lineno)
        elif isinstance(child, ast.ImportFrom):
            base = child.module or ""
            if child.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - (child.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in child.names:
                submodule = f"{base}.{alias.name}"
                add(submodule if submodule in modules else _known(base, modules), child.lineno)
        visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return found


def import_graph(modules: dict[str, Path]) -> dict[str, dict[str, int]]:
    """Return {module: {imported module: line}} over all the given modules."""
    return {name: module_imports(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Return the strongly connected components that are cycles (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return sorted(found)


def cycle_path(graph: dict[str, dict[str, int]], modules: dict[str, Path], component: list[str], root: Path) -> str:
    """Describe one cycle through `component`: each import with its file and line."""
    start = component[0]
    inside = set(component)
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier and start not in came_from:  # breadth first, back to `start`
        following = []
        for v in frontier:
            for w in sorted(graph[v]):
                if w in inside and w not in came_from:
                    came_from[w] = v
                    following.append(w)
        frontier = following
    path = [start]
    while True:
        path.append(came_from[path[-1]])
        if path[-1] == start:
            break
    path.reverse()
    steps = [start] + [f"-> {b} ({modules[a].relative_to(root).as_posix()}:{graph[a][b]})"
                       for a, b in zip(path, path[1:])]
    return " ".join(steps)


def stage_of(name: str) -> str | None:
    """Return the stage of a monitor module (None: outside monitor/)."""
    if name != "monitor" and not name.startswith("monitor."):
        return None
    return max((s for s in STAGES if name == s or name.startswith(s + ".")), key=len, default="monitor")


def test_no_import_cycles() -> None:
    modules = find_modules(ROOT, PACKAGES)
    graph = import_graph(modules)
    assert len(graph) > 100 and sum(map(len, graph.values())) > 300, "the checker found too little to check"
    found = [cycle_path(graph, modules, c, ROOT) for c in cycles(graph)]
    assert not found, "import cycles (break them: see README, Layout):\n" + "\n".join(found)


def test_monitor_stages_import_only_the_stages_below() -> None:
    modules = find_modules(ROOT, PACKAGES)
    graph = import_graph(modules)
    upward = []
    for name, imported in graph.items():
        stage = stage_of(name)
        for target, line in imported.items():
            other = stage_of(target)
            if stage and other and STAGES.index(other) > STAGES.index(stage):
                upward.append(f"{modules[name].relative_to(ROOT)}:{line}: {stage} imports {target} ({other})")
    assert not upward, "imports up the stages (see README, Layout):\n" + "\n".join(upward)


def _plant(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_the_checker_reports_a_planted_cycle_and_where_it_is(tmp_path: Path) -> None:
    _plant(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "from __future__ import annotations\n\nfrom pkg import b\n",
        "pkg/b.py": "import os\n\ntry:\n    import pkg.a as a\nexcept ImportError:\n    a = None\n",
        "pkg/c.py": "from .a import thing\n",  # imports into the cycle, is not part of it
    })
    modules = find_modules(tmp_path, ("pkg",))
    graph = import_graph(modules)
    assert graph["pkg.c"] == {"pkg.a": 1}
    assert cycles(graph) == [["pkg.a", "pkg.b"]]
    assert cycle_path(graph, modules, ["pkg.a", "pkg.b"], tmp_path) == "pkg.a -> pkg.b (pkg/a.py:3) -> pkg.a (pkg/b.py:4)"


def test_deferred_and_type_only_imports_make_no_cycle(tmp_path: Path) -> None:
    _plant(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/low.py": ("from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from pkg.high import High\n\n"
                       "def kinds():\n    from pkg import high\n    return high.KINDS\n"),
        "pkg/high.py": "from pkg.low import kinds\n\nKINDS = ()\n",
        "pkg/self.py": "import pkg.self\n",
    })
    modules = find_modules(tmp_path, ("pkg",))
    graph = import_graph(modules)
    assert graph["pkg.low"] == {} and graph["pkg.high"] == {"pkg.low": 1}
    assert cycles(graph) == []  # a module importing itself is no edge either


def test_the_stages_of_monitor_modules() -> None:
    assert [stage_of(n) for n in ("monitor", "monitor.items", "monitor.cli", "monitor.cli.main",
                                  "monitor.replica.routes", "store.record")] == [
        "monitor", "monitor", "monitor.cli", "monitor.cli", "monitor.replica", None]
