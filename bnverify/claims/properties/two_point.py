"""Untrusted search for the two-point family of RC + a non-homogeneous phi, one n: a bracket of
the first root of S(s) = s (:mod:`bnverify.derive.twopoint`), and for a bounded phi a cover that
puts every root in one bracket (the kernel's ``two-point-cover``).  The cover's pieces are tried
with the trusted evaluator itself (as :mod:`.states` asks the kernel's model for eigenvectors), so
a piece kept here passes there."""
from __future__ import annotations

import copy
import functools
import math
from fractions import Fraction

import numpy as np
from flint import arb, ctx

from ... import trusted
from ...derive import twopoint
from ...errors import BadInput

PREC = 128
COVER_REL = Fraction(1, 10 ** 4)     # the cover's bracket: the root +- 0.01 % (the radius's enclosure over it
                                     # is then some 1 % wide; at +- 1 % it was 50 % wide for erf at n = 3)
MAX_PIECES = 400


def kernel_alpha(act):
    """The alpha the trusted two-point table reads: elu's, else 0."""
    return Fraction(act.alpha) if act.takes_alpha else Fraction(0)


FAR_WIDTHS = (Fraction(1, 10 ** 12), Fraction(1, 10 ** 9), Fraction(1, 10 ** 6), Fraction(1, 10 ** 4))


def bracket_item(act, n, w, which=0):
    """The two-point-bracket item around the root number ``which`` of the scan, or None.  A root past GRID's end
    (twopoint.FAR) is shown with the kernel's own evaluator first: where S(s)/s nears 1 slowly (GELU's second root at
    801/400, n = 1000, s near 20160: S'(s) - 1 about -1e-4) the root +- 1e-15 is narrower than the kernel's balls, so
    the bracket is widened to the narrowest of FAR_WIDTHS that the kernel shows (None if none)."""
    br = twopoint.bracket(act, n, w, which=which)
    if br is None:
        return None
    if br[1] <= twopoint.GRID[1]:
        return twopoint.item(act, n, w, *br)
    c = (br[0] + br[1]) / 2
    for lo, hi in [br] + [((c * (1 - r)).limit_denominator(int(10 / (r * c)) + 1),
                           (c * (1 + r)).limit_denominator(int(10 / (r * c)) + 1)) for r in FAR_WIDTHS]:
        try:
            ends = [_sign(act, n, w, lo, "two-point"), _sign(act, n, w, hi, "two-point")]
        except trusted.Rejected:
            return None
        if ends[0] * ends[1] < 0:
            return twopoint.item(act, n, w, lo, hi)
    return None


def _sign(act, n, w, s, state):
    """The sign of S(s) - s by the kernel's evaluator: +1, -1, or 0 where the ball holds 0."""
    with ctx.workprec(PREC):
        d = trusted.twopoint.distance(state, act.kernel_name, kernel_alpha(act), n, Fraction(w),
                                      trusted.twopoint.ball(s)) - trusted.twopoint.ball(s)    # the kernel's tolerance
    return 1 if d > 0 else -1 if d < 0 else 0


def bracket_items(act, n, w, state="two-point", first=None):
    """A bracket item per sign change of S(s) - s on the float scan, in s ([None] where one was not
    shown in balls; [] when the scan has none); ``first``: the first root's, already found."""
    count = len(twopoint.roots(act, n, Fraction(w), state=state))
    find = simplex_bracket_item if state == "simplex" else bracket_item
    return [first if k == 0 and first is not None else find(act, n, w, which=k) for k in range(count)]


SIMPLEX_WIDTHS = (Fraction(1, 10 ** 9), Fraction(1, 10 ** 7), Fraction(1, 10 ** 5), Fraction(1, 4000))


def simplex_bracket_item(act, n, w, which=0):
    """The item of :func:`_simplex_bracket_item`, searched once per arguments in a process (seconds of
    balls for tanh; the simplex command, the atlas and a claim's fixed point and spectral radius ask for the
    same one); each call gets its own copy."""
    return copy.deepcopy(_simplex_bracket_item(act, n, w, which))


