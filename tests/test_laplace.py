"""The certified Laplace evaluation of the RS Gram map (bnverify.core.laplace) against independent
computations: finite-width Monte Carlo of the definition, a float Gauss-Laguerre evaluation in
r = log s as in Yang et al.'s published notebook (re-implemented here from its description),
mpmath quad at 30 digits, and closed forms (identity at n = 3, the BSB1 family)."""
from __future__ import annotations

import math
from fractions import Fraction as Fr

import mpmath
import numpy as np
import pytest

from bnverify.core import laplace
from bnverify.errors import BadInput

# one non-symmetric Sigma per n (rational, positive definite), reused below
SIGMAS = {
    3: [[1, Fr(1, 2), Fr(1, 5)], [Fr(1, 2), 2, Fr(-1, 3)], [Fr(1, 5), Fr(-1, 3), Fr(3, 2)]],
    4: [[2, Fr(1, 2), 0, Fr(1, 4)], [Fr(1, 2), 1, Fr(1, 3), 0], [0, Fr(1, 3), Fr(3, 2), Fr(-1, 2)],
        [Fr(1, 4), 0, Fr(-1, 2), 1]],
    5: [[1 if i == j else Fr(1, 2 + i + j) for j in range(5)] for i in range(5)],
}


def _float(S):
    return np.array([[float(v) for v in row] for row in S])


def _kappa(rho, a):
    A, B = (1 + a * a) / 2, (1 - a) ** 2 / (2 * np.pi)
    rho = np.clip(rho, -1, 1)
    return A * rho + B * (np.sqrt(1 - rho * rho) - rho * np.arccos(rho))


def _vphi(P, a):
    d = np.sqrt(np.diagonal(P, axis1=-2, axis2=-1))
    dd = d[..., :, None] * d[..., None, :]
    return dd * _kappa(P / dd, a)


def _phi(x, a):
    return np.where(x > 0, x, a * x)


def monte_carlo(Sigma, a, rc, samples, seed):
    """(mean, standard error) of E[phi(y) phi(y)^T], y = sqrt(n) x / |C z|, x = C z or z."""
    n = len(Sigma)
    rng = np.random.default_rng(seed)
    z = rng.multivariate_normal(np.zeros(n), _float(Sigma), size=samples)
    cz = z - z.mean(axis=1, keepdims=True)
    x = cz if rc else z
    y = math.sqrt(n) * x / np.linalg.norm(cz, axis=1, keepdims=True)
    f = _phi(y, a)
    prod = f[:, :, None] * f[:, None, :]
    return prod.mean(axis=0), prod.std(axis=0) / math.sqrt(samples)


def gauss_laguerre(Sigma, a, nodes=80):
    """Float V(Sigma) for RC + RS the way Yang's notebook does it: S = C Sigma C diagonalised,
    the integral in r = log s split at the integrand's peak, each side by Gauss-Laguerre."""
    n = len(Sigma)
    C = np.eye(n) - np.ones((n, n)) / n
    lam, Q = np.linalg.eigh(C @ _float(Sigma) @ C)
    lam, Q = lam[1:], Q[:, 1:]                       # drop the 1 direction (eigenvalue 0)

    def f(r):
        # in logs (V_phi is homogeneous of degree 1, so the factor n e^r / sqrt(det) goes into P)
        logu = np.logaddexp(0, math.log(2) + r[:, None] + np.log(lam))
        logw = np.log(lam) - logu - 0.5 * logu.sum(axis=1, keepdims=True) + r[:, None] + math.log(n)
        P = np.einsum("ij,rj,kj->rik", Q, np.exp(logw), Q)
        with np.errstate(invalid="ignore", divide="ignore"):
            V = _vphi(P, a)
        return np.where(np.isfinite(V), V, 0.0)     # 0/0 only where P underflowed (|V| < 1e-300)

    peak = -math.log(float(np.mean(lam)) * (n - 1))
    x, w = np.polynomial.laguerre.laggauss(nodes)
    ew = w * np.exp(np.minimum(x, 700.0))           # w underflows to 0 where e^x would overflow
    keep = ew > 0                                   # (and there f may underflow to 0/0)
    ew, x = ew[keep], x[keep]
    right = np.einsum("r,rik->ik", ew, f(peak + x / 2)) / 2       # r = peak + x/2
    left = np.einsum("r,rik->ik", ew, f(peak - x))
    return right + left


