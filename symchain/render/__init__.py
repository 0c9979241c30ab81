"""Render: every result shown through one registry of views, one per result type.

A view is found by walking the result's class along its MRO, as SymPy's
printers find `_print_<Class>`; the view modules are imported only when a
result of theirs is first shown, so `symchain derive` loads one of them.
A view arranges what a result already holds: it never differentiates, runs
a network or decides a verdict.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from .formats import DETAILS, FORMATS, NOTATIONS, Detail, Format, Notation, TextFormat

if TYPE_CHECKING:
    from rich.console import Console

    from .layout import Line

__all__ = [
    "DETAILS",
    "FORMATS",
    "Detail",
    "Format",
    "NOTATIONS",
    "Notation",
    "View",
    "find_view",
    "json_text",
    "lines_text",
    "notebook_latex",
    "print_rich",
    "render",
    "to_dict",
    "view",
]


class View:
    """How one result type is shown.  A view gives `lines` (the layout every text format
    and the terminal share) and `to_dict`; `text`, `rich` and `notebook_latex` follow
    from them unless the view says otherwise."""

    def lines(self, result: Any, detail: Detail = "normal", **options: Any) -> list[Line]:
        raise TypeError(f"{type(self).__name__} has no line layout")

    def to_dict(self, result: Any) -> dict[str, Any]:
        raise TypeError(f"{type(self).__name__} has no JSON form")

    def text(self, result: Any, fmt: Format, detail: Detail = "normal", **options: Any) -> str:
        if fmt in ("json", "jsonl"):
            return json_text(self.to_dict(result), fmt)
        if fmt == "rich":
            fmt = "plain"  # rich is for a console: as text, it is the plain form
        return lines_text(self.lines(result, detail, **options), fmt)

    def rich(
        self, result: Any, console: Console, detail: Detail = "normal", **options: Any
    ) -> None:
        from .formats.rich import print_lines

        print_lines(self.lines(result, detail, **options), console)

    def notebook_latex(self, result: Any) -> str | None:
        """Jupyter's `_repr_latex_`; None where the result has no one-line LaTeX form."""
        return None

    def notebook_png(self, result: Any) -> bytes | None:
        """Jupyter's `_repr_png_`: a picture, where the result is one (a plot)."""
        return None

    def has_picture(self, result: Any) -> bool:
        """Whether `notebook_png` gives one: then a notebook shows it, not the Markdown."""
        return False

    def warnings(self, result: Any) -> tuple[str, ...]:
        """How the input was read where a convention decided it: for stderr, one a line.
        Every result that read text keeps them in its `warnings`."""
        return tuple(getattr(result, "warnings", ()))

    def hint(self, result: Any) -> str | None:
        """The first thing to try, for `derive --reveal`; None where there is no hint."""
        return None


_VIEWS: dict[str, View] = {}

#: Which module of render.views holds the view of each result class, by class name.
_VIEW_MODULES = {
    "Derivation": "derivation",
    "ChainDerivation": "chain",
    "Implicit": "implicit",
    "LogDerivation": "logdiff",
    "Partials": "partials",
    "CheckResult": "check",
    "CurveCheck": "claims",
    "Plot": "plot",
    "Worksheet": "worksheet",
    "Exercise": "worksheet",
    "Walkthrough": "backprop",
    "Report": "gradcheck",
    "GradientReport": "gradients",
    "MatrixDerivation": "matrix",
}

V = TypeVar("V", bound=type[View])


def view(*names: str) -> Callable[[V], V]:
    """Register the decorated View class for the result classes with these names."""

    def register(cls: V) -> V:
        for name in names:
            _VIEWS[name] = cls()
        return cls

    return register


def find_view(result: object) -> View:
    """The view of `result`'s class, or of the nearest base class that has one."""
    for cls in type(result).__mro__:
        name = cls.__name__
        if name not in _VIEWS and name in _VIEW_MODULES:
            importlib.import_module(f".views.{_VIEW_MODULES[name]}", __name__)
        if name in _VIEWS:
            return _VIEWS[name]
    raise TypeError(f"no view for {type(result).__name__}")


def render(
    result: object,
    fmt: Format = "plain",
    detail: Detail = "normal",
    *,
    notation: Notation = "math",
    **options: Any,
) -> str:
    """The result as text in one of the formats (rich gives the plain text); `notation`
    is how plain text writes expressions: "math" (x²·eˣ) or "sympy" (x**2*exp(x))."""
    from .formats.text import using_notation

    with using_notation(notation):
        text = find_view(result).text(result, fmt, detail, **options)
    if fmt == "markdown":
        from .formats.markdown import for_files

        text = for_files(text)
    return text


def notebook_markdown(result: object, detail: Detail = "normal", **options: Any) -> str | None:
    """Markdown for Jupyter, whose renderer typesets $$...$$ (not ```math) and has every
    symbol: the view's own text, not made over for files.  None for a result that is a
    picture (a plot, with matplotlib): Jupyter would rank the Markdown above the PNG."""
    view = find_view(result)
    if view.has_picture(result):
        return None
    return view.text(result, "markdown", detail, **options)


def notebook_png(result: object) -> bytes | None:
    return find_view(result).notebook_png(result)


def to_dict(result: object) -> dict[str, Any]:
    """The result as JSON-ready data: every expression a string SymPy reads back."""
    return find_view(result).to_dict(result)


def notebook_latex(result: object) -> str | None:
    return find_view(result).notebook_latex(result)


def print_rich(
    result: object,
    console: Console,
    detail: Detail = "normal",
    *,
    notation: Notation = "math",
    **options: Any,
) -> None:
    """The result on a terminal, in colour, with tree guides."""
    from .formats.text import using_notation

    with using_notation(notation):
        find_view(result).rich(result, console, detail, **options)


def lines_text(lines: Sequence[Line], fmt: TextFormat) -> str:
    """Laid-out lines in one of the text formats: plain, markdown or latex."""
    if fmt == "plain":
        from .formats.plain import plain_lines

        return plain_lines(lines)
    if fmt == "markdown":
        from .formats.markdown import markdown_lines

        return markdown_lines(lines)
    if fmt == "latex":
        from .formats.latex import latex_lines

        return latex_lines(lines)
    raise ValueError(f"unknown format {fmt!r}")


def _strict(data: Any) -> Any:
    """Non-finite floats as the strings "nan", "inf", "-inf": JSON has no NaN or Infinity,
    and a reader's parser may refuse Python's tokens for them (docs/json.md); and text
    that is UTF-8 whatever bytes the input had."""
    if isinstance(data, float) and data != data:
        return "nan"
    if isinstance(data, float) and data in (float("inf"), float("-inf")):
        return "inf" if data > 0 else "-inf"
    if isinstance(data, str) and not data.isascii():
        # an argument that was not UTF-8 arrives with its bytes as lone surrogates: written
        # out they would be those bytes, and the JSON no longer UTF-8; U+FFFD stands in
        return data.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if isinstance(data, dict):
        return {_strict(k): _strict(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_strict(v) for v in data]
    return data


def json_text(data: Any, fmt: Format, ensure_ascii: bool = False) -> str:
    """A result's dict as `json` (indented) or `jsonl` (one line)."""
    import json

    indent = 2 if fmt == "json" else None
    text = json.dumps(_strict(data), indent=indent, ensure_ascii=ensure_ascii, allow_nan=False)
    # U+2028 and U+2029 end a line for Python's splitlines(), not for JSON: escaped, so a
    # JSONL reader never splits a record
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n"
