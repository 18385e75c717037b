"""The spectral radius of DF at n = 3's {v, -v, 0} for erf and sin (trusted/spreadfam.py: moduli, check_spread_point's
root bracket and fact radius; kernel.py, _g_spread_smooth: radius rel bound proved from it, never refuted).

Independent of the checker: the full Gram map F(G) = K(w C G C) on 3 x 3 symmetric matrices, its kernels written
again here in mpmath (and checked against a two-dimensional Gauss-Hermite rule at covariances), q* the root of
w E[phi(sqrt q Z)^2] = q by one-dimensional mpmath quadrature, and DF by central differences on all six symmetric
directions (40 digits): its spectrum is three zeros and the three moduli the checker encloses, the largest in the
fact's radius.  Price's theorem's DT (test_redteam_point, Gaussian integrals, no closed form) agrees."""
import functools
import random
from fractions import Fraction as F

import mpmath
import numpy as np
import pytest
from flint import arb, ctx

from bnverify import trusted
from bnverify.claims.properties import spread_cover as SC
from bnverify.trusted import spreadfam as S

CASES = [("erf", 1), ("erf", 2), ("erf", 4), ("sin", 2), ("sin", 4)]


def _claim(prop="spectral-radius", act="erf", n="3", w="2", params=None):
    params = {"state": "attractor", "relation": "<", "bound": "2"} if params is None else params
    return {"property": prop, "stages": ["rc"], "activation": act, "domain": {"n": n}, "params": params,
            "weight_var": w}


def _radius(rel, bound, claim=None, **kw):
    """A spectral-radius claim at the attractor (``claim``: the _claim to build it with, erf's by default)."""
    return (claim or _claim)(params={"state": "attractor", "relation": rel, "bound": str(bound)}, **kw)


def _verdict(claim, items):
    try:
        return trusted.decide(claim, items)[0]
    except (trusted.Rejected, trusted.NoGoal):
        return "inconclusive"


class _Items(dict):
    """(name, w) -> n = 3's spread-point item, searched when first asked for."""

    def __missing__(self, key):
        self[key] = SC.point_item(key[0], 3, F(key[1]))
        return self[key]


@pytest.fixture(scope="module")
def items():
    return _Items()


# ---------------------------------------------------------------- the full map, written again
def _k(name, a, b, c):
    """E[phi(x) phi(y)] for (x, y) ~ N(0, [[a, c], [c, b]]): erf's arcsine kernel, sin's e^(-(a+b)/2) sinh c."""
    if name == "erf":
        return 2 / mpmath.pi * mpmath.asin(2 * c / mpmath.sqrt((1 + 2 * a) * (1 + 2 * b)))
    return mpmath.exp(-(a + b) / 2) * mpmath.sinh(c)


@pytest.mark.parametrize("name", ["erf", "sin"])
def test_the_kernels_written_here_are_gaussian_expectations(name):
    """_k against a 100 x 100 Gauss-Hermite rule of phi(x) phi(y) at a few covariances (to 1e-12)."""
    from numpy.polynomial.hermite_e import hermegauss
    import math
    z, wt = hermegauss(100)
    wt = wt / wt.sum()
    phi = np.vectorize(math.erf) if name == "erf" else np.sin
    for a, b, c in ((0.88, 0.88, -0.88), (0.88, 0.3, 0.1), (2.5, 0.01, -0.05), (0.14, 0.14, 0.14), (1.0, 2.0, 1.2)):
        x = np.sqrt(a) * z[:, None] + 0 * z[None, :]
        y = c / np.sqrt(a) * z[:, None] + np.sqrt(max(b - c * c / a, 0)) * z[None, :]
        got = float(np.sum(wt[:, None] * wt[None, :] * phi(x) * phi(y)))
        assert abs(got - float(_k(name, a, b, c))) < 1e-12, (a, b, c)


def _F(name, w, G):
    C = mpmath.eye(3) - mpmath.ones(3, 3) / 3
    Sm = w * C * G * C
    return mpmath.matrix([[_k(name, Sm[i, i], Sm[j, j], Sm[i, j]) for j in range(3)] for i in range(3)])


def _q_star(name, w):
    f = {"erf": mpmath.erf, "sin": mpmath.sin}[name]
    # Gauss-Legendre (mpmath's own error estimate) on the unit pieces where the integrand is entire: 3x cheaper than
    # tanh-sinh there, and at q = 0.9, 1.6, 3 both agree with the closed forms (2/pi) asin(2q/(1 + 2q)) and
    # e^-q sinh(q) to 1e-40
    a = lambda q: mpmath.quad(lambda z: f(mpmath.sqrt(q) * z) ** 2 * mpmath.exp(-z * z / 2),       # noqa: E731
                              mpmath.linspace(-14, 14, 15), method="gauss-legendre") / mpmath.sqrt(2 * mpmath.pi)
    lo, hi = mpmath.mpf("1e-3"), mpmath.mpf(4 * w)
    with mpmath.workdps(15):        # the bisection only brackets q* for findroot, which solves at the caller's 40
        for _ in range(12):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if w * a(mid) > mid else (lo, mid)
    return mpmath.findroot(lambda q: w * a(q) - q, (lo, hi), solver="anderson")


