"""Full BN (RC + RS + phi, phi positively homogeneous of degree 1) on the S_{n-1}-symmetric
family: the reduced map h_RS, its averaging lemma, its basins per n, and the growth of a spread
at O_n (untrusted derivation; the trusted re-checks are bnverify/trusted/rs.py and rs_family.py).

**The 1-D reduction carries over.**  RS makes V depend on S = C G C only, and only up to scale;
for a symmetric G, S is proportional to Sigma(rho) = (1, rho, -q, (n-1) q), q = 1 + (n-2) rho
(:mod:`.curve`), so one layer maps G to V(Sigma(rho)) and rho to h_RS(rho), the cluster
correlation of C V(Sigma(rho)) C.  S has the eigenvalue alpha0 = 1 - rho on the cluster's sum-zero
vectors (multiplicity n - 2) and mu = n q on w = e_odd - 1/n, so R = mu/alpha0 = n q/(1 - rho)
(increasing in rho, 0 at the left end, 1 at the simplex, oo at O_n) is the family's parameter.

**The integral on the family.**  In the Laplace representation (docs/full-bn.md) the tilted
covariance is P(s) = alpha_s P_std + mu_s P_w with 1/alpha_s = 1/alpha0 + 2s, 1/mu_s = 1/mu + 2s.
Substituting tau = alpha_s/alpha0 = u^2 and scaling (V's correlations are scale-free):

    V(Sigma(rho)) ~ int_0^1 u^(n-2) Q^(-3/2) K(Q P_std + R P_w) du,     Q = u^2 + R (1 - u^2),

with M = Q P_std + R P_w = (a, o, x, b): a = Q (n-2)/(n-1) + R/(n(n-1)), o = -Q/(n-1) + R/(n(n-1)),
x = -R/n, b = R (n-1)/n; a - o = Q, a b - x^2 = R Q (n-2)/n.  K of leaky ReLU (slope s; A, B) is
A on the diagonal times the entry and, off it, A c + B (sqrt(pq - c^2) - c theta), theta = 2 atan(
sqrt(a^2 - o^2)/(a + o)) for the cluster pair and pi - 2 atan(sqrt(ab - x^2)/(sqrt(ab) - x)) for the
cross pair (every atan argument has positive real part near [0, 1], so the integrand is
holomorphic there and acb.integral's bound is rigorous).

**The averaging lemma** (:func:`mixture`): P(s) ~ Sigma(rho_s) along a path from rho to -1/(n-1),
and C K(P(s)) C = c_s Sigma(h(rho_s)) with c_s >= 0, Sigma affine in rho, so h_RS is an average
of RC alone's h over the path (proof: trusted/rs.py's docstring).  Consequence: where RC alone has
only the simplex state and O_n (n = 3..6), RC + RS has the same two basins; for n >= 7 the average
decides all of (simplex, 1) except RC alone's (partner, attractor), which :func:`cover` decides
with the integral above (pieces where an enclosure of h_RS lies below the piece).
"""
from __future__ import annotations

import time
from fractions import Fraction

from ..errors import BadInput

MAX_N = 64
MAX_PIECES = 4000
EVAL_LIMIT = 20000           # integrand calls per integral: a wide piece fails fast and is split
MAX_STEP = Fraction(1, 64)
PREC = 64                    # bits; the integrals' tolerance is 2^-(PREC - 24)


# ---------------------------------------------------------------- the family integral (balls)
def R_of(rho, n):
    """R = n q/(1 - rho), q = 1 + (n-2) rho (exact for a Fraction)."""
    return n * (1 + (n - 2) * rho) / (1 - rho)


def _root(X, analytic):
    """sqrt(X) for an acb or a first-order acb_series in R; None where the constant term's ball
    touches the cut and analyticity is asked."""
    c = X if not hasattr(X, "coeffs") else X[0]
    if analytic and not c.sqrt(analytic=True).is_finite():
        return None
    return X.sqrt()


def _zero_in(X):
    """The (constant term's) ball holds 0: a division would fail or be meaningless."""
    return (X if not hasattr(X, "coeffs") else X[0]).contains(0)


