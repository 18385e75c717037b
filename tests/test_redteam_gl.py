"""Red team rtgl: the trusted checker's Gauss-Legendre Hermite coefficients (trusted/mehler.py, _legendre, _sup).

Independent truths only: the ellipse bound _sup against |f He_k e^(-w^2/2)| / sqrt(2 pi k!) sampled with cmath on a
grid filling the Bernstein ellipse (and refused where a pole or branch point lies inside it); every coefficient and
E2 against a composite Gauss-Legendre sum written here in mpmath at 50 digits (all k at once, panels of 1/4, dyadic
near 0), compared EXACTLY (|mid - truth| <= rad in 80-digit arithmetic, not floats with a slack); spread-box items
(SiLU n = 8, ELU n = 10) genuine first, then edited; the price of a spread-box item against its check's time."""
import cmath
import math
import time
from fractions import Fraction

import mpmath as mp
import pytest
from flint import arb, ctx

from bnverify import trusted
from bnverify.trusted import items, kernel, mehler, spreadbox, twopoint
from bnverify.trusted.base import ball

from test_spread_box_mehler import ELU10, SILU8

assert kernel.METHODS[1]        # the checker's method, where one is named (none is needed by these items)

CM = {"silu": lambda x, a: x / (1 + cmath.exp(-x)), "tanh": lambda x, a: cmath.tanh(x),
      "sigmoid": lambda x, a: 1 / (1 + cmath.exp(-x)), "elu-": lambda x, a: a * (cmath.exp(x) - 1),
      "softplus-": lambda x, a: cmath.log(1 + cmath.exp(x)), "softplus+": lambda x, a: x + cmath.log(1 + cmath.exp(-x))}
MP = {"silu": lambda x, a: x / (1 + mp.exp(-x)),
      "softplus": lambda x, a: mp.log1p(mp.exp(x)) if x < 0 else x + mp.log1p(mp.exp(-x)),
      "elu": lambda x, a: x if x > 0 else a * mp.expm1(x), "tanh": lambda x, a: mp.tanh(x),
      "sigmoid": lambda x, a: 1 / (1 + mp.exp(-x))}


def _phi(name, alpha):
    row, a = twopoint.row(name), twopoint._alpha(name, Fraction(alpha))
    g0, g1 = twopoint._grow(row, "phi", a)
    return (lambda t, side, an: row[0][side][0](t, a, an)), g0, g1


def _coef(name, alpha, q, count, tol=2.0 ** -60, prec=128):
    with ctx.workprec(prec):        # alpha's and q's balls at the working precision (53-bit ones set the radii)
        phi, g0, g1 = _phi(name, alpha)
        qb = ball(Fraction(q))
        return mehler.coefficients(phi, arb.max(g0, g1 * qb.sqrt().upper()), qb, count, tol)


def _truth(name, alpha, q, count, dps=50, npts=30):
    """Own composite Gauss-Legendre in mpmath: [0, 20] in dyadic panels below 1 (from min(1, 1/sqrt q)/64) and
    panels of 1/4 above, both signs; every He_k by its recurrence at each node."""
    with mp.workdps(dps):
        q, al = mp.mpf(Fraction(q).numerator) / Fraction(q).denominator, \
            mp.mpf(Fraction(alpha).numerator) / Fraction(alpha).denominator
        sq = mp.sqrt(q)
        X, W = mp.gauss_quadrature(npts, "legendre")
        bps, t = [mp.mpf(0)], min(mp.mpf(1), 1 / sq) / 64
        while t < 1:
            bps.append(t)
            t *= 2
        bps += [1 + mp.mpf(j) / 4 for j in range(77)]
        a, e2 = [mp.mpf(0)] * count, mp.mpf(0)
        for sgn in (-1, 1):
            for lo, hi in zip(bps, bps[1:]):
                m, h = (lo + hi) / 2, (hi - lo) / 2
                for x, w in zip(X, W):
                    z = sgn * (m + h * x)
                    f = MP[name](sq * z, al)
                    v = f * mp.exp(-z * z / 2) * w * h
                    e2 += v * f
                    p, c = mp.mpf(0), mp.mpf(1)
                    for k in range(count):
                        a[k] += v * c
                        p, c = c, z * c - k * p
        norm, fac, out = 1 / mp.sqrt(2 * mp.pi), mp.mpf(1), []
        for k in range(count):
            fac *= mp.sqrt(k) if k else 1
            out.append(a[k] * norm / fac)
        return out, e2 * norm


