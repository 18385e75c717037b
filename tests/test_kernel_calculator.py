"""bnverify kernel: every enclosure against an independent mpmath computation (Gauss-Hermite
product rules, or one integral after conditioning on x with the inner expectation in closed
form), closed forms against the general route, Price's theorem against finite differences,
and bad input (one line, exit 2)."""
import json
from fractions import Fraction

import mpmath as mp
import pytest
from flint import arb

from bnverify.core import activations, dual_kernel, formula

Q1, Q2, C = Fraction(1, 2), Fraction(1), Fraction(1, 4)
DIGITS = 6          # the general route at 6 digits keeps this file fast


# ---------------------------------------------------------------- independent references
def _phi(name):
    """phi written here again in mpmath (not read from bnverify)."""
    return {"gelu": lambda x: x * (1 + mp.erf(x / mp.sqrt(2))) / 2, "silu": lambda x: x / (1 + mp.exp(-x)),
            "tanh": mp.tanh, "erf": mp.erf, "softplus": lambda x: mp.log(1 + mp.exp(x)),
            "sigmoid": lambda x: 1 / (1 + mp.exp(-x)), "sin": mp.sin, "identity": lambda x: x,
            "x*erf(x)": lambda x: x * mp.erf(x)}[name]


_RULES = {}


def _hermite(n):
    if n not in _RULES:
        with mp.workdps(30):
            _RULES[n] = mp.gauss_quadrature(n, "hermite")
    return _RULES[n]


def gh_reference(phi, q1, q2, c, n):
    """E[phi(x) phi(y)] by the n x n Gauss-Hermite product rule in x = sqrt(q1) u,
    y = (c/q1) x + s v, u, v ~ N(0, 1), at 30 digits."""
    X, W = _hermite(n)
    with mp.workdps(30):
        q1, q2, c = mp.mpf(q1.numerator) / q1.denominator, mp.mpf(q2.numerator) / q2.denominator, \
            mp.mpf(c.numerator) / c.denominator
        s, r2 = mp.sqrt(q2 - c * c / q1), mp.sqrt(2)
        total = 0
        for xi, wi in zip(X, W):
            x = mp.sqrt(q1) * r2 * xi
            fx = phi(x)
            total += wi * fx * mp.fsum(wj * phi(c / q1 * x + s * r2 * xj) for xj, wj in zip(X, W))
        return total / mp.pi


def gh(phi, q1, q2, c):
    """(value, error estimate) from 40 and 56 nodes."""
    a, b = gh_reference(phi, q1, q2, c, 40), gh_reference(phi, q1, q2, c, 56)
    return b, abs(a - b) + mp.mpf(10) ** -25


def _inner_closed(name, alpha):
    """E[phi(m + s Z)] in closed form for the ReLU family and ELU."""
    def pos(m, s):                  # E[(m + s Z)^+]
        return m * mp.ncdf(m / s) + s * mp.npdf(m / s)
    if name == "elu":
        return lambda m, s: pos(m, s) + alpha * (mp.exp(m + s * s / 2) * mp.ncdf(-m / s - s) - mp.ncdf(-m / s))
    return lambda m, s: pos(m, s) + alpha * (m - pos(m, s))


def conditioned_reference(name, alpha, q1, q2, c, dps=30):
    """E[phi(x) phi(y)] = E[phi(x) g(c x / q1)], one mpmath integral split at the kink."""
    phi = {"elu": lambda x: x if x > 0 else alpha * (mp.exp(x) - 1)}.get(name, lambda x: x if x > 0 else alpha * x)
    g = _inner_closed(name, alpha)
    with mp.workdps(dps):
        q1, q2, c = (mp.mpf(v.numerator) / v.denominator for v in (q1, q2, c))
        s = mp.sqrt(q2 - c * c / q1)
        f = lambda x: phi(x) * g(c / q1 * x, s) * mp.npdf(x, 0, mp.sqrt(q1))
        return mp.quad(f, [-mp.inf, 0, mp.inf])