def _integrand(u, analytic, R, n, slope, which, deriv=False):
    """The integrand of entry ``which`` (0 a, 1 o, 2 x, 3 b); with ``deriv`` its R-derivative
    (R as the series R + dR, the coefficient of dR)."""
    from flint import acb, acb_series, arb

    nan = acb("nan")
    if deriv:
        R = acb_series([acb(R), 1], prec=2)
    Q = u * u + R * (1 - u * u)
    a = Q * (n - 2) / (n - 1) + R / (n * (n - 1))
    o = -Q / (n - 1) + R / (n * (n - 1))
    x, b = -R / n, R * (n - 1) / n
    A, B = (1 + slope * slope) / 2, (1 - slope) ** 2 / (2 * arb.pi())
    rq = _root(Q, analytic)
    if rq is None:
        return nan
    if _zero_in(Q * rq):
        return nan
    w = u ** (n - 2) / (Q * rq)
    if which in (0, 3):
        v = w * A * (a if which == 0 else b)
    else:
        if which == 1:
            root, den = _root(Q * (a + o), analytic), a + o
        else:
            ab, root = _root(a * b, analytic), _root(R * Q * (n - 2) / n, analytic)
            den = None if ab is None else ab - x
        if root is None or den is None or _zero_in(den):
            return nan
        z = root / den
        if analytic and not (z if not deriv else z[0]).real > 0:
            return nan
        theta = 2 * z.atan() if which == 1 else arb.pi() - 2 * z.atan()
        v = w * ((o if which == 1 else x) * A + B * (root - (o if which == 1 else x) * theta))
    return v[1] if deriv else v


def family_integrals(R, n, slope, prec=PREC, deriv=False):
    """(Va, Vo, Vx, Vb) up to one positive factor (with ``deriv`` their R-derivatives), as arb
    balls, for R an arb (or exact)."""
    from flint import acb, arb, ctx

    with ctx.workprec(prec):
        Rb = R if isinstance(R, arb) else arb(R.numerator) / R.denominator
        sl = arb(Fraction(slope).numerator) / Fraction(slope).denominator
        tol = arb(2) ** (-prec + 24)
        out = []
        for which in range(4):
            v = acb.integral(lambda u, an: _integrand(u, an, Rb, n, sl, which, deriv), 0, 1,
                             rel_tol=tol, abs_tol=tol, eval_limit=EVAL_LIMIT)
            out.append(v.real)
        return out


def _num_den(V, n):
    a, o, x, b = V
    rc = a + (n - 2) * o + x
    shift = ((n - 1) * rc + (n - 1) * x + b) / (n * n) - 2 * rc / n
    return o + shift, a + shift


def centred_correlation(V, n):
    """The cluster correlation of C V C for V = (a, o, x, b)."""
    N, D = _num_den(V, n)
    return N / D


def h_rs(rho_lo, rho_hi, n, slope, prec=PREC):
    """An arb enclosing h_RS(rho) for every rho in [rho_lo, rho_hi] (exact, inside the open
    domain): the mean-value form h(R_m) + h'(R)(R - R_m) over the ball R of the piece (R's
    correlated uncertainty in the four integrals would otherwise cancel badly)."""
    from flint import arb, ctx

    with ctx.workprec(prec):
        lo, hi = R_of(Fraction(rho_lo), n), R_of(Fraction(rho_hi), n)
        mid = (lo + hi) / 2
        hm = centred_correlation(family_integrals(mid, n, slope, prec), n)
        if lo == hi:
            return hm
        R = _ball(mid, prec) + arb(0, _ball((hi - lo) / 2, prec))
        N, D = _num_den(family_integrals(R, n, slope, prec), n)
        dN, dD = _num_den(family_integrals(R, n, slope, prec, deriv=True), n)
        return hm + (dN * D - N * dD) / (D * D) * (R - _ball(mid, prec))


# ---------------------------------------------------------------- the s-integral and the lemma (mp)
def _mp_state(alpha_s, mu_s, n):
    """P(s) = alpha_s P_std + mu_s P_w as (a, o, x, b)."""
    return (alpha_s * (n - 2) / (n - 1) + mu_s / (n * (n - 1)), -alpha_s / (n - 1) + mu_s / (n * (n - 1)),
            -mu_s / n, mu_s * (n - 1) / n)


def mixture(rho, n, act, dps=30):
    """h_RS(rho) two ways in mpmath (suggestive; the tests compare them with each other, with
    the ball integral and with Monte Carlo): ``direct`` = the correlation of C V C with V = n int
    K(P(s)) det^-1/2 ds (the s-integral as written, K by core.symmetry), and ``average`` = int w(s)
    h(rho_s) ds / int w(s) ds (RC alone's h by derive.curve).  Also the path's ends rho_s."""
    import mpmath as mp

    from ..core import arith, symmetry
    from ..core.symmetry import SymState
    from .curve import curve

    ctx = arith.get("mp", dps=dps)
    with mp.workdps(dps):
        rho = mp.mpf(rho)
        al, mu = 1 - rho, n * (1 + (n - 2) * rho)

        memo = {}

        def parts(s):
            if s not in memo:
                memo[s] = _parts(s)
            return memo[s]

        def _parts(s):
            als, mus = al / (1 + 2 * s * al), mu / (1 + 2 * s * mu)
            det = (1 + 2 * s * mu) ** -0.5 * (1 + 2 * s * al) ** (-(n - 2) / mp.mpf(2))
            K = symmetry.image(SymState(*_mp_state(als, mus, n)), n, act, ctx)
            rs = (-als * n + mus) / (als * n * (n - 2) + mus)
            C = centred_correlation((K.a, K.o, K.x, K.b), n)      # C K C's correlation: h(rho_s)
            rc = K.a + (n - 2) * K.o + K.x
            shift = ((n - 1) * rc + (n - 1) * K.x + K.b) / (n * n) - 2 * rc / n
            return det, K, rs, C, K.a + shift

        cuts = [0, mp.mpf(1) / 100, mp.mpf(1) / 10, 1, 10, 100, 10 ** 4, mp.inf]
        V = [mp.quad(lambda s, f=f: parts(s)[0] * getattr(parts(s)[1], f), cuts) for f in "aoxb"]
        wsum = mp.quad(lambda s: parts(s)[0] * parts(s)[4], cuts)
        avg = mp.quad(lambda s: parts(s)[0] * parts(s)[4] * curve(parts(s)[2], n, act, ctx), cuts) / wsum
        return {"direct": centred_correlation(V, n), "average": avg, "path": (parts(0)[2], parts(mp.mpf(10) ** 12)[2]),
                "rho": rho}


