"""bnverify kernel at high correlation, |r| = |c|/sqrt(q1 q2) in [0.9, 1]: Mehler's series with
the adaptive truncation (bnverify/core/mehler.py, "Truncation") against references computed here
again, independently of bnverify: mpmath's 2-D quadrature at 40 digits after conditioning on x
(E[f(x) g(y)] = E_x[f(x) E[g(lam x + s Z)]], Gauss-Hermite product rules, their error from two
rules), the 1-D rule at |r| = 1, and the closed forms
of erf (arcsine), sin and gelu.  Derivatives by Price's theorem: dK/dc = E[phi'(x) phi'(y)],
dK/dq1 = E[phi''(x) phi(y)] / 2, with phi', phi'' written out below.  A truncation that leaves
out too much (no tail, a tail a million times too small, Parseval remainders read 8 terms late)
is caught by the same comparisons."""
from fractions import Fraction

import mpmath as mp
import pytest
from flint import arb

from bnverify.core import activations, dual_kernel, mehler

DIGITS = 15


def _sig(x):
    return 1 / (1 + mp.exp(-x))


def _npdf(x):
    return mp.exp(-x * x / 2) / mp.sqrt(2 * mp.pi)


# phi, phi', phi'' written again in mpmath (not read from bnverify)
PHI = {
    "tanh": (mp.tanh, lambda x: mp.sech(x) ** 2, lambda x: -2 * mp.tanh(x) * mp.sech(x) ** 2),
    "sigmoid": (_sig, lambda x: _sig(x) * (1 - _sig(x)), lambda x: _sig(x) * (1 - _sig(x)) * (1 - 2 * _sig(x))),
    "silu": (lambda x: x * _sig(x), lambda x: _sig(x) + x * _sig(x) * (1 - _sig(x)),
             lambda x: _sig(x) * (1 - _sig(x)) * (2 + x * (1 - 2 * _sig(x)))),
    "softplus": (lambda x: mp.log(1 + mp.exp(x)), _sig, lambda x: _sig(x) * (1 - _sig(x))),
    "gelu": (lambda x: x * mp.ncdf(x), lambda x: mp.ncdf(x) + x * _npdf(x), lambda x: (2 - x * x) * _npdf(x)),
    "erf": (mp.erf, lambda x: 2 / mp.sqrt(mp.pi) * mp.exp(-x * x), lambda x: -4 * x / mp.sqrt(mp.pi) * mp.exp(-x * x)),
    "sin": (mp.sin, mp.cos, lambda x: -mp.sin(x)),
}


def _mpf(v):
    v = Fraction(v)
    return mp.mpf(v.numerator) / v.denominator


_RULES = {}


def _hermite(n):
    """Gauss-Hermite nodes and weights for N(0, 1) at 40 digits."""
    if n not in _RULES:
        with mp.workdps(40):
            X, W = mp.gauss_quadrature(n, "hermite")
            _RULES[n] = [x * mp.sqrt(2) for x in X], [w / mp.sqrt(mp.pi) for w in W]
    return _RULES[n]


def _quadrature(name, q1, q2, c, n_in, which=4):
    """((K, dK/dc, dK/dq1, dK/dq2), mpmath's error estimate): the outer integral in x by mpmath's
    tanh-sinh quadrature, the inner expectation over y | x ~ N(lam x, s^2) by the n_in-node
    Gauss-Hermite rule (s <= 0.44 here, so the inner integrand's poles are far from the axis),
    one integral in x at c^2 = q1 q2."""
    f = PHI[name]
    q1, q2, c = _mpf(q1), _mpf(q2), _mpf(c)
    lam, s, sx = c / q1, mp.sqrt(max(q2 - c * c / q1, 0)), mp.sqrt(q1)
    V, WV = _hermite(n_in)
    cache = {}

    def inner(u):
        if u not in cache:
            m = lam * sx * u
            cache[u] = [g(m) for g in f] if s == 0 else \
                [mp.fsum(wv * g(m + s * v) for v, wv in zip(V, WV)) for g in f]
        return cache[u]
    out, err = [], mp.mpf(0)
    for a, b, k in ((0, 0, 1), (1, 1, 1), (2, 0, 2), (0, 2, 2))[:which]:
        v, e = mp.quad(lambda u: f[a](sx * u) * inner(u)[b] * _npdf(u), [-mp.inf, 0, mp.inf], error=True)
        out.append(v / k)
        err = max(err, e)
    return out, err


