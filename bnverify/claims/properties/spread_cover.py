"""Untrusted search for a spread-none item (bnverify/trusted/spreadfam.py): a quadtree over (q, p) in [0, 4w]^2
whose every leaf one of the kernel's tests excludes ("O" outside the family, "S" small q, "1" / "2" a sign of G1
/ G2, "X" the simplex fixed point's uniqueness cell; "U" cells where a fixed point is unstable, only as a second
try).  The search runs the kernel's own leaf tests (the kernel
re-checks them all); None where some cell is still open at the depth limit (near a genuine fixed point off the
lines, or where the balls are too wide)."""
from __future__ import annotations

import copy
import functools
import math
import time
from fractions import Fraction

from flint import ctx

from ... import trusted
from ...core import activations
from ...trusted import mehler, spreadfam
from .two_point import kernel_alpha

PREC = 128
DEPTH = 26
GELU_DEPTH = 44         # the kernel's MAX_DEPTH is 48
ORDER = "OS12X"
GELU_ORDER = "OBZ12X"   # gelu: "B" beyond its bound on q, "Z" its small-scale lemma ("S" never holds: E[phi'] = 1/2)


def _kind(name):
    return activations.REGISTRY[name]


G1_ALONE = "g"      # G1 of one sign in balls, no mean value form: priced by the cell's q side alone (Mehler's covers)
DIFF = "D"          # G1 - G2 of one sign (the mean value form): tried for Mehler's covers, after "1" and "2"
UNSTABLE = "U"      # tried only when no cover without it exists: its fact answers for stable fixed points only


SHIFTS = (Fraction(1), Fraction(101, 100), Fraction(107, 100), Fraction(113, 100))    # the square's side: 4 w times
# at most what one certificate's work budget pays for (items.py: 3/2 per cell per bit, 128 bits)
MAX_CELLS = trusted.kernel.CERT_WORK // (PREC * 3 // 2)
OVER = 3 / 2            # an order estimated above OVER x MAX_CELLS on its first grid is not searched (moved grids
#                         differ by 13 % at most in side; erf's n = 63, 179,525 cells, fits on one: 1.08 x)
SECONDS = 120           # one n's search, every grid and order together (erf at sigma_w^2 = 100, n = 64 took 116 s)


def lemma_decides(act, w):
    """Whether the trusted kernel's collapse or parity lemmas (trusted/twopoint.py, ``collapses``, ``grows``) hold
    for RC + ``act`` at sigma_w^2 = w: then every claim on the two-point, simplex or spread-cluster state, over any
    range of n, is decided with no evidence.  A choice of path only: the rows are the kernel's verdicts."""
    return (trusted.twopoint.collapses(act.kernel_name, kernel_alpha(act), Fraction(w)) or
            trusted.twopoint.grows(act.kernel_name, Fraction(w)))


def searched(act, w):
    """True where covers are searched: the kernel checks spread-none items for ``act`` (Kind.spread_cover) and its
    collapse and parity lemmas do not already decide sigma_w^2 = w (no evidence needed there); an activation with a
    parameter (elu) at its kind's default only (elu's covers are alpha 1's: its small-scale lemma needs slope 1 on both
    sides of 0)."""
    return act.kind.spread_cover and kernel_alpha(act) == (act.kind.alpha or 0) and not lemma_decides(act, w)


MEMO = 1 << 16         # some 40 MB at most


def _leaf(memo, tag, name, n, w, q0, q1, p0, p1, bound=None):
    """The kernel's leaf test (spreadfam._leaf) of one cell, through ``memo`` (a dict of one search's answers, which
    ``size``'s estimate, the tree and a second order's tree ask for again) unless it is None; at most MEMO answers are
    kept (the estimate's cells come first).  ``bound``: gelu's bound on q (one object per search, which outlives the
    memo, so its id keys it).  A choice of where to look only: the kernel re-checks every leaf of the tree it is sent."""
    if memo is None:
        return spreadfam._leaf(tag, name, n, w, q0, q1, p0, p1, bound)
    key = (tag, name, n, w, q0, q1, p0, p1, ctx.prec, id(bound))
    got = memo.get(key)
    if got is None:
        got = bool(spreadfam._leaf(tag, name, n, w, q0, q1, p0, p1, bound))
        if len(memo) < MEMO:
            memo[key] = got
    return got


