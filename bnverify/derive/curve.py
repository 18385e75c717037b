"""Certified fixed points of the symmetric reduction and their spectra (ball arithmetic).

Everything is computed by the one Gram-map implementation (:mod:`bnverify.core.gram` through
:mod:`bnverify.core.symmetry`) evaluated in python-flint ``arb`` balls; float is used only to
*search*, never to conclude (README, "Verdicts and trust").

**The reduced map.**  A symmetric state with cluster diagonal a = 1 is s = (o, x, b) and

    T(s) = (F_o / F_a, F_x / F_a, F_b / F_a),     F = F(G_s) = K_phi(C G_s C).

s is a fixed point of T iff F(G_s) = F_a G_s, i.e. a fixed point of the scale-free dynamics.

**The curve (why one parameter suffices).**  Sigma = C G C has zero row sums, so for a
symmetric state its entries (cluster diag, cluster off-diag, cross, odd diag) are
proportional to

    Sigma(rho) = (1, rho, -q, (n-1) q),    q = 1 + (n-2) rho,    rho in [-1/(n-2), 1],

rho being Sigma's cluster correlation (>= -1/(n-2) because Sigma is PSD; Sigma = 0 would
make F(G) = 0).  K_phi is 1-homogeneous, so T(s) = gamma(rho(s)) with
gamma(rho) = K_phi(Sigma(rho)) / K_a: T maps the 3-dimensional state space onto a curve,
and its fixed points correspond one-to-one to the solutions of

    h(rho) = rho,    h(rho) = cluster correlation of C gamma(rho) C

(s = gamma(rho*) and rho* = rho(s)).  Its trivial-block linearization has eigenvalues
{h'(rho*), 0, 0}.  Known solutions: rho = 1 (the configuration O_n: Sigma(1) is rank one)
and rho = -1/(n-1) (the simplex state: Sigma proportional to C, so F(G) is S_n-symmetric).
:func:`classify` decides every other solution by interval branch-and-bound on
[-1/(n-2), 1]: this is the "absence within the symmetric family" proof below the threshold.
The curve also bounds every state after one step: b/a = (n-1)(1 + (n-2) rho) <= (n-1)^2
(norm ratio <= n-1), and for ReLU o, x >= 0 (arc-cosine kernel values are >= 0); so the
compact interval of rho replaces any box search over (o, x, b).  Near rho = 1 (O_n, where
the map is only C^1) the B&B shows h' > 1 on [1 - delta, 1], so h - id is strictly monotone
there and rho = 1 is the only solution; near the simplex it shows h' < 1 likewise.  Where the
odd point's centred norm vanishes (rho = -1/(n-2)) only derivative-free exclusions are used.

A consequence (algebra, checked numerically by the tests): for leaky ReLU,
K_alpha(Sigma) = ((1+alpha)/2)^2 Sigma + ((1-alpha)/2)^2 K_|x|(Sigma), and C Sigma C = Sigma, so
the solutions of h(rho) = rho, hence the threshold n, the fold and the norm ratio, do not
depend on alpha in [0, 1); the cosines and the spectra do.
"""
from __future__ import annotations

import functools
import math
from fractions import Fraction

from ..core import symmetry
from ..core.symmetry import SymState
from ..core.verdict import INCONCLUSIVE, PROVED, Verdict, stopwatch
from .balls import DIGITS, _arb, _decimal, _fmt_act, _frac_str, _n_value, ball, ball_from, bounds


def reduced_image(s, n, act, ctx):
    """(T(s), F_a): T(s) = (F_o, F_x, F_b) / F_a for the state (1, o, x, b)."""
    im = symmetry.image(SymState(ctx.const(1), *s), n, act, ctx)
    return [im.o / im.a, im.x / im.a, im.b / im.a], im.a


def reduced_jacobian(s, n, act, ctx):
    """d T_i / d s_j = (DF_ij F_a - F_i DF_aj) / F_a^2 (rows, columns: o, x, b), DF the
    trivial symmetry block (coordinates a, o, x, b)."""
    state = SymState(ctx.const(1), *s)
    im = symmetry.image(state, n, act, ctx)
    D = symmetry.block("trivial", state, n, act, ctx)
    Fv = [im.a, im.o, im.x, im.b]
    return [[(D[i, j] * Fv[0] - Fv[i] * D[0, j]) / (Fv[0] * Fv[0]) for j in (1, 2, 3)]
            for i in (1, 2, 3)]


