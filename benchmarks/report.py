"""Run the benchmarks' headline measurements and write docs/performance.md.

One table, symchain against a peer measured in the same run, every ratio
symchain / peer (above 1: symchain takes longer):

  start-up     `symchain derive "sin(x**2)"` against the SymPy one-liner
               (startup.py's commands, alternated and rotated, stdout piped)
  batch        derive() on exprgen's formulas against sympy.diff, and against
               sympy.simplify(sympy.diff) (batch.py's measure, cleared cache each call)
  nesting      derive() on sin(sin(...sin(x))) against sympy.diff (nesting.py)
  --let        whole `symchain derive --let ...` commands (graphs.py's cases) against
               a `python -c` that builds the substituted formula and prints sympy.diff
  backprop     the NumPy pass of backprop.py against torch autograd and jax.grad
               (where importable in the venv) and against its own two large matmuls,
               at 1 thread (the table) and at the libraries' default threads (a note)
  --jobs       a whole `symchain derive -f FILE --format jsonl` of exprgen's formulas with
               --jobs N (N = the cores) against --jobs 1 (jobs.py), outputs compared
  gradcheck    symchain.gradcheck against torch.autograd.gradcheck and jax's check_grads
               on the same softmax cross-entropy network (gradcheck.py)

Everything runs in a throwaway venv with a regular (non-editable) install of
the work tree, reinstalled at the start of each run so that every row measures
the same code; the commands timed whole run with PYTHONDONTWRITEBYTECODE unset
(set in this environment, it makes an editable install recompile at every start).
The backprop child also runs with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE
unset.  One measurement runs at a time: on a 2-core machine two busy
processes slow each other.

    python benchmarks/report.py                  # ~4-5 min; writes docs/performance.md
    python benchmarks/report.py --quick          # ~1 min; prints only (unless --output)
    python benchmarks/report.py --with-torch     # first pip-installs torch==2.13.0 and jax
    python benchmarks/report.py --no-setup --venv DIR --output /tmp/perf.md
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import graphs as graphs_bench  # noqa: E402
import startup as startup_bench  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve()
DEFAULT_VENV = startup_bench.DEFAULT_VENV
DEFAULT_OUTPUT = REPO / "docs" / "performance.md"
TORCH = "torch==2.13.0"  # a CPU build of it lies on this machine's disk
ONE_THREAD_XLA = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"

FULL = {
    "startup_runs": 15,
    "batch_count": 120,
    "batch_cap": 10.0,
    "depths": (10, 50, 100, 200),
    "nest_repeat": 3,
    "graph_repeat": 3,
    "graph_peer_cap": 10.0,
    "backprop_repeat": 30,
    "gradcheck_repeat": 3,
    "gradcheck_full_large": True,
    "matrix_repeat": 5,
    "jobs_count": 200,
    "jobs_rounds": 3,
}
QUICK = {
    "startup_runs": 5,
    "batch_count": 25,
    "batch_cap": 5.0,
    "depths": (10, 50, 100),
    "nest_repeat": 1,
    "graph_repeat": 1,
    "graph_peer_cap": 3.0,
    "backprop_repeat": 10,
    "gradcheck_repeat": 1,
    "gradcheck_full_large": False,
    "matrix_repeat": 2,
    "jobs_count": 40,
    "jobs_rounds": 1,
}

# the --let cases' peer: the same function written out in t, differentiated and printed by SymPy
# (with symchain's recursion limit: bare SymPy overflows the default one at depth 200)
CHAIN_PEER = (
    "import sys\nsys.setrecursionlimit(12000)\nimport sympy as s\nt = s.Symbol('t')\ne = t\n"
    "for _ in range({n}):\n    e = s.sin(e)\nprint(s.diff(e, t))"
)
LAYERS_PEER = (
    "import sys\nsys.setrecursionlimit(12000)\nimport sympy as s\nt = s.Symbol('t')\n"
    "a, b = s.sin(t), s.cos(t)\n"
    "for _ in range(2, {n} + 1):\n    a, b = s.sin(a + b), s.cos(a * b)\nprint(s.diff(a * b, t))"
)

HISTORY = """\
- Start-up was 1.35-1.49x the SymPy one-liner while `tidy` called `sympy.simplify` on even
  3-operation answers (its first call imports `sympy.physics.units`, ~80 ms; it shortened 1
  answer in 59); without it, 1.1-1.2x. The rest is click, SymPy's assumptions, the printer.
