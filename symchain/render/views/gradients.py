"""The view of a GradientReport (symchain.gradcheck): the verdict first, one row per
parameter, then each wrong parameter's mistake and its worst entries; as plain text,
Markdown, a rich table and JSON (no NaN or Infinity tokens: JSON cannot hold them)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ...nn.gradients import Entry, GradientReport, ParameterCheck
from .. import View, json_text, view
from ..formats import Detail, Format

if TYPE_CHECKING:
    from rich.console import Console

COLUMNS = ("parameter", "shape", "checked", "worst", "claimed", "true", "rel. error", "verdict")


@view("GradientReport")
class GradientReportView(View):
    def warnings(self, result: Any) -> tuple[str, ...]:
        return ()  # part of the report itself

    def text(self, result: GradientReport, fmt: Format, detail: Detail = "normal", **_: Any) -> str:
        if fmt in ("json", "jsonl"):
            return json_text(report_dict(result), fmt)
        if fmt == "markdown":
            return _markdown(result) + "\n"
        return _plain(result) + "\n"

    def rich(
        self, result: GradientReport, console: Console, detail: Detail = "normal", **_: Any
    ) -> None:
        _print_rich(result, console)

    def to_dict(self, result: GradientReport) -> dict[str, Any]:
        return report_dict(result)


def headline(r: GradientReport) -> str:
    n = len(r.parameters)
    if r.ok:
        return f"✓ PASS: every claimed gradient agrees with the loss ({_count(n)})"
    parts = []
    if r.failed:
        parts.append(f"{', '.join(r.failed)} wrong")
    if r.unconfirmed:
        parts.append(f"{', '.join(r.unconfirmed)} unconfirmed")
    right = sum(p.passed is True for p in r.parameters)
    mark = "✗ FAIL" if r.failed else "? UNCONFIRMED"
    return f"{mark}: {'; '.join(parts)} ({right} of {_count(n)} right)"


def _count(n: int) -> str:
    return f"{n} parameter{'s' if n != 1 else ''}"


def _verdict(p: ParameterCheck) -> str:
    if p.passed is True:
        return "ok" + (f" ({p.kinks} at kinks)" if p.kinks else "")
    if p.passed is None:
        return f"? {p.unconfirmed} of {p.checked} unconfirmed"
    return f"✗ {p.bad_count} of {p.checked} wrong"


def _number(x: float) -> str:
    return f"{x:.6g}"


def _relative(e: Entry) -> str:
    """The relative error, or "noise" where both values are within the rounding noise of 0
    (a bias before a batchnorm: true 4e-10, claimed 1e-17, relative error 1)."""
    if e.status != "wrong" and max(abs(e.claimed), abs(e.true)) <= e.noise:
        return "≈ 0 (noise)"  # both within the rounding noise of 0
    return f"{e.rel_error:.1e}"


def _rows(r: GradientReport) -> list[tuple[str, ...]]:
    rows = []
    for p in r.parameters:
        w = p.worst
        unit = ("entry", "entries") if p.method == "full" else ("direction", "directions")
        checked = f"{p.checked} {unit[p.checked != 1]}"
        rows.append((
            p.name, "×".join(map(str, p.shape)) or "scalar", checked, w.where(),
            _number(w.claimed), _number(w.true), _relative(w), _verdict(p),
        ))  # fmt: skip
    return rows


def _method(r: GradientReport) -> str:
    along = [p.name for p in r.parameters if p.method != "full"]
    if not along:
        how = "every entry"
    elif len(along) == len(r.parameters):
        how = f"{r.directions} random directions per parameter"
    else:
        how = f"{r.directions} random directions for {', '.join(along)}; every entry of the rest"
    return (
        f"central differences of the loss ({how}), eps {r.eps:g} ({r.precision}); "
        f"right when |claimed − true| ≤ {r.rtol:g}·|true| + rounding noise"
    )


def _details(p: ParameterCheck) -> list[str]:
    """What a wrong parameter's gradient looks like, and its worst entries."""
    lines = []
    if p.mistake:
        lines.append(f"{p.name}: {p.mistake}")
    else:
        below = "the entries below" if p.method == "full" else (
            "the directions below (--method full finds the entries)")  # fmt: skip
        lines.append(f"{p.name}: not a multiple of the true gradient, nor one transposed or "
                     f"off by an L2 term: look at {below}")  # fmt: skip
    if p.where:
        lines.append(f"  wrong {p.where}")
    for e in p.bad:
        lines.append(f"  {e.where():<12} claimed {_number(e.claimed):>12}   true "
                     f"{_number(e.true):>12}   rel. error {e.rel_error:.1e}")  # fmt: skip
    if p.bad_count > len(p.bad):
        lines.append(f"  ... and {p.bad_count - len(p.bad)} more")
    return lines


