"""Red-team attacks on n = 3's spread-point item (trusted/spreadfam.py, check_spread_point; kernel.py,
_g_spread_smooth), the untrusted search that builds it (claims/properties/spread_cover.py point_item, states.py),
the float search's edge scan (derive/spread.py) and the commands that show them (attractor, basins, atlas
--spread-n).  A reviewer with fresh eyes: attacks the code withstands stay as regression tests.

Independent of the checker: the full 3 x 3 map w C K(S) C and its derivative DT(S) on all six symmetric
directions by one-dimensional mpmath integrals (at S = q [[1, -1, 0], [-1, 1, 0], [0, 0, 0]] every point is a
multiple of one Gaussian Z, so K and Price's derivatives E[phi' phi'], E[phi'' phi], E[phi'^2 + phi phi''] are
integrals in Z alone), never the checker's arcsine / sinh kernels."""
import copy
import json
import time
from fractions import Fraction as F
from pathlib import Path

import jsonschema
import mpmath
import pytest

from bnverify import trusted
from bnverify.claims.certificate import finish
from bnverify.claims.properties import spread_cover as SC
from bnverify.commands import atlas, spread_search
from bnverify.core import activations, ranges
from bnverify.derive import spread
from bnverify.trusted import spreadfam as S
from test_redteam_spread import _cert, assert_edited_items_fail

SCHEMAS = Path(__file__).resolve().parents[1] / "docs" / "schemas"


def _claim(prop="attractor-exists", act="erf", n="3", w="2", params=None):
    return {"property": prop, "stages": ["rc"], "activation": act, "domain": {"n": n}, "params": params or {},
            "weight_var": w}




# ---------------------------------------------------------------- the commands (untrusted)
def test_atlas_never_calls_a_cover_verdict_the_collapse_lemma():
    """erf and sin beyond the lemma (erf at sigma_w^2 = 1, 2; sin at 2): the kernel proves value none on 3..4 from
    spread-none covers, whose n = 3 cover has U cells around the {v, -v, 0} that exists (spread-point proves it).
    atlas --spread-n showed 'none in 3..4 (proved by the trusted kernel's collapse lemma: no spread-cluster fixed
    point at any n)', certified, smallest_n_found null: false at n = 3.  Now the float search answers there; the
    lemma's rows stay the kernel's."""
    sr = ranges.parse_int_range("3..4", "--spread-n", minimum=3, allow_open=False, maximum=64)
    for name, w in (("erf", "2"), ("sin", "2"), ("erf", "1")):
        assert trusted.decide(_claim(act=name, w=w), [SC.point_item(name, 3, F(w))])[0] == "proved"
        assert atlas._spread_lemma(name, None, w, sr) is None, (name, w)
    for name, w in (("tanh", "1"), ("gelu", "2"), ("sin", "1"), ("sigmoid", "16")):
        got = atlas._spread_lemma(name, None, w, sr)
        assert got["certified"] is True and "collapse lemma" in got["note"], (name, w)


# ---------------------------------------------------------------- forged spread-point items (trusted)
@pytest.fixture(scope="module")
def erf2():
    it = SC.point_item("erf", 3, F(2))
    assert it is not None and F(it["q_lo"]) < F("0.8807506304") < F(it["q_hi"])
    return it


def _refused(claims, items):
    for claim in claims:
        with pytest.raises((trusted.Rejected, trusted.NoGoal)):
            trusted.decide(claim, items)


STABLE_GT = {"relation": ">", "bound": "1"}


