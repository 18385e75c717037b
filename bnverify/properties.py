"""Properties a claim can check: ``PROPERTIES = {name: Property}``, each with a checker
``(claim) -> Verdict``.

Mathematical modules plug checkers in with the decorator::

    @register("my-property", params={"bound": (True, "rational")}, min_n=3)
    def check_my_property(claim): ...

The checkers below are thin glue: the mathematics lives in :mod:`bnverify.symbolic`,
:mod:`bnverify.certify`, :mod:`bnverify.model`, imported lazily; a missing module gives an
inconclusive verdict "not implemented yet: <module>".  The glue turns their results into
certificate items and reports proved / refuted ONLY when the trusted checker
(:mod:`bnverify.checker`) accepts the certificate; a rejected certificate is inconclusive.

Interfaces used (provisional):

* ``symbolic.symbolic_activation(name)``, ``symbolic.N``, ``symbolic.ALPHA``;
  ``centering_identity()``, ``invariance(stages, act)``, ``norm_ratio(stages, act)``,
  ``fixed_point(act)`` -> {"state": SymState(a, o, x, b), "scale_factor", ...};
  ``configuration_spectrum(act, n=None)`` -> {"eigenvalues": [{"value", "multiplicity",
  "mode"}], "blocks": {name: (Matrix, copies, modes)}, "multiplicities_ok"}.
* ``certify.certify_attractor(n, act)`` and ``certify.certify_simplex(n, act)`` -> a Verdict
  (with a certificate payload when proved / refuted) for "the state exists, is locally unique
  and its scale-free linearization has spectral radius < 1"; when they accept
  ``relation=``/``bound=`` keywords the verdict answers "spectral radius <relation> <bound>".
* ``symbolic.rs_linearization(act)`` -> a Verdict for the rs-linearization reading.
* ``model.configuration_batch``, ``model.layers`` for finite-width simulation.
"""
from __future__ import annotations

import functools
import importlib
import json
import math
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Callable

from . import certificate as cert
from . import checker
from .kernels import BadInput
from .verdict import INCONCLUSIVE, PROVED, REFUTED, Verdict, inconclusive, stopwatch

NOT_IMPLEMENTED = "not implemented yet"


@dataclass
class Property:
    name: str
    check: Callable
    params: dict = field(default_factory=dict)      # name -> (required, kind in claims.PARAM_KINDS)
    defaults: dict = field(default_factory=dict)    # values of optional params when omitted
    min_n: int = 2
    per_n: Callable | None = None                   # claim -> True: run one job per n
    needs: tuple = ()                               # stages that must be present
    doc: str = ""
    unit: Callable | None = None                    # per-n claim -> the claim its job checks
    combine: Callable | None = None                 # (claim, per-n verdicts) -> Verdict

    def validate(self, stages, act, params):
        for s in self.needs:
            if s not in stages:
                raise BadInput("property %s needs the %s stage" % (self.name, s))


PROPERTIES: dict[str, Property] = {}


def register(name, params=None, min_n=2, per_n=None, needs=(), defaults=None, unit=None, combine=None):
    """Decorator: register (or replace) the checker of a property.  A per-n property may run
    another claim per n (``unit``) and combine the per-n verdicts its own way (``combine``)."""
    def deco(fn):
        PROPERTIES[name] = Property(name, fn, dict(params or {}), dict(defaults or {}), min_n, per_n,
                                    tuple(needs), (fn.__doc__ or "").strip(), unit, combine)
        return fn
    return deco


class _Missing(Exception):
    pass


def _module(name):
    try:
        return importlib.import_module("bnverify." + name)
    except ImportError as e:
        raise _Missing("%s: bnverify.%s (%s)" % (NOT_IMPLEMENTED, name, e))


def _api(mod, name):
    fn = getattr(mod, name, None)
    if fn is None:
        raise _Missing("%s: %s.%s" % (NOT_IMPLEMENTED, mod.__name__, name))
    return fn


def check(claim):
    """Run a claim's property checker: a Verdict, never an exception (but BadInput)."""
    prop = PROPERTIES.get(claim.property)
    if prop is None:
        raise BadInput("unknown property %r" % claim.property)
    with stopwatch() as t:
        try:
            v = prop.check(claim)
        except _Missing as e:
            v = inconclusive(claim.property, str(e))
        except BadInput as e:
            v = inconclusive(claim.property, "cannot decide this variant: %s" % e)
    v.seconds = t()
    v.subject = v.subject or claim.id
    return v


def is_not_implemented(verdict):
    return verdict.status == INCONCLUSIVE and str(verdict.evidence.get("reason", "")).startswith(NOT_IMPLEMENTED)


def units(claim):
    """The claims whose verdicts make up this one: one per n for a per-n property with a
    finite range of n (through ``Property.unit``), else the claim itself."""
    prop = PROPERTIES[claim.property]
    if prop.per_n is not None and prop.per_n(claim) and claim.n.finite and len(claim.n) > 1:
        return [prop.unit(claim.with_n(k)) if prop.unit else claim.with_n(k) for k in claim.n]
    return [claim]


def job_key(claim):
    """Claims with equal keys are the same computation (whatever their ids and wording): a run
    checks each key once."""
    return json.dumps(dict(claim.to_json(), id=None, statement=None, width=str(claim.width)), sort_keys=True)


def adopt(claim, v):
    """The verdict v of an identical job (equal :func:`job_key`), its certificate re-finished
    for ``claim``: only the id and the wording change, which the trusted checker does not read."""
    c = v.certificate
    if c is not None and c.get("claim") != claim.to_json():
        payload = {k: x for k, x in c.items() if k not in ("claim", "verdict", "method", "tools", "hash", "format")}
        c = cert.finish(claim.to_json(), v.status, v.method, payload)
    return replace(v, certificate=c)                # a copy: each claim sets its own subject


# ---------------------------------------------------------------- shared glue
def _finish(claim, status, method, payload, evidence):
    """A proved / refuted Verdict if the trusted checker accepts the certificate."""
    ok, reason, full = cert.self_check(claim.to_json(), status, method, payload)
    if not ok:
        return _undecided(method, "certificate rejected by the trusted checker: %s" % reason,
                          dict(evidence, would_be=status))
    return Verdict(status, method, evidence, certificate=full)


def _undecided(method, reason, evidence):
    """An inconclusive verdict keeping the evidence (its own 'reason' is replaced)."""
    ev = dict(evidence)
    if "reason" in ev:
        ev["earlier_reason"] = ev.pop("reason")
    ev = {"reason": reason, **ev}
    return Verdict(INCONCLUSIVE, method, ev)


