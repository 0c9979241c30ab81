"""The documentation is true and complete.

True: every `$ command` in the console blocks of README.md and docs/*.md prints
what the page shows (tools/docrun.py --check), and every `>>>` example there runs
as a doctest and gives what it shows.  Complete: every command and
option of the CLI has help text, and a page in docs/ that names it, linked from
the docs index.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from symchain.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

#: performance.md holds measured figures (and no console blocks): not outputs to check.
CHECKED = ["README.md"] + [
    f"docs/{page.name}" for page in sorted(DOCS.glob("*.md")) if page.name != "performance.md"
]

#: The page that documents each command: it names the command and every long option.
PAGES = {
    "derive": "derive.md",
    "grad": "grad.md",
    "jacobian": "grad.md",
    "hessian": "grad.md",
    "check": "check.md",
    "plot": "plot.md",
    "worksheet": "worksheet.md",
    "backprop": "backprop.md",
    "gradcheck": "gradcheck.md",
    "matrix": "matrix.md",
}

#: Options without help= in the package.  Each is an expected failure, so that
#: adding the help (in symchain/, not here) makes the test say to drop it from this list.
WITHOUT_HELP: dict[tuple[str, str], str] = {}


def _commands() -> dict[str, click.Command]:
    ctx = click.Context(main)
    return {name: main.get_command(ctx, name) for name in main.list_commands(ctx)}


COMMANDS = _commands()


def _long_names(command: click.Command) -> list[str]:
    return [
        name
        for param in command.params
        if isinstance(param, click.Option)
        for name in param.opts + param.secondary_opts
        if name.startswith("--")
    ]


def _label(param: click.Parameter) -> str:
    return max(param.opts, key=len) if isinstance(param, click.Option) else param.name.upper()


def _params() -> list:
    """(command, parameter) for the group's own options and every command's, each a case."""
    cases = []
    for name, command in [("symchain", main), *COMMANDS.items()]:
        for param in command.params:
            label = _label(param)
            reason = WITHOUT_HELP.get((name, label))
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            cases.append(pytest.param(name, param, id=f"{name} {label}", marks=marks))
    return cases


@pytest.mark.skipif(not shutil.which("bash"), reason="the documented commands run in bash")
def test_every_documented_command_prints_what_its_page_shows():
    if not Path(sys.executable).with_name("symchain").exists():
        pytest.skip("needs this Python's `symchain` script: pip install -e .")
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "docrun.py"), "--check", *CHECKED],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    if done.returncode != 0:
        pytest.fail(done.stdout + done.stderr, pytrace=False)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help(name):
    assert (COMMANDS[name].help or "").strip(), f"symchain {name} has no docstring"


@pytest.mark.parametrize(("name", "param"), _params())
def test_every_option_has_help_and_every_argument_is_described(name, param):
    command = main if name == "symchain" else COMMANDS[name]
    if isinstance(param, click.Option):
        assert (param.help or "").strip(), f"symchain {name} {_label(param)} has no help="
    else:
        shown = param.metavar or param.name.upper()
        assert shown in (command.help or ""), f"symchain {name}: {shown} is not in its docstring"


def test_every_command_has_a_page():
    assert set(PAGES) == set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_page_names_the_command_and_every_option(name):
    text = (DOCS / PAGES[name]).read_text(encoding="utf-8")
    assert f"symchain {name}" in text, f"docs/{PAGES[name]} does not mention `symchain {name}`"
    missing = [
        option
        for option in _long_names(COMMANDS[name])
        if not re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text)
    ]
    assert not missing, f"docs/{PAGES[name]} does not name {', '.join(missing)} of {name}"


def test_the_docs_index_links_every_page():
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    links = set(re.findall(r"\]\(([\w.-]+\.md)\)", index))
    pages = {page.name for page in DOCS.glob("*.md")} - {"README.md"}
    assert pages <= links, f"docs/README.md does not link {', '.join(sorted(pages - links))}"
    assert links <= pages | {"README.md"}, f"broken links: {', '.join(sorted(links - pages))}"


#: The pages with Python examples, run as doctests (dask's recipe needs the dask extra).
EXAMPLED = [page for page in CHECKED if ">>> " in (ROOT / page).read_text(encoding="utf-8")]


@pytest.mark.parametrize("page", EXAMPLED)
def test_every_python_example_of_the_docs_runs_as_shown(page, monkeypatch):
    import doctest

    if "import dask" in (ROOT / page).read_text(encoding="utf-8"):
        pytest.importorskip("dask", reason="the Dask recipe needs the dask extra")
    monkeypatch.chdir(DOCS / "examples")  # where the example files are, as in docrun
    # a fence's closing ``` would otherwise be read as expected output
    text = re.sub(r"(?m)^```\s*$", "", (ROOT / page).read_text(encoding="utf-8"))
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    test = doctest.DocTestParser().get_doctest(text, {}, page, page, 0)
    runner = doctest.DocTestRunner(optionflags=flags)
    report: list[str] = []
    runner.run(test, out=report.append)
    assert test.examples and runner.failures == 0, "".join(report)


_IMPORT = re.compile(r"^(?:>>> )?from (symchain[\w.]*) import ([\w, ]+)$", re.MULTILINE)


@pytest.mark.parametrize("page", CHECKED)
def test_every_symchain_import_the_docs_show_works(page):
    """Also in the Python blocks that are not doctests: a module moved is a page to fix."""
    import importlib

    for module, names in _IMPORT.findall((ROOT / page).read_text(encoding="utf-8")):
        imported = importlib.import_module(module)
        for name in names.split(","):
            assert hasattr(imported, name.strip()), f"{page}: from {module} import {name}"
