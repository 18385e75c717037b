"""Untrusted search for a spread-none item (bnverify/trusted/spreadfam.py): a quadtree over (q, p) in [0, 4w]^2
whose every leaf one of the kernel's tests excludes ("O" outside the family, "S" small q, "1" / "2" a sign of G1
/ G2, "X" the simplex fixed point's uniqueness cell; "U" cells where a fixed point is unstable, only as a second
try).  The search runs the kernel's own leaf tests (the kernel
re-checks them all); None where some cell is still open at the depth limit (near a genuine fixed point off the
lines, or where the balls are too wide)."""
from __future__ import annotations

import time
from fractions import Fraction

from flint import ctx

from ... import trusted
from ...trusted import spreadfam

PREC = 128
DEPTH = 26
ORDER = "OS12X"
UNSTABLE = "U"      # tried only when no cover without it exists: its fact answers for stable fixed points only


SHIFTS = (Fraction(1), Fraction(101, 100), Fraction(107, 100), Fraction(113, 100))    # the square's side: 4 w times
# at most what one certificate's work budget pays for (items.py: 3/2 per cell per bit, 128 bits)
MAX_CELLS = trusted.kernel.CERT_WORK // (PREC * 3 // 2)
SECONDS = 120           # one n's search, every grid and order together (erf at sigma_w^2 = 100, n = 64 took 116 s)


def searched(act, w):
    """True where covers are searched: the kernel checks spread-none items for ``act`` (Kind.spread_cover) and its
    collapse lemma does not already decide sigma_w^2 = w (no evidence needed there)."""
    return act.kind.spread_cover and not trusted.twopoint.collapses(act.name, Fraction(0), Fraction(w))


def tree(name, n, w, depth=DEPTH, budget=spreadfam.MAX_LEAVES, top=None, order=ORDER, deadline=None):
    """The preorder string of a cover of [0, top]^2 (default 4w) with the tags ``order`` (tried in turn), or None (an
    open cell at the depth limit, over ``budget`` leaves, or past ``deadline``, a time.monotonic() value)."""
    w = Fraction(w)
    top = 4 * w if top is None else Fraction(top)
    out, stack, leaves = [], [(0, Fraction(0), top, Fraction(0), top)], 0
    with ctx.workprec(PREC):
        while stack:
            d, q0, q1, p0, p1 = stack.pop()
            tag = next((t for t in order if spreadfam._leaf(t, name, n, w, q0, q1, p0, p1)), None)
            if tag is not None:
                out.append(tag)
                leaves += 1
                if leaves > budget:
                    return None
                continue
            if d >= depth:
                return None
            out.append("4")
            if len(out) > MAX_CELLS or deadline is not None and len(out) % 512 == 0 and time.monotonic() > deadline:
                return None
            qm, pm = (q0 + q1) / 2, (p0 + p1) / 2
            stack += [(d + 1, *c) for c in ((qm, q1, pm, p1), (qm, q1, p0, pm), (q0, qm, pm, p1), (q0, qm, p0, pm))]
    return "".join(out) if len(out) <= MAX_CELLS else None


def item(name, n, w, unstable=True, seconds=SECONDS, **kw):
    """A spread-none item, or None: the grid of side 4w, else moved by a larger side (a simplex fixed point at a
    grid line, such as q = 7/8 for erf at sigma_w^2 = 2, n = 21, has no uniqueness cell around it; a tree over the
    certificate's budget, 179,525 cells for erf at n = 63, is 121,189 on the side 808/100).  Only if no cover
    without "U" leaves exists and ``unstable``: one with them (n = 3's unstable {v, -v, 0}), which shows no stable
    fixed point only (a "U" cell can end a branch that "1" or "2" would have closed a level lower).  None after
    ``seconds`` in all."""
    deadline = time.monotonic() + seconds
    for order in (ORDER, ORDER + UNSTABLE) if unstable else (ORDER,):
        for k in SHIFTS:
            if time.monotonic() > deadline:
                return None
            top = 4 * Fraction(w) * k
            t = tree(name, n, w, top=top, order=order, deadline=deadline, **kw)
            if t is not None:
                return {"type": "spread-none", "activation": name, "alpha": "0", "weight_var": str(Fraction(w)),
                        "n": n, "prec": PREC, "top": str(top), "tree": t}
    return None


def point_item(name, n, w):
    """A spread-point item for n = 3's {v, -v, 0} (trusted/spreadfam.py, check_spread_point), or None: the root of
    q' - q along the edge p = 0 by bisection in floats of the kernel's own balls' midpoints, then cells of relative
    half-width 2^-6 .. 2^-20 around it until the kernel's tests pass, with a narrow bracket [root_lo, root_hi] of
    relative half-width 2^-30 (else 2^-26, 2^-22) inside, where the kernel encloses the point's spectral radius of DF
    (about 10^-7 wide; over the cell itself it would be some 0.5)."""
    if n != 3:
        return None
    w = Fraction(w)

    def g(q):
        with ctx.workprec(PREC):
            return float(spreadfam.h12(name, 3, spreadfam.ball(w), spreadfam.ball(q), spreadfam.arb(0))[0].mid())
    lo, hi = Fraction(1, 10 ** 6), 4 * w
    while not g(lo) > 0 and lo > Fraction(1, 2 ** 300):     # just above the collapse lemma's edge q* < 10^-6
        lo, hi = lo / 2 ** 20, lo
    if not g(lo) > 0 > g(hi):               # q' - q = w a(q) - q: above 0 near 0 (w a'(0) > 1), below at 4w
        return None
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if g(mid) > 0 else (lo, mid)
    q = Fraction(repr(float((lo + hi) / 2)))           # 17 digits: the cells are wider than its error
    for k in range(6, 21, 2):
        h = q / 2 ** k
        it = {"type": "spread-point", "activation": name, "alpha": "0", "weight_var": str(w), "n": 3, "prec": PREC,
              "q_lo": str(q - h), "q_hi": str(q + h), "p_hi": str(h)}
        try:
            spreadfam.check_spread_point(it)
        except trusted.Rejected:
            continue
        for j in (30, 26, 22):
            tight = dict(it, root_lo=str(q - q / 2 ** j), root_hi=str(q + q / 2 ** j))
            try:
                spreadfam.check_spread_point(tight)
                return tight
            except trusted.Rejected:
                continue
        return it
    return None


__all__ = ["item", "point_item", "searched", "tree", "trusted"]
