"""THE TRUSTED CHECKER: re-verifies a bnverify certificate without re-running any search.

It imports nothing from bnverify, so it can be audited alone (python-flint, sympy and z3 do
the arithmetic).  ``check(cert)`` returns ``(True, summary)`` or ``(False, reason)``.

A certificate is JSON::

    {"format": "bnverify-certificate/1", "claim": {"id", "property", "domain": {"n", "alpha"},
     "params": {...}, ...}, "verdict": "proved" | "refuted", "method": ...,
     "kind": "exact" | "enclosure" | "smt" | "mixed" | "bundle",
     "items": [...]  (or, for a bundle, "parts": [certificates]),
     "meaning": ..., "trusted": ..., "tools": {...}, "hash": "sha256:<hex>"}

Three layers of checks:

1. **Integrity.**  ``hash`` is the SHA-256 of the canonical JSON (sorted keys, no spaces,
   ASCII) of everything else: any edit of any field is detected.
2. **Facts.**  Every item is re-checked (types below).  Numbers are exact rationals ``"p/q"``;
   balls ``{"mid": [man, exp], "rad": [man, exp]}`` mean man * 2^exp exactly; expressions are
   a small arithmetic language (integers, names, ``+ - * / **`` with integer exponents,
   ``sqrt``, ``acos``, ``atan``, ``pi``), parsed with :mod:`ast` and never ``eval``-ed.
3. **Conclusion.**  Items marked ``"decisive": true`` state (relation, bound, region).  A
   claim "q rel bound on the domain" (``params.relation``/``bound``, or ``params.value``
   meaning ==) is proved by decisive facts with that relation and bound whose regions cover
   the domain, and refuted by one decisive fact with the negated relation at a point of the
   domain.  A claim without a relation is proved by decisive facts covering the domain and
   refuted by a decisive non-equality at a point of it.  A region is {"n": "3..20" | "3.." |
   "5", "alpha": "0..1/2" | "1/10"}; an alpha range ending at 1 excludes 1.
   A claim about one state (the spread cluster for ``attractor-*`` properties, else
   ``params.state``) counts only facts about that state, and a fact that the state is absent
   at a point of the domain (a classification with no spread-cluster solution) refutes it.
   Two claims read differently: ``attractor-threshold`` (``params.value`` = v, parts of its
   bundle are attractor-stable certificates per n) is proved by absence at every n < v and
   spectral radius < 1 at every n >= v of the domain; ``fold-bracket`` (``params.lo``, ``hi``,
   decimals) by a classification with no spread-cluster state at n = lo and one with exactly
   two at n = hi (the pair is born at some real n in between).

Item types:

``identity``      lhs == rhs: lhs - rhs is 0 as a rational function of its symbols and of its
                  transcendental atoms (each sqrt(.), acos(.), atan(.), pi an independent
                  variable), by sympy ``cancel``.
``sqrt-identity`` sqrt(radicand) == root on the region: radicand == root^2 and root >= 0.
``compare``       lhs rel rhs at the point ``where``: exact rationals, else 256-bit balls.
``positive``      lhs rel rhs on the whole region: with n = n0 + m and
                  alpha = (a0 + a1 t)/(1 + t) (plus the mirror substitution when the upper end
                  is included), numerator and denominator of lhs - rhs are polynomials in
                  m, t >= 0 whose coefficients all have one sign (constant term non-zero).
``enclosure``     the ball of ``expr`` at exact ``inputs``, recomputed at ``prec`` + 64 bits,
                  lies in the recorded ball, which certainly satisfies ``rel bound``.
``smt``           z3 re-runs the SMT-LIB2 text and answers the recorded ``unsat``.
``blocks``        symmetry blocks (entries in n, alpha), each with its eigenvalues and its
                  number of copies (>= 1 on the region): charpoly(B) == prod (x - mu)^m as
                  rational functions; the listed spectrum is their union (copies counted)
                  and has n(n+1)/2 - 1 elements.
``configuration-spectrum``   see the model below: at (n, alpha), the complete scale-free
                  spectrum at the configuration is the recorded list, and its spectral radius
                  satisfies ``rel bound``.
``two-point-fixed-point``   see the model below: the two-point state (a, x, b), entries in n
                  and alpha, is mapped to c (a, x, b).
``symmetric-state``  see the model below: Krawczyk proves a unique fixed point of the reduced
                  map in a box; Gershgorin discs bound the spectral radius over the box.
``classification``   see the model below: at a real n, intervals covering the domain of the
                  reduction curve's rho, each excluded or holding exactly one solution; the
                  spread-cluster states are the ``roots`` solutions other than O_n and the simplex.

**The model** (DESIGN section 2), written here independently of bnverify.gram:
F(G) = K(C G C), C = I - 11^T/n, K(S)_jj = A S_jj, K(S)_jk = sqrt(S_jj S_kk) kappa(rho_jk),
kappa(rho) = A rho + B (sqrt(1 - rho^2) - rho acos rho), A = (1 + alpha^2)/2,
B = (1 - alpha)^2/(2 pi).  At rho = 1: kappa = kappa' = A; at rho = -1: kappa = -alpha and
kappa' = A - B pi = alpha; kappa - rho kappa' = 0 at both.  Eigenvalues are those of the
scale-free dynamics: DF(G)/c at F(G) = c G, without the direction of G itself.

* Rank-one case (exact).  When every correlation of S is +-1 (S_jk^2 = S_jj S_kk: a two-point
  batch, e.g. the configuration G = K(s s^T), s = (-1/n, ..., -1/n, (n-1)/n)), K(S)_jk =
  f_jk S_jk and DK(S)[E]_jk = f_jk E_jk with f_jk = A if S_jk > 0 else alpha: rationals only.
  For a two-point state (cluster diagonal = off-diagonal = a, cross x, odd diagonal b),
  C G C = D s s^T with D = a - 2x + b, so F maps it to
  (A D/n^2, -alpha D (n-1)/n^2, A D (n-1)^2/n^2).
* Symmetric states (balls).  With cluster diagonal 1, off-diagonal o, cross x, odd diagonal b,
  the reduced map is T(o, x, b) = (F_o, F_x, F_b)/F_a; its Jacobian over a box comes from
  forward-mode derivatives (:class:`Dual`).  DF(G) commutes with permutations of the cluster,
  so it preserves each isotypic component (trivial, standard, pair); on one copy it acts by
  a small matrix (Schur), read off from DF applied to the basis of :func:`_basis`.
* The reduction curve (balls, n real).  C G C of a symmetric state has zero row sums, so up to
  scale it is Sigma(rho) = (1, rho, -q, (n-1) q), q = 1 + (n-2) rho, rho in [-1/(n-2), 1]
  (Sigma PSD); K is 1-homogeneous, so the symmetric fixed points up to scale are the
  solutions of h(rho) = rho, h(rho) the cluster correlation of C K(Sigma(rho)) C
  (:func:`curve`).  rho = 1 is O_n (Sigma rank one) and rho = -1/(n-1) the simplex (Sigma ~ C,
  so F(G) is S_n-symmetric).  This reduction is trusted (bnverify.certify's docstring).
"""
from __future__ import annotations

