"""Are these gradients right?  Claimed gradients checked against finite differences of a loss.

The framework-free core of `symchain gradcheck`, for use in a test suite:

    report = gradcheck(loss, params, grads)
    assert report.ok, report

`loss()` returns the scalar loss computed from the arrays in `params` (a dict
name -> float ndarray); `grads` is the claimed gradient (a dict of the same
names and shapes, or a zero-argument callable returning one).  The arrays are
perturbed in place, one entry (or one random direction) at a time, and always
restored exactly, even when the user's code raises.

How an entry is judged, and why:

* The true value is the central difference (L(θ + h) − L(θ − h))/(2h) with
  the step the entry can really take (fl(θ ± h) − θ, which matters in float32),
  h = eps·max(1, |θ|).
* Agreement: |claimed − true| ≤ rtol·max(|true|, floor) + noise.  The floor is
  FLOOR × the parameter's largest gradient (claimed or true): an entry much
  smaller than its neighbours is judged in absolute terms, so a gradient of
  exactly 0 (a bias before a batchnorm) passes with tiny noise, yet a small
  gradient everywhere (weights at scale 1e-5) is still checked relative to its
  own size.  The noise is the rounding of the difference quotient, about
  u·|L|/h (u the unit roundoff of the parameters' type).
* An entry that disagrees is measured again with h/10.  If it agrees then, the
  first step was too coarse.  If the one-sided slopes keep their gap at the
  smaller step, the loss has a kink there (a ReLU input exactly at 0): any
  value between the one-sided slopes is a valid derivative (relu′(0) = 0 and
  relu′(0) = 1 are both accepted).  A claim outside that range at a kink may
  still be a right gradient (samples sitting on the kink from both sides), so
  when `grads` is a callable, those entries are checked again at a point moved
  slightly off every kink (all parameters jittered by about 1e-3 of their size),
  with the gradient recomputed there; what cannot be decided is reported as
  unconfirmed, never as passed or failed.
* "auto" checks every entry of the parameters whose full check fits in about
  AUTO_SECONDS of loss evaluations (smallest first), and the others along
  `directions` random unit directions v: (L(θ + hv) − L(θ − hv))/2h against g·v.

A failing parameter is matched to the mistakes that make such a gradient:
the claim is a constant multiple of the truth (−1: a sign flip; 2 or ½; N or
1/N with `samples` = N: a missing or extra 1/m), the truth transposed, the
truth minus or plus c·θ (an L2 term missing from the gradient, or one the loss
does not have), or zero; and the wrong entries are located (rows, columns).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..core.errors import UsageError, one_line, raised_in
from ..results import Rendered

METHODS = ("auto", "full", "directional")
FLOOR = 1e-3  # entries below this fraction of the parameter's largest gradient: absolute
NOISE = 8.0  # rounding noise of a difference quotient ≈ NOISE · u · |L| / h
# A loss that does not move at all as an entry moves hides at least this many units of its
# last place (u·|L|), or the smallest change it showed at the larger step: intermediates far
# larger than L round (1 − a² of a saturated tanh, a ≈ 1) and the loss moves in steps
UNSEEN = 100.0
AUTO_SECONDS = 0.5  # "auto": full differences for the parameters that fit in this much time
DIRECTIONS = 4
MAX_LISTED = 10  # bad entries listed per parameter (all are counted)
MIXED_FACTORS = "a factor per unit is wrong"  # per-unit factors no activation explains
JITTER = 1e-3  # how far, relative to the parameters' size, the off-kink re-check moves


@dataclass(frozen=True)
class Precision:
    name: str
    eps: float
    rtol: float
    u: float  # unit roundoff


_PRECISIONS = {
    8: Precision("float64", 1e-6, 1e-4, 2.0**-53),
    4: Precision("float32", 1e-3, 3e-3, 2.0**-24),
    2: Precision("float16", 1e-2, 5e-2, 2.0**-11),
}


@dataclass(frozen=True)
class Entry:
    """One entry (or one random direction) of a parameter, as measured."""

    index: tuple[int, ...] | None  # the entry, for full differences
    direction: int | None  # the direction's number (from 1), for the directional check
    claimed: float
    true: float  # the central difference (at a kink: the one-sided slope nearest the claim)
    status: str  # "ok", "kink" (accepted between the one-sided slopes), "wrong", "unconfirmed"
    bound: float  # the tolerance it was held to
    left: float | None = None  # one-sided slopes, where a kink was found
    right: float | None = None
    moved: bool = False  # measured at the point moved off the kinks
    noise: float = 0.0  # the rounding noise part of `bound`

    @property
    def abs_error(self) -> float:
        return abs(self.claimed - self.true)

    @property
    def rel_error(self) -> float:
        return self.abs_error / max(abs(self.claimed) + abs(self.true), 1e-300)

    def where(self) -> str:
        if self.direction is not None:
            return f"direction {self.direction}"
        return str(self.index) if self.index is not None else "()"


@dataclass(frozen=True)
class ParameterCheck:
    """The verdict on one parameter's claimed gradient."""

    name: str
    shape: tuple[int, ...]
    dtype: str
    method: str  # "full" or "directional"
    checked: int  # entries or directions
    worst: Entry
    bad: tuple[Entry, ...]  # the wrong entries, the worst first, at most MAX_LISTED
    bad_count: int
    unconfirmed: int
    kinks: int  # entries accepted at a kink
    moved: int  # entries decided at the point moved off the kinks
    ratio: float | None  # claimed/true when it is one constant over the parameter
    mistake: str | None  # what the wrong gradient looks like, in words
    where: str | None  # where the wrong entries are (rows, columns), when not everywhere
    l2: float | None = None  # claimed − true = l2·θ: an L2 term's gradient extra (> 0) or missing
    noisy: int = 0  # of the unconfirmed entries, those the rounding noise left undecided
    per_unit: bool = False  # the mistake is a factor per unit (an activation's derivative)

    @property
    def passed(self) -> bool | None:
        """True: right; False: wrong; None: could not be confirmed (an unresolved kink)."""
        if self.bad_count:
            return False
        return None if self.unconfirmed else True


