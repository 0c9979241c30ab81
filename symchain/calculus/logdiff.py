"""Logarithmic differentiation as its own route: ln y, the log laws, then y' = y · (ln y)'.

For y = u^v, or a long product or quotient of powers, take ln of both sides
and split with the log laws (ln y = Σ eᵢ ln uᵢ), differentiate each term with
the step engine, and multiply back by y.  The answer is checked against the
direct route, `sympy.diff`.  Strictly the logs are ln|uᵢ|, whose derivative
is uᵢ'/uᵢ too, so the result holds wherever y ≠ 0, not only where y > 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..core.compare import Verdict, compare
from ..core.errors import UsageError
from ..core.parse import read
from ..core.simplify import tidy
from ..core.status import Status, combine
from ..results import Rendered
from .derivation import Derivation, choose_variable, derive


@dataclass(frozen=True)
class LogTerm:
    exponent: sp.Expr  # e in e·ln(u)
    base: sp.Expr  # u
    derivation: Derivation  # d/dx of e·ln(u)


@dataclass(frozen=True)
class LogDerivation(Rendered):
    input: str | None
    expression: sp.Expr
    variable: sp.Symbol
    terms: tuple[LogTerm, ...]
    log_sum: sp.Expr  # Σ eᵢ ln uᵢ
    ratio: sp.Expr  # y'/y = Σ (eᵢ ln uᵢ)'
    derived: sp.Expr  # y · ratio
    result: sp.Expr  # tidied
    check: Verdict  # derived against sympy.diff
    warnings: tuple[str, ...] = ()  # how the formula was read where a convention decided it

    @property
    def verified(self) -> bool:
        return all(t.derivation.verified for t in self.terms) and self.check.confirmed

    @property
    def complete(self) -> bool:
        return all(t.derivation.complete for t in self.terms)

    @property
    def status(self) -> Status:
        return combine((*(t.derivation.status for t in self.terms), self.check.status))


def log_terms(expr: sp.Expr, var: sp.Symbol) -> list[tuple[sp.Expr, sp.Expr]]:
    """(e, u) with ln y = Σ e·ln(u): a power splits into exponent × log of its base."""
    terms = []
    for factor in sp.Mul.make_args(expr):
        if not factor.has(var):
            terms.append((sp.Integer(1), factor))
            continue
        if factor.is_Pow:
            terms.append((factor.exp, factor.base))
        elif isinstance(factor, sp.exp):
            terms.append((factor.args[0], sp.E))
        else:
            terms.append((sp.Integer(1), factor))
    return terms


def log_derive(
    formula: str | sp.Expr, wrt: str | None = None, log10: bool = False
) -> LogDerivation:
    """y' by logarithmic differentiation, every term's derivative derived step by step."""
    reading = (
        read(formula, log10=log10, variables={wrt} if wrt else ())
        if isinstance(formula, str)
        else None
    )
    expr = reading.expr if reading is not None else formula
    var = choose_variable(expr, wrt)
    varying = [f for f in sp.Mul.make_args(expr) if f.has(var)]
    general_power = expr.is_Pow and expr.exp.has(var)
    if not general_power and len(varying) < 2:
        raise UsageError(
            "`method` log is for a power u^v with the variable in the exponent, "
            "or a product or quotient of several factors"
        )
    pairs = [(e, u) for e, u in log_terms(expr, var) if (e * sp.log(u)).has(var)]
    terms = tuple(
        LogTerm(
            e, u, derive(sp.Mul(e, sp.log(u), evaluate=False) if e != 1 else sp.log(u), wrt=var)
        )
        for e, u in pairs
    )
    log_sum = sp.Add(*(e * sp.log(u) for e, u in pairs))
    ratio = sp.Add(*(t.derivation.result for t in terms))
    derived = expr * ratio
    result = tidy(derived, var)
    if not compare(result, derived).confirmed:
        result = derived
    check = compare(derived, sp.diff(expr, var))
    text = formula if isinstance(formula, str) else None
    notes = reading.notes if reading is not None else ()
    return LogDerivation(text, expr, var, terms, log_sum, ratio, derived, result, check, notes)
