"""Red team of issue 23 item 3 (O_n under RS): rs-growth, the averaging lemma, the rs-cover item and
the basin goal with RS.  Independent re-derivations (numpy / mpmath, written apart from
bnverify.derive) that the kernel's mathematics survived, and the defects found (xfail strict)."""
from __future__ import annotations

import time
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from bnverify import trusted
from bnverify.trusted import items as trusted_items
from bnverify.trusted import kernel, rs
from bnverify.trusted import rs_family as trusted_family


# ---------------------------------------------------------------- independent models
def _sigma(n, rho):
    """The centred symmetric family, cluster diagonal 1, cluster cosine rho (odd point last)."""
    q = 1 + (n - 2) * rho
    S = np.full((n, n), rho, dtype=float)
    np.fill_diagonal(S, 1.0)
    S[:, -1] = S[-1, :] = -q
    S[-1, -1] = (n - 1) * q
    return S


def _k_leaky(S, al):
    d = np.sqrt(np.maximum(np.diag(S), 0))
    dd = np.outer(d, d)
    c = np.clip(np.divide(S, dd, out=np.zeros_like(S), where=dd > 0), -1, 1)
    th = np.arccos(c)
    relu = dd / (2 * np.pi) * (np.sin(th) + (np.pi - th) * c)
    return al * S + (1 - al) ** 2 * relu           # E[phi phi], phi = al x + (1 - al) relu(x)


def _centre(M):
    C = np.eye(len(M)) - 1 / len(M)
    return C @ M @ C


def _average_of_h(n, rho, al=0.0):
    """The averaging lemma's right-hand side, from the Laplace representation itself:
    int det(I+2sS)^-1/2 C K(S(I+2sS)^-1) C ds, its cluster correlation."""
    S = _sigma(n, rho)
    ev, U = np.linalg.eigh(S)
    ev = np.maximum(ev, 0)

    def part(s, j):
        P = (U * (ev / (1 + 2 * s * ev))) @ U.T
        M = _centre(_k_leaky(P, al)) / np.sqrt(np.prod(1 + 2 * s * ev))
        return M[0, 1] if j else M[0, 0]
    cuts = [0, 0.1, 1, 10, 100, 1e3, 1e4, 1e5, 1e6]
    num = mp.quad(lambda s: part(float(s), 1), cuts)
    den = mp.quad(lambda s: part(float(s), 0), cuts)
    return float(num / den)


def _monte_carlo(n, rho, al=0.0, N=400_000, seed=3):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((N, n)) @ np.linalg.cholesky(_sigma(n, rho) + 1e-13 * np.eye(n)).T
    z -= z.mean(1, keepdims=True)
    y = np.sqrt(n) * z / np.linalg.norm(z, axis=1, keepdims=True)
    f = np.where(y > 0, y, al * y)
    M = _centre(f.T @ f / N)
    return M[0, 1] / M[0, 0]


def _trusted_h_rs(n, rho, al):
    from flint import ctx
    r = Fraction(rho).limit_denominator(10 ** 6)
    with ctx.workprec(64):
        return trusted_family.h_rs(r, r, n, Fraction(al).limit_denominator(100), 64), float(r)


@pytest.mark.slow
# ---------------------------------------------------------------- attacks the kernel survived
@pytest.mark.parametrize("n, rho, al", [(4, 0.8, 0.0), (7, -0.17, 0.0), (10, 0.3, 0.0), (6, 0.5, 0.1)])
def test_averaging_lemma_independently(n, rho, al):
    """RC + RS's map on the family = the weighted average of RC alone's h: independent quadrature
    against the trusted ball integral (1e-9) and Monte Carlo of the definition (4e5 samples)."""
    t, r = _trusted_h_rs(n, rho, al)
    assert abs(_average_of_h(n, r, al) - float(t.mid())) < 1e-9 and t.rad() < 1e-9
    assert abs(_monte_carlo(n, r, al) - float(t.mid())) < 6e-3


