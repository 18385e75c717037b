"""The one road from a claim to a verdict.

``check(claim)``:

1. the trusted kernel (:mod:`bnverify.trusted`) turns the claim's structure into its
   obligation and canonical statement; a claim it has no obligation for is inconclusive,
   with the kernel's reason (another model, another state, a relation it has no method for);
2. untrusted search supplies the evidence the kernel needs (per n: Krawczyk boxes and
   classification covers, :mod:`.states`; an all-n branch, :mod:`.branches`; a fold
   bracket, :mod:`.fold`); most obligations need none, the kernel decides them with its
   own model;
3. the kernel decides; the verdict's certificate (claim structure, canonical statement,
   evidence) is then re-checked by ``trusted.check`` in the same run, and only a certificate
   that passes gives proved / refuted (``evidence["checked"] = True``).
"""
from __future__ import annotations

import json

from .. import certificate as cert
from ... import trusted
from ...errors import BadInput
from ...core.activations import REGISTRY
from ...core.verdict import Verdict, inconclusive, stopwatch
from . import basins, fold, rank
from .branches import all_n, method, search_branch
from .finite_width import finite_width_lyapunov
from .jobs import per_n, units
from .registry import PROPERTIES, claim_json
from .states import search


def decide(claim, items=(), human=None, method=None):
    """The kernel's verdict on the claim from the evidence items, re-checked from its
    certificate.  Never raises for the kernel's reasons: inconclusive with them."""
    human = dict(human or {})
    cj = claim_json(claim)
    kernel_method = trusted.kernel.METHODS[bool(items)]       # the certificate's, fixed by the kernel
    method = method or _method_of(items) or kernel_method
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
    # the verdict is the kernel's own; the certificate only has to say it as JSON (check-cert,
    # report --from and the tests re-check certificates in the kernel: deciding twice here cost
    # half of every claim's kernel time)
    try:
        plain = json.loads(json.dumps(full)) == full
    except (TypeError, ValueError):     # a value json cannot write (a Fraction, NaN)
        plain = False
    if not plain:
        return inconclusive(method, "the certificate is not plain JSON (it would not re-check)", **human)
    human.pop("statement", None)            # the statement shown is the kernel's
    ev = {**human, "statement": statement, "reason": reason, "checked": True}
    return Verdict(status, method, ev, certificate=full)


TWO_POINT = ("evidence re-checked (arb: one-dimensional Gaussian integrals: two-point brackets, covers and none, "
             "every block of DF), trusted kernel")
SIMPLEX = ("evidence re-checked (arb: Mehler's series, each Hermite coefficient a one-dimensional Gaussian integral: "
           "simplex brackets, covers and none, every block of DF), trusted kernel")
SPREAD = ("evidence re-checked (arb: erf's and sin's closed dual kernels: quadtree covers of the symmetric family in "
          "(q, p), n = 3's point {v, -v, 0} with its spectral radius of DF), trusted kernel")
SPREAD_GELU = ("evidence re-checked (arb: gelu's closed dual kernel: quadtree covers of the symmetric family in (q, p) "
               "over the region its distance to ReLU and its slope 1/2 at 0 leave), trusted kernel")
SPREAD_SILU = ("evidence re-checked (arb: Mehler's series of silu's, softplus's or elu's kernel, each Hermite coefficient a one-dimensional "
               "Gaussian integral over a ball of variances: quadtree covers of the symmetric family in (q, p) over the "
               "region its distance to ReLU and its slope at 0 (1/2; elu's 1) leave), trusted kernel")
SPREAD_ODD = ("evidence re-checked (arb: one-dimensional Gaussian integrals: n = 3's point {v, -v, 0} on the edge p = 0 "
              "with its spectral radius of DF), trusted kernel")
SPREAD_ODD_COVER = ("evidence re-checked (arb: Mehler's series of tanh's or sigmoid's kernel, each Hermite coefficient a "
                    "one-dimensional Gaussian integral over a ball of variances: quadtree covers of the symmetric family "
                    "in (q, p)), trusted kernel")