import ast
import hashlib
import json
import math
import re
from fractions import Fraction

FORMAT = "bnverify-certificate/1"
NEGATION = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
IMPLIES = {"<": ("<", "<="), "<=": ("<=",), ">": (">", ">="), ">=": (">=",), "==": ("==",), "!=": ("!=",)}
EXACT = {"identity", "sqrt-identity", "compare", "positive", "blocks", "configuration-spectrum",
         "two-point-fixed-point"}
KIND_ITEMS = {"exact": EXACT, "enclosure": {"enclosure", "compare", "symmetric-state", "classification"},
              "smt": {"smt"}}
KIND_ITEMS["mixed"] = set().union(*KIND_ITEMS.values())


class Rejected(Exception):
    pass


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def content_hash(cert):
    body = {k: v for k, v in cert.items() if k != "hash"}
    return "sha256:" + hashlib.sha256(canonical(body).encode()).hexdigest()


# ---------------------------------------------------------------- numbers and expressions
def Q(text):
    """An exact rational from 'p/q' or an integer string (nothing else)."""
    if not isinstance(text, str) or not re.fullmatch(r"-?\d+(/\d+)?", text.strip()):
        raise Rejected("%r is not an exact rational 'p/q'" % (text,))
    return Fraction(text.strip())


def dyadic(pair):
    """[man, exp] -> man * 2^exp exactly."""
    man, exp = pair
    if type(man) is not int or type(exp) is not int:
        raise Rejected("ball component %r is not [integer, integer]" % (pair,))
    return Fraction(man) * Fraction(2) ** exp


def parse(text):
    """The AST of a safe arithmetic expression (Rejected on anything else)."""
    if not isinstance(text, str) or len(text) > 50000:
        raise Rejected("expression %r is not a string" % (text,))
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        raise Rejected("expression %r does not parse" % text)
    for node in ast.walk(tree):
        ok = isinstance(node, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Add, ast.Sub, ast.Mult,
                               ast.Div, ast.Pow, ast.USub, ast.UAdd, ast.Load))
        ok |= isinstance(node, ast.Constant) and type(node.value) is int
        ok |= isinstance(node, ast.Name) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", node.id) is not None
        ok |= (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords
               and node.func.id in ("sqrt", "acos", "atan") and len(node.args) == 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            ok &= _exponent(node.right) is not None
        if not ok:
            raise Rejected("expression %r uses %s" % (text, type(node).__name__))
    return tree.body


def _exponent(node):
    """The integer k of ``** k`` or ``** -k`` (|k| <= 64), else None."""
    sign = -1 if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) else 1
    node = node.operand if sign < 0 else node
    ok = isinstance(node, ast.Constant) and type(node.value) is int and node.value <= 64
    return sign * node.value if ok else None


class _Irrational(Exception):
    pass


def _rational_sqrt(x):
    p, q = math.isqrt(x.numerator) if x >= 0 else -1, math.isqrt(x.denominator)
    if x < 0 or p * p != x.numerator or q * q != x.denominator:
        raise _Irrational
    return Fraction(p, q)


def _library(kind):
    """Constants and functions for :func:`evaluate`: 'sympy' (exact, free symbols allowed),
    'rational' (Fractions; anything irrational raises _Irrational) or 'ball' (flint arb)."""
    if kind == "sympy":
        import sympy
        return {"num": sympy.Integer, "name": sympy.Symbol, "pi": lambda: sympy.pi,
                "sqrt": sympy.sqrt, "acos": sympy.acos, "atan": sympy.atan}

    def unbound(name):
        raise Rejected("unbound symbol %r" % name)

    def irrational(*_):
        raise _Irrational
    if kind == "rational":
        return {"num": Fraction, "name": unbound, "pi": irrational, "sqrt": _rational_sqrt,
                "acos": irrational, "atan": irrational}
    from flint import arb
    return {"num": arb, "name": unbound, "pi": arb.pi, "sqrt": lambda x: x.sqrt(),
            "acos": lambda x: x.acos(), "atan": lambda x: x.atan()}


def evaluate(node, lib, env):
    """The value of a parsed expression; names are looked up in env first."""
    if isinstance(node, ast.Constant):
        return lib["num"](node.value)
    if isinstance(node, ast.Name):
        return lib["pi"]() if node.id == "pi" else env[node.id] if node.id in env else lib["name"](node.id)
    if isinstance(node, ast.UnaryOp):
        v = evaluate(node.operand, lib, env)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.Call):
        return lib[node.func.id](evaluate(node.args[0], lib, env))
    a = evaluate(node.left, lib, env)
    if isinstance(node.op, ast.Pow):
        return a ** _exponent(node.right)
    b = evaluate(node.right, lib, env)
    return {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b,
            ast.Div: lambda: a / b}[type(node.op)]()


def _sym(text):
    return evaluate(parse(text), _library("sympy"), {})


def _ball(q):
    from flint import arb
    return arb(q.numerator) / q.denominator


def _exact(x):
    """The exact value of an arb point (radius 0), e.g. x.lower(), as a Fraction."""
    return dyadic([int(v) for v in x.mid().man_exp()])


def holds(x, rel, y):
    """Exact comparison of two Fractions."""
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y, "==": x == y, "!=": x != y}[rel]


def _certainly(x, rel, y):
    """x rel y for every point of two values that are Fractions or arb balls."""
    if isinstance(x, Fraction) and isinstance(y, Fraction):
        return holds(x, rel, y)
    if rel == "==":
        return False                    # a ball never certifies an equality
    d = (_ball(x) if isinstance(x, Fraction) else x) - (_ball(y) if isinstance(y, Fraction) else y)
    return bool({"<": d < 0, "<=": d <= 0, ">": d > 0, ">=": d >= 0, "!=": d > 0 or d < 0}[rel])


