"""Every block of DF at a spread-box point (issue 22): trusted/spreadbox.py feeds the closed kernel's seven partials
over the box to twopoint.all_blocks, so the fact encloses the spectral radius of DF, [radius_lo, radius_hi], and the
kernel proves '<' / '<=' bound and attractor-stable (a stable spread-cluster fixed point exists at that n).

Independent of the checker: the fixed point as a root of the FULL n x n map T(S) = w C K(S) C (mpmath, 30 digits,
GELU's kernel written again: tests/test_spread_box.py) and DT(S*) dense on all n(n+1)/2 symmetric directions by
central differences; its eigenvalues (DF(G*)'s non-zero ones, and the translations' zeros) against the blocks'."""
import functools
from fractions import Fraction as F

import mpmath
import numpy as np
import pytest
from flint import ctx

from bnverify import trusted
from bnverify.claims.properties import spread_cover as SC
from bnverify.trusted import spreadbox as B
from bnverify.trusted import spreadfam as S
from bnverify.trusted import twopoint as T
import test_spread_box as box
from test_spread_box import _T, _family, _mpf, _verdict

# the float search's spread-cluster points (q, rho of S = w C G C) and its full radius
POINTS = {(F(5, 2), 8): (0.759457, 0.65067342, 0.98336), (3, 5): (0.723386, -0.048291135, 1.02814)}


@functools.lru_cache(maxsize=None)
def _item(w, n):
    q, rho, _ = POINTS[(w, n)]
    it = SC.box_item("gelu", n, F(w), q, rho)
    assert it is not None
    return it


@functools.lru_cache(maxsize=None)
def _dense(w, n):
    """(q*, p*) and DT(S*)'s eigenvalues on every symmetric direction (DT by mpmath at 30 digits; its eigenvalues by
    numpy's LAPACK in doubles: they agree with mpmath.eig's at 30 digits to 3e-15 at both points, multiplicities
    included, far inside the test's 1e-12, and take a millisecond where mpmath.eig took 2 s at n = 8)."""
    q0, rho, _ = POINTS[(w, n)]
    with mpmath.workdps(30):
        q, p, J, _ = box._dense_fixed_point(w, n, q0, rho)
        ev = [complex(v) for v in np.linalg.eigvals(np.array(J.tolist(), dtype=float))]
    return F(mpmath.nstr(q, 25)), F(mpmath.nstr(p, 25)), ev


