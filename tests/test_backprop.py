"""The backprop walkthrough and training: three ways agree, the seed's run is reproduced."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from symchain import UsageError
from symchain.cli.app import main
from symchain.nn.backprop import walkthrough
from symchain.nn.losses import every_loss, loss
from symchain.nn.network import Network, relative_error, train

FIXTURES = Path(__file__).parent / "fixtures"


def run(*args):
    return CliRunner().invoke(main, ["backprop", *args])


@pytest.mark.parametrize(
    "sizes, acts, name, batch",
    [
        ((2, 4, 1), ("sigmoid", "sigmoid"), "half-sse", 1),
        ((2, 4, 1), ("sigmoid", "sigmoid"), "bce", 6),
        ((3, 5, 2), ("tanh", "sigmoid"), "mse", 4),
        ((3, 4, 2), ("relu", "identity"), "half-sse", 5),
        ((2, 3, 1), ("softplus", "tanh"), "mse", 2),
        ((2, 8, 8, 8, 8, 1), ("sigmoid",) * 5, "half-sse", 3),
    ],
)
def test_three_ways_agree(sizes, acts, name, batch):
    w = walkthrough(Network(sizes, acts, loss(name)), batch=batch, seed=3)
    assert w.passed, w.comparisons
    assert w.derivations_verified
    assert w.symbolic_method == ("scalar" if w.network.count() <= 80 else "matrix")


def test_every_loss_gradient_is_the_gradient_of_its_value():
    rng = np.random.default_rng(0)
    y, t = rng.uniform(0.1, 0.9, (5, 2)), rng.integers(0, 2, (5, 2)).astype(float)
    for each in every_loss():
        h, numeric = 1e-6, np.zeros_like(y)
        for i in np.ndindex(y.shape):
            e = np.zeros_like(y)
            e[i] = h
            numeric[i] = (each.value(y + e, t) - each.value(y - e, t)) / (2 * h)
        assert np.abs(each.gradient(y, t) - numeric).max() < 1e-7, each


def test_a_wrong_backward_is_caught():
    """Break the numpy backprop's output delta: the check must fail, not pass."""
    net = Network((2, 4, 1), ("sigmoid", "sigmoid"), loss("mse"))
    original = Network.output_delta
    try:
        Network.output_delta = lambda self, z, y, t: (y - t) * self.loss.scale(*y.shape)
        w = walkthrough(net, batch=4)
    finally:
        Network.output_delta = original
    assert not w.passed


def _seed_script(epochs: int = 1000):
    """The seed's own class and training loop, verbatim in substance."""
    spec = importlib.util.spec_from_file_location("seed_network", FIXTURES / "seed_network.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    SimpleNeuralNetwork = module.SimpleNeuralNetwork  # noqa: N806

    np.random.seed(42)
    x = np.random.randn(100, 2)
    y = (x[:, 0] + x[:, 1] > 0).astype(float).reshape(-1, 1)
    nn = SimpleNeuralNetwork(input_size=2, hidden_size=4, output_size=1)
    printed = []
    for epoch in range(epochs):
        y_pred = nn.forward(x)
        value = nn.compute_loss(y_pred, y)
        nn.backward(x, y, learning_rate=0.1)
        if epoch % 100 == 0:
            printed.append(value)
    return printed, nn.forward(np.array([[1, 1], [-1, -1], [1, -1]]))[:, 0]


def test_training_reproduces_the_seed_script():
    run_ = train((2, 4, 1), ("sigmoid", "sigmoid"), loss("bce"), epochs=1000, lr=0.1, seed=42)
    printed, predictions = _seed_script()
    ours = [h["mse"] for h in run_.history]
    assert [f"{v:.6f}" for v in ours] == [f"{v:.6f}" for v in printed]
    assert np.allclose(ours, printed, rtol=1e-12, atol=0)
    assert np.allclose(run_.predictions, predictions, rtol=1e-12, atol=0)


def test_cli_default_walkthrough():
    r = run()
    assert r.exit_code == 0, r.output
    expected = [
        "σ′(z) = e⁻ᶻ/(1 + e⁻ᶻ)² = σ(z)(1 − σ(z))",
        "δ1 = ∂L/∂z1 = (δ2·W2ᵀ) ⊙ σ′(z1)",
        "∂L/∂W1 = xᵀ·δ1   [2×4]",
        "✓ PASS",
    ]
    for text in expected:
        assert text in r.output
    assert "\x1b" not in r.output


def test_cli_columns_layout_shapes():
    r = run("--layout", "columns", "--batch", "3")
    assert "∂L/∂W1 = δ1·Xᵀ   [4×2]" in r.output and "Z1 = W1·X + b1·1ᵀ   [4×3]" in r.output


def test_cli_json_shape():
    data = json.loads(run("--format", "json", "--batch", "2").stdout)
    assert data["network"] == {
        "sizes": [2, 4, 1],
        "activations": ["sigmoid", "sigmoid"],
        "loss": "half-sse",
    }
    assert np.array(data["inputs"]["x"]).shape == (2, 2)
    assert np.array(data["parameters"]["W1"]).shape == (2, 4)
    ways = data["gradients"]["W1"]
    assert set(ways) == {"symbolic", "numpy", "finite_difference"}
    assert relative_error(np.array(ways["numpy"]), np.array(ways["finite_difference"])).max() < 1e-6
    assert data["check"]["passed"] is True


def test_cli_train_json_history_and_predictions():
    data = json.loads(run("--train", "--seed", "42", "--loss", "bce", "--format", "json").stdout)
    assert [h["epoch"] for h in data["history"]] == list(range(0, 1000, 100))
    assert f"{data['history'][0]['mse']:.6f}" == "0.250969"
    assert len(data["predictions"]) == 3


def test_vanishing_gradients_are_shown():
    r = run("--sizes", "2,8,8,8,8,1", "--activation", "sigmoid")
    assert r.exit_code == 0 and "vanishing gradients" in r.output and "‖∂L/∂W5‖" in r.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["--sizes", "2,x,1"], "whole numbers"),
        (["--sizes", "2"], "2 to 12"),
        (["--activation", "swish"], "unknown activation"),
        (["--activation", "tanh,tanh,tanh"], "3 names for 2 layers"),
        (["--loss", "hinge"], "unknown loss"),
        (["--train", "--lr", "fast"], "--lr wants a number"),
        (["--loss", "bce", "--activation", "tanh"], "sigmoid output"),
        (["--plot", "x.png"], "add --train"),
    ],
)
def test_bad_input_exits_2(args, message):
    r = run(*args)
    assert r.exit_code == 2 and message in r.stderr
    assert "Traceback" not in r.stderr