def contains(ball, value, err=0):
    """value in the ball, compared at 45 digits (not at whatever precision mpmath was left at)."""
    with mp.workdps(45):
        lo, hi = mp.mpf(ball.lower().str(40, radius=False)), mp.mpf(ball.upper().str(40, radius=False))
        slack = mp.mpf(10) ** -30 + err + abs(value) * mp.mpf(10) ** -32
        return lo - slack <= value <= hi + slack


# ---------------------------------------------------------------- every named activation
SMOOTH = ["gelu", "silu", "tanh", "erf", "softplus", "sigmoid", "sin", "identity"]


@pytest.mark.parametrize("name", SMOOTH)
def test_smooth_activation_against_gauss_hermite(name):
    act = activations.activation(name)
    res = dual_kernel.kernel(act, Q1, Q2, C, digits=DIGITS, method="general")
    ref, err = gh(_phi(name), Q1, Q2, C)
    K = res["values"]["K"]
    assert contains(K, ref, err), (name, K, ref, err)
    assert float(K.rad()) <= 10.0 ** -DIGITS * max(abs(float(ref)), 1e-3)
    ex2 = mp.quad(lambda x: _phi(name)(x) ** 2 * mp.npdf(x, 0, mp.sqrt(mp.mpf(1) / 2)), [-mp.inf, mp.inf])
    assert contains(res["values"]["Ex2"], ex2, mp.mpf(10) ** -12)


@pytest.mark.parametrize("name,alpha", [("relu", 0), ("leaky_relu", Fraction(1, 10)), ("abs", -1), ("elu", 1),
                                        ("elu", Fraction(1, 2))])
def test_kinked_activation_against_conditioning(name, alpha):
    act = activations.activation(name, alpha if name in activations.TAKES_ALPHA else None)
    with mp.workdps(30):           # the slope at the reference's own precision
        ref = conditioned_reference(name, mp.mpf(Fraction(alpha).numerator) / Fraction(alpha).denominator, Q1, Q2, C)
    for method in (["auto", "general"] if act.closed else ["general"]):
        res = dual_kernel.kernel(act, Q1, Q2, C, digits=DIGITS if method == "general" else 30, method=method)
        assert contains(res["values"]["K"], ref, mp.mpf(10) ** -25), (name, method, res["values"]["K"], ref)


# ---------------------------------------------------------------- closed forms against the general route
@pytest.mark.parametrize("name,point", [("relu", (1, 2, Fraction(-1, 3))), ("erf", (Fraction(1, 2), 1, Fraction(1, 4))),
                                        ("sin", (1, Fraction(3, 2), Fraction(1, 2))), ("relu", (1, 4, 2)),
                                        ("erf", (1, 1, 0)), ("abs", (2, 1, Fraction(-1, 2))),
                                        ("gelu", (1, 2, Fraction(1, 2))),
                                        pytest.param("gelu", (2, 1, Fraction(-7, 5)), marks=pytest.mark.slow)])
def test_closed_form_overlaps_general_route(name, point):
    act = activations.activation(name)
    closed = dual_kernel.kernel(act, *point, digits=20, method="closed")["values"]
    general = dual_kernel.kernel(act, *point, digits=DIGITS, method="general")["values"]
    for k in dual_kernel.QUANTITIES:
        assert closed[k].overlaps(general[k]), (name, point, k, closed[k], general[k])


@pytest.mark.parametrize("name", ["relu", "erf"])
def test_closed_form_overlaps_the_nested_route(name, monkeypatch):
    """The nested integral at |r| = 19/20: ReLU's coefficients decay too slowly for Mehler's
    series; erf's would reach it, so Mehler is switched off here to test the fallback."""
    act = activations.activation(name)
    if name == "erf":
        monkeypatch.setattr(dual_kernel, "_mehler", lambda *args: None)
    closed = dual_kernel.kernel(act, 1, 1, Fraction(19, 20), digits=20, method="closed")["values"]
    res = dual_kernel.kernel(act, 1, 1, Fraction(19, 20), digits=DIGITS, method="general")
    assert "conditioning on x" in res["method"]
    assert all(closed[k].overlaps(res["values"][k]) for k in dual_kernel.QUANTITIES), res


