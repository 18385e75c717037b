"""Red team of the simplex cover (trusted/twopoint.py check_cover(..., "simplex"), _small_s's simplex
lemma, items._cover_terms / work) and its untrusted search (claims/properties/two_point.cover_item).

Defects found and fixed here: cuts without an upper end (a cover whose pieces ran up to s = 10^6 was
priced like one at s = 2 but took hours to re-check: sin's oscillations and the poles of tanh and
sigmoid near the axis at sqrt q ~ 10^3), a price linear in bits below 128 (64 bits cost what 128 do),
and work() crashing with ZeroDivisionError / OverflowError on cuts of 2000 digits."""
from __future__ import annotations

import copy
import math
import time
from fractions import Fraction

import mpmath
import pytest

from bnverify import trusted
from bnverify.claims.properties import two_point as search
from bnverify.core.activations import activation
from bnverify.trusted import twopoint as T
from bnverify.trusted.base import Rejected


@pytest.fixture(scope="module")
def tanh8():
    return search.simplex_bracket_item(activation("tanh"), 8, 2)


@pytest.fixture(scope="module")
def cover8(tanh8):
    return search.cover_item(activation("tanh"), 8, 2, tanh8, state="simplex")


def _claim(rel=">", bound="1", n="8", state="simplex"):
    return {"property": "spectral-radius", "stages": ["rc"], "activation": "tanh", "domain": {"n": n},
            "params": {"state": state, "relation": rel, "bound": bound}, "weight_var": "2"}


def _check(item):
    return trusted.items.check_item(copy.deepcopy(item))


# ---------------------------------------------------------------- the genuine cover
def test_the_genuine_cover_refutes_and_stays_within_twice_top(tanh8, cover8):
    assert cover8 is not None and Fraction(2) <= Fraction(cover8["above"][-1]) <= 4
    fact = _check(cover8)
    assert fact["fact"] == "simplex-roots" and fact["n"] == 8
    v, _, why = trusted.decide(_claim(">", "1"), [cover8])
    assert v == "refuted" and "every root" in why
    assert trusted.decide(_claim("<", "1"), [cover8, tanh8])[0] == "proved"


# ---------------------------------------------------------------- cost
def test_cuts_beyond_twice_top_are_refused_before_any_arithmetic(cover8):
    """Pieces at s up to 10^6 (all of them true: S(s) < 2 < s) were priced some 7000 each and took
    2 s each for sin at sqrt q ~ 10^3: a certificate within the budget ran for hours."""
    far = copy.deepcopy(cover8)
    c, cuts = Fraction(far["above"][-1]), []
    while c < 10 ** 6:
        c = c * Fraction(11, 10)
        cuts.append(str(c.limit_denominator(1000)))
    far["above"] += cuts
    assert trusted.items.work(far) < trusted.kernel.CERT_WORK            # cheap to price ...
    t = time.process_time()
    with pytest.raises(Rejected, match="at most twice"):                  # ... and refused at once
        _check(far)
    assert time.process_time() - t < 2
    short = copy.deepcopy(cover8)
    short["above"] = short["above"][:-1] + ["41/10"]                       # past 2 osc^2/2 = 4
    with pytest.raises(Rejected, match="at most twice"):
        _check(short)


@pytest.mark.parametrize("cut", ["1/" + "1" + "0" * 1990, "1" + "0" * 1990])
def test_work_of_extreme_cuts_is_a_number_or_rejected_never_a_crash(cover8, cut):
    bad = copy.deepcopy(cover8)
    if cut.startswith("1/"):
        bad["below"] = [cut, "2" + cut[1:]] + bad["below"]
    else:
        bad["above"] = bad["above"] + [cut]
    assert trusted.items.work(bad) > 0                                     # no ZeroDivisionError, no OverflowError
    with pytest.raises(Rejected):
        trusted.decide(_claim(), [bad])


def test_sixty_four_bits_are_priced_as_128(cover8):
    """A piece costs the same at 64 bits as at 128 (measured: 0.92 s and 0.74 s); the price was
    linear in bits, so a 64-bit cover bought twice the time."""
    low, mid, high = (dict(cover8, prec=p) for p in (64, 128, 256))
    assert trusted.items.work(low) == trusted.items.work(mid) < trusted.items.work(high)


