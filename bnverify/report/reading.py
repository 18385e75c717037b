"""What the report says about a claim besides its numbers: which sentence of the paper it makes
precise, what its verdict trusts, and its limits.  Everything here is derived from the claim's
data (model, domain, property, method, certificate); only the paper's sentences are quoted."""
from __future__ import annotations

from ..core import activations

# The abstract's sentences (arXiv 2412.02843), quoted; the words in quotation marks are the
# paper's.  ``claims``: the ids whose precise statements read the sentence.
PAPER = [
    {"key": "configuration",
     "quote": "When both [recentering and a non-linearity] are present, at initialization, \u201cthe "
              "representation of the batch converges to a single cluster except for an odd data point that "
              "breaks far away from the cluster in an orthogonal direction\u201d.",
     "reading": "Read as: one layer maps every two-point batch into the configuration O_n (n-1 equal "
                "points, one orthogonal odd point), with a stated norm ratio; O_n's Gram matrix is a fixed "
                "point of the infinite-width dynamics; and which state next to O_n attracts, from which n on.",
     "claims": ["centering-rank-one", "invariance-relu", "invariance-rs", "norm-ratio", "gram-fixed-point",
                "attractor", "attractor-threshold", "finite-width"]},
    {"key": "simplified-model",
     "quote": "The authors analyse \u201cthe geometrical evolution of a simplified indicative model\u201d.",
     "reading": "Read as: the infinite-width Gram dynamics restricted to states symmetric in the cluster "
                "(cluster cosine, odd cosine, norm ratio), which after one step is a 1-D map h(rho) (see the "
                "figure); its fixed points, their stability, where a new one appears, and which starts end "
                "where (the basins).",
     "claims": ["gram-fixed-point", "jacobian-spectrum", "simplex-state", "attractor", "attractor-threshold",
                "attractor-fold", "attractor-leaky", "classification", "basin-attractor", "basin-attractor-all",
                "basin-simplex"]},
    {"key": "stability",
     "quote": "They \u201cprove a stability result for the aforementioned configuration\u201d.",
     "reading": "Read literally: O_n is a linearly stable fixed point (stability-naive, decided from the "
                "closed-form spectrum); and, more weakly, which perturbation directions decay, and the "
                "stability of the spread-cluster state next to O_n; with RS too (full batch normalization), "
                "the stability of the symmetric state that replaces it.",
     "claims": ["stability-naive", "jacobian-spectrum", "stability-directions", "leaky-relu",
                "rs-linearization", "rs-growth", "rs-basins", "attractor", "attractor-leaky", "bsb1-stable"]},
]

TOOLS = {"exact": "sympy (exact algebra)", "SMT": "z3 and cvc5 (both must answer unsat)",
         "ball": "python-flint's arb (ball arithmetic)", "arb": "python-flint's arb (ball arithmetic)",
         "Krawczyk": "Krawczyk's operator evaluated in arb", "Gershgorin": "Gershgorin discs in arb"}

ITEMS = {"symmetric-state": "a Krawczyk box of the fixed point with a dyadic eigenvector matrix V and a "
                            "preconditioner Y, re-checked in arb by the trusted kernel (one per n)",
         "all-n-branch": "t-boxes covering t = 1/n in [0, 1/n_from]: the branch of fixed points and its "
                         "symmetry blocks' margins, re-checked in arb for every n at once",
         "simplex-branch": "t-boxes covering [0, 1/n_from] on which the simplex state's closed-form "
                           "eigenvalues are bounded in arb",
         "classification-branch": "t-columns covering t = 1/n in [0, 1/n_from] and boxes of four charts of "
                                  "(t, rho) on which the sign of h(rho) - rho, convexity, a Taylor model at the "
                                  "simplex and h's monotonicity are shown in arb: every n's fixed points and basins",
         "rs-cover": "pieces of rho between RC alone's partner and attractor on which an enclosure of RC + RS's "
                     "reduced map (the Laplace integral on the symmetric family, mean-value form) lies below the "
                     "piece, re-checked in arb by the trusted kernel (one per n)",
         "kernel-null": "points with rational coordinates and a null vector of K(Sigma), re-checked exactly "
                        "(sympy) by the trusted kernel, which computes which hypothesis the points satisfy"}


def paper_links(rows):
    """PAPER with, for each sentence, the claims of ``rows`` that read it (in that order)."""
    by_id = {r["id"]: r for r in rows}
    return [dict(p, claims=[c for c in p["claims"] if c in by_id]) for p in PAPER]


def sentences_of(claim_id):
    return [p["key"] for p in PAPER if claim_id in p["claims"]]


