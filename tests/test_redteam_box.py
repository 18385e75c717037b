"""Red team of the spread-box evidence (trusted/spreadbox.py, items.py, kernel.py _g_spread_smooth), fresh eyes.

Written independently of the checker: the family map against the FULL n x n map w C K(S) C for all three closed
kernels (numpy, the closed forms written again; GELU's checked by a 2-D Gauss-Hermite rule and Price's dK/dc =
E[gelu'(x) gelu'(y)]), the map F(G) = K(w C G C) itself (not T) differentiated on all n(n+1)/2 symmetric directions
at the boxes' points, including GELU at 5/2, n = 8, whose point is STABLE (radius 0.98336 < 1): nothing may call it
stable or bound its radius from above.  Forgeries (relabelled, moved, degenerate, huge, NaN-like), the kernel's
answers for every property and relation over ranges of n, edited and re-hashed certificates, and the work bound."""
import copy
import functools
import math
import time
from fractions import Fraction as F

import numpy as np
import pytest
from flint import arb, arb_series, ctx

from bnverify import trusted
from bnverify.claims.properties import spread_cover as SC
from bnverify.trusted import spreadbox as B
from bnverify.trusted.base import content_hash

# float points of the symmetric family (q, rho of S = w C G C) from bnverify.derive.spread.search
STABLE = ("gelu", F(5, 2), 8, 0.7594565244567024, 0.6506734154576638)         # full radius 0.98335853075
BELOW = ("gelu", F(7, 2), 16, 0.1605065570258047, -0.06935100895579932)       # p < q: full radius 1.09298499541


@functools.lru_cache(maxsize=None)
def _box(name, w, n, q, rho):
    it = SC.box_item(name, n, w, q, rho)
    assert it is not None
    return it


def _stable():
    return copy.deepcopy(_box(*STABLE))


def _verdict(claim, items):
    try:
        return trusted.decide(claim, items)[0]
    except (trusted.Rejected, trusted.NoGoal):
        return "inconclusive"


def _claim(prop="attractor-exists", n="8", w="5/2", act="gelu", **params):
    return {"property": prop, "stages": ["rc"], "activation": act, "domain": {"n": n}, "params": params,
            "weight_var": w}


def _rejected(it):
    with pytest.raises(trusted.Rejected):
        trusted.items.check_item(it)


# ---------------------------------------------------------------- the mathematics, written again (numpy)
def _gelu_np(q1, q2, c):
    s = (1 + q1) * (1 + q2)
    return (c + 2 / np.pi * (c * np.arcsin(c / np.sqrt(s)) +
                             (q1 * q2 + c * c - c * c * (q1 / (1 + q1) + q2 / (1 + q2))) / np.sqrt(s - c * c))) / 4


KERNELS = {"gelu": _gelu_np,
           "erf": lambda q1, q2, c: 2 / np.pi * np.arcsin(2 * c / np.sqrt((1 + 2 * q1) * (1 + 2 * q2))),
           "sin": lambda q1, q2, c: (np.exp(c - (q1 + q2) / 2) - np.exp(-c - (q1 + q2) / 2)) / 2}
_Z, _W = np.polynomial.hermite_e.hermegauss(160)
_W = _W / _W.sum()
_ERF = np.vectorize(math.erf)


def _gh(f, g, q1, q2, c):
    """E[f(x) g(y)], (x, y) ~ N(0, [[q1, c], [c, q2]]), a 160 x 160 Gauss-Hermite rule (degenerate c allowed)."""
    a = math.sqrt(q1)
    x = a * _Z[:, None] + 0 * _Z[None, :]
    y = c / a * _Z[:, None] + math.sqrt(max(q2 - c * c / q1, 0.0)) * _Z[None, :]
    return float(np.sum(_W[:, None] * _W[None, :] * f(x) * g(y)))


def _gelu(t):
    return t * 0.5 * (1 + _ERF(t / math.sqrt(2)))


def _dgelu(t):
    return 0.5 * (1 + _ERF(t / math.sqrt(2))) + t * np.exp(-t * t / 2) / math.sqrt(2 * math.pi)


@pytest.mark.parametrize("q1,q2,f", [(1, 1, 1.0), (1, 1, -1.0), (0.3, 2.0, 0.9999999), (0.3, 2.0, -0.9999999),
                                     (2.5, 0.05, -1.0), (0.76, 26.07, -0.1873), (1.5, 1.5, 0.0)])