def test_narrow_pieces_cost_more_than_wide(cover8):
    wide = dict(cover8, slopes=[])             # the pieces' price alone (a slope piece is priced as a bracket)
    narrow = copy.deepcopy(wide)
    lo = Fraction(narrow["below"][0])
    narrow["below"] = [str(lo + (Fraction(narrow["below"][-1]) - lo) * k / 400) for k in range(401)]
    assert trusted.items.work(narrow) > 2 * trusted.items.work(wide) > 0
    assert trusted.items.work(cover8) > trusted.items.work(wide) or not cover8.get("slopes")


def test_the_search_drops_a_cover_over_the_budget(tanh8, monkeypatch):
    monkeypatch.setattr(trusted.kernel, "CERT_WORK", 10 ** 6)
    assert search.cover_item(activation("tanh"), 8, 2, tanh8, state="simplex") is None


def test_only_the_simplex_halves_osc_squared():
    """Two-point: S(s) = E[(phi(p) - phi(q))^2] < osc^2, so its cover must reach osc^2 = 4 (sin), not the
    simplex's osc^2/2 = 2."""
    item = search.cover_item(activation("sin"), 5, 2)
    assert item["type"] == "two-point-cover" and Fraction(item["above"][-1]) <= 8
    T.check_cover(item)
    above = [Fraction(c) for c in item["above"]]
    stop = min(c for c in above if c >= 2)
    assert stop < 4 and above.index(stop) >= 1
    with pytest.raises(Rejected, match="do not run"):
        T.check_cover(dict(item, above=[str(c) for c in above if c <= stop]))


# ---------------------------------------------------------------- every root in (lo, hi)
def test_a_cover_whose_bracket_misses_the_root_is_rejected(cover8):
    """lo, hi moved below the root (the cuts re-joined): some piece above hi has S(s) > s."""
    bad = copy.deepcopy(cover8)
    below = bad["below"]
    bad["lo"], bad["hi"] = below[-3], below[-2]
    bad["below"] = below[:-2]
    bad["above"] = below[-2:] + bad["above"]
    with pytest.raises(Rejected, match="not shown <|no wider than lo/1024"):
        _check(bad)


def test_a_gap_between_the_cuts_and_the_bracket_is_rejected(cover8):
    bad = copy.deepcopy(cover8)
    bad["below"] = bad["below"][:-1]           # the last cut short of lo: (below[-1], lo) unchecked
    with pytest.raises(Rejected, match="do not run"):
        _check(bad)
    bad = copy.deepcopy(cover8)
    bad["above"] = bad["above"][1:]            # the first cut above hi
    with pytest.raises(Rejected, match="do not run"):
        _check(bad)


def test_cuts_that_do_not_rise_are_rejected(cover8):
    """A chain of pieces that goes up and comes back still joins its ends, but its pieces could wander
    anywhere (far beyond the cap): cuts must rise."""
    bad = copy.deepcopy(cover8)
    bad["above"] = bad["above"][:2] + ["4", bad["above"][2]] + bad["above"][3:]
    with pytest.raises(Rejected, match="do not run"):
        _check(bad)
    dup = copy.deepcopy(cover8)
    dup["below"] = dup["below"][:2] + dup["below"][1:]
    with pytest.raises(Rejected, match="do not run"):
        _check(dup)


@pytest.mark.parametrize("field,value,match", [
    ("n", 7, "says nothing|not shown"), ("weight_var", "21/10", "says nothing|not shown|small-s"),
    ("activation", "erf", "says nothing|not shown|small-s"), ("type", "two-point-cover", "do not run|says nothing"),
])
def test_relabelled_covers_say_nothing_about_the_claim(cover8, field, value, match):
    bad = dict(copy.deepcopy(cover8), **{field: value})
    with pytest.raises(Rejected, match=match):
        trusted.decide(_claim(), [bad])


def test_a_cover_does_not_refute_another_state_or_n(cover8):
    with pytest.raises(Rejected, match="says nothing"):
        trusted.decide(_claim(state="two-point"), [cover8])
    with pytest.raises(Rejected, match="says nothing"):
        trusted.decide(_claim(n="3..7"), [cover8])


