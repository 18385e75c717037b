"""The scale-free spectrum of full batch normalization at its BSB1 fixed point
(bnverify.derive.bsb1_spectrum) and the certified Jacobian of the RS Gram map behind it
(bnverify.core.laplace_jacobian), against independent computations: central differences of the
certified map, the RC-only simplex eigenvalues (a separate derivation), the identity's angular
Gaussian, a dense finite-difference Jacobian of an mpmath evaluation of the map (n = 3, 4, 5),
and finite-width Monte Carlo of one RC + RS + ReLU layer and of a deep network (n = 4)."""
from __future__ import annotations

import math
from fractions import Fraction as Fr

import mpmath
import numpy as np
import pytest
from flint import acb, arb, ctx

from bnverify.core import arith, laplace, laplace_jacobian
from bnverify.derive import bsb1, bsb1_spectrum, simplex_alln
from bnverify.errors import BadInput

GENERIC4 = [[2, Fr(1, 2), 0, Fr(1, 4)], [Fr(1, 2), 1, Fr(1, 3), 0], [0, Fr(1, 3), Fr(3, 2), Fr(-1, 2)],
            [Fr(1, 4), 0, Fr(-1, 2), 1]]
H4 = [[Fr(1, 3), Fr(-1, 2), Fr(1, 5), 0], [Fr(-1, 2), 0, 1, Fr(1, 7)], [Fr(1, 5), 1, -1, Fr(2, 3)],
      [0, Fr(1, 7), Fr(2, 3), Fr(1, 2)]]


def _f(x):
    return float(x.mid())


# ---------------------------------------------------------------- the certified Jacobian
def test_directional_against_central_differences():
    """DV(Sigma)[H] (generic Sigma and H, n = 4) inside central differences of the certified map
    at step 1e-6 (truncation ~1e-12, the 20-digit balls' noise ~1e-14)."""
    entries = [(0, 0), (0, 1), (1, 3), (2, 3)]
    got = laplace_jacobian.directional(GENERIC4, H4, 0, entries, digits=15)["D"]
    h = Fr(1, 10 ** 6)
    plus = laplace.gram([[GENERIC4[i][j] + h * H4[i][j] for j in range(4)] for i in range(4)], 0, digits=20)["V"]
    minus = laplace.gram([[GENERIC4[i][j] - h * H4[i][j] for j in range(4)] for i in range(4)], 0, digits=20)["V"]
    for j, k in entries:
        fd = (plus[j][k] - minus[j][k]) / (2 * arb(h.numerator) / h.denominator)
        assert float(got[j, k].rad()) < 1e-13
        assert abs(_f(got[j, k]) - _f(fd)) < 1e-9, (j, k, got[j, k], fd)


def test_derivative_end_bounds_hold():
    """The two end bounds of the derivative's integral exceed the integrals they bound (computed
    with acb.integral far beyond the ends), for a generic Sigma and H."""
    lm = laplace.LaplaceMap(GENERIC4, 0)
    dv = laplace_jacobian.Directional(lm, H4)
    with ctx.workprec(80):
        r0, r1, b0, b1 = dv.ends(1e-8)
        for j, k in ((0, 0), (1, 2)):
            left = acb.integral(lambda z, _: dv.entry(j, k, z), r0 - 40, r0, abs_tol=1e-30, rel_tol=1e-12)
            right = acb.integral(lambda z, _: dv.entry(j, k, z), r1, r1 + 80, abs_tol=1e-30, rel_tol=1e-12)
            assert abs(left.real) < b0 and abs(right.real) < b1
            assert b0 < 1e-8 and b1 < 1e-8


def test_directional_bad_input():
    with pytest.raises(BadInput, match="RS without RC"):
        laplace_jacobian.Directional(laplace.LaplaceMap(GENERIC4, 0, rc=False), H4)
    with pytest.raises(BadInput, match="not symmetric"):
        laplace_jacobian.directional(GENERIC4, [[0, 1, 0, 0], [0] * 4, [0] * 4, [0] * 4], 0, [(0, 1)])
    with pytest.raises(BadInput, match="j <= k"):
        laplace_jacobian.directional(GENERIC4, H4, 0, [(2, 1)])


# ---------------------------------------------------------------- the closed-form blocks
@pytest.mark.parametrize("n, slope", [(3, 0), (4, 0), (5, Fr(1, 10)), (4, -1)])
def test_blocks_against_the_certified_integrals(n, slope):
    res = bsb1_spectrum.certify(n, slope, digits=12, check=True)
    assert res["check_ok"], res["integrals"]
    assert float(res["radius"].rad()) < 1e-20