@functools.lru_cache(maxsize=256)
def _simplex_bracket_item(act, n, w, which=0):
    """A simplex-bracket item around the float root of the simplex state's S(s) = s: the narrowest of
    SIMPLEX_WIDTHS, else the scan's own pair of points around the sign change, whose ends the kernel's
    own evaluator (Mehler's series in balls) shows of opposite signs, narrowed by bisection in balls to
    1e-8, else that pair widened (GELU at sigma_w^2 = 67/20, n = 3: the float root 20.68, the true 21.64,
    where S(s)/s stays near 1); None when the scan finds no root (``which``: the sign change's number,
    from 0) or none of these does (the float rule is poor at a kink, or 1 % off for tanh at sigma_w^2 = 100)."""
    root = twopoint.simplex_root(act, n, w, which)
    if root is None:
        return None
    alpha = kernel_alpha(act)

    def sign(s):            # the kernel's evaluator: +1, -1, or 0 where the ball holds 0
        with ctx.workprec(PREC):
            d = trusted.twopoint.distance("simplex", act.kernel_name, alpha, n, Fraction(w), trusted.twopoint.ball(s),
                                          2.0 ** -40) - trusted.twopoint.ball(s)
        return 1 if d > 0 else -1 if d < 0 else 0
    c = Fraction(root)

    def tries():            # the scan (a second float pass) only once every width has failed
        yield from ((c * (1 - rel), c * (1 + rel), int(10 / (rel * c))) for rel in SIMPLEX_WIDTHS)
        found = twopoint.roots(act, n, Fraction(w), state="simplex")
        a, b = found[which]
        yield from ((Fraction(a / f), Fraction(b * f), 10 ** 12) for f in (1, 1.1, 1.3))
        yield from _ball_grid(sign, found, which)
    for lo, hi, den in tries():
        lo, hi = lo.limit_denominator(den), hi.limit_denominator(den)
        try:
            ends = [sign(lo), sign(hi)]
        except trusted.Rejected:
            return None
        if ends[0] * ends[1] < 0:
            # a wide bracket (the float rule is poor at a kink): narrowed by bisection in balls, to 1e-8
            while (hi - lo) > lo / 10 ** 8:
                m = ((lo + hi) / 2).limit_denominator(int(10 ** 10 / lo))
                sm = sign(m) if lo < m < hi else 0
                if sm == 0:
                    break
                lo, hi = (m, hi) if sm == ends[0] else (lo, m)
            if 1024 * (hi - lo) <= lo:
                return twopoint.item(act, n, w, lo, hi, PREC, state="simplex")
    return None


GRID_STEP, GRID_REACH = 2 ** 0.25, 8       # the ball grid: root * GRID_STEP^k, |k| <= GRID_REACH (a factor 4 each way)


def _ball_grid(sign, found, which):
    """Sign changes of the kernel's evaluator on a log grid about the float root number ``which``, nearest first,
    kept between the geometric midpoints to the neighbouring float roots (so that each ``which`` looks for its
    own root).  The float rule can be far off where s is large: silu at sigma_w^2 = 3, n = 12 put the second
    root near 148, the balls between 200 and 250 (the tensor Gauss-Hermite rule does not resolve phi's bend at
    a standard deviation of 25)."""
    a, b = found[which]
    root = math.sqrt(a * b)
    lo = math.sqrt(root * math.sqrt(found[which - 1][0] * found[which - 1][1])) if which > 0 else 0.0
    hi = math.sqrt(root * math.sqrt(found[which + 1][0] * found[which + 1][1])) if which + 1 < len(found) else math.inf
    pts = sorted(Fraction(root * GRID_STEP ** k).limit_denominator(10 ** 6) for k in range(-GRID_REACH, GRID_REACH + 1)
                 if lo < root * GRID_STEP ** k < hi)
    signs = {}
    for p, q in sorted(zip(pts, pts[1:]), key=lambda pq: abs(math.log(float(pq[0] * pq[1]) / root ** 2))):
        for x in (p, q):
            if x not in signs:
                try:
                    signs[x] = sign(x)
                except trusted.Rejected:
                    signs[x] = 0
        if signs[p] * signs[q] < 0:
            yield p, q, 10 ** 6


def _trunc(R):
    """1 - 2 (R N(R) + Q(R)) = E[Z^2; |Z| <= R] in floats."""
    return 1 - 2 * (R * math.exp(-R * R / 2) / math.sqrt(2 * math.pi) + math.erfc(R / math.sqrt(2)) / 2)