- Before time budgets, 54 of 1,000 random formulas took over 10 s, nearly all in `trigsimp` on
  hyperbolic functions; trigsimp now runs only on trigonometric answers of at most 25
  operations, for at most 0.15 s (it shortens about 1 answer in 9).
- Numeric checks at astronomically large values made mpmath work at huge precision and once
  gave a false counterexample; sample points beyond 1e50 are skipped.
- Depth-200 chains took 10.4 s (2.3x bare `diff`): two-pass substitution in `check_step` and
  a redundant whole-answer `diff`. One pass, and no final `diff` for a fully verified tree of
  over 150 steps: 3.7 s (0.9x).
- `--let` graphs were near cubic in the definitions until children were cached and adjoints
  reused; the 2^20-path graph is never expanded (reverse accumulation, numeric check).
- The training backprop pass cost about its two large matmuls and 0.78x torch autograd;
  allocating fresh arrays costs 1.5x, mostly page faults.
- gradcheck (issue 13): a check of every entry costs 2 loss evaluations per entry, so on
  784-256-10 at batch 64 it is minutes (232-295 s here; torch.autograd.gradcheck, 356 s on
  that net when the issue was filed); "auto" checks the parameters too large for that along
  random directions (0.3-0.4 s, against torch fast_mode's 0.03 s and jax check_grads' 0.06 s,
  which also fails the right ReLU network at a kink); 0.11 s once a probe copied only what it
  moves, not the whole array for every entry. The full check then answered X @ W1 from a
  cached product plus a rank-one term while it moved one entry (`nn/rankone.py`): 62-81 s
  for every entry of 784-256-10, against 264 s before and torch's estimated 267 s.
- Method: two busy processes slow each other ~1.8x on this 2-core machine, so one process at a
  time, ratios from one run, and start-up only from a non-editable install.