def references(name, q1, q2, c):
    """({quantity: value}, error estimate): Price's theorem and the 2-D quadrature at 40 digits,
    the error from two inner rules and mpmath's own estimate."""
    with mp.workdps(40):
        a, ea = _quadrature(name, q1, q2, c, 60)
        b, eb = _quadrature(name, q1, q2, c, 90)
        err = max(abs(x - y) for x, y in zip(a, b)) * 10 + 10 * max(ea, eb) + mp.mpf(10) ** -32
    return dict(zip(("K", "dK_dc", "dK_dq1", "dK_dq2"), b)), err


def closed(name, q1, q2, c):
    act = activations.activation(name)
    return dual_kernel.kernel(act, q1, q2, c, digits=30, method="closed")["values"]


def inside(ball, value, slack=mp.mpf(10) ** -32):
    with mp.workdps(45):
        lo, hi = mp.mpf(ball.lower().str(40, radius=False)), mp.mpf(ball.upper().str(40, radius=False))
        return lo - slack <= value <= hi + slack


def _check(name, q1, q2, c, ref, digits=DIGITS, err=mp.mpf(10) ** -32):
    res = dual_kernel.kernel(activations.activation(name), q1, q2, c, digits=digits, method="general")
    v = res["values"]
    for key in ("K", "dK_dc", "dK_dq1", "dK_dq2"):
        assert inside(v[key], ref[key], err), (name, (q1, q2, c), key, v[key], ref[key], err, res["method"])
    return res


# (q1, q2, c): sqrt(q1 q2) = 1 at all but the first, so c is r itself
POINTS = [(1, 1, Fraction(9, 10)), (Fraction(1, 2), 2, Fraction(19, 20)), (1, 1, Fraction(99, 100)), (1, 1, 1),
          (Fraction(1, 2), 2, Fraction(-19, 20)), (1, 1, -1)]
NO_CLOSED = ["tanh", "sigmoid", "silu", "softplus"]


# ---------------------------------------------------------------- fast: the closed forms
@pytest.mark.parametrize("name", ["erf", "sin", "gelu"])
@pytest.mark.parametrize("point", [(1, 1, Fraction(19, 20)), (Fraction(1, 2), 2, Fraction(-99, 100))])
def test_general_route_against_closed_forms_near_r_one(name, point):
    """Mehler's series past |r| = 9/10 (the nested route's domain before) holds the closed form."""
    with mp.workdps(45):        # the reference at 40 digits whatever mp.dps another module left at import
        ref = {k: mp.mpf(v.mid().str(40, radius=False)) for k, v in closed(name, *point).items()}
    res = _check(name, *point, ref, digits=12)
    assert "Mehler" in res["method"], res["method"]


@pytest.mark.parametrize("name,point", [("tanh", (1, 1, Fraction(99, 100))), ("softplus", (Fraction(1, 2), 2, Fraction(-19, 20)))])
def test_mehler_overlaps_the_nested_route_near_r_one(name, point, monkeypatch):
    """The point of the adaptive truncation: Mehler's series at |r| >= 0.95 (the nested route's
    domain before), against the nested route itself (Mehler switched off), all four quantities."""
    act = activations.activation(name)
    res = dual_kernel.kernel(act, *point, digits=12, method="general")
    assert "Mehler" in res["method"], res["method"]
    monkeypatch.setattr(dual_kernel, "_mehler", lambda *args: None)
    nested = dual_kernel.kernel(act, *point, digits=6, method="general")
    assert "conditioning on x" in nested["method"]
    for key in ("K", "dK_dc", "dK_dq1", "dK_dq2"):
        assert res["values"][key].overlaps(nested["values"][key]), (key, res["values"][key], nested["values"][key])


# ---------------------------------------------------------------- slow: every smooth activation, every |r|
@pytest.mark.slow
@pytest.mark.parametrize("name", NO_CLOSED + ["erf", "sin", "gelu"])
@pytest.mark.parametrize("point", POINTS)
def test_enclosures_against_2d_quadrature(name, point):
    ref, err = references(name, *point)
    assert err < 1e-20, (name, point, err)
    _check(name, *point, ref, err=err)


