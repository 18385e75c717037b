"""Two-point states of RC + an activation that is not homogeneous, decided with the checker's
own one-dimensional Gaussian integrals (Arb's ``acb.integral``; the tails bounded here).

With RC, n-1 equal points v and one point u are centred onto one line: the cluster onto
-(u-v)/n, the odd point onto (n-1)(u-v)/n.  With W ~ N(0, w/d) the pre-activations are
-lam Z/n and (n-1) lam Z/n for one Z ~ N(0, 1) per neuron, lam^2 = w s, s = |u - v|^2.  So the
two-point family maps into itself, and at infinite width the image has the Gram entries

    a' = E[phi(-lam Z/n)^2],  b' = E[phi((n-1) lam Z/n)^2],  x' = E[phi(-lam Z/n) phi((n-1) lam Z/n)]

and the distance S(s) = a' + b' - 2 x' = E[(phi((n-1) lam Z/n) - phi(-lam Z/n))^2].  A two-point
fixed point of the map (not up to scale) is (a', x', b') at a root s > 0 of S(s) = s.

- **Exists** (intermediate values; S is continuous in s by dominated convergence under the growth
  bound below): S(lo) - lo and S(hi) - hi of opposite signs, for rationals 0 < lo < hi with
  hi - lo <= lo/1024 (a root where S crosses s downwards or upwards).
- **None** (the scale collapses): |phi(p) - phi(q)| <= L |p - q| gives S(s) <= w L^2 s; so no root
  s > 0 when w L^2 < 1, or when w L^2 = 1 and |phi'| < L almost everywhere on every interval
  [q, p] with q < 0 < p (here p = (n-1) lam Z/n and q = -lam Z/n, or the reverse, always straddle
  0; then |phi(p) - phi(q)| < L |p - q|, and p - q = lam Z != 0 almost surely).  For tanh,
  softplus, sigmoid, sin: |phi'| < L off a null set.  For elu with alpha <= 1, phi' = 1 = L on
  t > 0 but alpha e^t < 1 on t < 0, a part of every such interval; with alpha > 1, L = alpha and
  phi' = 1 on t > 0.  Or (GELU, SiLU at w <= 2: HALF, the trace lemma) tr T(S) < tr S for every S != 0.  Or
  (softplus at w <= 2: FLAT) phi = t/2 + e with |e'| < 1/2, and every distance of the image is below w/2 times its own.
- **None** (the scale grows; GELU, SiLU, softplus, ELU at w >= 4: PARITY, the parity lemma): phi = o + e, o odd, e
  even, and the cross term E[(o(x) - o(y))(e(x) - e(y))] of a centred Gaussian pair is 0 (odd under (x, y) -> (-x,
  -y)); o' >= 1/2 (GELU, SiLU, softplus: o(t) = t/2; ELU: (1 + alpha e^-|t|)/2) gives E[(phi(x) - phi(y))^2] >=
  E[(x - y)^2]/4, every distance of the image >= w/4 times its own; equality at w = 4 only where every two points
  are equal or opposite (e strictly increasing in |t|), or nowhere (ELU: o' > 1/2).
- **The pair block** (n >= 5): P, a zero-sum pattern of angles inside the cluster (zero
  diagonal, zero cross entries), has C P C = P, and DF(G*)[P] = w E[phi'(lam Z/n)^2] P (Price's
  theorem; the cluster's pre-activations are equal, correlation 1: the one-sided derivative, as
  for ReLU).  So mu = w E[phi'(lam Z/n)^2] is an eigenvalue of DF at the fixed point.

A user's formula is the name "formula:TEXT": its row comes from formula.row (the kernel's own reader of
TEXT; no Lipschitz, cover or none lemma; growth bounds by rules, or none: then no goal / no radius).

Tails: every integrand is a product f(c1 Z) g(c2 Z) with |f(t)| <= f0 + f1 |t|, so
|f g| <= m (1 + |Z|)^2 and, for L >= 1, E[m (1 + |Z|)^2; |Z| > L] <= 8 m (L N(L) + Q(L)),
N the standard normal density and Q its upper tail.
"""
from __future__ import annotations

import functools
from fractions import Fraction

from flint import acb, arb, ctx

from . import formula, mehler
from .base import Q, Rejected, ball, exact

L_CUT = 12              # |Z| <= 12: the tail bound is below 1e-29 times the growth constant
MAX_N = 1000


def _s(z, *_):              # the logistic function
    return 1 / (1 + (-z).exp())


def _smooth(phi, dphi):
    return {-1: (phi, dphi), 1: (phi, dphi)}


# name -> (branches {sign of the argument: (phi, phi')}, growth of phi (f0, f1): |phi(t)| <= f0 + f1 |t|,
#          bound of |phi'|, Lipschitz constant squared (None: no lemma), strict: |phi'| < L a.e. on
#          every interval [q, p] with q < 0 < p: the docstring's None).  "A" stands for ELU's max(1, alpha).  Twins: the formulas of
#          bnverify/core/activations.py (tests/test_twopoint.py compares them).
TABLE = {
    "gelu": (_smooth(lambda z, a, *_: z * (1 + (z / arb(2).sqrt()).erf()) / 2,
                     lambda z, a, *_: (1 + (z / arb(2).sqrt()).erf()) / 2 + z * (-z * z / 2).exp() / (2 * arb.pi()).sqrt()),
             (0, 1), Fraction(5, 4), None, False),
    "silu": (_smooth(lambda z, a, *_: z * _s(z), lambda z, a, *_: _s(z) * (1 + z * (1 - _s(z)))),
             (0, 1), Fraction(5, 4), None, False),
    "tanh": (_smooth(lambda z, a, *_: z.tanh(), lambda z, a, *_: 1 - z.tanh() ** 2), (1, 0), 1, 1, True),
    "erf": (_smooth(lambda z, a, *_: z.erf(), lambda z, a, *_: 2 * (-z * z).exp() / arb.pi().sqrt()),
            (1, 0), Fraction(6, 5), "4/pi", True),
    "elu": ({-1: (lambda z, a, *_: a * (z.exp() - 1), lambda z, a, *_: a * z.exp()),
             1: (lambda z, a, *_: z, lambda z, a, *_: acb(1))}, (0, "A"), "A", "A^2", True),
    "softplus": ({-1: (lambda z, a, *_: (1 + z.exp()).log(analytic=True), _s),     # t > 0: t + log(1 + e^-t)
                  1: (lambda z, a, *_: z + (1 + (-z).exp()).log(analytic=True), _s)}, (1, 1), 1, 1, True),
    "sigmoid": (_smooth(_s, lambda z, a, *_: _s(z) * (1 - _s(z))), (1, 0), Fraction(1, 4), Fraction(1, 16), True),
    "sin": (_smooth(lambda z, a, *_: z.sin(), lambda z, a, *_: z.cos()), (1, 0), 1, 1, True),
}


def known(name):
    """True for a named activation of TABLE or a formula (kernel.Claim has read it: Rejected if malformed)."""
    return name in TABLE or str(name).startswith("formula:")


@functools.lru_cache(maxsize=64)
def row(name):
    """TABLE's row of a named activation, or of "formula:TEXT" (formula.py: growth None where no rule gives one)."""
    if name in TABLE or not str(name).startswith("formula:"):
        if name not in TABLE:
            raise Rejected("activation %r is not in the two-point table" % (name,))
        return TABLE[name]
    return formula.row(name[len("formula:"):])


