"""spread-box (trusted/spreadbox.py): a spread-cluster fixed point of RC + gelu (erf, sin) at one n >= 4 proved to
exist by Krawczyk's test in the symmetric family's (q, p), with the spectral radius of DF enclosed (every block:
tests/test_spread_blocks.py); kernel.py's _g_spread_smooth proves attractor-exists and radius rel bound from it,
never refutes; check, attractor
and atlas name the kernel-checked point (issue 22).

Independent of the checker: GELU's kernel against one-dimensional mpmath quadrature (the inner expectation by
Stein's identity, no arcsine) and a two-dimensional Gauss-Hermite rule; the fixed point as a root of the FULL n x n
map T(S) = w C K(S) C (mpmath, 30 digits, every entry of T(S*) = S* checked) and its spectrum by central differences
on all n(n+1)/2 symmetric directions."""
import functools
import json
import math
from fractions import Fraction as F
from pathlib import Path

import jsonschema
import mpmath
import numpy as np
import pytest
from flint import arb, ctx

from bnverify import trusted
from bnverify.claims import properties, spec
from bnverify.claims.properties import spread_cover as SC
from bnverify.commands import spread_verdicts
from bnverify.core import activations
from bnverify.trusted import spreadbox as B
from bnverify.trusted import spreadfam as S

SCHEMAS = Path(__file__).resolve().parents[1] / "docs" / "schemas"
# the float search's spread-cluster points (bnverify.derive.spread.search; q, rho of S = w C G C, family radius)
POINTS = {("gelu", 3, 5): (0.723386, -0.048291135, 1.0281), ("gelu", 3, 7): (36.556, -0.11759571, 1.0325),
          ("gelu", F(7, 2), 5): (0.22258045700605492, -0.26213409080537103, 1.0844356413732092)}


@functools.lru_cache(maxsize=None)
def _item(name, w, n):
    q, rho, _ = POINTS[(name, w, n)]
    it = SC.box_item(name, n, w, q, rho)
    assert it is not None
    return it


def _claim(prop="attractor-exists", act="gelu", n="5", w="3", params=None):
    return {"property": prop, "stages": ["rc"], "activation": act, "domain": {"n": n}, "params": params or {},
            "weight_var": w}


def _radius(rel, bound, **kw):
    return _claim("spectral-radius", params={"state": "attractor", "relation": rel, "bound": str(bound)}, **kw)


def _verdict(claim, items):
    try:
        return trusted.decide(claim, items)[0]
    except (trusted.Rejected, trusted.NoGoal):
        return "inconclusive"


def _rejected(it):
    with pytest.raises(trusted.Rejected):
        trusted.items.check_item(it)


# ---------------------------------------------------------------- GELU's kernel, written again
def _mpf(x):
    return mpmath.mpf(F(x).numerator) / F(x).denominator


def _gelu_mp(q1, q2, c):
    """The docstring's closed form in mpmath."""
    s = (1 + q1) * (1 + q2)
    rest = (q1 * q2 + c * c - c * c * (q1 / (1 + q1) + q2 / (1 + q2))) / mpmath.sqrt(s - c * c)
    return (c + 2 / mpmath.pi * (c * mpmath.asin(c / mpmath.sqrt(s)) + rest)) / 4


def _gelu_quad(q1, q2, c):
    """E[gelu(X) gelu(Y)]: X ~ N(0, q1), Y | X = x ~ N(m, s2), m = c x/q1, s2 = q2 - c^2/q1, and E[Y Phi(Y)] = m
    Phi(m/r) + s2 phi(m/r)/r, r = sqrt(1 + s2) (Stein's identity); one-dimensional quadrature in x."""
    s2 = q2 - c * c / q1
    r = mpmath.sqrt(1 + s2)

    def inner(x):
        m = c * x / q1
        return m * mpmath.ncdf(m / r) + s2 * mpmath.npdf(m / r) / r
    sd = mpmath.sqrt(q1)
    return mpmath.quad(lambda z: sd * z * mpmath.ncdf(sd * z) * inner(sd * z) * mpmath.npdf(z),
                       [-mpmath.inf, -4, 0, 4, mpmath.inf])


