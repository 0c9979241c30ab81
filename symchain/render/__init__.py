"""Printers: one per output format, all walking the same laid-out lines."""

from __future__ import annotations

FORMATS = ("rich", "plain", "markdown", "latex", "json", "jsonl")


def lines_text(lines, fmt: str) -> str:
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


def json_text(data: dict, fmt: str, ensure_ascii: bool = False) -> str:
    """A result's dict as `json` (indented) or `jsonl` (one line)."""
    import json

    indent = 2 if fmt == "json" else None
    return json.dumps(data, indent=indent, ensure_ascii=ensure_ascii) + "\n"


def render(derivation, fmt: str = "plain", detail: str = "normal") -> str:
    """The derivation as text in one of the non-terminal formats."""
    if fmt == "plain":
        from .formats.plain import render_plain

        return render_plain(derivation, detail)
    if fmt == "markdown":
        from .formats.markdown import render_markdown

        return render_markdown(derivation, detail)
    if fmt == "latex":
        from .formats.latex import render_latex

        return render_latex(derivation, detail)
    if fmt in ("json", "jsonl"):
        from .formats.json import render_json

        return render_json(derivation, indent=2 if fmt == "json" else None)
    raise ValueError(f"unknown format {fmt!r}")
