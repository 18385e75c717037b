"""Properties a claim can check, and the one road from a claim to a verdict.

``check(claim)``:

1. the trusted kernel (:mod:`bnverify.trusted`) turns the claim's structure into its
   obligation and canonical statement; a claim it has no obligation for is inconclusive,
   with the kernel's reason (another model, another state, a relation it has no method for);
2. untrusted search supplies the evidence the kernel needs (per n: Krawczyk boxes and
   classification covers from :mod:`bnverify.derive.curve` and :mod:`bnverify.derive.states`); most obligations need none, the
   kernel decides them with its own model;
3. the kernel decides; the verdict's certificate (claim structure, canonical statement,
   evidence) is then re-checked by ``trusted.check`` in the same run, and only a certificate
   that passes gives proved / refuted (``evidence["checked"] = True``).

``PROPERTIES`` holds what the claim loader validates: each property's parameters, its
smallest n and whether it runs one job per n.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from fractions import Fraction

from . import certificate as cert
from . import trusted
from .kernels import BadInput
from .ranges import IntRange
from .verdict import Verdict, inconclusive, stopwatch


@dataclass
class Property:
    name: str
    params: dict = field(default_factory=dict)      # name -> (required, kind in claims.PARAM_KINDS)
    defaults: dict = field(default_factory=dict)
    min_n: int = 2
    per_n: bool = False                             # evidence is searched one n at a time
    doc: str = ""

    def validate(self, stages, act, params):
        """Nothing model-specific here: the kernel says which models it decides."""


_STATE = {"state": (False, "state")}
_BOUND = {"relation": (True, "relation"), "bound": (True, "rational")}
PROPERTIES = {p.name: p for p in [
    Property("centering-rank-one", doc="RC leaves a rank-one matrix w s^T (stages rc alone)"),
    Property("invariant-configuration", doc="one layer maps every two-point batch into O_n"),
    Property("fixed-point", _STATE, per_n=True, doc="the state's Gram matrix is a fixed point up to scale"),
    Property("norm-ratio-limit", {"value": (True, "expr")}, doc="||u'||/||v'|| tends to value as d -> infinity"),
    Property("orthogonal-outlier", {"value": (False, "expr")},
             doc="the odd point's cosine to the cluster at the two-point fixed point (default 0)"),
    Property("spectral-radius", dict(_BOUND, **_STATE), min_n=3, per_n=True,
             doc="spectral radius of the scale-free linearization at a state, against a bound"),
    Property("jacobian-spectrum", dict({"eigenvalues": (True, "spectrum")}, **_STATE), min_n=3,
             doc="the exact spectrum (values with multiplicities) at the configuration"),
    Property("stability-directions", {"decay": (False, "strings"), "grow": (False, "strings")}, min_n=3,
             doc="which perturbation directions decay and grow (no kernel vocabulary yet: inconclusive)"),
    Property("attractor-exists", min_n=3, per_n=True, doc="a spread-cluster fixed point exists, locally unique"),
    Property("attractor-stable", {"relation": (False, "relation"), "bound": (False, "rational")},
             {"relation": "<", "bound": Fraction(1)}, min_n=3, per_n=True,
             doc="... and its spectral radius is < bound (default 1)"),
    Property("attractor-threshold", {"value": (True, "int")}, min_n=3, per_n=True,
             doc="value is the smallest n of the domain with a stable spread-cluster attractor"),
    Property("fold-bracket", {"lo": (True, "decimal"), "hi": (True, "decimal")}, min_n=3,
             doc="the spread-cluster pair is born at a real n in (lo, hi)"),
    Property("rs-linearization", min_n=3, doc="no linearization at O_n with RS (derived outside the kernel)"),
    Property("finite-width-lyapunov", {"layers": (False, "int"), "seeds": (False, "int")}, min_n=3,
             doc="finite-width Lyapunov exponent (simulation: never proves)"),
]}


def claim_json(claim):
    """The claim's structure, as the kernel reads it (the wording is kept beside it)."""
    dom = {"n": str(claim.n)}
    if claim.activation.name == "leaky_relu":
        dom["alpha"] = str(claim.alpha)
    params = {}
    for k, v in claim.params.items():
        if isinstance(v, Fraction):
            v = cert.rational(v)
        elif isinstance(v, tuple):
            v = [list(x) if isinstance(x, tuple) else x for x in v]
        params[k] = v
    return {"id": claim.id, "property": claim.property, "stages": list(claim.stages),
            "activation": claim.activation.name, "domain": dom, "params": params,
            "wording": claim.statement}


def _per_n(claim):
    prop = PROPERTIES[claim.property]
    if not prop.per_n:
        return False
    if claim.property in ("fixed-point", "spectral-radius"):
        return claim.params.get("state", "configuration") in ("attractor", "simplex")
    return True


