"""Red team of GELU's spread-none covers (trusted/spreadfam.py): no leaf closes a cell that holds a genuine
spread-cluster fixed point of GELU's family (points found by Newton on the closed kernel in mpmath, 30 digits),
also cells that reach across the two-point line rho = 1, where G1 is GELU's dK/dc and G2's mean value form runs on
the family map's closed form; the "S" leaf's E[gelu'(sqrt q Z)]^2 against mpmath; "Z" needs both variances below
the small-scale bound; m_piece on pieces where relu's m falls below the claimed delta inside the piece."""
from __future__ import annotations

from fractions import Fraction as F

import mpmath
import numpy as np
import pytest
from flint import ctx

from bnverify.trusted import spreadfam as S
from bnverify.trusted.base import ball

# (sigma_w^2, n, q, p, det(J - I) > 0): spread-cluster fixed points of GELU's family, 30-digit Newton, 15 shown
POINTS = [(F(5, 2), 8, F("0.759456524456702"), F("26.0708388389106"), True),      # stable (a spread-box)
          (F(5, 2), 9, F("2.55774997673609"), F("76.6759451956591"), True),       # stable (a spread-box)
          (F(11, 4), 6, F("0.912432194407575"), F("8.41444313246849"), True),     # complex pair, modulus < 1
          (F(3), 8, F("1.0681979419723"), F("1.09955315638847"), True),          # both real eigenvalues > 1
          (F(3), 8, F("33.5477103137363"), F("65.6223561158107"), False)]        # a real eigenvalue > 1 ("U")


def _cells(n, q, p):
    """Cells around (q, p): small and large, off-centre, and tall ones that cross rho = 1 (p1 > (n-1)^2 q0)."""
    out = []
    for rel in (F(1, 10 ** 6), F(1, 1000), F(1, 20), F(1, 3)):
        for a, b in ((F(1, 2), F(1, 2)), (F(1, 10), F(9, 10)), (F(9, 10), F(1, 10))):
            out.append((q * (1 - rel * a), q * (1 + rel * b), p * (1 - rel * b), p * (1 + rel * a)))
        out.append((q * (1 - rel), q * (1 + rel), p * (1 - rel), (n - 1) ** 2 * q * (1 + rel)))     # to rho > 1
    out.append((q / 2, 2 * q, F(0), (n - 1) ** 2 * 2 * q))
    return out


@pytest.mark.parametrize("w, n, q, p, stable_det", POINTS)
def test_no_leaf_closes_a_cell_holding_a_fixed_point(w, n, q, p, stable_det):
    with ctx.workprec(128):
        for q0, q1, p0, p1 in _cells(n, q, p):
            assert q0 <= q <= q1 and p0 <= p <= p1
            for tag in "O12XSZ" + ("U" if stable_det else ""):
                assert not S._leaf(tag, "gelu", n, w, q0, q1, p0, p1), (tag, q0, q1, p0, p1)


def test_points_are_fixed_points():
    """The table's points are zeros of (q' - q, p' - p) (so the test above speaks of real fixed points)."""
    with ctx.workprec(128):
        for w, n, q, p, _ in POINTS:
            h = S.h12("gelu", n, ball(w), ball(q), ball(p))
            assert all(abs(float(x.mid())) < 1e-9 * float(max(q, p)) for x in h)


@pytest.mark.parametrize("q", ["3/10", "2", "40"])
def test_s_leaf_gelu_slope_against_mpmath(q):
    """KERNELS['gelu'][1](q) is E[gelu'(sqrt q Z)]^2 (1/4), and "S" (w E[phi']^2 > 1) never holds below w = 4."""
    mpmath.mp.dps = 30
    c = mpmath.sqrt(mpmath.mpf(F(q).numerator) / F(q).denominator)
    e = mpmath.quad(lambda z: (mpmath.ncdf(c * z) + c * z * mpmath.npdf(c * z)) * mpmath.npdf(z), [-mpmath.inf, 0,
                                                                                                   mpmath.inf])
    with ctx.workprec(128):
        v = S.KERNELS["gelu"][1](ball(F(q)))
        assert abs(float(v.mid()) - float(e * e)) < 1e-12
        for w in (F(9, 4), F(5, 2), F(3), F(39, 10)):
            assert not S._leaf("S", "gelu", 8, w, F(q) / 2, F(q), F(0), 49 * F(q))