def test_mehler_at_high_correlation_against_the_closed_form():
    """Mehler's series up to |r| = 9/10: enough bits for the Hermite recurrence's balls."""
    act = activations.activation("erf")
    closed = dual_kernel.kernel(act, 1, 2, Fraction(-5, 4), digits=20, method="closed")["values"]
    res = dual_kernel.kernel(act, 1, 2, Fraction(-5, 4), digits=12, method="general")
    assert "Mehler" in res["method"]
    assert all(closed[k].overlaps(res["values"][k]) for k in dual_kernel.QUANTITIES), res


@pytest.mark.parametrize("text", ["1/(1 + x**2)", "tanh(2*x)", "x - 1/3 if x > 1/3 else 0"])
def test_mehler_and_nested_routes_agree(text):
    """The two integral routes, run on one point: poles near the axis (Mehler's ellipses must not
    swallow them) and a kink at an inexact binary point.  (With a jump, 'x if x > 1/3 else
    sin(x)', their dK/dc differ, as both miss the Dirac mass: kernel() gives no derivatives.)"""
    act = activations.activation(text)
    q1, q2, c = Q1, Q2, C
    with dual_kernel.ctx.workprec(64):
        calc = dual_kernel._Calc(float("inf"), 4000)
        values = {}
        assert dual_kernel._mehler(act, None, q1, q2, c, 1e-10, 1e-10, calc, values)
        phi, d1 = act.tree, act.d1
        grow = dual_kernel.exp_growth
        inner = [(dual_kernel.Piecewise(phi), grow(phi, 1)), (dual_kernel.Piecewise(d1), grow(d1, 1))]
        outer = [(dual_kernel.Piecewise(phi), grow(phi, 0.7), 0), (dual_kernel.Piecewise(d1), grow(d1, 0.7), 1)]
        nested = calc.nested(outer, inner, q1, q2, c, 1e-10)
        assert values["K"].overlaps(nested.real) and values["dK_dc"].overlaps(nested.imag), (values, nested)
        assert values["K"].rad() < 1e-8 and nested.real.rad() < 1e-8


def test_nested_route_against_gauss_hermite(monkeypatch):
    """The fallback (Mehler switched off), and then Mehler at the same point."""
    with monkeypatch.context() as m:
        m.setattr(dual_kernel, "_mehler", lambda *args: None)
        res = dual_kernel.kernel(activations.activation("tanh"), Q1, Q2, Fraction(-2, 3), digits=DIGITS)
    ref, err = gh(_phi("tanh"), Q1, Q2, Fraction(-2, 3))
    assert "conditioning on x" in res["method"] and contains(res["values"]["K"], ref, err)
    res = dual_kernel.kernel(activations.activation("tanh"), Q1, Q2, Fraction(-2, 3), digits=DIGITS)
    assert "Mehler" in res["method"] and contains(res["values"]["K"], ref, err)
    assert "Mehler" in dual_kernel.kernel(activations.activation("tanh"), Q1, Q2, C, digits=DIGITS)["method"]


def test_closed_form_at_the_edges_of_the_cone():
    """c^2 = q1 q2 (y a multiple of x) and c = 0 (independent) are one-dimensional."""
    relu = dual_kernel.kernel(activations.activation("relu"), 1, 4, -2, digits=30)["values"]
    assert relu["K"].contains(arb(0)) and relu["dK_dc"].contains(arb(0))          # relu(x) relu(-2x) = 0
    edge = dual_kernel.kernel(activations.activation("tanh"), 1, 4, 2, digits=DIGITS)["values"]
    with mp.workdps(30):
        ref = mp.quad(lambda x: mp.tanh(x) * mp.tanh(2 * x) * mp.npdf(x), [-mp.inf, 0, mp.inf])
    assert contains(edge["K"], ref)