def _region(claim, n=None):
    return {"n": str(n if n is not None else claim.n), "alpha": str(claim.alpha)}


def _q(x):
    return cert.rational(x)


def _s(e):
    return str(e)


def _holds(item):
    """Pre-check one item with the trusted checker: True, or False if it is rejected."""
    try:
        checker.CHECKS[item["type"]](item)
        return True
    except Exception:                   # rejected, or malformed: either way not shown
        return False


def _prove(claim, lhs, rel, rhs, where, meaning, decisive=False):
    """Items proving ``lhs rel rhs`` on a region: the exact sign-of-coefficients test, else
    z3 through bnverify.smt (only for n >= n0 with alpha fixed or alpha in [0, 1)).  None if
    neither shows it."""
    item = cert.positive(_s(lhs), rel, _s(rhs), where, meaning, decisive)
    if _holds(item):
        return [item]
    if not (claim.alpha.point or (claim.alpha.lo == 0 and claim.alpha.hi == 1 and claim.alpha.hi_open)):
        return None
    try:
        smt = _module("smt")
        v = smt.decide(lhs, rel, Fraction(rhs) if not isinstance(rhs, str) else rhs, n_min=claim.n.lo)
    except (_Missing, BadInput, ValueError, TypeError):
        return None
    if v.status != PROVED or not v.certificate:
        return None
    texts, purposes = v.certificate["smtlib"], v.certificate["purposes"]
    items = [cert.smt(t, dict(where, n="%d.." % claim.n.lo), meaning="%s: %s" % (meaning, why))
             for t, why in zip(texts, purposes)]
    if any(i is None for i in items):
        return None
    items[-1].update(decisive=decisive, rel=rel, bound=_s(rhs))
    return items


def _sym():
    return _module("symbolic")


def _sym_act(claim):
    """The activation with a symbolic slope (for closed forms in alpha)."""
    return _sym().symbolic_activation(claim.activation.name)


def _at_alpha(claim, e):
    """Substitute a fixed alpha (a one-point domain) into a closed form."""
    import sympy

    sym = _sym()
    e = sympy.sympify(e)
    if claim.alpha.point and sym.ALPHA in e.free_symbols:
        e = e.subs(sym.ALPHA, sympy.Rational(claim.alpha.lo.numerator, claim.alpha.lo.denominator))
    return e


def _points(claim, count=4):
    """A few (n, alpha) points of the domain to look for counterexamples and spot checks."""
    ns = list(range(claim.n.lo, claim.n.lo + count))
    if claim.n.hi is not None:
        ns = [k for k in ns if k <= claim.n.hi] + ([claim.n.hi] if claim.n.hi <= 12 else [])
    a = claim.alpha
    alphas = [a.lo] if a.point else [a.lo, (a.lo + a.hi) / 2] + ([] if a.hi_open else [a.hi])
    seen, out = set(), []
    for k in ns:
        for al in alphas:
            if (k, al) not in seen:
                seen.add((k, al))
                out.append((k, al))
    return out


# ---------------------------------------------------------------- configuration spectrum
@functools.lru_cache(maxsize=None)
def _spectrum(act_name, n=None):
    sym = _sym()
    return _api(sym, "configuration_spectrum")(sym.symbolic_activation(act_name), n)


@functools.lru_cache(maxsize=None)
def _block_eigs(B):
    import sympy

    return [(sympy.factor(v), int(m)) for v, m in sympy.Matrix(B).eigenvals().items()]


def _blocks_item(claim, n=None, where=None):
    """Certificate item: the symmetry blocks, their eigenvalues and the total multiplicities."""
    import sympy

    spec = _spectrum(claim.activation.name, n)
    blocks = []
    for comp, (B, copies, _) in sorted(spec["blocks"].items()):
        B = B.applyfunc(lambda e: _at_alpha(claim, e))
        if B.shape == (0, 0):
            continue
        blocks.append({"component": comp, "matrix": [[_s(e) for e in row] for row in B.tolist()],
                       "copies": _s(copies),
                       "eigenvalues": [[_s(v), m] for v, m in _block_eigs(sympy.ImmutableMatrix(B))]})
    total = [[_s(_at_alpha(claim, e["value"])), _s(e["multiplicity"])] for e in spec["eigenvalues"]]
    return {"type": "blocks", "decisive": False, "blocks": blocks, "eigenvalues": total,
            "where": where, "meaning": "DF(G*)/c restricted to each isotypic component of the "
            "cluster's permutation group (bnverify.symmetry); the listed eigenvalues with "
            "multiplicities are those of the blocks, copies counted"}


def _eig_at(claim, n, alpha):
    """The concrete scale-free spectrum at (n, alpha) from the closed forms: {mu: mult}."""
    import sympy

    sym = _sym()
    out = {}
    a = sympy.Rational(alpha.numerator, alpha.denominator)
    for e in _spectrum(claim.activation.name)["eigenvalues"]:
        m = int(sympy.sympify(e["multiplicity"]).subs(sym.N, n))
        if m > 0:
            v = sympy.Rational(sympy.sympify(e["value"]).subs({sym.N: n, sym.ALPHA: a}))
            out[v] = out.get(v, 0) + m
    return out


def _spectrum_item(claim, n, alpha, rel=None, bound=None, decisive=False):
    eig = _eig_at(claim, n, alpha)
    return cert.configuration_spectrum(
        n, alpha, sorted(eig.items()), rel, bound, decisive=decisive,
        meaning="the complete scale-free spectrum at n=%d, alpha=%s (recomputed by the checker "
                "from the model)" % (n, alpha))


def _closed_form_variant(claim, allow_rs=False):
    """The configuration's closed forms exist for rc (no rs; with rs only its value, not a
    linearization) and relu / leaky_relu / identity."""
    if claim.activation.name not in ("relu", "leaky_relu", "identity"):
        raise BadInput("no closed-form kernel for activation %s" % claim.activation)
    if "rs" in claim.stages and not allow_rs:
        raise BadInput("the infinite-width RS map has no linearization at the configuration "
                       "(see the rs-linearization property)")
    if "rc" not in claim.stages:
        raise BadInput("without rc the configuration is not a two-point fixed point")


def _configuration_support(claim):
    """Supporting items: blocks (n >= 5 and n = 3, 4) and spot checks at rational points."""
    items = []
    if claim.n.hi is None or claim.n.hi >= 5:
        items.append(_blocks_item(claim, None, {"n": str(max(5, claim.n.lo)) + "..", "alpha": str(claim.alpha)}))
    for k in (3, 4):
        if k in claim.n:
            items.append(_blocks_item(claim, k, {"n": str(k), "alpha": str(claim.alpha)}))
    for k, al in _points(claim, 3):
        if k <= 12:
            items.append(_spectrum_item(claim, k, al))
    return items