def _grow(r, which, a):
    """(g0, g1) arbs with |g(t)| <= g0 + g1 |t| for g = phi or phi' (which "phi" or "dphi") of the row r."""
    g = r[1] if which == "phi" else r[2] if r[2] is None or isinstance(r[2], tuple) else (r[2], 0)
    if g is None:
        raise Rejected("no growth bound of %s for this formula (its rules give none): not decided" % which)
    return _const(g[0], a), _const(g[1], a)


def _const(v, a):
    """A table constant as an arb: a rational, 4/pi, or ELU's A = max(1, alpha), A^2 (an arb: itself)."""
    if isinstance(v, arb):
        return v
    big = arb.max(a, arb(1))
    return {"4/pi": lambda: 4 / arb.pi(), "A": lambda: big, "A^2": lambda: big * big}.get(
        v, lambda: ball(Fraction(v)))()


def _alpha(name, alpha):
    if name == "elu" and not alpha > 0 or name != "elu" and alpha != 0:
        raise Rejected("%s takes %s" % (name, "alpha > 0" if name == "elu" else "no alpha"))
    return ball(alpha)


def expectation(name, alpha, parts, tol=2.0 ** -60, zpow=0):
    """E[Z^zpow g1(c1 Z) g2(c2 Z)] (or E[Z^zpow g1(c1 Z)]) for Z ~ N(0, 1), zpow 0 or 1: ``parts`` = [(which, c)] twice
    (or once: |g1| <= m (1 + |Z|) <= m (1 + |Z|)^2, the same tails),
    which "phi" or "dphi", c an arb certainly non-zero (a point, or a ball of scales).  A rigorous
    arb; the current working precision.  With zpow = 1 the tail bound is of degree 3:
    E[m (1 + |Z|)^3; |Z| > L] <= 16 m (L^2 + 2) N(L)."""
    branches = row(name)[0]
    a = _alpha(name, alpha)
    if len(parts) not in (1, 2) or zpow not in (0, 1) or not all(c > 0 or c < 0 for _, c in parts):
        raise Rejected("an expectation of one or two factors at non-zero scales")
    m = arb(1)
    for which, c in parts:
        g0, g1 = _grow(row(name), which, a)
        m *= arb.max(g0, g1 * abs(c).upper())
    total = acb(0)
    for side, lo, hi in ((-1, -L_CUT, 0), (1, 0, L_CUT)):        # Z's sign picks each factor's branch
        fs = [(branches[side if c > 0 else -side][which == "dphi"], c) for which, c in parts]

        def f(z, analytic, fs=fs):
            v = (-z * z / 2).exp() * (z if zpow else 1)
            for g, c in fs:
                v *= g(z * c, a, analytic)
            return v
        total += acb.integral(f, lo, hi, abs_tol=2.0 ** -100, rel_tol=tol, eval_limit=100_000)
    L = arb(L_CUT)
    dens = (-L * L / 2).exp() / (2 * arb.pi()).sqrt()
    tail = 16 * m * (L * L + 2) * dens if zpow else 8 * m * (L * dens + (L / arb(2).sqrt()).erfc() / 2)
    out = total.real / (2 * arb.pi()).sqrt()
    if not (total.imag.contains(0) and out.is_finite()):
        raise Rejected("the integral for %s did not give a finite real ball" % name)
    return out + arb(0, tail.upper())


def image(name, alpha, n, w, s, tol=2.0 ** -60):
    """(a', x', b') as arbs at the distance s (an arb): the image's Gram entries."""
    lam = (ball(w) * s).sqrt()
    cl, od = lam / n, lam * (n - 1) / n          # the cluster's pre-activation is -cl Z: E is even in Z
    a2 = expectation(name, alpha, [("phi", cl), ("phi", cl)], tol)
    b2 = expectation(name, alpha, [("phi", od), ("phi", od)], tol)
    x2 = expectation(name, alpha, [("phi", cl), ("phi", -od)], tol)
    return a2, x2, b2


def _mehler_at(name, alpha, n, w, s, tol):
    """The simplex state's variance q = w s (n-1)/n, its E[phi(x)^2] and Mehler's (K, dK/dc, dK/dq1) at
    correlation r = -1/(n-1) (mehler.py)."""
    branches = row(name)[0]
    a = _alpha(name, alpha)
    q = ball(w) * s * (n - 1) / n
    g0, g1 = _grow(row(name), "phi", a)
    g = arb.max(g0, g1 * q.sqrt().upper())
    r = ball(Fraction(-1, n - 1))
    coef, e2 = mehler.coefficients(lambda t, side, an: branches[side][0](t, a, an), g, q, mehler.terms(r, tol) + 3, tol)
    return q, e2, mehler.series(coef, e2, r, q)


def simplex_image(name, alpha, n, w, s, tol=2.0 ** -60):
    """(E[phi(x)^2], K) at the simplex state G = s I + b J: C G C = s C, so every point has
    variance q = w s (n-1)/n and every pair correlation -1/(n-1); the image is E2 I + K (J - I)."""
    _, e2, (K, _, _) = _mehler_at(name, alpha, n, w, s, tol)
    return e2, K


# The trace lemma: phi(t) = t g(t) with g(t) + g(-t) = 1 and 0 < g < 1 gives phi(t)^2 + phi(-t)^2 = t^2 (g^2 +
# (1 - g)^2) < t^2 for t != 0, so E[phi(x)^2] < s/2 for x ~ N(0, s), s > 0 (x and -x alike); then T(S) = w C K(S) C
# has tr T(S) <= w tr K(S) (K(S) is PSD: tr C K C = tr K - 1'K1/n) < w tr(S)/2 <= tr S for S != 0 when w <= 2.
HALF = {"gelu": "Phi", "silu": "the logistic function"}
# The flat-even lemma: phi = t/2 + e, e even with |e'| < 1/2 (softplus: e = log(2 cosh(t/2)), e' = tanh(t/2)/2), and the
# cross term of a centred Gaussian pair vanishes (the parity lemma's), so E[(phi(x) - phi(y))^2] = E[(x - y)^2]/4 +
# E[(e(x) - e(y))^2] < E[(x - y)^2]/2 for x != y: every distance of the image is below w/2 times its own, w <= 2.
FLAT = {"softplus": "log(2 cosh(t/2)), e'(t) = tanh(t/2)/2"}


def collapses(name, alpha, w):
    """True if S(s) < s for every s > 0 (the Lipschitz lemma), or tr T(S) < tr S for every S != 0 (the trace lemma);
    False where not shown."""
    if (name in HALF or name in FLAT) and w <= 2:
        _alpha(name, alpha)
        return True
    _, _, _, lip2, strict = row(name)
    if lip2 is None:
        return False
    _alpha(name, alpha)                                       # Rejected for an alpha phi does not take
    if lip2 == "4/pi":
        return bool(ball(w) * 4 / arb.pi() < 1)             # w 4/pi = 1 has no rational w
    L2 = max(Fraction(1), alpha) ** 2 if lip2 == "A^2" else Fraction(lip2)
    return w * L2 < 1 or strict and w * L2 == 1


def _lower(x):
    return exact(x.lower())


def _upper(x):
    return exact(x.upper())


def _radius(name, alpha, n, w, lo, hi, state="two-point", at=None):
    """(lower, upper) arbs of the spectral radius of DF at every state (two-point or simplex) with s
    in [lo, hi]: every block (all_blocks), its eigenvalues (radius)."""
    S = arb.union(ball(lo), ball(hi))
    tol = max(2.0 ** -60, float((hi - lo) / hi))
    ends = [radius(M) for M in all_blocks(name, alpha, n, w, S, tol, state, at).values()]
    return max((e[0] for e in ends), key=_lower), max((e[1] for e in ends), key=_upper)     # exact: not float's


