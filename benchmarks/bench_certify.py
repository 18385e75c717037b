"""Certification timings, and the symmetry blocks against a dense eigensolver.

1. Per-n wall time of certify_attractor (which classifies the whole symmetric family only
   when its float candidate's box does not decide, as below n = 7), of that classification
   alone, and of certify_simplex.
2. The spectrum of the scale-free linearization at the certified attractor box, enclosed
   (a) per symmetry block (3x3, 3x3, 1x1; acb_mat.eig + Gershgorin), and
   (b) by flint's acb_mat.eig on the dense n(n+1)/2 x n(n+1)/2 Jacobian DF(G)/c built in arb
       with gram.dF on the basis matrices E_ij + E_ji of the dense n x n G (G's own direction,
       eigenvalue 1, dropped afterwards),
   with both times, their ratio and the two spectral-radius enclosures.

Run:  python benchmarks/bench_certify.py [--ns 7,8,16,24,32,64] [--dense 8,16,24] [--prec 128]
"""
from __future__ import annotations

import argparse
import time
from fractions import Fraction

import numpy as np

from bnverify.core import gram, symmetry
from bnverify.derive import balls, curve, krawczyk, spectra, states
from bnverify.core.activations import Activation

RELU = Activation("relu")


def per_n_times(ns, prec):
    print("per-n certification time (s), relu, prec=%d" % prec)
    print("%4s  %-8s %10s %12s %10s" % ("n", "status", "attractor", "classify", "simplex"))
    for n in ns:
        t0 = time.perf_counter()
        v = states.certify_attractor(n, RELU, prec)
        t1 = time.perf_counter()
        curve.classify(n, RELU, prec)
        t2 = time.perf_counter()
        states.certify_simplex(n, RELU, prec)
        t3 = time.perf_counter()
        print("%4d  %-8s %10.3f %12.3f %10.3f" % (n, v.status, t1 - t0, t2 - t1, t3 - t2))


def dense_jacobian(X, n, act, ctx):
    """DF(G)/c on all n(n+1)/2 symmetric directions, in arb, no symmetry used."""
    from flint import arb_mat

    G = symmetry.SymState(ctx.const(1), *X).dense(n, ctx)
    c = gram.F(G, act, ctx)[0, 0]
    idx = [(i, j) for i in range(n) for j in range(i, n)]
    zero = ctx.const(0)
    cols = []
    for i, j in idx:
        H = np.empty((n, n), dtype=object)
        H[:, :] = zero
        H[i, j] = H[j, i] = ctx.const(1)
        D = gram.dF(G, H, act, ctx)
        cols.append([D[p, q] / c for p, q in idx])
    return arb_mat([[cols[k][r] for k in range(len(idx))] for r in range(len(idx))])


def radius_without_one(E):
    """Spectral-radius bounds from eigenvalue balls, dropping the ball nearest 1 (G itself)."""
    mags = [balls.enclosure(abs(e)) for e in E]
    k = min(range(len(E)), key=lambda i: abs(float((E[i] - 1).real.mid())) + abs(float(E[i].imag.mid())))
    rest = [m for i, m in enumerate(mags) if i != k]
    return max(m[0] for m in rest), max(m[1] for m in rest)


def dense_gershgorin_without_one(J, ctx):
    """Spectral-radius bounds of the dense Jacobian without G's own eigenvalue 1, by
    Gershgorin discs of V^-1 J V (V: numpy eigenvectors): the disc around 1 must be isolated
    (then it holds exactly the eigenvalue 1) and is dropped."""
    Jn = np.array(J.tolist(), dtype=object)
    d = spectra.gershgorin_discs(Jn, spectra.approx_eigvecs(Jn), ctx)
    if d is None:
        return "failed: V singular"
    c, R = d
    one = [i for i in range(len(c)) if abs(c[i] - 1) < R[i] + ctx.const(Fraction(1, 10 ** 6))]
    comps = spectra.gershgorin_components(c, R)
    if len(one) != 1 or [one[0]] not in comps:
        return "failed: disc of the eigenvalue 1 not isolated"
    rest = [i for i in range(len(c)) if i != one[0]]
    hi = max(balls.enclosure(abs(c[i]) + R[i])[1] for i in rest)
    lo = max(min(balls.enclosure(abs(c[i]) - R[i])[0] for i in comp)
             for comp in comps if comp != one)
    return max(lo, Fraction(0)), hi


def blocks_vs_dense(ns, prec):
    from flint import acb_mat

    print("\nspectrum at the certified attractor box: symmetry blocks vs dense (n(n+1)/2) methods")
    fmt = lambda p: ("[%.15f, %.15f]" % (float(p[0]), float(p[1]))) if isinstance(p, tuple) else str(p)  # noqa: E731
    for n in ns:
        v = states.certify_attractor(n, RELU, prec, classify_family=False)
        ctx = balls.ball(prec)
        X = krawczyk._box_from_json(v.certificate["box"], ctx)
        t0 = time.perf_counter()
        sp = spectra.spectrum_certificate(X, n, RELU, ctx)
        t1 = time.perf_counter()
        J = dense_jacobian(X, n, RELU, ctx)
        t2 = time.perf_counter()
        try:
            E = acb_mat(J).eig(multiple=True)
            eig = radius_without_one(E) if all(e.is_finite() for e in E) else "failed: not finite"
        except (ValueError, ZeroDivisionError) as e:
            eig = "failed: %s" % str(e).split("(")[0].strip()
        t3 = time.perf_counter()
        gd = dense_gershgorin_without_one(J, ctx)
        t4 = time.perf_counter()
        tb = t1 - t0
        print("n=%d  dim %d" % (n, n * (n + 1) // 2))
        print("   symmetry blocks (eig + Gershgorin)    %9.4f s   radius %s" % (tb, fmt((sp["lo"], sp["hi"]))))
        print("   dense Jacobian build (arb, gram.dF)    %9.3f s" % (t2 - t1))
        print("   dense acb_mat.eig(multiple=True)       %9.3f s   %s   (build+eig / blocks = %.0f)"
              % (t3 - t2, fmt(eig), (t3 - t1) / tb))
        print("   dense Gershgorin of V^-1 J V           %9.3f s   radius %s   (build+this / blocks = %.0f)"
              % (t4 - t3, fmt(gd), (t2 - t1 + t4 - t3) / tb))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ns", default="7,8,16,24,32,64")
    p.add_argument("--dense", default="8,16,24")
    p.add_argument("--prec", type=int, default=128)
    a = p.parse_args()
    per_n_times([int(x) for x in a.ns.split(",")], a.prec)
    blocks_vs_dense([int(x) for x in a.dense.split(",")], a.prec)


if __name__ == "__main__":
    main()
