"""The per-n sweeps of ``bnverify attractor``, ``simplex`` and ``endstate`` (and the report's
end-state figure) search with :mod:`bnverify.derive.states` outside any claim file; here each
of their verdicts becomes a claim of its own (spectral radius < 1 at that n) and is decided
by the trusted kernel, so that every verdict those commands show is the kernel's."""
from __future__ import annotations

from fractions import Fraction

from . import spec
from .properties.road import decide
from .properties.states import classification_item, krawczyk_item


def checked_state(v, state, act):
    """A verdict of bnverify.derive.states (one n, attractor or simplex, spectral radius < 1) passed
    through the trusted kernel: the returned verdict is the kernel's, with v's enclosures."""
    n = int(v.evidence["n"])
    data = {"id": "%s-n%d" % (state, n), "title": state, "statement": "%s at n = %d" % (state, n),
            "property": "spectral-radius", "expect": "proved", "model": spec.model_of(act),
            "domain": {"n": str(n)}, "params": {"state": state, "relation": "<", "bound": "1"}}
    claim = spec.claim_from_dict(data, "%s sweep" % state)
    c = v.certificate or {}
    items = [classification_item(c)] if c.get("kind") == "classification" else \
        [krawczyk_item(c, Fraction(1))] if c.get("kind") == "krawczyk" else []
    human = {k: x for k, x in v.evidence.items() if k != "reason"}
    if v.evidence.get("reason"):
        human["search"] = v.evidence["reason"]
    out = decide(claim, items, human)
    out.seconds = v.seconds
    return out


def certified_attractor(n, act):
    """The certified attractor at n through the trusted kernel: {quantity: [lo, hi]} as
    floats rounded outward, or None when it is not proved (n < 7, or a failed check)."""
    import numpy as np

    from ..derive import states
    from ..sim.endstate import QUANTITIES

    v = checked_state(states.certify_attractor(n, act), "attractor", act)
    if v.status != "proved" or not v.evidence.get("checked"):
        return None
    out = {}
    for name in QUANTITIES:
        lo, hi = (float(x) for x in v.evidence[name])
        out[name] = [float(np.nextafter(lo, -np.inf)), float(np.nextafter(hi, np.inf))]
    return out