def distance(state, name, alpha, n, w, s, tol=2.0 ** -60):
    """S(s), the image's s: two-point a' + b' - 2 x' (its squared distance), simplex E2 - K."""
    if state == "simplex":
        e2, K = simplex_image(name, alpha, n, w, s, tol)
        return e2 - K
    a2, x2, b2 = image(name, alpha, n, w, s, tol)
    return a2 + b2 - 2 * x2


def check_bracket(item, state="two-point"):
    """The fact of a two-point-bracket or simplex-bracket item {activation, alpha, weight_var, n, lo,
    hi, prec}: S(s) - s changes sign on [lo, hi], so a fixed point of the state with s in (lo, hi);
    over that bracket its geometry and the spectral radius of DF (every block), in balls."""
    name = item["activation"]
    row(name)
    n, alpha, w, lo, hi, prec = (item["n"], Q(item["alpha"]), Q(item["weight_var"]), Q(item["lo"]),
                                 Q(item["hi"]), item["prec"])
    if type(n) is not int or not 3 <= n <= MAX_N or type(prec) is not int or not 64 <= prec <= 512:
        raise Rejected("n or prec out of range (3 <= n <= %d, 64 <= prec <= 512)" % MAX_N)
    if not (0 < lo < hi <= 10 ** (8 if name in RELU_GAP and state == "two-point" else 4) and 0 < w <= 100 and
            0 <= alpha <= 100):     # bounded phi: every root below 2 osc^2; relu - h's may lie far out
        raise Rejected("need 0 < lo < hi <= 10^4 (two-point, relu - h: 10^8), 0 < weight_var <= 100, 0 <= alpha <= 100")
    if 1024 * (hi - lo) > lo:       # wide scale balls: up to 50x the price's time, and no cosines to show
        raise Rejected("a bracket wider than lo/1024")
    with ctx.workprec(prec):
        signs = [distance(state, name, alpha, n, w, ball(s)) - ball(s) for s in (lo, hi)]
        if not (signs[0] > 0 and signs[1] < 0 or signs[0] < 0 and signs[1] > 0):
            raise Rejected("S(lo) - lo and S(hi) - hi are not of opposite signs in balls: not a bracket")
        S = arb.union(ball(lo), ball(hi))
        tol = max(2.0 ** -60, 4 * float((hi - lo) / hi))          # exact ratio: no 0.0 at a tiny lo
        at = None
        if state == "simplex":              # the series over the bracket once, for the geometry and the blocks
            at = _mehler_at(name, alpha, n, w, S, max(2.0 ** -60, float((hi - lo) / hi)))
            e2, K = at[1], at[2][0]
            geo = [K / e2, e2]
        else:
            a2, x2, b2 = image(name, alpha, n, w, S, tol)
            geo = [x2 / (a2 * b2).sqrt(), (b2 / a2).sqrt()]
        lower, upper = _radius(name, alpha, n, w, lo, hi, state, at) if row(name)[2] else (None, None)
        geo += [S, lower and arb.union(lower, upper)]         # no bound of phi' (a formula's): no radius
    return {"fact": state + "-fixed", "activation": name, "alpha": alpha, "weight_var": w, "n": n,
            "radius": lower and [_lower(lower), _upper(upper)],
            "shown": ["%s" % (g.str(12) if g is not None else "-") for g in geo]}


# phi = o + e, o odd and e even, with o(p) - o(q) >= (p - q)/2 for p >= q: "even" o(t) = t/2 and e(t) strictly increasing
# in |t| (gelu, silu: t g(t) with g(t) + g(-t) = 1, g increasing; softplus: e = log(2 cosh(t/2))), or "odd" o'(t) = (1 +
# alpha e^-|t|)/2 > 1/2 (elu, alpha > 0): the parity lemma, lemma() below
PARITY = {"gelu": "even", "silu": "even", "softplus": "even", "elu": "odd"}
NOT_HALVES = {"two-point": "it would need n - 1 = 1", "simplex": "its cosine -1/(n-1) is not -1",
              "spread-cluster": "n - 1 >= 2 exchangeable points pairwise opposite are two, and the odd point, their "
                                "opposite sum, is then 0"}


def grows(name, w):
    """True where the parity lemma shows that no state with S != 0 is fixed: phi's odd part has slope >= 1/2, w >= 4."""
    return name in PARITY and w >= 4


def lemma(c, state):
    """Why no ``state`` fixed point exists at any n by a lemma on phi and sigma_w^2 alone (collapses, or the parity
    lemma), else None."""
    if collapses(c.activation, c.alpha[0], c.weight_var):
        return collapse_reason(c, state)
    if grows(c.activation, c.weight_var):
        edge = ("makes every two points equal or opposite (e(x) = e(y) only then), summing to 0: half v, half -v, not a "
                "%s state with S != 0 (%s)" % (state, NOT_HALVES[state]) if PARITY[c.activation] == "even" else
                "and o' > 1/2 give d'_ij > d_ij wherever d_ij > 0, so every d_ij = 0")
        return ("the scale grows without bound: phi = o + e with o odd, e even, %s; for a centred Gaussian pair (x, y), "
                "E[(phi(x) - phi(y))^2] = E[(o(x) - o(y))^2] + E[(e(x) - e(y))^2] (the cross term changes sign under "
                "(x, y) -> (-x, -y)) >= E[(x - y)^2]/4.  x ~ N(0, sigma_w^2 C G C) gives every distance d'_ij >= "
                "sigma_w^2 d_ij/4 (RC keeps x_i - x_j), and a fixed point keeps their sum: sigma_w^2 %s; so no %s fixed "
                "point with S != 0 at any n" % (
                    "o(t) = t/2 (phi(t) - phi(-t) = t), e strictly increasing in |t|" if PARITY[c.activation] == "even"
                    else "o' = (1 + alpha e^-|t|)/2 > 1/2", "> 4 makes every d_ij = 0" if c.weight_var > 4 else
                    "= 4 " + edge, state))
    return None


def phi_at(name, alpha, y):
    """phi(y) for a real ball y certainly non-zero (an arb)."""
    if not (y > 0 or y < 0):
        raise Rejected("phi at a ball that meets the kink")
    v = row(name)[0][1 if y > 0 else -1][0](acb(y), ball(alpha))
    if not (v.imag == 0 and v.real.is_finite()):            # log(x) at x < 0: phi has no value there
        raise Rejected("phi has no finite real value at %s" % y.str(5))
    return v.real


# ---------------------------------------------------------------- goals (kernel.GOALS routes here)
def _family(c, state):
    what = ("a two-point fixed point G* (n-1 equal points and one odd point, at distance s = |u - v|^2 > 0)"
            if state == "two-point" else
            "a simplex fixed point G* = s I + b J (every point alike, every pair at one cosine; s > 0)")
    return ("for %s and %s: the map G -> K_phi(sigma_w^2 C G C) (not up to scale) has %s"
            % (c.model_text(), c.domain_text(), what))


