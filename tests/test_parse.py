"""The parser: what people type becomes the right expression; everything else is refused."""

import pytest
import sympy as sp

from symchain.core.errors import ParseError
from symchain.core.parse import parse, read, symbol

x, y = symbol("x"), symbol("y")
f, g = sp.Function("f"), sp.Function("g")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("sin(x**2)", sp.sin(x**2)),
        ("x^2", x**2),
        ("2x", 2 * x),
        ("3(x+1)", 3 * (x + 1)),
        ("x sin(x)", x * sp.sin(x)),
        ("(x+1)(x-1)", (x + 1) * (x - 1)),
        ("2x^3", 2 * x**3),
        ("-x^2", -(x**2)),
        ("2^-1 x", x / 2),
        ("e^x", sp.exp(x)),
        ("exp(x)", sp.exp(x)),
        ("E**x", sp.exp(x)),
        ("ln(x)", sp.log(x)),
        ("log(x, 2)", sp.log(x) / sp.log(2)),
        ("log10(x)", sp.log(x) / sp.log(10)),
        ("arcsin(x) + asin(x)", 2 * sp.asin(x)),
        ("arctan(x)", sp.atan(x)),
        ("arsinh(x)", sp.asinh(x)),
        ("sqrt(x)", sp.sqrt(x)),
        ("abs(x)", sp.Abs(x)),
        ("pi x", sp.pi * x),
        ("f(g(x))", f(g(x))),
        ("0.5x", x / 2),
        ("1e3 x", 1000 * x),
        ("x y", x * y),
        ("x²", x**2),
        ("π·x", sp.pi * x),
        ("x − 1", x - 1),
        ("x(x+1)", x * (x + 1)),
        ("besselj(0, x)", sp.besselj(0, x)),
        ("theta^2", symbol("theta") ** 2),
    ],
)
def test_accepts_what_people_type(text, expected):
    assert parse(text) == expected


def test_symbols_are_real():
    assert parse("x").is_real


def test_sin_is_never_split():
    assert parse("sin(x)") == sp.sin(x)
    with pytest.raises(ParseError, match="did you mean sin"):
        parse("sinx")


@pytest.mark.parametrize(
    "text, message, position",
    [
        ("__import__('os').system('echo hi')", "names starting with '_'", 0),
        ("x.real", "attribute", 1),
        ("'x'", "strings", 0),
        ("x[0]", "looks like indexing", 1),
        ("lambda: 1", "keyword", 0),
        ("x; y", "single expression", 1),
        ("x = 1", "'='", 2),
        ("sin(x", "never closed", 3),
        ("x)", "closes nothing", 1),
        ("x +", "ends too early", 3),
        ("2 3", "two numbers", 2),
        ("foo(x)", "unknown function 'foo'", 0),
        ("sin", "is a function", 0),
        ("sin(x, 2)", "takes 1 argument", 0),
        ("", "empty", 0),
        ("   ", "empty", 0),
        ("x\x00", "NUL", 1),
        ("1/0", "division by zero", 2),
        # the name rules hold after √ too, and for Python's built-ins (issue 14, item 6)
        ("√__import__", "names starting with '_'", 1),
        ("√_", "names starting with '_'", 1),
        ("√match", "'match' is a Python keyword", 1),
        ("x + len(x)", "'len' is a Python built-in name", 4),
        ("eval*x", "'eval' is a Python built-in name", 0),
        # numbers in other bases are refused, never read as 0·x1f
        ("0x1f", "'0x1f' looks like a number in base 16 .*decimal only \\(write 31\\)", 0),
        ("2 + 0b101", "'0b101' looks like a number in base 2", 4),
        ("0o17", "base 8", 0),
        # a decimal point touching a name is a typo as often as a product
        ("x.5", "a '.' right after x: write x\\*0.5 for a product, x\\^5 for a power", 1),
        ("2x.0", "a '.' right after x", 2),
        ("sin.5x", "a '.' right after sin: write sin\\(0.5x\\)", 3),
        ("3.x", "a '.' right before a name: write 3.0\\*x or 3x", 1),
        ("sin(x).5", "a '.' right after '\\)': write \\(…\\)\\*0.5 for a product", 6),
        ("(x+1).5", "a '.' right after '\\)'", 5),
    ],
)
def test_refuses_with_a_column(text, message, position):
    with pytest.raises(ParseError, match=message) as info:
        parse(text)
    assert info.value.position == position


