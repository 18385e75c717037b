"""Certified dual kernels: Arb enclosures of, for (x, y) ~ N(0, [[q1, c], [c, q2]]),

    K = E[phi(x) phi(y)],   dK/dc = E[phi'(x) phi'(y)]                  (Price's theorem),
    dK/dq1 = (E[x phi'(x) phi(y)] - c E[phi'(x) phi'(y)]) / (2 q1),     (and q2 alike)
    E[phi(x)^2],  E[phi(y)^2].

The dK/dq1 formula is Price's dK/dq1 = E[phi''(x) phi(y)]/2 after Gaussian integration by
parts, E[x h(x, y)] = q1 E[d_x h] + c E[d_y h] with h = phi'(x) phi(y): it needs phi only
absolutely continuous (a kink is fine, a jump is not), where phi'' would need Dirac masses.

Closed forms (``activations``) are used where they exist.  Otherwise, for 0 < |r| < 1
(r = c/sqrt(q1 q2)), Mehler's series (module ``mehler``: all Hermite coefficients from one
rigorous node set, Cauchy-Schwarz and Parseval tails, the number of terms chosen from them, so
it needs no |r| < 1 margin); where that is out of reach (a switch of phi with no known kink,
coefficients decaying too slowly for MEHLER_MAX of them, as at large q, or enclosures too wide)
the nested route conditions on x:
y | x ~ N(lam x, s^2), lam = c/q1, s^2 = q2 - c^2/q1, so

    E[f(x) g(y)] = int f(x) G(lam x) N(x; 0, q1) dx,   G(mu) = int g(t) N(t; mu, s^2) dt.

G is entire in mu for any g (mu sits in the Gaussian density, never inside g), so the outer
integrand is analytic on each piece between phi's kinks and both integrals are Arb's rigorous
``acb.integral``, split at the kinks.  The Gaussian tails beyond the cut-offs are bounded from
the growth bound |f| <= C e^(beta |t|):

    int_{|t-m| >= L} C e^(beta|t|) |N(t; mu, s^2)| dt
        <= C e^(beta(|m|+delta)) e^(iota^2/(2 s^2)) e^(beta^2 s^2/2) erfc((L - delta - beta s^2)/(s sqrt 2))

for |Re mu - m| <= delta <= L, |Im mu| <= iota.  At c^2 = q1 q2 (y = lam x) and at c = 0
(independence) the expectations are one-dimensional.  Two real integrals share one complex
integral (f1 + i f2 with f1, f2 real on the real line), so K and dK/dc cost one pass.
"""
from __future__ import annotations

import math
import time
from fractions import Fraction

from flint import acb, arb, ctx

from ..errors import BadInput, LimitError
from . import formula as F
from . import mehler
from .gauss_pieces import CutoffOverflow, Piecewise, breaks, cutoff, exact, exp_growth, tail

QUANTITIES = ("K", "dK_dc", "dK_dq1", "dK_dq2", "Ex2", "Ey2")
MAX_DIGITS = 100
Q_RANGE = (Fraction(1, 10 ** 6), Fraction(10 ** 6))      # variances the integral route takes
DEFAULT_BUDGET = 60.0
MEHLER_START = 64                       # Hermite coefficients first computed
MEHLER_MAX = 2048                       # and at most, for a phi without switches (analytic: its
                                        # coefficients decay like e^(-c sqrt k), c ~ 1/sqrt q)
MEHLER_MAX_SWITCHED = 256               # a phi with a switch (a kink): algebraic decay, where the
                                        # nested route is faster than ~|r|^N alone would be
# (or, at |r| <= 9/10, the |r|-only rule's length, mehler.terms, where larger)


class Inconclusive(Exception):
    """The requested precision was not reached within the work budget (the reason says why)."""


class _OutOfTime(Exception):
    pass


class _NotEnclosed(Exception):
    """E[phi^2] came out without a finite enclosure (the integrator gave up): every tolerance
    below is relative to it."""


