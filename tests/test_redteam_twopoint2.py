"""Second red team of the two-point family: the cover (every root of S(s) = s in one bracket), every
block of DF at a two-point state and the spectral goal's verdicts (bnverify/trusted/twopoint.py).
Truth here is independent of the kernel: mpmath with this file's own phi formulas, and the dense
float Jacobian of the full n x n map (tests/test_twopoint.py::_dense_radius).  The defect found
(its test failed before the fix):

- the spectral radius's upper end was the largest of the eigenvalues' upper ends compared as
  floats (max(..., key=float)): two ends that round to one double keep the first, which may be
  the smaller, so the "upper bound" could lie below an eigenvalue's modulus (a 2 x 2 rest with
  eigenvalues -1 and -1 - 2^-60 gave the upper end 1).
"""
import copy
import json
import re
import sys
import time
from fractions import Fraction
from pathlib import Path

import mpmath
import pytest
from flint import arb, ctx, fmpq, fmpq_mat

from bnverify import trusted
from bnverify.core.activations import activation
from bnverify.trusted import twopoint as T

sys.path.insert(0, str(Path(__file__).parent))
from test_twopoint import _dense_radius  # noqa: E402


def _claim(rel="<", bound="1", act="sin", n="3", w="2", stages=("rc",), prop="spectral-radius"):
    return {"property": prop, "stages": list(stages), "activation": act, "domain": {"n": n}, "weight_var": w,
            "params": {"state": "two-point", "relation": rel, "bound": bound} if prop == "spectral-radius"
            else {"state": "two-point"}}


@pytest.fixture(scope="module")
def sin3():
    from bnverify.claims.properties import two_point as TP
    item = TP.cover_item(activation("sin"), 3, 2)
    assert item is not None
    return item


# ---------------------------------------------------------------- the radius: its upper end compared exactly
def test_the_radius_upper_end_is_the_largest_exactly():
    with ctx.workprec(128):
        e = fmpq(1, 2 ** 60)
        R = fmpq_mat([[0, 1, 1], [0, -1, 0], [0, 0, -1 - e]])   # eigenvalues 0, -1, -1 - 2^-60 (translation column 0)
        P = fmpq_mat(T.TRANSLATIONS[3])
        M = P * R * P.inv()
        Ma = [[arb(M[i, j].p) / arb(M[i, j].q) for j in range(3)] for i in range(3)]
        lo, up = T.radius(Ma)
        assert T._upper(up) >= 1 + Fraction(1, 2 ** 60) and T._lower(lo) <= 1 + Fraction(1, 2 ** 60)


# ---------------------------------------------------------------- the goal: every relation, both kinds of fact
@pytest.mark.parametrize("rel", ["<", "<=", ">", ">="])
def test_every_verdict_of_the_spectral_goal(rel):
    """Facts with radius [r0, r1] around the bound 3/2: a cover (every root) refutes exactly when no
    radius in [r0, r1] satisfies rel; a bracket (one root) proves exactly when every radius does."""
    b = Fraction(3, 2)
    holds = {"<": lambda r: r < b, "<=": lambda r: r <= b, ">": lambda r: r > b, ">=": lambda r: r >= b}[rel]
    _, g = trusted.kernel.goal(_claim(rel, "3/2"))
    base = {"activation": "sin", "alpha": Fraction(0), "weight_var": Fraction(2), "n": 3}
    for r0, r1 in [(1, 5 / Fraction(4)), (1, b), (b, b), (b, 2), (Fraction(7, 4), 2), (1, 2)]:
        cover = dict(base, fact="two-point-roots", radius=[r0, r1], s=["1", "2"])
        bracket = dict(base, fact="two-point-fixed", radius=[r0, r1], shown=["-"] * 4)
        none_holds = not holds(r0) and not holds(r1) and not (rel in "<=" and r0 < b or rel in ">=" and r1 > b)
        every_holds = holds(r0) and holds(r1)
        try:
            v = g.decide([cover])[0]
        except trusted.Rejected:
            v = None
        assert (v == "refuted") == none_holds, (rel, r0, r1, v)
        try:
            v = g.decide([bracket])[0]
        except trusted.Rejected:
            v = None
        assert (v == "proved") == every_holds, (rel, r0, r1, v)


# ---------------------------------------------------------------- every block against the dense Jacobian
@pytest.mark.parametrize("name,w,n", [("sigmoid", 20, 3), ("sigmoid", 40, 6), ("sin", 9, 5), ("tanh", Fraction(5, 4), 8)])
def test_the_radius_against_the_dense_jacobian_elsewhere(name, w, n):
    ev, (lo, hi) = _dense_radius(name, float(w), n)
    dense = max(abs(ev))
    with ctx.workprec(128):
        low, up = T._radius(name, Fraction(0), n, Fraction(w), lo, hi)
    assert float(low) - 1e-6 < dense < float(up) + 1e-6


# ---------------------------------------------------------------- the cover's lemmas against mpmath
PHI = {"sin": mpmath.sin, "tanh": mpmath.tanh, "erf": mpmath.erf, "sigmoid": lambda t: 1 / (1 + mpmath.exp(-t))}


def _S(name, n, w, s):
    lam = mpmath.sqrt(mpmath.mpf(w) * s)
    f = lambda z: (PHI[name]((n - 1) * lam * z / n) - PHI[name](-lam * z / n)) ** 2 * mpmath.npdf(z)  # noqa: E731
    return mpmath.quad(f, [-mpmath.inf, -4, 0, 4, mpmath.inf])


@pytest.mark.parametrize("name,n,w", [("sin", 3, 2), ("erf", 5, 2), ("sigmoid", 4, 40)])
def test_covers_against_mpmath_below_s_min_and_between_cuts(name, n, w):
    from bnverify.claims.properties import two_point as TP
    item = TP.cover_item(activation(name), n, w)
    assert item is not None and T.check_cover(item)["fact"] == "two-point-roots"
    below, above = [Fraction(c) for c in item["below"]], [Fraction(c) for c in item["above"]]
    pts = [below[0] / k for k in (1, 3, 100, 10 ** 4)] + [(a + b) / 2 for a, b in zip(below, below[1:])][::5]
    pts += [(a + b) / 2 for a, b in zip(above, above[1:])][::5] + [above[-1], 4 * above[-1]]
    with mpmath.workdps(20):
        for s in pts:
            sm = mpmath.mpf(s.numerator) / s.denominator
            assert (_S(name, n, w, sm) > sm) == (s < below[-1]), (name, s)