def test_gelu_kernel_and_its_c_derivative_at_the_psd_edge(q1, q2, f):
    """The trusted closed form (arb) at c = f sqrt(q1 q2), up to the edges c = +-sqrt(q1 q2), against Gauss-Hermite;
    its c-derivative (arb_series: what the Jacobian of a box reads) against Price's E[gelu'(x) gelu'(y)]."""
    c = f * math.sqrt(q1 * q2)
    with ctx.workprec(128):
        k = B.gelu(arb(q1), arb(q2), arb(c))
        dk = B.gelu(arb_series([q1], prec=2), arb_series([q2], prec=2), arb_series([c, 1], prec=2)).coeffs()[1]
    assert abs(float(k.mid()) - _gh(_gelu, _gelu, q1, q2, c)) < 1e-8
    assert abs(float(dk.mid()) - _gh(_dgelu, _dgelu, q1, q2, c)) < 1e-7
    assert abs(float(k.mid()) - _gelu_np(q1, q2, c)) < 1e-12


def _fam(n, q, p):
    S = np.full((n, n), (p / (n - 1) - q) / (n - 2))
    np.fill_diagonal(S, q)
    S[-1, :] = S[:, -1] = -p / (n - 1)
    S[-1, -1] = p
    return S


def _K(name, S):
    d = np.diag(S)
    return KERNELS[name](d[:, None], d[None, :], S)


def _T(name, w, S):
    n = len(S)
    C = np.eye(n) - 1 / n
    return w * C @ _K(name, S) @ C


def _F(name, w, G):
    n = len(G)
    C = np.eye(n) - 1 / n
    return _K(name, w * C @ G @ C)


@pytest.mark.parametrize("name", ["gelu", "erf", "sin"])
@pytest.mark.parametrize("n", [3, 4, 9, 23])
def test_the_family_map_is_the_full_map(name, n):
    """h(q, p) + (q, p) is (T11, Tnn) of T(S) = w C K(S) C on the whole n x n matrix, T(S) is again in the family,
    and S is PSD of rank n - 1 strictly inside the wedge (the geometry the box test demands)."""
    rng = np.random.default_rng(n)
    for _ in range(4):
        w, q = float(rng.uniform(0.5, 4)), float(10 ** rng.uniform(-2, 1.5))
        p = float(rng.uniform(0.01, 0.99)) * (n - 1) ** 2 * q
        S = _fam(n, q, p)
        ev = np.linalg.eigvalsh(S)
        assert ev[0] > -1e-9 * ev[-1] and ev[1] > 0
        T = _T(name, w, S)
        assert np.allclose(T, _fam(n, T[0, 0], T[-1, -1]), rtol=1e-10, atol=1e-12)
        with ctx.workprec(128):
            h = B.family(name, n, arb(w), arb(q), arb(p))
        assert abs(float(h[0].mid()) - (T[0, 0] - q)) < 1e-9 * max(1, q)
        assert abs(float(h[1].mid()) - (T[-1, -1] - p)) < 1e-9 * max(1, p)


def _DF_radius(name, w, n, q, p):
    """The spectral radius of DF(G*) for F(G) = K(w C G C) itself (G* = K(S*)), central differences on all n(n+1)/2
    symmetric directions, in floats."""
    S = _fam(n, q, p)
    G = _K(name, S)
    w = float(w)
    basis = [(i, j) for i in range(n) for j in range(i, n)]
    e, cols = 1e-6, []
    for i, j in basis:
        H = np.zeros((n, n))
        H[i, j] = H[j, i] = 1
        D = (_F(name, w, G + e * H) - _F(name, w, G - e * H)) / (2 * e)
        cols.append([D[k, m] for k, m in basis])
    return max(abs(np.linalg.eigvals(np.array(cols).T)))


