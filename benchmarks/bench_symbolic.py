"""Timings of the symbolic derivations (issue: --symbolic and --n 50 under 10 s each), and
the symmetry blocks against the dense exact Jacobian (n(n+1)/2 columns, fmpq charpoly).

    python benchmarks/bench_symbolic.py
"""
import time

import sympy as sp
from flint import fmpq, fmpq_mat

from bnverify.derive import symbolic
from bnverify.core.activations import Activation


def timed(f):
    t = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t


def main():
    relu = Activation("relu")
    leaky = symbolic.symbolic_activation("leaky_relu")
    for name, f in [("symbolic n, relu", lambda: symbolic.configuration_spectrum(relu)),
                    ("symbolic n and alpha, leaky relu", lambda: symbolic.configuration_spectrum(leaky)),
                    ("n = 50, relu (blocks)", lambda: symbolic.configuration_spectrum(relu, 50))]:
        symbolic.fixed_point.cache_clear()
        _, t = timed(f)
        print("%-36s %7.2f s" % (name, t))
    print("\nspectrum at O_n: symmetry blocks vs dense exact Jacobian + charpoly")
    print("%4s %6s %10s %10s %8s" % ("n", "dim", "blocks s", "dense s", "ratio"))
    for n in (8, 12, 16):
        symbolic.fixed_point.cache_clear()
        _, tb = timed(lambda: symbolic.configuration_spectrum(relu, n))

        def dense():
            J, _ = symbolic.dense_jacobian(relu, n)
            M = fmpq_mat(J.rows, J.cols, [fmpq(int(sp.Rational(v).p), int(sp.Rational(v).q)) for v in J])
            return M.charpoly().factor()

        symbolic.fixed_point.cache_clear()
        _, td = timed(dense)
        print("%4d %6d %10.3f %10.3f %8.1f" % (n, n * (n + 1) // 2, tb, td, td / tb))


if __name__ == "__main__":
    main()
