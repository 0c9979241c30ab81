"""Hostile text through every way in (--let, --at, --vars, the Python API), resource limits,
and valid JSON for every command's errors."""

from __future__ import annotations

import json
import os
import time

import pytest
from click.testing import CliRunner
from test_properties import hostile_strings

from symchain.calculus.derivation import derive
from symchain.calculus.multivariable import derive_chain
from symchain.calculus.partials import gradient, hessian, jacobian
from symchain.cli.app import main
from symchain.core.errors import SymchainError


@pytest.fixture
def canary(tmp_path):
    path = tmp_path / "CANARY"
    yield path
    assert not path.exists(), "hostile text created the canary file"


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def _refused(result, text):
    assert result.exit_code == 2, (text, result.exit_code, result.output)
    assert "Traceback" not in result.output, text
    json.loads(result.stdout)  # --format json: an error object, valid JSON


def test_corpus_is_big_enough(canary):
    assert len(hostile_strings(canary)) >= 50


def test_hostile_let_values_and_names(canary):
    for text in hostile_strings(canary):
        _refused(
            run("derive", "x + 1", "--let", f"x={text}", "--wrt", "t", "--format", "json"), text
        )
        if "=" not in text:
            args = ["derive", "x + 1", "--let", f"{text}=t", "--wrt", "t", "--format", "json"]
            _refused(run(*args), text)
    assert not canary.exists()


def test_hostile_points(canary):
    for text in hostile_strings(canary):
        _refused(run("derive", "x**2", "--at", f"x={text}", "--format", "json"), text)
    assert not canary.exists()


def test_hostile_vars(canary):
    for text in hostile_strings(canary):
        for command in ("grad", "hessian"):
            _refused(run(command, "x*y", "--vars", text, "--format", "json"), text)
        _refused(run("jacobian", "x*y", "x+y", "--vars", text, "--format", "json"), text)
    assert not canary.exists()


def test_hostile_text_through_the_python_api(canary):
    for text in hostile_strings(canary):
        for call in (
            lambda t: derive(t),
            lambda t: derive("x**2", at=f"x={t}"),
            lambda t: derive("x**2", wrt=t),
            lambda t: derive_chain("x", [f"x={t}"], wrt="t"),
            lambda t: gradient(t),
            lambda t: gradient("x*y", t),
            lambda t: jacobian([t, "x"]),
            lambda t: hessian(t),
        ):
            with pytest.raises(SymchainError):
                call(text)
    assert not canary.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["derive", "(" * 10_000 + "x" + ")" * 10_000],
        ["derive", "factorial(10**10)"],
        ["derive", "9**9**9"],
        ["derive", "x**(10**100)"],
        ["derive", "x", "--let", "x=" + "(" * 10_000 + "t" + ")" * 10_000],
        ["grad", "x" + "*x" * 50_000],
    ],
)
def test_resource_limits_end_quickly_with_a_message_or_a_right_answer(args):
    start = time.perf_counter()
    result = run(*args, "--format", "json")
    payload = json.loads(result.stdout)
    if result.exit_code == 2:
        assert payload["error"]["message"]
    else:  # x**(10**100) has a derivative, and it is given
        assert result.exit_code == 0 and payload["verified"] is True, result.output[:300]
    assert time.perf_counter() - start < 10


def test_a_megabyte_line_on_stdin_is_refused():
    line = "x+" * 500_000 + "x\n"
    result = run("derive", "-f", "-", "--format", "jsonl", input=line + "sin(x)\n")
    objects = [json.loads(text) for text in result.stdout.splitlines()]
    assert "error" in objects[0] and objects[1]["verified"] is True
    assert result.exit_code == 2


def test_an_exploding_derivative_stops_at_the_timeout():
    start = time.perf_counter()
    result = run("derive", "x^x^x^x^x^x^x", "--order", "6", "--timeout", "2", "--format", "json")
    elapsed = time.perf_counter() - start
    assert elapsed < 15
    if result.exit_code == 2:
        assert json.loads(result.stdout)["error"]["kind"] == "limit"
    else:
        assert json.loads(result.stdout)["verified"] in (True, False)


@pytest.mark.parametrize(
    "args",
    [
        ["derive", ""],
        ["derive", "   "],
        ["derive", "x\x00"],
        ["grad", "sin("],
        ["jacobian", "x", "sin("],
        ["hessian", "1"],
        ["backprop", "--sizes", "2,0,1"],
        ["gradcheck", "no_such_file.py:Net"],
    ],
)
def test_every_command_reports_errors_as_json(args):
    result = run(*args, "--format", "json")
    assert result.exit_code == 2, result.output
    payload = json.loads(result.stdout)
    error = payload["error"]
    assert isinstance(error["kind"], str) and isinstance(error["message"], str)
    assert error["position"] is None or isinstance(error["position"], int)