ALL_N_FROM = 16          # the attractor's all-n branch covers n >= 16; below, per-n boxes
SIMPLEX_FROM = 3         # the simplex state's covers every n >= 3


def _simplex_all_n(claim):
    """A claim about the simplex state (existence, or spectral radius < 1 or any bound >= 1;
    ReLU or leaky ReLU) on an open range or one beyond the per-n limit."""
    if claim.property not in ("fixed-point", "spectral-radius") or claim.params.get("state") != "simplex":
        return False
    if claim.property == "spectral-radius" and not (
            claim.params.get("relation", "<") in ("<", "<=") and claim.params.get("bound", Fraction(1)) >= 1):
        return False
    return (claim.activation.name in ("relu", "leaky_relu") and claim.stages == ("rc",)
            and (not claim.n.finite or claim.n.hi > trusted.kernel.N_MAX))


def _all_n(claim):
    """A claim whose range reaches an all-n branch: the attractor's existence (ReLU or leaky
    ReLU) or spectral radius < 1 (or any bound >= 1; ReLU), or :func:`_simplex_all_n`."""
    if _simplex_all_n(claim):
        return True
    exists = claim.property == "attractor-exists" or (
        claim.property == "fixed-point" and claim.params.get("state") == "attractor")
    stable = claim.property in ("attractor-stable", "attractor-threshold") or (
        claim.property == "spectral-radius" and claim.params.get("state") == "attractor")
    if stable:
        bound = claim.params.get("bound", Fraction(1))
        stable = (claim.activation.name == "relu" and claim.params.get("relation", "<") in ("<", "<=")
                  and bound >= 1)
    return ((exists and claim.activation.name in ("relu", "leaky_relu") or stable)
            and claim.stages == ("rc",) and (not claim.n.finite or claim.n.hi >= ALL_N_FROM))


BRANCH_METHOD = {
    "attractor": "Krawczyk in (t = 1/n, v = n arccos rho) on t-boxes down to t = 0, blocks' analytic "
                 "margins (arb), trusted kernel",
    "simplex": "closed-form S_n eigenvalues in t = 1/n on t-boxes down to t = 0 (arb), trusted kernel"}


def units(claim):
    """The jobs of a claim: one per n for per-n evidence on a finite range, else the claim.
    A claim reaching an all-n branch: one job per n below the branch's start and one job for
    the branch (its claim has the domain max(lo, start)..hi)."""
    if _all_n(claim):
        base, start = claim, SIMPLEX_FROM if _simplex_all_n(claim) else ALL_N_FROM
        if claim.property == "attractor-threshold":     # attractor-stable jobs, as below
            base = replace(claim, property="attractor-stable", params={"relation": "<", "bound": Fraction(1)})
        low = [base.with_n(k) for k in range(claim.n.lo, start)]
        return low + [replace(base, n=IntRange(max(claim.n.lo, start), claim.n.hi))]
    if _per_n(claim) and claim.n.finite and 1 < len(claim.n) <= trusted.kernel.PER_N_MAX:
        if claim.property == "attractor-threshold":     # the attractor-stable job of each n
            return [replace(claim.with_n(k), property="attractor-stable",
                            params={"relation": "<", "bound": Fraction(1)}) for k in claim.n]
        return [claim.with_n(k) for k in claim.n]
    return [claim]


def job_key(claim):
    """Claims with equal keys are the same computation, whatever their ids and wording."""
    return json.dumps(dict(claim_json(claim), id=None, wording=None), sort_keys=True)


def adopt(claim, v):
    """A copy of the verdict of an identical job, labelled for ``claim``."""
    c = v.certificate
    if c is not None:
        c = cert.finish(claim_json(claim), c["verdict"], c["method"], c["statement"], c["evidence"])
    out = replace(v, certificate=c, evidence=dict(v.evidence))
    out.items = list(getattr(v, "items", []))
    return out


# ---------------------------------------------------------------- evidence search (untrusted)
def _state_of(claim):
    if claim.property.startswith("attractor"):
        return "attractor"
    return claim.params.get("state", "configuration")


def _search_branch(claim):
    """(items, human evidence) of the all-n branch for n >= claim.n.lo, with the certified
    asymptotics (see bnverify.alln)."""
    from . import alln, simplex_alln

    alpha = claim.activation.slope if claim.activation.name == "leaky_relu" else Fraction(0)
    if _simplex_all_n(claim):
        item, failed, boxes = simplex_alln.branch_item(claim.n.lo, alpha)
        if item is None:
            return [], {"search": "simplex boxes not certified on t in %s" % ", ".join(
                "[%s, %s]" % (lo, hi) for lo, hi in failed[:5])}
        return [item], {"boxes": len(boxes), "radius_bounds": boxes,
                        "asymptotics": simplex_alln.asymptotics(alpha)}
    item, failed = alln.branch_item(claim.n.lo, alpha)
    if item is None:
        return [], {"search": "boxes not certified on t in %s" % ", ".join(
            "[%s, %s]" % (lo, hi) for lo, hi in failed[:5])}
    return [item], {"boxes": len(item["boxes"]), "asymptotics": alln.asymptotics(item, alpha)}