# ---------------------------------------------------------------- Price's theorem
@pytest.mark.parametrize("name", ["gelu", "tanh"])
def test_derivatives_against_finite_differences(name):
    res = dual_kernel.kernel(activations.activation(name), Q1, Q2, C, digits=DIGITS, method="general")["values"]
    h = Fraction(1, 10 ** 5)
    phi = _phi(name)
    for key, lo, hi in (("dK_dc", (Q1, Q2, C - h), (Q1, Q2, C + h)), ("dK_dq1", (Q1 - h, Q2, C), (Q1 + h, Q2, C)),
                        ("dK_dq2", (Q1, Q2 - h, C), (Q1, Q2 + h, C))):
        fd = (gh_reference(phi, *hi, 56) - gh_reference(phi, *lo, 56)) / (2 * mp.mpf(h.numerator) / h.denominator)
        assert abs(fd - mp.mpf(res[key].mid().str(30, radius=False))) < 1e-7 + float(res[key].rad()), (name, key, fd, res[key])


def test_elu_derivative_against_finite_difference():
    res = dual_kernel.kernel(activations.activation("elu", Fraction(1, 2)), Q1, Q2, C, digits=DIGITS)["values"]
    h = Fraction(1, 10 ** 6)
    fd = (conditioned_reference("elu", mp.mpf(1) / 2, Q1, Q2, C + h)
          - conditioned_reference("elu", mp.mpf(1) / 2, Q1, Q2, C - h)) / (2 * mp.mpf(h.numerator) / h.denominator)
    assert abs(fd - mp.mpf(res["dK_dc"].mid().str(30, radius=False))) < 1e-8


# ---------------------------------------------------------------- user formulas
def test_user_formula_against_gauss_hermite(run_cli):
    code, out, err = run_cli("kernel", "--activation", "x*erf(x)", "--q1", Q1, "--q2", Q2, "--c", C,
                         "--digits", DIGITS, "--json")
    assert code == 0, err
    doc = json.loads(out)
    ref, e = gh(_phi("x*erf(x)"), Q1, Q2, C)
    lo, hi = (mp.mpf(v) for v in doc["K"])
    assert lo - e <= ref <= hi + e and lo <= hi
    assert set(doc) >= {"activation", "q1", "q2", "c", "K", "dK_dc", "dK_dq1", "dK_dq2", "Ex2", "Ey2", "method"}


def test_piecewise_formula_is_the_named_one():
    """'x if x > 0 else x/10' and max(x, x/10) are leaky_relu(1/10): the closed form overlaps."""
    closed = dual_kernel.kernel(activations.activation("leaky_relu", Fraction(1, 10)), Q1, Q2, C, digits=20)["values"]
    for text in ("x if x > 0 else x/10", "max(x, 0.1*x)"):
        general = dual_kernel.kernel(activations.activation(text), Q1, Q2, C, digits=DIGITS)["values"]
        assert all(closed[k].overlaps(general[k]) for k in dual_kernel.QUANTITIES), text


def test_a_jump_gets_K_but_no_derivatives():
    res = dual_kernel.kernel(activations.activation("1 if x > 0 else 0"), 1, 1, Fraction(1, 2), digits=DIGITS)
    v = res["values"]
    assert v["dK_dc"] is None and "Dirac" in res["notes"][0]
    assert v["K"].contains(arb(1) / 3)           # P(x > 0, y > 0) = 1/4 + asin(1/2)/(2 pi) = 1/3


def test_derivatives_of_formulas_against_mpmath():
    for text in ("x*erf(x)", "log(1 + exp(x))", "x if x > 1/2 else sin(x)", "tanh(x)**3 - x/(1 + x**2)"):
        tree = formula.parse(text)
        f, d1 = formula.point_function(tree, mp), formula.point_function(formula.diff(tree), mp)
        for x in (mp.mpf("-1.3"), mp.mpf("0.2"), mp.mpf("2.1")):
            assert abs(d1(x) - mp.diff(f, x)) < 1e-10, (text, x)