# ---------------------------------------------------------------- regions of (n, alpha)
def int_range(text):
    """'3..20' | '3..' | '5' -> (lo, hi or None)."""
    m = re.fullmatch(r"(\d+)(\.\.(\d*))?", str(text).strip())
    if not m:
        raise Rejected("bad n range %r" % (text,))
    lo = int(m.group(1))
    hi = lo if m.group(2) is None else int(m.group(3)) if m.group(3) else None
    if hi is not None and hi < lo:
        raise Rejected("empty n range %r" % (text,))
    return lo, hi


def rat_range(text):
    """'0..1/2' | '1/10' -> (lo, hi, hi_open); a range ending at 1 excludes 1."""
    lo, _, hi = str(text).partition("..")
    lo, hi = Q(lo), Q(hi) if hi else Q(lo)
    if hi < lo:
        raise Rejected("empty alpha range %r" % (text,))
    return lo, hi, hi == 1 and lo < 1


def point(where):
    """{"n": Fraction, "alpha": Fraction} of a one-point region (Rejected otherwise)."""
    env = {}
    for k, v in (where or {}).items():
        lo, hi = int_range(v) if k == "n" else rat_range(v)[:2]
        if lo != hi:
            raise Rejected("region %r is not a point" % (where,))
        env[k] = Fraction(lo)
    return env


def covers(regions, domain):
    """True if the union of the regions contains the domain."""
    n_lo, n_hi = int_range(domain["n"])
    a_lo, a_hi, a_open = rat_range(domain.get("alpha", "0"))
    spans = []
    for r in regions:
        if "alpha" in r:
            lo, hi, op = rat_range(r["alpha"])
            if a_lo < lo or a_hi > hi or (a_hi == hi and op and not a_open):
                continue
        spans.append(int_range(r.get("n", "0..")))
    reach = n_lo                        # every n < reach is covered
    for lo, hi in sorted(spans):
        if lo > reach:
            break
        if hi is None:
            return True
        reach = max(reach, hi + 1)
    return n_hi is not None and reach > n_hi


# ---------------------------------------------------------------- the model: rank-one case
def _center(G):
    """C G C: G_jk - r_j/n - r_k/n + t/n^2 (r row sums, t the total)."""
    n = len(G)
    r = [sum(row) for row in G]
    t = sum(r)
    return [[G[j][k] - r[j] / n - r[k] / n + t / (n * n) for k in range(n)] for j in range(n)]


def _factors(S, alpha):
    """f_jk = A if S_jk > 0 else alpha, after checking that every correlation is +-1."""
    n = len(S)
    if any(S[j][j] <= 0 for j in range(n)) or \
            any(S[j][k] * S[j][k] != S[j][j] * S[k][k] for j in range(n) for k in range(n)):
        raise Rejected("the centred Gram matrix is not rank one with positive diagonal")
    A = (1 + alpha * alpha) / 2
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
    if not (2 <= n <= 64 and 0 <= alpha <= 1):
        raise Rejected("n or alpha out of range")
    G = configuration(n, alpha)
    S = _center(G)
    f = _factors(S, alpha)
    c = f[0][0] * S[0][0] / G[0][0]
    if c == 0 or any(f[j][k] * S[j][k] != c * G[j][k] for j in range(n) for k in range(n)):
        raise Rejected("G is not a fixed point up to scale")
    idx = [(j, k) for j in range(n) for k in range(j, n)]          # basis E_jk + E_kj of Sym(n)
    cols = []
    for p, q in idx:
        CE = _center([[Fraction(int((j, k) in ((p, q), (q, p)))) for k in range(n)] for j in range(n)])
        cols.append([f[j][k] * CE[j][k] / c for j, k in idx])
    M = fmpq_mat(len(idx), len(idx), [fmpq(cols[b][a].numerator, cols[b][a].denominator)
                                      for a in range(len(idx)) for b in range(len(idx))])
    want, mus = fmpq_poly([-1, 1]), []                              # x - 1: the direction of G
    for mu, mult in item["eigenvalues"]:
        mu = Q(mu)
        if type(mult) is not int or mult < 1:
            raise Rejected("bad multiplicity %r" % (mult,))
        want *= fmpq_poly([fmpq(-mu.numerator, mu.denominator), 1]) ** mult
        mus.append(mu)
    if M.charpoly() != want:
        raise Rejected("the eigenvalues do not match the characteristic polynomial")
    rho = max((abs(mu) for mu in mus), default=Fraction(0))
    if "rel" in item and not holds(rho, item["rel"], Q(item["bound"])):
        raise Rejected("spectral radius %s is not %s %s" % (rho, item["rel"], item["bound"]))
    return {"n": str(n), "alpha": item["alpha"]}


def _rs_image(n, alpha):
    """RC + RS + phi at a rank-one centred Gram (Sigma = D s s^T): a neuron's row is
    y = sign(g) sqrt(n) s/|s|, i.e. -+1/sqrt(n-1) on the cluster and +-sqrt(n-1) at the odd
    point, each sign with probability 1/2; phi(t) = t (t > 0), alpha t (t < 0)."""
    import sympy

    r = sympy.sqrt(n - 1)                                 # > 0 for n >= 2
    # (cluster, odd) entries: g > 0 gives (-1/r, r), g < 0 gives (1/r, -r); phi scales the
    # negative entry of each pair by alpha
    phi = [(-alpha / r, r), (1 / r, -alpha * r)]
    return tuple(sum(p[i] * p[j] for p in phi) / 2 for i, j in ((0, 0), (0, 1), (1, 1)))


def check_two_point_fixed_point(item):
    import sympy

    n, alpha = sympy.Symbol("n", positive=True), _sym(item["alpha"])
    a, x, b, c = (_sym(item[k]).subs(sympy.Symbol("n"), n) for k in ("a", "x", "b", "c"))
    A, D = (1 + alpha ** 2) / 2, a - 2 * x + b
    if item.get("rs"):
        image = _rs_image(n, alpha)
    else:
        image = (A * D / n ** 2, -alpha * D * (n - 1) / n ** 2, A * D * (n - 1) ** 2 / n ** 2)
    if not all(_zero(got - c * want) for got, want in zip(image, (a, x, b))):
        raise Rejected("the image of the state is not c times the state")
    check_positive({"lhs": str(D.subs(n, sympy.Symbol("n"))), "rel": ">", "rhs": "0", "where": item["where"]})
    return item["where"]


