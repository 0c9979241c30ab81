"""The step tree: immutable records of what each rule claimed.

Nothing here computes or prints; the engine builds steps, `verify` judges them
and the renderers arrange them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import sympy as sp

#: Verdicts a step can carry after verification.
SYMBOLIC = "symbolic"  # equal to SymPy's diff, shown symbolically
NUMERIC = "numeric"  # equal to SymPy's diff at random points
UNCONFIRMED = "unconfirmed"  # neither shown nor refuted
FAILED = "failed"  # differs from SymPy's diff
CONFIRMED = (SYMBOLIC, NUMERIC)

#: The rule used when the engine has no rule of its own and asks SymPy.
FALLBACK = "sympy"


@dataclass(frozen=True, slots=True)
class Step:
    """One rule applied to one expression: d/d(var) expr = result.

    `names` holds the inner functions a chain rule introduced (u = 3x + 1);
    `factor` is the constant a constant-multiple step pulls out; `formula`
    is the derivative formula a function rule used, in its own variable.
    """

    rule: str
    expr: sp.Expr
    var: sp.Symbol
    result: sp.Expr
    substeps: tuple[Step, ...] = ()
    names: tuple[tuple[sp.Symbol, sp.Expr], ...] = ()
    factor: sp.Expr | None = None
    verdict: str | None = None
    note: str | None = None
    extra: tuple[sp.Expr, ...] = field(default=())  # multivariable chain: the partials

    def walk(self) -> Iterator[Step]:
        """Every step of the tree, parents before children."""
        stack = [self]
        while stack:
            step = stack.pop()
            yield step
            stack.extend(reversed(step.substeps))

    @property
    def complete(self) -> bool:
        """True when no step of the tree fell back to SymPy."""
        return all(step.rule != FALLBACK for step in self.walk())

    @property
    def verified(self) -> bool:
        """True when every step of the tree was confirmed against SymPy."""
        return all(step.verdict in CONFIRMED for step in self.walk())

    def with_verdict(self, verdict: str, substeps: tuple[Step, ...] | None = None) -> Step:
        if substeps is None:
            substeps = self.substeps
        return replace(self, verdict=verdict, substeps=substeps)
