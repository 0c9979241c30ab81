"""--method log: logarithmic differentiation gives the direct route's answer, verified."""

from __future__ import annotations

import json

import pytest
import sympy as sp
from click.testing import CliRunner

from symchain.calculus.logdiff import log_derive
from symchain.cli.app import main
from symchain.core.errors import UsageError

x = sp.Symbol("x", real=True)


@pytest.mark.parametrize(
    "text",
    [
        "x^x",
        "sin(x)^cos(x)",
        "(x+1)^2 (x-3)^5 / sqrt(x^2+1)",
        "x^x sin(x)",
        "x exp(x) log(x)",
        "2^x x^3",
    ],
)
def test_same_answer_as_the_direct_route(text):
    d = log_derive(text)
    assert d.verified and d.complete
    for point in (0.7, 1.9, 3.4):
        got, want = d.result.subs(x, point), sp.diff(d.expression, x).subs(x, point)
        assert abs(complex(got) - complex(want)) < 1e-9 * max(1, abs(complex(want)))


def test_each_term_is_a_log_law_term():
    d = log_derive("(x+1)^2 (x-3)^5 / sqrt(x^2+1)")
    assert (
        sp.expand(d.log_sum - (2 * sp.log(x + 1) + 5 * sp.log(x - 3) - sp.log(x**2 + 1) / 2)) == 0
    )


def test_not_for_a_single_factor():
    with pytest.raises(UsageError, match="`method` log"):
        log_derive("sin(x)")


def test_cli():
    r = CliRunner().invoke(main, ["derive", "x^x", "--method", "log"])
    assert r.exit_code == 0 and "ln y = x·ln(x)" in r.output and "y'/y = ln(x) + 1" in r.output
    data = json.loads(
        CliRunner().invoke(main, ["derive", "x^x", "--method", "log", "--format", "json"]).stdout
    )
    assert data["method"] == "log" and sp.parse_expr(data["result"]) is not None
    assert (
        CliRunner().invoke(main, ["derive", "x^x", "--method", "log", "--order", "2"]).exit_code
        == 2
    )
