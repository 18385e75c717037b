"""Symbolic derivations for a symbolic batch size n (and leaky slope alpha).

Everything here is derived by sympy from the single Gram-map implementation
(:mod:`bnverify.core.gram` through the quotient layouts of :mod:`bnverify.core.symmetry`); numbers
that are results are computed, not typed in.  The statements derived are:

* :func:`centering_identity` - for a two-point batch (n-1 copies of v, one u) and any W,
  ``W X C = w s^T`` with ``w = W (u - v)`` and ``s = (-1/n, ..., -1/n, (n-1)/n)``.
* :func:`invariance` - RC + phi (phi positively homogeneous) maps the batch to n-1 copies of
  ``v' = phi(-w)/n`` and one ``u' = (n-1) phi(w)/n``; with RS in between,
  ``v'_i = phi(-sign w_i)/sqrt(n-1)`` and ``u'_i = phi(sign w_i) sqrt(n-1)``.
* :func:`norm_ratio` - ``||u'||/||v'||`` at finite width and its infinite-width limit.
* :func:`fixed_point` - the Gram matrix G* of the configuration with ``F(G*) = c G*``.
* :func:`configuration_spectrum` - eigenvalues (with multiplicities and modes) of the
  scale-free linearization at G*, from the symmetry blocks.

**Boundary derivatives.** At G*, ``C G* C`` has rank one, so every correlation is rho = +1
(inside the cluster) or rho = -1 (cluster vs odd point), the edge of the kernel's domain.
The derivative used there is the one-sided one from inside [-1, 1]: kappa'(rho) =
A - B acos(rho) is continuous on the closed interval and kappa - rho kappa' = B sqrt(1-rho^2)
vanishes continuously, so the Gram map is C^1 on the cone {S_jj > 0, |rho_jk| <= 1} up to
its boundary.  The tangent cone of the PSD cone at G* spans all symmetric matrices, so the
directional derivatives along PSD-preserving directions determine one linear map, DF(G*),
and that is the linearization.  (kappa'' = B / sqrt(1-rho^2) is unbounded, so F is not C^2
there: the linearization governs first-order behaviour only.)
"""
from __future__ import annotations

import copy
import functools

import numpy as np
import sympy as sp

from ..core import arith, gram, symmetry
from ..core.activations import Activation
from ..errors import BadInput

N = sp.Symbol("n", integer=True, positive=True)
ALPHA = sp.Symbol("alpha", nonnegative=True)
_CLUSTER = sp.Symbol("k", integer=True, positive=True)   # n - 1, the cluster size
EXACT = arith.ExactContext()


def symbolic_activation(name):
    """relu / identity, or leaky_relu with a symbolic slope alpha (an activation's parameter)."""
    act = Activation(name)
    return Activation(name, ALPHA) if act.takes_alpha else act


def _phi_expr(act, t):
    """phi(t) as a sympy expression: t for t > 0, alpha t otherwise (relu: alpha = 0)."""
    return sp.Piecewise((t, t > 0), (act.slope * t, True))


def _by_sign(expr, t):
    """expr(t) as a dict {sign: simplified value} for t = +tau, -tau, 0 with tau > 0:
    a case split that proves an identity in t for every real t."""
    tau = sp.Symbol("tau", positive=True)
    expr = expr.subs(N, _CLUSTER + 1)      # so that sympy knows n - 1 > 0
    out = {s: sp.simplify(expr.subs(t, s * tau)).subs(_CLUSTER, N - 1) for s in (1, -1)}
    try:
        zero = expr.subs(t, 0)
        out[0] = None if zero.has(sp.nan, sp.zoo) else sp.simplify(zero).subs(_CLUSTER, N - 1)
    except TypeError:       # 0/0 inside a comparison: undefined at t = 0
        out[0] = None
    return out


def centering_identity(n=N):
    """Columns of X C for the batch (v, ..., v, u): exactly (u - v) s_j."""
    V, U = sp.symbols("v u")
    mean = ((n - 1) * V + U) / n
    s = {"cluster": -1 / n, "odd": (n - 1) / n}
    residual = {"cluster": sp.simplify(V - mean - s["cluster"] * (U - V)),
                "odd": sp.simplify(U - mean - s["odd"] * (U - V))}
    sum_s = sp.simplify((n - 1) * s["cluster"] + s["odd"])
    return {"s": s, "w": "W (u - v)", "rank": 1, "residual": residual, "sum_s": sum_s,
            "holds": all(r == 0 for r in residual.values()) and sum_s == 0}


