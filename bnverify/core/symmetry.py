"""The cluster's permutation symmetry: S_{n-1}-invariant Gram matrices and the isotypic
blocks of the linearization.

Index n-1 (0-based; the last point) is the odd point, indices 0..n-2 the cluster.  A Gram
matrix invariant under permutations of the cluster is

    G = [[a on the cluster diagonal, o off it], x between cluster and odd point, b for the odd point]

(``SymState``).  Under S_{n-1} the n(n+1)/2 symmetric perturbations split as

    component  irreducible        copies  dimension        basis of one copy
    trivial    (n-1)              4       1                I_c, O_c (=11^T - I on cluster), X (cross), E (odd diag)
    standard   (n-2, 1)           3       n - 2            D_x, O_x, X_x  for x = e_1 - e_2
    pair       (n-3, 2)           1       (n-1)(n-4)/2     (e_1-e_2)(e_3-e_4)^T + transpose

(for n = 3 the standard component has 2 copies: O_x vanishes; the pair component needs n >= 5).
By Schur's lemma DF(G) maps each copy-space to itself and acts on it by a matrix of the size
of the "copies" column, independent of n.  Each block is computed by running the single Gram
map implementation (:func:`bnverify.core.gram.dF`) on a quotient matrix whose index classes are
{1}, {2}, ... and "the rest of the cluster" with its (possibly symbolic) size.  The map itself on
the family and its derivative along the family (:func:`image`, :func:`image_derivative`, which the
reduction's searches call tens of thousands of times) are four scalars each: the closed-form
centring :meth:`SymState.centred`, then gram's entry formulas.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from . import gram


@dataclass
class SymState:
    """An S_{n-1}-invariant Gram matrix: cluster diagonal a, cluster off-diagonal o,
    cluster-odd entry x, odd diagonal b.  Entries are numbers of any arithmetic."""

    a: object
    o: object
    x: object
    b: object

    def centred(self, n):
        """C G C (C = I - 11^T/n), again S_{n-1}-invariant, in closed form: with row sums
        s = a + (n-2) o + x (cluster) and t = (n-1) x + b (odd), total T = (n-1) s + t,
        (C G C)_jk = G_jk - (s_j + s_k)/n + T/n^2."""
        m = n - 1
        s, t = self.a + (m - 1) * self.o + self.x, m * self.x + self.b
        T = m * s + t
        return SymState(self.a - 2 * s / n + T / n ** 2, self.o - 2 * s / n + T / n ** 2,
                        self.x - (s + t) / n + T / n ** 2, self.b - 2 * t / n + T / n ** 2)

    def geometry(self, ctx):
        """(cluster cosine, odd cosine, norm ratio |odd|/|cluster point|) of the state."""
        return self.o / self.a, self.x / ctx.sqrt(self.a * self.b), ctx.sqrt(self.b / self.a)

    def dense(self, n, ctx):
        """The full n x n matrix (odd point last)."""
        G = np.empty((n, n), dtype=float if ctx.name == "float" else object)
        G[:, :] = self.o
        for i in range(n - 1):
            G[i, i] = self.a
        G[:n - 1, n - 1] = self.x
        G[n - 1, :n - 1] = self.x
        G[n - 1, n - 1] = self.b
        return G


# Components: name -> (singleton cluster classes, copies, mode description)
_SINGLETONS = {"trivial": 0, "standard": 2, "pair": 4}
MODES = {
    "trivial": ("norm of the cluster points", "cluster spread (all pairwise cluster angles alike)",
                "odd point's angle to the cluster", "norm ratio (odd point's norm)"),
    "standard": ("unequal norms inside the cluster", "one cluster point's angles to the others",
                 "unequal odd-point angles across the cluster"),
    "pair": ("spread inside the cluster (zero-sum angle pattern)",),
}


def multiplicity(component, n):
    """Number of copies of the irreducible, i.e. how often each block eigenvalue occurs."""
    pair = (n - 1) * (n - 4) // 2 if isinstance(n, int) else (n - 1) * (n - 4) / 2
    return {"trivial": 1, "standard": n - 2, "pair": pair}[component]


def components(n):
    """Components present for this n (an int; a symbol means 'generic n >= 5')."""
    if isinstance(n, int):
        if n < 3:
            raise ValueError("the configuration needs n >= 3 (got %d)" % n)
        return ("trivial", "standard") + (("pair",) if n >= 5 else ())
    return ("trivial", "standard", "pair")


def layout(component, n):
    """Quotient layout: singleton cluster indices, the rest of the cluster (two
    representatives), the odd point.  Kept per (component, n) for an int n or a ball (a
    layout is immutable, and keeps the weights it computes: the reduction's searches ask for
    the same layout tens of thousands of times; a ball, which cannot be hashed, by identity)."""
    if isinstance(n, int) and not isinstance(n, bool):
        return _int_layout(component, n)
    if type(n).__name__ == "arb":
        key = (component, id(n))
        kept = _BALL_LAYOUTS.get(key)
        if kept is None or kept[0] is not n:       # the entry holds n, so its id is not reused
            if len(_BALL_LAYOUTS) > 64:
                _BALL_LAYOUTS.clear()
            kept = _BALL_LAYOUTS[key] = (n, _layout(component, n))
        return kept[1]
    return _layout(component, n)


_BALL_LAYOUTS = {}


@functools.lru_cache(maxsize=256)
def _int_layout(component, n):
    return _layout(component, n)


def _layout(component, n):
    k = _SINGLETONS[component]
    classes = tuple("s%d" % i for i in range(k)) + ("rest", "rest", "odd")
    sizes = {"s%d" % i: 1 for i in range(k)}
    sizes.update(rest=n - 1 - k, odd=1)
    return gram.Layout(classes, sizes)


def _num(v, ctx):
    return ctx.const(v) if isinstance(v, (int, Fraction, str)) else v


def embed(state, lay, ctx):
    """The quotient matrix of a symmetric state on a component's layout."""
    values = np.empty(4, dtype=object)
    values[:] = [_num(v, ctx) for v in (state.a, state.o, state.x, state.b)]
    return values[lay._kept("_entries", lambda: _entries(lay))]


