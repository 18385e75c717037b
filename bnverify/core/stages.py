"""A model's stage list: RC, then RS (each optional, in this order), then one activation of the
registry (:mod:`bnverify.core.activations`, the kinds marked ``stage``; none: the identity).

BN after the activation (``Z = BN(phi(W X))``): the activation first, then RC, then RS if any
(``relu,rc``, ``relu,rc,rs``).  Its stage tuple starts with the marker ``"nl"`` (``("nl", "rc")``),
and only callers that pass ``after_ok=True`` receive it: a command that does not analyse that order
refuses it in one line, so no code reads it as the pre-activation model by mistake."""
from __future__ import annotations

from ..errors import BadInput
from .activations import LINEAR, REGISTRY, Activation, names, parse_alpha, spoken

STAGES = ("rc", "rs")
AFTER = "nl"                    # the marker of BN after the activation, first in the stage tuple
AFTER_FORMS = (("rc",), ("rc", "rs"))
BEFORE_FORMS = "RC, then RS, then the activation, each optional (e.g. rc,relu, rc,rs,relu)"
FORMS = BEFORE_FORMS + ", or BN after the activation: PHI,rc or PHI,rc,rs (e.g. relu,rc)"
AFTER_COMMANDS = "check, simplex and attractor"


def after(stages):
    """True for BN after the activation (the stage tuple starts with the marker)."""
    return tuple(stages)[:1] == (AFTER,)


def stages_text(stages, act_name):
    """The model's stage list as written: 'rc,rs,relu', or 'relu,rc' for BN after the activation."""
    return ",".join((act_name if s == AFTER else s) for s in stages) if after(stages) else \
        ",".join(tuple(stages) + (act_name,))


def parse_stages(text, alpha=None, after_ok=False):
    """'rc,rs,relu' -> (('rc', 'rs'), Activation).  Order of rc, rs is fixed (rc first).  With
    ``after_ok``, 'relu,rc' -> (('nl', 'rc'), Activation) (BN after the activation); without it
    that order is refused in one line."""
    activations = names(lambda k: k.stage)
    parts = [p.strip().lower() for p in str(text).split(",") if p.strip()]
    if not parts:
        raise BadInput("--stages is empty; give e.g. rc,relu")
    if len(parts) != len(str(text).split(",")):     # ',rc' or 'relu,,rc': a stage left out, not read as another model
        raise BadInput("--stages %r has an empty entry; give e.g. rc,relu" % (str(text),))
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
    post = bool(acts) and parts[0] == acts[0] and tuple(parts[1:]) in AFTER_FORMS
    if post and not after_ok:
        raise BadInput("stage order %r (BN after the activation) is taken by %s only; here give %s"
                       % (",".join(parts), AFTER_COMMANDS, BEFORE_FORMS))
    if not post and parts != list(norm) + acts:
        raise BadInput("stage order %r is not defined: the forms are %s" % (",".join(parts), FORMS))
    if post:
        norm = (AFTER,) + norm
    name = acts[0] if acts else LINEAR
    kind = REGISTRY[name]
    if kind.stage_alpha is None:
        if alpha is not None:
            raise BadInput("--alpha is only meaningful with %s, not %s"
                           % (spoken(names(lambda k: k.stage and k.stage_alpha is not None)), name))
        return norm, Activation(name)
    return norm, Activation(name, parse_alpha(alpha if alpha is not None else kind.stage_alpha, name))
