"""symchain: derivatives step by step, the chain rule at the heart, every step checked.

>>> from symchain import derive
>>> d = derive("sin(x**2)")
>>> d.result
2*x*cos(x**2)
"""

from __future__ import annotations

__all__ = [
    "derive",
    "Derivation",
    "check",
    "worksheet",
    "gradient",
    "jacobian",
    "hessian",
    "matrix",
    "plot",
    "gradcheck",
    "gradcheck_torch",
    "gradcheck_jax",
    "SymchainError",
    "ParseError",
    "UsageError",
    "LimitError",
    "__version__",
]

_ERRORS = ("SymchainError", "ParseError", "UsageError", "LimitError", "InternalError")


#: The functions that take `timeout=` and `memory=`, as the command line's limits.
_LIMITED = ("derive", "check", "worksheet", "gradient", "jacobian", "hessian", "matrix", "plot")


def __dir__() -> list[str]:
    """The API (tab completion in a notebook, dir()), though nothing is imported yet."""
    return sorted({*__all__, *(n for n in globals() if n.startswith("__"))})


def __getattr__(name: str):
    # Lazy: `import symchain` pays for neither SymPy nor package metadata until used.
    if name in _LIMITED:
        from .core.budget import with_limits

        function = with_limits(_plain(name))
        globals()[name] = function  # made once
        return function
    return _plain(name)


def _plain(name: str):
    if name == "derive":
        from .calculus.entry import derive

        return derive
    if name == "Derivation":
        from .calculus import derivation

        return derivation.Derivation
    if name == "check":
        from .calculus.claims import check

        return check
    if name == "plot":
        from .calculus.plot import plot

        return plot
    if name == "worksheet":
        from .calculus.worksheet import worksheet

        return worksheet
    if name in ("gradient", "jacobian", "hessian"):
        from .calculus import partials

        return getattr(partials, name)
    if name in ("matrix", "MatrixDerivation"):
        from .matrixcalc import derivation as matrix_derivation

        return getattr(matrix_derivation, name)
    if name in ("gradcheck", "GradientReport"):
        from .nn import gradients

        return getattr(gradients, name)
    if name in ("gradcheck_torch", "gradcheck_jax"):
        from .nn import frameworks

        return getattr(frameworks, name)
    if name in _ERRORS:
        from .core import errors

        return getattr(errors, name)
    if name == "__version__":
        from importlib import metadata

        try:
            return metadata.version("symchain")
        except metadata.PackageNotFoundError:  # a source tree that is not installed
            return "0.0.0+unknown"
    raise AttributeError(name)