def test_z_leaf_needs_both_variances_below_the_bound():
    w, n = F(5, 2), 8
    zb = np.pi * (1 - np.sqrt(2.5) / 2) ** 2 / 15          # pi (1 - sigma/2)^2 / (6 w)
    z = F(zb).limit_denominator(10 ** 9)
    with ctx.workprec(128):
        assert S._leaf("Z", "gelu", n, w, F(0), z / 2, F(0), z / 2)
        assert not S._leaf("Z", "gelu", n, w, F(0), z / 2, F(0), 2 * z)      # p above it: M = max(q, p)
        assert not S._leaf("Z", "gelu", n, w, F(0), 2 * z, F(0), z / 2)


def _m_floor(n, w, lo, hi):
    """The least of relu's m(rho) = max(|1 - sqrt Q1|, |sqrt P0 - sqrt Qn|) on a dense grid of [lo, hi] (floats)."""
    r = np.linspace(float(lo), float(hi), 4001)
    kap = lambda x: x / 2 + (np.sqrt(1 - x * x) - x * np.arccos(x)) / (2 * np.pi)
    P0 = (n - 1) * (1 + (n - 2) * r)
    s = np.sqrt(P0)
    Q1, Qn = S.family_h(n, float(w), 0, 0, 0.5, kap(r), s * kap(np.clip(-s / (n - 1), -1, 1)), P0 / 2)
    return float(np.max([np.abs(1 - np.sqrt(Q1)), np.abs(s - np.sqrt(Qn))], axis=0).min())


@pytest.mark.parametrize("n, w, lo, hi, d", [(3, F(7, 2), F(87, 200), F(137, 200), F(22271714, 880462513)),
                                             (3, F(15, 4), F(44357, 51200), F(44557, 51200), F(14068852, 347563515))])
def test_m_piece_refuses_a_delta_above_m_inside_the_piece(n, w, lo, hi, d):
    """delta just above relu's least m on the piece (not at its left end): m >= delta is false on the piece."""
    assert _m_floor(n, w, lo, hi) < float(d)
    with ctx.workprec(128):
        assert not S.m_piece(n, ball(w), ball(d), lo, hi)


def test_value_none_refuted_by_a_stable_box():
    """attractor-threshold value none says no n of the domain has a stable spread-cluster point: a spread-box whose
    radius' upper end is below 1 (gelu 5/2, n = 8) at any n of the domain refutes it (it was left undecided, asking
    for a cover that cannot exist); a box whose radius straddles 1 does not."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).parent))
    from test_redteam_box import _claim, _stable, _verdict

    from bnverify import trusted
    box = _stable()
    assert _verdict(_claim("attractor-threshold", n="8", value="none"), [box]) == "refuted"
    assert _verdict(_claim("attractor-threshold", n="7..9", value="none"), [box]) == "refuted"
    q0, q1, p0, p1 = (F(box[k]) for k in ("q_lo", "q_hi", "p_lo", "p_hi"))
    qm, pm = (q0 + q1) / 2, (p0 + p1) / 2          # relative half-width 2^-12: radius in [0.93, 1.29]
    wide = dict(box, q_lo=str(qm - qm / 4096), q_hi=str(qm + qm / 4096), p_lo=str(pm - pm / 4096),
                p_hi=str(pm + pm / 4096))
    assert trusted.items.check_item(dict(wide))["radius_hi"] > 1
    assert _verdict(_claim("attractor-threshold", n="8", value="none"), [wide]) == "inconclusive"


def test_a_single_n_threshold_takes_the_box(run_cli):
    """attractor-threshold on one n (gelu 11/4, n = 6, a stable spread-box there): the search now offers the box, so
    value none is refuted and value 6 proved (they were inconclusive, asking for a cover that cannot exist)."""
    import json
    args = ("check", "--stages", "rc,gelu", "--weight-var", "11/4", "--n", "6", "--property", "attractor-threshold",
            "--json")
    for value, verdict, code in (("none", "refuted", 1), ("6", "proved", 0)):
        got, out, err = run_cli(*args, "--value", value)
        assert (got, json.loads(out)["verdict"]) == (code, verdict), err[-500:]