# ---------------------------------------------------------------- the small-s lemma
def _lemma(name, w, T, s_min):
    """w phi'(T)^2 (1 - 2 sqrt 6 sqrt Q(T/sqrt(w s_min))) in mpmath (the docstring's bound)."""
    d = {"tanh": lambda t: 1 - mpmath.tanh(t) ** 2, "erf": lambda t: 2 * mpmath.exp(-t * t) / mpmath.sqrt(mpmath.pi),
         "sigmoid": lambda t: mpmath.exp(-t) / (1 + mpmath.exp(-t)) ** 2, "sin": mpmath.cos}[name](T)
    R = T / mpmath.sqrt(w * s_min)
    return w * d * d * (1 - 2 * mpmath.sqrt(6) * mpmath.sqrt(mpmath.ncdf(-R)))


@pytest.mark.parametrize("name,w,Tv", [("tanh", 2, Fraction(1, 2)), ("erf", 2, Fraction(1, 2)),
                                       ("sigmoid", 40, Fraction(1, 2)), ("sin", 2, Fraction(3, 5))])
def test_the_small_s_lemma_is_exactly_its_bound(name, w, Tv):
    """At the s_min where the bound crosses 1 (mpmath), the kernel says no just above and yes just
    below: the factor 2 sqrt 6, R = T/sqrt(w s_min) (no n: q <= w s_min at every n), the simplex
    branch (the two-point factor is far larger there)."""
    with mpmath.workdps(40):
        f = lambda s: _lemma(name, w, mpmath.mpf(Tv.numerator) / Tv.denominator, s) - 1      # noqa: E731
        s_star = mpmath.findroot(f, (mpmath.mpf("1e-6"), mpmath.mpf(1)), solver="anderson")
    for n in (3, 1000):
        above = Fraction(mpmath.nstr(s_star * (1 + mpmath.mpf("1e-6")), 30))
        below = Fraction(mpmath.nstr(s_star * (1 - mpmath.mpf("1e-6")), 30))
        from flint import ctx
        with ctx.workprec(128):
            assert not T._small_s(name, Fraction(0), n, Fraction(w), Tv, above, "simplex")
            assert T._small_s(name, Fraction(0), n, Fraction(w), Tv, below, "simplex")


def _closed(name, n, w, s):
    """S(s) = E2 - K in closed form: erf (arcsin kernel), sin (e^-q sinh)."""
    q, r = w * s * (n - 1) / n, mpmath.mpf(-1) / (n - 1)
    if name == "erf":
        return 2 / mpmath.pi * (mpmath.asin(2 * q / (1 + 2 * q)) - mpmath.asin(2 * r * q / (1 + 2 * q)))
    return (1 - mpmath.exp(-2 * q)) / 2 - mpmath.exp(-q) * mpmath.sinh(r * q)


@pytest.mark.parametrize("name,w", [("erf", 2), ("erf", 5), ("sin", 2), ("sin", 9)])
def test_the_lemma_against_closed_forms(name, w):
    """Below s_min the true S(s)/s exceeds the lemma's bound; beyond osc^2/2 = 2, S(s) < s (and < 2)."""
    best = None
    for k in range(1, 150):
        Tf = mpmath.mpf(k) / 100
        if name == "sin" and Tf >= mpmath.pi / 2:
            break
        s_min = mpmath.findroot(lambda s: _lemma(name, w, Tf, s) - 1, (mpmath.mpf("1e-9"), mpmath.mpf(5)),
                                solver="anderson") if _lemma(name, w, Tf, mpmath.mpf("1e-9")) > 1 else None
        if s_min is not None and (best is None or s_min > best[1]):
            best = (Tf, s_min)
    assert best is not None
    Tf, s_min = best[0], best[1] * mpmath.mpf("0.999")          # where the bound is just above 1
    for n in (3, 5, 50):
        for s in (s_min, s_min / 3, s_min / 100, s_min / 10 ** 4):
            assert _closed(name, n, w, s) / s > _lemma(name, w, Tf, s_min) > 1, (n, s)
        for s in (2, 3, 10, 1000):
            assert _closed(name, n, w, s) < 2 and _closed(name, n, w, s) < s


