"""Activations: one registered object per activation, which every layer asks.

:data:`REGISTRY` maps each name to its :class:`Kind`, the one row that says what bnverify knows
about that activation and what each layer may do with it; an :class:`Activation` is a kind with
its parameter alpha (or a user formula).  Adding an activation is adding a row here (its tests
and docs aside; the trusted checker keeps its own twin of the formulas it decides):

==================  ===============================================  ===========================
field               what it is                                       asked by
==================  ===============================================  ===========================
formula             phi in :mod:`bnverify.core.formula`'s grammar    the dual-kernel calculator
                    ("alpha" stands for the parameter)               (``tree``, ``d1``, ``acb``)
numpy               phi on float arrays (default: the formula's)     the simulators: ``phi``
dnumpy              phi' on float arrays (default: the formula's     the spread rate: ``dphi``
                    derivative); finite wherever phi is
degree              positive homogeneity degree, or None             ``homogeneous`` (sim/)
slope               alpha -> s when phi is the leaky ReLU of slope   ``kappa``, ``dkappa``, ... in
                    s: the closed arc-cosine kernel below            every context of core.arith
closed              the dual kernel's closed form in Arb             core.dual_kernel
alpha               the calculator's default parameter (None: none)  ``takes_alpha``, ``label``
stage_alpha         the default parameter in a model's stage list    core.stages
alpha_ok            the parameters a model may take (a test on a     :func:`parse_alpha`
                    Fraction), with ``alpha_range`` its text
stage               a model's activation (--stages, claim files)     core.stages
states              the certified states cover it (attractor,        claims, commands, derive
                    simplex, basins, rank growth)
all_n_stability     the attractor's stability is proved for every n  claims (all-n branch),
                    for it (derive.alln_stability)                   ``bnverify attractor``
spread_cover        beyond the collapse lemma, the trusted kernel    ``bnverify attractor``
                    refutes a spread-cluster state per n by a cover  (claims.properties.
                    of the symmetric family (trusted/spreadfam.py)   spread_cover)
relu_bound          its cover's region is bounded by its distance    claims.properties.
                    to ReLU (a rho partition; gelu, silu)            spread_cover
spread_point        odd (phi - phi(0)): n = 3's edge point {v, -v,   claims.properties.
                    0} is a fixed point (spread-point items)         spread_cover, atlas
==================  ===============================================  ===========================

**The leaky ReLU family in every arithmetic.**  For phi and ``y ~ N(0, Sigma)``, ``Sigma = [[a, c],
[c, b]]``, a positively homogeneous phi of degree 1 has E[phi(y_1) phi(y_2)] = sqrt(a b) kappa(rho),
rho = c / sqrt(a b).  The leaky ReLU of slope s (relu: 0, identity: 1, abs: -1) is
``phi(x) = (1+s)/2 x + (1-s)/2 |x|``, and with ``A = (1 + s^2)/2`` and ``B = (1 - s)^2 / (2 pi)``

    kappa(rho)              = A rho + B (sqrt(1 - rho^2) - rho acos(rho))
    kappa'(rho)             = A - B acos(rho)
    kappa(rho) - rho kappa' = B sqrt(1 - rho^2)                      ("kappa_perp")

For s = 0 this is the degree-1 arc-cosine kernel of Cho & Saul (2009),
``(sqrt(1-rho^2) + (pi - acos rho) rho) / (2 pi)``.  kappa' is continuous on the closed
interval [-1, 1] (kappa'(1) = A, kappa'(-1) = A - B pi = s), so the kernel map is C^1
up to the boundary |rho| = 1 even though kappa'' = B / sqrt(1 - rho^2) blows up there.

**Closed dual kernels** (Arb), for (x, y) ~ N(0, [[q1, c], [c, q2]]), D = q1 q2 - c^2,
theta = atan2(sqrt(D), c) (the angle acos(c / sqrt(q1 q2)), finite on the whole closed cone):

* leaky ReLU of slope s:  K = A c + B (sqrt(D) - c theta),  dK/dc = A - B theta,
  dK/dq1 = B sqrt(D) / (2 q1),  E[phi(x)^2] = A q1   (the kernel above, with the variances);
* erf, P = (1 + 2 q1)(1 + 2 q2):  K = (2/pi) asin(2c / sqrt(P)) = (2/pi) atan2(2c, sqrt(P - 4c^2)),
  dK/dc = (4/pi) / sqrt(P - 4c^2),  dK/dq1 = -(4/pi) c / ((1 + 2 q1) sqrt(P - 4c^2))   (Williams 1997);
* sin:  K = e^(-(q1+q2)/2) sinh c,  dK/dc = e^(-(q1+q2)/2) cosh c,  dK/dq1 = -K/2,
  E[phi(x)^2] = (1 - e^(-2 q1))/2;
* gelu, x Phi(x) = x/2 + h(x)/2 with h(x) = x g(x), g = erf(./sqrt 2):  K = (c + E[h(x) h(y)])/4 and,
  by Gaussian integration by parts with g'' = -x g', E[g'' g] = -c E[g' g']/(1 + q1),
  E[h(x) h(y)] = c (2/pi) asin(c / sqrt((1+q1)(1+q2))) + P (q1 q2 + c^2 - c^2 (q1/(1+q1) + q2/(1+q2))),
  P = E[g'(x) g'(y)] = (2/pi) / sqrt((1+q1)(1+q2) - c^2); its derivatives are taken exactly in
  Taylor arithmetic (arb_series), and E[phi(x)^2] = K(q1, q1, q1).

Every other activation goes through the general route of :mod:`bnverify.core.dual_kernel`
(Mehler's series, nested rigorous integrals) from its formula.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import numpy as np

from ..errors import BadInput

LINEAR = "identity"             # the activation of a layer without NL


# ---------------------------------------------------------------- closed dual kernels (Arb)
def _a(v):
    from flint import arb, fmpq

    return arb(fmpq(Fraction(v).numerator, Fraction(v).denominator))


def _leaky(slope):
    def closed(q1, q2, c, keys=None):
        from flint import arb

        A, B = (1 + _a(slope) ** 2) / 2, (1 - _a(slope)) ** 2 / (2 * arb.pi())     # at the caller's precision
        q1, q2, c = _a(q1), _a(q2), _a(c)
        sd = (q1 * q2 - c * c).nonnegative_part().sqrt()
        theta = arb.atan2(sd, c)
        return {"K": A * c + B * (sd - c * theta), "dK_dc": A - B * theta,
                "dK_dq1": B * sd / (2 * q1), "dK_dq2": B * sd / (2 * q2), "Ex2": A * q1, "Ey2": A * q2}
    return closed


def _erf(q1, q2, c, keys=None):
    from flint import arb

    q1, q2, c = _a(q1), _a(q2), _a(c)
    P = (1 + 2 * q1) * (1 + 2 * q2)
    root = (P - 4 * c * c).sqrt()
    two_pi = 2 / arb.pi()
    return {"K": two_pi * arb.atan2(2 * c, root), "dK_dc": 2 * two_pi / root,
            "dK_dq1": -2 * two_pi * c / ((1 + 2 * q1) * root), "dK_dq2": -2 * two_pi * c / ((1 + 2 * q2) * root),
            "Ex2": two_pi * arb.atan2(2 * q1, (1 + 4 * q1).sqrt()), "Ey2": two_pi * arb.atan2(2 * q2, (1 + 4 * q2).sqrt())}


def _sin(q1, q2, c, keys=None):
    q1, q2, c = _a(q1), _a(q2), _a(c)
    damp = (-(q1 + q2) / 2).exp()
    K = damp * c.sinh()
    return {"K": K, "dK_dc": damp * c.cosh(), "dK_dq1": -K / 2, "dK_dq2": -K / 2,
            "Ex2": (1 - (-2 * q1).exp()) / 2, "Ey2": (1 - (-2 * q2).exp()) / 2}


def _gelu_K(q1, q2, c):
    """K for gelu (module docstring), on arbs or arb_series alike."""
    from flint import arb

    two_pi = 2 / arb.pi()
    P = two_pi / ((1 + q1) * (1 + q2) - c * c).sqrt()
    hh = c * two_pi * (c / ((1 + q1) * (1 + q2)).sqrt()).asin() \
        + P * (q1 * q2 + c * c - c * c * (q1 / (1 + q1) + q2 / (1 + q2)))
    return (c + hh) / 4


def _gelu(q1, q2, c, keys=None):
    from flint import arb, arb_series

    q1, q2, c = _a(q1), _a(q2), _a(c)
    if keys == ("K",):                      # the float search's kernel values: not the three series steps
        return {"K": _gelu_K(q1, q2, c)}
    t = arb_series([0, 1], prec=2)          # one exact first-order Taylor step per variable

    def d1(s):                              # coeffs() drops trailing exact zeros (dK/dq1 = 0 at c = 0)
        return (s.coeffs() + [arb(0), arb(0)])[1]
    return {"K": _gelu_K(q1, q2, c), "dK_dc": d1(_gelu_K(q1, q2, c + t)),
            "dK_dq1": d1(_gelu_K(q1 + t, q2, c)), "dK_dq2": d1(_gelu_K(q1, q2 + t, c)),
            "Ex2": _gelu_K(q1, q1, q1), "Ey2": _gelu_K(q2, q2, q2)}


# ---------------------------------------------------------------- the registry
@dataclass(frozen=True)
class Kind:
    """One registered activation (the module table says what each field is and who asks it)."""

    name: str
    formula: str | None
    numpy: Callable | None = None           # (x, alpha) -> phi(x) on a float array
    dnumpy: Callable | None = None          # (x, alpha) -> phi'(x) on a float array
    degree: int | None = None
    slope: Callable | None = None           # alpha -> the leaky slope
    closed: Callable | None = None          # (q1, q2, c, keys=None) -> {quantity: arb} (keys: at least those);
                                            # the slope family's is built
    closed_name: str = ""
    alpha: Fraction | None = None
    stage_alpha: Fraction | None = None
    alpha_ok: Callable = lambda a: 0 <= a < 1
    alpha_range: str = "[0, 1)"
    stage: bool = False
    states: bool = False
    all_n_stability: bool = False
    spread_cover: bool = False
    relu_bound: bool = False
    spread_point: bool = False


def _const(v):
    return lambda alpha: Fraction(v)


# Float forms that neither overflow nor lose the answer at large |x| (the formulas' literal
# evaluation does: log(1 + exp(1000)) is inf, and silu's derivative is inf/inf there)
def _sigmoid(x):
    # exp(-|x|) in (0, 1] never overflows; in place: the quadrature's large arrays pass through memory less often
    x = np.asarray(x, dtype=float)
    e = np.empty(x.shape)
    np.exp(np.negative(np.abs(x, out=e), out=e), out=e)
    d = np.add(e, 1, out=np.empty(x.shape))
    return np.divide(1, d, out=np.divide(e, d, out=e), where=x >= 0)


def _elu(x, a):
    return np.where(x > 0, x, float(a) * np.expm1(np.minimum(x, 0)))


def _delu(x, a):
    return np.where(x > 0, 1.0, float(a) * np.exp(np.minimum(x, 0)))


def _dsigmoid(x):
    e = np.exp(-np.abs(x))                  # sigmoid(x) sigmoid(-x), with no 1 - 1 at large |x|
    return e / (1 + e) ** 2


def _dsilu(x, a):
    return _sigmoid(x) + x * _dsigmoid(x)


ARC = "arc-cosine closed form (Cho & Saul 2009)"
REGISTRY = {k.name: k for k in [
    Kind("relu", "x if x > 0 else 0", lambda x, a: np.maximum(x, 0.0), degree=1, slope=_const(0),
         closed_name=ARC, stage=True, states=True, all_n_stability=True),
    Kind("leaky_relu", "x if x > 0 else alpha*x", lambda x, a: np.where(x > 0, x, float(a) * x), degree=1,
         slope=lambda a: a, closed_name=ARC, alpha=Fraction(1, 100), stage_alpha=Fraction(1, 10),
         stage=True, states=True, all_n_stability=True),
    Kind("identity", "x", lambda x, a: x, degree=1, slope=_const(1), closed_name="linear: K = c", stage=True),
    Kind("abs", "abs(x)", lambda x, a: np.abs(x), degree=1, slope=_const(-1), closed_name=ARC, stage=True),
    Kind("gelu", "x*(1 + erf(x/sqrt(2)))/2", closed=_gelu, closed_name="closed form by Gaussian integration by parts", stage=True,
         spread_cover=True, relu_bound=True),
    Kind("silu", "x/(1 + exp(-x))", lambda x, a: x * _sigmoid(x), _dsilu, stage=True, spread_cover=True, relu_bound=True),
    Kind("tanh", "tanh(x)", lambda x, a: np.tanh(x), lambda x, a: 4 * _dsigmoid(2 * x), stage=True, spread_cover=True,
         spread_point=True),
    Kind("erf", "erf(x)", closed=_erf, closed_name="arcsine closed form (Williams 1997)", stage=True,
         spread_cover=True, spread_point=True),
    Kind("elu", "x if x > 0 else alpha*(exp(x) - 1)", _elu, _delu, alpha=Fraction(1), stage_alpha=Fraction(1),
         alpha_ok=lambda a: 0 < a <= 100, alpha_range="(0, 100]: any positive rational up to 100", stage=True,
         spread_cover=True, relu_bound=True),         # covers at alpha = 1 only (spread_cover.searched)
    Kind("softplus", "log(1 + exp(x))", lambda x, a: np.logaddexp(0.0, x), lambda x, a: _sigmoid(x), stage=True,
         spread_cover=True, relu_bound=True),
    Kind("sigmoid", "1/(1 + exp(-x))", lambda x, a: _sigmoid(x), lambda x, a: _dsigmoid(x),
         stage=True, spread_cover=True, spread_point=True),
    Kind("sin", "sin(x)", lambda x, a: np.sin(x), closed=_sin,
         closed_name="exponential closed form E[sin x sin y] = exp(-(q1+q2)/2) sinh c", stage=True,
         spread_cover=True, spread_point=True),
]}
FORMULA = Kind("formula", None)             # a user formula: its text is the activation


# the report's small cut of the atlas ("Is it ReLU-specific?"): (activation, weight variance) rows
REPORT_ATLAS = (("relu", 1), ("gelu", 1), ("gelu", 4), ("silu", 4), ("elu", 4), ("tanh", 4), ("erf", 2),
                ("sin", 2), ("softplus", 2), ("sigmoid", 2))


def names(test=lambda kind: True):
    """The registered names whose kind passes ``test``, in the registry's order."""
    return tuple(name for name, kind in REGISTRY.items() if test(kind))