def mp_quad(Sigma, a, dps=30):
    """V(Sigma)_01 and V(Sigma)_00 for RC + RS by mpmath quad in s at dps digits (eigen-
    decomposition with mp.eigsy)."""
    with mpmath.workdps(dps):
        n = len(Sigma)
        C = mpmath.matrix([[mpmath.mpf(int(i == j)) - mpmath.mpf(1) / n for j in range(n)] for i in range(n)])
        Sig = mpmath.matrix([[mpmath.mpf(v.numerator) / v.denominator if isinstance(v, Fr) else mpmath.mpf(v)
                              for v in row] for row in Sigma])
        lam, Q = mpmath.eigsy(C * Sig * C)
        A, B = (1 + mpmath.mpf(a) ** 2) / 2, (1 - mpmath.mpf(a)) ** 2 / (2 * mpmath.pi)
        keep = [i for i in range(n) if lam[i] > mpmath.mpf(10) ** (-dps // 2)]

        def P(s, j, k):
            return sum(Q[j, i] * Q[k, i] * lam[i] / (1 + 2 * s * lam[i]) for i in keep)

        def entry(j, k):
            def g(s):
                det = mpmath.fprod([1 + 2 * s * lam[i] for i in keep])
                p, q, c = P(s, j, k), P(s, j, j), P(s, k, k)
                rho = p / mpmath.sqrt(q * c)
                return n * mpmath.sqrt(q * c) * (A * rho + B * (mpmath.sqrt(1 - rho ** 2) - rho * mpmath.acos(rho))) \
                    / mpmath.sqrt(det)
            return mpmath.quad(g, [0, 1, 10, 100, 10 ** 4, mpmath.inf])
        return entry(0, 1), n * A * mpmath.quad(
            lambda s: P(s, 0, 0) / mpmath.sqrt(mpmath.fprod([1 + 2 * s * lam[i] for i in keep])),
            [0, 1, 10, 100, 10 ** 4, mpmath.inf])


def _mp(ball):
    """The ball's midpoint exactly, as an mpmath number (str() would round to the global precision)."""
    from flint import ctx

    with ctx.workprec(400):             # mid() rounds to the working precision
        m, e = (int(t) for t in ball.mid().man_exp())
    with mpmath.workprec(max(m.bit_length(), 53) + 8):
        return +mpmath.ldexp(mpmath.mpf(m), e)


def _contains(ball, value, slack=0.0):
    return abs(float(ball.mid()) - value) <= float(ball.rad()) + slack


@pytest.mark.parametrize("n", [3, 4, 5])
def test_monte_carlo_relu(n):
    res = laplace.gram(SIGMAS[n], 0, rc=True, digits=10)
    mean, se = monte_carlo(SIGMAS[n], 0.0, True, 200_000, seed=n)
    for j in range(n):
        for k in range(n):
            assert abs(float(res["V"][j][k].mid()) - mean[j, k]) < 5 * se[j, k] + 1e-12, (j, k)


@pytest.mark.slow
def test_monte_carlo_rs_alone_leaky():
    S = SIGMAS[5]
    res = laplace.gram(S, Fr(1, 10), rc=False, digits=8)
    mean, se = monte_carlo(S, 0.1, False, 200_000, seed=7)
    for j in range(5):
        for k in range(5):
            assert abs(float(res["V"][j][k].mid()) - mean[j, k]) < 5 * se[j, k], (j, k)


@pytest.mark.parametrize("n, a", [(3, 0), (4, 0), (4, Fr(1, 5)), (5, -1)])
def test_gauss_laguerre(n, a):
    res = laplace.gram(SIGMAS[n], a, rc=True, digits=15)
    ref, ref2 = gauss_laguerre(SIGMAS[n], float(a), 100), gauss_laguerre(SIGMAS[n], float(a), 140)
    # numpy's high-order Laguerre weights carry ~1e-11 relative error (tr V = n for abs is off by
    # 5e-12 at 160 nodes), so the float rule's error is its node-doubling difference plus that floor
    err = np.abs(ref - ref2).max() + 1e-10
    assert err < 1e-6                                     # the float rule has converged
    for j in range(n):
        for k in range(n):
            assert _contains(res["V"][j][k], ref2[j, k], err), (j, k, res["V"][j][k], ref2[j, k])
            assert float(res["V"][j][k].rad()) < 1e-14 * max(1.0, abs(ref2[j, k]))


def test_mpmath_30_digits():
    S = SIGMAS[3]
    res = laplace.gram(S, 0, rc=True, digits=28)
    v01, v00 = mp_quad(S, 0, 30)
    for ball, ref in ((res["V"][0][1], v01), (res["V"][0][0], v00)):
        assert float(ball.rad()) < 1e-27
        assert abs(_mp(ball) - ref) <= mpmath.mpf(float(ball.rad())) + mpmath.mpf(10) ** -27


def test_identity_n3_closed_form():
    """phi = identity, RC + RS, n = 3: V = n E[x x^T/|x|^2] = 3 S^(1/2) / tr S^(1/2) (the angular law
    of a 2-d Gaussian: E[x_1^2 / |x|^2] = sqrt(l1) / (sqrt(l1) + sqrt(l2)))."""
    S = SIGMAS[3]
    res = laplace.gram(S, 1, rc=True, digits=20)
    with mpmath.workdps(40):
        C = mpmath.matrix([[mpmath.mpf(int(i == j)) - mpmath.mpf(1) / 3 for j in range(3)] for i in range(3)])
        Sig = mpmath.matrix([[mpmath.mpf(Fr(v).numerator) / Fr(v).denominator for v in row] for row in S])
        lam, Q = mpmath.eigsy(C * Sig * C)
        root = sum((mpmath.sqrt(max(lam[i], 0)) * Q[:, i] * Q[:, i].T for i in range(3)), mpmath.zeros(3))
        V = 3 * root / sum(mpmath.sqrt(max(lam[i], 0)) for i in range(3))
        for j in range(3):
            for k in range(3):
                assert abs(_mp(res["V"][j][k]) - V[j, k]) < 1e-18


def test_identity_trace_and_rows():
    """Identity with RC + RS: tr V = E|y|^2 = n and V 1 = 0 (y is centred), for any Sigma."""
    res = laplace.gram(SIGMAS[4], 1, rc=True, digits=12)
    V = res["V"]
    assert sum(V[j][j] for j in range(4)).contains(4) or _contains(sum(V[j][j] for j in range(4)), 4.0)
    for j in range(4):
        assert abs(float(sum(V[j][k] for k in range(4)).mid())) < 1e-11


@pytest.mark.parametrize("n", [3, 6])
def test_bsb1_family_constant(n):
    """RC + RS maps every BSB1 matrix to n/(n-1) V_phi(C): the entries do not depend on c."""
    rho = -1.0 / (n - 1)
    expect = float(_kappa(np.array(rho), 0.0))
    for c in (Fr(0), Fr(7, 10)):
        Sig = [[1 if i == j else c for j in range(n)] for i in range(n)]
        res = laplace.gram(Sig, 0, rc=True, digits=12)
        assert _contains(res["V"][0][1], expect) and _contains(res["V"][0][0], 0.5)


def test_bad_input():
    with pytest.raises(BadInput, match="not positively homogeneous"):
        laplace.slope("tanh")
    with pytest.raises(BadInput, match="diverges"):
        laplace.gram(SIGMAS[3], 0, rc=False)
    with pytest.raises(BadInput, match="rank n - 1"):
        laplace.gram([[1, 1, 0], [1, 1, 0], [0, 0, 1]], 0)          # two equal points
    with pytest.raises(BadInput, match="symmetric"):
        laplace.gram([[1, 0, 0], [Fr(1, 2), 1, 0], [0, 0, 1]], 0)


# ---------------------------------------------------------------- the BSB1 state and its command
# slow: finite-width networks (8.7 s); the integral against Monte Carlo stays in the default run
@pytest.mark.slow
def test_bsb1_against_finite_width_network():
    """A width-2048 RC + RS + ReLU network (n = 5, 40 layers, 3 seeds) ends near c*: its mean
    off-diagonal cosine is within 0.02 of the certified value."""
    from bnverify.derive import bsb1

    n, d = 5, 2048
    c_star = float(bsb1.closed_form(n, 0).mid())
    for seed in range(3):
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((d, n))
        for _ in range(40):
            Z = rng.standard_normal((d, d)) @ X / math.sqrt(d)
            Z = Z - Z.mean(axis=1, keepdims=True)
            Z = Z / Z.std(axis=1, keepdims=True)
            X = np.maximum(Z, 0)
        G = X.T @ X / d
        cos = G / np.sqrt(np.outer(np.diag(G), np.diag(G)))
        assert abs(cos[~np.eye(n, dtype=bool)].mean() - c_star) < 0.02


def test_bsb1_command(capsys):
    import json

    from bnverify.cli import main

    assert main(["bsb1", "--n", "3..4", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["n"] for r in doc["rows"]] == [3, 4] and all(r["laplace_check"] for r in doc["rows"])
    assert "not kernel-checked" in doc["note"]
    lo, hi = (float(v) for v in doc["rows"][0]["c"])
    # n = 3, relu: c* = 2 kappa(-1/2) = (sqrt(3)/2 - pi/6) / pi
    assert lo <= (math.sqrt(3) / 2 - math.pi / 6) / math.pi <= hi
    for bad in (["--stages", "rc,rs,nosuch"], ["--stages", "rs,rc,relu"], ["--stages", "rc,relu"], ["--n", "2"],
                ["--digits", "0"], ["--check-to", "99"], ["--alpha", "1/2"], ["--stages", "rc,rs,leaky_relu",
                                                                              "--alpha", "2"]):
        assert main(["bsb1"] + bad) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "error" in err
