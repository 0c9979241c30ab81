"""Mutants of symchain, for proving that the test suite notices a broken verifier.

A pytest plugin: `python -m pytest -p tests.mutants` with SYMCHAIN_MUTANT set to one of the
names in MUTANTS patches the package at session start, so the whole suite runs against the
broken package; tests/test_mutations.py expects every such run to fail.  With SYMCHAIN_MUTANT
unset (or empty) the plugin patches nothing.

Only the pytest process is patched: a test that runs `symchain` in a subprocess sees the
real package.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import os
import pkgutil
import sys
from collections.abc import Callable
from dataclasses import dataclass

import pytest

# Where the mutants strike, as (module path, attribute).  These are the only places this file
# names a module of the package: when the package moves into subpackages (symchain/core/verify.py
# and so on), update the paths here and nothing else.
TARGETS = {
    "check_step": ("symchain.core.verify", "check_step"),  # the verdict on one step
    "compare": ("symchain.core.compare", "compare"),  # are two expressions equal?
    "rule_labels": ("symchain.render.layout", "RULE_LABELS"),  # rule name -> printed label
    "verdict": ("symchain.core.compare", "Verdict"),  # what check_step and compare return
    "symbolic": ("symchain.core.steps", "SYMBOLIC"),  # the verdict "equal, shown symbolically"
    "chain_rule": ("symchain.core.engine", "CHAIN"),  # its label is what the mutant changes
}
CHANGED_LABEL = "chain"  # the label mutant prints the chain rule as this instead of "chain rule"

# Under a mutant these test files run first, in their own order, the rest of the suite after
# them as usual: they are written to catch the mutants, so `-x` stops within seconds instead of
# after the minutes the other tests take.  Without a mutant the order is left alone.
FIRST = ("test_verifier_negative.py", "test_plain_output.py")

ENV = "SYMCHAIN_MUTANT"


def resolve(target: str):
    """The object TARGETS[target] names."""
    module, attribute = TARGETS[target]
    return getattr(importlib.import_module(module), attribute)


@dataclass(frozen=True)
class Patch:
    """One change a mutant made: `owner.attribute` (or `owner[key]`) was `old`."""

    owner: object
    attribute: str | None
    key: object
    old: object

    def undo(self) -> None:
        if self.attribute is not None:
            setattr(self.owner, self.attribute, self.old)
        else:
            self.owner[self.key] = self.old


def _package_modules(package: str) -> list:
    """Every module of the package, imported, so that every alias of a patched name is found."""
    root = importlib.import_module(package)
    for info in pkgutil.walk_packages(root.__path__, package + "."):
        if not info.name.endswith(".__main__"):
            importlib.import_module(info.name)
    return [
        m
        for name, m in list(sys.modules.items())
        if name == package or name.startswith(package + ".")
    ]


def _replace_function(target: str, answer: Callable[[], object]) -> list[Patch]:
    """Put a function that returns answer() in place of the target function, with its
    signature: in its module and in every module of the package that imported it by name
    (`from .compare import compare` binds a name of its own)."""
    module_name, _ = TARGETS[target]
    original = resolve(target)
    signature = inspect.signature(original)

    @functools.wraps(original)
    def mutant(*args, **kwargs):
        signature.bind(*args, **kwargs)  # a wrong call fails as it would have: same signature
        return answer()

    mutant.__signature__ = signature
    patches = []
    for module in _package_modules(module_name.split(".")[0]):
        for name, value in list(vars(module).items()):
            if value is original:
                patches.append(Patch(module, name, None, value))
                setattr(module, name, mutant)
    return patches


def verify_accepts_all() -> list[Patch]:
    """The per-step check says "symbolic" (verified) for every step, right or wrong."""
    verdict, symbolic = resolve("verdict"), resolve("symbolic")
    return _replace_function("check_step", lambda: verdict(symbolic))


def equal_accepts_all() -> list[Patch]:
    """The equality check says "equal, symbolically" for any two expressions."""
    verdict, symbolic = resolve("verdict"), resolve("symbolic")
    return _replace_function("compare", lambda: verdict(symbolic))


def rule_label_changed() -> list[Patch]:
    """The chain rule's printed label becomes "chain" instead of "chain rule"."""
    labels, rule = resolve("rule_labels"), resolve("chain_rule")
    patch = Patch(labels, None, rule, labels[rule])
    labels[rule] = CHANGED_LABEL
    return [patch]


MUTANTS: dict[str, Callable[[], list[Patch]]] = {
    "verify_accepts_all": verify_accepts_all,
    "equal_accepts_all": equal_accepts_all,
    "rule_label_changed": rule_label_changed,
}

applied: list[Patch] = []


def apply(name: str | None) -> list[Patch]:
    """Patch the package as mutant `name` says (nothing for None or ""); the patches made."""
    if not name:
        return []
    if name not in MUTANTS:
        raise pytest.UsageError(f"{ENV}={name!r}: no such mutant; known: {', '.join(MUTANTS)}")
    patches = MUTANTS[name]()
    if not patches:
        raise pytest.UsageError(f"mutant {name} found nothing to patch: update TARGETS")
    return patches


def undo(patches: list[Patch]) -> None:
    for patch in reversed(patches):
        patch.undo()


def pytest_configure(config: pytest.Config) -> None:
    applied.extend(apply(os.environ.get(ENV)))


def pytest_collection_modifyitems(session, config, items: list) -> None:
    if applied:
        items.sort(
            key=lambda item: FIRST.index(item.path.name) if item.path.name in FIRST else len(FIRST)
        )


def pytest_unconfigure(config: pytest.Config) -> None:
    undo(applied)
    applied.clear()


def pytest_terminal_summary(terminalreporter) -> None:
    """Say which mutant ran (shown under -q too, unlike the header)."""
    name = os.environ.get(ENV)
    if name:
        where = sorted(
            f"{p.owner.__name__}.{p.attribute}" if p.attribute else f"[{p.key!r}]" for p in applied
        )
        terminalreporter.write_line(f"symchain mutant: {name} (patched {', '.join(where)})")