def test_the_genuine_item_decides_exactly_its_claims(erf2):
    """exists and radius > / >= bound <= 1 at n = 3, erf, sigma_w^2 = 2 (also spelled 4/2), and the radius against
    bounds its enclosure (1.9458684) shows; nothing else: other n, ranges, open ranges, bounds on the enclosure's wrong
    side, relations < and <= at bounds <= 1, thresholds, other stages, activations, variances."""
    for params in ({}, STABLE_GT, {"relation": ">=", "bound": "1"}, {"relation": ">", "bound": "-7/3"},
                   {"relation": ">"},          # the default bound is 1
                   {"relation": ">=", "bound": "999/1000"}, {"relation": ">", "bound": "1001/1000"},
                   {"relation": "<", "bound": "100"}, {"relation": "<", "bound": "2"},
                   {"relation": "<=", "bound": "1946/1000"}, {"relation": ">=", "bound": "1945/1000"}):
        prop = "attractor-stable" if params else "attractor-exists"
        for w in ("2", "4/2", "2/1"):
            assert trusted.decide(_claim(prop, w=w, params=params), [erf2])[0] == "proved", (params, w)
    _refused([_claim(n="3..4"), _claim(n="3.."), _claim(n="4"), _claim(n="2..3"), _claim(n="2"),
              _claim("attractor-stable", params={"relation": ">", "bound": "1946/1000"}),
              _claim("attractor-stable", params={"relation": "<", "bound": "1945/1000"}),
              _claim("attractor-stable", params={"relation": ">=", "bound": "2"}),
              _claim("attractor-stable", params={"relation": "<", "bound": "1"}),
              _claim("attractor-stable", params={"relation": "<=", "bound": "1"}),
              _claim("attractor-stable", params={"relation": "<", "bound": "19/10"}),
              _claim("attractor-stable", params={"relation": "!=", "bound": "1"}),
              _claim("attractor-stable", params={"relation": ">", "bound": "nan"}),
              _claim("attractor-threshold", params={"value": 3}), _claim("attractor-threshold", params={"value": "3"}),
              _claim("attractor-threshold", params={"value": "none"}),
              _claim(act="sin"), _claim(act="tanh"), _claim(act="formula:erf(x)"), _claim(w="3"),
              _claim(w="201/100"), dict(_claim(), stages=["rc", "rs"]), dict(_claim(), stages=["nl", "rc"]),
              dict(_claim(), stages=["rs"]), dict(_claim(), domain={"n": "3", "alpha": "1/2"})], [erf2])
    # inside the collapse lemma the lemma answers (refuted), whatever the evidence
    assert trusted.decide(_claim(w="1/2"))[0] == "refuted"
    _refused([_claim(w="1/2")], [dict(erf2, weight_var="1/2")])


def test_forged_items_are_refused(erf2):
    """Relabelled, moved, widened, shrunk or malformed items: refused (or, where the edit keeps a true item, still
    about its own model only)."""
    it = erf2
    q0, q1, p1 = F(it["q_lo"]), F(it["q_hi"]), F(it["p_hi"])
    qs = F("0.8807506303957375")
    bad = [dict(it, activation="sin"), dict(it, activation="tanh"), dict(it, activation="formula:erf(x)"),
           dict(it, activation="ERF"), dict(it, activation=" erf"), dict(it, weight_var="1"),
           dict(it, weight_var="3"), dict(it, weight_var="0"), dict(it, weight_var="-2"), dict(it, weight_var="101"),
           dict(it, weight_var="2.0"), dict(it, weight_var="1" * 900), dict(it, n=4), dict(it, n=2), dict(it, n=64),
           dict(it, n=True), dict(it, n=3.0), dict(it, n="3"), dict(it, alpha="1/2"), dict(it, alpha=0),
           dict(it, prec=63), dict(it, prec=513), dict(it, prec=True), dict(it, prec=64.0), dict(it, prec=10 ** 30),
           dict(it, type="spread-none"), dict(it, type="spread-Point"),
           # the cell: no root in it, the root on its edge, empty, inverted, q <= 0, past 8 w, p_hi out of range
           dict(it, q_lo=str(q1), q_hi=str(2 * q1)), dict(it, q_lo=str(q0 / 2), q_hi=str(q0)),
           dict(it, q_lo="1/10", q_hi="1/2"), dict(it, q_lo="1", q_hi="16"),
           dict(it, q_lo=str(qs - F(1, 10 ** 40)), q_hi=str(qs + F(1, 10 ** 40)), p_hi=str(F(1, 10 ** 41))),
           dict(it, q_lo=str(q1), q_hi=str(q0)), dict(it, q_hi=str(q0)), dict(it, q_lo="0"), dict(it, q_lo="-1"),
           dict(it, q_lo="0", q_hi="16"), dict(it, q_hi="17"), dict(it, q_hi="16", q_lo="1/1000000"),
           dict(it, p_hi="0"), dict(it, p_hi="-1/100"), dict(it, p_hi=str(q1 - q0 + F(1, 10 ** 30))),
           dict(it, q_lo="1/1000000", q_hi="16", p_hi="1/1000000000"),
           dict(it, q_lo="3/4", q_hi="89/100", p_hi="1/1000"),       # holds the root, det(J - I) not < 0 (< 1)
           dict(it, q_lo="1/100000000000000000000000000000", q_hi="1/10000000000000000000000000000"),
           dict(it, q_lo="nan"), dict(it, q_hi="inf"), dict(it, p_hi="1e-3"), dict(it, q_lo="0.87"),
           dict(it, q_lo="1/0"), dict(it, q_lo=0.87), dict(it, p_hi=None), dict(it, q_lo=["1", "2"]),
           dict(it, q_hi="9" * 3000 + "/" + "1" * 3000), dict(it, extra="1"),
           {k: v for k, v in it.items() if k != "p_hi"}, {k: v for k, v in it.items() if k != "q_lo"}]
    for b in bad:
        t0 = time.process_time()
        _refused([_claim(), _claim("attractor-stable", params=STABLE_GT)], [b])
        if isinstance(b.get("activation"), str) and b["activation"] in ("sin", "tanh"):
            _refused([_claim(act=b["activation"])], [b])
        if b.get("weight_var") in ("1", "3"):
            _refused([_claim(w=b["weight_var"])], [b])
        assert time.process_time() - t0 < 5, b
    # edits that keep the item true (a smaller p_hi, a cell moved but still holding the root with U) prove the same
    for good in (dict(it, p_hi=str(p1 / 1000)), dict(it, q_lo=str(q0 + (qs - q0) / 2)), dict(it, prec=64),
                 dict(it, prec=512), dict(it, weight_var="4/2")):
        assert trusted.decide(_claim(), [good])[0] == "proved", good


