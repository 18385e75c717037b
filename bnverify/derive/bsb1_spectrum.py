"""The scale-free spectrum of full batch normalization (RC + RS + phi, phi positively homogeneous
of degree 1) at its symmetric (BSB1) fixed point, per n: the S_n blocks of the Jacobian of the
RS Gram map V in closed form, enclosed in ball arithmetic, and checked against the certified
Laplace-integral Jacobian (:mod:`bnverify.core.laplace_jacobian`).  Untrusted derivation layer:
rigorous enclosures, not kernel-checked claims.

**The derivative at BSB1** (docs/full-bn.md, section 7).  V depends on Sigma through S = C Sigma C
only and V(t Sigma) = V(Sigma).  At S = C (Sigma = I, or any BSB1 matrix up to scale) the tilted
covariance is P(s) = C/(1 + 2s), D(s) = (1 + 2s)^(n-1), and for K = C H C:
P' = K/(1 + 2s)^2, D'/D = 2s tr K/(1 + 2s).  The s-integrals are Beta integrals,
int (1 + 2s)^(-(n+3)/2) ds = 1/(n+1) and int s (1 + 2s)^(-(n+3)/2) ds = 1/((n-1)(n+1)), so

    DV(I)[H] = n/(n+1) (DK(C)[K] - tr K/(n-1) K(C)),       K(.) the ordinary kernel map.

The fixed point is Sigma* = V(I) = n/(n-1) K(C) (1 on the diagonal times A = kappa(1), c* off it),
C Sigma* C = (A - kappa(rho)) C with rho = -1/(n-1), so DV(Sigma*) = DV(I)/(A - kappa(rho)).

**Scale-free.**  V(Sigma*) = Sigma*, and V is homogeneous of degree 0, so the dynamics
Sigma -> sigma_w^2 V(Sigma) has the fixed point sigma_w^2 Sigma* with the same linearization
DV(Sigma*) for every sigma_w: no rescaling is needed.  The scale direction Sigma* itself is in
the kernel (eigenvalue 0, where the 1-homogeneous RC-only map has 1); it is quotiented out, as
in ``simplex``'s convention "DF(G*)/c without G*'s own direction" (here c = 1).

**The blocks.**  Sym_n = 2 x trivial + 2 x standard + 1 x (n-2, 2) under S_n.  With
kappa = kappa(rho), k1 = kappa'(rho), k0 = kappa(rho) - rho kappa'(rho) (Activation's formulas)
and f = n/((n+1)(A - kappa)):

* trivial, basis I, J - I: V is constant on the BSB1 family, so the block is 0 (I -> K = C,
  DK(C)[C] = K(C) by Euler; J -> K = 0); quotient by Sigma*: the 1 x 1 block (0).
* standard, x summing to 0, basis D = diag(x), O = (x_j + x_k) off the diagonal:
  C D C = (1 - 2/n) D - O/n, C O C = -2 C D C, DK(C)[C D C] = a D + b O with
  a = A (n-2)/n, b = ((n-2) k0/2 - k1)/n; block f [[a, -2a], [b, -2b]], eigenvalues 0 (the
  translations 1 v^T + v 1^T, removed by centring) and lam_S = f (a - 2b); multiplicity n - 1.
* (n-2, 2), zero diagonal and zero row sums (C H C = H): lam_P = f k1; multiplicity n(n-3)/2
  (none for n = 3).

On the standard and (n-2, 2) components these are (n-1)/(n+1) times the RC-only simplex
eigenvalues of :mod:`bnverify.derive.simplex_alln` (tr C H C vanishes there); the tests check it.
"""
from __future__ import annotations

import time
from fractions import Fraction

from ..core import laplace, laplace_jacobian
from ..core.arith import BallContext
from ..errors import BadInput
from . import bsb1
from .bsb1 import activation

MAX_CHECK_N = laplace.MAX_N
COMPONENTS = ("trivial", "standard", "pair")
BASES = {"trivial": ("J - I modulo the scale direction Sigma* (I and J - I span the trivial component)",),
         "standard": ("D = diag(x), unequal norms", "O = (x_j + x_k) off the diagonal, unequal angles"),
         "pair": ("zero-sum pattern of angles (n-2, 2)",)}