@dataclass(frozen=True, repr=False)
class GradientReport(Rendered):
    """Every parameter's verdict, and how they were reached."""

    parameters: tuple[ParameterCheck, ...]
    loss: float
    precision: str
    eps: float
    rtol: float
    method: str  # as asked: auto, full or directional
    directions: int
    seconds: float
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())
    about: tuple[str, ...] = ()  # what was checked, in words (the command line fills it in)

    @property
    def ok(self) -> bool:
        """True exactly when every claimed gradient is right (none wrong, none unconfirmed)."""
        return all(p.passed is True for p in self.parameters)

    @property
    def failed(self) -> list[str]:
        """The names of the parameters whose claimed gradient is wrong."""
        return [p.name for p in self.parameters if p.passed is False]

    @property
    def unconfirmed(self) -> list[str]:
        return [p.name for p in self.parameters if p.passed is None]

    def __getitem__(self, name: str) -> ParameterCheck:
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        """One line (a notebook's text/plain, a failing assert): the verdict and the names."""
        verdict = "ok" if self.ok else f"failed={self.failed}, unconfirmed={self.unconfirmed}"
        names = ", ".join(p.name for p in self.parameters)
        return f"<GradientReport {verdict}: {names}>"


Grads = Mapping[str, Any] | Callable[[], Mapping[str, Any]]


