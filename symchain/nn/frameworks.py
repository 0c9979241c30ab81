"""The same gradient check for a PyTorch `torch.autograd.Function` and a JAX `custom_vjp`:
their hand-written backward against finite differences of their forward.

Both reduce to `gradients.gradcheck`: the inputs become float64 NumPy arrays that are
perturbed in place, the scalar loss is sum(out ⊙ R) for a fixed random R (so the
backward receives grad_output = R), and the claimed gradients are what the framework's
own backward machinery returns, which runs your backward.  torch and jax are optional:
without them these functions say how to install them.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from ..core.errors import UsageError
from .gradients import GradientReport, gradcheck


def _require(module: str, install: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise UsageError(f"this check needs {module}, which is not installed: {install}") from None


def _names(function: Callable[..., Any], count: int, skip: int) -> list[str]:
    """The inputs' names from the function's signature (after ctx for a torch Function)."""
    try:
        names = list(inspect.signature(function).parameters)[skip:]
    except (TypeError, ValueError):
        names = []
    names = [n for n in names if not n.startswith("*")]
    return names[:count] if len(names) >= count else [f"input{i}" for i in range(count)]


def gradcheck_torch(function: Any, *inputs: Any, seed: int = 0, **options: Any) -> GradientReport:
    """Check `function`'s backward: a torch.autograd.Function subclass (its apply is called)
    or any function of tensors.  Float inputs (arrays or tensors) are checked, in float64;
    others are passed as they are.  `options` go to symchain.gradcheck."""
    torch = _require("torch", "pip install torch")
    is_function = inspect.isclass(function) and issubclass(function, torch.autograd.Function)
    call = function.apply if is_function else function
    signature_of = function.forward if is_function else function
    tensors: list[Any] = []
    checked: list[int] = []
    for i, value in enumerate(inputs):
        if isinstance(value, torch.Tensor) and value.is_floating_point():
            tensors.append(value.detach().to(torch.float64).clone())
            checked.append(i)
        elif isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.floating):
            tensors.append(torch.tensor(value, dtype=torch.float64))
            checked.append(i)
        else:
            tensors.append(value)
    if not checked:
        raise UsageError("gradcheck_torch needs at least one float tensor or array input")
    names = _names(signature_of, len(inputs), 1 if is_function else 0)
    arrays = {names[i]: tensors[i].numpy() for i in checked}  # views: perturbing them moves
    with torch.no_grad():
        out = call(*tensors)
    weights = torch.tensor(np.random.default_rng(seed).standard_normal(tuple(out.shape)))

    def loss() -> float:
        with torch.no_grad():
            return float((call(*tensors) * weights).sum())

    def grads() -> dict[str, np.ndarray]:
        live = [t.detach().clone().requires_grad_(True) if i in checked else t
                for i, t in enumerate(tensors)]  # fmt: skip
        total = (call(*live) * weights).sum()
        found = torch.autograd.grad(total, [live[i] for i in checked], allow_unused=True)
        return {
            names[i]: np.zeros(arrays[names[i]].shape) if g is None else g.detach().numpy()
            for i, g in zip(checked, found, strict=True)
        }

    report = gradcheck(loss, arrays, grads, seed=seed, **options)
    what = f"{getattr(function, '__name__', 'function')}"
    about = (f"{what}: its backward (through torch.autograd) against finite differences "
             f"of its forward, on sum(out ⊙ R) for a fixed random R; inputs "
             f"{', '.join(arrays)} in float64",)  # fmt: skip
    from dataclasses import replace

    return replace(report, about=about)


def gradcheck_jax(function: Callable[..., Any], *inputs: Any, seed: int = 0,
                  **options: Any) -> GradientReport:  # fmt: skip
    """Check a JAX function's backward (a custom_vjp's, or JAX's own): float inputs are
    checked in float64 (jax_enable_x64 is switched on)."""
    jax = _require("jax", "pip install jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    arrays: dict[str, np.ndarray] = {}
    names = _names(function, len(inputs), 0)
    kinds = []
    for name, value in zip(names, inputs, strict=True):
        array = np.asarray(value)
        if np.issubdtype(array.dtype, np.floating):
            arrays[name] = np.array(array, dtype=np.float64)
            kinds.append(name)
        else:
            kinds.append(None)
    if not arrays:
        raise UsageError("gradcheck_jax needs at least one float array input")

    def current() -> list[Any]:
        return [jnp.asarray(arrays[k]) if k else v for k, v in zip(kinds, inputs, strict=True)]

    out = function(*current())
    weights = jnp.asarray(np.random.default_rng(seed).standard_normal(np.shape(out)))

    def loss() -> float:
        return float(jnp.sum(function(*current()) * weights))

    def grads() -> dict[str, np.ndarray]:
        values = current()
        positions = [i for i, k in enumerate(kinds) if k]

        def of_checked(*checked: Any) -> Any:
            full = list(values)
            for i, v in zip(positions, checked, strict=True):
                full[i] = v
            return function(*full)

        _, pullback = jax.vjp(of_checked, *(values[i] for i in positions))
        found = pullback(weights)
        return {kinds[i]: np.asarray(g) for i, g in zip(positions, found, strict=True)}

    report = gradcheck(loss, arrays, grads, seed=seed, **options)
    about = (f"{getattr(function, '__name__', 'function')}: its backward (through jax.vjp) "
             f"against finite differences of its forward, on sum(out ⊙ R) for a fixed random "
             f"R; inputs {', '.join(arrays)} in float64",)  # fmt: skip
    from dataclasses import replace

    return replace(report, about=about)