def test_twice_the_point_or_with_a_cover(erf2):
    """Two spread-point items (one n, one shape) are refused as the kernel refuses two items of one shape; a point
    and an n = 3 cover with U cells agree: exists and > 1 proved, < 1 refuted."""
    with pytest.raises(trusted.Rejected):
        trusted.decide(_claim(), [erf2, copy.deepcopy(erf2)])
    with pytest.raises(trusted.Rejected):
        trusted.decide(_claim(), [erf2, dict(erf2, prec=256)])
    cover = SC.item("erf", 3, 2)
    assert cover is not None and "U" in cover["tree"]
    assert trusted.decide(_claim(), [erf2, cover])[0] == "proved"
    assert trusted.decide(_claim("attractor-stable", params=STABLE_GT), [erf2, cover])[0] == "proved"
    assert trusted.decide(_claim("attractor-stable", params={"relation": "<", "bound": "1"}), [erf2, cover])[0] == \
        "refuted"
    _refused([_claim()], [cover])                       # a U cover alone never shows existence
    _refused([_claim("attractor-stable", params=STABLE_GT)], [cover])
    # 3..4: the point at 3 and n = 4's cover (no U): the claim 'for each n' is false at 4
    c4 = SC.item("erf", 4, 2)
    assert trusted.decide(_claim(n="3..4"), [erf2, c4])[0] == "refuted"
    assert trusted.decide(_claim("attractor-stable", n="3..4", params=STABLE_GT), [erf2, c4])[0] == "refuted"


