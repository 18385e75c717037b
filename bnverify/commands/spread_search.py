"""What ``attractor`` and ``basins`` report for a non-homogeneous phi (gelu, silu, tanh, erf, elu,
softplus, sigmoid, sin): per n, the trusted kernel's verdicts that exist (the two-point and the
simplex states, bnverify.commands.atlas's cells) and the float search of the symmetric family's
fixed points (bnverify.derive.spread), which is a suggestion: a spread-cluster state found or
not found there is never proved, so every such row is inconclusive (exit 3) with the reason."""
from __future__ import annotations

from ..derive import spread

STATUS = "inconclusive"
REASON = ("the spread-cluster state of RC + %s is not certified here (the trusted kernel decides the two-point and "
          "simplex states; the spread-cluster state only where a collapse or parity lemma or a spread-none cover does, "
          "and proves a point exists where a spread-box or n = 3's spread-point does: bnverify attractor, bnverify "
          "check); the float search of the symmetric family (q, rho) in %s found %s")
# tanh, sigmoid at n = 3: the kernel checks the point {v, -v, 0} (spread-point), not the absence of a stable state
REASON_POINT = ("%s, checked by the trusted kernel (spread-point, one-dimensional integrals); a stable spread-cluster "
                "state of RC + %s is not certified here (no spread-none cover at n = 3 for this phi: the kernel "
                "has no unstable cells for it)")
# erf, sin, tanh, sigmoid beyond the lemma: the kernel does decide them per n, just not in this row
REASON_COVERED = ("the spread-cluster state of RC + %s is not certified in this row (the trusted kernel decides it "
                  "per n from spread-none covers and, at n = 3, a spread-point item: bnverify check, bnverify "
                  "attractor); the float search of the symmetric family (q, rho) in %s found %s")
# gelu, erf, sin where the search's spread-cluster point is confirmed by the kernel (spread-box): it exists
REASON_BOX = ("%s, checked by the trusted kernel; whether a stable spread-cluster state of RC + %s exists is not "
              "decided here (a point proves existence, never the absence of a stable one: that needs a spread-none "
              "cover)")
# gelu, erf, sin where the kernel's box shows every block of DF below 1: attractor-stable proved at that n
REASON_STABLE = ("%s, checked by the trusted kernel: a stable spread-cluster fixed point of RC + %s exists at this n "
                 "(attractor-stable proved; whether it is the smallest such n is not decided: that needs the absence "
                 "of a stable one below)")


def _found_text(points):
    sp = [p for p in points if p["state"] == "spread"]
    if not sp:
        return "no fixed point off the simplex and two-point lines"
    return "%d spread-cluster point(s): %s" % (len(sp), "; ".join(
        "rho %.6g, q %.6g, spectral radius %s (family %.4g)%s" % (
            p["rho"], p["q"], "%.4g" % p["full_radius"] if p["full_radius"] is not None else
            "not computed (a variance 0: the quadrature's derivative formulas divide by it)",
            p["family_radius"], "" if p["persists"] else ", not confirmed by the finer quadrature")
        for p in sp))


def search_summary(doc):
    """The search's result for a document: its label, region, points and time (JSON-ready)."""
    return {"label": doc["label"], "region": doc["region"], "grid": doc["grid"], "nodes": doc["nodes"],
            "points": doc["points"], "spread_found": len(doc["spread"]),
            "stable_spread_found": sum(1 for p in doc["spread"] if p["full_radius"] is not None and
                                       p["full_radius"] < 1),
            "seconds": doc["seconds"]}


def rows(act, w, ns, certified=True):
    """One row per n: status inconclusive, the reason, the kernel's two-point and simplex cells (or
    None where the kernel has no goal), and the search."""
    from . import atlas

    alpha = act.alpha if act.takes_alpha else None
    name = act.text if act.text is not None else act.name          # a formula by its text (atlas reads either)
    out = []
    for n in ns:
        found = spread.search(act, n, float(w))
        region = "q in [%g, %g], rho in [-1/%d, 1]" % (*spread.Q_RANGE, n - 2)
        row = {"n": n, "status": STATUS, "checked": False,
               "reason": (REASON_COVERED if act.kind.spread_cover else REASON) % (act, region,
                                                                                   _found_text(found["points"])),
               "search": search_summary(found), "seconds": found["seconds"],
               "two_point": None, "simplex": None}
        if certified:
            tp = atlas.two_point_cells(name, alpha, w, [n])
            row["two_point"] = None if tp is None else {k: tp[0][k] for k in ("fixed_point", "unstable")}
            sc = atlas.simplex_cells(name, alpha, w, [n])
            row["simplex"] = {"fixed_point": sc[0]["fixed_point"], "stable": sc[0]["stable"],
                              "reason": sc[0]["reason"]}
        out.append(row)
    return out


def kernel_text(row):
    """The kernel's verdicts of one row, as a short text."""
    parts = []
    tp = row.get("two_point")
    if tp is not None:
        parts.append("two-point: fixed point %s, unstable %s" % (
            tp["fixed_point"]["status"], (tp["unstable"] or {}).get("status", "-")))
    sc = row.get("simplex")
    if sc is not None:
        parts.append("simplex: fixed point %s, stable %s" % (sc["fixed_point"], sc["stable"]))
    return "; ".join(parts) or "no kernel goal"


def point_lines(points, indent="  "):
    """The search's points, one line each (float values: suggestions)."""
    out = []
    for p in points:
        out.append("%s%-9s q %-11.6g rho %-12.8g radius family %.5g, full %s%s" % (
            indent, p["state"], p["q"], p["rho"], p["family_radius"],
            "%.5g" % p["full_radius"] if p["full_radius"] is not None else "-",
            "" if p["persists"] else "  (not confirmed by the finer quadrature)"))
    return out or ["%s(no fixed point found)" % indent]
