"""What a notebook shows of each result: Markdown and LaTeX for derivations, a PNG for a
plot (its text picture without matplotlib), a table for a gradcheck report, and a
one-line repr everywhere; the user's own pyplot keeps working (issue 16, item 2).

IPython's DisplayFormatter gives the exact bundle a kernel sends, where IPython is
installed; a real kernel (nbclient) was also run by hand: see the issue's notes.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

import symchain

PNG = b"\x89PNG\r\n\x1a\n"


def test_a_plot_shows_as_a_png_and_not_as_markdown():
    pytest.importorskip("matplotlib")
    p = symchain.plot("tan(x)", range="-pi,pi")
    png = p._repr_png_()
    assert png is not None and png.startswith(PNG)
    assert p._repr_markdown_() is None  # Jupyter would rank it above the picture
    assert repr(p) == "<Plot f(x) = tan(x) (✓ verified)>"


def test_without_matplotlib_a_plot_shows_its_text_picture(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib fails
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *a: None)
    p = symchain.plot("x^2", range=(-2, 2))
    assert p._repr_png_() is None
    markdown = p._repr_markdown_()
    assert markdown is not None and "┤" in markdown and "* f(x)" in markdown


def test_other_results_have_no_picture():
    assert symchain.derive("x^2")._repr_png_() is None


def test_a_gradcheck_report_shows_as_a_table():
    w = np.array([0.5, -1.0])
    report = symchain.gradcheck(lambda: float(np.sum(w**3)), {"w": w}, {"w": 2 * w**2})
    table = report._repr_markdown_()
    assert table.startswith("## ✗ FAIL: w wrong (0 of 1 parameter right)\n")
    assert (
        "| parameter | shape | checked | worst | claimed | true | rel. error | verdict |" in table
    )
    assert repr(report) == "<GradientReport failed=['w'], unconfirmed=[]: w>"


@pytest.mark.parametrize(
    ("text", "kind"), [("3,1", "low < high"), ("1", "low,high"), ("a,b", "numbers")]
)
def test_a_bad_range_is_a_usage_error(text, kind):
    with pytest.raises(symchain.UsageError, match=kind):
        symchain.plot("x^2", range=text)
    with pytest.raises(symchain.UsageError, match="low < high"):
        symchain.plot("x^2", range=(1, float("nan")))


def test_the_kernel_bundle_holds_the_displays():
    formatters = pytest.importorskip("IPython.core.formatters")
    display = formatters.DisplayFormatter()
    data, _ = display.format(symchain.derive("(3x+1)^2"))
    assert set(data) == {"text/plain", "text/markdown", "text/latex"}
    assert data["text/plain"] == "<Derivation d/dx (3x + 1)² = 18x + 6 (✓ verified)>"
    pytest.importorskip("matplotlib")
    data, _ = display.format(symchain.plot("sin(x)"))
    assert set(data) == {"text/plain", "image/png"}
