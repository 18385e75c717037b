"""The symmetric (BSB1) fixed point of full batch normalization, RC + RS + phi, phi positively
homogeneous of degree 1: rigorous enclosures (untrusted derivation layer; no kernel goal yet).

For Sigma = (1 - c) I + c 11^T (1 on the diagonal, c off it, -1/(n-1) < c < 1) the centred
covariance is S = C Sigma C = (1 - c) C, so Cz is an isotropic Gaussian on the plane 1-perp and
y = sqrt(n) Cz/|Cz| is uniform on its sphere of radius sqrt(n), whatever c is.  Hence the map
is *constant* on the family (docs/full-bn.md; also from the Laplace integral, P(s) = (1-c)C /
(1 + 2s(1-c)), det = (1 + 2s(1-c))^(n-1)):

    V(Sigma) = n/(n-1) V_phi(C),     correlation  c* = kappa(-1/(n-1)) / kappa(1),

so the BSB1 state is reached in one layer and is the unique fixed point in the family: h(c) = c*
for every c, h' = 0.  This module encloses c* from that closed form (the kernel formula of
``core.activations`` in ball arithmetic) and, as an independent check, from the certified Laplace
integral (``core.laplace``) at two members of the family (c = 0 and c near c*): each image
correlation must contain c*, and the 1-D Krawczyk test with the exact slope 0,
K(X) = h(m) inside X = c* +/- 10^-digits, then proves the fixed point unique in X.
"""
from __future__ import annotations

import time
from fractions import Fraction

from ..core import laplace
from ..core.arith import BallContext
from ..core.activations import Activation, leaky
from ..errors import BadInput

MAX_CHECK_N = laplace.MAX_N


def activation(slope):
    """The registry activation of a leaky slope (abs for -1, leaky_relu otherwise; relu is 0)."""
    s = Fraction(slope)
    return Activation("abs") if s == -1 else leaky(s)


def closed_form(n, slope, prec=128):
    """c* = kappa(-1/(n-1)) / kappa(1) as an arb (kappa of the leaky ReLU of this slope)."""
    ctx = BallContext(prec)
    act = activation(slope)
    rho = ctx.const(Fraction(-1, n - 1))
    return act.kappa(rho, ctx) / act.kappa_one(ctx)


def _bsb1(n, c):
    return [[Fraction(1) if i == j else c for j in range(n)] for i in range(n)]


def image_correlation(n, slope, c, digits):
    """The correlation V_01 / V_00 of V(BSB1(c)) from the certified Laplace integral (an arb)
    and the seconds it took."""
    res = laplace.gram(_bsb1(n, Fraction(c)), slope, rc=True, digits=digits)
    return res["V"][0][1] / res["V"][0][0], res["seconds"]


def certify(n, slope, digits=15, check=True):
    """A dict: ``c`` (the enclosure of c*), ``digits``, ``seconds``, and with ``check`` the two
    Laplace images (``images``) and the Krawczyk verdict ``krawczyk_ok``."""
    if n < 3:
        raise BadInput("n = %d: the BSB1 state needs n >= 3" % n)
    t0 = time.process_time()
    prec = int(3.33 * digits) + 40
    c = closed_form(n, slope, prec)
    out = {"n": n, "c": c, "digits": digits, "prec": prec, "route": "closed form kappa(-1/(n-1))/kappa(1)"}
    if check:
        if n > MAX_CHECK_N:
            raise BadInput("n = %d: the Laplace cross-check takes n <= %d" % (n, MAX_CHECK_N))
        from flint import arb, ctx

        with ctx.workprec(prec):
            m = _rational(c.mid())
            X = arb(c.mid(), arb(10) ** -digits)
        images = []
        for c0 in (Fraction(0), m):
            h, _ = image_correlation(n, slope, c0, digits + 2)
            images.append((c0, h))
        hm = images[1][1]
        # slope enclosure of h on X: exactly 0 (h is constant on the family), so K(X) = h(m)
        out.update(images=images, krawczyk_ok=bool(X.contains_interior(hm)) and all(h.overlaps(c) for _, h in images),
                   X=X, route=out["route"] + "; Laplace integral at c = 0 and c = m, Krawczyk with slope 0")
    out["seconds"] = time.process_time() - t0
    return out


def _rational(x):
    m, e = (int(v) for v in x.man_exp())
    return Fraction(m) * Fraction(2) ** e
