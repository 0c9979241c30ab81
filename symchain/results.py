"""Results print themselves by asking render: the one deliberate import from below render
into it, made lazily so that computing a result never loads a printer."""

from __future__ import annotations

from typing import Any


class Rendered:
    """`__str__` (plain text), `_repr_markdown_` and `_repr_latex_` (Jupyter) and `to_dict`
    (JSON-ready data) for a result, all by the result's view in `symchain.render`."""

    __slots__ = ()

    def __str__(self) -> str:
        return self.render("plain")

    def render(self, fmt: str = "plain", detail: str = "normal", **options: Any) -> str:
        """The result as text in a format of `symchain.render` (plain, markdown, latex, json)."""
        from .render import render

        return render(self, fmt, detail, **options)  # type: ignore[arg-type]

    def _repr_markdown_(self) -> str:
        return self.render("markdown")

    def _repr_latex_(self) -> str | None:
        from .render import notebook_latex

        return notebook_latex(self)

    def to_dict(self) -> dict[str, Any]:
        from .render import to_dict

        return to_dict(self)