@pytest.mark.parametrize("point,radius", [(STABLE, 0.98335853075), (BELOW, 1.09298499541)])
def test_the_lower_bound_is_below_dfs_own_radius(point, radius):
    """At the box's point, DF's spectral radius (F, not T: the non-zero spectra agree) is >= the kernel's radius_lo,
    and within 1e-7 of it (here the family pair is the top of the spectrum); S* is a fixed point of the full map."""
    name, w, n = point[:3]
    f = trusted.items.check_item(_box(*point))
    q, p = (float(sum(f[k])) / 2 for k in ("q", "p"))
    S = _fam(n, q, p)
    assert np.max(abs(_T(name, float(w), S) - S)) < 1e-9
    r = _DF_radius(name, w, n, q, p)
    assert abs(r - radius) < 1e-6
    assert float(f["radius_lo"]) <= r + 1e-7 and r - float(f["radius_lo"]) < 1e-6


# ---------------------------------------------------------------- the stable point: never called stable
def test_a_stable_point_is_only_a_lower_bound():
    """GELU 5/2, n = 8 (radius 0.98336 < 1): existence and fixed-point proved; radius > 98/100 proved (true); radius
    >= 983358531/10^9 (false: 0.98335853075) and > 1 not; at n = 8 the upper bound (every block of DF, issue 22:
    tests/test_spread_blocks.py) proves attractor-stable and radius < 1, <= 100; over 5..8, 8..9, 3..64 and 3.. none
    of them (no evidence at the other n); threshold 8 only on the domains 8 and 8..9; value none refuted on every
    domain (each holds 8, where the stable point is), no other refutation."""
    it = _stable()
    assert _verdict(_claim(), [it]) == "proved"
    assert _verdict(_claim("fixed-point", state="attractor"), [it]) == "proved"
    assert _verdict(_claim("spectral-radius", state="attractor", relation=">", bound="98/100"), [it]) == "proved"
    assert _verdict(_claim("spectral-radius", state="attractor", relation=">=", bound="983358530/1000000000"),
                    [it]) == "proved"
    for rel, bound in ((">=", "983358531/1000000000"), (">", "1"), (">=", "1")):
        assert _verdict(_claim("spectral-radius", state="attractor", relation=rel, bound=bound), [it]) != "proved"
    for n in ("8", "5..8", "8..9", "3..64", "3.."):
        for claim in (_claim("attractor-stable", n=n), _claim("attractor-stable", n=n, relation="<=", bound="1"),
                      _claim("spectral-radius", n=n, state="attractor", relation="<", bound="1"),
                      _claim("spectral-radius", n=n, state="attractor", relation="<=", bound="100"),
                      _claim("attractor-threshold", n=n, value="8"), _claim("attractor-threshold", n=n, value="none")):
            # threshold 8 on 8 and 8..9: the box, and no smaller n (issue 22: a box at t and covers below it)
            value = claim["params"].get("value")
            want = "proved" if n == "8" and value is None or value == "8" and n in ("8", "8..9") else \
                "refuted" if value == "none" else "inconclusive"
            assert _verdict(claim, [it]) == want, (n, claim)
        if n != "8":
            assert _verdict(_claim(n=n), [it]) == "inconclusive"


def test_the_box_answers_only_its_own_model():
    """The stable box (gelu 5/2, n = 8) says nothing at 251/100 or 3, for silu, erf, a formula of GELU, stages gelu,rc
    or rc,rs, or with alpha: inconclusive (or no goal)."""
    it = _stable()
    for claim in (_claim(w="251/100"), _claim(w="3"), _claim(act="silu"), _claim(act="erf"),
                  _claim(act="formula:x*(1+erf(x/sqrt(2)))/2"), dict(_claim(), stages=["nl", "rc"]),
                  dict(_claim(), stages=["rc", "rs"]), dict(_claim(), alpha="1/10")):
        assert _verdict(claim, [it]) == "inconclusive", claim


def test_attractor_stable_with_a_lower_relation_is_the_radius_statement():
    """attractor-stable with relation > / >= is the kernel's spectral-radius statement (docs/spread.md says so now):
    proved with the same words as spectral-radius at the attractor, never with < / <= (its default)."""
    it = _stable()
    a = trusted.decide(_claim("attractor-stable", relation=">", bound="98/100"), [it])
    b = trusted.decide(_claim("spectral-radius", state="attractor", relation=">", bound="98/100"), [it])
    assert a[0] == b[0] == "proved" and a[1] == b[1] and "spectral radius of DF > 49/50" in a[1]
    assert "stable" not in a[1].replace("unstable", "")