def _search(claim):
    """(evidence items, human-readable evidence) for one n of a per-n claim."""
    from .derive import states

    n, act = claim.n.lo, claim.activation
    state = _state_of(claim)
    stable = claim.property in ("spectral-radius", "attractor-stable", "attractor-threshold")
    rel = claim.params.get("relation", "<") if claim.property != "attractor-threshold" else "<"
    bound = claim.params.get("bound", Fraction(1)) if claim.property != "attractor-threshold" else Fraction(1)
    if rel not in ("<", "<="):
        rel = "<"
    fn = states.certify_attractor if state == "attractor" else states.certify_simplex
    v = fn(n, act, relation=rel, bound=bound)
    human = {k: x for k, x in v.evidence.items() if k != "reason"}
    if v.evidence.get("reason"):
        human["search"] = v.evidence["reason"]
    c = v.certificate
    if not c:
        return [], human
    if c.get("kind") == "classification":
        return [_classification_item(c)], human
    if c.get("kind") == "krawczyk":
        return [_krawczyk_item(c, bound if stable else None)], human
    return [], human


def _classification_item(cl):
    return {"type": "classification", "n": cert.rational(Fraction(cl["n"])),
            "alpha": cert.rational(Fraction(cl["activation"]["alpha"])), "prec": int(cl["prec"]),
            "intervals": cl["intervals"]}


def _krawczyk_item(kr, bound):
    """A Krawczyk record as a 'symmetric-state' item; V (approximate eigenvectors of the
    kernel's blocks at the box's centre) is float search here, re-verified there."""
    import numpy as np
    from flint import arb, ctx

    n, prec = int(kr["n"]), int(kr["prec"])
    alpha = Fraction(kr["activation"]["alpha"])
    item = {"type": "symmetric-state", "n": n, "alpha": cert.rational(alpha), "prec": prec,
            "box": [{"mid": [mm, me], "rad": [rm, re]} for mm, me, rm, re in kr["box"]], "Y": kr["y_matrix"]}
    if bound is not None and kr.get("spectral_bound") is not None:
        with ctx.workprec(prec):
            A, B = trusted.model.kernel_constants(alpha)
            mid = [arb(int(mm)) * arb(2) ** int(me) for mm, me, _, _ in kr["box"]]
            blocks = trusted.model.symmetric_blocks(mid, n, A, B)
        V = {}
        for comp, Bm in blocks.items():
            _, vecs = np.linalg.eig(np.array([[float(x.mid()) for x in row] for row in Bm]))
            V[comp] = [[[cert.rational(Fraction(float(z.real))), cert.rational(Fraction(float(z.imag)))]
                        for z in row] for row in vecs]
        item.update(V=V, bound=cert.rational(Fraction(bound)))
    return item


# ---------------------------------------------------------------- the road to a verdict
def decide(claim, items=(), human=None, method=None):
    """The kernel's verdict on the claim from the evidence items, re-checked from its
    certificate.  Never raises for the kernel's reasons: inconclusive with them."""
    human = dict(human or {})
    cj = claim_json(claim)
    kernel_method = trusted.kernel.METHODS[bool(items)]       # the certificate's, fixed by the kernel
    method = method or kernel_method
    try:
        status, statement, reason = trusted.decide(cj, list(items))
    except trusted.NoGoal as e:
        human.pop("statement", None)
        return inconclusive("trusted kernel", "no obligation for this variant: %s" % e, **human)
    except trusted.Rejected as e:
        try:
            statement = trusted.goal(cj)[1].statement
        except Exception:
            statement = None
        human.pop("statement", None)
        v = inconclusive(method, "not decided: %s" % e, statement=statement, **human)
        v.items = list(items)           # kept for a combined decision over a range of n
        return v
    full = cert.finish(cj, status, kernel_method, statement, list(items))
    ok, msg = trusted.check(full)
    if not ok:                          # cannot happen unless the kernel is not deterministic
        return inconclusive(method, "the certificate did not re-check: %s" % msg, **human)
    human.pop("statement", None)            # the statement shown is the kernel's
    ev = {**human, "statement": statement, "reason": reason, "checked": True}
    return Verdict(status, method, ev, certificate=full)