def test_check_cert_on_hand_edited_point_certificates(tmp_path, run_cli, erf2):
    """check-cert: NaN, inf, huge numbers, wrong types in the item, the claim moved (n, relation, bound, weight_var,
    activation), the verdict flipped, each with the hash recomputed: exit 1 or 2, never a traceback."""
    claim = _claim()
    good = _cert(claim, [erf2])
    p = tmp_path / "good.json"
    p.write_text(json.dumps(good))
    code, out, err = run_cli("check-cert", p)
    assert code == 0, out + err
    edits = [("n", float("nan")), ("n", float("inf")), ("n", 10 ** 400), ("prec", 10 ** 30), ("prec", -1),
             ("prec", float("nan")), ("q_lo", float("nan")), ("q_hi", float("inf")), ("p_hi", 10 ** 400),
             ("q_lo", "1e-3"), ("weight_var", 2), ("alpha", 0), ("type", "spread-poinT"), ("q_hi", {"a": 1}),
             ("activation", None)]
    assert_edited_items_fail(run_cli, p, good, edits)
    for edit in (lambda d: d.update(verdict="refuted"),
                 lambda d: d["claim"].update(domain={"n": "3..4"}),
                 lambda d: d["claim"].update(domain={"n": "4"}),
                 lambda d: d["claim"].update(weight_var="3"),
                 lambda d: d["claim"].update(activation="sin"),
                 lambda d: d["claim"].update(property="attractor-stable", params={"relation": "<", "bound": "1"}),
                 lambda d: d["claim"].update(property="attractor-stable", params={"relation": ">", "bound": "2"}),
                 lambda d: d["claim"].update(property="attractor-threshold", params={"value": "none"})):
        bad = copy.deepcopy(good)
        edit(bad)
        bad = finish(bad["claim"], bad["verdict"], bad["method"], bad["statement"], bad["evidence"])
        assert not trusted.check(bad)[0]
        p.write_text(json.dumps(bad))
        code, out, err = run_cli("check-cert", p)
        assert code in (1, 2) and "Traceback" not in out + err, (out, err)


# ---------------------------------------------------------------- the mathematics, independently
def _phi(name):
    """phi, phi', phi'' as numpy functions (float)."""
    import numpy as np
    if name == "erf":
        erf = np.vectorize(mpmath_erf_float)
        return erf, (lambda t: 2 / np.sqrt(np.pi) * np.exp(-t * t)), (lambda t: -4 * t / np.sqrt(np.pi) * np.exp(-t * t))
    return np.sin, np.cos, (lambda t: -np.sin(t))


def mpmath_erf_float(t):
    import math
    return math.erf(t)


def _gh(nodes=160):
    from numpy.polynomial.hermite_e import hermegauss
    z, wts = hermegauss(nodes)
    return z, wts / wts.sum()


def _edge_q(name, w):
    """q* = w E[phi(sqrt(q) Z)^2] > 0 by mpmath (one-dimensional integrals, bisection)."""
    f = {"erf": mpmath.erf, "sin": mpmath.sin}[name]
    a = lambda q: mpmath.quad(lambda z: f(mpmath.sqrt(q) * z) ** 2 * mpmath.exp(-z * z / 2),     # noqa: E731
                              mpmath.linspace(-12, 12, 13)) / mpmath.sqrt(2 * mpmath.pi)
    lo, hi = mpmath.mpf("1e-4"), mpmath.mpf(4 * w)
    for _ in range(8):                  # bisection to a bracket, then the Anderson-Bjorck rule inside it
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if w * a(mid) > mid else (lo, mid)
    return float(mpmath.findroot(lambda q: w * a(q) - q, (lo, hi), solver="anderson")), a


def _full_at_edge(name, w, q):
    """T(S) and DT(S) on the six symmetric directions at S = q [[1, -1, 0], [-1, 1, 0], [0, 0, 0]] (the points
    (sqrt(q) Z, -sqrt(q) Z, 0): every expectation is one-dimensional; Price's theorem for DK)."""
    import numpy as np
    f, f1, f2 = _phi(name)
    z, wt = _gh()
    E = lambda v: float(np.dot(wt, v))                          # noqa: E731
    X = [np.sqrt(q) * z, -np.sqrt(q) * z, 0 * z]
    C = np.eye(3) - 1 / 3
    K = np.array([[E(f(X[i]) * f(X[j])) for j in range(3)] for i in range(3)])
    basis = [(i, j) for i in range(3) for j in range(i, 3)]
    J = np.zeros((6, 6))
    for col, (i, j) in enumerate(basis):
        H = np.zeros((3, 3))
        H[i, j] = H[j, i] = 1
        D = np.zeros((3, 3))
        for k in range(3):
            for m in range(k, 3):
                if k == m:
                    v = H[k, k] * E(f1(X[k]) ** 2 + f(X[k]) * f2(X[k]))
                else:
                    v = H[k, m] * E(f1(X[k]) * f1(X[m])) + H[k, k] / 2 * E(f2(X[k]) * f(X[m])) + \
                        H[m, m] / 2 * E(f(X[k]) * f2(X[m]))
                D[k, m] = D[m, k] = v
        D = w * C @ D @ C
        J[:, col] = [D[k, m] for k, m in basis]
    return w * C @ K @ C, J


