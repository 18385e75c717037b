"""Trusted checks of evidence items.  Each check re-verifies one item with the checker's own
model and returns the FACT it establishes, in the checker's words (model, n, alpha, state,
bound), computed here, never read from the item's labels:

``symmetric-state``  {n, alpha, prec, box, Y[, V, bound]}: Krawczyk proves that the reduced map
    of RC + leaky ReLU(alpha) has exactly one fixed point in the box; the checker names the
    state (the simplex, or a spread cluster: o < 1, x != o); with V and bound, Gershgorin
    discs per symmetry block bound the scale-free spectral radius: radius < bound.
``classification``  {n, alpha, prec, intervals}: every rho of [-1/(n-2), 1] decided; the
    number of spread-cluster solutions of h(rho) = rho is counted here.
``all-n-branch``  {n_from, alpha, prec, boxes}: for every n >= n_from a spread-cluster fixed
    point, unique with n arccos(rho) in the box (bnverify/trusted/alln.py).
``simplex-branch``  {n_from, alpha, prec, boxes}: for every n >= n_from the simplex state has
    spectral radius < 1 (bnverify/trusted/simplex.py).
``classification-branch``  {n_from, prec, charts, columns, l2, u2, limit}: for every n >= n_from
    exactly four solutions of h(rho) = rho (bnverify/trusted/classify.py).
``basin-cover``  {n, alpha, prec, pieces}: the exact basin of every fixed point of the reduced
    map rho -> h(rho) on [-1/(n-2), 1] (bnverify/trusted/basins.py).
``rs-cover``  {n, alpha, prec, pieces}: h_RS(rho) < rho on the pieces' union, RC + RS + leaky ReLU(alpha)
    on the symmetric family (bnverify/trusted/rs_family.py).
``two-point-bracket``  {activation, alpha, weight_var, n, lo, hi, prec}: RC + a non-homogeneous
    activation (or a formula) has a two-point fixed point at a distance s in (lo, hi); every block
    of DF over the bracket (bnverify/trusted/twopoint.py).
``two-point-cover``  {activation, alpha, weight_var, n, lo, hi, prec, T, below, above[, brackets, eps,
    slopes]}: every root s > 0 of S(s) = s lies in (lo, hi) or one of the further brackets (a cover
    of (0, infinity): a lemma near 0, pieces in balls or by the slope, a bound beyond the last cut),
    with the spectral radius of DF over each bracket.
``simplex-bracket``  {the same fields}: RC + a non-homogeneous activation has a simplex fixed point
    s I + b J with s in (lo, hi) (Mehler's series at correlation -1/(n-1), mehler.py); every block
    of DF over the bracket (bnverify/trusted/twopoint.py).
``simplex-cover``  {the two-point cover's fields}: every root of the simplex state's S(s) = s lies in
    (lo, hi): a small-s lemma, pieces in balls (Mehler's series), S(s) < osc^2/2.
``two-point-none``, ``simplex-none``  {activation, alpha, weight_var, n, prec, T, eps, cuts}: S(s) < s
    for every s > 0 (gelu, silu, elu, softplus: phi = relu - h with h bounded), so no fixed point.
``two-point-grow``, ``simplex-grow``  {the same fields}: S(s) > s for every s > 0 (the scale grows), so no fixed point.
``spread-box``  {activation, alpha, weight_var, n, prec, q_lo, q_hi, p_lo, p_hi, Y[, terms]}: Krawczyk in the
    symmetric family's (q, p): a spread-cluster fixed point of RC + gelu, erf or sin (closed kernels), or silu,
    softplus or elu (Mehler's series of ``terms`` terms), alone in the box, with the spectral radius of DF
    enclosed, every block of DF (bnverify/trusted/spreadbox.py).
``kernel-null``  {alpha, points, null}: K(Sigma) null = 0 exactly for rational points; the
    hypothesis they satisfy computed here (bnverify/trusted/rank.py).
"""
from __future__ import annotations

