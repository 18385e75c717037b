"""THE TRUSTED KERNEL: from a claim alone it derives what must be proved, and decides it.

``check(cert)`` -> (True, canonical statement + verdict) or (False, reason).  The certificate's
claim is read only for its STRUCTURE: property, stages in order, activation, domain of n and
alpha, params (state, relation, bound, value, ...).  Its wording is never read.  ``goal(claim)``
turns the structure into an obligation in the kernel's own vocabulary, with a canonical
statement; a structure it cannot turn into an obligation (another model, another state, a
relation it has no method for) raises NoGoal: the claim is then not provable here.  The
certificate supplies evidence only (Krawczyk boxes, classification covers); everything
decisive is computed here with :mod:`.model`, and SMT queries are written here (:mod:`.smt`).

Models decided (stages in the order RC, RS, NL, or NL first for BN after the activation; "rc" alone
means RC with no non-linearity; sigma_w^2 = 1 unless the claim's weight_var says otherwise, which
only a non-homogeneous activation's goals read):

| property | models | how |
|---|---|---|
| centering-rank-one | rc | exact identity, symbolic n |
| invariant-configuration | rc or rc,rs + relu / leaky_relu / identity / abs, or any activation of twopoint.TABLE | SMT (z3 and cvc5) per neuron, or an exact / ball counterexample |
| fixed-point (configuration, two-point) | rc or rc,rs + relu / leaky_relu / identity / abs (abs: alpha = -1, n >= 3) | exact, symbolic n and alpha |
| fixed-point, spectral-radius (two-point, simplex) | rc + gelu / silu / tanh / erf / elu / softplus / sigmoid / sin or a formula "formula:TEXT" (formula.py), any sigma_w^2 (the claim's weight_var) | two-point and simplex brackets (1-D Gaussian integrals; Mehler's series at the simplex, mehler.py), the collapse lemma, every block of DF (twopoint.py) |
| norm-ratio-limit, orthogonal-outlier | rc or rc,rs + relu / leaky_relu / identity / abs | exact (limit: law of large numbers) |
| spectral-radius, jacobian-spectrum, stability-directions (configuration, two-point) | rc + relu / leaky_relu / identity / abs | symmetry blocks computed here, symbolic n; inequalities by sign of coefficients or SMT; counterexamples exact |
| fixed-point, spectral-radius, attractor-* (attractor, simplex) | rc + relu / leaky_relu: per n (one alpha, n <= 10^6; classification n <= 64); every n (attractor: alpha in a range within [0, 1)); simplex also rc,rs (the BSB1 state, simplex.py's lemma) | evidence: Krawczyk boxes, Gershgorin bounds, classification covers, all-n branches (alln.py, simplex.py) |
| fold-bracket | rc + relu / leaky_relu (one alpha) | classification covers at n = lo, hi |
| basin | rc + relu / leaky_relu (one alpha), 3 <= n <= 64, and rc + relu for every n >= 7 (classify.py); rc,rs by rs.py's averaging lemma where RC alone has two fixed points, and with an rs-cover of RC alone's (partner, attractor) where it has four | basin covers of [-1/(n-2), 1] (basins.py), the classification-branch, rs-covers (rs_family.py) |
| rs-growth | rc,rs + relu / leaky_relu / identity, one alpha | exact, symbolic n: a sqrt(eps) <= spread <= b sqrt(eps) (rs.py) |
| kernel-definite | relu / leaky_relu / identity alone | kappa's series exact + Schur; exact null vectors (rank.py) |
| kernel-singular | relu / leaky_relu / identity alone | the converse: a null vector from the hypothesis, exact identities (rank.py) |
| rank-growth | rc + relu / leaky_relu / identity / abs | exact 2 x 2 determinant, symbolic n and alpha (rank.py) |
| stage-fact | none, rc, rs, rc,rs + identity; relu / leaky_relu / abs alone or after rs (within the symmetric family); one n | a stage set's fact, exact (stages.py) |
| fixed-point, spectral-radius, jacobian-spectrum, attractor-exists / -stable | nl,rc (BN after the activation) + relu / leaky_relu / identity / abs | RC then NL's goal and evidence, the conjugation lemma (_g_after) |
| fixed-point (simplex) | nl,rc,rs + relu / leaky_relu / identity | the regular simplex, by symmetry (_g_after_rs) |
"""
from __future__ import annotations

import copy
import functools
import json
import re
from fractions import Fraction

from . import formula, rank, rs, smt, spreadbox, spreadfam, stages, twopoint
from .base import (NoGoal, Q, Rejected, alpha_in, certainly, content_hash, divisors, evaluate, holds, int_range,
                   library, parse, rat_range, shown_on, sym, table, value, zero)
from .items import N_MAX, check_item, shape, work
from .model import multiplicity, pattern_blocks, two_point_fixed, two_point_image

FORMAT = "bnverify-certificate/2"
PIECEWISE = ("relu", "identity", "leaky_relu")      # the kernel's own closed forms (model.py)
# every registered activation: its fixed alpha, or None where the domain gives it (leaky_relu, elu);
# abs is leaky ReLU of slope -1, admitted by the two-point goals that pass abs_ok (ABS below); the non-homogeneous
# ones are decided where a goal says so (twopoint.py); else NoGoal
ACTIVATIONS = dict({"relu": Fraction(0), "identity": Fraction(1), "leaky_relu": None, "abs": Fraction(-1)},
                   **{name: (None if name == "elu" else Fraction(0)) for name in twopoint.TABLE})
STAGE_FORMS = ([], ["rc"], ["rs"], ["rc", "rs"], ["nl", "rc"], ["nl", "rc", "rs"])    # "nl" first: BN after phi
AFTER = ("fixed-point", "spectral-radius", "jacobian-spectrum", "attractor-exists", "attractor-stable")
STATES = ("configuration", "two-point", "attractor", "simplex")
PER_N_MAX = 1000
FORMULA_EVALS = 4           # priced work per node evaluation of a formula's integrands (genuine items use 1 per 14 or
                            # less, measured on x*erf(x)'s brackets: tests/test_redteam_formula.py), 13 us each
CERT_WORK = 32_000_000      # weighted entries x bits over a certificate (items.work), some 20 s;
                            # the tool's largest (58 basin covers) is under a quarter of it
PER_N_EXACT = 64            # an n-by-n exact comparison of spectra, where no identity in n holds
MAX_SPECTRUM = 64
METHODS = ("trusted kernel (exact / SMT / ball)",
           "evidence re-checked (arb: Krawczyk, Gershgorin, classification, basin covers, all-n t-boxes; "
           "exact: kernel null vectors), trusted kernel")
CERT_FIELDS = {"format": str, "claim": dict, "verdict": str, "method": str, "statement": str,
               "evidence": list, "tools": dict, "hash": str}
PARAMS = {"fixed-point": "state", "norm-ratio-limit": "value", "orthogonal-outlier": "value",
          "spectral-radius": "state relation bound", "jacobian-spectrum": "state eigenvalues",
          "attractor-stable": "relation bound", "attractor-threshold": "value", "fold-bracket": "lo hi",
          "basin": "state basin", "classification": "value", "kernel-definite": "points", "kernel-singular": "points", "stability-directions": "state decay grow"}
PARAM_TYPES = {"state": str, "relation": str, "bound": str, "value": (str, int), "eigenvalues": list,
               "lo": str, "hi": str, "basin": str, "points": str, "decay": list, "grow": list}
BASIN_ENDS = ("left-end", "simplex", "partner", "attractor", "configuration")


class Claim:
    """The structure of a claim, validated (Rejected on anything malformed)."""

    def __init__(self, data):
        table(data, "the claim", {"property": str, "stages": list, "activation": str, "domain": dict,
                                  "params": dict}, {"id": str, "wording": str, "weight_var": str})
        self.property = data.get("property")
        self.stages, self.activation = data.get("stages"), data.get("activation")
        if self.stages not in STAGE_FORMS:
            raise Rejected("stages %r are not one of rc, rs, rc,rs in that order, or nl,rc / nl,rc,rs (BN after the "
                           "activation)" % (self.stages,))
        if self.activation not in ACTIVATIONS and not (self.activation.startswith("formula:") and
                                                       twopoint.row(self.activation)):      # Rejected if malformed
            raise Rejected("unknown activation %r" % (self.activation,))
        self.weight_var = Q(data.get("weight_var", "1"))
        if not 0 < self.weight_var <= 100:
            raise Rejected("weight_var %s outside (0, 100]" % self.weight_var)
        dom = table(data["domain"], "the domain", {"n": str}, {"alpha": str})
        self.n_lo, self.n_hi = int_range(dom["n"])
        if self.n_lo < 2 or self.n_hi is not None and self.n_hi > 10 ** 6:
            raise Rejected("n range %r outside 2..10^6" % (dom.get("n"),))
        fixed = ACTIVATIONS.get(self.activation, Fraction(0))
        a = rat_range(dom.get("alpha", "0")) if fixed is None else (fixed, fixed, False)
        if self.activation == "leaky_relu" and not (0 <= a[0] and (a[1] < 1 or a[1] == 1 and a[2])):
            raise Rejected("leaky_relu needs alpha in [0, 1)")
        if self.activation == "elu" and not (0 < a[0] == a[1] <= 100):
            raise Rejected("elu needs one alpha in (0, 100]")
        if fixed is not None and rat_range(dom.get("alpha", str(fixed)))[:2] != (fixed, fixed):
            raise Rejected("%s has alpha %s, not %s" % (self.activation, fixed, dom.get("alpha")))
        self.alpha = a
        self.params = data["params"]

    # ---- words
    def model_text(self):
        nl = {"relu": "ReLU", "identity": "no non-linearity", "leaky_relu": "leaky ReLU(alpha)",
              "elu": "elu(alpha = %s)" % self.alpha[0]}.get(self.activation, re.sub(
                  "^formula:(.*)$", r'phi(x) = "\1"', self.activation, flags=re.S))
        st = " + ".join(s.upper() for s in self.stages) or "no RC, no RS"
        w = "" if self.weight_var == 1 else ", W with variance sigma_w^2/d, sigma_w^2 = %s" % self.weight_var
        return "%s, %s%s" % (st, nl, w)

    def domain_text(self):
        n = "every integer n >= %d" % self.n_lo if self.n_hi is None else \
            "n = %d" % self.n_lo if self.n_lo == self.n_hi else "every integer n in [%d, %d]" % (self.n_lo, self.n_hi)
        lo, hi, op = self.alpha
        if self.activation != "leaky_relu":
            return n
        al = "alpha = %s" % lo if lo == hi else "alpha in [%s, %s%s" % (lo, hi, ")" if op else "]")
        return "%s and %s" % (n, al)

    @property
    def alpha_point(self):
        return self.alpha[0] if self.alpha[0] == self.alpha[1] else None

    def ns(self):
        if self.n_hi is None or self.n_hi - self.n_lo + 1 > PER_N_MAX:
            raise NoGoal("per-n evidence needs a finite range of at most %d integers" % PER_N_MAX)
        return range(self.n_lo, self.n_hi + 1)

    def param(self, key, default=None):
        v = self.params.get(key, default)
        if v is None:
            raise Rejected("params.%s is missing" % key)
        return v


