"""Untrusted search for a spread-none item (bnverify/trusted/spreadfam.py): a quadtree over (q, p) in [0, 4w]^2
whose every leaf one of the kernel's tests excludes ("O" outside the family, "S" small q, "1" / "2" a sign of G1
/ G2, "X" the simplex fixed point's uniqueness cell).  The search runs the kernel's own leaf tests (the kernel
re-checks them all); None where some cell is still open at the depth limit (near a genuine fixed point off the
lines, or where the balls are too wide)."""
from __future__ import annotations

from fractions import Fraction

from flint import ctx

from ... import trusted
from ...trusted import spreadfam

PREC = 128
DEPTH = 26
ORDER = "OS12X"


def tree(name, n, w, depth=DEPTH, budget=spreadfam.MAX_LEAVES):
    """The preorder string of a cover, or None (an open cell at the depth limit, or over ``budget`` leaves)."""
    w = Fraction(w)
    out, stack, leaves = [], [(0, Fraction(0), 4 * w, Fraction(0), 4 * w)], 0
    with ctx.workprec(PREC):
        while stack:
            d, q0, q1, p0, p1 = stack.pop()
            tag = next((t for t in ORDER if spreadfam._leaf(t, name, n, w, q0, q1, p0, p1)), None)
            if tag is not None:
                out.append(tag)
                leaves += 1
                if leaves > budget:
                    return None
                continue
            if d >= depth:
                return None
            out.append("4")
            qm, pm = (q0 + q1) / 2, (p0 + p1) / 2
            stack += [(d + 1, *c) for c in ((qm, q1, pm, p1), (qm, q1, p0, pm), (q0, qm, pm, p1), (q0, qm, p0, pm))]
    return "".join(out)


def item(name, n, w, **kw):
    t = tree(name, n, w, **kw)
    return None if t is None else {"type": "spread-none", "activation": name, "alpha": "0", "weight_var": str(Fraction(w)),
                                   "n": n, "prec": PREC, "tree": t}


__all__ = ["item", "tree", "trusted"]
