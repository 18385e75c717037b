"""THE TRUSTED CHECKER: re-verifies a bnverify certificate without re-running any search.

It imports nothing from bnverify, so it can be audited alone.  ``check(cert)`` returns
``(True, summary)`` or ``(False, reason)``.  A certificate is JSON::

    {"format": "bnverify-certificate/1", "claim": {...}, "verdict": "proved" | "refuted",
     "kind": "exact" | "enclosure" | "smt" | "bundle", "items": [...] or "parts": [...],
     "meaning": ..., "tools": ..., "hash": "sha256:<hex>"}

Three layers of checks:

1. **Integrity** - ``hash`` is the SHA-256 of the canonical JSON (sorted keys, no spaces,
   ASCII) of everything else, so any edit to any field is detected.
2. **Facts** - every item is re-checked (types below).  Numbers are exact rationals
   ``"p/q"``; balls are ``{"mid": [man, exp], "rad": [man, exp]}`` = man * 2^exp exactly;
   expressions are a safe arithmetic language (``+ - * / **``, ``sqrt``, ``acos``, ``pi``,
   integer literals, variable names), parsed with :mod:`ast`, never ``eval``.
3. **Conclusion** - items marked ``"decisive": true`` must state exactly what the verdict
   needs: to prove ``q rel bound`` on the claim's domain, decisive facts with that relation
   and bound whose regions cover the domain; to refute it, one decisive fact with the
   negated relation at a point of the domain.

Item types (what is re-checked):

``identity``   lhs == rhs as rational functions of their symbols (sympy ``cancel``).
``compare``    lhs rel rhs at one point ``where`` (exact rationals, else 256-bit balls).
``positive``   lhs rel rhs for every n >= n0 (or in n0..n1) and alpha in the given range:
               with n = n0 + m, alpha = (a0 + a1 t)/(1 + t) (and the mirror substitution for
               a closed upper end), numerator and denominator of lhs - rhs become
               polynomials in m, t >= 0 whose coefficients all have one sign.
``enclosure``  the ball of ``expr`` at exact ``inputs``, recomputed with python-flint at
               ``prec`` + 64 bits, lies inside the recorded ball, and the recorded ball
               certainly satisfies ``rel bound``.
``smt``        z3 re-runs the SMT-LIB2 text and must answer the recorded ``unsat``.
``configuration-spectrum``  at batch size n and slope alpha the checker rebuilds the
               configuration G = K(s s^T), confirms F(G) = c G, builds DF(G)/c on symmetric
               matrices, and requires charpoly = (x - 1) prod (x - mu)^m for the recorded
               eigenvalues (the factor x - 1 is the direction of G, dropped by the scale-free
               convention); the spectral radius max |mu| then satisfies ``rel bound``.
``two-point-fixed-point``  for symbolic n (and alpha): the two-point state (a, x, b) is mapped
               to c (a, x, b), as rational-function identities, and a - 2x + b > 0.

**The model, for the last two types** (DESIGN section 2).  F(G) = K(C G C), C = I - 11^T/n,
K(S)_jk = sqrt(S_jj S_kk) kappa(rho_jk), kappa(rho) = A rho + B (sqrt(1-rho^2) - rho acos rho),
A = (1 + alpha^2)/2, B = (1 - alpha)^2/(2 pi).  At rho = 1: kappa = A, kappa' = A; at rho = -1:
kappa = -alpha, kappa' = A - B pi = alpha; kappa - rho kappa' = 0 at both.  So when every
correlation of S is +-1 (S_jk^2 = S_jj S_kk, the rank-one case of a two-point batch),
K(S)_jk = f_jk S_jk and DK(S)[E]_jk = f_jk E_jk with f_jk = A if S_jk > 0 else alpha:
exact rational arithmetic, no pi, no square roots.
"""
from __future__ import annotations

import ast
import hashlib
import json
import re
from fractions import Fraction

FORMAT = "bnverify-certificate/1"
NEGATION = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
IMPLIES = {"<": ("<", "<="), "<=": ("<=",), ">": (">", ">="), ">=": (">=",), "==": ("==",),
           "!=": ("!=",)}
KIND_ITEMS = {"exact": {"identity", "sqrt-identity", "compare", "positive", "blocks",
                        "configuration-spectrum", "two-point-fixed-point"},
              "enclosure": {"enclosure", "compare", "symmetric-state"}, "smt": {"smt"}}
KIND_ITEMS["mixed"] = set().union(*KIND_ITEMS.values())


class Rejected(Exception):
    pass


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def content_hash(cert):
    body = {k: v for k, v in cert.items() if k != "hash"}
    return "sha256:" + hashlib.sha256(canonical(body).encode()).hexdigest()


# ---------------------------------------------------------------- numbers and expressions
_RAT = re.compile(r"-?\d+(/\d+)?\Z")


def Q(text):
    """An exact rational from 'p/q' or an integer string (nothing else)."""
    if not isinstance(text, str) or not _RAT.match(text.strip()):
        raise Rejected("%r is not an exact rational 'p/q'" % (text,))
    return Fraction(text.strip())


