"""The vector route of the certified RS Gram map (one Gauss-Legendre rule for all entries with an
error bound from analyticity on Re s > 0; bnverify.core.laplace.VectorForm, core.quadrature)
against independent computations at n = 4 and 8: Monte Carlo of the definition (10^6 samples,
5-sigma intervals), mpmath quad at 30 digits, a float Gauss-Laguerre evaluation, and the first
(entrywise acb.integral) route."""
from __future__ import annotations

import math
from fractions import Fraction as Fr

import mpmath
import numpy as np
import pytest
from flint import arb, ctx

from bnverify.core import laplace, quadrature
from test_laplace import _contains, _float, _mp, _phi, gauss_laguerre, mp_quad

GENERIC = {n: [[Fr(2) if i == j else Fr(1, 2 + i + j) for j in range(n)] for i in range(n)] for n in (4, 8, 16)}
# a less tidy one: unequal diagonal and signed couplings
ODD8 = [[Fr(3 + i, 2) if i == j else Fr((-1) ** (i + j), 3 + i + j + 2 * i * j) for j in range(8)]
        for i in range(8)]


def monte_carlo(Sigma, a, rc, samples, seed, chunk=100_000):
    """(mean, standard error) of E[phi(y) phi(y)^T], y = sqrt(n) x/|Cz|, in chunks (memory)."""
    n = len(Sigma)
    rng = np.random.default_rng(seed)
    L = np.linalg.cholesky(_float(Sigma))
    s1, s2 = np.zeros((n, n)), np.zeros((n, n))
    for _ in range(samples // chunk):
        z = rng.standard_normal((chunk, n)) @ L.T
        cz = z - z.mean(axis=1, keepdims=True)
        y = math.sqrt(n) * (cz if rc else z) / np.linalg.norm(cz, axis=1, keepdims=True)
        f = _phi(y, a)
        prod = f[:, :, None] * f[:, None, :]
        s1 += prod.sum(axis=0)
        s2 += (prod * prod).sum(axis=0)
    mean = s1 / samples
    return mean, np.sqrt(np.maximum(s2 / samples - mean * mean, 0) / samples)


# n = 8 (a million samples, n^2 entries) under -m slow: n = 4 checks the same route by default
@pytest.mark.parametrize("n, Sigma, a, rc", [(4, GENERIC[4], 0, True),
                                            pytest.param(8, GENERIC[8], 0, True, marks=pytest.mark.slow),
                                            pytest.param(8, ODD8, Fr(1, 5), True, marks=pytest.mark.slow)])
def test_monte_carlo_million(n, Sigma, a, rc):
    res = laplace.gram(Sigma, a, rc=rc, digits=15)
    assert res["route"] == "vector"
    mean, se = monte_carlo(Sigma, float(a), rc, 1_000_000, seed=n + 17)
    for j in range(n):
        for k in range(n):
            assert abs(float(res["V"][j][k].mid()) - mean[j, k]) < 5 * se[j, k] + 1e-12, (j, k)


@pytest.mark.parametrize("n", [4, pytest.param(8, marks=pytest.mark.slow)])     # n = 4 by default
def test_mpmath_quad(n):
    res = laplace.gram(GENERIC[n], 0, rc=True, digits=20)
    v01, v00 = mp_quad(GENERIC[n], 0, 30)
    for ball, ref in ((res["V"][0][1], v01), (res["V"][0][0], v00)):
        assert float(ball.rad()) < 1e-19
        assert abs(_mp(ball) - ref) <= mpmath.mpf(float(ball.rad())) + mpmath.mpf(10) ** -22


@pytest.mark.parametrize("n", [4, 8, 16])
def test_float_gauss_laguerre_and_15_digits(n):
    res = laplace.gram(GENERIC[n], 0, rc=True, digits=15)
    ref, ref2 = gauss_laguerre(GENERIC[n], 0.0, 100), gauss_laguerre(GENERIC[n], 0.0, 140)
    err = np.abs(ref - ref2).max() + 1e-10
    for j in range(n):
        for k in range(n):
            assert _contains(res["V"][j][k], ref2[j, k], err)
            assert float(res["V"][j][k].rad()) < 1e-15 * max(1.0, abs(ref2[j, k]))    # 15 digits


@pytest.mark.slow
def test_against_the_entrywise_route():
    # GENERIC[4] with relu; the 4 x 4 leading block of ODD8 (signed couplings) with abs
    for Sigma, a in ((GENERIC[4], 0), ([row[:4] for row in ODD8[:4]], -1)):
        new = laplace.gram(Sigma, a, digits=15)
        old = laplace.gram(Sigma, a, digits=15, route="entrywise")
        assert new["route"] == "vector" and old["route"] == "entrywise"
        n = len(Sigma)
        for j in range(n):
            for k in range(n):
                assert new["V"][j][k].overlaps(old["V"][j][k]), (j, k)
                assert abs(float(new["V"][j][k].mid() - old["V"][j][k].mid())) < 1e-15


@pytest.mark.slow
def test_against_the_entrywise_route_n8():
    new = laplace.gram(ODD8, Fr(1, 10), digits=15)
    old = laplace.gram(ODD8, Fr(1, 10), digits=15, route="entrywise")
    assert all(new["V"][j][k].overlaps(old["V"][j][k]) for j in range(8) for k in range(8))


def test_quadrature_rule_is_rigorous_on_a_known_integral():
    """The vector rule on int_{-2}^{3} (e^r, cos r) dr, with the bound sup|f| <= e^(m + hX) cosh(hY)."""
    with ctx.workprec(80):
        def node(r):
            return [r.exp(), r.cos()]

        def bound(m, h, X, Y):
            return ((m + h * X).exp() * (h * Y).cosh()).upper()
        got, stats = quadrature.integrate(node, bound, 2, -2.0, 3.0, 1e-20, 80)
        exact = [arb(3).exp() - arb(-2).exp(), arb(3).sin() - arb(-2).sin()]
        for g, e in zip(got, exact):
            assert g.overlaps(e) and float(g.rad()) < 1e-19
        # a bound that lies (too small by 10^12) must be able to give a wrong enclosure: the
        # rule trusts it, so this shows the bound is what carries the rigour
        wrong, _ = quadrature.integrate(node, lambda m, h, X, Y: bound(m, h, X, Y) / 10 ** 30, 2, -2.0, 3.0,
                                        1e-20, 80)
        assert stats["nodes"] > 0 and not all(w.overlaps(e) for w, e in zip(wrong, exact))


def test_falls_back_when_a_node_is_not_certified(monkeypatch):
    monkeypatch.setattr(laplace.VectorForm, "node", lambda self, r: [arb("nan")] * len(self.pairs))
    res = laplace.gram(GENERIC[4], 0, digits=10)
    assert res["route"] == "entrywise" and all(v.is_finite() for row in res["V"] for v in row)


def test_speed_n16_generic():
    """Issue 23 item 7: one certified V(Sigma) to 15 digits at n = 16 (generic Sigma) well inside
    the budget (0.5 s on 2 idle cores; the test allows 5 s for a loaded machine)."""
    res = laplace.gram(GENERIC[16], 0, digits=15)
    assert res["route"] == "vector" and res["seconds"] < 5.0


def _f_complex(Sigma, n, r):
    """max_jk |n s det(I + 2sS)^(-1/2) P(s)_jk| for phi = identity (V_phi(P) = P) at complex
    r = log s (an array), in complex floats from numpy's eigen-decomposition: each factor's
    principal root is the analytic continuation on |Im r| < pi/2 (Re(1 + 2s l) > 0);
    independent of VectorForm."""
    C = np.eye(n) - 1.0 / n
    lam, Q = np.linalg.eigh(C @ _float(Sigma) @ C)
    lam, Q = lam[1:], Q[:, 1:]                           # drop the direction 1 (eigenvalue 0)
    s = np.exp(np.asarray(r, dtype=complex))[..., None]
    fac = 1 + 2 * s * lam
    w = n * s[..., 0] / np.prod(np.sqrt(fac), axis=-1)
    P = np.einsum("ji,ki,...i->...jk", Q, Q, lam / fac)
    return np.abs(w[..., None, None] * P).max()


def test_the_box_bound_holds_on_the_box():
    """VectorForm.bound against the integrand's modulus sampled on the box (corners, edges and a
    grid), phi = identity, where the integrand continues explicitly to complex s; and no bound is
    given where the box leaves the strip |Im r| < pi/2."""
    n, Sigma = 4, GENERIC[4]
    lm = laplace.LaplaceMap(Sigma, 1)
    vf = laplace.VectorForm(lm)
    with ctx.workprec(80):
        for m in (-6.0, -1.0, 0.5, 4.0):
            for h in (0.25, 1.0, 2.5):
                for X, Y, _ in quadrature._ellipses():
                    F = vf.bound(arb(m), arb(h), X, Y)
                    if h * float(Y) >= math.pi / 2:
                        assert F is None
                        continue
                    hx, hy = h * float(X), h * float(Y)
                    grid = (m + hx * np.linspace(-1, 1, 41))[:, None] + 1j * hy * np.linspace(-1, 1, 41)[None, :]
                    worst = _f_complex(Sigma, n, grid)
                    assert float(F) >= worst * (1 + 1e-9), (m, h, float(X), float(F), worst)
        assert vf.bound(arb(0), arb(1), arb(2), arb("1.58")) is None         # h Y > pi/2


# ---------------------------------------------------------------- the Jacobian's vector route
H4 = [[Fr(1, 1 + i + j) if (i + j) % 3 else (Fr(-1, 2 + i) if i == j else 0) for j in range(4)] for i in range(4)]
H4 = [[(H4[i][j] + H4[j][i]) / 2 for j in range(4)] for i in range(4)]


@pytest.mark.parametrize("n", [3, 4, pytest.param(8, marks=pytest.mark.slow)])  # n = 3, 4 by default
def test_directional_vector_against_entrywise(n):
    from bnverify.core import laplace_jacobian

    H = [[Fr(1, 1 + i + j) if (i + j) % 3 else (Fr(-1, 2 + i) if i == j else 0) for j in range(n)] for i in range(n)]
    H = [[(H[i][j] + H[j][i]) / 2 for j in range(n)] for i in range(n)]
    entries = [(0, 0), (0, 1), (1, 2), (2, 2)]
    new = laplace_jacobian.directional(GENERIC.get(n) or [[Fr(2) if i == j else Fr(1, 2 + i + j) for j in range(n)]
                                                         for i in range(n)], H, 0, entries, 15)
    Sig = GENERIC.get(n) or [[Fr(2) if i == j else Fr(1, 2 + i + j) for j in range(n)] for i in range(n)]
    old = laplace_jacobian.directional(Sig, H, 0, entries, 15, route="entrywise")
    assert new["route"] == "vector" and old["route"] == "entrywise"
    for e in entries:
        assert new["D"][e].overlaps(old["D"][e]) and float(new["D"][e].rad()) < 1e-15
        assert abs(float(new["D"][e].mid() - old["D"][e].mid())) < 1e-14


def _df_complex(Sigma, H, n, r, h=1e-5):
    """max_jk |d/de of n s det(I + 2s S_e)^(-1/2) P_e(s)_jk| (phi = identity) at complex r, by a
    central difference in e of the explicit continuation (numpy eigh of C(Sigma +- hH)C)."""
    S0, Hf = _float(Sigma), _float(H)

    def f(e):
        C = np.eye(n) - 1.0 / n
        lam, Q = np.linalg.eigh(C @ (S0 + e * Hf) @ C)
        lam, Q = lam[1:], Q[:, 1:]
        s = np.exp(np.asarray(r, dtype=complex))[..., None]
        fac = 1 + 2 * s * lam
        w = n * s[..., 0] / np.prod(np.sqrt(fac), axis=-1)
        return w[..., None, None] * np.einsum("ji,ki,...i->...jk", Q, Q, lam / fac)
    return np.abs((f(h) - f(-h)) / (2 * h)).max()


def test_the_directional_box_bound_holds_on_the_box():
    """VectorDirectional.bound against the derivative's modulus sampled on the box (phi = identity,
    the derivative by a central difference of the explicit continuation: 1e-6 slack)."""
    from bnverify.core import laplace_jacobian

    n, Sigma = 4, GENERIC[4]
    vd = laplace_jacobian.VectorDirectional(laplace.LaplaceMap(Sigma, 1), H4, [(0, 0), (0, 1)])
    with ctx.workprec(80):
        for m in (-6.0, -1.0, 0.5, 4.0):
            for h in (0.25, 1.0, 2.5):
                for X, Y, _ in quadrature._ellipses()[::3]:
                    F = vd.bound(arb(m), arb(h), X, Y)
                    if h * float(Y) >= math.pi / 2:
                        assert F is None
                        continue
                    hx, hy = h * float(X), h * float(Y)
                    grid = (m + hx * np.linspace(-1, 1, 21))[:, None] + 1j * hy * np.linspace(-1, 1, 21)[None, :]
                    worst = _df_complex(Sigma, H4, n, grid)
                    assert float(F) >= worst * (1 + 1e-6), (m, h, float(X), float(F), worst)
