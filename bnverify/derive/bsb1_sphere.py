"""The symmetric (BSB1) fixed point of RC + RS + phi for *any* activation phi (not only positively
homogeneous ones), from the law of the rescaled batch vector on its sphere (untrusted derivation
layer: rigorous enclosures, not kernel-checked claims).

RC + RS sends the pre-activations z ~ N(0, Sigma) of one neuron to y = sqrt(n) Cz/|Cz|.  For a
BSB1 matrix Sigma = (1 - c) I + c 11^T, Cz is an isotropic Gaussian on the hyperplane H = 1-perp
(dimension d = n - 1), so y is uniform on the sphere of radius sqrt(n) in H, whatever c is, and
whatever phi is: the next Gram matrix G* = E[phi(y) phi(y)^T] is the same for the whole family.
It is again BSB1 (y's law is permutation invariant), so G* is the fixed point, reached in one
layer, and RS has removed the scale that a non-homogeneous phi otherwise carries.  Its
correlation is

    c* = E[phi(y_1) phi(y_2)] / E[phi(y_1)^2].

**The two coordinates.**  With t = <u, C e_1>/|C e_1| for u uniform on the unit sphere of H,
t has density prop. to (1 - t^2)^((d-3)/2); given t, the rest of u is uniform on a sphere of
dimension d - 2, whose component v along the unit vector of C e_2 orthogonal to C e_1 has density
prop. to (1 - v^2)^((d-4)/2).  With t = sin(alpha), v = sin(beta) (removing the endpoint powers):

    y_1 = sqrt(n-1) sin(alpha),                       alpha ~ cos^(n-3)(alpha) on [-pi/2, pi/2],
    y_2 = -sin(alpha)/sqrt(n-1) + sqrt(n(n-2)/(n-1)) cos(alpha) sin(beta),
                                                      beta  ~ cos^(n-4)(beta)  on [-pi/2, pi/2]

(normalisers B(1/2, (n-2)/2) and B(1/2, (n-3)/2); n = 3: v = +-1 with probability 1/2 each).
Checks: E y_1^2 = E y_2^2 = 1 and E y_1 y_2 = -1/(n-1).

**Rigour.**  The denominator is one ``acb.integral``.  The numerator is nested: the outer
integrand phi(y_1) cos^(n-3)(alpha) I(alpha), I(alpha) = int phi(y_2) cos^(n-4)(beta) d beta,
takes the inner ``acb.integral`` at real nodes; on acb.integral's complex ellipses only a bound
and analyticity are needed.  Without a kink: for every real beta, y_2 lies in the ball
a(alpha) + b(alpha)[-1, 1] (a, b the two coefficients above), so one evaluation of phi on that
ball, with the analytic flag, certifies that I is analytic there and |I| <= pi sup|phi|.  With
kinks k_i (relu-like, abs, elu, formulas with affine switches): phi(y_1) has its kink at
alpha = asin(k/sqrt(n-1)), phi(y_2) at beta_i(alpha) = asin((k_i - a)/b), which moves with alpha;
the inner integral is split there, each piece with phi's analytic formula on it, and the outer
one at those alpha too and where beta_i reaches +-pi/2, sin(alpha - sigma phi0) = -k/sqrt(n-1),
phi0 = acos(1/(n-1)) (1 + n(n-2) = (n-1)^2).  On an outer ellipse the pieces' ends beta_i(alpha)
are complex (asin certified off its cuts) and each path piece is covered by one ball, on which
the piece's formula is evaluated with the analytic flag: I, a sum of integrals of entire-in-alpha
integrands between analytic ends, is analytic, and |I| <= sum |length| sup|g|.  Inconclusive with
the reason: a switch whose condition is not affine in x (kinks not known in advance), a critical
point on an end of the range, or the work budget (tanh at large n: its poles at +-i pi/2 come
within about pi/(2 sqrt(n)) of the real alpha axis).

**Numerical suggestion** (float, clearly not a verdict): the same two integrals by tensor
Gauss-Legendre in (alpha, beta) with 64 and 128 nodes per axis; their difference is reported."""
from __future__ import annotations

import math
import time
from fractions import Fraction

import numpy as np
from flint import acb, arb, ctx

from ..core import formula as F
from ..errors import BadInput

MAX_N = 10 ** 4


def _check(n):
    if not isinstance(n, int) or n < 3 or n > MAX_N:
        raise BadInput("n = %s: the BSB1 state needs 3 <= n <= %d" % (n, MAX_N))