def trusts(row, certificate=None):
    """What a verdict rests on, as a list of sentences."""
    v = row.get("verdict")
    method = row.get("method", "")
    if v not in ("proved", "refuted"):
        return ["Nothing: an inconclusive verdict has no certificate and proves nothing."]
    out = []
    if "trusted kernel" in method:
        out.append("The trusted checker (bnverify/trusted/) derived the proof obligation from the structured "
                   "claim (model, property, domain, parameters) and decided it with its own model; the untrusted "
                   "search that produced the evidence is not trusted.")
    used = [t for k, t in TOOLS.items() if k in method]
    if used:
        out.append("Libraries: " + "; ".join(dict.fromkeys(used)) + ", and the Python runtime.")
    items = (certificate or {}).get("evidence") or []
    kinds = sorted({e.get("type") for e in items if isinstance(e, dict) and e.get("type")})
    for k in kinds:
        out.append("Certificate evidence: %s." % ITEMS.get(k, k))
    if certificate is not None and not items:
        out.append("The certificate carries no search data: the checker re-derives the verdict from the claim "
                   "alone.")
    tools = (certificate or {}).get("tools")
    if tools:
        out.append("Versions recorded in the certificate: " + ", ".join("%s %s" % kv for kv in sorted(tools.items())))
    return out


def limits(row):
    """What the verdict does not say, derived from the claim's data."""
    claim = row.get("claim") or {}
    out = []
    stages = claim.get("stages")
    act = claim.get("activation")
    if stages is not None and act:
        out.append("Only the model %s: other stage subsets, orders or activations are not decided by this claim."
                   % " + ".join([s.upper() for s in stages] + [act]))
    dom = claim.get("domain") or {}
    n = dom.get("n")
    if n:
        out.append("Batch sizes n in %s%s." % (n, "" if n.endswith("..") else " only"))
    if dom.get("alpha") and activations.takes_alpha(act):
        out.append("Leaky slopes alpha in %s." % dom["alpha"])
    prop = row.get("property") or claim.get("property", "")
    if prop != "finite-width" and "width" not in dom:
        out.append("The infinite-width Gram dynamics (d -> infinity), at initialization; finite width is "
                   "only sampled (see finite-width).")
    per_n = (row.get("evidence") or {}).get("per_n")
    if isinstance(per_n, dict):
        other = sorted({str(v) for v in per_n.values()} - {row.get("verdict")})
        if other:
            out.append("Per-n parts with other verdicts (%s) are part of what the claim states, not a failure."
                       % ", ".join(other))
    reason = (row.get("evidence") or {}).get("reason")
    if row.get("verdict") == "inconclusive" and reason:
        out.append("Undecided: %s." % str(reason).rstrip("."))
    if row.get("verdict") == "refuted":
        out.append("Refuted: the precise reading is false; claims that use it build on the refutation.")
    return out


def _positive_from(p, n, lo):
    """True if the polynomial ``p`` in n is positive for every real n >= lo: in m = n - lo >= 0 its
    coefficients are all >= 0 and its constant term is > 0 (a sufficient test, exact)."""
    import sympy as sp

    m = sp.Symbol("m", nonnegative=True)
    q = sp.Poly(sp.expand(p.subs(n, m + lo)), m)
    coeffs = q.all_coeffs()
    return all(c.is_number and c >= 0 for c in coeffs) and coeffs[-1] > 0


def for_every_n(row, by_id):
    """Why a refuted bound r < b on the spectral radius fails for every n of the domain, not only
    at the kernel's witness: a closed-form eigenvalue lam of a proved spectrum the claim uses with
    lam - b > 0 for every n >= n_min (computed here in sympy: lam - b factored, its numerator and
    denominator positive from n_min on).  None if there is no such eigenvalue or the claim is not
    of that kind.  Returns {"uses", "text", "latex"}."""
    import sympy as sp

    claim = row.get("claim") or {}
    params = claim.get("params") or {}
    if row.get("verdict") != "refuted" or claim.get("property") != "spectral-radius" \
            or params.get("relation") not in ("<", "<="):
        return None
    n = sp.Symbol("n", positive=True)
    try:
        bound = sp.Rational(str(params.get("bound", "1")))
        lo = int(str((claim.get("domain") or {}).get("n", "")).split("..")[0])
    except (ValueError, TypeError):
        return None
    for uid in row.get("uses") or []:
        used = by_id.get(uid) or {}
        if used.get("verdict") != "proved":
            continue
        for value, _ in ((used.get("claim") or {}).get("params") or {}).get("eigenvalues") or []:
            lam = sp.sympify(value, locals={"n": n})
            gap = sp.factor(sp.together(lam - bound))
            num, den = sp.fraction(gap)
            if lam.free_symbols == {n} and _positive_from(num, n, lo) and _positive_from(den, n, lo):
                from .pretty import formula
                return {"uses": uid,
                        "text": "%s - %s = %s > 0 for every n >= %d" % (formula(sp.sstr(lam)), bound,
                                                                         formula(sp.sstr(gap)), lo),
                        "latex": r"%s - %s = %s > 0 \quad \text{for every } n \ge %d" % (
                            sp.latex(lam), sp.latex(bound), sp.latex(gap), lo)}
    return None


__all__ = ["PAPER", "paper_links", "sentences_of", "trusts", "limits", "for_every_n"]
