"""Covers with every root (trusted/twopoint.py check_cover): several brackets, the sign of S(s) - s
flipping at each, and for phi = relu - h (gelu, silu, elu, softplus) the none items' lemmas at both
ends (_near_zero below s_min, _large_s beyond the last cut); pieces in the mean value form (slopes).

Independent references: mpmath quadrature of S(s) (the tests' own phi), and for GELU's two simplex
fixed points (sigma_w^2 = 67/20, n = 3) the red team's mpmath dense Jacobian radii
(tests/test_redteam_simplex.py: nested mpmath quadratures, no Hermite series, no blocks)."""
import copy
import json
from fractions import Fraction
from pathlib import Path

import mpmath
import pytest

from bnverify import trusted
from bnverify.claims.properties import two_point as TP
from bnverify.core.activations import activation
from bnverify.trusted import items, twopoint as T


def _claim(act, w, n, rel, bound, state="two-point", alpha=None):
    dom = {"n": str(n)} if alpha is None else {"n": str(n), "alpha": str(alpha)}
    return {"property": "spectral-radius", "stages": ["rc"], "activation": act, "domain": dom,
            "params": dict(state=state, relation=rel, bound=bound), "weight_var": str(w)}


def _S_mp(phi, n, w, s):
    """The two-point S(s) = E[(phi((n-1) lam Z/n) - phi(-lam Z/n))^2] by mpmath quadrature."""
    with mpmath.workdps(25):
        lam = mpmath.sqrt(mpmath.mpf(w.numerator) / w.denominator * mpmath.mpf(s.numerator) / s.denominator)
        return mpmath.quad(lambda z: (phi((n - 1) * lam * z / n) - phi(-lam * z / n)) ** 2 * mpmath.npdf(z),
                           [-mpmath.inf, 0, mpmath.inf])


def _elu(t):
    return t if t > 0 else mpmath.exp(t) - 1


@pytest.fixture(scope="module")
def elu3():
    """ELU (alpha = 1), sigma_w^2 = 2, n = 3, two-point: S(s) > s near 0 (inf phi' on [-T, T] > 1/sqrt 2),
    one root (s = 5.28), S(s) < s beyond s_big (w c = 5/9)."""
    return TP.cover_item(activation("elu"), 3, 2)


def test_the_elu_cover_refutes_stability_and_its_lemmas_are_true(elu3):
    assert elu3 is not None and "eps" in elu3 and "brackets" not in elu3
    fact = items.check_item(elu3)
    assert fact["fact"] == "two-point-roots" and len(fact["radii"]) == 1 and fact["s"][0] == [elu3["lo"], elu3["hi"]]
    claim = _claim("elu", 2, 3, "<", "1", alpha=1)
    v, st, why = trusted.decide(claim, [elu3])
    assert v == "refuted" and "every root" in why, why
    # mpmath: S(s) > s below s_min and below the bracket, < s above it, up to 100 s_big
    s_min, lo, hi, big = (Fraction(x) for x in (elu3["below"][0], elu3["lo"], elu3["hi"], elu3["above"][-1]))
    for s in (s_min / 100, s_min, (s_min + lo) / 2, lo):
        assert _S_mp(_elu, 3, Fraction(2), s) > mpmath.mpf(s.numerator) / s.denominator, s
    for s in (hi, (hi + big) / 2, big, 100 * big):
        assert _S_mp(_elu, 3, Fraction(2), s) < mpmath.mpf(s.numerator) / s.denominator, s


def _fake_bracket(it, k):
    """A narrow bracket inserted after above[k] (where S(s) - s keeps its sign), the slopes' indices kept."""
    x = Fraction(it["above"][k])
    y = x * (1 + Fraction(1, 2048))
    at = len(it["below"]) + k
    it.update(above=it["above"][:k + 1] + [str(y)] + it["above"][k + 1:], brackets=[[str(x), str(y)]],
              slopes=[i + (i >= at) for i in it.get("slopes", [])])


