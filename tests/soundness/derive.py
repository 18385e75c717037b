"""Independent derivations of the numbers the soundness corpus relies on.

Nothing here imports bnverify: the point is to know the truth of each corpus case without
trusting the tool under test.  Two kinds of facts:

* exact (sympy rationals): the two-point fixed point of RC + leaky ReLU(alpha) (alpha = 0 is
  ReLU, alpha = 1 the identity) and the complete spectrum of its scale-free linearization,
  from a dense n(n+1)/2 x n(n+1)/2 Jacobian.  At that state every correlation of C G C is
  +-1, where kappa(1) = kappa'(1) = (1+alpha^2)/2, kappa(-1) = -alpha, kappa'(-1) = alpha, so
  the Jacobian is an exact rational matrix;
* numerical guidance (mpmath, 40 digits): the spread-cluster ("attractor") and simplex fixed
  points of RC + ReLU and their spectral radii, used only with bounds that leave a wide
  margin (and checked against the certified enclosures quoted in the brief).

Run ``python tests/soundness/derive.py`` to print them.
"""
from __future__ import annotations

import itertools

import sympy
from sympy import Rational as R


# ---------------------------------------------------------------- exact: the two-point state
def _sym_basis(n):
    return [(i, j) for i in range(n) for j in range(i, n)]


def _centering(n):
    return sympy.eye(n) - sympy.ones(n, n) / n


def _kernel_at_rank_one(S, alpha):
    """K(S) for S = C G C of rank one (all correlations +-1), and its derivative map."""
    n = S.shape[0]
    A = (1 + alpha ** 2) / 2
    kap = {1: A, -1: -alpha}
    dkap = {1: A, -1: alpha}

    def rho(j, k):
        return sympy.sign(S[j, k]) if j != k else 1

    K = sympy.zeros(n, n)
    for j in range(n):
        for k in range(n):
            r = sympy.sqrt(S[j, j] * S[k, k])
            K[j, k] = A * S[j, j] if j == k else r * kap[rho(j, k)]

    def dK(H):
        D = sympy.zeros(n, n)
        for j in range(n):
            for k in range(n):
                if j == k:
                    D[j, j] = A * H[j, j]
                    continue
                r = sympy.sqrt(S[j, j] * S[k, k])
                p = rho(j, k)
                dr = (H[j, j] * S[k, k] + S[j, j] * H[k, k]) / (2 * r)
                drho = H[j, k] / r - p * (H[j, j] / S[j, j] + H[k, k] / S[k, k]) / 2
                D[j, k] = kap[p] * dr + r * dkap[p] * drho
        return D
    return K, dK


def two_point_state(n, alpha):
    """(G*, c): the two-point fixed point (n-1 equal points, one odd point; odd point last)."""
    alpha = sympy.nsimplify(alpha)
    s = sympy.Matrix([R(-1, n)] * (n - 1) + [R(n - 1, n)])
    G, _ = _kernel_at_rank_one(s * s.T, alpha)          # the image of any two-point batch
    C = _centering(n)
    FG, _ = _kernel_at_rank_one(C * G * C, alpha)
    c = sympy.nsimplify(FG[0, 0] / G[0, 0])
    assert sympy.simplify(FG - c * G) == sympy.zeros(n, n), "not a fixed point"
    return G, c


def two_point_spectrum(n, alpha):
    """{eigenvalue: multiplicity} of the scale-free linearization (DF(G*)/c, one eigenvalue 1
    of the direction G* dropped), exact."""
    alpha = sympy.nsimplify(alpha)
    G, c = two_point_state(n, alpha)
    C = _centering(n)
    _, dK = _kernel_at_rank_one(C * G * C, alpha)
    basis = _sym_basis(n)
    cols = []
    for (i, j) in basis:
        H = sympy.zeros(n, n)
        H[i, j] = H[j, i] = 1
        D = dK(C * H * C) / c
        cols.append([D[a, b] for (a, b) in basis])
    M = sympy.Matrix(cols).T
    # G* is an eigenvector with eigenvalue 1 (homogeneity): check, then drop one 1
    g = sympy.Matrix([G[a, b] for (a, b) in basis])
    assert sympy.simplify(M * g - g) == sympy.zeros(len(basis), 1)
    ev = {sympy.nsimplify(k): v for k, v in M.eigenvals().items()}
    ev[sympy.Integer(1)] -= 1
    return {k: v for k, v in ev.items() if v}


def odd_cosine(n, alpha):
    G, _ = two_point_state(n, sympy.nsimplify(alpha))
    return sympy.nsimplify(G[0, n - 1] / sympy.sqrt(G[0, 0] * G[n - 1, n - 1]))


def norm_ratio(n, alpha):
    G, _ = two_point_state(n, sympy.nsimplify(alpha))
    return sympy.sqrt(sympy.nsimplify(G[n - 1, n - 1] / G[0, 0]))


def spread_eigenvalue(n, a):
    return n ** 2 * (1 + a ** 2) / ((1 + a ** 2) * (n ** 2 - 2 * n + 2) + 4 * a * (n - 1))


