"""gradcheck_torch and gradcheck_jax: a torch.autograd.Function's and a JAX custom_vjp's
hand-written backward checked against finite differences (issue 13, item 7).  Skipped
where torch or jax is not installed; the message without them is tested everywhere."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from symchain import gradcheck_jax, gradcheck_torch
from symchain.core.errors import UsageError

RNG = np.random.default_rng(0)
X, W, B = RNG.standard_normal((4, 3)), RNG.standard_normal((3, 2)), RNG.standard_normal(2)


@pytest.mark.parametrize(("check", "module"), [(gradcheck_torch, "torch"), (gradcheck_jax, "jax")])
def test_without_the_framework_the_message_says_how_to_install_it(monkeypatch, check, module):
    monkeypatch.setitem(sys.modules, module, None)  # import now fails, as if not installed
    with pytest.raises(UsageError, match=f"this check needs {module}, which is not installed: "
                                         f"pip install {module}"):  # fmt: skip
        check(lambda x: x, X)


def _torch_linear(flip: bool):
    torch = pytest.importorskip("torch")

    class Linear(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, w, b):
            ctx.save_for_backward(x, w)
            return x @ w + b

        @staticmethod
        def backward(ctx, grad):
            x, w = ctx.saved_tensors
            dw = x.T @ grad
            return grad @ w.T, (-dw if flip else dw), grad.sum(0)

    return Linear


def test_a_right_torch_function_passes_and_every_input_is_checked():
    report = gradcheck_torch(_torch_linear(False), X, W, B)
    assert report.ok and [p.name for p in report.parameters] == ["x", "w", "b"]


def test_a_torch_backward_with_a_bug_fails_naming_the_input():
    torch = pytest.importorskip("torch")
    report = gradcheck_torch(_torch_linear(True), torch.tensor(X, dtype=torch.float32), W, B)
    assert report.failed == ["w"] and "the sign is flipped" in report["w"].mistake


def _jax_relu(wrong: bool):
    jax = pytest.importorskip("jax")

    @jax.custom_vjp
    def relu(x):
        return jax.numpy.maximum(x, 0.0)

    def fwd(x):
        return relu(x), x

    def bwd(x, g):
        return ((g if wrong else g * (x > 0)),)

    relu.defvjp(fwd, bwd)
    return relu


def test_a_right_jax_custom_vjp_passes_and_a_wrong_one_fails():
    assert gradcheck_jax(_jax_relu(False), X).ok
    assert gradcheck_jax(_jax_relu(True), X).failed == ["x"]