COVARIANCES = [(1, 1, F(3, 10)), (F(7, 10), F(5, 2), F(-9, 10)), (F(1, 2), 3, F(6, 5)), (2, 2, F(199, 100)),
               (F(723, 1000), F(2474, 1000), F(-2474, 4000)), (36, 90, -22), (F(1, 100), 5, F(-7, 100))]


@pytest.mark.parametrize("q1,q2,c", COVARIANCES)
def test_gelu_kernel_is_the_gaussian_expectation(q1, q2, c):
    """The trusted closed form (arb, 128 bits) against mpmath's quadrature (25 digits) to 1e-18, and against a
    200 x 200 Gauss-Hermite rule (numpy) to 1e-9 at moderate variances."""
    with mpmath.workdps(25):
        want = _gelu_quad(*(_mpf(v) for v in (q1, q2, c)))
    with ctx.workprec(128):
        got = B.gelu(S.ball(F(q1)), S.ball(F(q2)), S.ball(F(c)))
    assert got.rad() < 1e-30 and abs(float(got.mid()) - float(want)) < 1e-18 * max(1, abs(float(want))), (got, want)
    if max(q1, q2) <= 3:
        from numpy.polynomial.hermite_e import hermegauss
        z, wt = hermegauss(200)
        wt = wt / wt.sum()
        a, b, cc = float(q1), float(q2), float(c)
        x = math.sqrt(a) * z[:, None] + 0 * z[None, :]
        y = cc / math.sqrt(a) * z[:, None] + math.sqrt(max(b - cc * cc / a, 0)) * z[None, :]
        gelu = lambda t: t * 0.5 * (1 + np.vectorize(math.erf)(t / math.sqrt(2)))      # noqa: E731
        assert abs(float(np.sum(wt[:, None] * wt[None, :] * gelu(x) * gelu(y))) - float(got.mid())) < 1e-9


def test_gelu_kernel_has_a_twin():
    """trusted/spreadbox.gelu and its untrusted twin bnverify.core.activations._gelu_K agree (model.py's table)."""
    from bnverify.core.activations import _gelu_K
    with ctx.workprec(128):
        for q1, q2, c in COVARIANCES:
            a, b = B.gelu(*(S.ball(F(v)) for v in (q1, q2, c))), _gelu_K(*(S.ball(F(v)) for v in (q1, q2, c)))
            assert a.overlaps(b) and a.rad() < 1e-30 and b.rad() < 1e-30


# ---------------------------------------------------------------- the full map, written again (mpmath)
def _T(n, w, S_):
    """w C K(S) C on the full n x n matrix, K entrywise from _gelu_mp."""
    C = mpmath.eye(n) - mpmath.ones(n, n) / n
    K = mpmath.matrix(n, n)
    for i in range(n):
        for j in range(i, n):
            K[i, j] = K[j, i] = _gelu_mp(S_[i, i], S_[j, j], S_[i, j])
    return w * C * K * C


def _family(n, q, p):
    """The family's n x n matrix at (q, p): cluster 0..n-2 (variance q, covariance (p/(n-1) - q)/(n-2)), odd n-1."""
    S_ = mpmath.matrix(n, n)
    for i in range(n - 1):
        for j in range(n - 1):
            S_[i, j] = q if i == j else (p / (n - 1) - q) / (n - 2)
        S_[i, n - 1] = S_[n - 1, i] = -p / (n - 1)
    S_[n - 1, n - 1] = p
    return S_


def _dense_fixed_point(w, n, q0, rho):
    """(q*, p*, DT(S*) on all n(n+1)/2 symmetric directions, the family map minus the identity h), at the caller's
    mpmath precision: findroot on the full map from a float point (q0, rho), central differences."""
    wm = _mpf(w)

    def h(q, p):
        T = _T(n, wm, _family(n, q, p))
        return [T[0, 0] - q, T[n - 1, n - 1] - p]
    q, p = mpmath.findroot(h, (mpmath.mpf(q0), mpmath.mpf((n - 1) * q0 * (1 + (n - 2) * rho))))
    Ss = _family(n, q, p)
    assert mpmath.norm(_T(n, wm, Ss) - Ss) < mpmath.mpf(10) ** -25          # every entry: a fixed point
    e, basis = mpmath.mpf(10) ** -12, [(i, j) for i in range(n) for j in range(i, n)]
    J = mpmath.matrix(len(basis), len(basis))
    for col, (i, j) in enumerate(basis):
        H = mpmath.matrix(n, n)
        H[i, j] = H[j, i] = 1
        D = (_T(n, wm, Ss + e * H) - _T(n, wm, Ss - e * H)) / (2 * e)
        for row, (k, m) in enumerate(basis):
            J[row, col] = D[k, m]
    return q, p, J, h