BASIS = [(0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)]


def symmetric_jacobian(f, G, h):
    """The 6 x 6 matrix of a map f of 3 x 3 symmetric matrices at G on the symmetric directions BASIS (central
    differences of step h)."""
    J = mpmath.matrix(6, 6)
    for col, (i, j) in enumerate(BASIS):
        H = mpmath.matrix(3, 3)
        H[i, j] = H[j, i] = 1
        D = (f(G + h * H) - f(G - h * H)) / (2 * h)
        for row, (k, m) in enumerate(BASIS):
            J[row, col] = D[k, m]
    return J


@functools.lru_cache(maxsize=None)
def _spectrum(name, w):
    """(q*, the eigenvalues of DF(G*) on the six symmetric directions, T's derivative along the swap-odd E)."""
    with mpmath.workdps(40):
        q = _q_star(name, w)
        Ss = q * mpmath.matrix([[1, -1, 0], [-1, 1, 0], [0, 0, 0]])
        G = mpmath.matrix([[_k(name, Ss[i, i], Ss[j, j], Ss[i, j]) for j in range(3)] for i in range(3)])
        assert mpmath.norm(_F(name, w, G) - G) < mpmath.mpf(10) ** -25          # G* = K(S*) is fixed
        h = mpmath.mpf(10) ** -14
        ev = mpmath.eig(symmetric_jacobian(lambda X: _F(name, w, X), G, h))[0]
        E = mpmath.matrix([[1, 0, -1], [0, -1, 1], [-1, 1, 0]])
        C = mpmath.eye(3) - mpmath.ones(3, 3) / 3
        T = lambda X: w * C * mpmath.matrix([[_k(name, X[a, a], X[b, b], X[a, b]) for b in range(3)]   # noqa: E731
                                             for a in range(3)]) * C
        DE = (T(Ss + h * E) - T(Ss - h * E)) / (2 * h)
        return q, sorted(float(abs(e)) for e in ev), [[float(DE[a, b]) for b in range(3)] for a in range(3)]


@pytest.mark.parametrize("name,w", [c if c in (("erf", 2), ("sin", 2)) else pytest.param(*c, marks=pytest.mark.slow)
                                    for c in CASES])
def test_the_enclosure_holds_the_full_linearizations_radius(items, name, w):
    """DF's six eigenvalues (finite differences of the full map): three zeros and three moduli, each in one of the
    checker's balls (the family's two and the swap-odd one, T along E being a multiple of E), the largest in the
    fact's radius, which is narrow (< 1e-6) over the item's root bracket."""
    it = items[name, w]
    assert it is not None and "root_lo" in it
    q, ev, DE = _spectrum(name, w)
    assert F(it["root_lo"]) < F(str(q)) < F(it["root_hi"])
    assert max(ev[:3]) < 1e-12 and min(ev[3:]) > 1e-3, ev
    fact = trusted.items.check_item(it)
    lo, hi = fact["radius"]
    assert lo <= F(ev[-1]) <= hi and hi - lo < F(1, 10 ** 6), (ev, float(lo), float(hi))
    with ctx.workprec(128):
        mods = S.moduli(name, S.ball(w), S._span(F(it["root_lo"]), F(it["root_hi"])))
        odd = float(mods[2].mid())
    lam = DE[0][0]
    E = [[1, 0, -1], [0, -1, 1], [-1, 1, 0]]
    assert max(abs(DE[a][b] - lam * E[a][b]) for a in range(3) for b in range(3)) < 1e-12, DE
    assert abs(lam - odd) < 1e-6, (lam, odd)
    for m, v in zip(sorted(mods, key=lambda x: float(x.mid())), ev[3:]):
        assert float(m.lower()) - 1e-12 <= v <= float(m.upper()) + 1e-12, (m, v)


@pytest.mark.parametrize("name,w", [("erf", 2), ("sin", 2)])
def test_prices_theorem_agrees(name, w):
    """The red team's DT(S*) by Price's theorem (Gauss-Hermite, no closed form): the same non-zero moduli."""
    from test_redteam_point import _full_at_edge
    q, ev, _ = _spectrum(name, w)
    _, J = _full_at_edge(name, w, float(q))
    got = sorted(abs(np.linalg.eigvals(J)))
    assert np.allclose(got[3:], ev[3:], atol=1e-8) and max(got[:3]) < 1e-8, (got, ev)