def centred_state(rho, n, ctx):
    """Sigma(rho) = (1, rho, -q, (n-1) q), q = 1 + (n-2) rho: the centred symmetric state
    with cluster correlation rho (up to scale)."""
    q = (n - 2) * rho + 1
    return SymState(ctx.const(1), rho, -q, (n - 1) * q)


def _centred_corr(state, n, ctx):
    S = state.centred(n)
    return S.o, S.a


def curve(rho, n, act, ctx, slope=False):
    """h(rho) (and h'(rho) if ``slope``): the cluster correlation of C gamma(rho) C.

    Where the odd point's centred norm vanishes (rho = -1/(n-2)) the cross entry of
    K_phi(Sigma) is 0/0 in ball arithmetic; it is replaced by the Cauchy-Schwarz enclosure
    [-1, 1] sqrt(K_a K_b), valid because K_phi(Sigma) is PSD."""
    S0 = centred_state(rho, n, ctx)
    K = symmetry.image(S0, n, act, ctx)
    if ctx.name == "ball" and not K.x.is_finite():
        K = SymState(K.a, K.o, ctx.sqrt(K.a * K.b) * _arb()(0, 1), K.b)
    so, sc = _centred_corr(K, n, ctx)
    h = so / sc
    if not slope:
        return h
    dK = symmetry.image_derivative(S0, SymState(0, 1, -(n - 2), (n - 1) * (n - 2)), n, act, ctx)
    do, dc = _centred_corr(dK, n, ctx)
    return h, (do * sc - so * dc) / (sc * sc)


def curve_point(rho, n, act, ctx):
    """gamma(rho) as reduced coordinates (o, x, b): the fixed point belonging to a root."""
    K = symmetry.image(centred_state(rho, n, ctx), n, act, ctx)
    return [K.o / K.a, K.x / K.a, K.b / K.a]


def cosines(s, ctx):
    """(cluster_cos, odd_cos, norm_ratio) = (o, x / sqrt(b), sqrt(b)) of a state with a = 1."""
    o, x, b = s
    r = ctx.sqrt(b)
    return o, x / r, r


def _left_end(n):
    """A dyadic lower end <= -1/(n-2) (the PSD bound on rho)."""
    q = Fraction(-1) / (Fraction(n) - 2)
    return Fraction(math.floor(q * 2 ** 60), 2 ** 60)


def _simplex_rho(n):
    return Fraction(-1) / (Fraction(n) - 1)


def _decide(lo, hi, n, act, ctx, deriv_width=Fraction(0)):
    """Decide the interval [lo, hi] of rho (deterministic, so the checker re-runs it), or
    return None.  Results:
    ('excluded', how)    h(rho) != rho on [lo, hi]: by the natural or the mean-value
                         enclosure of h - id, or by strict monotonicity of h - id with
                         endpoint values of one strict sign
    ('root', slope)      h - id strictly monotone and changes sign: exactly one solution
    ('simplex', slope)   strictly monotone and contains -1/(n-1): the simplex is the only one
    ('configuration', slope)  hi = 1 and strictly monotone: rho = 1 (O_n) is the only one.
    Derivatives are tried only on intervals not wider than ``deriv_width`` (0: always)."""
    nn = _n_value(n, ctx)
    X = ball_from(lo, hi, ctx)
    # h' is wanted only on narrow intervals inside the domain; there h comes with it (the same
    # enclosure curve() gives alone), so h is not evaluated twice
    narrow = not (deriv_width and hi - lo > deriv_width) and lo >= Fraction(-1) / (Fraction(n) - 2)
    h, dh = curve(X, nn, act, ctx, slope=True) if narrow else (curve(X, nn, act, ctx), None)
    g = h - X
    if g > 0 or g < 0:
        return ("excluded", "natural")
    if not narrow:
        return None          # too wide for derivatives, or reaching outside the domain (no endpoint arguments)
    dg = dh - 1
    if not dg.is_finite():
        return None
    M = ctx.const((lo + hi) / 2)
    mv = (curve(M, nn, act, ctx) - M) + dg * (X - M)
    if mv > 0 or mv < 0:
        return ("excluded", "mean-value")
    return isolated(lo, hi, n, nn, act, ctx, dh)


