"""Every n at once, stability: the spread-cluster fixed point of :mod:`bnverify.derive.alln` has
spectral radius < 1 in the full scale-free dynamics, on the branch's boxes t in [0, 1/16]
(untrusted derivation and check; not wired into the trusted kernel).

**The linearization.**  G* = 2 K(Sigma) (cluster diagonal 1), Sigma = Sigma(rho*) (cluster
diagonal 1, off-diagonal rho, cross -q, odd diagonal (n-1) q, q = 1 + (n-2) rho).  Its centring
is C G* C = lam Sigma with lam = 2 A = 1 + t E (E of alln.branch) and c = F(G*)_00 = lam / 2.
K is 1-homogeneous, so DF(G*)[E]/c = (2/lam) DK(Sigma)[C E C] and, with H = C E C,

    DK(Sigma)[H]_jj = H_jj / 2,
    DK(Sigma)[H]_jk = k1(r_jk) H_jk + sqrt(S_jj S_kk) k0(r_jk) (H_jj / S_jj + H_kk / S_kk) / 2,

k1 = kappa', k0 = kappa - r kappa'.  The correlations are rho (cluster) and r_x = -u, u =
sqrt(q / (n-1)) = cos(phi) (cross); sqrt(S_00 S_oo) = sx = (n-1) cos(phi).  For ReLU

    k1(rho) = (pi - theta) / (2 pi),  k0(rho) = sin(theta) / (2 pi),
    k1(r_x) = phi / (2 pi),           k0(r_x) = sin(phi) / (2 pi) = y / (2 pi).

On a copy of each isotypic component (bases of bnverify.trusted.model.basis) the block is
L . P: P the centring (bnverify.core.symmetry.centred, which runs core.gram.center on the
copy: with r = a + (n-2) o + x, r_o = (n-1) x + b, T = (n-1) r + r_o the trivial image is
(a - 2r/n + T/n^2, o - 2r/n + T/n^2, x - r/n - r_o/n + T/n^2, b - 2 r_o/n + T/n^2), and with
s = al + (n-3) be + ga the standard one (al - 2s/n, be - s/n, ga - s/n)), L the diagonal
action of DK above:

* trivial, coordinates (a, o, x, b) (I_c, O_c, X, E):  L: (a, 2(k0r a + k1r o), sx k0x (a +
  b/((n-1) q)) + 2 k1x x, b) / lam;  then the quotient by g = (1, o*, x*, b*) =
  (1, 2 kappa(rho), 2 sx kappa(r_x), (n-1) q):  M'_ij = M_ij - g_i / g_3 M_3j.
* standard, coordinates (al, be, ga) (diag x, x1^T + 1x^T, cross x):
  L: (al, k0r al + 2 k1r be, sx k0x al + 2 k1x ga) / lam.
* pair: 2 k1(rho) / lam = (1 - theta/pi) / (1 + t E)  (x y^T + y x^T is already centred).

(:func:`blocks` evaluates exactly these; tests compare them with symmetric_blocks.)

**Reduced blocks.**  AB and BA have the same nonzero spectrum, so the nonzero eigenvalues are
those of P L on the centred part of each component: trivial 2-dim (cluster diagonal d,
off-diagonal e), where Sigma's direction has eigenvalue 1 and the other eigenvalue is
mu_T = tr - 1 (= h'(rho*) of the 1-D reduction); standard 2-dim (al, be; ga = -al - (n-3) be):
the 3 x 3 blocks have char. polynomials lambda^2 (lambda - mu_T) and lambda (lambda^2 - tau
lambda + delta).  In t = 1/n, v = theta / t, with the t-free atoms

    k0r_t = k0r / t = v sinc(theta) / (2 pi),  k1x_t = k1x / t = v w R(y) / (2 pi),
    sxk0x = sx k0x = (1 - t) cos(phi) v w / (2 pi),  k0x / cos(phi) = t v w / (2 pi cos(phi)),

(sinc(theta) = 1 - theta^2 (C - S)) every quantity below is analytic at t = 0:

* pair:      1 - mu_P = t m_P,  m_P = (E + v / pi) / lam.
* trivial:   1 - mu_T = t m_T,  m_T = (2 E + 3 - beta) / lam, beta = k0r_t (-2 + 2t + 4t^2)
             - 2 t k0x_c (1 - t) - 2 t sxk0x + k1r (2 + 4t) + 4 t (1 - t) k1x_t,
             k0x_c = v w / (2 pi cos(phi)).
* standard:  with D = diag(1, t) the scaled block D^-1 M D = [[lam - t a, t b], [c, t d]] / lam
             (1 - M11 = t a / lam, M12 = b / lam, M21 = t c / lam, M22 = t d / lam),
             a = E + 2 + 2 (1 - 3t) k0r_t + 2 sxk0x - 4 t k1x_t,  b = -4 (1 - 3t)(k1r - t k1x_t),
             c = 3 t k0r_t - sxk0x + 2 t k1x_t - 1,             d = 6 k1r + 2 (1 - 3t) k1x_t;
             det(I - M) = t Q,  Q = (a (lam - t d) - b c) / lam^2;
             tau = (lam - t a + t d) / lam,  delta = t ((lam - t a) d - b c) / lam^2.

At t = 0 (v = 3 pi, E = -2, w = 1/sqrt 2): m_P = m_T = 1, a = 3 + 3/sqrt 2, b = -2,
c = -1 - 3/(2 sqrt 2), d = 3 + 3/sqrt 2, Q = 1: every block's leading eigenvalue is 1 - t + O(t^2)
(the margin is mu t with mu = 1 exactly), the standard block's second eigenvalue is t + O(t^2).

**The check.**  Spectral radius < 1 iff (Schur-Cohn for the quadratic)
m_P > 0, mu_P > -1;  m_T > 0, mu_T > -1;  Q > 0, 1 + tau + delta > 0, delta < 1.
Each is evaluated in arb on a t-box with the box's v-ball (the unique root v(t) of G for
every t of the box lies in it); boxes are bisected in t, with the v-ball contracted by an
interval-Newton step (rigorous: the root stays in the contraction), where a sign is not decided.
"""
from __future__ import annotations

