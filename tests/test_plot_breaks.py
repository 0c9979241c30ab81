"""Plots a class can use: no line across poles and jumps, a y window poles do not blow up,
--ylim, typeset legends, and a text picture that fits the terminal."""

from __future__ import annotations

import io
import re
from itertools import pairwise

import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from symchain.calculus.plot import auto_ylim, make_plot, parse_ylim, sampler, suspects
from symchain.cli.app import main
from symchain.core.errors import UsageError
from symchain.render.views.plot import clip_band, mathtext_label, print_plot, text_plot

x = sp.Symbol("x", real=True)


def run(*args):
    return CliRunner().invoke(main, ["plot", *args])


def segments_across(curve, point):
    """Drawn segments (both ends finite) with one end each side of `point`."""
    xs, ys = curve.xs, curve.ys
    both = np.isfinite(ys[:-1]) & np.isfinite(ys[1:])
    return int(np.sum(both & (xs[:-1] < point) & (xs[1:] > point)))


@pytest.mark.parametrize(
    "formula, f_breaks, df_breaks",
    [
        ("tan(x)", [-3 * np.pi / 2, -np.pi / 2, np.pi / 2, 3 * np.pi / 2], None),
        ("1/x", [0.0], [0.0]),
        ("1/(x^2-1)", [-1.0, 1.0], [-1.0, 1.0]),
        ("sign(x)", [0.0], [0.0]),
        ("Heaviside(x)", [0.0], [0.0]),
        ("abs(x^2-1)", [], [-1.0, 1.0]),
        ("Piecewise((x, x<0), (x+1, True))", [0.0], [0.0]),
        ("exp(x)", [], []),
        ("x^3 - 3x", [], []),
    ],
)
def test_breaks_are_where_the_function_or_its_derivative_has_none(formula, f_breaks, df_breaks):
    p = make_plot(formula, -5, 5)
    f, df = p.curve("f"), p.curve("df")
    assert np.allclose(f.breaks, f_breaks, atol=1e-9)
    assert np.allclose(df.breaks, f_breaks if df_breaks is None else df_breaks, atol=1e-9)
    for curve in (f, df):
        assert np.all(np.diff(curve.xs) > 0)
        for b in curve.breaks:
            assert segments_across(curve, b) == 0


def test_no_vertical_segment_at_a_corner():
    """|x² − 1|′ = 2x·sign(x² − 1) jumps from −2 to 2 at x = 1: no segment joins them,
    the line reaches within 10⁻⁴ of the corner from each side, and both ends are open."""
    df = make_plot("abs(x^2-1)", -5, 5).curve("df")
    near = np.isfinite(df.ys) & (np.abs(df.xs - 1) < 1e-3)
    assert near.any() and segments_across(df, 1.0) == 0
    assert {(m.x, round(m.y, 6), m.filled) for m in df.marks if m.x == 1.0} == {
        (1.0, -2.0, False),
        (1.0, 2.0, False),
    }


def test_a_jump_has_its_value_filled_and_its_limits_open():
    f = make_plot("sign(sin(x))", -5, 5).curve("f")
    at_pi = {(round(m.y, 9), m.filled) for m in f.marks if abs(m.x - np.pi) < 1e-9}
    assert at_pi == {(1.0, False), (-1.0, False), (0.0, True)}  # sign(sin π) is 0, exactly


def test_a_hole_is_not_a_break():
    f = make_plot("sin(x)/x", -5, 5).curve("f")
    assert f.breaks == () and [(m.x, round(m.y, 9), m.filled) for m in f.marks] == [
        (0.0, 1.0, False)
    ]


def test_poles_the_formula_does_not_name_are_found_from_the_samples():
    f = make_plot("gamma(x)", -4.5, 2).curve("f")
    assert np.allclose(f.breaks, [-4, -3, -2, -1, 0], atol=1e-9)


def test_suspects_come_from_the_formula():
    xs = np.linspace(-5, 5, 401)
    found = suspects(sp.floor(x / 2), x, xs, sampler(sp.floor(x / 2), x))
    assert np.allclose(sorted(found), [-4, -2, 0, 2, 4])
    found = suspects(sp.tan(x), x, xs, sampler(sp.tan(x), x))
    assert found[float(sp.pi / 2)] == sp.pi / 2


def test_the_window_leaves_out_pole_tails_but_keeps_growth():
    tan = make_plot("tan(x)", -5, 5)
    assert tan.clipped and -25 < tan.ylim[0] < -5 and 5 < tan.ylim[1] < 25
    low, high = make_plot("1/x", -5, 5).ylim
    assert abs(low + high) < 1e-6 * (high - low)  # not lopsided
    exp = make_plot("exp(x)", -5, 5)
    assert not exp.clipped and exp.ylim[1] >= np.exp(5)  # growth is not a pole
    (low, high), clipped = auto_ylim(np.ones(50), np.zeros(50))
    assert low < 0 < 1 < high and not clipped


def test_ylim_is_used_and_parsed_strictly():
    p = make_plot("tan(x)", -5, 5, ylim=(-3, 3))
    assert p.ylim == (-3.0, 3.0) and p.ylim_given
    assert parse_ylim("-pi, pi") == (-np.pi, np.pi)
    for bad in ["1", "1,2,3", "2,1", "a,b", ",", "1,", "oo,1", "nan,1", "1e999,2"]:
        with pytest.raises(UsageError):
            parse_ylim(bad)


