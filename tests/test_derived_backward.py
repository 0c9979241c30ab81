"""backprop's backward pass derived by the matrix engine (issue 15, item 5): the reverse
pass over the network's matrix program, its formulas as printed, and every gradient it
gives equal to NumPy's backprop for every size, activation, loss and layout."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from symchain.matrixcalc.backward import reverse
from symchain.matrixcalc.notation import text
from symchain.matrixcalc.parse import parse
from symchain.matrixcalc.shapes import infer
from symchain.nn.derived import AGREE, derived_backward
from symchain.nn.losses import loss
from symchain.nn.network import Network


def _instance(sizes, acts, loss_name, batch, seed=0):
    net = Network(tuple(sizes), tuple(acts), loss(loss_name, backprop=True))
    rng = np.random.RandomState(seed)
    net.init(rng.randn)
    for name, p in net.params.items():  # biases not zero, so that a lost bias term shows
        if name.startswith("b"):
            net.params[name] = 0.3 * rng.randn(*p.shape)
    x = rng.randn(batch, sizes[0])
    t = (rng.rand(batch, sizes[-1]) > 0.5).astype(float)
    if loss_name == "softmax-ce":  # one-hot rows
        t = np.eye(sizes[-1])[rng.randint(sizes[-1], size=batch)]
    return net, x, t


def _derived(sizes, acts, loss_name, batch, layout="rows"):
    net, x, t = _instance(sizes, acts, loss_name, batch)
    return derived_backward(net, layout, x, t, net.backward(x, t))


def _shown(d) -> dict[str, str]:
    return {a.name: text(a.value) for a in d.reverse.adjoints}


def test_the_seeds_network_reads_as_the_seed_writes_it():
    d = _derived((2, 4, 1), ("sigmoid", "sigmoid"), "half-sse", 3)
    assert [(n, text(e)) for n, e in d.program] == [
        ("Z1", "X·W1 + 1·b1ᵀ"),
        ("A1", "σ(Z1)"),
        ("Z2", "A1·W2 + 1·b2ᵀ"),
        ("Y", "σ(Z2)"),
        ("L", "‖Y − T‖²/6"),
    ]
    assert _shown(d) == {
        "Y": "(Y − T)/3",
        "Z2": "((Y − T) ⊙ σ′(Z2))/3",
        "A1": "δ2·W2ᵀ",
        "Z1": "(δ2·W2ᵀ) ⊙ σ′(Z1)",
        "W2": "A1ᵀ·δ2",
        "b2": "δ2ᵀ·1",
        "W1": "Xᵀ·δ1",
        "b1": "δ1ᵀ·1",
    }
    assert d.agrees


def test_cross_entropy_after_a_sigmoid_cancels_to_y_minus_t():
    d = _derived((2, 4, 3), ("tanh", "sigmoid"), "bce", 5)
    assert _shown(d)["Z2"] == "(Y − T)/15"  # the seed's dz2 = a2 − y, with bce's mean
    assert d.agrees
    d = _derived((2, 4, 1), ("sigmoid", "sigmoid"), "bce", 1)  # numbers: the seed's own run
    assert _shown(d)["z2"] == "y − t" and d.agrees


def test_softmax_cross_entropy_gives_s_minus_t():
    """The log-sum-exp's gradient is each sample's softmax S: δ2 = (S − T)/N."""
    d = _derived((2, 4, 3), ("sigmoid", "identity"), "softmax-ce", 4)
    program = dict((n, text(e)) for n, e in d.program)
    assert program["S"] == "exp(Y) ⊘ (exp(Y)·11ᵀ)"
    assert program["L"] == "(sum(log(exp(Y)·1)) − sum(T ⊙ Y))/4"
    assert _shown(d)["Z2"] == "(S − T)/4"
    assert d.agrees
    d = _derived((2, 4, 3), ("tanh", "identity"), "softmax-ce", 4, "columns")
    assert _shown(d)["Z2"] == "(S − T)/4" and d.agrees


def test_samples_as_columns_put_the_weights_in_front():
    d = _derived((2, 4, 3), ("relu", "identity"), "mse", 5, "columns")
    shown = _shown(d)
    assert [text(e) for _, e in d.program][0] == "W1·X + b1·1ᵀ"
    assert shown["Z1"] == "(W2ᵀ·δ2) ⊙ relu′(Z1)"
    assert (shown["W1"], shown["b1"]) == ("δ1·Xᵀ", "δ1·1")
    assert d.agrees


def test_one_sample_has_no_ones_vector():
    d = _derived((2, 4, 1), ("sigmoid", "sigmoid"), "half-sse", 1)
    assert text(d.program[0][1]) == "x·W1 + b1ᵀ"
    assert _shown(d)["b1"] == "δ1ᵀ"


CONFIGS = [
    (sizes, act, loss_name, batch, layout)
    for sizes in [(2, 4, 1), (3, 5, 2), (2, 3, 3, 2)]
    for act, loss_name in itertools.product(
        ["sigmoid", "tanh", "relu", "softplus", "identity"], ["half-sse", "mse", "bce"]
    )
    for batch, layout in itertools.product([1, 4], ["rows", "columns"])
]


CONFIGS += [
    (sizes, act, "softmax-ce", batch, layout)
    for sizes in [(3, 5, 2), (2, 3, 3, 4)]
    for act in ["sigmoid", "tanh", "relu", "softplus", "identity"]
    for batch, layout in itertools.product([1, 4], ["rows", "columns"])
]


@pytest.mark.parametrize(("sizes", "act", "loss_name", "batch", "layout"), CONFIGS)
def test_every_derived_gradient_is_numpys(sizes, act, loss_name, batch, layout):
    acts = (act,) * (len(sizes) - 1)
    if loss_name == "bce":
        acts = acts[:-1] + ("sigmoid",)
    if loss_name == "softmax-ce":
        acts = acts[:-1] + ("identity",)
    d = _derived(sizes, acts, loss_name, batch, layout)
    assert set(d.differences) == {f"{k}{i}" for i in range(1, len(sizes)) for k in "Wb"}
    assert d.agrees, d.differences


def test_a_wrong_gradient_is_seen_as_one():
    """The comparison can fail: numpy's gradients with one entry moved do not agree."""
    net, x, t = _instance((2, 4, 1), ("sigmoid", "sigmoid"), "half-sse", 3)
    grads = net.backward(x, t)
    grads["W1"] = grads["W1"].copy()
    grads["W1"][1, 2] *= 1.01
    d = derived_backward(net, "rows", x, t, grads)
    assert not d.agrees
    assert d.differences["W1"] > AGREE and d.differences["W2"] <= AGREE