import copy
import math
from fractions import Fraction

from .alln import check_branch
from .basins import check_basin_cover
from .classify import check_classification as check_classification_branch, size as classify_size
from .base import Q, Rejected, ball, canonical, dyadic, edge_to_edge, rat_range, table
from .rank import check_null
from .rs_family import check_rs_cover
from .model import (Dual, gershgorin_bound, interval_holds, kappa, kernel_constants,
                    reduced_map, symmetric_blocks)
from .simplex import check_simplex_branch
from .spreadbox import check_spread_box
from . import formula
from .mehler import terms
from .twopoint import RELU_GAP, check_bracket, check_cover, check_none
from .spreadfam import MAX_LEAVES, MEH, ODD, check_spread_none, check_spread_point, odd_integrals

N_MAX = 64               # classification and basin covers: per n up to here
STATE_N_MAX = 10 ** 6    # a symmetric state's box: its blocks cost the same at every n (class patterns)
MAX_CLASSIFICATION_WORK = 5000 * 128     # intervals x bits: genuine covers have < 700 at 128
EXCLUSIONS = ("natural", "mean-value", "monotone")      # the ways model.interval_holds excludes a root


def _n_alpha_prec(item, real_n=False, n_max=N_MAX):
    n = Q(item["n"]) if real_n else item["n"]
    if not real_n and type(n) is not int:
        raise Rejected("n %r is not an integer" % (n,))
    alpha, prec = Q(item["alpha"]), item["prec"]
    if type(prec) is not int or not (3 <= n <= n_max and 0 <= alpha < 1 and 64 <= prec <= 4096):
        raise Rejected("n, alpha or prec out of range (3 <= n <= %d, 0 <= alpha < 1)" % n_max)
    return n, alpha, prec


def check_symmetric_state(item):
    """Krawczyk: K(X) = m - Y f(m) + (I - Y J_f(X)) (X - m), f = T - id, strictly inside the
    box X proves that T has exactly one fixed point in X."""
    from flint import arb, ctx

    n, alpha, prec = _n_alpha_prec(item, n_max=STATE_N_MAX)
    with ctx.workprec(prec):
        A, B = kernel_constants(alpha)
        box = [table(v, "a box coordinate", {"mid": list, "rad": list}) for v in item["box"]]
        m = [ball(dyadic(v["mid"])) for v in box]
        rad = [dyadic(v["rad"]) for v in box]
        if len(m) != 3 or min(rad) <= 0:
            raise Rejected("the box needs three coordinates with positive radii")
        X = [arb(mi, ball(r)) for mi, r in zip(m, rad)]
        Y = [[ball(Q(v)) for v in row] for row in item["Y"]]
        if len(Y) != 3 or any(len(row) != 3 for row in Y):
            raise Rejected("Y is not 3 x 3")
        Tm, _ = reduced_map(m, n, A, B)
        TX, _ = reduced_map([Dual(X[i], [int(i == j) for j in range(3)]) for i in range(3)], n, A, B)
        for i in range(3):
            K = m[i] - sum(Y[i][k] * (Tm[k] - m[k]) for k in range(3))
            for j in range(3):
                K += (int(i == j) - sum(Y[i][k] * (TX[k].g[j] - int(k == j)) for k in range(3))) * (X[j] - m[j])
            if not (K.is_finite() and X[i].contains_interior(K)):
                raise Rejected("the Krawczyk operator is not inside the box")
        o, x, b = X
        cos = kappa(arb(-1) / (n - 1), A, B) / A
        if o.contains(cos) and x.contains(cos) and b.contains(1):
            state = "simplex"
        elif o < 1 and (x - o > 0 or x - o < 0):
            state = "spread-cluster"
        else:
            raise Rejected("the box is neither the simplex state nor a spread-cluster state")
        below = None
        if item.get("V") is not None:
            bound = Q(item["bound"])
            blocks = symmetric_blocks(X, n, A, B)
            if set(blocks) != set(item["V"]):
                raise Rejected("V does not name every block")
            for comp, M in blocks.items():
                if not gershgorin_bound(M, item["V"][comp]) < ball(bound):
                    raise Rejected("block %s not shown below %s" % (comp, bound))
            below = bound
    return {"fact": "fixed-point", "n": n, "alpha": alpha, "state": state, "radius_below": below}