@functools.lru_cache(maxsize=None)
def _mp_point(w, n):
    """(q*, p*), DT(S*)'s spectral radius over all n(n+1)/2 symmetric directions and the family pair's largest
    modulus (central differences, 30 digits), from the float search's point by mpmath's findroot on the full map."""
    q0, rho, _ = POINTS[("gelu", w, n)]
    with mpmath.workdps(30):
        q, p, J, h = _dense_fixed_point(w, n, q0, rho)
        e = mpmath.mpf(10) ** -12
        full = max(abs(v) for v in mpmath.eig(J)[0])
        cols = []
        for j in range(2):          # d(q', p')/dq and d(q', p')/dp (h + identity)
            up = h(*[v + e * (k == j) for k, v in enumerate((q, p))])
            down = h(*[v - e * (k == j) for k, v in enumerate((q, p))])
            cols.append([(a - b) / (2 * e) for a, b in zip(up, down)])
        M = mpmath.matrix([[1 + cols[0][0], cols[1][0]], [cols[0][1], 1 + cols[1][1]]])
        fam = max(abs(v) for v in mpmath.eig(M)[0])
    return q, p, full, fam


def test_family_jacobian_helper_is_the_map():
    """_mp_point's family pair at gelu 3, n = 5: the float search's family radius 1.0281 (a sanity check of the
    test's own finite differences)."""
    assert abs(float(_mp_point(3, 5)[3]) - 1.0281) < 1e-4


@pytest.mark.parametrize("w,n", [(3, 5), (3, 7), (F(7, 2), 5)])
def test_the_box_holds_mpmaths_root_and_bounds_its_radius(w, n):
    """The kernel's box holds the full map's fixed point (mpmath); radius_lo is at most DT(S*)'s spectral radius on
    every symmetric direction and within 1e-7 of the family pair's modulus (complex pair at gelu 3; real at 7/2,
    the p < q side of the simplex line)."""
    f = trusted.items.check_item(_item("gelu", w, n))
    q, p, full, fam = _mp_point(w, n)
    qf, pf = F(mpmath.nstr(q, 25)), F(mpmath.nstr(p, 25))
    assert f["q"][0] < qf < f["q"][1] and f["p"][0] < pf < f["p"][1], (f, q, p)
    lo = float(f["radius_lo"])
    assert lo <= float(full) + 1e-12 and lo <= float(fam) + 1e-12 and float(fam) - lo < 1e-7, (lo, full, fam)
    assert abs(lo - POINTS[("gelu", w, n)][2]) < 2e-4          # the float search's family radius
    assert (pf < qf) == (w == F(7, 2))


# ---------------------------------------------------------------- the kernel's decisions
def test_gelu_n5_exists_and_radius_above_one():
    """gelu 3, n = 5: attractor-exists proved; radius > 1 and >= 1028/1000 proved, > 103/100 not (1.02814...); '<'
    never (no upper bound), even < 2; attractor-stable and the threshold never refuted by a point."""
    it = _item("gelu", 3, 5)
    f = trusted.items.check_item(it)
    assert f["fact"] == "spread-box" and f["n"] == 5 and f["weight_var"] == 3 and f["activation"] == "gelu"
    assert F(10281, 10000) < f["radius_lo"] < F(10282, 10000)
    status, statement, reason = trusted.decide(_claim(), [it])
    assert status == "proved" and "Krawczyk" in reason and "n = 3's edge" not in reason and "n = 5" in reason
    assert _verdict(_radius(">", 1), [it]) == "proved"
    assert _verdict(_radius(">=", "1028/1000"), [it]) == "proved"
    assert _verdict(_radius(">", "103/100"), [it]) == "inconclusive"
    assert F(10281, 10000) < f["radius_hi"] < F(10282, 10000)          # every block of DF (issue 22's upper bound)
    for rel, bound in (("<", 2), ("<=", 2), ("<", 100), ("<", "10282/10000")):
        assert _verdict(_radius(rel, bound), [it]) == "proved"
    for rel, bound in (("<", 1), ("<=", 1), ("<", "10281/10000")):
        assert _verdict(_radius(rel, bound), [it]) == "inconclusive"
    assert _verdict(_claim("attractor-stable"), [it]) == "inconclusive"
    assert _verdict(_claim("attractor-threshold", params={"value": "5"}), [it]) == "inconclusive"
    assert _verdict(_claim("attractor-threshold", params={"value": "none"}), [it]) == "inconclusive"
    with pytest.raises(trusted.Rejected, match="every block of DF"):
        trusted.decide(_radius("<", 1), [it])


