"""Time per n of the BSB1 state's scale-free spectrum (RC + RS + ReLU): the closed-form S_n blocks
in ball arithmetic, their check against the certified Laplace integral and its derivative
(bnverify.core.laplace_jacobian, 15 digits), and one row of ``simplex --stages rc,rs,relu``
(closed forms, c*'s own Laplace/Krawczyk check and the blocks' check); then the whole command
for n = 3..64 with the default --check-to 16 on one process.

    python benchmarks/bench_bsb1_spectrum.py

Process seconds (the machine is shared: wall time says less)."""
from __future__ import annotations

import time

from bnverify.core.arith import BallContext
from bnverify.derive import bsb1, bsb1_spectrum


def main():
    print("BSB1 spectrum, rc,rs,relu, process seconds per n")
    print("%4s  %12s  %14s  %12s  %10s" % ("n", "closed form", "integral check", "simplex row", "radius"))
    for n in (3, 4, 8, 12, 16, 24, 32):
        t0 = time.process_time()
        for _ in range(20):
            blk = bsb1_spectrum.blocks(n, bsb1.activation(0), BallContext(128))
        tc = (time.process_time() - t0) / 20
        ok, _, tcheck = bsb1_spectrum.integral_check(n, 0, blk, 15)
        row = bsb1_spectrum.record(n, 0, 128, True)
        assert ok and row["laplace_check"]
        print("%4d  %10.4f s  %12.3f s  %10.3f s  %10s" % (n, tc, tcheck, row["seconds"],
                                                          row["spectral_radius"][1][:8]))
    t0 = time.process_time()
    for n in range(3, 65):
        bsb1_spectrum.record(n, 0, 128, n <= 16)
    print("simplex --stages rc,rs,relu --n 3..64 (check to 16), one process: %.1f s" % (time.process_time() - t0))


if __name__ == "__main__":
    main()