# ---------------------------------------------------------------- forgeries
@pytest.mark.parametrize("key,value", [("n", 7), ("n", 9), ("n", 3), ("n", 64), ("weight_var", "251/100"),
                                       ("weight_var", "3"), ("activation", "erf"), ("activation", "sin"),
                                       ("activation", "tanh"), ("activation", "silu"), ("activation", "relu"),
                                       ("activation", "GELU"), ("alpha", "1/10"), ("alpha", "0.0"), ("prec", 63),
                                       ("prec", 513), ("prec", True), ("n", True), ("n", 8.0), ("type", "spread-none"),
                                       ("type", "spread-point"), ("Y", [["1", "1"], ["1", "1"]]),
                                       ("Y", [["0", "0"], ["0", "0"]]), ("Y", [["nan", "0"], ["0", "1"]]),
                                       ("Y", [["1e5", "0"], ["0", "1"]]), ("Y", [["1/0", "0"], ["0", "1"]]),
                                       ("Y", [[str(10 ** 1999), "0"], ["0", str(10 ** 1999)]]), ("Y", [["1", "0"]]),
                                       ("Y", [[["1"], "0"], ["0", "1"]]), ("q_lo", "inf"), ("p_hi", "NaN"),
                                       ("q_hi", "0x1"), ("p_lo", "-0"), ("radius_lo", "2"), ("V", {})])
def test_a_forged_stable_box_is_rejected(key, value):
    _rejected(dict(_stable(), **{key: value}))


def test_equal_values_are_one_fact():
    """weight_var 10/4 and 5/2, alpha 0 and -0 and 0/7: the same numbers, the same fact (no relabelling)."""
    it = _stable()
    for key, value in (("weight_var", "10/4"), ("alpha", "-0"), ("alpha", "0/7")):
        f = trusted.items.check_item(dict(it, **{key: value}))
        assert f["weight_var"] == F(5, 2) and f["alpha"] == 0 and f["n"] == 8


def _moved(it, q0, q1, p0, p1):
    return dict(it, q_lo=str(q0), q_hi=str(q1), p_lo=str(p0), p_hi=str(p1))


def test_boxes_touching_the_lines_or_degenerate_are_rejected():
    """The p < q box (gelu 7/2, n = 16) widened up to p_hi = q_lo, a box whose p_hi equals (n-1)^2 q_lo, points, an
    inverted box, p_lo = 0, and the stable box shifted by its own width are refused."""
    it = _box(*BELOW)
    q0, q1, p0, p1 = (F(it[k]) for k in ("q_lo", "q_hi", "p_lo", "p_hi"))
    assert p1 < q0
    trusted.items.check_item(it)
    for box in ((q0, q1, p0, q0), (p1, q1, p0, p1), (q0, q0, p0, p1), (q0, q1, p1, p1), (q1, q0, p0, p1),
                (q0, q1, 0, p1), (q0, q1, p0 - (p1 - p0) * 10 ** 6, p1)):
        _rejected(_moved(it, *box))
    st = _stable()
    a, b, c, d = (F(st[k]) for k in ("q_lo", "q_hi", "p_lo", "p_hi"))
    _rejected(_moved(st, a, b, c + (d - c), d + (d - c)))
    _rejected(_moved(st, a, b, c, 49 * a))                          # p_hi = (n-1)^2 q_lo
    _rejected(_moved(st, a + (b - a), b + (b - a), c, d))