def dyadic(pair):
    man, exp = pair
    if not (isinstance(man, int) and isinstance(exp, int)) or isinstance(man, bool):
        raise Rejected("ball component %r is not [integer, integer]" % (pair,))
    return Fraction(man) * Fraction(2) ** exp


_FUNCS = ("sqrt", "acos", "atan")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def parse(text):
    """The AST of a safe arithmetic expression (raises Rejected on anything else)."""
    if not isinstance(text, str) or len(text) > 20000:
        raise Rejected("expression %r is not a string" % (text,))
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        raise Rejected("expression %r does not parse" % text)
    for node in ast.walk(tree):
        ok = isinstance(node, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Add, ast.Sub,
                               ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd, ast.Load))
        ok |= isinstance(node, ast.Constant) and type(node.value) is int
        ok |= isinstance(node, ast.Name) and bool(_NAME.match(node.id))
        ok |= (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
               and node.func.id in _FUNCS and len(node.args) == 1 and not node.keywords)
        if not ok:
            raise Rejected("expression %r uses %s" % (text, type(node).__name__))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            e = node.right
            if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub):
                e = e.operand
            if not (isinstance(e, ast.Constant) and type(e.value) is int and abs(e.value) <= 64):
                raise Rejected("expression %r: exponents must be small integers" % text)
    return tree.body


def evaluate(node, lib, env):
    """Evaluate a parsed expression with a library (exact sympy, flint arb or Fraction)."""
    if isinstance(node, ast.Constant):
        return lib.num(node.value)
    if isinstance(node, ast.Name):
        if node.id == "pi":
            return lib.pi()
        if node.id in env:
            return env[node.id]
        return lib.symbol(node.id)
    if isinstance(node, ast.UnaryOp):
        v = evaluate(node.operand, lib, env)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.Call):
        return getattr(lib, node.func.id)(evaluate(node.args[0], lib, env))
    a, b = evaluate(node.left, lib, env), evaluate(node.right, lib, env)
    op = type(node.op)
    if op is ast.Pow:
        return lib.pow(a, node.right)
    return {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b,
            ast.Div: lambda: lib.div(a, b)}[op]()


def _int_exponent(node):
    if isinstance(node, ast.UnaryOp):
        return -node.operand.value
    return node.value


class _Sympy:
    def __init__(self):
        import sympy
        self.sp = sympy

    def num(self, v):
        return self.sp.Integer(v)

    def symbol(self, name):
        return self.sp.Symbol(name)

    def pi(self):
        return self.sp.pi

    def sqrt(self, x):
        return self.sp.sqrt(x)

    def acos(self, x):
        return self.sp.acos(x)

    def atan(self, x):
        return self.sp.atan(x)

    def pow(self, a, e):
        return a ** _int_exponent(e)

    def div(self, a, b):
        return a / b


class _Rational:
    """Fractions only: square roots of perfect squares, no pi, no acos."""

    def num(self, v):
        return Fraction(v)

    def symbol(self, name):
        raise Rejected("unbound symbol %r" % name)

    def pi(self):
        raise ValueError("irrational")

    def acos(self, x):
        raise ValueError("irrational")

    atan = acos

    def sqrt(self, x):
        if x < 0:
            raise Rejected("square root of a negative number")
        p, q = _isqrt(x.numerator), _isqrt(x.denominator)
        if p is None or q is None:
            raise ValueError("irrational")
        return Fraction(p, q)

    def pow(self, a, e):
        return a ** _int_exponent(e)

    def div(self, a, b):
        if b == 0:
            raise Rejected("division by zero")
        return a / b


def _isqrt(k):
    import math
    r = math.isqrt(k)
    return r if r * r == k else None


class _Ball:
    def __init__(self, prec):
        from flint import arb, ctx
        self.arb, self.ctx, self.prec = arb, ctx, prec

    def num(self, v):
        return self.arb(v)

    def symbol(self, name):
        raise Rejected("unbound symbol %r" % name)

    def pi(self):
        return self.arb.pi()

    def sqrt(self, x):
        return x.sqrt()

    def acos(self, x):
        return x.acos()

    def atan(self, x):
        return x.atan()

    def pow(self, a, e):
        k = _int_exponent(e)
        return a ** k if k >= 0 else 1 / a ** (-k)

    def div(self, a, b):
        return a / b

    def of(self, q):
        return self.arb(q.numerator) / q.denominator


def holds(x, rel, y):
    """Exact comparison of two Fractions."""
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y, "==": x == y, "!=": x != y}[rel]


# ---------------------------------------------------------------- regions of (n, alpha)
def int_range(text):
    """'3..20' | '3..' | '5' -> (lo, hi or None)."""
    t = str(text)
    m = re.fullmatch(r"(\d+)(\.\.(\d*))?", t.strip())
    if not m:
        raise Rejected("bad n range %r" % text)
    lo = int(m.group(1))
    hi = lo if m.group(2) is None else (int(m.group(3)) if m.group(3) else None)
    if hi is not None and hi < lo:
        raise Rejected("empty n range %r" % text)
    return lo, hi