def _expect(item, why):
    with pytest.raises(trusted.Rejected, match=why):
        items.check_item(item)


@pytest.mark.parametrize("edit,why", [
    (lambda it: it.pop("eps"), "large-s"),                                              # no tail lemma
    (lambda it: it.update(above=it["above"][:3], slopes=[]), "large-s"),                          # the last cut below s_big's lemma
    (lambda it: it.update(eps="1"), "large-s"),                                         # (1 + eps) w c >= 1
    (lambda it: it.update(T="3"), "small-s"),                                           # inf phi' at T = 3: e^-3
    (lambda it: _fake_bracket(it, 3), "large-s"),       # no sign change; the last sign flips to +: no grow lemma
    (lambda it: it.update(brackets=[it["above"][-2:]]), "brackets must"),               # the last piece as a bracket
    (lambda it: it.update(brackets=[[it["above"][1], str(Fraction(it["above"][1]) * 2)]]), "brackets must"),  # not a piece
    (lambda it: it.update(brackets=[it["below"][1:3]]), "brackets must"),                # unsorted: below (lo, hi)
    (lambda it: it.update(brackets=[[it["lo"], it["hi"]]]), "brackets must"),             # (lo, hi) twice: overlapping
    (lambda it: it.update(slopes=[10 ** 6]), "slopes"),
    (lambda it: it.update(slopes=["1"]), "slopes"),
    (lambda it: it.update(alpha="2"), "small-s|not shown|large-s"),                     # relabelled onto another alpha
    (lambda it: it.update(weight_var="3"), "small-s|not shown|large-s"),
    (lambda it: it.update(activation="silu", alpha="0"), "small-s|not shown|large-s"),
    (lambda it: it.update(below=it["below"][:1] + it["below"][2:],
                          slopes=[i - 1 for i in it.get("slopes", []) if i > 1]), "not shown"),    # a long first piece
])
def test_forged_elu_covers_are_rejected(elu3, edit, why):
    bad = copy.deepcopy(elu3)
    edit(bad)
    _expect(bad, why)


def test_the_elu_cover_says_nothing_about_other_claims(elu3):
    for claim in (_claim("elu", 2, 4, "<", "1", alpha=1), _claim("elu", 3, 3, "<", "1", alpha=1),
                  _claim("elu", 2, 3, "<", "1", state="simplex", alpha=1), _claim("elu", 2, 3, "<", "1", alpha=2)):
        try:
            v = trusted.decide(claim, [elu3])[0]
        except trusted.Rejected:
            v = None
        assert v != "refuted", claim
    relabelled = dict(elu3, type="simplex-cover")      # the two-point pieces read as the simplex state's
    with pytest.raises(trusted.Rejected):
        items.check_item(relabelled)


def test_a_piece_by_its_slope_is_the_mean_value_form():
    """_slope against a central difference of the kernel's own S, and an mpmath one (the tests' phi)."""
    from flint import ctx
    from bnverify.trusted.base import ball
    s, h = Fraction(3), Fraction(1, 10 ** 6)
    with ctx.workprec(128):
        d = T._slope("elu", Fraction(1), 3, Fraction(2), ball(s), 2.0 ** -60, "two-point")
    ref = (_S_mp(_elu, 3, Fraction(2), s + h) - _S_mp(_elu, 3, Fraction(2), s - h)) / (2 * mpmath.mpf(1e-6))
    assert d.rad() < 1e-15 and abs(float(d.mid()) - float(ref)) < 1e-8, (d, ref)


def test_the_simplex_slope_against_the_float_rule():
    """The simplex state's S'(s) (Mehler's partials) against a central difference of the float tensor
    rule (derive/twopoint.simplex_distances: no series)."""
    from flint import ctx
    from bnverify.derive import twopoint as D
    from bnverify.trusted.base import ball
    s, h = 1 / 3, 1e-4
    with ctx.workprec(128):
        d = T._slope("tanh", Fraction(0), 5, Fraction(2), ball(Fraction(1, 3)), 2.0 ** -60, "simplex")
    f = D.simplex_distances(activation("tanh"), 5, 2, [s - h, s + h], nodes=160)
    assert abs(float(d.mid()) - (f[1] - f[0]) / (2 * h)) < 1e-6, (d, f)


