"""A torch.autograd.Function with a hand-written backward, and a bug in it, checked by
symchain.gradcheck_torch (needs PyTorch: pip install torch)."""

import numpy as np
import torch

from symchain import gradcheck_torch


class Linear(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, b):
        ctx.save_for_backward(x, w)
        return x @ w + b

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        return grad @ w.T, x.T @ grad, grad.mean(0)  # the bug: sum(0), not mean(0)


rng = np.random.default_rng(0)
report = gradcheck_torch(Linear, rng.standard_normal((4, 3)), rng.standard_normal((3, 2)),
                         rng.standard_normal(2), samples=4)  # fmt: skip
print(report)