def rat_range(text):
    """'0..1/2' | '1/10' -> (lo, hi, hi_open); an upper end 1 is open (alpha < 1)."""
    lo, _, hi = str(text).partition("..")
    lo, hi = Q(lo), Q(hi) if hi else Q(lo)
    if hi < lo:
        raise Rejected("empty alpha range %r" % text)
    return lo, hi, hi == 1 and lo < 1


def point(where):
    """The exact values of a one-point region {"n": "5", "alpha": "1/10"}."""
    env = {}
    for k, v in (where or {}).items():
        if k == "n":
            lo, hi = int_range(v)
            if lo != hi:
                raise Rejected("region %r is not a point" % (where,))
            env[k] = Fraction(lo)
        else:
            lo, hi, _ = rat_range(v)
            if lo != hi:
                raise Rejected("region %r is not a point" % (where,))
            env[k] = lo
    return env


def covers(regions, domain):
    """True if the union of regions (dicts of n and alpha ranges) contains the domain."""
    n_lo, n_hi = int_range(domain["n"])
    a = rat_range(domain.get("alpha", "0"))
    spans = []
    for r in regions:
        if "alpha" in r:
            lo, hi, op = rat_range(r["alpha"])
            if a[0] < lo or a[1] > hi or (a[1] == hi and op and not a[2]):
                continue
        spans.append(int_range(r.get("n", "0..")))
    reach = n_lo                        # every n < reach is covered
    for lo, hi in sorted(spans, key=lambda s: s[0]):
        if lo > reach:
            break
        if hi is None:
            return True
        reach = max(reach, hi + 1)
    return n_hi is not None and reach > n_hi


# ---------------------------------------------------------------- the model (rank-one case)
def _center(G):
    n = len(G)
    r = [sum(row) for row in G]
    t = sum(r)
    return [[G[j][k] - r[j] / n - r[k] / n + t / (n * n) for k in range(n)] for j in range(n)]


def _factors(S, alpha):
    """f_jk = A if S_jk > 0 else alpha, after checking every correlation is +-1."""
    A = (1 + alpha * alpha) / 2
    n = len(S)
    for j in range(n):
        if S[j][j] <= 0:
            raise Rejected("centred Gram matrix has a non-positive diagonal")
        for k in range(n):
            if S[j][k] * S[j][k] != S[j][j] * S[k][k]:
                raise Rejected("centred Gram matrix is not rank one with correlations +-1")
    return [[A if S[j][k] > 0 else alpha for k in range(n)] for j in range(n)]


def configuration(n, alpha):
    """G = K(s s^T), s = (-1/n, ..., -1/n, (n-1)/n): the configuration's Gram matrix."""
    s = [Fraction(-1, n)] * (n - 1) + [Fraction(n - 1, n)]
    S = [[sj * sk for sk in s] for sj in s]
    f = _factors(S, alpha)
    return [[f[j][k] * S[j][k] for k in range(n)] for j in range(n)]


def check_configuration_spectrum(item):
    from flint import fmpq, fmpq_mat, fmpq_poly

    n, alpha = int(item["n"]), Q(item["alpha"])
    if not (2 <= n <= 64) or not (0 <= alpha <= 1):
        raise Rejected("configuration-spectrum: n or alpha out of range")
    G = configuration(n, alpha)
    S = _center(G)
    f = _factors(S, alpha)
    FG = [[f[j][k] * S[j][k] for k in range(n)] for j in range(n)]
    c = FG[0][0] / G[0][0]
    if c == 0 or any(FG[j][k] != c * G[j][k] for j in range(n) for k in range(n)):
        raise Rejected("configuration-spectrum: G is not a fixed point up to scale")
    idx = [(j, k) for j in range(n) for k in range(j, n)]
    cols = []
    for (p, q) in idx:
        E = [[Fraction(int((j, k) in ((p, q), (q, p)))) for k in range(n)] for j in range(n)]
        CE = _center(E)
        cols.append([f[j][k] * CE[j][k] / c for (j, k) in idx])
    m = len(idx)
    M = fmpq_mat(m, m, [fmpq(cols[b][a].numerator, cols[b][a].denominator)
                        for a in range(m) for b in range(m)])
    want = fmpq_poly([-1, 1])
    mus = []
    for mu, mult in item["eigenvalues"]:
        mu = Q(mu)
        if not (isinstance(mult, int) and mult >= 1):
            raise Rejected("configuration-spectrum: bad multiplicity %r" % (mult,))
        want *= fmpq_poly([fmpq(-mu.numerator, mu.denominator), 1]) ** mult
        mus.append(mu)
    if M.charpoly() != want:
        raise Rejected("configuration-spectrum: eigenvalues do not match the characteristic polynomial")
    rho = max((abs(mu) for mu in mus), default=Fraction(0))
    if "rel" in item and not holds(rho, item["rel"], Q(item["bound"])):
        raise Rejected("configuration-spectrum: spectral radius %s is not %s %s"
                       % (rho, item["rel"], item["bound"]))
    return {"n": str(n), "alpha": item["alpha"]}


