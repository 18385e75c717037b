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
"""
from __future__ import annotations

from .base import Rejected
from .model import rs_image


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