def _simplex_trunc(R):
    """1 - 2 sqrt 6 sqrt Q(R): the simplex lemma's factor (the kernel's _small_s) in floats."""
    return 1 - 2 * math.sqrt(6) * math.sqrt(math.erfc(R / math.sqrt(2)) / 2)


def _s_min_at(T, n, w, state, holds):
    """The largest s_min (a float) at which a small-s lemma holds at T: the smallest R with holds(R), by
    bisection (the lemmas' factors are monotone in R), turned into s by R = T n/((n-1) sqrt(w s))
    (two-point) or T/sqrt(w s) (simplex), a hair inside."""
    lo, hi = 0.0, 60.0
    for _ in range(80):
        m = (lo + hi) / 2
        lo, hi = (lo, m) if holds(m) else (m, hi)
    lam0 = T / (hi * 1.001) if state == "simplex" else T * n / ((n - 1) * hi * 1.001)
    return lam0 * lam0 / float(w)


def _small_s(act, n, w, tmax, state="two-point"):
    """(T, s_min) with the kernel's small-s lemma above 1 (two-point: w phi'(T)^2 E[Z^2; |Z| <= R] at
    R = T n/((n-1) sqrt(w s_min)); simplex: w phi'(T)^2 (1 - 2 sqrt 6 sqrt Q(R)) at R = T/sqrt(w s_min)),
    s_min as large as a grid of T allows (floats; the kernel re-checks in balls), or None."""
    best = None
    trunc = _simplex_trunc if state == "simplex" else _trunc
    for T in np.linspace(0.02, min(3.0, tmax * 0.98), 150):
        g = float(w) * float(act.dphi(np.array([T]))[0]) ** 2
        if g <= 1.0005:
            continue
        s_min = _s_min_at(T, n, w, state, lambda R: g * trunc(R) > 1)
        if best is None or s_min > best[1]:
            best = (T, s_min)
    if best is None:
        return None
    T, s_min = best
    return Fraction(T).limit_denominator(1000), Fraction(s_min * 0.99).limit_denominator(10 ** 6)


def _piece_ok(name, n, w, a, b, sign, state="two-point", alpha=Fraction(0), slope=False):
    """The kernel's piece test: sign (S(s) - s) > 0 with s the ball [a, b], or with ``slope`` in the mean
    value form about the midpoint m, S(m) - m + (S'([a, b]) - 1)([a, b] - m) (the cover's ``slopes``)."""
    T = trusted.twopoint
    with ctx.workprec(PREC):
        S, tol = arb.union(T.ball(a), T.ball(b)), max(2.0 ** -60, float(b - a) / float(b))
        try:
            if slope:
                m = T.ball((a + b) / 2)
                d = T.distance(state, name, alpha, n, w, m, max(2.0 ** -60, tol * 2.0 ** -20)) - m + \
                    (T._slope(name, alpha, n, w, S, tol, state) - 1) * (S - m)
            else:
                d = T.distance(state, name, alpha, n, w, S, tol) - S
        except trusted.Rejected:
            return False
        return bool(d * sign > 0)


def _cuts(name, n, w, start, end, sign, state="two-point", alpha=Fraction(0), slopes=None, over=None):
    """Cuts from start to end with S(s) - s of one sign on each piece (a piece that fails is cut to
    a third, one that passes lets the next grow by half).  With a set ``slopes`` a piece the ball
    does not show is tried by its slope (S(s)/s near 1 makes S(s) - s over a ball as wide as the
    ball: GELU's second simplex root needed thousands of pieces), and kept in the set; only a piece with
    (b - c)/b sqrt(w b) <= 3/2 (wider, the partials over the ball of variances cost up to a
    second each and fail, "not a finite real ball": softplus at 201/100, n = 1000 spent 2.5 minutes on 296 of them).  None if
    MAX_PIECES do not do, or ``over`` (a test of the cuts so far, every 16th) says they cost too much."""
    cuts, c, h = [start], start, (end - start) / 8
    while c < end and len(cuts) <= MAX_PIECES:
        if over is not None and len(cuts) % 16 == 0 and over(cuts):
            return None
        b = min(end, c + h)
        short = Fraction(float(b))      # a cut of 53 bits, not one whose denominator grows with every step (3^k)
        b = short if b < end and c < short < end and 64 * (end - short) > end - c else b   # no sliver before end
        if _piece_ok(name, n, w, c, b, sign, state, alpha) or slopes is not None and \
                float(b - c) * math.sqrt(float(w * b)) <= 1.5 * float(b) and \
                _piece_ok(name, n, w, c, b, sign, state, alpha, slope=True) and not slopes.add((c, b)):
            cuts.append(b)
            c, h = b, h * (Fraction(3, 2) if slopes is None else 2)
        else:
            h = Fraction(float(h / (3 if slopes is None else Fraction(5, 3))))
            if h < (end - start) * Fraction(1, 10 ** 12):
                return None
    return cuts if cuts[-1] == end else None