def relu_closed_form(n):
    """The closed-form spectrum at O_n for RC + ReLU (as in the README)."""
    d = n * n - 2 * n + 2
    out = {sympy.Integer(0): n, R(n, d): n - 2, R(n * n, d): (n - 1) * (n - 2) // 2}
    return {k: v for k, v in out.items() if v}


# ---------------------------------------------------------------- numerical: attractor, simplex
def _num_map(n, mp):
    """Scale-free RC + ReLU Gram map on full matrices (mpmath), and its Jacobian."""
    A = mp.mpf(1) / 2
    B = 1 / (2 * mp.pi)

    def kap(r):
        r = min(max(r, -1), 1)
        return A * r + B * (mp.sqrt(1 - r * r) - r * mp.acos(r))

    def dkap(r):
        r = min(max(r, -1), 1)
        return A - B * mp.acos(r)

    C = mp.eye(n) - mp.ones(n, n) / n

    def F(G):
        S = C * G * C
        K = mp.matrix(n, n)
        for j in range(n):
            for k in range(n):
                rr = mp.sqrt(S[j, j] * S[k, k])
                K[j, k] = A * S[j, j] if j == k else rr * kap(S[j, k] / rr)
        return K

    def DF(G, H):
        S, T = C * G * C, C * H * C
        D = mp.matrix(n, n)
        for j in range(n):
            for k in range(n):
                if j == k:
                    D[j, j] = A * T[j, j]
                    continue
                rr = mp.sqrt(S[j, j] * S[k, k])
                p = S[j, k] / rr
                dr = (T[j, j] * S[k, k] + S[j, j] * T[k, k]) / (2 * rr)
                dp = T[j, k] / rr - p * (T[j, j] / S[j, j] + T[k, k] / S[k, k]) / 2
                D[j, k] = kap(p) * dr + rr * dkap(p) * dp
        return D
    return F, DF


def _sym_state(n, p, q, b, mp):
    """Cluster points of norm 1 with cosines p, odd point of norm^2 b with cosine q."""
    G = mp.matrix(n, n)
    for j in range(n - 1):
        for k in range(n - 1):
            G[j, k] = 1 if j == k else p
        G[j, n - 1] = G[n - 1, j] = q * mp.sqrt(b)
    G[n - 1, n - 1] = b
    return G


def _reduced(n, mp, x):
    F, _ = _num_map(n, mp)
    p, q, b = x
    Y = F(_sym_state(n, p, q, b, mp))
    a = Y[0, 0]
    return [Y[0, 1] / a - p, Y[0, n - 1] / mp.sqrt(a * Y[n - 1, n - 1]) - q, Y[n - 1, n - 1] / a - b]


def symmetric_fixed_point(n, guess, dps=40):
    import mpmath
    mp = mpmath.mp
    mp.dps = dps
    sol = mpmath.findroot(lambda p, q, b: _reduced(n, mp, (p, q, b)), guess)
    return [sol[i] for i in range(3)]


def scale_free_radius(n, G, dps=40):
    """Spectral radius of DF(G)/c, one eigenvalue 1 (the direction G) dropped."""
    import mpmath
    mp = mpmath.mp
    mp.dps = dps
    F, DF = _num_map(n, mp)
    FG = F(G)
    c = FG[0, 0] / G[0, 0]
    basis = _sym_basis(n)
    M = mp.matrix(len(basis), len(basis))
    for col, (i, j) in enumerate(basis):
        H = mp.matrix(n, n)
        H[i, j] = H[j, i] = 1
        D = DF(G, H)
        for row, (a, b) in enumerate(basis):
            M[row, col] = D[a, b] / c
    import numpy as np                  # float eigenvalues: guidance only (margins >> 1e-10)
    ev = np.linalg.eigvals(np.array([[float(M[i, j]) for j in range(M.cols)] for i in range(M.rows)]))
    ev = sorted(ev, key=lambda z: abs(z - 1))
    rest = ev[1:]                       # drop the eigenvalue 1 of the direction G
    return max(abs(z) for z in rest), abs(ev[0] - 1)


def simplex_radius(n, dps=30):
    import mpmath
    mp = mpmath.mp
    mp.dps = dps
    # simplex: C G C = a C, all cosines kappa(-1/(n-1))/kappa(1)
    r = -mp.mpf(1) / (n - 1)
    kap = r / 2 + (mp.sqrt(1 - r * r) - r * mp.acos(r)) / (2 * mp.pi)
    cos = kap / (mp.mpf(1) / 2)
    G = mp.matrix(n, n)
    for j in range(n):
        for k in range(n):
            G[j, k] = 1 if j == k else cos
    return scale_free_radius(n, G, dps)


def attractor(n, dps=30):
    """The spread-cluster fixed points found from a grid of guesses: [((p, q, b), radius)]
    (distinct, real, cluster cosine < 1, odd cosine != cluster cosine)."""
    import mpmath
    mp = mpmath.mp
    mp.dps = dps
    found = []
    for p0, q0, f in itertools.product((0.3, 0.5, 0.7, 0.9), (0.01, 0.05), (0.3, 0.5, 0.7, 0.9)):
        try:
            x = symmetric_fixed_point(n, (p0, q0, f * (n - 1) ** 2), dps)
        except Exception:               # noqa: BLE001 - no convergence from this guess
            continue
        if any(abs(mpmath.im(v)) > 1e-20 for v in x):
            continue
        p, q, b = (mpmath.re(v) for v in x)
        if abs(p - 1) < 1e-6 or abs(q - p) < 1e-6 or b <= 0:
            continue
        if any(abs(p - y[0][0]) < 1e-12 for y in found):
            continue
        rad, _ = scale_free_radius(n, _sym_state(n, p, q, b, mp), dps)
        found.append(((p, q, b), rad))
    return found


def main():
    print("RC + ReLU, exact spectra at O_n (dense Jacobian) vs the closed form:")
    for n in range(3, 8):
        sp = two_point_spectrum(n, 0)
        print("  n=%d %s %s  radius %s" % (n, dict(sp), "==" if sp == relu_closed_form(n) else "!=",
                                           max(abs(k) for k in sp)))
    for a in (R(1, 10), R(1, 3), R(1, 2), R(9, 10), R(1)):
        for n in (3, 4, 5):
            sp = two_point_spectrum(n, a)
            rad = max(abs(k) for k in sp)
            print("  alpha=%s n=%d spectrum %s radius %s (spread formula %s) cos %s ratio %s" % (
                a, n, dict(sp), rad, spread_eigenvalue(n, a), odd_cosine(n, a), norm_ratio(n, a)))
    for n in (7, 8, 9, 10, 12):
        for x, rad in attractor(n):
            print("  spread-cluster n=%d p,q,b=%s radius %s" % (
                n, [sympy.Float(v, 12) for v in x], sympy.Float(rad, 15)))
    for n in (3, 4, 5, 6, 7, 8, 10):
        rad, err = simplex_radius(n)
        print("  simplex n=%d radius %s" % (n, sympy.Float(rad, 15)))


if __name__ == "__main__":
    main()


# ---------------------------------------------------------------- numerical: the fold in real n
def reduced_real(n, x, mp):
    """The symmetric reduction of RC + ReLU with n real: (p, q, b) -> image - (p, q, b).
    p: cluster cosine, q: odd point's cosine to the cluster, b: odd norm^2 / cluster norm^2."""
    p, q, b = x
    m = n - 1
    A = mp.mpf(1) / 2

    def kap(r):
        return A * r + (mp.sqrt(1 - r * r) - r * mp.acos(r)) / (2 * mp.pi)
    x_ = q * mp.sqrt(b)
    rc = (1 + (m - 1) * p + x_) / n
    ro = (m * x_ + b) / n
    t = (m * rc + ro) / n
    scc, sc, sco, soo = 1 - 2 * rc + t, p - 2 * rc + t, x_ - rc - ro + t, b - 2 * ro + t
    return [kap(sc / scc) / A - p, kap(sco / mp.sqrt(scc * soo)) / A - q, soo / scc - b]


def fold_point(dps=40):
    """The real n where the spread-cluster pair is born: the branch of the real-n reduction,
    parametrized by the cluster cosine p, is (q(p), b(p), n(p)); the fold is min_p n(p)."""
    import mpmath
    mp = mpmath.mp
    mp.dps = dps
    guess = [mp.mpf("0.136"), mp.mpf("4.67"), mp.mpf("6.11")]

    def n_of(p):
        nonlocal guess
        sol = mpmath.findroot(lambda q, b, n: reduced_real(n, (p, q, b), mp), guess)
        guess = [sol[0], sol[1], sol[2]]
        return sol[2]
    lo, hi = mp.mpf("0.28"), mp.mpf("0.34")       # golden section: n(p) is convex near its minimum
    g = (mp.sqrt(5) - 1) / 2
    a, b = hi - g * (hi - lo), lo + g * (hi - lo)
    fa, fb = n_of(a), n_of(b)
    for _ in range(120):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - g * (hi - lo)
            fa = n_of(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + g * (hi - lo)
            fb = n_of(b)
    return (a + b) / 2, min(fa, fb)


def spread_states_real(n, dps=30):
    """Distinct spread-cluster solutions of the real-n reduction from a grid of guesses."""
    import mpmath
    mp = mpmath.mp
    mp.dps = dps
    n = mp.mpf(n)
    found = []
    for p0, q0, b0 in itertools.product((0.2, 0.3, 0.4, 0.5, 0.6), (0.02, 0.1, 0.2), (1.5, 4, 8, 15)):
        try:
            x = mpmath.findroot(lambda p, q, b: reduced_real(n, (p, q, b), mp), (p0, q0, b0))
        except Exception:               # noqa: BLE001
            continue
        if any(abs(mpmath.im(v)) > 1e-20 for v in x):
            continue
        p, q, b = (mpmath.re(v) for v in x)
        if abs(p - 1) < 1e-6 or abs(q - p) < 1e-6 or b <= 0 or not -1 < p < 1 or not -1 < q < 1:
            continue
        if not any(abs(p - y[0]) < 1e-15 for y in found):
            found.append((p, q, b))
    return found