def check_covariance(q1, q2, c):
    """Fractions (q1, q2, c) with q1 > 0, q2 > 0, c^2 <= q1 q2; BadInput naming the failure."""
    if not (q1 > 0 and q2 > 0):
        raise BadInput("need q1 > 0 and q2 > 0, got q1 = %s, q2 = %s" % (q1, q2))
    if c * c > q1 * q2:
        raise BadInput("[[q1, c], [c, q2]] is not positive semi-definite: c^2 = %s > q1 q2 = %s" % (c * c, q1 * q2))


# ---------------------------------------------------------------- integrals
class _Calc:
    def __init__(self, deadline, eval_limit):
        self.deadline, self.eval_limit = deadline, eval_limit
        self.why = None             # why Mehler's series was left for the nested route

    def _integral(self, f, a, b, tol, long_range=False):
        # ``long_range`` (gauss1): the evaluation limit per 20 units of length, up to 8 times: a long
        # range (softplus's E[phi^2] at q = 1000, [-285, 285], its branch points at +-i pi all along)
        # came out nan at 4,000 evaluations.  Not in the nested route, whose inner integrals at
        # q2 = 1e6 would then spend the larger limit where they now give up early and pass.
        limit = self.eval_limit * (min(8, max(1, math.ceil(float(abs(b - a).upper()) / 20))) if long_range else 1)
        try:
            return acb.integral(f, a, b, abs_tol=tol, rel_tol=tol, eval_limit=limit)
        except SystemError:         # a callback raised: flint wraps it
            if time.monotonic() > self.deadline:
                raise _OutOfTime()
            raise

    def _tick(self):
        if time.monotonic() > self.deadline:
            raise _OutOfTime()

    def gauss1(self, parts, q, tol):
        """E[sum_j w_j f_j(x)] for x ~ N(0, q): ``parts`` = [(weight, piecewise, growth (C, beta))],
        weights 1 or 1j (packing two real expectations in one complex one)."""
        q = exact(q)
        s = q.sqrt()
        sf = float(s)
        C = sum((g[0] for _, _, g in parts), arb(0))
        beta = max((g[1] for _, _, g in parts), key=float)
        L = cutoff(C, beta, sf, tol)
        kinks = sorted(set(k for _, p, _ in parts for k in p.kinks))
        total = acb(0)
        for lo, hi, alo, ahi in breaks(-L, L, kinks):
            fs = [(w, p.on(lo, hi)) for w, p, _ in parts]

            def integrand(z, an, fs=fs):
                self._tick()
                v = sum((f(z, an) * w for w, f in fs), acb(0))
                return v * (-z * z / (2 * q)).exp()
            total += self._integral(integrand, alo, ahi, tol * float(s), long_range=True)
        total /= (2 * arb.pi() * q).sqrt()
        return _widen(total, tail(C, beta, s, arb(L)))

    def nested(self, outer, inner, q1, q2, c, tol, cache=None):
        """E[f1(x) g_j1(y)] + i E[f2(x) g_j2(y)]: ``outer`` = [(f1, growth, j1), (f2, growth, j2)]
        on x, ``inner`` = [(g1, growth), (g2, growth)] on y (growths against y's scale).  ``cache``
        (a dict kept by the caller for one inner pair and tolerance) shares the inner integrals
        between passes that meet the same quadrature nodes."""
        cache = {} if cache is None else cache
        Q1, Q2, Cc = exact(q1), exact(q2), exact(c)
        lam = Cc / Q1
        s2 = Q2 - Cc * Cc / Q1
        s = s2.sqrt()
        sf = float(s)
        norm_in = 1 / (s * (2 * arb.pi()).sqrt())
        inner_kinks = sorted(set(k for p, _ in inner for k in p.kinks))
        Ci = sum((g[0] for _, g in inner), arb(0))
        bi = max((g[1] for _, g in inner), key=float)

        c2 = -1 / (2 * s2)

        def G(mu, parts, itol):
            """int (g1(t) + i g2(t)) N(t; mu, s^2) dt (or g1 alone) with its tail bound."""
            self._tick()
            m = mu.real.mid()
            mf = float(m)
            delta, iota = mu.real.rad(), abs(mu.imag).upper()
            L = cutoff(Ci, bi, sf, itol, mf, float(delta), float(iota))
            total = acb(0)
            for lo, hi, alo, ahi in breaks(mf - L, mf + L, inner_kinks):
                fs = [p.on(lo, hi) for p in parts]
                if len(fs) == 2:
                    def integrand(t, an, g1=fs[0], g2=fs[1]):
                        d = t - mu
                        return (g1(t, an) + g2(t, an) * _I) * (d * d * c2).exp()
                else:
                    def integrand(t, an, g1=fs[0]):
                        d = t - mu
                        return g1(t, an) * (d * d * c2).exp()
                total += self._integral(integrand, alo, ahi, itol * sf)
            return _widen(total * norm_in, tail(Ci, bi, s, arb(L), arb(m), delta, iota))

        def bound(mu):
            """A disc holding G(mu) for complex mu: |N(t; mu, s^2)| <= e^(iota^2/(2 s^2)) N(t; Re mu, s^2)
            and E[C e^(b |Re mu + s Z|)] <= 2 C e^(b |Re mu|) e^(b^2 s^2 / 2)."""
            iota = abs(mu.imag).upper()
            r = (2 * Ci * (bi * abs(mu.real).upper() + bi * bi * s2 / 2 + iota * iota / (2 * s2)).exp()).upper()
            return acb(arb(0, r), arb(0, r))

        (f1, go1, j1), (f2, go2, j2) = outer
        (g1, _), (g2, _) = inner
        Co = go1[0] + go2[0]
        bo = max(go1[1], go2[1], key=float)
        # |G(mu)| <= Ci e^(bi |mu|) 2 e^(bi^2 s^2 / 2) for real mu
        Ch = Co * Ci * 2 * (bi * bi * s2 / 2).exp()
        bh = bo + bi * abs(lam)
        q1f = float(q1)
        L = cutoff(Ch, bh, math.sqrt(q1f), tol)
        kinks = sorted(set(f1.kinks) | set(f2.kinks))
        itol = tol / 4
        c1 = -1 / (2 * Q1)
        total = acb(0)
        for lo, hi, alo, ahi in breaks(-L, L, kinks):
            a1, a2 = f1.on(lo, hi), f2.on(lo, hi)

            def integrand(z, an, a1=a1, a2=a2):
                mu = lam * z
                if z.imag == 0:       # real node: both inner integrals in one complex one
                    key = (z.real.mid().man_exp(), z.real.rad().man_exp())
                    v = cache.get(key)
                    if v is None:
                        both = G(mu, [g1, g2], itol)
                        v = cache[key] = (acb(both.real), acb(both.imag))
                else:                 # on an ellipse a bound is all acb.integral needs
                    v = (bound(mu),) * 2
                return (a1(z, an) * v[j1] + a2(z, an) * v[j2] * _I) * (z * z * c1).exp()
            total += self._integral(integrand, alo, ahi, tol * math.sqrt(q1f))
        total /= (2 * arb.pi() * Q1).sqrt()
        return _widen(total, tail(Ch, bh, Q1.sqrt(), arb(L)))