def collapse_reason(c, state):
    """Why no ``state`` ("two-point", "simplex", "spread-cluster") is fixed where ``collapses``: the trace lemma, else
    the Lipschitz lemma on one pair (S(s) < s) or, for a spread, on every pair's distance."""
    if c.activation in HALF and c.weight_var <= 2:
        return ("the scale collapses: phi(t) = t g(t) with g = %s, g(t) + g(-t) = 1 and 0 < g < 1, so phi(t)^2 + "
                "phi(-t)^2 = t^2 (g^2 + (1 - g)^2) < t^2 for t != 0 and E[phi(x)^2] < s/2 for x ~ N(0, s), s > 0; then "
                "T(S) = sigma_w^2 C K_phi(S) C has tr T(S) <= sigma_w^2 tr K_phi(S) (K_phi(S) is PSD) < sigma_w^2 tr(S)/2 "
                "<= tr S for every S != 0 (sigma_w^2 <= 2): S = 0 at every fixed point, so no %s fixed point at any n"
                % (HALF[c.activation], state))
    if c.activation in FLAT and 1 < c.weight_var * TABLE[c.activation][3] and c.weight_var <= 2:
        return ("the scale collapses: phi = o + e with o(t) = t/2 (phi(t) - phi(-t) = t) and e(t) = %s, |e'| < 1/2; for "
                "a centred Gaussian pair (x, y) the cross term E[(o(x) - o(y))(e(x) - e(y))] is 0 (it changes sign under "
                "(x, y) -> (-x, -y)), so E[(phi(x) - phi(y))^2] = E[(x - y)^2]/4 + E[(e(x) - e(y))^2] < E[(x - y)^2]/2 "
                "where x != y almost surely.  x ~ N(0, sigma_w^2 C G C) gives every distance d'_ij < sigma_w^2 d_ij/2 <= "
                "d_ij wherever d_ij > 0 (RC keeps x_i - x_j; sigma_w^2 <= 2), and a fixed point keeps their sum: every "
                "d_ij = 0, so no %s fixed point with S != 0 at any n" % (FLAT[c.activation], state))
    lip2 = TABLE[c.activation][3]
    L2 = "max(1, alpha)^2" if lip2 == "A^2" else lip2
    if state == "spread-cluster":
        return ("every pairwise distance shrinks: |phi(p) - phi(q)| <= L |p - q| with L^2 = %s and x ~ N(0, sigma_w^2 C "
                "G C) give d'_ij = E[(phi(x_i) - phi(x_j))^2] <= L^2 E[(x_i - x_j)^2] = sigma_w^2 L^2 d_ij (RC keeps x_i "
                "- x_j), sigma_w^2 L^2 %s, so d'_ij < d_ij wherever d_ij > 0%s; at a fixed point every distance is then "
                "0: no spread-cluster fixed point at any n" % (
                    L2, "= 1" if _equal_one(c) else "< 1", " (|phi'| < L a.e. on t < 0, where the segment [x_i, x_j] "
                    "has positive length with probability >= 1/2)" if _equal_one(c) else ""))
    how = ("= 1, |phi'| < L almost everywhere on every interval [q, p] with q < 0 < p (p, q straddle 0%s),"
           % (" with positive probability" if state == "simplex" else "") if _equal_one(c) else "< 1")
    pair = ("p - q = lam Z" if state == "two-point" else
            "p, q two points' pre-activations, S(s) = E[(phi(p) - phi(q))^2]/2 and E[(p - q)^2]/2 = sigma_w^2 s")
    return ("the scale collapses: |phi(p) - phi(q)| <= L |p - q| with L^2 = %s, and sigma_w^2 L^2 %s give S(s) < s for "
            "every s > 0 (%s), so no %s fixed point with s > 0 at any n" % (L2, how, pair, state))


def _equal_one(c):
    lip2 = TABLE[c.activation][3]
    return lip2 != "4/pi" and c.weight_var * (max(Fraction(1), c.alpha[0]) ** 2 if lip2 == "A^2" else Fraction(lip2)) == 1


def _about(c, state):
    names = (state + "-fixed", state + "-roots", state + "-none", state + "-grow")
    return lambda f: (f.get("fact") in names and f["activation"] == c.activation and
                      f["alpha"] == c.alpha[0] and f["weight_var"] == c.weight_var and
                      c.n_lo <= f["n"] and (c.n_hi is None or f["n"] <= c.n_hi))


def _per_n(c, facts, state):
    """{n: fact} for every n of the domain, or Rejected naming the first n without a bracket."""
    by_n = {f["n"]: f for f in facts if f["fact"] == state + "-fixed"}
    for k in c.ns():
        if k not in by_n:
            raise Rejected("no %s bracket for n = %d%s" % (state, k, "" if c.activation in TABLE else (
                " (a formula has no Lipschitz, cover or none lemma: the table's constants refute, not a formula's)")))
    return by_n


def _shown(by_n, state, count=3):
    keys = sorted(by_n)
    keep = keys if len(keys) <= count else keys[:count - 1] + keys[-1:]
    words = "odd cosine %s, norm ratio %s" if state == "two-point" else "cosine %s, squared norm %s"
    return "; ".join(("n = %d: s in %s, " + words) % (
        k, by_n[k]["shown"][2], by_n[k]["shown"][0], by_n[k]["shown"][1]) for k in keep)


def _none(facts, state):
    """The refutation a "-none" or "-grow" fact gives (no fixed point of the state at its n), or None (the goal's
    _about has let only the claim's state's facts through)."""
    f = next((f for f in facts if f["fact"].endswith(("-none", "-grow"))), None)
    grow = f and f["fact"] == state + "-grow"
    return f and ("at n = %d, S(s) %s s for every s > 0 (phi = relu - h with h bounded above s_big, a bound by "
                  "%s below s_min, pieces in balls between): no %s fixed point; the scale %s"
                  % (f["n"], ">" if grow else "<", "inf phi'" if grow else "sup |phi'|", state,
                     "grows without bound" if grow else "collapses"))


def fixed_goal(c, Goal, need, state="two-point"):
    need(c.stages == ["rc"], "the %s state of a non-homogeneous phi is decided for RC then phi (stages rc)" % state)
    need(known(c.activation), "no two-point table entry for %s" % c.activation)
    need(row(c.activation)[1] is not None, "no growth bound |phi(t)| <= f0 + f1 |t| for %s by the formula rules "
         "(the Gaussian integrals' tails need one)" % c.activation)
    need(c.n_lo >= 3, "n >= 3 (a cluster of at least two points)")

    def decide(facts):
        why = lemma(c, state) or _none(facts, state)
        if why:
            return "refuted", why
        by_n = _per_n(c, facts, state)
        return "proved", ("S(lo) - lo and S(hi) - hi of opposite signs in balls (%s, tails bounded), "
                          "so a root of S(s) = s in (lo, hi): " % (
                              "one-dimensional Gaussian integrals" if state == "two-point" else
                              "Mehler's series, its Hermite coefficients one-dimensional integrals") + _shown(by_n, state))
    return Goal(_family(c, state), decide, _about(c, state))


