"""The view of a gradcheck Report: the settings, one table row per parameter, the verdict
and which loss the backward really computes; as plain text, Markdown, a rich table, JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...nn.gradcheck import ParameterReport, Report
from .. import View, json_text, view
from ..formats import Detail, Format

if TYPE_CHECKING:
    from rich.console import Console


@view("Report")
class ReportView(View):
    def warnings(self, result: Any) -> tuple[str, ...]:
        return ()  # a report's warnings are about the network, and are part of the report

    def text(self, result: Report, fmt: Format, detail: Detail = "normal", **_: Any) -> str:
        if fmt in ("json", "jsonl"):
            return json_text(report_dict(result), fmt)
        if fmt == "markdown":
            return _markdown(result) + "\n"
        return _plain(result) + "\n"

    def rich(self, result: Report, console: Console, detail: Detail = "normal", **_: Any) -> None:
        _print_rich(result, console)

    def to_dict(self, result: Report) -> dict[str, Any]:
        return report_dict(result)


COLUMNS = ("param", "shape", "worst", "applied", "true", "abs err", "rel err", "grade", "")
GRADE_STYLES = {"good": "green", "acceptable": "cyan", "suspicious": "yellow", "wrong": "bold red"}


def _rows(report) -> list[tuple[str, ...]]:
    """One row of text cells per parameter, in COLUMNS order (kinks added when there are any)."""
    rows = []
    for p in report.parameters:
        row = (
            p.name,
            "×".join(map(str, p.shape)),
            p.where(),
            f"{p.applied:.6g}",
            f"{p.true:.6g}",
            f"{p.abs_error:.1e}",
            f"{p.rel_error:.1e}",
            p.grade,
            "ok" if p.passed else f"✗ {p.mismatches}/{p.checked}",
        )
        rows.append(row + ((str(p.kinks),) if report.kinks else ()))
    return rows


def _columns(report) -> tuple[str, ...]:
    return COLUMNS + (("kinks",) if report.kinks else ())


def _header(report) -> list[tuple[str, str]]:
    s = report.settings
    return [
        ("loss", f"{s.loss.title} (--loss {s.loss.name} --reduction {s.loss.reduction})"),
        (
            "data",
            f"X {s.batch}×{s.sizes[0]} standard normal (seed {s.seed}), targets in {{0, 1}}; "
            f"constructed with sizes {','.join(map(str, s.sizes))}; "
            f"backward called with learning_rate {s.lr:g}",
        ),
        ("method", report.method_text()),
        (
            "tolerance",
            f"|applied − true| ≤ atol + rtol·|true|, atol {report.atol:g}, rtol {report.rtol:g}"
            + (f" ({report.precision})" if report.precision != "float64" else ""),
        ),
    ]


def _closing(report) -> list[str]:
    lines = [("✓ " if report.passed else "✗ ") + report.verdict(), "  " + report.match_text()]
    lines += [f"  hint: {hint}" for hint in report.hints]
    return lines


def _plain(report) -> str:
    lines = [f"gradcheck {report.spec}"]
    width = max(len(key) for key, _ in _header(report)) + 1
    lines += [f"  {key + ':':<{width}} {value}" for key, value in _header(report)]
    table = [_columns(report), *_rows(report)]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines.append("")
    for row in table:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    lines.append("")
    lines += _closing(report)
    lines += [f"warning: {w}" for w in report.warnings]
    lines += [f"note: {n}" for n in report.notes]
    return "\n".join(lines)


def _markdown(report) -> str:
    lines = [f"## gradcheck `{report.spec}`", ""]
    lines += [f"- **{key}**: {value}" for key, value in _header(report)]
    columns = _columns(report)
    lines += ["", "| " + " | ".join(c or "verdict" for c in columns) + " |"]
    lines.append("|" + "|".join("---" for _ in columns) + "|")
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in _rows(report)]
    verdict, *rest = _closing(report)
    lines += ["", f"**{verdict}**", ""]
    lines += [f"- {line.strip()}" for line in rest]
    lines += [f"- ⚠ {w}" for w in report.warnings]
    lines += [f"- note: {n}" for n in report.notes]
    return "\n".join(lines)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def _print_rich(report, console) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    console.print(Text(f"gradcheck {report.spec}", style="bold"))
    for key, value in _header(report):
        console.print(Text.assemble(("  " + key + ": ", "dim"), value))
    rows = _rows(report)
    table = Table(box=box.SIMPLE_HEAD, collapse_padding=True, pad_edge=False, header_style="bold")
    for i, name in enumerate(_columns(report)):
        right = name in ("applied", "true", "abs err", "rel err", "kinks")
        widest = max(len(row[i]) for row in rows)  # numbers whole; shape and worst may fold
        least = widest if right or name in ("param", "grade", "") else len(name)
        table.add_column(name, justify="right" if right else "left", min_width=least)
    for p, row in zip(report.parameters, rows, strict=True):
        cells = list(row)
        cells[7] = Text(row[7], style=GRADE_STYLES.get(p.grade, ""))
        cells[8] = Text(row[8], style="green" if p.passed else "bold red")
        table.add_row(*cells)
    console.print()
    console.print(table)
    console.print()
    verdict, *rest = _closing(report)
    console.print(Text(verdict, style="bold green" if report.passed else "bold red"))
    for line in rest:
        console.print(Text(line, style="cyan" if "hint:" in line else ""))
    for w in report.warnings:
        console.print(Text(f"warning: {w}", style="yellow"))
    for n in report.notes:
        console.print(Text(f"note: {n}", style="dim"))


def report_dict(report: Report) -> dict[str, Any]:
    s = report.settings
    return {
        "spec": report.spec,
        "loss": {"name": s.loss.name, "reduction": s.loss.reduction, "title": s.loss.title},
        "method": report.method,
        "eps": report.eps,
        "rtol": report.rtol,
        "atol": report.atol,
        "precision": report.precision,
        "directions": s.directions if report.method == "directional" else None,
        "parameter_count": report.parameter_count,
        "sizes": list(s.sizes),
        "batch": s.batch,
        "seed": s.seed,
        "lr": s.lr,
        "parameters": {p.name: _parameter_dict(p) for p in report.parameters},
        "matches_loss": report.match.loss.title if report.match else None,
        "match": None
        if report.match is None
        else {
            "name": report.match.loss.name,
            "reduction": report.match.loss.reduction,
            "factor": report.match.factor,
            "sentence": report.match.sentence(),
        },
        "passed": report.passed,
        "kinks": report.kinks,
        "warnings": list(report.warnings),
        "hints": list(report.hints),
        "notes": list(report.notes),
    }


def _parameter_dict(p: ParameterReport) -> dict:
    return {
        "shape": list(p.shape),
        "dtype": p.dtype,
        "checked": p.checked,
        "worst_index": list(p.worst_index) if p.worst_index is not None else None,
        "worst_direction": p.worst_direction,
        "applied": p.applied,
        "true": p.true,
        "abs_error": p.abs_error,
        "rel_error": p.rel_error,
        "noise": p.noise,
        "grade": p.grade,
        "passed": p.passed,
        "mismatches": p.mismatches,
        "kinks": p.kinks,
    }