# ---------------------------------------------------------------- the model: symmetric states
class Dual:
    """Forward-mode derivative over arb balls: value v and gradient g."""

    __slots__ = ("v", "g")

    def __init__(self, v, g):
        self.v, self.g = v, tuple(g)

    def _lift(self, o):
        return o if isinstance(o, Dual) else Dual(o, (0,) * len(self.g))

    def __add__(self, o):
        o = self._lift(o)
        return Dual(self.v + o.v, (a + b for a, b in zip(self.g, o.g)))

    def __neg__(self):
        return Dual(-self.v, (-a for a in self.g))

    def __sub__(self, o):
        return self + (-self._lift(o))

    def __rsub__(self, o):
        return self._lift(o) - self

    def __mul__(self, o):
        o = self._lift(o)
        return Dual(self.v * o.v, (a * o.v + self.v * b for a, b in zip(self.g, o.g)))

    def __truediv__(self, o):
        o = self._lift(o)
        q = self.v / o.v
        return Dual(q, ((a - q * b) / o.v for a, b in zip(self.g, o.g)))

    def __rtruediv__(self, o):
        return self._lift(o) / self

    __radd__, __rmul__ = __add__, __mul__


def _sqrt(x):
    if isinstance(x, Dual):
        r = x.v.sqrt()
        return Dual(r, (a / (2 * r) for a in x.g))
    return x.sqrt()


def kernel_constants(alpha):
    """(A, B) as balls at the current precision."""
    from flint import arb
    a = _ball(alpha)
    return (1 + a * a) / 2, (1 - a) * (1 - a) / (2 * arb.pi())


def _ends(r, f):
    """f(r) for a non-decreasing f on [-1, 1]: the hull of f at the ends of the ball r, cut to
    [-1, 1] (the caller makes sure that the true values lie there; NaN if r is not finite)."""
    from flint import arb

    if not r.is_finite():
        return arb("nan")
    lo, hi = max(r.lower(), arb(-1)), min(r.upper(), arb(1))
    return f(min(lo, hi)).union(f(max(lo, hi)))


def kappa(r, A, B):
    """kappa(r) = A r + B (sqrt(1 - r^2) - r acos r) and, for a :class:`Dual`, kappa'(r) =
    A - B acos r, for a correlation r in [-1, 1].  Both are non-decreasing (kappa' >= A - B pi =
    alpha >= 0, and acos decreases), so balls go through their ends: tight near |r| = 1, where
    the formula is ill-conditioned, and no cancellation in the derivative."""
    if isinstance(r, Dual):
        d = _ends(r.v, lambda p: A - B * p.acos())
        return Dual(kappa(r.v, A, B), (g * d for g in r.g))
    return _ends(r, lambda p: A * p + B * (((1 - p) * (1 + p)).sqrt() - p * p.acos()))


def _kernel_entry(S, j, k, A, B):
    if j == k:
        return A * S[j][j]
    d = _sqrt(S[j][j] * S[k][k])
    rho = S[j][k] / d
    v = rho.v if isinstance(rho, Dual) else rho
    if not (v.is_finite() and v.lower() >= -1 and v.upper() <= 1):
        raise Rejected("a correlation is not certainly in [-1, 1] on the box")
    return d * kappa(rho, A, B)


def symmetric_gram(n, o, x, b):
    """Gram matrix of the symmetric state (cluster diagonal 1, off-diagonal o, cross x, odd b)."""
    G = [[1 if j == k else o for k in range(n)] for j in range(n)]
    for j in range(n - 1):
        G[j][n - 1] = G[n - 1][j] = x
    G[n - 1][n - 1] = b
    return G


def reduced_map(s, n, A, B):
    """(T(s), F_a): T(o, x, b) = (F_o, F_x, F_b) / F_a, F = K(C G C)."""
    S = _center(symmetric_gram(n, *s))
    Fa = _kernel_entry(S, 0, 0, A, B)
    return [_kernel_entry(S, j, k, A, B) / Fa for j, k in ((0, 1), (0, n - 1), (n - 1, n - 1))], Fa


def _basis(component, n):
    """Basis matrices of one copy of a component, and the entries giving coordinates in it.
    Cluster 0..n-2, odd point n-1; x = e_0 - e_1, y = e_2 - e_3 (sum-zero cluster vectors).
    trivial: I_c, O_c (11^T - I on the cluster), X (cluster-odd), E (odd diagonal);
    standard: diag(x), x1^T + 1x^T off the diagonal (absent for n = 3), cross x;
    pair: x y^T + y x^T (n >= 5)."""
    od = n - 1
    cl = range(n - 1)
    x = [1, -1] + [0] * (n - 2)
    y = [0, 0, 1, -1] + [0] * (n - 4)

    def mat(f):
        return [[f(j, k) for k in range(n)] for j in range(n)]
    if component == "trivial":
        return ([mat(lambda j, k: int(j == k and j in cl)), mat(lambda j, k: int(j != k and j in cl and k in cl)),
                 mat(lambda j, k: int((j == od) != (k == od))), mat(lambda j, k: int(j == k == od))],
                [(0, 0), (0, 1), (0, od), (od, od)])
    if component == "standard":
        D = mat(lambda j, k: x[j] if j == k and j in cl else 0)
        O = mat(lambda j, k: x[j] + x[k] if j != k and j in cl and k in cl else 0)
        X = mat(lambda j, k: x[j] if k == od and j in cl else x[k] if j == od and k in cl else 0)
        return ([D, X], [(0, 0), (0, od)]) if n == 3 else ([D, O, X], [(0, 0), (0, 2), (0, od)])
    return [mat(lambda j, k: x[j] * y[k] + y[j] * x[k])], [(0, 2)]


def symmetric_blocks(s, n, A, B):
    """{component: block of DF(G_s)/c}, c = F(G_s)_00; the trivial block is taken on the
    quotient by the direction g = (1, o, x, b) of G_s itself (eigenvalue 1, dropped)."""
    G = symmetric_gram(n, *s)
    _, c = reduced_map(s, n, A, B)
    out = {}
    for comp in ["trivial", "standard"] + (["pair"] if n >= 5 else []):
        mats, reads = _basis(comp, n)
        cols = []
        for E in mats:
            S = _center([[Dual(G[j][k], (E[j][k],)) for k in range(n)] for j in range(n)])
            cols.append([_kernel_entry(S, j, k, A, B).g[0] / c for j, k in reads])
        M = [list(row) for row in zip(*cols)]
        if comp == "trivial":          # basis (E1, E2, E3, g): keep the leading 3 x 3 block
            g = [1] + list(s)
            M = [[M[i][j] - g[i] / g[3] * M[3][j] for j in range(3)] for i in range(3)]
        out[comp] = M
    return out


