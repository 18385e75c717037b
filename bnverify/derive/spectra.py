"""The scale-free spectrum at a certified box in the full n(n+1)/2-dimensional dynamics,
enclosed block by block (symmetry blocks over the box) twice: by flint's rigorous
``acb_mat.eig`` and, eigensolver-free, by Gershgorin discs of ``V^-1 B V`` (V an exact
dyadic approximate eigenvector matrix).  The trusted kernel (bnverify/trusted/items.py)
re-verifies these records without any search.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..core import symmetry
from ..core.symmetry import SymState
from .balls import _arb, _frac_str, bounds, enclosure
from .krawczyk import _mids


def state_blocks(X, n, act, ctx):
    """Scale-free symmetry blocks over the box X of a fixed point (scale c = F_a)."""
    state = SymState(ctx.const(1), *X)
    c = symmetry.image(state, n, act, ctx).a
    return symmetry.scale_free_blocks(state, n, act, ctx, c)


def eig_enclosures(B):
    """Eigenvalue enclosures of a ball matrix by flint's rigorous acb_mat.eig (None if it
    fails to isolate even with multiple=True)."""
    from flint import acb_mat, arb_mat

    A = acb_mat(arb_mat(B.tolist()))
    for kw in ({}, {"multiple": True}):
        try:
            E = A.eig(**kw)
        except (ValueError, ZeroDivisionError):
            continue
        if all(e.is_finite() for e in E):
            return list(E)
    return None


def approx_eigvecs(B):
    """Float eigenvector matrix of the midpoint matrix, as exact dyadic [re, im] pairs."""
    _, V = np.linalg.eig(_mids(B))
    return [[[_frac_str(Fraction(float(v.real))), _frac_str(Fraction(float(v.imag)))] for v in row]
            for row in V]


def gershgorin_discs(B, V, ctx):
    """Discs (centre balls c_i, radius balls R_i) of M = V^-1 B V, V exact (dyadic [re, im]
    strings), V^-1 enclosed by flint: every eigenvalue of every matrix in the ball matrix B
    lies in a disc |z - c_i| <= R_i.  None if V is not invertible or an entry is not finite."""
    from flint import acb, acb_mat, arb_mat

    arb = _arb()
    k = len(V)
    Vm = acb_mat([[acb(ctx.const(Fraction(re)), ctx.const(Fraction(im))) for re, im in row] for row in V])
    try:
        Vi = Vm.inv()
    except (ValueError, ZeroDivisionError):
        return None
    M = Vi * acb_mat(arb_mat(B.tolist())) * Vm
    c = [M[i, i] for i in range(k)]
    R = [sum((abs(M[i, j]) for j in range(k) if j != i), arb(0)) for i in range(k)]
    if not all(x.is_finite() for x in c) or not all(r.is_finite() for r in R):
        return None
    return c, R


def gershgorin_components(c, R):
    """Index sets of unions of discs that are certainly disjoint from all other discs (discs
    that might touch are merged: a union of true components is still isolated, and holds as
    many eigenvalues as discs)."""
    k = len(c)
    parent = list(range(k))

    def find(i):
        while parent[i] != i:
            i = parent[i]
        return i
    for i in range(k):
        for j in range(i + 1, k):
            if not (abs(c[i] - c[j]) > R[i] + R[j]):
                parent[find(i)] = find(j)
    comps = {}
    for i in range(k):
        comps.setdefault(find(i), []).append(i)
    return list(comps.values())


def gershgorin_radius(B, V, ctx):
    """Eigensolver-free bounds (lo, hi) (exact Fractions) on the spectral radius of every
    matrix in the ball matrix B, from the discs of :func:`gershgorin_discs`:
    hi = max_i |c_i| + R_i;  lo = max over isolated unions of min_i (|c_i| - R_i)."""
    d = gershgorin_discs(B, V, ctx)
    if d is None:
        return None
    c, R = d
    hi = max(enclosure(abs(c[i]) + R[i])[1] for i in range(len(c)))
    lo = max(min(enclosure(abs(c[i]) - R[i])[0] for i in comp) for comp in gershgorin_components(c, R))
    return max(lo, Fraction(0)), hi


def spectrum_certificate(X, n, act, ctx):
    """Spectral radius of the scale-free linearization over the box X: per block the acb_mat.eig
    enclosure and the Gershgorin bounds, intersected (both are rigorous)."""
    blocks = state_blocks(X, n, act, ctx)
    per, Vs = {}, {}
    lo_all, hi_all = Fraction(0), Fraction(0)
    eig_ok = True
    for comp, (B, mult, modes) in blocks.items():
        E = eig_enclosures(B)
        V = approx_eigvecs(B)
        Vs[comp] = V
        g = gershgorin_radius(B, V, ctx)
        if g is None and E is None:
            return None
        lo, hi = g if g is not None else (Fraction(0), None)
        if E is not None:
            mags = [enclosure(abs(e)) for e in E]
            elo, ehi = max(m[0] for m in mags), max(m[1] for m in mags)
            lo, hi = max(lo, elo), (ehi if hi is None else min(hi, ehi))
        else:
            eig_ok = False
        per[comp] = {"multiplicity": mult, "modes": list(modes), "spectral_radius": (lo, hi),
                     "gershgorin": g, "eigenvalues": None if E is None else
                     [[bounds(e.real), bounds(e.imag)] for e in E]}
        lo_all, hi_all = max(lo_all, lo), max(hi_all, hi)
    return {"blocks": per, "V": Vs, "lo": lo_all, "hi": hi_all, "eig_ok": eig_ok,
            "gershgorin_hi": max(p["gershgorin"][1] for p in per.values())
            if all(p["gershgorin"] for p in per.values()) else None,
            "gershgorin_lo": max(p["gershgorin"][0] for p in per.values())
            if all(p["gershgorin"] for p in per.values()) else None}