from fractions import Fraction

from ..core import arith, symmetry
from . import alln
from .balls import ball_from

# ---------------------------------------------------------------- the atoms (written once)
def atoms(v, t, ctx):
    """Every primitive at (v, t) in ``ctx`` (mp or ball), analytic at t = 0: the branch's own
    (bnverify.derive.alln.branch) and the kernel values of the blocks."""
    b = alln.branch(v, t, ctx)
    pi, one = ctx.pi, ctx.const(1)
    theta, C, S, w, R, cphi = b["theta"], b["C"], b["S"], b["w"], b["R"], b["cphi"]
    sinc = one - theta * theta * (C - S)
    return dict(b, sinc=sinc, lam=b["A2"],
                k1r=(pi - theta) / (2 * pi), k0r_t=v * sinc / (2 * pi),
                k1x_t=v * w * R / (2 * pi), k0x_c=v * w / (2 * pi * cphi),
                sxk0x=(1 - t) * cphi * v * w / (2 * pi),
                # kappa(r_x) = phi^3 S(phi) / (2 pi), kappa(rho) = rho k1r + k0r
                kx=b["phi"] * b["phi"] * b["phi"] * b["sphi"] / (2 * pi))


# ---------------------------------------------------------------- the action L (written once)
def L_triv(k, A, o, x, b):
    """DK(Sigma)/c on the trivial component; k: n, lam, q, k0r, k1r, k1x, sxk0x."""
    return (A / k["lam"], 2 * (k["k0r"] * A + k["k1r"] * o) / k["lam"],
            (k["sxk0x"] * (A + b / ((k["n"] - 1) * k["q"])) + 2 * k["k1x"] * x) / k["lam"], b / k["lam"])


def L_std(k, al, be, ga):
    return (al / k["lam"], (k["k0r"] * al + 2 * k["k1r"] * be) / k["lam"],
            (k["sxk0x"] * al + 2 * k["k1x"] * ga) / k["lam"])