# ---------------------------------------------------------------- the model (general case, balls)
class Dual:
    """Forward-mode derivative over arb balls: value v and gradient g (a tuple)."""

    __slots__ = ("v", "g")

    def __init__(self, v, g):
        self.v, self.g = v, tuple(g)

    def _lift(self, o):
        return o if isinstance(o, Dual) else Dual(o, (0,) * len(self.g))

    def __add__(self, o):
        o = self._lift(o)
        return Dual(self.v + o.v, (a + b for a, b in zip(self.g, o.g)))

    __radd__ = __add__

    def __neg__(self):
        return Dual(-self.v, (-a for a in self.g))

    def __sub__(self, o):
        return self + (-self._lift(o))

    def __rsub__(self, o):
        return self._lift(o) - self

    def __mul__(self, o):
        o = self._lift(o)
        return Dual(self.v * o.v, (a * o.v + self.v * b for a, b in zip(self.g, o.g)))

    __rmul__ = __mul__

    def __truediv__(self, o):
        o = self._lift(o)
        q = self.v / o.v
        return Dual(q, ((a - q * b) / o.v for a, b in zip(self.g, o.g)))

    def __rtruediv__(self, o):
        return self._lift(o) / self


def _sqrt(x):
    if isinstance(x, Dual):
        r = x.v.sqrt()
        return Dual(r, (a / (2 * r) for a in x.g))
    return x.sqrt()


def _acos(x):
    if isinstance(x, Dual):
        d = (1 - x.v * x.v).sqrt()
        return Dual(x.v.acos(), (-a / d for a in x.g))
    return x.acos()


def _kernel_entry(S, j, k, A, B):
    """K(S)_jk = sqrt(S_jj S_kk) kappa(rho), kappa(rho) = A rho + B (sqrt(1-rho^2) - rho acos rho);
    K_jj = A S_jj."""
    if j == k:
        return A * S[j][j]
    d = _sqrt(S[j][j] * S[k][k])
    rho = S[j][k] / d
    return d * (A * rho + B * (_sqrt(1 - rho * rho) - rho * _acos(rho)))


def _ball_model(alpha, prec):
    from flint import arb
    a = arb(alpha.numerator) / alpha.denominator
    return (1 + a * a) / 2, (1 - a) * (1 - a) / (2 * arb.pi())


def symmetric_gram(n, o, x, b):
    """The dense Gram matrix of the symmetric state (cluster diagonal 1, off-diagonal o,
    cross x, odd diagonal b); index n-1 is the odd point."""
    G = [[1 if j == k else o for k in range(n)] for j in range(n)]
    for j in range(n - 1):
        G[j][n - 1] = G[n - 1][j] = x
    G[n - 1][n - 1] = b
    return G


def reduced_map(s, n, A, B):
    """T(s) = (F_o, F_x, F_b) / F_a for the state (1, o, x, b), F = K(C G C)."""
    S = _center(symmetric_gram(n, *s))
    Fa = _kernel_entry(S, 0, 0, A, B)
    return [_kernel_entry(S, j, k, A, B) / Fa for j, k in ((0, 1), (0, n - 1), (n - 1, n - 1))], Fa


def _basis(component, n):
    """Basis matrices of one copy of an isotypic component of the cluster's permutation group,
    and the entries that read a matrix's coordinates in that basis (DF preserves each copy
    space, by Schur's lemma).  x = e_1 - e_2, y = e_3 - e_4 (cluster indices 0..n-2)."""
    m, od = n, n - 1
    zero = lambda: [[0] * m for _ in range(m)]
    mats, reads = [], []
    if component == "trivial":
        I, O, X, E = zero(), zero(), zero(), zero()
        for j in range(n - 1):
            I[j][j] = 1
            X[j][od] = X[od][j] = 1
            for k in range(n - 1):
                if j != k:
                    O[j][k] = 1
        E[od][od] = 1
        return [I, O, X, E], [(0, 0), (0, 1), (0, od), (od, od)]
    xv = [1, -1] + [0] * (m - 2)
    if component == "standard":
        D, O, X = zero(), zero(), zero()
        for j in range(n - 1):
            D[j][j] = xv[j]
            X[j][od] = X[od][j] = xv[j]
            for k in range(n - 1):
                if j != k:
                    O[j][k] = xv[j] + xv[k]
        if n == 3:
            return [D, X], [(0, 0), (0, od)]
        return [D, O, X], [(0, 0), (0, 2), (0, od)]
    P = zero()
    yv = [0, 0, 1, -1] + [0] * (m - 4)
    for j in range(m):
        for k in range(m):
            P[j][k] = xv[j] * yv[k] + yv[j] * xv[k]
    return [P], [(0, 2)]


def components(n):
    return ["trivial", "standard"] + (["pair"] if n >= 5 else [])


