"""The backprop walkthrough as lines (every text format) and as JSON.

Matrix form throughout, so the text does not grow with the layer widths;
shapes in brackets follow the layout shown (samples as rows, the seed's
X @ W1, or as columns, a = σ(Wx + b)).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...matrixcalc.backward import Adjoint, Reverse
from ...matrixcalc.differential import Step
from ...matrixcalc.expr import Var, depends_on
from ...matrixcalc.notation import latex as matrix_latex
from ...matrixcalc.notation import sympy_text
from ...matrixcalc.notation import text as matrix_text
from ...nn.backprop import DIRECTIONAL_STEP, SOFTMAX_LABEL, THRESHOLD, Walkthrough
from ...nn.network import shown
from .. import View, json_text, view
from ..formats import Detail, Format
from ..layout import (
    EQ,
    Bar,
    Curve,
    Formula,
    Line,
    Math,
    Number,
    Table,
    Text,
    curve,
    rules_used,
    table,
    title,
    words,
)

SEED_NAMES = {"W1": "W", "b1": "b", "W2": "V", "b2": "c"}


@view("Walkthrough")
class WalkthroughView(View):
    def lines(self, result: Walkthrough, detail: Detail = "normal", **_: Any) -> list[Line]:
        return backprop_lines(result, detail)

    def to_dict(self, result: Walkthrough) -> dict[str, Any]:
        return backprop_dict(result)

    def text(self, result: Walkthrough, fmt: Format, detail: Detail = "normal", **_: Any) -> str:
        if fmt in ("json", "jsonl"):  # ASCII-only, as this command's JSON has always been
            return json_text(backprop_dict(result), fmt, ensure_ascii=True)
        return super().text(result, fmt, detail)


def _eq(depth: int, text: str, latex: str | None = None) -> Line:
    part = Formula(text, latex) if latex is not None else Text(text)
    return Line(depth, (part,), kind="step")


class _Names:
    """The layout and batch size the text is written for: rows or columns, one sample or
    N (the symbols themselves are the derived program's, `DerivedBackward.names`)."""

    def __init__(self, w: Walkthrough) -> None:
        self.w = w
        self.n = w.x.shape[0]
        self.rows = w.layout == "rows"
        self.batch = self.n > 1

    def weight_shape(self, layer: int) -> str:
        n_in, n_out = self.w.network.sizes[layer - 1], self.w.network.sizes[layer]
        return f"[{n_in}×{n_out}]" if self.rows else f"[{n_out}×{n_in}]"


def _header(w: Walkthrough, names: _Names) -> list[Line]:
    net = w.network
    arrows = " → ".join(str(s) for s in net.sizes)
    acts = ", ".join(dict.fromkeys(net.activations))
    lines = [title(f"Network {arrows}: {acts}; loss {net.loss.name} ({net.loss.title})")]
    params = ", ".join(
        f"{n} {names.weight_shape(int(n[1:]))}"
        if n.startswith("W")
        else f"{n} [{net.sizes[int(n[1:])]}]"
        for n in net.names
    )
    lines.append(words(1, f"parameters: {params}"))
    if net.layers == 2:
        lines.append(words(1, "the seed's W, b, V, c are W1, b1, W2, b2"))
    if names.rows:
        lines.append(words(1, "layout rows: samples are rows, as in the seed's code (X @ W1 + b1)"))
    else:
        lines.append(words(1, "layout columns: samples are columns, as in a = σ(Wx + b)"))
    lines.append(
        words(
            1,
            "b is a column vector: bᵀ is a row, added to each sample's row"
            if names.rows
            else "b is a column vector, added to each sample's column",
        )
    )
    return lines


def _loss_text(w: Walkthrough, names: _Names) -> tuple[str, str]:
    loss, n, k = w.network.loss, names.n, w.network.sizes[-1]
    body = {
        "half-sse": ("½ Σ_k (y_k − t_k)²", r"\tfrac12 \sum_k (y_k - t_k)^2"),
        "mse": ("Σ_k (y_k − t_k)²", r"\sum_k (y_k - t_k)^2"),
        "bce": (
            "Σ_k [t_k ln y_k + (1 − t_k) ln(1 − y_k)]",
            r"\sum_k \left[t_k \ln y_k + (1 - t_k)\ln(1 - y_k)\right]",
        ),
        "softmax-ce": (
            "[ln Σ_k e^(y_k) − Σ_k t_k y_k]",
            r"\left[\ln \sum_k e^{y_k} - \sum_k t_k y_k\right]",
        ),
    }[loss.name]
    sign = "−" if loss.name == "bce" else ""
    scale = loss.scale(n, k)
    if scale == 1:
        factor, factor_tex = "", ""
    else:
        denominator = round(1 / scale)
        factor, factor_tex = f"(1/{denominator}) ", rf"\frac{{1}}{{{denominator}}}"
    over = "Σ_n " if n > 1 else ""
    over_tex = r"\sum_n " if n > 1 else ""
    sign_tex = "-" if sign else ""
    return f"L = {sign}{factor}{over}{body[0]}", f"L = {sign_tex}{factor_tex}{over_tex}{body[1]}"


def _forward(w: Walkthrough, names: _Names) -> list[Line]:
    """The network as the matrix definitions the backward pass is derived from."""
    d = w.derived
    lines = [title("Forward pass")]
    if d is None:
        return lines
    for name, expr in d.program:
        formula = Formula(
            f"{matrix_text(Var(name))} = {matrix_text(expr)}",
            f"{matrix_latex(Var(name))} = {matrix_latex(expr)}",
        )
        parts: tuple = (formula,)
        if name != "L":
            r, c = d.reverse.shapes.of_var[name]
            parts += (Text(f"   [{r}×{c}]"),)
        if name == "S":
            parts += (Text("   each sample's softmax"),)
        lines.append(Line(1, parts, kind="step"))
    text, tex = _loss_text(w, names)
    lines.append(_eq(2, "= " + text.split(" = ", 1)[1], "= " + tex.split(" = ", 1)[1]))
    if w.network.loss.name == "softmax-ce":
        lines.append(
            words(
                1,
                "y holds the scores; with one-hot t (Σ_k t_k = 1) this is "
                "−Σ_k t_k ln softmax(y)_k, the cross-entropy of the softmax",
            )
        )
    if names.batch:
        where = "row" if names.rows else "column"
        lines.append(words(1, f"1 is a column of ones, [{names.n}×1] in the bias: the bias is "
                              f"added to every {where}; elsewhere 1 has the size its product "
                              "needs"))  # fmt: skip
    return lines


#: Labels whose LaTeX is not their text's: a sum with a subscript, written as a sum.
_LABEL_LATEX = {
    SOFTMAX_LABEL: r"\frac{\partial \ell}{\partial y_{k}} \;\bigl(s = \textstyle\sum_{j \neq k} "
    r"e^{y_{j}}\bigr) = ",
}


def _label(label: str) -> Text | Formula:
    """A local derivative's name and its '=': σ′(z) = ."""
    text = f"{label.replace(chr(39), '′')} = "
    latex = _LABEL_LATEX.get(label)
    return Text(text) if latex is None else Formula(text, latex)


def _locals(w: Walkthrough) -> list[Line]:
    lines = [title("Local derivatives (derived step by step, checked against SymPy)")]
    for local in [*w.activation_derivatives.values(), w.loss_derivative]:
        d = local.derivation
        mark = "✓" if d.verified else "?"
        parts = [_label(local.label), Math(d.result)]
        if local.closed_text:
            parts += [EQ, Text(local.closed_text)]
            mark = "✓" if d.verified and local.check.confirmed else "?"
        rule = ", ".join(rules_used(d))
        lines.append(Line(1, (*parts, Text(f"   {mark}")), rule, "step"))
    return lines


def _backward(w: Walkthrough, names: _Names) -> list[Line]:
    """The reverse pass the matrix engine derived: each adjoint, with the differential it
    was pulled through, and the layer's parameters after its δ."""
    d = w.derived
    if d is None:
        return []
    net, rev = w.network, d.reverse
    lines = [title("Backward pass, derived by differentials (reverse accumulation)")]
    by_symbol = {a.name: a for a in rev.adjoints}
    layer_of = {d.names[f"z{layer}"]: layer for layer in range(1, net.layers + 1)}
    said: set[str] = set()  # each differential once, at the first line pulled through it
    for definition in reversed(rev.definitions[:-1]):
        name = definition.name
        adjoint = by_symbol.get(name)
        if adjoint is None:
            continue
        lines.append(_adjoint_line(rev, adjoint, _consumers(rev, name), said))
        layer = layer_of.get(name)
        if layer is not None:
            for param in (f"W{layer}", f"b{layer}"):
                lines.append(_adjoint_line(rev, by_symbol[param], [definition], said))
    if net.loss.name == "bce" and net.activations[-1] == "sigmoid":
        lines.append(
            words(1, "σ′ cancels the cross-entropy's 1/(y(1 − y)): the seed's dz2 = a2 − y")
        )
    if names.batch:
        lines.append(words(1, "the products with 1 and with the transposes add over the samples"))
    worst = max(d.differences, key=lambda n: d.differences[n])
    if d.agrees:
        text = (
            "✓ each gradient above, evaluated at the instance, is numpy's backprop "
            f"(largest relative difference {d.differences[worst]:.1e})"
        )
    else:
        text = (
            f"✗ the derived ∂L/∂{worst} is not numpy's at the instance "
            f"(relative difference {d.differences[worst]:.1e})"
        )
    lines.append(words(1, text))
    return lines


def _consumers(rev: Reverse, name: str) -> list[Step]:
    """The definitions on the way to L that use `name` (S, shown for the adjoints, is not)."""
    on_path = {a.name for a in rev.adjoints} | {rev.definitions[-1].name}
    return [c for c in rev.definitions if c.name in on_path and depends_on(c.expr, {name})]


def _adjoint_line(rev: Reverse, adjoint: Adjoint, consumers: list[Step], said: set[str]) -> Line:
    name = adjoint.name
    var = Var(name)
    left = f"∂L/∂{matrix_text(var)}"
    left_tex = rf"\frac{{\partial L}}{{\partial {matrix_latex(var)}}}"
    if adjoint.symbol is not None:
        delta = Var(adjoint.symbol)
        left = f"{matrix_text(delta)} = {left}"
        left_tex = f"{matrix_latex(delta)} = {left_tex}"
    body = Formula(
        f"{left} = {matrix_text(adjoint.value)}", f"{left_tex} = {matrix_latex(adjoint.value)}"
    )
    r, c = rev.shapes.of_var[name]
    shape = f"[{r}]" if name.startswith("b") and c == 1 else f"[{r}×{c}]"
    through = "; ".join(
        f"d{matrix_text(Var(c.name))} = {matrix_text(c.differential)}"
        for c in consumers
        if c.name not in said
    )
    said.update(c.name for c in consumers)
    return Line(1, (body, Text(f"   {shape}")), f"from {through}" if through else None, "step")


def _one_weight(w: Walkthrough, names: _Names) -> list[Line]:
    """∂L/∂W_{L-1}[0,0] as a product along its paths, and its value against numpy's."""
    net = w.network
    L = net.layers
    if L < 2:
        return []
    j = L - 1  # the weight's layer
    k_sum = "Σ_k " if net.sizes[-1] > 1 else ""
    k = "k" if net.sizes[-1] > 1 else "0"
    f_out, f_mid = net.activation(L).symbol, net.activation(j).symbol
    a_in = "x" if j == 1 else f"a{j - 1}"
    entry = f"W{j}[0,0]"
    lines = [title(f"One weight, {entry}, in Leibniz form")]
    y, zl, aj, zj = f"y[{k}]", f"z{L}[{k}]", f"a{j}[0]", f"z{j}[0]"
    chain = (
        f"∂L/∂{entry} = {k_sum}∂L/∂{y} · ∂{y}/∂{zl} · ∂{zl}/∂{aj} · ∂{aj}/∂{zj} · ∂{zj}/∂{entry}"
    )
    lines.append(_eq(1, chain))
    weight = f"W{L}[0,{k}]" if names.rows else f"W{L}[{k},0]"
    lines.append(
        _eq(2, f"= {k_sum}∂L/∂{y} · {f_out}′({zl}) · {weight} · {f_mid}′({zj}) · {a_in}[0]")
    )
    value = w.one_weight
    numpy_value = w.gradients[f"W{j}"]["numpy"][0, 0]
    over = f", summed over the {names.n} samples" if names.batch else ""
    lines.append(
        words(1, f"at the instance{over}: {value:.10g} (numpy's ∂L/∂{entry}: {numpy_value:.10g})")
    )
    return lines


def _check(w: Walkthrough) -> list[Line]:
    net = w.network
    lines = [
        title(
            f"Numeric check (seed {w.seed}, {w.x.shape[0]} sample{'s' if w.x.shape[0] > 1 else ''})"
        )
    ]
    sym = (
        "sympy.diff of the scalar loss"
        if w.symbolic_method == "scalar"
        else "the derived formulas above"
    )
    lines.append(words(1, f"symbolic: {sym}, lambdified; numpy: vectorized backprop"))
    if w.kinks:
        lines.append(
            words(1, f"finite differences: skipped: {w.kinks} ReLU pre-activation(s) within 0.01")
        )
        lines.append(words(1, "  of the kink, where a difference quotient straddles two slopes;"))
        lines.append(words(1, "  symbolic and numpy are compared, both taking relu'(0) = 0"))
    elif w.fd_method == "five-point":
        lines.append(words(1, "finite differences: five-point central differences of L in float64"))
    else:
        lines.append(
            words(
                1,
                f"finite differences: {net.count():,} parameters, so directional derivatives",
            )
        )
    lines.append(words(1, "rel is |a − b|/(|a| + |b|), counted as 0 where |a − b| is below "
                          "the rounding noise of the pair"))  # fmt: skip
    rows = []
    for name in net.names:
        a = w.comparisons["symbolic-numpy"][name]
        b = w.comparisons.get("numpy-finite_difference", {}).get(name)
        shape = "×".join(str(s) for s in shown(w.gradients[name]["numpy"], name, w.layout).shape)
        fd = (Number(b.max_abs, ".1e"), Number(b.max_rel, ".1e")) if b else ("—", "—")
        ok = "✓" if a.passed and (b is None or b.passed) else "✗"
        rows.append(
            (name, f"[{shape}]", Number(a.max_abs, ".1e"), Number(a.max_rel, ".1e"), *fd, ok)
        )
    header = (
        "param",
        "shape",
        Formula("|sym−np|", r"\lvert \mathrm{sym} - \mathrm{np} \rvert"),
        "rel",
        Formula("|np−fd|", r"\lvert \mathrm{np} - \mathrm{fd} \rvert"),
        "rel",
        "",
    )
    lines.append(table(1, Table(header, tuple(rows), "llrrrrl")))
    for d in w.directional_report():
        if d["kink"]:
            text = (
                "direction v: every step down to 1e-6 straddles a ReLU kink (a pre-activation "
                "changes sign), so its difference tests nothing: left out"
            )
            lines.append(words(1, text))
            continue
        mark = "✓" if d["passed"] else "✗"
        step = ""
        if d["step"] != DIRECTIONAL_STEP:
            step = f" (step {d['step']:.0e}: a ReLU kink lay within the first)"
        text = (
            f"direction v: finite difference {d['finite_difference']:.10g}, "
            f"gradient·v {d['gradient_dot_v']:.10g}, relative error {d['rel_error']:.1e}"
            f"{step} {mark}"
        )
        lines.append(words(1, text))
    verdict = "PASS" if w.passed else "FAIL"
    mark = "✓" if w.passed else "✗"
    text = (
        f"{mark} {verdict}: max relative error {w.max_relative_error:.1e} (threshold {THRESHOLD:g})"
    )
    lines.append(Line(0, (Text(text),), kind="status", verdict=w.status))
    return lines


def _norms(w: Walkthrough) -> list[Line]:
    lines = [title("Gradient norm per layer (bars on a log scale, one block per factor of 2)")]
    biggest = max(w.norms.values()) or 1.0
    rows = []
    for layer, norm in w.norms.items():
        blocks = 20 + np.log2(norm / biggest) if norm else 0
        name = Formula(f"‖∂L/∂W{layer}‖ =", rf"\lVert \partial L/\partial W_{{{layer}}} \rVert =")
        rows.append((name, Number(norm, ".3e"), Bar(max(1, round(blocks)) if norm else 0)))
    lines.append(table(1, Table(("", "", ""), tuple(rows), "lrl")))
    first, last = w.norms[1], w.norms[max(w.norms)]
    if len(w.norms) > 2 and first and last / first > 10:
        lines.append(
            words(
                1,
                f"the first layer's gradient is {last / first:,.0f}× smaller than the last's:"
                " vanishing gradients",
            )
        )
    return lines


def backprop_lines(w: Walkthrough, detail: str = "normal") -> list[Line]:
    names = _Names(w)
    lines = _header(w, names) + _forward(w, names)
    if detail != "brief":
        lines += _locals(w)
    lines += _backward(w, names)
    if detail != "brief":
        lines += _one_weight(w, names)
    lines += _norms(w)
    if w.history:
        lines += _training(w)
    lines += _check(w)
    return lines


def _training(w: Walkthrough) -> list[Line]:
    lines = [title(f"Training on the seed's data ({len(w.losses)} epochs)")]
    history = tuple(
        (str(e["epoch"]), Number(e["loss"], ".6f"), Number(e["mse"], ".6f")) for e in w.history
    )
    lines.append(table(1, Table(("epoch", "loss", "mse"), history, "rrr")))
    lines.append(curve(1, Curve(tuple(float(v) for v in w.losses), "epoch", "loss")))
    if w.predictions is not None:
        for x, p in zip(([1, 1], [-1, -1], [1, -1]), w.predictions, strict=True):
            lines.append(words(1, f"input {x}: prediction {p:.4f}"))
    return lines


def _listed(array: np.ndarray) -> list:
    return np.asarray(array, dtype=float).tolist()


JSON_PARAMETER_LIMIT = 100_000  # above this, arrays are left out of JSON (gigabytes otherwise)


def _gradients_json(w: Walkthrough) -> dict:
    if w.network.count() > JSON_PARAMETER_LIMIT:
        return {
            "omitted": f"{w.network.count():,} parameters; arrays up to {JSON_PARAMETER_LIMIT:,}"
        }
    return {
        n: {way: _listed(shown(v, n, w.layout)) for way, v in ways.items()}
        for n, ways in w.gradients.items()
    }


def _derived_json(w: Walkthrough) -> dict[str, Any]:
    """The matrix program and its reverse pass, in SymPy's matrix syntax (delta2 for δ2)."""
    d = w.derived
    assert d is not None
    sh = d.reverse.shapes
    return {
        "program": [
            {"name": name, "definition": sympy_text(expr, sh), "shape": list(sh(expr))}
            for name, expr in d.program
        ],
        "backward": [
            {
                "gradient_by": a.name,
                "symbol": a.symbol,
                "formula": sympy_text(a.value, sh),
                "shape": list(sh.of_var[a.name]),
            }
            for a in d.reverse.adjoints
        ],
        "agrees_with_numpy": d.agrees,
        "max_relative_difference": d.differences,
    }


def backprop_dict(w: Walkthrough) -> dict[str, Any]:
    net = w.network
    text, _ = _loss_text(w, _Names(w))
    out = {
        "network": {
            "sizes": list(net.sizes),
            "activations": list(net.activations),
            "loss": net.loss.name,
        },
        "loss_definition": text
        + f"  (y the output, t the target, {w.x.shape[0]} sample(s) as rows of x)",
        "layout": w.layout,
        "seed": w.seed,
        "inputs": {"x": _listed(w.x), "t": _listed(w.t)},
        "parameters": (
            {n: _listed(shown(net.params[n], n, w.layout)) for n in net.names}
            if net.count() <= JSON_PARAMETER_LIMIT
            else {"omitted": f"{net.count():,} parameters"}
        ),
        "gradients": _gradients_json(w),
        "local_derivatives": {
            local.label: {
                "result": str(local.derivation.result),
                "verified": local.derivation.verified,
                **({"closed_form": local.closed_text} if local.closed_text else {}),
            }
            for local in [*w.activation_derivatives.values(), w.loss_derivative]
        },
        "methods": {"symbolic": w.symbolic_method, "finite_difference": w.fd_method},
        "gradient_norms": {f"W{k}": v for k, v in w.norms.items()},
        "check": {
            "passed": w.passed,
            "max_relative_error": w.max_relative_error,
            "threshold": THRESHOLD,
            "per_parameter": {
                name: {
                    pair: {"max_abs": c.max_abs, "max_rel": c.max_rel}
                    for pair, table in w.comparisons.items()
                    for c in [table[name]]
                }
                for name in net.names
            },
        },
    }
    if w.derived is not None:
        out["derived"] = _derived_json(w)
    if w.directional:
        out["check"]["directional"] = w.directional_report()
    if w.kinks:
        out["check"]["kinks"] = w.kinks
    if w.history is not None:
        out["history"] = w.history
        out["predictions"] = w.predictions
    return out