# ---------------------------------------------------------------- a wrong tail is caught
def _mutant_tails(kind):
    """Tails.at with a deliberate error: 'no-tail' adds nothing, 'tail-1e-6' a millionth of the
    bound, 'shifted' reads the Parseval remainders 8 indices late (T_(N+8) for T_N: the sum
    left out is then the one after N + 8 terms, not after N)."""
    real = mehler.Tails.at

    def at(self, N, derivatives=True):
        if kind == "shifted":
            saved = self.TA, self.TB, self.sTA, self.sTB, self.SA, self.SB
            try:
                for name in ("TA", "TB", "sTA", "sTB", "SA", "SB"):
                    v = getattr(self, name)
                    if v is not None:
                        setattr(self, name, v[8:] + [v[-1]] * 8)
                return real(self, N, derivatives)
            finally:
                self.TA, self.TB, self.sTA, self.sTB, self.SA, self.SB = saved
        tK, tc, t1, t2 = real(self, N, derivatives)
        if kind == "no-tail":
            z = mehler.arb(0)
            return z, (z if derivatives else None), (z if derivatives else None), (z if derivatives else None)
        return tuple(None if t is None else (t * mehler.arb("1e-6")).upper() for t in (tK, tc, t1, t2))
    return at


@pytest.mark.parametrize("kind", ["no-tail", "tail-1e-6", "shifted"])
def test_a_wrong_tail_is_caught(kind, monkeypatch):
    """With a tail too small the truncation stops early and the enclosure misses the closed form."""
    monkeypatch.setattr(mehler.Tails, "at", _mutant_tails(kind))
    point = (1, 1, Fraction(99, 100))
    with mp.workdps(45):
        ref = {k: mp.mpf(v.mid().str(40, radius=False)) for k, v in closed("erf", *point).items()}
    res = dual_kernel.kernel(activations.activation("erf"), *point, digits=12, method="general")
    assert "Mehler" in res["method"]
    assert not all(inside(res["values"][k], ref[k]) for k in ref), res


# ---------------------------------------------------------------- the tail bounds themselves
@pytest.mark.parametrize("r", [Fraction(1), Fraction(-1), Fraction(99, 100), Fraction(-19, 20), Fraction(1, 2)])
def test_tail_bounds_hold_on_exact_coefficients(r):
    """Tails.at against the true tails of series whose coefficients are known exactly:
    a_k = s^k / sqrt(k!) (phi(x) = e^(s x / sqrt q - s^2/2)), so E[phi^2] = e^(s^2) and
    q E[phi'^2] = sum_k k a_k^2 = s^2 e^(s^2).  Every N, both variances' sequences different, at
    |r| = 1 too (where the falling-weights rule does not apply and Parseval for phi' must)."""
    from flint import arb
    K = 120
    sa, sb = arb(3) / 2, arb(1)
    fact = [arb(1)]
    for k in range(1, K + 1):
        fact.append(fact[-1] * k)
    A = [sa ** k / fact[k].sqrt() for k in range(K + 1)]
    B = [sb ** k / fact[k].sqrt() for k in range(K + 1)]
    EA, EB = (sa * sa).exp(), (sb * sb).exp()
    DA, DB = sa * sa * EA, sb * sb * EB
    q1, q2 = arb(1) / 2, arb(2)
    rr = arb(r.numerator) / r.denominator
    sq = (q1 * q2).sqrt()
    M = 40                          # the coefficients handed over; the true tails sum to K
    tails = mehler.Tails(A[:M + 1], B[:M + 1], EA, EB, rr, q1, q2, DA, DB)
    rk = [arb(1)]
    for _ in range(K + 2):
        rk.append(rk[-1] * rr)
    for N in range(0, M - 2):
        tK, tc, t1, t2 = tails.at(N)
        true = [sum((A[k] * B[k] * rk[k] for k in range(N + 1, K - 2)), arb(0)),
                sum((j * A[j] * B[j] * rk[j - 1] for j in range(N + 2, K - 2)), arb(0)) / sq,
                sum(((arb((k + 1) * (k + 2))).sqrt() * A[k + 2] * B[k] * rk[k] for k in range(N + 1, K - 2)), arb(0)) / (2 * q1),
                sum(((arb((k + 1) * (k + 2))).sqrt() * A[k] * B[k + 2] * rk[k] for k in range(N + 1, K - 2)), arb(0)) / (2 * q2)]
        for name, bound, t in zip(("K", "dK_dc", "dK_dq1", "dK_dq2"), (tK, tc, t1, t2), true):
            assert float(abs(t).upper()) <= float(bound) * (1 + 1e-12) + 1e-25, (r, N, name, bound, t)
        if abs(r) == 1:             # no falling weights: the Parseval bound is the one that must hold
            assert all(float(b) < float("inf") for b in (tc, t1, t2))