def test_hostile_lines_in_a_batch_file(canary, tmp_path):
    lines = [t for t in hostile_strings(canary) if not any(c in t for c in "\n\r#\x00")]
    path = tmp_path / "formulas.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("derive", "-f", str(path), "--format", "jsonl", "--wrt", "x")
    objects = [json.loads(text) for text in result.stdout.splitlines()]
    assert len(objects) == len(lines) and all("error" in obj for obj in objects)
    assert result.exit_code == 2 and not canary.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["derive", "x", "--order", "0"],
        ["derive", "x", "--timeout", "-1"],
        ["backprop", "--batch", "x"],
        ["grad"],
        ["nope"],
    ],
)
def test_option_errors_are_json_when_json_is_asked_for(args):
    result = run(*args, "--format", "json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["kind"] == "usage"
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1  # one line


def test_an_endless_line_is_refused_without_reading_it_all(tmp_path):
    """/dev/zero is one line that never ends: refused after a bounded read, never hung on."""
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    started = time.perf_counter()
    result = run("derive", "-f", "/dev/zero", "--format", "jsonl")
    assert result.exit_code == 2 and time.perf_counter() - started < 30
    record = json.loads(result.stdout.splitlines()[0])
    assert record["error"]["message"].endswith("so the rest of the input is not read")


def test_jsonl_records_survive_a_splitlines_reader():
    """U+2028 is a line break to str.splitlines(), not to JSON: it is escaped."""
    result = run("derive", "-f", "-", "--format", "jsonl", input="x\u2028y\nsin(x)\n")
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and "\\u2028" in lines[0]
    assert json.loads(lines[0])["input"] == "x\u2028y" and json.loads(lines[1])["verified"]


def test_a_long_bad_input_is_echoed_by_its_start():
    formula = "x + " * 600 + "$"
    result = run("derive", formula, "--format", "json")
    payload = json.loads(result.stdout)
    assert result.exit_code == 2 and payload["input"] == formula[:200] + "…"
    assert payload["input_length"] == len(formula)


def test_json_has_no_nan_or_infinity_tokens():
    from symchain.render import json_text

    text = json_text({"a": float("nan"), "b": [float("inf"), -float("inf"), 1.5]}, "jsonl")
    assert json.loads(text) == {"a": "nan", "b": ["inf", "-inf", 1.5]}
    assert "NaN" not in text and "Infinity" not in text


def test_an_argument_that_is_not_utf8_still_gives_utf8_json():
    import subprocess
    import sys
    from pathlib import Path

    script = Path(sys.executable).with_name("symchain")
    if not script.exists():
        pytest.skip("the console script is not installed")
    out = subprocess.run([str(script).encode(), b"derive", b"x\xff", b"--format", b"json"],
                         capture_output=True, timeout=60).stdout  # fmt: skip
    data = json.loads(out.decode("utf-8"))
    assert data["input"] == "x\ufffd"
    assert data["error"]["message"] == "the text is not valid UTF-8"


def test_numbers_beyond_sympy_are_a_limit_not_an_internal_error():
    """Γ(10^9999) recurses inside SymPy, and fu's trig rewrite overflows on a power of
    10^9999: said as what they are (issue 14's second review)."""
    r = CliRunner().invoke(main, ["derive", "gamma(x)", "--at", "x=10^9999", "--format", "jsonl"])
    assert r.exit_code == 2
    assert json.loads(r.stdout)["error"] == {
        "kind": "limit",
        "message": "the value at x=1.00E+9999 could not be computed: its numbers are too large",
        "position": None,
    }
    r = CliRunner().invoke(main, ["derive", "sin(x)^(10^9999)", "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["verified"] is True


def test_an_error_column_in_another_input_says_which_text_it_counts_in():
    r = CliRunner().invoke(main, ["derive", "x^3", "--at", "x=1;1", "--format", "jsonl"])
    error = json.loads(r.stdout)["error"]
    assert (error["position"], error["text"]) == (1, "1;1")
    r = CliRunner().invoke(main, ["derive", "x^3+", "--format", "jsonl"])
    assert "text" not in json.loads(r.stdout)["error"]


def test_a_kink_beside_which_the_function_is_not_real_is_no_internal_error():
    r = CliRunner().invoke(main, ["derive", "Heaviside(asec(x))", "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["verified"] is True
