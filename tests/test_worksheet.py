"""`symchain worksheet`: reproducible by seed, every answer verified, every format sound."""

import json
import math
import os
import shutil
import subprocess
import sys

import pytest
import sympy as sp
from click.testing import CliRunner

from symchain.calculus.worksheet import (
    TOPIC_RULES,
    TOPICS,
    combining_steps,
    parse_level,
    parse_topics,
    worksheet,
)
from symchain.cli.worksheet import worksheet as worksheet_command
from symchain.core import engine
from symchain.core.errors import UsageError
from symchain.core.parse import parse

ISSUE_TOPICS = "chain,product,quotient,trig,exp-log"


@pytest.fixture(scope="module")
def sheet():
    """Every topic twice at every level: 21 exercises."""
    return worksheet(count=21, seed=7, topics=TOPICS, level=(1, 3))


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(worksheet_command, list(args))

    return invoke


# -- reproducible ---------------------------------------------------------------


def test_the_same_seed_gives_the_same_sheet(sheet):
    again = worksheet(count=21, seed=7, topics=TOPICS, level=(1, 3))
    assert again.to_dict() == sheet.to_dict()
    assert again.markdown() == sheet.markdown()


def test_different_seeds_give_different_sheets():
    one = worksheet(count=5, seed=1, topics=ISSUE_TOPICS)
    two = worksheet(count=5, seed=2, topics=ISSUE_TOPICS)
    assert [e["expression"] for e in one.to_dict()["exercises"]] != [
        e["expression"] for e in two.to_dict()["exercises"]
    ]


