"""The layers hold: no import cycles, the layer contracts of pyproject.toml, and each
shared thing declared in one place (--format, --timeout, SIGALRM)."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "symchain"


def _graph() -> grimp.ImportGraph:
    # imports inside functions count; those only for type checkers do not
    return grimp.build_graph("symchain", exclude_type_checking_imports=True)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles():
    graph = _graph()
    edges = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    assert _cycles(edges) == []


def test_only_render_cli_and_the_mixin_import_render():
    graph = _graph()
    importers = {
        m
        for m in graph.modules
        if any(t.startswith("symchain.render") for t in graph.find_modules_directly_imported_by(m))
    }
    allowed = ("symchain.render", "symchain.cli")
    assert {m for m in importers if not m.startswith(allowed)} == {"symchain.results"}


@pytest.mark.skipif(shutil.which("lint-imports") is None, reason="import-linter not installed")
def test_layer_contracts():
    done = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:]


def _sources() -> dict[Path, str]:
    return {p: p.read_text() for p in PACKAGE.rglob("*.py")}


def test_format_and_timeout_options_are_declared_once():
    for flag in ("--format", "--timeout", "--no-color", "--debug", "--detail"):
        declared = [
            p.relative_to(ROOT).as_posix()
            for p, text in _sources().items()
            if re.search(rf'click\.option\(\s*"{flag}"', text)
        ]
        assert declared == ["symchain/cli/options.py"], (flag, declared)


def test_one_module_touches_sigalrm():
    users = [
        p.relative_to(ROOT).as_posix()
        for p, text in _sources().items()
        if re.search(r"\bSIGALRM\b|setitimer|ITIMER_REAL", text)
    ]
    assert users == ["symchain/core/budget.py"]


def test_one_error_hierarchy():
    """Every exception class symchain defines for users derives from SymchainError."""
    strays = []
    for path, text in _sources().items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and node.name != "SymchainError":
                bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
                if bases & {"Exception", "ValueError", "RuntimeError"}:
                    strays.append(f"{path.relative_to(ROOT)}:{node.name}")
    assert strays == []


def test_formats_and_details_are_named_once():
    for name in ("FORMATS", "DETAILS"):
        defined = [
            p.relative_to(ROOT).as_posix()
            for p, text in _sources().items()
            if re.search(rf"^{name}\b.*=", text, re.M)
        ]
        assert defined == ["symchain/render/formats/__init__.py"], (name, defined)