# ---------------------------------------------------------------- the 2 x 2 block against numpy
def test_the_two_by_two_moduli_against_numpy(monkeypatch):
    """moduli's first two balls for random real 2 x 2 J (real, complex, repeated and defective eigenvalues, a
    discriminant at 0): numpy's |eigenvalues| lie in them, for point matrices and for points of ball matrices."""
    rng = random.Random(7)
    mats = [[[1, 1], [0, 1]], [[0, 1], [-1, 0]], [[2, 0], [0, 2]], [[0, 0], [0, 0]], [[1, 2], [-F(1, 8), 0]],
            [[3, -1], [1, 1]], [[-2, 1], [0, 5]]]
    mats += [[[F(rng.randint(-400, 400), 100) for _ in range(2)] for _ in range(2)] for _ in range(300)]
    for M in mats:
        for rad in (0, F(1, 1000)):
            with ctx.workprec(128):
                Mb = [[arb(S.ball(F(x)), S.ball(rad)) if rad else S.ball(F(x)) for x in row] for row in M]
                monkeypatch.setattr(S, "_partials", lambda *a, Mb=Mb: ([Mb[0][0] - 1, Mb[1][0]],
                                                                       [Mb[0][1], Mb[1][1] - 1]))
                mods = S.moduli("erf", S.ball(1), S.ball(1))[:2]
            samples = [M] if not rad else [[[float(x) + rng.uniform(-1, 1) * float(rad) for x in row] for row in M]
                                           for _ in range(5)]
            for P in samples:
                got = sorted(abs(np.linalg.eigvals(np.array(P, dtype=float))))
                top = max(mods, key=lambda m: float(m.upper()))
                # numpy's own error at a defective double eigenvalue is some sqrt(eps |M|): 1e-7
                assert max(float(m.lower()) for m in mods) - 1e-7 <= got[-1] <= float(top.upper()) + 1e-7, (M, mods)
                for v in got:
                    assert any(float(m.lower()) - 1e-7 <= v <= float(m.upper()) + 1e-7 for m in mods), (M, mods, v)
                if not rad:         # a point matrix: tight balls (the quadratic formula at 128 bits)
                    assert max(float(m.rad()) for m in mods) < 1e-20, (M, mods)


# ---------------------------------------------------------------- the kernel's decisions
def test_the_decisions_at_erf_and_sin(items):
    """erf at 2: < 2, <= 1946/1000, > 19/10, >= 1945/1000 proved; < 19/10, > 2, and either side of the enclosure's
    midpoint not (inconclusive: a point never refutes); sin at 2: < 81/50 proved, < 8/5 not; erf at 1 < 59/50."""
    erf2, sin2 = items["erf", 2], items["sin", 2]
    lo, hi = trusted.items.check_item(erf2)["radius"]
    mid = (lo + hi) / 2
    for rel, b in (("<", 2), ("<=", "1946/1000"), (">", "19/10"), (">=", "1945/1000"), ("<=", hi), (">=", lo),
                   (">", 1), (">=", "1/2")):
        assert _verdict(_radius(rel, b), [erf2]) == "proved", (rel, b)
    for rel, b in (("<", "19/10"), ("<=", "19/10"), (">", 2), (">=", 2), ("<", mid), ("<=", mid), (">", mid),
                   (">=", mid), ("<", lo), (">", hi), ("<", 1), ("<=", 1), ("<", -1)):
        assert _verdict(_radius(rel, b), [erf2]) == "inconclusive", (rel, b)
    v, st, why = trusted.decide(_radius("<", 2), [erf2])
    assert v == "proved" and "spectral radius of DF < 2" in st and "[1.94586" in why
    assert _verdict(_radius("<", "81/50", act="sin"), [sin2]) == "proved"
    assert _verdict(_radius("<", "8/5", act="sin"), [sin2]) == "inconclusive"
    assert _verdict(_radius(">", "8/5", act="sin"), [sin2]) == "proved"
    assert _verdict(_radius("<", "59/50", w="1"), [items["erf", 1]]) == "proved"
    assert _verdict(_radius("<", "3/2", w="4"), [items["erf", 4]]) == "inconclusive"
    # attractor-stable is the same statement; exists still proved; the threshold never from a point
    assert _verdict(_claim("attractor-stable", params={"relation": "<", "bound": "2"}), [erf2]) == "proved"
    assert _verdict(_claim("attractor-exists", params={}), [erf2]) == "proved"
    for claim in (_claim("attractor-threshold", params={"value": 3}), _claim("attractor-threshold",
                                                                             params={"value": "none"})):
        assert _verdict(claim, [erf2]) == "inconclusive"