_I = acb(0, 1)


def _widen(z, t):
    """z + [-t, t] + [-t, t] i."""
    return z + acb(arb(0, t), arb(0, t))


# ---------------------------------------------------------------- the calculator
def _pw(tree):
    return Piecewise(tree)


def _times_x(tree):
    return ("mul", F.X, tree)


def _compose(tree, lam):
    """The tree of f(lam x)."""
    if tree == F.X:
        return ("mul", F.const(lam), F.X)
    return tuple(_compose(t, lam) if isinstance(t, tuple) else t for t in tree) if tree[0] != "c" else tree


def kernel(act, q1, q2, c, digits=15, method="auto", budget=DEFAULT_BUDGET, started=None):
    """Enclosures (arb) of :data:`QUANTITIES` for activation ``act`` at exact (q1, q2, c).

    Returns {"values": {name: arb or None}, "method": text, "notes": [text]}; a derivative is
    None with a note when Price's theorem does not apply to phi.  Raises BadInput (bad
    covariance, a phi without growth bound) or :class:`Inconclusive` (precision not reached
    within ``budget`` wall-clock seconds counted from ``started``, a time.monotonic() reading such as
    the process's start; default now).  The deadline is checked inside every long loop (each
    integrand call, each quadrature node of the Hermite coefficients), so it holds to well
    within a second."""
    q1, q2, c = Fraction(q1), Fraction(q2), Fraction(c)
    check_covariance(q1, q2, c)
    if not 1 <= digits <= MAX_DIGITS:
        raise BadInput("--digits %s outside [1, %d]" % (digits, MAX_DIGITS))
    if method not in ("auto", "closed", "general"):
        raise BadInput("method %r: use auto, closed or general" % method)
    if method == "closed" and act.closed is None:
        raise BadInput("%s has no closed form here; use --method auto or general" % act.label)
    act.growth()                    # refuses a phi without a growth bound, before any work
    if (act.closed is None or method == "general") and not all(Q_RANGE[0] <= q <= Q_RANGE[1] for q in (q1, q2)):
        raise LimitError("the integral route takes variances q1, q2 in [1e-6, 1e6]; got q1 = %s, q2 = %s"
                         % (float(q1), float(q2)))
    began = time.monotonic()
    started = began if started is None else started
    problem = act.derivative_problem()
    prec = int(digits * 3.33) + 30
    last = None
    for attempt in range(3):
        with ctx.workprec(prec):
            if act.closed is not None and method != "general":
                values, how = act.closed(q1, q2, c), act.closed_name
            else:
                calc = _Calc(started + budget, 4000 * 4 ** attempt)
                try:
                    values, how = _general(act, q1, q2, c, digits + 2 + 4 * attempt, problem, calc)
                except _OutOfTime:
                    raise Inconclusive("the work budget of %g s ran out before %d digits were reached%s"
                                       % (budget, digits, "" if calc.why is None else
                                          " (%s, and the nested integral did not finish)" % calc.why))
                except CutoffOverflow as e:
                    raise Inconclusive(str(e))
                except _NotEnclosed:        # retried with more bits and a larger evaluation limit
                    values = None
            short = ("E[phi^2]", "none") if values is None else _short_of(values, digits)
            if not short:
                if problem:
                    for k in ("dK_dc", "dK_dq1", "dK_dq2"):
                        values[k] = None
                return {"values": values, "method": how, "notes": ["derivatives not computed: " + problem] if problem else [],
                        "seconds": time.monotonic() - began, "prec": prec}
            last = short
        if time.monotonic() - started > budget:
            break
        prec += 64
    raise Inconclusive("%s reached only %s of the %d digits asked for (within the work budget)"
                       % (last[0], last[1], digits))