def invariance(stages, act, n=N):
    """Closed forms of v' (each cluster point) and u' (odd point) per neuron, as functions of
    t = w_i = (W (u - v))_i, with a case-split proof that the layer produces exactly them."""
    t = sp.Symbol("t", real=True)
    s = centering_identity(n)["s"]
    if "rc" not in stages:
        raise BadInput("invariance needs rc: without centering the batch is not rank one")
    if "rs" in stages:
        var = sp.simplify(((n - 1) * s["cluster"] ** 2 + s["odd"] ** 2) / n)   # population variance of s
        sigma = sp.sqrt(var) * sp.Abs(t)
        pre = {k: s[k] * t / sigma for k in s}
        claimed = {"cluster": _phi_expr(act, -sp.sign(t)) / sp.sqrt(n - 1),
                   "odd": _phi_expr(act, sp.sign(t)) * sp.sqrt(n - 1)}
    else:
        var = None
        pre = {k: s[k] * t for k in s}
        claimed = {"cluster": _phi_expr(act, -t) / n, "odd": (n - 1) * _phi_expr(act, t) / n}
    out = {k: _phi_expr(act, pre[k]) for k in pre}
    cases = {k: _by_sign(out[k] - claimed[k], t) for k in out}
    # t = 0 makes an RS row 0/0 (undefined, None); BN leaves such a row at 0, our convention
    holds = all(v == 0 for k in cases for sgn, v in cases[k].items() if v is not None)
    product = _by_sign(claimed["cluster"] * claimed["odd"], t)
    return {"v_prime": claimed["cluster"], "u_prime": claimed["odd"], "variable": t,
            "holds": holds, "per_neuron_product": product,
            "orthogonal": all(v == 0 for v in product.values() if v is not None),
            "batch_variance_of_s": var}


def norm_ratio(stages, act, n=N):
    """||u'|| / ||v'||: finite-width formula and infinite-width limit.

    Finite width (RC): (n-1) ||phi(w)|| / ||phi(-w)||.  With RS (relu):
    (n-1) sqrt(P/M), P, M the numbers of positive / negative w_i.  As d -> infinity the
    w_i are i.i.d. centred Gaussians, so by the law of large numbers the ratio tends to
    (n-1) sqrt(E[phi(g)^2] / E[phi(-g)^2]) (RC) or (n-1) sqrt(E[phi(sgn g)^2]/E[phi(-sgn g)^2])
    (RS), both evaluated here by exact integration."""
    g = sp.Symbol("g", positive=True)
    dens = sp.exp(-g ** 2 / 2) / sp.sqrt(2 * sp.pi)
    inv = invariance(stages, act, n)
    t = inv["variable"]

    def moment(expr):   # E[expr(g)^2], g ~ N(0, 1), split at 0 so the Piecewise resolves
        return sp.simplify(sum(sp.integrate(expr.subs(t, sgn * g) ** 2 * dens, (g, 0, sp.oo))
                               for sgn in (1, -1)))

    mu, mv = moment(inv["u_prime"]), moment(inv["v_prime"])
    return {"finite_width": ("(n-1) sqrt(P/M), P = #{w_i > 0}, M = #{w_i < 0}" if "rs" in stages
                             else "(n-1) ||phi(w)|| / ||phi(-w)||, w = W (u - v)"),
            "mean_square_u": mu, "mean_square_v": mv,
            "limit": sp.sqrt(sp.factor(mu / mv).subs(N, _CLUSTER + 1)).subs(_CLUSTER, N - 1)}


@functools.lru_cache(maxsize=None)
def fixed_point(act, n=N):
    """G* and c with F(G*) = c G* (cluster diagonal normalised to 1).

    Derived by mapping a generic two-point state (cluster diag 1, odd diag q, cross p):
    its image does not depend on p, q up to scale, so the image itself is the fixed point."""
    p, q = sp.symbols("p q", real=True)
    gen = symmetry.SymState(sp.Integer(1), sp.Integer(1), p, q)
    img = symmetry.image(gen, n, act, EXACT)
    star = symmetry.SymState(*(sp.factor(v / img.a) for v in (img.a, img.o, img.x, img.b)))
    if any(sym in v.free_symbols for v in (star.x, star.b) for sym in (p, q)):
        raise AssertionError("the image of a two-point state depends on its shape")
    again = symmetry.image(star, n, act, EXACT)
    c = sp.factor(again.a)
    residual = [sp.simplify(x - c * y) for x, y in zip((again.a, again.o, again.x, again.b),
                                                        (star.a, star.o, star.x, star.b))]
    return {"state": star, "scale_factor": c, "residual": residual,
            "holds": all(r == 0 for r in residual),
            "norm_ratio": sp.factor(sp.sqrt(star.b)),
            "odd_cos": sp.factor(star.x / sp.sqrt(star.b))}