def _tail(act, n, w, state, alpha, sign=-1):
    """(eps, s_big) for the kernel's large-s lemma (phi = relu - h) showing S(s) - s of ``sign`` beyond s_big:
    with g = -sign, eps minimizes s_big = k (1 + g/eps) H^2/(1 - (1 + g eps) w c) on a grid (floats, a margin; the
    kernel re-checks in balls), or None where the slope (1 + g eps) w c is on the wrong side of 1 for every eps
    (sign -1: w c >= 1, S(s)/s tends to w c, the scale grows; sign +1: w c <= 1, or eps < 1 leaves none)."""
    with ctx.workprec(PREC):
        H = float(trusted.twopoint.RELU_GAP[act.name](trusted.twopoint.ball(alpha)).mid())
        c = float(trusted.twopoint._relu_slope(n, state).mid())
    k, g = (0.5 if state == "simplex" else 1.0), -sign
    best = None
    for e in np.exp(np.linspace(math.log(1e-5), math.log(10 if g > 0 else 0.999), 600)):
        slope = (1 + g * e) * float(w) * c
        if g * (slope - 1) < 0:
            big = k * (1 + g / e) * H * H / (1 - slope) * 1.01 + 1e-9
            if best is None or big < best[1]:
                best = (e, big)
    cross = _cross_big(act.name, n, w, state, sign)
    if cross is not None and cross <= 5 * 10 ** 5 and (best is None or cross < best[1]):   # the cross-term lemma's
        # s_big, where smaller: the kernel's own test holds there (eps then unused: the kernel tries both lemmas)
        eps = Fraction(best[0] if best is not None else 0.5).limit_denominator(10 ** 6)
        return eps, Fraction(math.ceil(cross * 1000), 1000)
    if best is None or best[1] > 5 * 10 ** 5:
        return None
    return Fraction(best[0]).limit_denominator(10 ** 6), Fraction(best[1]).limit_denominator(10 ** 6) + 1


def _cross_big(name, n, w, state, sign):
    """The least s_big (a float, within 2 %, up to 10^6) at which the kernel's cross-term lemma (twopoint._cross: h
    even and integrable, E[AB] bounded by terms decreasing in s) shows sign (S(s) - s) > 0 beyond, or None."""
    if name not in trusted.twopoint.DECAY:
        return None
    def holds(s):
        return trusted.twopoint._cross(name, n, Fraction(w), Fraction(s).limit_denominator(10 ** 6), state, sign)
    with ctx.workprec(PREC):
        if not holds(10 ** 6):
            return None
        lo, hi = 1e-3, 1e6
        while hi > lo * 1.02:
            m = math.sqrt(lo * hi)
            lo, hi = (lo, m) if holds(m) else (m, hi)
    return hi


