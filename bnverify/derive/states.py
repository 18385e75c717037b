"""Certified states of the symmetric reduction: a Krawczyk box and its block spectra
for the attractor (after the one-parameter classification) and the simplex state, as a
verdict with the certificate the trusted kernel re-checks.
"""
from __future__ import annotations

import functools
from fractions import Fraction

import numpy as np

from ..core import limits, symmetry
from ..errors import BadInput
from ..core.activations import Activation
from ..core.symmetry import SymState
from ..core.verdict import INCONCLUSIVE, PROVED, REFUTED, Verdict, stopwatch
from . import alln
from .balls import DIGITS, QFLOAT, _decimal, _fmt_act, _frac_str, ball, bounds, exact
from .curve import _centred_corr, _left_end, _simplex_rho, classify, cosines, curve, curve_point
from .krawczyk import _box_json, krawczyk
from .spectra import spectrum_certificate


def simplex_cos(n, act, ctx):
    """kappa(-1/(n-1)) / kappa(1): the pairwise cosine of the simplex fixed point."""
    return act.kappa(ctx.const(Fraction(-1, n - 1)), ctx) / act.kappa_one(ctx)


def certify_state(s_guess, n, act, prec=128, kind="state", bound=1):
    """Krawczyk + spectrum at a fixed point near ``s_guess``: (dict of rigorous enclosures and
    the certificate payload, None), or (None, reason) when a step fails.  ``relation`` in the
    dict is '<' or '>' when the eigensolver-free Gershgorin bound alone separates the spectral
    radius from ``bound`` (the side the checker can re-verify), else None."""
    ctx = ball(prec)
    bound = Fraction(bound)
    kr = krawczyk(s_guess, n, act, prec)
    if not kr["ok"]:
        return None, "Krawczyk test failed (K(X) not inside X)"
    X = kr["X"]
    tight = [kr["K"][i].intersection(X[i]) for i in range(3)]
    cc, oc, nr = cosines(tight, ctx)
    sp = spectrum_certificate(X, n, act, ctx)
    if sp is None:
        return None, "no eigenvalue enclosure for some block"
    gl, gh = sp["gershgorin_lo"], sp["gershgorin_hi"]
    relation = "<" if gh is not None and gh < bound else ">" if gl is not None and gl > bound else None
    cert = {"kind": "krawczyk", "state": kind, "n": n, "activation": _fmt_act(act), "prec": prec,
            "coordinates": ["o", "x", "b"], "box": _box_json(X),
            "y_matrix": [[_frac_str(v) for v in row] for row in kr["Y"]],
            "spectral_bound": None if relation is None else
            {"relation": relation, "bound": _frac_str(bound), "V": sp["V"],
             "method": "Gershgorin discs of V^-1 B V per symmetry block"}}
    one = ctx.const(1)
    so, sc = _centred_corr(SymState(one, *tight), n, ctx)
    out = {"X": X, "tight": tight, "cluster_cos": cc, "odd_cos": oc, "norm_ratio": nr,
           "sr_lo": sp["lo"], "sr_hi": sp["hi"], "relation": relation, "spectrum": sp,
           "scale": symmetry.image(SymState(one, *X), n, act, ctx).a,
           "centred_rho": so / sc, "certificate": cert}
    return out, None


def _outcome(res, relation):
    """PROVED / REFUTED / None for "spectral radius <relation> bound" from certify_state."""
    if res["relation"] is None:
        return None
    want = relation[0]
    return PROVED if res["relation"] == want else REFUTED


def _block_evidence(sp):
    out = {}
    for comp, d in sp["blocks"].items():
        lo, hi = d["spectral_radius"]
        out[comp] = {"multiplicity": str(d["multiplicity"]), "spectral_radius":
                     [_decimal(lo, DIGITS, False), _decimal(hi, DIGITS, True)],
                     "eigenvalues_real_imag": d["eigenvalues"], "modes": d["modes"]}
    return out


def _state_evidence(res):
    sr = [_decimal(res["sr_lo"], DIGITS, False), _decimal(res["sr_hi"], DIGITS, True)]
    return {"cluster_cos": bounds(res["cluster_cos"]), "odd_cos": bounds(res["odd_cos"]),
            "norm_ratio": bounds(res["norm_ratio"]), "spectral_radius": sr,
            "scale_factor": bounds(res["scale"]), "centred_cluster_corr": bounds(res["centred_rho"]),
            "blocks": _block_evidence(res["spectrum"]),
            "eigenvalue_convention": "scale-free: eigenvalues of DF(G*)/c without G*'s own direction",
            "eig_methods": "acb_mat.eig and Gershgorin(V^-1 B V), intersected"
            if res["spectrum"]["eig_ok"] else "Gershgorin(V^-1 B V) only"}