def _family_map(name, w, q, p):
    """(q', p') of the full 3 x 3 map w C K(S) C at the family matrix S(q, p) (cluster q, odd p, cross -p/2), K by a
    two-dimensional Gauss-Hermite rule (each pair written as sqrt(a) Z1, c/sqrt(a) Z1 + sqrt(b - c^2/a) Z2)."""
    import numpy as np
    f = _phi(name)[0]
    z, wt = _gh(96)
    Z1, Z2 = np.meshgrid(z, z, indexing="ij")
    W2 = np.outer(wt, wt)
    Sm = np.array([[q, -q + p / 2, -p / 2], [-q + p / 2, q, -p / 2], [-p / 2, -p / 2, p]])
    K = np.zeros((3, 3))
    for i in range(3):
        for j in range(i, 3):
            a, b, c = Sm[i, i], Sm[j, j], Sm[i, j]
            if i == j:
                K[i, i] = float(np.dot(wt, f(np.sqrt(a) * z) ** 2))
                continue
            x = np.sqrt(a) * Z1
            y = c / np.sqrt(a) * Z1 + np.sqrt(max(b - c * c / a, 0.0)) * Z2
            K[i, j] = K[j, i] = float(np.sum(W2 * f(x) * f(y)))
    C = np.eye(3) - 1 / 3
    T = w * C @ K @ C
    assert abs(T[0, 0] - T[1, 1]) < 1e-12 and abs(T[0, 2] - T[1, 2]) < 1e-12      # the family is invariant
    return T[0, 0], T[2, 2]


@pytest.mark.parametrize("name, w, top", [pytest.param("erf", 2, 1.9458684, marks=pytest.mark.slow),
                                          pytest.param("sin", 2, 1.6193670, marks=pytest.mark.slow),  # by default:
                                          # test_spread_cover.py's family Jacobian (quadrature) and full map (numpy)
                                          pytest.param("erf", 1, 1.1782991, marks=pytest.mark.slow),
                                          pytest.param("sin", 4, 2.6715107, marks=pytest.mark.slow)])
def test_the_point_independently(name, w, top):
    """The item's claims against an independent computation: the edge p = 0 invariant under the full 3 x 3 map at
    and off the root, q* inside [q_lo, q_hi] with q' - q of opposite signs at its ends, S* a fixed point of the full
    map, DT(S*)'s largest eigenvalue (all six directions) the quoted one (1.946 erf, 1.619 sin at 2) and > 1, and the
    family's two eigenvalues among DT's six."""
    import numpy as np
    it = SC.point_item(name, 3, F(w))
    assert it is not None
    q0, q1, p1 = (float(F(it[k])) for k in ("q_lo", "q_hi", "p_hi"))
    qs, a = _edge_q(name, w)
    assert q0 < qs < q1
    assert w * a(q0) - q0 > 0 > w * a(q1) - q1
    for q in (q0, qs, q1, 0.37 * qs, 2.5 * qs):
        T, _ = _full_at_edge(name, w, q)
        assert abs(T[2, 2]) < 1e-14 and abs(T[0, 2]) < 1e-14 and abs(T[0, 1] + T[0, 0]) < 1e-13     # p' = 0, rho' = -1
        assert abs(T[0, 0] - w * float(a(q))) < 1e-9
    T, J = _full_at_edge(name, w, qs)
    assert np.abs(T - qs * np.array([[1, -1, 0], [-1, 1, 0], [0, 0, 0]])).max() < 1e-9
    ev = np.linalg.eigvals(J)
    assert abs(max(ev.real) - top) < 1e-6 and max(ev.real) > 1 and max(abs(ev.imag)) < 1e-9
    # the checker's family Jacobian (its balls at q*, p = 0), its eigenvalues among the full map's
    from flint import arb
    dq, dp = S._partials(S.h12, name, 3, arb(w), arb(qs), arb(0))
    Jf = np.array([[float(dq[0].mid()) + 1, float(dp[0].mid())], [float(dq[1].mid()), float(dp[1].mid()) + 1]])
    for e in np.linalg.eigvals(Jf):
        assert min(abs(ev - e)) < 1e-7, (e, ev)