def _near_zero(act, n, w, state, alpha, sign):
    """(T, s_min) with the kernel's _near_zero giving ``sign`` (-1: S(s) < s from w (C + L^2 tail) < 1, C = M^2 with
    M = sup |phi'| on [-T, T] for the simplex, for the two-point the same mix of each side's sup as below;
    +1: S(s) > s from w c (1 - tail) > 1, c = m^2 with m = inf phi' > 0 on [-T, T] for the simplex, for the
    two-point ((n-1) m+ + m-)^2 + ((n-1) m- + m+)^2)/(2 n^2) with m+- = inf phi' on each side of 0), s_min as
    large as a grid of T allows (floats on 257 points, a margin; the kernel re-checks in balls), or None."""
    with ctx.workprec(PREC):
        L = float(trusted.twopoint._const(trusted.twopoint.TABLE[act.name][2], trusted.twopoint.ball(alpha)).mid())
    trunc = _simplex_trunc if state == "simplex" else _trunc
    tail = lambda R: 1 - trunc(R)                   # noqa: E731
    best = None
    for slack in (0.01, 0.001):      # the floats' margin on phi' (257 points a side); a thin one where the first fails
        up, down = 1 + slack, 1 - slack
        for T in np.linspace(0.02, 3.0, 150):
            d = act.dphi(np.linspace(-T, T, 257))
            # inf and sup |phi'| on t < 0 and t > 0, each up to 0 from its own side (the kernel takes each side's
            # branch there; phi'(0) in floats is one branch's: ELU(3)'s 3 would count on the right), mixed for the
            # two-point as the kernel mixes them; the simplex takes the worse side
            e = act.dphi(np.array([-1e-12, 1e-12]))
            ml, mr = min(float(np.min(d[:128])), e[0]) * down, min(float(np.min(d[129:])), e[1]) * down
            Ml = max(float(np.max(np.abs(d[:128]))), abs(e[0])) * up
            Mr = max(float(np.max(np.abs(d[129:]))), abs(e[1])) * up
            c, C = (min(ml, mr) ** 2, max(Ml, Mr) ** 2) if state == "simplex" else \
                ((((n - 1) * a + b) ** 2 + ((n - 1) * b + a) ** 2) / (2 * n * n) for a, b in ((mr, ml), (Mr, Ml)))
            if sign < 0 and float(w) * C < 1 - slack / 10:
                holds = lambda R, C=C: float(w) * (C + L * L * tail(R)) < 1            # noqa: E731
            elif sign > 0 and min(ml, mr) > 0 and float(w) * c > 1 + slack / 10:
                holds = lambda R, c=c: float(w) * c * (1 - tail(R)) > 1                # noqa: E731
            else:
                continue
            s_min = _s_min_at(T, n, w, state, holds)
            if best is None or s_min > best[1]:
                best = (T, s_min)
        if best is not None:
            break
    return best and (Fraction(best[0]).limit_denominator(1000), best[1])


OVER_BUDGET = {}       # (activation, n, weight_var, state) -> why the last cover search stopped at the work budget


def cover_item(act, n, w, bracket=None, state="two-point", brackets=None):
    """A two-point-cover (simplex-cover) item putting every root of S(s) = s in one of the brackets, or
    None (no lemma for phi, a root not bracketed, or no cover).  ``bracket``: a bracket item of the same
    model already found (the first root's; the scan then finds no other), ``brackets``: every root's,
    in s (bracket_items).  Each root's cover bracket is its +- COVER_REL; the pieces between are cut
    with the kernel's own evaluator, their sign flipping at each bracket."""
    name, w = act.name, Fraction(w)
    alpha = kernel_alpha(act)
    bounded = name in trusted.twopoint.BOUNDED
    if not bounded and name not in trusted.twopoint.RELU_GAP:
        return None
    if brackets is None:
        brackets = bracket_items(act, n, w, state, bracket) if bracket is None or name not in \
            trusted.twopoint.BOUNDED else [bracket]     # a bounded phi's cover: one root (as before)
    if not bounded:     # relu - h: the scan's sign changes at large s may be float error (silu at 3, n = 13, near
        brackets = [b for b in brackets if b is not None]   # 355 and 9668): cut through them; the kernel re-checks
    if not brackets or any(b is None for b in brackets):
        return None
    pairs = []
    for b in brackets:
        c = (Fraction(b["lo"]) + Fraction(b["hi"])) / 2
        pairs.append((Fraction(float(c * (1 - COVER_REL))).limit_denominator(10 ** 9),
                      Fraction(float(c * (1 + COVER_REL))).limit_denominator(10 ** 9)))
    if any(h >= lo2 for (_, h), (lo2, _) in zip(pairs, pairs[1:])):
        return None
    eps = None
    if bounded:
        osc, tmax = trusted.twopoint.BOUNDED[name]
        small, sign = _small_s(act, n, w, math.inf if tmax == "inf" else math.pi / 2, state), 1
        top = Fraction(osc) ** 2 / (2 if state == "simplex" else 1)
        if pairs[-1][1] >= 2 * top:             # the kernel takes no cut beyond 2 top (every root is below top)
            return None
        end = max(top, min(pairs[-1][1] * 2, 2 * top))
    else:
        last = -1                               # S(s) < s beyond s_big (the -none item's lemma), else S(s) > s (-grow's)
        tail = _tail(act, n, w, state, alpha, last)
        if tail is None:
            last = 1
            tail = _tail(act, n, w, state, alpha, last)
        if tail is None:
            return None
        eps, end = tail
        sign = last * (-1) ** len(brackets)     # the first piece's: flipped at every bracket up to the last
        small = _near_zero(act, n, w, state, alpha, sign)
        if small is not None:
            small = small[0], Fraction(min(small[1] * 0.99, float(pairs[0][0]) / 2)).limit_denominator(10 ** 6)
        if pairs[-1][1] >= end:
            return None
    if small is None or small[1] >= pairs[0][0]:
        return None
    T, s_min = small
    cover = _cover_cuts(name, n, w, alpha, state, pairs, (s_min, end), sign, set(),
                        trusted.kernel.CERT_WORK - trusted.items.work(brackets[0]))
    if cover is None:
        return None
    cover.update({"activation": name, "alpha": str(alpha), "weight_var": str(w), "n": n, "T": str(T)})
    if eps is not None:
        cover["eps"] = str(eps)
    # one the kernel would refuse unchecked (over the certificate's work budget beside its bracket) is no cover;
    # at 64 bits it costs half (the pieces' margins are far above 2^-64: GELU at sigma_w^2 = 71/20, n = 3)
    for prec in (PREC, 64):
        cover["prec"] = prec
        if trusted.items.work(cover) + trusted.items.work(brackets[0]) <= trusted.kernel.CERT_WORK:
            return cover
    return None