def _merged_below(it):
    """Every piece below the bracket as one, checked by its slope (the mean value form over a wide ball)."""
    k = len(it["below"]) - 2
    it.update(below=[it["below"][0], it["below"][-1]],
              slopes=[0] + [i - k for i in it.get("slopes", []) if i > k])


def _three_brackets(it):
    """(lo, hi) split into three adjacent brackets: the sign at the inner ends is never shown."""
    lo, hi = Fraction(it["lo"]), Fraction(it["hi"])
    m1, m2 = lo + (hi - lo) / 3, lo + 2 * (hi - lo) / 3
    it.update(hi=str(m1), above=[str(m1), str(m2)] + it["above"], brackets=[[str(m1), str(m2)], [str(m2), str(hi)]],
              slopes=[i + 2 * (i >= len(it["below"])) for i in it.get("slopes", [])])


def _root_in_a_slope_piece(it):
    """The bracket moved 1 % below the root (where S(s) > s at both its ends), the root inside the slope
    piece after it, whose midpoint has S(s) < s; every piece by its slope."""
    r = (Fraction(it["lo"]) + Fraction(it["hi"])) / 2
    x, b = r * Fraction(99, 100), r * Fraction(103, 100)
    y = x * (1 + Fraction(1, 2048))
    below = [c for c in it["below"] if Fraction(c) < x] + [str(x)]
    above = [str(y), str(b)] + [c for c in it["above"] if Fraction(c) > b]
    it.update(lo=str(x), hi=str(y), below=below, above=above,
              slopes=[i for i in range(len(below) + len(above) - 1) if i != len(below) - 1])


@pytest.mark.parametrize("edit,why", [(_merged_below, "not shown"), (_three_brackets, "brackets must"),
                                      (_root_in_a_slope_piece, "not shown")])
def test_more_forged_elu_covers(elu3, edit, why):
    bad = copy.deepcopy(elu3)
    edit(bad)
    _expect(bad, why)


def test_brackets_and_slopes_are_priced(elu3):
    more = dict(elu3, brackets=[["1", "2"]], slopes=[0, 1])
    assert items.work(more) > items.work(dict(elu3, brackets=[["1", "2"]], slopes=[])) > \
        items.work(dict(elu3, slopes=[]))


def test_the_lower_lemma_uses_the_least_slope_on_every_piece():
    """ELU (alpha = 1), sigma_w^2 = 2, n = 3, T = 3/10: inf phi' on [-T, 0] is m- = e^-T (on [0, T] m+ = 1), and p,
    q straddle 0, so S(s) > s below s_min exactly when 2 c (1 - tail(R)) > 1, c = ((2 m+ + m-)^2 + (2 m- + m+)^2)/18,
    tail(R) = 2 (R N(R) + Q(R)) (floats here, by bisection on R): shown just inside, not just outside (e^(-T + T/64),
    a piece's largest, would move the edge out by 0.7%)."""
    import math
    Tv, n, w = Fraction(3, 10), 3, Fraction(2)
    tail = lambda R: 2 * (R * math.exp(-R * R / 2) / math.sqrt(2 * math.pi) + math.erfc(R / math.sqrt(2)) / 2)  # noqa: E731
    m = math.exp(-0.3)
    edge = 1 - 1 / (2 * ((2 + m) ** 2 + (2 * m + 1) ** 2) / 18)          # the largest tail the lemma allows
    s_of = lambda t: Fraction(_R(tail, t) and (0.3 * n / ((n - 1) * _R(tail, t))) ** 2 / 2)   # noqa: E731
    from flint import ctx
    with ctx.workprec(128):
        assert T._near_zero("elu", Fraction(1), n, w, Tv, s_of(edge * 0.99), "two-point") == 1
        assert T._near_zero("elu", Fraction(1), n, w, Tv, s_of(edge * 1.003), "two-point") == 0


