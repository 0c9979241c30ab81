"""`symchain gradcheck FILE.py:NAME` on the shapes hand-written NumPy code has in the wild:
a cs231n-style class (self.params, loss(X, y) -> (loss, grads)) and pairs of layer
functions (NAME_forward -> (out, cache), NAME_backward -> (dx, dw, ...)), on unmodified
files, right and with planted bugs (issue 13, item 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from symchain.cli.app import main

NETS = Path(__file__).parent / "fixtures" / "nets"
INIT_BN = '{"bn_param": {}}'


@pytest.fixture
def run(monkeypatch):
    """The CLI in this process, with a fixture bug planted (layers.py reads it on import)."""

    def invoke(*args, bug=None):
        sys.modules.pop("layers", None)  # fcnet.py imports it: read FIXTURE_BUG afresh
        if bug:
            monkeypatch.setenv("FIXTURE_BUG", bug)
        else:
            monkeypatch.delenv("FIXTURE_BUG", raising=False)
        monkeypatch.chdir(NETS)
        result = CliRunner().invoke(main, ["gradcheck", *args, "--format", "plain"])
        sys.modules.pop("layers", None)
        return result

    return invoke


@pytest.fixture
def own_file(tmp_path, monkeypatch):
    """own_file(name, source): a file of the test's own, written to a folder that becomes
    the current one; returns gradcheck(*args), the CLI run there in this process."""
    monkeypatch.chdir(tmp_path)

    def write(name: str, source: str):
        (tmp_path / name).write_text(source)
        return lambda *args: CliRunner().invoke(main, ["gradcheck", *args])

    return write


def test_a_cs231n_style_class_passes_and_says_what_was_checked(run):
    r = run("fcnet.py:FCNet")
    assert r.exit_code == 0, r.output
    assert r.output.startswith(
        "✓ PASS: every claimed gradient agrees with the loss (10 parameters)\n"
        "  FCNet(): its own loss(X, y) and gradients, every array in self.params (W1, b1, "
        "gamma1, beta1, W2, b2, gamma2, beta2, W3, b3)\n"
        "  constructed with dtype=float64"
    )
    assert "data: X 16×4 standard normal, y integer labels in 0..2 (seed 0)" in r.output


@pytest.mark.parametrize(
    ("bug", "failed"),
    [
        ("affine_db_mean", "b3"),  # b1, b2 feed a batchnorm: their true gradient is 0
        ("bn_dgamma", "gamma1, gamma2"),
        ("relu_no_mask", "W1, gamma1, beta1, W2, gamma2, beta2"),
        ("affine_dx_sign", "W2, gamma2, beta2"),  # the two flips cancel below layer 2
    ],
)
def test_a_planted_bug_in_the_class_fails_naming_its_parameters(run, bug, failed):
    r = run("fcnet.py:FCNet", bug=bug)
    assert r.exit_code == 1
    assert r.output.startswith(f"✗ FAIL: {failed} wrong")


def test_constructor_arguments_come_from_sizes_and_init(run):
    r = run("fcnet.py:FCNet", "--init", '{"hidden_dims": [3], "batchnorm": false, "reg": 0}')
    assert r.exit_code == 0 and "(W1, b1, W2, b2)" in r.output


@pytest.mark.parametrize(
    ("args", "failed"),
    [
        (("layers.py:affine", "--shapes", "x=4x5,w=5x3,b=3"), None),
        (("layers.py:relu", "--shapes", "x=4x5"), None),
        (("layers.py:batchnorm", "--shapes", "x=6x4,gamma=4,beta=4", "--init", INIT_BN), None),
        (("layers.py:affine_forward", "--shapes", "x=4x5,w=5x3,b=3"), None),
    ],
)
def test_layer_functions_pass(run, args, failed):
    r = run(*args)
    assert r.exit_code == 0, r.output
    assert r.output.startswith("✓ PASS")


@pytest.mark.parametrize(
    ("bug", "args", "failed", "words"),
    [
        ("affine_dx_sign", ("layers.py:affine", "--shapes", "x=4x5,w=5x3,b=3"), "x",
         "the sign is flipped"),
        ("affine_db_mean", ("layers.py:affine", "--shapes", "x=4x5,w=5x3,b=3"), "b",
         "every entry is 0.25 × the true value"),
        ("relu_no_mask", ("layers.py:relu", "--shapes", "x=4x5"), "x", None),
        ("bn_dgamma", ("layers.py:batchnorm", "--shapes", "x=6x4,gamma=4,beta=4", "--init",
                       INIT_BN), "gamma", None),
    ],
)  # fmt: skip
def test_layer_function_bugs_fail_and_dx_is_checked_too(run, bug, args, failed, words):
    r = run(*args, bug=bug)
    assert r.exit_code == 1
    assert r.output.startswith(f"✗ FAIL: {failed} wrong")
    if words:
        assert f"\n{failed}: " in r.output and words in r.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("layers.py:affine",), "affine_forward(x, w, b) needs the shape of x, w, b"),
        (("layers.py:affine", "--shapes", "x=4x5,w=5x3,b=3,z=2"), "has no argument z"),
        (("layers.py:batchnorm", "--shapes", "x=6x4,gamma=4,beta=4"), "bn_param"),
        (("layers.py:affine", "--shapes", "x=4x5,w=4x3,b=3"), "affine_forward raised ValueError"),
        (("fcnet.py:FCNet", "--init", "{bad"), "not JSON"),
        (("fcnet.py:FCNet", "--init", "[1]"), "expected a JSON object"),
        (("fcnet.py:FCNet", "--init", '{"nope": 1}'), "does not fit FCNet"),
        (("fcnet.py:Nothing",), "has no 'Nothing'"),
        (("layers.py:affine", "--shapes", "x=4by5"), "expected NAME=RxC"),
    ],
)
def test_what_cannot_be_checked_is_one_line_and_exit_2(run, args, message):
    r = run(*args)
    assert r.exit_code == 2, r.output
    assert message in r.output and "Traceback" not in r.output


def test_data_from_an_npz_file(run, tmp_path):
    rng = np.random.default_rng(3)
    path = tmp_path / "data.npz"
    np.savez(path, X=rng.standard_normal((5, 4)), y=rng.integers(0, 3, 5))
    r = run("fcnet.py:FCNet", "--data", str(path))
    assert r.exit_code == 0 and f"data: X and y from {path}" in r.output


def test_json_report_through_a_real_process():
    out = subprocess.run(
        [sys.executable, "-m", "symchain", "gradcheck", "fcnet.py:FCNet", "--format", "json"],
        cwd=NETS, capture_output=True, text=True, env={"FIXTURE_BUG": "bn_dgamma",
                                                        "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert out.returncode == 1, out.stderr
    data = json.loads(out.stdout)
    assert data["ok"] is False and data["failed"] == ["gamma1", "gamma2"]
    assert data["about"][0].startswith("FCNet(): its own loss(X, y)")


# --- classes of any other shape ------------------------------------------------------------------

LIST = ("listnet.py:ListNet", "--init", '{"sizes": [3, 4, 2]}', "--columns", "--batch", "1",
        "--loss", "half-sse")  # fmt: skip
ATTR = ("attrnet.py:AttrNet", "--sizes", "3,4,3", "--backward", "train", "--loss", "half-sse")
SOFT = ("softnet.py:SoftNet", "--sizes", "4,5,3", "--loss", "softmax-ce", "--l2", "0.05")


@pytest.mark.parametrize(
    ("args", "about"),
    [
        (LIST, "ListNet(sizes=[3, 4, 2]): feedforward and backprop; parameters biases[0], "
               "biases[1], weights[0], weights[1]"),
        (ATTR, "AttrNet(3, 4, 3): forward and train; parameters wih, who (not hidden, which "
               "forward writes)"),
        (SOFT, "SoftNet(4, 5, 3): forward and backward; parameters p['W'], p['c'], p['V']"),
    ],
)  # fmt: skip
def test_any_class_passes_wherever_its_weights_live(run, args, about):
    r = run(*args)
    assert r.exit_code == 0, r.output
    assert r.output.startswith("✓ PASS") and f"\n  {about}\n" in r.output


@pytest.mark.parametrize(
    ("args", "bug", "failed"),
    [
        (LIST, "output_sign", "biases[0], biases[1], weights[0], weights[1]"),
        (LIST, "hidden_no_derivative", "biases[0], weights[0]"),
        (ATTR, "no_tanh_derivative", "wih"),  # an applied update, read back through self.lr
        (SOFT, "no_reg_W", "p['W']"),
    ],
)
def test_any_class_with_a_planted_bug_fails_naming_it(run, args, bug, failed):
    r = run(*args, bug=bug)
    assert r.exit_code == 1
    assert r.output.startswith(f"✗ FAIL: {failed} wrong")


def test_an_l2_term_the_loss_lacks_is_named_with_its_lambda(run):
    r = run(*SOFT[:-2])
    assert r.exit_code == 1
    assert (
        "the gradient has an L2 term ½·0.05·‖θ‖² that the loss does not have (if your loss "
        "has it, give --l2 0.05)"
    ) in r.output


def test_a_backward_whose_arguments_cannot_be_told_is_a_usage_error(run, tmp_path):
    (tmp_path / "odd.py").write_text(
        "import numpy as np\n"
        "class Odd:\n"
        "    def __init__(self):\n"
        "        self.w = np.ones((2, 2))\n"
        "    def forward(self, X):\n"
        "        return X @ self.w\n"
        "    def backward(self, X, y, z, q):\n"
        "        return {}\n"
    )
    r = run(f"{tmp_path / 'odd.py'}:Odd")
    assert r.exit_code == 2 and "cannot tell what to pass as z, q" in r.output


# --- the pieces: label losses, where parameters are found -----------------------------------


def test_label_losses_are_the_textbook_formulas():
    from symchain.nn.losses import loss

    scores = np.array([[2.0, 1.0, 0.0], [0.5, 0.5, 3.0]])
    labels = np.array([0, 1])
    log_softmax = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
    expected_ce = -(log_softmax[0, 0] + log_softmax[1, 1]) / 2
    assert loss("softmax-ce", labels=True).value(scores, labels) == pytest.approx(
        expected_ce, rel=1e-12
    )
    assert loss("softmax-ce", "sum", labels=True).value(scores, labels) == pytest.approx(
        2 * expected_ce
    )
    probs = np.exp(log_softmax)
    assert loss("ce", labels=True).value(probs, labels) == pytest.approx(expected_ce, rel=1e-12)
    # hinge: row 0: max(0, 1-2+1) + max(0, 0-2+1) = 0; row 1: max(0,0.5-0.5+1)+max(0,3-0.5+1)
    assert loss("hinge", "sum", labels=True).value(scores, labels) == pytest.approx(0 + 1 + 3.5)


def test_parameters_are_found_wherever_they_live():
    from symchain.nn.anyclass import slots

    class Layer:
        def __init__(self):
            self.W = np.ones((2, 2))
            self.count = 3

    class Model:
        def __init__(self):
            self.a = np.zeros(2)
            self.weights = [np.ones((2, 3)), np.ones(3)]
            self.p = {"V": np.ones((3, 1))}
            self.layers = [Layer()]
            self.labels = np.arange(3)  # integers: not a parameter

    assert [s.name for s in slots(Model())] == [
        "a",
        "weights[0]",
        "weights[1]",
        "p['V']",
        "layers[0].W",
    ]


SCRIPT = (
    "import numpy as np\n"
    "class Net:\n"
    "    def __init__(self):\n"
    "        self.params = {'w': np.ones((3, 2))}\n"
    "    def loss(self, X, y=None):\n"
    "        s = X @ self.params['w']\n"
    "        if y is None:\n"
    "            return s\n"
    "        return float((s ** 2).sum() / 2), {'w': X.T @ s}\n"
    "net = Net()\n"
    "for epoch in range(3):\n"
    "    raise SystemExit('training ran')\n"
    "net.loss(np.ones((1, 3)))\n"
)


def test_a_training_script_outside_main_is_not_run_and_the_report_says_so(run, tmp_path):
    (tmp_path / "script.py").write_text(SCRIPT)
    r = run(f"{tmp_path / 'script.py'}:Net")
    assert r.exit_code == 0, r.output
    assert (
        "  not run, as a training script would be: lines 11-12 (a loop), line 13 "
        "(net.loss(np.ones((1, 3)))) of the file's top level (--run-all runs them)\n"
    ) in r.output
    ran = run(f"{tmp_path / 'script.py'}:Net", "--run-all")
    assert ran.exit_code == 2 and "called exit() while being imported" in ran.output


def test_the_report_names_the_loss_a_backward_really_computes(run):
    r = run("attrnet.py:AttrNet", "--sizes", "3,4,3", "--backward", "train", "--loss", "mse")
    assert r.exit_code == 1
    assert (
        "note: your backward computes the gradient of mean half the sum of squared errors "
        "(--loss half-sse --reduction mean), not of mean squared error"
    ) in r.output
    s = run("softnet.py:SoftNet", "--sizes", "4,5,3", "--loss", "hinge", "--l2", "0.05")
    assert "computes the gradient of mean softmax cross-entropy (--loss softmax-ce" in s.output


def test_a_loss_undefined_at_the_outputs_is_a_usage_error_that_says_why(run):
    r = run("softnet.py:SoftNet", "--sizes", "4,5,3", "--loss", "bce")
    assert r.exit_code == 2
    assert "binary cross-entropy is not defined at forward's outputs" in r.output
    assert "bce needs outputs in (0, 1)" in r.output


@pytest.mark.parametrize(("reduction", "code"), [("mean-samples", 0), ("mean-all", 1), ("sum", 1)])
def test_sum_or_mean_over_samples_and_outputs(run, reduction, code):
    """AttrNet's backward is ½‖·‖² summed over the outputs and averaged over the samples."""
    r = run(*ATTR[:-1], "half-sse", "--reduction", reduction)
    assert r.exit_code == code, r.output


