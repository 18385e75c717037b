"""Two-point fixed points far out in s (past the old scan's 10^4): where sigma_w^2 c, the limit of S(s)/s at
infinity (ReLU's slope c = ((n-1)^2 + 1)/(2 n^2)), is just below 1 for phi = relu - h, S(s)/s falls from above 1
towards it and crosses 1 at a large s.  The search scans s on to 10^8 (derive/twopoint.py, FAR); the kernel takes a
two-point bracket of relu - h up to 10^8 (others 10^4: a bounded phi has every root below 2 osc^2, and sin's integrals
at s = 10^6 take seconds against a bracket's price); softplus's t > 0 branch is t + log(1 + e^-t), whose logarithm
has no branch cut along the ray (log(1 + e^t) crossed it at Im t = pi (2k + 1), so the integrals gave up past a scale
of some 300).  Each root is checked against an independent mpmath quadrature (S(s) - s changes sign across it)."""
from __future__ import annotations

import json
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from flint import ctx

from bnverify import trusted
from bnverify.derive import twopoint
from bnverify.trusted import twopoint as T


def _mp_gap(phi, n, w, s):
    """S(s) - s in mpmath (30 digits), split at 0 and +-1: E[(phi((n-1) lam Z/n) - phi(-lam Z/n))^2] - s."""
    with mpmath.workdps(30):
        lam = mpmath.sqrt(mpmath.mpf(w.numerator) / w.denominator * s)
        od, cl = lam * (n - 1) / n, lam / n
        f = lambda z: (phi(od * z) - phi(-cl * z)) ** 2 * mpmath.npdf(z)      # noqa: E731
        return mpmath.quad(f, [-mpmath.inf, -1, 0, 1, mpmath.inf]) - s


def _softplus(t):
    return mpmath.log1p(mpmath.exp(-abs(t))) + max(t, 0)


def _elu(alpha):
    return lambda t: t if t > 0 else alpha * mpmath.expm1(t)


CASES = [   # stages/alpha, sigma_w^2, n, the root (kernel), mpmath's phi
    (["rc,softplus"], "201/100", 1000, "40442.13476", _softplus),     # issue 22: past the old scan (test_redteam_flat)
    (["rc,elu", "--alpha", "2"], "5/2", 8, "11873.99632", _elu(2)),
    (["rc,softplus"], "401/200", 1000, "453059.6416", _softplus),     # needs softplus's new t > 0 branch
]


@pytest.mark.parametrize("stages,w,n,root,phi", CASES, ids=["softplus-201/100", "elu2-5/2", "softplus-401/200"])
def test_far_roots_are_proved_and_real(stages, w, n, root, phi, run_cli, tmp_path):
    cert = tmp_path / "c.json"
    code, out, err = run_cli("check", "--stages", *stages, "--weight-var", w, "--n", str(n), "--property",
                             "fixed-point", "--state", "two-point", "--cert", str(cert))
    assert code == 0 and out.split(":")[1].split()[0] == "proved" and root in out, out + err
    doc = json.loads(cert.read_text())
    assert trusted.check(doc)[0] and doc["evidence"][0]["type"] == "two-point-bracket"
    s = float(root)
    lo, hi = _mp_gap(phi, n, Fraction(w), s * (1 - 1e-7)), _mp_gap(phi, n, Fraction(w), s * (1 + 1e-7))
    assert lo * hi < 0, (lo, hi)            # independent of the kernel: a sign change of S(s) - s at the root


def test_softplus_far_out_is_a_finite_ball_and_right():
    """The kernel's softplus S(s) at scales 450 to 4500 (n = 1000): a narrow finite ball containing mpmath's value
    (the old log(1 + e^t) on t > 0 gave "not a finite real ball" there)."""
    w, n = Fraction(201, 100), 1000
    for s in (10 ** 5, 10 ** 7):
        with ctx.workprec(128):
            d = T.distance("two-point", "softplus", Fraction(0), n, w, T.ball(Fraction(s))) - s
        want = float(_mp_gap(_softplus, n, w, s))
        assert d.is_finite() and float(d.rad()) < 1e-9 * s, (s, d)
        assert abs(float(d.mid()) - want) <= float(d.rad()) + 1e-12 * s, (s, d, want)


