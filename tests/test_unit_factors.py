"""A missing activation derivative, named (issue 13, item 5): with one sample a dense layer's
gradient is x·δᵀ, so leaving out f′(z) makes each unit's slice the true one times 1/f′(z),
and leaving out a ReLU's mask makes it right where the unit is active and not 0 where it is
dead.  In a batch the samples' factors mix, and nothing is named."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from symchain import gradcheck
from symchain.cli.app import main

NETS = Path(__file__).parent / "fixtures" / "nets"
ACTIVATIONS = {
    "relu": (lambda z: np.maximum(z, 0), lambda z, a: (z > 0) * 1.0),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z, a: a * (1 - a)),
    "tanh": (np.tanh, lambda z, a: 1 - a**2),
}


def _net(act: str, bug: str | None, columns: bool = False, batch: int = 1, seed: int = 0):
    """A d-h-k net with a half sum of squares, samples as rows (x @ W) or columns (W @ x)."""
    rng = np.random.default_rng(seed)
    d, h, k = 6, 5, 3
    p = {"W1": rng.standard_normal((h, d) if columns else (d, h)),
         "b1": rng.standard_normal(h) * 0.1,
         "W2": rng.standard_normal((k, h) if columns else (h, k))}  # fmt: skip
    X, T = rng.standard_normal((batch, d)), rng.standard_normal((batch, k))
    f, df = ACTIVATIONS[act]

    def forward():
        if columns:
            z = p["W1"] @ X.T + p["b1"][:, None]
            return z, f(z), (p["W2"] @ f(z)).T
        z = X @ p["W1"] + p["b1"]
        return z, f(z), f(z) @ p["W2"]

    def loss():
        return 0.5 * float(np.sum((forward()[2] - T) ** 2))

    def grads():
        z, a, out = forward()
        e = out - T
        if columns:
            dz = (p["W2"].T @ e.T) * (1 if bug == "no_derivative" else df(z, a))
            g = {"W1": dz @ X, "b1": dz.sum(1), "W2": e.T @ a.T}
        else:
            dz = (e @ p["W2"].T) * (1 if bug == "no_derivative" else df(z, a))
            g = {"W1": X.T @ dz, "b1": dz.sum(0), "W2": a.T @ e}
        if bug == "column_doubled":
            g["W2"][:, 1] *= 2
        return g

    return loss, p, grads


@pytest.mark.parametrize("columns", [False, True])
@pytest.mark.parametrize(
    ("act", "words"),
    [
        ("relu", "a ReLU's derivative, the mask 1[z > 0], seems missing for this layer's units"),
        ("sigmoid", "all at least 4: an activation's derivative seems missing for this layer's "
                    "units (leaving out σ′(z) = σ(z)(1 − σ(z)) ≤ ¼ gives such factors)"),
        ("tanh", "all at least 1: an activation's derivative seems missing for this layer's "
                 "units (leaving out tanh′(z) = 1 − tanh²(z) ≤ 1 gives such factors)"),
    ],
)  # fmt: skip
def test_a_missing_activation_derivative_is_named_with_one_sample(act, words, columns):
    assert gradcheck(*_net(act, None, columns), "full").ok  # the right code passes
    report = gradcheck(*_net(act, "no_derivative", columns), "full")
    assert report.failed[0] == "W1" and report["W1"].per_unit
    assert report["W1"].mistake.endswith(words)
    unit = "rows" if columns else "columns"
    if act == "relu":
        assert report["W1"].mistake.startswith(f"right in the {unit} whose true gradient is not 0")
    else:
        assert report["W1"].mistake.startswith(f"each {unit[:-1]} is the true one times its own")


@pytest.mark.parametrize("act", sorted(ACTIVATIONS))
def test_in_a_batch_the_factors_mix_and_nothing_is_named(act):
    report = gradcheck(*_net(act, "no_derivative", batch=8), "full")
    assert "W1" in report.failed
    assert report["W1"].mistake is None and not report["W1"].per_unit


def test_one_wrong_column_is_not_called_an_activation():
    report = gradcheck(*_net("tanh", "column_doubled"), "full")
    check = report["W2"]
    assert report.failed == ["W2"] and check.where == "only in columns 1"
    assert "activation" not in (check.mistake or "")


def test_the_cli_names_it_from_a_second_check_with_one_sample(monkeypatch):
    monkeypatch.setenv("FIXTURE_BUG", "no_tanh_derivative")
    monkeypatch.chdir(NETS)
    args = ["gradcheck", "attrnet.py:AttrNet", "--sizes", "3,4,3", "--backward", "train",
            "--loss", "half-sse", "--format", "plain"]  # fmt: skip
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 1, r.output
    note = [line for line in r.output.splitlines() if line.startswith("note: with one sample")]
    assert note == [
        "note: with one sample (--batch 1), wih: each column is the true one times its own "
        "factor, from 1.002 to 1.431, all at least 1: an activation's derivative seems missing "
        "for this layer's units (leaving out tanh′(z) = 1 − tanh²(z) ≤ 1 gives such factors)"
    ]
    monkeypatch.delenv("FIXTURE_BUG")
    assert CliRunner().invoke(main, args).exit_code == 0


def test_a_column_vector_is_one_entry_per_unit_not_a_fit_per_row():
    """A bias kept as a column (h × 1): a row of one entry fits any factor, so only the
    ReLU pattern (exact where active, 0 where dead) could be named, and here it is not."""
    rng = np.random.default_rng(4)
    b = rng.standard_normal((5, 1))
    x = rng.standard_normal(5)

    def loss():
        return float(np.sum(np.sin(b[:, 0] * x)))

    wrong = (np.cos(b[:, 0] * x) * x * rng.uniform(0.5, 2, 5))[:, None]
    report = gradcheck(loss, {"b": b}, {"b": wrong}, "full")
    assert report.failed == ["b"] and report["b"].mistake is None