def _rel(c):
    r = c.param("relation")
    if r not in ("<", "<=", ">", ">="):
        raise Rejected("relation %r" % (r,))
    return r


def _rat(text):
    return Q(str(text))


def _sympy_q(x):
    import sympy
    return sympy.Rational(x.numerator, x.denominator)


def _alphas(c, count=3):
    lo, hi, op = c.alpha
    pts = [lo] if lo == hi else [lo, (lo + hi) / 2] + ([] if op else [hi])
    return pts[:count]


def _points(c, count=6):
    """A few (n, alpha) of the domain, to look for counterexamples."""
    top = c.n_lo + count - 1 if c.n_hi is None else min(c.n_hi, c.n_lo + count - 1)
    return [(k, a) for k in range(c.n_lo, top + 1) for a in _alphas(c)]


def _need(cond, why):
    if not cond:
        raise NoGoal(why)


def _rc_only(c, allow_rs=False, allow_any=False, abs_ok=0):
    """abs_ok: the goal's lemma holds at alpha = -1 (abs) from n = abs_ok on (docs/two-point.md); 0: not at all."""
    ok = [["rc"]] + ([["rc", "rs"]] if allow_rs else [])
    _need(c.stages in ok, "property %s is decided for %s only, not for stages %s" % (
        c.property, " or ".join(",".join(s) for s in ok), ",".join(c.stages) or "(none)"))
    if abs_ok and c.activation == "abs":
        # n = 2: both image points are |w|/2, RC maps them to 0 and no state has a scale
        return _need(c.n_lo >= abs_ok, "abs at n = 2: one layer maps a two-point batch to two equal points, which RC "
                     "maps to 0 (no scale-free state)")
    _need(allow_any or c.activation in PIECEWISE, _not_piecewise(c))


def _not_piecewise(c):
    if c.activation == "abs":
        return ("abs: the kernel's lemmas at slope -1 cover the two-point state only (invariant-configuration, "
                "fixed-point, norm-ratio-limit, orthogonal-outlier; spectral-radius, jacobian-spectrum, "
                "stability-directions, rank-growth with RC alone; those by conjugation with NL then RC), for n >= 3, "
                "and stage-fact; docs/two-point.md")
    if not twopoint.known(c.activation):
        return "%s: the kernel has no closed form and no table entry for it yet" % c.activation
    return ("%s: the kernel's closed forms are ReLU's, leaky ReLU's and the identity's; for %s it decides invariant-"
            "configuration, fixed-point and spectral-radius at states two-point and simplex (RC; 1-D integrals), and "
            "at state attractor where lemmas or evidence decide (attractor-*)" % (c.activation, c.activation))


# ---------------------------------------------------------------- deciding inequalities
def _show(d, rel, c, ints_only=False):
    """d(n, alpha) rel 0 on the whole domain: sign of coefficients, else SMT (real n, then
    integer n).  True, or Rejected with the solvers' answers."""
    if not ints_only and shown_on(d, rel, c.n_lo, c.alpha):
        return True
    last = None
    for integer_n in (False, True):
        try:
            return smt.decide(smt.inequality_query(d, rel, c.n_lo, c.n_hi, c.alpha, integer_n))
        except Rejected as e:
            last = e
    raise last


def _shown(d, rel, c):
    """_show as a boolean: False where it is not shown (the caller looks for a counterexample)."""
    try:
        return _show(d, rel, c)
    except Rejected:
        return False


def _at(e, k, a):
    import sympy
    return sympy.sympify(e).subs({sympy.Symbol("n"): k, sympy.Symbol("alpha"): _sympy_q(a)})


# ---------------------------------------------------------------- goals
class Goal:
    """A canonical statement and how the kernel decides it from (evidence facts)."""

    def __init__(self, statement, decide, about=lambda fact: False):
        self.statement, self.decide, self.about = statement, decide, about   # about: may a fact be evidence


def _g_centering(c):
    _need(c.stages == ["rc"] and c.activation == "identity",
          "centering-rank-one is a statement about RC alone (stages rc, no non-linearity)")
    st = ("for %s and every batch of n-1 points v and one point u (any width, any W): W X C = "
          "w s^T with w = W(u - v), s = (-1/n, ..., -1/n, (n-1)/n)" % c.domain_text())

    def decide(_facts):
        # column j of X C is x_j minus the mean ((n-1) v + u)/n; linear W commutes
        ok = zero(sym("v - ((n - 1)*v + u)/n - (-1/n)*(u - v)", "nuv")) and \
            zero(sym("u - ((n - 1)*v + u)/n - ((n - 1)/n)*(u - v)", "nuv"))
        return "proved" if ok else "refuted", "exact identities of the two columns of X C"
    return Goal(st, decide)


def _phi_smt(x, act):
    return {"relu": "(ite (> {x} 0.0) {x} 0.0)", "identity": "{x}",
            "leaky_relu": "(ite (> {x} 0.0) {x} (* alpha {x}))"}[act].format(x=x)


def invariance_query(c):
    """Per neuron t = (W(u - v))_i: pre-activations s_j t (divided by the batch std
    |t| sqrt(n-1)/n with RS); unsat means phi(-t/n . k) phi((n-1) t/n . k) = 0 always."""
    decl, hyp, _ = smt.region(c.n_lo, c.n_hi, c.alpha)
    decl += ["(declare-const t Real)", "(declare-const k Real)", "(declare-const r Real)"]
    hyp += ["(>= r 0)", "(= (* r r) (- n 1))"]
    if "rs" in c.stages:
        hyp += ["(not (= t 0))", "(> k 0)", "(= (* k (ite (> t 0) t (- t)) r) n)"]
    else:
        hyp += ["(= k 1)"]
    cl = _phi_smt("(* (- (/ t n)) k)", c.activation)
    od = _phi_smt("(* (/ (* (- n 1) t) n) k)", c.activation)
    return "\n".join(decl + ["(assert %s)" % h for h in hyp] +
                     ["(assert (not (= (* %s %s) 0)))" % (cl, od), "(check-sat)"])


def _g_invariance(c):
    _rc_only(c, allow_rs=True, allow_any=True, abs_ok=2)    # one layer: refutable at n = 2 as well
    st = ("for %s and %s: every W maps every batch of n-1 copies of v and one u to n-1 copies "
          "of one point v' and one point u' with <v', u'> = 0 (the configuration O_n)"
          % (c.model_text(), c.domain_text()))

    def decide(_facts):
        # n-1 copies: all cluster columns of W X C are equal (centering-rank-one), so are their images
        if c.activation in PIECEWISE:
            try:
                smt.decide(invariance_query(c))
                return "proved", "per neuron phi(s_cluster t) phi(s_odd t) = 0: unsat for z3 and cvc5"
            except Rejected as e:
                why = str(e)
        else:
            why = c.activation
        # width 1, W = 1, v = 0, u = 1: t = 1, the two image points' inner product
        from flint import arb, ctx
        for k, a in _points(c, 2):
            with ctx.workprec(128):
                sd = (arb(k - 1).sqrt() / k) if "rs" in c.stages else arb(1)
                pre = (-arb(1) / k / sd, arb(k - 1) / k / sd)
                phi = {"identity": lambda y: y, "relu": lambda y: y if y > 0 else arb(0), "abs": abs,
                       "leaky_relu": lambda y: y if y > 0 else y * (arb(a.numerator) / a.denominator)}.get(
                    c.activation, lambda y: twopoint.phi_at(c.activation, a, y))
                p = phi(pre[0]) * phi(pre[1])
            if p < 0 or p > 0:
                return "refuted", ("width 1, W = 1, v = 0, u = 1 at n = %d%s: <v', u'> = %s != 0 (ball)"
                                   % (k, "" if c.activation != "leaky_relu" else ", alpha = %s" % a, p.str(8)))
        raise Rejected("not decided (%s)" % why)
    return Goal(st, decide)


def _two_point(c, rs):
    import sympy
    n, al = sympy.Symbol("n"), sympy.Symbol("alpha")
    st, cf = two_point_fixed(n, al, rs)
    return st, cf, n, al


def _g_fixed_point(c):
    state = c.params.get("state", "configuration")
    if twopoint.known(c.activation) and state in ("two-point", "simplex"):
        return twopoint.fixed_goal(c, Goal, _need, state)
    if state in ("attractor", "simplex"):
        return _g_state(c, state, stable=False)
    _need(state in ("configuration", "two-point"), "unknown state %r" % (state,))
    _rc_only(c, allow_rs=True, abs_ok=3)
    rs = "rs" in c.stages
    name = {"configuration": "the configuration O_n (n-1 equal points, the odd point orthogonal to them)",
            "two-point": "the two-point state fixed by the dynamics (n-1 equal points and one odd point)"}[state]
    st = "for %s and %s: the Gram matrix of %s is a fixed point of the scale-free Gram dynamics" % (
        c.model_text(), c.domain_text(), name)

    def decide(_facts):
        import sympy
        fixed, cf, n, al = _two_point(c, rs)
        if state == "two-point":
            # c > 0: D/n^2 with D = A + 2 alpha (n-1) + A (n-1)^2 (abs: (n-2)^2, n >= 3); RS: 1
            return "proved", "F(G) = c G with G = %s, c = %s (exact, symbolic n%s)" % (
                tuple(sympy.factor(_on_alpha(v, c)) for v in fixed), sympy.factor(_on_alpha(cf, c)),
                "" if c.alpha_point is not None else " and alpha")
        # O_n up to scale: (1, 0, b); its image has cross entry fixed[1]-proportional
        for a in _alphas(c):
            if a != 0:
                img = two_point_image(sympy.Integer(1), sympy.Integer(0), sympy.Symbol("b", positive=True),
                                      n, _sympy_q(a), rs)
                return "refuted", ("at alpha = %s the image of O_n has cross entry %s != 0: not O_n"
                                   % (a, sympy.factor(img[1])))
        if c.alpha[0] == c.alpha[1] == 0 and zero(fixed[1].subs(al, 0)):
            return "proved", "F(G) = c G for G = (1, 0, %s) up to scale, c = %s" % (
                sympy.factor(fixed[2] / fixed[0]).subs(al, 0), sympy.factor(cf.subs(al, 0)))
        raise Rejected("undecided")
    return Goal(st, decide)


def _alpha_sym(c):
    """The domain's single slope (exact), or the symbol alpha for a range of slopes."""
    import sympy
    return _sympy_q(c.alpha_point) if c.alpha_point is not None else sympy.Symbol("alpha")


