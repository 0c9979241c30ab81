"""symchain: derivatives step by step, the chain rule at the heart, every step checked.

>>> from symchain import derive
>>> d = derive("sin(x**2)")
>>> d.result
2*x*cos(x**2)
"""

from __future__ import annotations

from importlib import metadata

try:
    __version__ = metadata.version("symchain")
except metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["derive", "parse", "Derivation", "__version__"]


def __getattr__(name: str):
    # Lazy: `import symchain` must not pay for SymPy until it is used.
    if name in ("derive", "Derivation"):
        from . import derivation

        return getattr(derivation, name)
    if name == "parse":
        from .parse import parse

        return parse
    raise AttributeError(name)