def symmetric_blocks(s, n, A, B):
    """{component: block} of the scale-free linearization DF(G_s)/c, c = F(G_s)_00, at the
    symmetric state s = (o, x, b); the trivial block is taken on the quotient by the direction
    of G_s itself (its eigenvalue 1, dropped by the scale-free convention)."""
    G = symmetric_gram(n, *s)
    _, c = reduced_map(s, n, A, B)
    out = {}
    for comp in components(n):
        mats, reads = _basis(comp, n)
        cols = []
        for E in mats:
            Gt = [[Dual(G[j][k], (E[j][k],)) for k in range(n)] for j in range(n)]
            S = _center(Gt)
            cols.append([_kernel_entry(S, j, k, A, B).g[0] / c for j, k in reads])
        Bm = [[cols[j][i] for j in range(len(cols))] for i in range(len(cols))]
        if comp == "trivial":       # basis (E1, E2, E3, g), g = (1, o, x, b): keep the leading 3x3
            g = [1, s[0], s[1], s[2]]
            T = [[Bm[i][j] - g[i] / g[3] * Bm[3][j] if i < 3 else Bm[i][j] for j in range(4)] for i in range(4)]
            Bm = [[T[i][j] for j in range(3)] for i in range(3)]
        out[comp] = Bm
    return out


def gershgorin_bound(Bm, V):
    """Upper bound (arb) on the spectral radius of every matrix in the ball matrix Bm:
    max_i |M_ii| + sum_{j != i} |M_ij| for M = V^-1 Bm V, V exact (complex rationals)."""
    from flint import acb, acb_mat, arb

    k = len(Bm)
    Vm = acb_mat([[acb(arb(Q(re).numerator) / Q(re).denominator, arb(Q(im).numerator) / Q(im).denominator)
                   for re, im in row] for row in V])
    if Vm.nrows() != k or Vm.ncols() != k:
        raise Rejected("symmetric-state: V has the wrong size")
    M = Vm.inv() * acb_mat([[acb(v) for v in row] for row in Bm]) * Vm
    return max(sum((abs(M[i, j]) for j in range(k)), arb(0)) for i in range(k))


def check_symmetric_state(item):
    """Krawczyk: K(X) = m - Y f(m) + (I - Y J_f(X)) (X - m), f = T - id, strictly inside the
    box X proves a unique fixed point of T in X.  With ``rel``/``bound``: Gershgorin discs of
    V^-1 B V bound the spectral radius of every block over X."""
    from flint import arb, ctx

    n, alpha, prec = int(item["n"]), Q(item["alpha"]), int(item["prec"])
    if not (3 <= n <= 64 and 0 <= alpha < 1 and 64 <= prec <= 4096):
        raise Rejected("symmetric-state: n, alpha or prec out of range")
    with ctx.workprec(prec):
        A, B = _ball_model(alpha, prec)
        mid = [dyadic(v["mid"]) for v in item["box"]]
        rad = [dyadic(v["rad"]) for v in item["box"]]
        if len(mid) != 3 or min(rad) <= 0:
            raise Rejected("symmetric-state: the box needs three coordinates with positive radii")
        m = [arb(q.numerator) / q.denominator for q in mid]
        X = [arb(mm, arb(r.numerator) / r.denominator) for mm, r in zip(m, rad)]
        Y = [[arb(Q(v).numerator) / Q(v).denominator for v in row] for row in item["Y"]]
        Tm, _ = reduced_map(m, n, A, B)
        fm = [Tm[i] - m[i] for i in range(3)]
        TX, _ = reduced_map([Dual(X[i], [int(i == j) for j in range(3)]) for i in range(3)], n, A, B)
        Jf = [[TX[i].g[j] - int(i == j) for j in range(3)] for i in range(3)]
        for i in range(3):
            K = m[i] - sum(Y[i][k] * fm[k] for k in range(3))
            for j in range(3):
                K += (int(i == j) - sum(Y[i][k] * Jf[k][j] for k in range(3))) * (X[j] - m[j])
            if not (K.is_finite() and X[i].contains_interior(K)):
                raise Rejected("symmetric-state: Krawczyk operator not inside the box")
        o, x, b = X
        if item["state"] == "simplex":
            rho = arb(-1) / (n - 1)
            cos = (A * rho + B * ((1 - rho * rho).sqrt() - rho * rho.acos())) / A
            if not (o.contains(cos) and x.contains(cos) and b.contains(1)):
                raise Rejected("symmetric-state: the box misses the simplex state")
        elif item["state"] == "spread-cluster":
            if not (o < 1 and ((x - o) > 0 or (x - o) < 0)):
                raise Rejected("symmetric-state: the box may hold O_n or the simplex")
        else:
            raise Rejected("symmetric-state: unknown state %r" % item["state"])
        if "rel" in item:
            if item["rel"] not in ("<", "<="):
                raise Rejected("symmetric-state: only upper bounds on the spectral radius are checked")
            blocks = symmetric_blocks(X, n, A, B)
            if set(blocks) != set(item["V"]):
                raise Rejected("symmetric-state: V does not name every block")
            bound = Q(item["bound"])
            for comp, Bm in blocks.items():
                hi = gershgorin_bound(Bm, item["V"][comp])
                if not (hi < arb(bound.numerator) / bound.denominator):
                    raise Rejected("symmetric-state: block %s not shown below %s" % (comp, bound))
    return {"n": str(n), "alpha": item["alpha"]}


# ---------------------------------------------------------------- item checks
def _sym(text):
    return evaluate(parse(text), _Sympy(), {})