def gradcheck(
    loss: Callable[[], Any],
    params: Mapping[str, np.ndarray],
    grads: Grads,
    method: str = "auto",
    *,
    eps: float | None = None,
    rtol: float | None = None,
    directions: int = DIRECTIONS,
    samples: int | None = None,
    seed: int = 0,
    bind: Callable[[str, np.ndarray], Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> GradientReport:
    """Check the claimed gradients `grads` of `loss()` with respect to `params`.

    `samples` (the batch size), when given, lets a missing or extra 1/N be
    named.  `bind(name, array)` puts `array` where loss() reads the parameter
    `name` (by default into `params` itself, when it is a dict); the full
    check then answers a product X @ W from a cached one while it moves an entry of W
    (`nn/rankone.py`), which is what makes every entry of a 784 × 256 weight
    affordable.  Raises UsageError for what cannot be checked (a loss that is not a
    finite scalar, shapes that do not match, a grads() that changes the
    parameters); a wrong gradient is a report with `ok` False, never an error.

    Parameters
    ----------
    loss : callable
        ``loss()`` returns the scalar loss computed from the current contents of the
        arrays in `params`.
    params : mapping of str to numpy.ndarray
        Your model's own float arrays; perturbed in place and always restored.
    grads : mapping or callable
        The gradients your backward pass claims, or a function returning them.
    method : {"auto", "full", "directional"}, default "auto"
        Every entry, random directions, or every entry where that is affordable.
    eps, rtol : float, optional
        The difference step and the relative tolerance (by the arrays' dtype).
    directions, samples, seed, bind
        See above and docs/gradcheck.md.
    progress : callable, optional
        ``progress(done, total)`` after each entry or direction measured, for a bar.

    Returns
    -------
    GradientReport
        ``.ok``, ``.failed`` (the wrong parameters), ``report[name].mistake`` (in
        words), ``.to_dict()``; a notebook shows it as a table.

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([0.5, -1.0])
    >>> gradcheck(lambda: float(np.sum(w**3)), {"w": w}, {"w": 3 * w**2}).ok
    True
    >>> bad = gradcheck(lambda: float(np.sum(w**3)), {"w": w}, {"w": 2 * w**2})
    >>> bad.failed, bad["w"].mistake
    (['w'], 'every entry is 0.6667 × the true value: a constant factor is missing or extra')
    """
    start = time.perf_counter()
    _validate(loss, params, grads, method, eps, rtol, directions, samples)
    if bind is not None and not callable(bind):
        raise UsageError("`bind` must be a function (name, array) -> None")
    if bind is None and isinstance(params, MutableMapping):
        bind = params.__setitem__
    arrays = dict(params)
    saved = {n: p.copy() for n, p in arrays.items()}
    try:
        return _check(loss, arrays, saved, grads, method, eps, rtol, directions, samples, seed,
                      start, bind, progress)  # fmt: skip
    finally:
        for n, p in arrays.items():
            np.copyto(p, saved[n])


# --- input -------------------------------------------------------------------------------


def _validate(loss, params, grads, method, eps, rtol, directions, samples) -> None:
    if not callable(loss):
        raise UsageError("`loss` must be a function of no arguments returning the loss")
    if not isinstance(params, Mapping):
        raise UsageError(f"`params` is a {type(params).__name__}: it must be a dict of name -> "
                         "NumPy float array, such as {'W1': W1, 'b1': b1}")  # fmt: skip
    if not params:
        raise UsageError("`params` is an empty dict: give the arrays to check by name")
    for name, p in params.items():
        if not isinstance(p, np.ndarray):
            raise UsageError(f"params[{name!r}] is a {type(p).__name__}, not a NumPy array")
        if not np.issubdtype(p.dtype, np.floating):
            raise UsageError(f"params[{name!r}] has dtype {p.dtype}: parameters must be floats")
        if p.size == 0:
            raise UsageError(f"params[{name!r}] is empty")
        if not p.flags.writeable:
            raise UsageError(f"params[{name!r}] is read-only: gradcheck perturbs it in place")
    if not (callable(grads) or isinstance(grads, Mapping)):
        raise UsageError("`grads` must be a dict of name -> array, or a function returning one")
    if method not in METHODS:
        raise UsageError(f"unknown method {method!r}: choose from {', '.join(METHODS)}")
    for what, value in (("eps", eps), ("rtol", rtol)):
        if value is not None and not (isinstance(value, float | int) and 0 < value < 1):
            raise UsageError(f"`{what}` must be a number between 0 and 1")
    if not isinstance(directions, int) or not 1 <= directions <= 1000:
        raise UsageError("`directions` must be a whole number from 1 to 1000")
    if samples is not None and (not isinstance(samples, int) or samples < 1):
        raise UsageError("`samples` must be a positive whole number (the batch size)")


def _loss_value(loss: Callable[[], Any]) -> float:
    value = _call("loss()", loss)
    array = np.asarray(value)
    if array.size != 1 or not np.issubdtype(array.dtype, np.number):
        raise UsageError(f"loss() must return one number, not {type(value).__name__} "
                         f"of shape {array.shape}")  # fmt: skip
    if np.iscomplexobj(array):
        raise UsageError(f"loss() returned a complex number ({value}): the check needs a real loss")
    number = float(array.reshape(()))
    if not np.isfinite(number):
        raise UsageError(f"loss() returned {number}: the check needs a finite loss")
    return number


def _call(what: str, function: Callable[[], Any]) -> Any:
    """The user's code; its exception becomes one line (exit 2), the original chained."""
    try:
        return function()
    except SystemExit as err:
        raise UsageError(f"{what} called exit({err.code!r}): it must return") from None
    except UsageError:
        raise
    except Exception as err:
        raise UsageError(f"{what} raised {one_line(err)}{raised_in(err)}") from err


def _claimed(grads: Grads, arrays: dict[str, np.ndarray], saved: dict) -> dict[str, np.ndarray]:
    """The claimed gradients as float64 arrays shaped like their parameters."""
    raw = _call("grads()", grads) if callable(grads) else grads
    if not isinstance(raw, Mapping):
        raise UsageError(f"grads() returned a {type(raw).__name__}, not a dict of name -> array")
    changed = [n for n, p in arrays.items() if not np.array_equal(p, saved[n], equal_nan=True)]
    if changed:
        raise UsageError(
            f"computing the gradients changed {', '.join(changed)} in place (an SGD step?): "
            "grads must only compute them; restore the parameters, or give the gradients "
            "recovered from the update, (before − after)/learning_rate"
        )
    missing = [n for n in arrays if n not in raw]
    if missing:
        given = ", ".join(map(str, raw)) or "none"
        raise UsageError(
            f"no claimed gradient for {', '.join(missing)} (the gradients given: {given})"
        )
    out = {}
    for name, p in arrays.items():
        g = np.asarray(raw[name])
        if g.shape != p.shape:
            if g.size == p.size and g.squeeze().shape == p.squeeze().shape:
                g = g.reshape(p.shape)  # (1, D) for (D,): the same numbers
            elif g.ndim == 2 and g.shape == p.shape[::-1]:
                raise UsageError(f"the gradient of {name} has shape {g.shape}, {name} has "
                                 f"{p.shape}: it is transposed")  # fmt: skip
            else:
                raise UsageError(f"the gradient of {name} has shape {g.shape}, but {name} "
                                 f"has {p.shape}")  # fmt: skip
        if not np.issubdtype(g.dtype, np.number):
            raise UsageError(f"the gradient of {name} has dtype {g.dtype}, not a number type")
        if np.iscomplexobj(g):
            raise UsageError(f"the gradient of {name} is complex ({g.dtype}): the gradient of "
                             "a real loss by real parameters is real")  # fmt: skip
        out[name] = np.array(g, dtype=np.float64)
    return out


# --- the check ---------------------------------------------------------------------------


def _check(loss, arrays, saved, grads, method, eps, rtol, directions, samples, seed, start,
           bind, progress=None):  # fmt: skip
    precision = _PRECISIONS[min(p.dtype.itemsize for p in arrays.values())]
    warnings: list[str] = []
    if precision.name != "float64":
        warnings.append(
            f"the parameters are {precision.name}: finite differences are good to a few "
            f"digits, so eps is {eps or precision.eps:g} and rtol {rtol or precision.rtol:g}; "
            "a float64 copy of the model gives a sharper check"
        )
    eps = float(eps or precision.eps)
    rtol = float(rtol or precision.rtol)
    t0 = time.perf_counter()
    base = _loss_value(loss)
    again = _loss_value(loss)
    per_call = (time.perf_counter() - t0) / 2
    if again != base:
        raise UsageError(
            f"loss() gave {base!r} and then {again!r}: the check needs the same loss for the "
            "same parameters (no dropout, no random batch, no state changed by a call)"
        )
    claimed = _claimed(grads, arrays, saved)
    after = _loss_value(loss)
    if after != base:
        raise UsageError(
            f"the loss was {base!r} before the gradients were computed and {after!r} after: "
            "computing them changes the data or the model's state in place"
        )
    meter = _Meter(loss, base, eps, rtol, precision.u)
    plan = _plan(arrays, method, per_call)
    rng = np.random.default_rng(seed)
    measured: dict[str, list[Entry]] = {}
    total = sum(p.size if plan[n] == "full" else directions for n, p in arrays.items())
    done = 0

    def measured_one(entry: Entry) -> Entry:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)
        return entry

    for name, p in arrays.items():
        if plan[name] == "full":
            with _tracked(loss, base, name, p, bind, warnings) as tracker:
                measured[name] = [measured_one(meter.entry(p, idx, claimed[name], tracker))
                                  for idx in np.ndindex(p.shape)]  # fmt: skip
        else:
            measured[name] = [
                measured_one(meter.direction(p, k, _unit(rng, p.shape), claimed[name]))
                for k in range(1, directions + 1)
            ]
    measured = _measurable(_floored(measured, claimed, rtol), rtol)
    at_kinks = (e.status == "unconfirmed" and e.left is not None for es in measured.values()
                for e in es)  # fmt: skip
    if callable(grads) and any(at_kinks):
        measured = _off_the_kinks(loss, arrays, saved, grads, measured, plan, eps, rtol,
                                  precision.u, rng)  # fmt: skip
        measured = _measurable(_floored(measured, claimed, rtol), rtol)
    checks = tuple(
        _parameter(n, arrays[n], saved[n], claimed[n], plan[n], measured[n], samples)
        for n in arrays
    )
    notes = _notes(checks)
    return GradientReport(checks, base, precision.name, eps, rtol, method, directions,
                          time.perf_counter() - start, tuple(warnings), tuple(notes))  # fmt: skip


TRACKED_FROM = 1024  # entries: a smaller weight's products are cheap enough to redo


@contextmanager
def _tracked(loss, base: float, name: str, p: np.ndarray, bind, warnings: list[str]
             ) -> Iterator[Any]:  # fmt: skip
    """While the entries of `p` are moved one by one: the loss reads a tracked view of it
    (its products cached), if it can be bound and gives the same loss; else nothing."""
    if bind is None or p.ndim != 2 or p.size < TRACKED_FROM:
        yield None
        return
    from .rankone import track

    def put(array: np.ndarray) -> None:
        _call(f"bind({name!r}, …)", lambda: bind(name, array))

    view, tracker = track(p)
    viewed = True  # the view is where the loss reads p, until put back
    try:
        put(view)
        if not _same_loss(loss, base):
            put(p)
            viewed, tracker = False, None
        yield tracker
    finally:
        if viewed:
            put(p)
    if tracker is not None and tracker.broken:
        warnings.append(f"{name}: {tracker.broken}, so its products were computed afresh")


def _same_loss(loss, base: float) -> bool:
    """Whether loss() with a tracked view gives the loss it gave before: code that cannot
    take an ndarray subclass is left with the plain array, not blamed for it."""
    try:
        return _loss_value(loss) == base
    except UsageError:
        return False


def _plan(arrays: dict[str, np.ndarray], method: str, per_call: float) -> dict[str, str]:
    """full or directional for each parameter: "auto" fills its time budget smallest first."""
    if method != "auto":
        return {n: method for n in arrays}
    plan, spent = {}, 0.0
    for name in sorted(arrays, key=lambda n: arrays[n].size):
        cost = 2 * arrays[name].size * max(per_call, 1e-7)
        full = spent + cost <= AUTO_SECONDS or arrays[name].size <= 8
        plan[name] = "full" if full else "directional"
        spent += cost if full else 0.0
    return {n: plan[n] for n in arrays}


SPARSE_ABOVE = 1_000_000  # arrays larger than this get sparse random directions
SPARSE_ENTRIES = 65_536  # the entries such a direction moves


def _unit(rng: np.random.Generator, shape: tuple[int, ...]) -> Any:
    """A random unit direction: dense, or for a huge array (16 million weights) a sparse
    one, (flat indices, values), so that drawing it costs little beside the loss."""
    size = int(np.prod(shape))
    if size > SPARSE_ABOVE:
        idx = rng.choice(size, SPARSE_ENTRIES, replace=False)
        vals = rng.standard_normal(SPARSE_ENTRIES)
        return idx, vals / np.linalg.norm(vals)
    v = rng.standard_normal(shape)
    return v / np.linalg.norm(v)


@dataclass
class _Meter:
    """Central and one-sided differences of the loss along one entry or direction."""

    loss: Callable[[], Any]
    base: float
    eps: float
    rtol: float
    u: float

    def _along(self, probe: _Probe, h: float):
        """(L(+h), L(−h), the steps really taken) with the probe moved and put back.  Only
        what the probe moves is copied: one entry costs two loss calls, not an array copy."""
        try:
            probe.move(h)
            up = probe.moved()
            l_up = _loss_value(self.loss)
            probe.restore()
            probe.move(-h)
            down = probe.moved()
            l_down = _loss_value(self.loss)
        finally:
            probe.restore()
        return l_up, l_down, up, down

    def measure(self, probe: _Probe, h: float):
        """(central, forward, backward, noise, claimed) at step h."""
        l_up, l_down, up, down = self._along(probe, h)
        s_up, s_down = probe.project(up), probe.project(down)
        width = s_up - s_down
        if width <= 0:
            raise UsageError(f"eps {self.eps:g} is too small to move the parameters: raise it")
        central = (l_up - l_down) / width
        forward = (l_up - self.base) / s_up
        backward = (self.base - l_down) / -s_down
        noise = NOISE * self.u * max(abs(l_up), abs(l_down), abs(self.base)) / min(s_up, -s_down)
        claimed = (probe.along(up) - probe.along(down)) / width
        return central, forward, backward, noise, claimed

    def judge(self, probe: _Probe, h: float, index, number) -> Entry:
        central, fwd, bwd, noise, claimed = self.measure(probe, h)
        if not np.isfinite(claimed):  # inf or NaN is never within any tolerance
            return Entry(index, number, claimed, central, "wrong", 0.0, noise=noise)
        bound = self.rtol * abs(central) + noise
        if abs(claimed - central) <= bound:
            return Entry(index, number, claimed, central, "ok", bound, noise=noise)
        central2, fwd2, bwd2, noise2, claimed2 = self.measure(probe, h / 10)
        bound2 = self.rtol * abs(central2) + noise2
        if abs(claimed2 - central2) <= bound2:
            return Entry(index, number, claimed2, central2, "ok", bound2, noise=noise2)
        gap, gap2 = abs(fwd - bwd), abs(fwd2 - bwd2)
        kink = gap2 > 0.5 * gap and gap2 > 10 * bound2  # a smooth gap shrinks with the step
        if not kink:
            if fwd2 == 0.0 and bwd2 == 0.0:  # the loss did not move at h/10
                seen = max(abs(fwd), abs(bwd)) * h  # the smallest change it showed at h
                hidden = max(seen, UNSEEN * self.u * abs(self.base))
                if abs(claimed2) * h / 10 < hidden:  # the claim's change would not show
                    unseen = hidden / (h / 10)
                    return Entry(index, number, claimed2, central2, "unconfirmed",
                                 self.rtol * abs(central2) + unseen, noise=unseen)  # fmt: skip
            return self._settled(probe, h, index, number, claimed2, central, central2, noise2)
        lo, hi = sorted((fwd2, bwd2))
        if lo - bound2 <= claimed2 <= hi + bound2:
            nearest = min(max(claimed2, lo), hi)
            return Entry(index, number, claimed2, nearest, "kink", bound2, bwd2, fwd2,
                         noise=noise2)  # fmt: skip
        return Entry(index, number, claimed2, central2, "unconfirmed", bound2, bwd2, fwd2,
                     noise=noise2)  # fmt: skip

    def _settled(self, probe: _Probe, h: float, index, number, claimed: float, central: float,
                 central2: float, noise: float) -> Entry:  # fmt: skip
        """Wrong, unless the measurement has not settled: differences at h and h/10 as far
        apart as the claim is from them mean rounding inside the loss that the noise
        estimate (from the loss's own size) misses, such as 1 - a² of a saturated tanh,
        a ≈ 1.  A third step, h/100, tells which: converging (truncation, shrinking as h²)
        is judged there; not converging is rounding noise, and the entry unconfirmed."""
        bound = self.rtol * abs(central2) + noise
        spread = abs(central - central2)
        if abs(claimed - central2) > bound + spread:
            return Entry(index, number, claimed, central2, "wrong", bound, noise=noise)
        central3, _, _, noise3, claimed3 = self.measure(probe, h / 100)
        settle = abs(central3 - central2)
        if settle <= 0.1 * spread:
            bound3 = self.rtol * abs(central3) + noise3 + settle
            status = "ok" if abs(claimed3 - central3) <= bound3 else "wrong"
            return Entry(index, number, claimed3, central3, status, bound3, noise=noise3 + settle)
        unsettled = noise + max(spread, settle)
        return Entry(index, number, claimed, central2, "unconfirmed",
                     self.rtol * abs(central2) + unsettled, noise=unsettled)  # fmt: skip

    def entry(self, p: np.ndarray, index: tuple[int, ...], g: np.ndarray, tracker: Any = None
              ) -> Entry:  # fmt: skip
        index = tuple(int(i) for i in index)
        keep = p[index].copy()  # in the array's own dtype: put back exactly
        origin = float(keep)

        def move(step: float) -> None:
            p[index] = origin + step
            if tracker is not None:
                tracker.moved = index

        def restore() -> None:
            p[index] = keep
            if tracker is not None:
                tracker.moved = None

        probe = _Probe(move, restore, lambda: float(p[index]) - origin, lambda d: d,
                       lambda d: float(g[index]) * d)  # fmt: skip
        return self.judge(probe, self.eps * max(1.0, abs(origin)), index, None)

    def direction(self, p: np.ndarray, number: int, v: Any, g: np.ndarray) -> Entry:
        if isinstance(v, tuple):
            return self.sparse_direction(p, number, *v, g)
        keep = p.copy()
        origin = p.astype(np.float64)
        h = self.eps * max(1.0, float(np.sqrt(np.mean(origin**2))))

        def move(step: float) -> None:
            np.copyto(p, origin + step * v, casting="unsafe")

        probe = _Probe(move, lambda: np.copyto(p, keep), lambda: p.astype(np.float64) - origin,
                       lambda d: float(np.sum(v * d)), lambda d: float(np.sum(g * d)))  # fmt: skip
        return self.judge(probe, h, None, number)

    def sparse_direction(self, p, number: int, idx, vals, g: np.ndarray) -> Entry:
        flat, grad = p.reshape(-1), g.reshape(-1)
        keep = flat[idx].copy()
        origin = keep.astype(np.float64)
        h = self.eps * max(1.0, float(np.sqrt(np.mean(origin**2))))

        def move(step: float) -> None:
            flat[idx] = (origin + step * vals).astype(p.dtype)

        def restore() -> None:
            flat[idx] = keep

        probe = _Probe(move, restore, lambda: flat[idx].astype(np.float64) - origin,
                       lambda d: float(np.sum(vals * d)),
                       lambda d: float(np.sum(grad[idx] * d)))  # fmt: skip
        return self.judge(probe, h, None, number)


@dataclass(frozen=True)
class _Probe:
    """One entry or direction: how to move it, put it back, and read the step taken."""

    move: Callable[[float], None]
    restore: Callable[[], Any]
    moved: Callable[[], Any]  # the displacement, in the probe's own terms
    project: Callable[[Any], float]  # the step along the probe
    along: Callable[[Any], float]  # the claimed gradient times the displacement


def _floored(measured: dict[str, list[Entry]], claimed: dict, rtol: float) -> dict:
    """Re-judge the wrong entries of each parameter with the floor: an entry much smaller
    than the parameter's largest gradient is held to rtol × FLOOR × that size."""
    out = {}
    for name, entries in measured.items():
        finite = [max(abs(e.true), abs(e.claimed)) for e in entries if np.isfinite(e.claimed)]
        floor = rtol * FLOOR * max(finite, default=0.0)
        fixed = []
        for e in entries:
            if e.status == "wrong" and np.isfinite(e.claimed) and e.abs_error <= e.bound + floor:
                e = replace(e, status="ok", bound=e.bound + floor)
            fixed.append(e)
        out[name] = fixed
    return out


NOISE_LIMIT = 0.1  # noise above this fraction of a parameter's typical gradient hides errors


def _measurable(measured: dict[str, list[Entry]], rtol: float) -> dict[str, list[Entry]]:
    """An entry whose values are far apart (more than 10·rtol) but agree within the rounding
    noise of the difference quotient is not confirmed: unconfirmed, not ok.  That happens
    where the noise is a good part of the parameter's typical gradient (float32 with a
    summed loss: noise 0.1 against gradients of 0.3).  Both values within the noise of 0,
    where the noise is small beside the model's gradients (a bias before a batchnorm: true
    gradient 0 ± 1e-9, claimed 1e-17), is a confirmed 0.  Closer than 10·rtol within the
    noise is float32's resolution: ok."""

    def typical(entries: list[Entry]) -> float:
        sizes = [max(abs(e.true), abs(e.claimed)) for e in entries if np.isfinite(e.claimed)]
        return float(np.median(sizes)) if sizes else 0.0

    overall = typical([e for es in measured.values() for e in es])
    out = {}
    for name, entries in measured.items():
        own = typical(entries)
        checked = []
        for e in entries:
            relies_on_noise = e.abs_error > e.bound - e.noise  # it would fail without it
            # 0 ± noise, where the noise is small beside the model's gradients: confirmed 0
            near_zero = (max(abs(e.true), abs(e.claimed)) <= e.noise
                         and e.noise <= NOISE_LIMIT * overall)  # fmt: skip
            # far apart (25 % in float32 with a summed loss), together only within the noise
            far = e.rel_error > 10 * rtol and e.noise > NOISE_LIMIT * own
            if e.status == "ok" and relies_on_noise and far and not near_zero:
                e = replace(e, status="unconfirmed")
            checked.append(e)
        out[name] = checked
    return out


def _off_the_kinks(loss, arrays, saved, grads, measured, plan, eps, rtol, u, rng):
    """The entries a kink left undecided, measured again at a point moved off every kink,
    against the gradient recomputed there."""
    scale = float(np.sqrt(np.mean(np.concatenate([p.ravel() ** 2 for p in saved.values()]))))
    for name, p in arrays.items():
        size = float(np.sqrt(np.mean(saved[name].astype(np.float64) ** 2))) or scale or 1.0
        shift = JITTER * (np.abs(saved[name]) + size) * rng.standard_normal(p.shape)
        np.copyto(p, saved[name] + shift, casting="unsafe")
    moved_saved = {n: p.copy() for n, p in arrays.items()}
    base = _loss_value(loss)
    claimed = _claimed(grads, arrays, moved_saved)
    meter = _Meter(loss, base, eps, rtol, u)
    out = {}
    for name, entries in measured.items():
        again = []
        for e in entries:
            if e.status != "unconfirmed" or e.left is None:  # a kink's, not the noise's
                again.append(e)
                continue
            if e.index is not None:
                m = meter.entry(arrays[name], e.index, claimed[name])
            else:  # a direction: the same one, at the moved point
                m = _redo_direction(meter, arrays[name], e, claimed[name], rng)
            again.append(replace(m, moved=True))
        out[name] = again
    for n, p in arrays.items():
        np.copyto(p, saved[n])
    return out


def _redo_direction(meter: _Meter, p: np.ndarray, e: Entry, g: np.ndarray, rng) -> Entry:
    return meter.direction(p, e.direction or 0, _unit(rng, p.shape), g)


# --- per parameter: the verdict and the mistake --------------------------------------------


def _parameter(name, p, original, claimed, method, entries, samples) -> ParameterCheck:
    bad = sorted((e for e in entries if e.status == "wrong"), key=lambda e: -e.abs_error / max(
        e.bound, 1e-300))  # fmt: skip
    worst = bad[0] if bad else max(entries, key=lambda e: e.abs_error / max(e.bound, 1e-300))
    ratio = mistake = where = l2 = None
    per_unit = False
    if bad:
        ratio, mistake = _mistake(name, original, claimed, entries, method, samples)
        if mistake is None and method == "full":
            mistake = _per_unit(p.shape, entries)
            per_unit = mistake is not None
        l2 = _l2_coefficient(original, entries, method)
        where = _where(bad, p.shape, len(entries)) if method == "full" else None
    return ParameterCheck(
        name=name,
        shape=tuple(p.shape),
        dtype=str(p.dtype),
        method=method,
        checked=len(entries),
        worst=worst,
        bad=tuple(bad[:MAX_LISTED]),
        bad_count=len(bad),
        unconfirmed=sum(e.status == "unconfirmed" for e in entries),
        noisy=sum(e.status == "unconfirmed" and e.left is None for e in entries),
        kinks=sum(e.status == "kink" for e in entries),
        moved=sum(e.moved for e in entries),
        ratio=ratio,
        mistake=mistake,
        l2=l2,
        where=where,
        per_unit=per_unit,
    )


def _l2_coefficient(theta, entries, method) -> float | None:
    """c when claimed − true = c·θ exactly (to the tolerance): an L2 term's gradient."""
    usable = [e for e in entries if e.status in ("ok", "wrong") and e.index is not None]
    if method != "full" or len(usable) < 3:  # two numbers fit c·θ too easily
        return None
    d = np.array([e.claimed - e.true for e in usable])
    th = np.array([float(theta[e.index]) for e in usable])
    if not np.any(th) or not np.any(d) or not np.all(np.isfinite(d)):
        return None
    c = float(d @ th / (th @ th))
    fits = np.all(
        np.abs(d - c * th) <= np.array([e.bound for e in usable]) + 1e-6 * np.max(np.abs(d))
    )
    return c if fits else None


def _mistake(name, theta, claimed, entries, method, samples) -> tuple[float | None, str | None]:
    """(claimed/true when constant, the mistake in words) from the measured entries."""
    if any(not np.isfinite(e.claimed) for e in entries):
        bad = sum(not np.isfinite(e.claimed) for e in entries)
        return None, f"{bad} claimed entr{'y is' if bad == 1 else 'ies are'} inf or NaN"
    usable = [e for e in entries if e.status in ("ok", "wrong")]
    a = np.array([e.claimed for e in usable])
    t = np.array([e.true for e in usable])
    bounds = np.array([e.bound for e in usable])
    if not len(t) or not np.any(t):
        if np.any(a):
            return None, "the true gradient is 0 here, but the claimed one is not"
        return None, None
    scale = max(float(np.max(np.abs(t))), float(np.max(np.abs(a))))
    tight = bounds + 1e-3 * scale

    def fits(model: np.ndarray) -> bool:
        return bool(np.all(np.abs(a - model) <= tight))

    if not np.any(a):
        return 0.0, "the claimed gradient is 0 everywhere: it is missing"
    if float(np.max(np.abs(a))) <= 1e-9 * float(np.max(np.abs(t))):  # 1e-17: rounding of 0
        return 0.0, (f"the claimed gradient is 0 everywhere, to rounding (at most "
                     f"{float(np.max(np.abs(a))):.1e}): it is missing")  # fmt: skip
    r = float(a @ t / (t @ t))
    if fits(r * t) and abs(r - 1) <= 1e-3:
        worst = max(e.rel_error for e in entries if e.status == "wrong")
        return r, (f"close to the true values, but off by a relative error of up to "
                   f"{worst:.1e}, beyond rtol")  # fmt: skip
    if fits(r * t):
        return r, _factor_words(r, samples)
    if method == "full" and theta.ndim == 2 and theta.shape[0] == theta.shape[1]:
        flipped = np.array([claimed[e.index[::-1]] for e in usable])
        if np.all(np.abs(flipped - t) <= tight):
            return None, f"it is the true gradient transposed: {name}'s gradient needs no .T"
    if method == "full" and len(usable) >= 3:  # a 2-unknown fit needs more than 2 numbers
        th = np.array([float(theta[e.index]) for e in usable])
        if np.any(th):
            (k, c), *_ = np.linalg.lstsq(np.stack([t, th], axis=1), a, rcond=None)
            if fits(k * t + c * th) and abs(c) * float(np.max(np.abs(th))) > 1e-3 * scale:
                return None, _l2_words(name, float(k), float(c), samples)
    return None, None


def _per_unit(shape: tuple[int, ...], entries: list[Entry]) -> str | None:
    """The mistake of an activation's derivative: each unit's slice (a column of x @ W's W,
    a row of W @ x's) is the true one times the unit's own factor, as with one sample, where
    dW = x·δᵀ; or right where the unit is active and not 0 where it is dead (a ReLU mask)."""
    usable = [e for e in entries if e.status in ("ok", "wrong") and np.isfinite(e.claimed)]
    if len(shape) not in (1, 2) or not usable:
        return None
    slack = 1e-3 * max(max(abs(e.true) for e in usable), max(abs(e.claimed) for e in usable))
    a, t = np.full(shape, np.nan), np.full(shape, np.nan)
    tight = np.full(shape, np.nan)
    for e in usable:
        a[e.index], t[e.index], tight[e.index] = e.claimed, e.true, e.bound + slack
    if len(shape) == 2 and min(shape) == 1:  # a column or row vector: one entry per unit
        a, t, tight = a.reshape(-1), t.reshape(-1), tight.reshape(-1)
    axes = ((1, "column"), (0, "row")) if a.ndim == 2 else ((0, "entry"),)
    for axis, unit in axes:
        found = _unit_factors(a, t, tight, axis, a.ndim == 1)
        if found is not None:
            return _unit_words(unit, *found)
    return None


def _unit_factors(a, t, tight, axis: int, single: bool):
    """(factors of the units with a true gradient, the units where it is 0 but the claim is
    not) when every unit's slice fits claimed = r·true; else None."""
    factors, dead = [], []
    for j in range(a.shape[axis]):
        aj, tj, bj = (np.take(m, j, axis=axis).ravel() for m in (a, t, tight))
        keep = ~np.isnan(tj)
        aj, tj, bj = aj[keep], tj[keep], bj[keep]
        if not len(tj):
            continue
        if np.all(np.abs(tj) <= bj):
            if np.any(np.abs(aj) > bj):
                dead.append(j)
            continue
        r = float(aj @ tj / (tj @ tj))
        if not np.all(np.abs(aj - r * tj) <= bj):
            return None
        factors.append(r)
    if len(factors) < 2 and not (factors and dead):
        return None
    rs = np.array(factors)
    if dead and np.all(np.abs(rs - 1) <= 1e-3):
        return rs, dead
    if single or np.ptp(rs) <= 1e-3 * np.max(np.abs(rs)):
        return None  # one number per entry fits anything; one factor for all is named above
    return rs, dead


def _unit_words(unit: str, rs: np.ndarray, dead: list[int]) -> str:
    units = {"column": "columns", "row": "rows", "entry": "entries"}[unit]
    if dead and np.all(np.abs(rs - 1) <= 1e-3):
        shown = ", ".join(map(str, dead[:6])) + (", …" if len(dead) > 6 else "")
        return (f"right in the {units} whose true gradient is not 0, and not 0 in the "
                f"{len(dead)} whose true gradient is ({shown}): a ReLU's derivative, the "
                "mask 1[z > 0], seems missing for this layer's units")  # fmt: skip
    span = f"from {_g(float(rs.min()))} to {_g(float(rs.max()))}"
    lead = f"each {unit} is the true one times its own factor, {span}"
    if np.sum(np.abs(rs - 1) <= 1e-3) > len(rs) / 2:  # mostly right: not an activation's
        return f"{lead}: {MIXED_FACTORS}"
    if rs.min() >= 4 * (1 - 1e-3):
        return (f"{lead}, all at least 4: an activation's derivative seems missing for "
                "this layer's units (leaving out σ′(z) = σ(z)(1 − σ(z)) ≤ ¼ gives such "
                "factors)")  # fmt: skip
    if rs.min() >= 1 - 1e-3:
        return (f"{lead}, all at least 1: an activation's derivative seems missing for "
                "this layer's units (leaving out tanh′(z) = 1 − tanh²(z) ≤ 1 gives such "
                "factors)")  # fmt: skip
    if rs.max() <= 1 + 1e-3 and rs.min() > 0:
        return (f"{lead}, all at most 1: an extra factor per unit, such as an activation's "
                "derivative applied where there is none, or twice")  # fmt: skip
    return f"{lead}: {MIXED_FACTORS}"


def _factor_words(r: float, samples: int | None) -> str:
    known = {
        -1.0: "the sign is flipped",
        2.0: "a factor 2 too many",
        0.5: "a factor ½ too many (or a 2 missing)",
        -2.0: "the sign is flipped, and a factor 2 too many",
        -0.5: "the sign is flipped, and a factor ½ too many",
    }
    for value, words in known.items():
        if abs(r - value) <= 1e-3 * abs(value):
            return f"every entry is {_g(r)} × the true value: {words}"
    if samples and samples > 1:
        if abs(r - samples) <= 1e-3 * samples:
            return (f"every entry is {samples} × the true value: the 1/N of a mean over the "
                    f"N = {samples} samples is missing (the gradient of the sum)")  # fmt: skip
        if abs(r * samples - 1) <= 1e-3:
            return (f"every entry is 1/{samples} × the true value: divided by N = {samples} "
                    "once too often")  # fmt: skip
    return f"every entry is {_g(r)} × the true value: a constant factor is missing or extra"


def _l2_words(name: str, k: float, c: float, samples: int | None) -> str:
    if abs(k - 1) > 1e-3:  # two things at once: say what fits, not a story
        return (f"every entry fits claimed = {_g(k)} × true {'+' if c > 0 else '−'} "
                f"{_g(abs(c))}·{name}: apart from a term in {name} (an L2 term), "
                f"{_factor_words(k, samples).split(': ', 1)[1]}")  # fmt: skip
    term = (f"{_g(abs(c))}·{name} is the gradient of λ‖{name}‖² with λ = {_g(abs(c) / 2)}, "
            f"or of ½λ‖{name}‖² with λ = {_g(abs(c))}")  # fmt: skip
    if c < 0:
        return (f"the claim lacks {_g(-c)}·{name}: an L2 term's gradient is missing, or part "
                f"of it ({term})")  # fmt: skip
    return (f"the claim has an extra {_g(c)}·{name}: an L2 term's gradient that the loss "
            f"does not have on {name}, or has smaller ({term})")  # fmt: skip


def _g(x: float) -> str:
    return f"{x:.4g}"


def _where(bad: list[Entry], shape: tuple[int, ...], total: int) -> str | None:
    """Rows or columns the wrong entries are confined to, when that says something."""
    if len(bad) == total or not shape:
        return None
    if len(shape) == 1:
        if len(bad) <= 6:
            return "entries " + ", ".join(str(e.index[0]) for e in bad if e.index)
        return None
    rows = sorted({e.index[0] for e in bad if e.index})
    cols = sorted({e.index[1] for e in bad if e.index})
    parts = []
    if len(rows) < shape[0] and len(rows) <= 6:
        parts.append("rows " + ", ".join(map(str, rows)))
    if len(cols) < shape[1] and len(cols) <= 6:
        parts.append("columns " + ", ".join(map(str, cols)))
    return "only in " + " and ".join(parts) if parts else None


def _entries(count: int, one: str = "", many: str = "") -> str:
    """'1 entry sits', '3 entries sit': a count with its noun (and verb) agreeing."""
    verb = one if count == 1 else many
    return f"{count} {'entry' if count == 1 else 'entries'}" + (f" {verb}" if verb else "")


def _notes(checks: tuple[ParameterCheck, ...]) -> list[str]:
    notes = []
    l2 = [c for c in checks if c.mistake and "L2" in c.mistake]
    lacking = [c.name for c in l2 if "is missing" in (c.mistake or "")]
    extra = [c.name for c in l2 if "extra" in (c.mistake or "")]
    if lacking and extra:
        notes.append(f"L2 on the wrong parameter: the loss penalises {', '.join(lacking)}, "
                     f"the gradient {', '.join(extra)}")  # fmt: skip
    extra_l2 = [c for c in checks if c.l2 is not None and c.l2 > 0]
    wrong = [c for c in checks if c.passed is False]
    if extra_l2 and len(extra_l2) == len(wrong):
        values = {f"{c.l2:.4g}" for c in extra_l2}
        if len(values) == 1:
            lam = float(values.pop())
            notes.append(
                f"every wrong gradient has the same extra {lam:g}·θ: the gradient has an L2 "
                f"term ½·{lam:g}·‖θ‖² that the loss does not have"
            )
    kinks = sum(c.kinks for c in checks)
    if kinks:
        notes.append(
            f"{_entries(kinks, 'sits', 'sit')} on a kink of the loss, where its one-sided "
            "slopes differ (a ReLU input at exactly 0, or a saturated unit's rounding): "
            "accepted, since the claim lies between them"
        )
    moved = sum(c.moved for c in checks)
    if moved:
        notes.append(f"{_entries(moved, 'was', 'were')} decided at a point moved off the kinks "
                     f"(every parameter shifted by about {JITTER:g} of its size), with the "
                     "gradient recomputed there")  # fmt: skip
    unresolved = sum(c.unconfirmed for c in checks) - sum(c.noisy for c in checks)
    if unresolved:
        notes.append(f"{_entries(unresolved)} at a kink could not be decided: give grads as a "
                     "function so they can be checked off the kink")  # fmt: skip
    noisy = sum(c.noisy for c in checks)
    if noisy:
        notes.append(
            f"{_entries(noisy)} could not be confirmed: the rounding noise of the loss's "
            "difference quotients is larger than the differences that matter there (a low "
            "precision, a loss that adds up large terms, or a saturated tanh or sigmoid); "
            "in float32, a float64 copy decides"
        )
    return notes