def test_a_box_answers_for_its_own_n_weight_and_activation():
    """A box at n = 5 proves nothing at n = 4..5 or 6, at another sigma_w^2, or for another activation."""
    it = _item("gelu", 3, 5)
    assert _verdict(_claim(n="4..5"), [it]) == "inconclusive"
    assert _verdict(_claim(n="6"), [it]) == "inconclusive"
    assert _verdict(_claim(w="301/100"), [it]) == "inconclusive"
    assert _verdict(_claim(act="silu"), [it]) == "inconclusive"
    assert _verdict(_claim(act="erf"), [it]) == "inconclusive"


@pytest.mark.parametrize("key,value", [("n", 4), ("n", 6), ("weight_var", "301/100"), ("weight_var", "2"),
                                       ("activation", "erf"), ("activation", "sin"), ("activation", "silu"),
                                       ("activation", "tanh"), ("alpha", "1/2")])
def test_a_relabelled_box_is_rejected(key, value):
    _rejected(dict(_item("gelu", 3, 5), **{key: value}))


def _boxed(it, q0, q1, p0, p1):
    return dict(it, q_lo=str(q0), q_hi=str(q1), p_lo=str(p0), p_hi=str(p1))


def test_boxes_on_the_lines_or_around_no_zero_are_rejected():
    """A box meeting the simplex line p = q or the two-point line p = (n-1)^2 q, reaching p = 0 or q = 0, around
    no zero (moved by 10^-6), or inverted, is refused; so is a wide box (the Krawczyk test fails, quickly)."""
    it = _item("gelu", 3, 5)
    q0, q1, p0, p1 = (F(it[k]) for k in ("q_lo", "q_hi", "p_lo", "p_hi"))
    for box in ((q0, q1, q0, p1), (q0, p1, p0, p1), (q0, q1, F(1, 2), p1),        # p = q inside, or touching
                (F(1, 1000), q1, p0, p1), (p0 / 17, q1, p0, p1),                   # the two-point line p = 16 q
                (q0, q1, 0, p1), (0, q1, p0, p1), (q1, q0, p0, p1), (q0, q1, p1, p0),
                (q0 + F(1, 10 ** 6), q1 + F(1, 10 ** 6), p0, p1), (q0, q1, p0 + F(1, 10 ** 6), p1 + F(1, 10 ** 6)),
                (F(1, 2), 1, 2, 3), (F(1, 100), F(3, 2), F(8, 5), 20)):
        _rejected(_boxed(it, *box))


def test_bad_y_and_malformed_items_are_rejected():
    """Y = 0, I, -Y, 2Y, transposed, 3 x 2, numbers for strings; prec or n or weight_var out of range."""
    it = _item("gelu", 3, 5)
    Y = [[F(v) for v in r] for r in it["Y"]]
    for bad in ([["0", "0"], ["0", "0"]], [["1", "0"], ["0", "1"]], [[str(-v) for v in r] for r in Y],
                [[str(2 * v) for v in r] for r in Y], [[str(Y[j][i]) for j in range(2)] for i in range(2)],
                [["1", "0"], ["0", "1"], ["0", "0"]], [[1, 0], [0, 1]], [["1", "0", "0"], ["0", "1", "0"]], "Y"):
        _rejected(dict(it, Y=bad))
    for key, value in (("prec", 32), ("prec", 4096), ("n", 65), ("n", 2), ("n", "5"), ("weight_var", "0"),
                       ("weight_var", "101"), ("q_lo", "0.7")):
        _rejected(dict(it, **{key: value}))
    _rejected({k: v for k, v in it.items() if k != "Y"})