def _entries(lay):
    """Which of a state's (a, o, x, b) each entry of the layout's quotient matrix holds."""
    m = len(lay.classes)
    E = np.empty((m, m), dtype=int)
    for i, ci in enumerate(lay.classes):
        for k, ck in enumerate(lay.classes):
            if ci == "odd" and ck == "odd":
                E[i, k] = 3
            elif "odd" in (ci, ck):
                E[i, k] = 2
            else:
                E[i, k] = 0 if i == k else 1
    return E


def _basis(component, lay, ctx, n):
    """Perturbation matrices (quotient form) spanning one copy of the component."""
    cl = lay.classes
    m = len(cl)
    idx_odd = m - 1

    def mat(f):
        H = np.empty((m, m), dtype=object)
        for i in range(m):
            for k in range(m):
                H[i, k] = ctx.const(f(i, k))
        return H

    cluster = [i for i in range(m) if cl[i] != "odd"]
    if component == "trivial":
        basis = [mat(lambda i, k: 1 if i == k and i != idx_odd else 0),
                 mat(lambda i, k: 1 if i != k and i in cluster and k in cluster else 0),
                 mat(lambda i, k: 1 if (i == idx_odd) != (k == idx_odd) else 0),
                 mat(lambda i, k: 1 if i == k == idx_odd else 0)]
    elif component == "standard":
        xv = [1, -1] + [0] * (m - 2)          # x = e_1 - e_2 on the representatives
        basis = [mat(lambda i, k: xv[i] if i == k and i != idx_odd else 0),
                 mat(lambda i, k: xv[i] + xv[k] if i != k and i in cluster and k in cluster else 0),
                 mat(lambda i, k: xv[i] if k == idx_odd and i != idx_odd else
                     (xv[k] if i == idx_odd and k != idx_odd else 0))]
        if isinstance(n, int) and n == 3:
            basis = [basis[0], basis[2]]       # O_x vanishes when the cluster has two points
    else:
        y = [1, -1, 0, 0] + [0] * (m - 4)
        z = [0, 0, 1, -1] + [0] * (m - 4)
        basis = [mat(lambda i, k: (y[i] * z[k] + z[i] * y[k]) if i != idx_odd and k != idx_odd else 0)]
    return basis