def _is_zero_rational(expr):
    """expr == 0 identically, read as a rational function of its symbols and of its
    transcendental atoms (sqrt(.), acos(.), atan(.), pi), each taken as an independent
    variable: if that rational function vanishes, so does expr, whatever the atoms' values."""
    import sympy

    atoms = [a for a in sympy.preorder_traversal(expr)
             if isinstance(a, (sympy.acos, sympy.atan)) or a is sympy.pi or
             (isinstance(a, sympy.Pow) and not a.exp.is_Integer)]
    expr = expr.xreplace({a: sympy.Dummy() for a in dict.fromkeys(atoms)})
    if not expr.is_rational_function():
        raise Rejected("identity %s is not between rational functions" % expr)
    return sympy.cancel(sympy.together(expr)) == 0


def check_identity(item):
    if not _is_zero_rational(_sym(item["lhs"]) - _sym(item["rhs"])):
        raise Rejected("identity %s == %s fails" % (item["lhs"], item["rhs"]))
    return item.get("where", {})


def _value(text, env, prec=256):
    """Exact Fraction if rational, else an arb ball."""
    node = parse(text)
    try:
        return evaluate(node, _Rational(), env)
    except ValueError:
        lib = _Ball(prec)
        with lib.ctx.workprec(prec):
            return evaluate(node, lib, {k: lib.of(v) for k, v in env.items()})


def _ball_holds(x, rel, y):
    """Certain comparison of values that are Fractions or arb balls."""
    if isinstance(x, Fraction) and isinstance(y, Fraction):
        return holds(x, rel, y)
    if rel == "==":
        return False                     # a ball never certifies an equality
    from flint import arb
    x, y = (arb(v.numerator) / v.denominator if isinstance(v, Fraction) else v for v in (x, y))
    d = x - y
    if rel == "!=":
        return d > 0 or d < 0
    return {"<": d < 0, "<=": d <= 0, ">": d > 0, ">=": d >= 0}[rel] is True


def check_compare(item):
    env = point(item.get("where"))
    lhs, rhs = _value(item["lhs"], env), _value(item["rhs"], env)
    if not _ball_holds(lhs, item["rel"], rhs):
        raise Rejected("compare %s %s %s fails at %s" % (item["lhs"], item["rel"], item["rhs"], env))
    return item.get("where", {})


def _one_sign(poly):
    """+1 / -1 if every coefficient has that sign and the constant term is non-zero, else 0."""
    coeffs = poly.coeffs()
    const = poly.coeff_monomial(1)
    if const > 0 and all(c >= 0 for c in coeffs):
        return 1
    if const < 0 and all(c <= 0 for c in coeffs):
        return -1
    return 0


def check_positive(item):
    import sympy

    rel, where = item["rel"], item["where"]
    if rel not in ("<", "<=", ">", ">="):
        raise Rejected("positive: bad relation %r" % rel)
    d = _sym(item["lhs"]) - _sym(item["rhs"])
    d = d if rel in (">", ">=") else -d
    m, t = sympy.symbols("m_ t_", nonnegative=True)
    n0, _ = int_range(where["n"])
    subs = [{sympy.Symbol("n"): n0 + m}]
    if "alpha" in where:
        a0, a1, open_ = rat_range(where["alpha"])
        al = sympy.Symbol("alpha")
        a0, a1 = sympy.Rational(a0.numerator, a0.denominator), sympy.Rational(a1.numerator, a1.denominator)
        base = subs[0]
        subs = [{**base, al: (a0 + a1 * t) / (1 + t)}]
        if not open_:
            subs.append({**base, al: (a1 + a0 * t) / (1 + t)})
    for s in subs:
        e = sympy.together(d.subs(s))
        if e.free_symbols - {m, t}:
            raise Rejected("positive: free symbols %s outside the region" % (e.free_symbols - {m, t}))
        num, den = sympy.fraction(e)
        num, den = sympy.Poly(sympy.expand(num), m, t), sympy.Poly(sympy.expand(den), m, t)
        sd = _one_sign(den)
        sn = _one_sign(num)
        if sn == 0 and rel in (">=", "<=") and all(c * sd >= 0 for c in num.coeffs()):
            sn = sd                      # numerator >= 0 suffices for a weak inequality
        if sd == 0 or sn != sd:
            raise Rejected("positive: %s %s %s not shown on %s" % (item["lhs"], rel, item["rhs"], where))
    return where


def _point_value(x):
    """The exact value of an arb point (zero radius) as a Fraction."""
    return dyadic([int(v) for v in x.mid().man_exp()])


