"""The cached products of the full check (nn/rankone.py): the same numbers as NumPy's own
product while one entry is moved, plain arrays everywhere else, and a check that uses them
only where they are right."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symchain.nn.rankone as rankone
from symchain import gradcheck
from symchain.core.errors import UsageError
from symchain.nn.rankone import Tracked, track


def _moved(w, tracker, index, d):
    w[index] += d
    tracker.moved = index


@settings(deadline=None, max_examples=40)
@given(
    n=st.integers(1, 6), k=st.integers(1, 6), m=st.integers(1, 6),
    left=st.booleans(), vector=st.booleans(), seed=st.integers(0, 2**16),
)  # fmt: skip
def test_a_moved_entry_gives_numpys_product(n, k, m, left, vector, seed):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((n, k) if left else (k, m))
    other = rng.standard_normal((k,) if vector else (k, m)) if left else \
        rng.standard_normal((k,) if vector else (n, k))  # fmt: skip
    view, tracker = track(w)
    plain = (view @ other) if left else (other @ view)
    assert type(plain) is np.ndarray
    np.testing.assert_array_equal(plain, (w @ other) if left else (other @ w))
    index = (int(rng.integers(w.shape[0])), int(rng.integers(w.shape[1])))
    _moved(w, tracker, index, 0.37)
    fast = (view @ other) if left else np.dot(other, view)
    fresh = (w @ other) if left else (other @ w)
    np.testing.assert_allclose(fast, fresh, rtol=1e-12, atol=1e-12)
    assert tracker.hits == 2 and tracker.broken is None


def test_batched_inputs_on_the_left_of_w():
    rng = np.random.default_rng(1)
    w, x = rng.standard_normal((4, 3)), rng.standard_normal((2, 5, 4))
    view, tracker = track(w)
    x @ view  # noqa: B018 - cache it
    _moved(w, tracker, (2, 1), -0.5)
    np.testing.assert_allclose(x @ view, x @ w, rtol=1e-12)
    assert tracker.broken is None and tracker.hits == 2


def test_views_and_other_operations_are_plain_numpy():
    w = np.arange(6.0).reshape(2, 3)
    view, tracker = track(w)
    assert view.T.tracker is None and type(view + 1) is np.ndarray
    assert type(np.sum(view)) is not Tracked and float(np.sum(view**2)) == 55.0
    _moved(w, tracker, (0, 0), 1.0)
    x = np.ones((3, 2))
    np.testing.assert_array_equal(view.T.T @ x, w @ x)  # a view: NumPy's own product
    np.testing.assert_array_equal(np.concatenate([view, view]), np.concatenate([w, w]))


def test_an_input_changed_in_place_is_not_answered_from_the_cache():
    rng = np.random.default_rng(2)
    w, x = rng.standard_normal((3, 3)), rng.standard_normal((4, 3))
    view, tracker = track(w)
    x @ view  # noqa: B018
    x[0, 0] = 100.0
    _moved(w, tracker, (0, 1), 0.25)
    np.testing.assert_allclose(x @ view, x @ w, rtol=1e-12)


def test_a_cached_product_that_disagrees_turns_the_shortcut_off():
    rng = np.random.default_rng(3)
    w, x = rng.standard_normal((3, 3)), rng.standard_normal((4, 3))
    view, tracker = track(w)
    x @ view  # noqa: B018
    tracker.cached[0].product += 1.0  # what a wrong cache would give
    _moved(w, tracker, (1, 1), 0.5)
    np.testing.assert_array_equal(x @ view, x @ w)
    assert tracker.broken and (x @ view == x @ w).all()


# --- inside gradcheck ---------------------------------------------------------------------


def _net(seed=0, d=40, h=30, k=5, batch=8):
    rng = np.random.default_rng(seed)
    params = {"W1": rng.standard_normal((d, h)) * 0.3, "b1": rng.standard_normal(h) * 0.1,
              "W2": rng.standard_normal((h, k)) * 0.3}  # fmt: skip
    X, y = rng.standard_normal((batch, d)), rng.integers(0, k, batch)

    def forward():
        z = X @ params["W1"] + params["b1"]
        a = np.tanh(z)
        s = a @ params["W2"]
        p = np.exp(s - s.max(1, keepdims=True))
        return z, a, p / p.sum(1, keepdims=True)

    def loss():
        return float(-np.log(forward()[2][np.arange(batch), y]).mean())

    def grads():
        z, a, p = forward()
        d = p.copy()
        d[np.arange(batch), y] -= 1
        d /= batch
        dz = d @ params["W2"].T * (1 - a**2)
        return {"W1": X.T @ dz, "b1": dz.sum(0), "W2": a.T @ d}

    return params, loss, grads


@pytest.fixture
def spied(monkeypatch):
    made = []

    def spy(p):
        view, tracker = track(p)
        made.append(tracker)
        return view, tracker

    monkeypatch.setattr(rankone, "track", spy)
    return made


def test_the_full_check_uses_the_cache_and_passes_right_gradients(spied):
    params, loss, grads = _net()
    originals = dict(params)
    report = gradcheck(loss, params, grads, "full")
    assert report.ok
    assert [t.hits > 2 * 1200 for t in spied] == [True]  # W1 (40×30); W2 is too small
    assert all(params[n] is originals[n] and type(params[n]) is np.ndarray for n in params)


def test_the_cached_check_still_finds_one_wrong_entry(spied):
    params, loss, grads = _net()

    def wrong():
        g = grads()
        g["W1"][7, 3] *= 1.01
        return g

    report = gradcheck(loss, params, wrong, "full")
    assert report.failed == ["W1"] and spied[0].hits > 0
    assert report["W1"].bad_count == 1 and report["W1"].worst.index == (7, 3)


def test_a_loss_that_refuses_a_subclass_is_checked_without_the_cache(spied):
    params, loss, grads = _net()

    def strict():
        if type(params["W1"]) is not np.ndarray:
            raise TypeError("plain arrays only")
        return loss()

    report = gradcheck(strict, params, grads, "full")
    assert report.ok and spied[0].hits == 0


def test_the_dict_is_put_back_when_the_loss_raises_midway():
    params, loss, grads = _net()
    original, calls = params["W1"], [0]

    def failing():
        calls[0] += 1
        if calls[0] > 50:
            raise RuntimeError("boom")
        return loss()

    with pytest.raises(UsageError, match="boom"):
        gradcheck(failing, params, grads, "full")
    assert params["W1"] is original


def test_bind_puts_the_view_where_the_loss_reads_it(spied):
    class Model:
        pass

    params, loss, grads = _net()
    model = Model()
    model.W = params["W1"]
    rng = np.random.default_rng(5)
    X = rng.standard_normal((6, 40))

    def attr_loss():
        return float(np.sum(np.tanh(X @ model.W) ** 2))

    def attr_grads():
        t = np.tanh(X @ model.W)
        return {"W": X.T @ (2 * t * (1 - t**2))}

    report = gradcheck(attr_loss, {"W": model.W}, attr_grads, "full",
                       bind=lambda name, a: setattr(model, name, a))  # fmt: skip
    assert report.ok and spied[0].hits > 0 and type(model.W) is np.ndarray
    with pytest.raises(UsageError, match="bind"):
        gradcheck(attr_loss, {"W": model.W}, attr_grads, "full", bind=3)