def spectral_goal(c, Goal, need, rel, bound, state="two-point"):
    fixed = fixed_goal(c, Goal, need, state)
    st = fixed.statement + (" at which the linearization DF(G*) (the map's own, Price's theorem%s) has spectral "
                            "radius %s %s" % ("; one-sided at correlation 1" if state == "two-point" else "", rel, bound))

    def decide(facts):
        why = lemma(c, state) or _none(facts, state)
        if why:
            return "refuted", why
        above = lambda r: r[0] > bound if rel in (">", "<=") else r[0] >= bound      # noqa: E731
        below = lambda r: r[1] < bound if rel in ("<", ">=") else r[1] <= bound      # noqa: E731
        shown, opposite = (below, above) if rel in ("<", "<=") else (above, below)
        for f in facts:     # every fixed point in (lo, hi), each with its radius in the fact's range
            if f["fact"] == state + "-roots" and all(opposite(r) for r in f["radii"]):
                return "refuted", ("at n = %d every root of S(s) = s with s > 0 lies in %s (a cover of (0, infinity) "
                                   "in balls and two lemmas), where the spectral radius of DF is in %s: none is %s %s"
                                   % (f["n"], ", ".join("(%s, %s)" % tuple(b) for b in f["s"]), ", ".join(
                                       "[%.6f, %.6f]" % (float(r[0]), float(r[1])) for r in f["radii"]), rel, bound))
        by_n = _per_n(c, facts, state)
        for k, f in sorted(by_n.items()):
            if f["radius"] is None:
                raise Rejected("no bound of |phi'| for %s by the formula rules (or an if form that may jump): the "
                               "linearization (Price's theorem) is not decided" % c.activation)
            if not shown(f["radius"]):
                raise Rejected("at n = %d the spectral radius over the bracket, [%.6f, %.6f], is not shown %s %s"
                               % (k, float(f["radius"][0]), float(f["radius"][1]), rel, bound))
        return "proved", ("every block of DF (trivial, standard, pair; Arb's eigenvalues after the translations' "
                          "zeros) over each bracket: spectral radius %s %s (at n = %d: %s); %s"
                          % (rel, bound, min(by_n), by_n[min(by_n)]["shown"][3], _shown(by_n, state)))
    return Goal(st, decide, fixed.about)


# ---------------------------------------------------------------- every root in one bracket
# name -> (osc = sup phi - inf phi, reached by |phi(p) - phi(q)| on a null set only; T_max: phi' is
# even, positive and decreasing in |t| on [0, T_max)), for the cover below
BOUNDED = {"tanh": (2, "inf"), "erf": (2, "inf"), "sigmoid": (1, "inf"), "sin": (2, "pi/2")}


def _small_s(name, alpha, n, w, T, s_min, state="two-point"):
    """S(s) > s for every 0 < s <= s_min.  Two-point: on |Z| <= R = T n/((n-1) lam0), lam0 =
    sqrt(w s_min), both pre-activations lie in [-T, T], where |phi'| >= phi'(T); so S(s) >= phi'(T)^2
    lam^2 E[Z^2; |Z| <= R] = w s phi'(T)^2 (1 - 2 (R N(R) + Q(R))).  Simplex: E[(x - y)^2] = 2 w s, and
    off A = {|x|, |y| <= T} Cauchy-Schwarz with E[(x - y)^4] = 3 E[(x - y)^2]^2 and P(|x| > T) =
    2 Q(T/sqrt q), q = w s (n-1)/n <= w s_min, gives S(s) >= w s phi'(T)^2 (1 - 2 sqrt 6 sqrt Q(R)),
    R = T/sqrt(w s_min)."""
    osc, tmax = BOUNDED[name]
    if not (T > 0 and (tmax == "inf" or ball(T) < arb.pi() / 2)):
        raise Rejected("T outside (0, T_max) for %s" % name)
    d = TABLE[name][0][1][1](acb(ball(T)), ball(alpha)).real
    if state == "simplex":
        R = ball(T) / (ball(w) * ball(s_min)).sqrt()
        trunc = 1 - 2 * arb(6).sqrt() * ((R / arb(2).sqrt()).erfc() / 2).sqrt()
        return bool(ball(w) * d * d * trunc > 1)
    R = ball(T) * n / ((n - 1) * (ball(w) * ball(s_min)).sqrt())
    trunc = 1 - 2 * (R * (-R * R / 2).exp() / (2 * arb.pi()).sqrt() + (R / arb(2).sqrt()).erfc() / 2)
    return bool(ball(w) * d * d * trunc > 1)


def check_cover(item, state="two-point"):
    """The fact of a two-point-cover (simplex-cover) item {activation, alpha, weight_var, n, prec, lo,
    hi, T, below, above[, brackets, eps]}: every root s > 0 of S(s) = s lies in one of its brackets
    (lo, hi) and the further ``brackets``, and each holds one.  The cuts below + above run from s_min =
    below[0] up; each bracket is a piece of them (lo = below[-1], hi = above[0]; the others pieces of
    above, in order, with a piece between any two and after the last).  (0, s_min]: S(s) > s by
    _small_s (bounded phi), or S(s) > s or < s by _near_zero (phi = relu - h); that sign holds, in
    balls (s a ball), on every piece up to the first bracket and flips at each bracket (so S(s) - s
    changes sign across it: a root inside, the intermediate value theorem), and must be < 0 after the
    last (phi = relu - h: < 0 or > 0, the sign _large_s then shows beyond, the -none or -grow item's
    lemma).  Beyond the last cut S(s) < s: for a bounded phi the cut is in [top, 2 top], top = osc^2
    (simplex: osc^2/2), and S(s) < top (|phi(p) - phi(q)| < osc almost surely; S is E[(phi(p) -
    phi(q))^2], over 2 at the simplex); no cut beyond 2 top: the integrals of phi(sqrt q Z) (sin's
    oscillations, the poles of tanh and sigmoid near the axis) cost more with q than the price says (a
    piece at s = 10^6 took 2 s for 7000 of the budget's 32 million); for phi = relu - h, _large_s at
    the last cut with the item's eps.  The spectral radius of DF over each bracket as for a bracket."""
    name = item["activation"]
    if name not in BOUNDED and name not in RELU_GAP:
        raise Rejected("no cover lemma for %r (bounded, or relu - h with h bounded)" % (name,))
    n, alpha, w, lo, hi, prec, T = (item["n"], Q(item["alpha"]), Q(item["weight_var"]), Q(item["lo"]),
                                    Q(item["hi"]), item["prec"], Q(item["T"]))
    below, above = [Q(c) for c in item["below"]], [Q(c) for c in item["above"]]
    if type(n) is not int or not 3 <= n <= MAX_N or type(prec) is not int or not 64 <= prec <= 512:
        raise Rejected("n or prec out of range (3 <= n <= %d, 64 <= prec <= 512)" % MAX_N)
    _alpha(name, alpha)
    rising = all(a < b for cuts in (below, above) for a, b in zip(cuts, cuts[1:]))
    top = Fraction(BOUNDED[name][0] ** 2, 2 if state == "simplex" else 1) if name in BOUNDED else None
    if not (0 < w <= 100 and len(below) >= 2 and len(above) >= 2 and 0 < below[0] and rising and
            below[-1] == lo < hi == above[0] and (top is None and above[-1] <= 10 ** 6 or
                                                  top is not None and top <= above[-1] <= 2 * top)):
        raise Rejected("the cover's cuts do not run from s_min up to lo and from hi up to osc^2 (simplex: osc^2/2), "
                       "at most twice that (relu - h: to s_big <= 10^6)")
    pairs = list(zip(below + above, below[1:] + above))         # (lo, hi) is pairs[len(below) - 1]
    at = [len(below) - 1] + [pairs.index(b) if b in pairs else -1 for b in
                             [(Q(a), Q(b)) for a, b in item.get("brackets", [])]]
    slopes = item.get("slopes", [])
    if not (all(j - i >= 2 for i, j in zip(at, at[1:])) and at[-1] < len(pairs) - 1 and
            all(1024 * (pairs[i][1] - pairs[i][0]) <= pairs[i][0] for i in at) and
            all(type(i) is int and 0 <= i < len(pairs) for i in slopes)):
        raise Rejected("the brackets must be pieces of the cuts, in order, a piece between two and after the last, "
                       "each no wider than lo/1024 (slopes: indices of pieces)")
    with ctx.workprec(prec):
        sign = (1 if _small_s(name, alpha, n, w, T, below[0], state) else 0) if top is not None else \
            _near_zero(name, alpha, n, w, T, below[0], state)
        if not sign:
            raise Rejected("the small-s bound is not above 1 (nor below) at s_min = %s" % below[0])
        last = sign * (-1) ** len(at)       # S(s) - s's sign after the last bracket (it flips at each)
        if top is not None and last > 0 or top is None and not _large_s(name, alpha, n, w, Q(item.get("eps", "0")),
                                                                         above[-1], state, last):
            raise Rejected("the large-s bound does not show S(s) %s s at s_big = %s" % ("<>"[last > 0], above[-1]))
        radii = []
        for i, (a, b) in enumerate(pairs):
            if i in at:                         # a bracket: the pieces beside it show S(s) - s change sign
                lower, upper = _radius(name, alpha, n, w, a, b, state)
                radii.append([_lower(lower), _upper(upper)])
                sign = -sign
                continue
            S, tol = arb.union(ball(a), ball(b)), max(2.0 ** -60, float((b - a) / b))
            if i in slopes:         # the mean value theorem about the midpoint m: S(m) - m + (S'(S) - 1)(S - m)
                m = ball((a + b) / 2)
                d = (distance(state, name, alpha, n, w, m, max(2.0 ** -60, tol * 2.0 ** -20)) - m +
                     (_slope(name, alpha, n, w, S, tol, state) - 1) * (S - m)) * sign
            else:
                d = (distance(state, name, alpha, n, w, S, tol) - S) * sign
            if not d > 0:
                raise Rejected("S(s) - s is not shown %s 0 on [%s, %s]" % (">" if sign > 0 else "<", a, b))
    return {"fact": state + "-roots", "activation": name, "alpha": alpha, "weight_var": w, "n": n,
            "radii": radii, "s": [[str(pairs[i][0]), str(pairs[i][1])] for i in at]}