# ---------------------------------------------------------------- properties
@register("centering-rank-one", needs=("rc",))
def centering_rank_one(claim):
    """RC leaves a rank-one matrix w s^T for any W and any two-point batch."""
    ident = _api(_sym(), "centering_identity")()
    s = ident["s"]
    mean = "((n - 1)*v + u)/n"
    items = [cert.identity("v - %s" % mean, "(%s)*(u - v)" % s["cluster"], decisive=True,
                           where={"n": "1.."}, meaning="cluster column of X C equals s_cluster (u - v)"),
             cert.identity("u - %s" % mean, "(%s)*(u - v)" % s["odd"], decisive=True,
                           where={"n": "1.."}, meaning="odd column of X C equals s_odd (u - v)"),
             cert.identity("(n - 1)*(%s) + (%s)" % (s["cluster"], s["odd"]), "0",
                           where={"n": "1.."}, meaning="s sums to zero")]
    payload = cert.payload("exact", items, "Per coordinate, X C has columns s_j (u - v); applying "
                           "the linear W gives W X C = w s^T with w = W (u - v): rank one (zero iff w = 0).")
    return _finish(claim, PROVED, "exact", payload,
                   {"s": {k: _s(v) for k, v in s.items()}, "w": ident["w"], "rank": 1})


# ---- invariance: SMT certificate of the closed forms per neuron
def _smt_expr(e, aux):
    """A sympy expression as SMT-LIB text (reals); square roots become fresh constants
    collected in ``aux``.  (bnverify.smt translates to z3 objects without Piecewise, sign or
    Abs, which the per-neuron closed forms need.)"""
    import sympy

    if e.is_Integer:
        return str(e) if e >= 0 else "(- %s)" % (-e)
    if e.is_Rational:
        return "(/ %s %s)" % (_smt_expr(sympy.Integer(e.p), aux), e.q)
    if e.is_Symbol:
        return e.name
    if isinstance(e, sympy.Add):
        return "(+ %s)" % " ".join(_smt_expr(a, aux) for a in e.args)
    if isinstance(e, sympy.Mul):
        return "(* %s)" % " ".join(_smt_expr(a, aux) for a in e.args)
    if isinstance(e, sympy.Pow):
        b, x = e.args
        if x == sympy.Rational(1, 2) or x == sympy.Rational(-1, 2):
            name = aux.setdefault(b, "r%d" % len(aux))
            return name if x > 0 else "(/ 1 %s)" % name
        if x.is_Integer and x > 0:
            return "(* %s)" % " ".join([_smt_expr(b, aux)] * int(x))
        if x.is_Integer and x < 0:
            return "(/ 1 %s)" % _smt_expr(b ** (-x), aux)
    if isinstance(e, sympy.Piecewise):
        out = "0.0"
        for val, cond in reversed(e.args):
            out = _smt_expr(val, aux) if cond == sympy.true else "(ite %s %s %s)" % (
                _smt_expr(cond, aux), _smt_expr(val, aux), out)
        return out
    if isinstance(e, sympy.sign):
        a = _smt_expr(e.args[0], aux)
        return "(ite (> %s 0) 1 (ite (< %s 0) (- 1) 0))" % (a, a)
    if isinstance(e, sympy.Abs):
        a = _smt_expr(e.args[0], aux)
        return "(ite (>= %s 0) %s (- %s))" % (a, a, a)
    rel = {sympy.StrictGreaterThan: ">", sympy.StrictLessThan: "<", sympy.GreaterThan: ">=",
           sympy.LessThan: "<=", sympy.Equality: "="}.get(type(e))
    if rel:
        return "(%s %s %s)" % (rel, _smt_expr(e.lhs, aux), _smt_expr(e.rhs, aux))
    raise BadInput("cannot write %s in SMT-LIB" % e)


def _phi_smt(x):
    return "(ite (> {x} 0) {x} (* alpha {x}))".format(x=x)


def _smt_rat(q):
    import sympy

    return _smt_expr(sympy.Rational(q.numerator, q.denominator), {})


def _invariance_smt(claim, inv, s, var, goal):
    """SMT-LIB: for all real t (t != 0 with RS), n >= n0 and alpha in the domain, the negation
    of ``goal``.  The layer is written from its definition: the pre-activation of a neuron is
    s_j t (RC: the row of W X C is t s^T), divided by the batch std sd = |t| sqrt(var) (RS);
    goal "forms": the outputs equal the closed forms v'(t), u'(t); goal "orthogonal":
    v'(t) u'(t) = 0."""
    import sympy

    aux = {}
    decl = ["(declare-const %s Real)" % v for v in ("t", "n", "alpha", "sd")]
    hyp = ["(>= n %d)" % claim.n.lo]
    a = claim.alpha
    if a.point:
        hyp.append("(= alpha %s)" % _smt_rat(a.lo))
    else:
        hyp += ["(>= alpha %s)" % _smt_rat(a.lo), "(%s alpha %s)" % ("<" if a.hi_open else "<=", _smt_rat(a.hi))]
    if "rs" in claim.stages:
        hyp += ["(not (= t 0))", "(> sd 0)", "(= (* sd sd) (* t t %s))" % _smt_expr(sympy.sympify(var), aux)]
    else:
        hyp.append("(= sd 1)")
    claimed = {"cluster": _smt_expr(inv["v_prime"], aux), "odd": _smt_expr(inv["u_prime"], aux)}
    if goal == "forms":
        out = {k: _phi_smt("(/ (* %s t) sd)" % _smt_expr(sympy.sympify(s[k]), aux)) for k in claimed}
        target = "(and %s)" % " ".join("(= %s %s)" % (out[k], claimed[k]) for k in ("cluster", "odd"))
    else:
        target = "(= (* %s %s) 0)" % (claimed["cluster"], claimed["odd"])
    for b, name in aux.items():
        decl.append("(declare-const %s Real)" % name)
        hyp += ["(>= %s 0)" % name, "(= (* %s %s) %s)" % (name, name, _smt_expr(b, {}))]
    return "\n".join(decl + ["(assert %s)" % h for h in hyp] + ["(assert (not %s))" % target])