# ---------------------------------------------------------------- the cover of (partner, attractor)
def cover(n, slope, lo, hi, prec=PREC, budget=MAX_PIECES):
    """Pieces [[lo, hi], ...] from ``lo`` to ``hi`` (exact, dyadic ends), each with an enclosure of
    h_RS below its lo (h_RS < rho there): walk from lo, growing the step by 5/4 after a success
    and halving it after a failure; None if the budget or 2^-60 steps are exhausted.  (Doubling
    overshot about every other step: at n = 7, 151 enclosures for 78 pieces; 5/4 takes 90 for 72.)"""
    lo, hi = Fraction(lo), Fraction(hi)
    pieces, a, step, tries = [], lo, Fraction(1, 2 ** 10), 0
    while a < hi:
        tries += 1
        b = min(hi, a + step)
        if tries > 4 * budget or len(pieces) >= budget or step < Fraction(1, 2 ** 60):
            return None
        h = h_rs(a, b, n, slope, prec)
        if h + 2 * h.rad() < _ball(a, prec):         # a margin: the kernel's own enclosure may be wider
            pieces.append([a, b])
            a, step = b, min(MAX_STEP, step * 5 / 4)
        else:
            step /= 2
    return pieces


def _ball(q, prec):
    from flint import arb, ctx

    with ctx.workprec(prec):
        return arb(q.numerator) / q.denominator


def _dyadic_mid(a, b):
    m = (a + b) / 2
    k = 8
    while True:
        d = Fraction(round(m * 2 ** k), 2 ** k)
        if a < d < b:
            return d
        k += 8


def basins(n, act, prec=PREC):
    """RC + RS's basins at n: RC alone's certified cover (derive.basins), the averaging lemma
    and, where RC alone has a partner and an attractor, the cover of [partner lo, attractor hi].
    A dict with the basins, the evidence items for the kernel and the seconds."""
    from . import basins as rc_basins

    if not 3 <= n <= MAX_N:
        raise BadInput("n = %d: the RS basins are computed for 3 <= n <= %d" % (n, MAX_N))
    t0 = time.process_time()
    v = rc_basins.basins(n, act, rates=False)
    if v.certificate is None:
        return {"n": n, "status": "inconclusive", "reason": "RC alone's cover: %s" % v.evidence.get("reason"),
                "items": [], "seconds": time.process_time() - t0}
    items = [v.certificate]
    pieces = {fp["state"]: fp["piece"] for fp in v.evidence["fixed_points"]}
    out = {"n": n, "activation": str(act), "rc_alone": [b["to"] + " " + b["interval"] for b in v.evidence["basins"]]}
    if "partner" in pieces:
        lo = _piece_end(items[0], "partner", 0)
        hi = _piece_end(items[0], "attractor", 1)
        ps = cover(n, act.slope, lo, hi, prec)
        if ps is None:
            return dict(out, status="inconclusive", reason="the RS cover of [%s, %s] did not close" % (
                float(lo), float(hi)), items=items, seconds=time.process_time() - t0)
        items.append({"type": "rs-cover", "n": n, "alpha": _frac(act.slope), "prec": prec,
                      "pieces": [[_frac(a), _frac(b)] for a, b in ps]})
        out["rs_cover"] = {"from": float(lo), "to": float(hi), "pieces": len(ps)}
    out.update(status="derived", basins={"simplex": "[left-end, configuration)", "configuration": "{configuration}"},
               items=items, seconds=time.process_time() - t0)
    return out


def _frac(x):
    x = Fraction(x)
    return str(x.numerator) if x.denominator == 1 else "%d/%d" % (x.numerator, x.denominator)