def _on_alpha(e, c):
    """e with the domain's single slope substituted (e unchanged for a range of slopes)."""
    import sympy
    return sympy.sympify(e).subs(sympy.Symbol("alpha"), _alpha_sym(c))


def _on_domain(e, c):
    """e with the domain's single slope (and single n) substituted, and square roots of
    squares simplified for n >= n_lo (n = n_lo + m, m >= 0)."""
    import sympy
    n = sympy.Symbol("n")
    e = _on_alpha(e, c)
    if c.n_hi == c.n_lo:
        return sympy.simplify(e.subs(n, c.n_lo))         # exact: never rounded (nsimplify would)
    m = sympy.Symbol("m", nonnegative=True)
    return sympy.simplify(sympy.simplify(e.subs(n, m + c.n_lo)).subs(m, n - c.n_lo))


def _claimed(text, c, per_n=False):
    """A claimed expression (sympy), Rejected unless each divisor in n or alpha is shown non-zero
    on the domain (parse has shown the constant ones non-zero); ``per_n``: a divisor in n alone
    may vanish at single n, where the caller decides n by n (a formula claims nothing where it
    is undefined)."""
    import sympy
    n, node, lib = sympy.Symbol("n"), parse(text), library("sympy")
    for d in divisors(node):
        e = _on_alpha(evaluate(d, lib, {}), c)
        if not e.free_symbols or per_n and e.free_symbols <= {n}:
            continue
        if e.free_symbols <= {n} and _defined(1 / e, c.n_lo, c.n_hi) or _shown(e, ">", c) or _shown(e, "<", c):
            continue
        raise Rejected("the divisor %s of %s is not shown to be non-zero on the domain" % (e, text[:80]))
    return evaluate(node, lib, {})


def _g_norm_ratio(c):
    _rc_only(c, allow_rs=True, abs_ok=3)
    val = c.param("value")
    claimed = _claimed(val, c)
    st = ("for %s and %s: after one layer on a two-point batch, ||u'|| / ||v'|| tends to %s as the "
          "width d -> infinity" % (c.model_text(), c.domain_text(), val))

    def decide(_facts):
        import sympy
        (a, x, b), _, n, al = _two_point(c, "rs" in c.stages)
        ratio2 = _on_domain(sympy.cancel(b / a), c)     # law of large numbers: sqrt(E u'^2 / E v'^2)
        v = _on_domain(claimed, c)
        if zero(v ** 2 - ratio2) and (v.is_number and v >= 0 or _shown(v, ">=", c)):
            return "proved", "limit sqrt(%s) = %s (exact)" % (sympy.factor(ratio2), val)
        return _counterexample(c, lambda k, a_: sympy.sqrt(_at(ratio2, k, a_)), v, "the limit")
    return Goal(st, decide)


def _counterexample(c, truth, claimed, what):
    """Refuted at the first domain point where ``claimed`` certainly differs from ``truth``."""
    from flint import ctx
    for k, a in _points(c):
        t, w = truth(k, a), _at(claimed, k, a)
        with ctx.workprec(256):
            if certainly(value(str(t), {}), "!=", value(str(w), {})):
                return "refuted", "at n = %d, alpha = %s %s is %s, not %s" % (k, a, what, t, w)
    raise Rejected("no counterexample found and no proof")


def _g_outlier(c):
    _rc_only(c, allow_rs=True, abs_ok=3)
    val = c.params.get("value", "0")
    claimed = _claimed(val, c)
    st = ("for %s and %s: at the two-point fixed point the odd point's cosine to the cluster is %s"
          % (c.model_text(), c.domain_text(), val))

    def decide(_facts):
        import sympy
        (a, x, b), _, n, al = _two_point(c, "rs" in c.stages)
        m, p = sympy.Symbol("m", nonnegative=True), sympy.Symbol("p", nonnegative=True)
        cos = sympy.simplify((x / sympy.sqrt(sympy.factor(a * b))).subs({n: m + 2, al: p}))
        # n >= 2; p >= 0 is harmless at abs's -1: a b = ((1 + alpha^2)/2)^2 (n-1)^2 (RS: without (n-1)^2)
        cos = sympy.cancel(cos.subs({m: n - 2, p: al}))
        if c.alpha_point is not None:                        # one slope: decide at it
            cos = sympy.cancel(cos.subs(al, _sympy_q(c.alpha_point)))
        if not cos.is_rational_function():
            raise Rejected("the cosine %s is not a rational function" % cos)
        if zero(_on_domain(claimed, c) - cos):
            return "proved", "cos = %s (exact)" % sympy.factor(cos)
        return _counterexample(c, lambda k, a_: _at(cos, k, a_), claimed, "the cosine")
    return Goal(st, decide)


@functools.lru_cache(maxsize=256)
def _eigen(M, comp):
    """[(mu, algebraic multiplicity in the block)] of a block (immutable) whose characteristic polynomial
    splits into linear factors (Rejected otherwise: the eigenvalues are not named); kept once per process."""
    import sympy
    lam = sympy.Symbol("lambda_")
    num = sympy.fraction(sympy.cancel(M.charpoly(lam).as_expr()))[0]
    out = []
    for f, e in sympy.factor_list(num, lam)[1]:
        p = sympy.Poly(f, lam)
        if p.degree() == 0:
            continue
        if p.degree() != 1:
            raise Rejected("block %s has a factor of degree %d: eigenvalues not named" % (comp, p.degree()))
        a1, a0 = p.all_coeffs()
        out.append((sympy.cancel(-a0 / a1), e))
    return tuple(out)


def spectrum(c, n):
    """[(mu, multiplicity)] of the scale-free linearization at the two-point fixed point, from
    the kernel's own blocks; n a symbol (every n >= 5) or an integer."""
    import sympy
    return [(mu, sympy.expand(e * multiplicity(comp, n)))
            for comp, M in pattern_blocks(n, _alpha_sym(c)).items() for mu, e in _eigen(M, comp)]


def _spectrum_parts(c, with_spectra=True):
    """(n, spectrum) for the parts of the domain: n = 3, 4 each, and "generic" for n >= 5."""
    import sympy
    parts = [k for k in (3, 4) if c.n_lo <= k and (c.n_hi is None or k <= c.n_hi)]
    parts += ["generic"] if c.n_hi is None or c.n_hi >= 5 else []
    return [(p, spectrum(c, sympy.Symbol("n") if p == "generic" else p) if with_spectra else None) for p in parts]


def _sub_domain(c, part):
    """The claim restricted to a part (a copy with another n range)."""
    d = copy.copy(c)
    if part == "generic":
        d.n_lo = max(5, c.n_lo)
    else:
        d.n_lo = d.n_hi = part
    return d


def _configuration_state(c, state):
    _rc_only(c, abs_ok=3)
    _need(c.activation in ("relu", "leaky_relu", "identity", "abs"), "no closed-form kernel")
    if state == "configuration":
        for a in _alphas(c):
            if a != 0:
                return a
    return None


def _linearized(c):
    _need(c.n_lo >= 3, "the linearization's symmetry blocks are derived for n >= 3 (at n = 2 the "
          "centred batch is w s^T of rank one for every start)")


def _g_spectral_configuration(c, state):
    _linearized(c)
    rel, bound = _rel(c), _rat(c.param("bound"))
    not_fixed = _configuration_state(c, state)
    st = ("for %s and %s: %s is a fixed point of the scale-free dynamics and the spectral radius "
          "of its scale-free linearization (eigenvalues of DF(G*)/c without the direction G*) "
          "is %s %s" % (c.model_text(), c.domain_text(), "O_n" if state == "configuration" else
                        "the two-point state", rel, bound))

    def decide(_facts):
        if not_fixed is not None:
            return "refuted", ("at alpha = %s O_n is not a fixed point (its image is not orthogonal; the fixed "
                               "point is the two-point state: state two-point)" % not_fixed)
        B = _sympy_q(bound)
        # a counterexample first: an exact spectrum at a point
        for k, a in _points(c, 4):
            if k > 64:
                continue
            pt = _sub_domain(c, k)
            pt.alpha = (a, a, False)
            rho = max(abs(_at(mu, k, a)) for mu, m in spectrum(pt, k) if _at(m, k, a) > 0)
            if not {"<": rho < B, "<=": rho <= B, ">": rho > B, ">=": rho >= B}[rel]:
                return "refuted", "at n = %d, alpha = %s the spectral radius is %s (exact)" % (k, a, rho)
        done = []
        for part, spec in _spectrum_parts(c):
            sub = _sub_domain(c, part)
            live = [(mu, m) for mu, m in spec if not (part != "generic" and _at(m, part, 0) == 0)]
            if rel in ("<", "<="):
                for mu, m in live:
                    _show(B - mu, ">" if rel == "<" else ">=", sub)
                    _show(B + mu, ">" if rel == "<" else ">=", sub)
            else:
                ok = False
                for mu, m in sorted(live, key=lambda p: -abs(float(_at(p[0], sub.n_lo, sub.alpha[0])))):
                    try:
                        _show(m - 1, ">=", sub)
                        _show(mu - B, ">" if rel == ">" else ">=", sub)
                        ok = mu
                        break
                    except Rejected:
                        continue
                if ok is False:
                    raise Rejected("no eigenvalue shown %s %s on n part %s" % (rel, bound, part))
            done.append("%s%s" % (part, "" if rel in ("<", "<=") else ": %s" % ok))
        return "proved", ("every eigenvalue mu, from the kernel's symmetry blocks, shown with |mu| %s %s (parts: %s)"
                          if rel in ("<", "<=") else "an eigenvalue (multiplicity >= 1), from the kernel's symmetry "
                          "blocks, shown %s %s, so the radius is too (parts: %s)") % (rel, bound, ", ".join(done))
    return Goal(st, decide)


def _spec_param(c):
    """[(value text, multiplicity text)] of params.eigenvalues (at most MAX_SPECTRUM pairs)."""
    raw = c.param("eigenvalues")
    if not isinstance(raw, list) or not 0 < len(raw) <= MAX_SPECTRUM or \
            not all(isinstance(p, list) and len(p) == 2 for p in raw):
        raise Rejected("params.eigenvalues must be a list of 1..%d [value, multiplicity]" % MAX_SPECTRUM)
    for v, m in raw:
        _claimed(v, c, per_n=True), _claimed(m, c, per_n=True)
    return [(v, m) for v, m in raw]