def check_enclosure(item):
    prec = int(item.get("prec", 128))
    if not 16 <= prec <= 100000:
        raise Rejected("enclosure: precision %r out of range" % prec)
    lib = _Ball(prec + 64)           # tighter than the recorded ball, which should then hold it
    mid, rad = dyadic(item["ball"]["mid"]), dyadic(item["ball"]["rad"])
    if rad < 0:
        raise Rejected("enclosure: negative radius")
    with lib.ctx.workprec(prec + 64):
        env = {k: lib.of(Q(v)) for k, v in item["inputs"].items()}
        got = evaluate(parse(item["expr"]), lib, env)
        inside = got.is_finite() and mid - rad <= _point_value(got.lower()) and \
            _point_value(got.upper()) <= mid + rad
    if not inside:
        raise Rejected("enclosure: recomputed %s is not inside the recorded ball" % got.str(10))
    if "rel" in item:
        lo_q, hi_q, b = mid - rad, mid + rad, Q(item["bound"])
        ok = {"<": hi_q < b, "<=": hi_q <= b, ">": lo_q > b, ">=": lo_q >= b}[item["rel"]]
        if not ok:
            raise Rejected("enclosure: recorded ball is not certainly %s %s" % (item["rel"], item["bound"]))
    return {k: v for k, v in item["inputs"].items() if k in ("n", "alpha")}


def check_smt(item):
    import z3

    if item.get("result") != "unsat":
        raise Rejected("smt: only a recorded 'unsat' proves anything")
    s = z3.Solver()
    s.set("timeout", int(min(item.get("timeout_ms", 60000), 600000)))
    try:
        s.add(z3.parse_smt2_string(item["smtlib"]))
    except z3.Z3Exception as e:
        raise Rejected("smt: the SMT-LIB text does not parse: %s" % e)
    answer = str(s.check())
    if answer != "unsat":
        raise Rejected("smt: z3 answers %s, not unsat" % answer)
    return item.get("where", {})


def check_two_point_fixed_point(item):
    """(a, x, b) of a two-point state -> a' = A D/n^2, x' = -alpha D (n-1)/n^2,
    b' = A D (n-1)^2/n^2 with D = a - 2x + b (its centred Gram is D s s^T)."""
    import sympy

    n, alpha = sympy.Symbol("n"), _sym(item["alpha"])
    a, x, b, c = (_sym(item[k]) for k in ("a", "x", "b", "c"))
    A, D = (1 + alpha ** 2) / 2, a - 2 * x + b
    image = (A * D / n ** 2, -alpha * D * (n - 1) / n ** 2, A * D * (n - 1) ** 2 / n ** 2)
    for got, want in zip(image, (a, x, b)):
        if not _is_zero_rational(got - c * want):
            raise Rejected("two-point-fixed-point: image is not c times the state")
    check_positive({"lhs": str(D), "rel": ">", "rhs": "0", "where": item["where"]})
    return item["where"]


def check_sqrt_identity(item):
    """sqrt(radicand) == root on the region: radicand == root^2 and root >= 0 there."""
    check_identity({"lhs": item["radicand"], "rhs": "(%s)**2" % item["root"]})
    check_positive({"lhs": item["root"], "rel": ">=", "rhs": "0", "where": item["where"]})
    return item["where"]


def check_blocks(item):
    """Block matrices B_i (entries in n, alpha) repeated copies_i times: charpoly(B_i) =
    prod (x - mu)^m as rational functions, and the listed total spectrum is the union of the
    block spectra, copies counted, of total size n(n+1)/2 - 1."""
    import sympy

    x, n = sympy.Symbol("x_"), sympy.Symbol("n")
    lo, hi = int_range(item["where"]["n"])
    at = {n: lo} if lo == hi else {}
    found = []
    for b in item["blocks"]:
        B = sympy.Matrix([[_sym(e).subs(at) for e in row] for row in b["matrix"]])
        if not B.is_square or B.shape[0] == 0:
            raise Rejected("blocks: a block is not a square matrix")
        want, size = sympy.Integer(1), 0
        for mu, m in b["eigenvalues"]:
            if not (isinstance(m, int) and m >= 1):
                raise Rejected("blocks: bad multiplicity %r" % (m,))
            want *= (x - _sym(mu).subs(at)) ** m
            size += m
        if size != B.shape[0] or sympy.cancel(sympy.together(B.charpoly(x).as_expr() - want)) != 0:
            raise Rejected("blocks: eigenvalues of block %s do not match its characteristic polynomial"
                           % b.get("component", "?"))
        copies = _sym(b["copies"]).subs(at)
        found += [(_sym(mu).subs(at), m * copies) for mu, m in b["eigenvalues"]]
    same = lambda u, v: sympy.cancel(sympy.together(u - v)) == 0
    total = [(_sym(mu).subs(at), _sym(m).subs(at)) for mu, m in item["eigenvalues"]]
    for mu, _ in found:
        if not any(same(mu, v) for v, _ in total):
            raise Rejected("blocks: block eigenvalue %s is missing from the list" % mu)
    for mu, m in total:
        if not same(sum((c for v, c in found if same(v, mu)), sympy.Integer(0)), m):
            raise Rejected("blocks: multiplicity of %s does not add up" % mu)
    if not same(sum((m for _, m in total), sympy.Integer(0)), (n * (n + 1) / 2 - 1).subs(at)):
        raise Rejected("blocks: multiplicities do not add up to n(n+1)/2 - 1")
    return item["where"]


CHECKS = {"identity": check_identity, "compare": check_compare, "positive": check_positive,
          "enclosure": check_enclosure, "smt": check_smt,
          "configuration-spectrum": check_configuration_spectrum,
          "two-point-fixed-point": check_two_point_fixed_point,
          "sqrt-identity": check_sqrt_identity, "blocks": check_blocks,
          "symmetric-state": check_symmetric_state}


