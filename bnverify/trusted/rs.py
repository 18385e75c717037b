"""Trusted: with RS the Gram map has no linearization at the two-point state (twin:
bnverify.derive.rs.spread_response, derived there step by step).

RC + RS + leaky ReLU(alpha), 0 <= alpha <= 1 (relu 0, identity 1), n >= 3.  At the fixed point
G* (model.rs_image: cluster entries a, cross x, odd b; scaled to a = 1, lambda = (a + b - 2x)/a = |u - v|^2) push two
cluster points apart: G(eps) = G* + eps e e^T, e = e_1 - e_2.  A neuron's centred row is
z = sqrt(lambda) g s + sqrt(eps) h e (g, h independent N(0, 1), s = (-1/n, .., (n-1)/n) _|_ e),
RS makes it y = sqrt(n) (cos psi s/|s| + sin psi e/|e|), and psi has the angular central
Gaussian density p(psi) = k/(2 pi (k^2 cos^2 psi + sin^2 psi)), k^2 = 2 eps/(lambda |s|^2): that
density is the one fact taken from outside.  Checked here, exactly:

* where cos psi < 0 and |tan psi| <= sigma = 1/sqrt(n(n-1)) = tan psi0 (a window around psi = pi),
  y_1, y_2 > 0, so phi is the identity there and (y_1 - y_2)^2 = 2 n sin^2 psi;
* F(x) = (x - k atan(tan x / k))/(1 - k^2) has F' = sin^2 x/(k^2 cos^2 x + sin^2 x), so that
  window contributes 2n (k/(2 pi)) (F(psi0) - F(-psi0)) to E[(phi(y_1) - phi(y_2))^2];
* E[phi(y_1)^2] <= E[y_1^2] <= n (|phi(y)| <= |y|, |y|^2 = n), so the cluster points' cosine
  deficit delta_out = E[(phi(y_1) - phi(y_2))^2] / (2 E[phi(y_1)^2]) is at least
  (k/pi)(psi0 - k atan(sigma/k))/(1 - k^2) >= k (psi0 - k pi/2)/pi, while the input deficit is
  delta_in = 2 eps/(1 + eps) <= 2 eps = k^2 lambda |s|^2;
* hence delta_out >= M delta_in whenever k <= k_M = psi0/(pi/2 + pi M lambda |s|^2) (< 1).

Two-sided growth (:func:`growth_bounds`, twin: bnverify.derive.rs_family.growth_bounds).  For any psi,
y_j = r(-sigma cos psi +- sin psi/sqrt(2)) and (y_1 - y_2)^2 = 2n sin^2 psi.  From F on (-pi/2, pi/2)
(atan(tan x/k) -> +-pi/2 at the ends), E[sin^2 psi] = k/(1 + k); E[cos psi sin psi] = 0 (p is even),
so E[y_1^2] = n (sigma^2 + k/2)/(1 + k) exactly.  psi -> psi + pi keeps p and negates y, and
phi(t)^2 + phi(-t)^2 = (1 + alpha^2) t^2, so E[phi(y_1)^2] = (1 + alpha^2) E[y_1^2]/2 exactly; phi is
1-Lipschitz, so E[(phi(y_1) - phi(y_2))^2] <= 2n k/(1 + k).  With the window's lower bound:

    2k (psi0 - k atan(sigma/k)) / (pi (1 - k)(1 + alpha^2)(sigma^2 + k/2)) <= delta_out <= 2k / ((1 + alpha^2) sigma^2),

k = kappa0 sqrt(eps), kappa0 = sqrt(2/(lambda |s|^2)).  For k <= k0 = psi0/pi (atan <= pi/2, 1 - k <= 1):
a sqrt(eps) <= delta_out <= b sqrt(eps) with a = kappa0 psi0/(pi (1 + alpha^2)(sigma^2 + k0/2)),
b = 2 kappa0/((1 + alpha^2) sigma^2), for 0 < eps <= eps0 = (k0/kappa0)^2.

The symmetric family (:func:`rs_basins`, twin: bnverify.derive.rs_family.mixture).  For a centred
symmetric Sigma(rho) (rho in D = [-1/(n-2), 1], the curve of model.curve) S = Sigma(rho) has the
eigenvalue alpha_0 = 1 - rho on the cluster's sum-zero vectors and mu = n q on w = e_odd - 1/n; the
Laplace representation's tilted covariance P(s) = S (I + 2sS)^-1 keeps those eigenvectors, so it is
again centred symmetric, P(s) ~ Sigma(rho_s), with rho_s = (r_s - n)/(r_s + n(n - 2)), r_s =
mu (1 + 2s alpha_0)/(alpha_0 (1 + 2s mu)), monotone from rho (s = 0) to -1/(n - 1) (s -> oo), constant at
rho = 1 and at rho = -1/(n-2).  V(Sigma) = n int K(P(s)) det(I + 2sS)^-1/2 ds, C K(P(s)) C =
c_s Sigma(h(rho_s)) with c_s >= 0 (a PSD diagonal), and Sigma(.) is affine in rho, so

    h_RS(rho) = int w(s) h(rho_s) ds / int w(s) ds,    w(s) = c_s det^-1/2 >= 0:

RC + RS's reduced map is an average of RC alone's h over the segment between rho and -1/(n-1).  If
RC alone's basins are {simplex: [left-end, configuration), configuration: {configuration}}, then
h > id on [left-end, simplex) (on the monotone part by the sign argument of basins.py, on the head
because its image lies above m) and h < id on (simplex, 1), and h is increasing from the simplex's
piece on; so h_RS(rho) in [rho*, rho) for rho in (rho*, 1) and h_RS(rho) > rho below rho*: h_RS is
continuous (dominated convergence), its fixed points are rho* and 1 only, orbits above rho* decrease
to rho*, orbits below increase to rho* or enter (rho*, 1): RC + RS has the same two basins.  With a
partner p and an attractor a (RC alone's basins FOUR, n >= 7), h < id on (rho*, p) and (a, 1) and
h > id on (p, a): the average gives h_RS < id on (rho*, p] and [a, 1) (h(rho') <= h(rho) < rho), and
h_RS >= rho* as before; an rs-cover (rs_family.py: h_RS < id) from the partner's piece to the
attractor's closes (p, a), and the same two basins follow.
"""
from __future__ import annotations

