"""`symchain.derive`, the public entry: one formula (calculus/derivation.py), or with `let`
a computation graph by the multivariable chain rule (calculus/multivariable.py), as the
command line's `--let` does.  Its own module, so that neither of those imports the other."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy as sp

from ..core.errors import UsageError
from . import derivation

if TYPE_CHECKING:
    from .multivariable import ChainDerivation


def derive(
    formula: str | sp.Expr,
    wrt: str | sp.Symbol | None = None,
    order: int = 1,
    at: dict | str | None = None,
    tangent: bool = False,
    log10: bool = False,
    *,
    let: dict | list | None = None,
) -> derivation.Derivation | ChainDerivation:
    """Derive `formula` with respect to `wrt`, step by step, every step checked.

    Parameters
    ----------
    formula : str or sympy.Expr
        What people type (``"x^2 e^(-x)"``, ``"sin^-1 x"``, ``"|x|"``) or a SymPy
        expression (give it real symbols, as the parser makes them).
    wrt : str or sympy.Symbol, optional
        The variable; needed only when the formula has several.
    order : int, default 1
        The order of the derivative, each order derived with its steps.
    at : dict or str, optional
        A point, ``{"x": 2}`` or ``"x=2"``: the derivative is also evaluated there.
    tangent : bool, default False
        With `at`: the tangent line there.
    log10 : bool, default False
        Read ``log`` as the logarithm to base 10 (not ln).
    let : dict or list, optional
        Names defined in terms of others, ``{"x": "t**2", "y": "sin(t)"}`` (or
        ``["x=t**2", "y=sin(t)"]``), as the command line's ``--let``: `formula` is then
        derived by the multivariable chain rule over that computation graph, and the
        result is a ``ChainDerivation`` (keyword only; not with `order`, `at`, `tangent`).
    timeout, memory : float, optional
        Seconds and GiB allowed, as the command line's limits (keyword only).

    Returns
    -------
    Derivation
        ``.result`` (the tidied answer), ``.steps`` (the step tree), ``.verified``,
        ``.complete``, ``.to_dict()``; ``print()`` gives the plain text, and a notebook
        shows it as Markdown.

    Raises
    ------
    ParseError
        The formula cannot be read.
    UsageError
        The request does not make sense (an unclear variable, an equation).
    LimitError
        A time or size limit was reached.

    Examples
    --------
    >>> d = derive("(3x+1)^2")
    >>> d.result, d.verified
    (18*x + 6, True)
    >>> derive("x^3", order=2, at="x=2").value
    12
    >>> d
    <Derivation d/dx (3x + 1)² = 18x + 6 (✓ verified)>
    """
    if let is None:
        return derivation.derive(formula, wrt, order, at, tangent, log10)
    if order != 1 or at is not None or tangent:
        raise UsageError("`let` works with the first derivative only, without `at`")
    from .multivariable import derive_chain

    return derive_chain(formula, let, wrt, log10=log10)