def _short_of(values, digits):
    """(name, digits reached) of the first enclosure looser than 10^-digits relative to
    max(|value|, sqrt(E phi(x)^2 E phi(y)^2)), or None."""
    scale = (values["Ex2"] * values["Ey2"]).nonnegative_part().sqrt()
    for name in QUANTITIES:
        v = values[name]
        if v is None:
            continue
        if not v.is_finite():
            return name, "none"
        # in Arb, not floats: a ball like [+/- 1e590609] overflows a float, and inf / inf is a
        # nan that no comparison flags (such a ball once passed for 15 digits)
        ref = arb(max(abs(v).upper(), scale.lower(), arb("1e-300"), key=float))
        rel = (arb(v.rad()) / ref).upper()
        if not rel <= arb(10) ** -digits:
            f = float(rel)
            return name, "%.1f" % max(-math.log10(f), 0.0) if 0 < f < math.inf else "none"
    return None


def _general(act, q1, q2, c, digits, problem, calc):
    """The general route of the module docstring."""
    tol = 10.0 ** -digits
    phi, d1 = act.tree, (None if problem else act.d1)
    sx, sy = math.sqrt(q1), math.sqrt(q2)
    lam = c / q1
    # E[phi(x)^2] and E[phi(y)^2] in one pass: y has the law of sqrt(q2/q1) x, but sqrt is not
    # rational, so take them against their own variances
    ex2 = calc.gauss1([(1, _pw(("pow", phi, 2)), exp_growth(("pow", phi, 2), sx))], q1, tol)
    ey2 = calc.gauss1([(1, _pw(("pow", phi, 2)), exp_growth(("pow", phi, 2), sy))], q2, tol)
    values = {"Ex2": ex2.real, "Ey2": ey2.real}
    if not (ex2.real.is_finite() and ey2.real.is_finite()):
        raise _NotEnclosed()
    scale = max(float((ex2.real * ey2.real).nonnegative_part().sqrt().upper()), 1e-300)
    atol = tol * scale
    zero = F.const(0)
    pairs_a = [(phi, phi), (d1 or zero, d1 or zero)]
    pairs_b = [] if problem else [(_times_x(d1), phi), (phi, _times_x(d1))]
    results = []
    if c * c == q1 * q2 or c == 0:
        how = "one-dimensional: y = (c/q1) x" if c else "one-dimensional: x, y independent"
        for pairs in [pairs_a] + ([pairs_b] if pairs_b else []):
            if c:
                parts = [(w, _pw(("mul", f, _compose(g, lam))), exp_growth(("mul", f, _compose(g, lam)), sx))
                         for w, (f, g) in zip((1, 1j), pairs)]
                results.append(calc.gauss1(parts, q1, atol))
            else:
                ex = calc.gauss1([(w, _pw(f), exp_growth(f, sx)) for w, (f, _) in zip((1, 1j), pairs)], q1, atol)
                ey = calc.gauss1([(w, _pw(g), exp_growth(g, sy)) for w, (_, g) in zip((1, 1j), pairs)], q2, atol)
                results.append(acb(ex.real * ey.real, ex.imag * ey.imag))
    elif (terms := _mehler(act, problem, q1, q2, c, tol, atol, calc, values)) is not None \
            and not _short_of(values, digits - 2):
        how = "Mehler series, %d terms, Hermite coefficients by rigorous Gauss-Legendre, Cauchy-Schwarz tail" % (terms + 1)
        return values, "general route (%s)" % how
    else:
        how = "conditioning on x: nested acb.integral, split at kinks, Gaussian tails bounded"
        inner = [(_pw(phi), exp_growth(phi, sy)), (_pw(d1 or zero), exp_growth(d1 or zero, sy))]
        cache = {}
        results.append(calc.nested([(_pw(phi), exp_growth(phi, sx), 0),
                                    (_pw(d1 or zero), exp_growth(d1 or zero, sx), 1)], inner, q1, q2, c, atol, cache))
        if problem:
            pass
        elif 100 * c * c >= q1 * q2:
            # the same inner integrals G1 = E[phi(y)|x], G2 = E[phi'(y)|x] serve the second pass:
            # E[x phi'(x) phi(y)] = int x phi' G1, and E[phi(x) phi''(y)] = (E[x phi(x) phi'(y)]/q1
            # - dK/dc) / lam by parts in x (lam = c/q1, not small here)
            lam_x = _times_x(phi)
            second = calc.nested([(_pw(_times_x(d1)), exp_growth(_times_x(d1), sx), 0),
                                  (_pw(lam_x), exp_growth(lam_x, sx), 1)], inner, q1, q2, c, atol, cache)
            kc = results[0].imag
            dq2 = (second.imag / exact(q1) - kc) / (2 * exact(lam))
            results.append(acb(second.real, dq2 * 2 * exact(q2) + exact(c) * kc))
        else:
            inner_b = [(_pw(phi), exp_growth(phi, sy)), (_pw(_times_x(d1)), exp_growth(_times_x(d1), sy))]
            results.append(calc.nested([(_pw(_times_x(d1)), exp_growth(_times_x(d1), sx), 0),
                                        (_pw(phi), exp_growth(phi, sx), 1)], inner_b, q1, q2, c, atol))
    values["K"] = results[0].real
    if problem:
        values.update(dK_dc=None, dK_dq1=None, dK_dq2=None)
    else:
        kc = results[0].imag
        values["dK_dc"] = kc
        values["dK_dq1"] = (results[1].real - exact(c) * kc) / (2 * exact(q1))
        values["dK_dq2"] = (results[1].imag - exact(c) * kc) / (2 * exact(q2))
    method = "general route (%s), Price's theorem for dK/dc, Gaussian integration by parts for dK/dq" % how
    return values, method