@register("invariant-configuration", needs=("rc",))
def invariant_configuration(claim):
    """One layer maps every two-point batch (n-1 copies of v, one u) into the configuration
    O_n: n-1 copies of a point v' and one odd point u' orthogonal to it (closed forms given)."""
    import sympy

    sym = _sym()
    inv = _api(sym, "invariance")(claim.stages, _sym_act(claim))
    s = _api(sym, "centering_identity")()["s"]
    inv = dict(inv, v_prime=_at_alpha(claim, inv["v_prime"]), u_prime=_at_alpha(claim, inv["u_prime"]))
    var = inv.get("batch_variance_of_s") or 0
    where = _region(claim)
    evidence = {"v_prime": _s(inv["v_prime"]), "u_prime": _s(inv["u_prime"]),
                "variable": "t = (W (u - v))_i, one neuron",
                "sympy_case_split_holds": bool(inv["holds"])}
    forms = cert.smt(_invariance_smt(claim, inv, s, var, "forms"), where, meaning=(
        "per neuron, the layer's outputs for a cluster point and for the odd point equal the "
        "closed forms v'(t), u'(t)"))
    if forms is None:
        return inconclusive("smt", "z3 did not confirm the closed forms", **evidence)
    trusted = "the reduction to one neuron: row i of W X C is t_i s^T (claim centering-rank-one)"
    orth = cert.smt(_invariance_smt(claim, inv, s, var, "orthogonal"), where, decisive=True, meaning=(
        "per neuron v'(t) u'(t) = 0, so <v', u'> = sum_i v'(t_i) u'(t_i) = 0 for every W"))
    if orth is not None:
        payload = cert.payload("smt", [forms, orth], "The image of a two-point batch is n-1 "
                               "copies of v' and one u' with <v', u'> = 0: the configuration O_n.",
                               trusted=trusted)
        return _finish(claim, PROVED, "smt", payload, evidence)
    # Not orthogonal: a width-1 layer with w = 1 maps the batch to a non-orthogonal pair.
    t = sympy.Symbol("t", real=True)
    al = claim.alpha.lo if (claim.alpha.point or claim.alpha.lo > 0) else (claim.alpha.lo + claim.alpha.hi) / 2
    n0 = claim.n.lo
    subs = {sym.N: n0, sym.ALPHA: sympy.Rational(al.numerator, al.denominator)}
    value = sympy.simplify((inv["v_prime"] * inv["u_prime"]).subs(t, 1).subs(subs))
    bad = cert.compare(_s(value), "!=", "0", {"n": str(n0), "alpha": _q(al)}, decisive=True,
                       meaning="v'(1) u'(1) at n=%d, alpha=%s: with width 1 and w = 1 the two "
                               "image points have a non-zero inner product" % (n0, al))
    payload = cert.payload("mixed", [forms, bad], "The closed forms hold (z3), and at t = 1 "
                           "their product is not 0: the image is not orthogonal.", trusted=trusted)
    return _finish(claim, REFUTED, "smt+exact", payload, dict(evidence, inner_product_at_t_1=_s(value)))


# ---- the configuration's Gram matrix: fixed point, norm ratio, odd point's angle
def _two_point_item(claim, decisive=False):
    """The configuration state (a, x, b) from bnverify.symbolic, re-checked by the checker's
    own two-point model as a fixed point of the scale-free map on the whole domain (with RS:
    of the RS map, whose value at the rank-one centred Gram is explicit, bnverify.rs)."""
    import sympy

    fp = _api(_sym(), "fixed_point")(_sym_act(claim))
    st = fp["state"]
    scale = fp["scale_factor"]
    rs = "rs" in claim.stages
    if rs:
        rfp = _api(_module("rs"), "fixed_point")(_sym_act(claim))
        if not rfp["holds"]:
            raise BadInput("the RS image of the configuration is not proportional to it")
        scale = rfp["scale_factor"]
    a, o, x, b, c = (_at_alpha(claim, v) for v in (st.a, st.o, st.x, st.b, scale))
    if sympy.simplify(a - o) != 0:
        raise BadInput("the fixed point is not a two-point state")
    alpha = _q(claim.alpha.lo) if claim.alpha.point else "alpha"
    item = cert.two_point_fixed_point(a, x, b, c, alpha, _region(claim), decisive=decisive, rs=rs, meaning=(
        "the configuration: cluster diagonal a (= cluster off-diagonal), cross x, odd diagonal b; "
        "F%s maps it to c times itself" % ("_RS" if rs else "")))
    return item, {"a": a, "x": x, "b": b, "c": c}


@register("fixed-point", params={"state": (False, "state")}, min_n=2,
          per_n=lambda c: c.params.get("state", "configuration") != "configuration")
def fixed_point(claim):
    """The Gram matrix of the state is a fixed point of the scale-free Gram dynamics."""
    state = claim.params.get("state", "configuration")
    if state != "configuration":
        return _certify_state(claim, state, "exists")
    _closed_form_variant(claim, allow_rs=True)
    item, st = _two_point_item(claim, decisive=True)
    payload = cert.payload("exact", [item], "F(G*) = c G* for the configuration's Gram matrix G*, "
                           "as rational-function identities in n (and alpha) re-derived by the checker.")
    return _finish(claim, PROVED, "exact", payload,
                   {k: _s(v) for k, v in st.items()} | {"convention": "G* up to scale, F(G*) = c G*"})


@register("norm-ratio-limit", params={"value": (True, "expr")}, needs=("rc",))
def norm_ratio_limit(claim):
    """||u'|| / ||v'|| after one layer tends to ``value`` as the width d -> infinity."""
    import sympy

    sym = _sym()
    nr = _api(sym, "norm_ratio")(claim.stages, _sym_act(claim))
    radicand = sympy.factor(_at_alpha(claim, nr["mean_square_u"] / nr["mean_square_v"]))
    value = claim.params["value"]
    items, meaning = [], ("the limit is sqrt(E[u'_i^2] / E[v'_i^2]) by the law of large numbers; "
                          "the mean squares are Gaussian integrals")
    trusted = "the Gaussian mean squares E[u'_i^2], E[v'_i^2] (bnverify.symbolic, exact integration)"
    if "rs" not in claim.stages:
        item, st = _two_point_item(claim)
        items.append(item)
        items.append(cert.identity(_s(radicand), "(%s)/(%s)" % (st["b"], st["a"]), meaning=(
            "the same ratio read off the infinite-width Gram map of the two-point batch, "
            "F(G)_odd,odd / F(G)_cluster,cluster = b / a")))
    evidence = {"finite_width": nr["finite_width"], "limit": _s(_at_alpha(claim, nr["limit"])),
                "mean_square_u": _s(nr["mean_square_u"]), "mean_square_v": _s(nr["mean_square_v"])}
    good = cert.sqrt_identity(_s(radicand), value, _region(claim), decisive=True, meaning=meaning)
    if _holds(good) and all(_holds(i) for i in items):
        return _finish(claim, PROVED, "exact", cert.payload("exact", items + [good], meaning, trusted),
                       evidence)
    for k, al in _points(claim):
        env = {sym.N: k, sym.ALPHA: sympy.Rational(al.numerator, al.denominator)}
        where = {"n": str(k), "alpha": _q(al)}
        bad = cert.compare("sqrt(%s)" % _s(radicand.subs(env)), "!=", "(%s)" % value, where, decisive=True,
                           meaning="the limit differs from the claimed value at n=%d, alpha=%s" % (k, al))
        if _holds(bad):
            return _finish(claim, REFUTED, "exact", cert.payload("exact", items + [bad], meaning, trusted),
                           evidence)
    return inconclusive("exact", "could not decide limit == value", **evidence)