@pytest.mark.parametrize("name, w", [("erf", 2), ("sin", 2)])
def test_the_u_cell_independently(name, w):
    """det(J - I) < 0 across the item's cell for the family map computed from the full 3 x 3 map (two-dimensional
    quadrature, central differences), at its corners, centre and edge midpoints: any zero there is unstable, and
    the map minus the identity has one sign of Jacobian, so at most one zero."""
    import numpy as np
    it = SC.point_item(name, 3, F(w))
    q0, q1, p1 = (float(F(it[k])) for k in ("q_lo", "q_hi", "p_hi"))
    h = 1e-5
    for q in (q0, (q0 + q1) / 2, q1):
        for p in (h, p1 / 2, p1):           # p >= h: the difference stays in the family's wedge
            Jq = (np.array(_family_map(name, w, q + h, p)) - np.array(_family_map(name, w, q - h, p))) / (2 * h)
            Jp = (np.array(_family_map(name, w, q, p + h)) - np.array(_family_map(name, w, q, p - h))) / (2 * h)
            det = (Jq[0] - 1) * (Jp[1] - 1) - Jp[0] * Jq[1]
            assert det < -1e-3, (q, p, det)


# ---------------------------------------------------------------- the float search's edge scan (untrusted)
def test_the_edge_scan_invents_no_point_at_n_4(monkeypatch):
    """tanh at sigma_w^2 = 1.000001: A changes sign on the edge rho = -1/(n-2) at q = 5e-7 for every n, where the
    map is almost linear and |B| ~ 1e-14 < TOL; at n >= 4 the edge holds no fixed point (the odd point's image is
    not 0), yet the search reported 'spread q 5e-07 rho -0.5' at n = 4 and 'first found at n = 4'.  Now only n = 3
    (where {v, -v, 0} is a genuine fixed point of odd tanh) has an edge point."""
    monkeypatch.setattr(spread, "GRID", (13, 16))
    act = activations.activation("tanh")
    for n in (4, 5, 6):
        fam = spread.Family(act, n, 1.000001, spread.NODES)
        assert not [r for q, r in spread.spread_roots(fam) if r <= spread.rho_bounds(n)[0] + 1e-9], n
    fam = spread.Family(act, 3, 1.000001, spread.NODES)
    edge = [q for q, r in spread.spread_roots(fam) if r == -1.0]
    assert len(edge) == 1 and abs(edge[0] / 5e-7 - 1) < 1e-2


def test_no_nan_in_the_reason_where_the_full_radius_is_not_computed():
    """A point on the edge (a variance 0) has no full radius for a quadrature kernel (None in JSON, '-' in the
    table); the row's reason said 'spectral radius nan'."""
    pts = [{"state": "spread", "q": 2.12147, "rho": -1.0, "family_radius": 2.764, "full_radius": None,
            "persists": True}]
    text = spread_search._found_text(pts)
    assert "nan" not in text and "not computed" in text and "family 2.764" in text
    assert "-" in spread_search.point_lines(pts)[0].split("full")[1]


@pytest.mark.slow
def test_atlas_spread_column_for_erf_at_two_finds_n3(cli_json, monkeypatch):
    """atlas --spread-n 3..4 for erf at sigma_w^2 = 2 (beyond the lemma): the float search's column, which finds
    n = 3's {v, -v, 0}, never 'none in 3..4 ... certified'; the document matches docs/schemas/atlas.json."""
    monkeypatch.setattr(spread, "GRID", (13, 16))
    doc = cli_json("atlas", "--activations", "erf,gelu", "--n", "4", "--weight-var", "2", "--width", "8", "--depth",
                   "3", "--seeds", "2", "--starts", "1", "--jobs", "1", "--no-certified", "--spread-n", "3..4")
    jsonschema.validate(doc, json.loads((SCHEMAS / "atlas.json").read_text()))
    rows = {r["activation"]: r["spread_search"] for r in doc["rows"]}
    assert rows["erf"]["certified"] is False and rows["erf"]["smallest_n_found"] == 3, rows["erf"]
    assert rows["erf"]["smallest_n_stable"] is None
    assert rows["gelu"]["certified"] is True          # the trace lemma