def check_classification(item):
    """Every S_{n-1}-symmetric fixed point has C G C with cluster correlation rho solving
    h(rho) = rho (model.curve).  The intervals must cover [-1/(n-2), 1] edge to edge, each
    of its kind; the solutions are O_n, the simplex and one per 'root' interval."""
    from flint import ctx

    n, alpha, prec = _n_alpha_prec(item, real_n=True)
    if not isinstance(item["intervals"], list) or len(item["intervals"]) * prec > MAX_CLASSIFICATION_WORK:
        raise Rejected("the intervals exceed the work budget (intervals x bits <= %d)" % MAX_CLASSIFICATION_WORK)
    ivs = [(Q(lo), Q(hi), kind, how) for lo, hi, kind, how in item["intervals"]]
    if any((how is not None) if kind != "excluded" else how not in EXCLUSIONS for _, _, kind, how in ivs):
        raise Rejected("an interval's 'how' is not read for its kind (only an excluded interval names one of %s)"
                       % ", ".join(EXCLUSIONS))
    edge_to_edge(ivs, Fraction(-1) / (n - 2), Fraction(1), "intervals", floor=Fraction(-1))
    with ctx.workprec(prec):
        A, B = kernel_constants(alpha)
        for i, (lo, hi, kind, how) in enumerate(ivs):
            if not interval_holds(lo, hi, kind, how, n, A, B):
                raise Rejected("interval %d [%s, %s] is not shown %s" % (i, lo, hi, kind))
    return {"fact": "classified", "n": n, "alpha": alpha,
            "spread_cluster_states": sum(kind == "root" for _, _, kind, _ in ivs)}


CHECKS = {"symmetric-state": check_symmetric_state, "classification": check_classification,
          "all-n-branch": check_branch, "simplex-branch": check_simplex_branch,
          "classification-branch": check_classification_branch,
          "basin-cover": lambda item: check_basin_cover(item, N_MAX), "kernel-null": check_null,
          "rs-cover": lambda item: check_rs_cover(item, N_MAX), "two-point-bracket": check_bracket,
          "two-point-cover": check_cover, "simplex-bracket": lambda item: check_bracket(item, "simplex"),
          "simplex-cover": lambda item: check_cover(item, "simplex"), "two-point-none": check_none,
          "simplex-none": lambda item: check_none(item, "simplex"), "spread-none": check_spread_none,
          "two-point-grow": lambda item: check_none(item, "two-point", 1),
          "simplex-grow": lambda item: check_none(item, "simplex", 1),
          "spread-point": check_spread_point}
FIELDS = {"symmetric-state": ({"type": str, "n": int, "alpha": str, "prec": int, "box": list, "Y": list},
                              {"V": dict, "bound": str}),
          "classification": ({"type": str, "n": str, "alpha": str, "prec": int, "intervals": list}, {}),
          "all-n-branch": ({"type": str, "n_from": int, "alpha": str, "prec": int, "boxes": list},
                           {"stable": bool}),
          "simplex-branch": ({"type": str, "n_from": int, "alpha": str, "prec": int, "boxes": list}, {}),
          "classification-branch": ({"type": str, "n_from": int, "prec": int, "charts": dict, "columns": list,
                                     "l2": list, "u2": list, "limit": list}, {}),
          "basin-cover": ({"type": str, "n": int, "alpha": str, "prec": int, "pieces": list}, {}),
          "kernel-null": ({"type": str, "alpha": str, "points": list, "null": list}, {}),
          "rs-cover": ({"type": str, "n": int, "alpha": str, "prec": int, "pieces": list}, {}),
          "two-point-bracket": ({"type": str, "activation": str, "alpha": str, "weight_var": str, "n": int, "lo": str,
                                 "hi": str, "prec": int}, {}),
          "two-point-cover": ({"type": str, "activation": str, "alpha": str, "weight_var": str, "n": int, "lo": str,
                               "hi": str, "prec": int, "T": str, "below": list, "above": list},
                              {"brackets": list, "eps": str, "slopes": list})}