# ---------------------------------------------------------------- blocks in the basis of model.basis
def blocks(v, n, ctx):
    """{trivial: 3x3, standard: 3x3, pair: 1x1} of DF(G*)/c at the branch point (v, t = 1/n),
    in the bases of bnverify.trusted.model.basis: the closed forms L . P of the docstring
    (finite n; compare with symmetric_blocks)."""
    t = ctx.const(Fraction(1, n)) if isinstance(n, int) else 1 / n
    a = atoms(v, t, ctx)
    lam, k1r = a["lam"], a["k1r"]
    k0r, k1x = t * a["k0r_t"], t * a["k1x_t"]
    sxk0x = a["sxk0x"]
    q = (n - 1) * a["cphi"] * a["cphi"]
    sx = (n - 1) * a["cphi"]
    rho = a["rho"]

    k = dict(n=n, lam=lam, q=q, k0r=k0r, k1r=k1r, k1x=k1x, sxk0x=sxk0x)

    def mat(f, k):
        cols = [f(*[ctx.const(int(i == j)) for i in range(k)]) for j in range(k)]
        return [[cols[j][i] for j in range(k)] for i in range(k)]

    M = mat(lambda *e: L_triv(k, *symmetry.centred("trivial", e, n, ctx)), 4)
    g = [ctx.const(1), 2 * (rho * k1r + k0r), 2 * sx * a["kx"], (n - 1) * q]
    triv = [[M[i][j] - g[i] / g[3] * M[3][j] for j in range(3)] for i in range(3)]
    return {"trivial": triv, "standard": mat(lambda *e: L_std(k, *symmetry.centred("standard", e, n, ctx)), 3),
            "pair": [[2 * k1r / lam]]}


def state(v, n, ctx):
    """The reduced state s = (o, x, b) of G* at (v, 1/n): the input of symmetric_blocks."""
    t = ctx.const(Fraction(1, n))
    a = atoms(v, t, ctx)
    k0r = t * a["k0r_t"]
    return (2 * (a["rho"] * a["k1r"] + k0r), 2 * (n - 1) * a["cphi"] * a["kx"],
            (n - 1) ** 2 * a["cphi"] * a["cphi"])


# ---------------------------------------------------------------- the scaled, analytic forms
def forms(t, v, pi, E, lam, k1r, k0r_t, k1x_t, k0x_c, sxk0x):
    """The scaled, analytic forms of the docstring from the atoms (any arithmetic: arb, mpmath,
    sympy): m_P, beta, m_T, the standard entries a, b, c, d, Q, tau, delta."""
    m_P = (E + v / pi) / lam
    beta = (k0r_t * (-2 + 2 * t + 4 * t * t) - 2 * t * k0x_c * (1 - t) - 2 * t * sxk0x
            + k1r * (2 + 4 * t) + 4 * t * (1 - t) * k1x_t)
    m_T = (2 * E + 3 - beta) / lam
    a = E + 2 + 2 * (1 - 3 * t) * k0r_t + 2 * sxk0x - 4 * t * k1x_t
    b = -4 * (1 - 3 * t) * (k1r - t * k1x_t)
    c = 3 * t * k0r_t - sxk0x + 2 * t * k1x_t - 1
    d = 6 * k1r + 2 * (1 - 3 * t) * k1x_t
    return {"m_P": m_P, "beta": beta, "m_T": m_T, "a": a, "b": b, "c": c, "d": d,
            "Q": (a * (lam - t * d) - b * c) / (lam * lam), "tau": (lam - t * a + t * d) / lam,
            "delta": t * ((lam - t * a) * d - b * c) / (lam * lam)}


def scaled(v, t, ctx):
    """The analytic quantities of the docstring at (v, t): m_P, mu_P, m_T, mu_T, the scaled
    standard entries a, b, c, d, Q = det(I - M)/t, tau, delta, and the criteria (each must be
    > 0 for spectral radius < 1)."""
    A = atoms(v, t, ctx)
    lam, E, k1r = A["lam"], A["E"], A["k1r"]
    k0r_t, k1x_t, sxk0x, k0x_c = A["k0r_t"], A["k1x_t"], A["sxk0x"], A["k0x_c"]
    f = forms(t, v, ctx.pi, E, lam, k1r, k0r_t, k1x_t, k0x_c, sxk0x)
    m_P, m_T, a, b, c, d = f["m_P"], f["m_T"], f["a"], f["b"], f["c"], f["d"]
    Q, tau, delta = f["Q"], f["tau"], f["delta"]
    one = ctx.const(1)
    return {"m_P": m_P, "mu_P": one - t * m_P, "m_T": m_T, "mu_T": one - t * m_T,
            "a": a, "b": b, "c": c, "d": d, "Q": Q, "tau": tau, "delta": delta, "lam": lam,
            "criteria": {"pair_margin": m_P, "pair_above_-1": 2 - t * m_P,
                         "trivial_margin": m_T, "trivial_above_-1": 2 - t * m_T,
                         "standard_p(1)/t": Q, "standard_p(-1)": 1 + tau + delta,
                         "standard_1-delta": 1 - delta}}


