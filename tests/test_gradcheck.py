"""`symchain gradcheck`: the seed's network, correct and kinked and float32 ones, bad input."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from symchain.cli.gradcheck import gradcheck as gradcheck_command
from symchain.core.errors import UsageError
from symchain.nn.gradcheck import Settings, gradcheck, load_network_class
from symchain.nn.losses import loss

FIXTURES = Path(__file__).parent / "fixtures"
SEED = f"{FIXTURES / 'seed_network.py'}:SimpleNeuralNetwork"
MSE = f"{FIXTURES / 'mse_network.py'}:MSENetwork"
RELU = f"{FIXTURES / 'relu_network.py'}:ReluNetwork"
FLOAT32 = f"{FIXTURES / 'float32_network.py'}:Float32Network"
BAD = FIXTURES / "bad_networks.py"


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(gradcheck_command, [str(a) for a in args])

    return invoke


def test_seed_fails_mse_and_names_mean_bce(run):
    result = run(SEED, "--loss", "mse", "--format", "plain")
    assert result.exit_code == 1, result.output
    assert "FAIL" in result.stdout
    assert "your backward computes the gradient of mean binary cross-entropy" in result.stdout
    assert "--loss bce --reduction mean" in result.stdout


def test_seed_passes_bce(run):
    result = run(SEED, "--loss", "bce", "--format", "plain")
    assert result.exit_code == 0, result.output
    assert "PASS" in result.stdout
    assert "wrong" not in result.stdout


def test_seed_json_report(run):
    result = run(SEED, "--loss", "mse", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["passed"] is False
    assert report["method"] == "full"
    assert report["matches_loss"] == "mean binary cross-entropy"
    assert report["loss"]["name"] == "mse"
    assert set(report["parameters"]) == {"W1", "b1", "W2", "b2"}
    w2 = report["parameters"]["W2"]
    keys = {"shape", "worst_index", "applied", "true", "abs_error", "rel_error", "grade"}
    assert keys | {"passed", "kinks"} <= set(w2)
    assert w2["shape"] == [4, 1] and w2["grade"] == "wrong" and w2["passed"] is False
    # dz2 = a2 − y versus 2(a2 − y)·a2(1 − a2): with a2 ≈ 1/2, applied ≈ 2 × true
    assert w2["applied"] == pytest.approx(2 * w2["true"], rel=0.05)
    assert w2["rel_error"] == pytest.approx(1 / 3, rel=0.05)


def test_correct_mse_backward_passes_with_good_grades(run):
    result = run(MSE, "--loss", "mse", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["matches_loss"] == "mean squared error"
    assert {p["grade"] for p in report["parameters"].values()} == {"good"}


def test_the_wrong_reduction_is_named_with_a_hint(run):
    result = run(MSE, "--loss", "mse", "--reduction", "sum", "--format", "plain")
    assert result.exit_code == 1
    assert "your backward computes the gradient of mean squared error" in result.stdout
    assert "division by m" in result.stdout


def test_relu_kinks_are_rechecked_not_failed(run):
    result = run(RELU, "--loss", "mse", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["kinks"] > 0
    assert all(p["passed"] for p in report["parameters"].values())
    assert any("kink within the step" in w for w in report["warnings"])


def test_relu_kinks_shown_in_plain(run):
    result = run(RELU, "--format", "plain")
    assert result.exit_code == 0
    assert "kinks" in result.stdout and "one-sided" in result.stdout


def test_float32_warns_and_uses_looser_tolerances(run):
    result = run(FLOAT32, "--loss", "bce", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["precision"] == "float32"
    assert report["eps"] > 1e-6 and report["rtol"] > 1e-3
    assert any("float32" in w for w in report["warnings"])
    assert run(FLOAT32, "--loss", "mse").exit_code == 1  # a wrong loss still shows


def test_directional_check_for_a_large_network(run):
    result = run(MSE, "--sizes", "50,60,40", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["method"] == "directional" and report["parameter_count"] > 5000
    assert report["parameters"]["W1"]["worst_direction"] in (1, 2, 3)


def test_directional_check_finds_the_seed_mismatch(run):
    result = run(SEED, "--method", "directional", "--format", "plain")
    assert result.exit_code == 1
    assert "directional derivatives" in result.stdout
    assert "mean binary cross-entropy" in result.stdout


def test_rich_and_markdown_render(run):
    for fmt in ("rich", "markdown"):
        result = run(SEED, "--format", fmt, "--no-color")
        assert result.exit_code == 1
        assert "mean binary cross-entropy" in result.stdout


UPDATED_TOO_SOON = """
import numpy as np