@functools.lru_cache(maxsize=256)
def _float_roots(n, act, grid=3000):
    """Float search for solutions of h(rho) = rho strictly inside (-1/(n-2), 1) (untrusted; kept
    once per process: a pure function of its arguments)."""
    lo = float(_left_end(n)) + 1e-9
    rs = np.linspace(lo, 1 - 1e-9, grid)
    g = lambda r: float(curve(r, n, act, QFLOAT)) - r      # noqa: E731
    roots = []
    with np.errstate(all="ignore"):
        gs = np.array([g(r) for r in rs])
        for i in np.where(np.sign(gs[1:]) * np.sign(gs[:-1]) < 0)[0]:
            a, b, ga = rs[i], rs[i + 1], gs[i]
            for _ in range(60):
                c = (a + b) / 2
                gc = g(c)
                if np.sign(gc) == np.sign(ga):
                    a, ga = c, gc
                else:
                    b = c
            roots.append((a + b) / 2)
    return tuple(roots)


def _branch_rho(n):
    """The attractor's rho at this n from the all-n branch (bnverify.derive.alln): the root v of
    G(v, 1/n) near 3 pi in mpmath, rho = 1 - theta^2 C(theta), theta = v / n.  The same cost at
    every n, and the same for every slope (the roots do not depend on alpha).  A float guess
    for Krawczyk, never a conclusion; None where Newton fails or lands outside the family's
    open interval or on the simplex (below the fold, where the branch has no root, it fails
    or finds the simplex)."""
    try:
        rho = Fraction(str(alln.measure(n, dps=30)["rho"]))         # Newton in balls refines it
    except (ValueError, ZeroDivisionError, ArithmeticError, TypeError):
        return None
    simplex = _simplex_rho(n)
    if not Fraction(-1, n - 2) < rho < 1 or abs(rho - simplex) < Fraction(1, 10 ** 6) * abs(simplex):
        return None
    return rho


