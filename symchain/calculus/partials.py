"""Partial derivatives and their collections: the gradient, the Jacobian, the Hessian.

Every entry is derived by the ordinary step engine (`derive(expr, wrt=v)`), so
every entry has its own verified step tree.  A Hessian entry is the derivative
of a gradient entry: the tidied ∂f/∂xᵢ, derived again by xⱼ.  On top of the
entries' own checks the whole matrix is compared, entry by entry, with SymPy's
(`Matrix.jacobian`, `sympy.hessian`), and the Hessian's symmetry is checked, so
`verified` means: every entry's steps, every entry against SymPy's matrix, and
(for the Hessian) Hᵢⱼ = Hⱼᵢ were all confirmed.

Which variables, and what counts as a mistake:

- `vars=None` takes every free symbol of the formula, sorted by name, numbers
  counted as numbers (x2 before x10); for the Jacobian, of all the rows
  together.  `vars` may also be a string (`"x, y"`) or a list of names (or
  symbols); the order given is the order of the entries.
- Each name must be a plain name (`x`, `t1`), given once; at least one and at
  most `MAX_VARS` of them.  A Jacobian has at most `MAX_ROWS` rows.
- For `gradient` and `hessian`, naming a variable the formula does not have is
  an **error**, not a zero entry: it is almost always a typo, and the message
  lists the variables the formula has.
- For `jacobian`, a variable absent from some rows is fine (those entries are
  derived like any other and are 0); a variable absent from **every** row is
  an error, for the same reason.
- A formula with no variables at all is an error: there is nothing to
  differentiate by.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import sympy as sp

from ..core.compare import Verdict, compare
from ..core.errors import LimitError, ParseError, UsageError
from ..core.parse import case_hint, read
from ..core.status import Status, combine
from ..core.steps import FAILED
from ..results import Rendered
from .derivation import Derivation, check_name, derive

MAX_VARS = 20
MAX_ROWS = 20

Vars = str | Sequence[str | sp.Symbol] | None


@dataclass(frozen=True)
class Entry:
    """One entry of a gradient, Jacobian or Hessian: its derivation and its matrix check.

    `variables` is the order of differentiation: (x,) for ∂f/∂x, (x, y) for
    ∂/∂y (∂f/∂x).  `check` compares the entry with SymPy's own matrix entry.
    `row` and `column` place it in the Jacobian or Hessian; a gradient entry
    has row 0 and its variable's index as column (the one row of the Jacobian
    of f), although the gradient is shown as a column.
    """

    row: int
    column: int
    variables: tuple[sp.Symbol, ...]
    derivation: Derivation
    check: Verdict
    #: the form shown for the entry where it is not the derivation's own answer: a
    #: Hessian's Hᵢⱼ and Hⱼᵢ, proved equal, are printed in one form (the shorter)
    form: sp.Expr | None = None

    @property
    def result(self) -> sp.Expr:
        return self.form if self.form is not None else self.derivation.result

    @property
    def verified(self) -> bool:
        return self.derivation.verified and self.check.confirmed

    @property
    def complete(self) -> bool:
        return self.derivation.complete

    @property
    def status(self) -> Status:
        return combine((self.derivation.status, self.check.status))

    @property
    def failed(self) -> bool:
        """Some step, or the comparison with SymPy, shows the entry is wrong."""
        return self.status == FAILED


class Partials(Rendered):
    """What the gradient, the Jacobian and the Hessian share: entries, a matrix, output."""

    kind = ""
    entries: tuple[Entry, ...]
    variables: tuple[sp.Symbol, ...]

    @property
    def shape(self) -> tuple[int, int]:
        rows = 1 + max(e.row for e in self.entries)
        columns = 1 + max(e.column for e in self.entries)
        return rows, columns

    @cached_property
    def matrix(self) -> sp.Matrix:
        """The entries (tidied) as a SymPy matrix; the gradient is a column."""
        rows, columns = self.shape
        grid = [[sp.S.Zero] * columns for _ in range(rows)]
        for e in self.entries:
            grid[e.row][e.column] = e.result
        return sp.Matrix(grid)

    @property
    def complete(self) -> bool:
        """No entry's steps fell back to SymPy's own diff."""
        return all(e.complete for e in self.entries) and all(c.complete for c in self.sources)

    @property
    def checks(self) -> tuple[Verdict, ...]:
        """Checks of the whole beyond the entries' own (the Hessian's symmetry)."""
        return ()

    @property
    def sources(self) -> tuple[Partials, ...]:
        """Collections the entries were derived from (the Hessian's gradient)."""
        return ()

    @property
    def verified(self) -> bool:
        return (
            all(e.verified for e in self.entries)
            and all(v.confirmed for v in self.checks)
            and all(c.verified for c in self.sources)
        )

    @property
    def status(self) -> Status:
        """verified, failed (something differs from SymPy) or unconfirmed."""
        entries = (e.status for e in self.entries)
        sources = (c.status for c in self.sources)
        return combine((*entries, *(v.status for v in self.checks), *sources))


@dataclass(frozen=True, eq=False)
class Gradient(Partials):
    """∇f: one partial derivative per variable, each derived step by step."""

    input: str | None
    expression: sp.Expr
    variables: tuple[sp.Symbol, ...]
    entries: tuple[Entry, ...]
    warnings: tuple[str, ...] = ()  # how the formula was read where a convention decided it

    kind = "gradient"

    @property
    def shape(self) -> tuple[int, int]:
        """A column: one row per variable."""
        return len(self.entries), 1

    @cached_property
    def matrix(self) -> sp.Matrix:
        return sp.Matrix(self.results)

    @property
    def results(self) -> tuple[sp.Expr, ...]:
        return tuple(e.result for e in self.entries)

    def __getitem__(self, name: str | sp.Symbol) -> sp.Expr:
        """The partial derivative by a variable, given by name or symbol."""
        wanted = name.name if isinstance(name, sp.Symbol) else name
        for e in self.entries:
            if e.variables[0].name == wanted:
                return e.result
        raise KeyError(name)


@dataclass(frozen=True, eq=False)
class Jacobian(Partials):
    """J = ∂(f1, ..., fm)/∂(x1, ..., xn): row i is the gradient of formula i."""

    inputs: tuple[str | None, ...]
    expressions: tuple[sp.Expr, ...]
    variables: tuple[sp.Symbol, ...]
    entries: tuple[Entry, ...]
    warnings: tuple[str, ...] = ()

    kind = "jacobian"

    def determinant(self) -> sp.Expr:
        """det J of a square Jacobian, tidied (computed by SymPy, not derived in steps)."""
        rows, columns = self.shape
        if rows != columns:
            raise UsageError(f"a {rows}×{columns} Jacobian has no determinant: it is not square")
        return sp.factor_terms(sp.simplify(self.matrix.det()))


@dataclass(frozen=True, eq=False)
class Hessian(Partials):
    """H f: entry (i, j) is ∂/∂xⱼ of the gradient's ∂f/∂xᵢ, derived step by step."""

    input: str | None
    expression: sp.Expr
    variables: tuple[sp.Symbol, ...]
    gradient: Gradient
    entries: tuple[Entry, ...]
    symmetry: tuple[Verdict, ...]  # Hᵢⱼ against Hⱼᵢ for every i < j
    warnings: tuple[str, ...] = ()

    kind = "hessian"

    @property
    def symmetric(self) -> bool:
        return all(v.confirmed for v in self.symmetry)

    @property
    def checks(self) -> tuple[Verdict, ...]:
        return self.symmetry

    @property
    def sources(self) -> tuple[Partials, ...]:
        return (self.gradient,)


def gradient(formula: str | sp.Expr, vars: Vars = None, log10: bool = False) -> Gradient:
    """∇f, each partial derivative derived step by step and checked against SymPy; `log10`
    reads log as the logarithm to base 10.

    Parameters
    ----------
    formula : str or sympy.Expr
        The function of several variables.
    vars : str or sequence, optional
        The variables and their order (``"x, y"``); by default every one, sorted.
    log10 : bool, default False
        Read ``log`` as the logarithm to base 10.
    timeout, memory : float, optional
        Seconds and GiB allowed, as on the command line.

    Returns
    -------
    Gradient
        ``.results`` (one per variable), ``g[name]``, ``.matrix`` (a column),
        ``.entries`` (each with its full ``.derivation``), ``.verified``.

    Examples
    --------
    >>> g = gradient("x^2 y")
    >>> g.results, g.verified
    ((2*x*y, x**2), True)
    """
    text, expr, notes = _read(formula, None, log10)
    variables = _choose(vars, [expr])
    entries = _derive_row(expr, 0, variables, sp.Matrix([expr]).jacobian(variables).row(0))
    return Gradient(text, expr, variables, tuple(entries), notes)


def jacobian(formulas: Sequence[str | sp.Expr], vars: Vars = None, log10: bool = False) -> Jacobian:
    """The Jacobian of several formulas, each entry derived step by step and checked.

    Parameters
    ----------
    formulas : sequence of str or sympy.Expr
        The components f₁, f₂, ... (one formula alone is a row).
    vars : str or sequence, optional
        The variables and their order; by default every one, sorted.
    log10 : bool, default False
        Read ``log`` as the logarithm to base 10.
    timeout, memory : float, optional
        Seconds and GiB allowed, as on the command line.

    Returns
    -------
    Jacobian
        ``.matrix``, ``.determinant()`` (square ones), ``.entries``, ``.verified``.

    Examples
    --------
    >>> jacobian(["r cos(t)", "r sin(t)"], vars="r,t").determinant()
    r
    """
    if isinstance(formulas, (str, sp.Basic)):
        formulas = [formulas]
    formulas = list(formulas)
    if not formulas:
        raise UsageError("give at least one formula")
    if len(formulas) > MAX_ROWS:
        raise LimitError(f"{len(formulas)} formulas; the limit is {MAX_ROWS}")
    readings = [_read(f, row, log10) for row, f in enumerate(formulas, start=1)]
    texts = tuple(t for t, _, _ in readings)
    exprs = tuple(e for _, e, _ in readings)
    notes = tuple(
        f"formula {row}: {note}" for row, (_, _, ns) in enumerate(readings, start=1) for note in ns
    )
    variables = _choose(vars, exprs)
    reference = sp.Matrix(exprs).jacobian(variables)
    entries = []
    for row, expr in enumerate(exprs):
        entries += _derive_row(expr, row, variables, reference.row(row))
    return Jacobian(texts, exprs, variables, tuple(entries), notes)


def hessian(formula: str | sp.Expr, vars: Vars = None, log10: bool = False) -> Hessian:
    """The Hessian: each gradient entry derived again by each variable, then checked whole.

    The mixed partials Hᵢⱼ and Hⱼᵢ are derived separately and compared; where they are
    shown equal, both are written in the shorter form.

    Parameters
    ----------
    formula : str or sympy.Expr
        The function of several variables.
    vars : str or sequence, optional
        The variables and their order; by default every one, sorted.
    log10 : bool, default False
        Read ``log`` as the logarithm to base 10.
    timeout, memory : float, optional
        Seconds and GiB allowed, as on the command line.

    Returns
    -------
    Hessian
        ``.matrix``, ``.symmetric``, ``.gradient`` (the first derivatives it starts
        from), ``.entries``, ``.verified``.

    Examples
    --------
    >>> h = hessian("x^2 y")
    >>> h.matrix, h.symmetric
    (Matrix([
    [2*y, 2*x],
    [2*x,   0]]), True)
    """
    grad = gradient(formula, vars, log10)
    variables = grad.variables
    reference = sp.hessian(grad.expression, variables)
    entries = []
    for first in grad.entries:
        i = first.column
        for j, var in enumerate(variables):
            d = derive(first.result, wrt=var)
            check = compare(d.result, reference[i, j])
            entries.append(Entry(i, j, (variables[i], var), d, check))
    results = {(e.row, e.column): e.result for e in entries}
    n = len(variables)
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    symmetry = tuple(compare(results[i, j], results[j, i]) for i, j in pairs)
    for (i, j), same in zip(pairs, symmetry, strict=True):
        if same.confirmed and results[i, j] != results[j, i]:  # one form for both, the shorter
            shorter = min(
                results[i, j], results[j, i], key=lambda e: (sp.count_ops(e), len(str(e)))
            )
            for k, e in enumerate(entries):
                if (e.row, e.column) in ((i, j), (j, i)) and e.result != shorter:
                    entries[k] = replace(e, form=shorter)
    return Hessian(
        grad.input, grad.expression, variables, grad, tuple(entries), symmetry, grad.warnings
    )


def _derive_row(
    expr: sp.Expr, row: int, variables: tuple[sp.Symbol, ...], reference: sp.Matrix
) -> list[Entry]:
    """One row of partial derivatives, each also compared with SymPy's matrix entry."""
    entries = []
    for column, var in enumerate(variables):
        d = derive(expr, wrt=var)
        entries.append(Entry(row, column, (var,), d, compare(d.result, reference[column])))
    return entries


def _read(
    formula: str | sp.Expr, row: int | None = None, log10: bool = False
) -> tuple[str | None, sp.Expr, tuple[str, ...]]:
    """(the text as typed or None, the expression, how it was read); in a Jacobian, errors
    name the row."""
    if isinstance(formula, str):
        try:
            reading = read(formula, log10=log10)
        except ParseError as err:
            if row is None:
                raise
            message = err.message
            if "',' only separates arguments" in message:  # "x*y, x+y": the rows in one
                message = ("one formula per argument: give the rows apart, like "
                           'jacobian "x*y" "x+y"')  # fmt: skip
            raise ParseError(
                f"formula {row}: {message}", text=err.text, position=err.position
            ) from None
        return formula, reading.expr, reading.notes
    if isinstance(formula, sp.Expr):
        return None, formula, ()
    where = f"formula {row}: " if row is not None else ""
    raise UsageError(f"{where}give a formula as text or a SymPy expression")


def _choose(vars: Vars, exprs: Sequence[sp.Expr]) -> tuple[sp.Symbol, ...]:
    """The variables to differentiate by, as the formulas' own symbols.

    Names are matched to the formulas' symbols (not made afresh), so that a
    SymPy expression with non-real symbols is differentiated by its own x.  A
    name must be in at least one formula: for one formula, in that formula.
    """
    present = _symbols_by_name(exprs)
    if vars is None:
        if not present:
            raise UsageError(_no_variables(exprs))
        chosen = [present[name] for name in sorted(present, key=natural_key)]
    else:
        names = _names(vars)
        missing = [n for n in names if n not in present]
        if missing:
            raise UsageError(_missing_message(missing, present, len(exprs)))
        chosen = [present[n] for n in names]
    if len(chosen) > MAX_VARS:
        raise LimitError(f"{len(chosen)} variables; the limit is {MAX_VARS} (choose with `vars`)")
    return tuple(chosen)


def natural_key(name: str) -> tuple:
    """Sort key for names with numbers in them: x2 before x10, as a reader counts."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name))


def _symbols_by_name(exprs: Iterable[sp.Expr]) -> dict[str, sp.Symbol]:
    """Every free symbol of the formulas, by name; two different symbols of one name are refused."""
    found: dict[str, sp.Symbol] = {}
    for expr in exprs:
        for s in expr.free_symbols:
            if found.setdefault(s.name, s) != s:
                raise UsageError(
                    f"two different symbols are both called {s.name} (with different "
                    "assumptions): use one"
                )
    return found


def _names(vars: Vars) -> list[str]:
    """The variable names asked for: checked plain names, at least one, none twice."""
    if isinstance(vars, str):
        if not vars.strip():
            raise UsageError("`vars` is empty: give at least one variable, like `vars` x,y")
        pieces = [p.strip() for p in vars.split(",")]
        if any(not p for p in pieces):
            raise UsageError(f"`vars` {vars!r} has an empty name: separate names by single commas")
    elif isinstance(vars, (list, tuple)):
        pieces = [v.name if isinstance(v, sp.Symbol) else v for v in vars]
    else:
        raise UsageError(f"`vars` must be names like 'x,y' or a list of names, not {vars!r}")
    if not pieces:
        raise UsageError("`vars` is empty: give at least one variable, like `vars` x,y")
    if len(pieces) > MAX_VARS:
        raise LimitError(f"{len(pieces)} variables; the limit is {MAX_VARS}")
    names = [check_name(p) for p in pieces]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UsageError(f"`vars` names {', '.join(twice)} more than once")
    return names


def _no_variables(exprs: Sequence[sp.Expr]) -> str:
    if len(exprs) == 1:
        return f"the formula {sp.sstr(exprs[0])} has no variables to differentiate by"
    return "the formulas have no variables to differentiate by"


def _missing_message(missing: list[str], present: dict[str, sp.Symbol], rows: int) -> str:
    names = ", ".join(missing)
    known = ", ".join(sorted(present)) or "none"
    subject = "any of the formulas" if rows > 1 else "the formula"
    verb = "is" if len(missing) == 1 else "are"
    hint = case_hint(missing, present)
    return f"`vars` names {names}, which {verb} not in {subject} (variables: {known}){hint}"
