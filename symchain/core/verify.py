"""Check every step of a tree against SymPy's own `diff`.

A step with no substeps is compared with `sympy.diff(step.expr, step.var)`
directly.  A step built from substeps is checked as the rule it claims to
be: its parts are replaced by unknown functions G1(x), G2(x), ...; SymPy
differentiates that pattern; the parts' claimed derivatives are put back;
the outcome must equal the step's result.  By induction a tree whose steps
all pass is right, and this costs little even for a chain 200 deep, where
differentiating every subexpression afresh would cost far more.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

import sympy as sp
from sympy.core.function import AppliedUndef

from . import engine
from .compare import Verdict, compare
from .engine import substitute
from .status import step_verdict
from .steps import FAILED, FALLBACK, UNCONFIRMED, Step

#: A step's expression as a function of its parts: parts in, expression out.
_Template = Callable[[Sequence[sp.Expr]], sp.Expr]


def verify_tree(step: Step) -> Step:
    """A copy of the tree with a verdict on every step."""
    substeps = tuple(verify_tree(s) for s in step.substeps)
    status = step_verdict(check_step(step).status, (s.verdict for s in substeps))
    return step.with_verdict(status, substeps)


def check_step(step: Step) -> Verdict:
    """The verdict on one step, taking its substeps' claims as given."""
    if step.rule == FALLBACK:
        if _unevaluated(step.result):
            return Verdict(UNCONFIRMED)  # SymPy could only restate the question
        # meant to be SymPy's diff: compared with it all the same, so a fallback that went
        # wrong cannot pass (a tree over 150 verified steps skips the end-to-end check)
        return compare(step.result, sp.diff(step.expr, step.var))
    if not step.substeps:
        return compare(step.result, sp.diff(step.expr, step.var))
    template, parts = _template(step)
    x = step.var
    unknowns = [sp.Function(f"G{i + 1}")(x) for i in range(len(parts))]
    pattern = template(unknowns)
    rebuilt = pattern.xreplace(dict(zip(unknowns, (p.expr for p in parts), strict=True)))
    same_expr = compare(rebuilt, step.expr)
    if not same_expr.confirmed:
        return same_expr if same_expr.status == FAILED else Verdict(UNCONFIRMED)
    derivatives = {sp.Derivative(g, x): p.result for g, p in zip(unknowns, parts, strict=True)}
    raw = sp.diff(pattern, x)
    if all(d in derivatives for d in raw.atoms(sp.Derivative)):
        # one pass: a product of 199 factors is sorted once, not twice
        values = dict(zip(unknowns, (p.expr for p in parts), strict=True))
        expected = raw.xreplace({**derivatives, **values})
    else:  # f'(G1) of an unknown f: putting G1 back may need a Subs
        expected = raw.xreplace(derivatives)
        for g, p in zip(unknowns, parts, strict=True):
            expected = substitute(expected, g, p.expr)
    if _unevaluated(expected):  # d/dx sign(G1(x)) stays unevaluated (G1 is not known real)
        expected = expected.doit()
    return compare(step.result, expected)


def _unevaluated(expr: sp.Expr) -> bool:
    """True when expr holds d/dx of something other than an unknown function."""
    return any(not isinstance(d.expr, AppliedUndef) for d in expr.atoms(sp.Derivative))


def _template(step: Step) -> tuple[_Template, tuple[Step, ...]]:
    """How the step's expression is put together from its parts, as a function of them."""
    rule, parts = step.rule, step.substeps
    if rule == engine.SUM:
        return (lambda g: sp.Add(*g)), parts
    if rule == engine.PRODUCT:
        return (lambda g: sp.Mul(*g)), parts
    if rule == engine.QUOTIENT:
        return (lambda g: g[0] / g[1]), parts
    if rule == engine.CONSTANT_MULTIPLE:
        # Step.factor is optional, but a constant-multiple step always carries one
        return (lambda g: cast(sp.Expr, step.factor) * g[0]), parts
    if rule == engine.GENERAL_POWER:
        return (lambda g: g[0] ** g[1]), parts
    if rule == engine.CHAIN:
        outer, inner = parts
        ((u, _),) = step.names
        return (lambda g: outer.expr.xreplace({u: g[0]})), (inner,)
    if rule == engine.PIECEWISE:
        conditions = [piece.args[1] for piece in step.expr.args]  # (expression, condition)
        return (lambda g: sp.Piecewise(*zip(g, conditions, strict=True))), parts
    if rule == engine.SEVERAL_ARGUMENTS:
        args = list(step.expr.args)
        positions = [i for i, a in enumerate(args) if a.has(step.var)]

        def rebuild(g: Sequence[sp.Expr]) -> sp.Expr:
            new = list(args)
            for i, gi in zip(positions, g, strict=True):
                new[i] = gi
            return cast(sp.Expr, step.expr.func(*new))  # func is unannotated

        return rebuild, parts
    raise ValueError(f"no template for rule {rule!r}")