# ---------------------------------------------------------------- larger variances near |r| = 1
def test_cauchy_bound_of_hermite_polynomials_holds_and_is_tight():
    """mehler._cauchy_bounds: |He_k(u)| / sqrt(k!) <= c_k e^((Re u)^2/4 + sqrt(k) |Im u|) for
    complex u (the quadrature error of every Hermite coefficient rests on it), against mpmath's
    Hermite polynomials (He_k(u) = 2^(-k/2) H_k(u / sqrt 2)); and within a factor 100 of the truth
    somewhere for every k, so a bound made smaller (dropping e^(k/2), sqrt(k) for k) fails."""
    from flint import arb
    K = 300
    cs = mehler._cauchy_bounds(K, [arb(k).sqrt() for k in range(K + 2)])
    with mp.workdps(30):
        for k in (0, 1, 2, 3, 7, 20, 64, 150, 300):
            c = mp.mpf(cs[k].upper().str(25, radius=False))
            best = mp.mpf(0)
            for x in (0, 0.5, 1.5, 3, 7, 2 * mp.sqrt(k) + 0.3, 40):
                for y in (0, 0.1, 0.7, 2.5):
                    u = mp.mpc(x, y)
                    he = abs(2 ** (-mp.mpf(k) / 2) * mp.hermite(k, u / mp.sqrt(2))) / mp.sqrt(mp.factorial(k))
                    bound = c * mp.exp(mp.re(u) ** 2 / 4 + mp.sqrt(k) * abs(mp.im(u)))
                    assert he <= bound, (k, u, he, bound)
                    best = max(best, he / bound)
            assert best > mp.mpf(1) / 100, (k, best)


@pytest.mark.parametrize("name,point", [("tanh", (2, 2, Fraction(198, 100))),
                                        pytest.param("sigmoid", (4, 4, Fraction(-396, 100)), marks=pytest.mark.slow)])
def test_more_than_256_coefficients_overlap_the_nested_route(name, point, monkeypatch):
    """At q = 2 and 4, |r| = 0.99, tanh's and sigmoid's coefficients decay slowly (e^(-d sqrt(2k/q)),
    d = pi/2, pi): the series takes more than the old cap of 256 terms (tanh) and still holds the
    nested route's enclosures (Mehler switched off), all four quantities."""
    act = activations.activation(name)
    res = dual_kernel.kernel(act, *point, digits=12, method="general")
    assert "Mehler" in res["method"], res["method"]
    terms = int(res["method"].split("Mehler series, ")[1].split(" ")[0])
    assert terms > (256 if name == "tanh" else 100), res["method"]
    monkeypatch.setattr(dual_kernel, "_mehler", lambda *args: None)
    nested = dual_kernel.kernel(act, *point, digits=6, method="general")
    assert "conditioning on x" in nested["method"]
    for key in ("K", "dK_dc", "dK_dq1", "dK_dq2"):
        assert res["values"][key].overlaps(nested["values"][key]), (key, res["values"][key], nested["values"][key])


def test_softplus_at_a_large_variance_is_computed():
    """softplus at q1 = 1000 (its branch points at +-i pi need pieces of length ~4, more halvings
    than at q = 1): computed by Mehler's series, E[phi(x)^2] against mpmath's 1-D quadrature."""
    act = activations.activation("softplus")
    res = dual_kernel.kernel(act, 1000, 1, Fraction(1, 2), digits=15, method="general", budget=60)
    assert "Mehler" in res["method"], res["method"]
    with mp.workdps(40):
        s = mp.sqrt(1000)
        ex2 = mp.quad(lambda u: mp.log(1 + mp.exp(s * u)) ** 2 * _npdf(u), [-mp.inf, -5, 0, 5, mp.inf])
        assert inside(res["values"]["Ex2"], ex2, mp.mpf(10) ** -25), (res["values"]["Ex2"], ex2)


