"""Golden outputs: what every command prints, in every format, byte for byte.

Each case of CASES runs the `symchain` command line in-process (click's
CliRunner on `symchain.cli.main`) once per format, and compares stdout with
`tests/golden/<case>.<format>.txt`, stderr with `<case>.<format>.stderr.txt`
(absent means: stderr must be empty), and the exit code with the table.
API_CASES do the same for the Python API's notebook reprs, through public
names only, in `tests/golden/api/`.

    SYMCHAIN_REGEN_GOLDEN=1 python -m pytest tests/test_golden.py

rewrites the files instead of comparing (see tests/golden/README.md).

Floating-point noise.  A few cases (flagged `noise=True`: backprop, gradcheck,
plot) print numbers computed by NumPy whose last digits depend on the machine
(the BLAS kernel, the SIMD code of exp and pow): the |np−fd| column of
backprop's check is rounding noise printed to two digits, and JSON prints
every float in full.  Running these cases with OPENBLAS_CORETYPE=Prescott
changes them.  Their goldens are still compared byte for byte first; when
that fails, they pass only if every number agrees within RTOL/ATOL and the
text between the numbers is the same (up to whitespace), and a
GoldenNoiseWarning shows the diff.  SYMCHAIN_GOLDEN_STRICT=1 turns that
tolerance off: use it to prove a refactor byte-identical on one machine.

Only public entry points are used (`symchain.cli.main`, `symchain.derive`,
`symchain.check`, ...), so that a refactor of the package's insides keeps
these tests meaningful.  The environment is pinned (COLUMNS=80, no colour
forcing) and the working directory is the repository root, so that nothing
depends on the terminal or on where the checkout lives.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import json
import os
import re
import shlex
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

import symchain
from symchain.cli import main

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
GOLDEN = HERE / "golden"
API_GOLDEN = GOLDEN / "api"
REGEN = os.environ.get("SYMCHAIN_REGEN_GOLDEN", "") not in ("", "0")
STRICT = os.environ.get("SYMCHAIN_GOLDEN_STRICT", "") not in ("", "0")
# Floating-point noise a `noise` case may show on another machine: relative, for values
# (a 6-digit value that sat on a rounding boundary moves by one unit in its last digit),
# and absolute, for differences that are rounding noise through and through (1e-14).
RTOL = 1e-5
ATOL = 1e-9

#: The environment of every run: rich's width pinned at 80 columns, and nothing that
#: would force colour, a terminal or another width (None unsets the variable).
ENV = {
    "COLUMNS": "80",
    "LINES": "25",
    "NO_COLOR": None,  # --no-color is what is tested, not the variable
    "FORCE_COLOR": None,
    "TTY_COMPATIBLE": None,
    "TTY_INTERACTIVE": None,
    "JUPYTER_COLUMNS": None,
    "JUPYTER_LINES": None,
    "CLICOLOR_FORCE": None,
    "SYMCHAIN_MEMORY_GIB": None,
}

# Formats each command accepts (those the golden files cover).
TEXT = ("plain", "markdown", "latex", "json", "rich")
DERIVE = TEXT + ("jsonl",)
GRADCHECK = ("plain", "markdown", "json", "rich")


@dataclass(frozen=True)
class Case:
    """One command line, run once per format with `--format FMT` appended."""

    name: str
    command: str  # the arguments after `symchain`, quoted as in a POSIX shell
    code: int  # the expected exit code
    formats: tuple[str, ...] = TEXT
    stdin: str | None = None
    noise: bool = False  # prints NumPy floats whose last digits vary by machine (see above)
    interleaved: bool = False  # also golden stdout and stderr as a terminal shows them

    @property
    def argv(self) -> list[str]:
        return shlex.split(self.command)


# Paths are relative to the repository root, the working directory of every run, so
# that a path the output echoes (gradcheck's FILE.py:CLASS) is the same on every machine.
SEED_NET = "tests/fixtures/seed_network.py:SimpleNeuralNetwork"
BATCH = "tests/fixtures/golden_batch.txt"

# fmt: off
CASES = [
    # --- derive: the plain route, a Derivation ----------------------------------------------
    Case("derive_seed", "derive '(3x+1)^2'", 0, DERIVE),
    Case("derive_seed_brief", "derive '(3x+1)^2' --detail brief", 0),
    Case("derive_seed_full", "derive '(3x+1)^2' --detail full", 0),
    # a quotient of a product: the long "so ..." lines broken at each '='
    Case("derive_quotient_product", "derive 'x^2 e^(-x) / (1 + ln(x))'", 0),
    Case("derive_unknown_functions", "derive 'f(g(x))'", 0),
    Case("derive_nested_chain", "derive 'sin(cos(7x))'", 0),
    # a chain in a chain in a chain, with a sum inside: each du/dx nests in its own rule
    Case("derive_triple_chain", "derive 'cos(sin(x^2 + 1))^4'", 0),
    # a reading that depends on a convention: a note on stderr, "warnings" in JSON
    Case("derive_convention", "derive 'sqrt(e^2x + 2x)' --detail brief", 0),
    Case("derive_order2_at", "derive 'exp(-x) sin(x)' --order 2 --at x=0", 0),
    Case("derive_order2_at_brief", "derive 'exp(-x) sin(x)' --order 2 --at x=0 --detail brief", 0),
    Case("derive_wrt_at", "derive 'x^2 y' --wrt x --at 'x=1, y=2'", 0),
    Case("derive_tangent_exact", "derive 'x^3' --at x=2 --tangent", 0),
    # transcendental numbers: the decimal form of the line too (SymPy's evalf, not NumPy)
    Case("derive_tangent_decimal", "derive 'sin(x^2)' --at x=1 --tangent", 0),
    # a step SymPy answers with an unevaluated Derivative: unconfirmed, exit 1
    Case("derive_unconfirmed", "derive 'zeta(x)'", 1),
    # --- derive --let: a ChainDerivation ----------------------------------------------------
    Case("derive_let", "derive 'x**2 + y**2' --let 'x=t**2' --let 'y=sin(t)' --wrt t", 0),
    Case("derive_let_matrix", "derive 'u*v' --let 'u=x*y' --let 'v=x+y' --wrt x --matrix", 0),
    # --graph dot prints the DOT text whatever the format: one run
    Case("derive_let_dot", "derive 'u*v' --let 'u=x*y' --let 'v=x+y' --wrt x --graph dot", 0,
         ("plain",)),
    # --- derive --implicit: an Implicit -----------------------------------------------------
    Case("derive_implicit", "derive 'x**2 + y**2 = 25' --implicit y --wrt x", 0),
    Case("derive_implicit_order2",
         "derive 'x^3 + y^3 = 6 x y' --implicit y --order 2 --detail brief", 0),
    # --- derive --method log: a LogDerivation -----------------------------------------------
    Case("derive_log", "derive 'x^x' --method log", 0),
    Case("derive_log_quotient",
         "derive '(x+1)^2 (x-3)^5 / sqrt(x^2+1)' --method log --detail brief", 0),
    # --- derive -f: a batch with bad lines (exit 2; the messages on stderr) -----------------
    Case("derive_batch", f"derive -f {BATCH} --detail brief", 2, DERIVE, interleaved=True),
    Case("derive_batch_stdin", "derive -f -", 2, ("plain", "jsonl"), stdin="x^3\nsin(\n"),
    # --- errors: exit 2, the message on stderr, for JSON an error object on stdout ----------
    Case("error_parse", "derive 'sin(x'", 2, DERIVE),
    Case("error_refused_name", "derive \"__import__('os').system('ls')\"", 2, ("plain", "json")),
    Case("error_grad_vars", "grad 'x y' --vars x,z", 2, ("plain", "json")),
    # an option error is click's, before the command runs: {"input": null, ...} for JSON
    Case("error_option", "derive x --order 0", 2, ("plain", "json")),
    # --- grad, jacobian, hessian: a Gradient, a Jacobian, a Hessian -------------------------
    Case("grad", "grad 'x^2 y + sin(x y)'", 0, DERIVE),
    Case("grad_vars_brief", "grad 'x^2 y z' --vars z,x --detail brief", 0),
    Case("jacobian", "jacobian 'r cos(t)' 'r sin(t)' --vars r,t", 0, DERIVE),
    Case("jacobian_brief", "jacobian 'x y' 'x + z' --detail brief", 0),
    Case("hessian", "hessian 'x^3 y^2 + exp(x y)'", 0, DERIVE),
    Case("hessian_brief", "hessian 'x^3 y^2 + exp(x y)' --detail brief", 0),
    # --- check: a CheckResult ---------------------------------------------------------------
    Case("check_right", "check 'sin(x^2)' '2x cos(x^2)'", 0),
    Case("check_right_rewrite", "check 'tan(x)' '1 + tan(x)^2' --detail brief", 0),
    Case("check_wrong_mistake", "check 'sin(x^2)' 'cos(x^2)'", 1),
    Case("check_wrong_product", "check 'x sin(x)' 'cos(x)' --detail brief", 1),
    Case("check_undecided", "check 'x f(x, x)' 'f(x, x)' --detail brief", 1),
    Case("check_unknown_wrong", "check 'f(3x)' \"f'(3x)\" --detail brief", 1),
    # --- plot, in text: a Plot --------------------------------------------------------------
    # noise: the samples come from NumPy (pow); JSON and LaTeX print them
    Case("plot", "plot 'x**3 - 3x' --range -2.5,2.5 --at x=1", 0, noise=True),
    # --- worksheet: a Worksheet, drawn by seed ----------------------------------------------
    Case("worksheet",
         "worksheet --count 3 --seed 7 --topics chain,product,quotient --level 1..2", 0),
    Case("worksheet_no_solutions",
         "worksheet --count 2 --seed 7 --topics chain,trig --level 1..2 --no-solutions", 0),
    # --- backprop: a Walkthrough, and a Training --------------------------------------------
    # noise: the numeric check's |sym−np| and |np−fd| columns are rounding noise
    Case("backprop", "backprop", 0, noise=True),
    Case("backprop_columns_batch", "backprop --layout columns --batch 3 --detail brief", 0,
         noise=True),
    # softmax cross-entropy: the log-sum-exp's gradient written S, δ2 = (S − T)/N
    Case("backprop_softmax", "backprop --sizes 2,4,3 --batch 4 --loss softmax-ce --detail brief",
         0, noise=True),
    # the seed's run (1000 epochs, seed 42, cross-entropy): its figures and predictions
    Case("backprop_train", "backprop --train --seed 42 --loss bce --detail brief", 0,
         noise=True),
    # the scalar graph as DOT, whatever the format: one run
    Case("backprop_dot", "backprop --graph dot", 0, ("plain",), noise=True),
    # --- gradcheck: a Report, on the seed's network in tests/fixtures -----------------------
    # A larger --eps than the default 1e-6: the finite differences' error is then their
    # truncation error (a property of the network), not rounding noise, so the errors,
    # grades and "worst" entries printed are the same on every machine.  At eps 1e-6 the
    # errors of a passing check are noise (1e-11), and so is the choice of its worst entry;
    # in the failing check every entry is off by the same factor 2 (rel err 1/3), and its
    # worst entry is the one whose finite difference strays most: 1e-2 makes that
    # truncation too, with a wide margin over the noise.
    Case("gradcheck_pass", f"gradcheck {SEED_NET} --loss bce --eps 1e-3", 0, GRADCHECK,
         noise=True),
    Case("gradcheck_fail", f"gradcheck {SEED_NET} --loss mse --eps 1e-2", 1, GRADCHECK,
         noise=True),
    # Left out: the kinks column (tests/fixtures/relu_network.py).  A ReLU network with a
    # squared error is piecewise quadratic, so its finite differences are exact but for
    # rounding: every error printed, and which entry is "worst", is noise, at any eps.
]
# fmt: on

RUNS = [(case, fmt) for case in CASES for fmt in case.formats]

# click 8.1 mixes stderr into stdout unless told not to, and cannot give both apart and
# interleaved; 8.2 and later always keep them apart and give `output` interleaved.
_CLICK_81 = "mix_stderr" in inspect.signature(CliRunner).parameters


# --- comparing with a golden file -----------------------------------------------------------

MAX_DIFF_LINES = 40


def _diff(expected: str, actual: str, path: Path) -> str:
    lines = list(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            fromfile=f"{path.relative_to(REPO)} (golden)",
            tofile="actual",
            n=2,
        )
    )
    shown = "".join(line if line.endswith("\n") else line + "\n" for line in lines[:MAX_DIFF_LINES])
    if len(lines) > MAX_DIFF_LINES:
        shown += f"... and {len(lines) - MAX_DIFF_LINES} more diff lines\n"
    return shown


_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
# LaTeX's m×10ᵉ, read back as one number (else its mantissa alone would be compared).
_TEX_POWER = re.compile(r"(\d+(?:\.\d+)?)\\times 10\^\{([-+]?\d+)\}")


def _only_noise(expected: str, actual: str) -> bool:
    """The same text, up to whitespace, with every number equal within RTOL/ATOL."""
    expected, actual = (_TEX_POWER.sub(r"\1e\2", text) for text in (expected, actual))
    texts = [re.sub(r"\s+", " ", part) for part in _NUMBER.split(expected)]
    if texts != [re.sub(r"\s+", " ", part) for part in _NUMBER.split(actual)]:
        return False
    for a, b in zip(_NUMBER.findall(expected), _NUMBER.findall(actual), strict=True):
        if a != b and abs(float(a) - float(b)) > ATOL + RTOL * max(abs(float(a)), abs(float(b))):
            return False
    return True


class GoldenNoiseWarning(UserWarning):
    """A `noise` case differs from its golden only in floating-point noise."""


def _compare(path: Path, actual: str | None, noise: bool = False) -> None:
    """actual against the file at path (None: there must be no such file)."""
    if REGEN:
        if actual is None:
            path.unlink(missing_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(actual.encode("utf-8"))
        return
    name = path.relative_to(REPO)
    if actual is None:
        if path.exists():
            pytest.fail(f"{name} exists, but nothing was printed", pytrace=False)
        return
    if not path.exists():
        pytest.fail(
            f"no golden file {name}: run with SYMCHAIN_REGEN_GOLDEN=1 to create it\n"
            + actual[:2000],
            pytrace=False,
        )
    expected = path.read_bytes().decode("utf-8")
    if expected == actual:
        return
    diff = _diff(expected, actual, path)
    if noise and not STRICT and _only_noise(expected, actual):
        warnings.warn(
            GoldenNoiseWarning(f"{name}: only floating-point noise differs\n{diff}"), stacklevel=2
        )
        return
    pytest.fail(
        f"output differs from {name}\n{diff}"
        "(if the change is intended: SYMCHAIN_REGEN_GOLDEN=1, see tests/golden/README.md)",
        pytrace=False,
    )


# --- the command line -----------------------------------------------------------------------


def _argv(case: Case, fmt: str) -> list[str]:
    argv = [*case.argv, "--format", fmt]
    if fmt == "rich":
        argv.append("--no-color")
    return argv


@pytest.mark.parametrize(("case", "fmt"), RUNS, ids=[f"{c.name}.{f}" for c, f in RUNS])
def test_cli(case: Case, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    runner = CliRunner(mix_stderr=False) if _CLICK_81 else CliRunner()
    result = runner.invoke(main, _argv(case, fmt), input=case.stdin, env=ENV, prog_name="symchain")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    stdout, stderr = result.stdout, result.stderr
    assert "\x1b" not in stdout, "escape codes in stdout"
    assert "\x1b" not in stderr, "escape codes in stderr"
    _compare(GOLDEN / f"{case.name}.{fmt}.txt", stdout, case.noise)
    _compare(GOLDEN / f"{case.name}.{fmt}.stderr.txt", stderr or None, case.noise)
    if case.interleaved and not _CLICK_81:  # results and messages in order, as on a terminal
        _compare(GOLDEN / f"{case.name}.{fmt}.output.txt", result.output, case.noise)
    assert result.exit_code == case.code, (
        f"exit code {result.exit_code}, expected {case.code}\nstderr:\n{stderr[-2000:]}"
    )


# --- the Python API's reprs -----------------------------------------------------------------

#: name -> (how to build it, the reprs it has).  Only the package's public names.
API_CASES = {
    "derive_seed": (lambda: symchain.derive("(3x+1)^2"), ("str", "latex", "markdown", "json")),
    "derive_order2_at": (
        lambda: symchain.derive("exp(-x) sin(x)", order=2, at="x=0"),
        ("str", "latex", "markdown", "json"),
    ),
    "derive_tangent": (
        lambda: symchain.derive("sin(x^2)", at={"x": 1}, tangent=True),
        ("str", "latex", "markdown", "json"),
    ),
    "derive_unknown_functions": (
        lambda: symchain.derive("f(g(x))"),
        ("str", "latex", "markdown", "json"),
    ),
    "check_right": (
        lambda: symchain.check("sin(x^2)", "2x cos(x^2)"),
        ("str", "latex", "markdown", "json"),
    ),
    "check_wrong": (
        lambda: symchain.check("sin(x^2)", "cos(x^2)"),
        ("str", "latex", "markdown", "json"),
    ),
    "check_undecided": (
        lambda: symchain.check("x f(x, x)", "f(x, x)"),
        ("str", "latex", "markdown", "json"),
    ),
    "gradient": (
        lambda: symchain.gradient("x^2 y + sin(x y)"),
        ("str", "latex", "markdown", "json"),
    ),
    "jacobian": (
        lambda: symchain.jacobian(["r cos(t)", "r sin(t)"], vars="r,t"),
        ("str", "latex", "markdown", "json"),
    ),
    "hessian": (
        lambda: symchain.hessian("x^3 y^2 + exp(x y)", vars=["x", "y"]),
        ("str", "latex", "markdown", "json"),
    ),
    "worksheet": (
        lambda: symchain.worksheet(count=3, seed=7, topics="chain,product,quotient", level="1..2"),
        ("str", "markdown", "json"),
    ),
}

API_RUNS = [(name, kind) for name, (_, kinds) in API_CASES.items() for kind in kinds]


@functools.cache
def _api_result(name: str):
    build, _ = API_CASES[name]
    return build()


def _api_text(result, kind: str) -> str:
    if kind == "str":
        return str(result)
    if kind == "latex":
        return result._repr_latex_()
    if kind == "markdown":
        return result._repr_markdown_()
    return json.dumps(result.to_dict(), indent=2)


@pytest.mark.parametrize(("name", "kind"), API_RUNS, ids=[f"{n}.{k}" for n, k in API_RUNS])
def test_api(name: str, kind: str) -> None:
    text = _api_text(_api_result(name), kind)
    assert isinstance(text, str)
    _compare(API_GOLDEN / f"{name}.{kind}.txt", text)


# --- no golden file without a case ----------------------------------------------------------


def _expected_files() -> set[Path]:
    files = {GOLDEN / f"{case.name}.{fmt}.txt" for case, fmt in RUNS}
    files |= {GOLDEN / f"{case.name}.{fmt}.stderr.txt" for case, fmt in RUNS}
    files |= {GOLDEN / f"{case.name}.{fmt}.output.txt" for case, fmt in RUNS if case.interleaved}
    files |= {API_GOLDEN / f"{name}.{kind}.txt" for name, kind in API_RUNS}
    return files


def test_no_stale_golden_files() -> None:
    """Every .txt under tests/golden/ belongs to a case (a renamed case leaves none behind)."""
    stale = sorted(set(GOLDEN.rglob("*.txt")) - _expected_files())
    if REGEN:
        for path in stale:
            path.unlink()
        return
    assert not stale, "golden files of no case: " + ", ".join(
        str(p.relative_to(REPO)) for p in stale
    )


def test_noise_tolerance_is_narrow() -> None:
    """What a `noise` case forgives: rounding noise in numbers, nothing else."""
    golden = "W1   [2×4]   2.6e-18   3.7e-14  ✓\n  ‖∂L/∂W1‖ = 4.554e-03\n  -0.000361964"
    assert _only_noise(golden, golden.replace("3.7e-14", "1.8e-14"))
    assert _only_noise(golden, golden.replace("-0.000361964", "-0.000361965"))
    assert _only_noise(golden, golden.replace("W1   [2×4]", "W1  [2×4]"))  # a column's width
    assert not _only_noise(golden, golden.replace("4.554e-03", "4.564e-03"))
    assert not _only_noise(golden, golden.replace("-0.000361964", "-0.000361864"))
    assert not _only_noise(golden, golden.replace("✓", "✗"))
    assert not _only_noise(golden, golden.replace("[2×4]", "[4×2]"))
    assert not _only_noise(golden, golden + " 1")
    latex = (GOLDEN / "backprop.latex.txt").read_text()
    assert _only_noise(latex, latex.replace(r"$3.7\times 10^{-14}$", r"$2.0\times 10^{-14}$"))
    assert _only_noise(latex, latex.replace(r"$3.7\times 10^{-14}$", "$0$"))
    assert not _only_noise(latex, latex.replace(r"$3.7\times 10^{-14}$", r"$3.7\times 10^{-4}$"))


def test_case_names_are_unique() -> None:
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))