def test_a_hostile_box_is_cheap():
    """At 512 bits, a wide box (the whole wedge's corner) and one of 400-digit ends are refused in milliseconds, and
    the price reads a fixed cost."""
    import time
    it = dict(_item("gelu", 3, 5), prec=512)
    for box in ((F(1, 10 ** 9), 99, 100, 1000), (F(10 ** 199 + 1, 10 ** 199), F(10 ** 199 + 3, 10 ** 199),
                                                F(3 * 10 ** 199 + 1, 10 ** 199), F(3 * 10 ** 199 + 2, 10 ** 199))):
        t = time.process_time()
        _rejected(_boxed(it, *box))
        assert time.process_time() - t < 1
    assert trusted.items.work(it) == 512 * 10        # 2 to 3 ms measured (every block of DF)


def test_gelu_spread_none_needs_its_bound():
    """GELU is unbounded, so spreadfam's a-priori q, p <= 4w does not hold: a spread-none item for gelu without its
    rho partition and delta (gelu_bound: q <= w OMEGA^2/delta^2 from its distance to relu) is refused, whatever its
    tree (tests/test_spread_gelu_cover.py has the genuine covers)."""
    assert "gelu" in S.KERNELS and "gelu" in B.BOX
    for tree in ("S", "1", "2", "O", "U", "4" + "S" * 4):
        _rejected({"type": "spread-none", "activation": "gelu", "alpha": "0", "weight_var": "3", "n": 5, "prec": 128,
                   "top": "12", "tree": tree})


def test_two_boxes_of_one_shape_and_mixed_evidence():
    """Two boxes at n = 5 (the same point twice, one widened) are one shape too many; a box at 5 and at 7 prove
    5..7 only with n = 6's, and a box cannot turn a cover-less claim into a refutation."""
    it = _item("gelu", 3, 5)
    q0, q1, p0, p1 = (F(it[k]) for k in ("q_lo", "q_hi", "p_lo", "p_hi"))
    wide = _boxed(it, q0 - q0 / 2 ** 30, q1 + q1 / 2 ** 30, p0 - p0 / 2 ** 30, p1 + p1 / 2 ** 30)
    assert trusted.items.check_item(wide)["fact"] == "spread-box"
    assert _verdict(_claim(), [it, wide]) == "inconclusive"
    seven = _item("gelu", 3, 7)
    assert _verdict(_claim(n="5..7"), [it, seven]) == "inconclusive"
    assert _verdict(_claim(n="7"), [seven]) == "proved"


# ---------------------------------------------------------------- the search and the commands
def test_check_proves_gelu_n5_end_to_end(monkeypatch):
    """properties.check (the float search, the box, the kernel, the certificate re-checked): attractor-exists,
    radius > 1 and radius < 2 proved at gelu 3, n = 5; radius < 1 inconclusive; the certificate re-checks.  The float
    search on a coarse grid (13 x 16: it finds the same two points as the default 49 x 64, in a fifth of the time)."""
    from bnverify.derive import spread
    monkeypatch.setattr(spread, "GRID", (13, 16))
    def run(prop, params=None):
        data = {"id": "x", "title": "x", "property": prop, "expect": "proved", "statement": "x",
                "model": {"stages": "rc,gelu", "weight_var": "3"}, "domain": {"n": "5"},
                "params": params or {}}
        return properties.check(spec.claim_from_dict(data, "test"))
    v = run("attractor-exists")
    assert v.status == "proved" and "Krawczyk" in v.evidence["reason"], v.evidence
    assert "spread-box" in {it["type"] for it in v.certificate["evidence"]}
    assert trusted.check(v.certificate)[0]
    assert "p in [" in v.evidence["point"] and v.evidence["spectral_radius"].startswith("[1.028141135, 1.028141136]")
    assert run("spectral-radius", {"state": "attractor", "relation": ">", "bound": "1"}).status == "proved"
    assert run("spectral-radius", {"state": "attractor", "relation": "<", "bound": "2"}).status == "proved"
    assert run("spectral-radius", {"state": "attractor", "relation": "<", "bound": "1"}).status == "inconclusive"