def _cover_cuts(name, n, w, alpha, state, pairs, ends, sign, slopes, spare):
    """A cover's type, lo, hi, below, above[, brackets, slopes]: cuts from s_min to the end (``ends``) around the
    brackets ``pairs``, the first piece's sign ``sign`` flipping at each; None if a stretch is not cut, or the cuts
    so far (at 64 bits, the least the kernel prices) cost more than ``spare`` (the budget beside the first bracket):
    silu at 3, n = 20 spent 45 s on a simplex cover 260 times over it."""
    (start, end), cuts = ends, []
    def over(piece):        # the cuts so far at 64 bits (the least the kernel prices), beside the first bracket
        so_far = {"type": state + "-cover", "activation": name, "alpha": str(alpha), "weight_var": str(w), "n": n,
                  "prec": 64, "lo": "1", "hi": "2", "T": "1", "below": [str(x) for x in cuts + piece], "above": [
                      str(end), str(end + 1)], "brackets": [[str(a), str(b)] for a, b in pairs[1:]],
                  "slopes": list(range(len(slopes or ())))}
        if trusted.items.work(so_far) > spare:
            OVER_BUDGET[(name, n, w, state)] = ("a cover of every root (ending at s_big = %.4g) was cut up to s = %.4g "
                                                "in %d pieces, already over one certificate's work budget (%s)" % (
                                                    end, piece[-1], len(cuts) + len(piece) - 1,
                                                    "{:,}".format(trusted.kernel.CERT_WORK)))
            return True
        return False
    for lo, hi in pairs + [(end, None)]:
        piece = _cuts(name, n, w, start, lo, sign, state, alpha, slopes, over)
        if piece is None:
            return None
        cuts += piece
        start, sign = hi, -sign
    k = cuts.index(pairs[0][1])
    cover = {"type": state + "-cover", "lo": str(pairs[0][0]), "hi": str(pairs[0][1]),
             "below": [str(x) for x in cuts[:k]], "above": [str(x) for x in cuts[k:]]}
    if len(pairs) > 1:
        cover["brackets"] = [[str(a), str(b)] for a, b in pairs[1:]]
    if slopes:
        cover["slopes"] = sorted(i for i, p in enumerate(zip(cuts, cuts[1:])) if p in slopes)
    return cover