@register("orthogonal-outlier", params={"value": (False, "expr")}, needs=("rc",))
def orthogonal_outlier(claim):
    """At the configuration the odd point's cosine to the cluster is ``value`` (default 0:
    orthogonal), as a function of n and alpha."""
    import sympy

    _closed_form_variant(claim)
    claim_value = claim.params.get("value", "0")
    if "value" not in claim.params:
        from dataclasses import replace
        claim = replace(claim, params=dict(claim.params, value="0"))
    item, st = _two_point_item(claim)
    # cos = x / sqrt(a b); the checker confirms a and b, and (n-1)^2 a = b below
    ratio = sympy.factor(st["b"] / st["a"])
    cos = sympy.factor(st["x"] / (st["a"] * sympy.sqrt(ratio)))
    items = [item, cert.sqrt_identity(_s(ratio), "n - 1", _region(claim),
                                      meaning="sqrt(b/a) = n - 1: the norm ratio at the configuration")]
    evidence = {"cos": _s(cos), "state": {k: _s(v) for k, v in st.items()}}
    good = cert.identity("(%s)/((%s)*(n - 1))" % (st["x"], st["a"]), claim_value, decisive=True,
                         where=_region(claim), meaning="cos = x / sqrt(a b) = x / (a (n - 1))")
    if _holds(items[1]) and _holds(good):
        return _finish(claim, PROVED, "exact", cert.payload("exact", items + [good], "cosine of the "
                       "odd point to the cluster at the configuration"), evidence)
    sym = _sym()
    for k, al in _points(claim):
        env = {sym.N: k, sym.ALPHA: sympy.Rational(al.numerator, al.denominator)}
        where = {"n": str(k), "alpha": _q(al)}
        bad = cert.compare(_s(cos.subs(env)), "!=", "(%s)" % claim_value, where, decisive=True,
                           meaning="the cosine differs from the claimed value here")
        if _holds(bad):
            return _finish(claim, REFUTED, "exact", cert.payload("exact", items + [bad], "cosine of the "
                           "odd point to the cluster at the configuration"), evidence)
    return inconclusive("exact", "could not decide the cosine", **evidence)


# ---- spectra
def _closed_forms(claim):
    spec = _spectrum(claim.activation.name)
    if not spec.get("multiplicities_ok", True):
        raise BadInput("closed-form multiplicities do not add up")
    return [(_at_alpha(claim, e["value"]), e["multiplicity"], e["mode"]) for e in spec["eigenvalues"]]


def _decide_points(claim, rel, bound):
    """A configuration-spectrum item refuting 'rho rel bound' at a point, or None."""
    neg = checker.NEGATION[rel]
    for k, al in _points(claim, 6):
        if k > 12:
            continue
        eig = _eig_at(claim, k, al)
        rho = max((abs(Fraction(int(v.p), int(v.q))) for v in eig), default=Fraction(0))
        if checker.holds(rho, neg, bound):
            return _spectrum_item(claim, k, al, neg, bound, decisive=True), (k, al, rho)
    return None


def _per_n_items(claim, rel, bound, limit=24):
    """Per-n complete spectra proving 'rho rel bound' on a finite range at a fixed alpha."""
    if not claim.n.finite or not claim.alpha.point or claim.n.hi > limit:
        return None
    items = [_spectrum_item(claim, k, claim.alpha.lo, rel, bound, decisive=True) for k in claim.n]
    return items if all(_holds(i) for i in items) else None


def _spectral_radius_configuration(claim):
    _closed_form_variant(claim)
    rel, bound = claim.params["relation"], claim.params["bound"]
    forms = _closed_forms(claim)
    where = _region(claim)
    evidence = {"eigenvalues": [{"value": _s(v), "multiplicity": _s(m), "mode": md} for v, m, md in forms],
                "convention": "eigenvalues of DF(G*)/c without the direction of G* itself"}
    b = _q(bound)
    items = []
    if rel in ("<", "<="):
        proof = []
        for v, _, _ in forms:
            below = _prove(claim, v, rel, b, where, "eigenvalue below the bound", decisive=True)
            above = _prove(claim, v, ">" if rel == "<" else ">=", "-(%s)" % b, where,
                           "eigenvalue above minus the bound")
            if below is None or above is None:
                proof = None
                break
            proof += below + above
    else:
        proof = None
        for v, m, md in sorted(forms, key=lambda f: -float(_eig_guess(f[0], claim))):
            big = _prove(claim, v, rel, b, where, "eigenvalue (%s) beyond the bound" % md, decisive=True)
            many = _prove(claim, m, ">=", "1", where, "its multiplicity is at least 1")
            if big is not None and many is not None:
                proof = big + many
                break
    method = "exact"
    meaning = ("spectral radius of the scale-free linearization at the configuration %s %s on %s"
               % (rel, b, where))
    trusted = ("the closed forms of the eigenvalues (bnverify.symbolic via bnverify.symmetry); "
               "re-checked by the blocks' characteristic polynomials and by complete spectra "
               "recomputed by the checker at the spot points")
    if proof is not None:
        kind = "mixed" if any(i["type"] == "smt" for i in proof) else "exact"
        payload = cert.payload(kind, proof + _configuration_support(claim), meaning, trusted)
        return _finish(claim, PROVED, method, payload, evidence)
    found = _decide_points(claim, rel, bound)
    if found is not None:
        item, (k, al, rho) = found
        payload = cert.payload("exact", [item], "at n=%d, alpha=%s the complete spectrum, recomputed "
                               "from the model, has spectral radius %s" % (k, al, rho))
        return _finish(claim, REFUTED, method, payload,
                       dict(evidence, counterexample={"n": k, "alpha": _q(al), "spectral_radius": _q(rho)}))
    per_n = _per_n_items(claim, rel, bound)
    if per_n is not None:
        payload = cert.payload("exact", per_n, "complete spectra for every n of the range")
        return _finish(claim, PROVED, method, payload, evidence)
    return inconclusive(method, "neither the closed forms nor spot checks decide it", **evidence)