def configuration_spectrum(act, n=None):
    """Eigenvalues of the scale-free linearization at the configuration.

    ``n=None`` gives closed forms in the symbol n (valid for every n >= 3: derived from the
    generic blocks, n >= 5, and confirmed against the n = 3, 4 blocks), else concrete n.
    Returns {"n", "scale_factor", "fixed_point", "blocks", "eigenvalues"}; each eigenvalue
    {"value", "multiplicity", "mode"} and the multiplicities add up to n(n+1)/2 - 1.
    Derived once per (activation, n) in a process (seconds for symbolic alpha); each call gets
    its own copy."""
    if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n < 3):
        raise BadInput("the spectrum needs an integer n >= 3 (got %r)" % (n,))
    try:
        key = (act, n)
        hash(key)
    except TypeError:
        return _configuration_spectrum(act, n)
    if key not in _SPECTRA:
        _SPECTRA[key] = _configuration_spectrum(act, n)
    return copy.deepcopy(_SPECTRA[key])


_SPECTRA = {}       # (activation, n) -> configuration_spectrum


def _configuration_spectrum(act, n):
    nn = N if n is None else n
    fp = fixed_point(act, nn)
    blocks = symmetry.scale_free_blocks(fp["state"], nn, act, EXACT, fp["scale_factor"])
    merged, described = {}, {}
    for comp, (B, mult, modes) in blocks.items():
        M = sp.Matrix(B).applyfunc(sp.factor)
        for val, amult, vecs in M.eigenvects():
            val = sp.factor(val)
            merged[val] = merged.get(val, 0) + amult * mult
            described.setdefault(val, []).extend(
                "%s [%s x%s]" % (symmetry.classify_mode(comp, list(v), nn, EXACT), comp, sp.factor(mult))
                for v in vecs)
    eig = [{"value": v, "multiplicity": sp.factor(m), "mode": "; ".join(described[v])}
           for v, m in merged.items()]
    eig.sort(key=lambda e: sp.default_sort_key(e["value"]))
    total = sp.simplify(sum(e["multiplicity"] for e in eig) - (nn * (nn + 1) / 2 - 1))
    if n is None:
        _confirm_small_n(act, eig)
    return {"n": nn, "activation": str(act), "scale_factor": fp["scale_factor"],
            "fixed_point": fp, "blocks": {k: (sp.Matrix(b[0]).applyfunc(sp.factor), b[1], b[2])
                                          for k, b in blocks.items()},
            "eigenvalues": eig, "multiplicities_ok": total == 0}


@functools.lru_cache(maxsize=None)
def _spectrum_at(act, m):
    """configuration_spectrum at a concrete small n, computed once per activation (read only)."""
    return configuration_spectrum(act, m)


def _confirm_small_n(act, eig):
    """The generic formulas assume n >= 5 (all three components present); check that they
    also give the n = 3 and n = 4 spectra computed from those n's own blocks."""
    for m in (3, 4):
        concrete = _spectrum_at(act, m)
        want = {sp.factor(e["value"]): e["multiplicity"] for e in concrete["eigenvalues"]}
        got = {}
        for e in eig:
            mult = e["multiplicity"].subs(N, m)
            if mult != 0:
                key = sp.factor(e["value"].subs(N, m))
                got[key] = got.get(key, 0) + mult
        if got != want:
            raise AssertionError("closed-form spectrum fails at n=%d: %s vs %s" % (m, got, want))


def generic_from():
    """The smallest n whose symmetry components are those of a symbolic n: from there on the
    concrete blocks are computed by the same layouts and code as the formulas in the symbol n."""
    generic = set(symmetry.components(N))
    return next(m for m in range(3, 100) if set(symmetry.components(m)) == generic)