@pytest.mark.parametrize("edit", ["tanh", "sin", "simplex", "past-10^8"])
def test_the_far_cap_is_relu_minus_h_and_two_point_only(edit):
    """Brackets past 10^4 are refused, before any integral, for a bounded phi (every root below 2 osc^2; sin's
    integrals at s = 10^6 take seconds) and for the simplex state (Mehler's series grows with sqrt(s)); relu - h's
    two-point brackets stop at 10^8."""
    item = {"type": "two-point-bracket", "activation": "elu", "alpha": "2", "weight_var": "5/2", "n": 8,
            "lo": "11873", "hi": "11874", "prec": 128}
    if edit in ("tanh", "sin"):
        item.update(activation=edit, alpha="0")
    elif edit == "simplex":
        item["type"] = "simplex-bracket"
    else:
        item.update(lo="100000000", hi="100000001")
    with pytest.raises(trusted.Rejected, match="need 0 < lo < hi"):
        trusted.items.check_item(item)


def test_the_scan_keeps_its_old_points_and_finds_no_spurious_far_roots():
    """Below 10^4 the scan's points are the old grid's (nothing found there changes); past it, bounded phi (S(s) <=
    osc^2) and relu - h where the scale collapses or grows show no sign change up to 10^8."""
    old = np.exp(np.linspace(np.log(1e-3), np.log(1e4), 240))
    ss = twopoint.scan("two-point")
    assert np.array_equal(ss[:240], old) and ss[-1] == pytest.approx(1e8) and np.all(np.diff(ss) > 0)
    assert np.array_equal(twopoint.scan("simplex"), old)
    from bnverify.core.activations import activation
    for name, alpha, w in (("tanh", None, 4), ("sin", None, 100), ("sigmoid", None, 100), ("erf", None, 2),
                           ("gelu", None, 2), ("gelu", None, 8), ("softplus", None, 3), ("elu", Fraction(1), 3)):
        for n in (3, 8, 1000):
            found = [r for r in twopoint.roots(activation(name, alpha), n, Fraction(w)) if r[1] > 1e4]
            assert found == [], (name, w, n, found)


def test_a_slow_far_root_is_widened_until_the_kernel_shows_it():
    """GELU at 801/400, n = 1000: a second root near s = 20160 where S'(s) - 1 is about -1e-4, so the root +- 1e-15
    is narrower than the kernel's balls ("not a bracket"); the search widens it (FAR_WIDTHS) until the kernel's own
    evaluator shows the sign change.  mpmath agrees that S(s) - s changes sign there."""
    from bnverify.claims.properties import two_point as search
    from bnverify.core.activations import activation
    w = Fraction(801, 400)
    item = search.bracket_item(activation("gelu"), 1000, w, which=1)
    fact = trusted.items.check_item(item)
    lo, hi = Fraction(item["lo"]), Fraction(item["hi"])
    assert 20150 < lo < hi < 20170 and fact["fact"] == "two-point-fixed"
    gelu = lambda t: t * mpmath.ncdf(t)        # noqa: E731
    assert _mp_gap(gelu, 1000, w, 20150) > 0 > _mp_gap(gelu, 1000, w, 20170)


def test_float_noise_far_out_is_no_root(run_cli):
    """Softplus at 64/25, n = 8 (sigma_w^2 c = 1 exactly): S(s) - s stays near -0.02 from s = 10^5 on, and the float
    rule's values there are 1e-15 s either side of 0; no far sign change counts (FAR_TRUST), so no mpmath root hunt
    (it raised "could not find root": an internal error) and the claim stays inconclusive, quickly."""
    from bnverify.core.activations import activation
    assert twopoint.roots(activation("softplus"), 8, Fraction(64, 25)) == ()
    code, out, err = run_cli("check", "--stages", "rc,softplus", "--weight-var", "64/25", "--n", "8", "--property",
                             "fixed-point", "--state", "two-point")
    assert code == 3 and "inconclusive" in out and "internal" not in out + err, out + err


@pytest.mark.slow
def test_softplus_none_item_reaches_large_s(run_cli):
    """Softplus at 2001/1000, n = 64: S(s)/s rises from about 1/2 to sigma_w^2 c = 0.9697 (floats, s to 10^8), never 1:
    no two-point fixed point.  The none item's pieces at large s needed the t > 0 branch (inconclusive before: the
    integrals gave up past a scale of some 300).  (-m slow: 5 s; the far-root rules stay by
    default in test_a_slow_far_root_is_widened_until_the_kernel_shows_it.)"""
    code, out, err = run_cli("check", "--stages", "rc,softplus", "--weight-var", "2001/1000", "--n", "64",
                             "--property", "fixed-point", "--state", "two-point")
    assert code == 1 and "refuted" in out, out + err