# ---------------------------------------------------------------- bad input and budget
@pytest.mark.parametrize("argv,says", [
    (["--activation", "relu", "--q1", "1", "--q2", "1", "--c", "2"], "positive semi-definite"),
    (["--activation", "relu", "--q1", "0", "--q2", "1", "--c", "0"], "q1 > 0"),
    (["--activation", "relu", "--q1", "inf", "--q2", "1", "--c", "0"], "finite"),
    (["--activation", "relu", "--q1", "nan", "--q2", "1", "--c", "0"], "finite"),
    (["--activation", "relu", "--q1", "1", "--q2", "1"], "--c is required"),
    (["--activation", "cosh(x)", "--q1", "1", "--q2", "1", "--c", "0"], "'cosh'"),
    (["--activation", "x + y", "--q1", "1", "--q2", "1", "--c", "0"], "'y'"),
    (["--activation", "x**0.5", "--q1", "1", "--q2", "1", "--c", "0"], "'**0.5'"),
    (["--activation", "x +* 2", "--q1", "1", "--q2", "1", "--c", "0"], "syntax error"),
    (["--activation", "__import__('os')", "--q1", "1", "--q2", "1", "--c", "0"], "'__import__'"),
    (["--activation", "exp(x**2)", "--q1", "1", "--q2", "1", "--c", "0"], "Gaussian moments"),
    (["--activation", "1/x", "--q1", "1", "--q2", "1", "--c", "0"], "division"),
    (["--activation", "swish", "--q1", "1", "--q2", "1", "--c", "0"], "unknown activation"),
    (["--activation", "tanh", "--alpha", "1", "--q1", "1", "--q2", "1", "--c", "0"], "--alpha"),
    (["--activation", "silu", "--method", "closed", "--q1", "1", "--q2", "1", "--c", "0"], "no closed form"),
    (["--activation", "relu", "--q1", "1", "--q2", "1", "--c", "0", "--digits", "0"], "--digits"),
    (["--activation", "tanh", "--q1", "1e7", "--q2", "1", "--c", "0"], "[1e-6, 1e6]"),
])
def test_bad_input_is_one_line_exit_2(argv, says, run_cli):
    code, out, err = run_cli("kernel", *argv)
    assert code == 2 and len(err.strip().splitlines()) == 1 and says in err, (code, err)


def test_budget_gives_inconclusive_exit_3(run_cli):
    code, out, err = run_cli("kernel", "--activation", "silu", "--q1", "1", "--q2", "2", "--c", "1/2", "--budget", "0.01")
    assert code == 3 and out.startswith("inconclusive:") and "budget" in out, (code, out, err)


def test_unenclosed_second_moment_is_inconclusive_not_a_crash(run_cli):
    """softplus at q1 = 1000: acb.integral gave E[phi^2] no finite enclosure, and every tolerance
    is relative to it; this was an internal error (a NaN tolerance), then exit 3 after retries.  E[phi^2]
    is now enclosed (a larger evaluation limit over long ranges) and the point computes in about 30 s
    (test_kernel_high_correlation, slow); with --budget 1 it is inconclusive, exit 3, never a crash."""
    code, out, err = run_cli("kernel", "--activation", "softplus", "--q1", "1000", "--q2", "1", "--c", "31",
                             "--budget", "1")
    assert code == 3 and out.startswith("inconclusive:"), (code, out, err)


def test_negative_covariance_as_written(run_cli):
    """'--c -1/2' is a value, not an option (argparse reads only '-1', '-0.5' as numbers)."""
    code, out, err = run_cli("kernel", "--activation", "relu", "--q1", "1", "--q2", "1", "--c", "-1/2", "--json")
    assert code == 0 and json.loads(out)["c"] == "-1/2", err


def test_json_interval_rounded_outward(run_cli):
    code, out, _ = run_cli("kernel", "--activation", "erf", "--q1", "1", "--q2", "1", "--c", "1/2", "--json")
    doc = json.loads(out)
    with mp.workdps(40):
        exact = 2 / mp.pi * mp.asin(mp.mpf(1) / 3)
        lo, hi = (mp.mpf(v) for v in doc["K"])
    assert code == 0 and lo <= exact <= hi and hi - lo < 1e-15
    code, out, _ = run_cli("kernel", "--activation", "erf", "--q1", "1", "--q2", "1", "--c", "1/2", "--json", "--digits", 40)
    with mp.workdps(60):
        exact = 2 / mp.pi * mp.asin(mp.mpf(1) / 3)
        lo, hi = (mp.mpf(v) for v in json.loads(out)["K"])
        assert code == 0 and lo <= exact <= hi and hi - lo < mp.mpf(10) ** -40, (lo, hi)