"""


# -- helpers ---------------------------------------------------------------------------------


def child_env(unset_blas_overrides: bool = False) -> dict[str, str]:
    env = startup_bench.clean_env()  # PYTHONDONTWRITEBYTECODE, PYTHONPATH, ... removed
    if unset_blas_overrides:
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)
    return env


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(REPO), *args], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def stamp_code() -> dict:
    changed = [line for line in git("status", "--porcelain").splitlines() if line.strip()]
    in_package = [line for line in changed if line[3:].startswith("symchain/")]
    return {
        "commit": git("rev-parse", "--short", "HEAD") or "unknown",
        "dirty": len(changed),
        "dirty_package": len(in_package),
    }


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory() -> str:
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
        return f"{kib / 1024**2:.0f} GiB"
    except (OSError, ValueError, IndexError):
        return "?"


def ratio(ours: float | None, theirs: float | None) -> str:
    """symchain / peer; '-' when either is missing or capped (the caller words a capped peer)."""
    if ours is None or theirs is None or not theirs or math.isinf(ours) or math.isinf(theirs):
        return "-"
    return f"{ours / theirs:.2f}x"


def num(value: float | None, scale: float = 1.0, capped_at: float | None = None) -> str:
    """3 significant figures; inf (a capped call) as '> cap'."""
    if value is None:
        return "-"
    if math.isinf(value):
        return f"> {capped_at:g}" if capped_at is not None else "> cap"
    v = value * scale
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    if v >= 1:
        return f"{v:.2f}"
    return f"{v:.3f}"


# -- what runs inside the venv (report.py --worker KIND) -----------------------------------------


def worker_env() -> dict:
    import numpy
    import sympy
    from backprop import blas

    out = {
        "python": platform.python_version(),
        "sympy": sympy.__version__,
        "numpy": numpy.__version__,
        "blas": blas(),
    }
    for name in ("torch", "jax", "threadpoolctl"):
        try:
            module = __import__(name)
            out[name] = getattr(module, "__version__", "?")
        except ImportError:
            out[name] = None
    return out


def worker_batch(count: int, cap: float) -> dict:
    import batch
    from exprgen import SEED, generate

    rows = [batch.measure((i, text, cap)) for i, text in enumerate(generate(count, SEED))]

    def total(key: str) -> float:
        return sum(min(r[key], cap) for r in rows)

    def capped(key: str) -> int:
        return sum(math.isinf(r[key]) for r in rows)

    def median(key: str) -> float:
        return batch.percentile([r[key] for r in rows], 50)

    return {
        "count": count,
        "cap": cap,
        "seed": SEED,
        "total": {k: total(k) for k in ("derive", "diff", "simplify")},
        "capped": {k: capped(k) for k in ("derive", "diff", "simplify")},
        "median": {k: (None if math.isinf(median(k)) else median(k)) for k in ("derive", "diff")},
        "verified": sum(bool(r.get("verified")) for r in rows),
        "complete": sum(bool(r.get("complete")) for r in rows),
        "errors": sum(1 for r in rows if r["derive_error"]),
        "tidy": sum(r["phases"].get("tidy", 0.0) for r in rows),
    }


def worker_nesting(depths: list[int], repeat: int, cap: float = 120.0) -> dict:
    from common import install_cap, timed_call
    from nesting import nested

    sys.setrecursionlimit(12_000)
    install_cap()
    import sympy as sp

    from symchain.calculus.derivation import derive
    from symchain.core.parse import symbol

    derive("sin(x**2)")  # SymPy's lazy imports stay off the first row
    x = symbol("x")
    out = {}
    for depth in depths:
        expr = nested(depth, x)
        ours, theirs, verified, steps = [], [], None, None
        for _ in range(repeat):
            t, d, _ = timed_call(lambda e=expr: derive(e), cap)
            ours.append(t)
            if d is not None:
                verified, steps = bool(d.verified), sum(1 for _ in d.steps.walk())
            t, _, _ = timed_call(lambda e=expr: sp.diff(e, x), cap)
            theirs.append(t)
        out[str(depth)] = {
            "derive": statistics.median(ours),
            "diff": statistics.median(theirs),
            "verified": verified,
            "steps": steps,
        }
    return out


def worker_backprop(repeat: int, threads: int | None = None) -> dict:
    import backprop

    return backprop.measure(repeat=repeat, threads=threads)


def worker_matrix(repeat: int) -> dict:
    import matrix

    return matrix.measure(repeat=repeat)


def worker_gradcheck(repeat: int, full_large: bool) -> dict:
    import gradcheck

    m = gradcheck.measure(repeat=repeat, full_large=full_large)
    return {**m, "sizes": list(m["sizes"]), "small": list(m["small"])}


def run_worker(
    venv: Path, kind: str, payload: dict, blas_clean: bool = False, extra_env=None
) -> dict:
    cmd = [str(venv / "bin" / "python"), str(HERE), "--worker", kind, json.dumps(payload)]
    env = dict(child_env(blas_clean), **(extra_env or {}))
    # a worker times code already imported, so bytecode does not matter to it; writing none
    # keeps __pycache__ out of benchmarks/ (the installed symchain has its .pyc already)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"worker {kind} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1], parse_constant=_inf)


def _inf(name: str) -> float:
    return {"Infinity": math.inf, "-Infinity": -math.inf}.get(name, math.nan)


# -- the measurements run from here ------------------------------------------------------------


def setup_venv(venv: Path, with_torch: bool) -> None:
    pip = str(venv / "bin" / "pip")

    def quiet(*args: str) -> None:
        proc = subprocess.run([pip, "install", "-q", *args], capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"pip install {' '.join(args)} failed:\n{proc.stderr[-2000:]}")

    if not (venv / "bin" / "python").exists():
        note(f"creating {venv} ...")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        quiet(str(REPO), "threadpoolctl")
    note(f"installing the work tree into {venv} (regular install, not editable) ...")
    quiet("--force-reinstall", "--no-deps", str(REPO))
    quiet(str(REPO))  # its dependencies, should they have changed
    if with_torch:
        note(f"pip install {TORCH} (from this machine's disk) and jax ...")
        quiet(TORCH)
        quiet("jax")


def measure_startup(venv: Path, runs: int) -> dict:
    cmds = startup_bench.commands(venv)
    names = ["symchain", "sympy"]
    env = child_env()
    for name in names:  # warm-up (writes any missing .pyc) and output check
        _, proc = startup_bench.run_once(cmds[name], env)
        if proc.returncode != 0:
            sys.exit(f"{name} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    _, proc = startup_bench.run_once(cmds["symchain"], env)
    if "2x·cos(x²)".encode() not in proc.stdout:
        sys.exit("symchain printed no 2x·cos(x²)")
    times: dict[str, list[float]] = {n: [] for n in names}
    for r in range(runs):
        for name in names[r % 2 :] + names[: r % 2]:  # alternate who goes first
            times[name].append(startup_bench.run_once(cmds[name], env)[0])
    return {n: {"median": statistics.median(t), "min": min(t)} for n, t in times.items()}


def measure_jobs(venv: Path, count: int, rounds: int) -> dict:
    """jobs.py in the venv: the batch command with --jobs 1 and --jobs N (N = the cores)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    command = [str(venv / "bin" / "python"), str(HERE.parent / "jobs.py"), "--json",
               "--count", str(count), "--rounds", str(rounds), "--jobs", f"1,{cores}"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, env=child_env(), check=False)
    if done.returncode != 0:
        sys.exit(f"jobs.py failed ({done.returncode}): {done.stderr[-500:]}")
    return json.loads(done.stdout)