def _candidate_grid(n):
    """Grid points for the float search of attracting spread states: the attractor lies about
    43/n^2 below rho = 1 (n = 7..64), so a spacing of a quarter of that sees h - id change sign
    on both of its sides (the unstable partner next to the simplex, which a coarse grid may
    miss, is never a candidate)."""
    return max(400, n * n // 8)


def _spread_candidates(n, act, prec, classification):
    """rho of non-simplex, non-configuration solutions that attract within the family: from the
    classification where there is one, else in floats: a grid search up to n = 64, the all-n
    branch's root (:func:`_branch_rho`) above (a grid cannot resolve rho = 1 - O(1/n^2))."""
    if classification is not None and classification.status == PROVED:
        roots = [f for f in classification.evidence["fixed_points"] if f["kind"] == "root"]
        if any(f["stable_in_family"] is None for f in roots):
            return None
        return [(Fraction(f["rho"][0]) + Fraction(f["rho"][1])) / 2
                for f in roots if f["stable_in_family"]]
    if n > limits.certified_max_n():
        rho = _branch_rho(n)
        return [] if rho is None else [rho]
    out = []
    for r in _float_roots(n, act, _candidate_grid(n)):
        if abs(r - float(_simplex_rho(n))) < 1e-9:
            continue
        _, dh = curve(r, n, act, QFLOAT, slope=True)
        if abs(float(dh)) < 1:
            out.append(Fraction(r))
    return out


def certify_attractor(n, act=Activation("relu"), prec=128, classify_family=None, relation="<", bound=1):
    """The spread-cluster attractor at batch size n: existence and local uniqueness
    (Krawczyk), "spectral radius <relation> bound" in the full scale-free dynamics (default:
    < 1, linear stability), or its absence within the symmetric family (:func:`classify`).

    The box is centred at an attracting root of h(rho) = rho found in floats (a few hundredths
    of a second); only when that does not decide (no candidate, as for n < 7, or a box that
    fails) and ``classify_family`` is set is the whole family classified (about a second),
    which proves the absence or gives certified candidates, and is then in the evidence.
    ``classify_family`` defaults to n <= limits.certified_max_n(), the n at which the trusted
    kernel reads a classification; above it the search costs the same at every n."""
    n = _check_n(n)
    if classify_family is None:
        classify_family = n <= limits.certified_max_n()
    _check_relation(relation)
    with stopwatch() as t:
        v = _attractor(n, act, prec, None, relation, bound)
        if v.status == INCONCLUSIVE and classify_family:
            v = _attractor(n, act, prec, classify(n, act, prec), relation, bound)
    v.seconds = t()
    return v


def _attractor(n, act, prec, cls, relation, bound):
    """certify_attractor from the candidates of the classification ``cls`` (None: floats)."""
    method = "Krawczyk + symmetry-block spectra (arb)"
    subject = "attractor n=%d" % n
    cands = _spread_candidates(n, act, prec, cls)
    family = None if cls is None else {"status": cls.status, "fixed_points": cls.evidence["fixed_points"]}
    if cands is None:
        return Verdict(INCONCLUSIVE, method, {"n": n, "reason": "a solution's slope h' is not "
                       "separated from +-1", "symmetric_family": family})
    if not cands:
        if cls is not None and cls.status == PROVED:
            ev = {"n": n, "activation": str(act), "reason": "no attracting spread-cluster fixed "
                  "point: the symmetric family's fixed points are exactly the listed ones, and "
                  "none but the simplex has |h'| < 1", "symmetric_family": family}
            return Verdict(REFUTED, "interval branch-and-bound on the reduction curve", ev,
                           certificate=cls.certificate, subject=subject)
        return Verdict(INCONCLUSIVE, method, {"n": n, "reason": "no spread-cluster candidate "
                       "found and absence not certified", "symmetric_family": family})
    ctx = ball(prec)
    rho = max(cands)
    s0 = [exact(v.mid()) for v in curve_point(ctx.const(rho), n, act, ctx)]
    res, why = certify_state(s0, n, act, prec, "spread-cluster", bound)
    if res is None:
        return Verdict(INCONCLUSIVE, method, {"n": n, "reason": why, "symmetric_family": family})
    ev = dict(_state_evidence(res), n=n, activation=str(act), symmetric_family=family,
              claim="spectral radius %s %s" % (relation, bound))
    status = _outcome(res, relation)
    if status == PROVED:
        ev["statement"] = ("a unique fixed point of the reduced map lies in the certified box, "
                           "and the scale-free linearization there has spectral radius %s %s"
                           % (relation, bound))
        return Verdict(PROVED, method, ev, certificate=res["certificate"], subject=subject)
    if status == REFUTED:
        ev["reason"] = "the spread-cluster fixed point exists but its spectral radius is %s %s" % (
            res["relation"], bound)
        return Verdict(REFUTED, method, ev, certificate=res["certificate"], subject=subject)
    ev["reason"] = "spectral radius not separated from %s" % bound
    return Verdict(INCONCLUSIVE, method, ev)


def certify_simplex(n, act=Activation("relu"), prec=128, relation="<", bound=1):
    """The simplex state (all pairwise cosines kappa(-1/(n-1))/kappa(1)): a fixed point
    (Krawczyk on the reduced map, box checked to contain the explicit value) and
    "spectral radius <relation> bound" in the full scale-free dynamics (default < 1)."""
    n = _check_n(n)
    _check_relation(relation)
    method = "Krawczyk + symmetry-block spectra (arb)"
    subject = "simplex n=%d" % n
    with stopwatch() as t:
        ctx = ball(prec)
        s = simplex_cos(n, act, ctx)
        res, why = certify_state([exact(s.mid()), exact(s.mid()), Fraction(1)], n, act, prec,
                                 "simplex", bound)
        if res is None:
            return Verdict(INCONCLUSIVE, method, {"n": n, "reason": why}, t())
        X = res["X"]
        if not (X[0].contains(s) and X[1].contains(s) and X[2].contains(ctx.const(1))):
            return Verdict(INCONCLUSIVE, method, {"n": n, "reason": "certified box misses the "
                                                  "explicit simplex value"}, t())
        ev = dict(_state_evidence(res), n=n, activation=str(act), simplex_cos=bounds(s),
                  formula="kappa(-1/(n-1)) / kappa(1)", claim="spectral radius %s %s" % (relation, bound))
        status = _outcome(res, relation)
        if status is not None:
            if status == REFUTED:
                ev["reason"] = "spectral radius is %s %s" % (res["relation"], bound)
            return Verdict(status, method, ev, t(), res["certificate"], subject=subject)
        return Verdict(INCONCLUSIVE, method, dict(ev, reason="spectral radius not separated from %s"
                                                  % bound), t())


def _check_relation(relation):
    if relation not in ("<", "<=", ">", ">="):
        raise BadInput("relation %r: choose <, <=, > or >=" % (relation,))


def _check_n(n):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 3:
        raise BadInput("batch size n must be an integer >= 3 (got %r)" % (n,))
    return int(n)
