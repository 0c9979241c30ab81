"""A seeded generator of varied random formulas in x, for the benchmarks.

`generate(count, seed)` returns `count` formulas as text in SymPy syntax
(what `symchain derive` and `symchain.core.parse.parse` accept), each a tree of
depth 1 to 5 over sin, cos, tan, exp, log, sqrt, asin, acos, atan, sinh,
cosh, tanh, integer and rational powers, x**x-style general powers,
products, quotients, sums, constant multiples and integer constants.

The same (count, seed) always gives the same list, on any machine: only
`random.Random(seed)` is used, and depths are spread evenly (1, 2, 3, 4, 5,
1, 2, ...), so a smaller count is a fair sample of a larger one.

Run it to print the formulas, one a line, e.g. for batch mode:

    python benchmarks/exprgen.py --count 1000 > /tmp/formulas.txt
    symchain derive -f /tmp/formulas.txt --format jsonl > /dev/null
"""

from __future__ import annotations

import argparse
import random

SEED = 20260501
MAX_DEPTH = 5

UNARY = ("sin", "cos", "tan", "exp", "log", "sqrt", "asin", "acos", "atan", "sinh", "cosh", "tanh")
BINARY = ("+", "-", "*", "/", "**int", "**frac", "**gen", "c*")


class _Gen:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def const(self, low: int = 1, high: int = 9) -> str:
        return str(self.rng.randint(low, high))

    def leaf(self) -> str:
        r = self.rng.random()
        if r < 0.45:
            return "x"
        if r < 0.65:
            return f"({self.const(2, 9)}*x)"
        if r < 0.85:
            return f"(x + {self.const()})"
        return f"(x**{self.rng.randint(2, 4)} - {self.const()})"

    def expr(self, depth: int) -> str:
        """A formula whose tree has exactly `depth` levels of operations above the leaves."""
        if depth <= 0:
            return self.leaf()
        rng = self.rng
        if rng.random() < 0.5:
            func = rng.choice(UNARY)
            return f"{func}({self.expr(depth - 1)})"
        op = rng.choice(BINARY)
        a = self.expr(depth - 1)
        if op in ("+", "-", "*", "/"):
            # one side as deep as asked, the other shallower so sizes stay moderate
            b = self.expr(rng.randint(0, depth - 1))
            while b == a:  # x - x, x/x: nothing to derive, or a division by zero
                b = self.expr(rng.randint(0, depth - 1))
            if rng.random() < 0.5:
                a, b = b, a
            return f"({a} {op} {b})"
        if op == "**int":
            return f"({a})**{rng.choice([-3, -2, -1, 2, 3, 4, 5])}"
        if op == "**frac":
            return f"({a})**({rng.choice([1, 2, 3])}/{rng.choice([2, 3, 5])})"
        if op == "**gen":
            b = self.expr(rng.randint(0, 1))
            return f"({a})**({b})"
        return f"{self.const(2, 12)}*({a})"  # c*


def _usable(text: str) -> bool:
    """Depends on x and has no 1/0 in it (SymPy's own parser, x real as symchain makes it)."""
    import sympy as sp

    x = sp.Symbol("x", real=True)
    try:
        expr = sp.parse_expr(text, local_dict={"x": x})
    except (SyntaxError, TypeError, ValueError, ZeroDivisionError):
        return False
    return expr.has(x) and not expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo)


def generate(count: int = 1000, seed: int = SEED) -> list[str]:
    """`count` formulas in x, depths 1..MAX_DEPTH in turn, reproducible from `seed`."""
    rng = random.Random(seed)
    gen = _Gen(rng)
    out = []
    for i in range(count):
        depth = 1 + i % MAX_DEPTH
        text = gen.expr(depth)
        while not _usable(text):
            text = gen.expr(depth)
        out.append(text)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    for line in generate(args.count, args.seed):
        print(line)


if __name__ == "__main__":
    main()