def measure_graphs(venv: Path, repeat: int, peer_cap: float) -> list[dict]:
    exe = str(venv / "bin" / "symchain")
    py = str(venv / "bin" / "python")
    env = child_env()
    cases = [(f"chain {n}", n, *graphs_bench.chain(n), CHAIN_PEER) for n in (10, 50, 200)]
    cases.append(("layers 20", 20, *graphs_bench.layers(20), LAYERS_PEER))
    out = []
    for name, n, formula, lets, peer_code in cases:
        ours, theirs, code, lines = [], [], 0, 0
        for r in range(repeat):
            # the alternation of startup: neither side always runs on a warmer machine
            order = ("ours", "peer") if r % 2 == 0 else ("peer", "ours")
            for side in order:
                if side == "ours":
                    args = [exe, "derive", formula, "--wrt", "t", "--format", "plain"]
                    for let in lets:
                        args += ["--let", let]
                    start = time.perf_counter()
                    done = subprocess.run(args, capture_output=True, text=True, env=env)
                    ours.append(time.perf_counter() - start)
                    code, lines = done.returncode, done.stdout.count("\n")
                elif not theirs or not math.isinf(theirs[-1]):
                    start = time.perf_counter()
                    try:
                        subprocess.run(
                            [py, "-c", peer_code.format(n=n)],
                            capture_output=True,
                            env=env,
                            timeout=peer_cap,
                            check=True,
                        )
                        theirs.append(time.perf_counter() - start)
                    except subprocess.TimeoutExpired:
                        theirs.append(math.inf)  # killed at the cap; not tried again
                    except subprocess.CalledProcessError as exc:
                        sys.exit(f"the peer of {name} failed:\n{exc.stderr.decode()[-1000:]}")
        out.append(
            {
                "case": name,
                "symchain": statistics.median(ours),
                "peer": math.inf if math.isinf(theirs[-1]) else statistics.median(theirs),
                "exit": code,
                "lines": lines,
                "defs": len(lets),
            }
        )
    return out


# -- the page ----------------------------------------------------------------------------------


def matrix_rows(mx: dict) -> list[tuple[str, str, str, str, str]]:
    """symchain.matrix against SymPy's matrix diff where SymPy is right, and its slowest."""
    right = [v for v in mx.values() if v["sympy_outcome"] == "agrees" and v["sympy"] is not None]
    wrong = sum(v["sympy_outcome"] == "disagrees" for v in mx.values())
    none = sum(v["sympy_outcome"] == "no answer" for v in mx.values())
    ours = statistics.median(v["symchain"] for v in right)
    theirs = statistics.median(v["sympy"] for v in right)
    slowest = max(v["symchain"] for v in mx.values())
    verified = sum(bool(v["verified"]) for v in mx.values())
    return [
        (
            f"matrix: `symchain.matrix` (steps, proof, SymPy compared) vs SymPy's matrix `diff`, "
            f"the {len(right)} of {len(mx)} Cookbook/ML formulas SymPy gets right, median",
            num(ours, 1e3),
            num(theirs, 1e3),
            ratio(ours, theirs),
            "ms",
        ),
        (
            f"matrix: `symchain.matrix`, slowest of all {len(mx)} ({verified} verified; SymPy: "
            f"{wrong} wrong, {none} no answer)",
            num(slowest, 1e3),
            "—",
            "—",
            "ms",
        ),
    ]