def _same_spectrum(a, b, k=None):
    """Multisets of (mu, mult) equal as functions of n and alpha (k an integer: n = k, zero
    multiplicities dropped): a one-to-one matching of exact identities."""
    import sympy

    def norm(spec):
        out = []
        for mu, m in spec:
            mu, m = sympy.sympify(mu), sympy.sympify(m)
            if k is not None:
                mu, m = mu.subs(sympy.Symbol("n"), k), m.subs(sympy.Symbol("n"), k)
                if m == 0:
                    continue
            for i, (v, w) in enumerate(out):
                if zero(v - mu):
                    out[i] = (v, w + m)
                    break
            else:
                out.append((mu, m))
        return out
    x, y = norm(a), norm(b)
    for v, w in x:
        j = next((j for j, (mu, m) in enumerate(y) if zero(v - mu) and zero(w - m)), None)
        if j is None:
            return False
        y.pop(j)
    return not y


def _differs(true, claimed, k, a):
    """True if at n = k, alpha = a the claimed multiset certainly differs from the true one:
    the multiplicities' totals differ, or some value has fewer copies on one side than the
    other side's values that might equal it (balls where a value is irrational)."""
    env = {"n": Fraction(k), "alpha": a}
    mine = [(value(str(_at(mu, k, a)), {}), int(_at(m, k, a))) for mu, m in true if _at(m, k, a) != 0]
    try:
        theirs = [(value(v, env), value(m, env)) for v, m in claimed]
    except ZeroDivisionError:               # the claim is undefined here: no witness at this n
        return False
    if any(not (isinstance(m, Fraction) and m.denominator == 1) for _, m in theirs):
        return False
    if sum(m for _, m in mine) != sum(m for _, m in theirs):
        return True
    for xs, ys in ((mine, theirs), (theirs, mine)):
        for v, _ in xs:
            copies = sum(m for u, m in xs if isinstance(u, Fraction) and u == v) if isinstance(v, Fraction) else \
                next(m for u, m in xs if u is v)
            if sum(m for u, m in ys if not certainly(u, "!=", v)) < copies:
                return True
    return False


def _defined(e, lo, hi):
    """False if the rational function e of n, as written, divides by zero at an integer n of
    [lo, hi]: a formula undefined somewhere in the domain claims nothing there."""
    import sympy
    n = sympy.Symbol("n")
    den = sympy.fraction(sympy.together(e))[1]
    if den.free_symbols <= {n} and den.is_polynomial(n) and den.free_symbols:
        for r in sympy.Poly(den, n).ground_roots():
            if r.is_Integer and lo <= r and (hi is None or r <= hi):
                return False
    return True


def _integer_valued(m, lo, hi):
    """The multiplicity m(n) (defined on the domain) as a polynomial, Rejected unless it is an
    integer at every integer n in [lo, hi] (hi None: no end).  A polynomial of degree d that is
    an integer at d + 1 consecutive integers is one at every integer after them (its forward
    differences there are integers), so lo..lo+d suffice."""
    import sympy
    n = sympy.Symbol("n")
    m = sympy.sympify(m)
    if m.free_symbols - {n}:
        raise Rejected("multiplicity %s depends on %s" % (m, ", ".join(map(str, m.free_symbols - {n}))))
    if not _defined(m, lo, hi):
        raise Rejected("multiplicity %s is undefined at an n of the domain" % m)
    p = sympy.cancel(m)
    if not p.is_polynomial(n):
        raise Rejected("multiplicity %s is not a polynomial in n" % m)
    d = sympy.Poly(p, n).degree() if p.free_symbols else 0
    for k in range(lo, lo + d + 1 if hi is None else min(hi, lo + d) + 1):
        if not p.subs(n, k).is_Integer:
            raise Rejected("claimed multiplicity %s is %s at n = %d, not an integer" % (m, p.subs(n, k), k))
    return p


def _g_jacobian(c):
    state = c.params.get("state", "configuration")
    _need(state in ("configuration", "two-point"), "the spectrum is decided at O_n and the two-point state only")
    _linearized(c)
    claimed = _spec_param(c)
    not_fixed = _configuration_state(c, state)
    st = ("for %s and %s: the scale-free linearization at %s has exactly the eigenvalues %s "
          "(value, multiplicity)" % (c.model_text(), c.domain_text(),
                                     "O_n" if state == "configuration" else "the two-point state",
                                     "; ".join("%s x %s" % (sym(v), sym(m)) for v, m in claimed)))

    def decide(_facts):
        if not_fixed is not None:
            return "refuted", ("at alpha = %s O_n is not a fixed point (the fixed point is the two-point "
                               "state: state two-point)" % not_fixed)
        exact = [(sym(v), sym(m)) for v, m in claimed]
        for part, spec in _spectrum_parts(c):
            sub = _sub_domain(c, part)
            exact = [(v, _integer_valued(m, sub.n_lo, sub.n_hi)) for v, m in exact]
            for _, m in exact:                 # a claimed multiplicity is an integer >= 1 throughout
                if part == "generic":
                    try:
                        _show(m - 1, ">=", sub)
                    except Rejected as e:
                        raise Rejected("claimed multiplicity %s is not shown >= 1 for n >= %d: %s" % (m, sub.n_lo, e))
                elif not _at(m, part, 0) >= 1:
                    raise Rejected("claimed multiplicity %s is %s at n = %d: list each eigenvalue only "
                                   "where it occurs" % (m, _at(m, part, 0), part))
            defined = all(_defined(_on_alpha(v, c), sub.n_lo, sub.n_hi) for v, _ in exact)
            if part != "generic":
                ks, every = [part], True
            elif defined and _same_spectrum(spec, exact):
                continue
            else:                               # no identity in n: decide n by n where that is finite
                every = sub.n_hi is not None and sub.n_hi - sub.n_lo < PER_N_EXACT
                ks = range(sub.n_lo, sub.n_hi + 1 if every else sub.n_lo + 8)
            for k in ks:                        # a witness first: the cheap, decisive direction
                for a in _alphas(c):
                    if _differs(spec, claimed, k, a):
                        return "refuted", "at n = %d%s the spectrum is %s" % (
                            k, "" if c.activation != "leaky_relu" else ", alpha = %s" % a,
                            "; ".join("%s x %s" % (_at(mu, k, a), _at(m, k, a)) for mu, m in spec
                                      if _at(m, k, a) != 0))
            if not (every and defined and all(_same_spectrum(spec, exact, k) for k in ks)):
                raise Rejected("the claimed spectrum is neither the kernel's as a function of n nor "
                               "shown equal or different at each n")
        return "proved", "the kernel's symmetry blocks have exactly these eigenvalues"
    return Goal(st, decide)


# the named perturbations of a two-point state: the entries of G they move, and the basis pattern
# of each symmetry component's copy those entries span (model.basis_patterns: trivial D, O, X,
# B; standard D, O, X, or D, X at n = 3; pair O)
DIRECTIONS = {"cluster-norms": ("D", "the cluster points' norms (diagonal entries)"),
              "cluster-spread": ("O", "the spread inside the cluster (cluster-cluster entries)"),
              "odd-angle": ("X", "the odd point's angles to the cluster points (cross entries)"),
              "norm-ratio": ("B", "the odd point's norm, i.e. the norm ratio (its diagonal entry)")}


def _direction_vector(letter, comp, M, g):
    """The copy's coordinates of the perturbation pattern ``letter`` (None if the component has
    none); in the trivial block, modulo G* (pattern_blocks quotients by its B coordinate)."""
    import sympy
    letters = {"trivial": "DOXB", "standard": "DOX" if M.shape[0] == 3 else "DX", "pair": "O"}[comp]
    if letter not in letters:
        return None
    v = [int(x == letter) for x in letters]
    if comp == "trivial":
        v = [sympy.cancel(v[i] - g[i] / g[3] * v[3]) for i in range(3)]
    return sympy.Matrix(v)


def _g_directions(c):
    _linearized(c)
    state = c.params.get("state", "two-point")
    _need(state in ("configuration", "two-point"), "directions are named at O_n and the two-point state only")
    _need(c.alpha_point is not None, "directions are decided at one alpha")
    not_fixed = _configuration_state(c, state)
    decay, grow = c.params.get("decay", []), c.params.get("grow", [])
    if not (isinstance(decay, list) and isinstance(grow, list) and len(decay) + len(grow) <= 2 * len(DIRECTIONS)):
        raise Rejected("params.decay and params.grow are lists of direction names, each named once")
    for name in decay + grow:
        if not isinstance(name, str) or name not in DIRECTIONS:
            raise Rejected("unknown direction %r (one of %s)" % (name, ", ".join(DIRECTIONS)))
    if len(set(decay)) < len(decay) or len(set(grow)) < len(grow):
        raise Rejected("a direction is named twice in params.decay or params.grow")
    if not decay and not grow:
        raise Rejected("params name no direction to decay or grow")
    words = lambda names: "; ".join(DIRECTIONS[x][1] for x in names)       # noqa: E731
    st = ("for %s and %s: at %s, under the scale-free linearization DF(G*)/c iterated (modulo the "
          "direction of G*), %s%s%s" % (
              c.model_text(), c.domain_text(), "O_n" if state == "configuration" else "the two-point state",
              "every perturbation of %s decays to 0" % words(decay) if decay else "",
              " and " if decay and grow else "",
              "some perturbation of %s grows without bound" % words(grow) if grow else ""))

    def failures(n, sub):
        """What fails at n (an integer, or the symbol for every n of ``sub``): [] if all holds,
        None if a sign is not decided there."""
        import sympy
        al = _alpha_sym(c)
        st_, _ = two_point_fixed(n, al)
        g = (st_[0], st_[0], st_[1], st_[2])
        out, grown = [], set()
        for comp, M in pattern_blocks(n, al).items():
            P = {"stable": sympy.eye(M.shape[0]), "bounded": sympy.eye(M.shape[0])}
            for mu, e in _eigen(M, comp):
                if isinstance(n, int):
                    small, large = abs(mu) < 1, abs(mu) > 1
                else:
                    small = _shown(1 - mu, ">", sub) and _shown(1 + mu, ">", sub)
                    large = not small and (_shown(mu - 1, ">", sub) or _shown(-1 - mu, ">", sub))
                if not (small or large or isinstance(n, int)):
                    return None
                for kind in ("stable", "bounded") if small else () if large else ("bounded",):
                    P[kind] = P[kind] * (M - mu * sympy.eye(M.shape[0])) ** e
            for name in decay + grow:
                v = _direction_vector(DIRECTIONS[name][0], comp, M, g)
                if v is None:
                    continue
                if name in decay and not all(zero(sympy.sympify(x)) for x in P["stable"] * v):
                    out.append("%s does not decay (its %s part leaves the stable subspace)" % (name, comp))
                if name in grow:
                    left = [sympy.cancel(x) for x in P["bounded"] * v]
                    if any(x != 0 and (isinstance(n, int) or _shown(x, ">", sub) or _shown(x, "<", sub))
                           for x in left):
                        grown.add(name)
                    elif not isinstance(n, int) and not all(zero(sympy.sympify(x)) for x in left):
                        return None
        return out + ["no perturbation of %s grows" % x for x in grow if x not in grown]

    def decide(_facts):
        import sympy
        if not_fixed is not None:
            return "refuted", "at alpha = %s O_n is not a fixed point (state two-point)" % not_fixed
        for part, _ in _spectrum_parts(c, with_spectra=False):
            sub = _sub_domain(c, part)
            bad = failures(part if part != "generic" else sympy.Symbol("n"), sub)
            if bad is None or (bad and part == "generic"):       # decided at the part's first n
                bad = failures(sub.n_lo, _sub_domain(c, sub.n_lo)) or (None if bad is None else [])
                if bad is None or not bad:
                    raise Rejected("undecided for n >= %d (a sign not shown on the domain)" % sub.n_lo)
                part = sub.n_lo
            if bad:
                return "refuted", "at n = %s: %s" % (part, "; ".join(bad))
        return "proved", ("stable and non-stable generalized eigenspaces of each symmetry block, "
                          "from its eigenvalues (exact)")
    return Goal(st, decide)