# ---------------------------------------------------------------- no fixed point at all (unbounded phi)
# phi = relu - h with h in an interval of length H: gelu h(t) = |t| Q(|t|) <= N(t) (Mills' ratio), so in
# [0, 1/sqrt(2 pi)]; silu h(t) = |t|/(1 + e^|t|) <= |t| e^-|t| <= 1/e; elu h(t) = alpha (1 - e^t) on t < 0, 0
# on t >= 0, in [0, alpha); softplus h(t) = -log(1 + e^-|t|), in [-log 2, 0)
RELU_GAP = {"gelu": lambda a: 1 / (2 * arb.pi()).sqrt(), "silu": lambda a: arb(-1).exp(), "elu": lambda a: a,
            "softplus": lambda a: arb(2).log()}


def _relu_slope(n, state):
    """c with S_relu(s) = w c s: two-point E[(relu(p) - relu(q))^2] = lam^2 ((n-1)^2 + 1)/(2 n^2); simplex
    E[(relu(x) - relu(y))^2]/2 = q (1/2 - kappa(r)), kappa(r) = (sqrt(1 - r^2) + (pi - acos r) r)/(2 pi)."""
    if state == "two-point":
        return ball(Fraction((n - 1) ** 2 + 1, 2 * n * n))
    r = -ball(Fraction(1, n - 1))
    kappa = ((1 - r * r).sqrt() + (arb.pi() - r.acos()) * r) / (2 * arb.pi())
    return ball(Fraction(n - 1, n)) * (arb(1) / 2 - kappa)


def _large_s(name, alpha, n, w, eps, s_big, state, sign=-1):
    """sign (S(s) - s) > 0 for every s >= s_big: the eps lemma (_eps_bound) or, where h decays, the cross-term lemma
    (_cross; no parameter: eps is then unused).  Either is a proof; the kernel tries both."""
    return _eps_bound(name, alpha, n, w, eps, s_big, state, sign) or name in DECAY and _cross(name, n, w, s_big, state,
                                                                                              sign)


def _eps_bound(name, alpha, n, w, eps, s_big, state, sign=-1):
    """sign -1: S(s) < s for every s >= s_big: (phi(p) - phi(q))^2 <= (1 + eps)(relu(p) - relu(q))^2 + (1 + 1/eps) H^2,
    so S(s) <= (1 + eps) w c s + k (1 + 1/eps) H^2 (k = 1, simplex 1/2), affine with slope < 1.  sign +1: S(s) > s for
    every s >= s_big: phi(p) - phi(q) = A - B with A = relu(p) - relu(q) and B = h(p) - h(q), |B| <= H (h lies in an
    interval of length H), and (A - B)^2 - (1 - eps) A^2 + (1/eps - 1) B^2 = (sqrt(eps) A - B/sqrt(eps))^2 >= 0, so for
    0 < eps < 1 (then 1/eps - 1 > 0) (A - B)^2 >= (1 - eps) A^2 - (1/eps - 1) H^2 and S(s) >= (1 - eps) w c s - k (1/eps
    - 1) H^2, affine with slope > 1: above s at s_big, above s beyond.  g = -sign writes both: slope (1 + g eps) w c,
    S(s) - s on the bound's side (slope - 1) s + k (1 + g/eps) H^2, of sign -g at s_big."""
    H, e, g = RELU_GAP[name](ball(alpha)), ball(eps), -sign
    slope = (1 + g * e) * ball(w) * _relu_slope(n, state)
    k = arb(1) / 2 if state == "simplex" else arb(1)
    return bool(0 < eps and (g > 0 or eps < 1) and g * (slope - 1) < 0 and
                g * ((slope - 1) * ball(s_big) + k * (1 + g / e) * H * H) < 0)


# phi = relu - h with h even, of one sign hs and integrable: int_0^inf t |h| <= I, int_0^inf |h| <= J (silu |h| = t/(1 +
# e^t) <= t e^-t; gelu t Q(t) <= N(t), Mills' ratio, I <= 1/sqrt(2 pi) < 2/5; softplus log(1 + e^-t) <= e^-t): name ->
# (hs, I, J).  ELU's h tends to alpha: no such bound, its E[AB] grows like sqrt(s)
DECAY = {"silu": (1, 2, 1), "gelu": (1, Fraction(2, 5), Fraction(1, 2)), "softplus": (-1, 1, 1)}


def _cross(name, n, w, s_big, state, sign):
    """sign (S(s) - s) > 0 for every s >= s_big, the cross-term lemma (docs/two-point.md): with A = relu(p) - relu(q),
    B = h(p) - h(q), S = k E[(A - B)^2] = w c s - 2 k E[AB] + k E[B^2] exactly, 0 <= E[B^2] <= H^2, and E[AB] = hs (P -
    X) with P (the terms E[relu(p) h(p)], E[relu(q) h(q)]) and X (E[relu(p) h(q)], E[relu(q) h(p)]) >= 0; E[b' Z |h(b
    Z)|; Z > 0] <= b' I/(b^2 sqrt(2 pi)) gives, two-point (lam^2 = w s), P <= I n^2/((n-1) lam sqrt(2 pi)), X <= I n
    ((n-1) + 1/(n-1)^2)/(lam sqrt(2 pi)); simplex (q = w s (n-1)/n, x = r y + an independent part, relu(a + b) <=
    relu(a) + relu(b)) P <= 2 I/sqrt(2 pi q), X <= 2 (|r| I/sqrt(2 pi q) + sqrt(1 - r^2) J/pi).  So sign E[AB] <= P if
    sign hs > 0, else X, and sign (S - s) >= sign (w c - 1) s - 2 k (P or X) - (k H^2 if sign < 0), increasing in s."""
    hs, I, J = (ball(v) for v in DECAY[name])
    s, k, c = ball(s_big), arb(1) / 2 if state == "simplex" else arb(1), ball(w) * _relu_slope(n, state)
    root = (2 * arb.pi() * ball(w) * s).sqrt()
    if state == "simplex":
        r, root = ball(Fraction(1, n - 1)), root * ball(Fraction(n - 1, n)).sqrt()
        P, X = 2 * I / root, 2 * (r * I / root + (1 - r * r).sqrt() * J / arb.pi())
    else:
        P, X = I * n * n / ((n - 1) * root), I * n * (n - 1 + ball(Fraction(1, (n - 1) ** 2))) / root
    H = RELU_GAP[name](arb(0))
    return bool(sign * (c - 1) > 0 and sign * (c - 1) * s - 2 * k * (P if sign * hs > 0 else X) -
                (k * H * H if sign < 0 else 0) > 0)