def none_item(act, n, w, state="two-point", sign=-1, over=None):
    """A two-point-none (simplex-none) item: S(s) < s for every s > 0 (the kernel's lemmas at both ends
    and pieces in balls between), or None (no lemma for phi, the scan sees S(s) >= s somewhere, or no
    cover of the middle).  T and s_min from a grid (floats; the kernel re-checks in balls); eps
    minimizes s_big = k (1 + 1/eps) H^2 / (1 - (1 + eps) w c).  sign +1: a two-point-grow (simplex-grow)
    item, S(s) > s for every s > 0 (grow_item).  An item priced over one certificate's work budget is not
    returned: it is said in the list ``over``.  Searched once per arguments in a process (a claim's fixed
    point and its stability, simplex's two rows, ask for the same item: a failed search of the cuts can
    take half a minute); each caller gets its own copy."""
    item, said = _none_item(act, n, Fraction(w), state, sign)
    if over is not None:
        over.extend(said)
    return copy.deepcopy(item)


@functools.lru_cache(maxsize=256)
def _none_item(act, n, w, state, sign):
    """(none_item's item or None, what it says in ``over``)."""
    over = []
    name = act.kernel_name
    if name not in trusted.twopoint.RELU_GAP:
        return None, ()
    ss = np.exp(np.linspace(math.log(1e-3), math.log(1e4), 240))
    S = (twopoint.simplex_distances if state == "simplex" else twopoint.distances)(act, n, w, ss)
    if not np.all(np.isfinite(S)) or np.any((S - ss * (1 + sign * 1e-6)) * sign <= 0):
        return None, ()
    alpha = kernel_alpha(act)
    tail = _tail(act, n, w, state, alpha, sign)
    if tail is None:
        return None, ()
    eps, s_big = tail
    small = _near_zero(act, n, w, state, alpha, sign)
    if small is None:
        return None, ()
    T = small[0]                                          # the lemma holds below any s_min it holds at: the
    s_min = Fraction(min(small[1] * 0.99, float(s_big) / 2)).limit_denominator(10 ** 6)   # lemmas may overlap
    cuts = _cuts(name, n, w, s_min, s_big, sign, state, alpha)
    if cuts is None:
        return None, ()
    item = {"type": state + ("-none" if sign < 0 else "-grow"), "activation": name, "alpha": str(alpha),
            "weight_var": str(w), "n": n, "prec": PREC, "T": str(T), "eps": str(eps), "cuts": [str(x) for x in cuts]}
    if trusted.items.work(item) > trusted.kernel.CERT_WORK:       # the kernel would refuse it unread
        over.append("%s, %d pieces, over one certificate's work budget" % (item["type"], len(cuts) - 1))
        return None, tuple(over)
    return item, ()


def grow_item(act, n, w, state="two-point", over=None):
    """A two-point-grow (simplex-grow) item: S(s) > s for every s > 0 (_near_zero's lower bound w m^2 (1 - tail)
    near 0, the reverse large-s lemma S(s) >= (1 - eps) w c s - k (1/eps - 1) H^2 beyond s_big, pieces in balls
    between: the scale grows), or None.  Floats only suggest; the kernel re-checks every piece and lemma."""
    return none_item(act, n, w, state, 1, over)


SIMPLEX_MODES = {"trivial": "every norm and every angle alike (the symmetric family), as S_(n-1) sees it",
                 "standard": "one point against the others (norms, angles)",
                 "pair": "a zero-sum pattern of angles among n-1 of the points"}
MODES = {"trivial": "cluster norms, cluster spread, odd angle, odd norm (all cluster points alike)",
         "standard": "one cluster point against the others (norm, angles, odd angle)",
         "pair": "spread inside the cluster (zero-sum pattern of angles)"}