SPREAD_BOX = ("evidence re-checked (arb: the closed dual kernels of gelu, erf and sin: Krawczyk's test in the "
              "symmetric family's (q, p), a spread-cluster fixed point alone in a box with the spectral radius of DF "
              "enclosed, every block of DF), trusted kernel")
SPREAD_BOX_MEHLER = ("evidence re-checked (arb: Mehler's series of silu's, softplus's or elu's kernel, each Hermite "
                     "coefficient a one-dimensional Gaussian integral over a ball of variances, the tails bounded: "
                     "Krawczyk's test in the symmetric family's (q, p), a spread-cluster fixed point alone in a box with "
                     "the spectral radius of DF enclosed, every block of DF), trusted kernel")


def _method_of(items):
    """The words for a verdict whose evidence is all of the two-point family's (the certificate keeps the
    kernel's fixed method text, which older certificates were written with)."""
    kinds = {str(i.get("type", "")) for i in items}
    if kinds and kinds <= {"simplex-bracket", "simplex-cover", "simplex-none", "simplex-grow"}:
        return SIMPLEX
    if kinds and "spread-box" in kinds and kinds <= {"spread-box", "spread-point"}:
        return SPREAD_BOX_MEHLER if any(i.get("activation") in trusted.spreadbox.MEHLER for i in items) else SPREAD_BOX
    if kinds and kinds <= {"spread-none", "spread-point"}:
        odd = {str(i.get("activation")) in trusted.spreadfam.ODD for i in items}
        if all(getattr(REGISTRY.get(str(i.get("activation"))), "relu_bound", False) for i in items):
            return SPREAD_SILU if {str(i.get("activation")) for i in items} <= set(trusted.spreadfam.MEH) else SPREAD_GELU
        return (SPREAD_ODD if kinds == {"spread-point"} else SPREAD_ODD_COVER) if odd == {True} else SPREAD
    return TWO_POINT if kinds and all(k.startswith("two-point") for k in kinds) else None


def check(claim):
    """Run a claim (a whole range of n in this process): a Verdict, never an exception."""
    if claim.property not in PROPERTIES:
        raise BadInput("unknown property %r" % claim.property)
    with stopwatch() as t:
        parts = units(claim)
        if len(parts) > 1:
            v = combine(claim, [check(u) for u in parts], parts)
        elif all_n(claim):
            items, human = _searched(claim, search_branch)
            v = decide(claim, items, human, method=method(claim))
        elif per_n(claim) and claim.n.finite and len(claim.n) == 1:
            try:
                goal_ok = trusted.goal(claim_json(claim))
            except (trusted.NoGoal, trusted.Rejected):
                goal_ok = None
            if goal_ok is None:
                v = decide(claim)
            else:
                items, human = (basins.search if claim.property == "basin" else search)(claim)
                v = decide(claim, items, dict(human, n=claim.n.lo))
        elif claim.property == "finite-width-lyapunov":
            v = finite_width_lyapunov(claim)
        elif claim.property == "fold-bracket":
            v = decide(claim, *_searched(claim, fold.search))
        elif claim.property == "kernel-definite":
            items, human = rank.search(claim)
            v = decide(claim, items, human, method="exact (sympy): a null vector of K(Sigma), trusted kernel"
                       if items else None)
        else:
            v = decide(claim)
    v.seconds = t()
    v.subject = v.subject or claim.id
    return v


def _searched(claim, search):
    """search(claim) -> (items, human evidence), run only if the kernel has an obligation for
    the claim (nothing to search for otherwise: ([], {}), and decide says why)."""
    try:
        trusted.goal(claim_json(claim))
        return search(claim)
    except (trusted.NoGoal, trusted.Rejected):
        return [], {}


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
    for v in verdicts:      # one refuting job's evidence refutes the whole claim: the kernel decides it alone first
        if v.status == "refuted" and v.certificate is not None and v.certificate["evidence"]:
            alone = decide(claim, v.certificate["evidence"], dict(human))
            if alone.status == "refuted":
                return alone
            break
    if "all_n" in enclosures:
        human.update(enclosures.pop("all_n"))
    if enclosures:
        human["enclosures"] = enclosures
    return decide(claim, items, human)