def test_a_name_used_twice_collects_a_term_per_use():
    """u = Wx is used three times (uᵀu, sin u): ∂L/∂u collects a term per use."""
    typed = infer(parse("W*x"), {"W": (3, 2), "x": (2, 1)}, text)
    leaves = dict(typed.shapes.of_var)
    loss_typed = infer(parse("u'*u + sum(sin(u))"), {"u": (3, 1)}, text)
    program = [("u", typed.expr), ("L", loss_typed.expr)]
    rev = reverse(program, leaves, ["W"])
    assert text(rev.adjoint("u").value) == "2u + cos(u)"
    assert rev.adjoint("u").uses == 3  # uᵀ, u and sin(u)
    assert text(rev.adjoint("W").value) == "(2u + cos(u))xᵀ"
    rng = np.random.default_rng(1)
    W, x = rng.normal(size=(3, 2)), rng.normal(size=(2, 1))
    got = rev.evaluate({"W": W, "x": x})["W"]
    u = W @ x
    assert np.allclose(got, (2 * u + np.cos(u)) @ x.T, rtol=1e-12)


@pytest.mark.parametrize(
    "argv", [["--batch", "2"], ["--batch", "1", "--loss", "bce"], ["--batch", "1"]]
)
def test_the_json_formulas_read_back_in_sympy_and_give_the_gradients(argv):
    """Each definition and each backward formula of `backprop --format json`, parsed with
    SymPy's MatrixSymbols (a Symbol for a 1×1 name) and evaluated in order, gives the JSON's
    numpy gradients."""
    import json

    import sympy as sp
    from click.testing import CliRunner

    from symchain.cli.app import main

    r = CliRunner().invoke(main, ["backprop", *argv, "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    derived = data["derived"]
    assert derived["agrees_with_numpy"] is True
    batch = derived["program"][0]["name"] == "Z1"  # capitals for a batch, x and t for one
    x_name, t_name = ("X", "T") if batch else ("x", "t")
    env = {x_name: sp.Matrix(data["inputs"]["x"]), t_name: sp.Matrix(data["inputs"]["t"])}
    for name, value in data["parameters"].items():
        env[name] = (
            sp.Matrix(value) if name.startswith("W") else sp.Matrix(value).reshape(len(value), 1)
        )

    def value_of(formula: str, shape) -> sp.Matrix:
        symbols = {n: sp.Symbol(n) if v.shape == (1, 1) else sp.MatrixSymbol(n, *v.shape)
                   for n, v in env.items()}  # fmt: skip
        expr = sp.parse_expr(formula, {**symbols, "OneMatrix": _ones})
        done = expr.xreplace({symbols[n]: v[0, 0] if v.shape == (1, 1) else sp.ImmutableMatrix(v)
                              for n, v in env.items()})  # fmt: skip
        done = done.doit()
        out = sp.Matrix(done) if isinstance(done, sp.MatrixBase) else sp.Matrix([[done]])
        return out.reshape(*shape)

    def _ones(r, c):
        return sp.ImmutableMatrix(sp.ones(int(r), int(c)))

    for step in derived["program"]:
        env[step["name"]] = value_of(step["definition"], step["shape"])
    compared = 0
    for entry in derived["backward"]:
        got = np.array(value_of(entry["formula"], entry["shape"]).evalf(), dtype=float)
        if entry["symbol"]:
            env[entry["symbol"]] = sp.Matrix(got)
        if entry["gradient_by"] in data["gradients"]:
            numpy_value = np.array(data["gradients"][entry["gradient_by"]]["numpy"], dtype=float)
            assert np.allclose(got.reshape(numpy_value.shape), numpy_value, rtol=1e-10, atol=0)
            compared += 1
    assert compared == 4  # W2, b2, W1, b1