def build_rows(m: dict, cfg: dict) -> list[tuple[str, str, str, str, str]]:
    """(what, symchain, peer, ratio, unit) for each row; the peers are named in `what`."""
    rows = []
    s = m["startup"]
    for stat in ("median", "min"):
        rows.append(
            (
                f'start-up: `symchain derive "sin(x**2)"` vs the SymPy one-liner, '
                f"{stat} of {cfg['startup_runs']}",
                num(s["symchain"][stat], 1e3),
                num(s["sympy"][stat], 1e3),
                ratio(s["symchain"][stat], s["sympy"][stat]),
                "ms",
            )
        )
    b = m["batch"]
    count, cap = b["count"], b["cap"]
    rows.append(
        (
            f"batch: `derive()` vs `sympy.diff`, {count} random formulas, total",
            num(b["total"]["derive"]),
            num(b["total"]["diff"]),
            ratio(b["total"]["derive"], b["total"]["diff"]),
            "s",
        )
    )
    rows.append(
        (
            "batch: the same, median per formula",
            num(b["median"]["derive"], 1e3),
            num(b["median"]["diff"], 1e3),
            ratio(b["median"]["derive"], b["median"]["diff"]),
            "ms",
        )
    )
    peer = num(b["total"]["simplify"])
    if b["capped"]["simplify"]:
        peer = f"≥ {peer} ({b['capped']['simplify']} capped at {cap:g} s)"
    rows.append(
        (
            f"batch: `derive()` vs `sympy.simplify(sympy.diff)`, the same {count}, total",
            num(b["total"]["derive"]),
            peer,
            ratio(b["total"]["derive"], b["total"]["simplify"]),
            "s",
        )
    )
    for depth, d in m["nesting"].items():
        rows.append(
            (
                f"nesting: `derive()` vs `sympy.diff`, sin(sin(...)) depth {depth}, "
                f"median of {cfg['nest_repeat']}",
                num(d["derive"]),
                num(d["diff"]),
                ratio(d["derive"], d["diff"]),
                "s",
            )
        )
    for g in m["graphs"]:
        peer, r = num(g["peer"]), ratio(g["symchain"], g["peer"])
        if math.isinf(g["peer"]):
            peer = f"> {cfg['graph_peer_cap']:g} (killed)"
            r = f"< {g['symchain'] / cfg['graph_peer_cap']:.2f}x"
        what = (
            f"`--let` {g['case']} ({g['defs']} definitions): whole command vs the SymPy "
            f"peer, median of {cfg['graph_repeat']}"
        )
        rows.append((what, num(g["symchain"]), peer, r, "s"))
    bp = m["backprop"]
    size = f"{'-'.join(map(str, bp['sizes']))} batch {bp['batch']}"
    ours = bp["symchain"]["median"]
    for key, label in (("torch", "torch autograd"), ("jax", "jax.jit(jax.grad)")):
        version = bp.get(key + "_version")
        theirs = bp[key]["median"] if bp[key] is not None else None
        rows.append(
            (
                f"backprop {size}: NumPy pass vs {label}{' ' + version if version else ''}, "
                f"1 thread, median of {bp['repeat']}",
                num(ours, 1e3),
                num(theirs, 1e3) if theirs is not None else bp[key + "_why"],
                ratio(ours, theirs),
                "ms",
            )
        )
    rows.append(
        (
            "backprop: the same pass vs its own two large matmuls alone, 1 thread",
            num(ours, 1e3),
            num(bp["matmuls"]["median"], 1e3),
            ratio(ours, bp["matmuls"]["median"]),
            "ms",
        )
    )
    rows += gradcheck_rows(m["gradcheck"], cfg)
    if "matrix" in m:
        rows += matrix_rows(m["matrix"])
    if "jobs" in m:
        rows += jobs_rows(m["jobs"])
    return rows