def _piece_end(cert_item, name, end):
    """The lo (end 0) or hi (end 1) of the fixed piece of the partner / attractor in a basin-cover
    item (the partner is the first root piece after the simplex's, the attractor the next)."""
    ps = [p for p in cert_item["pieces"] if p[2] == "fixed"]
    roots = ps[1:-1]                     # simplex first, O_n last
    return Fraction(roots[0 if name == "partner" else 1][end])


# ---------------------------------------------------------------- growth at O_n
def growth_bounds(n, slope):
    """(eps0, a, b) as floats (twin of trusted.rs.growth_bounds): a sqrt(eps) <= delta_out <= b sqrt(eps)."""
    import math

    s = float(slope)
    lam = _lambda(n, s)
    s2, sigma = (n - 1) / n, 1 / math.sqrt(n * (n - 1))
    kappa0, psi0 = math.sqrt(2 / (lam * s2)), math.atan(sigma)
    k0 = psi0 / math.pi
    return ((k0 / kappa0) ** 2, kappa0 * psi0 / (math.pi * (1 + s * s) * (sigma ** 2 + k0 / 2)),
            2 * kappa0 / ((1 + s * s) * sigma ** 2))


def _lambda(n, s):
    """|u - v|^2 at G* scaled to cluster norms 1 (derive.rs.spread_response's lambda)."""
    r = (n - 1) ** 0.5
    phi = [(-s / r, r), (1 / r, -s * r)]
    a, x, b = (sum(p[i] * p[j] for p in phi) / 2 for i, j in ((0, 0), (0, 1), (1, 1)))
    return (a + b - 2 * x) / a


def growth_limit(n, slope, dps=30):
    """lim delta_out/sqrt(eps) = kappa0 I/(2 pi (1 + s^2) n sigma^2), I = int_0^2pi (phi(y_1) -
    phi(y_2))^2/sin^2 psi d psi, y_j = sqrt(n)(-sigma cos psi +- sin psi/sqrt(2)) (mpmath quadrature
    split where y_1, y_2 change sign; the density k/(2 pi (k^2 cos^2 + sin^2)) -> k/(2 pi sin^2))."""
    import mpmath as mp

    with mp.workdps(dps):
        s = mp.mpf(Fraction(slope).numerator) / Fraction(slope).denominator
        sigma = 1 / mp.sqrt(n * (n - 1))
        phi = (lambda t: t if t > 0 else s * t)

        def f(p):
            c, sn = mp.cos(p), mp.sin(p)
            y1, y2 = mp.sqrt(n) * (-sigma * c + sn / mp.sqrt(2)), mp.sqrt(n) * (-sigma * c - sn / mp.sqrt(2))
            if abs(sn) < mp.mpf(10) ** (-dps // 2):
                return 2 * n if c < 0 else 2 * n * s * s
            return (phi(y1) - phi(y2)) ** 2 / sn ** 2

        t = mp.atan(mp.sqrt(2) * sigma)
        cuts = [0, t, mp.pi - t, mp.pi, mp.pi + t, 2 * mp.pi - t, 2 * mp.pi]
        cuts = sorted(set(cuts + [mp.pi / 2, 3 * mp.pi / 2]))
        I = mp.quad(f, cuts)
        lam = mp.mpf(_lambda(n, float(s)))
        kappa0 = mp.sqrt(2 / (lam * (n - 1) / n))
        return kappa0 * I / (2 * mp.pi * (1 + s * s) * n * sigma ** 2)


def growth_limit_relu(n):
    """The same limit for relu in closed form: with sigma = 1/sqrt(n(n-1)) and t0 = atan(sqrt(2) sigma),
    I/n = pi + 2 t0 + 2 sqrt(2) sigma - 2 sigma^2 (pi - 2 t0) (both points positive on |psi - pi| < t0:
    2n; neither on |psi| < t0; one on the rest, n (sigma cot psi -+ 1/sqrt(2))^2, whose cot terms
    integrate to 2 cot t0 - pi + 2 t0 and 0), so lim delta_out/sqrt(eps) = kappa0 I/(2 pi n sigma^2).
    A sympy expression in n (an integer)."""
    import sympy

    sigma = 1 / sympy.sqrt(n * (n - 1))
    t0 = sympy.atan(sympy.sqrt(2) * sigma)
    lam = _lambda_exact(n)
    kappa0 = sympy.sqrt(2 / (lam * sympy.Rational(n - 1, n)))
    I = n * (sympy.pi + 2 * t0 + 2 * sympy.sqrt(2) * sigma - 2 * sigma ** 2 * (sympy.pi - 2 * t0))
    return kappa0 * I / (2 * sympy.pi * n * sigma ** 2)


def _lambda_exact(n):
    import sympy

    a, b = sympy.Rational(1, 2 * (n - 1)), sympy.Rational(n - 1, 2)   # relu at G*: cross 0
    return (a + b) / a
