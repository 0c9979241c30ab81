"""Results print themselves by asking render: the one deliberate import from below render
into it, made lazily so that computing a result never loads a printer."""

from __future__ import annotations

from typing import Any


class Rendered:
    """`__str__` (plain text), `_repr_markdown_` and `_repr_latex_` (Jupyter) and `to_dict`
    (JSON-ready data) for a result, all by the result's view in `symchain.render`."""

    __slots__ = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # before @dataclass runs: its field-by-field repr (kilobytes of steps) is not made
        super().__init_subclass__(**kwargs)
        if "__repr__" not in cls.__dict__:
            cls.__repr__ = Rendered._short_repr  # type: ignore[method-assign]

    def _short_repr(self) -> str:
        """<Derivation d/dx sin(x²) = 2x·cos(x²) (✓ verified)>: the answer and the verdict,
        as the plain text gives them; print() or the notebook shows the whole."""
        try:
            lines = [line for line in self.render("plain").splitlines() if line.strip()]
        except Exception as err:  # noqa: BLE001 - a repr must not raise
            return f"<{type(self).__name__} (not renderable: {type(err).__name__})>"
        marks = ("✓", "✗", "?")
        if lines and lines[0].startswith(marks):  # check: the verdict on the claim comes first
            return f"<{type(self).__name__} {lines[0][:120]}>"
        at = next((i for i in range(len(lines) - 1, -1, -1) if lines[i].startswith(marks)), None)
        if at is None:
            return f"<{type(self).__name__} {lines[0][:100] if lines else ''}>"

        def whole(line: str) -> bool:  # an answer on one line, not a matrix's first row
            return not (line[0].isspace() or line.startswith(marks) or line.rstrip().endswith("="))

        # the answer line restates the first (d/dx sin(x²) = …); elsewhere the first says what
        answer = next(
            (lines[i] for i in range(at - 1, 0, -1)
             if whole(lines[i]) and lines[i].startswith(lines[0] + " =")),
            lines[0],
        )  # fmt: skip
        verdict = lines[at].split(":")[0]
        return f"<{type(self).__name__} {answer[:120]} ({verdict})>"

    def __str__(self) -> str:
        return self.render("plain")

    def render(self, fmt: str = "plain", detail: str = "normal", **options: Any) -> str:
        """The result as text in a format of `symchain.render` (plain, markdown, latex, json)."""
        from .render import render

        return render(self, fmt, detail, **options)  # type: ignore[arg-type]

    def _repr_markdown_(self) -> str | None:
        from .render import notebook_markdown

        return notebook_markdown(self)

    def _repr_png_(self) -> bytes | None:
        """A plot's picture in a notebook (None for the other results, and without
        matplotlib, when the plot shows as text)."""
        from .render import notebook_png

        return notebook_png(self)

    def _repr_latex_(self) -> str | None:
        from .render import notebook_latex

        return notebook_latex(self)

    def to_dict(self) -> dict[str, Any]:
        from .render import to_dict

        return to_dict(self)
