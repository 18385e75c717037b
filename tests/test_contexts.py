"""The arithmetic contexts of bnverify.core.arith agree: kappa in float, mpmath, arb balls, mpmath
intervals and jets at a few points, within each one's precision; the jet's derivative is kappa'
and, through the Gram map, DF; the series C, S, R summed in mpmath and in balls match their
closed forms (mpmath's own cos, sin, asin: a different method)."""
from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest

from bnverify.core import arith, gram
from bnverify.core.activations import Activation, leaky
from bnverify.errors import BadInput
from bnverify.derive import alln

POINTS = [Fraction(-1), Fraction(-9, 10), Fraction(-1, 3), Fraction(0), Fraction(1, 7), Fraction(99, 100),
          Fraction(1)]
ALPHAS = [Fraction(0), Fraction(1, 10), Fraction(1, 2)]


def _mp(x):
    return mpmath.mpf(x.mid().str(60, radius=False))


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("rho", POINTS)
def test_kappa_agrees_in_every_context(alpha, rho):
    act = leaky(alpha)
    ball, mp = arith.get("ball", prec=200), arith.get("mp", dps=50)
    iv, jet = arith.get("interval", dps=40), arith.get("jet", prec=200)
    ref = act.kappa(ball.const(rho), ball)
    assert ref.rad() < 1e-50
    for val, tol in ((act.kappa(mp.const(rho), mp), 1e-45),
                     (act.kappa(arith.FLOAT.const(rho), arith.FLOAT), 1e-15)):
        assert abs(mpmath.mpf(val) - _mp(ref)) < tol
    enc = act.kappa(iv.const(rho), iv)
    assert enc.a <= _mp(ref) + 1e-38 and _mp(ref) - 1e-38 <= enc.b
    k = act.kappa(jet.const(rho), jet)
    assert k.v.overlaps(ref) and k.d == 0          # a constant has derivative 0


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("rho", [Fraction(-9, 10), Fraction(-1, 3), Fraction(0), Fraction(1, 7),
                                 Fraction(99, 100)])
def test_jet_derivative_is_dkappa(alpha, rho):
    act = leaky(alpha)
    jet = arith.get("jet", prec=200)
    k = act.kappa(jet.variable(rho), jet)
    want = act.dkappa(jet.base.const(rho), jet.base)
    assert k.d.overlaps(want) and k.d.rad() < 1e-45
    mp = arith.get("mp", dps=40)               # and a finite difference, an independent method
    fd = mpmath.diff(lambda r: act.kappa(r, mp), mp.const(rho))
    assert abs(fd - _mp(k.d)) < 1e-30


def test_jet_through_the_gram_map_is_dF():
    """F evaluated on G + e H in jets gives DF(G)[H] in its derivative part."""
    rng = np.random.default_rng(3)
    X = rng.integers(-4, 5, size=(5, 7))
    G = X.dot(X.T).astype(object)
    H = rng.integers(-3, 4, size=(5, 5))
    H = (H + H.T).astype(object)
    ball = arith.get("ball", prec=128)
    jet = arith.JetContext(ball)
    act = leaky(Fraction(1, 10))
    GJ = np.empty(G.shape, dtype=object)
    for i, j in np.ndindex(G.shape):
        GJ[i, j] = arith.Jet(ball.const(int(G[i, j])), ball.const(int(H[i, j])))
    FJ = gram.F(GJ, act, jet)
    Gb, Hb = ball.array(G.tolist()), ball.array(H.tolist())
    F, D = gram.F(Gb, act, ball), gram.dF(Gb, Hb, act, ball)
    for i, j in np.ndindex(G.shape):
        assert FJ[i, j].v.overlaps(F[i, j]) and FJ[i, j].d.overlaps(D[i, j]), (i, j)


CLOSED = {"C": lambda x: (1 - mpmath.cos(x)) / x ** 2,
          "S": lambda x: (mpmath.sin(x) - x * mpmath.cos(x)) / x ** 3,
          "R": lambda x: mpmath.asin(x) / x}


@pytest.mark.parametrize("name", ["C", "S", "R"])
@pytest.mark.parametrize("x", [Fraction(1, 1000), Fraction(3, 10), Fraction(1, 2)])
def test_series_agree_with_closed_forms(name, x):
    s = alln.SERIES[name]
    mp, ball = arith.get("mp", dps=50), arith.get("ball", prec=200)
    with mpmath.workdps(90):                # the closed forms cancel near 0
        want = CLOSED[name](mpmath.mpf(x.numerator) / x.denominator)
    assert abs(mp.series(s, mp.const(x)) - want) < 1e-45
    enc = ball.series(s, ball.const(x))
    assert enc.rad() < 1e-50 and abs(_mp(enc) - want) < 1e-45
    d = arith.JetContext(ball).series(s, arith.JetContext(ball).variable(x)).d
    assert abs(_mp(d) - mpmath.diff(CLOSED[name], mp.const(x))) < 1e-30


def test_the_arcsin_series_refuses_its_radius_and_intervals_refuse_unbounded_sums():
    with pytest.raises(ValueError):
        arith.get("ball", prec=128).series(alln.SERIES["R"], arith.get("ball", prec=128).const(1))
    iv = arith.get("interval")
    with pytest.raises(NotImplementedError):
        iv.series(alln.SERIES["C"], iv.const(Fraction(1, 2)))


def test_leaky_names_and_degree():
    assert leaky(0).name == "relu" and leaky(1).name == "identity" and leaky("1/10").name == "leaky_relu"
    assert leaky(Fraction(1, 3)).degree == 1 and Activation("tanh").degree is None
    with pytest.raises(BadInput):
        leaky(2)
    A, B = leaky(Fraction(1, 3)).constants(arith.get("exact"))
    assert A == Fraction(5, 9) and (B * 2 * arith.get("exact").pi - Fraction(4, 9)).is_zero