class Net:
    def __init__(self, i, h, o):
        self.W1 = np.random.randn(i, h); self.b1 = np.zeros(h)
        self.W2 = np.random.randn(h, o); self.b2 = np.zeros(o)
    def forward(self, X):
        self.a1 = 1 / (1 + np.exp(-(X @ self.W1 + self.b1)))
        self.a2 = 1 / (1 + np.exp(-(self.a1 @ self.W2 + self.b2)))
        return self.a2
    def backward(self, X, y, learning_rate):
        dz2 = (self.a2 - y) / len(X)
        self.W2 -= learning_rate * self.a1.T @ dz2   # updated before dz1 uses it
        self.b2 -= learning_rate * dz2.sum(0)
        dz1 = dz2 @ self.W2.T * self.a1 * (1 - self.a1)
        self.W1 -= learning_rate * X.T @ dz1
        self.b1 -= learning_rate * dz1.sum(0)
"""


def test_an_update_that_reuses_updated_weights_is_caught(run, tmp_path):
    path = tmp_path / "net.py"
    path.write_text(UPDATED_TOO_SOON)
    result = run(f"{path}:Net", "--loss", "bce", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert not report["parameters"]["W1"]["passed"] and report["parameters"]["W2"]["passed"]
    assert any("not proportional to the learning rate" in w for w in report["warnings"])


def test_what_user_code_prints_goes_to_stderr(run, tmp_path):
    path = tmp_path / "loud.py"
    path.write_text((FIXTURES / "mse_network.py").read_text() + "\nprint('training...')\n")
    result = run(f"{path}:MSENetwork", "--format", "json", "--run-all")
    assert result.exit_code == 0
    json.loads(result.stdout)
    assert "training..." in result.stderr
    quiet = run(f"{path}:MSENetwork", "--format", "json")  # a top-level call is not run
    assert quiet.exit_code == 0 and "training..." not in quiet.stderr
    assert "not run, as a training script would be" in json.loads(quiet.stdout)["warnings"][-1]


# --- bad input: exit 2, one clear line, no traceback ---------------------------------


def _bad_files(tmp: Path) -> dict[str, Path]:
    files = {
        "syntax.py": "import numpy as np\nclass Net(:\n    pass\n",
        "imports.py": "import a_module_that_is_not_there\n",
        "raises.py": "raise ValueError('no data here')\n",
        "notes.txt": "not python\n",
    }
    for name, text in files.items():
        (tmp / name).write_text(text)
    return {name: tmp / name for name in files}


BAD_CASES = [
    ([f"{BAD}:NoBackward"], "lacks backward"),
    ([f"{BAD}:Missing"], "has no 'Missing' (and no Missing_forward, Missing_backward pair)"),
    ([f"{BAD}:not_a_class"], "not a class"),
    ([f"{BAD}:NoSizes", "--sizes", "2,4,1"], "does not fit its constructor"),
    ([f"{BAD}:NoSizes"], "has none of forward, feedforward"),
    ([f"{FIXTURES / 'nothere.py'}:Net"], "no such file"),
    ([str(BAD)], "expected FILE.py:NAME"),
    ([f"{FIXTURES}:Net"], "is a directory"),
    (["{syntax.py}:Net"], "syntax error"),
    (["{imports.py}:Net"], "No module named 'a_module_that_is_not_there'"),
    (["{raises.py}:Net"], "ValueError: no data here"),
    (["{notes.txt}:Net"], "not a Python file"),
    ([SEED, "--sizes", "2,4"], "missing a required argument"),
    ([SEED, "--sizes", "2,x,1"], "expected integers"),
    ([RELU, "--loss", "bce"], "bce needs outputs in (0, 1)"),
    ([SEED, "--loss", "cubic"], "Invalid value for '--loss'"),
]


@pytest.mark.parametrize(("args", "message"), BAD_CASES)
def test_bad_input_exits_2_with_a_message(run, tmp_path, args, message):
    files = _bad_files(tmp_path)
    args = [re.sub(r"\{(.+?)\}", lambda m: str(files[m.group(1)]), a) for a in args]
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_bad_input_in_json_still_gives_json(run):
    result = run(f"{BAD}:NoBackward", "--format", "json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["kind"] == "usage"


# --- the library ---------------------------------------------------------------------


def test_library_report():
    report = gradcheck(SEED, Settings(loss("bce")))
    assert report.passed and report.match is not None
    assert report.match.loss == loss("bce")
    assert report.to_dict()["parameters"]["b2"]["worst_index"] == [0]


def test_each_load_is_a_fresh_module():
    first, second = load_network_class(SEED), load_network_class(SEED)
    assert first is not second and first.__module__ != second.__module__


def test_bad_settings_are_usage_errors():
    with pytest.raises(UsageError, match="`batch`"):
        gradcheck(SEED, Settings(loss("mse"), batch=0))


def test_the_command_module_does_not_import_numpy():
    code = "import sys, symchain.cli.gradcheck; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_seed_fixture_is_the_seed_verbatim():
    seed_doc = Path(__file__).parents[2] / "shared" / "seed" / "chain-rule-and-backpropagation.md"
    if not seed_doc.exists():
        pytest.skip("shared/seed is not beside this checkout")
    text = seed_doc.read_text()
    block = text[text.index("```python\nimport numpy as np\n") : text.index("# Example usage")]
    seed_class = block.split("```python\n", 1)[1].rstrip()
    assert seed_class in (FIXTURES / "seed_network.py").read_text()


def test_exit_inside_backward_is_an_error_not_a_pass(tmp_path):
    from click.testing import CliRunner

    from symchain.cli.app import main

    path = tmp_path / "exits.py"
    path.write_text(
        "import sys\nimport numpy as np\n"
        "class Exits:\n"
        "    def __init__(self, a, b, c):\n"
        "        self.W1, self.b1 = np.zeros((a, b)), np.zeros(b)\n"
        "        self.W2, self.b2 = np.zeros((b, c)), np.zeros(c)\n"
        "    def forward(self, X):\n        return np.full((X.shape[0], 1), 0.5)\n"
        "    def backward(self, X, y, learning_rate):\n        sys.exit(0)\n"
    )
    result = CliRunner().invoke(main, ["gradcheck", f"{path}:Exits"])
    assert result.exit_code == 2 and "exit" in result.stderr


def test_a_forgotten_sigmoid_slope_is_explained(tmp_path):
    from click.testing import CliRunner

    from symchain.cli.app import main

    path = tmp_path / "nosig.py"
    path.write_text(
        "import numpy as np\n"
        "class NoSig:\n"
        "    def __init__(self, i, h, o):\n"
        "        self.W1, self.b1 = np.random.randn(i, h) * 0.5, np.zeros(h)\n"
        "        self.W2, self.b2 = np.random.randn(h, o) * 0.5, np.zeros(o)\n"
        "    def forward(self, X):\n"
        "        self.a1 = 1 / (1 + np.exp(-(X @ self.W1 + self.b1)))\n"
        "        self.a2 = 1 / (1 + np.exp(-(self.a1 @ self.W2 + self.b2)))\n"
        "        return self.a2\n"
        "    def backward(self, X, y, learning_rate):\n"
        "        dz2 = 2 * (self.a2 - y) / X.shape[0]\n"
        "        dz1 = (dz2 @ self.W2.T) * self.a1 * (1 - self.a1)\n"
        "        self.W2 -= learning_rate * self.a1.T @ dz2\n"
        "        self.b2 -= learning_rate * dz2.sum(0)\n"
        "        self.W1 -= learning_rate * X.T @ dz1\n"
        "        self.b1 -= learning_rate * dz1.sum(0)\n"
    )
    result = CliRunner().invoke(main, ["gradcheck", f"{path}:NoSig", "--loss", "mse"])
    assert result.exit_code == 1 and "forgets σ'(z)" in result.output


def test_a_backward_that_changes_its_inputs_in_place_is_refused(run, tmp_path):
    """Issue 14: such a backward made every entry look like a kink, and a sign-flipped
    gradient passed."""
    path = tmp_path / "sneaky.py"
    path.write_text(
        (FIXTURES / "seed_network.py").read_text() + "\n\nclass Sneaky(SimpleNeuralNetwork):\n"
        "    def backward(self, X, y, learning_rate=0.1):\n"
        "        super().backward(X, y, -learning_rate)\n"
        "        X *= 0\n"
    )
    result = run(f"{path}:Sneaky", "--loss", "bce")
    assert result.exit_code == 2
    assert "Sneaky.backward changed its input X in place" in result.stderr