def _exact(x):
    m, e = x.man_exp()
    return mp.mpf(int(m)) * mp.mpf(2) ** int(e)


def _misses(balls, truths):
    """The indices whose ball does not hold the truth, exactly (80 digits)."""
    with mp.workdps(80):
        return [k for k, (b, v) in enumerate(zip(balls, truths)) if abs(_exact(b.mid()) - v) > _exact(b.rad())]


# ---------------------------------------------------------------- the ellipse bound, sampled
def _sampled(fc, sq, m, h, rho, ks):
    """max over a polar grid filling E_rho of [m - h, m + h] of |f(sq w) He_k(w) e^(-w^2/2)| / sqrt(2 pi k!)."""
    A, B = h * (rho + 1 / rho) / 2, h * (rho - 1 / rho) / 2
    top = {k: 0.0 for k in ks}
    kmax = max(ks)
    for i in range(0, 25):
        for j in range(64):
            s, th = i / 24, 2 * math.pi * j / 64
            w = complex(m + s * A * math.cos(th), s * B * math.sin(th))
            base = abs(fc(sq * w, 1) * cmath.exp(-w * w / 2)) / math.sqrt(2 * math.pi)
            p, c = 0, 1
            for k in range(kmax + 1):
                if k in top:
                    top[k] = max(top[k], base * abs(c) / math.sqrt(math.factorial(k)))
                p, c = c, w * c - k * p
    return top


SUP_CASES = [("silu", "silu", 0, 1, 0.5, 0.5, 2), ("silu", "silu", 0, 30, 3.5, 0.5, 4),
             ("tanh", "tanh", 0, 1, 0.5, 0.5, 2), ("tanh", "tanh", 0, 0.3, 2.5, 0.5, 8),
             ("sigmoid", "sigmoid", 0, 4, 1.5, 0.5, 2), ("elu", "elu-", 1, 1, -0.5, 0.5, 8),
             ("elu", "elu-", Fraction(1, 3), 9, -0.25, 0.25, 4), ("softplus", "softplus-", 0, 2, -1.5, 0.5, 2),
             ("softplus", "softplus+", 0, 1, 6.5, 0.5, 8)]


@pytest.mark.parametrize("name,cname,alpha,q,m,h,rho", SUP_CASES)
def test_sup_bounds_the_sampled_modulus(name, cname, alpha, q, m, h, rho):
    """_sup's bound for k in {0, 3, 17, 40} and E2's holds |integrand| sampled all over the ellipse (cmath)."""
    phi, _, _ = _phi(name, alpha)
    sq = math.sqrt(q)
    side = -1 if cname.endswith("-") else 1
    f = lambda z, s, an: phi(z * ball(Fraction(q)).sqrt(), s, an)        # noqa: E731
    with ctx.workprec(128):
        s = mehler._sup(f, side, arb(m), arb(h), arb(rho), 41)
    assert s is not None            # these ellipses hold no singularity: the strips must show it
    ks = (0, 3, 17, 40)
    got = _sampled(lambda z, a: CM[cname](z, float(alpha)), sq, m, h, rho, ks)
    for k in ks:
        assert got[k] <= float(s[0][k].upper()) * (1 + 1e-9), (k, got[k], s[0][k])
    A, B = h * (rho + 1 / rho) / 2, h * (rho - 1 / rho) / 2
    e2 = max(abs(CM[cname](sq * complex(m + i / 24 * A * math.cos(t), i / 24 * B * math.sin(t)), float(alpha)) ** 2 *
                 cmath.exp(-complex(m + i / 24 * A * math.cos(t), i / 24 * B * math.sin(t)) ** 2 / 2))
             for i in range(25) for t in [2 * math.pi * j / 64 for j in range(64)]) / math.sqrt(2 * math.pi)
    assert e2 <= float(s[1].upper()) * (1 + 1e-9)


