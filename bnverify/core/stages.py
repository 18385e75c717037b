"""A model's stage list: RC, then RS (each optional, in this order), then one activation of the
registry (:mod:`bnverify.core.activations`, the kinds marked ``stage``; none: the identity)."""
from __future__ import annotations

from ..errors import BadInput
from .activations import LINEAR, REGISTRY, Activation, names, parse_alpha, spoken

STAGES = ("rc", "rs")


def parse_stages(text, alpha=None):
    """'rc,rs,relu' -> (('rc', 'rs'), Activation).  Order of rc, rs is fixed (rc first)."""
    activations = names(lambda k: k.stage)
    parts = [p.strip().lower() for p in str(text).split(",") if p.strip()]
    if not parts:
        raise BadInput("--stages is empty; give e.g. rc,relu")
    acts = [p for p in parts if p in activations]
    unknown = [p for p in parts if p not in activations and p not in STAGES]
    if unknown:
        raise BadInput("unknown stage or activation %r (stages: rc, rs; activations: %s)"
                       % (unknown[0], ", ".join(activations)))
    if len(acts) > 1:
        raise BadInput("more than one activation in --stages: %s" % ",".join(acts))
    if len(set(parts)) != len(parts):
        raise BadInput("repeated stage in --stages %r" % text)
    norm = tuple(s for s in STAGES if s in parts)
    if parts != list(norm) + acts:
        raise BadInput("stage order %r is not defined: the model applies RC, then RS, then the "
                       "activation (e.g. rc,relu or rc,rs,relu)" % ",".join(parts))
    name = acts[0] if acts else LINEAR
    kind = REGISTRY[name]
    if kind.stage_alpha is None:
        if alpha is not None:
            raise BadInput("--alpha is only meaningful with %s, not %s"
                           % (spoken(names(lambda k: k.stage and k.stage_alpha is not None)), name))
        return norm, Activation(name)
    return norm, Activation(name, parse_alpha(alpha if alpha is not None else kind.stage_alpha))