@pytest.mark.parametrize("slope", [0, Fr(1, 10), -1])
def test_rs_is_rc_only_times_n_minus_1_over_n_plus_1(slope):
    """On the standard and (n-2, 2) blocks the RS eigenvalues are (n-1)/(n+1) times the RC-only
    simplex eigenvalues (simplex_alln.forms: a separate derivation, in t = 1/n)."""
    ball = arith.BallContext(200)
    act = bsb1.activation(slope)
    for n in range(3, 40):
        blk = bsb1_spectrum.blocks(n, act, ball)
        rc = simplex_alln.forms(ball.const(Fr(1, n)), act, ball)
        f = ball.const(Fr(n - 1, n + 1))
        assert blk["standard"][1][1].overlaps(f * rc["lam_S"])
        if n >= 4:
            assert blk["pair"][1][0].overlaps(f * rc["lam_P"])


def test_identity_is_the_angular_gaussian():
    """phi = identity: V = n E[u u^T], u uniform on the unit sphere of 1-perp perturbed to an
    angular Gaussian; d E[u u^T] = (K - tr K/m I)/(m + 2) (m = n - 1) gives (n-1)/(n+1) on every
    non-trivial block, exactly."""
    ex = arith.ExactContext()
    for n in range(3, 9):
        blk = bsb1_spectrum.blocks(n, bsb1.activation(1), ex)
        assert ex.sp.simplify(blk["standard"][1][1] - ex.sp.Rational(n - 1, n + 1)) == 0
        if n >= 4:
            assert ex.sp.simplify(blk["pair"][1][0] - ex.sp.Rational(n - 1, n + 1)) == 0


def test_exact_closed_form_inside_the_ball():
    ex = arith.ExactContext()
    for n in (3, 4, 7):
        exact = bsb1_spectrum.blocks(n, bsb1.activation(0), ex)
        ball = bsb1_spectrum.certify(n, 0, 20, check=False)["blocks"]
        for comp in exact:
            for e, b in zip(exact[comp][1], ball[comp][1]):
                x = mpmath.mpf(str(ex.sp.N(e, 40)))
                assert abs(x - mpmath.mpf(b.mid().str(30, radius=False))) < 1e-25


def test_block_bad_input():
    with pytest.raises(BadInput, match="n >= 3"):
        bsb1_spectrum.certify(2, 0)
    with pytest.raises(BadInput, match="n <= 32"):
        bsb1_spectrum.certify(40, 0, check=True)


# ---------------------------------------------------------------- independent: mpmath, dense
def mp_gram(Sig, a, h=mpmath.mpf(1) / 4, r0=-50, r1=50):
    """V(Sigma) for RC + RS and the leaky slope a at mpmath's precision: S = C Sigma C by
    mp.eigsy, the integral in r = log s by the trapezoid rule (exponentially convergent here:
    the integrand is analytic in a strip and decays like e^r and e^(-r(n-1)/2)); all entries at
    once.  Independent of the polynomials and acb.integral of bnverify.core.laplace."""
    mp = mpmath.mp
    n = Sig.rows
    C = mp.matrix(n, n)
    for i in range(n):
        for j in range(n):
            C[i, j] = (1 if i == j else 0) - mp.mpf(1) / n
    lam, Q = mp.eigsy(C * Sig * C)
    keep = sorted(range(n), key=lambda i: lam[i])[1:]
    A, B = (1 + mp.mpf(a) ** 2) / 2, (1 - mp.mpf(a)) ** 2 / (2 * mp.pi)
    V = [[mp.mpf(0)] * n for _ in range(n)]
    for i in range(int((r1 - r0) / h) + 1):
        s = mp.exp(r0 + i * h)
        d = [lam[t] / (1 + 2 * s * lam[t]) for t in keep]
        w = h * n * s / mp.sqrt(mp.fprod([1 + 2 * s * lam[t] for t in keep]))
        P = [[mp.fsum(Q[j, t] * Q[k, t] * dd for t, dd in zip(keep, d)) for k in range(n)] for j in range(n)]
        for j in range(n):
            V[j][j] += w * A * P[j][j]
            for k in range(j + 1, n):
                R = mp.sqrt(P[j][j] * P[k][k])
                rho = P[j][k] / R
                V[j][k] += w * R * (A * rho + B * (mp.sqrt(1 - rho * rho) - rho * mp.acos(rho)))
    return V