def _rs_at_configuration(c, what):
    _need(c.stages == ["rc", "rs"] and c.activation in ("relu", "leaky_relu", "identity"),
          "the RS %s is decided for RC + RS + relu / leaky_relu / identity" % what)
    _need(c.alpha_point is not None, "the RS %s is decided at one alpha" % what)
    _linearized(c)


def _g_rs_response(c):
    _rs_at_configuration(c, "response")
    import sympy
    lam, k_M = rs.unbounded_response(sympy.Symbol("n"), _sympy_q(c.alpha_point))
    m = sympy.Symbol("m", nonnegative=True)
    lam, k_M = (sympy.factor(e.subs(m, sympy.Symbol("n") - 3)) for e in (lam, k_M))
    st = ("for %s and %s: the Gram map has no linearization at its two-point fixed point G* (scaled to "
          "cluster norms 1): along G* + eps e e^T, e = e_1 - e_2, the two cluster points' cosine deficit "
          "goes from 2 eps/(1 + eps) to at least M times that for every M > 0 as soon as sqrt(2 eps/"
          "(lambda |s|^2)) <= %s, with lambda = |u - v|^2 = %s and |s|^2 = (n-1)/n (the output deficit is "
          "at least of order sqrt(eps))" % (c.model_text(), c.domain_text(), sympy.sstr(k_M), sympy.sstr(lam)))

    def decide(_facts):
        return "proved", ("exact (sympy): the window |tan psi| <= 1/sqrt(n(n-1)) where phi is the identity, "
                          "the antiderivative of the angular central Gaussian density, E[phi(y_1)^2] <= n")
    return Goal(st, decide)


def _g_rs_growth(c):
    _rs_at_configuration(c, "growth")
    import sympy
    one = c.n_lo if c.n_lo == c.n_hi else None
    e0, a, b = (sympy.sstr(e) for e in rs.growth_bounds(one, _sympy_q(c.alpha_point)))
    st = ("for %s and %s: the two-point fixed point (O_n at alpha = 0) repels along G* + eps e e^T (G* that state scaled to cluster "
          "norms 1, e = e_1 - e_2): for 0 < eps <= eps0 = %s the two cluster points' output cosine deficit "
          "delta_out lies in [a sqrt(eps), b sqrt(eps)] with a = %s and b = %s, while the input deficit is "
          "2 eps/(1 + eps)" % (c.model_text(), c.domain_text(), e0, a, b))

    def decide(_facts):
        return "proved", ("exact (sympy): the window bound, E[sin^2 psi] = k/(1+k) and E[phi(y_1)^2] = "
                          "(1 + alpha^2) E[y_1^2]/2 under the angular central Gaussian")
    return Goal(st, decide)


def _g_spectral(c):
    state = c.params.get("state", "configuration")
    _need(state in STATES, "unknown state %r" % (state,))
    if twopoint.known(c.activation) and state in ("two-point", "simplex"):
        return twopoint.spectral_goal(c, Goal, _need, _rel(c), _rat(c.param("bound")), state)
    if state in ("configuration", "two-point"):
        return _g_spectral_configuration(c, state)
    return _g_state(c, state, stable=True)


def _per_n_model(c, all_n=False, allow_rs=False):
    _rc_only(c, allow_rs=allow_rs)
    _need(c.activation in ("relu", "leaky_relu"), "certified states are for RC + ReLU / leaky ReLU")
    if not all_n:
        _need(c.alpha_point is not None, "per n, states are certified at one alpha (a range of alpha: the "
              "attractor's all-n branch, existence and spectral radius < 1)")
        _need(c.n_hi is not None, "this is certified per n, on a finite range of n (the all-n proofs cover "
              "existence and spectral radius < 1: the attractor's radius for ReLU and leaky ReLU (alpha < 1), "
              "the simplex state's for every alpha; not a bound below 1, not the threshold)")


def _alpha_within(c, fa):
    """The claim's slopes lie in a fact's: fa is one slope or a range (lo, hi, hi_open)."""
    fa = fa if isinstance(fa, tuple) else (fa, fa, False)
    return alpha_in(fa, c.alpha[0]) and (alpha_in(fa, c.alpha[1]) or c.alpha[2] and c.alpha[1] == fa[1])


def _g_state(c, state, stable, threshold=None):
    """Per n: the state exists, is locally unique (Krawczyk box) and, if ``stable``, has
    spectral radius rel bound (Gershgorin, upper bounds only); every n at once from an all-n
    branch fact (existence, and radius < 1: not a bound below 1)."""
    want = "spread-cluster" if state in ("attractor", "spread-cluster") else "simplex"
    if want == "spread-cluster" and twopoint.known(c.activation):
        return _g_spread_smooth(c, stable, threshold)
    rs = c.stages == ["rc", "rs"]             # the BSB1 state of full BN: RC alone's facts and simplex.py's lemma
    _per_n_model(c, all_n=True, allow_rs=want == "simplex")
    _need(threshold is None or c.alpha_point is not None, "the threshold is decided at one alpha")
    rel, bound = ("<", Fraction(1)) if threshold is not None else (
        (_rel(c), _rat(c.param("bound"))) if stable else (None, None))
    _need(not stable or rel in ("<", "<="), "only upper bounds of the spectral radius are certified")
    all_n = not stable or bound >= 1
    if not all_n:
        _per_n_model(c, allow_rs=rs)
    words = {"spread-cluster": "a spread-cluster fixed point of the symmetric reduction (cluster "
                               "cosine < 1, odd cosine != cluster cosine)",
             "simplex": "the simplex state (all cosines kappa(-1/(n-1))/kappa(1))"}[want]
    if rs:
        words = "the symmetric (BSB1) state (all cosines kappa(-1/(n-1))/kappa(1))"
    what = "%s exists, is locally unique%s%s" % (
        words, " in a certified box" if want == "spread-cluster" else "",
        " and the spectral radius of its scale-free linearization in the full n(n+1)/2-"
        "dimensional dynamics is %s %s" % (rel, bound) if rel else "")
    st = "for %s and %s: " % (c.model_text(), c.domain_text())
    if threshold == c.n_lo:           # nothing below the threshold is in the domain
        st += ("%d is the smallest n of the domain, so no n below it is in question and only this is "
               "shown from n = %d on: " % (threshold, threshold))
    elif threshold is not None:
        st += ("%d is the smallest n with this property, where absence below it means no spread-cluster "
               "fixed point in the symmetric family: " % threshold)
    st += what + (" (its scale-free linearization's eigenvalues are 0 and (n-1)/(n+1) times those of RC alone at "
                  "the simplex state, trusted/simplex.py; RC alone's evidence re-checked)" if rs else "")
    a = c.alpha_point

    def fits(f):                      # a fact about this state and slopes, with a radius bound if one is asked
        r = f["radius_below"]
        if not (_alpha_within(c, f["alpha"]) and f.get("state") == want) or rs and r is None:
            return False              # RC + RS: its local uniqueness too needs RC alone's radius
        if rs and r is not None and "n" in f:
            r = r * Fraction(f["n"] - 1, f["n"] + 1)      # simplex.py's lemma at this n
        return rel is None or r is not None and r <= bound

    def kinds(f):
        """'has' (the state certified at f's n), 'none' (no spread-cluster state at f's n), 'branch'."""
        if f["fact"] == "branch" and all_n and fits(f):
            return "branch"
        if f["fact"] == "fixed-point" and fits(f):
            return "has"
        if f["fact"] == "classified" and alpha_in(c.alpha, f["alpha"]) and want == "spread-cluster" and \
                f["spread_cluster_states"] == 0:     # none at one slope of the claim's: enough to refute
            return "none"
        return None

    def decide(facts):
        b = min((f["n_from"] for f in facts if kinds(f) == "branch"), default=None)
        if b is None or c.n_hi is not None and c.n_hi < b:
            if c.n_hi is None or c.n_hi - c.n_lo + 1 > PER_N_MAX:
                raise Rejected("no all-n branch evidence for this claim (%s)" % (
                    "the simplex state every n at once: its branch" if want == "simplex" else
                    "the attractor's stability every n at once: ReLU's branch, for leaky ReLU too"))
            b, ks = None, c.ns()
        else:
            ks = range(c.n_lo, b)
            if threshold is not None and max(b, c.n_lo) < threshold:
                return "refuted", "the all-n branch certifies the state at n = %d < %d" % (max(b, c.n_lo), threshold)
        has = {f["n"] for f in facts if kinds(f) == "has"}
        none = {f["n"]: f["alpha"] for f in facts if kinds(f) == "none"}
        for k in ks:
            if threshold is not None and k < threshold:
                if k in has:
                    return "refuted", "at n = %d < %d the state is certified" % (k, threshold)
                if k not in none:
                    raise Rejected("no evidence of absence at n = %d" % k)
            elif k in none:
                return "refuted", "at n = %d%s the symmetric family has no spread-cluster fixed point" % (
                    k, "" if a is not None else " and alpha = %s" % none[k])
            elif k not in has:
                raise Rejected("no evidence for n = %d" % k)
        if b is None:
            return "proved", "evidence re-verified for every n of the domain"
        return "proved", ("evidence re-verified per n for n in [%d, %d] and, for every n >= %d, the all-n branch "
                          "in t = 1/n" % (c.n_lo, b - 1, b) if c.n_lo < b else
                          "the all-n branch in t = 1/n, for every n >= %d" % b)

    def about(f):
        kind = kinds(f)
        if kind == "branch":
            return c.n_hi is None or f["n_from"] <= c.n_hi
        return kind is not None and c.n_lo <= f["n"] and (c.n_hi is None or f["n"] <= c.n_hi)
    return Goal(st, decide, about)