def _eig_guess(v, claim):
    """A float value of an eigenvalue at the first domain point (for ordering only)."""
    sym = _sym()
    try:
        return float(v.subs({sym.N: claim.n.lo, sym.ALPHA: float(claim.alpha.lo)}))
    except (TypeError, ValueError):
        return 0.0


@register("spectral-radius", min_n=3,
          params={"relation": (True, "relation"), "bound": (True, "rational"), "state": (False, "state")},
          per_n=lambda c: c.params.get("state", "configuration") != "configuration")
def spectral_radius(claim):
    """Spectral radius of the scale-free linearization at a state, compared with a bound."""
    state = claim.params.get("state", "configuration")
    if state == "configuration":
        return _spectral_radius_configuration(claim)
    return _certify_state(claim, state)


@register("jacobian-spectrum", min_n=3)
def jacobian_spectrum(claim):
    """Closed-form eigenvalues (with multiplicities) of the scale-free linearization at the
    configuration, for every n of the domain."""
    _closed_form_variant(claim)
    forms = _closed_forms(claim)
    items = []
    if claim.n.hi is None or claim.n.hi >= 5:
        items.append(dict(_blocks_item(claim, None, {"n": "%d.." % max(5, claim.n.lo) if claim.n.hi is None
                                                     else "%d..%d" % (max(5, claim.n.lo), claim.n.hi),
                                                     "alpha": str(claim.alpha)}), decisive=True))
    for k in (3, 4):
        if k in claim.n:
            items.append(dict(_blocks_item(claim, k, {"n": str(k), "alpha": str(claim.alpha)}), decisive=True))
    for k, al in _points(claim, 4):
        if k <= 10:
            items.append(_spectrum_item(claim, k, al))
    evidence = {"eigenvalues": [{"value": _s(v), "multiplicity": _s(m), "mode": md} for v, m, md in forms],
                "convention": "eigenvalues of DF(G*)/c without the direction of G* itself"}
    payload = cert.payload("exact", items, "the spectrum of the scale-free linearization at the "
                           "configuration is the listed closed forms",
                           trusted="that the blocks are DF(G*)/c on the isotypic components "
                                   "(bnverify.symmetry); complete spectra at spot points are "
                                   "recomputed by the checker from the model")
    return _finish(claim, PROVED, "exact", payload, evidence)


@register("stability-directions", min_n=3, params={"decay": (False, "strings"), "grow": (False, "strings")})
def stability_directions(claim):
    """Perturbations of the configuration named by ``decay`` keywords decay (|eigenvalue| < 1),
    those named by ``grow`` keywords grow (eigenvalue > 1).  An eigenvalue is named by a
    keyword when one of its mode descriptions ("; "-separated, from bnverify.symbolic)
    contains it."""
    _closed_form_variant(claim)
    forms = _closed_forms(claim)
    where = _region(claim)
    items, rates, missing = [], {}, []
    for kind, words in (("decay", claim.params.get("decay", ())), ("grow", claim.params.get("grow", ()))):
        for word in words:
            hits = [(v, md) for v, m, md in forms
                    if any(word.lower() in part.lower() for part in md.split("; "))]
            if not hits:
                missing.append(word)
            for v, md in hits:
                rates.setdefault(word, []).append(_s(v))
                wanted = [("<", "1"), (">", "-1")] if kind == "decay" else [(">", "1")]
                for r, bd in wanted:
                    got = _prove(claim, v, r, bd, where, "%s %s" % (word, "decays" if kind == "decay"
                                                                     else "grows"), decisive=True)
                    items += got if got is not None else [None]
    evidence = {"rates": rates, "modes": [{"value": _s(v), "mode": md} for v, _, md in forms]}
    if missing:
        return inconclusive("exact", "no eigenvalue mode mentions %s" % ", ".join(missing), **evidence)
    if not items:
        raise BadInput("stability-directions needs params.decay or params.grow")
    if None not in items:
        kind = "mixed" if any(i["type"] == "smt" for i in items) else "exact"
        payload = cert.payload(kind, items + _configuration_support(claim), "per-mode growth rates",
                               trusted="the closed forms and their mode names (bnverify.symbolic)")
        return _finish(claim, PROVED, "exact", payload, evidence)
    return inconclusive("exact", "some mode's behaviour is not shown on the whole domain", **evidence)


# ---- states certified per n by bnverify.certify
def _certify_state(claim, state, part=None):
    """One n at a time through bnverify.certify (the runner splits finite ranges)."""
    if not claim.n.finite:
        return inconclusive("enclosure", "the %s state is certified per n: give a finite range of n" % state)
    if len(claim.n) > 1:
        return combine(claim, [_certify_state(claim.with_n(k), state, part) for k in claim.n])
    mod = _module("certify")
    fn = _api(mod, "certify_%s" % state)
    rel, bound = claim.params.get("relation", "<"), claim.params.get("bound", Fraction(1))
    try:
        v = fn(claim.n.lo, claim.activation, relation=rel, bound=bound)
    except TypeError:
        if (rel, bound) != ("<", 1):
            return inconclusive("enclosure", "bnverify.certify only decides spectral radius < 1")
        v = fn(claim.n.lo, claim.activation)
    if part == "exists" and getattr(v, "certificate", None) and v.certificate.get("kind") == "krawczyk":
        kr = dict(v.certificate, spectral_bound=None)      # existence and uniqueness only
        v = Verdict(PROVED, v.method, dict(v.evidence), certificate=kr)
    return _from_external(claim, v)


def _from_external(claim, v):
    """A Verdict-like result of another module, re-checked: proved / refuted only with a
    certificate payload that the trusted checker accepts for this claim."""
    status = getattr(v, "status", None) or (v.get("status") if isinstance(v, dict) else None)
    method = getattr(v, "method", None) or (v.get("method", "external") if isinstance(v, dict) else "external")
    evidence = dict(getattr(v, "evidence", None) or (v.get("evidence", {}) if isinstance(v, dict) else {}))
    payload = getattr(v, "certificate", None) if not isinstance(v, dict) else v.get("certificate")
    if status not in (PROVED, REFUTED):
        evidence.setdefault("reason", "undecided")
        return Verdict(INCONCLUSIVE, method, evidence)
    if not payload:
        return _undecided(method, "a %s verdict came without a certificate" % status, evidence)
    payload = {k: v for k, v in payload.items() if k not in ("claim", "verdict", "method", "tools", "hash", "format")}
    if payload.get("kind") == "krawczyk":
        payload = _krawczyk_payload(payload)
    elif payload.get("kind") == "classification":
        payload = cert.payload("enclosure", [_classification_item(payload)], "the S_{n-1}-symmetric "
                               "fixed points at n=%s, classified" % _q(Fraction(payload["n"])), CLASSIFICATION_TRUST)
    return _finish(claim, status, method, payload, evidence)


