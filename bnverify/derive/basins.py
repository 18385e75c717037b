"""Global dynamics of the symmetric reduction: the basins of the 1-D map rho -> h(rho), proved
in ball arithmetic (untrusted search; the trusted re-check is :mod:`bnverify.trusted.basins`).

Every S_{n-1}-symmetric state s has a centred cluster correlation rho(s) in D = [-1/(n-2), 1]
(the correlation of two cluster points of C G_s C); one layer maps s to gamma(rho(s)) on the
reduction curve and rho(gamma(r)) = h(r) (:mod:`bnverify.derive.curve`).  So the orbit of s
converges to the fixed state gamma(f) iff the orbit of rho(s) under h converges to f.

**The cover.**  D is cut into pieces, each proved in arb to be one of
  head   rho < m: no claim about h' there (h decreases near -1/(n-2), where sqrt(q) has an
         infinite slope); only an enclosure of h over the piece is kept;
  up     h' > 0 and h(rho) > rho on the piece;     down   h' > 0 and h(rho) < rho;
  fixed  h' > 0, (h - id)' != 0 and exactly one solution of h(rho) = rho in it (isolated as
         the classification isolates: O_n at rho = 1, the simplex at -1/(n-1), a root).
Pieces from m on are not heads, so h is continuous and strictly increasing on M = [m, 1].

**Basins (the argument).**  On M between consecutive fixed points f_i < f_j, h - id has one
strict sign; if h(rho) > rho the orbit increases and stays below f_j (h(rho) < h(f_j) = f_j),
so it converges, to a fixed point, which can only be f_j; if h(rho) < rho it decreases to f_i
likewise.  A head piece whose image lies strictly inside one such basin interval of M has that
basin's fate.  So the basins partition D exactly: every start is assigned its limit.

**Rates.**  On a fixed piece N = [a, b] of a stable point, 0 < h' <= L < 1 and h(a) > a,
h(b) < b, so N is invariant and |h^k(rho) - f| <= L^k |rho - f| there.  For a compact part
K = [a, b] of a basin inside M, monotonicity sandwiches every orbit between those of a and b,
so iterating the two ends as balls bounds the number of layers to come within eps of f for
all of K at once.
"""
from __future__ import annotations

import functools
import math
from fractions import Fraction

from ..errors import BadInput
from ..core import activations, arith
from ..core.activations import Activation
from ..core.verdict import INCONCLUSIVE, PROVED, Verdict, stopwatch
from .balls import _frac_str, _n_value, ball, ball_from, bounds, enclosure
from .curve import cosines, curve, curve_point, isolated

N_LIMIT = 64                 # the trusted checker's per-n limit (trusted.items.N_MAX)
HEAD_AT = Fraction(1, 5)     # m = lo + HEAD_AT (simplex - lo): h' > 0 from about 1/10 on
MIN_WIDTH = Fraction(1, 2 ** 80)
BUDGET = 20000


def domain(n):
    """(lo, m, simplex): -1/(n-2), the dyadic start of the monotone region, -1/(n-1)."""
    lo, s = Fraction(-1, n - 2), Fraction(-1, n - 1)
    m = lo + HEAD_AT * (s - lo)
    return lo, Fraction(math.ceil(m * 2 ** 64), 2 ** 64), s


def _piece(lo, hi, n, nn, act, ctx):
    """The kind of [lo, hi] as a piece of M: 'up' / 'down' if h' > 0 and h - id has that strict
    sign (natural, then mean-value enclosure), else ('fixed', dh) if h' > 0 and [lo, hi] holds
    exactly one solution of h(rho) = rho (curve.isolated: O_n, the simplex or a root), else None."""
    X = ball_from(lo, hi, ctx)
    h, dh = curve(X, nn, act, ctx, slope=True)
    if not (dh.is_finite() and dh > 0):
        return None
    g = h - X
    if not (g > 0 or g < 0):
        M = ctx.const((lo + hi) / 2)
        g = (curve(M, nn, act, ctx) - M) + (dh - 1) * (X - M)
    if g > 0 or g < 0:
        return "up" if g > 0 else "down"
    one = isolated(lo, hi, n, nn, act, ctx, dh)
    return ("fixed", dh) if one is not None and one[0] != "excluded" else None


