"""One direction, no back-and-forth: the layer rules of DESIGN.md, checked on the source.

The static rules read every module under ``src/crossroads`` with :mod:`ast` and
build one import graph (:func:`import_graph`) from every ``import`` and
``from ... import`` statement, at module level and inside functions, and from
every string constant that names a module of the package (the targets of
``importlib.import_module``, e.g. ``crossroads.models.MODELS``). Each rule is
one test with the offending imports, file and line, in its failure message:

(a) no module-level import cycle;
(b) no package-level import cycle (modules collapsed to ``crossroads.<top>``);
(c) the core (everything outside report, web and cli, except the top-level
    ``crossroads/__init__.py`` and ``__main__.py``, which may load the command
    line lazily) never imports report, web or cli;
(d) web never imports cli;
(e) no module imports another module's private (``_name``) names;
(f) no package binds a name that hides one of its own submodules: every module
    imports, and ``import a.b.c`` then ``a.b.c`` is that module.

Each checker is a pure function of the graph, so a fake graph shows it can fail
(the ``test_checker_*`` tests). The runtime test at the end loads the core,
forecasts, and renders notebook HTML, then checks no presentation module was
loaded.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from conftest import ROOT

SRC = ROOT / "src"
PACKAGE = "crossroads"
PRESENTATION = ("crossroads.report", "crossroads.web", "crossroads.cli")
#: Entry points that may import the command line (lazily) although they sit above the core.
ENTRY_POINTS = frozenset({"crossroads", "crossroads.__main__"})

#: Imports that break a rule today and that another engineer's branch removes (issue 9).
#: Each entry is (importer, imported module). The integrator empties this set after
#: merging those branches; an edge listed here that no longer exists fails
#: :func:`test_known_until_merge_lists_only_existing_imports`, so the list cannot go stale.
KNOWN_UNTIL_MERGE: frozenset[tuple[str, str]] = frozenset({})


# --- the graph --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Import:
    """One import statement's edge: ``importer`` imports module ``imported``.

    ``names`` are the names a ``from ... import`` takes from ``imported`` that are
    not submodules (empty for ``import x``); ``where`` is ``path:line``.
    """

    importer: str
    imported: str
    names: tuple[str, ...]
    where: str

    def __str__(self) -> str:
        taken = f" ({', '.join(self.names)})" if self.names else ""
        return f"{self.importer} -> {self.imported}{taken}  [{self.where}]"


def modules(src: Path = SRC) -> dict[str, Path]:
    """Every module of the package under ``src``: dotted name -> file."""
    out = {}
    for path in sorted((src / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _resolve_from(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module name of ``from <node.module> import ...`` in ``module``."""
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str, path: Path, known: Iterable[str]) -> list[Import]:
    """Every import in one module's source, resolved against the ``known`` module names."""
    known = set(known)
    is_package = path.name == "__init__.py"
    rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        where = f"{rel}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == PACKAGE:
                    out.append(Import(module, alias.name, (), where))
        elif isinstance(node, ast.ImportFrom):
            base = _resolve_from(module, is_package, node)
            if base.split(".")[0] != PACKAGE:
                continue
            names = []
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in known:
                    out.append(Import(module, sub, (), where))
                else:
                    names.append(alias.name)
            if names:
                out.append(Import(module, base, tuple(names), where))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # a module named in a string (importlib.import_module); not the module itself or
            # a package above it (logger names, package resources), which are loaded anyway
            name = node.value
            if name in known and "." in name and not (module + ".").startswith(name + "."):
                out.append(Import(module, name, (), where + " (by name)"))
    return out


@cache
def import_graph(src: Path = SRC) -> tuple[Import, ...]:
    """Every import between modules of the package under ``src``."""
    mods = modules(src)
    return tuple(e for m, p in mods.items() for e in imports_of(m, p, mods))


def _without_known(graph: Iterable[Import], known: Iterable[tuple[str, str]]) -> list[Import]:
    known = set(known)
    return [e for e in graph if (e.importer, e.imported) not in known]