def multiplicity(component, n):
    return {"trivial": 1, "standard": n - 1, "pair": n * (n - 3) // 2}[component]


def components(n):
    return COMPONENTS if n >= 4 else COMPONENTS[:2]


def blocks(n, act, ctx):
    """{component: (block matrix as nested lists, eigenvalues)} of the scale-free Jacobian
    DV(Sigma*) on Sym_n modulo Sigma* (module docstring), in any context of core.arith."""
    if n < 3:
        raise BadInput("n = %d: the BSB1 state needs n >= 3" % n)
    q = ctx.const
    rho = q(Fraction(-1, n - 1))
    A = act.kappa_one(ctx)
    k, k1, k0 = act.kappa(rho, ctx), act.dkappa(rho, ctx), act.kappa_perp(rho, ctx)
    f = q(Fraction(n, n + 1)) / (A - k)
    a = A * q(Fraction(n - 2, n))
    b = (k0 * q(Fraction(n - 2, 2)) - k1) / n
    zero = q(0)
    out = {"trivial": ([[zero]], [zero]),
           "standard": ([[f * a, -2 * f * a], [f * b, -2 * f * b]], [zero, f * (a - 2 * b)])}
    if n >= 4:
        out["pair"] = ([[f * k1]], [f * k1])
    return out


def largest(blk):
    """{component: its nonzero eigenvalue} for the standard and (n-2, 2) blocks (the trivial
    block's and the translations' eigenvalues are 0)."""
    return {c: e[-1] for c, (_, e) in blk.items() if c != "trivial"}


def spectral_radius(blk):
    """(radius, components): the spectral radius as a ball (the largest modulus of
    :func:`largest`) and the components whose eigenvalue may attain it."""
    top = {c: abs(e) for c, e in largest(blk).items()}
    radius = None
    for e in top.values():
        radius = e if radius is None else radius.max(e)
    return radius, [c for c, e in top.items() if not e < radius]


def _eye(n):
    return [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]


def directions(n):
    """One exact matrix per block column the integral check reads (module docstring):
    {name: (H, [(entry, component, row, column)])}."""
    Dx = [[Fraction(0)] * n for _ in range(n)]
    Dx[0][0], Dx[1][1] = Fraction(1), Fraction(-1)
    out = {"I": (_eye(n), [((0, 0), "trivial", None, None), ((0, 1), "trivial", None, None)]),
           "D": (Dx, [((0, 0), "standard", 0, 0), ((0, 2), "standard", 1, 0)])}
    if n >= 4:
        HP = [[Fraction(0)] * n for _ in range(n)]
        for i, j, v in ((0, 2, 1), (0, 3, -1), (1, 2, -1), (1, 3, 1)):
            HP[i][j] = HP[j][i] = Fraction(v)
        out["P"] = (HP, [((0, 2), "pair", 0, 0)])
    return out


def integral_check(n, slope, blk, digits):
    """The closed-form blocks against the certified integrals at Sigma = I: the scale
    A - kappa = V(I)_00 - V(I)_01, and DV(I)[H] at the entries that read each block column
    (DV(I)[I] must vanish: the trivial block is 0).  Returns (ok, {name: arb}, seconds)."""
    t0 = time.process_time()
    V = laplace.gram(_eye(n), slope, rc=True, digits=digits)["V"]
    scale = V[0][0] - V[0][1]
    got, ok = {"scale": scale}, True
    for name, (H, reads) in directions(n).items():
        D = laplace_jacobian.directional(_eye(n), H, slope, [e for e, *_ in reads], digits)["D"]
        for entry, comp, i, j in reads:
            if comp == "trivial":
                val = D[entry]
                ok = ok and val.contains(0)
            else:
                val = D[entry] / scale
                ok = ok and val.overlaps(blk[comp][0][i][j])
            got["%s%d%d" % (name, *entry)] = val
    lam = got["D00"] - 2 * got["D02"]
    ok = ok and lam.overlaps(blk["standard"][1][1])
    got["lam_S"] = lam
    if n >= 4:
        ok = ok and got["P02"].overlaps(blk["pair"][1][0])
        got["lam_P"] = got["P02"]
    return ok, got, time.process_time() - t0


def certify(n, slope, digits=15, check=True):
    """A dict: ``blocks`` (ball blocks and eigenvalues), ``radius`` (an arb enclosing the
    spectral radius of the scale-free linearization), ``multiplicities``, ``prec``, and with
    ``check`` the Laplace-integral check (``check_ok``, ``integrals``, ``check_seconds``)."""
    if n < 3:
        raise BadInput("n = %d: the BSB1 state needs n >= 3" % n)
    t0 = time.process_time()
    prec = int(3.33 * digits) + 40
    ctx = BallContext(prec)
    blk = blocks(n, activation(slope), ctx)
    radius, _ = spectral_radius(blk)
    out = {"n": n, "blocks": blk, "radius": radius, "prec": prec, "digits": digits,
           "multiplicities": {c: multiplicity(c, n) for c in blk}}
    if check:
        if n > MAX_CHECK_N:
            raise BadInput("n = %d: the Laplace-integral check takes n <= %d" % (n, MAX_CHECK_N))
        out["check_ok"], out["integrals"], out["check_seconds"] = integral_check(n, slope, blk, digits)
    out["seconds"] = time.process_time() - t0
    return out


# ---------------------------------------------------------------- one n, as the commands print it
def record(n, slope, prec=128, check=True, digits=15):
    """One JSON-able row for ``simplex --stages rc,rs,PHI`` (bounds as decimal strings rounded
    outward): the BSB1 correlation (closed form; with ``check`` also bnverify.derive.bsb1's
    Laplace-integral and Krawczyk check), every block and eigenvalue, the spectral radius, and
    the Laplace-integral check of the blocks (``digits`` digits).  A top-level function of
    plain arguments, so that a process pool can run it."""
    from .balls import bounds

    t0 = time.process_time()
    act = activation(slope)
    ctx = BallContext(prec)
    c = bsb1.closed_form(n, slope, prec)
    blk = blocks(n, act, ctx)
    radius, attained = spectral_radius(blk)
    row = {"n": n, "simplex_cos": bounds(c), "cluster_cos": bounds(c), "odd_cos": bounds(c),
           "norm_ratio": ["1", "1"], "spectral_radius": bounds(radius),
           "lam_S": bounds(blk["standard"][1][1]), "lam_P": bounds(blk["pair"][1][0]) if "pair" in blk else None,
           "radius_from": attained,
           "blocks": {comp: {"multiplicity": multiplicity(comp, n), "basis": list(BASES[comp]),
                             "matrix": [[bounds(v) for v in r] for r in m], "eigenvalues": [bounds(e) for e in eig]}
                      for comp, (m, eig) in blk.items()},
           "laplace_check": None, "check_seconds": None}
    if check:
        if n > MAX_CHECK_N:
            raise BadInput("n = %d: the Laplace-integral check takes n <= %d" % (n, MAX_CHECK_N))
        state = bsb1.certify(n, slope, digits, check=True)
        ok, _, _ = integral_check(n, slope, blk, digits)
        row["laplace_check"] = bool(ok and state["krawczyk_ok"])
        row["check_seconds"] = round(time.process_time() - t0, 3)
    row["seconds"] = round(time.process_time() - t0, 3)
    return row