def spectra(v, n, ctx):
    """Measured eigenvalues (mpmath) of the reduced blocks at (v, 1/n):
    {pair: mu_P, trivial: mu_T, standard: (mu1, mu2)} from the scaled forms."""
    s = scaled(v, ctx.const(Fraction(1, n)), ctx)
    disc = ctx.sqrt(s["tau"] ** 2 - 4 * s["delta"])
    return {"pair": s["mu_P"], "trivial": s["mu_T"],
            "standard": ((s["tau"] + disc) / 2, (s["tau"] - disc) / 2)}


# ---------------------------------------------------------------- the check (arb)
def _box_balls(box, ctx):
    return Fraction(box["t"][0]), Fraction(box["t"][1]), alln.v_ball(box, ctx)


def _contract(V, t_lo, t_hi, ctx):
    """One interval-Newton step for G(., t) = 0 on V, for every t in [t_lo, t_hi]: the root
    v(t) in V lies in V and in N = m - G(m, T) / G_v(V, T) (mean value theorem), so V n N
    (None if G_v may vanish, then V is kept)."""
    T = ball_from(t_lo, t_hi, ctx)
    m = ctx.arb(V.mid())
    gm = atoms(m, T, ctx)["G"]
    jet = arith.JetContext(ctx)
    gd = alln.branch(jet.variable(V), T, jet)["G"].d
    if not (gd > 0 or gd < 0):
        return V
    N = m - gm / gd
    lo, hi = max(V.lower(), N.lower()), min(V.upper(), N.upper())
    if not lo <= hi:
        raise ArithmeticError("the Newton image misses the v-ball: the box has no root")
    return ctx.arb(lo).union(ctx.arb(hi))


def check_piece(t_lo, t_hi, V, ctx, flip=1, power=1):
    """The criteria on T = [t_lo, t_hi] x V: ({name: arb}, all certainly > 0).
    The three margins are taken as (1 - mu) / t^power, i.e. the analytic forms times
    t^(1 - power), and times ``flip``: power != 1 or flip = -1 are the wrong claims the tests
    make fail (power 0: not divided by t, contains 0 at t = 0; power 2: unbounded there)."""
    T = ball_from(t_lo, t_hi, ctx)
    crit = scaled(V, T, ctx)["criteria"]
    for k in ("pair_margin", "trivial_margin", "standard_p(1)/t"):
        c = crit[k] * flip
        crit[k] = c * T ** (1 - power) if power <= 1 else c / T ** (power - 1)
    return crit, all(c > 0 for c in crit.values())


def certify_stability(boxes, prec=128, max_depth=12, flip=1, power=1):
    """For each branch box (t-interval and v-ball, as from alln.certify_branch): bisect t
    until every criterion is certainly > 0 on every piece (v contracted by interval Newton).
    Returns (evidence, ok): per box {t, pieces, min criterion lower bounds}, ok if all hold."""
    ctx = arith.get("ball", prec=prec)
    evidence, ok = [], True
    for box in boxes:
        t_lo, t_hi, V = _box_balls(box, ctx)
        stack, pieces, worst, failed = [(t_lo, t_hi, V, 0)], 0, {}, None
        while stack:
            lo, hi, W, depth = stack.pop()
            crit, good = check_piece(lo, hi, W, ctx, flip, power)
            if good:
                pieces += 1
                for k, c in crit.items():
                    b = Fraction(c.lower().str(20, radius=False)) if c.lower().is_finite() else None
                    worst[k] = b if k not in worst else min(worst[k], b)
                continue
            if depth >= max_depth:
                failed = [str(lo), str(hi)]
                break
            mid = (lo + hi) / 2
            for a, b in ((mid, hi), (lo, mid)):
                stack.append((a, b, _contract(W, a, b, ctx), depth + 1))
        evidence.append({"t": box["t"], "pieces": pieces, "failed": failed,
                         "min_lower": {k: float(v) for k, v in worst.items()}})
        ok = ok and failed is None
        if failed is not None:
            break
    return evidence, ok


