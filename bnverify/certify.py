"""Certified fixed points of the symmetric reduction and their spectra (ball arithmetic).

Everything is computed by the one Gram-map implementation (:mod:`bnverify.gram` through
:mod:`bnverify.symmetry`) evaluated in python-flint ``arb`` balls; float is used only to
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

**Certificates.**  A fixed point is certified by Krawczyk's operator on a box X of (o, x, b):
``K(X) = m - Y f(m) + (I - Y J(X)) (X - m)`` with f = T - id, J(X) a ball enclosure of f's
Jacobian over X (from the trivial symmetry block and the quotient rule) and Y a float
inverse of J(m); K(X) strictly inside X proves a unique fixed point in X.  Its scale-free
spectrum in the full n(n+1)/2-dimensional dynamics is enclosed block by block (symmetry
blocks over the box) twice: by flint's rigorous ``acb_mat.eig`` and, eigensolver-free, by
Gershgorin discs of ``V^-1 B V`` (V an exact dyadic approximate eigenvector matrix).
The trusted kernel (bnverify/trusted/items.py) re-verifies these records without any search.
"""
from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import numpy as np

from . import arith, gram, symmetry
from .kernels import Activation, BadInput
from .symmetry import SymState
from .verdict import INCONCLUSIVE, PROVED, REFUTED, Verdict, stopwatch

DIGITS = 20          # significant digits of the decimal bounds printed


# ------------------------------------------------------------------ arithmetic helpers
QFLOAT = arith.FLOAT   # float search on quotient matrices (untrusted)


def ball(prec):
    """The ball context at ``prec`` bits (also sets flint's working precision)."""
    return arith.get("ball", prec=prec)


def _arb():
    from flint import arb
    return arb


def exact(x):
    """An exact arb point (no radius) or float as a Fraction."""
    if isinstance(x, float):
        return Fraction(x)
    man, exp = x.mid().man_exp()
    return Fraction(int(man)) * Fraction(2) ** int(exp)


def ball_from(lo, hi, ctx):
    """A ball containing the exact interval [lo, hi] (Fractions)."""
    arb = _arb()
    mid = ctx.const((lo + hi) / 2)
    return arb(mid, ctx.const((hi - lo) / 2)) if hi > lo else mid


def enclosure(x):
    """(lo, hi) exact Fractions with x's ball inside [lo, hi]."""
    m, r = x.mid().man_exp(), x.rad().man_exp()
    mid = Fraction(int(m[0])) * Fraction(2) ** int(m[1])
    rad = Fraction(int(r[0])) * Fraction(2) ** int(r[1])
    return mid - rad, mid + rad