@pytest.mark.parametrize("name,alpha,side,q,m,h,rho,why", [
    ("tanh", 0, 1, (math.pi / 2 / 0.2) ** 2, 0.5, 0.5, 2, "pole at 0.2i inside, not on the boundary"),
    ("tanh", 0, 1, (math.pi / 2 / 0.05) ** 2, 0.0, 0.5, 2, "pole at 0.05i near the centre"),
    ("sigmoid", 0, 1, (math.pi / 0.3) ** 2, 1.0, 0.5, 4, "pole at 0.3i, just inside E_4's left edge"),
    ("silu", 0, -1, (math.pi / 0.1) ** 2, -0.5, 0.5, 2, "pole at 0.1i"),
    ("softplus", 0, -1, (math.pi / 0.1) ** 2, -0.25, 0.25, 2, "log's branch point at 0.1i, cut Re > 0"),
    ("softplus", 0, 1, (math.pi / 0.1) ** 2, 0.25, 0.25, 2, "the other branch's point and cut (Re < 0)")])
def test_sup_refuses_a_singularity_inside_the_ellipse(name, alpha, side, q, m, h, rho, why):
    phi, _, _ = _phi(name, alpha)
    sq = arb(q).sqrt()
    with ctx.workprec(128):
        assert mehler._sup(lambda z, s, an: phi(z * sq, s, an), side, arb(m), arb(h), arb(rho), 5) is None, why


# ---------------------------------------------------------------- every coefficient against an own truth, exactly
FAST = [("tanh", 0, 1000, 25, 2.0 ** -60, 64), ("elu", Fraction(1, 3), Fraction(1, 10 ** 6), 25, 2.0 ** -21, 512),
        ("softplus", 0, Fraction(1, 3), 25, 2.0 ** -30, 256)]
SLOW = [pytest.param(n, a, q, c, t, p, marks=pytest.mark.slow) for n, a in
        [("silu", 0), ("softplus", 0), ("elu", 1), ("elu", Fraction(1, 3)), ("elu", 2), ("tanh", 0), ("sigmoid", 0)]
        for q in (Fraction(1, 10 ** 6), Fraction(1, 1000), 1, 37, 1000) for c, t, p in
        ((200, 2.0 ** -60, 128), (120, 2.0 ** -21, 64))]


@pytest.mark.parametrize("name,alpha,q,count,tol,prec", FAST + SLOW)
def test_every_coefficient_holds_the_own_truth(name, alpha, q, count, tol, prec):
    a, e2 = _coef(name, alpha, q, count, tol, prec)
    tr, te = _truth(name, alpha, q, count, dps=40 if count < 100 else 50, npts=16 if count < 100 else 30)
    assert _misses(a + [e2], tr + [te]) == []
    assert max(float(x.rad()) for x in a + [e2]) <= tol        # and tight: the target is met, not just held


@pytest.mark.slow
def test_a_variance_ball_holds_every_variance_in_it():
    """A wide ball q in [1/2, 3/2] (its centre and both ends) for silu and elu (1/3), k < 30."""
    for name, alpha in (("silu", 0), ("elu", Fraction(1, 3))):
        phi, g0, g1 = _phi(name, alpha)
        qb = arb(1, 0.5)
        with ctx.workprec(128):
            a, e2 = mehler.coefficients(phi, arb.max(g0, g1 * qb.sqrt().upper()), qb, 30, 2.0 ** -60)
        for q in (Fraction(1, 2), 1, Fraction(3, 2)):
            tr, te = _truth(name, alpha, q, 30, dps=30, npts=20)
            assert _misses(a + [e2], tr + [te]) == []


# ---------------------------------------------------------------- spread-box end to end
def _check(it):
    spreadbox._DATA.clear()
    return items.check_item(it)


def test_genuine_spread_boxes_pass_and_a_relabelled_one_is_refused():
    """SiLU n = 8 passes; the same box called softplus is refused (its kernel is another)."""
    assert _check(SILU8)["fact"] == "spread-box"
    with pytest.raises(trusted.Rejected):
        _check(dict(SILU8, activation="softplus"))


EDITS = [("elu alpha 1 -> 2", ELU10, {"alpha": "2"}), ("elu -> silu", ELU10, {"activation": "silu", "alpha": "0"}),
         ("silu weight_var 5/2 -> 3", SILU8, {"weight_var": "3"}), ("silu n 8 -> 9", SILU8, {"n": 9}),
         ("silu terms 60 -> 2", SILU8, {"terms": 2}), ("elu alpha 1 -> 1/3", ELU10, {"alpha": "1/3"}),
         ("silu q box shifted", SILU8, {"q_lo": "2371114511671842020926611/1063741824000000000000000",
                                        "q_hi": "94844580643535478739061/42549672960000000000000"}),
         ("elu p box shifted", ELU10, {"p_lo": "3775162248511620905836359/10637418240000000000000",
                                       "p_hi": "151006490221736342485409/425496729600000000000"})]