def nonnegative_integer_from(expr, n_min=3):
    """The smallest integer n0 >= n_min such that ``expr`` (a polynomial in n) is a
    non-negative integer at every integer n >= n0; None if there is none (not a polynomial in
    n alone, not integer-valued, or negative for large n).  Exact: integer-valued iff integer at
    deg + 1 consecutive integers; beyond the largest real root the sign is the leading one."""
    e = sp.sympify(expr)
    if not e.free_symbols <= {N} or not e.is_polynomial(N):
        return None
    poly = sp.Poly(sp.expand(e), N)
    if any(not poly.eval(k).is_integer for k in range(n_min, n_min + poly.degree() + 1)):
        return None
    if poly.degree() <= 0:
        return n_min if poly.eval(0) >= 0 else None
    if poly.LC() < 0:
        return None
    n0 = max([n_min] + [int(sp.floor(r)) + 1 for r in sp.real_roots(poly)])
    while n0 - 1 >= n_min and poly.eval(n0 - 1) >= 0:
        n0 -= 1
    return n0


def positive_from(expr, n_min=3):
    """The smallest integer n0 >= n_min with expr(n) > 0 for every integer n >= n0 (expr a
    polynomial in n with a non-negative integer value from some n on), else None."""
    start = nonnegative_integer_from(expr, n_min)
    if start is None:
        return None
    poly = sp.Poly(sp.expand(sp.sympify(expr)), N)
    if poly.is_zero:
        return None
    zeros = [int(r) for r in sp.real_roots(poly) if r.is_integer and r >= start]
    return max(zeros) + 1 if zeros else start


def validity(act, spectrum, n_min=3):
    """Where the closed forms of ``configuration_spectrum(act)`` hold, derived, not assumed.

    For each block and each eigenvalue: ``valid_from``, the smallest n0 >= n_min such that for
    every integer n >= n0 the multiplicity is a non-negative integer and the formula is the
    concrete one (below :func:`generic_from` each n is compared with that n's own blocks and
    spectrum, exactly; from there on the concrete computation is the generic one); and
    ``present_from``, from where the multiplicity is positive (the eigenvector family exists);
    for a block, ``below``: {n: {size, copies} or None (absent)} at each n below valid_from."""
    top = generic_from()
    concrete = {m: _spectrum_at(act, m) for m in range(n_min, top)}

    def from_(ok_at, mult):
        start = nonnegative_integer_from(mult, n_min)
        if start is None:
            return None
        n0 = max(start, top)
        while n0 - 1 >= start and ok_at(n0 - 1):
            n0 -= 1
        return n0

    blocks = {}
    for comp, (M, mult, _) in spectrum["blocks"].items():
        mult = sp.sympify(mult)

        def block_ok(m, comp=comp, M=M, mult=mult):
            want = concrete[m]["blocks"].get(comp)
            if want is None:
                return mult.subs(N, m) == 0
            return (want[1] == mult.subs(N, m) and want[0].shape == M.shape
                    and all(sp.simplify(x - y) == 0 for x, y in zip(want[0], M.subs(N, m))))
        v = from_(block_ok, mult)
        below = {m: (None if concrete[m]["blocks"].get(comp) is None else
                     {"size": concrete[m]["blocks"][comp][0].shape[0], "copies": int(concrete[m]["blocks"][comp][1])})
                 for m in range(n_min, v if v is not None else n_min)}
        blocks[comp] = {"valid_from": v, "present_from": positive_from(mult, n_min), "below": below}

    def spectrum_at(m):
        got = {}
        for e in spectrum["eigenvalues"]:
            key = sp.factor(e["value"].subs(N, m))
            got[key] = got.get(key, 0) + e["multiplicity"].subs(N, m)
        want = {sp.factor(e["value"]): e["multiplicity"] for e in concrete[m]["eigenvalues"]}
        return got, want

    eig = []
    for e in spectrum["eigenvalues"]:
        def eig_ok(m, e=e):
            got, want = spectrum_at(m)
            key = sp.factor(e["value"].subs(N, m))
            return got[key] == want.get(key, 0)
        eig.append({"valid_from": from_(eig_ok, e["multiplicity"]),
                    "present_from": positive_from(e["multiplicity"], n_min)})

    def whole_ok(m):
        got, want = spectrum_at(m)
        return {k: v for k, v in got.items() if v != 0} == want
    complete = top
    while complete - 1 >= n_min and whole_ok(complete - 1):
        complete -= 1
    return {"blocks": blocks, "eigenvalues": eig, "spectrum_complete_from": complete, "generic_from": top}