def test_an_edge_cell_at_n_4_is_refused():
    """At n >= 4, q' - q changes sign along p = 0 too, with det(J - I) < 0 around it (erf at 2, n = 4: q = 0.8518),
    but the edge is not invariant (p' > 0 there): no fixed point.  Such a cell passes the sign and U tests at
    n = 4 and must still be refused (n = 3 only), while n = 4's cover refutes existence."""
    from flint import arb, ctx
    q = F("0.8518")
    for k in range(6, 14):
        h = q / 2 ** k
        with ctx.workprec(128):
            ends = [S._sign(S.h12("erf", 4, arb(2), arb(float(x)), arb(0))[0]) for x in (q - h, q + h)]
            if ends == [1, -1] and S._leaf("U", "erf", 4, F(2), q - h, q + h, F(0), h):
                break
    else:
        pytest.fail("no n = 4 edge cell with a sign change and U (the attack needs one)")
    it = {"type": "spread-point", "activation": "erf", "alpha": "0", "weight_var": "2", "n": 4, "prec": 128,
          "q_lo": str(q - h), "q_hi": str(q + h), "p_hi": str(h)}
    _refused([_claim(n="4"), _claim("attractor-stable", n="4", params=STABLE_GT)], [it])
    assert trusted.decide(_claim(n="4"), [SC.item("erf", 4, 2)])[0] == "refuted"


def test_basins_rows_for_erf_do_not_say_the_kernel_cannot(monkeypatch):
    """basins / attractor search rows for erf and sin said 'the trusted kernel decides the two-point and simplex
    states only', while it decides their spread-cluster state per n (covers; n = 3's point); tanh's too now (covers
    from Mehler's series, trusted/spreadfam.py's ODD)."""
    monkeypatch.setattr(spread, "GRID", (7, 8))
    monkeypatch.setattr(spread, "search", lambda act, n, w: {
        "label": "x", "region": {}, "grid": {}, "nodes": 1, "points": [], "spread": [], "seconds": 0.0})
    for name, covered in (("erf", True), ("sin", True), ("tanh", True)):
        row = spread_search.rows(activations.activation(name), 2, [3], certified=False)[0]
        assert "two-point and simplex states only" not in row["reason"] and "not certified" in row["reason"]
        assert ("a spread-point item" in row["reason"]) is covered, (name, row["reason"])


def test_the_edge_point_once_with_no_full_radius_and_the_schema(monkeypatch):
    """tanh at sigma_w^2 = 4, n = 3 (a quadrature kernel): {v, -v, 0} reported once (no duplicate from the grid's
    Newton), on the edge, persisting under the 300-node rule, with no full radius (None in JSON, '-' in the table,
    'not computed' in the reason), and the row valid against docs/schemas/attractor.json."""
    monkeypatch.setattr(spread, "GRID", (13, 16))
    row = spread_search.rows(activations.activation("tanh"), 4, [3], certified=False)[0]
    sp = [p for p in row["search"]["points"] if p["state"] == "spread"]
    assert len(sp) == 1 and abs(sp[0]["rho"] + 1) < 1e-9 and abs(sp[0]["q"] - 2.1215) < 1e-3, sp
    assert sp[0]["family_radius"] > 1 and sp[0]["persists"] is True and sp[0]["check"]["nodes"] == spread.CHECK_NODES
    assert sp[0]["full_radius"] is None or sp[0]["full_radius"] > 1         # the grid's Newton point may have one
    assert "nan" not in row["reason"]
    # exactly on the edge (the edge scan's point) the quadrature's formulas divide by p = 0: None, and the refinement
    # along the edge still persists
    fam = spread.Family(activations.activation("tanh"), 3, 4.0, spread.NODES)
    assert spread.full_radius(fam, sp[0]["q"], -1.0) is None
    check = spread.Family(activations.activation("tanh"), 3, 4.0, spread.CHECK_NODES, closed=False)
    ref = spread._refine(check, "spread", sp[0]["q"], -1.0)
    assert ref is not None and ref["rho"] == -1.0 and abs(ref["q"] / sp[0]["q"] - 1) < 1e-6
    assert row["search"]["stable_spread_found"] == 0
    schema = json.loads((SCHEMAS / "attractor.json").read_text())
    jsonschema.validate(row, schema["properties"]["results"]["items"]["anyOf"][1])