CLASSIFICATION_TRUST = ("that every S_{n-1}-symmetric fixed point of the scale-free dynamics has C G C on "
                        "the curve Sigma(rho), one per solution of h(rho) = rho (zero row sums, K "
                        "1-homogeneous), with rho = 1 (O_n) and rho = -1/(n-1) (the simplex) solutions")


def _classification_item(cl):
    """bnverify.certify's classification record as a 'classification' item: the checker
    re-decides every interval of the cover with its own copy of the reduction curve."""
    roots = sum(kind == "root" for _, _, kind, _ in cl["intervals"])
    n = _q(Fraction(cl["n"]))
    return {"type": "classification", "decisive": True, "state": "spread-cluster", "n": n,
            "alpha": _q(Fraction(cl["activation"]["alpha"])), "prec": int(cl["prec"]),
            "intervals": cl["intervals"], "roots": roots,
            "meaning": "at n=%s the symmetric family's fixed points are O_n, the simplex and %d "
                       "spread-cluster state(s): every rho in [-1/(n-2), 1] is decided" % (n, roots)}


def _krawczyk_payload(kr):
    """bnverify.certify's Krawczyk record as a 'symmetric-state' item, which the trusted
    checker re-verifies with its own model; V (approximate eigenvectors of each block at the
    box's centre, in the checker's bases) is computed here: untrusted search."""
    import numpy as np
    from flint import arb, ctx

    n, prec = int(kr["n"]), int(kr["prec"])
    alpha = Fraction(kr["activation"]["alpha"])
    box = [{"mid": [mm, me], "rad": [rm, re]} for mm, me, rm, re in kr["box"]]
    item = {"type": "symmetric-state", "decisive": True, "state": kr["state"], "n": n,
            "alpha": _q(alpha), "prec": prec, "box": box, "Y": kr["y_matrix"],
            "meaning": "a unique fixed point of the reduced map in the box (Krawczyk)"}
    sb = kr.get("spectral_bound")
    if sb is not None and sb["relation"] in ("<", "<="):
        with ctx.workprec(prec):
            A, B = checker.kernel_constants(alpha)
            mid = [arb(int(mm)) * arb(2) ** int(me) for mm, me, _, _ in kr["box"]]
            blocks = checker.symmetric_blocks(mid, n, A, B)
        V = {}
        for comp, Bm in blocks.items():
            _, vecs = np.linalg.eig(np.array([[float(v.mid()) for v in row] for row in Bm]))
            V[comp] = [[[_q(Fraction(float(z.real))), _q(Fraction(float(z.imag)))] for z in row] for row in vecs]
        item.update(rel=sb["relation"], bound=_q(Fraction(sb["bound"])), V=V,
                    meaning="a unique fixed point in the box, whose scale-free linearization "
                            "has spectral radius %s %s (Gershgorin discs per symmetry block)"
                            % (sb["relation"], sb["bound"]))
    return cert.payload("enclosure", [item], "certified fixed point of the symmetric reduction "
                        "and a bound on its spectrum", trusted="the decomposition of the "
                        "linearization into the trivial, standard and pair components")


_ENCLOSURES = ("cluster_cos", "odd_cos", "norm_ratio", "spectral_radius", "simplex_cos")


def combine(claim, verdicts):
    """One verdict for a range of n from per-n verdicts (in order of n)."""
    prop = PROPERTIES.get(claim.property)
    if prop is not None and prop.combine is not None:
        return prop.combine(claim, verdicts)
    evidence = {"per_n": {str(k): v.status for k, v in zip(claim.n, verdicts)}}
    enclosures = {str(k): {e: v.evidence[e] for e in _ENCLOSURES if e in v.evidence}
                  for k, v in zip(claim.n, verdicts)}
    if any(enclosures.values()):
        evidence["enclosures"] = {k: e for k, e in enclosures.items() if e}
    refuted = [(k, v) for k, v in zip(claim.n, verdicts) if v.status == REFUTED]
    if refuted:
        k, v = refuted[0]
        payload = cert.bundle([v.certificate], "refuted at n=%d" % k)
        return _finish(claim, REFUTED, v.method, payload, dict(evidence, counterexample_n=k))
    if all(v.status == PROVED for v in verdicts):
        payload = cert.bundle([v.certificate for v in verdicts], "proved for each n")
        return _finish(claim, PROVED, verdicts[0].method, payload, evidence)
    open_ = [k for k, v in zip(claim.n, verdicts) if v.status == INCONCLUSIVE]
    reasons = sorted({str(v.evidence.get("reason", "")) for v in verdicts if v.status == INCONCLUSIVE})
    return inconclusive(verdicts[0].method if verdicts else "per-n",
                        "; ".join(reasons) + " (n = %s)" % ",".join(map(str, open_)), **evidence)


@register("attractor-exists", min_n=3, per_n=lambda c: True)
def attractor_exists(claim):
    """For each n, the spread-cluster fixed point exists and is locally unique (certified box)."""
    return _certify_state(claim, "attractor", "exists")


@register("attractor-stable", min_n=3, per_n=lambda c: True,
          params={"relation": (False, "relation"), "bound": (False, "rational")},
          defaults={"relation": "<", "bound": Fraction(1)})
def attractor_stable(claim):
    """For each n, the spread-cluster fixed point exists, is locally unique and its scale-free
    linearization has spectral radius < 1 (or ``relation`` ``bound``)."""
    return _certify_state(claim, "attractor")


def _stable_unit(claim):
    """A threshold claim's job at one n: attractor-stable (spectral radius < 1), the same job as
    the attractor claim's at that n (a run checks it once)."""
    return replace(claim, property="attractor-stable", params={"relation": "<", "bound": Fraction(1)})