def _bisect(lo, hi, test, budget, cuts=()):
    """Cut [lo, hi] until test(piece) gives a label for every piece: [(lo, hi, label)]; the
    first pieces are those the ``cuts`` strictly inside [lo, hi] make."""
    edges = [lo] + sorted(c for c in cuts if lo < c < hi) + [hi]
    out, stack, spent = [], list(zip(edges, edges[1:]))[::-1], 0
    while stack:
        a, b = stack.pop()
        spent += 1
        lab = test(a, b)
        if lab is not None:
            out.append((a, b, lab))
            continue
        if b - a < MIN_WIDTH or spent > budget:
            raise _Undecided(a, b)
        mid = _dyadic_mid(a, b)
        stack += [(mid, b), (a, mid)]
    return out


def _dyadic_mid(a, b):
    mid = (a + b) / 2
    d = 2 ** max(64, 8 - int(math.log2(b - a)) if b > a else 64)
    c = Fraction(math.floor(mid * d), d)
    return c if a < c < b else mid


class _Undecided(Exception):
    pass


def _fixed_name(lo, hi, n, slope_hi):
    if hi == 1:
        return "configuration"
    if lo <= Fraction(-1, n - 1) <= hi:
        return "simplex"
    return "attractor" if slope_hi < 1 else "partner"


SEEDS = 256          # M is first cut into this many pieces (dyadic edges), then bisected


@functools.lru_cache(maxsize=128)
def cover(n, act, prec=128):
    """The cover of D (module docstring): (pieces [(lo, hi, kind)], fixed points, head hulls,
    basin segments), or raise _Undecided.  One bisection of M = [m, 1] labels every piece up,
    down or fixed (:func:`_piece`); a fixed point below m would leave a head piece whose image
    is not in M, so the heads show there is none.  Cached: a catalogue run, the command and the
    tests ask for the same n more than once (callers do not modify the result)."""
    ctx = ball(prec)
    nn = _n_value(n, ctx)
    lo, m, _ = domain(n)
    fixed = []

    def piece(a, b):
        kind = _piece(a, b, n, nn, act, ctx)
        if isinstance(kind, tuple):
            fixed.append((a, b, _fixed_name(a, b, n, enclosure(kind[1])[1]), kind[1]))
            return "fixed"
        return kind
    seeds = {Fraction(math.floor((m + (1 - m) * k / SEEDS) * 2 ** 40), 2 ** 40) for k in range(1, SEEDS)}
    pieces = _bisect(m, Fraction(1), piece, BUDGET, seeds)
    fixed = _merge_simplex(fixed)
    pieces = sorted([p for p in pieces if p[2] != "fixed"] + [(a, b, "fixed") for a, b, _, _ in fixed])
    segs = segments(pieces, [f[2] for f in fixed])
    ends = {f[2]: (f[0], f[1]) for f in fixed}
    targets = [(m if L == "m" else ends[L][1], ends[R][0], d) for d, L, _, R, _ in segs if L != R]
    hulls = {}

    def head(a, b):
        H = curve(ball_from(a, b, ctx), nn, act, ctx)
        if not H.is_finite():
            return None
        hl, hh = enclosure(H)
        dest = next((d for left, right, d in targets if left < hl and hh < right), None)
        if dest is None:
            return None
        hulls[(a, b)] = (hl, hh, dest)
        return "head"
    pieces = _bisect(lo, m, head, BUDGET) + pieces
    if any(d != segs[0][0] for _, _, d in hulls.values()):
        raise _Undecided(lo, m)      # the head splits between basins: not derived here
    segs[0] = (segs[0][0], "left-end", True) + segs[0][3:]
    return pieces, fixed, hulls, segs


def _merge_simplex(fixed):
    """The bisection may split the simplex's interval at a dyadic edge: one piece."""
    out = []
    for f in fixed:
        if out and out[-1][2] == f[2] == "simplex" and out[-1][1] == f[0]:
            a = out.pop()
            f = (a[0], f[1], "simplex", a[3].union(f[3]))
        out.append(f)
    return out