def test_another_process_with_another_hash_seed_draws_the_same_sheet():
    """No dependence on set or dict order: PYTHONHASHSEED changes nothing."""
    code = (
        "from symchain.cli.worksheet import worksheet; "
        "worksheet.main(['--count', '6', '--seed', '11', '--topics', "
        f"'{ISSUE_TOPICS}', '--format', 'json'], prog_name='symchain worksheet')"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    here = worksheet(count=6, seed=11, topics=ISSUE_TOPICS)
    assert json.loads(done.stdout) == here.to_dict()


# -- correct ----------------------------------------------------------------------


def _numerically_equal(a: sp.Expr, b: sp.Expr, x: sp.Symbol) -> bool:
    """a == b at points where both are real and finite (checked independently of the engine)."""
    compared = 0
    for point in (0.31, 0.77, 1.3, 2.2, -0.45, -1.7):
        try:
            va, vb = complex(a.subs(x, point).evalf(30)), complex(b.subs(x, point).evalf(30))
        except (TypeError, ValueError):
            continue  # outside the domain (zoo, nan)
        if not all(map(math.isfinite, (va.real, va.imag, vb.real, vb.imag))):
            continue
        if abs(va.imag) > 1e-12 or abs(vb.imag) > 1e-12:
            continue
        assert abs(va - vb) <= 1e-9 * max(1.0, abs(vb)), (a, b, point)
        compared += 1
    return compared >= 2


def test_every_answer_is_verified_and_is_sympys_derivative(sheet):
    assert sheet.verified
    x = parse("x")
    for e in sheet.exercises:
        assert e.verified and e.derivation.complete
        truth = sp.diff(e.expression, x)
        assert _numerically_equal(e.answer, truth, x), e.expression


def test_each_exercise_uses_its_topics_rule(sheet):
    for e in sheet.exercises:
        assert set(e.rules) & set(TOPIC_RULES[e.topic]), (e.topic, e.rules)
        assert engine.CONSTANT not in e.rules and engine.VARIABLE not in e.rules


def test_topics_take_turns_and_levels_rise(sheet):
    assert [e.topic for e in sheet.exercises] == list(TOPICS) * 3
    levels = [e.level for e in sheet.exercises]
    assert levels == sorted(levels) and levels.count(1) == levels.count(2) == 7
    assert [e.number for e in sheet.exercises] == list(range(1, 22))


def test_levels_count_the_combining_steps(sheet):
    for e in sheet.exercises:
        steps = combining_steps(e.derivation)
        assert {1: steps <= 1, 2: steps == 2, 3: steps >= 3}[e.level], (e.expression, steps)


def test_no_exercise_is_repeated(sheet):
    expressions = [e.expression for e in sheet.exercises]
    assert len(set(expressions)) == len(expressions)


def test_a_single_level_and_a_single_topic():
    sheet = worksheet(count=4, seed=3, topics="chain", level="2")
    assert {e.level for e in sheet.exercises} == {2}
    assert all(e.derivation.steps.rule == engine.CHAIN for e in sheet.exercises)


# -- formats --------------------------------------------------------------------------


def test_json_has_the_documented_keys(run):
    result = run("--count", "3", "--seed", "7", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"seed", "topics", "level", "exercises"} <= set(data)
    assert data["seed"] == 7 and data["level"] == [1, 3]
    keys = {"number", "expression", "topic", "level", "rules", "answer", "verified"}
    x = parse("x")
    for item in data["exercises"]:
        assert keys <= set(item) and item["verified"] is True
        # the expression reads back through symchain's own parser
        expr = parse(item["expression"])
        assert _numerically_equal(sp.sympify(item["answer"], locals={"x": x}), sp.diff(expr, x), x)


def test_markdown_has_exercises_answer_key_and_solutions(sheet):
    text = sheet.markdown()
    assert text.startswith("## Differentiation worksheet\n")
    assert "\n### Answer key\n" in text and "\n### Solutions\n" in text
    assert "\n#### 1. " in text and "\n##### $\\frac{d}{dx}" in text
    assert "1. $" in text and "chain rule" in text
    assert "### Solutions" not in sheet.markdown(solutions=False)


def test_plain_and_rich(run):
    plain = run("--count", "3", "--seed", "2", "--format", "plain")
    assert plain.exit_code == 0 and "Answer key" in plain.output and "Solutions" in plain.output
    assert "\x1b" not in plain.output
    rich = run("--count", "3", "--seed", "2", "--format", "rich", "--no-color")
    assert rich.exit_code == 0 and "Answer key" in rich.output
    short = run("--count", "3", "--seed", "2", "--format", "plain", "--no-solutions")
    assert "Solutions" not in short.output and "Answer key" in short.output


def test_latex_is_a_whole_ascii_document(sheet):
    tex = sheet.latex()
    assert tex.startswith("\\documentclass{article}")
    assert "\\begin{document}" in tex and tex.rstrip().endswith("\\end{document}")
    assert tex.count("\\item") == 2 * sheet.count
    assert tex.count("\\begin{align*}") >= sheet.count  # a solution's words break a block
    assert tex.isascii()
    assert "\\usepackage{lmodern}" in tex  # Latin Modern: vector type, not bitmaps
    assert "-{}-{}count 21" in tex  # as typed: T1 would set -- as an en dash


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_latex_compiles_with_pdflatex(sheet, tmp_path):
    (tmp_path / "sheet.tex").write_text(sheet.latex(), encoding="utf-8")
    done = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "sheet.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert (tmp_path / "sheet.pdf").stat().st_size > 1000


def test_output_file_takes_its_format_from_the_extension(run, tmp_path):
    target = tmp_path / "sheet.tex"
    result = run("--count", "2", "--output", str(target))
    assert result.exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("\\documentclass{article}")
    assert "wrote" in result.output  # the note goes to stderr, which CliRunner mixes in


# -- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["--topics", "chain,integrals"], "unknown topic 'integrals'"),
        (["--topics", ","], "at least one topic"),
        (["--level", "0..2"], "levels go from 1 to 3"),
        (["--level", "3..1"], "backwards"),
        (["--level", "hard"], "give a number from 1 to 3"),
        (["--count", "0"], "0 is not in the range"),
        (["--count", "101"], "101 is not in the range"),
        (["--seed", "abc"], "is not a valid integer"),
        (["--format", "html"], "html"),
    ],
)
def test_bad_options_exit_2_with_a_reason(run, args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output


def test_unknown_topic_lists_the_valid_ones(run):
    result = run("--topics", "calculus")
    assert result.exit_code == 2
    assert all(topic in result.output for topic in TOPICS)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"count": 0},
        {"count": True},
        {"count": 2.5},
        {"seed": "7"},
        {"topics": ["chain", "limits"]},
        {"topics": []},
        {"level": 4},
        {"level": (2, 1)},
        {"level": "1..9"},
    ],
)
def test_the_api_refuses_bad_options(kwargs):
    with pytest.raises(UsageError):
        worksheet(**kwargs)


def test_option_parsers():
    assert parse_level("1..3") == (1, 3) == parse_level("1-3") == parse_level((1, 3))
    assert parse_level(2) == (2, 2) == parse_level(" 2 ")
    assert parse_topics("Chain, trig,chain") == ("chain", "trig")


def test_no_exercise_cancels_to_something_simpler():
    from symchain.calculus.worksheet import _cancels

    sheet = worksheet(count=12, seed=0, topics=("quotient",), level=(1, 1))
    assert not any(_cancels(e.expression) for e in sheet.exercises)
    assert not any(e.answer.is_number for e in sheet.exercises)