def _compose(basis, coords):
    return sum((b * c for b, c in zip(basis, coords)), np.zeros_like(basis[0]))


def centred(component, coords, n, ctx):
    """Coordinates of C H C, H the perturbation with coordinates ``coords`` on one copy of
    ``component``: centring commutes with the cluster's permutations, so it maps the copy to
    itself (n may be symbolic)."""
    lay = layout(component, n)
    H = _compose(_basis(component, lay, ctx, n), coords)
    return _coords(component, gram.center(H, lay), n)


def _coords(component, H, n):
    """Coordinates of an equivariant image in the component's basis (read off entries)."""
    m = H.shape[0]
    if component == "trivial":
        return [H[0, 0], H[0, 1], H[0, m - 1], H[m - 1, m - 1]]
    if component == "standard":
        c = [H[0, 0], H[0, 2], H[0, m - 1]]
        return [c[0], c[2]] if isinstance(n, int) and n == 3 else c
    return [H[0, 2]]


def block(component, state, n, act, ctx, scale=1):
    """Matrix of DF(G)/scale on one copy of ``component`` (columns: images of the basis)."""
    lay = layout(component, n)
    G = embed(state, lay, ctx)
    L = gram.Linearization(G, act, ctx, lay)
    cols = [_coords(component, L(H), n) for H in _basis(component, lay, ctx, n)]
    B = np.empty((len(cols), len(cols)), dtype=object)
    for j, col in enumerate(cols):
        for i, v in enumerate(col):
            B[i, j] = v / _num(scale, ctx)
    return B


def image(state, n, act, ctx):
    """F(G) for a symmetric state, as a SymState (the symmetric reduction of the map): C G C in
    closed form (:meth:`SymState.centred`), then the kernel's two off-diagonal entries
    (gram.entry; the dense and quotient maps run the same formula).  Scalars only: the searches
    of the reduction ask for it tens of thousands of times."""
    S = _scalars(state, ctx).centred(n)
    one = act.kappa_one(ctx)
    ra, rb = ctx.sqrt(S.a), ctx.sqrt(S.b)
    return SymState(S.a * one, gram.entry(S.o, ra * ra, act, ctx), gram.entry(S.x, ra * rb, act, ctx),
                    S.b * one)


def image_derivative(state, direction, n, act, ctx):
    """DF(G)[H] for symmetric G and H (SymStates), as a SymState: the trivial block applied to
    one direction (gram.dentry, the linearization's formula, on the two off-diagonal entries)."""
    S = _scalars(state, ctx).centred(n)
    E = _scalars(direction, ctx).centred(n)
    one = act.kappa_one(ctx)
    ra, rb = ctx.sqrt(S.a), ctx.sqrt(S.b)

    def coefficient(s, d):
        rho = s / d
        return act.dkappa(rho, ctx), act.kappa_perp(rho, ctx)
    o = gram.dentry(*coefficient(S.o, ra * ra), 1, 1, E.o, E.a, E.a)
    x = gram.dentry(*coefficient(S.x, ra * rb), rb / ra, ra / rb, E.x, E.a, E.b)
    return SymState(E.a * one, o, x, E.b * one)


def _scalars(state, ctx):
    return SymState(*(_num(v, ctx) for v in (state.a, state.o, state.x, state.b)))


def trivial_quotient(B, state):
    """The trivial block on the quotient by the fixed point's own direction.

    If F(G) = c G then G's coordinates g = (a, o, x, b) are an eigenvector of B = DF/c with
    eigenvalue 1 (F is 1-homogeneous).  In the basis (E_1, E_2, E_3, g) -- g replacing the
    odd-diagonal coordinate, never 0 -- the matrix is S^-1 B S with last column (0,0,0,1);
    its leading 3 x 3 block is the map on the quotient, whose eigenvalues are those of the
    scale-free dynamics (the README's model section)."""
    g = [state.a, state.o, state.x, state.b]
    if any(isinstance(v, (int, Fraction)) for v in g):
        raise TypeError("trivial_quotient needs the state in the block's arithmetic")
    S = np.empty((4, 4), dtype=object)
    Sinv = np.empty((4, 4), dtype=object)
    for i in range(4):
        for j in range(4):
            S[i, j] = (1 if i == j else 0) if j < 3 else g[i]
            Sinv[i, j] = (1 if i == j else 0) if j < 3 else (-g[i] / g[3] if i < 3 else 1 / g[3])
    M = Sinv.dot(B).dot(S)
    return M[:3, :3]