def segments(pieces, names):
    """M = [m, 1] as consecutive basin intervals [(destination, left, left_closed, right,
    right_closed)], ends named by fixed points ('m' for the start of M).  Between two fixed
    points the pieces' one sign gives the direction; with no piece between, the fixed piece's
    slope does (h' < 1: h - id decreases, so it is > 0 on the left, < 0 on the right)."""
    segs, prev = [], None
    fixed_at = [i for i, p in enumerate(pieces) if p[2] == "fixed"]
    for k, i in enumerate(fixed_at):
        lo_i = fixed_at[k - 1] + 1 if k else 0
        gap = {p[2] for p in pieces[lo_i:i]}
        if len(gap) > 1:
            raise _Undecided(pieces[lo_i][0], pieces[i][0])
        up = gap == {"up"} if gap else names[k] in ("attractor", "simplex")
        dest = names[k] if up else prev
        if dest is None:
            raise _Undecided(pieces[0][0], pieces[i][0])    # the orbit would descend below m
        segs.append((dest, prev or "m", prev is None, names[k], False))
        segs.append((names[k], names[k], True, names[k], True))
        prev = names[k]
    merged = []
    for s in segs:
        if merged and merged[-1][0] == s[0]:
            merged[-1] = (s[0], merged[-1][1], merged[-1][2], s[3], s[4])
        else:
            merged.append(s)
    return merged


def tighten(a, b, nn, act, ctx, width=Fraction(1, 2 ** 100)):
    """A sub-bracket of the isolating interval [a, b] of a root (h - id changes sign at the
    ends) no wider than ``width``, by bisection on certain signs."""
    g = lambda r: curve(ctx.const(r), nn, act, ctx) - ctx.const(r)     # noqa: E731
    ga = g(a)
    s = 1 if ga > 0 else -1 if ga < 0 else 0
    if s == 0:
        return a, b
    while b - a > width:
        c = _dyadic_mid(a, b)
        gc = g(c)
        if gc > 0 or gc < 0:
            a, b = (c, b) if (gc > 0) == (s > 0) else (a, c)
        else:
            break
    return a, b


def iterate_ends(a, b, f, eps, nn, act, ctx, cap=BUDGET):
    """The number k of layers after which every orbit from [a, b] is within eps of the fixed
    point f (known in the bracket f = (flo, fhi)), for [a, b] inside M and inside f's basin;
    None if not reached within ``cap`` layers.  h is increasing on M, so h^k(a) >= L_k and
    h^k(b) <= U_k with L_{k+1} = lower(h(L_k)), U_{k+1} = upper(h(U_k)), each h evaluated at an
    exact point (iterating balls would widen them by the formula's cancellations)."""
    flo, fhi = f
    L, U = Fraction(a), Fraction(b)
    for k in range(cap + 1):
        if fhi - L < eps and U - flo < eps:
            return k
        L = enclosure(curve(ctx.const(L), nn, act, ctx))[0]
        U = enclosure(curve(ctx.const(U), nn, act, ctx))[1]
    return None


def _check(n, act):
    if isinstance(n, bool) or not isinstance(n, int) or n < 3:
        raise BadInput("batch size n must be an integer >= 3 (got %r)" % (n,))
    if n > N_LIMIT:
        raise BadInput("basins are certified per n for 3 <= n <= %d (got n = %d)" % (N_LIMIT, n))
    if not act.states:
        raise BadInput("basins are certified for %s, not %s"
                       % (activations.spoken(activations.names(lambda k: k.states), "and"), act.name))