def test_budget_holds_and_says_why():
    """--budget bounds the wall clock from ``started``: a run already past it stops at once, and
    a run that cannot finish (ELU at |r| = 0.99999: Mehler's series would need far more
    coefficients, the nested integral is slow) stops within a second of it, naming both."""
    import time
    act = activations.activation("elu")
    t = time.monotonic()
    with pytest.raises(dual_kernel.Inconclusive):
        dual_kernel.kernel(act, 1, 1, Fraction(1, 2), method="general", budget=5, started=t - 10)
    assert time.monotonic() - t < 0.5
    t = time.monotonic()
    with pytest.raises(dual_kernel.Inconclusive) as e:
        dual_kernel.kernel(act, 1, 1, Fraction(99999, 100000), method="general", budget=1.5)
    assert time.monotonic() - t < 2.5
    assert "Mehler" in str(e.value) and "nested" in str(e.value), str(e.value)


LARGE_Q = [(4, 4, Fraction(396, 100)), (10, 10, Fraction(-99, 10)), (2, 2, Fraction(19, 10))]


@pytest.mark.slow
@pytest.mark.parametrize("name", NO_CLOSED)
@pytest.mark.parametrize("point", LARGE_Q)
def test_large_variances_against_2d_quadrature(name, point):
    """q1 = q2 in {2, 4, 10} at |r| = 0.95, 0.99: Mehler's series with up to 2048 coefficients
    (tanh at q = 10, |r| = 0.99: 1111) against the 40-digit references."""
    ref, err = references(name, *point)
    assert err < 1e-20, (name, point, err)
    _check(name, *point, ref, err=err)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["erf", "gelu"])
@pytest.mark.parametrize("point", LARGE_Q)
def test_large_variances_against_closed_forms(name, point):
    with mp.workdps(45):
        ref = {k: mp.mpf(v.mid().str(40, radius=False)) for k, v in closed(name, *point).items()}
    _check(name, *point, ref)


@pytest.mark.slow
def test_softplus_at_q1_1000_high_correlation_against_2d_quadrature():
    """softplus at (q1, q2, c) = (1000, 1, 31), |r| = 0.98: E[phi^2] at q = 1000 came out nan
    (acb.integral's evaluation limit over [-285, 285]) and the run was inconclusive; now Mehler's
    series (several hundred terms: q2's coefficients' error floors the Cauchy-Schwarz tail, so q1's
    must carry it; 4 s on a quiet machine) gives all four quantities, against the 40-digit references."""
    ref, err = references("softplus", 1000, 1, 31)
    assert err < 1e-20, err
    res = dual_kernel.kernel(activations.activation("softplus"), 1000, 1, 31, method="general", budget=600)
    assert "Mehler" in res["method"], res["method"]
    for key in ("K", "dK_dc", "dK_dq1", "dK_dq2"):
        assert inside(res["values"][key], ref[key], err), (key, res["values"][key], ref[key], err)


@pytest.mark.parametrize("text,whole", [("gelu", True), ("erf", True), ("sin", True), ("x*erf(x)", True),
                                        ("exp(-x*x)/3", True), ("x**3 - 2*x", True), ("tanh", False),
                                        ("sigmoid", False), ("softplus", False), ("elu", False),
                                        ("1/(1 + x**2)", False), ("x**-2 if x > 1 else 1", False),
                                        ("sqrt(1 + x**2)", False), ("log(2 + sin(x))", False), ("abs(x)", False)])
def test_entire_formulas(text, whole):
    """formula.entire lets mehler skip the check for a pole inside a quadrature ellipse: it must say
    True only for formulas that are entire (a pole missed there would make the error bound false)."""
    from bnverify.core import formula
    assert formula.entire(activations.activation(text).tree) is whole


@pytest.mark.parametrize("n", [2, 4, 8])
@pytest.mark.parametrize("rho", [2, 4, 8])
def test_the_rules_error_bound_holds_for_chebyshev_t_2n(n, rho):
    """mehler.rule_error (the n-point Gauss-Legendre rule's error per unit of sup |f| on E_rho) against the polynomial
    that meets it: T_2n, |T_2n| <= (rho^2n + rho^-2n)/2 on E_rho, integral -2/(4n^2 - 1), its n-point rule's error
    1.4 to 1.5; ATAP's rho^(-2n) (stated for n + 1 nodes, used for n until a helper's review) gives 0.03 to 0.71."""
    from numpy.polynomial import chebyshev, legendre
    x, w = legendre.leggauss(n)
    err = abs(-2 / (4 * n * n - 1) - float((w * chebyshev.Chebyshev.basis(2 * n)(x)).sum()))
    sup = (rho ** (2 * n) + rho ** (-2.0 * n)) / 2
    assert err > 1.4 and err <= float((mehler.rule_error(arb(1), arb(rho), n) * sup).lower())
