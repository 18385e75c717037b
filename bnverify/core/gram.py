"""The infinite-width Gram dynamics ``G -> F(G) = K_phi(C G C)``, its scale-free version
and its derivative, written once for every arithmetic (see :mod:`bnverify.core.arith`).

Matrices may be *dense* (an n x n array) or *quotient* matrices described by a
:class:`Layout`: index classes of (possibly symbolic) size, each class held by one or two
representative rows.  A quotient matrix stands for the full matrix whose entries depend
only on the classes (and on i == j).  The same code then runs for a concrete n and for a
symbolic n, which is how :mod:`bnverify.core.symmetry` obtains blocks whose size does not grow
with n.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Layout:
    """Index classes of a quotient matrix.

    ``classes[r]`` is the class of representative row r; ``sizes[c]`` (a dict) is the number of
    indices in class c (int or sympy expression).  A class of size >= 2 must have two
    representatives (to carry both its diagonal and its off-diagonal entries)."""

    classes: tuple
    sizes: tuple

    def _kept(self, name, make):
        """make(), computed once per layout (a layout is immutable; callers never modify the
        arrays these give, they only multiply by them)."""
        v = self.__dict__.get(name)
        if v is None:
            v = make()
            object.__setattr__(self, name, v)
        return v

    def weights(self):
        """W[i, k]: how many indices representative k stands for, seen from row i."""
        return self._kept("_weights", self._weights)

    def _weights(self):
        m = len(self.classes)
        W = np.empty((m, m), dtype=object)
        first = {}
        for k, c in enumerate(self.classes):
            first.setdefault(c, k)
        for i, ci in enumerate(self.classes):
            for k, ck in enumerate(self.classes):
                s = self.sizes[ck]
                if ck == ci:
                    W[i, k] = 1 if k == i else s - 1
                else:
                    W[i, k] = s if first[ck] == k else 0
        return W

    def firsts(self):
        return self._kept("_firsts", self._firsts)

    def sizes_array(self):
        """The size of each representative's class, as an object array."""
        return self._kept("_sizes_array", lambda: np.array([self.sizes[c] for c in self.classes], dtype=object))

    def _firsts(self):
        seen, out = set(), []
        for k, c in enumerate(self.classes):
            out.append(0 if c in seen else 1)
            seen.add(c)
        return np.array(out, dtype=object)

    @property
    def n(self):
        return self._kept("_n", lambda: sum(self.sizes.values()))


def _row_sums(G, layout):
    if layout is None:
        return G.sum(axis=1)
    return (layout.weights() * G).sum(axis=1)


def _size(G, layout):
    return G.shape[0] if layout is None else layout.n


def _total(r, layout):
    if layout is None:
        return r.sum()
    return (layout.sizes_array() * r * layout.firsts()).sum()


def center(G, layout=None):
    """Sigma = C G C with C = I - 11^T/n:  Sigma_jk = G_jk - r_j/n - r_k/n + t/n^2,
    r the row sums and t the total sum of G."""
    n = _size(G, layout)
    r = _row_sums(G, layout)
    t = _total(r, layout)
    return G - r[:, None] / n - r[None, :] / n + t / (n * n)


def _diag_outer(S, ctx):
    d = ctx.sqrt(np.diagonal(S).copy())
    return d, d[:, None] * d[None, :]


_TRIU = {}      # m -> the indices above the diagonal of an m x m matrix


def _pairs(f, zero, *mats):
    """f on the entries of symmetric matrices above the diagonal, mirrored below, ``zero`` on
    the diagonal (which the callers overwrite).  An entry of an object matrix (balls, intervals,
    sympy, jets) costs a kernel evaluation, so its m(m-1)/2 pairs are evaluated once, not its
    m^2 entries; a float matrix is evaluated whole (numpy)."""
    if mats[0].dtype != object:
        return f(*mats)
    m = mats[0].shape[0]
    if m not in _TRIU:
        _TRIU[m] = np.triu_indices(m, 1)
    i, j = _TRIU[m]
    out = np.full((m, m), zero, dtype=object)
    out[i, j] = out[j, i] = f(*(M[i, j] for M in mats))
    return out