# ---------------------------------------------------------------- the float suggestion
def _moments_float(phi, n, m):
    """(E[phi(y_1) phi(y_2)], E[phi(y_1)^2]) by m x m Gauss-Legendre in (alpha, beta)."""
    x, w = np.polynomial.legendre.leggauss(m)
    al, wa = x * math.pi / 2, w * math.pi / 2
    wa = wa * np.cos(al) ** (n - 3)
    y1 = math.sqrt(n - 1) * np.sin(al)
    f1 = phi(y1)
    den = np.sum(wa * f1 * f1) / np.sum(wa)
    a = -np.sin(al) / math.sqrt(n - 1)
    b = math.sqrt(n * (n - 2) / (n - 1)) * np.cos(al)
    if n == 3:
        inner = (phi(a + b) + phi(a - b)) / 2
    else:
        be, wb = x * math.pi / 2, w * math.pi / 2
        wb = wb * np.cos(be) ** (n - 4)
        inner = (phi(a[:, None] + b[:, None] * np.sin(be)[None, :]) @ wb) / np.sum(wb)
    num = np.sum(wa * f1 * inner) / np.sum(wa)
    return num, den


def suggest(n, act):
    """{"c": float c*, "change": |c*(128) - c*(64)|, "E_phi2": float}: a numerical suggestion,
    not a verdict (module docstring)."""
    _check(n)
    with np.errstate(all="ignore"):
        got = [_moments_float(act.phi, n, m) for m in (64, 128)]
    (n1, d1), (n2, d2) = got
    if not all(np.isfinite(v) for v in (n1, d1, n2, d2)) or d2 <= 0:
        raise BadInput("phi(y) is not finite (or is 0) on the sphere |y|^2 = n at n = %d" % n)
    return {"c": float(n2 / d2), "change": float(abs(n2 / d2 - n1 / d1)), "E_phi2": float(d2)}