def test_huge_and_tiny_boxes_are_rejected_quickly_and_priced():
    """2000-digit ends, variances near 10^1990 and 10^-1990, at 512 bits and n = 64, for all three kernels: refused
    (a Rejected, never a crash) in milliseconds; the price is a fixed 10 per bit (every block of DF)."""
    big = 10 ** 1990
    for name in ("gelu", "erf", "sin"):
        for box in ((big, big + 1, big // 2, big // 2 + 1), (F(1, big), F(2, big), F(1, 2 * big), F(3, 4 * big)),
                    (F(big + 1, big), F(big + 2, big), F(3 * big + 1, big), F(3 * big + 2, big))):
            it = {"type": "spread-box", "activation": name, "alpha": "0", "weight_var": "100", "n": 64, "prec": 512,
                  "q_lo": str(box[0]), "q_hi": str(box[1]), "p_lo": str(box[2]), "p_hi": str(box[3]),
                  "Y": [[str(10 ** 1999), "-1"], ["1/3", "7"]]}
            t = time.process_time()
            _rejected(it)
            assert time.process_time() - t < 0.5
            assert trusted.items.work(it) == 10 * 512


# ---------------------------------------------------------------- certificates edited and re-hashed
def _cert(claim, items):
    verdict, statement, _ = trusted.decide(claim, items)
    cert = {"format": "bnverify-certificate/2", "claim": claim, "evidence": items, "verdict": verdict,
            "statement": statement, "method": trusted.kernel.METHODS[1], "tools": {"bnverify": "x"}}
    cert["hash"] = content_hash(cert)
    return cert


def _rehashed(cert, edit):
    cert = copy.deepcopy(cert)
    edit(cert)
    cert["hash"] = content_hash(cert)
    return trusted.check(cert)


def test_an_edited_certificate_fails():
    """The stable box's certificate for radius > 98/100: ok; re-hashed edits to '<' 1, attractor-stable, threshold 8,
    n = 8..9, the box's n, its activation, refuted, a >= bound above the lower bound: every one rejected."""
    cert = _cert(_claim("spectral-radius", state="attractor", relation=">", bound="98/100"), [_stable()])
    assert trusted.check(cert)[0]
    p = lambda c: c["claim"]["params"]        # noqa: E731
    edits = [lambda c: p(c).update(relation="<", bound="1"),
             lambda c: p(c).update(relation="<=", bound="2"),
             lambda c: c["claim"].update(property="attractor-stable", params={}),
             lambda c: c["claim"].update(property="attractor-threshold", params={"value": "8"}),
             lambda c: c["claim"].update(property="attractor-threshold", params={"value": "none"}),
             lambda c: c["claim"]["domain"].update(n="8..9"),
             lambda c: c["claim"]["domain"].update(n="3.."),
             lambda c: (c["claim"]["domain"].update(n="9"), c["evidence"][0].update(n=9)),
             lambda c: (c.update(claim=dict(c["claim"], activation="silu")),
                        c["evidence"][0].update(activation="silu")),
             lambda c: (c.update(claim=dict(c["claim"], activation="erf")), c["evidence"][0].update(activation="erf")),
             lambda c: c.update(verdict="refuted"),
             lambda c: p(c).update(relation=">=", bound="983358531/1000000000"),
             lambda c: c["evidence"].append(copy.deepcopy(c["evidence"][0]))]
    for i, edit in enumerate(edits):
        ok, why = _rehashed(cert, edit)
        assert not ok, (i, why)


# ---------------------------------------------------------------- messages
def test_elu_is_never_sent_for_a_cover_it_cannot_have():
    """elu at alpha != 1 has no spread-none cover (spreadfam.KERNELS: erf, sin and gelu, whose bound is its distance to
    relu; MEH: tanh, sigmoid, silu, softplus, and elu at alpha 1 only), so an undecided elu(1/2) claim (attractor-stable,
    value none, existence) says so and names the points that prove, instead of asking for a cover alone; erf's and
    gelu's reasons keep asking for their covers (fixed on this branch: kernel.py _spread_none; mutant
    spread-box-redteam-cover-for-gelu)."""
    for claim in (_claim("attractor-stable", act="elu"), _claim("attractor-threshold", act="elu", value="none"),
                  _claim(n="7", act="elu")):
        claim["domain"]["alpha"] = "1/2"
        with pytest.raises(trusted.Rejected) as e:
            trusted.decide(claim, [])
        assert "none exists for elu" in str(e.value) and "spread-box" in str(e.value), str(e.value)
    with pytest.raises(trusted.Rejected) as e:
        trusted.decide(_claim("attractor-stable"), [])
    assert "not decided without a spread-none cover" in str(e.value) and "none exists" not in str(e.value)
    with pytest.raises(trusted.Rejected) as e:
        trusted.decide(_claim(act="erf", w="2", n="9"), [])
    assert "not decided without a spread-none cover" in str(e.value) and "none exists" not in str(e.value)


def test_the_search_rows_name_the_box_route():
    """basins' and attractor's undecided row for a phi without a cover (spread_search.REASON) names the spread-box
    and spread-point as what proves a point exists, not the lemmas and covers alone (fixed on this branch)."""
    from bnverify.commands import spread_search
    assert "spread-box" in spread_search.REASON and "spread-point" in spread_search.REASON