def check(claim):
    """Run a claim (a whole range of n in this process): a Verdict, never an exception."""
    if claim.property not in PROPERTIES:
        raise BadInput("unknown property %r" % claim.property)
    with stopwatch() as t:
        parts = units(claim)
        if len(parts) > 1:
            v = combine(claim, [check(u) for u in parts], parts)
        elif _all_n(claim):
            try:
                trusted.goal(claim_json(claim))
                items, human = _search_branch(claim)
            except (trusted.NoGoal, trusted.Rejected):
                items, human = [], {}
            v = decide(claim, items, human, method=BRANCH_METHOD["simplex" if _simplex_all_n(claim) else "attractor"])
        elif _per_n(claim) and claim.n.finite and len(claim.n) == 1:
            try:
                goal_ok = trusted.goal(claim_json(claim))
            except (trusted.NoGoal, trusted.Rejected):
                goal_ok = None
            if goal_ok is None:
                v = decide(claim)
            else:
                items, human = _search(claim)
                v = decide(claim, items, dict(human, n=claim.n.lo))
        elif claim.property == "finite-width-lyapunov":
            v = finite_width_lyapunov(claim)
        elif claim.property == "fold-bracket":
            v = _fold(claim)
        else:
            v = decide(claim)
    v.seconds = t()
    v.subject = v.subject or claim.id
    return v


def combine(claim, verdicts, parts=None):
    """One verdict for a range of n: the kernel decides the whole claim from the evidence of
    every job (their certificates' items, and the items of undecided jobs).  ``parts``: the
    jobs' claims (default: one per n of the claim's finite range)."""
    items, enclosures, per_n = [], {}, {}
    keys = [str(p.n) for p in parts] if parts is not None else [str(k) for k in claim.n]
    for k, v in zip(keys, verdicts):
        per_n[k] = v.status
        for f in ("asymptotics", "boxes"):
            if f in v.evidence:
                enclosures.setdefault("all_n", {})[f] = v.evidence[f]
        if v.certificate is not None:
            items += v.certificate["evidence"]
        else:
            items += getattr(v, "items", [])
        e = {f: v.evidence[f] for f in ("cluster_cos", "odd_cos", "norm_ratio", "spectral_radius",
                                         "simplex_cos") if f in v.evidence}
        if e:
            enclosures[str(k)] = e
    human = {"per_n": per_n}
    if "all_n" in enclosures:
        human.update(enclosures.pop("all_n"))
    if enclosures:
        human["enclosures"] = enclosures
    return decide(claim, items, human)


def _fold(claim):
    from .derive import sweeps

    lo, hi = Fraction(claim.params["lo"]), Fraction(claim.params["hi"])
    try:
        trusted.goal(claim_json(claim))
    except (trusted.NoGoal, trusted.Rejected):
        return decide(claim)
    v = sweeps.locate_fold(lo, hi, claim.activation)
    items = [_classification_item(v.certificate[k]) for k in ("at_n_lo", "at_n_hi")] if v.certificate else []
    return decide(claim, items, {k: x for k, x in v.evidence.items() if k != "reason"})


def finite_width_lyapunov(claim):
    """Lyapunov exponent of the cluster spread at finite width (a simulation: inconclusive)."""
    import math

    from . import lyapunov
    if not claim.n.finite or len(claim.n) != 1 or claim.width is None:
        raise BadInput("finite-width-lyapunov needs one n and domain.width")
    w = claim.width
    widths = tuple(w) if isinstance(w, tuple) else tuple(sorted({w.lo, int(math.sqrt(w.lo * w.hi)), w.hi}))
    kw = {k: claim.params[k] for k in ("layers", "seeds") if k in claim.params}
    return lyapunov.exponent_verdict(claim.activation, claim.n.lo, widths=widths, **kw)



def checked_state(v, state, act):
    """A verdict of bnverify.derive.states (one n, attractor or simplex, spectral radius < 1) passed
    through the trusted kernel: the returned verdict is the kernel's, with v's enclosures."""
    from . import claims

    n = int(v.evidence["n"])
    model = {"stages": "rc," + act.name}
    if act.name == "leaky_relu":
        model["alpha"] = cert.rational(act.slope)
    data = {"id": "%s-n%d" % (state, n), "title": state, "statement": "%s at n = %d" % (state, n),
            "property": "spectral-radius", "expect": "proved", "model": model,
            "domain": {"n": str(n)}, "params": {"state": state, "relation": "<", "bound": "1"}}
    claim = claims.claim_from_dict(data, "%s sweep" % state)
    c = v.certificate or {}
    items = [_classification_item(c)] if c.get("kind") == "classification" else \
        [_krawczyk_item(c, Fraction(1))] if c.get("kind") == "krawczyk" else []
    human = {k: x for k, x in v.evidence.items() if k != "reason"}
    if v.evidence.get("reason"):
        human["search"] = v.evidence["reason"]
    out = decide(claim, items, human)
    out.seconds = v.seconds
    return out