@pytest.mark.slow
@pytest.mark.parametrize("label,base,edit", EDITS, ids=[e[0] for e in EDITS])
def test_edited_spread_boxes_are_refused(label, base, edit):
    _check(base)                    # genuine first: the refusal is for the edit
    with pytest.raises(trusted.Rejected):
        _check(dict(base, **edit))


@pytest.mark.slow
def test_a_lower_working_precision_proves_the_same_fact():
    """prec 128 -> 64 is no forgery (it names no claim): SiLU n = 8 passes at 64 bits with an enclosure that meets
    the 128-bit one (the spectral radius of DF at the same fixed point)."""
    a, b = _check(SILU8), _check(dict(SILU8, prec=64))
    assert a["q"] == b["q"] and a["p"] == b["p"]
    assert max(a["radius_lo"], b["radius_lo"]) <= min(a["radius_hi"], b["radius_hi"])


# ---------------------------------------------------------------- price against time
def test_a_spread_box_of_few_terms_is_priced_as_a_balls_fixed_work():
    """The price behind the two timed tests below (slow): terms count as 30 at least (the Gauss-Legendre route's
    fixed work per variance ball), silu's as 30 (1 + isqrt(q) // 8) (its poles pi/sqrt q near the line at large q)."""
    near = dict(SILU8, terms=1, prec=64, q_lo="999", q_hi="1000", p_lo="1", p_hi="2")
    assert items.work(near) == items.work(dict(near, terms=120)) > items.work(dict(near, terms=119, q_lo="1", q_hi="2"))
    elu = dict(near, activation="elu", alpha="1")
    assert items.work(elu) == items.work(dict(elu, terms=30)) < items.work(dict(elu, terms=31))


@pytest.mark.slow
def test_a_spread_box_of_few_terms_at_large_variance_is_checked_within_its_price():
    """rtgl's finding, mended: a spread-box of few terms cost 2-10x its price (the route's fixed per-ball work, some
    70-3000 _sup calls; silu's poles at pi/sqrt q were not priced like softplus's): terms priced as 30 at least,
    silu's as 30 (1 + isqrt(q) // 8)."""
    it = dict(SILU8, terms=1, prec=64, q_lo="999", q_hi="1000", p_lo="1", p_hi="2")
    spreadbox._DATA.clear()
    t0 = time.process_time()
    with pytest.raises(trusted.Rejected):
        items.check_item(it)
    assert time.process_time() - t0 <= 0.63e-6 * items.work(it)


@pytest.mark.slow
def test_a_wide_spread_box_is_refused_within_its_price():
    """rtgl's finding, mended: a wide variance ball (q in [1, 900], n = 64) makes SiLU's route fail (_legendre None,
    then acb.integral per coefficient to a non-finite ball): 1.9 s at a price of 0.11 million (17 us a unit)."""
    it = dict(SILU8, terms=1, prec=128, n=64, q_lo="1", q_hi="900", p_lo="950", p_hi="1000")
    spreadbox._DATA.clear()
    t0 = time.process_time()
    with pytest.raises(trusted.Rejected):
        items.check_item(it)
    assert time.process_time() - t0 <= 0.63e-6 * items.work(it)