class OverBudget(Exception):
    """A tree's prefix already costs more than one certificate's budget (``cells``, ``cost``): so does every cover
    that extends it (items.work's price only grows with the tree)."""

    def __init__(self, cells, cost):
        super().__init__(cells, cost)
        self.cells, self.cost = cells, cost


def tree(name, n, w, depth=DEPTH, budget=spreadfam.MAX_LEAVES, top=None, order=ORDER, deadline=None, bound=None,
         memo=None, price=None):
    """The preorder string of a cover of [0, top]^2 (default 4w, sigmoid w) with the tags ``order`` (tried in turn),
    or None (an open cell at the depth limit, over ``budget`` leaves, or past ``deadline``, a time.monotonic()
    value); ``memo``: see :func:`_leaf`.  ``price``: a function of a prefix of the preorder string, read every 512
    symbols (a walk of the string: little beside the leaf tests); :class:`OverBudget` once it passes one
    certificate's budget (tanh at sigma_w^2 = 2, n = 15: the whole tree of 8,789 cells took about a minute before
    its price said no)."""
    w = Fraction(w)
    top = spreadfam.side(name) * w if top is None else Fraction(top)
    out, stack, leaves, priced_at = [], [(0, Fraction(0), top, Fraction(0), top)], 0, 1024
    with ctx.workprec(PREC):
        while stack:
            if price is not None and len(out) >= priced_at:
                priced_at += 512
                cost = price("".join(out))
                if cost > trusted.kernel.CERT_WORK:
                    raise OverBudget(len(out), cost)
            d, q0, q1, p0, p1 = stack.pop()
            tag = next((t for t in order if _leaf(memo, t, name, n, w, q0, q1, p0, p1, bound)), None)
            if tag is not None:
                out.append(tag)
                leaves += 1
                if leaves > budget:
                    return None
                continue
            if d >= depth:
                return None
            out.append("4")
            if len(out) > MAX_CELLS or deadline is not None and len(out) % 32 == 0 and time.monotonic() > deadline:
                return None
            qm, pm = (q0 + q1) / 2, (p0 + p1) / 2
            stack += [(d + 1, *c) for c in ((qm, q1, pm, p1), (qm, q1, p0, pm), (q0, qm, pm, p1), (q0, qm, p0, pm))]
    return "".join(out) if len(out) <= MAX_CELLS else None