def _near_zero(name, alpha, n, w, T, s_min, state):
    """The sign of S(s) - s on 0 < s <= s_min (0: not shown).  On A = {|p|, |q| <= T}, m |p - q| <=
    |phi(p) - phi(q)| <= M |p - q| with m = inf phi' (phi' >= m > 0: phi absolutely continuous) and M =
    sup |phi'| on [-T, T] (phi' in balls on 64 pieces a side), off A |phi(p) - phi(q)| <= L |p - q| (the
    table's bound of |phi'|); A's complement is the two-point's {|Z| > R}, R = T n/((n-1) sqrt(w s_min)),
    with E[Z^2; |Z| > R] = tail, or for the simplex bounded as in _small_s: S(s) <= w s (M^2 + L^2 tail)
    (-1 if below s) and S(s) >= w s m^2 (1 - tail) (+1 if above s).  The two-point's p, q straddle 0 (p - q = lam Z),
    so with m+-, inf phi' on [0, T] and [-T, 0], both > 0 (phi increasing there): |phi(p) - phi(q)| >= m+ |p| + m- |q|,
    and S(s) >= w s (((n-1) m+ + m-)^2 + ((n-1) m- + m+)^2)/(2 n^2) (1 - tail) (Z > 0 and Z < 0, half the tail each).
    Above, the same for any phi: |phi(p) - phi(q)| <= |phi(p) - phi(0)| + |phi(0) - phi(q)| <= M+ |p| + M- |q| (M+-,
    sup |phi'| on each side), so S(s) <= w s ((((n-1) M+ + M-)^2 + ((n-1) M- + M+)^2)/(2 n^2) + L^2 tail); the simplex
    keeps max(M+, M-)^2."""
    branches, _, dbound, _, _ = TABLE[name]
    a, t = ball(alpha), ball(T)
    M, L = {-1: arb(0), 1: arb(0)}, _const(dbound, a)
    m = {-1: L, 1: L}
    for side in (-1, 1):
        for i in range(64):
            d = branches[side][1](acb(arb.union(t * i / 64, t * (i + 1) / 64) * side), a).real
            M[side], m[side] = arb.max(M[side], arb(abs(d).upper())), arb.min(m[side], arb(d.lower()))
    lo = arb.min(m[-1], m[1]) ** 2 if state == "simplex" else \
        (((n - 1) * m[1] + m[-1]) ** 2 + ((n - 1) * m[-1] + m[1]) ** 2) / (2 * n * n)
    hi = arb.max(M[-1], M[1]) ** 2 if state == "simplex" else \
        (((n - 1) * M[1] + M[-1]) ** 2 + ((n - 1) * M[-1] + M[1]) ** 2) / (2 * n * n)
    if state == "simplex":
        tail = 2 * arb(6).sqrt() * ((t / (ball(w) * ball(s_min)).sqrt() / arb(2).sqrt()).erfc() / 2).sqrt()
    else:
        R = t * n / ((n - 1) * (ball(w) * ball(s_min)).sqrt())
        tail = 2 * (R * (-R * R / 2).exp() / (2 * arb.pi()).sqrt() + (R / arb(2).sqrt()).erfc() / 2)
    if not T > 0:
        return 0
    return -1 if ball(w) * (hi + L * L * tail) < 1 else 1 if m[-1] > 0 and m[1] > 0 and ball(w) * lo * (1 - tail) > 1 \
        else 0


def check_none(item, state="two-point", sign=-1):
    """The fact of a two-point-none (simplex-none) item {activation, alpha, weight_var, n, prec, T, eps,
    cuts}: S(s) < s for every s > 0, so no fixed point of the state: (0, cuts[0]] by _near_zero,
    each piece of the cuts in balls, [cuts[-1], infinity) by _large_s.  sign +1, a two-point-grow
    (simplex-grow) item, the same fields: S(s) > s for every s > 0 (the scale grows), by the same three."""
    name = item["activation"]
    if name not in RELU_GAP:
        raise Rejected("no large-s lemma for %r (phi = relu - h, h bounded)" % (name,))
    n, alpha, w, prec, T, eps = (item["n"], Q(item["alpha"]), Q(item["weight_var"]), item["prec"], Q(item["T"]),
                                 Q(item["eps"]))
    cuts = [Q(c) for c in item["cuts"]]
    if type(n) is not int or not 3 <= n <= MAX_N or type(prec) is not int or not 64 <= prec <= 512:
        raise Rejected("n or prec out of range (3 <= n <= %d, 64 <= prec <= 512)" % MAX_N)
    _alpha(name, alpha)
    if not (0 < w <= 100 and len(cuts) >= 2 and 0 < cuts[0] and cuts[-1] <= 10 ** 6 and
            all(a < b for a, b in zip(cuts, cuts[1:]))):
        raise Rejected("the cuts must rise from s_min > 0 to s_big <= 10^6 (0 < weight_var <= 100)")
    rel = "<" if sign < 0 else ">"
    with ctx.workprec(prec):
        if _near_zero(name, alpha, n, w, T, cuts[0], state) != sign:
            raise Rejected("the small-s bound does not show S(s) %s s below s_min = %s" % (rel, cuts[0]))
        if not _large_s(name, alpha, n, w, eps, cuts[-1], state, sign):
            raise Rejected("the large-s bound does not show S(s) %s s beyond s_big = %s" % (rel, cuts[-1]))
        for a, b in zip(cuts, cuts[1:]):
            S = arb.union(ball(a), ball(b))
            if not (distance(state, name, alpha, n, w, S, max(2.0 ** -60, float((b - a) / b))) - S) * sign > 0:
                raise Rejected("S(s) - s is not shown %s 0 on [%s, %s]" % (rel, a, b))
    return {"fact": state + ("-none" if sign < 0 else "-grow"), "activation": name, "alpha": alpha, "weight_var": w,
            "n": n}