def dense_jacobian(n, slope, dps=24, step=mpmath.mpf(10) ** -7):
    """The n(n+1)/2-square Jacobian of V at Sigma* by central differences of :func:`mp_gram`,
    and its eigenvalues (mpmath)."""
    with mpmath.workdps(dps):
        mp = mpmath.mp
        A = (1 + mp.mpf(slope) ** 2) / 2
        B = (1 - mp.mpf(slope)) ** 2 / (2 * mp.pi)
        rho = mp.mpf(-1) / (n - 1)
        kap = A * rho + B * (mp.sqrt(1 - rho ** 2) - rho * mp.acos(rho))
        Sig = mp.matrix([[A if i == j else kap for j in range(n)] for i in range(n)])
        idx = [(i, j) for i in range(n) for j in range(i, n)]
        J = mp.matrix(len(idx), len(idx))
        for col, (i, j) in enumerate(idx):
            H = mp.matrix(n, n)
            H[i, j] = H[j, i] = 1
            plus, minus = mp_gram(Sig + step * H, slope), mp_gram(Sig - step * H, slope)
            for row, (a, b) in enumerate(idx):
                J[row, col] = (plus[a][b] - minus[a][b]) / (2 * step)
        return mp.eig(J, left=False, right=False)


@pytest.mark.slow
@pytest.mark.parametrize("n", [3, 4, 5])
def test_dense_finite_difference_jacobian(n):
    """Every eigenvalue of the dense Jacobian (modulo the scale direction: one 0 more) is one of the
    blocks' with its multiplicity: lam_S (n - 1 times), lam_P (n(n-3)/2), 0 (n + 1 times: the
    trivial block's two and the n - 1 translations of the standard block)."""
    res = bsb1_spectrum.certify(n, 0, 20, check=False)
    lam_S = _f(res["blocks"]["standard"][1][1])
    want = sorted([lam_S] * (n - 1) + ([_f(res["blocks"]["pair"][1][0])] * (n * (n - 3) // 2) if n >= 4 else [])
                  + [0.0] * (n + 1))
    eig = dense_jacobian(n, 0)
    assert max(abs(float(mpmath.im(e))) for e in eig) < 1e-9
    got = sorted(float(mpmath.re(e)) for e in eig)
    assert len(got) == len(want) == n * (n + 1) // 2
    assert max(abs(g - w) for g, w in zip(got, want)) < 1e-9, (got, want)


# ---------------------------------------------------------------- independent: finite width
def _bn_relu_gram(Z):
    """The Gram matrix (over the width) of phi(RS(RC(Z))) for Z of shape (width, n)."""
    Z = Z - Z.mean(axis=1, keepdims=True)
    Y = math.sqrt(Z.shape[1]) * Z / np.linalg.norm(Z, axis=1, keepdims=True)
    F = np.maximum(Y, 0)
    return F.T @ F / Z.shape[0]


def one_layer_jacobian(Sig, H, width, eps, rng):
    """(V(Sig + eps H) - V(Sig - eps H)) / (2 eps) measured by one finite-width RC + RS + ReLU layer
    with the same weights on both sides (rows W x ~ N(0, Sig +- eps H))."""
    G = rng.standard_normal((width, Sig.shape[0]))
    plus = _bn_relu_gram(G @ np.linalg.cholesky(Sig + eps * H).T)
    minus = _bn_relu_gram(G @ np.linalg.cholesky(Sig - eps * H).T)
    return (plus - minus) / (2 * eps)


@pytest.mark.slow
def test_finite_width_layer_contraction_n4():
    """n = 4: one layer of width 2^18, 16 seeds, common weights for Sigma* +- 1e-3 H.  The block
    read off the measured derivative (D -> D, O coordinates; pair -> pair) matches the certified
    lam_S and lam_P within 4.5 standard errors (the spectral radius is lam_S)."""
    n, seeds, width = 4, 16, 2 ** 18
    res = bsb1_spectrum.certify(n, 0, 15, check=False)
    lam_S, lam_P = _f(res["blocks"]["standard"][1][1]), _f(res["blocks"]["pair"][1][0])
    c = _f(bsb1.closed_form(n, 0))
    Sig = 0.5 * ((1 - c) * np.eye(n) + c * np.ones((n, n)))
    x = np.array([1.0, -1.0, 0.0, 0.0])
    D, O = np.diag(x), (x[:, None] + x[None, :]) * (1 - np.eye(n))
    P = np.zeros((n, n))
    P[0, 2] = P[2, 0] = P[1, 3] = P[3, 1] = 1
    P[0, 3] = P[3, 0] = P[1, 2] = P[2, 1] = -1
    est_S, est_P = [], []
    for seed in range(seeds):
        rng = np.random.default_rng([23, seed])
        dD = one_layer_jacobian(Sig, D, width, 1e-3, rng)
        dO = one_layer_jacobian(Sig, O, width, 1e-3, rng)
        dP = one_layer_jacobian(Sig, P, width, 1e-3, rng)
        coords = lambda M: (np.sum(M * D) / np.sum(D * D), np.sum(M * O) / np.sum(O * O))  # noqa: E731
        block = np.array([coords(dD), coords(dO)]).T
        est_S.append(np.trace(block))                 # the other eigenvalue is 0
        est_P.append(np.sum(dP * P) / np.sum(P * P))
    for est, want in ((est_S, lam_S), (est_P, lam_P)):
        mean, se = np.mean(est), np.std(est, ddof=1) / math.sqrt(seeds)
        assert abs(mean - want) < 4.5 * se + 1e-3, (mean, se, want)


def deep_network_cosine(n, width, depth, seed):
    """The mean off-diagonal cosine after ``depth`` RC + RS + ReLU layers of width ``width`` from a
    generic start.  Given the layer's input X, the rows of W X (W iid N(0, 1/width)) are iid
    N(0, X^T X / width): they are drawn so (the width x width weights are never formed)."""
    rng = np.random.default_rng([4, n, seed])
    X = rng.standard_normal((width, n)) + np.eye(n)[0] * 2
    for _ in range(depth):
        L = np.linalg.cholesky(X.T @ X / width)
        Z = rng.standard_normal((width, n)) @ L.T
        Z = Z - Z.mean(axis=1, keepdims=True)
        X = np.maximum(Z / Z.std(axis=1, keepdims=True), 0)
    G = X.T @ X / width
    cos = G / np.sqrt(np.outer(np.diag(G), np.diag(G)))
    return cos[~np.eye(n, dtype=bool)].mean()


def test_finite_width_network_reaches_bsb1_n4():
    """n = 4: width-4096 RC + RS + ReLU networks (30 layers, 8 seeds) from a generic start end with
    a mean off-diagonal cosine whose seed average is within 4 standard errors (+ 1/width) of c*."""
    c_star = _f(bsb1.closed_form(4, 0))
    got = [deep_network_cosine(4, 4096, 30, seed) for seed in range(8)]
    mean, se = np.mean(got), np.std(got, ddof=1) / math.sqrt(len(got))
    assert abs(mean - c_star) < 4 * se + 1 / 4096, (mean, se, c_star)


# ---------------------------------------------------------------- the command
def test_simplex_rs_command(run_cli):
    import json

    code, out, err = run_cli("simplex", "--stages", "rc,rs,relu", "--n", "3..5", "--check-to", "4", "--jobs", "1",
                             "--json")
    assert code == 0, err
    doc = json.loads(out)
    rows = doc["results"]
    assert [r["n"] for r in rows] == [3, 4, 5] and doc["stages"] == "rc,rs,relu"
    assert [r["laplace_check"] for r in rows] == [True, True, None]
    assert all(r["status"] == "enclosed" and r["checked"] is False for r in rows)
    assert "not kernel-checked" in rows[0]["reason"] and "modulo the scale" in doc["eigenvalue_convention"]
    # n = 3: lam_S = (n-1)/(n+1) times the RC-only radius (10 pi - 3 sqrt 3)/(2 (7 pi - 3 sqrt 3))
    rc3 = (10 * math.pi - 3 * math.sqrt(3)) / (2 * (7 * math.pi - 3 * math.sqrt(3)))
    lo, hi = (float(v) for v in rows[0]["spectral_radius"])
    assert lo - 1e-15 <= rc3 / 2 <= hi + 1e-15 and rows[0]["lam_P"] is None
    assert rows[1]["blocks"]["pair"]["multiplicity"] == 2 and rows[1]["blocks"]["standard"]["multiplicity"] == 3
    assert rows[2]["radius_from"] == ["standard"] and "lam_S" in rows[2]["exact"]
    assert "[3/3]" in err                       # progress on stderr, stdout only JSON


def test_simplex_rs_text_fits_and_bad_input(run_cli, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    code, out, _ = run_cli("simplex", "--stages", "rc,rs,relu", "--n", "3..9", "--check-to", "0", "--jobs", "1")
    assert code == 0 and max(len(line) for line in out.splitlines()) <= 120
    assert "enclosed" in out and "proved" not in out and "not kernel-checked" in out
    for bad in (["--stages", "rs,relu", "--n", "4"], ["--stages", "rc,rs,tanh", "--n", "4"],
                ["--stages", "rc,rs,relu", "--n", "3.."], ["--stages", "rc,rs,relu", "--n", "4", "--check-to", "99"],
                ["--n", "4", "--check-to", "3"], ["--stages", "rc,rs,relu", "--n", "4", "--cert", "x.json"],
                ["--stages", "rc,rs,relu", "--n", "2"], ["--stages", "rs,rc,relu", "--n", "4"],
                ["--stages", "rc,rs,relu", "--n", "40", "--check-to", "40"]):
        code, out, err = run_cli("simplex", *bad)
        assert code == 2 and out == "" and err.count("\n") == 1 and "error" in err, (bad, err)