from functools import lru_cache

from .base import Rejected
from .model import rs_image

ONLY_TWO = {"simplex": "[left-end, configuration)", "configuration": "{configuration}"}
FOUR = {"simplex": "[left-end, partner)", "partner": "{partner}", "attractor": "(partner, configuration)",
        "configuration": "{configuration}"}


@lru_cache(maxsize=64)      # sympy's derivations depend only on (n, alpha): each checked once per process
def unbounded_response(n, alpha):
    """(lambda, k_M as a function of the symbol M): the checks above for n (a symbol meaning
    every n >= 3, or an integer >= 3) and alpha (exact, in [0, 1]); Rejected if one fails."""
    import sympy

    x, k, M = sympy.Symbol("x", real=True), sympy.Symbol("k", positive=True), sympy.Symbol("M", positive=True)
    C, T, m = sympy.Symbol("C", positive=True), sympy.Symbol("T", real=True), sympy.Symbol("m", nonnegative=True)
    a, cross, b = rs_image(n, alpha)
    lam = sympy.factor((a + b - 2 * cross) / a)      # G* scaled to cluster norms 1: delta_in = 2 eps/(1 + eps)
    # every n >= 3 as n = m + 3, m >= 0, so that square roots simplify; an integer stays exact
    n = sympy.Integer(n) if isinstance(n, int) else m + 3
    s2 = (n - 1) / n
    sigma = 1 / sympy.sqrt(n * (n - 1))
    r = sympy.sqrt(n)
    # y = r (cos psi s/|s| + sin psi e/|e|) at cos psi = -C < 0, sin psi = -C T (T = tan psi)
    y1 = r * (-C * (-1 / n) / sympy.sqrt(s2) - C * T / sympy.sqrt(2))
    y2 = r * (-C * (-1 / n) / sympy.sqrt(s2) + C * T / sympy.sqrt(2))
    F = (x - k * sympy.atan(sympy.tan(x) / k)) / (1 - k ** 2)
    lam_m = sympy.simplify(lam.subs(sympy.Symbol("n"), n))
    same = lambda e: sympy.simplify(e) == 0                                  # noqa: E731
    facts = {
        # y_j / (r C) = sigma -+ T/sqrt(2) > 0 for |T| <= sigma: phi is the identity on the window
        "y_j = r C (sigma -+ tan psi/sqrt(2))": same(y1 - r * C * (sigma - T / sympy.sqrt(2)))
        and same(y2 - r * C * (sigma + T / sympy.sqrt(2))),
        "(y_1 - y_2)^2 = 2 n sin^2 psi": same((y1 - y2) ** 2 - 2 * n * (C * T) ** 2),
        "F' is the window's integrand": same(sympy.diff(F, x) - sympy.sin(x) ** 2 /
                                             (k ** 2 * sympy.cos(x) ** 2 + sympy.sin(x) ** 2)),
        "lambda > 0": bool(lam_m.is_positive),
    }
    bad = [name for name, ok in facts.items() if not ok]
    if bad:
        raise Rejected("the RS response's derivation fails: %s" % ", ".join(bad))
    psi0 = sympy.atan(sigma)
    lam = lam_m
    k_M = psi0 / (sympy.pi / 2 + sympy.pi * M * lam * s2)
    ratio = (psi0 - k * sympy.pi / 2) / (sympy.pi * k * lam * s2)          # <= delta_out / delta_in
    if not same(ratio.subs(k, k_M) - M):
        raise Rejected("k_M does not give the ratio M")
    return lam, k_M