def jacobian(act, n, w, stability, state="two-point", item=None):
    """``bnverify jacobian --n N --stages rc,PHI [--state simplex]`` for a non-homogeneous phi: the
    two-point (or simplex) fixed point of the map itself (not up to scale) over a bracket of S(s) = s
    re-checked by the kernel, and the kernel's blocks of DF there with their eigenvalues, as ball
    enclosures (decimal text).  ``item``: the bracket the stability verdict already searched, if any."""
    simplex = state == "simplex"
    if item is None:
        item = simplex_bracket_item(act, n, w) if simplex else bracket_item(act, n, w)
    if item is None:
        W = Fraction(w)
        what = ("collapses" if trusted.twopoint.collapses(act.kernel_name, kernel_alpha(act), W) else
                "grows" if trusted.twopoint.grows(act.kernel_name, W) else None)
        if what:
            raise BadInput("%s with sigma_w^2 = %s at n = %d: there is no %s fixed point to linearize at: the scale "
                           "%s at every n (the trusted kernel's lemma: check --property fixed-point --state %s "
                           "refutes the fixed point)" % (act, w, n, state, what, state))
        raise BadInput("%s with sigma_w^2 = %s at n = %d: no %s fixed point found (S(s) - s keeps one sign on "
                       "s in [%g, %g]); check --property fixed-point --state %s says whether the scale "
                       "collapses" % (act, w, n, state, *twopoint.scan_range(state), state))
    fact = trusted.items.check_item(item)
    lo, hi = Fraction(item["lo"]), Fraction(item["hi"])
    alpha = kernel_alpha(act)
    modes = SIMPLEX_MODES if simplex else MODES
    with ctx.workprec(PREC):
        S = arb.union(trusted.twopoint.ball(lo), trusted.twopoint.ball(hi))
        tol = max(2.0 ** -60, float(hi - lo) / float(hi))
        if simplex:
            e2, K = trusted.twopoint.simplex_image(act.kernel_name, alpha, n, Fraction(w), S, tol)
            a2, o2, x2, b2 = e2, K, K, e2
        else:
            a2, x2, b2 = trusted.twopoint.image(act.kernel_name, alpha, n, Fraction(w), S, 4 * tol)
            o2 = a2
        blocks = trusted.twopoint.all_blocks(act.kernel_name, alpha, n, Fraction(w), S, tol, state)
        mult = {"trivial": 1, "standard": n - 2, "pair": (n - 1) * (n - 4) // 2}
        out_blocks, eig = {}, []
        for comp, M in blocks.items():
            evs = trusted.twopoint.eigenvalues(M)
            out_blocks[comp] = {"matrix": [[x.str(12) for x in row] for row in M], "multiplicity": str(mult[comp]),
                                "basis": [modes[comp]], "multiplicity_text": str(mult[comp]),
                                "multiplicity_latex": str(mult[comp])}
            for e in evs:
                text = e.real.str(12) if e.imag.contains(0) and e.imag.rad() < 1e-10 else e.str(12)
                eig.append({"value": text, "multiplicity": mult[comp], "mode": comp + ": " + modes[comp],
                            "text": text, "latex": text, "multiplicity_text": str(mult[comp]),
                            "multiplicity_latex": str(mult[comp])})
    geo = {"cluster_diag": a2.str(12), "cluster_offdiag": o2.str(12), "cross": x2.str(12), "odd_diag": b2.str(12),
           "norm_ratio": "1" if simplex else fact["shown"][1], "odd_cos": fact["shown"][0]}
    total = sum(e["multiplicity"] for e in eig)
    words = ("the simplex fixed point s I + b J of the map itself (every pair at one cosine; s in %s)" if simplex else
             "the two-point fixed point of the map itself (n-1 equal points and one odd point; s = |u - v|^2 in %s)")
    return {"n": n, "activation": str(act), "weight_var": str(w),
            "state": words % fact["shown"][2],
            "convention": "eigenvalues of DF(G*) itself (phi is not homogeneous: no scale to drop), with the "
                          "translations' zeros; ball enclosures",
            "fixed_point": geo, "fixed_point_latex": dict(geo), "scale_factor": "1", "scale_factor_latex": "1",
            "blocks": out_blocks, "eigenvalues": eig, "multiplicities_complete": total == n * (n + 1) // 2,
            "stability": "spectral radius in %s (every block, the kernel's routines)" % fact["shown"][3],
            "stability_verdict": stability,
            "boundary_derivative": ("Mehler's series at correlation -1/(n-1) (interior: no boundary)" if simplex else
                                    "Price's theorem in its integrated form at correlation +-1 (Stein's lemma): the "
                                    "one-sided derivatives, as for ReLU"),
            "method": "a bracket of S(s) = s re-checked by the trusted kernel; the blocks and their eigenvalues from "
                      "the kernel's routines (bnverify/trusted/twopoint.py%s), Arb balls"
                      % (", mehler.py" if simplex else "")}
