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
  phi' = 1 on t > 0.
- **The pair block** (n >= 5): P, a zero-sum pattern of angles inside the cluster (zero
  diagonal, zero cross entries), has C P C = P, and DF(G*)[P] = w E[phi'(lam Z/n)^2] P (Price's
  theorem; the cluster's pre-activations are equal, correlation 1: the one-sided derivative, as
  for ReLU).  So mu = w E[phi'(lam Z/n)^2] is an eigenvalue of DF at the fixed point.

Tails: every integrand is a product f(c1 Z) g(c2 Z) with |f(t)| <= f0 + f1 |t|, so
|f g| <= m (1 + |Z|)^2 and, for L >= 1, E[m (1 + |Z|)^2; |Z| > L] <= 8 m (L N(L) + Q(L)),
N the standard normal density and Q its upper tail.
"""
from __future__ import annotations

from fractions import Fraction

from flint import acb, arb, ctx

from .base import Q, Rejected, ball

L_CUT = 12              # |Z| <= 12: the tail bound is below 1e-29 times the growth constant
MAX_N = 1000


def _s(z, a=None):              # the logistic function
    return 1 / (1 + (-z).exp())


def _smooth(phi, dphi):
    return {-1: (phi, dphi), 1: (phi, dphi)}


# name -> (branches {sign of the argument: (phi, phi')}, growth of phi (f0, f1): |phi(t)| <= f0 + f1 |t|,
#          bound of |phi'|, Lipschitz constant squared (None: no lemma), strict: |phi'| < L a.e. on
#          every interval [q, p] with q < 0 < p: the docstring's None).  "A" stands for ELU's max(1, alpha).  Twins: the formulas of
#          bnverify/core/activations.py (tests/test_twopoint.py compares them).
TABLE = {
    "gelu": (_smooth(lambda z, a: z * (1 + (z / arb(2).sqrt()).erf()) / 2,
                     lambda z, a: (1 + (z / arb(2).sqrt()).erf()) / 2 + z * (-z * z / 2).exp() / (2 * arb.pi()).sqrt()),
             (0, 1), Fraction(5, 4), None, False),
    "silu": (_smooth(lambda z, a: z * _s(z), lambda z, a: _s(z) * (1 + z * (1 - _s(z)))),
             (0, 1), Fraction(5, 4), None, False),
    "tanh": (_smooth(lambda z, a: z.tanh(), lambda z, a: 1 - z.tanh() ** 2), (1, 0), 1, 1, True),
    "erf": (_smooth(lambda z, a: z.erf(), lambda z, a: 2 * (-z * z).exp() / arb.pi().sqrt()),
            (1, 0), Fraction(6, 5), "4/pi", True),
    "elu": ({-1: (lambda z, a: a * (z.exp() - 1), lambda z, a: a * z.exp()),
             1: (lambda z, a: z, lambda z, a: acb(1))}, (0, "A"), "A", "A^2", True),
    "softplus": (_smooth(lambda z, a: (1 + z.exp()).log(analytic=True), _s), (1, 1), 1, 1, True),
    "sigmoid": (_smooth(_s, lambda z, a: _s(z) * (1 - _s(z))), (1, 0), Fraction(1, 4), Fraction(1, 16), True),
    "sin": (_smooth(lambda z, a: z.sin(), lambda z, a: z.cos()), (1, 0), 1, 1, True),
}


def _const(v, a):
    """A table constant as an arb: a rational, 4/pi, or ELU's A = max(1, alpha), A^2."""
    big = arb.max(a, arb(1))
    return {"4/pi": lambda: 4 / arb.pi(), "A": lambda: big, "A^2": lambda: big * big}.get(
        v, lambda: ball(Fraction(v)))()


def _alpha(name, alpha):
    if name == "elu" and not alpha > 0 or name != "elu" and alpha != 0:
        raise Rejected("%s takes %s" % (name, "alpha > 0" if name == "elu" else "no alpha"))
    return ball(alpha)


def expectation(name, alpha, parts, tol=2.0 ** -60):
    """E[g1(c1 Z) g2(c2 Z)] for Z ~ N(0, 1): ``parts`` = [(which, c)] twice, which "phi" or
    "dphi", c an arb certainly non-zero (a point, or a ball of scales).  A rigorous arb; the
    current working precision."""
    branches, growth, dbound, _, _ = TABLE[name]
    a = _alpha(name, alpha)
    if len(parts) != 2 or not all(c > 0 or c < 0 for _, c in parts):
        raise Rejected("an expectation of two factors at non-zero scales")
    m = arb(1)
    for which, c in parts:
        g0, g1 = (_const(growth[0], a), _const(growth[1], a)) if which == "phi" else (_const(dbound, a), arb(0))
        m *= arb.max(g0, g1 * abs(c).upper())
    total = acb(0)
    for side, lo, hi in ((-1, -L_CUT, 0), (1, 0, L_CUT)):        # Z's sign picks each factor's branch
        fs = [(branches[side if c > 0 else -side][which == "dphi"], c) for which, c in parts]

        def f(z, analytic, fs=fs):
            v = (-z * z / 2).exp()
            for g, c in fs:
                v *= g(z * c, a)
            return v
        total += acb.integral(f, lo, hi, abs_tol=2.0 ** -100, rel_tol=tol, eval_limit=100_000)
    L = arb(L_CUT)
    tail = 8 * m * (L * (-L * L / 2).exp() / (2 * arb.pi()).sqrt() + (L / arb(2).sqrt()).erfc() / 2)
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


def collapses(name, alpha, w):
    """True if S(s) < s for every s > 0 (the Lipschitz lemma); False where not shown."""
    _, _, _, lip2, strict = TABLE[name]
    if lip2 is None:
        return False
    a = _alpha(name, alpha)
    if lip2 == "4/pi":
        return bool(ball(w) * 4 / arb.pi() < 1)             # w 4/pi = 1 has no rational w
    L2 = max(Fraction(1), alpha) ** 2 if lip2 == "A^2" else Fraction(lip2)
    del a
    return w * L2 < 1 or strict and w * L2 == 1


def _lower(x):
    man, exp = x.lower().mid().man_exp()
    return Fraction(int(man)) * Fraction(2) ** int(exp)


def check_bracket(item):
    """The fact of a two-point-bracket item {activation, alpha, weight_var, n, lo, hi, prec}:
    S(s) - s changes sign on [lo, hi], so a two-point fixed point with s in (lo, hi); over that bracket
    its Gram entries and the pair block's eigenvalue (n >= 5), in balls."""
    name = item["activation"]
    if name not in TABLE:
        raise Rejected("activation %r is not in the two-point table" % (name,))
    n, alpha, w, lo, hi, prec = (item["n"], Q(item["alpha"]), Q(item["weight_var"]), Q(item["lo"]),
                                 Q(item["hi"]), item["prec"])
    if type(n) is not int or not 3 <= n <= MAX_N or type(prec) is not int or not 64 <= prec <= 512:
        raise Rejected("n or prec out of range (3 <= n <= %d, 64 <= prec <= 512)" % MAX_N)
    if not (0 < lo < hi <= 10 ** 4 and 0 < w <= 100 and 0 <= alpha <= 100):
        raise Rejected("need 0 < lo < hi <= 10^4, 0 < weight_var <= 100 and 0 <= alpha <= 100")
    if 1024 * (hi - lo) > lo:       # wide scale balls: up to 50x the price's time, and no cosines to show
        raise Rejected("a bracket wider than lo/1024")
    with ctx.workprec(prec):
        signs = []
        for s in (lo, hi):
            a2, x2, b2 = image(name, alpha, n, w, ball(s))
            signs.append(a2 + b2 - 2 * x2 - ball(s))
        if not (signs[0] > 0 and signs[1] < 0 or signs[0] < 0 and signs[1] > 0):
            raise Rejected("S(lo) - lo and S(hi) - hi are not of opposite signs in balls: not a bracket")
        S = arb.union(ball(lo), ball(hi))
        tol = max(2.0 ** -60, 4 * float(hi - lo) / float(hi))
        a2, x2, b2 = image(name, alpha, n, w, S, tol)
        mu = None
        if n >= 5:
            cl = (ball(w) * S).sqrt() / n
            mu = ball(w) * expectation(name, alpha, [("dphi", cl), ("dphi", cl)], tol)
        geo = [x2 / (a2 * b2).sqrt(), (b2 / a2).sqrt(), S, mu]
    return {"fact": "two-point-fixed", "activation": name, "alpha": alpha, "weight_var": w, "n": n,
            "pair_lower": None if mu is None else _lower(mu),
            "shown": ["%s" % (g.str(12) if g is not None else "-") for g in geo]}


def phi_at(name, alpha, y):
    """phi(y) for a real ball y certainly non-zero (an arb)."""
    if not (y > 0 or y < 0):
        raise Rejected("phi at a ball that meets the kink")
    return TABLE[name][0][1 if y > 0 else -1][0](acb(y), ball(alpha)).real


# ---------------------------------------------------------------- goals (kernel.GOALS routes here)
def _family(c):
    return ("for %s and %s: the map G -> K_phi(sigma_w^2 C G C) (not up to scale) has a two-point fixed point G* (n-1 "
            "equal points and one odd point, at distance s = |u - v|^2 > 0)" % (c.model_text(), c.domain_text()))


def _collapse_reason(c):
    lip2 = TABLE[c.activation][3]
    how = ("= 1, |phi'| < L almost everywhere on every interval [q, p] with q < 0 < p (p, q straddle 0),"
           if _equal_one(c) else "< 1")
    return ("the scale collapses: |phi(p) - phi(q)| <= L |p - q| with L^2 = %s, and sigma_w^2 L^2 %s give S(s) < s for "
            "every s > 0 (p - q = lam Z), so no two-point fixed point with s > 0 at any n"
            % ("max(1, alpha)^2" if lip2 == "A^2" else lip2, how))


def _equal_one(c):
    lip2 = TABLE[c.activation][3]
    return lip2 != "4/pi" and c.weight_var * (max(Fraction(1), c.alpha[0]) ** 2 if lip2 == "A^2" else Fraction(lip2)) == 1


def _about(c):
    return lambda f: (f.get("fact") == "two-point-fixed" and f["activation"] == c.activation and
                      f["alpha"] == c.alpha[0] and f["weight_var"] == c.weight_var and
                      c.n_lo <= f["n"] and (c.n_hi is None or f["n"] <= c.n_hi))


def _per_n(c, facts):
    """{n: fact} for every n of the domain, or Rejected naming the first n without a bracket."""
    by_n = {f["n"]: f for f in facts}
    for k in c.ns():
        if k not in by_n:
            raise Rejected("no two-point bracket for n = %d" % k)
    return by_n


def _shown(by_n, count=3):
    keys = sorted(by_n)
    keep = keys if len(keys) <= count else keys[:count - 1] + keys[-1:]
    return "; ".join("n = %d: s in %s, odd cosine %s, norm ratio %s" % (
        k, by_n[k]["shown"][2], by_n[k]["shown"][0], by_n[k]["shown"][1]) for k in keep)


def fixed_goal(c, Goal, need):
    need(c.stages == ["rc"], "the two-point family is decided for RC then phi (stages rc)")
    need(c.activation in TABLE, "no two-point table entry for %s" % c.activation)
    need(c.n_lo >= 3, "n >= 3 (a cluster of at least two points)")

    def decide(facts):
        if collapses(c.activation, c.alpha[0], c.weight_var):
            return "refuted", _collapse_reason(c)
        by_n = _per_n(c, facts)
        return "proved", ("S(lo) - lo and S(hi) - hi of opposite signs in balls (one-dimensional Gaussian integrals, tails bounded), "
                          "so a root of S(s) = s in (lo, hi): " + _shown(by_n))
    return Goal(_family(c), decide, _about(c))


def spectral_goal(c, Goal, need, rel, bound):
    fixed = fixed_goal(c, Goal, need)
    st = fixed.statement + (" at which the linearization DF(G*) (the map's own, Price's theorem; one-sided at "
                            "correlation 1) has spectral radius %s %s" % (rel, bound))

    def decide(facts):
        if collapses(c.activation, c.alpha[0], c.weight_var):
            return "refuted", _collapse_reason(c)
        if rel in ("<", "<="):
            raise Rejected("the kernel bounds the spectral radius from below only (the pair block's eigenvalue); "
                           "'%s' needs every block" % rel)
        need(c.n_lo >= 5, "the pair block (a zero-sum pattern of angles inside the cluster) needs n >= 5")
        by_n = _per_n(c, facts)
        for k, f in sorted(by_n.items()):
            if not (f["pair_lower"] > bound if rel == ">" else f["pair_lower"] >= bound):
                raise Rejected("at n = %d the pair block's eigenvalue is not shown %s %s" % (k, rel, bound))
        return "proved", ("the pair block's eigenvalue mu = sigma_w^2 E[phi'(lam Z/n)^2] over each bracket %s %s "
                          "(mu at n = %d: %s); %s" % (rel, bound, min(by_n), by_n[min(by_n)]["shown"][3],
                                                     _shown(by_n)))
    return Goal(st, decide, fixed.about)