# --- from the second clean-clone review: verdicts that were wrong ---------------------------


DENSE = ("layernet.py:Dense", "--sizes", "3,2", "--forward", "forward_propagation",
         "--backward", "backward_propagation", "--loss", "half-sse")  # fmt: skip


def test_a_layer_backward_taking_dout_gets_the_losss_gradient_not_the_inputs(run):
    r = run(*DENSE)
    assert r.exit_code == 0 and r.output.startswith("✓ PASS"), r.output


def test_l2_leaves_biases_kept_as_rows_or_columns_alone(run):
    r = run(*DENSE, "--l2", "0.1")  # the backward has no L2: W is wrong, the row bias b not
    assert r.exit_code == 1 and r.output.startswith("✗ FAIL: W wrong")


def test_gradients_stored_on_layer_objects_are_found(run):
    r = run("layernet.py:TwoDense", "--sizes", "3,4,2", "--loss", "half-sse")
    assert r.exit_code == 0, r.output
    assert "parameters fc1.W, fc1.b, fc2.W, fc2.b" in r.output


def test_an_optimizer_with_state_is_refused_not_misread(run):
    r = run("layernet.py:AdamNet", "--sizes", "3,2", "--loss", "half-sse")
    assert r.exit_code == 2 and "backward keeps optimizer state (momentum, Adam)" in r.output