def test_scalar_graph_gradients_match_numpy():
    from symchain.nn import scalar_graph

    w = walkthrough(Network((2, 4, 1), ("sigmoid", "sigmoid"), loss("bce")), batch=3)
    nodes, total, params = scalar_graph.build(w.network, w.x, w.t)
    scalar_graph.backward(total)
    assert abs(total.value - w.network.value(w.x, w.t)) < 1e-12
    grads = scalar_graph.parameter_gradients(params)
    for name, g in grads.items():
        assert np.abs(g - w.gradients[name]["numpy"]).max() < 1e-12


def test_cli_graph_dot():
    r = run("--graph", "dot")
    assert r.exit_code == 0 and r.output.startswith("digraph backprop")
    assert "W1[0,0] | value" in r.output and "grad" in r.output
    big = run("--graph", "dot", "--sizes", "2,30,30,1")
    assert big.exit_code == 2 and "at most" in big.stderr


def test_plot_without_matplotlib_names_the_extra(monkeypatch, tmp_path):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    r = run("--train", "--epochs", "5", "--plot", str(tmp_path / "loss.png"))
    assert r.exit_code == 2 and "symchain[plot]" in r.stderr


@pytest.mark.parametrize("seed", range(6))
def test_correct_relu_networks_pass(seed):
    """Dead ReLUs give exact zeros beside finite-difference noise, and an output can sit
    exactly on the kink: neither is a failure."""
    for sizes, acts in (((3, 5, 2), ("relu", "sigmoid")), ((2, 8, 8, 1), ("relu",) * 3)):
        w = walkthrough(Network(sizes, acts, loss("half-sse")), batch=4, seed=seed)
        assert w.passed, (sizes, seed, w.comparisons)


def test_directional_check_allows_for_rounding_noise():
    net = Network((300, 300, 20), ("sigmoid", "sigmoid"), loss("mse"))
    w = walkthrough(net, batch=2)
    assert w.fd_method == "directional" and w.passed
    assert all(d["passed"] for d in w.directional_report())


def test_bce_loss_text_puts_the_minus_first():
    r = run("--loss", "bce", "--sizes", "2,3,2")
    assert "= −(1/2) Σ_k [t_k ln y_k" in r.output


def test_seed_out_of_range_is_a_usage_error():
    assert run("--seed", "-1").exit_code == 2
    assert run("--train", "--batch", "200").exit_code == 2


def test_softmax_cross_entropy_walks_through_and_trains():
    r = run("--sizes", "2,4,3", "--batch", "4", "--loss", "softmax-ce", "--format", "plain")
    assert r.exit_code == 0, r.output
    assert "δ2 = ∂L/∂Z2 = (S − T)/4   [4×3]" in r.output
    assert "S = exp(Y) ⊘ (exp(Y)·11ᵀ)   [4×3]   each sample's softmax" in r.output
    assert "✓ PASS" in r.output
    r = run("--sizes", "2,4,2", "--loss", "softmax-ce", "--train", "--epochs", "300",
            "--format", "json")  # fmt: skip
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["network"]["activations"] == ["sigmoid", "identity"]  # a single --activation
    assert all(0 < p < 1 for p in data["predictions"])  # probabilities of class 1


def test_softmax_cross_entropy_needs_scores_of_two_classes_and_no_graph():
    r = run("--loss", "softmax-ce")  # the default 2,4,1 has one output
    assert r.exit_code == 2 and "at least 2 classes" in r.output
    r = run("--sizes", "2,4,2", "--activation", "sigmoid,sigmoid", "--loss", "softmax-ce")
    assert r.exit_code == 2 and "identity activation" in r.output
    r = run("--sizes", "2,4,2", "--loss", "softmax-ce", "--graph", "dot")
    assert r.exit_code == 2 and "softmax-ce couples them" in r.output


def test_a_class_loss_refuses_targets_that_are_not_one_hot():
    from symchain.nn.losses import Loss

    y = np.zeros((2, 3))
    with pytest.raises(UsageError, match="one-hot rows"):
        Loss("softmax-ce").value(y, np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]))
    assert Loss("softmax-ce").value(y, np.array([[0, 1, 0], [0, 0, 1]])) == pytest.approx(np.log(3))
