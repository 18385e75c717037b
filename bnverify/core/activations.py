"""One object per activation: its formula (the grammar of :mod:`bnverify.core.formula`), phi,
phi' and phi'' in Arb and mpmath, its kinks and growth bound, and the closed form of its dual
kernel where one exists.  ``REGISTRY`` maps each named activation to its builder;
:func:`activation` also accepts a user formula.

Closed forms, for (x, y) ~ N(0, [[q1, c], [c, q2]]), D = q1 q2 - c^2, theta = atan2(sqrt(D), c)
(the angle acos(c / sqrt(q1 q2)), finite on the whole closed cone):

* leaky ReLU with slope alpha (relu 0, identity 1, abs -1), A = (1 + alpha^2)/2,
  B = (1 - alpha)^2/(2 pi):  K = A c + B (sqrt(D) - c theta),  dK/dc = A - B theta,
  dK/dq1 = B sqrt(D) / (2 q1),  E[phi(x)^2] = A q1   (Cho & Saul's arc-cosine kernel of degree 1);
* erf, P = (1 + 2 q1)(1 + 2 q2):  K = (2/pi) asin(2c / sqrt(P)) = (2/pi) atan2(2c, sqrt(P - 4c^2)),
  dK/dc = (4/pi) / sqrt(P - 4c^2),  dK/dq1 = -(4/pi) c / ((1 + 2 q1) sqrt(P - 4c^2))   (Williams 1997);
* sin:  K = e^(-(q1+q2)/2) sinh c,  dK/dc = e^(-(q1+q2)/2) cosh c,  dK/dq1 = -K/2,
  E[phi(x)^2] = (1 - e^(-2 q1))/2;
* gelu, x Phi(x) = x/2 + h(x)/2 with h(x) = x g(x), g = erf(./sqrt 2):  K = (c + E[h(x) h(y)])/4 and,
  by Gaussian integration by parts with g'' = -x g', E[g'' g] = -c E[g' g']/(1 + q1),
  E[h(x) h(y)] = c (2/pi) asin(c / sqrt((1+q1)(1+q2))) + P (q1 q2 + c^2 - c^2 (q1/(1+q1) + q2/(1+q2))),
  P = E[g'(x) g'(y)] = (2/pi) / sqrt((1+q1)(1+q2) - c^2); its derivatives are taken exactly in
  Taylor arithmetic (arb_series), and E[phi(x)^2] = K(q1, q1, q1).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import mpmath
from flint import arb, arb_series, fmpq

from ..errors import BadInput
from . import formula as F


def _a(v):
    return arb(fmpq(Fraction(v).numerator, Fraction(v).denominator))


def _leaky(alpha):
    def closed(q1, q2, c):
        A, B = (1 + _a(alpha) ** 2) / 2, (1 - _a(alpha)) ** 2 / (2 * arb.pi())     # at the caller's precision
        q1, q2, c = _a(q1), _a(q2), _a(c)
        sd = (q1 * q2 - c * c).nonnegative_part().sqrt()
        theta = arb.atan2(sd, c)
        return {"K": A * c + B * (sd - c * theta), "dK_dc": A - B * theta,
                "dK_dq1": B * sd / (2 * q1), "dK_dq2": B * sd / (2 * q2), "Ex2": A * q1, "Ey2": A * q2}
    return closed


def _erf(q1, q2, c):
    q1, q2, c = _a(q1), _a(q2), _a(c)
    P = (1 + 2 * q1) * (1 + 2 * q2)
    root = (P - 4 * c * c).sqrt()
    two_pi = 2 / arb.pi()
    return {"K": two_pi * arb.atan2(2 * c, root), "dK_dc": 2 * two_pi / root,
            "dK_dq1": -2 * two_pi * c / ((1 + 2 * q1) * root), "dK_dq2": -2 * two_pi * c / ((1 + 2 * q2) * root),
            "Ex2": two_pi * arb.atan2(2 * q1, (1 + 4 * q1).sqrt()), "Ey2": two_pi * arb.atan2(2 * q2, (1 + 4 * q2).sqrt())}


def _sin(q1, q2, c):
    q1, q2, c = _a(q1), _a(q2), _a(c)
    damp = (-(q1 + q2) / 2).exp()
    K = damp * c.sinh()
    return {"K": K, "dK_dc": damp * c.cosh(), "dK_dq1": -K / 2, "dK_dq2": -K / 2,
            "Ex2": (1 - (-2 * q1).exp()) / 2, "Ey2": (1 - (-2 * q2).exp()) / 2}


def _gelu_K(q1, q2, c):
    """K for gelu (module docstring), on arbs or arb_series alike."""
    two_pi = 2 / arb.pi()
    P = two_pi / ((1 + q1) * (1 + q2) - c * c).sqrt()
    hh = c * two_pi * (c / ((1 + q1) * (1 + q2)).sqrt()).asin() \
        + P * (q1 * q2 + c * c - c * c * (q1 / (1 + q1) + q2 / (1 + q2)))
    return (c + hh) / 4


def _gelu(q1, q2, c):
    q1, q2, c = _a(q1), _a(q2), _a(c)
    t = arb_series([0, 1], prec=2)          # one exact first-order Taylor step per variable
    return {"K": _gelu_K(q1, q2, c), "dK_dc": _gelu_K(q1, q2, c + t).coeffs()[1],
            "dK_dq1": _gelu_K(q1 + t, q2, c).coeffs()[1], "dK_dq2": _gelu_K(q1, q2 + t, c).coeffs()[1],
            "Ex2": _gelu_K(q1, q1, q1), "Ey2": _gelu_K(q2, q2, q2)}


@dataclass(frozen=True)
class Activation:
    """An activation for the dual-kernel calculator.  ``tree`` is the parsed formula; ``d1``,
    ``d2`` its derivatives almost everywhere; ``closed`` the closed form (or None)."""

    name: str
    formula: str
    closed: object = None
    closed_name: str = ""
    tree: tuple = field(init=False, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "tree", F.parse(self.formula))

    @property
    def d1(self):
        return F.diff(self.tree)

    @property
    def d2(self):
        return F.diff(self.d1)

    @property
    def kinks(self):
        return F.kinks(self.tree)

    def growth(self):
        """The growth bound of phi (raises formula.Unbounded when there is none)."""
        return F.growth(self.tree)

    def derivative_problem(self):
        """Why Price's theorem cannot be used for this phi (a jump, or phi' without a growth
        bound), or None."""
        jumps = F.jumps(self.tree)
        if jumps:
            return "phi is not proved continuous at x = %s, so its derivative has a Dirac part" % ", ".join(map(str, jumps))
        try:
            F.growth(self.d1)
        except F.Unbounded as e:
            return "phi' has no growth bound (%s)" % e
        return None

    # phi, phi', phi'' in each arithmetic
    def acb(self, order=0):
        return F.acb_function([self.tree, self.d1, self.d2][order])

    def mp(self, order=0):
        return F.point_function([self.tree, self.d1, self.d2][order], mpmath)


def _named(name, formula, closed=None, closed_name=""):
    return lambda alpha=None: Activation(name, formula, closed, closed_name)


def _with_alpha(name, template, default, closed_for=None, closed_name=""):
    def build(alpha=None):
        a = Fraction(default) if alpha is None else Fraction(alpha)
        text = template.replace("alpha", "(%s)" % a)
        return Activation("%s(%s)" % (name, a), text, closed_for(a) if closed_for else None, closed_name)
    return build


ARC = "arc-cosine closed form (Cho & Saul 2009)"
REGISTRY = {
    "relu": _named("relu", "x if x > 0 else 0", _leaky(0), ARC),
    "leaky_relu": _with_alpha("leaky_relu", "x if x > 0 else alpha*x", Fraction(1, 100), _leaky, ARC),
    "identity": _named("identity", "x", _leaky(1), "linear: K = c"),
    "abs": _named("abs", "abs(x)", _leaky(-1), ARC),
    "gelu": _named("gelu", "x*(1 + erf(x/sqrt(2)))/2", _gelu, "closed form by Gaussian integration by parts"),
    "silu": _named("silu", "x/(1 + exp(-x))"),
    "tanh": _named("tanh", "tanh(x)"),
    "erf": _named("erf", "erf(x)", _erf, "arcsine closed form (Williams 1997)"),
    "elu": _with_alpha("elu", "x if x > 0 else alpha*(exp(x) - 1)", 1),
    "softplus": _named("softplus", "log(1 + exp(x))"),
    "sigmoid": _named("sigmoid", "1/(1 + exp(-x))"),
    "sin": _named("sin", "sin(x)", _sin, "exponential closed form E[sin x sin y] = exp(-(q1+q2)/2) sinh c"),
}
TAKES_ALPHA = ("leaky_relu", "elu")


def activation(name_or_formula, alpha=None):
    """The registered activation ``name`` (with ``alpha`` where it takes one), else the user
    formula in x; one-line BadInput otherwise."""
    key = str(name_or_formula).strip()
    if key in REGISTRY:
        if alpha is not None and key not in TAKES_ALPHA:
            raise BadInput("--alpha applies to %s only, not %s" % (" and ".join(TAKES_ALPHA), key))
        return REGISTRY[key](alpha)
    if alpha is not None:
        raise BadInput("--alpha applies to %s only, not a formula" % " and ".join(TAKES_ALPHA))
    if key.isidentifier() and key != "x":
        raise BadInput("unknown activation %r (named: %s; or a formula in x such as 'x*erf(x)')"
                       % (key, ", ".join(REGISTRY)))
    return Activation("formula", key)
