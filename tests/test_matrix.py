"""symchain matrix (issue 15): matrix derivatives by differentials, proved against central
differences.  Identities from the Matrix Cookbook (Petersen & Pedersen, chapter 2) and
common ML losses, each with the answer as the Cookbook prints it."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from symchain import UsageError, matrix
from symchain.cli.app import main
from symchain.matrixcalc.notation import text
from symchain.matrixcalc.numeric import compare_gradient, draw
from symchain.matrixcalc.parse import parse
from symchain.matrixcalc.shapes import infer


@pytest.mark.parametrize(
    ("formula", "wrt", "answer"),
    [
        ("a'*x", "x", "a"),  # (69)
        ("a'*X*b", "X", "abᵀ"),  # (70)
        ("a'*X'*b", "X", "baᵀ"),  # (71)
        ("x'*A*x", "x", "(A + Aᵀ)x"),  # (81)
        ("x'*x", "x", "2x"),
        ("tr(X)", "X", "I"),  # (100)
        ("tr(A*X*B)", "X", "AᵀBᵀ"),  # (102)
        ("tr(X'*X)", "X", "2X"),  # (103)
        ("tr(X^3)", "X", "3·(Xᵀ)²"),  # (106) with k = 3
        ("tr(inv(X)*A)", "X", "−X⁻ᵀAᵀX⁻ᵀ"),  # (124)
        ("det(X)", "X", "det(X)·X⁻ᵀ"),  # (49)
        ("log(det(X))", "X", "X⁻ᵀ"),  # (57)
        ("norm2(x)", "x", "x/‖x‖"),  # (129)
        ("norm2(X)^2", "X", "2X"),  # Frobenius
        ("norm2(X*w - y)^2", "w", "2Xᵀ(Xw − y)"),  # least squares
        ("sum(sigma(W*x))", "W", "σ′(Wx)·xᵀ"),
        ("det(A*X*B)", "X", "det(AXB)·Aᵀ·(AXB)⁻ᵀ·Bᵀ"),  # (51): AXB singular at some sizes
        ("sqrt(x'*x)", "x", "x/√(xᵀx)"),
        ("x'*x/2", "x", "x"),
        ("norm2(x)^2/2", "x", "x"),  # the exponent is 2, not 2/2: a fraction needs brackets
        ("norm2(x)^(1/2)", "x", "x/(2·‖x‖^(3/2))"),
        ("norm2(x)^1/2", "x", "x/(2·‖x‖^(3/2))"),  # ^1/n typed tight: a root, as derive reads it
        ("norm2(x)^1 / 2", "x", "x/(2·‖x‖)"),  # with spaces: the quotient
        ("tr(X'*A*X)", "X", "(A + Aᵀ)X"),
        ("norm2(A*X*B - C)^2", "X", "2Aᵀ(AXB − C)Bᵀ"),
    ],
)
def test_cookbook_identities_come_out_as_printed_and_verified(formula, wrt, answer):
    d = matrix(formula, wrt)
    assert text(d.result) == answer
    assert d.verified and len(d.checks) == 2 and d.kind == "gradient"


@pytest.mark.parametrize(
    ("formula", "wrt", "answer"),
    [
        ("norm2(X*w - y)^2 + lam*norm2(w)^2", "w", "2Xᵀ(Xw − y) + 2λw"),  # ridge
        ("-sum(y .* log(sigma(X*w)) + (1 - y) .* log(1 - sigma(X*w)))", "w",
         "Xᵀ(σ(Xw) − y)"),  # logistic regression
        ("-y'*log(softmax(W*x))", "W", "(sum(y)·softmax(Wx) − y)xᵀ"),  # softmax CE
        ("log(det(S)) + (x - mu)'*inv(S)*(x - mu)", "S",
         "S⁻ᵀ − S⁻ᵀ(x − μ)(x − μ)ᵀS⁻ᵀ"),  # Gaussian log-likelihood, in Σ (Cookbook 63, 57)
        ("(x - mu)'*inv(S)*(x - mu)", "mu", "−(S⁻¹ + S⁻ᵀ)(x − μ)"),
    ],
)  # fmt: skip
def test_common_losses_come_out_in_their_textbook_form(formula, wrt, answer):
    d = matrix(formula, wrt, shapes={"mu": "n"} if "mu" in formula else None)
    assert text(d.result) == answer
    assert d.verified


@pytest.mark.parametrize(
    ("formula", "wrt", "answer"),
    [
        ("tanh(W*x + b)", "x", "diag(tanh′(Wx + b))·W"),  # a layer's Jacobian
        ("sigma(W*x)", "x", "diag(σ′(Wx))·W"),
        ("A*x + A'*x", "x", "A + Aᵀ"),
        ("softmax(z)", "z", "diag(softmax(z)) − softmax(z)·softmax(z)ᵀ"),
    ],
)
def test_vector_formulas_give_the_jacobian(formula, wrt, answer):
    d = matrix(formula, wrt)
    assert (d.kind, text(d.result), d.verified) == ("jacobian", answer, True)


def test_a_vector_by_a_matrix_is_refused_not_guessed():
    with pytest.raises(UsageError, match="more than two indices"):
        matrix("sigma(W*x)", "W")


def test_a_wrong_gradient_fails_the_proof():
    """The check can fail: 2Xᵀ(Xw − y) without its 2, and transposed answers."""
    typed = infer(parse("norm2(X*w - y)^2"), {}, text)
    rng = np.random.default_rng(0)
    names = ["X", "w", "y"]
    point = draw(typed.shapes, names, rng, "normal")
    for wrong in ("X'*(X*w - y)", "2*X'*(X*w + y)"):
        claimed = infer(parse(wrong), {}, text).expr
        check = compare_gradient(typed.expr, claimed, "w", point, (4, 1))
        assert check is not None and not check.ok
    typed = infer(parse("a'*X*b"), {}, text)
    point = draw(typed.shapes, ["a", "X", "b"], rng, "normal")
    check = compare_gradient(typed.expr, infer(parse("b*a'"), {}, text).expr, "X", point, (3, 3))
    assert check is not None and not check.ok  # the transposed answer, at m ≠ n


def test_values_give_the_derivative_there():
    d = matrix("x'*A*x", "x", values={"x": [1, 2], "A": [[1, 2], [3, 4]]})
    assert d.value.tolist() == [[12.0], [21.0]]  # (A + Aᵀ)x
    assert d.verified and d.checks[-1].kind == "given"


@pytest.mark.parametrize(
    ("formula", "wrt", "shapes", "message"),
    [
        ("det(X)", "X", {"X": "3x4"}, "det(X) needs a square matrix, and X is 3×4"),
        ("A*x", "x", {"A": "3x4", "x": "3"}, "A·x: A is 3×4 and x is 3×1; a product needs the "
                                             "columns of the first to match the rows of the "
                                             "second"),
        ("x^2", "x", {"x": "n"}, "x^2: x is a vector (n×1); a power needs a square matrix or a "
                                 "scalar (for every entry's power, write x.^2; for ‖x‖², "
                                 "norm2(x)^2)"),
        ("a'*x", "z", {}, "z is not in the formula (variables: a, x)"),
    ],
)  # fmt: skip
def test_shape_errors_name_both_shapes(formula, wrt, shapes, message):
    with pytest.raises(UsageError) as caught:
        matrix(formula, wrt, shapes=shapes)
    assert str(caught.value) == message


def test_the_command_prints_the_steps_and_exits_0():
    r = CliRunner().invoke(main, ["matrix", "norm2(X*w - y)^2", "--wrt", "w", "--format",
                                  "plain"])  # fmt: skip
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[:9] == [
        "f = ‖Xw − y‖²    [scalar]",
        "  shapes: X [n×m], w [m×1], y [n×1]; by w, the others constant",
        "  u = Xw − y    [n×1]",
        "  df = 2uᵀ·du    [scalar]    [d‖x‖² = 2xᵀdx]",
        "  du = X·dw    [n×1]    [d(AB) = dA·B + A·dB]",
        "  df = 2uᵀX·dw    [du put in]",
        "  df = (2Xᵀu)ᵀ·dw    [a scalar is its own transpose; (AB)ᵀ = BᵀAᵀ]",
        "  read off: df = gᵀ·dw gives ∂f/∂w = g",
        "",
    ]
    assert "∂f/∂w = 2Xᵀu = 2Xᵀ(Xw − y)    [m×1, the shape of w: denominator layout]" in lines
    assert lines[-2].startswith("✓ verified: at 2 random points")
    assert lines[-1] == "compared: SymPy's diff agrees"


def test_the_json_reads_back_in_sympy(tmp_path):
    import sympy as sp

    path = tmp_path / "v.json"
    path.write_text(json.dumps({"X": [[1, 2], [3, 5]], "w": [1, -1], "y": [0, 1]}))
    r = CliRunner().invoke(main, ["matrix", "norm2(X*w - y)^2", "--wrt", "w", "--values",
                                  str(path), "--format", "json"])  # fmt: skip
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert (data["gradient"], data["shape"], data["verified"]) == ("2*X.T*(X*w - y)", [2, 1], True)
    X, w, y = sp.MatrixSymbol("X", 2, 2), sp.MatrixSymbol("w", 2, 1), sp.MatrixSymbol("y", 2, 1)
    read = sp.parse_expr(data["gradient"], {"X": X, "w": w, "y": y})
    at = {X: sp.Matrix([[1, 2], [3, 5]]), w: sp.Matrix([1, -1]), y: sp.Matrix([0, 1])}
    assert [[float(v) for v in row] for row in read.subs(at).doit().tolist()] == data["value"]


def test_bad_input_is_exit_2_with_a_json_error():
    r = CliRunner().invoke(main, ["matrix", "det(X", "--wrt", "X", "--format", "json"])
    assert r.exit_code == 2
    assert json.loads(r.stdout)["error"]["kind"] == "parse"
    r = CliRunner().invoke(main, ["matrix", "__import__('os')", "--wrt", "x"])
    assert r.exit_code == 2


def test_sympy_is_compared_and_a_wrong_sympy_answer_is_said_to_be_wrong(monkeypatch):
    """SymPy's diff is compared, never trusted: a SymPy that answers 0 is reported as
    disagreeing and off the central differences, while the proof still stands."""
    import sympy as sp

    assert matrix("tr(A*X*B)", "X").sympy.outcome == "agrees"
    monkeypatch.setattr(sp, "diff", lambda expr, x: sp.ZeroMatrix(*x.shape))
    d = matrix("tr(A*X*B)", "X")
    assert d.verified and d.sympy.outcome == "disagrees"
    assert "so SymPy's answer is wrong" in d.sympy.detail
    assert d.to_dict()["sympy"]["outcome"] == "disagrees"


def test_what_sympy_cannot_do_is_said_so():
    d = matrix("sum(sigma(W*x))", "W")
    assert d.sympy.outcome == "no answer" and d.sympy.detail == "SymPy has no matrix form of sum"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x'*A*x", "--wrt", "x", "--shape", "B=3"],
         "error: --shape names B, which the formula does not have (variables: A, x)\n"),
        (["x'*A*x", "--wrt", "x", "--shape", "A=3000x3000"],
         "error: x is 3000×1: the numeric proof differentiates at the sizes given, and allows "
         "2,500 entries here; give sizes as names (x=m×n) to prove it at small ones\n"),
        (["x'", "--wrt", "x"],
         "error: f is a row vector (1×n): transpose it, (…)', for the Jacobian of the column\n"),
        (["x'*x", "--wrt", "x", "--shape", "x=3by4"],
         "error: a shape is like m×n, 3x4, n or scalar, not '3by4'\n"),
    ],
)  # fmt: skip
def test_bad_requests_are_one_line_and_exit_2(args, message):
    r = CliRunner().invoke(main, ["matrix", *args])
    assert (r.exit_code, r.stderr) == (2, message)


HOSTILE = [
    "__import__('os').system('true')",
    "x.__class__",
    "exec(x)",
    "x; y",
    "x\x00",
    "lambda: x",
    "(" * 200 + "x" + ")" * 200,
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_refused_by_the_parser(text):
    from symchain import ParseError

    with pytest.raises(ParseError):
        matrix(text, "x")


def test_a_bad_values_file_is_a_usage_error(tmp_path):
    for content, words in [("[1, 2]", "must hold a JSON object"), ('{"x": [[1, 2], [3]]}',
                           "not a number or a nested list"), ("{", "cannot read")]:  # fmt: skip
        path = tmp_path / "v.json"
        path.write_text(content)
        r = CliRunner().invoke(main, ["matrix", "x'*x", "--wrt", "x", "--values", str(path)])
        assert r.exit_code == 2 and words in r.stderr, r.stderr


def test_a_tight_root_exponent_is_noted():
    assert matrix("norm2(x)^1/2", "x").warnings == (
        "^1/2 is read as the power 1/2; write ^(1/2) to say so, or (…)/2 for the quotient",
    )
    assert matrix("norm2(x)^(1/2)", "x").warnings == ()
    assert matrix("norm2(x)^2/2", "x").warnings == ()


def test_softmax_ce_says_what_it_is_when_y_sums_to_one():
    """sum(y)·s − y is the textbook s − y only where 1ᵀy = 1: said so, and proved with y
    drawn on the simplex; at a y that does not add up to 1 that form is wrong."""
    d = matrix("-y'*log(softmax(W*x))", "W")
    [reading] = d.readings
    assert (reading.vector, text(reading.result)) == ("y", "(softmax(Wx) − y)xᵀ")
    assert reading.check is not None and reading.check.ok
    r = CliRunner().invoke(main, ["matrix", "-y'*log(softmax(W*x))", "--wrt", "W",
                                  "--format", "plain"])  # fmt: skip
    assert ("if the entries of y add up to 1 (one-hot, a distribution): "
            "∂f/∂W = (softmax(Wx) − y)xᵀ (✓ with y drawn so") in r.output  # fmt: skip
    point = draw(d.differentials.shapes, ["W", "x", "y"], np.random.default_rng(3), "normal")
    wrong = compare_gradient(d.expression, reading.result, "W", point, d.shapes.of_var["W"])
    assert wrong is not None and not wrong.ok
    assert matrix("norm2(X*w - y)^2", "w").readings == ()  # no sum(y): nothing to say


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("sigmod(W*x)", "error: unknown function 'sigmod': did you mean sigmoid?"),
        ("Tr(X)", "error: unknown function 'Tr': did you mean tr?"),
        ("logdet(X)", "error: unknown function 'logdet': did you mean log(det(…))?"),
        ("foo(X)", "error: unknown function 'foo'"),
    ],
)
def test_a_mistyped_matrix_function_gets_a_hint(formula, message):
    r = CliRunner().invoke(main, ["matrix", formula, "--wrt", "X"])
    assert r.exit_code == 2 and r.output.splitlines()[0] == message


@pytest.mark.parametrize(
    ("formula", "answer"),
    [
        ("x/norm2(x)", "I/‖x‖ − xxᵀ/‖x‖³"),  # a vector over a scalar
        ("(b'*x)*a", "abᵀ"),  # a scalar run around dx commutes out
        ("x*(x'*x)", "xᵀx·I + 2xxᵀ"),  # the identity keeps the shape beside a scalar
        ("A*x*(b'*x)", "bᵀxA + Axbᵀ"),
        ("pi*x'*x", None),  # pi is a scalar (π), not a vector
    ],
)
def test_jacobians_of_a_vector_times_a_scalar(formula, answer):
    d = matrix(formula, "x")
    assert d.verified
    if answer is not None:
        assert d.kind == "jacobian" and text(d.result) == answer
    else:
        assert text(d.result) == "2πx"


def test_a_shape_with_an_ascii_x_between_letters_is_a_matrix():
    d = matrix("sum(sigma(W*x))", "W", shapes={"W": "mxn"})
    assert d.shapes.of_var["W"] == ("m", "n") and d.warnings == ()
    assert matrix("W*x", "x", shapes={"W": "nx3"}).shapes.of_var["W"] == ("n", 3)


READBACK = [
    ("-y'*log(softmax(W*x))", "W"), ("-y'*log(softmax(W*x))", "x"), ("log(sum(exp(x)))", "x"),
    ("exp(a'*x)", "x"), ("(x'*A*x)/(x'*x)", "x"), ("sqrt(x'*S*x)", "x"), ("1/(x'*x)", "x"),
    ("lam*norm2(w)^2 + norm2(X*w - y)^2", "w"), ("log(det(X))", "X"), ("a'*x*b'*x", "x"),
]  # fmt: skip


@pytest.mark.parametrize(("formula", "wrt"), READBACK)
def test_every_json_gradient_reads_back_in_sympy_and_gives_the_value(formula, wrt, tmp_path):
    """A 1×1 matrix expression (xᵀx, sum(y)) beside a vector is written as its entry."""
    import sympy as sp

    shapes = matrix(formula, wrt).shapes.of_var
    rng = np.random.default_rng(5)
    sizes: dict = {}
    values = {}
    for name, (r, c) in shapes.items():
        r, c = (d if isinstance(d, int) else sizes.setdefault(d, 3 + len(sizes)) for d in (r, c))
        if (r, c) == (1, 1):
            values[name] = np.array([[0.5 + abs(rng.normal())]])
        elif r == c:
            b = rng.normal(size=(r, r))
            values[name] = b @ b.T + r * np.eye(r)
        else:
            values[name] = 0.1 + np.abs(rng.normal(size=(r, c)))
    path = tmp_path / "v.json"
    path.write_text(json.dumps({n: v.tolist() for n, v in values.items()}))
    r = CliRunner().invoke(main, ["matrix", formula, "--wrt", wrt, "--values", str(path),
                                  "--format", "json"])  # fmt: skip
    data = json.loads(r.stdout)
    symbols = {n: sp.Symbol(n, real=True) if v.shape == (1, 1) else sp.MatrixSymbol(n, *v.shape)
               for n, v in values.items()}  # fmt: skip
    read = sp.parse_expr(data["gradient"], {**symbols, "OneMatrix": sp.OneMatrix})
    at = {symbols[n]: float(v[0, 0]) if v.shape == (1, 1) else sp.ImmutableMatrix(v)
          for n, v in values.items()}  # fmt: skip
    got = read.xreplace(at).doit()
    got = np.array(sp.Matrix(got).evalf() if isinstance(got, sp.MatrixBase) else [[got]], float)
    expected = np.array(data["value"], dtype=float)
    assert np.allclose(got.reshape(expected.shape), expected, rtol=1e-9)


def test_a_kink_at_the_given_values_is_said_and_not_called_wrong(tmp_path):
    path = tmp_path / "z.json"
    path.write_text(json.dumps({"x": [0, 1, -1]}))
    r = CliRunner().invoke(main, ["matrix", "sum(relu(x))", "--wrt", "x", "--values", str(path),
                                  "--format", "plain"])  # fmt: skip
    assert r.exit_code == 0
    assert ("note: relu has no derivative where its argument is 0, and x has an entry 0 at the "
            "given values: the answer is not checked there") in r.stderr  # fmt: skip
    assert "✓ verified: at 2 random points, against central differences" in r.stdout


def test_a_wrong_matrix_answer_is_not_said_to_differ_from_sympy(monkeypatch):
    """The verdict is against central differences: the answer line carries no SymPy label."""
    from fractions import Fraction

    import symchain.matrixcalc.derivation as derivation
    from symchain.matrixcalc.expr import Mul, Num

    real = derivation.gradient
    monkeypatch.setattr(derivation, "gradient", lambda *a: Mul((Num(Fraction(3)), real(*a))))
    r = CliRunner().invoke(main, ["matrix", "x'*x", "--wrt", "x", "--format", "plain"])
    assert r.exit_code == 1
    assert "✗ NOT verified" in r.output and "SymPy)" not in r.output.split("\n✗")[0]


def test_a_matrix_power_past_thirty_is_refused_not_written_out():
    r = CliRunner().invoke(main, ["matrix", "tr(X^1000)", "--wrt", "X"])
    assert r.exit_code == 2
    assert r.output == "error: d(X^1000) is a sum of 1000 terms, written out here up to X^30\n"


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("X^T*T*X", "error: T is also a matrix here: write the transpose X' or X.T"),
        ("e^(a'*x)", "error: the exponential is written exp(…), not e^…"),
    ],
)
def test_textbook_notation_the_matrix_syntax_writes_otherwise_is_pointed_at(formula, message):
    r = CliRunner().invoke(main, ["matrix", formula, "--wrt", "x" if "x" in formula else "X"])
    assert r.exit_code == 2 and r.output.splitlines()[0] == message


@pytest.mark.parametrize(
    ("typed", "written"), [("x^T*A*x", "x'*A*x"), ("(A*x)^T*x", "(A*x)'*x"),
                           ("tr(X^T*X)", "tr(X'*X)"), ("sigma(W*x + b)^T*v", "sigma(W*x + b)'*v")],
)  # fmt: skip
def test_a_transpose_typed_as_a_power_of_t_reads_as_books_print_it(typed, written):
    """xᵀAx typed x^T*A*x was refused; with no matrix named T it can only be the transpose."""
    wrt = "W" if "W" in typed else "X" if "X" in typed else "x"
    a = CliRunner().invoke(main, ["matrix", typed, "--wrt", wrt, "--format", "json"])
    b = CliRunner().invoke(main, ["matrix", written, "--wrt", wrt, "--format", "json"])
    assert a.exit_code == 0 and json.loads(a.stdout)["gradient"] == json.loads(b.stdout)["gradient"]
    assert "^T is read as the transpose" in a.stderr
