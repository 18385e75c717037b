"""The trusted checker's Hermite coefficients (bnverify/trusted/mehler.py): one Gauss-Legendre node set for all k
(_legendre) against the reference route, one acb.integral per coefficient (_gauss), in one run.

For each activation and variance: mehler.coefficients(phi, g, q, count, 2^-60) at 128 bits, count coefficients,
both routes timed (best of --repeat), and the widest radius of each (a_k and E2, tails included).

Run:  python benchmarks/bench_trusted_mehler.py [--count 41] [--repeat 3] [--all]
(default: silu at q = 1, the row of the CHANGELOG; --all: silu, softplus, elu, tanh, sigmoid at q = 1e-3 .. 1000)
"""
from __future__ import annotations

import argparse
import time
from fractions import Fraction

from flint import arb, ctx

from bnverify.trusted import mehler, twopoint
from bnverify.trusted.base import ball


def run(name, q, count, fallback, repeat):
    row, a = twopoint.row(name), twopoint._alpha(name, Fraction(1) if name == "elu" else Fraction(0))
    g0, g1 = twopoint._grow(row, "phi", a)
    qb = ball(q)
    best = None
    for _ in range(repeat):
        t = time.perf_counter()
        out, e2 = mehler.coefficients(lambda z, side, an: row[0][side][0](z, a, an),
                                      arb.max(g0, g1 * qb.sqrt().upper()), qb, count, 2.0 ** -60, fallback)
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    return best, max(float(v.rad()) for v in out + [e2])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=41)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--all", action="store_true")
    args = ap.parse_args()
    ctx.prec = 128
    cases = [(n, Fraction(q)) for n in ("silu", "softplus", "elu", "tanh", "sigmoid")
             for q in ("1/1000", "1/2", "1", "7", "80", "1000")] if args.all else [("silu", Fraction(1))]
    print("%-9s %8s  %12s %12s %7s  %10s %10s" % ("phi", "q", "legendre s", "integral s", "ratio", "rad GL", "rad ref"))
    for name, q in cases:
        t1, r1 = run(name, q, args.count, None, args.repeat)
        t2, r2 = run(name, q, args.count, True, max(1, args.repeat // 3))
        print("%-9s %8s  %12.3f %12.3f %7.1f  %10.1e %10.1e" % (name, q, t1, t2, t2 / t1, r1, r2), flush=True)


if __name__ == "__main__":
    main()