def test_no_box_for_erf_and_sin_at_n5():
    """erf and sin at sigma_w^2 = 2, n = 5: the float search finds no spread-cluster point, so no box (their
    spread-none covers decide there: tests/test_spread_cover.py)."""
    for name in ("erf", "sin"):
        items, found = SC.box_items(activations.activation(name), 5, F(2))
        assert items == [] and found == []


def test_attractor_rows_name_the_box():
    """spread_verdicts.boxes on the float search's rows at gelu 3, n = 5 (valid against the schema's box field) and
    its words: unstable, the lower bound rounded down."""
    pts = [{"state": "spread", "q": 0.723386, "rho": -0.048291135}, {"state": "two-point", "q": 0.047, "rho": 1.0}]
    boxes = spread_verdicts.boxes(activations.activation("gelu"), F(3), 5, pts)
    assert len(boxes) == 1 and boxes[0]["spectral_radius_lo"] == 1.028141135 and not boxes[0]["stable"]
    assert boxes[0]["spectral_radius_hi"] == 1.028141136
    schema = json.loads((SCHEMAS / "attractor.json").read_text())
    jsonschema.validate(boxes, schema["properties"]["results"]["items"]["anyOf"][1]["properties"]["boxes"])
    text = spread_verdicts.box_text(boxes[0], 5)
    assert "unstable: spread-box" in text and "in [1.028141135, 1.028141136]" in text
    assert spread_verdicts.boxes(activations.activation("silu"), F(3), 5, pts) == []
    assert spread_verdicts.boxes(activations.activation("gelu"), F(2), 5, pts) == []     # the trace lemma decides


def test_a_first_newton_step_out_of_the_domain_ends_the_box_search(monkeypatch):
    """_box_at says "left" where Newton's first step leaves q, p > 0 by more than its step's ball (gelu at 3, n = 5,
    from (0.2, 0.5) or (0.05, -0.2)), not from the root's start (a box) nor where Newton wanders on (10, -0.2); and
    box_item then tries no longer Mehler series (their balls hold the same values: SiLU at gelu's point took 59, 60
    and 120 terms, 8 s), while without "left" it tries each length in turn."""
    for q, rho, box, said in ((0.723386, -0.048291135, True, []), (0.2, 0.5, False, ["left"]),
                              (0.05, -0.2, False, ["left"]), (10, -0.2, False, [])):
        left = []
        assert (SC._box_at(B, "gelu", F(0), 0, 5, F(3), q, rho, 8, left) is not None) == box and left == said, (q, rho)
    for said, tried in ((["left"], [59]), ([], [59, 60, 120])):
        calls = []
        monkeypatch.setattr(SC, "_box_at", lambda *a: calls.append(a[3]) or a[-1].extend(said) or None)
        SC._box_item.cache_clear()
        assert SC.box_item("silu", 5, F(3), 0.723386, -0.048291135) is None and calls == tried, calls
    SC._box_item.cache_clear()