def jobs_rows(j: dict) -> list[tuple[str, str, str, str, str]]:
    """--jobs N (the cores) against --jobs 1: the ratio below 1 is the speed-up's inverse."""
    many = max(j["jobs"], key=int)
    ours, theirs = j["jobs"][many]["median_s"], j["jobs"]["1"]["median_s"]
    return [
        (
            f"batch file: `symchain derive -f FILE --format jsonl --jobs {many}` vs `--jobs 1`, "
            f"{j['count']} random formulas, median of {j['rounds']} "
            f"(speed-up {theirs / ours:.2f}x on {j['cores']} cores; the same records and "
            f"verdicts, {j['reworded'][many]} of {j['count']} answers worded otherwise)",
            num(ours),
            num(theirs),
            ratio(ours, theirs),
            "s",
        )
    ]


def gradcheck_rows(g: dict, cfg: dict) -> list[tuple[str, str, str, str, str]]:
    """symchain.gradcheck against torch's and jax's checkers on the same softmax-CE net."""
    big, small = "-".join(map(str, g["sizes"])), "-".join(map(str, g["small"]))
    rows = []

    def verdict(value) -> str:
        return "" if value is None else ("" if value[1] else " (fails on right code)")

    ours = g["auto"]["symchain"]
    for key in ("torch fast_mode", "jax check_grads"):
        theirs = g["auto"][key]
        rows.append(
            (
                f"gradcheck {big} batch {g['batch']}, auto (random directions where large) vs "
                f"{key}{verdict(theirs)}, median of {cfg['gradcheck_repeat']}",
                num(ours[0]),
                num(theirs[0]) if theirs else "not installed",
                ratio(ours[0], theirs[0] if theirs else None),
                "s",
            )
        )
    full, torch_full = g["full_small"]["symchain"], g["full_small"]["torch"]
    rows.append(
        (
            f"gradcheck {small}: every entry vs torch.autograd.gradcheck (fast_mode=False)",
            num(full[0]),
            num(torch_full[0]) if torch_full else "not installed",
            ratio(full[0], torch_full[0] if torch_full else None),
            "s",
        )
    )
    if "full_large" in g:
        ours, theirs = g["full_large"]["symchain"], g["full_large"]["torch (estimated)"]
        rows.append(
            (
                f"gradcheck {big} batch {g['batch']}: every entry vs torch.autograd.gradcheck "
                "(fast_mode=False), estimated as 2 of its loss evaluations per entry (the "
                "issue's target: 120 s)",
                num(ours[0]),
                num(theirs) if theirs else "not installed",
                ratio(ours[0], theirs),
                "s",
            )
        )
    return rows


def table(rows) -> str:
    out = ["| what | symchain | peer | ratio | unit |", "| --- | ---: | ---: | ---: | --- |"]
    out += [f"| {' | '.join(r)} |" for r in rows]
    return "\n".join(out)


def default_threads(bp: dict) -> str:
    """The note on the run with each library's default threads."""
    ours = bp["symchain"]
    parts = [
        f"{k} {bp[k]['min'] * 1e3:.1f} ms (ratio {ours['min'] / bp[k]['min']:.2f}x)"
        for k in ("matmuls", "torch", "jax")
        if bp[k] is not None
    ]
    return (
        f"With the default threads ({bp['blas']}), min of {bp['repeat']}: symchain "
        f"{ours['min'] * 1e3:.1f} ms, " + ", ".join(parts) + f"; medians {ours['median'] * 1e3:.1f}"
        f" ms for symchain, {bp['matmuls']['median'] * 1e3:.1f} ms for the matmuls. Two BLAS "
        "threads lose whenever the other core is busy, hence the 1-thread rows."
    )


