"""Time the certified dual-kernel calculator (``bnverify kernel``) against a float64
Gauss-Hermite tensor rule of the kind neural-tangents' ElementwiseNumerical uses.

    python benchmarks/bench_kernel.py [--digits 15] [--nodes 50] [--activations gelu,tanh,...]
                                      [--method auto|general] [--q 1[,2,4,10]] [--budget 60]

For each activation the points (q, q, r q) with r = 1/2, 9/10, 19/20, 99/100, 1 (the correlations
where Mehler's series needed the most terms before its truncation became adaptive) for each q
given (--q 2,4,10 for the larger variances, where the coefficients decay slowly), then
(1, 2, 1/2) and (2, 1, -1/3).
For each activation and covariance point: the seconds per point of the certified route (K,
dK/dc, dK/dq1, dK/dq2, E[phi^2]; the closed form where there is one, otherwise the integral
route), the seconds of the float rule for K alone (an n x n product rule in x = sqrt(q1) u,
y = (c/q1) x + s v), their ratio, and the float rule's actual error: its distance to the
certified enclosure of K (0 means it falls inside).  CPU time is printed beside wall time:
the machine may be shared.
"""
from __future__ import annotations

import argparse
import math
import time
from fractions import Fraction

import numpy as np

from bnverify.core import activations, dual_kernel, formula

RS = [Fraction(1, 2), Fraction(9, 10), Fraction(19, 20), Fraction(99, 100), Fraction(1)]
OTHER = [(Fraction(1), Fraction(2), Fraction(1, 2)), (Fraction(2), Fraction(1), Fraction(-1, 3))]


def float_rule(phi, q1, q2, c, nodes):
    """E[phi(x) phi(y)] by the nodes x nodes Gauss-Hermite product rule in float64."""
    t, w = np.polynomial.hermite.hermgauss(nodes)
    u, wu = t * math.sqrt(2), w / math.sqrt(math.pi)
    q1, q2, c = float(q1), float(q2), float(c)
    s = math.sqrt(max(q2 - c * c / q1, 0.0))
    x = math.sqrt(q1) * u
    y = (c / q1) * x[:, None] + s * u[None, :]
    return float(wu @ (phi(x)[:, None] * phi(y)) @ wu)


def distance(value, ball):
    lo, hi = float(ball.lower()), float(ball.upper())
    return 0.0 if lo <= value <= hi else min(abs(value - lo), abs(value - hi))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--digits", type=int, default=15)
    p.add_argument("--nodes", type=int, default=50)
    p.add_argument("--activations", default="gelu,silu,tanh,erf,softplus,sigmoid,sin,elu,relu")
    p.add_argument("--method", default="auto", help="auto (closed forms where they exist) or general")
    p.add_argument("--q", default="1", help="the variances q1 = q2 of the r sweep, comma-separated")
    p.add_argument("--budget", type=float, default=60.0, help="seconds per point (inconclusive past it)")
    args = p.parse_args()
    points = [(q, q, r * q) for q in map(Fraction, args.q.split(",")) for r in RS] + OTHER
    print("digits %d, float rule %d x %d Gauss-Hermite nodes" % (args.digits, args.nodes, args.nodes))
    print("%-10s %-18s %10s %10s %10s %10s %10s  %s" % ("activation", "(q1, q2, c)", "cert wall", "cert cpu",
                                                       "float s", "ratio", "float err", "certified route"))
    for name in args.activations.split(","):
        act = activations.activation(name)
        phi = formula.point_function(act.tree, np)
        for q1, q2, c in points:
            method = args.method if act.closed or args.method != "closed" else "general"
            w0, c0 = time.perf_counter(), time.process_time()
            try:
                res = dual_kernel.kernel(act, q1, q2, c, digits=args.digits, method=method, budget=args.budget)
            except dual_kernel.Inconclusive as e:
                print("%-10s %-18s %9.3fs %9.3fs  inconclusive: %s" % (
                    name, "(%s, %s, %s)" % (q1, q2, c), time.perf_counter() - w0, time.process_time() - c0, e))
                continue
            wall, cpu = time.perf_counter() - w0, time.process_time() - c0
            reps = 20
            f0 = time.perf_counter()
            for _ in range(reps):
                value = float_rule(phi, q1, q2, c, args.nodes)
            fsec = (time.perf_counter() - f0) / reps
            route = res["method"].split("(", 1)[1].split(", Hermite")[0].split(":")[0] if "general" in res["method"] \
                else "closed form"
            print("%-10s %-18s %9.3fs %9.3fs %9.2es %10.0f %10.1e  %s" % (
                name, "(%s, %s, %s)" % (q1, q2, c), wall, cpu, fsec, wall / fsec, distance(value, res["values"]["K"]),
                route), flush=True)


if __name__ == "__main__":
    main()