def gershgorin_bound(M, V):
    """An upper bound (arb) on the spectral radius of every matrix in the ball matrix M:
    max_i sum_j |(V^-1 M V)_ij|, V exact complex rationals [[re, im], ...]."""
    from flint import acb, acb_mat, arb

    k = len(M)
    W = acb_mat([[acb(_ball(Q(re)), _ball(Q(im))) for re, im in row] for row in V])
    if W.nrows() != k or W.ncols() != k:
        raise Rejected("V has the wrong size")
    P = W.inv() * acb_mat([[acb(v) for v in row] for row in M]) * W
    return max(sum((abs(P[i, j]) for j in range(k)), arb(0)) for i in range(k))


def check_symmetric_state(item):
    """Krawczyk: K(X) = m - Y f(m) + (I - Y J_f(X)) (X - m), f = T - id, strictly inside the
    box X proves that T has exactly one fixed point in X.  Then the state is identified
    (the simplex: X holds (cos, cos, 1), cos = kappa(-1/(n-1))/A; a spread cluster: o < 1 and
    x != o), and with ``rel``/``bound`` every block's Gershgorin bound is below ``bound``."""
    from flint import arb, ctx

    n, alpha, prec = int(item["n"]), Q(item["alpha"]), int(item["prec"])
    if not (3 <= n <= 64 and 0 <= alpha < 1 and 64 <= prec <= 4096):
        raise Rejected("n, alpha or prec out of range")
    with ctx.workprec(prec):
        A, B = kernel_constants(alpha)
        m = [_ball(dyadic(v["mid"])) for v in item["box"]]
        rad = [dyadic(v["rad"]) for v in item["box"]]
        if len(m) != 3 or min(rad) <= 0:
            raise Rejected("the box needs three coordinates with positive radii")
        X = [arb(mi, _ball(r)) for mi, r in zip(m, rad)]
        Y = [[_ball(Q(v)) for v in row] for row in item["Y"]]
        Tm, _ = reduced_map(m, n, A, B)
        TX, _ = reduced_map([Dual(X[i], [int(i == j) for j in range(3)]) for i in range(3)], n, A, B)
        for i in range(3):
            K = m[i] - sum(Y[i][k] * (Tm[k] - m[k]) for k in range(3))
            for j in range(3):
                K += (int(i == j) - sum(Y[i][k] * (TX[k].g[j] - int(k == j)) for k in range(3))) * (X[j] - m[j])
            if not (K.is_finite() and X[i].contains_interior(K)):
                raise Rejected("the Krawczyk operator is not inside the box")
        o, x, b = X
        if item["state"] == "simplex":
            r = arb(-1) / (n - 1)
            cos = kappa(r, A, B) / A
            if not (o.contains(cos) and x.contains(cos) and b.contains(1)):
                raise Rejected("the box misses the simplex state")
        elif item["state"] != "spread-cluster" or not (o < 1 and (x - o > 0 or x - o < 0)):
            raise Rejected("the box is not a spread-cluster state")
        if "rel" in item:
            if item["rel"] not in ("<", "<="):
                raise Rejected("only upper bounds on the spectral radius are checked")
            blocks = symmetric_blocks(X, n, A, B)
            if set(blocks) != set(item["V"]):
                raise Rejected("V does not name every block")
            for comp, M in blocks.items():
                if not gershgorin_bound(M, item["V"][comp]) < _ball(Q(item["bound"])):
                    raise Rejected("block %s not shown below %s" % (comp, item["bound"]))
    return {"n": str(n), "alpha": item["alpha"]}


# ---------------------------------------------------------------- the model: the reduction curve
def _sqrtpos(x):
    """sqrt(max(x, 0)) (for a Dual, of its value): x is known to be >= 0 where it matters."""
    if isinstance(x, Dual):
        r = x.v.nonnegative_part().sqrt()
        return Dual(r, (a / (2 * r) for a in x.g))
    return x.nonnegative_part().sqrt()


def curve(r, n, A, B):
    """h(rho) for real n >= 3: the cluster correlation of C K(Sigma) C, Sigma(rho) = (1, rho,
    -q, (n-1) q), q = 1 + (n-2) rho in [0, n-1] on rho's domain [-1/(n-2), 1] (n a ball).
    Sigma's cross correlation is -u, u = sqrt(q/(n-1)) in [0, 1], so K(Sigma) = (A, kappa(rho),
    (n-1) u kappa(-u), A (n-1) q).  Centring a symmetric state (a, o, x, b): with r = a +
    (n-2) o + x (a cluster row sum) and t = (n-1) r + (n-1) x + b the total, C G C has
    a + t/n^2 - 2 r/n on the cluster diagonal and o + t/n^2 - 2 r/n off it.  (h is not
    differentiable at q = 0: there u' is infinite and derivative arguments fail.)"""
    q = 1 + (n - 2) * r
    u = _sqrtpos(q / (n - 1))
    a, o, x, b = A, kappa(r, A, B), (n - 1) * u * kappa(-u, A, B), A * (n - 1) * q
    rc = a + (n - 2) * o + x
    shift = ((n - 1) * rc + (n - 1) * x + b) / (n * n) - 2 * rc / n
    return (o + shift) / (a + shift)


def _signed(x):
    return 1 if x > 0 else -1 if x < 0 else 0


def _interval_holds(lo, hi, kind, how, n, A, B):
    """Does the interval [lo, hi] of rho have the recorded kind?  g = h - id.
    excluded: g != 0 on it, by ``how``: 'natural' (the enclosure of g), 'mean-value'
      (g(m) + g'(X)(X - m)) or 'monotone' (g' != 0 and g of one strict sign at both ends);
    root: g' != 0, g of opposite strict signs at the ends (exactly one solution, interior);
    simplex: g' != 0 and the interval holds -1/(n-1), a solution by the S_n symmetry of
      Sigma(-1/(n-1)) ~ C (only that one);
    configuration: hi = 1 and g' != 0: rho = 1 (O_n, Sigma rank one) is the only solution.
    Derivative arguments need the interval inside the domain (lo >= -1/(n-2))."""
    nb = _ball(n)
    g = lambda r: curve(r, nb, A, B) - r             # noqa: E731
    X = _ball(lo).union(_ball(hi))
    if kind == "excluded" and how == "natural":
        return _signed(g(X)) != 0
    if lo < Fraction(-1) / (n - 2):
        return False
    dg = curve(Dual(X, (1,)), nb, A, B).g[0] - 1
    if kind == "excluded" and how == "mean-value":
        m = _ball((lo + hi) / 2)
        return _signed(g(m) + dg * (X - m)) != 0
    if _signed(dg) == 0:
        return False
    ends = _signed(g(_ball(lo))) * _signed(g(_ball(hi)))
    simplex = Fraction(-1) / (n - 1)
    if kind == "excluded" and how == "monotone":
        return ends == 1
    if kind == "root":
        return ends == -1 and not lo <= simplex <= hi and hi < 1
    if kind == "simplex":
        return lo <= simplex <= hi and g(_ball(simplex)).contains(0)
    return kind == "configuration" and hi == 1 and g(_ball(hi)).contains(0)