def _deficit(n, al, eps):
    """delta_out at G* + eps e e^T by quadrature over the uniform angle theta of (g1, g2)."""
    a, b, x = (1 + al ** 2) / (2 * (n - 1)), (1 + al ** 2) * (n - 1) / 2, -al     # RS's two-point image
    k = mp.sqrt(2 * eps / ((a + b - 2 * x) / a * (n - 1) / mp.mpf(n)))
    sig = 1 / mp.sqrt(n * (n - 1))
    phi = lambda t: t if t > 0 else al * t                                   # noqa: E731

    def f(th, cross):
        c, s = mp.cos(th), k * mp.sin(th)
        r = mp.sqrt(c * c + s * s)
        y1, y2 = (mp.sqrt(n) * (sig * c + e * s / mp.sqrt(2)) / r for e in (1, -1))
        return phi(y1) * phi(y2) if cross else phi(y1) ** 2
    t0 = mp.atan(sig * mp.sqrt(2) / k)
    pts = [0, t0, mp.pi / 2, mp.pi - t0, mp.pi, mp.pi + t0, 3 * mp.pi / 2, 2 * mp.pi - t0, 2 * mp.pi]
    return 1 - mp.quad(lambda t: f(t, 1), pts) / mp.quad(lambda t: f(t, 0), pts)


@pytest.mark.slow
@pytest.mark.parametrize("n, al", [(3, 0), (20, 0), (5, Fraction(9, 10))])
def test_growth_bounds_against_an_independent_quadrature(n, al):
    e0, a, b = (float(v) for v in rs.growth_bounds(n, sp.Rational(al)))
    for eps in (e0, e0 / 1e4, e0 / 1e8):
        ratio = float(_deficit(n, mp.mpf(float(al)), mp.mpf(eps))) / eps ** 0.5
        assert a <= ratio <= b, (eps, a, ratio, b)


@pytest.mark.parametrize("alpha", ["2", "-1", "1", "-1/2"])
def test_rs_growth_refuses_slopes_outside_0_1(alpha):
    """phi 1-Lipschitz is used for b: a slope > 1 or < 0 must not be proved."""
    claim = {"property": "rs-growth", "stages": ["rc", "rs"], "activation": "leaky_relu",
             "domain": {"n": "3..", "alpha": alpha}, "params": {}}
    with pytest.raises((trusted.Rejected, trusted.NoGoal)):
        trusted.decide(claim)


def test_rs_cover_reversed_degenerate_and_overlapping_pieces_refused():
    base = {"type": "rs-cover", "n": 7, "alpha": "0", "prec": 64}
    for pieces in ([["1/64", "1/128"]], [["1/2", "1/2"]], [["0", "1/64"], ["1/128", "1/32"]], [],
                   [["0", "1/64", "x"]], [["1/2", "1"]], [["-1/5", "0"]], [["nan", "1/2"]]):
        with pytest.raises(trusted.Rejected):
            trusted_items.check_item(dict(base, pieces=pieces))


@pytest.mark.parametrize("state, basin", [("partner", "{partner}"), ("attractor", "(partner, configuration)"),
                                          ("simplex", "[left-end, configuration]"), ("simplex", "(left-end, configuration)")])
def test_wrong_rs_basins_are_refuted_below_the_fold(state, basin):
    from bnverify.core.activations import Activation
    from bnverify.derive import basins as rc_basins
    cover = rc_basins.basins(4, Activation("relu"), rates=False).certificate
    claim = {"property": "basin", "stages": ["rc", "rs"], "activation": "relu", "domain": {"n": "4"},
             "params": {"state": state, "basin": basin}}
    assert trusted.decide(claim, [cover])[0] == "refuted"


# ---------------------------------------------------------------- defects
def test_rs_cover_budget_bounds_the_check_time():
    """The weight was 40 per piece-bit: 12,500 pieces at n = 7 (~0.07 s each, 850 s) fitted the budget of
    some 20 s.  Priced at 250 n per piece-bit, the budget admits what about 20 s re-checks: measured
    0.07 to 0.1 s per piece at n = 7 and about 0.8 s at n = 64 (no timing here: the counts)."""
    def admitted(n):
        item = {"type": "rs-cover", "n": n, "alpha": "0", "prec": 64, "pieces": [["1/5", "201/1000"]]}
        return kernel.CERT_WORK // trusted_items.work(item)
    assert admitted(7) <= 300 and admitted(64) <= 32