def _decimal(q, digits, up):
    """q rounded outward (up or down) to ``digits`` significant decimal digits, as a string."""
    if q == 0:
        return "0"
    e = math.floor(math.log10(abs(q.numerator)) - math.log10(q.denominator)) - digits + 1
    scaled = q / Fraction(10) ** e if e >= 0 else q * Fraction(10) ** (-e)
    k = -((-scaled.numerator) // scaled.denominator) if up else scaled.numerator // scaled.denominator
    return format(Decimal(k).scaleb(e).normalize(), "f")


def bounds(x, digits=DIGITS):
    """[lo, hi] decimal strings that are rigorous bounds of the ball (rounded outward)."""
    if x.is_nan() or not x.is_finite():
        return ["-inf", "inf"]
    lo, hi = enclosure(x)
    return [_decimal(lo, digits, up=False), _decimal(hi, digits, up=True)]


def _frac_str(q):
    q = Fraction(q)
    return "%d/%d" % (q.numerator, q.denominator)


def _fmt_act(act):
    return {"name": act.name, "alpha": _frac_str(act.alpha)}


def _act_from(d):
    return Activation(d["name"], Fraction(d["alpha"]))


def _n_value(n, ctx):
    """n as a Python int (integer n) or a ball (real n, for locating the fold)."""
    if isinstance(n, int):
        return n
    q = Fraction(n)
    return int(q) if q.denominator == 1 else ctx.const(q)


# ------------------------------------------------------------------ the reduced map T
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


# ------------------------------------------------------------------ the curve h
def centred_state(rho, n, ctx):
    """Sigma(rho) = (1, rho, -q, (n-1) q), q = 1 + (n-2) rho: the centred symmetric state
    with cluster correlation rho (up to scale)."""
    q = (n - 2) * rho + 1
    return SymState(ctx.const(1), rho, -q, (n - 1) * q)


def _centred_corr(state, n, ctx):
    lay = symmetry.layout("trivial", n)
    S = gram.center(symmetry.embed(state, lay, ctx), lay)
    return S[0, 1], S[0, 0]


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
    dS0 = [0, 1, -(n - 2), (n - 1) * (n - 2)]
    D = symmetry.block("trivial", S0, n, act, ctx)
    dK = SymState(*[sum(D[i, j] * dS0[j] for j in range(1, 4)) for i in range(4)])
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


# ------------------------------------------------------------------ classification (1-D B&B)
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
    g = curve(X, nn, act, ctx) - X
    if g > 0 or g < 0:
        return ("excluded", "natural")
    if deriv_width and hi - lo > deriv_width:
        return None
    if lo < Fraction(-1) / (Fraction(n) - 2):
        return None          # the first interval reaches outside the domain: no endpoint arguments
    _, dh = curve(X, nn, act, ctx, slope=True)
    dg = dh - 1
    if not dg.is_finite():
        return None
    M = ctx.const((lo + hi) / 2)
    mv = (curve(M, nn, act, ctx) - M) + dg * (X - M)
    if mv > 0 or mv < 0:
        return ("excluded", "mean-value")
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
    ctx = ball(prec)
    with stopwatch() as t:
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
    done.sort()
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


# ------------------------------------------------------------------ Krawczyk in (o, x, b)
def _mids(M):
    return np.array([[float(v.mid()) for v in row] for row in M])


def newton_polish(s, n, act, ctx, steps=10):
    """Untrusted Newton steps for f = T - id at ball midpoints (search, not proof), until the
    step is below the working precision."""
    from flint import arb_mat

    s = [ctx.const(exact(v) if not isinstance(v, Fraction) else v) for v in s]
    tiny = Fraction(1, 2 ** (ctx.prec - 8))
    for _ in range(steps):
        T, _ = reduced_image(s, n, act, ctx)
        J = reduced_jacobian(s, n, act, ctx)
        A = arb_mat([[J[i][j].mid() - (1 if i == j else 0) for j in range(3)] for i in range(3)])
        f = arb_mat([[T[i].mid() - s[i]] for i in range(3)])
        try:
            d = A.solve(f)
        except ZeroDivisionError:
            break
        s = [(s[i] - d[i, 0]).mid() for i in range(3)]
        if all(abs(exact(d[i, 0].mid())) <= tiny * max(1, abs(exact(s[i]))) for i in range(3)):
            break
    return s


def krawczyk(s_guess, n, act, prec=128, rel_radius=None):
    """Krawczyk test on the box X = m +/- r around ``s_guess`` (3 reduced coordinates).

    Returns a dict with the box, the Y matrix, K(X) and ``ok`` (K(X) strictly inside X)."""
    arb = _arb()
    ctx = ball(prec)
    m = newton_polish(s_guess, n, act, ctx)
    eps = Fraction(1, 2 ** int(rel_radius if rel_radius is not None else 0.58 * prec))
    X = [arb(mi, ctx.const(eps * max(1, abs(exact(mi))))) for mi in m]
    Jm = reduced_jacobian(m, n, act, ctx)
    Am = _mids(Jm) - np.eye(3)
    Yf = np.linalg.inv(Am)
    Y = [[ctx.const(Fraction(float(Yf[i, j]))) for j in range(3)] for i in range(3)]
    return dict(_krawczyk_step(X, m, Y, n, act, ctx),
                Y=[[Fraction(float(Yf[i, j])) for j in range(3)] for i in range(3)])


def _krawczyk_step(X, m, Y, n, act, ctx):
    """K(X) = m - Y f(m) + (I - Y J(X)) (X - m); ok iff K(X) is in the interior of X."""
    T, _ = reduced_image(m, n, act, ctx)
    fm = [T[i] - m[i] for i in range(3)]
    J = reduced_jacobian(X, n, act, ctx)
    Jf = [[J[i][j] - (1 if i == j else 0) for j in range(3)] for i in range(3)]
    K = []
    for i in range(3):
        acc = m[i] - sum(Y[i][k] * fm[k] for k in range(3))
        for j in range(3):
            c = (1 if i == j else 0) - sum(Y[i][k] * Jf[k][j] for k in range(3))
            acc += c * (X[j] - m[j])
        K.append(acc)
    ok = all(K[i].is_finite() and X[i].contains_interior(K[i]) for i in range(3))
    return {"X": X, "m": m, "K": K, "ok": ok}


def _box_json(X):
    return [[int(v) for v in x.mid().man_exp()] + [int(v) for v in x.rad().man_exp()] for x in X]


def _box_from_json(box, ctx):
    arb = _arb()
    out = []
    for mm, me, rm, re in box:
        mid = ctx.const(Fraction(mm) * Fraction(2) ** me)
        out.append(arb(mid, ctx.const(Fraction(rm) * Fraction(2) ** re)))
    return out


# ------------------------------------------------------------------ spectra of the blocks
def state_blocks(X, n, act, ctx):
    """Scale-free symmetry blocks over the box X of a fixed point (scale c = F_a)."""
    state = SymState(ctx.const(1), *X)
    c = symmetry.image(state, n, act, ctx).a
    return symmetry.scale_free_blocks(state, n, act, ctx, c)


def eig_enclosures(B):
    """Eigenvalue enclosures of a ball matrix by flint's rigorous acb_mat.eig (None if it
    fails to isolate even with multiple=True)."""
    from flint import acb_mat, arb_mat

    A = acb_mat(arb_mat(B.tolist()))
    for kw in ({}, {"multiple": True}):
        try:
            E = A.eig(**kw)
        except (ValueError, ZeroDivisionError):
            continue
        if all(e.is_finite() for e in E):
            return list(E)
    return None


def approx_eigvecs(B):
    """Float eigenvector matrix of the midpoint matrix, as exact dyadic [re, im] pairs."""
    _, V = np.linalg.eig(_mids(B))
    return [[[_frac_str(Fraction(float(v.real))), _frac_str(Fraction(float(v.imag)))] for v in row]
            for row in V]


def gershgorin_discs(B, V, ctx):
    """Discs (centre balls c_i, radius balls R_i) of M = V^-1 B V, V exact (dyadic [re, im]
    strings), V^-1 enclosed by flint: every eigenvalue of every matrix in the ball matrix B
    lies in a disc |z - c_i| <= R_i.  None if V is not invertible or an entry is not finite."""
    from flint import acb, acb_mat, arb_mat

    arb = _arb()
    k = len(V)
    Vm = acb_mat([[acb(ctx.const(Fraction(re)), ctx.const(Fraction(im))) for re, im in row] for row in V])
    try:
        Vi = Vm.inv()
    except (ValueError, ZeroDivisionError):
        return None
    M = Vi * acb_mat(arb_mat(B.tolist())) * Vm
    c = [M[i, i] for i in range(k)]
    R = [sum((abs(M[i, j]) for j in range(k) if j != i), arb(0)) for i in range(k)]
    if not all(x.is_finite() for x in c) or not all(r.is_finite() for r in R):
        return None
    return c, R


def gershgorin_components(c, R):
    """Index sets of unions of discs that are certainly disjoint from all other discs (discs
    that might touch are merged: a union of true components is still isolated, and holds as
    many eigenvalues as discs)."""
    k = len(c)
    parent = list(range(k))

    def find(i):
        while parent[i] != i:
            i = parent[i]
        return i
    for i in range(k):
        for j in range(i + 1, k):
            if not (abs(c[i] - c[j]) > R[i] + R[j]):
                parent[find(i)] = find(j)
    comps = {}
    for i in range(k):
        comps.setdefault(find(i), []).append(i)
    return list(comps.values())


def gershgorin_radius(B, V, ctx):
    """Eigensolver-free bounds (lo, hi) (exact Fractions) on the spectral radius of every
    matrix in the ball matrix B, from the discs of :func:`gershgorin_discs`:
    hi = max_i |c_i| + R_i;  lo = max over isolated unions of min_i (|c_i| - R_i)."""
    d = gershgorin_discs(B, V, ctx)
    if d is None:
        return None
    c, R = d
    hi = max(enclosure(abs(c[i]) + R[i])[1] for i in range(len(c)))
    lo = max(min(enclosure(abs(c[i]) - R[i])[0] for i in comp) for comp in gershgorin_components(c, R))
    return max(lo, Fraction(0)), hi


def spectrum_certificate(X, n, act, ctx):
    """Spectral radius of the scale-free linearization over the box X: per block the acb_mat.eig
    enclosure and the Gershgorin bounds, intersected (both are rigorous)."""
    blocks = state_blocks(X, n, act, ctx)
    per, Vs = {}, {}
    lo_all, hi_all = Fraction(0), Fraction(0)
    eig_ok = True
    for comp, (B, mult, modes) in blocks.items():
        E = eig_enclosures(B)
        V = approx_eigvecs(B)
        Vs[comp] = V
        g = gershgorin_radius(B, V, ctx)
        if g is None and E is None:
            return None
        lo, hi = g if g is not None else (Fraction(0), None)
        if E is not None:
            mags = [enclosure(abs(e)) for e in E]
            elo, ehi = max(m[0] for m in mags), max(m[1] for m in mags)
            lo, hi = max(lo, elo), (ehi if hi is None else min(hi, ehi))
        else:
            eig_ok = False
        per[comp] = {"multiplicity": mult, "modes": list(modes), "spectral_radius": (lo, hi),
                     "gershgorin": g, "eigenvalues": None if E is None else
                     [[bounds(e.real), bounds(e.imag)] for e in E]}
        lo_all, hi_all = max(lo_all, lo), max(hi_all, hi)
    return {"blocks": per, "V": Vs, "lo": lo_all, "hi": hi_all, "eig_ok": eig_ok,
            "gershgorin_hi": max(p["gershgorin"][1] for p in per.values())
            if all(p["gershgorin"] for p in per.values()) else None,
            "gershgorin_lo": max(p["gershgorin"][0] for p in per.values())
            if all(p["gershgorin"] for p in per.values()) else None}


# ------------------------------------------------------------------ certified states
def simplex_cos(n, act, ctx):
    """kappa(-1/(n-1)) / kappa(1): the pairwise cosine of the simplex fixed point."""
    return act.kappa(ctx.const(Fraction(-1, n - 1)), ctx) / act.kappa_one(ctx)


def certify_state(s_guess, n, act, prec=128, kind="state", bound=1):
    """Krawczyk + spectrum at a fixed point near ``s_guess``: (dict of rigorous enclosures and
    the certificate payload, None), or (None, reason) when a step fails.  ``relation`` in the
    dict is '<' or '>' when the eigensolver-free Gershgorin bound alone separates the spectral
    radius from ``bound`` (the side the checker can re-verify), else None."""
    ctx = ball(prec)
    bound = Fraction(bound)
    kr = krawczyk(s_guess, n, act, prec)
    if not kr["ok"]:
        return None, "Krawczyk test failed (K(X) not inside X)"
    X = kr["X"]
    tight = [kr["K"][i].intersection(X[i]) for i in range(3)]
    cc, oc, nr = cosines(tight, ctx)
    sp = spectrum_certificate(X, n, act, ctx)
    if sp is None:
        return None, "no eigenvalue enclosure for some block"
    gl, gh = sp["gershgorin_lo"], sp["gershgorin_hi"]
    relation = "<" if gh is not None and gh < bound else ">" if gl is not None and gl > bound else None
    cert = {"kind": "krawczyk", "state": kind, "n": n, "activation": _fmt_act(act), "prec": prec,
            "coordinates": ["o", "x", "b"], "box": _box_json(X),
            "y_matrix": [[_frac_str(v) for v in row] for row in kr["Y"]],
            "spectral_bound": None if relation is None else
            {"relation": relation, "bound": _frac_str(bound), "V": sp["V"],
             "method": "Gershgorin discs of V^-1 B V per symmetry block"}}
    one = ctx.const(1)
    so, sc = _centred_corr(SymState(one, *tight), n, ctx)
    out = {"X": X, "tight": tight, "cluster_cos": cc, "odd_cos": oc, "norm_ratio": nr,
           "sr_lo": sp["lo"], "sr_hi": sp["hi"], "relation": relation, "spectrum": sp,
           "scale": symmetry.image(SymState(one, *X), n, act, ctx).a,
           "centred_rho": so / sc, "certificate": cert}
    return out, None


def _outcome(res, relation):
    """PROVED / REFUTED / None for "spectral radius <relation> bound" from certify_state."""
    if res["relation"] is None:
        return None
    want = relation[0]
    return PROVED if res["relation"] == want else REFUTED


def _block_evidence(sp):
    out = {}
    for comp, d in sp["blocks"].items():
        lo, hi = d["spectral_radius"]
        out[comp] = {"multiplicity": str(d["multiplicity"]), "spectral_radius":
                     [_decimal(lo, DIGITS, False), _decimal(hi, DIGITS, True)],
                     "eigenvalues_real_imag": d["eigenvalues"], "modes": d["modes"]}
    return out


def _state_evidence(res):
    sr = [_decimal(res["sr_lo"], DIGITS, False), _decimal(res["sr_hi"], DIGITS, True)]
    return {"cluster_cos": bounds(res["cluster_cos"]), "odd_cos": bounds(res["odd_cos"]),
            "norm_ratio": bounds(res["norm_ratio"]), "spectral_radius": sr,
            "scale_factor": bounds(res["scale"]), "centred_cluster_corr": bounds(res["centred_rho"]),
            "blocks": _block_evidence(res["spectrum"]),
            "eigenvalue_convention": "scale-free: eigenvalues of DF(G*)/c without G*'s own direction",
            "eig_methods": "acb_mat.eig and Gershgorin(V^-1 B V), intersected"
            if res["spectrum"]["eig_ok"] else "Gershgorin(V^-1 B V) only"}


def _float_roots(n, act, grid=3000):
    """Float search for solutions of h(rho) = rho strictly inside (-1/(n-2), 1) (untrusted)."""
    lo = float(_left_end(n)) + 1e-9
    rs = np.linspace(lo, 1 - 1e-9, grid)
    with np.errstate(all="ignore"):
        g = np.array([float(curve(r, n, act, QFLOAT)) - r for r in rs])
    roots = []
    for i in np.where(np.sign(g[1:]) * np.sign(g[:-1]) < 0)[0]:
        a, b = rs[i], rs[i + 1]
        for _ in range(60):
            c = (a + b) / 2
            gc = float(curve(c, n, act, QFLOAT)) - c
            if np.sign(gc) == np.sign(float(curve(a, n, act, QFLOAT)) - a):
                a = c
            else:
                b = c
        roots.append((a + b) / 2)
    return roots


def _spread_candidates(n, act, prec, classification):
    """rho of non-simplex, non-configuration solutions that attract within the family."""
    if classification is not None and classification.status == PROVED:
        roots = [f for f in classification.evidence["fixed_points"] if f["kind"] == "root"]
        if any(f["stable_in_family"] is None for f in roots):
            return None
        return [(Fraction(f["rho"][0]) + Fraction(f["rho"][1])) / 2
                for f in roots if f["stable_in_family"]]
    out = []
    for r in _float_roots(n, act):
        if abs(r - float(_simplex_rho(n))) < 1e-9:
            continue
        _, dh = curve(r, n, act, QFLOAT, slope=True)
        if abs(float(dh)) < 1:
            out.append(Fraction(r))
    return out


def certify_attractor(n, act=Activation("relu"), prec=128, classify_family=True, relation="<", bound=1):
    """The spread-cluster attractor at batch size n: existence and local uniqueness
    (Krawczyk), "spectral radius <relation> bound" in the full scale-free dynamics (default:
    < 1, linear stability), or its absence within the symmetric family (:func:`classify`)."""
    n = _check_n(n)
    _check_relation(relation)
    method = "Krawczyk + symmetry-block spectra (arb)"
    subject = "attractor n=%d" % n
    with stopwatch() as t:
        cls = classify(n, act, prec) if classify_family else None
        cands = _spread_candidates(n, act, prec, cls)
        family = None if cls is None else {"status": cls.status,
                                           "fixed_points": cls.evidence["fixed_points"]}
        if cands is None:
            return Verdict(INCONCLUSIVE, method, {"n": n, "reason": "a solution's slope h' is not "
                           "separated from +-1", "symmetric_family": family}, t())
        if not cands:
            if cls is not None and cls.status == PROVED:
                ev = {"n": n, "activation": str(act), "reason": "no attracting spread-cluster fixed "
                      "point: the symmetric family's fixed points are exactly the listed ones, and "
                      "none but the simplex has |h'| < 1", "symmetric_family": family}
                return Verdict(REFUTED, "interval branch-and-bound on the reduction curve", ev,
                               t(), cls.certificate, subject=subject)
            return Verdict(INCONCLUSIVE, method, {"n": n, "reason": "no spread-cluster candidate "
                           "found and absence not certified", "symmetric_family": family}, t())
        ctx = ball(prec)
        rho = max(cands)
        s0 = [exact(v.mid()) for v in curve_point(ctx.const(rho), n, act, ctx)]
        res, why = certify_state(s0, n, act, prec, "spread-cluster", bound)
        if res is None:
            return Verdict(INCONCLUSIVE, method, {"n": n, "reason": why, "symmetric_family": family}, t())
        ev = dict(_state_evidence(res), n=n, activation=str(act), symmetric_family=family,
                  claim="spectral radius %s %s" % (relation, bound))
        status = _outcome(res, relation)
        if status == PROVED:
            ev["statement"] = ("a unique fixed point of the reduced map lies in the certified box, "
                               "and the scale-free linearization there has spectral radius %s %s"
                               % (relation, bound))
            return Verdict(PROVED, method, ev, t(), res["certificate"], subject=subject)
        if status == REFUTED:
            ev["reason"] = "the spread-cluster fixed point exists but its spectral radius is %s %s" % (
                res["relation"], bound)
            return Verdict(REFUTED, method, ev, t(), res["certificate"], subject=subject)
        ev["reason"] = "spectral radius not separated from %s" % bound
        return Verdict(INCONCLUSIVE, method, ev, t())


def certify_simplex(n, act=Activation("relu"), prec=128, relation="<", bound=1):
    """The simplex state (all pairwise cosines kappa(-1/(n-1))/kappa(1)): a fixed point
    (Krawczyk on the reduced map, box checked to contain the explicit value) and
    "spectral radius <relation> bound" in the full scale-free dynamics (default < 1)."""
    n = _check_n(n)
    _check_relation(relation)
    method = "Krawczyk + symmetry-block spectra (arb)"
    subject = "simplex n=%d" % n
    with stopwatch() as t:
        ctx = ball(prec)
        s = simplex_cos(n, act, ctx)
        res, why = certify_state([exact(s.mid()), exact(s.mid()), Fraction(1)], n, act, prec,
                                 "simplex", bound)
        if res is None:
            return Verdict(INCONCLUSIVE, method, {"n": n, "reason": why}, t())
        X = res["X"]
        if not (X[0].contains(s) and X[1].contains(s) and X[2].contains(ctx.const(1))):
            return Verdict(INCONCLUSIVE, method, {"n": n, "reason": "certified box misses the "
                                                  "explicit simplex value"}, t())
        ev = dict(_state_evidence(res), n=n, activation=str(act), simplex_cos=bounds(s),
                  formula="kappa(-1/(n-1)) / kappa(1)", claim="spectral radius %s %s" % (relation, bound))
        status = _outcome(res, relation)
        if status is not None:
            if status == REFUTED:
                ev["reason"] = "spectral radius is %s %s" % (res["relation"], bound)
            return Verdict(status, method, ev, t(), res["certificate"], subject=subject)
        return Verdict(INCONCLUSIVE, method, dict(ev, reason="spectral radius not separated from %s"
                                                  % bound), t())


def _check_relation(relation):
    if relation not in ("<", "<=", ">", ">="):
        raise BadInput("relation %r: choose <, <=, > or >=" % (relation,))


def _check_n(n):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 3:
        raise BadInput("batch size n must be an integer >= 3 (got %r)" % (n,))
    return int(n)


# ------------------------------------------------------------------ sweeps and thresholds
class InlineExecutor:
    """A concurrent.futures-style executor that runs each job at submit time, in process."""

    def submit(self, fn, *a, **kw):
        from concurrent.futures import Future

        f = Future()
        try:
            f.set_result(fn(*a, **kw))
        except BaseException as e:      # delivered by f.result(), as a pool would
            f.set_exception(e)
        return f

    def shutdown(self, wait=True):
        pass


def _default_executor():
    from .parallel import process_pool

    return process_pool()


def sweep(fn, ns, act, executor=None, progress=None, **kw):
    """[fn(n, act, **kw) for n in ns] through a concurrent.futures Executor (local processes
    by default; pass e.g. a Dask executor to spread a long sweep).  ``progress(done, total,
    verdict)`` is called as results arrive."""
    from concurrent.futures import as_completed

    ns = list(ns)
    own = executor is None
    ex = _default_executor() if own else executor
    try:
        futs = {ex.submit(fn, n, act, **kw): n for n in ns}
        out = {}
        for k, f in enumerate(as_completed(futs), 1):
            out[futs[f]] = f.result()
            if progress:
                progress(k, len(ns), out[futs[f]])
    finally:
        if own:
            ex.shutdown()
    return [out[n] for n in ns]


def attractor_sweep(ns, act=Activation("relu"), executor=None, progress=None, prec=128):
    return sweep(certify_attractor, ns, act, executor, progress, prec=prec)


def simplex_sweep(ns, act=Activation("relu"), executor=None, progress=None, prec=128):
    return sweep(certify_simplex, ns, act, executor, progress, prec=prec)


def threshold(verdicts):
    """From per-n attractor verdicts (consecutive n, any order): the smallest n0 such that
    the attractor is proved for every n >= n0 in the list, and whether every n < n0 in the
    list is proved absent (refuted).  Returns (n0 or None, all_below_refuted)."""
    by_n = sorted(((v.evidence.get("n"), v) for v in verdicts), key=lambda p: int(p[0]))
    n0 = None
    for n, v in reversed(by_n):
        if v.status != PROVED:
            break
        n0 = int(n)
    below = [v for n, v in by_n if n0 is None or int(n) < n0]
    return n0, all(v.status == REFUTED for v in below)


def smallest_n(top=64, act=Activation("relu"), executor=None, progress=None, prec=128):
    """Smallest n whose spread-cluster attractor is certified for every n from it up to
    ``top``, with absence (within the symmetric family) proved for every 3 <= n below it."""
    with stopwatch() as t:
        vs = attractor_sweep(range(3, top + 1), act, executor, progress, prec)
        n0, below_ok = threshold(vs)
    ev = {"smallest_n": n0, "range": [3, top], "activation": str(act),
          "per_n": {str(v.evidence.get("n")): v.status for v in vs}}
    if n0 is not None and below_ok:
        return Verdict(PROVED, "per-n certificates", ev, t(),
                       {"kind": "per-n", "certificates": {str(v.evidence["n"]): v.certificate
                                                          for v in vs}})
    return Verdict(INCONCLUSIVE, "per-n certificates", dict(ev, reason="some n undecided"), t())


def locate_fold(n_lo, n_hi, act=Activation("relu"), prec=128):
    """Bracket the fold (saddle-node) in real n: at n_hi the reduction curve has solutions
    besides the simplex and O_n (isolated and certified); at n_lo it has none (proved by
    :func:`classify`).  n_lo, n_hi: Fractions (dyadic ones are exact in arb)."""
    n_lo, n_hi = Fraction(n_lo), Fraction(n_hi)
    with stopwatch() as t:
        lo = classify(n_lo, act, prec)
        hi = classify(n_hi, act, prec)
    kinds = lambda v: [f["kind"] for f in v.evidence["fixed_points"]]
    ev = {"n_lo": _frac_str(n_lo), "n_hi": _frac_str(n_hi), "at_n_lo": lo.evidence["fixed_points"],
          "at_n_hi": hi.evidence["fixed_points"],
          "statement": "at n_lo the only symmetric fixed points are the simplex and O_n; at n_hi "
                       "two more exist (a saddle and the spread-cluster state), so they are born "
                       "in a fold at some n in (n_lo, n_hi)"}
    ok = (lo.status == PROVED and hi.status == PROVED and "root" not in kinds(lo)
          and kinds(hi).count("root") == 2)
    if ok:
        return Verdict(PROVED, "classification at both ends", ev, t(),
                       {"kind": "fold", "at_n_lo": lo.certificate, "at_n_hi": hi.certificate})
    return Verdict(INCONCLUSIVE, "classification at both ends", dict(ev, reason="bracket not certified"), t())
