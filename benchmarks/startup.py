"""Start-up cost of `symchain derive "sin(x**2)"` against a bare SymPy one-liner.

Runs, alternating and rotating the order every round, with stdout piped:

  symchain   <venv>/bin/symchain derive "sin(x**2)"
  sympy      <venv>/bin/python -c "import sympy; print(sympy.diff(
                 sympy.sympify('sin(x**2)'), sympy.Symbol('x')))"   (on one line)

plus diagnostic rows (import symchain.cli.app alone; import sympy alone), and
reports median and min wall time and the symchain/sympy ratio (target: 1.15x).
Then it runs the symchain command once more with PYTHONPROFILEIMPORTTIME=1
(what `python -X importtime` does) and reports whether rich or numpy were
imported on this piped, plain-output path (they must not be), and which
modules the symchain run imports that the bare SymPy run does not; last, the
phases of one start timed inside the process.

Use a NON-editable install: with PYTHONDONTWRITEBYTECODE=1 (set in this
environment) an editable install compiles symchain afresh at every start.  The
timed children run with PYTHONDONTWRITEBYTECODE unset (see clean_env).

    python -m venv /tmp/benchvenv && /tmp/benchvenv/bin/pip install -q .   # repo root
    python benchmarks/startup.py                    # uses /tmp/benchvenv
    python benchmarks/startup.py --setup            # (re)installs it first
    python benchmarks/startup.py --venv DIR --runs 15
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import code_version  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEFAULT_VENV = Path("/tmp/benchvenv")
FORMULA = "sin(x**2)"
BASELINE = "import sympy; print(sympy.diff(sympy.sympify('sin(x**2)'), sympy.Symbol('x')))"
TARGET = 1.15


def commands(venv: Path) -> dict[str, list[str]]:
    py = str(venv / "bin" / "python")
    return {
        "symchain": [str(venv / "bin" / "symchain"), "derive", FORMULA],
        "sympy": [py, "-c", BASELINE],
        "import symchain.cli": [py, "-c", "import symchain.cli"],
        "import sympy": [py, "-c", "import sympy"],
    }


CHILD_UNSET = (
    "PYTHONPROFILEIMPORTTIME",
    "PYTHONPATH",
    "NO_COLOR",
    "PYTHONSTARTUP",
    # set in this environment: it would stop every child from writing .pyc files, so
    # anything the install did not compile would be compiled again at every start
    "PYTHONDONTWRITEBYTECODE",
)


def clean_env() -> dict[str, str]:
    """The environment for the timed children: bytecode allowed, no profiling, no PYTHONPATH."""
    env = dict(os.environ)
    for name in CHILD_UNSET:
        env.pop(name, None)
    return env


def run_once(cmd: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, env=env)
    return time.perf_counter() - start, proc


def setup(venv: Path) -> None:
    print(f"(re)installing symchain from {REPO} into {venv} (non-editable) ...", file=sys.stderr)
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", "--force-reinstall", "--no-deps", str(REPO)],
        check=True,
    )
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(REPO)], check=True)


def install_state(venv: Path) -> tuple[str, list[str]]:
    """Is the venv's symchain editable, and which of its files differ from the work tree?"""
    py = str(venv / "bin" / "python")
    code = (
        "import importlib.metadata as m, json, pathlib;"
        "d = m.distribution('symchain');"
        "u = d.read_text('direct_url.json') or '{}';"
        "import symchain;"
        "print(json.dumps([json.loads(u), str(pathlib.Path(symchain.__file__).parent)]))"
    )
    out = subprocess.run([py, "-c", code], capture_output=True, text=True, check=True).stdout
    direct, where = json.loads(out)
    editable = bool(direct.get("dir_info", {}).get("editable"))
    stale = []
    installed = Path(where)
    for src in sorted((REPO / "symchain").rglob("*.py")):
        dst = installed / src.relative_to(REPO / "symchain")
        if not dst.exists() or _digest(src) != _digest(dst):
            stale.append(str(src.relative_to(REPO)))
    return ("editable" if editable else "non-editable"), stale


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def imported_modules(cmd: list[str], env: dict[str, str]) -> list[tuple[str, int, int]]:
    """(module, self us, cumulative us) for every import the command makes."""
    env = dict(env, PYTHONPROFILEIMPORTTIME="1")
    proc = subprocess.run(cmd, capture_output=True, env=env, text=True)
    rows = []
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            rows.append((m.group(4), int(m.group(1)), int(m.group(2))))
    return rows