@pytest.mark.parametrize("value", ["3,1", "a,b", "5", "1,2,3", "", "zoo,1"])
def test_cli_bad_ylim_is_one_line_and_exit_2(value):
    r = run("tan(x)", "--ylim", value)
    assert r.exit_code == 2 and "ylim" in r.stderr
    assert len(r.stderr.strip().splitlines()) <= 3 and "Traceback" not in r.stderr


def test_cli_ylim_sets_the_text_window():
    r = run("tan(x)", "--ylim", "-2,2")
    assert r.exit_code == 0
    assert "        2 ┤" in r.stdout and "       -2 ┤" in r.stdout


def test_text_plot_never_joins_across_a_pole():
    """1/x: the column of x = 0 holds the axis only; f's glyphs are in the 1st and 3rd
    quadrants, never beside the axis in the 2nd or 4th."""
    p = make_plot("1/x", -5, 5)
    rows = text_plot(p, 80)[:20]
    axis = rows[0].index("│")
    top, bottom = rows[:10], rows[11:]
    assert all("*" not in row[11:axis] for row in top)
    assert all("*" not in row[axis + 1 :] for row in bottom)


def test_clip_band_cuts_at_the_edges():
    xs, ys = clip_band(np.array([0.0, 1, 2, 3]), np.array([0.0, 10, 0, 0.5]), -1, 1)
    assert np.allclose(xs[np.isfinite(ys)], [0, 0.1, 1.9, 2, 3])
    assert np.nanmax(ys) <= 1 and np.isnan(ys).sum() == 1


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=40, max_value=240))
def test_text_plot_width_fits(width):
    p = make_plot("x^3 - 3x", -2.5, 2.5, at="x=1")
    assert all(len(row) <= width for row in text_plot(p, width))


@settings(max_examples=20, deadline=None)
@given(
    st.floats(min_value=-6, max_value=5, allow_nan=False),
    st.floats(min_value=0.5, max_value=8, allow_nan=False),
)
def test_no_segment_crosses_a_pole_of_tan(low, width):
    p = make_plot("tan(x)", low, low + width)
    poles = [(k + 0.5) * np.pi for k in range(-5, 5) if low < (k + 0.5) * np.pi < low + width]
    for curve in (p.curve("f"), p.curve("df")):
        for pole in poles:
            assert segments_across(curve, pole) == 0


def test_rich_plot_fits_the_terminal_and_colours_each_series():
    p = make_plot("x^3 - 3x", -2.5, 2.5, at="x=1")
    for width in (50, 80, 120):
        out = io.StringIO()
        console = Console(file=out, width=width, force_terminal=True, color_system="standard")
        print_plot(p, console)
        text = out.getvalue()
        plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
        assert all(len(line) <= width for line in plain.splitlines())
        assert max(len(line) for line in plain.splitlines()) >= width - 1  # uses the width
        # f bold blue, f′ red, the tangent green, each glyph in its series' colour
        assert "\x1b[1;34m*" in text and "\x1b[31mo" in text and "\x1b[32m." in text
        assert "f′(x)" in plain and "tangent" in plain


def test_legend_is_mathtext_or_hand_notation():
    pytest.importorskip("matplotlib")
    assert mathtext_label("f(x)", sp.tan(x)) == r"$f(x) = \tan{\left(x \right)}$"
    piecewise = sp.Piecewise((x, x < 0), (x + 1, True))
    assert not mathtext_label("f(x)", piecewise).startswith("$")


def test_images_of_the_hard_cases_are_written(tmp_path):
    pytest.importorskip("matplotlib")
    for k, formula in enumerate(
        ["tan(x)", "abs(x^2-1)", "sign(x)", "sin(x)/x", "Piecewise((x, x<0), (x+1, True))"]
    ):
        out = tmp_path / f"p{k}.svg"
        r = run(formula, "--output", str(out))
        assert r.exit_code == 0, r.stderr
        assert "<svg" in out.read_text()


def _runs(latex: str, plot: int) -> list[list[tuple[float, float]]]:
    """The stretches of one \\addplot's coordinates that pgfplots joins (nan breaks them)."""
    body = re.findall(r"coordinates \{(.*?)\};", latex, re.S)[plot]
    runs: list[list[tuple[float, float]]] = [[]]
    for x, y in re.findall(r"\(([^,]+),([^)]+)\)", body):
        if y == "nan":
            runs.append([])
        else:
            runs[-1].append((float(x), float(y)))
    return [run for run in runs if run]


@pytest.mark.parametrize(("formula", "pieces"), [("tan(x)", 5), ("1/x", 2), ("abs(x^2-1)", 1)])
def test_the_latex_picture_breaks_where_the_curve_does(formula, pieces):
    """pgfplots joins points across a blank line: each break must be a nan point, so that
    tan(x) on [−5, 5] is five pieces, not drawn from +17 to −17 at its four poles."""
    latex = CliRunner().invoke(main, ["plot", formula, "--format", "latex"]).stdout
    runs = _runs(latex, 0)
    assert len(runs) == pieces
    assert all(x0 < x1 for run in runs for (x0, _), (x1, _) in pairwise(run))
    if formula == "abs(x^2-1)":  # f' = 2x·sign(x²−1) jumps at ±1: three stretches, no riser
        df = _runs(latex, 1)
        assert len(df) == 3
        assert all(abs(y1 - y0) < 1 for run in df for (_, y0), (_, y1) in pairwise(run))