def _mehler(act, problem, q1, q2, c, tol, atol, calc, values):
    """Fill ``values`` from Mehler's series (module ``mehler``), the number of terms chosen
    adaptively (module ``mehler``, "Truncation"), and return the last index N; None where a
    coefficient integral is out of reach (a switch with no known kink, a degree too high) or no N
    with at most MEHLER_MAX coefficients (more at |r| <= 9/10, where the |r|-only rule's length
    is allowed) meets the target.  The caller then falls back to the nested route, as it does
    where the enclosures come out too wide."""
    Q1, Q2 = exact(q1), exact(q2)
    r = exact(c) / (Q1 * Q2).sqrt()
    ar = float(abs(r))
    derivatives = not problem
    # Parseval for phi' (the derivative tails at any |r| <= 1): D = q E[phi'(x)^2]
    D = {}
    if derivatives:
        d2 = ("pow", act.d1, 2)
        for q in sorted({q1, q2}):
            # at tol/64: its error is a floor under the derivative tails, which must reach atol/2
            e = calc.gauss1([(1, Piecewise(d2), exp_growth(d2, math.sqrt(q)))], q, tol / 64)
            D[q] = (e.real * exact(q)) if e.real.is_finite() else None
    old = mehler.terms(ar, tol) + 2 if 0 < ar <= 0.9 else 0      # the |r|-only rule's length
    smooth = not any(True for _ in F._sels(act.tree))
    cap = max(MEHLER_MAX if smooth else MEHLER_MAX_SWITCHED, old)
    M = min(MEHLER_START, old) if old else MEHLER_START
    weights = [arb((k + 3) * ar ** max(k - 2, 0)) for k in range(cap + 1)]
    while True:
        coeffs = {}
        for q in sorted({q1, q2}):
            coeffs[q] = mehler.coefficients(Piecewise(act.tree), exp_growth(act.tree, math.sqrt(q)), q, M, atol,
                                            weights[:M + 1], calc._tick)
            if coeffs[q] is None:
                calc.why = "a Hermite coefficient of Mehler's series is out of the quadrature's reach at q = %g" % q
                return None
        (A, EA), (B, EB) = coeffs[q1], coeffs[q2]
        tails = mehler.Tails(A, B, EA, EB, r, Q1, Q2, D.get(q1), D.get(q2))
        N = tails.smallest(atol / 2, derivatives)
        if N is not None:
            break
        if M >= cap:
            calc.why = "Mehler's series needs more than %d Hermite coefficients here" % cap
            return None
        guess = tails.need(atol / 2, derivatives)
        if guess is None or 2 * guess > 3 * cap:     # slow decay (a kink, a large q): not worth the cap
            calc.why = ("the tails of Mehler's series do not yet decay over %d Hermite coefficients" % M
                        if guess is None else "Mehler's series would need about %d Hermite coefficients (slow "
                        "decay: a kink or a large variance), over its cap of %d" % (guess, cap))
            return None
        M = min(cap, max(M + 16, guess + guess // 8 + 6))
    K, Kc, d1, d2 = mehler.series(A, B, EA, EB, r, Q1, Q2, N, derivatives, tails=tails)
    values.update(K=K, dK_dc=Kc, dK_dq1=d1, dK_dq2=d2)
    return N