def dense_jacobian(act, n):
    """The full n(n+1)/2 x n(n+1)/2 matrix of DF(G*)/c, exact, WITHOUT the symmetry split
    (for independent checks): column (i, j) is the image of E_ij + E_ji (or E_ii)."""
    fp = fixed_point(act, n)
    G = fp["state"].dense(n, EXACT)
    c = fp["scale_factor"]
    idx = [(i, j) for i in range(n) for j in range(i, n)]
    J = sp.zeros(len(idx), len(idx))
    L = gram.Linearization(G, act, EXACT)
    for col, (i, j) in enumerate(idx):
        H = np.empty((n, n), dtype=object)
        H[:, :] = sp.Integer(0)
        H[i, j] = H[j, i] = sp.Integer(1)
        D = L(H)
        for row, (p, q) in enumerate(idx):
            J[row, col] = D[p, q] / c
    return J, idx


def _positive_for_all(expr, n_min=3):
    """True if expr > 0 for every real n >= n_min and alpha in [0, 1), by a certificate
    that is itself exact: with n = n_min + m and alpha = beta / (1 + beta) (m, beta >= 0),
    the numerator and denominator become polynomials whose coefficients are all >= 0 with a
    positive constant term.  None means "not shown this way" (never "false")."""
    m, beta = sp.symbols("m beta", nonnegative=True)
    e = sp.together(sp.sympify(expr).subs({N: n_min + m, ALPHA: beta / (1 + beta)}))
    num, den = sp.fraction(sp.together(e))
    ok = []
    for part in (num, den):
        poly = sp.Poly(sp.expand(part), m, beta)
        coeffs = poly.coeffs()
        const = poly.coeff_monomial(1)
        if all(c >= 0 for c in coeffs) and const > 0:
            ok.append(1)
        elif all(c <= 0 for c in coeffs) and const < 0:
            ok.append(-1)
        else:
            return None
    return ok[0] * ok[1] > 0


def compare_to(expr, bound, n_min=3):
    """'<', '>' or '=' of expr against bound for all n >= n_min (and alpha in [0,1)), or None."""
    d = sp.factor(sp.sympify(expr) - bound)
    if d == 0:
        return "="
    if _positive_for_all(d, n_min):
        return ">"
    if _positive_for_all(-d, n_min):
        return "<"
    return None


def state_name(fp):
    """The name of the fixed point ``fp`` (:func:`fixed_point`), read from its derived odd
    cosine: "O_n" when the odd point is orthogonal to the cluster (relu), else "the two-point
    state" (a leaky slope alpha > 0 puts it at cosine -2 alpha/(1 + alpha^2)); with alpha a
    symbol, the two-point state is O_n exactly at alpha = 0, and the name says so."""
    cos = sp.simplify(fp["odd_cos"])
    if cos == 0:
        return "O_n"
    if ALPHA in cos.free_symbols and sp.simplify(cos.subs(ALPHA, 0)) == 0:
        return "the two-point state (O_n at alpha = 0)"
    return "the two-point state"


def stability_summary(spectrum, n_min=3):
    """Plain statement of what the spectrum says, each comparison decided exactly."""
    name = state_name(spectrum["fixed_point"])
    lines, unstable = [], False
    for e in spectrum["eigenvalues"]:
        v = e["value"]
        hi, lo = compare_to(v, 1, n_min), compare_to(v, -1, n_min)
        where = ("decays (|eigenvalue| < 1)" if hi == "<" and lo == ">" else
                 "grows (eigenvalue > 1)" if hi == ">" else
                 "grows, alternating in sign (eigenvalue < -1)" if lo == "<" else      # abs: -n/(n-2)
                 "neutral (eigenvalue 1)" if hi == "=" else "undecided")
        unstable |= hi == ">" or lo == "<"
        lines.append({"value": v, "relation_to_1": hi, "relation_to_minus_1": lo,
                      "behaviour": where, "mode": e["mode"]})
    return {"linearly_unstable": unstable, "per_eigenvalue": lines,
            "state": name,
            "statement": ("%s is a linearly UNSTABLE fixed point of the scale-free "
                          "dynamics: some eigenvalue exceeds 1 in modulus (growing modes: %s)."
                          % (name[0].upper() + name[1:], "; ".join(l["mode"] for l in lines
                                                                    if l["behaviour"].startswith("grows"))))
            if unstable else ("Every eigenvalue lies in (-1, 1): linearly stable."
                              if all(l["behaviour"].startswith("decays") for l in lines)
                              else "Stability is not decided by these comparisons.")}