@lru_cache(maxsize=64)
def growth_bounds(n, alpha):
    """(eps0, a, b), sympy in n (an integer or, for every n >= 3, the symbol n): a sqrt(eps) <=
    delta_out(eps) <= b sqrt(eps) for 0 < eps <= eps0 (the docstring's chain); Rejected if a step fails."""
    import sympy

    unbounded_response(n if isinstance(n, int) else sympy.Symbol("n"), alpha)   # the window's facts
    k, c = sympy.Symbol("k", positive=True), sympy.Symbol("c", real=True)
    m = sympy.Symbol("m", nonnegative=True)
    nn = sympy.Integer(n) if isinstance(n, int) else m + 3
    a0, cross, b0 = rs_image(nn, alpha)
    lam, s2, sigma = sympy.factor((a0 + b0 - 2 * cross) / a0), (nn - 1) / nn, 1 / sympy.sqrt(nn * (nn - 1))
    sn = sympy.sqrt(1 - c ** 2)
    y1, y2 = (sympy.sqrt(nn) * (-sigma * c + e * sn / sympy.sqrt(2)) for e in (1, -1))
    es2 = 2 * k / (2 * sympy.pi) * 2 * (sympy.pi / 2 - k * sympy.pi / 2) / (1 - k ** 2)
    ey1 = nn * (sigma ** 2 * (1 - es2) + es2 / 2)       # E[c s] = 0 drops the middle term
    same = lambda e: sympy.simplify(e) == 0                                  # noqa: E731
    facts = {"(y_1 - y_2)^2 = 2n sin^2 psi": same((y1 - y2) ** 2 - 2 * nn * sn ** 2),
             "E[sin^2 psi] = k/(1+k)": same(es2 - k / (1 + k)),
             "E[y_1^2]": same(sympy.expand(y1 ** 2) - nn * (sigma ** 2 * c ** 2 + sn ** 2 / 2)
                              + sympy.sqrt(2) * nn * sigma * c * sn) and same(ey1 - nn * (sigma ** 2 + k / 2) / (1 + k))}
    kappa0 = sympy.sqrt(2 / (lam * s2))
    psi0 = sympy.atan(sigma)
    k0 = psi0 / sympy.pi
    a = kappa0 * psi0 / (sympy.pi * (1 + alpha ** 2) * (sigma ** 2 + k0 / 2))
    b = 2 * kappa0 / ((1 + alpha ** 2) * sigma ** 2)
    # a > 0: lambda > 0 (unbounded_response) and sigma > 0, so psi0 = atan(sigma) in (0, pi/2);
    # b/a = 2 pi (sigma^2 + k0/2)/(psi0 sigma^2) > 2 pi/psi0 > 1
    facts["sigma > 0"] = bool(sigma.is_positive)
    failed = [name for name, ok in facts.items() if not ok]
    if failed:
        raise Rejected("the RS growth bounds' derivation fails: %s" % ", ".join(failed))
    sub = (lambda e: e) if isinstance(n, int) else (lambda e: sympy.simplify(e.subs(m, sympy.Symbol("n") - 3)))
    return sub((k0 / kappa0) ** 2), sub(a), sub(b)


def rs_basins(rc_fact, below=()):
    """RC + RS's basins at the fact's n and alpha from RC alone's (a 'basins' fact the kernel
    re-verified), by the averaging lemma above, and where RC alone has a partner and an attractor,
    an 'rs-below' fact (h_RS < id) on an interval from the partner's piece to the attractor's;
    None where these do not decide."""
    two = rc_fact.get("basins") == ONLY_TWO
    if not two and rc_fact.get("basins") != FOUR:
        return None
    if not two:
        (p_lo, _), (_, a_hi) = rc_fact["pieces"]["partner"], rc_fact["pieces"]["attractor"]
        if not any(f["n"] == rc_fact["n"] and f["alpha"] == rc_fact["alpha"] and f["lo"] <= p_lo and a_hi <= f["hi"]
                   for f in below):
            return None
    return dict(rc_fact, basins=dict(ONLY_TWO), fixed_points=("simplex", "configuration"), stages="rc,rs")