def test_the_point_answers_only_its_own_claim(items):
    """The erf w = 2 item for sin, w = 3, w = 1, n = 4, n = 3..4, 3.., other stages: never proved."""
    erf2 = items["erf", 2]
    for claim in (_radius("<", 2, act="sin"), _radius("<", 2, w="3"), _radius("<", 2, w="1"), _radius("<", 2, n="4"),
                  _radius("<", 2, n="3..4"), _radius("<", 2, n="3.."), dict(_radius("<", 2), stages=["rc", "rs"]),
                  _radius("<", 2, act="tanh")):
        assert _verdict(claim, [erf2]) != "proved", claim


def test_forged_root_brackets(items):
    """A bracket without the sign change, beside the root, wider than the U cell or outside it, empty, inverted,
    half given, on another activation / weight_var / n: refused; a bracket missing (or the cell itself) gives a wide
    enclosure: still true, and no decision at 2."""
    it = items["erf", 2]
    q0, q1, r0, r1 = (F(it[k]) for k in ("q_lo", "q_hi", "root_lo", "root_hi"))
    qs = (r0 + r1) / 2
    bad = [dict(it, root_lo=str(r1), root_hi=str(q1)), dict(it, root_lo=str(q0), root_hi=str(r0)),
           dict(it, root_lo=str(qs + (r1 - qs) / 4), root_hi=str(r1)),
           dict(it, root_lo=str(q0 - (q1 - q0)), root_hi=str(r1)), dict(it, root_lo=str(r0), root_hi=str(q1 + 1)),
           dict(it, root_lo=str(q1 + 1), root_hi=str(q1 + 2)), dict(it, root_lo=str(r0), root_hi=str(r0)),
           dict(it, root_lo=str(r1), root_hi=str(r0)), {k: v for k, v in it.items() if k != "root_hi"},
           {k: v for k, v in it.items() if k != "root_lo"}, dict(it, root_lo=float(r0)), dict(it, root_hi=None),
           dict(it, root_lo="nan"), dict(it, activation="sin"), dict(it, weight_var="3"), dict(it, n=4)]
    for b in bad:
        with pytest.raises(trusted.Rejected):
            trusted.items.check_item(b)
        assert _verdict(_radius("<", 2), [b]) == "inconclusive"
    q, ev, _ = _spectrum("erf", 2)
    for wide in ({k: v for k, v in it.items() if not k.startswith("root")}, dict(it, root_lo=str(q0), root_hi=str(q1))):
        lo, hi = trusted.items.check_item(wide)["radius"]
        assert lo <= F(ev[-1]) <= hi and hi - lo > F(1, 10)
        assert _verdict(_radius("<", 2), [wide]) == "inconclusive"
        assert _verdict(_radius(">", 1), [wide]) == "proved"
        assert _verdict(_claim("attractor-exists", params={}), [wide]) == "proved"


def test_the_command_line(run_cli):
    """bnverify check: erf at 2 'radius < 2' proved (exit 0) with the enclosure shown, '< 1.9' inconclusive (exit 3)
    with the reason naming it."""
    base = ("check", "--stages", "rc,erf", "--weight-var", "2", "--n", "3", "--property", "spectral-radius",
            "--state", "attractor", "--relation", "<", "--bound")
    code, out, err = run_cli(*base, "2")
    assert code == 0 and "proved" in out and "spectral_radius: [1.945868" in out, out + err
    code, out, err = run_cli(*base, "1.9")
    assert code == 3 and "not shown < 19/10" in out and "never refutes" in out, out + err


@pytest.mark.slow
@pytest.mark.mutation
def test_attractor_shows_the_checked_radius(run_cli, cli_json):
    """bnverify attractor at n = 3 (erf, 2): the U cover's row carries the kernel-checked point, its narrow q bracket
    around q* and the radius enclosure rounded outward (text and --json, valid against the schema); n = 4 none."""
    import json
    from pathlib import Path

    import jsonschema
    doc = cli_json("attractor", "--stages", "rc,erf", "--weight-var", "2", "--n", "3..4")
    schema = json.loads((Path(__file__).resolve().parents[1] / "docs" / "schemas" / "attractor.json").read_text())
    jsonschema.validate(doc, schema)
    r3, r4 = doc["results"]
    q, ev, _ = _spectrum("erf", 2)
    assert r3["point"]["checked"] is True and r3["point"]["q"][0] < float(q) < r3["point"]["q"][1]
    lo, hi = r3["point"]["spectral_radius"]
    assert lo <= ev[-1] <= hi and hi - lo < 1e-6 and "point" not in r4
    code, out, _ = run_cli("attractor", "--stages", "rc,erf", "--weight-var", "2", "--n", "3")
    assert code == 0 and "kernel-checked spread-point" in out and "[1.945868433, 1.945868476]" in out, out