def _combine_threshold(claim, verdicts):
    """Proved when every n below ``value`` is refuted (the checker requires absence) and every n
    from it on proved; refuted by a per-n verdict on the wrong side."""
    v0, ns = claim.params["value"], list(claim.n)
    n0 = None                                       # every n from n0 to the top is proved
    for k, v in reversed(list(zip(ns, verdicts))):
        if v.status != PROVED:
            break
        n0 = k
    evidence = {"per_n": {str(k): v.status for k, v in zip(ns, verdicts)}, "smallest_n": n0}
    parts = {k: adopt(_stable_unit(claim.with_n(k)), v) for k, v in zip(ns, verdicts)}
    method = "classification below n=%d, Krawczyk + block spectra from it on" % v0
    if all(v.status == (REFUTED if k < v0 else PROVED) for k, v in parts.items()):
        payload = cert.bundle([v.certificate for v in parts.values()], "absent (classification) for "
                              "n < %d, certified and linearly stable for n >= %d" % (v0, v0))
        return _finish(claim, PROVED, method, payload, evidence)
    wrong = [k for k, v in parts.items() if v.status == (PROVED if k < v0 else REFUTED)]
    if wrong:
        payload = cert.bundle([parts[wrong[0]].certificate], "the per-n verdict at n=%d" % wrong[0])
        return _finish(claim, REFUTED, method, payload, dict(evidence, counterexample_n=wrong[0]))
    open_ = [k for k, v in parts.items() if v.status == INCONCLUSIVE]
    return inconclusive(method, "undecided at n = %s" % ",".join(map(str, open_)), **evidence)


@register("attractor-threshold", min_n=3, params={"value": (True, "int")}, per_n=lambda c: True,
          unit=_stable_unit, combine=_combine_threshold)
def attractor_threshold(claim):
    """``value`` is the smallest n of the finite domain from which the spread-cluster fixed
    point exists, is locally unique and linearly stable: absent within the symmetric family
    (classification) for every n below it, certified with spectral radius < 1 for every n
    from it on."""
    if not claim.n.finite:
        return inconclusive("per-n certificates", "a threshold needs a finite range of n")
    return _combine_threshold(claim, [check(_stable_unit(claim.with_n(k))) for k in claim.n])


@register("fold-bracket", min_n=3, needs=("rc",), params={"lo": (True, "decimal"), "hi": (True, "decimal")})
def fold_bracket(claim):
    """The spread-cluster pair is born in a fold at some real n in (``lo``, ``hi``): at n = lo
    the symmetric family's only fixed points are O_n and the simplex, at n = hi exactly two
    more exist (isolated by sign change and strict monotonicity of h - id)."""
    lo, hi = Fraction(claim.params["lo"]), Fraction(claim.params["hi"])
    if "rs" in claim.stages or not claim.alpha.point:
        raise BadInput("a fold bracket is certified for rc with one activation slope (no rs)")
    if not (claim.n.lo <= lo < hi and claim.n.hi is not None and hi <= claim.n.hi):
        raise BadInput("the bracket %s..%s must lie in the domain n = %s" % (lo, hi, claim.n))
    v = _api(_module("certify"), "locate_fold")(lo, hi, claim.activation)
    if v.status != PROVED:
        return _undecided(v.method, "bracket not certified", v.evidence)
    items = [_classification_item(v.certificate[k]) for k in ("at_n_lo", "at_n_hi")]
    payload = cert.payload("enclosure", items, "no spread-cluster state at n = %s, two at n = %s"
                           % (claim.params["lo"], claim.params["hi"]), CLASSIFICATION_TRUST)
    return _finish(claim, PROVED, v.method, payload, v.evidence)


@register("rs-linearization", min_n=3, needs=("rc", "rs"))
def rs_linearization(claim):
    """With RS the infinite-width map is not differentiable at the configuration: a cluster
    spread eps comes out at least of order sqrt(eps), so delta_out / delta_in is unbounded."""
    import sympy

    rs = _module("rs")
    resp = _api(rs, "spread_response")(_sym_act(claim))
    if not resp.get("holds"):
        return inconclusive("symbolic", "the derivation's sympy checks did not all pass",
                            checks={k: bool(v) for k, v in resp["checks"].items()})
    sym = _sym()
    K, M = sympy.Symbol("k", positive=True), sympy.Symbol("M", positive=True)
    ratio = _at_alpha(claim, resp["ratio_lower_bound"])
    k = _at_alpha(claim, resp["k"])
    eps = next(iter(k.free_symbols - {sym.N, sym.ALPHA}))
    ratio_k = sympy.simplify(ratio.subs(eps, sympy.solve(sympy.Eq(k, K), eps)[0]))
    kM = _at_alpha(claim, resp["k_for_ratio_M"])
    at_kM = sympy.powsimp(ratio_k.subs(K, kM), force=True)
    items = [cert.identity(_s(at_kM), "M", decisive=True, where=_region(claim), meaning=(
        "with k = k_M (a spread eps_M > 0 of the input), the lower bound on delta_out / delta_in "
        "equals M, for every M > 0: the ratio is unbounded, so there is no linearization"))]
    n0 = claim.n.lo
    for e in (Fraction(1, 2 ** 20), Fraction(1, 2 ** 40)):
        val = ratio.subs({sym.N: n0, eps: sympy.Rational(e.numerator, e.denominator)})
        if sym.ALPHA in val.free_symbols:
            val = val.subs(sym.ALPHA, sympy.Rational(claim.alpha.lo.numerator, claim.alpha.lo.denominator))
        guess = math.floor(float(val) / 2)
        items.append(cert.compare(_s(val), ">", str(guess), {"n": str(n0), "alpha": _q(claim.alpha.lo)},
                                  meaning="at n=%d, eps=%s the ratio bound exceeds %d" % (n0, e, guess)))
    evidence = {k_: _s(v) for k_, v in resp.items() if k_ not in ("checks", "positivity", "holds")}
    evidence["sympy_checks"] = {k_: bool(v) for k_, v in resp["checks"].items()}
    payload = cert.payload("exact", items, "delta_out / delta_in >= ratio_lower_bound(eps), which "
                           "reaches every M > 0 as eps -> 0", trusted="the lower bound on the output "
                           "spread (bnverify.rs; each step checked by sympy) and 0 < k_M < 1")
    return _finish(claim, PROVED, "symbolic", payload, evidence)


@register("finite-width-lyapunov", min_n=3, needs=("rc",),
          params={"layers": (False, "int"), "seeds": (False, "int")})
def finite_width_lyapunov(claim):
    """Lyapunov exponent of the cluster spread at finite width d (confidence intervals over
    seeds) against the d -> infinity value log(mu)/2.  Sampling only suggests: inconclusive."""
    lyap = _module("lyapunov")
    if not claim.n.finite or len(claim.n) != 1 or claim.width is None:
        raise BadInput("finite-width-lyapunov needs one n and domain.width")
    w = claim.width
    widths = tuple(w) if isinstance(w, tuple) else tuple(sorted({w.lo, int(math.sqrt(w.lo * w.hi)), w.hi}))
    kw = {k: claim.params[k] for k in ("layers", "seeds") if k in claim.params}
    return _api(lyap, "exponent_verdict")(claim.activation, claim.n.lo, widths=widths, **kw)