def _plain(r: GradientReport) -> str:
    lines = [headline(r), *(f"  {line}" for line in r.about), ""]
    table = [COLUMNS, *_rows(r)]
    widths = [max(len(row[i]) for row in table) for i in range(len(COLUMNS))]
    for row in table:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    wrong = [p for p in r.parameters if p.passed is False]
    if wrong:
        lines.append("")
        for p in wrong:
            lines += _details(p)
    lines += ["", f"method: {_method(r)}"]
    lines += [f"warning: {w}" for w in r.warnings]
    lines += [f"note: {n}" for n in r.notes]
    return "\n".join(lines)


def _markdown(r: GradientReport) -> str:
    lines = [f"## {headline(r)}", "", *(f"- {line}" for line in r.about)]
    if r.about:
        lines.append("")
    lines.append("| " + " | ".join(COLUMNS) + " |")
    lines.append("|" + "|".join("---" for _ in COLUMNS) + "|")
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in _rows(r)]
    wrong = [p for p in r.parameters if p.passed is False]
    for p in wrong:
        first, *rest = _details(p)
        lines += ["", f"- **{p.name}**: {first.split(': ', 1)[1]}"]
        if rest:
            lines += ["", "  ```", *[f"  {line}" for line in rest], "  ```"]
    lines += ["", f"- method: {_method(r)}"]
    lines += [f"- ⚠ {w}" for w in r.warnings]
    lines += [f"- note: {n}" for n in r.notes]
    return "\n".join(lines)


def _print_rich(r: GradientReport, console: Console) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    style = "bold green" if r.ok else "bold red" if r.failed else "bold yellow"
    console.print(Text(headline(r), style=style))
    for line in r.about:
        console.print(Text(f"  {line}", style="dim"))
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, header_style="bold")
    for name in COLUMNS:
        right = name in ("claimed", "true", "rel. error")
        table.add_column(name, justify="right" if right else "left")
    for p, row in zip(r.parameters, _rows(r), strict=True):
        cells: list[Any] = list(row)
        tint = "green" if p.passed else "bold red" if p.passed is False else "yellow"
        cells[-1] = Text(row[-1], style=tint)
        table.add_row(*cells)
    console.print(table)
    for p in r.parameters:
        if p.passed is False:
            first, *rest = _details(p)
            console.print(Text(first, style="bold"))
            for line in rest:
                console.print(Text(line))
    console.print(Text(f"method: {_method(r)}", style="dim"))
    for w in r.warnings:
        console.print(Text(f"warning: {w}", style="yellow"))
    for n in r.notes:
        console.print(Text(f"note: {n}", style="dim"))


def _finite(x: float | None) -> float | str | None:
    """A float JSON can hold: NaN and infinities as strings."""
    if x is None or math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def _entry_dict(e: Entry) -> dict[str, Any]:
    return {
        "index": list(e.index) if e.index is not None else None,
        "direction": e.direction,
        "claimed": _finite(e.claimed),
        "true": _finite(e.true),
        "abs_error": _finite(e.abs_error),
        "rel_error": _finite(e.rel_error),
        "status": e.status,
        "left_slope": _finite(e.left),
        "right_slope": _finite(e.right),
        "moved_off_kinks": e.moved,
    }


def report_dict(r: GradientReport) -> dict[str, Any]:
    return {
        "ok": r.ok,
        "failed": r.failed,
        "unconfirmed": r.unconfirmed,
        "loss": _finite(r.loss),
        "precision": r.precision,
        "eps": r.eps,
        "rtol": r.rtol,
        "method": r.method,
        "directions": r.directions,
        "seconds": round(r.seconds, 3),
        "parameters": [
            {
                "name": p.name,
                "shape": list(p.shape),
                "dtype": p.dtype,
                "method": p.method,
                "checked": p.checked,
                "passed": p.passed,
                "bad_count": p.bad_count,
                "unconfirmed": p.unconfirmed,
                "kinks": p.kinks,
                "moved_off_kinks": p.moved,
                "ratio": _finite(p.ratio),
                "l2": _finite(p.l2),
                "mistake": p.mistake,
                "per_unit": p.per_unit,
                "where": p.where,
                "worst": _entry_dict(p.worst),
                "bad": [_entry_dict(e) for e in p.bad],
            }
            for p in r.parameters
        ],
        "about": list(r.about),
        "warnings": list(r.warnings),
        "notes": list(r.notes),
    }