def _R(tail, t):
    """The R with tail(R) = t (tail decreasing), by bisection."""
    lo, hi = 0.0, 40.0
    for _ in range(200):
        m = (lo + hi) / 2
        lo, hi = (m, hi) if tail(m) > t else (lo, m)
    return hi


# the red team's independent spectral radii at GELU's two simplex fixed points (sigma_w^2 = 67/20, n = 3):
# mpmath nested quadratures and a dense n x n Jacobian by numpy (tests/test_redteam_simplex.py, BRACKETS)
GELU_RADII = (1.0392695086482884, 0.995633164978527)
GELU_ROOTS = (0.44355, 21.6400)         # the same red team's mpmath roots, to 4 digits


@pytest.mark.slow
def test_both_simplex_roots_of_gelu_are_bracketed_and_each_decides_its_own_claim():     # some 40 s
    found = TP.bracket_items(activation("gelu"), 3, Fraction(67, 20), "simplex")
    assert len(found) == 2 and all(found), found
    for item, s, rho in zip(found, GELU_ROOTS, GELU_RADII):
        fact = items.check_item(item)
        lo, hi = (float(x) for x in fact["radius"])
        assert fact["fact"] == "simplex-fixed" and lo <= rho <= hi and hi - lo < 0.01, (lo, rho, hi)
        assert abs(float(Fraction(item["lo"])) / s - 1) < 1e-4, (item, s)
    stable, unstable = (_claim("gelu", Fraction(67, 20), 3, rel, "1", "simplex") for rel in ("<", ">"))
    assert trusted.decide(stable, [found[1]])[0] == "proved"        # the second root: radius 0.9956
    assert trusted.decide(unstable, [found[0]])[0] == "proved"      # the first: 1.0393
    with pytest.raises(trusted.Rejected):                           # a bracket never refutes
        trusted.decide(stable, [found[0]])


# GELU, sigma_w^2 = 71/20, n = 3, two-point: two fixed points (S(s) < s near 0 and beyond the second, up to
# s_big = 3311 where the large-s lemma takes over).  The search's cover (some 130 s to find), stored: 180
# cuts, 177 of them pieces by their slope; its price, 46 million, is over a certificate's 32 (some 24 s
# to re-check), so it is decided here from the kernel's fact, not through a certificate.
GELU71 = Path(__file__).parent / "data" / "gelu_71_20_two_point_cover.json"


def _gelu(t):
    return t * (1 + mpmath.erf(t / mpmath.sqrt(2))) / 2


@pytest.fixture(scope="module")
def gelu71():
    return json.loads(GELU71.read_text())


@pytest.mark.slow
def test_gelus_two_roots_each_in_a_bracket_and_every_radius_above_one(gelu71):      # some 25 s
    fact = T.check_cover(gelu71)
    assert fact["fact"] == "two-point-roots" and len(fact["radii"]) == 2 and all(r[0] > 1 for r in fact["radii"])
    w = Fraction(71, 20)
    for lo, hi in fact["s"]:                    # mpmath: S(s) - s changes sign across each bracket
        lo, hi = Fraction(lo), Fraction(hi)
        signs = [_S_mp(_gelu, 3, w, x) - mpmath.mpf(x.numerator) / x.denominator for x in (lo, hi)]
        assert signs[0] * signs[1] < 0, (lo, hi, signs)
    _, goal = trusted.kernel.goal(_claim("gelu", w, 3, "<", "1"))
    v, why = goal.decide([fact])
    assert v == "refuted" and why.count("(") >= 3, why
    assert items.work(gelu71) > trusted.kernel.CERT_WORK        # stated above: decided from the fact


@pytest.mark.slow
def test_a_gelu_cover_missing_its_second_root_is_rejected(gelu71):
    bad = dict(gelu71)
    bad.pop("brackets")                         # the piece holding the second root read as S(s) > s
    with pytest.raises(trusted.Rejected, match="not shown"):
        T.check_cover(bad)
