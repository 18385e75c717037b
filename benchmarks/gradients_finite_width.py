"""Finite-width corroboration of ``bnverify gradients``: the measured per-layer growth of
||dL/dx_l||^2 through random RC + RS + phi (or RC + phi) networks, with a t-interval over seeds.

    python benchmarks/gradients_finite_width.py [--n 8] [--width 1024] [--depth 30] [--seeds 8]
        [--stages rc,rs] [--alpha 0]

Plain numpy, own backward pass (no autograd): per layer h = W x (W_ij ~ N(0, sigma_w^2/N)), per
neuron over the batch y = sqrt(n) C h/|C h| (RC + RS) or y = C h (RC alone, sigma_w^2 = n/(a m) so
the forward pass is stationary), x = phi(y).  The loss is L = <R, x_depth> with R Gaussian.  The rate
per seed is exp of the least-squares slope of log ||dL/dx_l||^2 over the layers l = skip..depth-skip
(the same weights forward and backward: no gradient independence assumption).
"""
import argparse
import math
import sys

import numpy as np


T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
        11: 2.201, 12: 2.179, 15: 2.131, 19: 2.093, 31: 2.040}     # Student t, two-sided 95 %


def kernel_scale(n, alpha):
    A = (1 + alpha ** 2) / 2
    rho = -1 / (n - 1)
    kap = A * rho + (1 - alpha) ** 2 / (2 * math.pi) * (math.sqrt(1 - rho * rho) - rho * math.acos(rho))
    return A, kap


def one_run(n, width, depth, seed, alpha=0.0, rs=True):
    rng = np.random.default_rng(seed)
    A, kap = kernel_scale(n, alpha)
    sw2 = 1.0 if rs else n / ((A - kap) * (n - 1))
    x = rng.standard_normal((width, n))
    tape = []
    for _ in range(depth):
        W = rng.standard_normal((width, width)) * math.sqrt(sw2 / width)
        h = W @ x
        c = h - h.mean(axis=1, keepdims=True)
        if rs:
            r = np.linalg.norm(c, axis=1, keepdims=True)
            y = math.sqrt(n) * c / r
        else:
            r = None
            y = c
        x = np.where(y > 0, y, alpha * y)
        tape.append((W, y, r))
    g = rng.standard_normal((width, n))                  # dL/dx_depth
    norms = [float((g * g).sum())]
    for W, y, r in reversed(tape):
        gy = g * np.where(y > 0, 1.0, alpha)
        gc = gy - gy.mean(axis=1, keepdims=True)         # C gy
        if rs:
            u = y / math.sqrt(n)                         # C h / |C h|
            gc = (math.sqrt(n) / r) * (gc - u * (u * gc).sum(axis=1, keepdims=True))
        g = W.T @ gc                                     # dL/dx_(l-1)
        norms.append(float((g * g).sum()))
    return norms[::-1]                                   # index l: ||dL/dx_l||^2, l = 0..depth


def rate(norms, skip):
    ls = np.arange(skip, len(norms) - skip)
    slope = np.polyfit(ls, np.log(np.array(norms)[ls]), 1)[0]
    return math.exp(-slope)                              # growth per layer going backwards


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=8)
    p.add_argument("--width", type=int, default=1024)
    p.add_argument("--depth", type=int, default=30)
    p.add_argument("--seeds", type=int, default=8)
    p.add_argument("--skip", type=int, default=4)
    p.add_argument("--stages", default="rc,rs")
    p.add_argument("--alpha", type=float, default=0.0)
    a = p.parse_args(argv)
    rs = a.stages == "rc,rs"
    rates = [rate(one_run(a.n, a.width, a.depth, s, a.alpha, rs), a.skip) for s in range(a.seeds)]
    m, sd = float(np.mean(rates)), float(np.std(rates, ddof=1))
    half = T975.get(a.seeds - 1, 1.96) * sd / math.sqrt(a.seeds)
    print("stages %s alpha %g n %d width %d depth %d seeds %d: rate %.4f, 95%% CI [%.4f, %.4f]; per seed %s"
          % (a.stages, a.alpha, a.n, a.width, a.depth, a.seeds, m, m - half, m + half,
             " ".join("%.4f" % r for r in rates)))
    return m, half


if __name__ == "__main__":
    sys.exit(main() and 0)