@pytest.mark.parametrize("act, dom", [("leaky_relu", {"n": "5", "alpha": "1/10"}), ("identity", {"n": "3.."})])
def test_rs_growth_statement_names_the_right_state(act, dom):
    claim = {"property": "rs-growth", "stages": ["rc", "rs"], "activation": act, "domain": dom, "params": {}}
    verdict, statement, _ = trusted.decide(claim)
    assert verdict == "proved" and "O_n repels" not in statement


# ---------------------------------------------------------------- n = 7 (RC alone: partner and attractor)
@pytest.fixture(scope="module")
def items7():
    from bnverify.core.activations import Activation
    from bnverify.derive import rs_family
    out = rs_family.basins(7, Activation("relu"))
    assert out["status"] == "derived"
    return out["items"]


def _basin7(state="simplex", basin="[left-end, configuration)", stages=("rc", "rs"), n="7"):
    return {"property": "basin", "stages": list(stages), "activation": "relu", "domain": {"n": n},
            "params": {"state": state, "basin": basin}}


@pytest.mark.slow
@pytest.mark.parametrize("state, basin, verdict", [
    ("simplex", "[left-end, configuration)", "proved"), ("configuration", "{configuration}", "proved"),
    ("simplex", "[left-end, partner)", "refuted"), ("partner", "{partner}", "refuted"),
    ("attractor", "(partner, configuration)", "refuted"), ("simplex", "(left-end, configuration)", "refuted")])
def test_rs_basins_above_the_fold_verdicts(items7, state, basin, verdict):
    assert trusted.decide(_basin7(state, basin), items7)[0] == verdict


@pytest.mark.slow
def test_rs_cover_forgeries_at_n7(items7):
    bc, rc = items7
    # RC alone keeps its attractor: RS's cover on the RC-only claim is surplus, and RC alone proves its own basin
    with pytest.raises(trusted.Rejected, match="says nothing"):
        trusted.decide(_basin7("attractor", "(partner, configuration)", stages=("rc",)), [bc, rc])
    assert trusted.decide(_basin7("attractor", "(partner, configuration)", stages=("rc",)), [bc])[0] == "proved"
    # a cover that starts one piece late, or is split over two items, decides nothing
    with pytest.raises(trusted.Rejected, match="do not decide"):
        trusted.decide(_basin7(), [bc, dict(rc, pieces=rc["pieces"][1:])])
    with pytest.raises(trusted.Rejected, match="second"):
        trusted.decide(_basin7(), [bc, dict(rc, pieces=rc["pieces"][:40]), dict(rc, pieces=rc["pieces"][40:])])
    # relabelled to n = 8: re-checked there (and fails), never read as n = 8's
    with pytest.raises(trusted.Rejected):
        trusted.decide(_basin7(n="8"), [dict(rc, n=8)])
    # a range missing a cover
    with pytest.raises(trusted.Rejected, match="no basin cover for n = 6"):
        trusted.decide(_basin7(n="6..7"), [bc, rc])


def test_kernel_table_names_the_rs_cover_route():
    row = next(line for line in kernel.__doc__.splitlines() if line.startswith("| basin "))
    assert "rs-cover" in row


@pytest.mark.slow
def test_full_bn_table_matches_the_n7_cover(items7):
    from pathlib import Path
    doc = (Path(__file__).resolve().parents[1] / "docs" / "full-bn.md").read_text()
    assert "| %d at n = 7 |" % len(items7[1]["pieces"]) in doc


def test_an_unused_rs_cover_below_the_fold_is_rejected():
    from bnverify.core.activations import Activation
    from bnverify.derive import basins as rc_basins
    cover = rc_basins.basins(4, Activation("relu"), rates=False).certificate
    claim = {"property": "basin", "stages": ["rc", "rs"], "activation": "relu", "domain": {"n": "4"},
             "params": {"state": "simplex", "basin": "[left-end, configuration)"}}
    unused = {"type": "rs-cover", "n": 4, "alpha": "0", "prec": 64, "pieces": [["1/2", "65/128"]]}
    with pytest.raises(trusted.Rejected):
        trusted.decide(claim, [cover, unused])