FIELDS["spread-none"] = ({"type": str, "activation": str, "alpha": str, "weight_var": str, "n": int, "prec": int,
                          "top": str, "tree": str}, {"delta": list, "rho": list})     # gelu's bound (spreadfam.gelu_bound)
FIELDS["spread-point"] = ({"type": str, "activation": str, "alpha": str, "weight_var": str, "n": int, "prec": int,
                           "q_lo": str, "q_hi": str, "p_hi": str}, {"root_lo": str, "root_hi": str})
CHECKS["spread-box"] = check_spread_box
FIELDS["spread-box"] = ({"type": str, "activation": str, "alpha": str, "weight_var": str, "n": int, "prec": int,
                         "q_lo": str, "q_hi": str, "p_lo": str, "p_hi": str, "Y": list}, {"terms": int})
FIELDS["simplex-bracket"] = FIELDS["two-point-bracket"]
FIELDS["simplex-cover"] = FIELDS["two-point-cover"]
FIELDS["two-point-none"] = FIELDS["simplex-none"] = ({"type": str, "activation": str, "alpha": str, "weight_var": str,
                                                    "n": int, "prec": int, "T": str, "eps": str, "cuts": list}, {})
FIELDS["two-point-grow"] = FIELDS["simplex-grow"] = FIELDS["two-point-none"]


# the list an item's cost grows with, and the cost of one of its entries per bit, measured:
# a branch box (a Taylor model in t) costs some 30 times a basin piece or a classified interval
SIZED = {"symmetric-state": ("box", 8), "classification": ("intervals", 1), "all-n-branch": ("boxes", 32),
         "simplex-branch": ("boxes", 32), "basin-cover": ("pieces", 1), "kernel-null": ("points", 4),
         "classification-branch": ("columns", 16),   # weighed by classify.size (every box and piece)
         "rs-cover": ("pieces", 250),      # times n (work below)
         "two-point-bracket": (None, 4000),         # one bracket: six integrals and the pair block's, some 0.03 s
         "two-point-cover": ("below", 500),       # per cut of both lists (work below): three integrals each
         "simplex-bracket": (None, 150),          # per Mehler term (work below): 0.96 s for 69 at n = 3, 128 bits;
         # per Mehler term of each piece, by its tolerance (work below): genuine covers take 3 to 10 s per
         # budget, the worst pieces found (erf, sigmoid at sigma_w^2 s up to 400, narrow) some 50 s
         "simplex-cover": ("below", 1),
         "two-point-none": ("cuts", 500), "simplex-none": ("cuts", 2),     # as the covers' cuts (gelu's erf: x2)
         "two-point-grow": ("cuts", 500), "simplex-grow": ("cuts", 2),     # the -none items' pieces and lemmas
         "spread-none": ("tree", 3), "spread-point": (None, 3)}       # per 2 cells of the quadtree: 70 to 95 us each at 128 bits (measured, erf n = 8..32)