def spectrum_suggestion(n, act, samples=400_000, seed=0, chunk=100_000):
    """{"lam_S": (value, standard error), "lam_P": (value, se) or None for n = 3, "samples"}:
    Monte Carlo of the BSB1 state's scale-free eigenvalues, a numerical suggestion, not a
    verdict.  At a BSB1 matrix with C Sigma C = lam C, u = y/sqrt(n) has the angular central
    Gaussian law, density prop. to det(S)^(-1/2) (u^T S^-1 u)^(-d/2) on the unit sphere of H, so
    differentiating at S = lam I (d = n - 1, K = C H C):

        DV[H] = E_unif[phi(y) phi(y)^T ((d/2) u^T K u - tr(K)/2)] / lam,    lam = G*_11 - G*_12.

    On the S_n components of ``bsb1_spectrum``: D = diag(1, -1, 0, ...) gives tr K = 0,
    u^T K u = u_1^2 - u_2^2 and lam_S = DV[D]_11 - 2 DV[D]_13; the pair pattern H_P (entries 13,
    24 equal to 1 and 14, 23 to -1) is its own image, u^T H_P u = 2(u_1 - u_2)(u_3 - u_4) and
    lam_P = DV[H_P]_13 (indices from 1).  The trivial component's eigenvalue is 0 for every phi
    (V is constant on the BSB1 family).  Standard errors by the delta method."""
    _check(n)
    rng = np.random.default_rng(seed)
    d = n - 1
    parts = []
    with np.errstate(all="ignore"):
        for _ in range(max(1, samples // chunk)):
            z = rng.standard_normal((chunk, n))
            cz = z - z.mean(axis=1, keepdims=True)
            u = cz / np.linalg.norm(cz, axis=1, keepdims=True)
            f = act.phi(math.sqrt(n) * u)
            g00, g02 = f[:, 0] ** 2, f[:, 0] * f[:, 2]
            qd = u[:, 0] ** 2 - u[:, 1] ** 2
            cols = [g00, g02, g00 * qd, g02 * qd]
            if n >= 4:
                cols.append(g02 * 2 * (u[:, 0] - u[:, 1]) * (u[:, 2] - u[:, 3]))
            parts.append(np.stack(cols, 1))
    X = np.concatenate(parts)
    if not np.all(np.isfinite(X)):
        raise BadInput("phi(y) is not finite on the sphere |y|^2 = n at n = %d" % n)
    m, cov = X.mean(0), np.cov(X.T) / len(X)
    lam = m[0] - m[1]

    def est(value, grad):
        return float(value), float(math.sqrt(max(grad @ cov @ grad, 0.0)))
    lS = d / (2 * lam) * (m[2] - 2 * m[3])
    gS = np.zeros(len(m))
    gS[[0, 1, 2, 3]] = -lS / lam, lS / lam, d / (2 * lam), -d / lam
    out = {"lam_S": est(lS, gS), "lam_P": None, "samples": len(X)}
    if n >= 4:
        lP = d / (2 * lam) * m[4]
        gP = np.zeros(len(m))
        gP[[0, 1, 4]] = -lP / lam, lP / lam, d / (2 * lam)
        out["lam_P"] = est(lP, gP)
    return out


# ---------------------------------------------------------------- the rigorous route
def obstacle(act):
    """Why the rigorous route does not apply to act, or None: a switch of phi whose condition is
    not affine in x (its kinks are not known in advance, so the integrals cannot be split there)."""
    if any(F.affine(sel[1]) is None for sel in F._sels(act.tree)):
        return ("phi switches where a non-affine expression changes sign: its kinks are not known in advance, so "
                "the sphere integrals cannot be split there (not done)")
    return None


def _beta(x):
    """B(1/2, x) = Gamma(1/2) Gamma(x) / Gamma(x + 1/2) as an arb (x an exact half-integer > 0)."""
    x = arb(x)
    return arb.pi().sqrt() * x.gamma() / (x + arb(1) / 2).gamma()


class _OutOfTime(Exception):
    pass


def certify(n, act, digits=10, eval_limit=10 ** 5, budget=20.0):
    """{"c": arb enclosure of c*, "E_phi2": arb, "seconds"} by the nested rigorous integrals; raises
    BadInput when :func:`obstacle` says the route does not apply, ArithmeticError when an
    integral does not reach the tolerance or ``budget`` process seconds run out (tanh at large n:
    its poles at +-i pi/2 come within about pi/(2 sqrt(n)) of the real alpha axis)."""
    _check(n)
    why = obstacle(act)
    if why:
        raise BadInput(why)
    t0 = time.process_time()
    try:
        return _certify(n, act, digits, eval_limit, t0 + budget)
    except SystemError:                 # acb.integral wraps an exception its callback raised
        if time.process_time() > t0 + budget:
            raise ArithmeticError("the work budget of %g s ran out before %d digits" % (budget, digits))
        raise


def _pieces(act):
    """(kinks k_1 < ... < k_m as Fractions, [phi's analytic formula on each of the m + 1 pieces])."""
    ks = F.kinks(act.tree)
    refs = [Fraction(0)] if not ks else [ks[0] - 1] + [(u + v) / 2 for u, v in zip(ks, ks[1:])] + [ks[-1] + 1]
    return ks, [F.acb_function(F.resolve(act.tree, r)) for r in refs]


def _critical(n, ks):
    """The alpha in (-pi/2, pi/2) where the integrand of the outer integral is not analytic, as
    balls: y_1 = k (alpha = asin(k/sqrt(n-1))) and y_2's range a + b[-1, 1] ending at k, i.e.
    sin(alpha - sigma phi0) = -k/sqrt(n-1), phi0 = acos(1/(n-1)), sigma = +-1 (since
    1 + n(n-2) = (n-1)^2).  None when a ball cannot be placed (it straddles +-pi/2 or another)."""
    half, phi0 = arb.pi() / 2, (arb(1) / (n - 1)).acos()
    out = []
    for k in ks:
        c = arb(k.numerator) / k.denominator / arb(n - 1).sqrt()
        if abs(c) < 1:
            t = c.asin()
            cands = [t] + [sg * phi0 - t for sg in (1, -1)] + [sg * phi0 + arb.pi() + t for sg in (1, -1)] + \
                    [sg * phi0 - arb.pi() + t for sg in (1, -1)]
        elif abs(c) > 1:
            cands = []
        else:
            return None
        for x in cands:
            if abs(x) < half:
                out.append(x)
            elif not abs(x) > half:
                return None
    out.sort(key=lambda x: float(x.mid()))
    if any(u.overlaps(v) for u, v in zip(out, out[1:])):
        return None
    return out


def _certify(n, act, digits, eval_limit, deadline):
    """The route of the module docstring, piece by piece: the outer integral split at the
    critical alpha (``_critical``), the inner one at beta_i = asin((k_i - a)/b) where y_2 = k_i;
    on each piece phi's analytic formula there.  On an outer ellipse the inner integral's path
    pieces [beta_i(alpha), beta_i+1(alpha)] become complex: each is covered by one ball, on which
    the piece's formula is evaluated with the analytic flag, so |I| <= sum |length| sup|g|."""
    t0 = time.process_time()
    ks, funcs = _pieces(act)
    ksf = [float(k) for k in ks]
    tol = 10.0 ** -(digits + 3)
    prec = int(3.33 * digits) + 30

    def index(y):
        return sum(1 for k in ksf if k < y)

    with ctx.workprec(prec):
        half = arb.pi() / 2
        r1 = arb(n - 1).sqrt()
        rb = (arb(n * (n - 2)) / (n - 1)).sqrt()
        p3, p4 = n - 3, n - 4
        zb = _beta(arb(n - 3) / 2) if n > 3 else arb(1)
        crit = _critical(n, ks)
        if crit is None:
            raise ArithmeticError("a critical point of the sphere integral sits on an end of its range")
        ends = [-half] + crit + [half]
        kq = [arb(k.numerator) / k.denominator for k in ks]

        def plan(am):
            """At a float alpha inside an outer piece: y_1's piece and, per inner sub-interval, the
            active kinks bounding it and y_2's piece (the same across the outer piece)."""
            a, b = -math.sin(am) / math.sqrt(n - 1), math.sqrt(n * (n - 2) / (n - 1)) * math.cos(am)
            y1 = math.sqrt(n - 1) * math.sin(am)
            if n == 3:
                return index(y1), [index(a + b), index(a - b)]
            act_k = [i for i, k in enumerate(ksf) if abs((k - a) / b) < 1]
            bounds = [None] + act_k + [None]
            subs = []
            for lo, hi in zip(bounds, bounds[1:]):
                blo = -math.pi / 2 if lo is None else math.asin((ksf[lo] - a) / b)
                bhi = math.pi / 2 if hi is None else math.asin((ksf[hi] - a) / b)
                bm = (blo + bhi) / 2
                subs.append((lo, hi, index(a + b * math.sin(bm))))
            return index(y1), subs

        def inner(al, an, subs):
            a, b = -al.sin() / r1, rb * al.cos()
            if n == 3:
                return (funcs[subs[0]](a + b, an) + funcs[subs[1]](a - b, an)) / 2
            total, bound = acb(0), arb(0)
            for lo, hi, p in subs:
                g = funcs[p]
                ends_b = []
                for i, default in ((lo, -half), (hi, half)):
                    if i is None:
                        ends_b.append(acb(default))
                        continue
                    w = (kq[i] - a) / b
                    if an and not (abs(w.real) < 1):
                        return acb("nan")
                    ends_b.append(w.asin())
                if not an:                      # a node (real alpha): the integral itself
                    total += acb.integral(lambda be, an2, g=g: g(a + b * be.sin(), an2) * be.cos() ** p4,
                                          ends_b[0], ends_b[1], abs_tol=tol, rel_tol=tol, eval_limit=eval_limit)
                    continue
                if lo is None and hi is None:
                    # no split: beta stays real, y_2 in a + b [-1, 1], cos^(n-4) in [0, 1], length pi
                    f = g(a + b * acb(arb(0, 1)), True)
                    if not f.is_finite():
                        return acb("nan")
                    bound += (abs(f) * arb.pi()).upper()
                    continue
                # a split moves with alpha: one ball over the (complex) path from ends_b[0] to ends_b[1]
                mid = (ends_b[0] + ends_b[1]) / 2
                rad = (abs(ends_b[1] - ends_b[0]) / 2).upper()
                ball = mid + acb(arb(0, rad), arb(0, rad))
                f = g(a + b * ball.sin(), True) * ball.cos() ** p4
                if not f.is_finite():
                    return acb("nan")
                bound += (abs(ends_b[1] - ends_b[0]) * abs(f)).upper()
            if not an:
                return total / zb
            bound = (bound / zb).upper()
            return acb(arb(0, bound), arb(0, bound))

        den = num = acb(0)
        za = _beta(arb(n - 2) / 2)
        for A, B in zip(ends, ends[1:]):
            p1, subs = plan(float(((A + B) / 2).mid()))
            f1 = funcs[p1]

            def den_f(al, an, f1=f1):
                f = f1(r1 * al.sin(), an)
                return f * f * al.cos() ** p3

            def num_f(al, an, f1=f1, subs=subs):
                if time.process_time() > deadline:
                    raise _OutOfTime()
                return f1(r1 * al.sin(), an) * al.cos() ** p3 * inner(al, an, subs)

            den += acb.integral(den_f, A, B, abs_tol=tol, rel_tol=tol, eval_limit=eval_limit)
            num += acb.integral(num_f, A, B, abs_tol=tol, rel_tol=tol, eval_limit=eval_limit)
        den, num = den.real / za, num.real / za
        if not (den.is_finite() and num.is_finite() and den > 0):
            raise ArithmeticError("an integral did not converge to a finite enclosure")
        c = num / den
        if not c.rad() < arb(10) ** -digits:
            raise ArithmeticError("the enclosure of c* has radius %s, wider than 1e-%d" % (c.rad().str(3), digits))
    return {"c": c, "E_phi2": den, "seconds": time.process_time() - t0, "prec": prec}