def check_classification(item):
    """Every S_{n-1}-symmetric fixed point of the scale-free dynamics has C G C with cluster
    correlation rho solving h(rho) = rho (DESIGN; :func:`curve`).  The intervals must cover
    [-1/(n-2), 1] edge to edge, each of its kind; then the solutions are O_n, the simplex and
    one per 'root' interval (interior, distinct): ``roots`` of them, the spread-cluster states."""
    from flint import ctx

    n, alpha, prec = Q(item["n"]), Q(item["alpha"]), int(item["prec"])
    if not (3 <= n <= 64 and 0 <= alpha < 1 and 64 <= prec <= 4096):
        raise Rejected("n, alpha or prec out of range")
    ivs = [(Q(lo), Q(hi), kind, how) for lo, hi, kind, how in item["intervals"]]
    if not ivs or not -1 <= ivs[0][0] <= Fraction(-1) / (n - 2) or ivs[-1][1] != 1 or \
            any(lo >= hi for lo, hi, _, _ in ivs) or any(a[1] != b[0] for a, b in zip(ivs, ivs[1:])):
        raise Rejected("the intervals do not cover [-1/(n-2), 1] edge to edge")
    with ctx.workprec(prec):
        A, B = kernel_constants(alpha)
        for i, (lo, hi, kind, how) in enumerate(ivs):
            if not _interval_holds(lo, hi, kind, how, n, A, B):
                raise Rejected("interval %d [%s, %s] is not shown %s" % (i, lo, hi, kind))
    roots = sum(kind == "root" for _, _, kind, _ in ivs)
    if item["roots"] != roots or item["state"] != "spread-cluster":
        raise Rejected("%s root interval(s), not %s spread-cluster states" % (roots, item["roots"]))
    return {"n": str(n), "alpha": item["alpha"]}


# ---------------------------------------------------------------- the other item checks
def _zero(expr):
    """expr == 0 identically as a rational function of its symbols and of its transcendental
    atoms, each atom an independent variable (so the conclusion holds whatever their values)."""
    import sympy

    atoms = [a for a in sympy.preorder_traversal(expr) if isinstance(a, (sympy.acos, sympy.atan))
             or a is sympy.pi or (isinstance(a, sympy.Pow) and not a.exp.is_Integer)]
    expr = expr.xreplace({a: sympy.Dummy() for a in dict.fromkeys(atoms)})
    if not expr.is_rational_function():
        raise Rejected("%s is not a rational function" % expr)
    return sympy.cancel(sympy.together(expr)) == 0


def check_identity(item):
    if not _zero(_sym(item["lhs"]) - _sym(item["rhs"])):
        raise Rejected("%s == %s fails" % (item["lhs"], item["rhs"]))
    return item.get("where", {})


def check_sqrt_identity(item):
    check_identity({"lhs": item["radicand"], "rhs": "(%s)**2" % item["root"]})
    check_positive({"lhs": item["root"], "rel": ">=", "rhs": "0", "where": item["where"]})
    return item["where"]


def _value(text, env):
    """Exact Fraction if rational, else a 256-bit ball."""
    from flint import ctx

    node = parse(text)
    try:
        return evaluate(node, _library("rational"), env)
    except _Irrational:
        with ctx.workprec(256):
            return evaluate(node, _library("ball"), {k: _ball(v) for k, v in env.items()})


def check_compare(item):
    env = point(item.get("where"))
    if not _certainly(_value(item["lhs"], env), item["rel"], _value(item["rhs"], env)):
        raise Rejected("%s %s %s fails at %s" % (item["lhs"], item["rel"], item["rhs"], env))
    return item.get("where", {})


def _sign(poly):
    """+1 / -1 if all coefficients have that sign and the constant term is not 0, else 0."""
    c, const = poly.coeffs(), poly.coeff_monomial(1)
    return 1 if const > 0 and min(c) >= 0 else -1 if const < 0 and max(c) <= 0 else 0


def check_positive(item):
    import sympy

    rel, where = item["rel"], item["where"]
    if rel not in ("<", "<=", ">", ">="):
        raise Rejected("bad relation %r" % rel)
    d = _sym(item["lhs"]) - _sym(item["rhs"])
    d = d if rel in (">", ">=") else -d
    m, t = sympy.Dummy("m"), sympy.Dummy("t")
    subs = [{sympy.Symbol("n"): int_range(where["n"])[0] + m}]
    if "alpha" in where:
        a0, a1, open_ = (sympy.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else v
                         for v in rat_range(where["alpha"]))
        al = sympy.Symbol("alpha")
        subs = [{**subs[0], al: (a0 + a1 * t) / (1 + t)}] + ([] if open_ else [{**subs[0], al: (a1 + a0 * t) / (1 + t)}])
    for s in subs:
        e = sympy.together(d.subs(s))
        if e.free_symbols - {m, t}:
            raise Rejected("free symbols %s outside the region" % (e.free_symbols - {m, t}))
        num, den = (sympy.Poly(sympy.expand(p), m, t) for p in sympy.fraction(e))
        sd, sn = _sign(den), _sign(num)
        if sn == 0 and rel in (">=", "<=") and sd and all(c * sd >= 0 for c in num.coeffs()):
            sn = sd                     # a numerator >= 0 is enough for a weak inequality
        if sd == 0 or sn != sd:
            raise Rejected("%s %s %s not shown on %s" % (item["lhs"], rel, item["rhs"], where))
    return where


def check_enclosure(item):
    from flint import ctx

    prec = int(item.get("prec", 128))
    if not 16 <= prec <= 100000:
        raise Rejected("precision %r out of range" % prec)
    lo = dyadic(item["ball"]["mid"]) - dyadic(item["ball"]["rad"])
    hi = dyadic(item["ball"]["mid"]) + dyadic(item["ball"]["rad"])
    with ctx.workprec(prec + 64):      # tighter than the recorded ball, which must then hold it
        got = evaluate(parse(item["expr"]), _library("ball"), {k: _ball(Q(v)) for k, v in item["inputs"].items()})
        inside = got.is_finite() and lo <= _exact(got.lower()) and _exact(got.upper()) <= hi
    if not inside:
        raise Rejected("recomputed %s is not inside the recorded ball" % got.str(10))
    if "rel" in item:
        b = Q(item["bound"])
        if not {"<": hi < b, "<=": hi <= b, ">": lo > b, ">=": lo >= b}[item["rel"]]:
            raise Rejected("the recorded ball is not certainly %s %s" % (item["rel"], item["bound"]))
    return {k: v for k, v in item["inputs"].items() if k in ("n", "alpha")}