def isolated(lo, hi, n, nn, act, ctx, dh):
    """_decide's last step, for [lo, hi] with h' enclosed by ``dh`` there: if h - id is strictly
    monotone, ('configuration' | 'simplex' | 'root', slope) when it has exactly one zero in
    [lo, hi], ('excluded', 'monotone') when none; else None."""
    dg = dh - 1
    if not (dg > 0 or dg < 0):
        return None
    slope = bounds(dh)
    if hi == 1:
        return ("configuration", slope)
    if lo <= _simplex_rho(n) <= hi:
        # h(-1/(n-1)) = -1/(n-1) exactly (S_n symmetry); the enclosure must agree
        S = ctx.const(_simplex_rho(n))
        return ("simplex", slope) if (curve(S, nn, act, ctx) - S).contains(0) else None
    L, H = ctx.const(lo), ctx.const(hi)
    glo, ghi = curve(L, nn, act, ctx) - L, curve(H, nn, act, ctx) - H
    if (glo > 0 and ghi > 0) or (glo < 0 and ghi < 0):
        return ("excluded", "monotone")
    if (glo > 0 and ghi < 0) or (glo < 0 and ghi > 0):
        return ("root", slope)
    return None


def classify(n, act, prec=128, pieces=64, deriv_width=Fraction(1, 64), min_width=Fraction(1, 2 ** 70),
             budget=200000):
    """All fixed points of the symmetric reduction for this n (int, or a Fraction for real n).

    Branch-and-bound on rho in [-1/(n-2), 1] (see the module docstring): every interval is
    excluded or holds exactly one solution, identified as O_n, the simplex or an isolated root
    with an enclosure of h' (|h'| < 1: attracting within the symmetric family).  Proved when
    everything is decided; otherwise inconclusive with the undecided intervals."""
    with stopwatch() as t:
        lo0, done, undecided = _branch_and_bound(n, act, prec, pieces, deriv_width, min_width, budget)
    roots = [d for d in done if d[2] != "excluded"]
    cert = {"kind": "classification", "n": _frac_str(n), "activation": _fmt_act(act), "prec": prec,
            "domain": [_frac_str(lo0), "1/1"], "deriv_width": _frac_str(deriv_width),
            "intervals": [[_frac_str(lo), _frac_str(hi), kind,
                           (info if kind == "excluded" else None)] for lo, hi, kind, info in done]}
    fixed = [{"kind": kind, "rho": [_dec_frac(lo, False), _dec_frac(hi, True)], "slope": info,
              "stable_in_family": _stable(info)} for lo, hi, kind, info in _merge(roots)]
    evidence = {"n": str(n), "activation": str(act), "fixed_points": fixed,
                "intervals": len(done), "undecided": [[_dec_frac(a, False), _dec_frac(b, True)]
                                                      for a, b in undecided],
                "statement": "every S_{n-1}-symmetric fixed point of the scale-free dynamics "
                             "corresponds to a listed rho (cluster correlation of C G C)"}
    if undecided:
        v = Verdict(INCONCLUSIVE, "interval branch-and-bound on the reduction curve",
                    dict(evidence, reason="%d interval(s) undecided" % len(undecided)), t())
        return v
    return Verdict(PROVED, "interval branch-and-bound on the reduction curve", evidence, t(), cert)


@functools.lru_cache(maxsize=256)
def _branch_and_bound(n, act, prec, pieces, deriv_width, min_width, budget):
    """(left end, decided intervals sorted, undecided intervals) of :func:`classify`: a pure function
    of its arguments, kept once per process (the per-n claims and commands ask for the same n)."""
    ctx = ball(prec)
    lo0 = _left_end(n)
    edges = [lo0 + (1 - lo0) * k / pieces for k in range(pieces + 1)]
    edges = [Fraction(math.floor(e * 2 ** 40), 2 ** 40) if 0 < k < pieces else e
             for k, e in enumerate(edges)]
    stack = [(edges[k], edges[k + 1]) for k in range(pieces)][::-1]
    done, undecided, evals = [], [], 0
    while stack:
        lo, hi = stack.pop()
        evals += 1
        res = _decide(lo, hi, n, act, ctx, deriv_width)
        if res is not None:
            done.append((lo, hi) + res)
        elif hi - lo < min_width or evals > budget:
            undecided.append((lo, hi))
        else:
            mid = (lo + hi) / 2
            stack += [(mid, hi), (lo, mid)]
    return lo0, tuple(sorted(done)), tuple(undecided)


def _dec_frac(q, up):
    return _decimal(Fraction(q), DIGITS, up)


def _stable(slope):
    lo, hi = Fraction(slope[0]), Fraction(slope[1])
    return True if (-1 < lo and hi < 1) else False if (hi < -1 or lo > 1) else None


def _merge(roots):
    """Adjacent intervals that name the same solution (the simplex on a dyadic endpoint)."""
    out = []
    for r in roots:
        if out and r[2] == "simplex" and out[-1][2] == "simplex":
            continue
        out.append(r)
    return out