# ---------------------------------------------------------------- the symbolic cancellation (sympy)
def reduced_symbolic():
    """The reduced blocks P L on the centred parts, symbolic in n and the kernel values
    (sympy): {trivial: 2x2 in (d, e), standard: 2x2 in (al, be), symbols}."""
    import sympy as sp

    n, lam, q, sx, k0r, k1r, k0x, k1x = sp.symbols("n lam q sx k0r k1r k0x k1x")

    k = dict(n=n, lam=lam, q=q, k0r=k0r, k1r=k1r, k1x=k1x, sxk0x=sx * k0x)
    ctx = arith.ExactContext()

    def triv(d, e):                       # centred trivial: row sums 0
        f = d + (n - 2) * e
        return symmetry.centred("trivial", L_triv(k, d, e, -f, (n - 1) * f), n, ctx)[:2]

    def std(al, be):                      # centred standard: al + (n-3) be + ga = 0
        return symmetry.centred("standard", L_std(k, al, be, -al - (n - 3) * be), n, ctx)[:2]

    def mat(f):
        c0, c1 = f(1, 0), f(0, 1)
        return sp.Matrix([[c0[0], c1[0]], [c0[1], c1[1]]])
    return {"trivial": mat(triv), "standard": mat(std),
            "symbols": dict(n=n, lam=lam, q=q, sx=sx, k0r=k0r, k1r=k1r, k0x=k0x, k1x=k1x)}


def verify_scaled_forms():
    """Check with sympy that the analytic forms of :func:`scaled` are identities: with
    n = 1/t, k0r = t k0r_t, k1x = t k1x_t, k0x = t K, sx = (1 - t) cphi / t, q = (1 - t) cphi^2
    / t, lam = 1 + t E (K = v w / (2 pi), so sxk0x = (1 - t) cphi K, k0x_c = K / cphi):
    2 - tr(trivial) = t m_T, and the standard entries are (lam - t a, b, t c, t d) / lam.
    Returns {name: simplified difference} (all 0 when the forms are right)."""
    import sympy as sp

    red = reduced_symbolic()
    y = red["symbols"]
    t, E, cphi, K, k0r_t, k1x_t = sp.symbols("t E cphi K k0r_t k1x_t", positive=True)
    k1r = y["k1r"]
    sub = {y["n"]: 1 / t, y["k0r"]: t * k0r_t, y["k1x"]: t * k1x_t, y["k0x"]: t * K,
           y["sx"]: (1 - t) * cphi / t, y["q"]: (1 - t) * cphi ** 2 / t, y["lam"]: 1 + t * E}
    lam, sxk0x, k0x_c = 1 + t * E, (1 - t) * cphi * K, K / cphi
    f = forms(t, sp.Symbol("v"), sp.pi, E, lam, k1r, k0r_t, k1x_t, k0x_c, sxk0x)
    m_T, a, b, c, d = f["m_T"], f["a"], f["b"], f["c"], f["d"]
    MT, MS = red["trivial"].subs(sub), red["standard"].subs(sub)
    out = {"trivial 2 - tr - t m_T": 2 - MT.trace() - t * m_T}
    for (i, j), want in {(0, 0): (lam - t * a) / lam, (0, 1): b / lam,
                         (1, 0): t * c / lam, (1, 1): t * d / lam}.items():
        out["standard M%d%d" % (i + 1, j + 1)] = MS[i, j] - want
    return {k: sp.simplify(sp.together(v)) for k, v in out.items()}


# ---------------------------------------------------------------- measurement (mpmath)
def measure_table(ns=(16, 32, 64, 128, 256, 512, 1024), dps=60):
    """Rows {n, radius, margin, margin_n, block, eigenvalues} at the branch's root (mpmath:
    suggests, never concludes).  The leading eigenvalue is the trivial block's for these n."""
    rows = []
    for n in ns:
        ctx = arith.get("mp", dps=dps)
        v = alln.measure(n, dps)["v"]
        sp = spectra(v, n, ctx)
        lead = {"pair": sp["pair"], "trivial": sp["trivial"], "standard": sp["standard"][0]}
        block = max(lead, key=lambda k: abs(lead[k]))
        r = abs(lead[block])
        rows.append({"n": n, "radius": r, "margin": 1 - r, "margin_n": (1 - r) * n,
                     "block": block, "eigenvalues": dict(lead, standard2=sp["standard"][1])})
    return rows