# ---------------------------------------------------------------- boxes whose Krawczyk test passes but must be refused
def _krawczyk_box(name, n, w, q, p, k=40):
    """A box of relative half-width 2^-k around the family map's root near (q, p) (Newton here), Y the inverse
    Jacobian there, and whether the Krawczyk operator lies inside it (computed here too): a box around a zero on a
    line, which the kernel's Krawczyk test alone would pass."""
    w, x = F(w), [F(q), F(p)]
    with ctx.workprec(128):
        def hJ(x):
            wb, (qb, pb) = S.ball(w), (S.ball(v) for v in x)
            dq, dp = S._partials(B.family, name, n, wb, qb, pb)
            return B.family(name, n, wb, qb, pb), [[dq[0], dp[0]], [dq[1], dp[1]]]
        for _ in range(8):
            h, J = hJ(x)
            det = J[0][0] * J[1][1] - J[0][1] * J[1][0]
            x = [x[0] - S.exact(((J[1][1] * h[0] - J[0][1] * h[1]) / det).mid()),
                 x[1] - S.exact(((J[0][0] * h[1] - J[1][0] * h[0]) / det).mid())]
        x = [F(repr(float(v))) for v in x]
        _, J = hJ(x)
        M = [[float(J[i][j].mid()) for j in range(2)] for i in range(2)]
        det = M[0][0] * M[1][1] - M[0][1] * M[1][0]
        Y = [[F(repr(M[1][1] / det)), F(repr(-M[0][1] / det))], [F(repr(-M[1][0] / det)), F(repr(M[0][0] / det))]]
        r = [abs(v) / 2 ** k + F(1, 2 ** (k + 20)) for v in x]
        lo, hi = [v - d for v, d in zip(x, r)], [v + d for v, d in zip(x, r)]
        X, m = [S._span(a, b) for a, b in zip(lo, hi)], [S.ball((a + b) / 2) for a, b in zip(lo, hi)]
        wb = S.ball(w)
        hm, (dq, dp) = B.family(name, n, wb, *m), S._partials(B.family, name, n, wb, *X)
        J = [[dq[0], dp[0]], [dq[1], dp[1]]]
        inside = True
        for i in range(2):
            K = m[i] - sum(S.ball(Y[i][j]) * hm[j] for j in range(2)) + sum(
                (int(i == j) - sum(S.ball(Y[i][l]) * J[l][j] for l in range(2))) * (X[j] - m[j]) for j in range(2))
            inside = inside and bool(K > S.ball(lo[i]) and K < S.ball(hi[i]))
    item = {"type": "spread-box", "activation": name, "alpha": "0", "weight_var": str(w), "n": n, "prec": 128,
            "q_lo": str(lo[0]), "q_hi": str(hi[0]), "p_lo": str(lo[1]), "p_hi": str(hi[1]),
            "Y": [[str(v) for v in r] for r in Y]}
    return item, x, inside


@pytest.mark.parametrize("name,w,n,q,p,line", [
    ("gelu", 3, 6, 1.70805, 1.70805, "simplex"),                     # the simplex fixed point, p = q
    ("gelu", 3, 5, 0.0470594, 16 * 0.0470594, "two-point"),          # the two-point fixed point, p = 16 q
    ("erf", 2, 3, 0.8807506296, 0, "p = 0")])                        # n = 3's {v, -v, 0}: the box reaches p < 0
def test_a_krawczyk_box_around_a_zero_on_a_line_is_refused(name, w, n, q, p, line):
    """The Krawczyk test passes around the simplex and the two-point fixed points and around n = 3's point on p = 0
    (a box straddling it), so only the kernel's geometry (off both lines, p_lo > 0) refuses them: they are no
    spread-cluster point in the box's sense (or not one of PSD states only)."""
    item, x, inside = _krawczyk_box(name, n, w, q, p)
    assert inside, line
    if line == "simplex":
        assert abs(x[0] - x[1]) < F(1, 10 ** 12)
    if line == "two-point":
        assert abs(16 * x[0] - x[1]) < F(1, 10 ** 12)
    if line == "p = 0":
        assert F(item["p_lo"]) < 0 < F(item["p_hi"])
    _rejected(item)
    assert _verdict(_claim(act=name, n=str(n), w=str(w)), [item]) == "inconclusive"


def test_a_wide_box_gives_a_wide_enclosure_around_the_tight_one():
    """gelu 39/10, n = 8 (the family's eigenvalues real, disc 0.0016; the trivial block's): a box of relative
    half-width 2^-10 passes Krawczyk and its enclosure of the spectral radius (every block of DF) [1.0127, 1.0321]
    holds the tight box's [1.02380070638, 1.02380070641] (2^-40), the radius of the search's point."""
    tight = SC.box_item("gelu", 8, F(39, 10), 0.025041533914980447, -0.15531761168625652)
    q, p = ((F(tight[a]) + F(tight[b])) / 2 for a, b in (("q_lo", "q_hi"), ("p_lo", "p_hi")))
    wide = _boxed(tight, q - q / 2 ** 10, q + q / 2 ** 10, p - p / 2 ** 10, p + p / 2 ** 10)
    ft, fw = (trusted.items.check_item(it) for it in (tight, wide))
    assert fw["radius_lo"] < ft["radius_lo"] <= ft["radius_hi"] < fw["radius_hi"]
    assert ft["radius_hi"] - ft["radius_lo"] < F(1, 10 ** 10) and abs(float(ft["radius_lo"]) - 1.0238007) < 1e-7
    assert 1.012 < float(fw["radius_lo"]) < 1.013 and 1.032 < float(fw["radius_hi"]) < 1.033
    assert p < q
