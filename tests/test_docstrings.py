"""The examples in the package's docstrings run as doctests and show what they say.

Every public function's docstring (numpydoc: Parameters, Returns, Examples) has
examples; this runs them all, so that `help(symchain.derive)` never shows a
result the code does not give.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import inspect
import pkgutil

import pytest

import symchain

MODULES = ["symchain"] + [
    m.name
    for m in pkgutil.walk_packages(symchain.__path__, "symchain.")
    if not m.name.endswith("__main__")  # importing it would run the command line
]


def _source(name: str) -> str:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin is not None
    with open(spec.origin, encoding="utf-8") as handle:
        return handle.read()


WITH_EXAMPLES = [name for name in MODULES if ">>> " in _source(name)]
#: the public functions (gradcheck_torch and gradcheck_jax: docs/gradcheck.md)
PUBLIC = [n for n in symchain.__all__ if n[0].islower() and not n.startswith("gradcheck_")]


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_the_docstring_examples_run(name):
    module = importlib.import_module(name)
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(module, optionflags=flags, report=True, verbose=False)
    assert result.failed == 0


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_function_documents_its_parameters_and_has_an_example(name):
    doc = inspect.getdoc(getattr(symchain, name)) or ""
    for section in ("Parameters", "Returns", "Examples"):
        assert f"\n{section}\n" in doc, f"{name}: no {section} section"
    assert ">>> " in doc