# ---------------------------------------------------------------- every block of DF at a two-point state
def _partials(name, alpha, n, w, S, tol):
    """The kernel's derivatives at C G* C = S w v v^T (v = (-1/n, ..., (n-1)/n)), per entry type, from
    Price's theorem in its integrated form (phi absolutely continuous): K_jj = E[phi(x)^2] gives
    dK_jj/dS_jj = E[x phi'(x) phi(x)]/q; K_jk = E[phi(x) phi(y)] gives dK/dS_jk = E[phi'(x) phi'(y)]
    and dK/dS_jj = (E[x phi'(x) phi(y)] - c E[phi'(x) phi'(y)])/(2 q_x) (Stein's lemma, which holds
    at correlation +-1 too: the one-sided derivatives, as for ReLU).  Z -> -Z: cluster x = a Z,
    odd point y = b Z, a = lam/n > 0, b = -lam (n-1)/n."""
    lam = (ball(w) * S).sqrt()
    a, b = lam / n, -lam * (n - 1) / n
    E = lambda p, q, zp=0: expectation(name, alpha, [p, q], tol, zp)        # noqa: E731
    kc_cc, kc_co = E(("dphi", a), ("dphi", a)), E(("dphi", a), ("dphi", b))
    zaa, zab, zba, zbb = (E(("dphi", a), ("phi", a), 1), E(("dphi", a), ("phi", b), 1),
                          E(("phi", a), ("dphi", b), 1), E(("dphi", b), ("phi", b), 1))
    return {"d_cluster": zaa / a, "d_odd": zbb / b,           # E[x phi'(x) phi(x)]/q = E[Z phi' phi] c/c^2
            "c_cc": kc_cc, "q_cc": (a * zaa - a * a * kc_cc) / (2 * a * a),
            "c_co": kc_co, "q_co_cluster": (a * zab - a * b * kc_co) / (2 * a * a),
            "q_co_odd": (b * zba - a * b * kc_co) / (2 * b * b)}


def _slope(name, alpha, n, w, S, tol, state):
    """S'(s) for every s in the ball S, by the chain rule through the partials: two-point Sigma = w s v v^T,
    v = (-1/n, (n-1)/n) on (cluster, odd), S = a' + b' - 2 x'; simplex q = w s (n-1)/n, c = -q/(n-1),
    S = E2 - K (both variances of K move)."""
    if state == "simplex":
        k = _simplex_partials(name, alpha, n, w, S, tol)
        return ball(w * Fraction(n - 1, n)) * (k["d_cluster"] - 2 * k["q_cc"] + k["c_cc"] / (n - 1))
    k = _partials(name, alpha, n, w, S, tol)
    c2, o2, co = ball(Fraction(1, n * n)), ball(Fraction((n - 1) ** 2, n * n)), ball(Fraction(1 - n, n * n))
    return ball(w) * (c2 * k["d_cluster"] + o2 * k["d_odd"] - 2 * (c2 * k["q_co_cluster"] + o2 * k["q_co_odd"] +
                                                                   co * k["c_co"]))


def _simplex_partials(name, alpha, n, w, S, tol, at=None):
    """The same derivatives at the simplex state s I + b J (s in the ball S): every point has
    variance q and every pair correlation -1/(n-1), so dK_jj/dS_jj = E[Z phi'(x) phi(x)]/sqrt q,
    and off the diagonal Mehler's dK/dc and dK/dq1 (mehler.py) for every pair alike."""
    q, _, (_, kc, kq) = at or _mehler_at(name, alpha, n, w, S, tol)    # at: _mehler_at's, already computed
    d = expectation(name, alpha, [("dphi", q.sqrt()), ("phi", q.sqrt())], tol, 1) / q.sqrt()
    return {"d_cluster": d, "d_odd": d, "c_cc": kc, "q_cc": kq, "c_co": kc, "q_co_cluster": kq, "q_co_odd": kq}


def all_blocks(name, alpha, n, w, S, tol=2.0 ** -60, state="two-point", at=None, partials=None):
    """{component: ball matrix of DF(G*) on one copy} for every two-point (or simplex) state with s
    in the ball S (model.blocks on class patterns, its invariance checked; the trivial block whole:
    no scale to quotient out; the simplex state's blocks are S_(n-1)'s too).  DF(G)[E] = DK(C G C)[w C E C].
    ``partials``: the seven given (spreadbox.py's spread-cluster state, of the same entry types and symmetry)."""
    from .model import blocks, center, classes, pattern
    k = partials if partials is not None else _simplex_partials(name, alpha, n, w, S, tol, at) if \
        state == "simplex" else _partials(name, alpha, n, w, S, tol)
    cl, size = classes(n)

    def L(P):
        Ec = center({key: arb(v) for key, v in P.items()}, cl, size, n)     # exact entries: balls from here
        dg = lambda i: Ec[("R", "R", "d")] if i == "R" else Ec[(i, i)]        # noqa: E731
        out = {}
        for key, v in Ec.items():
            i, j = key[0], key[1]
            if len(key) == 3 or i == j != "R":
                out[key] = ball(w) * v * k["d_odd" if i == "o" else "d_cluster"]
            elif "o" in (i, j):
                c = j if i == "o" else i
                out[key] = ball(w) * (k["c_co"] * v + k["q_co_cluster"] * dg(c) + k["q_co_odd"] * dg("o"))
            else:
                out[key] = ball(w) * (k["c_cc"] * v + k["q_cc"] * (dg(i) + dg(j)))
        return out
    G = pattern(cl, lambda i, j, d: arb(1))
    return blocks(G, L, cl, lambda x, y: (x - y).contains(0), quotient=False)


# the translations u 1^T + 1 u^T (C kills them, so DF does: eigenvalue 0) in each block's basis, first in an
# exact change of basis P; the block's other eigenvalues are those of the rest of P^-1 M P
TRANSLATIONS = {4: [[2, 0, 1, 0], [2, 0, 0, 1], [1, 1, 0, 0], [0, 2, 0, 0]],     # trivial: u = cluster, odd
                3: [[2, 1, 0], [1, 0, 1], [1, 0, 0]],                          # standard: u = x on the cluster
                2: [[2, 1], [1, 0]],                                            # standard at n = 3
                1: [[1]]}


def eigenvalues(M):
    """The eigenvalues of every matrix in the ball matrix M, as acb balls (with multiplicity): the
    translations' zeros, then the rest's in closed form (1 x 1, or the quadratic formula for 2 x 2)."""
    from flint import arb_mat, fmpq_mat
    P = TRANSLATIONS[len(M)]
    k = {4: 2, 3: 1, 2: 1, 1: 0}[len(M)]
    Pi = fmpq_mat(P).inv()
    Pa = arb_mat([[arb(v) for v in row] for row in P])
    Pia = arb_mat([[arb(Pi[i, j].p) / arb(Pi[i, j].q) for j in range(len(M))] for i in range(len(M))])
    R = Pia * arb_mat([list(row) for row in M]) * Pa
    m = len(M) - k
    rest = [[R[k + i, k + j] for j in range(m)] for i in range(m)]
    if not all(R[i, j].contains(0) for i in range(len(M)) for j in range(k)):
        raise Rejected("a translation is not in the block's kernel: the model is inconsistent")
    if m == 1:
        ev = [acb(rest[0][0])]
    else:
        t, d = rest[0][0] + rest[1][1], rest[0][0] * rest[1][1] - rest[0][1] * rest[1][0]
        r = acb(t * t - 4 * d).sqrt()
        ev = [(acb(t) + r) / 2, (acb(t) - r) / 2]
    if not all(e.is_finite() for e in ev):
        raise Rejected("a block's eigenvalues are not finite balls")
    return [acb(0)] * k + ev


def radius(M):
    """(lower, upper) arbs of the spectral radius of every matrix in the ball matrix M (the largest
    upper end compared exactly: two ends float rounds alike may differ, and the smaller is no bound)."""
    mods = [abs(e) for e in eigenvalues(M)]
    return max((arb(x.lower()) for x in mods), key=_lower), max((arb(x.upper()) for x in mods), key=_upper)