# ---------------------------------------------------------------- the conclusion
def _asserts(item):
    """(relation, bound) that a decisive item states about the claim's quantity."""
    t = item["type"]
    if t in ("identity", "compare", "positive"):
        return (item.get("rel", "=="), item["rhs"])
    if t == "sqrt-identity":
        return "==", item["root"]
    return item.get("rel", "=="), item.get("bound")


def _same_bound(a, b):
    if a is None or b is None:
        return a is None and b is None
    try:
        return Q(a) == Q(b)
    except Rejected:
        return _sym(a) - _sym(b) == 0


def _conclude(cert, facts):
    """facts: (relation, bound, region) from decisive items or bundle parts.  A claim with a
    relation (or a value, meaning ==) is proved by facts with that relation and bound covering
    the domain, refuted by a fact with the negated relation at a point of the domain.  A claim
    without one is proved by facts covering the domain, refuted by a non-equality at a point."""
    claim, verdict = cert["claim"], cert["verdict"]
    params = claim.get("params", {})
    bound = params.get("bound", params.get("value"))
    rel = "==" if "value" in params else params.get("relation")
    if verdict == "proved":
        for r, b, _ in facts:
            if rel is not None and (rel not in IMPLIES.get(r, ()) or not _same_bound(b, bound)):
                raise Rejected("decisive fact '%s %s' does not give the claim's '%s %s'" % (r, b, rel, bound))
            if rel is None and r == "!=":
                raise Rejected("a non-equality cannot prove the claim")
        if not covers([reg for _, _, reg in facts], claim["domain"]):
            raise Rejected("decisive facts do not cover the domain %s" % (claim["domain"],))
    elif verdict == "refuted":
        for r, b, reg in facts:
            wanted = (r == NEGATION[rel] and _same_bound(b, bound)) if rel is not None else r != "=="
            if not wanted:
                continue
            pt = {k: v for k, v in reg.items() if k in ("n", "alpha")}
            try:
                point(pt)
            except Rejected:
                continue
            pt.setdefault("alpha", claim["domain"].get("alpha", "0"))
            if "n" in pt and covers([claim["domain"]], pt):
                return
        raise Rejected("no decisive fact refutes the claim at a point of its domain")
    else:
        raise Rejected("verdict %r is not proved or refuted" % verdict)


def _check_body(cert, depth=0):
    for key in ("claim", "verdict", "kind"):
        if key not in cert:
            raise Rejected("missing field %r" % key)
    if cert.get("format") != FORMAT:
        raise Rejected("unknown format %r" % cert.get("format"))
    if "hash" in cert and cert["hash"] != content_hash(cert):
        raise Rejected("content hash mismatch: the certificate was altered")
    kind = cert["kind"]
    facts = []
    if kind == "bundle":
        if depth > 2 or not cert.get("parts"):
            raise Rejected("bundle without parts")
        for part in cert["parts"]:
            _check_body(part, depth + 1)
            for k in ("property", "stages", "activation", "params"):
                if part["claim"].get(k) != cert["claim"].get(k):
                    raise Rejected("bundle part differs from the claim in %r" % k)
            p = part["claim"]["params"]
            rel = "==" if "value" in p else p.get("relation", "==")
            r = rel if part["verdict"] == "proved" else NEGATION[rel]
            facts.append((r, p.get("bound", p.get("value")), part["claim"]["domain"]))
    else:
        if kind not in KIND_ITEMS or not cert.get("items"):
            raise Rejected("kind %r with no items" % kind)
        for i, item in enumerate(cert["items"]):
            if item.get("type") not in KIND_ITEMS[kind]:
                raise Rejected("item %d: type %r not allowed in a %s certificate" % (i, item.get("type"), kind))
            try:
                region = CHECKS[item["type"]](item)
            except Rejected as e:
                raise Rejected("item %d: %s" % (i, e))
            except (KeyError, TypeError, ValueError, ZeroDivisionError, AttributeError) as e:
                raise Rejected("item %d: malformed (%s: %s)" % (i, type(e).__name__, e))
            if item.get("decisive") is True:
                r, b = _asserts(item)
                facts.append((r, b, region))
    if not facts:
        raise Rejected("no decisive fact")
    _conclude(cert, facts)


def check(cert):
    """(True, summary) if the certificate re-verifies, else (False, reason)."""
    if not isinstance(cert, dict):
        return False, "not a JSON object"
    if "hash" not in cert:
        return False, "missing content hash"
    try:
        _check_body(cert)
    except Rejected as e:
        return False, str(e)
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        return False, "malformed certificate (%s: %s)" % (type(e).__name__, e)
    c = cert["claim"]
    return True, "%s %s (%s)" % (c.get("id", "?"), cert["verdict"], cert["kind"])


def check_file(path):
    try:
        with open(path, encoding="utf-8") as f:
            cert = json.load(f)
    except (OSError, ValueError) as e:
        return False, "unreadable: %s" % e
    return check(cert)