def margin_series(order=3):
    """Exact Taylor coefficients in t (sympy) along the branch v(t) = 3 pi - 3 pi t +
    (9 pi^3 / 20) t^2 + ...: {v, m_P, m_T, Q, delta_t: [c0, c1, c2]}.  Results:
    m_P = 1 + t + (9 pi^2/20) t^2, m_T = 1 + t - (81 pi^2/20) t^2, Q = 1 - (3 + 81 pi^2/20) t^2,
    delta / t = 1 + t + (9 sqrt 2 pi^2 / 2 - 1) t^2, so the standard block's leading margin
    Q / (1 - mu_2) = 1 + t - (81 pi^2/20) t^2 as the trivial one (they part at t^3): the
    spectral radius is 1 - t - t^2 + (81 pi^2/20) t^3 + O(t^4), from the trivial block."""
    import sympy as sp

    t, v1, v2 = sp.symbols("t v1 v2")
    pi, N = sp.pi, order + 1
    v = 3 * pi + v1 * t + v2 * t ** 2
    th = t * v

    def ser(e, k=N):
        return sp.series(e, t, 0, k).removeO()
    C, S = ser((1 - sp.cos(th)) / th ** 2), ser((sp.sin(th) - th * sp.cos(th)) / th ** 3)
    rho = ser(1 - th ** 2 * C)
    w = ser(sp.sqrt(C * (1 - 2 * t) / (1 - t)))
    y = ser(th * w)
    cphi = ser(sp.sqrt(1 - y ** 2))
    R = ser(1 + y ** 2 / 6 + 3 * y ** 4 / 40)           # arcsin(y)/y to O(t^6)
    phi = ser(y * R)
    sphi = ser(sp.Rational(1, 3) - phi ** 2 / 30 + phi ** 4 / 840)
    v3 = v ** 3
    E = ser(-2 * t - 2 * (1 - 2 * t) * rho - (1 + t) * (1 - 2 * t) * t * t * v3 * S / pi
            - 2 * (1 - t) * t ** 3 * v3 * cphi * (w * R) ** 3 * sphi / pi)
    G = sp.expand(ser(v * v * C * E + v3 * S / pi, 3))
    c1 = sp.solve(G.coeff(t, 1), v1)[0]
    c2 = sp.solve(sp.expand(G.subs(v1, c1)).coeff(t, 2), v2)[0]
    sub = {v1: c1, v2: c2}
    lam, sinc = ser(1 + t * E), ser(sp.sin(th) / th)
    k1r, k0r_t, k1x_t = (pi - th) / (2 * pi), v * sinc / (2 * pi), v * w * R / (2 * pi)
    k0x_c, sxk0x = ser(v * w / (2 * pi * cphi)), ser((1 - t) * cphi * v * w / (2 * pi))
    f = forms(t, v, pi, E, lam, k1r, k0r_t, k1x_t, k0x_c, sxk0x)
    out = {"v": [3 * pi, c1, c2]}
    for name, e in (("m_P", f["m_P"]), ("m_T", f["m_T"]), ("Q", f["Q"]), ("delta_t", f["delta"] / t)):
        e = sp.expand(ser(e, 3).subs(sub))
        out[name] = [sp.simplify(e.coeff(t, k)) for k in range(3)]
    return out


def stability_margin(V, ctx):
    """1 - spectral radius = t m(v, t) with m the smallest of the three blocks' analytic
    margins (:func:`scaled`); at t = 0 every one is 1 (closed form, exact series)."""
    from . import balls

    crit = scaled(V, ctx.const(0), ctx)["criteria"]
    margins = [crit["pair_margin"], crit["trivial_margin"], crit["standard_p(1)/t"]]
    lo = min(m.lower() for m in margins)
    hi = min(m.upper() for m in margins)
    ball = ctx.arb(lo).union(ctx.arb(hi))
    return {"power": 1, "coefficient": balls.bounds(ball), "closed_form": "1",
            "closed_form_value": 1.0, "agrees": bool(ball.contains(ctx.const(1))),
            "note": "the standard block's margin det(I - M)/t over its second eigenvalue (t + O(t^2)) "
                    "equals the trivial block's to O(t^2): series 1 - radius = t + t^2 - (81 pi^2/20) t^3 "
                    "+ O(t^4) (:func:`margin_series`)"}