def notes_lines(m: dict) -> list[str]:
    b, bp = m["batch"], m["backprop"]
    return [
        f'- start-up: the SymPy one-liner is `python -c "{startup_bench.BASELINE}"`; both '
        "from the venv, stdout piped, alternating which goes first.",
        f"- batch: exprgen seed {b['seed']}, formulas 0-{b['count'] - 1} (depths 1-5 in turn), "
        f"parsed once (not timed), each call from a cleared SymPy cache and capped at "
        f"{b['cap']:g} s (a capped call counts as {b['cap']:g} s). `derive()`: "
        f"{b['verified']} of {b['count']} verified, {b['complete']} complete, "
        f"{b['capped']['derive']} capped, {b['errors']} errors; its `tidy` took "
        f"{b['tidy']:.1f} s of the {b['total']['derive']:.1f} s.",
        "- nesting: "
        + "; ".join(
            f"depth {k}: {v['steps']} steps, {'verified' if v['verified'] else 'NOT verified'}"
            for k, v in m["nesting"].items()
        )
        + ". Both sides run with a recursion limit of 12,000.",
        "- `--let` (cases of `graphs.py`): chain N is x1 = sin(t), ..., xN = sin(x(N-1)), "
        "f = xN; layers 20 is a_k = sin(a + b), b_k = cos(a·b) of the layer below, 2^20 paths. "
        "The peer is a `python -c` that builds the same function of t as one SymPy expression "
        "and prints its `diff`; killed at the cap, it is not run again. symchain: "
        + "; ".join(f"{g['case']} exit {g['exit']}, {g['lines']} lines" for g in m["graphs"])
        + ".",
        f"- backprop: `Network(fast=True)`, buffers reused, as `--train` runs it (with fresh "
        f"arrays, `fast=False`, the default for one-off calls: {bp['fresh']['median'] * 1e3:.1f} "
        "ms); the peers compute the same MSE gradients in float64; all take turns in one "
        "process. NumPy's BLAS and torch capped at 1 thread (threadpoolctl, "
        "`torch.set_num_threads`, XLA_FLAGS), OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset; "
        f"NumPy's BLAS then: {bp['blas']}. " + default_threads(m["backprop_default"]),
    ]


def stamp_table(stamp: dict, dirty: str, peers: str, command: str) -> str:
    c, e = stamp["code"], stamp["env"]
    load = (
        f"1-minute load average {stamp['load'][0]:.2f} before, {stamp['load'][1]:.2f} after; "
        "the machine is shared, so absolute times may be high, the ratios less so"
    )
    rows = [
        ("code", f"commit `{c['commit']}`, {dirty}; {stamp['installed']}"),
        ("date", stamp["date"]),
        ("machine", f"{e['cpu']}, {e['cores']} cores, {e['memory']}, kernel {e['kernel']}"),
        ("software", f"Python {e['python']}, SymPy {e['sympy']}, NumPy {e['numpy']}; {peers}"),
        ("BLAS", e["blas"]),
        ("load", load),
        (
            "run",
            f"{stamp['wall']:.0f} s; regular install in `{stamp['venv']}`; "
            "PYTHONDONTWRITEBYTECODE unset for the commands timed whole",
        ),
        ("command", f"`{command}`"),
    ]
    return "\n".join(["| stamp | |", "| --- | --- |"] + [f"| {k} | {v} |" for k, v in rows])