def size(name, n, w, top, order=ORDER, level=5, runs=3, seed=0, depth=DEPTH, limit=None, deadline=None, bound=None,
         memo=None):
    """An estimate of len(tree(name, n, w, top=top, order=order)) for a few seconds' work at most: the tree itself
    down to depth ``level`` (every cell there, exactly), then below each cell still open there a random path to a
    leaf, ending at depth d: it stands for 4^(d - level) leaves in that cell (the leaf count's Monte Carlo estimate,
    unbiased: a leaf of area A is reached with probability A/area; a tree of L leaves has (4 L - 1)/3 symbols).  The
    median of ``runs`` such estimates (heavy-tailed, as a few deep cells make erf's n = 63 tree: the median errs low),
    or math.inf where a path meets an open cell at the depth limit (the search on this grid fails there).  With
    ``limit``: a run stops once its sum passes it, and the runs once the median is on one side of it (so the
    answer is above ``limit`` exactly when the full median would be, and a lower bound of it then).  0 (no
    estimate) past ``deadline``, a time.monotonic() value; ``memo``: see :func:`_leaf`.
    A choice of which grids to search only, never evidence."""
    import math
    import random

    rnd, w = random.Random(seed), Fraction(w)
    count, open_cells, stack = 0, [], [(0, Fraction(0), Fraction(top), Fraction(0), Fraction(top))]
    shut = lambda c: any(_leaf(memo, t, name, n, w, *c[1:], bound) for t in order)     # noqa: E731
    kids = lambda d, q0, q1, p0, p1: [(d + 1, *c) for c in (                       # noqa: E731
        ((q0 + q1) / 2, q1, (p0 + p1) / 2, p1), ((q0 + q1) / 2, q1, p0, (p0 + p1) / 2),
        (q0, (q0 + q1) / 2, (p0 + p1) / 2, p1), (q0, (q0 + q1) / 2, p0, (p0 + p1) / 2))]
    with ctx.workprec(PREC):
        while stack:
            if deadline is not None and time.monotonic() > deadline:
                return 0
            c = stack.pop()
            if shut(c):
                count += 1
            elif c[0] >= level:
                open_cells.append(c)
            else:
                count += 1
                stack += kids(*c)
        estimates, half = [], runs // 2 + 1
        for _ in range(runs):
            below = 0.0
            for c in open_cells:
                if deadline is not None and time.monotonic() > deadline:
                    return 0
                cell = c
                while not shut(cell):
                    if cell[0] >= depth:
                        return math.inf
                    cell = rnd.choice(kids(*cell))
                below += (4.0 ** (cell[0] - c[0]) * 4 - 1) / 3
                if limit is not None and count + below > limit:
                    break
            estimates.append(count + below)
            if limit is not None and half in (sum(e > limit for e in estimates), sum(e <= limit for e in estimates)):
                break
    return sorted(estimates)[len(estimates) // 2] if len(estimates) % 2 else sorted(estimates)[-half]


_FOUND = {}         # (name, n, w, unstable, kw) -> (item, reasons): the covers found in this process
_KEEP = 64          # at most so many (a tree is at most some 200,000 characters)


def gelu_region(n, w, cap=1024, ratio=1.25):
    """(deltas, rho cuts) of a gelu spread-none item (trusted/spreadfam.py, gelu_bound: q <= w OMEGA^2/delta_i^2 on
    piece i), or None: on each piece delta_i 9/10 (past ``cap`` pieces else 6/10, 3/10) of m's least value on a
    float grid of it, the piece halved while the kernel's m_piece does not show m >= delta_i there or m's float range on it is wider than
    ``ratio`` (its bound would waste the piece's larger m), at most ``cap`` pieces (then only where m_piece fails)."""
    import numpy as np
    w, lo = Fraction(w), Fraction(-1, n - 2)
    kap = lambda x: x / 2 + (np.sqrt(1 - x * x) - x * np.arccos(x)) / (2 * np.pi)     # noqa: E731

    def m(a, b):
        rho = np.linspace(float(a), float(b), 65)
        P0 = np.maximum((n - 1) * (1 + (n - 2) * rho), 0)
        Q1, Qn = spreadfam.family_h(n, float(w), 0, 0, 0.5, kap(np.clip(rho, -1, 1)), np.sqrt(P0) * kap(
            -np.sqrt(P0) / (n - 1)), P0 / 2)
        v = np.maximum(abs(1 - np.sqrt(np.maximum(Q1, 0))), abs(np.sqrt(P0) - np.sqrt(np.maximum(Qn, 0))))
        return float(v.min()), float(v.max())
    cuts, deltas, stack = [lo], [], [(lo, Fraction(1))]
    with ctx.workprec(PREC):
        while stack:
            a, b = stack.pop()
            least, most = m(a, b)
            many = len(cuts) + len(stack) > cap
            fine = many or most < ratio * least
            d = next((d for d in (Fraction(least * k).limit_denominator(10 ** 6) for k in (0.9, 0.6, 0.3)[:1 + 2 * many])
                      if d > 0 and fine and spreadfam.m_piece(n, spreadfam.ball(w), spreadfam.ball(d), a, b)), None)
            if d is not None:
                cuts.append(b)
                deltas.append(d)
            elif b - a < Fraction(1, 2 ** 40) or len(cuts) + len(stack) > 4000:
                return None
            else:
                stack += [((a + b) / 2, b), (a, (a + b) / 2)]
    return deltas, cuts


def item(name, n, w, unstable=True, seconds=SECONDS, why=None, **kw):
    """The item of :func:`search_item`, searched once per arguments in a process when one is found (a cover is
    seconds of the kernel's leaf tests; a claim's threshold and radius, the attractor table and the atlas ask for
    the same one): again it comes as a copy, and ``why`` gets the reasons the search gave.  A None is never kept
    (it may be the time limit's)."""
    key = (name, n, Fraction(w), bool(unstable), tuple(sorted(kw.items())))
    if key not in _FOUND:
        said = []
        found = search_item(name, n, w, unstable, seconds, said, **kw)
        _say_all(why, said)
        if found is None:
            return None
        if len(_FOUND) >= _KEEP:
            _FOUND.pop(next(iter(_FOUND)))
        _FOUND[key] = (found, said)
        return copy.deepcopy(found)
    found, said = _FOUND[key]
    _say_all(why, said)
    return copy.deepcopy(found)


def _say_all(why, said):
    if why is not None:
        why.extend(said)


def search_item(name, n, w, unstable=True, seconds=SECONDS, why=None, **kw):
    """A spread-none item, or None: the grid of side 4w, else moved by a larger side (a simplex fixed point at a
    grid line, such as q = 7/8 for erf at sigma_w^2 = 2, n = 21, has no uniqueness cell around it; a tree over the
    certificate's budget, 179,525 cells for erf at n = 63, is 121,189 on the side 808/100).  Only if no cover
    without "U" leaves exists and ``unstable``: one with them (n = 3's unstable {v, -v, 0}), which shows no stable
    fixed point only (a "U" cell can end a branch that "1" or "2" would have closed a level lower).  None after
    ``seconds`` in all.  Two shortcuts, choices of what to search only: at n = 3 where the point {v, -v, 0} is
    found (point_item) no cover without "U" leaves exists, so none is searched; and an order whose tree on the
    first grid is estimated (``size``) above OVER times the budget is not searched on any grid (sin at
    sigma_w^2 = 100, n = 3: some 300,000 cells; 98 to 126 s of search before, about 2 s of estimate now).
    ``why``: a list to which the reasons for None are appended."""
    deadline = time.monotonic() + seconds
    memo = {}           # the leaf tests' answers in this search: the estimate's cells and each order's are the tree's
    odd = name in spreadfam.MEH         # tanh, sigmoid, silu: no "U" cells (the kernel has no det(J - I) test for them)
    order = GELU_ORDER if _kind(name).relu_bound else ORDER
    if odd:             # Mehler's covers: "D" (G1 - G2) before "X" (tanh at sigma_w^2 = 2, n = 14: 7,329 cells -> 1,461),
        order = order.replace("X", DIFF + "X").replace("1", G1_ALONE + "1")     # "g" (G1 from q's ball) before "1"
    orders = (order, order + UNSTABLE) if unstable and not odd else (order,)
    side, bound, extra = spreadfam.side(name) * Fraction(w), None, {}
    if _kind(name).relu_bound:      # gelu: its bound on q from the rho partition (the kernel derives it again); deeper trees: its
        kw.setdefault("depth", GELU_DEPTH)      # square's side is up to 10^7, its "Z" cells some 10^-4 wide
        region = gelu_region(n, w)
        if region is None:
            _say(why, "no rho partition shows gelu's distance to relu above 0 (sigma_w^2 = %s is near a critical value "
                 "of relu's scale at n = %d)" % (w, n))
            return None
        bs = [Fraction(w) * spreadfam.REGION[name][0]() ** 2 / d ** 2 for d in region[0]]
        bound = (region[1], bs, max(bs))        # as the kernel's gelu_bound
        side = (n - 1) ** 2 * bound[2]
        extra = {"delta": [str(d) for d in region[0]], "rho": [str(c) for c in region[1]]}
    if n == 3 and point_item(name, n, w) is not None:
        orders = orders[1:]
        _say(why, "n = 3's point {v, -v, 0} exists: no cover without unstable cells" +
             (" (and none with them for %s)" % name if odd else ""))
    for order in orders:
        guess = size(name, n, w, side, order, depth=kw.get("depth", DEPTH), limit=OVER * MAX_CELLS / (1 + bool(extra)),
                     deadline=deadline, bound=bound, memo=memo)
        if guess == float("inf") and extra:     # gelu: an open cell at depth 44 on the first grid, near a point off
            _say(why, "a cover%s meets an open cell at the depth limit (near a fixed point off the lines)" % (  # the
                " with unstable cells" if UNSTABLE in order else ""))      # lines: other grids are as deep and as slow
            continue
        if OVER * MAX_CELLS / (1 + bool(extra)) < guess < float("inf"):     # inf: an open cell on this grid, perhaps not on a moved one
            _say(why, "a cover%s would need more than %s cells (an estimate), over one certificate's budget of %s" % (
                " with unstable cells" if UNSTABLE in order else "", "{:,}".format(int(round(guess, -3))),
                "{:,}".format(MAX_CELLS // (1 + bool(extra)))))
            continue
        for k in SHIFTS[:1] if extra else SHIFTS:     # gelu's side (n-1)^2 times its bound: grid lines at no round q
            if time.monotonic() > deadline:
                _say(why, "the search's %d s ran out" % seconds)
                return None
            top = side * k        # sigmoid: w (|phi - 1/2| <= 1/2); gelu: (n - 1)^2 times its bound on q
            shell = dict({"type": "spread-none", "activation": name, "alpha": str(_kind(name).alpha or 0),
                          "weight_var": str(Fraction(w)), "n": n, "prec": PREC, "top": str(top), "tree": ""}, **extra)
            try:
                t = tree(name, n, w, top=top, order=order, deadline=deadline, bound=bound, memo=memo,
                         price=(lambda t: trusted.items.work(dict(shell, tree=t))) if odd else None, **kw)
            except OverBudget as e:
                _say(why, "a cover of more than %s cells costs more than %s, over one certificate's budget of %s "
                     "(its integrals)" % ("{:,}".format(e.cells), "{:,}".format(e.cost),
                                          "{:,}".format(trusted.kernel.CERT_WORK)))
                return None
            found = t and dict(shell, tree=t)
            if found and trusted.items.work(found) <= trusted.kernel.CERT_WORK:
                return found
            if found:       # tanh, sigmoid: their integrals' price (items.py) beside the cells'
                _say(why, "a cover of %s cells costs %s, over one certificate's budget of %s%s" % (
                    "{:,}".format(len(t)), "{:,}".format(trusted.items.work(found)),
                    "{:,}".format(trusted.kernel.CERT_WORK), " (its integrals)" if odd else ""))
                return None
        _say(why, "no cover%s on the %d grid%s (an open cell near a fixed point off the lines, at the depth limit, or "
             "over the budget)" % (" with unstable cells" if UNSTABLE in order else "", 1 if extra else len(SHIFTS),
                                   "" if extra else "s"))
    return None


def _say(why, text):
    if why is not None:
        why.append(text)


SMALLEST_Q = Fraction(1, 10 ** 30)      # the edge scan's floor: 128 bits still tell w a(q) - q from 0 there


def point_item(name, n, w):
    """A spread-point item for n = 3's {v, -v, 0} (trusted/spreadfam.py, check_spread_point), or None: the root of
    q' - q along the edge p = 0 (q = w E[phi(sqrt q Z)^2] there) by bisection in floats of the kernel's own balls'
    midpoints, from [10^-6, 4w], or below 10^-6 by a scan down by factors of 16 to SMALLEST_Q where q' - q is not yet
    positive at 10^-6 (just above the collapse lemma's edge, erf at sigma_w^2 = 0.7853982: q = 2.3e-8), then cells of
    relative half-width 2^-6 .. 2^-20 around it until the kernel's tests pass, with a narrow bracket [root_lo,
    root_hi] of relative half-width 2^-30 (else 2^-26, 2^-22) inside, where the kernel encloses the point's spectral
    radius of DF (about 10^-7 wide; over the cell itself it would be some 0.5).  For tanh and sigmoid (spreadfam.ODD)
    the same search on the kernel's one-dimensional integrals (odd_edge): the cell then only frames the bracket (no
    "U" test is made for them).  Searched once per arguments in a process (the cover search at n = 3, a claim's
    properties and the attractor's row ask for the same point; tanh's integrals take a second or two): each caller
    gets its own copy."""
    if n != 3 or not _kind(name).spread_point:
        return None
    return copy.deepcopy(_point_item(name, n, Fraction(w), PREC, SMALLEST_Q))


@functools.lru_cache(maxsize=64)
def _point_item(name, n, w, prec, smallest):
    """:func:`point_item` itself; ``prec`` and ``smallest`` (the module's PREC and SMALLEST_Q) only key the cache."""

    def g(q):
        with ctx.workprec(PREC):
            wb, qb = spreadfam.ball(w), spreadfam.ball(q)
            if name in spreadfam.ODD:           # no closed kernel: the kernel's one-dimensional integrals
                return float(spreadfam.odd_edge(name, wb, qb).mid())
            return float(spreadfam.h12(name, 3, wb, qb, spreadfam.arb(0))[0].mid())
    lo, hi = Fraction(1, 10 ** 6), 4 * w
    if not g(hi) < 0:                       # q' - q = w a(q) - q: above 0 near 0 (w a'(0) > 1), below at 4w
        return None
    while not g(lo) > 0:                    # just above the collapse lemma's edge the root is near 0: scan down
        if lo < SMALLEST_Q:
            return None
        lo, hi = lo / 16, lo
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


def boxed(name):
    """Whether the kernel checks spread-box items for this activation: gelu, erf, sin by their closed kernels
    (spreadbox.BOX), silu, softplus, elu by Mehler's series (spreadbox.MEHLER)."""
    from ...trusted import spreadbox
    return name in spreadbox.BOX or name in spreadbox.MEHLER


def box_item(name, n, w, q, rho, steps=8, alpha=0):
    """A spread-box item (trusted/spreadbox.py, check_spread_box) around a float point (q, rho) of the symmetric
    family (the float search's, bnverify.derive.spread), or None: Newton's method on the kernel's own family map in
    balls' midpoints (128 bits; until the step is below 10^-15 of the point or its own ball's width), then boxes of
    relative half-width 2^-40 (Mehler's: from 2^-30; else 2^-30, 2^-24, 2^-20) around the root with Y the inverse
    of the Jacobian at the root (17-digit floats), until the kernel's test passes.  SiLU, softplus, ELU
    (spreadbox.MEHLER): Mehler's series of the fewest terms (10 to 60) whose tail weight is below 2^-60 at the point's
    correlations, else 60, else 120 (the float search's point can be some 1% off: its
    quadrature struggles at the odd point's large variance); none where the kernel would refuse the box on price.
    Searched once per arguments in a process (a claim's properties at one n and the attractor's rows ask for the same
    box; SiLU's 120-term Newton steps take seconds): each caller gets its own copy."""
    return copy.deepcopy(_box_item(name, n, Fraction(w), float(q), float(rho), steps, Fraction(alpha), PREC,
                                   trusted.kernel.CERT_WORK))


@functools.lru_cache(maxsize=256)
def _box_item(name, n, w, q, rho, steps, alpha, prec, budget):
    """:func:`box_item` itself; ``prec`` and ``budget`` (the module's precision and a certificate's work budget) only
    key the cache."""
    from ...trusted import spreadbox
    if not boxed(name) or not 3 <= n <= trusted.items.N_MAX or not -1 / (n - 2) < rho < 1:
        return None
    # the shortest series whose tail weight (N + 3)|r|^(N+1) is below 2^-60 at the point's larger correlation (cluster
    # rho, cross r = sqrt(p/q)/(n-1)), from 10 to 60 terms: a short series is cheaper (softplus at 7/2, n = 5 and 6:
    # 20 terms pass, and two 60-term boxes are over a certificate's budget together)
    r = max(abs(rho), math.sqrt(max(0.0, 1 + (n - 2) * rho) / (n - 1)))
    short = max(10, min(60, mehler.terms(r, 2.0 ** -60)))
    left = []
    for terms in (tuple(dict.fromkeys((short, 60, 120))) if name in spreadbox.MEHLER else (0,)):
        it = _box_at(spreadbox, name, alpha, terms, n, w, q, rho, steps, left)
        if it is not None or left:      # Newton's first step left the domain: a longer series' step leaves it too
            return it
    return None


def _box_at(spreadbox, name, alpha, terms, n, w, q, rho, steps, left=None):
    """The item of :func:`box_item` for one series length, or None; ``left`` (a list) gets "left" where Newton's first
    step leaves the domain q, p in (0, 10^6) by more than four times the step's own ball radius: every series' balls
    hold the same kernel values, so a longer series' first step (from the same point) differs by less than that and
    leaves it as well (SiLU at gelu's point: 59, 60 and 120 terms, 8 s, where one try shows it)."""
    x = [Fraction(repr(float(q))), Fraction(repr(float((n - 1) * q * (1 + (n - 2) * rho))))]
    if terms and trusted.items.work({"type": "spread-box", "activation": name, "alpha": str(alpha),
                                     "weight_var": str(w), "n": n, "prec": PREC, "q_lo": str(x[0]), "q_hi": str(x[0] * 2), "p_lo": str(x[1]),
                                     "p_hi": str(2 * x[1]), "Y": [], "terms": terms}) > trusted.kernel.CERT_WORK:
        return None         # a box the kernel would refuse on price alone (softplus at large variances): not tried

    def jac(x):
        return spreadbox.state(name, alpha, terms, n, spreadfam.ball(w), *(spreadfam.ball(v) for v in x))
    with ctx.workprec(PREC):
        try:
            for k in range(steps):
                h, J = jac(x)
                det = J[0][0] * J[1][1] - J[0][1] * J[1][0]
                step = [(J[1][1] * h[0] - J[0][1] * h[1]) / det, (J[0][0] * h[1] - J[1][0] * h[0]) / det]
                x = [v - spreadfam.exact(d.mid()) for v, d in zip(x, step)]
                if not all(v > 0 for v in x) or not all(v < 10 ** 6 for v in x):
                    if k == 0 and left is not None and all(d.is_finite() for d in step) and any(
                            float(-v if v <= 0 else v - 10 ** 6) > 4 * float(d.rad())
                            for v, d in zip(x, step) if not 0 < v < 10 ** 6):
                        left.append("left")
                    return None
                if all(d.contains(0) or abs(float(d.mid())) <= 1e-15 * float(v) for v, d in zip(x, step)):
                    break           # below the balls' own width (Mehler's: some 10^-9)
        except (ValueError, ZeroDivisionError, OverflowError, trusted.Rejected):
            return None
    M = [[float(J[i][j].mid()) for j in range(2)] for i in range(2)]
    det = M[0][0] * M[1][1] - M[0][1] * M[1][0]
    if not det:
        return None
    Y = [[M[1][1] / det, -M[0][1] / det], [-M[1][0] / det, M[0][0] / det]]
    x = [Fraction(repr(float(v))) for v in x]
    for k in (40, 30, 24, 20)[1 if terms else 0:]:         # Mehler's h(m) is some 10^-9 wide: not 2^-40
        it = {"type": "spread-box", "activation": name, "alpha": str(alpha), "weight_var": str(w), "n": n,
              "prec": PREC, "q_lo": str(x[0] - x[0] / 2 ** k), "q_hi": str(x[0] + x[0] / 2 ** k),
              "p_lo": str(x[1] - x[1] / 2 ** k), "p_hi": str(x[1] + x[1] / 2 ** k),
              "Y": [[str(Fraction(repr(v))) for v in r] for r in Y]}
        if terms:
            it["terms"] = terms
        try:
            spreadbox.check_spread_box(it)
            return it
        except trusted.Rejected:
            continue
    return None


def box_items(act, n, w):
    """(spread-box items, the float search's spread points) at n: one item per spread-cluster point the float search
    finds (bnverify.derive.spread.search) that the kernel's Krawczyk test confirms.  A choice of evidence only."""
    from ...derive import spread
    found = spread.search(act, n, float(w))["spread"]
    got = [box_item(act.name, n, w, p["q"], p["rho"], alpha=kernel_alpha(act)) for p in found]
    return [it for it in got if it is not None], found


__all__ = ["box_item", "box_items", "boxed", "item", "lemma_decides", "point_item", "search_item", "searched", "size",
           "tree", "trusted"]