def scale_free_blocks(state, n, act, ctx, scale):
    """All blocks of the scale-free linearization at a fixed point with F(G) = scale * G:
    {component: (matrix, multiplicity, modes)}.  The trivial block is already the quotient
    (its dropped eigenvalue, 1, belongs to the direction G itself)."""
    out = {}
    for comp in components(n):
        B = block(comp, state, n, act, ctx, scale)
        modes = MODES[comp]
        if comp == "trivial":
            B = trivial_quotient(B, state)
            modes = modes[:3]
        else:
            modes = basis_names(comp, n)
        out[comp] = (B, multiplicity(comp, n), modes)
    return out


def basis_names(component, n):
    """Names of the basis perturbations of one copy (n = 3 has no O_x)."""
    names = MODES[component]
    if component == "standard" and isinstance(n, int) and n == 3:
        return (names[0], names[2])
    return names


def _real_rows(lay):
    """Representatives that stand for at least one real index (a class of size 0, or the
    second representative of a class of size 1, is a placeholder)."""
    seen, out = set(), []
    for c in lay.classes:
        s = lay.sizes[c]
        need = 2 if c in seen else 1
        out.append(not (isinstance(s, int) and s < need))
        seen.add(c)
    return np.array(out)


def classify_mode(component, coords, n, ctx):
    """Name the perturbation a block eigenvector stands for, from its matrix (not by hand).

    ``coords`` are coordinates in the component's basis (for the trivial quotient block:
    the first three basis vectors, modulo the fixed point).  The tests, in order:
    centring removes it (a translation of the batch); only cluster-odd entries (the odd
    point's angles); a cluster block that centring inside the cluster removes (cluster points
    stretched along a common direction); a cluster block with zero row sums (spread inside
    the cluster); the cluster block scaled as a whole (the norm ratio, modulo scale)."""
    lay = layout(component, n)
    basis = _basis(component, lay, ctx, n)
    H = _compose(basis, coords)
    real = _real_rows(lay)
    odd = H.shape[0] - 1
    clus = real.copy()
    clus[odd] = False

    def zero(vals):
        vals = np.asarray(vals, dtype=object).ravel()
        return all((ctx.sp.simplify(v) if ctx.name == "exact" else v) == 0 for v in vals)

    sub = gram.Layout(lay.classes[:odd], {c: s for c, s in lay.sizes.items() if c != "odd"})
    cluster, cross, tail = H[:odd, :odd], H[:odd, odd][clus[:odd]], H[odd, odd]
    if zero(gram.center(H, lay)[np.ix_(real, real)]):
        return "translation of the whole batch (removed by centring)"
    if zero(cluster[np.ix_(clus[:odd], clus[:odd])]) and zero([tail]):
        return "odd point's angle to the cluster" + ("" if component == "trivial" else " (unequal across the cluster)")
    if zero(cross) and zero([tail]):
        if component == "trivial" and zero([coords[0] - coords[1]]):
            return "norm ratio (cluster scaled against the odd point)"
        if zero(gram.center(cluster, sub)[np.ix_(clus[:odd], clus[:odd])]):
            return "cluster points stretched along a common direction (unequal norms)"
        if zero((sub.weights() * cluster).sum(axis=1)[clus[:odd]]):
            return "spread inside the cluster" + {"trivial": " (all cluster angles alike)",
                                                  "standard": " (one point leaving the others)",
                                                  "pair": " (zero-sum pattern of angles)"}[component]
    names = [nm for nm, c in zip(basis_names(component, n), coords) if not zero([c])]
    return "mixed: " + " + ".join(names)
