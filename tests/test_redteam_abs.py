"""Red team of the trusted kernel's abs (phi = |x|, leaky slope -1) handling (helper rt-abs).

Independent computations only: the dense n x n Gram map with E|x||y| = (2/pi)(sqrt(1-r^2) + r asin r)
sqrt(q1 q2) in mpmath, one-sided differences along PSD directions, and one-layer finite-width
networks in numpy.  A test marked xfail(strict=True) shows a defect (the reason says which)."""
from __future__ import annotations

from collections import Counter

import mpmath as mp
import numpy as np
import pytest

from bnverify import trusted


def _claim(prop, params, n="3..", stages=("rc",), act="abs", alpha=None):
    dom = {"n": n} if alpha is None else {"n": n, "alpha": alpha}
    return {"property": prop, "stages": list(stages), "activation": act, "domain": dom, "params": params}


def _kappa(r):
    """E|x||y| at unit variances and correlation r (own closed form)."""
    r = max(mp.mpf(-1), min(mp.mpf(1), mp.mpf(r)))
    return 2 / mp.pi * (mp.sqrt(1 - r * r) + r * mp.asin(r))


# ---------------------------------------------------------------- stage facts: NL alone
# was a false proved (the red team's D1): the statement now excludes rho = -1 at alpha = -1 and says what it does
@pytest.mark.parametrize("n", ["2", "5"])
def test_nl_alone_rate_is_false_for_an_antipodal_start(n):
    mp.mp.dps = 40
    # independently: f(-1) = kappa(-1)/kappa(1) = 1, and at finite width x, -x give |Wx| twice
    assert abs(_kappa(-1) / _kappa(1) - 1) < mp.mpf(10) ** -35
    rng = np.random.default_rng(0)
    W, x = rng.standard_normal((64, 3)), rng.standard_normal(3)
    a, b = np.abs(W @ x), np.abs(W @ -x)
    assert np.allclose(a, b)          # correlation 1 after one layer, and forever after: l^2 (1 - rho_l) = 0
    verdict, statement, _ = trusted.decide(_claim("stage-fact", {}, n, stages=()))
    assert verdict == "proved"
    # the proved statement quantifies over every correlation below 1, antipodal pairs included
    assert not ("every pairwise correlation below 1" in statement and "4/c^2" in statement)
    assert "in (-1, 1)" in statement and "antipodal pair (-1) is at 1 after one layer" in statement


# ---------------------------------------------------------------- spectral radius: the proved reason's words
@pytest.mark.parametrize("bound", ["1", "-1"])
def test_spectral_radius_above_reason_does_not_claim_every_eigenvalue(bound):
    # with bound -1 the reason reads 'every eigenvalue ... shown > -1' although -n/(n-2) < -1 (-3 at n = 3)
    verdict, _, reason = trusted.decide(_claim("spectral-radius", {"state": "two-point", "relation": ">",
                                                                   "bound": bound}))
    assert verdict == "proved"
    # independently (the dense map below): 0 and -n/(n-2) are eigenvalues at every n
    assert "every eigenvalue" not in reason


# ---------------------------------------------------------------- kernel-definite: the display of an unused witness
def test_inconclusive_kernel_definite_prints_no_counterexample(run_cli):
    code, out, err = run_cli("check", "--stages", "abs", "--n", "17..", "--property", "kernel-definite",
                             "--points", "pairs-independent")
    assert code == 3, out + err                       # inconclusive (the claim is false for abs: x, -x)
    assert "\n  counterexample:" not in out and "null vector of K" not in out      # no witness block, no method


# ---------------------------------------------------------------- held: the dense map at n = 7, 8 (beyond tests/test_abs.py)
def _dense_spectrum(n, after=False):
    """Scale-free spectrum of the n x n map (RC then |.|, or |.| then RC) at its two-point fixed ray, by
    one-sided differences along the PSD directions e_i e_i^T and (e_i + e_j)(e_i + e_j)^T, 50 digits."""
    mp.mp.dps = 50
    C = mp.eye(n) - mp.ones(n, n) / n

    def K(S):
        def k(a, b, c):
            s = mp.sqrt(a * b)
            return s * _kappa(c / s) if s else mp.mpf(0)
        return mp.matrix([[k(S[i, i], S[j, j], S[i, j]) for j in range(n)] for i in range(n)])

    F = (lambda G: C * K(G) * C) if after else (lambda G: K(C * G * C))
    v = mp.matrix([-1] * (n - 1) + [n - 1]) if after else mp.matrix([1] * (n - 1) + [n - 1])
    G, h = v * v.T, mp.mpf(10) ** -34
    F0 = F(G)
    c = F0[n - 1, n - 1] / G[n - 1, n - 1]
    assert mp.norm(F0 - c * G) < mp.mpf(10) ** -30
    d = {}
    for i in range(n):
        for j in range(i, n):
            E = mp.zeros(n, n)
            E[i, i] = E[j, j] = E[i, j] = E[j, i] = 1
            d[i, j] = (F(G + h * E) - F0) / h
    basis = [(i, j) for i in range(n) for j in range(i, n)]
    J = mp.zeros(len(basis), len(basis))
    for col, (i, j) in enumerate(basis):
        dF = d[i, i] if i == j else d[i, j] - d[i, i] - d[j, j]        # along E_ij + E_ji
        for row, (k, m) in enumerate(basis):
            J[row, col] = dF[k, m]
    ev = sorted(float(mp.re(e)) for e in mp.eig(J / c, left=False, right=False))
    ev.remove(min(ev, key=lambda e: abs(e - 1)))                      # G*'s own direction
    return c, Counter(round(e, 8) for e in ev)


@pytest.mark.parametrize("n,after", [(7, False), pytest.param(8, False, marks=pytest.mark.slow), (7, True)])
def test_dense_spectrum_matches_the_proved_closed_form(n, after):
    c, spec = _dense_spectrum(n, after)
    assert abs(c - ((n - 2) / n) ** 2) < 1e-12
    want = Counter({0.0: n, round(-n / (n - 2), 8): n - 2, round(n * n / (n - 2) ** 2, 8): (n - 1) * (n - 2) // 2})
    assert spec == want
    eig = [["0", "n"], ["-n/(n-2)", "n-2"], ["n**2/(n-2)**2", "(n-1)*(n-2)/2"]]
    stages = ("nl", "rc") if after else ("rc",)
    assert trusted.decide(_claim("jacobian-spectrum", {"state": "two-point", "eigenvalues": eig}, str(n),
                                 stages=stages))[0] == "proved"


# ---------------------------------------------------------------- n = 2: the reason given for invariance
def test_invariance_at_n2_is_not_refused_for_the_fixed_point_reason():
    # independently: width 1, W = 1, batch (v, u) = (0, 1): RC gives (-1/2, 1/2), |.| gives (1/2, 1/2)
    s = np.array([0.0, 1.0]) - 0.5
    v1, u1 = np.abs(s)
    assert v1 * u1 == 0.25
    try:
        verdict = trusted.decide(_claim("invariant-configuration", {}, "2"))[0]
    except trusted.NoGoal as e:
        assert "scale-free" not in str(e)
        return
    assert verdict == "refuted"
