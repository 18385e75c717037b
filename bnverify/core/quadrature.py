"""Rigorous Gauss-Legendre quadrature of a *vector* of real-analytic functions on [a, b], one rule
for all components (the nodes are shared, so each node evaluates every component once).

On a piece [lo, hi] (half-length h, midpoint m) the error of the d-point Gauss-Legendre rule for
a function analytic on a neighbourhood of the Bernstein ellipse E_rho (foci lo, hi, semi-axes
h X and h Y, X = (rho + 1/rho)/2, Y = (rho - 1/rho)/2) and bounded there by |f| <= F is at most

    (64/15) h F / ((rho - 1) rho^(2d - 1))

(Trefethen, Approximation Theory and Approximation Practice, Thm 19.3, in the slightly weaker
form Arb's ``acb_calc_integrate_gl_auto_deg`` uses).  The caller supplies ``bound(m, h, X, Y)``:
an arb upper bound of sup |f_c| over all components c on the box m + h([-X, X] + i[-Y, Y]) (which
contains the ellipse), or None where it cannot certify analyticity there; the analyticity itself
is the caller's theorem.  A piece whose bound fails or needs more than ``DEGREES[-1]`` nodes is
bisected.  Nodes and weights are Arb's rigorous Legendre roots (``arb.legendre_p_root``), the node
values come from ``f_node`` (a list of arb), and the result's radius contains every error: the
rule's bound per piece and the rounding of the balls."""
from __future__ import annotations

from flint import arb

DEGREES = (1, 2, 3, 4, 6, 8, 12, 16, 22, 32, 46, 64)
XS = tuple(arb(v) / 64 for v in (65, 66, 68, 72, 80, 96, 119, 160, 256, 512))   # X = (rho + 1/rho)/2
_NODES = {}


def nodes(d, prec):
    """[(x_k, w_k)] of the d-point Gauss-Legendre rule on [-1, 1] as arb balls (cached)."""
    got = _NODES.get((d, prec))
    if got is None:
        got = _NODES[d, prec] = [arb.legendre_p_root(d, k, weight=True) for k in range(d)]
    return got


def _ellipses():
    """[(X, Y upper bound, rho lower bound)] for the candidate X (exact)."""
    out = []
    for X in XS:
        y = (X * X - 1).sqrt()
        out.append((X, y.upper(), (X + y).lower()))
    return out


def plan(lo, hi, bound, tol):
    """(degree, error bound) of the cheapest rule on [lo, hi] within tol, or None."""
    h, m = (hi - lo) / 2, (hi + lo) / 2
    best = None
    for X, Y, rho in _ellipses():
        F = bound(m, h, X, Y)
        if F is None or not F.is_finite():
            continue
        for d in DEGREES:
            if best is not None and d >= best[0]:
                break
            err = (64 * F * h / (15 * (rho - 1) * rho ** (2 * d - 1))).upper()
            if err < tol:
                best = (d, err)
                break
    return best


def integrate(f_node, bound, ncomp, a, b, tol, prec, piece=2.0, max_pieces=20000):
    """Enclosures of int_a^b f_c(r) dr for the ncomp components (a list of arb) and statistics
    {pieces, nodes}.  a < b binary floats; tol an absolute error goal for the sum over
    pieces (each piece gets tol in proportion to its length).  Raises ArithmeticError when the
    pieces run out or a node value is not finite (the caller reports that)."""
    # piece ends are exact binary floats (a, a + piece, ..., b, and their midpoints)
    length = b - a
    ends = [a + piece * i for i in range(int((b - a) // piece) + 1)]
    ends = ends + [b] if ends[-1] < b else ends
    stack = [(ends[i], ends[i + 1]) for i in range(len(ends) - 2, -1, -1)]
    sums = [arb(0)] * ncomp
    total_err = arb(0)
    pieces = evals = 0
    while stack:
        lo, hi = stack.pop()
        pieces += 1
        if pieces > max_pieces:
            raise ArithmeticError("quadrature: more than %d pieces" % max_pieces)
        got = plan(arb(lo), arb(hi), bound, tol * (hi - lo) / length)
        if got is None:
            mid = (lo + hi) / 2
            stack.extend([(mid, hi), (lo, mid)])
            continue
        d, err = got
        h, m = (arb(hi) - arb(lo)) / 2, (arb(hi) + arb(lo)) / 2
        acc = [arb(0)] * ncomp
        for x, w in nodes(d, prec):
            vals = f_node(m + h * x)
            if len(vals) != ncomp or not all(v.is_finite() for v in vals):
                raise ArithmeticError("quadrature: a node value is not finite")
            acc = [s + w * v for s, v in zip(acc, vals)]
        evals += d
        sums = [s + h * v for s, v in zip(sums, acc)]
        total_err += err
    return [s + arb(0, total_err) for s in sums], {"pieces": pieces, "nodes": evals}