def check_smt(item):
    import z3

    if item.get("result") != "unsat":
        raise Rejected("only a recorded 'unsat' proves anything")
    ctx = z3.Context()          # a context of its own: z3's global one is not thread-safe
    s = z3.Solver(ctx=ctx)
    s.set("timeout", int(min(item.get("timeout_ms", 60000), 600000)))
    try:
        s.add(z3.parse_smt2_string(item["smtlib"], ctx=ctx))
    except z3.Z3Exception as e:
        raise Rejected("the SMT-LIB text does not parse: %s" % e)
    answer = str(s.check())
    if answer != "unsat":
        raise Rejected("z3 answers %s, not unsat" % answer)
    return item.get("where", {})


def check_blocks(item):
    import sympy

    x, n = sympy.Symbol("λ"), sympy.Symbol("n")       # no expression can name λ (see parse)
    lo, hi = int_range(item["where"]["n"])
    at = {n: lo} if lo == hi else {}
    same = lambda u, v: sympy.cancel(sympy.together(u - v)) == 0   # noqa: E731
    found = []
    for b in item["blocks"]:
        M = sympy.Matrix([[_sym(e).subs(at) for e in row] for row in b["matrix"]])
        want, size = sympy.Integer(1), 0
        for mu, mult in b["eigenvalues"]:
            if type(mult) is not int or mult < 1:
                raise Rejected("bad multiplicity %r" % (mult,))
            want, size = want * (x - _sym(mu).subs(at)) ** mult, size + mult
        if not M.is_square or size != M.shape[0] or not same(M.charpoly(x).as_expr(), want):
            raise Rejected("block %s: eigenvalues do not match its characteristic polynomial" % b.get("component"))
        check_positive({"lhs": b["copies"], "rel": ">=", "rhs": "1", "where": item["where"]})
        found += [(_sym(mu).subs(at), mult * _sym(b["copies"]).subs(at)) for mu, mult in b["eigenvalues"]]
    total = [(_sym(mu).subs(at), _sym(mult).subs(at)) for mu, mult in item["eigenvalues"]]
    if not all(any(same(mu, v) for v, _ in total) for mu, _ in found):
        raise Rejected("a block eigenvalue is missing from the list")
    for mu, mult in total:
        if not same(sum((c for v, c in found if same(v, mu)), sympy.Integer(0)), mult):
            raise Rejected("the multiplicity of %s does not add up" % mu)
    if not same(sum((mult for _, mult in total), sympy.Integer(0)), (n * (n + 1) / 2 - 1).subs(at)):
        raise Rejected("the multiplicities do not add up to n(n+1)/2 - 1")
    return item["where"]


CHECKS = {"identity": check_identity, "sqrt-identity": check_sqrt_identity, "compare": check_compare,
          "positive": check_positive, "enclosure": check_enclosure, "smt": check_smt,
          "blocks": check_blocks, "configuration-spectrum": check_configuration_spectrum,
          "two-point-fixed-point": check_two_point_fixed_point, "symmetric-state": check_symmetric_state,
          "classification": check_classification}


# ---------------------------------------------------------------- the conclusion
# The state a claim is about (property, or params.state): facts about another state do not count.
SUBJECT = {"attractor-exists": "spread-cluster", "attractor-stable": "spread-cluster",
           "attractor-threshold": "spread-cluster", "fold-bracket": "spread-cluster"}
STATE_PARAM = {"attractor": "spread-cluster", "simplex": "simplex", "configuration": "configuration"}


def _subject(claim):
    return SUBJECT.get(claim.get("property")) or STATE_PARAM.get(claim.get("params", {}).get("state"))


def _asserts(item):
    """(relation, bound, state) that a decisive item states about the claim's quantity.  A
    classification states ('absent', None): no spread-cluster state, or ('roots', k): k of them."""
    if item["type"] in ("identity", "compare", "positive"):
        return item.get("rel", "=="), item["rhs"], None
    if item["type"] == "sqrt-identity":
        return "==", item["root"], None
    if item["type"] == "classification":
        return ("absent", None, item["state"]) if item["roots"] == 0 else ("roots", str(item["roots"]), item["state"])
    return item.get("rel", "=="), item.get("bound"), item.get("state")


def _same_bound(a, b):
    try:
        return Q(a) == Q(b)
    except Rejected:
        return _zero(_sym(a) - _sym(b))


def _at(region, claim):
    """The n of a one-point region inside the claim's domain, else None."""
    pt = {k: v for k, v in region.items() if k in ("n", "alpha")}
    try:
        point(pt)
    except Rejected:
        return None
    pt.setdefault("alpha", claim["domain"].get("alpha", "0"))
    return int_range(pt["n"])[0] if "n" in pt and covers([claim["domain"]], pt) else None


def _conclude(cert, facts):
    """The decisive (relation, bound, region, state) facts that give the verdict (Rejected if
    they do not).  A fact that the claim's state is absent at a point refutes the claim."""
    claim, verdict = cert["claim"], cert["verdict"]
    subject = _subject(claim)
    for *_, state in facts:
        if state is not None and subject is not None and state != subject:
            raise Rejected("a decisive fact is about the %s state, the claim about the %s" % (state, subject))
    if verdict not in ("proved", "refuted"):
        raise Rejected("verdict %r is not proved or refuted" % (verdict,))
    if claim.get("property") in SPECIAL:
        return SPECIAL[claim["property"]](claim, verdict, facts)
    params = claim.get("params", {})
    bound = params.get("bound", params.get("value"))
    rel = "==" if "value" in params else params.get("relation")
    if verdict == "proved":
        for r, b, _, _ in facts:
            if r not in IMPLIES or rel is None and r == "!=" or rel is not None and (
                    rel not in IMPLIES[r] or b is None or not _same_bound(b, bound)):
                raise Rejected("decisive fact '%s %s' does not give the claim" % (r, b))
        if not covers([reg for _, _, reg, _ in facts], claim["domain"]):
            raise Rejected("decisive facts do not cover the domain %s" % (claim["domain"],))
        return facts
    for fact in facts:
        r, b, reg, _ = fact
        if r == "absent":
            if subject is None:
                continue
        elif r not in IMPLIES or rel is None and r == "==" or rel is not None and (
                NEGATION[rel] not in IMPLIES[r] or b is None or not _same_bound(b, bound)):
            continue
        if _at(reg, claim) is not None:
            return [fact]
    raise Rejected("no decisive fact refutes the claim at a point of its domain")