def spoken(items, conj="or"):
    """('a', 'b', 'c') -> 'a, b or c'."""
    items = list(items)
    return items[0] if len(items) == 1 else "%s %s %s" % (", ".join(items[:-1]), conj, items[-1])


TAKES_ALPHA = names(lambda k: k.alpha is not None)


def takes_alpha(name):
    """Whether the registered activation ``name`` has a parameter (False for an unknown name)."""
    return name in REGISTRY and REGISTRY[name].alpha is not None


# ---------------------------------------------------------------- one activation
@dataclass(frozen=True)
class Activation:
    """A registered activation ``name`` with its parameter ``alpha`` (an exact Fraction, or a
    sympy symbol or number for symbolic derivations; default: the kind's), or a user formula
    (``name`` "formula", ``text`` the formula in x).  Without a parameter alpha is 0, as
    certificates have always recorded it."""

    name: str
    alpha: object = None
    text: str | None = None

    def __post_init__(self):
        kind = self.kind
        if kind.alpha is None:
            object.__setattr__(self, "alpha", Fraction(0))
        elif self.alpha is None:
            object.__setattr__(self, "alpha", kind.alpha)

    def __reduce__(self):               # pickles by its fields: the kind's functions stay here
        return Activation, (self.name, self.alpha, self.text)

    def __str__(self):
        return self.label

    @property
    def kind(self):
        if self.text is not None and self.name == FORMULA.name:
            return FORMULA
        if self.name not in REGISTRY:
            raise BadInput("unknown activation %r (named: %s)" % (self.name, ", ".join(REGISTRY)))
        return REGISTRY[self.name]

    # ---- what it is
    @property
    def label(self):
        """The text naming it: 'relu', 'leaky_relu(1/10)', 'formula'."""
        return "%s(%s)" % (self.name, self.alpha) if self.takes_alpha else self.name

    @property
    def takes_alpha(self):
        return self.kind.alpha is not None

    @property
    def kernel_name(self):
        """The trusted kernel's name of it: the registered name, or "formula:TEXT" (the text binds evidence)."""
        return "formula:" + self.text if self.kind is FORMULA else self.name

    @property
    def alpha_text(self):
        """The parameter as exact text, or None where the activation has none."""
        return str(self.alpha) if self.takes_alpha else None

    @property
    def degree(self):
        """The degree of positive homogeneity (phi(c x) = c^degree phi(x), c > 0), or None."""
        return self.kind.degree

    @property
    def homogeneous(self):
        return self.kind.degree is not None

    @property
    def slope(self):
        """The leaky slope s when phi is the leaky ReLU of slope s (identity: 1), else None."""
        return None if self.kind.slope is None else self.kind.slope(self.alpha)

    @property
    def has_closed_kernel(self):
        """Whether kappa, kappa', ... have a closed form in core's contexts (the slope family)."""
        return self.kind.slope is not None

    @property
    def linear(self):
        """phi(x) = x: a layer with this NL is the layer without it."""
        return self.slope is not None and self.slope == 1

    @property
    def stage(self):
        return self.kind.stage

    @property
    def states(self):
        return self.kind.states

    @property
    def all_n_stability(self):
        return self.kind.all_n_stability

    # ---- finite width (numpy)
    def phi(self, x):
        """phi applied entrywise to a float array."""
        if self.kind.numpy is not None:
            return self.kind.numpy(x, self.alpha)
        return self._numpy(0)(x)

    def dphi(self, x):
        """phi' entrywise on a float array (at a kink: the left derivative's value at 0 for the
        slope family, phi'(0) = s)."""
        if self.slope is not None:
            return np.where(x > 0, 1.0, float(self.slope))
        if self.kind.dnumpy is not None:
            return self.kind.dnumpy(x, self.alpha)
        return self._numpy(1)(x)

    def _numpy(self, order):
        from . import formula as F

        f = F.point_function([self.tree, self.d1][order], np)

        def quiet(x):
            # a formula read literally may overflow (exp of a large x); the value is then inf or
            # nan, which the simulators refuse in one line (sim.model.layers), never a warning
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                return f(x)
        return quiet

    # ---- infinite width, written once for every arithmetic (the slope family)
    def constants(self, ctx):
        """(A, B) = ((1 + s^2)/2, (1 - s)^2 / (2 pi)) in ``ctx``, s the slope."""
        if not self.has_closed_kernel:
            raise BadInput("no closed-form kernel for activation %s" % self)
        a = self.slope
        kept = getattr(ctx, "_cache", None)         # ball, mp and jet contexts keep them per activation
        key = ("kappa-constants", ctx.name, id(self)) if kept is not None and isinstance(a, (Fraction, int, str)) \
            else None
        if key is not None and key in kept and kept[key][0] is self:    # the entry holds self: id not reused
            return kept[key][1]
        a = ctx.const(a) if isinstance(a, (Fraction, int, str)) else a
        A = (1 + a * a) / 2
        B = (1 - a) * (1 - a) / (2 * ctx.pi)
        if key is not None:
            kept[key] = (self, (A, B))
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

    # ---- the dual-kernel calculator: the formula, its derivatives, its closed form
    @property
    def formula(self):
        if self.kind is FORMULA:
            return self.text
        return self.kind.formula.replace("alpha", "(%s)" % self.alpha) if self.takes_alpha else self.kind.formula

    @functools.cached_property
    def tree(self):
        from . import formula as F

        return F.parse(self.formula)

    @functools.cached_property
    def d1(self):
        from . import formula as F

        return F.diff(self.tree)

    @functools.cached_property
    def d2(self):
        from . import formula as F

        return F.diff(self.d1)

    @property
    def kinks(self):
        from . import formula as F

        return F.kinks(self.tree)

    @property
    def closed(self):
        """The dual kernel's closed form (q1, q2, c) -> {quantity: arb}, or None."""
        return _leaky(self.slope) if self.has_closed_kernel else self.kind.closed

    @property
    def closed_name(self):
        return self.kind.closed_name

    def growth(self):
        """The growth bound of phi (raises formula.Unbounded when there is none)."""
        from . import formula as F

        return F.growth(self.tree)

    def derivative_problem(self):
        """Why Price's theorem cannot be used for this phi (a jump, or phi' without a growth
        bound), or None."""
        from . import formula as F

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
        from . import formula as F

        return F.acb_function([self.tree, self.d1, self.d2][order])

    def mp(self, order=0):
        import mpmath

        from . import formula as F

        return F.point_function([self.tree, self.d1, self.d2][order], mpmath)


