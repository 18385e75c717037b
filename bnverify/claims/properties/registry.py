"""What the claim loader validates: each property's parameters, its smallest n and whether
it runs one job per n; and a claim's structure as the trusted kernel reads it."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction

from .. import certificate as cert


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
    Property("fixed-point", _STATE, per_n=True, doc="the state's Gram matrix is a fixed point up to scale (of the map itself for a non-homogeneous phi)"),
    Property("norm-ratio-limit", {"value": (True, "expr")}, doc="||u'||/||v'|| tends to value as d -> infinity"),
    Property("orthogonal-outlier", {"value": (False, "expr")},
             doc="the odd point's cosine to the cluster at the two-point fixed point (default 0)"),
    Property("spectral-radius", dict(_BOUND, **_STATE), min_n=3, per_n=True,
             doc="spectral radius of the scale-free linearization at a state, against a bound"),
    Property("jacobian-spectrum", dict({"eigenvalues": (True, "spectrum")}, **_STATE), min_n=3,
             doc="the exact spectrum (values with multiplicities) at the configuration"),
    Property("stability-directions", dict({"decay": (False, "strings"), "grow": (False, "strings")}, **_STATE),
             min_n=3, doc="named perturbations that decay / grow at a two-point state (claim file)"),
    Property("attractor-exists", min_n=3, per_n=True, doc="a spread-cluster fixed point exists, locally unique"),
    Property("attractor-stable", {"relation": (False, "relation"), "bound": (False, "rational")},
             {"relation": "<", "bound": Fraction(1)}, min_n=3, per_n=True,
             doc="... and its spectral radius is < bound (default 1)"),
    Property("attractor-threshold", {"value": (True, "threshold")}, min_n=3, per_n=True,
             doc="value is the smallest n of the domain with a stable spread-cluster attractor; value none: no n of "
                 "the domain has one"),
    Property("fold-bracket", {"lo": (True, "decimal"), "hi": (True, "decimal")}, min_n=3,
             doc="the spread-cluster pair is born at a real n in (lo, hi)"),
    Property("basin", {"state": (True, "fixed-state"), "basin": (True, "basin")}, min_n=3, per_n=True,
             doc="the exact basin of a fixed point of the symmetric reduction's map rho -> h(rho)"),
    Property("classification", {"value": (True, "int")}, min_n=3, per_n=True,
             doc="the symmetric reduction's map rho -> h(rho) has exactly value fixed points (per n; every n >= 7 "
                 "at once)"),
    Property("rs-linearization", min_n=3, doc="with RS, no linearization at O_n: spread eps -> order sqrt(eps)"),
    Property("rs-growth", min_n=3, doc="with RS, O_n repels: spread eps -> between a sqrt(eps) and b sqrt(eps)"),
    Property("kernel-definite", {"points": (True, "points")},
             doc="K_phi(Sigma) is positive definite under a hypothesis on the points"),
    Property("kernel-singular", {"points": (True, "singular-points")},
             doc="the converse: K_phi(Sigma) is singular when two points are positively collinear or "
                 "antipodal pairs have dependent directions"),
    Property("rank-growth", doc="one layer maps the rank-one centred two-point batch to rank two"),
    Property("stage-fact", doc="a stage set's infinite-width fact at one n (decompose's exact rows)"),
    Property("finite-width-lyapunov", {"layers": (False, "int"), "seeds": (False, "int")}, min_n=3,
             doc="finite-width Lyapunov exponent (simulation: never proves)"),
]}


def claim_json(claim):
    """The claim's structure, as the kernel reads it (the wording is kept beside it)."""
    dom = {"n": str(claim.n)}
    if claim.activation.takes_alpha:
        dom["alpha"] = str(claim.alpha)
    params = {}
    for k, v in claim.params.items():
        if isinstance(v, Fraction):
            v = cert.rational(v)
        elif isinstance(v, tuple):
            v = [list(x) if isinstance(x, tuple) else x for x in v]
        params[k] = v
    out = {"id": claim.id, "property": claim.property, "stages": list(claim.stages),
           "activation": claim.activation.kernel_name, "domain": dom, "params": params,
           "wording": claim.statement}
    if claim.weight_var != 1:           # sigma_w^2 = 1 is the model's default, and older certificates' model
        out["weight_var"] = cert.rational(claim.weight_var)
    return out


def _structure(data):
    return json.dumps(dict(data, id=None, wording=None), sort_keys=True)


def job_key(claim):
    """Claims with equal keys are the same computation, whatever their ids and wording."""
    return _structure(claim_json(claim))


def stands_for(cert_claim, claim):
    """True if a certificate's claim structure is this claim's: property, stages, activation,
    domain and params equal (the id and wording are prose the kernel never reads)."""
    return isinstance(cert_claim, dict) and _structure(cert_claim) == job_key(claim)