def _threshold(claim, verdict, facts):
    """'value' is the smallest n of the finite domain from which the spread-cluster state exists,
    is locally unique and has spectral radius < 1: proved by its absence at every n below value
    and a proof at every n from value on (parts: attractor-stable certificates per n);
    refuted by such a proof below value, or absence or spectral radius >= 1 from value on."""
    v = Q(str(claim["params"]["value"]))
    lo, hi = int_range(claim["domain"]["n"])
    if hi is None or v.denominator != 1 or not lo <= v <= hi:
        raise Rejected("value %s is not an n of the finite domain" % v)
    v = int(v)
    stable = lambda r, b: r == "<" and b is not None and _same_bound(b, "1")      # noqa: E731
    alpha = claim["domain"].get("alpha", "0")
    if verdict == "proved":
        absent = [reg for r, _, reg, _ in facts if r == "absent"]
        if (v == lo or covers(absent, {"n": "%d..%d" % (lo, v - 1), "alpha": alpha})) and \
                covers([reg for r, b, reg, _ in facts if stable(r, b)], {"n": "%d..%d" % (v, hi), "alpha": alpha}):
            return facts
        raise Rejected("absence below n = %d and stability from it on do not cover the domain" % v)
    for fact in facts:
        r, b, reg, _ = fact
        k = _at(reg, claim)
        if k is not None and (stable(r, b) and k < v or k >= v and (
                r == "absent" or r in (">=", ">") and b is not None and _same_bound(b, "1"))):
            return [fact]
    raise Rejected("no decisive fact contradicts the threshold %d" % v)


def _decimal(text):
    if not isinstance(text, str) or not re.fullmatch(r"\d+(\.\d+)?", text):
        raise Rejected("%r is not a decimal number" % (text,))
    return Fraction(text)


def _fold(claim, verdict, facts):
    """The spread-cluster pair is born (a fold in real n) inside (lo, hi): at n = lo the
    symmetric family has only O_n and the simplex; at n = hi exactly two more fixed points."""
    lo, hi = _decimal(claim["params"]["lo"]), _decimal(claim["params"]["hi"])
    n_lo, n_hi = int_range(claim["domain"]["n"])
    alpha = rat_range(claim["domain"].get("alpha", "0"))
    if verdict != "proved" or n_hi is None or not n_lo <= lo < hi <= n_hi or alpha[0] != alpha[1]:
        raise Rejected("a fold bracket is proved for one alpha, with n_lo <= lo < hi <= n_hi")
    at = lambda reg, n: Q(reg["n"]) == n and Q(reg["alpha"]) == alpha[0]        # noqa: E731
    got = ([f for f in facts if f[0] == "absent" and at(f[2], lo)][:1]
           + [f for f in facts if f[0] == "roots" and f[1] == "2" and at(f[2], hi)][:1])
    if len(got) != 2:
        raise Rejected("no classification with no spread-cluster state at n = %s and two at n = %s" % (lo, hi))
    return got


SPECIAL = {"attractor-threshold": _threshold, "fold-bracket": _fold}


def _part_claim(claim):
    """What every part of a bundle must be about: the claim itself, or, for a threshold,
    attractor-stable with spectral radius < 1."""
    if claim.get("property") == "attractor-threshold":
        return dict(claim, property="attractor-stable", params={"relation": "<", "bound": "1"})
    return claim


def _check_body(cert, depth=0):
    """The decisive facts that give the certificate's verdict (Rejected if anything fails)."""
    if cert.get("format") != FORMAT:
        raise Rejected("unknown format %r" % (cert.get("format"),))
    if "hash" in cert and cert["hash"] != content_hash(cert):
        raise Rejected("content hash mismatch: the certificate was altered")
    facts = []
    if cert["kind"] == "bundle":        # one certificate per part of the domain (e.g. per n)
        if depth > 2 or not cert.get("parts"):
            raise Rejected("bundle without parts")
        want = _part_claim(cert["claim"])
        for part in cert["parts"]:
            decided = _check_body(part, depth + 1)
            if any(part["claim"].get(k) != want.get(k) for k in ("property", "stages", "activation", "params")):
                raise Rejected("a bundle part is about another claim")
            if part["verdict"] == "refuted":
                facts += decided
                continue
            p = part["claim"]["params"]
            facts.append(("==" if "value" in p else p.get("relation", "=="), p.get("bound", p.get("value")),
                          part["claim"]["domain"], _subject(part["claim"])))
    else:
        if cert["kind"] not in KIND_ITEMS or not cert.get("items"):
            raise Rejected("kind %r with no items" % (cert["kind"],))
        for i, item in enumerate(cert["items"]):
            if item.get("type") not in KIND_ITEMS[cert["kind"]]:
                raise Rejected("item %d: type %r is not allowed in a %s certificate" % (i, item.get("type"), cert["kind"]))
            try:
                region = CHECKS[item["type"]](item)
            except Rejected as e:
                raise Rejected("item %d (%s): %s" % (i, item["type"], e))
            except Exception as e:      # malformed data must be a rejection, never a crash
                raise Rejected("item %d (%s): malformed (%s: %s)" % (i, item["type"], type(e).__name__, e))
            if item.get("decisive") is True:
                r, b, state = _asserts(item)
                facts.append((r, b, region, state))
    if not facts:
        raise Rejected("no decisive fact")
    return _conclude(cert, facts)


def check(cert):
    """(True, summary) if the certificate re-verifies, else (False, reason)."""
    if not isinstance(cert, dict) or "hash" not in cert:
        return False, "not a certificate (no content hash)"
    try:
        _check_body(cert)
    except Rejected as e:
        return False, str(e)
    except Exception as e:
        return False, "malformed certificate (%s: %s)" % (type(e).__name__, e)
    return True, "%s %s (%s)" % (cert["claim"].get("id", "?"), cert["verdict"], cert["kind"])


def check_file(path):
    try:
        with open(path, encoding="utf-8") as f:
            cert = json.load(f)
    except (OSError, ValueError) as e:
        return False, "unreadable: %s" % e
    return check(cert)
