"""Trusted check of the 'rs-cover' item (twin of bnverify/derive/rs_family.py, written apart): on
each piece [lo, hi] of rho the reduced map of RC + RS + leaky ReLU(alpha) on the symmetric family
lies below lo, so h_RS(rho) < rho on the union.

``rs-cover``  {n, alpha, prec, pieces: [[lo, hi], ...]}, the pieces edge to edge inside (-1/(n-2), 1), where
R = n q/(1 - rho) is finite, positive and increasing, so that the ball of R over a piece holds every rho of it.

The model (derivation: bnverify/derive/rs_family.py's docstring; the Laplace representation of
docs/full-bn.md restricted to the family, tau = u^2).  With R = n q/(1 - rho), q = 1 + (n-2) rho,
and Q = u^2 + R (1 - u^2), the Gram matrix after RS is proportional to

    V = int_0^1 u^(n-2) Q^(-3/2) K(M(u)) du,     M = Q P_std + R P_w,

P_std, P_w the projections on the cluster's sum-zero vectors and on e_odd - 1/n, so M's cluster
diagonal, cluster off-diagonal, cross and odd diagonal are p = Q (n-2)/(n-1) + R/(n(n-1)),
p - Q, -R/n and R (n-1)/n, with p^2 - (p - Q)^2 = Q (2p - Q) and p (odd) - (R/n)^2 = R Q (n-2)/n.
K is model.kappa's kernel (A, B); its angles are written as 2 atan(y / x) with x > 0 on the
segment, and every square root and atan is asked to be analytic (a ball that touches a cut gives
NaN, and acb.integral subdivides), so the integrals' error bounds are rigorous.  h_RS is the
cluster correlation of C V C (model.curve's centring).  R increases with rho, so the ball of R
over a piece holds every rho of it; on a piece h_RS is enclosed in the mean-value form, its
R-derivative by differentiating under the integral (acb_series in R; holomorphic where the value is).
"""
from __future__ import annotations

from fractions import Fraction

from .base import Q, Rejected, ball, edge_to_edge, span
from .model import kernel_constants

MAX_PIECES = 4000


def _c0(X):
    return X[0] if hasattr(X, "coeffs") else X


def _f(u, analytic, R, n, A, B, entry, deriv):
    from flint import acb, acb_series, arb

    if deriv:                                            # R + dR: the coefficient of dR is the R-derivative
        R = acb_series([acb(R), 1], prec=2)
    Qu = u * u + R * (1 - u * u)
    p = Qu * (n - 2) / (n - 1) + R / (n * (n - 1))
    if entry == "o":
        c = R / (n * (n - 1)) - Qu / (n - 1)                        # p - Qu, written without cancelling
        x = Qu * (n - 3) / (n - 1) + 2 * R / (n * (n - 1))            # p + c = 2p - Qu
        arg = Qu * x
    else:
        c, arg, x = -R / n, R * Qu * (n - 2) / n, None
    checks = [Qu, arg] + ([] if x is not None else [p * R * (n - 1) / n])
    if analytic and not all(_c0(v).sqrt(analytic=True).is_finite() for v in checks):
        return acb("nan")
    x = x if x is not None else (p * R * (n - 1) / n).sqrt() - c
    den = Qu * Qu.sqrt()
    if _c0(den).contains(0) or _c0(x).contains(0):
        return acb("nan")
    weight = u ** (n - 2) / den
    if entry in "ab":
        v = weight * A * (p if entry == "a" else R * (n - 1) / n)
    else:
        y = arg.sqrt()
        t = y / x
        if analytic and not _c0(t).real > 0:             # off atan's cuts (the imaginary axis beyond +-i)
            return acb("nan")
        theta = 2 * t.atan() if entry == "o" else arb.pi() - 2 * t.atan()
        v = weight * (A * c + B * (y - c * theta))
    return v[1] if deriv else v


def _centred(R, n, A, B, prec, deriv=False):
    """(numerator, denominator) of C V C's cluster correlation (their R-derivatives with deriv)."""
    from flint import acb, arb

    tol = arb(2) ** (24 - prec)
    a, o, x, b = (acb.integral(lambda u, an, e=e: _f(u, an, R, n, A, B, e, deriv), 0, 1, rel_tol=tol, abs_tol=tol,
                               eval_limit=20000).real for e in "aoxb")
    rc = a + (n - 2) * o + x
    shift = ((n - 1) * rc + (n - 1) * x + b) / (n * n) - 2 * rc / n
    return o + shift, a + shift


def h_rs(lo, hi, n, alpha, prec):
    """An arb holding h_RS(rho) for every rho in [lo, hi] (Fractions, -1/(n-2) < lo <= hi < 1): the
    mean-value form h(R_m) + h'(R)(R - R_m), R the ball of the piece's R."""
    A, B = kernel_constants(alpha)
    Rlo, Rhi = (Fraction(n) * (1 + (n - 2) * r) / (1 - r) for r in (lo, hi))
    N, D = _centred(ball((Rlo + Rhi) / 2), n, A, B, prec)
    if Rlo == Rhi:
        return N / D
    R = span(Rlo, Rhi)
    (N1, D1), (dN, dD) = _centred(R, n, A, B, prec), _centred(R, n, A, B, prec, deriv=True)
    return N / D + (dN * D1 - N1 * dD) / (D1 * D1) * (R - ball((Rlo + Rhi) / 2))


def check_rs_cover(item, n_max):
    from flint import ctx

    n, alpha, prec = item["n"], Q(item["alpha"]), item["prec"]
    if type(n) is not int or type(prec) is not int or not (3 <= n <= n_max and 0 <= alpha < 1 and 64 <= prec <= 256):
        raise Rejected("n, alpha or prec out of range (3 <= n <= %d, 0 <= alpha < 1, 64 <= prec <= 256)" % n_max)
    raw = item["pieces"]
    if not isinstance(raw, list) or not 0 < len(raw) <= MAX_PIECES:
        raise Rejected("pieces must be a list of 1..%d pieces" % MAX_PIECES)
    ps = [(Q(lo), Q(hi)) for lo, hi in raw]
    lo, hi = ps[0][0], ps[-1][1]
    edge_to_edge(ps, lo, hi, "pieces")
    if not (Fraction(-1, n - 2) < lo and hi < 1):          # where R is finite, positive and increasing in rho
        raise Rejected("the pieces leave the domain (-1/(n-2), 1) of the family's parameter R")
    with ctx.workprec(prec):
        for i, (a, b) in enumerate(ps):
            if not h_rs(a, b, n, alpha, prec) < ball(a):
                raise Rejected("piece %d [%s, %s]: h_RS < rho not shown" % (i, a, b))
    return {"fact": "rs-below", "n": n, "alpha": alpha, "lo": lo, "hi": hi}