def page(m: dict, cfg: dict, stamp: dict, command: str) -> str:
    c, e = stamp["code"], stamp["env"]
    dirty = (
        f"the work tree had {c['dirty']} uncommitted paths, {c['dirty_package']} of them "
        "in `symchain/`"
        if c["dirty"]
        else "clean work tree"
    )
    peers = ", ".join(
        f"{name} {e[name]}" if e[name] else f"{name} not installed" for name in ("torch", "jax")
    )
    return f"""# Performance

What symchain costs next to doing the same thing with SymPy (or, for the network
walkthrough, PyTorch and JAX) directly. Every figure below comes from one run of
`benchmarks/report.py`, which writes this page: each row times symchain and its peer in
the same run, one process at a time, and the ratio is symchain / peer (above 1:
symchain takes longer). symchain does more than its peer: it builds every step,
checks each against SymPy, and tidies the answer. Times are wall-clock medians
unless the row says min. The scripts in `benchmarks/` (`startup.py`, `batch.py`,
`nesting.py`, `graphs.py`, `backprop.py`, `tidy_rewrites.py`, `matrix.py`) each print the
detail behind their rows: import lists, phase breakdowns, the slowest formulas.
No test asserts a time.

## Current figures

{table(build_rows(m, cfg))}

{chr(10).join(notes_lines(m))}

{stamp_table(stamp, dirty, peers, command)}

## History

What the earlier rounds of measurement (a lab notebook of code states, now replaced by this
page) found and what was changed because of it:

{HISTORY}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs and cases (~1 min)")
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV)
    parser.add_argument(
        "--no-setup", action="store_true", help="measure the venv as it is (no reinstall)"
    )
    parser.add_argument(
        "--with-torch", action="store_true", help=f"pip install {TORCH} and jax into the venv first"
    )
    parser.add_argument(
        "--output",
        type=Path,
        help="the page to write (default docs/performance.md; --quick writes none unless given)",
    )
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "JSON"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        kind, payload = args.worker[0], json.loads(args.worker[1])
        workers = {
            "env": worker_env,
            "batch": worker_batch,
            "nesting": worker_nesting,
            "backprop": worker_backprop,
            "gradcheck": worker_gradcheck,
            "matrix": worker_matrix,
        }
        print(json.dumps(workers[kind](**payload)))
        return

    cfg = QUICK if args.quick else FULL
    output = args.output if args.output or args.quick else DEFAULT_OUTPUT
    command = shlex.join(["python", "benchmarks/report.py", *sys.argv[1:]])
    started = time.perf_counter()
    code = stamp_code()
    if not args.no_setup:
        setup_venv(args.venv, args.with_torch)
    if not (args.venv / "bin" / "symchain").exists():
        sys.exit(f"no {args.venv}/bin/symchain: run without --no-setup")
    load_before = os.getloadavg()[0]

    m: dict = {}
    note("start-up ...")
    m["startup"] = measure_startup(args.venv, cfg["startup_runs"])
    note(f"batch of {cfg['batch_count']} formulas ...")
    m["batch"] = run_worker(
        args.venv, "batch", {"count": cfg["batch_count"], "cap": cfg["batch_cap"]}
    )
    note("nesting ...")
    m["nesting"] = run_worker(
        args.venv, "nesting", {"depths": list(cfg["depths"]), "repeat": cfg["nest_repeat"]}
    )
    note("--let graphs ...")
    m["graphs"] = measure_graphs(args.venv, cfg["graph_repeat"], cfg["graph_peer_cap"])
    note("backprop ...")
    # one thread for the table: with the other core busy (a shared machine), a 2-thread BLAS
    # swings 3-4x from run to run; the default threads go in a note
    m["backprop"] = run_worker(
        args.venv,
        "backprop",
        {"repeat": cfg["backprop_repeat"], "threads": 1},
        blas_clean=True,
        extra_env={"XLA_FLAGS": ONE_THREAD_XLA},
    )
    m["backprop_default"] = run_worker(
        args.venv, "backprop", {"repeat": cfg["backprop_repeat"]}, blas_clean=True
    )
    note("gradcheck ...")
    m["gradcheck"] = run_worker(
        args.venv,
        "gradcheck",
        {"repeat": cfg["gradcheck_repeat"], "full_large": cfg["gradcheck_full_large"]},
        blas_clean=True,
    )
    note("matrix ...")
    m["matrix"] = run_worker(args.venv, "matrix", {"repeat": cfg["matrix_repeat"]})
    note("--jobs ...")
    m["jobs"] = measure_jobs(args.venv, cfg["jobs_count"], cfg["jobs_rounds"])
    env = run_worker(args.venv, "env", {}, blas_clean=True)
    env.update(cpu=cpu_model(), cores=os.cpu_count(), memory=memory(), kernel=platform.release())
    stamp = {
        "code": code,
        "env": env,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "load": (load_before, os.getloadavg()[0]),
        "wall": time.perf_counter() - started,
        "venv": str(args.venv),
        "installed": (
            "the venv measured as it was (--no-setup)"
            if args.no_setup
            else "installed from the work tree at the start of the run"
        ),
    }
    text = page(m, cfg, stamp, command)
    current = text.split("## Current figures\n", 1)[1].split("\n## History", 1)[0]
    print(current.strip())
    if output:
        output.write_text(text)
        note(f"wrote {output}")


if __name__ == "__main__":
    main()
