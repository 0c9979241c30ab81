"""symchain plot: text picture, image through matplotlib, JSON, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from symchain.calculus.plot import make_plot
from symchain.cli.app import main
from symchain.render.views.plot import text_plot


def run(*args):
    return CliRunner().invoke(main, ["plot", *args])


def test_samples_are_the_function_and_its_verified_derivative():
    p = make_plot("sin(x**2)", -3, 3)
    assert p.verified
    assert np.allclose(p.f, np.sin(p.xs**2)) and np.allclose(p.df, 2 * p.xs * np.cos(p.xs**2))


def test_undefined_points_are_left_out():
    p = make_plot("log(x)", -2, 3)
    assert np.isnan(p.f[p.xs <= 0]).all() and np.isfinite(p.f[p.xs > 0]).all()


def test_text_plot_has_both_series_and_axes():
    rows = text_plot(make_plot("x**2", -2, 2))
    picture = "\n".join(rows)
    assert "*" in picture and "o" in picture and "│" in picture and "─" in picture
    assert all(len(row) <= 80 for row in rows)  # piped output is 80 columns wide


def test_cli_text_and_tangent():
    r = run("x**3 - 3x", "--range", "-2,2", "--at", "x=1")
    assert r.exit_code == 0 and "tangent at x = 1: y = −2" in r.output and ". tangent" in r.output
    assert "\x1b" not in r.output


def test_cli_json_and_latex():
    data = json.loads(run("x**2", "--range", "0,1", "--format", "json").stdout)
    assert data["derivative"] == "2*x" and data["samples"][0] == {"x": 0.0, "f": 0.0, "df": 0.0}
    assert "\\addplot" in run("x**2", "--format", "latex").output


def test_image_needs_matplotlib(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    r = run("x**2", "--output", str(tmp_path / "p.png"))
    assert r.exit_code == 2 and "symchain[plot]" in r.stderr


def test_image_is_written(tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "p.png"
    r = run("exp(-x^2)", "--output", str(out))
    assert r.exit_code == 0 and out.read_bytes()[:4] == b"\x89PNG"
    # the image is the answer: nothing on stdout, and on stderr what was written and proved
    assert r.stdout == "" and r.stderr == f"wrote {out} (f′ verified)\n"


def test_an_image_leaves_the_users_backend_and_figures_alone(tmp_path):
    """A notebook's inline backend and its open figures are the user's: symchain draws on
    a Figure of its own (matplotlib.use("Agg") made every later plt.show() show nothing)."""
    pytest.importorskip("matplotlib")
    code = f"""
import matplotlib
matplotlib.use("svg")
import matplotlib.pyplot as plt
plt.figure()
from click.testing import CliRunner
from symchain.cli.app import main
r = CliRunner().invoke(main, ["plot", "sin(x)", "--output", {str(tmp_path / "p.png")!r}])
r2 = CliRunner().invoke(main, ["backprop", "--train", "--epochs", "20", "--plot",
                               {str(tmp_path / "c.png")!r}])
print(r.exit_code, r2.exit_code, matplotlib.get_backend(), plt.get_fignums())
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.split() == ["0", "0", "svg", "[1]"], done.stderr[-2000:]


@pytest.mark.parametrize(
    "args, message",
    [
        (["x**2", "--range", "3,1"], "low < high"),
        (["x**2", "--range", "a,b"], "numbers"),
        (["x*y"], "several variables"),
        (["x*y", "--wrt", "x"], "one variable"),
        (["sqrt(x)", "--range", "-3,-1"], "no real value"),
        (["x**2", "--output", "p.txt"], ".png"),
        (["log(x)", "--at", "x=-1"], "outside"),
    ],
)
def test_bad_input(args, message):
    r = run(*args)
    assert r.exit_code == 2 and message in r.stderr


def test_no_slope_where_the_function_is_undefined():
    p = make_plot("log(x)", -5, 5)
    assert np.isnan(p.df[p.xs <= 0]).all()
    assert run("f(x)").exit_code == 2


@pytest.mark.parametrize("formula", ["erfi(x)", "Si(x)", "besselj(1, x)", "gamma(x)",
                                     "airyai(x)", "zeta(x)", "li(x)"])  # fmt: skip
def test_special_functions_numpy_lacks_are_plotted(formula):
    """NumPy has no erfi, Si, Bessel, Airy or ζ: their values come from mpmath, or from
    SymPy's evalf (issue 14: these were internal errors)."""
    from click.testing import CliRunner

    from symchain.cli.app import main

    r = CliRunner().invoke(main, ["plot", formula, "--range", "1.5,3", "--format", "json"])
    assert r.exit_code in (0, 1), r.output
    samples = json.loads(r.stdout)["samples"]
    assert sum(s["f"] is not None for s in samples) > 0.9 * len(samples)


def test_an_odd_root_is_drawn_for_negative_x_on_its_real_branch():
    """derive.md: an odd root of a negative number is real, as on a calculator; the plot
    had left x < 0 out (NumPy's x**(1/3) of a negative is complex) under a legend ∛x."""
    result = CliRunner().invoke(main, ["plot", "cbrt(x)", "--format", "json"])
    samples = json.loads(result.stdout)["samples"]
    first = samples[0]
    assert first["x"] == -5.0
    assert first["f"] == pytest.approx(-(5 ** (1 / 3)))
    assert first["df"] == pytest.approx(5 ** (-2 / 3) / 3)