@pytest.mark.slow
def test_a_root_within_the_old_float_noise_is_found(run_cli, tmp_path):
    """Softplus at 1000002/499001, n = 1000 (sigma_w^2 c = 1 + 2e-6): S(s)/s rises towards sigma_w^2 c and crosses 1
    near s = 3.9e7, where |S(s) - s| stays below 1e-6 s over a scan step.  The Gauss-Hermite rule's error there
    (some 1e-7 s) put its sign change at 4e7 .. 4.5e7 (mpmath: S(s) - s > 0 at both ends) and FAR_TRUST = 1e-6
    dropped it: "inconclusive ... S(s) - s keeps one sign on the scan s in [0.001, 1e+08]", though the kernel shows
    S(10^7) < 10^7 and S(10^8) > 10^8.  The far rule (far_distances) finds it; mpmath agrees on the sign change.  (-m slow: 5 s at n = 1000.)"""
    w = Fraction(1000002, 499001)
    cert = tmp_path / "c.json"
    code, out, err = run_cli("check", "--stages", "rc,softplus", "--weight-var", str(w), "--n", "1000", "--property",
                             "fixed-point", "--state", "two-point", "--cert", str(cert))
    assert code == 0 and "proved" in out, out + err
    item = json.loads(cert.read_text())["evidence"][0]
    lo, hi = Fraction(item["lo"]), Fraction(item["hi"])
    assert 10 ** 7 < lo < hi < 10 ** 8, (lo, hi)
    with mpmath.workdps(40):
        assert _mp_gap(_softplus, 1000, w, lo * (1 - Fraction(1, 10 ** 9))) < 0 < \
            _mp_gap(_softplus, 1000, w, hi * (1 + Fraction(1, 10 ** 9)))


@pytest.mark.parametrize("name,alpha", [("gelu", None), ("silu", None), ("softplus", None), ("elu", 2)])
def test_the_far_rule_is_near_float_rounding(name, alpha):
    """far_distances against mpmath (split at 0 and at phi's scales) at s = 10^5 .. 10^8: within 1e-13 s (the
    Gauss-Hermite rule's error there was some 1e-7 s), so FAR_TRUST = 1e-12 s separates sign changes from noise.
    mpmath at 20 digits (its values agree with 30 digits' to 4e-21 relative at all 32 points, far below 1e-13)."""
    from bnverify.core.activations import activation
    act = activation(name, alpha) if alpha else activation(name)
    phi = {"gelu": lambda t: t * mpmath.ncdf(t), "silu": lambda t: t / (1 + mpmath.exp(-t)), "softplus": _softplus,
           "elu": _elu(alpha)}[name]
    for n, w in ((8, Fraction(5, 2)), (1000, Fraction(201, 100))):
        ss = [1e5, 1e6, 1e7, 1e8]
        got = twopoint.far_distances(act, n, w, ss)
        for s, g in zip(ss, got):
            with mpmath.workdps(20):
                lam = mpmath.sqrt(mpmath.mpf(w.numerator) / w.denominator * s)
                od, cl = lam * (n - 1) / n, lam / n
                pts = sorted({0} | {sg * mpmath.mpf(k) / c for c in (od, cl) for k in (1, 8, 64) for sg in (1, -1)})
                want = mpmath.quad(lambda z: (phi(od * z) - phi(-cl * z)) ** 2 * mpmath.npdf(z),
                                   [-mpmath.inf] + pts + [mpmath.inf])
            assert abs(g - float(want)) < 1e-13 * s, (name, n, w, s, g, want)


def test_a_sign_change_not_shown_in_balls_is_not_called_one_sign(run_cli, monkeypatch):
    """Where the scan finds a far sign change but its bracket is not shown in balls (here the kernel's evaluator is
    made to show no sign: bracket_item returns None), the search note says so and where; it said "S(s) - s keeps one
    sign on the scan" (true only where the scan finds no sign change)."""
    from bnverify.claims.properties import two_point as search
    monkeypatch.setattr(search, "_sign", lambda *args: 0)
    code, out, err = run_cli("check", "--stages", "rc,softplus", "--weight-var", "20042/10000", "--n", "1000",
                             "--property", "fixed-point", "--state", "two-point")
    text = " ".join((out + err).split())
    assert code == 3 and "keeps one sign" not in text, out + err
    assert "changes sign on the scan" in text and "near s = 2.1" in text, out + err
