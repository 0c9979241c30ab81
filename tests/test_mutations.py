"""The suite fails against a broken verifier: each mutant of tests/mutants.py must be caught.

For every mutant the whole suite runs in a subprocess with the mutant applied and `-x`, and
must end in test failures (exit code 1), not pass (0) nor break (2 interrupted, 3 internal
error, 4 usage error, 5 nothing collected).  The test that caught it is named in the
assertion message, and is then re-run alone without the mutant: it must pass, so that what
caught the mutant is the mutant and not a test failing for a reason of its own.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sympy as sp
from click.testing import CliRunner

from symchain.cli import main
from symchain.core import verify
from symchain.core.steps import FAILED, SYMBOLIC, Step

ROOT = Path(__file__).resolve().parent.parent
TIME_LIMIT = 60.0  # seconds: caught first thing, a mutant takes about 10, mostly start-up


def _load_plugin():
    """tests/mutants.py as a module of its own: the in-process checks below undo what they do."""
    spec = importlib.util.spec_from_file_location("mutants_under_test", ROOT / "tests/mutants.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


mutants = _load_plugin()


def _pytest(*args: str, env: dict) -> tuple[subprocess.CompletedProcess, float]:
    start = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "pytest", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return run, time.monotonic() - start


def _env(mutant: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in (mutants.ENV, "PYTEST_ADDOPTS")}
    if mutant:
        env[mutants.ENV] = mutant
    return env


@pytest.mark.parametrize("name", list(mutants.MUTANTS))
def test_the_suite_catches_the_mutant(name):
    run, seconds = _pytest(
        "-x",
        "-q",
        "-p",
        "tests.mutants",
        "-p",
        "no:cacheprovider",
        "--ignore=tests/test_mutations.py",
        env=_env(name),
    )
    output = run.stdout + run.stderr
    caught = re.findall(r"^FAILED (.+?)(?: - .*)?$", run.stdout, re.MULTILINE)
    tail = "\n".join(output.splitlines()[-15:])
    what = f"mutant {name}: exit {run.returncode} after {seconds:.1f} s, caught by {caught}"
    print(what)
    assert f"symchain mutant: {name} (patched " in run.stdout, f"{what}; not applied?\n{tail}"
    assert run.returncode == 1, f"{what}: not caught by a failing test\n{tail}"
    assert len(caught) == 1, f"{what}\n{tail}"  # -x: the first failure ends the run
    assert seconds < TIME_LIMIT, f"{what}: caught too late"
    alone, _ = _pytest("-q", "-p", "no:cacheprovider", caught[0], env=_env(None))
    assert alone.returncode == 0, f"{what}, which fails without the mutant too:\n{alone.stdout}"


# -- the plugin itself, in this process ---------------------------------------------


def _targets() -> dict:
    """What every target names now, with RULE_LABELS as a copy of its contents."""
    now = {key: mutants.resolve(key) for key in mutants.TARGETS}
    now["rule_labels"] = dict(now["rule_labels"])
    return now


def test_without_a_mutant_the_plugin_patches_nothing(monkeypatch):
    monkeypatch.delenv(mutants.ENV, raising=False)
    before = _targets()
    assert mutants.apply(None) == []
    assert mutants.apply("") == []
    mutants.pytest_configure(None)
    try:
        assert mutants.applied == []
        after = _targets()
        assert after.keys() == before.keys()
        for key in before:
            assert after[key] is before[key] or after[key] == before[key], key
        assert after["check_step"] is before["check_step"]
        assert after["compare"] is before["compare"]
    finally:
        mutants.pytest_unconfigure(None)


def test_an_unknown_mutant_is_a_usage_error():
    with pytest.raises(pytest.UsageError, match="no such mutant"):
        mutants.apply("verify_accepts_nothing")


def test_the_targets_exist():
    """When the package moves, a stale path in TARGETS fails here, by name."""
    for key, (module, attribute) in mutants.TARGETS.items():
        assert mutants.resolve(key) is not None, (key, module, attribute)


def _wrong_power_step() -> Step:
    x = sp.Symbol("x", real=True)
    return Step("power", x**3, x, 7 * x)  # d/dx x**3 is not 7x


@pytest.mark.parametrize("name", list(mutants.MUTANTS))
def test_each_mutant_runs_and_does_what_it_says(name):
    """A mutant must break the package quietly, not crash it: symchain still derives and
    prints; the verifier mutants call a wrong step verified; undo puts everything back."""
    before = _targets()
    assert verify.verify_tree(_wrong_power_step()).verdict == FAILED
    patches = mutants.apply(name)
    try:
        assert patches
        result = CliRunner().invoke(main, ["derive", "(3x+1)^2"])
        assert result.exit_code == 0, result.output
        assert "✓ verified: 6 steps checked against SymPy's diff" in result.output
        verdict = verify.verify_tree(_wrong_power_step()).verdict
        if name == "verify_accepts_all":
            assert verdict == SYMBOLIC
            with pytest.raises(TypeError):  # the signature is the original's
                verify.check_step()
        elif name == "equal_accepts_all":
            assert verdict == SYMBOLIC
            x = sp.Symbol("x")
            assert verify.compare(x, x + 1).status == SYMBOLIC
        else:
            assert verdict == FAILED
            assert "[chain]" in result.output and "[chain rule]" not in result.output
    finally:
        mutants.undo(patches)
    after = _targets()
    assert all(after[k] is before[k] or after[k] == before[k] for k in before)
    assert verify.check_step is mutants.resolve("check_step")
    assert verify.compare is mutants.resolve("compare")
    assert verify.verify_tree(_wrong_power_step()).verdict == FAILED