def _sqrt1m2(rho, ctx):
    # sqrt(1 - rho^2) as sqrt(1 - rho) sqrt(1 + rho): finite and tight at both ends
    return ctx.sqrt(ctx.pos(-rho + 1)) * ctx.sqrt(ctx.pos(rho + 1))


# ---------------------------------------------------------------- ways in
def parse_alpha(alpha, name="leaky_relu"):
    """A model's parameter of the registered activation ``name`` as an exact Fraction in the
    kind's range (leaky_relu: the slope in [0, 1) the dynamics analyse; elu: any alpha > 0);
    accepts '1/10', '0.1', 0.1."""
    kind = REGISTRY[name]
    try:
        a = Fraction(str(alpha)) if not isinstance(alpha, Fraction) else alpha
    except (ValueError, ZeroDivisionError):
        raise BadInput("alpha %r is not a number" % (alpha,))
    if not kind.alpha_ok(a):
        raise BadInput("alpha %s is outside %s's range %s" % (alpha, name, kind.alpha_range))
    return a


def alpha_help():
    """The --alpha help text, from the registry: each parameter's meaning, range and default."""
    return "the activation's parameter: " + "; ".join(
        "%s in %s (default %s)" % (name, REGISTRY[name].alpha_range.split(":")[0], REGISTRY[name].stage_alpha)
        for name in names(lambda k: k.stage and k.stage_alpha is not None))


