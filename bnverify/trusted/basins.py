"""Trusted check of the basin-cover item (twin of bnverify/derive/basins.py, written apart):
from a cover of D = [-1/(n-2), 1] by pieces it derives, itself, the exact basin of every
fixed point of the reduced map rho -> h(rho) (model.curve).

``basin-cover``  {n, alpha, prec, pieces: [[lo, hi, kind], ...]}, kind one of
  head   (a prefix of the cover) only h's enclosure over the piece is used;
  up     h' > 0 and h > id on the piece;   down  h' > 0 and h < id;
  fixed  h' > 0 and exactly one solution of h(rho) = rho (model.interval_holds: O_n if
         hi = 1, the simplex if it holds -1/(n-1), else a root named here attractor if
         h' < 1 on it and partner if h' > 1).

The mathematics: on M = [m, 1] (m the first non-head lo) h is continuous and strictly
increasing.  Between consecutive fixed points h - id has one sign; where h > id an orbit
increases and stays below the next fixed point (h(r) < h(f) = f), so it converges to it; where
h < id it decreases to the previous one.  A head piece whose image lies strictly inside the
basin interval of a stable fixed point of M shares that basin.  Every start is so assigned
its limit: the basins below are exact (each is one interval; names for the ends).
"""
from __future__ import annotations

from fractions import Fraction

from .base import Q, Rejected, ball, edge_to_edge
from .model import Dual, curve, interval_holds, kernel_constants

MAX_PIECES = 20000
STABLE = ("simplex", "attractor")


def _sign(x):
    return 1 if x > 0 else -1 if x < 0 else 0


def _name_fixed(lo, hi, n, dg, A, B):
    if hi == 1:
        kind = "configuration"
    elif lo <= Fraction(-1, n - 1) <= hi:
        kind = "simplex"
    else:
        kind = "root"
    if not interval_holds(lo, hi, kind, None, n, A, B):
        raise Rejected("[%s, %s] is not shown to hold exactly one fixed point" % (lo, hi))
    return kind if kind != "root" else "attractor" if dg < 0 else "partner"


def check_basin_cover(item, n_max):
    from flint import ctx

    n, alpha, prec = item["n"], Q(item["alpha"]), item["prec"]
    if type(n) is not int or type(prec) is not int or not (3 <= n <= n_max and 0 <= alpha < 1
                                                           and 64 <= prec <= 1024):
        raise Rejected("n, alpha or prec out of range (3 <= n <= %d, 0 <= alpha < 1)" % n_max)
    raw = item["pieces"]
    if not isinstance(raw, list) or not 0 < len(raw) <= MAX_PIECES:
        raise Rejected("pieces must be a list of 1..%d pieces" % MAX_PIECES)
    ps = [(Q(lo), Q(hi), kind) for lo, hi, kind in raw]
    edge_to_edge(ps, Fraction(-1, n - 2), Fraction(1), "pieces")
    kinds = [k for _, _, k in ps]
    heads = next((i for i, k in enumerate(kinds) if k != "head"), len(ps))
    if any(k not in ("up", "down", "fixed") for k in kinds[heads:]):
        raise Rejected("a piece after the head is not up, down or fixed")
    with ctx.workprec(prec):
        A, B = kernel_constants(alpha)
        nb = ball(n)
        names, hulls = [], []
        for i, (lo, hi, kind) in enumerate(ps):
            X = ball(lo).union(ball(hi))
            if kind == "head":
                H = curve(X, nb, A, B)
                if not H.is_finite():
                    raise Rejected("piece %d: h is not enclosed" % i)
                hulls.append(H)
                continue
            dh = curve(Dual(X, (1,)), nb, A, B).g[0]
            if not (dh.is_finite() and dh > 0):
                raise Rejected("piece %d [%s, %s]: h' > 0 not shown" % (i, lo, hi))
            if kind == "fixed":
                names.append(_name_fixed(lo, hi, n, dh - 1, A, B))
                continue
            g = curve(X, nb, A, B) - X
            if _sign(g) == 0:
                m = ball((lo + hi) / 2)
                g = curve(m, nb, A, B) - m + (dh - 1) * (X - m)
            if _sign(g) != (1 if kind == "up" else -1):
                raise Rejected("piece %d [%s, %s] is not shown %s" % (i, lo, hi, kind))
        if len(set(names)) < len(names):
            raise Rejected("a fixed point is named twice: the names are ambiguous")
        segs = _segments(ps[heads:], names)
        if hulls:           # every head's image strictly inside M's first basin
            right = dict(zip(names, [p for p in ps if p[2] == "fixed"]))[segs[0][3]][0]
            if not all(H > ball(ps[heads][0]) and H < ball(right) for H in hulls):
                raise Rejected("a head piece's image is not inside the basin of the %s" % segs[0][0])
    segs[0] = (segs[0][0], "left-end", True) + segs[0][3:]
    return {"fact": "basins", "n": n, "alpha": alpha, "fixed_points": tuple(names),
            "basins": {s[0]: _text(s) for s in segs},
            "pieces": {k: p[:2] for k, p in zip(names, [p for p in ps if p[2] == "fixed"])}}


def _segments(ps, names):
    """M = [m, 1] as consecutive basin intervals (destination, left, left closed, right,
    right closed), the ends named by fixed points ('m' for m)."""
    out, prev, gap, k = [], None, set(), 0
    for lo, hi, kind in ps:
        if kind != "fixed":
            gap.add(kind)
            continue
        name = names[k]
        k += 1
        if len(gap) > 1:
            raise Rejected("up and down pieces between two fixed points")
        rising = "up" in gap if gap else name in STABLE      # no piece between: h' says it
        to = name if rising else prev
        if to is None:
            raise Rejected("h < id at the start of the monotone part: orbits leave it")
        for seg in ((to, prev or "m", prev is None, name, False), (name, name, True, name, True)):
            if out and out[-1][0] == seg[0]:
                seg = out.pop()[:3] + seg[3:]
            out.append(seg)
        prev, gap = name, set()
    if gap or not out:
        raise Rejected("the cover does not end with the fixed piece of O_n")
    return out


def _text(s):
    _, left, lc, right, rc = s
    if left == right:
        return "{%s}" % left
    return "%s%s, %s%s" % ("[" if lc else "(", left, right, "]" if rc else ")")