def entry(S, D, act, ctx):
    """K_phi's off-diagonal entry D kappa(S / D), D = sqrt(S_jj S_kk) (arrays or scalars: the
    dense and quotient maps here and the symmetric reduction, symmetry.image, share it)."""
    return D * act.kappa(S / D, ctx)


def kernel(Sigma, act, ctx):
    """K_phi(Sigma)_jk = sqrt(S_jj S_kk) kappa(S_jk / sqrt(S_jj S_kk)), K_jj = kappa(1) S_jj.

    Requires S_jj > 0 (a data point away from the batch mean)."""
    d, dd = _diag_outer(Sigma, ctx)
    K = _pairs(lambda S, D: entry(S, D, act, ctx), ctx.const(0), Sigma, dd)
    np.fill_diagonal(K, np.diagonal(Sigma) * act.kappa_one(ctx))
    return K


def F(G, act, ctx, layout=None, stages=("rc",)):
    """F(G) = K_phi(C G C) (or K_phi(G) without RC)."""
    _check_stages(stages)
    S = center(G, layout) if "rc" in stages else G
    return kernel(S, act, ctx)


def trace(G, layout=None):
    """tr G (counting every index a representative stands for)."""
    d = np.diagonal(G)
    if layout is None:
        return d.sum()
    return (layout.sizes_array() * d * layout.firsts()).sum()


def F_scale_free(G, act, ctx, layout=None, stages=("rc",)):
    """The scale-free map G -> F(G) / tr F(G)."""
    H = F(G, act, ctx, layout, stages)
    return H / trace(H, layout)


class Linearization:
    """DF(G) as a linear map, with the kernel's coefficients at C G C computed once:

        dK_jj = kappa(1) E_jj
        dK_jk = kappa'(rho) E_jk + kappa_perp(rho) (sqrt(S_kk/S_jj) E_jj + sqrt(S_jj/S_kk) E_kk) / 2

    with E = C H C and kappa_perp = kappa - rho kappa'.  At |rho| = 1 this is the one-sided
    derivative from inside [-1, 1] (kappa' is continuous there) and kappa_perp = 0."""

    def __init__(self, G, act, ctx, layout=None, stages=("rc",)):
        _check_stages(stages)
        self.layout, self.rc, self.ctx = layout, "rc" in stages, ctx
        Sigma = center(G, layout) if self.rc else G
        d, dd = _diag_outer(Sigma, ctx)
        self.ratio = d[None, :] / d[:, None]          # sqrt(S_kk / S_jj)
        zero = ctx.const(0)                           # the diagonal of dK is kappa(1) E_jj
        self.slope = _pairs(lambda S, D: act.dkappa(S / D, ctx), zero, Sigma, dd)
        self.perp = _pairs(lambda S, D: act.kappa_perp(S / D, ctx), zero, Sigma, dd)
        self.diag = act.kappa_one(ctx)

    def __call__(self, H):
        E = center(H, self.layout) if self.rc else H
        e = np.diagonal(E)
        dK = dentry(self.slope, self.perp, self.ratio, self.ratio.T, E, e[:, None], e[None, :])
        np.fill_diagonal(dK, e * self.diag)
        return dK


def dentry(slope, perp, r_jk, r_kj, E_jk, E_jj, E_kk):
    """dK_jk = kappa'(rho) E_jk + kappa_perp(rho) (r_jk E_jj + r_kj E_kk) / 2, r_jk = sqrt(S_kk / S_jj)
    (:class:`Linearization`'s formula, shared with symmetry.image_derivative)."""
    return slope * E_jk + perp * (r_jk * E_jj + r_kj * E_kk) / 2


def dF(G, H, act, ctx, layout=None, stages=("rc",)):
    """DF(G)[H] = DK(C G C)[C H C] (C is linear)."""
    return Linearization(G, act, ctx, layout, stages)(H)


def _check_stages(stages):
    if "rs" in stages:
        raise NotImplementedError(
            "the RS Gram map has no closed form for a general G; see bnverify.derive.symbolic for "
            "its value where C G C has rank one")