ODD_INTEGRAL = 10       # per bit of 128: 0.8 ms, one acb.integral of two Hermite coefficients of tanh or sigmoid, weighted
#                         by its steepness (odd_integrals): 0.47 to 0.82 ms measured per weighted one on genuine covers
#                         (n = 4, sigma_w^2 2 to 32, a loaded machine); alone, wide balls: 1.9 ms at q near 1 (weight
#                         5/4), 5 ms at q 64 to 800 (weight 4): a hostile tree of such cells takes some 2 x its price
# the series' integrals cost as much at 64 bits as at 128, and grow with sqrt(q): sin 84 s at weight_var hi = 10^6,
# sigmoid 3.4 s at 22 (n = 3, 128 bits; tanh 1 s at 1), so times 1 + sqrt(weight_var hi)/2 (measured)
SIZED["spread-box"] = (None, 10)      # 5 kernel values, 2 + 7 series passes, every block: 2 to 3 ms (measured)
MEHLER_INTEGRAL = 40    # per bit of 128 and coefficient, times 1 + t/60 for t = terms + 4: all coefficients from one
#                         Gauss-Legendre node set (mehler._legendre), a box's check 0.2 s at 20 terms to 2 s at 190
#                         (measured, silu n = 8 and elu n = 10 boxes, 128 and 256 bits, a loaded machine: 0.013 to
#                         0.1 us per unit of price at 120, 0.04 to 0.29 at 40, against CERT_WORK's 0.6): a silu box of
#                         60 terms 2.7 million, every terms <= MAX_TERMS within the budget (at 120, acb.integral per
#                         coefficient: some 24 ms + 0.6 ms k each, 4.5 s for that box)


def _steep(item, top):
    """1 + isqrt(weight_var top)/2: the growth of a series' cost with its variance (top: its largest s)."""
    return 1 + math.isqrt(min(10 ** 12, max(0, math.ceil(Q(item["weight_var"]) * top)))) // 2


def _cover_terms(item, lists, brackets=1):
    """The Mehler terms a simplex-cover's re-check sums, each weighed by its accuracy: per piece [a, b]
    those of its tolerance tol = max(2^-60, (b - a)/b), at 20 + 2 log2(1/tol) each (measured: a term at
    2^-60 costs some seven times one at 1/10), and the bracket's radius at 2^-60 (read off the item,
    before any arithmetic)."""
    r = Fraction(1, item["n"] - 1)
    total = 2 * 140 * (terms(r, 2.0 ** -60) + 3) * brackets
    for cuts in lists:
        if not isinstance(cuts, list) or len(cuts) > 4096:
            raise Rejected("a cover's cuts must be a list of at most 4096")
        qs = [Q(c) for c in cuts]
        for a, b in zip(qs, qs[1:]):
            tol = max(2.0 ** -60, float(min((b - a) / b, 1))) if b > 0 and b > a else 2.0 ** -60   # exact ratio,
            # at most 1: no float overflow (a cut far below 0: the check rejects it) or zero at 2000 digits
            total += (terms(r, tol) + 3) * (20 + 2 * min(60, -math.log2(min(tol, 1.0))))
    return total


def _gap_cover(item):
    """A relu - h simplex-cover's price per bit, by measurement (docs/two-point.md, "Pricing"): a piece [a, b] at tol =
    max(2^-60, (b - a)/b) costs u(tol) = (terms + 3)(20 + 2 log2(1/tol)) + 150, one by its slope u(tol 2^-20) + u(tol)
    (the midpoint's series, the ball's partials), times 2 + L^2/10 with L = log2(1 + weight_var b) (the integrals grow
    with the variance); each bracket's radius 280 (terms at 2^-60 + 3) times _steep at its hi."""
    r, w = Fraction(1, item["n"] - 1), Q(item["weight_var"])
    u = lambda tol: (terms(r, tol) + 3) * (20 + 2 * min(60, -math.log2(tol))) + 150      # noqa: E731
    if len(item["below"]) + len(item["above"]) > 4096:
        raise Rejected("a cover's cuts must be at most 4096")
    qs, slopes = [Q(c) for c in item["below"] + item["above"]], {i for i in item.get("slopes", []) if type(i) is int}
    his = [Q(item["hi"])] + [Q(b[1]) for b in item.get("brackets", []) if isinstance(b, list) and len(b) == 2]
    total = sum(2 * 140 * (terms(r, 2.0 ** -60) + 3) * _steep(item, h) for h in his)
    for i, (a, b) in enumerate(zip(qs, qs[1:])):
        tol = max(2.0 ** -60, float(min((b - a) / b, 1))) if b > 0 and b > a else 2.0 ** -60
        L = math.log2(1 + float(max(0, min(w * b, 10 ** 12))))
        total += (u(max(2.0 ** -60, tol * 2.0 ** -20)) + u(tol) if i in slopes else u(tol)) * (2 + L * L / 10)
    return math.ceil(total)