def basins(n, act, prec=128, eps=Fraction(1, 10 ** 6), shrink=(Fraction(1, 10), Fraction(1, 100)),
           rates=True):
    """The basins of every fixed point of h at batch size n (a Verdict; its certificate is the
    cover, the 'basin-cover' item the trusted kernel re-checks).  With ``rates``: the local
    rate at each stable point and the layers to come within ``eps`` (in rho) of it from the
    compact part of its basin that cuts the fraction ``shrink`` of the way from the point to each open end."""
    _check(n, act)
    method = "ball arithmetic (arb): cover of [-1/(n-2), 1] by sign / monotonicity pieces"
    with stopwatch() as t:
        try:
            pieces, fixed, hulls, segs = cover(n, act, prec)
        except _Undecided as e:
            return Verdict(INCONCLUSIVE, method, {"n": n, "activation": str(act), "reason":
                           "undecided near rho in [%s, %s]" % tuple(float(x) for x in e.args)}, t())
        ctx = ball(prec)
        nn = _n_value(n, ctx)
        lo, m, s = domain(n)
        points = {}
        for a, b, name, dh in fixed:
            br = {"configuration": (Fraction(1),) * 2, "simplex": (s, s)}.get(name) or tighten(a, b, nn, act, ctx)
            _, slope = curve(ball_from(br[0], br[1], ctx), nn, act, ctx, slope=True)
            points[name] = {"bracket": br, "piece": (a, b), "slope_piece": dh, "slope": slope,
                            "stable": name in ("attractor", "simplex")}
        ends = dict({k: p["bracket"] for k, p in points.items()}, **{"left-end": (lo, lo)})
        fps = [{"state": k, "rho": _decs(p["bracket"]), "stable": p["stable"], "slope": bounds(p["slope"]),
                "piece": _decs(p["piece"]), "slope_on_piece": bounds(p["slope_piece"]),
                "gamma": _gamma(p["bracket"], nn, act, ctx)} for k, p in points.items()]
        bas = []
        for seg in segs:
            L, R = ends[seg[1]][0 if seg[2] else 1], ends[seg[3]][1 if seg[4] else 0]
            entry = {"to": seg[0], "interval": interval_text(seg), "rho": [_decs((L, R))],
                     "gamma": [_gamma((L, L), nn, act, ctx), _gamma((R, R), nn, act, ctx)]}
            if rates and points[seg[0]]["stable"]:
                entry["rate"] = _rate(seg, points[seg[0]], ends, m, eps, shrink, hulls, nn, act, ctx)
            bas.append(entry)
        out = {"n": n, "activation": str(act), "fixed_points": fps, "basins": bas,
               "monotone": {"increasing_on": _decs((m, Fraction(1))), "not_on": _decs((lo, m)),
                            "image_of_not_on": _decs((min(h[0] for h in hulls.values()),
                                                      max(h[1] for h in hulls.values()))),
                            "decreasing_witness": _not_monotone(lo, m, nn, act, ctx)},
               "pieces": {k: sum(p[2] == k for p in pieces) for k in ("head", "up", "down", "fixed")},
               "status": "proved"}
        if "partner" in points:
            gap = ball_from(*points["partner"]["bracket"], ctx) - ctx.const(s)
            out["partner_gap"] = {"rho_partner_minus_simplex": bounds(gap), "times_n3": bounds(gap * n ** 3),
                                  "limit": bounds(2 * (ctx.pi - 2)), "limit_formula": "2(pi - 2)",
                                  "simplex_basin_width": bounds(gap + ctx.const(s - lo))}
        cert = {"type": "basin-cover", "n": n, "alpha": _frac_str(act.slope), "prec": prec,
                "pieces": [[_frac_str(a), _frac_str(b), k] for a, b, k in pieces]}
    return Verdict(PROVED, method, out, t(), cert, subject="basins n=%d" % n)


def interval_text(seg):
    _, left, lc, right, rc = seg
    if left == right:
        return "{%s}" % left
    return "%s%s, %s%s" % ("[" if lc else "(", left, right, "]" if rc else ")")


def _decs(pair):
    """Outward-rounded decimal bounds of the exact interval [lo, hi]."""
    ctx = ball(128)
    return [bounds(ctx.const(Fraction(pair[0])))[0], bounds(ctx.const(Fraction(pair[1])))[1]]


def _gamma(bracket, nn, act, ctx):
    """(cluster cosine, odd cosine, norm ratio) of gamma(rho), rho in the bracket: the state one
    layer after any start with that rho.  Each is monotone in rho (kappa increases, and the odd
    cosine is kappa(-u)/A, u = sqrt(q/(n-1))), so a basin's arc runs between its ends' values.
    The odd cosine is undefined (None) where the odd point's norm vanishes (rho = -1/(n-2))."""
    R = ball_from(bracket[0], bracket[1], ctx)
    cc, oc, nr = cosines(curve_point(R, nn, act, ctx), ctx)
    return {"cluster_cos": bounds(cc), "odd_cos": bounds(oc) if oc.is_finite() else None,
            "norm_ratio": bounds(nr)}


