"""BN after the activation (``--stages PHI,rc``, Z = BN(phi(W X)) with BN = RC) in ``attractor``
and ``simplex``: the same dynamics read at another point of the layer.

F(G) = K(C G C) (RC then phi) and F'(H) = C K(H) C (phi then RC) satisfy F' o P = P o F with
P G = C G C, and F o K = K o F' (K 1-homogeneous).  So (the lemma the trusted kernel applies,
bnverify/trusted/kernel.py ``_g_after``): the fixed rays correspond, G* <-> C G* C; the
linearizations DK P and P DK (endomorphisms of Sym_n) have one characteristic polynomial, so the
scale-free spectra agree with algebraic multiplicities, 0 included, and so do the spectral radii.
What does not carry over: the eigenvectors (which perturbation decays), the Jordan blocks at 0, the
cosines and the norm ratio, which are of another Gram matrix; each row here gives
those of C G* C too (``post_state``, enclosures from G*'s by the closed form of C G C,
core/symmetry.SymState.centred).  The document is the pre-activation command's, plus
``conjugation``: the lemma, the model it is read from, and the kernel's verdict on the
post-activation claim itself (its goal applies the lemma to the same evidence).  BN after the
activation with RS (``PHI,rc,rs``) is refused: not a conjugate of the pre-activation map (``check``
proves its symmetric fixed point, the regular simplex, by symmetry)."""
from __future__ import annotations

import copy

from ..claims import properties, spec
from ..core.stages import stages_text
from ..core.symmetry import SymState
from ..errors import BadInput

LEMMA = ("BN after the activation, F'(H) = C K(H) C, is conjugate to RC then the activation, F(G) = K(C G C): "
         "F' o P = P o F with P G = C G C. Fixed points correspond (G* <-> C G* C); DF' = P DK and DF = DK P have "
         "one characteristic polynomial: the scale-free eigenvalues (algebraic multiplicities, 0 included) and "
         "the spectral radius are equal; eigenvectors and Jordan blocks at 0 may differ; cosines and norm ratio "
         "are of C G* C (post_state), not of G*")
CONVENTION = (" (BN after the activation: eigenvalues of DF'(C G* C)/c, F' = C K(.) C, the same as DF(G*)/c's "
              "with algebraic multiplicities, by conjugation; the eigenvectors differ)")


def after_stages(args, stages, act):
    """The pre-activation --stages text for a post-activation order; BadInput for PHI,rc,rs."""
    if stages != ("nl", "rc"):
        raise BadInput("--stages %s: BN after the activation with RS (y = RS(C phi(z))) is not a conjugate of "
                       "the pre-activation map: its symmetric fixed point is the regular simplex n/(n-1) C by symmetry "
                       "alone (bnverify check --stages %s --property fixed-point --state simplex), its stability is "
                       "not decided; give %s,rc"
                       % (args.stages, args.stages, act.name))
    return "rc," + act.name


def compute(args, stages, act, compute_pre, state):
    """The pre-activation document for the same options, read at C G* C (module docstring)."""
    pre = copy.copy(args)
    pre.stages, pre.stages_typed = after_stages(args, stages, act), args.stages
    doc = compute_pre(pre)
    if isinstance(doc.get("asymptotics"), dict):        # the branch's leading terms are G*'s, not C G* C's
        doc["asymptotics"] = dict(doc["asymptotics"], of="G*, the pre-activation state of RC then NL (C G* C's own "
                                  "cosines: results[].post_state; its odd point tends to anti-parallel)")
    post_text = stages_text(stages, act.name)
    if "stages" in doc:
        doc["stages"] = post_text
    doc["eigenvalue_convention"] += CONVENTION
    model = {"stages": post_text}
    if act.takes_alpha:
        model["alpha"] = str(act.slope)
    data = {"id": "%s-after" % state, "title": "%s state, BN after the activation" % state, "property":
            "spectral-radius", "statement": "the %s state read after the activation" % state, "expect": "proved",
            "model": model, "domain": {"n": str(args.n if getattr(pre, "range", None) is None else pre.range)},
            "params": {"state": state, "relation": "<", "bound": "1"}}
    v = properties.check(spec.claim_from_dict(data, "%s command" % state))
    doc["conjugation"] = {"lemma": LEMMA, "stages": post_text, "from_stages": pre.stages, "status": v.status,
                          "checked": bool(v.evidence.get("checked")), "statement": v.evidence.get("statement"),
                          "reason": v.evidence.get("reason") if v.status != "proved" else None}
    for row in doc["results"]:
        if all(f in row for f in ("cluster_cos", "odd_cos", "norm_ratio")):
            row["post_state"] = post_state(row, row["n"])
    return doc


def post_state(row, n, prec=128):
    """Enclosures [lo, hi] (decimal strings, rounded outward) of C G* C's cluster cosine, odd cosine
    and norm ratio from a row's enclosures of G*'s (cluster points of norm 1, the odd point of norm
    norm_ratio)."""
    from fractions import Fraction

    from flint import ctx as flint_ctx

    from ..derive import balls

    with flint_ctx.workprec(prec):
        ctx = balls.ball(prec)
        c, o, r = (balls.ball_from(Fraction(row[f][0]), Fraction(row[f][1]), ctx)
                   for f in ("cluster_cos", "odd_cos", "norm_ratio"))
        out = SymState(ctx.const(1), c, o * r, r * r).centred(n).geometry(ctx)
        return {name: balls.bounds(x) for name, x in zip(("cluster_cos", "odd_cos", "norm_ratio"), out)}


def text(doc):
    """Lines for a reader: what the document is, by conjugation, and the kernel's verdict."""
    cj = doc.get("conjugation")
    if not cj:
        return []
    lines = ["BN after the activation (%s), read from %s by conjugation: %s" % (cj["stages"], cj["from_stages"],
                                                                               cj["lemma"]),
             "trusted kernel on the post-activation claim itself: %s%s" % (
                 cj["status"], (": " + cj["statement"]) if cj["status"] == "proved" else ": %s" % cj["reason"])]
    rows = [r for r in doc["results"] if "post_state" in r]
    if rows:
        lines.append("C G* C (the post-activation state): n, cluster cosine, odd cosine, norm ratio")
        for r in rows:
            p = r["post_state"]
            lines.append("  n = %d: %s" % (r["n"], ", ".join("[%s, %s]" % (p[f][0][:14], p[f][1][:14]) for f in
                                                           ("cluster_cos", "odd_cos", "norm_ratio"))))
    return lines