def test_targets_from_data_must_fit_the_output(run, tmp_path):
    path = tmp_path / "bad.npz"
    np.savez(path, X=np.ones((5, 3)), y=np.ones((3, 5)))
    r = run("attrnet.py:AttrNet", "--sizes", "3,4,3", "--backward", "train", "--loss",
            "half-sse", "--data", str(path))  # fmt: skip
    assert r.exit_code == 2
    assert "y from --data has shape (3, 5), but forward's output has (5, 3)" in r.output


def test_backward_names_another_layer_function_to_check(run):
    args = ("layers.py:batchnorm", "--backward", "batchnorm_backward_alt", "--shapes",
            "x=6x4,gamma=4,beta=4", "--init", INIT_BN)  # fmt: skip
    assert run(*args).exit_code == 0
    bad = run(*args, bug="bn_alt_sign")
    assert bad.exit_code == 1 and bad.output.startswith("✗ FAIL: x wrong")


def test_unnamed_gradients_matched_in_order_say_so_when_the_check_fails(run, tmp_path):
    (tmp_path / "rev.py").write_text(
        "import numpy as np\n"
        "class Rev:\n"
        "    def __init__(self, n):\n"
        "        self.W1 = np.random.randn(n, n) * 0.5\n"
        "        self.W2 = np.random.randn(n, n) * 0.5\n"
        "    def forward(self, X):\n"
        "        self.h = np.tanh(X @ self.W1)\n"
        "        return self.h @ self.W2\n"
        "    def backward(self, X, y):\n"
        "        out = self.forward(X)\n"
        "        d = (out - y) / len(X)\n"
        "        return self.h.T @ d, X.T @ (d @ self.W2.T * (1 - self.h**2))  # last first\n"
    )
    r = run(f"{tmp_path / 'rev.py'}:Rev", "--sizes", "4", "--loss", "half-sse")
    assert r.exit_code == 1
    assert "they were matched in the order the parameters were found (W1, W2)" in r.output