def _not_monotone(lo, m, nn, act, ctx):
    """A certified witness that h is not increasing on [lo, m]: h(lo) > h(r), r in (lo, m)."""
    H1 = curve(ctx.const(lo), nn, act, ctx)
    for k in range(1, 40):
        r = lo + (m - lo) * Fraction(k, 40)
        H2 = curve(ctx.const(r), nn, act, ctx)
        if H1 > H2:
            return {"rho1": _decs((lo, lo))[0], "rho2": _decs((r, r))[1], "h_rho1_minus_h_rho2": bounds(H1 - H2)}
    return None


def _rate(seg, p, ends, m, eps, shrink, hulls, nn, act, ctx):
    """The rate at a stable fixed point f (h' at f, and sup h' < 1 on its fixed piece, an
    invariant neighbourhood) and the layers to come within eps of f from the compact part
    K of its basin without the fraction d of the way from f to each open end.  A K reaching
    below m is first mapped by one layer: h(K) lies in the heads' hulls and [h(m), h(b)]."""
    flo, fhi = p["bracket"]
    out = {"h_prime_at_fixed_point": bounds(p["slope"]),
           "contraction": {"on": _decs(p["piece"]), "h_prime": bounds(p["slope_piece"])},
           "eps": str(eps), "layers": []}
    for d in shrink:
        a = ends[seg[1]][0] if seg[2] else ends[seg[1]][1] + d * (flo - ends[seg[1]][1])
        b = ends[seg[3]][1] if seg[4] else ends[seg[3]][0] - d * (ends[seg[3]][0] - fhi)
        first, A, B = 0, a, b
        if a < m:
            first = 1
            A = min([h[0] for h in hulls.values()] + [enclosure(curve(ctx.const(m), nn, act, ctx))[0]])
            B = max([h[1] for h in hulls.values()] + ([enclosure(curve(ctx.const(b), nn, act, ctx))[1]]
                                                      if b > m else []))
        k = iterate_ends(A, B, p["bracket"], eps, nn, act, ctx)
        out["layers"].append({"cut": str(d), "K": _decs((a, b)), "layers": None if k is None else k + first})
    return out


def partner_gap_series(terms=1):
    """The partner's distance to the simplex state for large n, exactly (sympy): with t = 1/n
    and rho = -t/(1-t) + t^3 w (the simplex at w = 0),

        h(rho) - rho = t^4 P(w) + t^5 Q(w) + O(t^6),    P(w) = w (w - 2(pi - 2)) / (4(pi - 1)),

    every function involved being analytic at t = 0 (q = 1 + (n-2) rho and u = sqrt(q/(n-1))
    are t times analytic positive functions).  P's roots are the simplex (w = 0) and w* =
    2(pi - 2) with P'(w*) != 0, so by the implicit function theorem, for every large enough n
    the partner is the unique root near w*, rho_partner - rho_simplex = t^3 (w* + w1 t + O(t^2)),
    w1 = -Q(w*) / P'(w*) (``terms=2``; the t^5 coefficient takes sympy about 150 s, the t^4
    one about 6 s).  The fixed points do not depend on the leaky slope, so ReLU suffices.
    Returns {"P", "roots", "dP_at_partner", ["Q", "w1"]} as sympy expressions (h is the Gram
    map's, :func:`bnverify.derive.curve.curve`, in exact arithmetic with n = 1/t symbolic)."""
    import sympy as sp

    t, w = sp.symbols("t w", positive=True)
    rho = -t / (1 - t) + t ** 3 * w
    h = curve(rho, 1 / t, Activation("relu"), arith.ExactContext())
    series = sp.expand(sp.series(h - rho, t, 0, 4 + terms).removeO())
    coeff = [sp.factor(sp.simplify(series.coeff(t, k))) for k in range(4 + terms)]
    if any(c != 0 for c in coeff[:4]):
        raise ValueError("h - id has a term below t^4 near the simplex: %s" % coeff[:4])
    P = coeff[4]
    roots = ([0] if P.subs(w, 0) == 0 else []) + sp.solve(P, w)     # w is declared positive
    wstar = 2 * (sp.pi - 2)
    dP = sp.simplify(sp.diff(P, w).subs(w, wstar))
    out = {"P": P, "roots": roots, "dP_at_partner": dP, "w": w}
    if terms >= 2:
        Q = coeff[5]
        out.update(Q=Q, w1=sp.factor(sp.simplify(-Q.subs(w, wstar) / dP)))
    return out