# --- the rules: pure functions of a graph, returning the offending imports ----------------------
def strongly_connected(edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """The cycles of a directed graph: its strongly connected components of 2+ nodes, sorted."""
    succ: dict[str, set[str]] = {}
    for a, b in edges:
        if a != b:
            succ.setdefault(a, set()).add(b)
            succ.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out = []
    for root in sorted(succ):
        if root in index:
            continue
        work = [(root, iter(sorted(succ[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(succ[w]))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return sorted(out)


def package_of(module: str) -> str:
    """``crossroads.<top>`` of a module (``crossroads`` itself for the top-level package)."""
    return ".".join(module.split(".")[:2])


def module_cycles(graph: Iterable[Import]) -> list[list[Import]]:
    """Per module-level cycle, the imports inside it."""
    graph = list(graph)
    out = []
    for comp in strongly_connected((e.importer, e.imported) for e in graph):
        inside = set(comp)
        out.append(
            [
                e
                for e in graph
                if e.importer in inside and e.imported in inside and e.importer != e.imported
            ]
        )
    return out


def package_cycles(graph: Iterable[Import]) -> list[list[Import]]:
    """Per package-level cycle (modules collapsed to ``crossroads.<top>``), the imports in it."""
    graph = [e for e in graph if package_of(e.importer) != package_of(e.imported)]
    out = []
    for comp in strongly_connected((package_of(e.importer), package_of(e.imported)) for e in graph):
        inside = set(comp)
        out.append(
            [
                e
                for e in graph
                if package_of(e.importer) in inside and package_of(e.imported) in inside
            ]
        )
    return out


def _within(module: str, packages: Iterable[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def core_importing_presentation(graph: Iterable[Import]) -> list[Import]:
    """Imports of report, web or cli from a module outside them (entry points excepted)."""
    return [
        e
        for e in graph
        if _within(e.imported, PRESENTATION)
        and not _within(e.importer, PRESENTATION)
        and e.importer not in ENTRY_POINTS
    ]


def web_importing_cli(graph: Iterable[Import]) -> list[Import]:
    """Imports of the command line from the dashboard."""
    return [
        e
        for e in graph
        if _within(e.importer, ["crossroads.web"]) and _within(e.imported, ["crossroads.cli"])
    ]


def is_private(name: str) -> bool:
    """``_name`` is private; ``__dunder__`` names (``__version__``) are not."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_imports(graph: Iterable[Import]) -> list[Import]:
    """Imports of a private name, or of a private module, from another module."""
    return [
        e
        for e in graph
        if any(is_private(n) for n in e.names)
        or any(is_private(p) for p in e.imported.split(".")[1:])
    ]


def _lines(edges: Iterable[Import]) -> str:
    return "\n".join(f"  {e}" for e in edges)


def _cycles_text(cycles: list[list[Import]]) -> str:
    return "\n".join(f"cycle {i + 1}:\n{_lines(c)}" for i, c in enumerate(cycles))


# --- the rules on the source --------------------------------------------------------------------
@pytest.fixture(scope="module")
def graph() -> list[Import]:
    g = import_graph()
    assert len(g) > 100, "the import graph is implausibly small; is src/crossroads there?"
    return _without_known(g, KNOWN_UNTIL_MERGE)


def test_no_module_level_cycle(graph):
    cycles = module_cycles(graph)
    assert not cycles, "import cycles between modules:\n" + _cycles_text(cycles)


def test_no_package_level_cycle(graph):
    cycles = package_cycles(graph)
    assert not cycles, "import cycles between packages (crossroads.<top>):\n" + _cycles_text(cycles)


def test_core_never_imports_report_web_or_cli(graph):
    bad = core_importing_presentation(graph)
    assert not bad, "the core imports a presentation layer (report, web, cli):\n" + _lines(bad)


def test_web_never_imports_cli(graph):
    bad = web_importing_cli(graph)
    assert not bad, "the dashboard imports the command line:\n" + _lines(bad)


def test_no_module_imports_another_modules_private_names(graph):
    bad = private_imports(graph)
    assert not bad, (
        "private names imported from another module (make them public where shared):\n"
        + "\n".join(
            f"  {e}\n    private: {', '.join(n for n in e.names if is_private(n)) or e.imported}"
            for e in bad
        )
    )


def test_known_until_merge_lists_only_existing_imports():
    edges = {(e.importer, e.imported) for e in import_graph()}
    stale = sorted(KNOWN_UNTIL_MERGE - edges)
    assert not stale, f"KNOWN_UNTIL_MERGE lists imports that no longer exist: {stale}"


RESOLVE = """
import importlib, json, sys
out = {}
for m in json.loads(sys.argv[1]):
    try:
        mod = importlib.import_module(m)
    except Exception as e:  # report every module that does not import
        out[m] = f"does not import: {type(e).__name__}: {e}"
        continue
    obj = importlib.import_module(m.split(".")[0])
    for part in m.split(".")[1:]:
        obj = getattr(obj, part, None)
    if obj is not mod:
        out[m] = f"{m} is {type(obj).__name__} {obj!r:.60}, not the module"
print(json.dumps(out))
"""


def unresolved(names: list[str], path: Path = SRC) -> dict[str, str]:
    """Modules (of a package under ``path``) that do not import or that a package name hides.

    Runs in a fresh interpreter, so the test process keeps its own imports.
    """
    r = subprocess.run(
        [sys.executable, "-c", RESOLVE, json.dumps(names)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(path)},
    )
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_every_module_imports_and_no_package_name_hides_a_submodule():
    # __main__ runs the command line when imported; it is an entry script, not a module to load
    bad = unresolved(sorted(m for m in modules() if m != "crossroads.__main__"))
    assert not bad, "modules that do not import or that a package name hides:\n" + "\n".join(
        f"  {m}: {why}" for m, why in sorted(bad.items())
    )


# --- each checker can fail ----------------------------------------------------------------------
def _fake(*edges: str) -> list[Import]:
    """A fake graph from ``"a -> b"`` or ``"a -> b: name1, name2"`` strings."""
    out = []
    for i, text in enumerate(edges):
        head, _, names = text.partition(":")
        a, b = (s.strip() for s in head.split("->"))
        taken = tuple(n.strip() for n in names.split(",") if n.strip())
        out.append(Import(a, b, taken, f"fake.py:{i + 1}"))
    return out


def test_checker_finds_a_module_cycle_and_names_its_edges():
    g = _fake(
        "crossroads.a.x -> crossroads.a.y",
        "crossroads.a.y -> crossroads.a.z",
        "crossroads.a.z -> crossroads.a.x",
        "crossroads.a.z -> crossroads.b",
    )
    cycles = module_cycles(g)
    assert [[str(e) for e in c] for c in cycles] == [[str(e) for e in g[:3]]]
    assert "crossroads.a.z -> crossroads.a.x  [fake.py:3]" in _cycles_text(cycles)
    assert module_cycles(g[:2] + g[3:]) == []


def test_checker_finds_a_package_cycle_that_no_module_cycle_shows():
    g = _fake("crossroads.a.x -> crossroads.b.y", "crossroads.b.z -> crossroads.a.w")
    assert module_cycles(g) == []
    assert [len(c) for c in package_cycles(g)] == [2]
    assert package_cycles(g[:1]) == []
    # a top-level module is its own package; the package itself is "crossroads"
    assert package_cycles(_fake("crossroads.store -> crossroads", "crossroads -> crossroads.store"))


def test_checker_finds_the_core_importing_presentation():
    g = _fake(
        "crossroads.forecasting -> crossroads.report.figures",
        "crossroads.report.build -> crossroads.forecasting",
        "crossroads.cli.core -> crossroads.web.app",
        "crossroads -> crossroads.cli",
        "crossroads.__main__ -> crossroads.cli",
        "crossroads.reporting -> crossroads.forecasting",
    )
    assert core_importing_presentation(g) == g[:1]


def test_checker_finds_web_importing_cli():
    g = _fake(
        "crossroads.web.commands -> crossroads.cli.core",
        "crossroads.cli.core -> crossroads.web",
        "crossroads.webby -> crossroads.cli",
    )
    assert web_importing_cli(g) == g[:1]


def test_checker_finds_private_names():
    g = _fake(
        "crossroads.claims -> crossroads.network.trade_dependence: bilateral, _fuel",
        "crossroads.report.build -> crossroads: __version__",
        "crossroads.a -> crossroads.b._impl",
        "crossroads.a -> crossroads.b: public",
    )
    assert private_imports(g) == g[:1] + g[2:3]


def test_graph_builder_resolves_submodules_relative_imports_and_lazy_imports(tmp_path):
    pkg = tmp_path / PACKAGE
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from crossroads import sub\n")
    for name in ("low", "late", "named"):
        (pkg / f"{name}.py").write_text("X = 1\n")
    (pkg / "sub" / "__init__.py").write_text("from .mod import f, _g\n")
    (pkg / "sub" / "mod.py").write_text(
        "import os\n"
        "from .. import low\n"
        "def f():\n"
        "    from crossroads import late, nothing\n"
        "    return 'crossroads.named'\n"
    )
    g = {(e.importer, e.imported, e.names) for e in import_graph(tmp_path)}
    assert g == {
        ("crossroads", "crossroads.sub", ()),
        ("crossroads.sub", "crossroads.sub.mod", ("f", "_g")),
        ("crossroads.sub.mod", "crossroads.low", ()),  # relative
        ("crossroads.sub.mod", "crossroads.late", ()),  # inside a function, a submodule
        ("crossroads.sub.mod", "crossroads", ("nothing",)),  # a name, not a submodule
        ("crossroads.sub.mod", "crossroads.named", ()),  # named in a string
    }


def test_checker_finds_a_function_hiding_its_module_and_a_module_that_does_not_import(tmp_path):
    pkg = tmp_path / "fakepkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from fakepkg.fit import fit\n")  # binds fit to the function
    (pkg / "fit.py").write_text("def fit():\n    return 1\n")
    (pkg / "broken.py").write_text("import fakepkg.nothing_here\n")
    (pkg / "fine.py").write_text("X = 1\n")
    bad = unresolved(["fakepkg", "fakepkg.fit", "fakepkg.broken", "fakepkg.fine"], tmp_path)
    assert sorted(bad) == ["fakepkg.broken", "fakepkg.fit"]
    assert bad["fakepkg.fit"].startswith("fakepkg.fit is function")
    assert "does not import: ModuleNotFoundError" in bad["fakepkg.broken"]


# --- at run time ----------------------------------------------------------------------------------
CODE = """
import sys
import crossroads
sc = crossroads.load("kazakhstan-2010")
f = crossroads.forecast(sc, "eu-offer", model="mean")
html = f._repr_html_()
e = crossroads.ensemble(sc, "eu-offer", "mean", runs=2048)
html += e._repr_html_()
assert "<svg" in html
leaked = sorted(m for m in sys.modules
                if m.startswith(("crossroads.report", "crossroads.web", "crossroads.cli")))
print(",".join(leaked))
"""


def test_core_and_notebook_display_import_no_presentation_layer():
    r = subprocess.run([sys.executable, "-c", CODE], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ""