def test_caret_points_at_the_column():
    with pytest.raises(ParseError) as info:
        parse("x + $")
    assert info.value.pointer() == "  x + $\n      ^"


def test_huge_powers_are_refused_quickly():
    with pytest.raises(ParseError, match="digits"):
        parse("9**9**9")
    with pytest.raises(ParseError, match="exponent"):
        parse("1e999999999")
    assert parse("x**(10**100)") == x ** sp.Integer(10**100)


def test_length_and_depth_are_bounded():
    with pytest.raises(ParseError, match="characters long"):
        parse("x+" * 2000 + "x")
    with pytest.raises(ParseError, match="nested"):
        parse("(" * 300 + "x" + ")" * 300)
    deep = "sin(" * 200 + "x" + ")" * 200
    assert parse(deep).count(sp.sin) == 200


def test_functions_of_huge_numbers_stay_unevaluated():
    value = parse("gamma(10**10)")
    assert value.func == sp.gamma and not value.free_symbols


# --- readings from the clean-clone review (issue 12): noted, and consistent ----------------------


@pytest.mark.parametrize(
    ("text", "expected", "note"),
    [
        ("e^2πx", sp.exp(2 * sp.pi * symbol("x")), "e^2πx is read as e^(2πx)"),
        ("e^-x^2/2", sp.exp(-(symbol("x") ** 2)) / 2, "write e^(-x^2/2) to divide the exponent"),
        ("e^-x/2", sp.exp(-symbol("x")) / 2, "write e^(-x/2) to divide the exponent"),
        ("√2x + 1", sp.sqrt(2) * symbol("x") + 1, "√2x is read as √2·x"),
        ("√x^2 + 1", symbol("x") + 1, "√x^2 is read as (√x)^2"),
        ("log(x, 2)^2", (sp.log(symbol("x")) / sp.log(2)) ** 2, None),
        ("sin^-1x", sp.asin(symbol("x")), None),
        ("e^x/x", sp.exp(symbol("x")) / symbol("x"), None),
        ("√π/2", sp.sqrt(sp.pi) / 2, None),  # as √x/2: the root of the letter only
        ("√2·√π/2", sp.sqrt(2 * sp.pi) / 2, None),
    ],
)
def test_review_readings(text, expected, note):
    r = read(text)
    assert sp.simplify(r.expr - expected) == 0
    if note is None:
        assert r.notes == ()
    else:
        assert any(note in n for n in r.notes), r.notes


def test_a_decimal_point_apart_from_names_still_reads():
    x = sp.Symbol("x", real=True)
    for text in ("x*.5", "x .5", "0.5x", "2.5x", "x^.5", "3. x", "3.e5 x"):
        assert parse(text).has(x), text


def test_decimal_numbers_and_names_next_to_zero_still_read():
    x, xy = sp.Symbol("x", real=True), sp.Symbol("xy", real=True)
    assert parse("0x") == 0 * x and parse("10x") == 10 * x and parse("0xy + 1") == 0 * xy + 1


def test_a_power_of_ten_thousand_digits_prints():
    """Python refuses to print ints over 4,300 digits by default; the limit is 10,000."""
    from symchain.calculus.derivation import derive

    d = derive("2^20000 x")
    assert d.verified and len(str(d.result)) > 6000


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sinn(x)", "unknown function 'sinn': did you mean sin?"),  # not sin(n)
        ("cosec(x)", "unknown function 'cosec': did you mean csc?"),  # an alias
        ("Sin(x)", "unknown function 'Sin': did you mean sin?"),  # case, not Si(n)
        ("Ln(x)", "unknown function 'Ln': did you mean ln?"),
        ("Exp(x)", "unknown function 'Exp': did you mean exp?"),
        ("tg(x)", "unknown function 'tg': did you mean tan?"),
        ("sqr(x)", "unknown function 'sqr': did you mean sqrt (or (…)^2 for the square)?"),
        ("Sin x", "unknown name 'Sin': did you mean sin?"),
        ("sinx", "unknown name 'sinx': did you mean sin(x)?"),  # glued: still the call
        ("foo(x)", "unknown function 'foo'"),  # nothing near: no guess
    ],
)
def test_a_mistyped_function_gets_the_nearest_known_one(text, message):
    with pytest.raises(ParseError) as err:
        parse(text)
    assert str(err.value).splitlines()[0] == message


def test_glued_and_based_names_still_read():
    assert parse("log_2(x)") == sp.log(x) / sp.log(2)
    assert parse("xcos(x)") == x * sp.cos(x)
