"""Krawczyk's operator on a box X of (o, x, b) for the reduced map T:
``K(X) = m - Y f(m) + (I - Y J(X)) (X - m)`` with f = T - id, J(X) a ball enclosure of f's
Jacobian over X (from the trivial symmetry block and the quotient rule) and Y a float
inverse of J(m); K(X) strictly inside X proves a unique fixed point in X.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from .balls import _arb, ball, exact
from .curve import reduced_image, reduced_jacobian


def _mids(M):
    return np.array([[float(v.mid()) for v in row] for row in M])


def newton_polish(s, n, act, ctx, steps=10):
    """Untrusted Newton steps for f = T - id at ball midpoints (search, not proof), until the
    step is below the working precision."""
    from flint import arb_mat

    s = [ctx.const(exact(v) if not isinstance(v, Fraction) else v) for v in s]
    tiny = Fraction(1, 2 ** (ctx.prec - 8))
    for _ in range(steps):
        T, _ = reduced_image(s, n, act, ctx)
        J = reduced_jacobian(s, n, act, ctx)
        A = arb_mat([[J[i][j].mid() - (1 if i == j else 0) for j in range(3)] for i in range(3)])
        f = arb_mat([[T[i].mid() - s[i]] for i in range(3)])
        try:
            d = A.solve(f)
        except ZeroDivisionError:
            break
        s = [(s[i] - d[i, 0]).mid() for i in range(3)]
        if all(abs(exact(d[i, 0].mid())) <= tiny * max(1, abs(exact(s[i]))) for i in range(3)):
            break
    return s


def krawczyk(s_guess, n, act, prec=128, rel_radius=None):
    """Krawczyk test on the box X = m +/- r around ``s_guess`` (3 reduced coordinates).

    Returns a dict with the box, the Y matrix, K(X) and ``ok`` (K(X) strictly inside X)."""
    arb = _arb()
    ctx = ball(prec)
    m = newton_polish(s_guess, n, act, ctx)
    eps = Fraction(1, 2 ** int(rel_radius if rel_radius is not None else 0.58 * prec))
    X = [arb(mi, ctx.const(eps * max(1, abs(exact(mi))))) for mi in m]
    Jm = reduced_jacobian(m, n, act, ctx)
    Am = _mids(Jm) - np.eye(3)
    Yf = np.linalg.inv(Am)
    Y = [[ctx.const(Fraction(float(Yf[i, j]))) for j in range(3)] for i in range(3)]
    return dict(_krawczyk_step(X, m, Y, n, act, ctx),
                Y=[[Fraction(float(Yf[i, j])) for j in range(3)] for i in range(3)])


def _krawczyk_step(X, m, Y, n, act, ctx):
    """K(X) = m - Y f(m) + (I - Y J(X)) (X - m); ok iff K(X) is in the interior of X."""
    T, _ = reduced_image(m, n, act, ctx)
    fm = [T[i] - m[i] for i in range(3)]
    J = reduced_jacobian(X, n, act, ctx)
    Jf = [[J[i][j] - (1 if i == j else 0) for j in range(3)] for i in range(3)]
    K = []
    for i in range(3):
        acc = m[i] - sum(Y[i][k] * fm[k] for k in range(3))
        for j in range(3):
            c = (1 if i == j else 0) - sum(Y[i][k] * Jf[k][j] for k in range(3))
            acc += c * (X[j] - m[j])
        K.append(acc)
    ok = all(K[i].is_finite() and X[i].contains_interior(K[i]) for i in range(3))
    return {"X": X, "m": m, "K": K, "ok": ok}


def _box_json(X):
    return [[int(v) for v in x.mid().man_exp()] + [int(v) for v in x.rad().man_exp()] for x in X]


def _box_from_json(box, ctx):
    arb = _arb()
    out = []
    for mm, me, rm, re in box:
        mid = ctx.const(Fraction(mm) * Fraction(2) ** me)
        out.append(arb(mid, ctx.const(Fraction(rm) * Fraction(2) ** re)))
    return out