def _typed(item):
    if not isinstance(item, dict) or not isinstance(item.get("type"), str) or item["type"] not in CHECKS:
        raise Rejected("unknown evidence item %r" % (item.get("type") if isinstance(item, dict) else item,))
    return table(item, "a %s item" % item["type"], *FIELDS[item["type"]])


def work(item):
    """What re-checking an item costs, read off its shape before any arithmetic: its boxes,
    intervals, pieces or points times its working precision in bits (64 where it names none),
    weighted by the cost of one entry (SIZED), and for a user's formula by its tree's nodes."""
    return _work(item) * formula.weight(item.get("activation"))


def _work(item):
    _typed(item)
    prec = item.get("prec", 64)
    if not 0 < prec <= 4096:
        raise Rejected("a %s item's precision %r is outside 1..4096 bits" % (item["type"], prec))
    if item["type"] == "classification-branch":     # its columns hold lists of their own
        return classify_size(item) * prec * 16
    field, weight = SIZED[item["type"]]
    if item["type"] == "two-point-cover":         # each bracket's radius as two cuts
        return (len(item["below"]) + len(item["above"]) + 2 + 2 * len(item.get("brackets", [])) +
                3 * len(item.get("slopes", []))) * prec * weight            # a slope: seven integrals more
    if item["type"] == "simplex-bracket" and type(item["n"]) is int and item["n"] >= 3:    # its series' length
        return max(prec, 128) * weight * (terms(Fraction(1, item["n"] - 1), 2.0 ** -60) + 3) * _steep(item, Q(item["hi"]))
    if item["type"] == "simplex-cover" and type(item["n"]) is int and item["n"] >= 3 and item["activation"] in RELU_GAP:
        return max(prec, 128) * _gap_cover(item)
    if item["type"] == "simplex-cover" and type(item["n"]) is int and item["n"] >= 3:      # each piece's series
        steep = _steep(item, max([Q(c) for c in item["above"][-1:]] + [Fraction(1)])) \
            if item["activation"] in RELU_GAP else 1     # bounded: s <= 2 osc^2
        return max(prec, 128) * weight * _cover_terms(item, (item["below"], item["above"]),
                                                      1 + len(item.get("brackets", [])) + len(item.get("slopes", []))) * steep
    if item["type"] in ("simplex-none", "simplex-grow") and type(item["n"]) is int and item["n"] >= 3:
        top = max([Q(c) for c in item["cuts"][-1:]] + [Fraction(1)])
        return max(prec, 128) * weight * _cover_terms(item, (item["cuts"],), 0) * _steep(item, top)
    if item["type"] == "spread-point" and item["activation"] in ODD:    # some ten integrals (0.02 to 0.7 s, measured
        return prec * SIZED["two-point-bracket"][1]                    # at weight_var 2 to 100): a bracket's price
    if item["type"] == "spread-box" and type(item.get("terms")) is int:   # Mehler's: four variance balls' terms + 4
        root = math.isqrt(min(1000, math.ceil(max(0, Q(item["p_hi"]), Q(item["q_hi"])))))    # integrals each
        steep = 1 + root // 2 if item["activation"] == "softplus" else 1        # (softplus's: steeper with sqrt q)
        least = 30 * (1 + root // 8) if item["activation"] == "silu" else 30    # a ball's fixed work (silu's poles
        t = min(max(item["terms"], least), 1000) + 4    # pi/sqrt q off the line); coefficient k's ~ 1 + k/40
        return max(prec, 128) * MEHLER_INTEGRAL * 4 * t * (60 + t) // 60 * steep
    if field is None:                       # a fixed cost per item
        return prec * weight
    if item["type"] == "spread-none" and item["activation"] in MEH:     # and each Gaussian integral of its variances'
        if not isinstance(item["tree"], str) or len(item["tree"]) > 2 * MAX_LEAVES:   # Hermite coefficients (tanh,
            raise Rejected("a spread-none tree is a string of at most %d cells" % (2 * MAX_LEAVES))   # sigmoid, silu)
        extra = len(item.get("rho", [])) + 128 if item["activation"] != "tanh" and item["activation"] != "sigmoid" else 0     # silu's rho pieces, OMEGA grid
        cells = max(1, len(item["tree"])) + 5 * item["tree"].count("D")     # a "D" leaf: its mean value form, ~6 cells
        return max(prec, 128) * ((cells + extra) * weight // 2 + ODD_INTEGRAL * odd_integrals(item))
    if item["type"] == "spread-none":       # a cell's balls cost as much at 64 bits as at 128; gelu's twice (measured
        g = item["activation"] == "gelu"    # 0.15 ms), and its rho pieces (0.1 ms each) and OMEGA's grid (some 5 ms)
        return (max(1, len(item["tree"])) * (1 + g) + g * (len(item.get("rho", [])) + 64)) * max(prec, 128) * weight // 2
    if item["type"] == "rs-cover":          # a piece's family integral costs 0.01 to 0.015 s x n (measured, n = 7..64)
        weight *= max(1, item["n"]) if type(item.get("n")) is int else 1
    if item.get("V") is not None:          # the Gershgorin blocks cost ten times the Krawczyk test (measured)
        weight *= 10
    return max(1, len(item[field])) * prec * weight


def shape(item):
    """What an item is about, read before any arithmetic: its kind, its n (none for a branch,
    which covers every n from its start) and its slope.  A goal needs one item per shape."""
    _typed(item)
    if item["type"] == "kernel-null":       # one counterexample refutes; exact algebra is costly
        return item["type"], "any", "any"
    if item["type"].endswith("-branch"):    # one branch serves a goal (its slopes may be a range)
        return item["type"], "every n", "any"
    return item["type"], str(item.get("n")), rat_range(item["alpha"])


_SEEN = {}      # an item's canonical text -> its fact: one process re-checks an item once


def check_item(item):
    """The fact an item establishes (Rejected if it does not re-verify)."""
    _typed(item)
    if ("V" in item) != ("bound" in item):
        raise Rejected("a symmetric-state item has V and bound together, or neither")
    try:
        key = canonical(item)
    except (TypeError, ValueError, RecursionError):     # not plain JSON: the check below says why
        key = None
    if key in _SEEN:
        return copy.deepcopy(_SEEN[key])
    try:
        fact = CHECKS[item["type"]](item)
        if len(_SEEN) > 64:
            _SEEN.clear()
        if key is not None:
            _SEEN[key] = copy.deepcopy(fact)
        return fact
    except Rejected:
        raise
    except Exception as e:              # malformed data is a rejection, never a crash
        inner = e
        for _ in range(1000):   # a Rejected raised in acb.integral's callback (a formula's budget) comes wrapped in
            inner = inner.__cause__ or inner.__context__        # SystemErrors by flint: its own words, not "malformed"
            if inner is None or isinstance(inner, Rejected):
                break
        if isinstance(inner, Rejected):
            raise Rejected(str(inner))
        raise Rejected("malformed %s item (%s: %s)" % (item["type"], type(e).__name__, e))