def leaky(alpha):
    """The leaky ReLU of slope alpha as the activation every layer asks: relu at 0, identity at 1."""
    a = Fraction(alpha)
    if not 0 <= a <= 1:
        raise BadInput("leaky slope %s is outside [0, 1]" % alpha)
    return Activation({0: "relu", 1: "identity"}.get(a, "leaky_relu"), a if 0 < a < 1 else None)


def activation(name_or_formula, alpha=None):
    """The registered activation ``name`` (with ``alpha`` where it takes one, else its default),
    else the user formula in x; one-line BadInput otherwise."""
    key = str(name_or_formula).strip()
    if key in REGISTRY:
        if alpha is not None and not takes_alpha(key):
            raise BadInput("--alpha applies to %s only, not %s" % (" and ".join(TAKES_ALPHA), key))
        return Activation(key, None if alpha is None else Fraction(alpha))
    if alpha is not None:
        raise BadInput("--alpha applies to %s only, not a formula" % " and ".join(TAKES_ALPHA))
    if key.isidentifier() and key != "x":
        raise BadInput("unknown activation %r (named: %s; or a formula in x such as 'x*erf(x)')"
                       % (key, ", ".join(REGISTRY)))
    act = Activation(FORMULA.name, text=key)
    act.tree                            # a malformed formula is refused here, naming its token
    return act