def _cli_certificate(tmp_path, *check_args):
    """(the certificate `bnverify check ... --cert` writes, verdict): verdict(c) is `bnverify check-cert`'s exit code
    on c with its hash recomputed; the genuine certificate must pass first."""
    import copy
    import json
    import subprocess
    import sys
    from bnverify.trusted.base import content_hash
    path = tmp_path / "genuine.json"
    r = subprocess.run([sys.executable, "-m", "bnverify", "check", *check_args, "--cert", str(path)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    base = json.loads(path.read_text())

    def verdict(c):
        c = copy.deepcopy(c)
        c["hash"] = content_hash(c)
        (tmp_path / "e.json").write_text(json.dumps(c))
        return subprocess.run([sys.executable, "-m", "bnverify", "check-cert", str(tmp_path / "e.json")],
                              capture_output=True, text=True, timeout=600).returncode

    assert verdict(base) == 0
    return base, verdict


@pytest.mark.slow
def test_cli_certificate_genuine_then_edited(tmp_path):
    """`bnverify check --cert` for SiLU's stable point (5/2, n = 8) re-checks with `check-cert`; with the hash
    recomputed, each edit is refused: activation, weight_var, n (claim and evidence alike), the claim's weight_var
    alone, the bound below the enclosure, 3 terms, 198 terms, prec 63, the q box moved off the point."""
    import copy
    base, verdict = _cli_certificate(tmp_path, "--stages", "rc,silu", "--weight-var", "5/2", "--n", "8", "--property",
                                     "attractor-stable")
    ev = lambda **kw: lambda c: c["evidence"][0].update(kw)                  # noqa: E731
    both = lambda key, v, ek=None, ev_v=None: lambda c: (c["claim"].__setitem__(key, v),  # noqa: E731
                                                          c["evidence"][0].__setitem__(ek or key, ev_v or v))
    edits = [both("activation", "softplus"), both("weight_var", "3"),
             lambda c: (c["claim"]["domain"].__setitem__("n", "9"), c["evidence"][0].__setitem__("n", 9)),
             lambda c: c["claim"].__setitem__("weight_var", "3"),
             lambda c: c["claim"]["params"].__setitem__("bound", "49/50"),
             ev(terms=3), ev(terms=198), ev(prec=63),
             ev(q_lo="220827248/100000000", q_hi="220827249/100000000")]
    for i, edit in enumerate(edits):
        c = copy.deepcopy(base)
        edit(c)
        assert verdict(c) == 1, i


@pytest.mark.parametrize("c,m,h,rho", [(0.1, 0.0, 0.5, 2), (0.3, 0.0, 0.5, 8), (0.02, 0.25, 0.25, 4), (1.2, 0.5, 0.5, 8)])
def test_sup_refuses_a_lone_pole_deep_inside_the_ellipse(c, m, h, rho):
    """f = 1/(w^2 + c^2): ONE pair of poles (+-ic), inside E_rho and away from its boundary, so no boundary box can
    meet it (a periodic phi's poles on the imaginary axis always meet some): only the strips can refuse it (the last
    case fails if the strips cover half the box's width and height: the fat arc boxes catch the others)."""
    A, B = h * (rho + 1 / rho) / 2, h * (rho - 1 / rho) / 2
    assert (m / A) ** 2 + (c / B) ** 2 < 0.8         # well inside
    cc = arb(c) ** 2
    with ctx.workprec(128):
        assert mehler._sup(lambda z, side, an: 1 / (z * z + cc), 1, arb(m), arb(h), arb(rho), 5) is None
        assert mehler._sup(lambda z, side, an: 1 / (z * z + 4 * B * B + cc), 1, arb(m), arb(h), arb(rho), 5) \
            is not None             # the same with the poles moved outside the ellipse's box: shown analytic


@pytest.mark.slow
def test_cli_simplex_certificate_genuine_then_edited(tmp_path):
    """tanh at sigma_w^2 = 4, n = 4: the simplex state's spectral radius < 1 (a simplex-bracket: Mehler's series at
    r = -1/3 from the Gauss-Legendre coefficients) re-checks; relabelled activation (sigmoid, erf, silu), weight_var,
    n, the bracket moved off the fixed point, the bound below the enclosure, the relation flipped: refused."""
    import copy
    base, verdict = _cli_certificate(tmp_path, "--stages", "rc,tanh", "--weight-var", "4", "--n", "4", "--property",
                                     "spectral-radius", "--state", "simplex", "--relation", "<", "--bound", "1")
    lo, hi = Fraction(base["evidence"][0]["lo"]), Fraction(base["evidence"][0]["hi"])

    def both(key, v):
        return lambda c: (c["claim"].__setitem__(key, v), c["evidence"][0].__setitem__(key, v))
    edits = [both("activation", "sigmoid"), both("activation", "erf"), both("activation", "silu"),
             both("weight_var", "5"),
             lambda c: (c["claim"]["domain"].__setitem__("n", "5"), c["evidence"][0].__setitem__("n", 5)),
             lambda c: c["evidence"][0].update(lo=str(hi), hi=str(2 * hi - lo)),
             lambda c: c["evidence"][0].update(lo=str(2 * lo - hi), hi=str(lo)),
             lambda c: c["claim"]["params"].__setitem__("bound", "1/2"),
             lambda c: c["claim"]["params"].__setitem__("relation", ">")]
    for i, edit in enumerate(edits):
        c = copy.deepcopy(base)
        edit(c)
        assert verdict(c) == 1, i
