import json
import subprocess

import sympy


def read(text):
    """A symchain expression string as SymPy, with real symbols as symchain uses."""
    expr = sympy.parse_expr(text)
    return expr.xreplace({s: sympy.Symbol(s.name, real=True) for s in expr.free_symbols})


def show(step, depth=0):
    print(
        "  " * depth + f"{step['rule']}: d/d{step['variable']} {step['expression']}"
        f" = {step['result']}  [{step['verdict']}]"
    )
    for sub in step["substeps"]:
        show(sub, depth + 1)


for formula in ["sin(x^2)", "abs(x)", "f(g(x))"]:
    out = subprocess.run(
        ["symchain", "derive", formula, "--format", "json"], capture_output=True, text=True
    ).stdout
    d = json.loads(out)
    x = sympy.Symbol(d["variable"], real=True)
    expr, result = read(d["expression"]), read(d["result"])
    same = sympy.simplify(result - sympy.diff(expr, x)) == 0
    print(f"{d['input']}: {result}  (status {d['status']}, matches sympy.diff: {same})")
    show(d["steps"], 1)
