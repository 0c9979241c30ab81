"""A hand-written two-layer network whose backward pass has one bug, checked the way a test
suite would: `symchain.gradcheck(loss, params, grads)`."""

import numpy as np

from symchain import gradcheck

rng = np.random.default_rng(0)
X, y = rng.standard_normal((8, 4)), rng.integers(0, 3, 8)
params = {
    "W1": 0.5 * rng.standard_normal((4, 5)),
    "b1": np.zeros(5),
    "W2": 0.5 * rng.standard_normal((5, 3)),
    "b2": np.zeros(3),
}
reg = 0.1


def forward_backward():
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    z = X @ W1 + b1
    h = np.maximum(z, 0)
    scores = h @ W2 + b2
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(8), y]).mean() + 0.5 * reg * (np.sum(W1**2) + np.sum(W2**2))
    d = p.copy()
    d[np.arange(8), y] -= 1
    d /= 8
    dh = d @ W2.T
    dz = dh * (z > 0)
    grads = {
        "W1": X.T @ dz,  # the bug: + reg * W1 is missing
        "b1": dz.sum(axis=0),
        "W2": h.T @ d + reg * W2,
        "b2": d.sum(axis=0),
    }
    return loss, grads


report = gradcheck(lambda: forward_backward()[0], params, lambda: forward_backward()[1])
print(report)
print("ok:", report.ok, "failed:", report.failed)