def is_pkg(module: str, pkg: str) -> bool:
    return module == pkg or module.startswith(pkg + ".")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV)
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each command")
    parser.add_argument(
        "--setup", action="store_true", help="(re)install symchain into --venv first"
    )
    args = parser.parse_args()

    venv = args.venv
    if args.setup:
        setup(venv)
    if not (venv / "bin" / "symchain").exists():
        sys.exit(f"no {venv}/bin/symchain: run with --setup, or see the docstring")

    kind, stale = install_state(venv)
    env = clean_env()
    cmds = commands(venv)
    names = list(cmds)

    # check the outputs once (and warm the page cache)
    for name in names:
        _, proc = run_once(cmds[name], env)
        if proc.returncode != 0:
            sys.exit(f"{name} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    _, proc = run_once(cmds["symchain"], env)
    if "2x·cos(x²)".encode() not in proc.stdout:
        sys.exit("symchain printed no 2x·cos(x²)")

    load_before = os.getloadavg()
    times: dict[str, list[float]] = {n: [] for n in names}
    for r in range(args.runs):
        order = names[r % len(names) :] + names[: r % len(names)]  # rotate who goes first
        for name in order:
            elapsed, proc = run_once(cmds[name], env)
            times[name].append(elapsed)
    load_after = os.getloadavg()

    sympy_version = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import sympy; print(sympy.__version__)"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(f"kernel {platform.release()}, python {platform.python_version()}, sympy {sympy_version}")
    print(f"symchain code: {code_version()} (work tree; the venv holds what was installed)")
    print(f"venv {venv} ({kind} symchain); {args.runs} runs each, alternating, stdout piped")
    if stale:
        print(f"WARNING: installed symchain differs from the work tree in: {', '.join(stale)}")
        print("         re-run with --setup to measure the current code")
    print(f"load average before/after: {load_before[0]:.2f} / {load_after[0]:.2f} (1 min)")
    print()
    head = f"{'command':<22} {'median':>9} {'min':>9} {'max':>9}"
    print(head)
    print("-" * len(head))
    for name in names:
        t = times[name]
        print(
            f"{name:<22} {statistics.median(t) * 1000:7.0f} ms {min(t) * 1000:6.0f} ms "
            f"{max(t) * 1000:6.0f} ms"
        )
    med = statistics.median(times["symchain"]) / statistics.median(times["sympy"])
    mn = min(times["symchain"]) / min(times["sympy"])
    verdict = "met" if med <= TARGET else "MISSED"
    print()
    print(f"ratio symchain/sympy: median {med:.2f}x, min {mn:.2f}x  (target {TARGET}x: {verdict})")

    # -- what gets imported --------------------------------------------------------
    sc = imported_modules(cmds["symchain"], env)
    base = imported_modules(cmds["sympy"], env)
    cli_only = imported_modules([str(venv / "bin" / "python"), "-c", "import symchain.cli"], env)
    names_sc = {m for m, _, _ in sc}
    names_base = {m for m, _, _ in base}
    print()
    print("imports (PYTHONPROFILEIMPORTTIME=1, i.e. python -X importtime):")
    for pkg in ("rich", "numpy"):
        on_cli = sorted(m for m, _, _ in cli_only if is_pkg(m, pkg))
        on_run = sorted(m for m, _, _ in sc if is_pkg(m, pkg))
        print(
            f"  {pkg:<6} import symchain.cli.app: {len(on_cli)} modules; "
            f"symchain derive (piped): {len(on_run)} modules"
            + (f"  e.g. {', '.join(on_run[:3])}" if on_run else "")
        )
    cli_total = next((cum for m, _, cum in cli_only if m == "symchain.cli.app"), 0)
    print(
        f"  import symchain.cli.app: {cli_total / 1000:.0f} ms cumulative "
        "(importtime's own overhead included)"
    )
    print(
        f"  modules imported: symchain run {len(names_sc)}, sympy one-liner {len(names_base)}, "
        f"only in the symchain run {len(names_sc - names_base)}"
    )
    # self time of the imports found only in the symchain run, grouped by package
    groups: dict[str, int] = {}
    for m, own, _ in sc:
        if m in names_base:
            continue
        parts = m.split(".")
        key = ".".join(parts[:2]) if parts[0] in ("sympy", "importlib", "symchain") else parts[0]
        groups[key] = groups.get(key, 0) + own
    print("  imports only in the symchain run, self time summed by package (importtime-inflated):")
    for key, own in sorted(groups.items(), key=lambda p: -p[1])[:8]:
        print(f"    {key:<28} {own / 1000:6.1f} ms")

    # -- where the time goes, in process ----------------------------------------------
    samples = []
    for _ in range(5):
        out = subprocess.run(
            [str(venv / "bin" / "python"), "-c", PHASES],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout
        samples.append(json.loads(out.strip().splitlines()[-1]))
    print()
    print("one start, in process (perf_counter, median of 5 runs; nested phases indented):")
    for key in samples[0]:
        value = statistics.median(s[key] for s in samples)
        print(f"  {key:<44} {value * 1000:6.1f} ms")


# Timed in a fresh interpreter of the venv: what `symchain derive "sin(x**2)"` does, in order.
PHASES = r"""
import time, json
t0 = time.perf_counter()
import symchain.cli.app
t1 = time.perf_counter()
import symchain.calculus.derivation as deriv
t2 = time.perf_counter()
spent = {}
def wrap(mod, name, label):
    original = getattr(mod, name)
    def timed(*a, **k):
        s = time.perf_counter()
        try:
            return original(*a, **k)
        finally:
            spent[label] = spent.get(label, 0.0) + time.perf_counter() - s
    setattr(mod, name, timed)
for name in ("parse", "build_steps", "verify_tree", "compare", "tidy"):
    wrap(deriv, name, name)
import sympy
wrap(sympy, "simplify", "sympy.simplify, any caller (incl. its lazy imports)")
d = deriv.derive("sin(x**2)")
t3 = time.perf_counter()
from symchain.render import render
text = render(d, "plain")
t4 = time.perf_counter()
out = {
    "import symchain.cli.app (click)": t1 - t0,
    "import symchain.calculus.derivation (sympy + ours)": t2 - t1,
    "derive('sin(x**2)') first call": t3 - t2,
}
for key in ("parse", "build_steps", "verify_tree", "compare", "tidy",
            "sympy.simplify, any caller (incl. its lazy imports)"):
    out["    " + key] = spent.get(key, 0.0)
out["render plain"] = t4 - t3
print(json.dumps(out))
"""

if __name__ == "__main__":
    main()