def test_sin_takes_no_T_at_or_beyond_half_pi():
    """cos is negative beyond pi/2, yet its square is large: the lemma's min of |phi'| on [-T, T] would
    be cos(T)^2 where the true minimum is 0."""
    from flint import ctx
    with ctx.workprec(128):
        for T_ in (Fraction(3), Fraction(314160, 200000), Fraction(355, 226)):
            with pytest.raises(Rejected, match="T outside"):
                T._small_s("sin", Fraction(0), 5, Fraction(2), T_, Fraction(1, 1000), "simplex")
        assert T._small_s("sin", Fraction(0), 5, Fraction(2), Fraction(1, 2), Fraction(1, 1000), "simplex")


# ---------------------------------------------------------------- command line
@pytest.mark.parametrize("args", [
    ["simplex", "--stages", "rc,tanh", "--weight-var", "0", "--n", "3"],
    ["simplex", "--stages", "rc,tanh", "--weight-var", "1e5", "--n", "3"],
    ["simplex", "--stages", "rc,tanh", "--weight-var", "2", "--n", "3.."],
    ["simplex", "--stages", "rc,tanh", "--weight-var", "2", "--n", "1001"],
    ["simplex", "--stages", "rc,tanh", "--weight-var", "2", "--n", "5..3"],
    ["simplex", "--stages", "tanh,rc", "--weight-var", "2", "--n", "3"],
    ["jacobian", "--n", "2", "--stages", "rc,tanh", "--weight-var", "2", "--state", "simplex"],
    ["jacobian", "--n", "1001", "--stages", "rc,tanh", "--weight-var", "2", "--state", "simplex"],
    ["jacobian", "--n", "3..5", "--stages", "rc,tanh", "--weight-var", "2", "--state", "simplex"],
    ["jacobian", "--n", "3", "--stages", "rc,tanh", "--weight-var", "2", "--state", "attractor"],
    ["jacobian", "--n", "3", "--stages", "rc,tanh", "--weight-var", "1/3", "--state", "simplex"],
])
def test_bad_input_to_the_new_options_is_one_line_and_exit_2(run_cli, args):
    code, out, err = run_cli(*args)
    assert code == 2 and "Traceback" not in err + out and len(err.strip().splitlines()) == 1, (code, err)
    if args[0] == "jacobian" and args[-1] == "simplex" and args[2] in ("2", "1001"):
        assert "simplex" in err and "two-point" not in err, err          # the state asked for, not the default's


@pytest.mark.slow
@pytest.mark.parametrize("name,w,n", [("tanh", 2, 3), ("sigmoid", 40, 4)])
def test_covers_against_two_dimensional_mpmath(name, w, n):
    """tanh and sigmoid (no closed form): S(s) = E[(phi(x) - phi(y))^2]/2 by mpmath's 2-D quadrature over
    x - y and x + y (independent): above the lemma's bound below s_min, below s beyond osc^2/2.  ~40 s."""
    cover = search.cover_item(activation(name), n, w, state="simplex")
    T_, s_min = Fraction(cover["T"]), Fraction(cover["below"][0])
    phi = {"tanh": mpmath.tanh, "sigmoid": lambda t: 1 / (1 + mpmath.exp(-t))}[name]
    with mpmath.workdps(20):
        def S(s):
            q, r = w * s * (n - 1) / n, mpmath.mpf(-1) / (n - 1)
            su, sv = mpmath.sqrt(q * (1 + r) / 2), mpmath.sqrt(q * (1 - r) / 2)
            g = lambda a, b: ((phi(su * a + sv * b) - phi(su * a - sv * b)) ** 2      # noqa: E731
                              * mpmath.exp(-(a * a + b * b) / 2) / (2 * mpmath.pi))
            return mpmath.quad(g, [-10, 0, 10], [-10, 0, 10]) / 2
        bound = _lemma(name, w, mpmath.mpf(T_.numerator) / T_.denominator, mpmath.mpf(s_min.numerator) / s_min.denominator)
        assert bound > 1
        for s in (float(s_min), float(s_min) / 10):
            assert S(s) / s > bound
        top = Fraction(1, 2) if name == "sigmoid" else 2
        for s in (float(top), 2 * float(top)):
            assert S(s) < min(s, float(top))