def _g_spread_smooth(c, stable, threshold):
    """A non-homogeneous phi: no spread-cluster fixed point at any n where the scale collapses.  LEMMA: x ~ N(0,
    w C G C), the image's squared distances d'_ij = E[(phi(x_i) - phi(x_j))^2] <= L^2 E[(x_i - x_j)^2] = w L^2 d_ij
    (RC keeps every difference x_i - x_j).  w L^2 < 1: d' < d wherever d > 0.  w L^2 = 1, strict (TABLE): for every
    strict row |phi'| < L a.e. on t < 0; when d_ij > 0, x_i - x_j is a non-degenerate Gaussian, and with probability
    >= 1/2 one of x_i, x_j is < 0, the segment between them then meets t < 0 in positive length, so d'_ij < d_ij.  At a
    fixed point the sum of the d_ij is kept, so every d_ij = 0: the cluster's rho = 1, never a spread-cluster state.
    GELU, SiLU at w <= 2: the trace lemma (twopoint.HALF), every fixed point has S = 0; softplus at w <= 2: every
    distance shrinks, d'_ij < w d_ij/2 (twopoint.FLAT).  GELU, SiLU, softplus at w >= 4:
    the parity lemma (twopoint.lemma), every distance grows, d'_ij >= w d_ij/4.  Outside them: attractor-threshold t
    proved by a spread-box fact at t whose radius' upper end is below 1 (a stable spread-cluster fixed point of the
    family) and a spread-none fact at every smaller n of the domain (none stable there); refuted by such a box at a
    smaller n of the domain (a stable one there), and value none refuted by such a box at any n of the domain."""
    _need(c.stages == ["rc"], "the spread-cluster state of a non-homogeneous phi is decided for RC then phi (stages rc)")
    _need(c.n_lo >= 3, "n >= 3 (a cluster of at least two points)")
    what = ("a spread-cluster fixed point in the symmetric family (n-1 exchangeable cluster points and one odd point; "
            "cluster correlation rho of sigma_w^2 C G C below 1 and not -1/(n-1))")
    st = "for %s and %s: the map G -> K_phi(sigma_w^2 C G C) (not up to scale) has " % (c.model_text(), c.domain_text())
    if threshold == "none":
        st = st.replace(": the map", ", at no n of the domain, the map", 1) + what + " with spectral radius < 1"
    elif threshold is not None:
        st += "%s with spectral radius < 1 at n = %d, and at no smaller n of the domain" % (what, threshold)
    else:
        st += what + (" with spectral radius of DF %s %s" % (_rel(c), _rat(c.param("bound"))) if stable else "")

    # a cover with "U" leaves leaves unstable fixed points (an eigenvalue > 1): it answers only for stable ones
    stable_only_ok = threshold is not None or stable and _rel(c) in ("<", "<=") and _rat(c.param("bound")) <= 1

    # a spread-point fact (n = 3's {v, -v, 0}) shows existence, a spectral radius in its fact's [lo, hi] and, if
    # unique (a "U" cell), one > 1: an existential statement, so it proves (radius rel bound), never refutes
    rel, bound = (_rel(c), _rat(c.param("bound"))) if stable and threshold is None else (None, None)

    def shown(f):
        r = f["radius"]
        return rel is None or rel[0] == ">" and bound <= 1 and f["unique"] or \
            holds(r[1] if rel[0] == "<" else r[0], rel, bound)

    def decide(facts):
        why = twopoint.lemma(c, "spread-cluster")
        if why is None:
            points = {f["n"]: f for f in facts if f["fact"] == "spread-point"}
            # a spread-box fact (Krawczyk in (q, p), any n) shows existence and the radius of DF in [radius_lo,
            # radius_hi] (every block of DF): it proves (radius rel bound; attractor-stable: < 1), never refutes
            boxes = {f["n"]: f for f in facts if f["fact"] == "spread-box"}
            if threshold is None and c.n_hi is not None and boxes and all(k in points or k in boxes for k in c.ns()):
                if all(shown(points[k]) if k in points else rel is None or holds(
                        boxes[k]["radius_hi" if rel[0] == "<" else "radius_lo"], rel, bound) for k in c.ns()):
                    return "proved", "; ".join(_box_reason(boxes[k]) for k in sorted(boxes)) + (
                        "; at n = 3 the point {v, -v, 0} on the invariant edge p = 0 (spread-point)" if points else "")
                if not any(f["fact"] == "spread-none" for f in facts):
                    raise Rejected("a spread-box encloses the spectral radius of DF (every block of DF: %s), not shown "
                                   "%s %s (a point proves, never refutes: that needs every fixed point)" % (", ".join(
                                       "n = %d: in [%.9f, %.9f]" % (k, boxes[k]["radius_lo"] * 10 ** 9 // 1 / 10 ** 9,
                                                                   -(-boxes[k]["radius_hi"] * 10 ** 9 // 1) / 10 ** 9)
                                       for k in sorted(boxes)), rel, bound))
            if threshold is None and c.n_hi is not None and all(k in points for k in c.ns()):
                # the enclosure shown rounded outward in its 9th decimal (below, the exact ends decide)
                f = points[c.n_lo]
                r = (f["radius"][0] * 10 ** 9 // 1 / 10 ** 9, -(-f["radius"][1] * 10 ** 9 // 1) / 10 ** 9)
                if all(shown(points[k]) for k in c.ns()):
                    return "proved", ("n = 3's edge p = 0 (rho = -1) is invariant for phi - phi(0) odd and q' - q "
                                      "changes sign along it" + (" and det(J - I) < 0 on a cell around the sign change: "
                                      "a spread-cluster fixed point {v, -v, 0}, the cell's only one, with a real "
                                      "eigenvalue > 1 and" if f["unique"] else " (one-dimensional Gaussian integrals):"
                                      " a spread-cluster fixed point {v, -v, 0} in the root bracket, with") +
                                      " the spectral radius of DF in [%.9f, %.9f] (the family's 2 x 2 Jacobian and the "
                                      "swap-odd direction; trusted/spreadfam.py, spread-point)" % (r[0], r[1]))
                if not any(f["fact"] == "spread-none" for f in facts):
                    raise Rejected("the spread-point's spectral radius of DF is in [%.9f, %.9f], not shown %s %s (a "
                                   "point proves, never refutes: that needs every fixed point)" % (r[0], r[1], rel, bound))
            covered = {f["n"]: f["only_stable"] for f in facts if f["fact"] == "spread-none"}
            below = [k for k in sorted(boxes) if (threshold == "none" or isinstance(threshold, int) and k < threshold)
                     and boxes[k]["radius_hi"] < 1]
            if below:       # a stable spread-cluster fixed point at a smaller n of the domain (none: at any n)
                return "refuted", _box_reason(boxes[below[0]]) + ("; n = %d is in the domain" % below[0] if threshold ==
                                                                  "none" else "; %d < %d is in the domain" % (below[0], threshold))
            if isinstance(threshold, int) and threshold in boxes and boxes[threshold]["radius_hi"] < 1 and all(
                    k in covered for k in range(c.n_lo, threshold)):     # stable at t (a box), at no smaller n (covers)
                return "proved", _box_reason(boxes[threshold]) + (
                    "; at n = %d..%d no stable one (spread-none covers of the symmetric family; trusted/spreadfam.py)" % (
                        c.n_lo, threshold - 1) if threshold > c.n_lo else "; no smaller n in the domain")
            return _spread_none(c, threshold, {f["n"]: f["only_stable"] for f in facts if f["fact"] == "spread-none"
                                               and (stable_only_ok or not f["only_stable"])})
        return "proved" if threshold == "none" else "refuted", why
    return Goal(st, decide, lambda f: f["fact"] in ("spread-none", "spread-point", "spread-box") and
                f["activation"] == c.activation and f["alpha"] == c.alpha_point and
                f["weight_var"] == c.weight_var and c.n_lo <= f["n"] and (c.n_hi is None or f["n"] <= c.n_hi))


def _box_reason(f):
    """A spread-box fact in words, its box and radius enclosure rounded outward (10 and 9 decimals)."""
    d, u = lambda x: x * 10 ** 10 // 1 / 10 ** 10, lambda x: -(-x * 10 ** 10 // 1) / 10 ** 10
    return ("at n = %d Krawczyk's test in the family's (q, p) (cluster and odd variances of sigma_w^2 C G C): the "
            "family map minus the identity has exactly one zero in q in [%.10f, %.10f], p in [%.10f, %.10f], a box "
            "inside the wedge 0 < p < (n-1)^2 q and off the simplex line p = q: a spread-cluster fixed point, with the "
            "spectral radius of DF in [%.9f, %.9f] (every block of DF: trivial, standard and pair components of "
            "S_(n-1), from %s partials over the box; trusted/spreadbox.py, spread-box)" % (
                f["n"], d(f["q"][0]), u(f["q"][1]), d(f["p"][0]), u(f["p"][1]), f["radius_lo"] * 10 ** 9 // 1 / 10 ** 9,
                -(-f["radius_hi"] * 10 ** 9 // 1) / 10 ** 9, "Mehler's series' (over the box's variance balls, their tails "
                "bounded)" if f["activation"] in spreadbox.MEHLER else "the closed kernel's"))


OUTSIDE = ("outside the lemmas' regimes (collapse: sigma_w^2 L^2 <= 1; gelu, silu, softplus: sigma_w^2 <= 2; parity: gelu, silu, "
           "softplus, elu: sigma_w^2 >= 4)")


def _spread_none(c, threshold, ns):
    """Outside the collapse lemma: spread-none facts (trusted/spreadfam.py) at the claim's n, else undecided; ``ns``
    maps n to the fact's only_stable (its cover leaves unstable fixed points)."""
    why = ("at %s the symmetric family has no %sfixed point off the simplex and two-point lines (a quadtree cover of (q, p) "
           "over a square holding every fixed point ([0, 4 sigma_w^2]^2, sigmoid's [0, sigma_w^2]^2, gelu's, silu's, softplus's, elu's from ReLU's): "
           "signs of G1 = sigma_w^2 (a - b)/(1 - rho) - q and G2 = q' - q (or of G1 - G2) in balls, small q, the simplex fixed point's uniqueness cell%s; trusted/spreadfam.py)")

    def because(where, ks):
        unstable = any(ns[k] for k in ks)
        return why % (where, "stable " if unstable else "", ", cells where det(J - I) < 0 for the family map's "
                      "Jacobian J, so that a fixed point there has a real eigenvalue > 1" if unstable else "")
    none = "" if (c.activation in spreadfam.KERNELS or c.activation in spreadfam.MEH) and c.alpha_point == (
        c.activation == "elu") else " (none exists for %s at this alpha, only " \
        "for erf, sin, tanh, sigmoid, gelu, silu, softplus, elu (alpha 1); existence, attractor-stable or a radius bound: a spread-box per n for gelu, " \
        "silu, softplus, elu)" % c.activation
    if threshold == "none":
        if c.n_hi is None or any(k not in ns for k in c.ns()):
            raise Rejected("%s the spread-cluster state of %s needs a spread-none cover at every n of the domain%s"
                           % (OUTSIDE, c.activation, none))
        return "proved", because("every n of the domain", c.ns())
    at = threshold if threshold is not None else min(ns, default=None)
    if at not in ns:
        raise Rejected("%s the spread-cluster state of %s is not decided without a spread-none cover%s%s" % (
                           OUTSIDE, c.activation, " at n = %d" % threshold if threshold is not None else "", none or (
                               "" if threshold is not None or c.activation in spreadfam.MEH else " (one with unstable "
                               "cells, as at n = 3, decides stable states only: attractor-stable or spectral-radius at "
                               "the attractor with a bound <= 1, attractor-threshold)")))     # MEH covers have no "U"
    return "refuted", because("n = %d" % at, [at])


def _g_threshold(c):
    v = c.param("value")
    if v == "none":
        _need(twopoint.known(c.activation), "value none is decided for a non-homogeneous phi (the collapse lemma)")
        return _g_state(c, "spread-cluster", stable=True, threshold="none")
    if isinstance(v, str):
        v = _rat(v)
    v = Fraction(v)
    _need(v.denominator == 1 and c.n_lo <= v and (c.n_hi is None or v <= c.n_hi),
          "the threshold must be an integer n of the domain")
    return _g_state(c, "spread-cluster", stable=True, threshold=int(v))


def _decimal(text):
    if not isinstance(text, str) or len(text) > 60 or not re.fullmatch(r"\d+(\.\d+)?", text, re.ASCII):
        raise Rejected("%r is not a decimal number" % (text,))
    return Fraction(text)


def _g_fold(c):
    _rc_only(c)
    _need(c.activation in ("relu", "leaky_relu") and c.alpha_point is not None, "one alpha, relu / leaky")
    lo, hi = _decimal(c.param("lo")), _decimal(c.param("hi"))
    _need(c.n_hi is not None and c.n_lo <= lo < hi <= c.n_hi, "the bracket must lie in the domain")
    st = ("for %s and alpha = %s, n a real parameter of the symmetric reduction: at n = %s the only "
          "symmetric fixed points are O_n and the simplex state, at n = %s there are exactly two more: "
          "a pair is born in (%s, %s)" % (c.model_text(), c.alpha_point, lo, hi, lo, hi))

    def decide(facts):
        cl = {(f["n"], f["spread_cluster_states"]) for f in facts
              if f["fact"] == "classified" and f["alpha"] == c.alpha_point}
        if (lo, 0) in cl and (hi, 2) in cl:
            return "proved", "classifications at n = %s (none) and n = %s (two)" % (lo, hi)
        raise Rejected("no classification with none at n = %s and two at n = %s" % (lo, hi))
    return Goal(st, decide, lambda f: f["fact"] == "classified" and f["alpha"] == c.alpha_point and
                (f["n"], f["spread_cluster_states"]) in ((lo, 0), (hi, 2)))


def basin_text(text):
    """A basin's interval in the kernel's vocabulary, canonical: '(partner, configuration)',
    '[left-end, partner)', '{partner}' (ends: BASIN_ENDS)."""
    w = "(%s)" % "|".join(BASIN_ENDS)
    t = " ".join(text.split()) if isinstance(text, str) and len(text) < 80 else ""
    m = re.fullmatch(r"([\[(]) ?%s ?, ?%s ?([\])])" % (w, w), t) or re.fullmatch(r"\{ ?%s ?\}" % w, t)
    if m is None:
        raise Rejected("params.basin %r is not an interval of %s" % (text, ", ".join(BASIN_ENDS)))
    g = m.groups()
    if len(g) == 1 or g[1] == g[2] and g[0] == "[" and g[3] == "]":        # [x, x] is the set {x}
        return "{%s}" % g[0 if len(g) == 1 else 1]
    if g[1] == g[2]:
        raise Rejected("params.basin %r is empty" % (text,))
    return "%s%s, %s%s" % g


def _below_and_from(c, facts, one_n, every_n, what, how):
    """A verdict from per-n facts for the domain's n below the all-n classification fact's start b
    (one_n(k) and every_n(b, fact) return a refutation or None)."""
    fact = min((f for f in facts if f["fact"] == "classification"), key=lambda f: f["n_from"], default=None)
    b = fact["n_from"] if fact else None
    top = c.n_hi if b is None else min(b - 1, c.n_hi if c.n_hi is not None else b - 1)
    if top is None or top - c.n_lo + 1 > PER_N_MAX:
        raise Rejected("no %s for every n of the domain (the all-n item starts at n = 7)" % what)
    out = next((r for r in map(one_n, range(c.n_lo, top + 1)) if r), None)      # the first refutation, in order
    if out:
        return out
    if b is None or c.n_hi is not None and c.n_hi < b:
        return "proved", "%s re-verified for every n of the domain" % what
    out = every_n(b, fact)
    return out or ("proved", "%s per n in [%d, %d] and, for every n >= %d, the all-n charts in t = 1/n%s"
                   % (what, c.n_lo, b - 1, b, how) if c.n_lo < b else
                   "the all-n charts in t = 1/n%s, for every n >= %d" % (how, b))


def _g_basin(c):
    with_rs = c.stages == ["rc", "rs"]
    relu_all_n = c.stages == ["rc"] and c.alpha == (0, 0, False)   # trusted/classify.py's basins: ReLU
    _need(relu_all_n or c.n_hi is not None and c.n_hi <= N_MAX,
          "basins are certified per n for n <= %d, and for every n at once for RC + ReLU" % N_MAX)
    _per_n_model(c, all_n=relu_all_n, allow_rs=True)
    state, want = c.param("state"), basin_text(c.param("basin"))
    _need(state in BASIN_ENDS[1:], "a basin belongs to a fixed point: %s" % ", ".join(BASIN_ENDS[1:]))
    st = ("for %s and %s: within the S_{n-1}-symmetric family, a state converges under the scale-free "
          "dynamics to the %s if and only if the cluster correlation rho of C G C lies in %s; in rho, "
          "left-end = -1/(n-2), simplex = -1/(n-1), configuration = 1 (O_n), attractor and partner the "
          "solutions of h(rho) = rho between them with 0 < h' < 1 and h' > 1 (h: the reduction curve%s)"
          % (c.model_text(), c.domain_text(), state, want, "; with RS: h_RS, an average of RC alone's h "
             "between rho and -1/(n-1), trusted/rs.py" if with_rs else ""))
    a = c.alpha_point

    def decide(facts):
        got = {f["n"]: f for f in facts if f["fact"] == "basins" and f["alpha"] == a}
        if with_rs:
            below = [f for f in facts if f["fact"] == "rs-below"]
            unused = [f["n"] for f in below if f["n"] not in got or got[f["n"]].get("basins") == rs.ONLY_TWO]
            if unused:          # decide's rule: evidence the goal does not use is refused
                raise Rejected("an rs-cover at n = %d, where RC alone has no partner: the goal does not use it"
                               % unused[0])
            open_n = [k for k in sorted(got) if rs.rs_basins(got[k], below) is None]
            if open_n:
                raise Rejected("at n = %d RC alone's basins and the rs-cover do not decide RC + RS (the averaging "
                               "lemma leaves RC alone's (partner, attractor) to an rs-cover)" % open_n[0])
            got = {k: rs.rs_basins(f, below) for k, f in got.items()}

        def one_n(k):
            if k in got and got[k]["basins"].get(state) != want:
                return "refuted", "at n = %d the basin of the %s is %s (fixed points: %s)" % (
                    k, state, got[k]["basins"].get(state, "empty: no such fixed point"),
                    ", ".join(got[k]["fixed_points"]))
            if k not in got:
                raise Rejected("no basin cover for n = %d" % k)

        def every_n(b, fact):
            if fact["basins"].get(state) != want:
                return "refuted", "for every n >= %d the basin of the %s is %s" % (b, state, fact["basins"].get(state))
        return _below_and_from(c, facts, one_n, every_n, "basin covers", " (h increasing)")

    def about(f):
        if f["fact"] == "classification":
            return relu_all_n and (c.n_hi is None or f["n_from"] <= c.n_hi)
        return f["fact"] in (("basins", "rs-below") if with_rs else ("basins",)) and f["alpha"] == a and \
            c.n_lo <= f["n"] and (c.n_hi is None or f["n"] <= c.n_hi)
    return Goal(st, decide, about)


def _g_classification(c):
    """The number of fixed points of the symmetric reduction's map h, per n (classification
    covers, n <= N_MAX) and every n at once (trusted/classify.py, from its n_from on)."""
    _rc_only(c)
    _need(c.activation in ("relu", "leaky_relu"), "the reduction curve is certified for RC + ReLU / leaky ReLU")
    v = c.param("value")
    _need(type(v) is int or isinstance(v, str) and re.fullmatch(r"[0-9]{1,3}", v, re.ASCII) is not None,
          "params.value: a number of fixed points")
    v = int(v)
    st = ("for %s and %s: the map rho -> h(rho) of the S_{n-1}-symmetric family (rho the cluster correlation "
          "of C G C, h(rho) that of C F(G) C) has exactly %d fixed points on [-1/(n-2), 1], rho = 1 (%s) and "
          "the simplex state (rho = -1/(n-1)) among them; for leaky ReLU h(rho) - rho has ReLU's sign at "
          "every rho (C Sigma C = Sigma and K_alpha = alpha Sigma + (1 - alpha)^2 K: a weighted mediant of rho "
          "and ReLU's h), so its fixed points are ReLU's" % (
              c.model_text(), c.domain_text(), v, "O_n" if c.alpha[1] == 0 else
              "O_n at alpha = 0, the two-point state at alpha > 0" if c.alpha[0] == 0 else "the two-point state"))

    def decide(facts):
        per = {f["n"]: 2 + f["spread_cluster_states"] for f in facts if f["fact"] == "classified"}

        def one_n(k):
            if k not in per:
                raise Rejected("no classification for n = %d" % k)
            if per[k] != v:
                return "refuted", "at n = %d there are exactly %d fixed points" % (k, per[k])

        def every_n(b, fact):
            if v != fact["fixed_points"]:
                return "refuted", "for every n >= %d there are exactly %d fixed points" % (b, fact["fixed_points"])
        return _below_and_from(c, facts, one_n, every_n, "classification covers", "")

    def about(f):
        if f["fact"] == "classification":
            return c.n_hi is None or f["n_from"] <= c.n_hi
        return f["fact"] == "classified" and f["n"].denominator == 1 and c.n_lo <= f["n"] and (
            c.n_hi is None or f["n"] <= c.n_hi)
    return Goal(st, decide, about)


def _g_stage_fact(c):
    _need(c.n_lo == c.n_hi and c.alpha_point is not None, "a stage set's fact is decided at one n and one alpha")
    _need(c.activation in PIECEWISE + ("abs",), _not_piecewise(c))
    st, reason = stages.goal(tuple(c.stages) + (() if c.activation == "identity" else ("nl",)),
                             c.alpha_point, c.n_lo)
    return Goal(st, lambda _facts: ("proved", reason))


def _g_after(c):
    """BN after the activation, NL then RC: F'(H) = C K(H) C = (P o K)(H) against F = K o P,
    P G = C G C (stages ["nl", "rc"]).  LEMMA (applied here, never a silent swap): F' o P = P o F,
    and F o K = K o F' (for any K; K's 1-homogeneity gives K(c H) = c K(H)).  (i) If F(G*) = c G* (c > 0) then C G* C != 0 (else
    F(G*) = K(0) = 0) and F'(C G* C) = c C G* C; conversely F'(H*) = c H* gives F(K(H*)) = c K(H*),
    and P(K(H*)) = c H*: G* <-> C G* C is a bijection of the fixed rays, continuous both ways, so
    existence and local uniqueness carry over.  (ii) DF(G*) = DK(CG*C) P and DF'(CG*C) = P DK(CG*C)
    are AB and BA with A, B endomorphisms of Sym_n: one characteristic polynomial, so the same
    eigenvalues with algebraic multiplicities (0 included); each has c once for its own direction
    (G*, resp. C G* C), so the scale-free spectra and the spectral radii agree.  Eigenvectors (which
    perturbation decays), Jordan blocks at 0, norms and cosines are of another Gram matrix: no goal.
    With RS after phi (nl, rc, rs) the map E[y y^T], y = RS(C phi(z)), is no conjugate: _g_after_rs."""
    if c.stages == ["nl", "rc", "rs"]:
        return _g_after_rs(c)
    _need(c.activation in PIECEWISE + ("abs",), "BN after the activation: the lemma needs a 1-homogeneous kernel map "
          "(relu, leaky_relu, identity, abs), not %s's" % c.activation)
    _need(c.property in AFTER, "BN after the activation: the kernel carries over %s by conjugation only; %s is "
          "about eigenvectors, norms or cosines of another Gram matrix" % (", ".join(AFTER), c.property))
    pre = copy.copy(c)
    pre.stages = ["rc"]
    g = GOALS[c.property](pre)

    def decide(facts):
        # P is one-to-one on F's fixed rays (G* = K(P G*)/c), not elsewhere: a named two-point state that is not
        # F's fixed point may still have C G C on a fixed ray of F' (C O_n C = C G_2pt C): no refutation then
        verdict, reason = g.decide(facts)
        state = c.params.get("state")
        if verdict == "refuted" and state in ("configuration", "two-point") and \
                GOALS["fixed-point"](_with(pre, state=state)).decide([])[0] == "refuted":
            raise Rejected("the %s is not a fixed point of RC then NL, but C G C may be another state's image (G -> "
                           "C G C is not one-to-one): the conjugation carries fixed rays only" % state)
        return verdict, reason
    return Goal("for NL then RC (BN after the activation): C G* C is a fixed ray of NL then RC with the scale-free "
                "eigenvalues (with multiplicities) and the spectral radius of G* under RC then NL (the conjugation "
                "lemma), G* the state of RC then NL this says (its geometry is G*'s, not C G* C's): "
                + g.statement, decide, g.about)


def _g_after_rs(c):
    """NL, RC, RS: only the symmetric fixed point.  At G = a I + b J with G 1 = 0, z ~ N(0, G) lies in
    1-perp and is not 0 almost surely, so C phi(z) != 0 for a non-constant phi (relu: some z_j > 0 >
    some z_k; leaky, identity: injective) and y = sqrt(n) C phi(z)/|C phi(z)| is defined, in 1-perp,
    |y|^2 = n, with an S_n-invariant law: E[y y^T] = a' I + b' J with a' + n b' = 0 (E[y y^T] 1 = 0)
    and n (a' + b') = n (trace), solved exactly here: the regular simplex n/(n-1) C is the fixed point."""
    _need(c.property == "fixed-point" and c.params.get("state") == "simplex" and c.activation in PIECEWISE,
          "BN after the activation with RS (NL, RC, RS): y = RS(C phi(z)) is not a conjugate of the pre-activation "
          "map; only its symmetric fixed point (fixed-point, state simplex; relu, leaky_relu, identity) is decided")
    for k in (c.n_lo, c.n_lo + 1):      # the stated forms against Cramer on [[1, k], [1, 1]] (a', b') = (0, 1)
        a, b = Fraction(k, k - 1), Fraction(-1, k - 1)
        if (a, b) != (Fraction(0 - k, 1 - k), Fraction(1 - 0, 1 - k)):
            raise Rejected("the regular simplex does not solve the symmetric equations")
    return Goal("for NL, then RC, then RS (BN after the activation), %s and %s: the regular simplex G = n/(n-1) C "
                "(every cosine -1/(n-1)) is a fixed point (by symmetry alone; its stability is not decided)"
                % (c.model_text(), c.domain_text()), lambda _f: ("proved", "a' + n b' = 0 and n (a' + b') = n solved "
                                                                 "exactly by a' = n/(n-1), b' = -1/(n-1)"))


def _g_none(why):
    def g(c):
        raise NoGoal(why)
    return g


GOALS = {
    "centering-rank-one": _g_centering,
    "invariant-configuration": _g_invariance,
    "fixed-point": _g_fixed_point,
    "norm-ratio-limit": _g_norm_ratio,
    "orthogonal-outlier": _g_outlier,
    "spectral-radius": _g_spectral,
    "jacobian-spectrum": _g_jacobian,
    "attractor-exists": lambda c: _g_state(c, "spread-cluster", stable=False),
    "attractor-stable": lambda c: _g_state(_with(c, **{k: v for k, v in (("relation", "<"), ("bound", "1"))
                                                       if k not in c.params}), "spread-cluster", stable=True),
    "attractor-threshold": _g_threshold,
    "fold-bracket": _g_fold,
    "basin": _g_basin,
    "classification": _g_classification,
    "kernel-definite": lambda c: rank.definite_goal(c, Goal, _need),
    "kernel-singular": lambda c: rank.singular_goal(c, Goal, _need),
    "rank-growth": lambda c: rank.growth_goal(c, Goal, _need, _show),
    "stability-directions": _g_directions,
    "rs-linearization": _g_rs_response,
    "rs-growth": _g_rs_growth,
    "stage-fact": _g_stage_fact,
    "finite-width-lyapunov": _g_none("a simulation estimates; it never proves"),
}


def _with(c, **params):
    d = copy.copy(c)
    d.params = dict(c.params, **params)
    return d


def goal(claim_json):
    """The Goal of a claim's structure; NoGoal if the kernel has none, Rejected if malformed."""
    c = Claim(claim_json)
    if c.property not in GOALS:
        raise NoGoal("unknown property %r" % (c.property,))
    if c.weight_var != 1 and not twopoint.known(c.activation):
        raise NoGoal("for a positively homogeneous activation sigma_w^2 only scales the Gram matrix: state the claim "
                     "with sigma_w^2 = 1 (its scale-free statements are the same)")
    g = (_g_after if c.stages[:1] == ["nl"] else GOALS[c.property])(c)   # first: an unanalysed model is NoGoal
    table(c.params, "params of %s" % c.property, {}, {k: PARAM_TYPES[k] for k in PARAMS.get(c.property, "").split()})
    return c, g


def decide(claim_json, evidence=()):
    """(verdict, canonical statement, reason): the kernel's verdict from the claim and the
    evidence items, or Rejected / NoGoal (also for a certificate over the work budget, a second
    item of one shape, or an item whose fact the goal does not use or repeats)."""
    c, g = goal(claim_json)
    if not isinstance(evidence, (list, tuple)):
        raise Rejected("the evidence is not a list")
    total, shapes = 0, set()
    for i, item in enumerate(evidence):           # before any arithmetic: budget and surplus
        try:
            total += work(item)
            if shape(item) in shapes:
                raise Rejected("a second %s item for n %s, alpha %s: a goal uses one" % shape(item))
            shapes.add(shape(item))
        except Rejected as e:
            raise Rejected("evidence item %d: %s" % (i, e))
    if total > CERT_WORK:
        raise Rejected("the evidence's work %d (entries x bits, weighted) is over the budget %d: send only the "
                       "items the claim needs" % (total, CERT_WORK))
    facts = []
    formula.SPENT[:] = [0, max(total, CERT_WORK // 64) // FORMULA_EVALS]     # what a formula's integrands may take
    try:
        for i, item in enumerate(evidence):
            try:
                facts.append(check_item(item))
            except Rejected as e:
                raise Rejected("evidence item %d: %s" % (i, e))
            if not g.about(facts[-1]) or facts[-1] in facts[:-1]:
                raise Rejected("evidence item %d says nothing (new) about the claim" % i)
        verdict, reason = g.decide(facts)
    finally:
        formula.SPENT[:] = [0, 0]
    return verdict, g.statement, reason


def check(cert):
    """(True, "<verdict>: <canonical statement>") if the certificate's evidence gives its
    verdict for its claim, else (False, reason).  Never raises."""
    try:
        if not isinstance(cert, dict) or cert.get("format") != FORMAT:
            return False, "not a %s certificate" % FORMAT
        table(cert, "the certificate", CERT_FIELDS)
        if cert["hash"] != content_hash(cert):
            return False, "content hash mismatch: the certificate was altered"
        if any(type(v) is not str for v in cert["tools"].values()):
            return False, "tools are not name: version strings"
        if cert["verdict"] not in ("proved", "refuted"):
            return False, "verdict %r is not proved or refuted" % (cert["verdict"],)
        if cert["method"] != METHODS[bool(cert["evidence"])]:
            return False, "the method is not the kernel's: %s" % METHODS[bool(cert["evidence"])]
        verdict, statement, reason = decide(cert["claim"], cert["evidence"])
    except NoGoal as e:
        return False, "no obligation for this claim: %s" % e
    except Rejected as e:
        return False, str(e)
    except RecursionError:
        return False, "malformed certificate (nested too deeply)"
    except Exception as e:          # malformed data must be a rejection, never a crash
        return False, "malformed certificate (%s: %s)" % (type(e).__name__, e)
    if verdict != cert["verdict"]:
        return False, "the kernel finds %s, the certificate says %s (%s)" % (verdict, cert["verdict"], reason)
    if cert["statement"] != statement:
        return False, "the certificate's statement is not the kernel's canonical statement"
    return True, "%s: %s (%s)" % (verdict, statement, reason)


def check_file(path):
    """(ok, message) for a certificate file; never raises."""
    try:
        with open(path, "rb") as f:
            raw = f.read(50_000_000)
        cert = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError, RecursionError) as e:
        return False, "unreadable: %s" % str(e).splitlines()[0][:200] if str(e) else type(e).__name__
    return check(cert)