def _block_eigenvalues(it):
    """The blocks' eigenvalue balls at the item's box (the kernel's own path), each with its multiplicity in DF:
    trivial once, standard n - 2 times, pair (n-1)(n-4)/2 times."""
    n = it["n"]
    mult = {"trivial": 1, "standard": n - 2, "pair": (n - 1) * (n - 4) // 2}
    with ctx.workprec(it["prec"]):
        X = [S._span(F(it[a]), F(it[b])) for a, b in (("q_lo", "q_hi"), ("p_lo", "p_hi"))]
        blocks = T.all_blocks(None, None, n, F(it["weight_var"]), None, partials=B.kernel_partials("gelu", n, *X))
        return [(comp, e) for comp, M in blocks.items() for e in T.eigenvalues(M) for _ in range(mult[comp])]


@pytest.mark.parametrize("w,n", [(F(5, 2), 8), (3, 5)])
def test_the_blocks_are_the_dense_jacobian(w, n):
    """The box holds mpmath's root; the blocks' eigenvalues, with multiplicity, are the dense DT(S*)'s n(n+1)/2 (each
    dense one inside a ball of its own, to 1e-12 for the finite differences); the fact's [radius_lo, radius_hi] holds
    the dense spectral radius and is narrower than 1e-8."""
    it = _item(w, n)
    f = trusted.items.check_item(it)
    q, p, dense = _dense(w, n)
    assert f["q"][0] < q < f["q"][1] and f["p"][0] < p < f["p"][1]
    balls = _block_eigenvalues(it)
    assert len(balls) == len(dense) == n * (n + 1) // 2
    left = list(balls)
    for z in sorted(dense, key=abs, reverse=True):
        hit = [k for k, (_, b) in enumerate(left) if abs(complex(b.mid()) - z) <= float(b.rad()) + 1e-12]
        assert hit, (z, [complex(b.mid()) for _, b in left])
        left.pop(hit[0])
    assert sum(1 for z in dense if abs(z) < 1e-12) == n          # the translations u 1^T + 1 u^T
    full = max(abs(z) for z in dense)
    assert float(f["radius_lo"]) - 1e-12 <= full <= float(f["radius_hi"]) + 1e-12
    assert f["radius_hi"] - f["radius_lo"] < F(1, 10 ** 8) and abs(full - POINTS[(w, n)][2]) < 1e-5


def test_gelu_5_2_n8_other_blocks_matter_not_here():
    """At gelu 5/2, n = 8 the trivial block (the family's pair, a complex pair of modulus 0.98336) holds the radius;
    the standard block's 0.95291 and the pair's 0.91146 are below it."""
    radii = {}
    for comp, e in _block_eigenvalues(_item(F(5, 2), 8)):
        radii[comp] = max(radii.get(comp, 0), float(abs(e).mid()))
    assert abs(radii["trivial"] - 0.9833585) < 1e-6 and abs(radii["standard"] - 0.9529098) < 1e-6
    assert abs(radii["pair"] - 0.9114628) < 1e-6


def _claim(prop, n="8", w="5/2", params=None):
    return box._claim(prop, "gelu", n, w, params)


def _radius(rel, bound, **kw):
    return _claim("spectral-radius", params={"state": "attractor", "relation": rel, "bound": str(bound)}, **kw)


def test_gelu_5_2_n8_is_a_stable_attractor():
    """gelu 5/2, n = 8: attractor-stable proved (a stable spread-cluster fixed point exists), the radius < 0.99 and
    <= 0.9834 proved, < 0.98 and < 0.98335 not; > 0.98 proved, > 0.99 not; at n = 7..8 (no box at 7) and n = 9
    nothing; the reason names the enclosure and every block."""
    it = _item(F(5, 2), 8)
    f = trusted.items.check_item(it)
    assert F(983358530, 10 ** 9) < f["radius_lo"] <= f["radius_hi"] < F(983358532, 10 ** 9)
    status, statement, reason = trusted.decide(_claim("attractor-stable"), [it])
    assert status == "proved" and "every block of DF" in reason and "in [0.983358530, 0.983358531]" in reason
    assert "spectral radius of DF < 1" in statement
    for rel, bound, want in (("<", "99/100", "proved"), ("<=", "9834/10000", "proved"), ("<", 1, "proved"),
                             ("<", "98/100", "inconclusive"), ("<", "98335/100000", "inconclusive"),
                             (">", "98/100", "proved"), (">", "99/100", "inconclusive"), (">", 1, "inconclusive")):
        assert _verdict(_radius(rel, bound), [it]) == want, (rel, bound)
    mid = (f["radius_lo"] + f["radius_hi"]) / 2         # inside the enclosure: neither side shown
    for rel in ("<", "<=", ">", ">="):
        assert _verdict(_radius(rel, mid), [it]) == "inconclusive", rel
    assert _verdict(_radius("<=", f["radius_hi"]), [it]) == "proved" and _verdict(_radius("<", f["radius_hi"]), [it]) \
        == "inconclusive" and _verdict(_radius(">=", f["radius_lo"]), [it]) == "proved"
    assert _verdict(_claim("attractor-exists"), [it]) == "proved"
    assert _verdict(_claim("attractor-stable", n="7..8"), [it]) == "inconclusive"
    assert _verdict(_claim("attractor-stable", n="9"), [it]) == "inconclusive"
    assert _verdict(_claim("attractor-stable", w="2"), [it]) == "inconclusive"      # evidence about nothing there
    assert _verdict(_claim("attractor-stable", w="2"), []) == "refuted"              # the trace lemma, w <= 2
    # the threshold needs absence below (spread-none covers): a point alone decides it only on a domain starting at it
    assert _verdict(_claim("attractor-threshold", params={"value": "8"}), [it]) == "proved"
    assert _verdict(_claim("attractor-threshold", n="7..8", params={"value": "8"}), [it]) == "inconclusive"
    assert _verdict(_claim("attractor-threshold", params={"value": "none"}), [it]) == "refuted"     # stable at 8
    with pytest.raises(trusted.Rejected, match=r"every block of DF: n = 8: in \[0.983358530, 0.983358531\]"):
        trusted.decide(_radius("<", "98/100"), [it])


def test_gelu_3_n5_is_never_below_one():
    """gelu 3, n = 5 (radius 1.0281): '<' 1 and '<=' 1 and attractor-stable never proved, nor refuted (a point)."""
    it = _item(3, 5)
    for claim in (_radius("<", 1, n="5", w="3"), _radius("<=", 1, n="5", w="3"), _claim("attractor-stable", "5", "3"),
                  _radius("<", "10281/10000", n="5", w="3")):
        assert _verdict(claim, [it]) == "inconclusive"


# ---------------------------------------------------------------- forgeries
@pytest.mark.parametrize("key,value", [("radius_hi", "1/2"), ("radius_lo", "1/2"), ("radius", ["0", "1/2"])])
def test_an_item_naming_its_radius_is_rejected(key, value):
    """The fact's ends are the kernel's own: an item carrying a radius (an edited fact's hi) is refused."""
    with pytest.raises(trusted.Rejected):
        trusted.items.check_item(dict(_item(3, 5), **{key: value}))


def test_a_relabelled_box_proves_nothing_stable():
    """gelu 3, n = 5's box relabelled n = 8 or sigma_w^2 = 5/2, or moved onto gelu 5/2, n = 8's box with its own Y:
    refused (the Krawczyk test fails), so no attractor-stable there; 5/2's box relabelled 3 / 5 likewise."""
    good, bad = _item(F(5, 2), 8), _item(3, 5)
    forged = [dict(bad, n=8), dict(bad, weight_var="5/2"), dict(bad, n=8, weight_var="5/2"),
              dict(good, n=5, weight_var="3"), dict(good, weight_var="3"),
              dict(good, **{k: bad[k] for k in ("q_lo", "q_hi", "p_lo", "p_hi")})]
    for it in forged:
        with pytest.raises(trusted.Rejected):
            trusted.items.check_item(it)
        assert _verdict(_claim("attractor-stable"), [it]) == "inconclusive"
        assert _verdict(_claim("attractor-stable", "5", "3"), [it]) == "inconclusive"


def test_the_partials_are_the_kernels_own():
    """kernel_partials at a point against mpmath's derivatives of the closed form written again (d/dq along the
    diagonal, dK/dc, dK/dq1, dK/dq2), 1e-20."""
    from test_spread_box import _gelu_mp
    n, q, p = 8, F(3, 4), F(26)
    with ctx.workprec(128):
        k = B.kernel_partials("gelu", n, S.ball(q), S.ball(p))
    with mpmath.workdps(40):
        qm, pm = _mpf(q), _mpf(p)
        c, x = (pm / (n - 1) - qm) / (n - 2), -pm / (n - 1)
        want = {"d_cluster": mpmath.diff(lambda t: _gelu_mp(t, t, t), qm),
                "d_odd": mpmath.diff(lambda t: _gelu_mp(t, t, t), pm),
                "c_cc": mpmath.diff(lambda t: _gelu_mp(qm, qm, t), c),
                "q_cc": mpmath.diff(lambda t: _gelu_mp(t, qm, c), qm),
                "c_co": mpmath.diff(lambda t: _gelu_mp(qm, pm, t), x),
                "q_co_cluster": mpmath.diff(lambda t: _gelu_mp(t, pm, x), qm),
                "q_co_odd": mpmath.diff(lambda t: _gelu_mp(qm, t, x), pm)}
    for key, v in want.items():
        assert abs(float(k[key].mid()) - float(v)) < 1e-15 and k[key].rad() < 1e-30, key


@pytest.mark.parametrize("n,q,p", [(3, F(1, 2), F(7, 4)), (4, F(3, 2), F(1, 3)), (6, F(2), F(9, 2)),
                                   (7, F(1, 5), F(6))])
def test_the_blocks_at_any_family_state(n, q, p):
    """DF(G)[E] = w DK(S)[C E C] holds at every state, fixed or not: at family states (q, p) off the fixed points
    (n = 3: no pair block, standard 2 x 2; n = 4: standard 3 x 3) the blocks' eigenvalues with multiplicity are a
    dense DT(S)'s (mpmath, central differences), whichever block is largest."""
    w = F(5, 2)
    with ctx.workprec(128):
        blocks = T.all_blocks(None, None, n, w, None, partials=B.kernel_partials("gelu", n, S.ball(q), S.ball(p)))
        mult = {"trivial": 1, "standard": n - 2, "pair": (n - 1) * (n - 4) // 2}
        balls = [(c, e) for c, M in blocks.items() for e in T.eigenvalues(M) for _ in range(mult[c])]
    with mpmath.workdps(30):
        Ss, e = _family(n, _mpf(q), _mpf(p)), mpmath.mpf(10) ** -12
        basis = [(i, j) for i in range(n) for j in range(i, n)]
        J = mpmath.matrix(len(basis), len(basis))
        for col, (i, j) in enumerate(basis):
            H = mpmath.matrix(n, n)
            H[i, j] = H[j, i] = 1
            D = (_T(n, _mpf(w), Ss + e * H) - _T(n, _mpf(w), Ss - e * H)) / (2 * e)
            for row, (k, m) in enumerate(basis):
                J[row, col] = D[k, m]
        dense = [complex(v) for v in mpmath.eig(J)[0]]
    assert len(balls) == len(dense)
    for z in sorted(dense, key=abs, reverse=True):
        hit = [k for k, (_, b) in enumerate(balls) if abs(complex(b.mid()) - z) <= float(b.rad()) + 1e-12]
        assert hit, (z, [complex(b.mid()) for _, b in balls])
        balls.pop(hit[0])
