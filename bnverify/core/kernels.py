"""Activations and their arc-cosine kernels, written once for every arithmetic.

For an activation phi and ``y ~ N(0, Sigma)`` with ``Sigma = [[a, c], [c, b]]``

    E[phi(y_1) phi(y_2)] = sqrt(a b) * kappa(rho),     rho = c / sqrt(a b).

Leaky ReLU with slope alpha (relu: alpha = 0, identity: alpha = 1) is
``phi(x) = (1+alpha)/2 x + (1-alpha)/2 |x|``, and with
``A = (1 + alpha^2)/2`` and ``B = (1 - alpha)^2 / (2 pi)``

    kappa(rho)              = A rho + B (sqrt(1 - rho^2) - rho acos(rho))
    kappa'(rho)             = A - B acos(rho)
    kappa(rho) - rho kappa' = B sqrt(1 - rho^2)                      ("kappa_perp")

For alpha = 0 this is the degree-1 arc-cosine kernel of Cho & Saul (2009),
``(sqrt(1-rho^2) + (pi - acos rho) rho) / (2 pi)``.  kappa' is continuous on the closed
interval [-1, 1] (kappa'(1) = A, kappa'(-1) = A - B pi = alpha), so the kernel map is C^1
up to the boundary |rho| = 1 even though kappa'' = B / sqrt(1 - rho^2) blows up there.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..errors import BadInput

ACTIVATIONS = ("relu", "leaky_relu", "identity", "tanh")
STAGES = ("rc", "rs")


def parse_alpha(alpha):
    """alpha as an exact Fraction in [0, 1); accepts '1/10', '0.1', 0.1."""
    try:
        a = Fraction(str(alpha)) if not isinstance(alpha, Fraction) else alpha
    except (ValueError, ZeroDivisionError):
        raise BadInput("alpha %r is not a number" % (alpha,))
    if not (0 <= a < 1):
        raise BadInput("alpha %s is outside [0, 1)" % alpha)
    return a


@dataclass(frozen=True)
class Activation:
    """An activation; ``alpha`` is the leaky slope (exact Fraction, or a sympy Symbol)."""

    name: str
    alpha: object = Fraction(0)

    @property
    def has_kernel(self):
        return self.name in ("relu", "leaky_relu", "identity")

    @property
    def degree(self):
        """The degree of positive homogeneity (phi(c x) = c^degree phi(x), c > 0), or None."""
        return 1 if self.has_kernel else None

    @property
    def slope(self):
        """The leaky slope that makes this activation a leaky ReLU (identity: 1)."""
        return {"relu": Fraction(0), "identity": Fraction(1)}.get(self.name, self.alpha)

    def __str__(self):
        return "leaky_relu(%s)" % self.alpha if self.name == "leaky_relu" else self.name

    # ---- finite width (numpy) ----
    def phi(self, x):
        """phi applied entrywise to a float array."""
        if self.name == "relu":
            return np.maximum(x, 0.0)
        if self.name == "leaky_relu":
            return np.where(x > 0, x, float(self.alpha) * x)
        if self.name == "identity":
            return x
        return np.tanh(x)

    # ---- infinite width, written once for every arithmetic ----
    def constants(self, ctx):
        """(A, B) = ((1 + alpha^2)/2, (1 - alpha)^2 / (2 pi)) in ``ctx``, alpha the slope."""
        if not self.has_kernel:
            raise BadInput("no closed-form kernel for activation %s" % self)
        a = self.slope
        a = ctx.const(a) if isinstance(a, (Fraction, int, str)) else a
        A = (1 + a * a) / 2
        B = (1 - a) * (1 - a) / (2 * ctx.pi)
        return A, B

    def kappa(self, rho, ctx):
        """kappa(rho) = A rho + B (sqrt(1 - rho^2) - rho acos rho)."""
        A, B = self.constants(ctx)
        rho = ctx.unit(rho)
        # sqrt(1 - r^2) - r acos r has derivative -acos r <= 0; evaluating it at the ends of
        # an enclosure keeps balls tight near |rho| = 1, where the formula is ill-conditioned
        tail = ctx.decreasing(lambda r: _sqrt1m2(r, ctx) - r * ctx.acos(r), rho)
        # array operands stay on the left: mpmath intervals refuse numpy arrays on their right
        return rho * A + tail * B

    def dkappa(self, rho, ctx):
        """kappa'(rho) = A - B acos(rho): finite and continuous on [-1, 1]."""
        A, B = self.constants(ctx)
        return -(ctx.acos(ctx.unit(rho)) * B) + A

    def kappa_perp(self, rho, ctx):
        """kappa(rho) - rho kappa'(rho) = B sqrt(1 - rho^2): vanishes at rho = +-1."""
        _, B = self.constants(ctx)
        return _sqrt1m2(ctx.unit(rho), ctx) * B

    def kappa_one(self, ctx):
        """kappa(1) = A = E[phi(y)^2] for y ~ N(0, 1)."""
        return self.constants(ctx)[0]


def leaky(alpha):
    """The leaky ReLU of slope alpha as the activation every layer asks: relu at 0, identity at 1."""
    a = Fraction(alpha)
    if not 0 <= a <= 1:
        raise BadInput("leaky slope %s is outside [0, 1]" % alpha)
    return Activation({0: "relu", 1: "identity"}.get(a, "leaky_relu"), a if 0 < a < 1 else Fraction(0))


def _sqrt1m2(rho, ctx):
    # sqrt(1 - rho^2) as sqrt(1 - rho) sqrt(1 + rho): finite and tight at both ends
    return ctx.sqrt(ctx.pos(-rho + 1)) * ctx.sqrt(ctx.pos(rho + 1))


def parse_stages(text, alpha=None):
    """'rc,rs,relu' -> (('rc', 'rs'), Activation).  Order of rc, rs is fixed (rc first)."""
    parts = [p.strip().lower() for p in str(text).split(",") if p.strip()]
    if not parts:
        raise BadInput("--stages is empty; give e.g. rc,relu")
    acts = [p for p in parts if p in ACTIVATIONS]
    unknown = [p for p in parts if p not in ACTIVATIONS and p not in STAGES]
    if unknown:
        raise BadInput("unknown stage or activation %r (stages: rc, rs; activations: %s)"
                       % (unknown[0], ", ".join(ACTIVATIONS)))
    if len(acts) > 1:
        raise BadInput("more than one activation in --stages: %s" % ",".join(acts))
    if len(set(parts)) != len(parts):
        raise BadInput("repeated stage in --stages %r" % text)
    norm = tuple(s for s in STAGES if s in parts)
    if parts != list(norm) + acts:
        raise BadInput("stage order %r is not defined: the model applies RC, then RS, then the "
                       "activation (e.g. rc,relu or rc,rs,relu)" % ",".join(parts))
    name = acts[0] if acts else "identity"
    if alpha is not None and name != "leaky_relu":
        raise BadInput("--alpha is only meaningful with leaky_relu, not %s" % name)
    a = parse_alpha(alpha if alpha is not None else (Fraction(1, 10) if name == "leaky_relu" else 0))
    return norm, Activation(name, a if name == "leaky_relu" else Fraction(0))