@pytest.mark.parametrize("name, w, top", [pytest.param("erf", 2, "1.94586845418", marks=pytest.mark.slow),
                                            ("sin", 2, "1.61936695851")])
def test_the_eigenvalue_in_mpmath(name, w, top):
    """DT(S*) at {v, -v, 0} again, every expectation an mpmath integral (20 digits, no Gauss-Hermite rule): the
    largest of its six eigenvalues is 1.9458684542 (erf) / 1.6193669585 (sin), and the edge root is q* = w a(q*)."""
    mpmath.mp.dps = 20
    f, f1, f2 = {"erf": (mpmath.erf, lambda t: 2 / mpmath.sqrt(mpmath.pi) * mpmath.exp(-t * t),
                         lambda t: -4 * t / mpmath.sqrt(mpmath.pi) * mpmath.exp(-t * t)),
                 "sin": (mpmath.sin, mpmath.cos, lambda t: -mpmath.sin(t))}[name]
    E = lambda g: mpmath.quad(lambda z: g(z) * mpmath.exp(-z * z / 2), mpmath.linspace(-12, 12, 13)) / \
        mpmath.sqrt(2 * mpmath.pi)                                                      # noqa: E731
    qs = mpmath.findroot(lambda q: w * E(lambda z: f(mpmath.sqrt(q) * z) ** 2) - q, 0.8)
    s = mpmath.sqrt(qs)
    X = [lambda z: s * z, lambda z: -s * z, lambda z: 0 * z]
    C = mpmath.eye(3) - mpmath.ones(3, 3) / 3
    basis = [(i, j) for i in range(3) for j in range(i, 3)]
    # Price's theorem: the partials of K_km in S_km, S_kk, S_mm (one integral each, in Z alone)
    d_off = {(k, m): (E(lambda z: f1(X[k](z)) * f1(X[m](z))), E(lambda z: f2(X[k](z)) * f(X[m](z))) / 2,
                      E(lambda z: f(X[k](z)) * f2(X[m](z))) / 2) for k, m in basis if k != m}
    d_diag = {k: E(lambda z: f1(X[k](z)) ** 2 + f(X[k](z)) * f2(X[k](z))) for k in range(3)}
    J = mpmath.matrix(6, 6)
    for col, (i, j) in enumerate(basis):
        D = mpmath.matrix(3, 3)
        for k, m in basis:
            if k == m:
                D[k, k] = (1 if (i, j) == (k, k) else 0) * d_diag[k]
            else:
                a, b, c = d_off[(k, m)]
                D[k, m] = D[m, k] = ((i, j) == (k, m)) * a + ((i, j) == (k, k)) * b + ((i, j) == (m, m)) * c
        D = w * C * D * C
        for row, (k, m) in enumerate(basis):
            J[row, col] = D[k, m]
    ev = mpmath.eig(J)[0]
    big = max(ev, key=lambda e: mpmath.re(e))
    assert abs(mpmath.im(big)) < 1e-15 and abs(mpmath.re(big) - mpmath.mpf(top)) < 1e-9, ev
    it = SC.point_item(name, 3, F(w))
    assert F(it["q_lo"]) < F(str(qs)) < F(it["q_hi"])


def test_just_past_the_lemma_the_true_point_is_never_refuted():
    """erf just above sigma_w^2 = pi/4 (785399/10^6): {v, -v, 0} exists at a tiny q and attractor-exists at n = 3 is
    true: never refuted without evidence, and proved by the item (the search once started at q = 1e-6 and built none
    here; test_redteam_radius3); at 785398/10^6 < pi/4 the lemma refutes it, rightly (w a'(0) = 4w/pi < 1: no
    root).  At 7854/10^4 the item is found and proves it."""
    _refused([_claim(w="785399/1000000")], [])
    it = SC.point_item("erf", 3, F(785399, 10 ** 6))
    assert it is not None and F(it["q_hi"]) < F(1, 10 ** 6)
    assert trusted.decide(_claim(w="785399/1000000"), [it])[0] == "proved"
    assert trusted.decide(_claim(w="785398/1000000"))[0] == "refuted"
    it = SC.point_item("erf", 3, F(7854, 10 ** 4))
    assert it is not None and trusted.decide(_claim(w="7854/10000"), [it])[0] == "proved"
    assert F(it["q_hi"]) < F(1, 1000)