def test_a_network_taking_its_data_in_the_constructor(run, tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "d.npz"
    np.savez(path, X=rng.standard_normal((6, 3)), y=(rng.random((6, 1)) > 0.5).astype(float))
    args = ("datanet.py:DataNet", "--data", str(path), "--loss", "mse", "--reduction", "sum")
    r = run(*args)
    assert r.exit_code == 0, r.output
    assert "DataNet(x=X, y=y): feedforward and backprop; parameters w1, w2" in r.output
    assert "backward takes no learning rate: the step it applied is read as 1" in r.output
    assert run(*args, bug="no_sigmoid").output.startswith("✗ FAIL: w1 wrong")
    missing = run("datanet.py:DataNet", "--loss", "mse")
    assert missing.exit_code == 2 and "takes the data (x, y) in its constructor" in missing.output


def test_an_l2_strength_the_model_keeps_is_named_and_not_guessed_into_the_loss(run):
    r = run("softnet.py:SoftNet", "--sizes", "4,5,3", "--loss", "softmax-ce")
    assert r.exit_code == 1  # the loss checked has no L2 term unless --l2 says so
    assert (
        "  the model has reg = 0.05, and no L2 term was added to the loss checked; if its "
        "loss has ½·reg·‖W‖², give --l2 0.05\n"
    ) in r.output
    assert "the model has reg" not in run(*SOFT).output


@pytest.mark.parametrize(
    ("args", "seconds"),
    [((), 60.0), (("--method", "full"), 600.0), (("--method", "full", "--timeout", "5"), 5.0)],
)
def test_the_default_timeout_suits_the_method(monkeypatch, args, seconds):
    import symchain.cli.isolated as isolated

    seen = []

    def fake(work, timeout, what, on_progress=None):  # the child's limit, ends the check
        seen.append(timeout)
        raise SystemExit(0)

    monkeypatch.setattr(isolated, "run_isolated", fake)
    monkeypatch.chdir(NETS)
    CliRunner().invoke(main, ["gradcheck", "twolayer.py:TwoLayerNet", *args])
    assert seen == [seconds]


SCORES_NET = '''
import numpy as np

class ScoresNet:
    """cs231n's convention: loss(X) gives the scores, loss(X, y) (loss, grads)."""
    def __init__(self, d=5, h=4, c=3, reg=0.0, extra=0.0, dtype=np.float64):
        self.reg, self.extra = reg, extra
        self.params = {"W1": np.random.randn(d, h), "b1": np.random.randn(h) * 0.1,
                       "W2": np.random.randn(h, c)}

    def loss(self, X, y=None):
        W1, b1, W2 = self.params["W1"], self.params["b1"], self.params["W2"]
        z = X @ W1 + b1
        a = np.tanh(z)
        s = a @ W2
        if y is None:
            return s
        n = len(X)
        e = np.exp(s - s.max(1, keepdims=True))
        p = e / e.sum(1, keepdims=True)
        loss = -np.log(p[np.arange(n), y]).mean() + 0.5 * self.reg * (np.sum(W1**2) + np.sum(W2**2))
        loss += self.extra * np.sum(b1**2)  # a term no known loss has
        d = p.copy()
        d[np.arange(n), y] -= 1
        d /= n
        dz = d @ W2.T * (1 - a**2)
        return loss, {"W1": X.T @ dz + self.reg * W1, "b1": dz.sum(0) + 2 * self.extra * b1,
                      "W2": a.T @ d + self.reg * W2}
'''


@pytest.mark.parametrize(
    ("init", "words"),
    [("{}", "mean softmax cross-entropy of loss(X)'s scores, which equals"),
     ('{"reg": 0.3}', "mean softmax cross-entropy of loss(X)'s scores + ½·reg·Σ‖W‖² (reg = 0.3)"),
     ('{"extra": 0.3}', None)],  # the model's own loss: a scores loss would fail b1
)  # fmt: skip
def test_a_full_check_of_a_cs231n_class_spares_its_backward_only_when_the_loss_is_the_same(
    own_file, init, words
):
    gradcheck = own_file("scores_net.py", SCORES_NET)
    r = gradcheck("scores_net.py:ScoresNet", "--init", init,
                                  "--method", "full", "--format", "plain")  # fmt: skip
    assert r.exit_code == 0, r.output
    used = [line for line in r.output.splitlines() if "the finite differences use" in line]
    if words is None:
        assert used == []
    else:
        assert len(used) == 1 and words in used[0]
    auto = gradcheck("scores_net.py:ScoresNet", "--init", init,
                                     "--format", "plain")  # fmt: skip
    assert auto.exit_code == 0 and "the finite differences use" not in auto.output


def test_a_full_check_through_the_scores_still_fails_a_planted_bug(run):
    r = run("fcnet.py:FCNet", "--method", "full", bug="bn_dgamma")
    assert r.exit_code == 1
    assert r.output.startswith("✗ FAIL: gamma1, gamma2 wrong")
    assert "the finite differences use mean softmax cross-entropy of loss(X)'s scores" in r.output


def test_a_list_of_sizes_and_a_per_sample_backward_are_understood(run):
    """Nielsen's shape: Network(sizes) takes one list, and backprop(x, y) one sample, so a
    batch comes back as bias gradients with a column per sample: checked with one sample."""
    r = run("listnet.py:ListNet", "--sizes", "3,4,2", "--columns")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[1:4:2] == [
        "  ListNet([3, 4, 2]): feedforward and backprop; parameters biases[0], biases[1], "
        "weights[0], weights[1]",
        "  checked with one sample (--batch 1): at batch 16, ListNet.backprop returned "
        "biases[0]'s gradient 4×16 for a 4×1 array, as a backward for one sample at a time does",
    ]
    bad = run("listnet.py:ListNet", "--sizes", "3,4,2", "--columns", bug="output_sign")
    assert bad.exit_code == 1 and bad.output.startswith("✗ FAIL: biases[0], biases[1]")


def test_a_spec_without_a_name_says_what_name_means(run):
    r = run("layers.py")
    assert r.exit_code == 2
    assert "expected FILE.py:NAME (a class, or the prefix of a layer's NAME_forward and " \
        "NAME_backward), got 'layers.py'" in r.output  # fmt: skip


def test_an_error_in_a_layer_backward_names_the_function_and_the_line(own_file):
    gradcheck = own_file(
        "badlayer.py",
        "def lin_forward(x, w):\n    return x @ w, (x, w)\n\n\n"
        "def lin_backward(dout, cache):\n    x, w = cache\n"
        "    return dout @ w.T, x.T @ dout_slice\n",
    )
    r = gradcheck("badlayer.py:lin", "--shapes", "x=3x4,w=4x2")
    assert r.exit_code == 2
    assert r.output.strip().splitlines()[-1] == (
        "error: lin_backward raised NameError: name 'dout_slice' is not defined (at badlayer.py:7)"
    )


@pytest.mark.parametrize(("bug", "failed"), [(None, None), ("db_doubled", "b1, b2"),
                                             ("no_mask", "W1, b1")])  # fmt: skip
def test_saitos_shape_loss_a_number_and_gradient_a_dict(run, bug, failed):
    r = run("saitonet.py:SaitoNet", "--sizes", "4,5,3", "--init", '{"weight_decay_lambda": 0.1}',
            bug=bug)  # fmt: skip
    lines = r.output.splitlines()
    assert lines[1] == (
        "  SaitoNet(4, 5, 3, weight_decay_lambda=0.1): its own loss(X, y) and gradient(X, y), "
        "every array in self.params (W1, b1, W2, b2)"
    )
    assert "  loss called with train_flg=True, in training mode, as the gradients are computed" \
        in lines  # fmt: skip
    if failed is None:
        assert r.exit_code == 0, r.output
        assert "y integer labels in 0..2" in r.output  # the classes from predict(X)
    else:
        assert r.exit_code == 1 and lines[0].startswith(f"✗ FAIL: {failed} wrong")


@pytest.mark.parametrize(("bug", "code"), [(None, 0), ("no_output_derivative", 1)])
def test_rows_in_columns_out_and_a_one_step_train(run, bug, code):
    r = run("querynet.py:QueryNet", "--sizes", "3,4,2", "--init", '{"learningrate": 0.3}',
            "--loss", "half-sse", "--reduction", "sum", bug=bug)  # fmt: skip
    assert r.exit_code == code, r.output
    lines = r.output.splitlines()
    assert lines[1] == "  QueryNet(3, 4, 2, learningrate=0.3): query and train; parameters wih, who"
    assert "  query takes samples as rows and returns them as columns (2×16 for 16 samples): " \
        "read so" in lines  # fmt: skip
    if bug:
        assert lines[0] == "✗ FAIL: wih wrong (1 of 2 parameters right)"


def test_a_class_with_no_backward_lists_the_methods_that_might_be_one(own_file):
    gradcheck = own_file(
        "nob.py",
        "import numpy as np\n\n\nclass Net:\n    def __init__(self):\n"
        "        self.W = np.ones((3, 2))\n\n"
        "    def forward(self, X):\n        return X @ self.W\n\n"
        "    def costFunctionPrime(self, X, y):\n        return X\n\n"
        "    def train(self, X, y, epochs=10):\n        pass\n",
    )
    r = gradcheck("nob.py:Net")
    assert r.exit_code == 2
    assert r.output.strip().endswith(
        "backward_pass for backward: name it with --backward (it has costFunctionPrime, train)"
    )


def test_a_layer_prefix_that_misses_suggests_the_pair_there_is(own_file):
    gradcheck = own_file(
        "convl.py",
        "def conv_forward_naive(x, w):\n    return x * w, (x, w)\n\n\n"
        "def conv_backward_naive(dout, cache):\n    x, w = cache\n    return dout * w, dout * x\n",
    )
    r = gradcheck("convl.py:conv", "--shapes", "x=3,w=3")
    assert r.exit_code == 2
    assert r.output.strip() == (
        "error: convl.py has no 'conv' (and no conv_forward, conv_backward pair): did you mean "
        "convl.py:conv_forward_naive (with conv_backward_naive)?"
    )
    ok = gradcheck("convl.py:conv_forward_naive", "--shapes",
                                   "x=3,w=3", "--method", "directional")  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert "(3 random directions per parameter)" in ok.output


def test_a_layer_backward_gets_its_own_init_arguments(own_file):
    gradcheck = own_file(
        "normed.py",
        "def lin_forward(x, w):\n    return x @ w, (x, w)\n\n\n"
        "def lin_backward(dout, cache, norm_type):\n    assert norm_type == 'batchnorm'\n"
        "    x, w = cache\n    return dout @ w.T, x.T @ dout\n",
    )
    args = ["normed.py:lin", "--shapes", "x=3x4,w=4x2"]
    missing = gradcheck(*args)
    assert missing.exit_code == 2
    assert missing.output.strip() == (
        "error: lin_backward takes norm_type after (dout, cache): give it with --init as JSON"
    )
    given = gradcheck(*args, "--init", '{"norm_type": "batchnorm"}')
    assert given.exit_code == 0, given.output


REG_ARG_NET = '''
import numpy as np

class RegNet:
    """cs231n assignment 1: the L2 strength is an argument of loss, not of the model."""
    def __init__(self, d, c):
        self.params = {"W": np.random.randn(d, c)}

    def loss(self, X, y=None, reg=0.0):
        W = self.params["W"]
        s = X @ W
        n = len(X)
        e = np.exp(s - s.max(1, keepdims=True))
        p = e / e.sum(1, keepdims=True)
        loss = -np.log(p[np.arange(n), y]).mean() + reg * np.sum(W * W)
        d = p.copy()
        d[np.arange(n), y] -= 1
        return loss, {"W": X.T @ d / n + reg * W}  # the bug: reg·‖W‖² has gradient 2·reg·W
'''


def test_an_l2_strength_loss_takes_is_said_and_given_by_l2(own_file):
    gradcheck = own_file("regnet.py", REG_ARG_NET)
    base = ["regnet.py:RegNet", "--sizes", "4,3", "--format", "plain"]
    left = gradcheck(*base)
    assert left.exit_code == 0  # at reg = 0 the bug is not there, and the report says why
    assert "  loss takes reg, left at its default 0.0: give --l2 λ to check with reg=λ" \
        in left.output.splitlines()  # fmt: skip
    given = gradcheck(*base, "--l2", "0.1")
    assert given.exit_code == 1
    assert "  loss called with reg=0.1 (--l2)" in given.output.splitlines()
    assert "W: the claim lacks 0.1·W: an L2 term's gradient is missing, or part of it " \
        "(0.1·W is the gradient of λ‖W‖² with λ = 0.05, or of ½λ‖W‖² with λ = 0.1)" \
        in given.output  # fmt: skip
    foreign = gradcheck(*base, "--loss", "hinge", "--columns")
    assert foreign.exit_code == 2
    assert foreign.output.strip() == (
        "error: --columns, --loss do not apply to RegNet: its own loss(X, y) is what is checked"
    )


def test_tuple_keys_in_self_params_are_checked_and_left_as_they_are(own_file):
    gradcheck = own_file(
        "tuplenet.py",
        "import numpy as np\n\n\nclass TupleNet:\n"
        "    def __init__(self, d, c):\n        self.params = {('W', 0): np.random.randn(d, c)}\n\n"
        "    def loss(self, X, y=None):\n"
        "        assert list(self.params) == [('W', 0)], list(self.params)  # no keys added\n"
        "        W = self.params[('W', 0)]\n        s = X @ W\n"
        "        if y is None:\n            return s\n"
        "        return 0.5 * float(np.sum(s**2)), {('W', 0): X.T @ s}\n",
    )
    r = gradcheck("tuplenet.py:TupleNet", "--sizes", "4,3",
                                  "--method", "full", "--format", "plain")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "every array in self.params (('W', 0))" in r.output


@pytest.mark.parametrize(("bug", "code"), [(None, 0), ("biases_axis", 1)])
def test_a_layer_that_keeps_its_output_instead_of_returning_it(run, bug, code):
    r = run("nnfslayer.py:DenseLayer", "--sizes", "5,4", bug=bug)
    assert r.exit_code == code, r.output
    assert r.output.splitlines()[1] == (
        "  DenseLayer(5, 4): forward and backward; parameters weights, biases"
    )
    if bug:
        assert r.output.startswith("✗ FAIL: biases wrong (1 of 2 parameters right)")


ASSIGNED_SCRIPT = (
    "import numpy as np\n"
    "SIZES = np.array([3, 2])\n"  # kept: NumPy's call, not the file's
    "def fit(net):\n"
    "    raise SystemExit('training ran')\n"
    "class Net:\n"
    "    def __init__(self):\n"
    "        self.params = {'w': np.ones((int(SIZES[0]), int(SIZES[1])))}\n"
    "    def loss(self, X, y=None):\n"
    "        s = X @ self.params['w']\n"
    "        if y is None:\n"
    "            return s\n"
    "        return float((s ** 2).sum() / 2), {'w': X.T @ s}\n"
    "net = Net()\n"  # kept: a class constructed
    "model = fit(net)\n"  # left out: the file's own function
    "history = net.loss(np.ones((1, 3)))\n"  # left out: a method of the file's object
    "best = model\n"  # left out: it reads what was left out
)


def test_a_training_run_in_an_assignment_is_not_run_either(run, tmp_path):
    (tmp_path / "assigned.py").write_text(ASSIGNED_SCRIPT)
    r = run(f"{tmp_path / 'assigned.py'}:Net")
    assert r.exit_code == 0, r.output
    assert (
        "  not run, as a training script would be: line 14 (model = fit(net)), line 15 "
        "(history = net.loss(np.ones((1, 3)))), line 16 (best = model) of the file's top "
        "level (--run-all runs them)\n"
    ) in r.output


ONE_HOT_NET = '''
import numpy as np

class HotNet:
    """Samples as columns; backward computes A − Y, so Y must be one-hot."""
    def __init__(self, d, k):
        self.W = np.random.randn(k, d)

    def forward(self, X):
        z = self.W @ X
        e = np.exp(z - z.max(axis=0))
        self.A = e / e.sum(axis=0)
        return self.A

    def backward(self, X, Y):
        return {"W": (self.forward(X) - Y) @ X.T / X.shape[1]}
'''


def test_a_backward_that_wants_one_hot_targets_is_told_so(own_file):
    gradcheck = own_file("hotnet.py", ONE_HOT_NET)
    base = ["hotnet.py:HotNet", "--sizes", "4,3", "--loss", "ce",
            "--format", "plain"]  # fmt: skip
    plain = gradcheck(*base, "--columns")
    assert plain.exit_code == 1
    assert plain.output.splitlines()[-1] == (
        "note: with the targets passed one-hot (--one-hot) every gradient is right: the "
        "backward reads one-hot targets, and got integer labels here"
    )
    assert gradcheck(*base, "--columns", "--one-hot").exit_code == 0
    rows = gradcheck(*base)
    assert rows.exit_code == 2 and rows.output.strip().endswith(
        "(samples as columns? give --columns)"
    )


def test_a_backward_variant_can_be_named_as_the_spec(run):
    """cs231n's batchnorm_backward_alt: checked against batchnorm_forward."""
    r = run("layers.py:batchnorm_backward_alt", "--shapes", "x=6x4,gamma=4,beta=4", "--init",
            INIT_BN)  # fmt: skip
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[1].startswith("  batchnorm_forward and batchnorm_backward_alt:")
    bad = run("layers.py:batchnorm_backward_alt", "--shapes", "x=6x4,gamma=4,beta=4", "--init",
              INIT_BN, bug="bn_alt_sign")  # fmt: skip
    assert bad.exit_code == 1


def test_a_constructor_that_raises_shows_what_it_takes(own_file):
    gradcheck = own_file(
        "dims.py",
        "import numpy as np\n\n\nclass Net:\n    def __init__(self, hidden_dims, input_dim=3):\n"
        "        self.params = {f'W{i}': np.ones((input_dim, h)) for i, h in "
        "enumerate(hidden_dims)}\n\n    def loss(self, X, y=None):\n        return 0.0, {}\n",
    )
    r = gradcheck("dims.py:Net", "--sizes", "5,4")
    assert r.exit_code == 2
    assert r.output.strip().endswith(
        "raised TypeError: 'int' object is not iterable (at dims.py:6); it takes Net(hidden_dims,"
        " input_dim=3): --sizes gives numbers in order, --init lists and keywords as JSON"
    )


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ('y[:] = 0', "ScoresNet.loss(X, y) changed its input y in place: the check needs the "
                     "data as given (work on a copy)"),
        ('X *= 1.0001', "ScoresNet.loss(X, y) changed its input X in place"),
        ('self.params["W1"] = self.params["W1"].astype(np.float64)',
         "ScoresNet.loss(X, y) put a new array in self.params['W1']: the check moves the array "
         "that was there"),
        ("self.params = {k: v.copy() for k, v in self.params.items()}",
         "ScoresNet.loss(X, y) put a new dict in self.params: the check moves the arrays of the "
         "one that was there"),
    ],
)  # fmt: skip
def test_a_cs231n_loss_that_changes_its_data_or_rebinds_a_parameter_is_refused(
    own_file, change, words
):
    """Else the check would measure another function than the one it names: a loss of other
    labels, or 'the true gradient is 0' for a parameter the loss no longer reads."""
    source = SCORES_NET.replace(
        "        if y is None:\n            return s\n",
        f"        if y is None:\n            return s\n        {change}\n",
    )
    for method in ("auto", "full"):
        r = own_file("changing.py", source)("changing.py:ScoresNet", "--method", method,
                                            "--format", "plain")  # fmt: skip
        assert r.exit_code == 2, r.output
        assert words in r.output


def test_complex_data_is_refused(run, tmp_path):
    path = tmp_path / "complex.npz"
    np.savez(path, X=np.ones((5, 4)) + 1j, y=np.zeros(5, dtype=int))
    r = run("fcnet.py:FCNet", "--data", str(path))
    assert r.exit_code == 2
    assert f"{path}: X has dtype complex128; the check needs real numbers" in r.output
