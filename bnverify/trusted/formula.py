"""A user's formula phi(x) as a row of the two-point table (twin: bnverify/core/formula.py's grammar).
Read with :mod:`ast`, never evaluated: x, numbers, + - * /, ** k (an integer, |k| <= 8), exp log erf
tanh sin cos sqrt abs of one argument, max min of two, and 'A if x OP number else B'.  A tree is
evaluated with its derivative (forward differentiation) once in Arb balls and once in Bound, an
abstraction that gives lo <= phi <= hi and |phi(x)| <= f0 + f1 |x| over the real line by rules on
each node; no rule (x**2, exp(x), log(x), sqrt(x), 1/x) gives no bound and the goals that need it
are not decided.  A sel node ('p where u > 0, m where u < 0') is abs, max, min or the if form; on a
complex ball where u's sign is not certain it is non-finite when acb.integral asks for an analytic
value, so the integrator bisects there, else the union of both branches (a direct enclosure)."""
from __future__ import annotations

import ast
import re
import string
from fractions import Fraction

from flint import acb, arb

from .base import Rejected, ball

FUNCS = {"exp": 1, "log": 1, "erf": 1, "tanh": 1, "sin": 1, "cos": 1, "sqrt": 1, "abs": 1, "max": 2, "min": 2}
OPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div"}
MAX_CHARS, MAX_DEPTH, MAX_NODES, MAX_POWER = 2000, 100, 400, 8
CHARS = set(string.ascii_letters + string.digits + " +-*/().,<>=")
SPENT = [0, 0]          # node evaluations of acb.integral's integrands in this decision, and their limit (kernel.decide)


def parse(text):
    """The tree: ("x",) ("c", Fraction) ("neg", a) (op, a, b) ("pow", a, k) ("f", name, a) ("sel", u, p, m, tag),
    tag "abs", None (max, min) or the Fraction k of 'p if x > k else m'; Rejected on anything else.  ASCII letters,
    digits, spaces and + - * / ( ) . , < > = only: nothing the reader would drop (a '#' comment) or fold (look-alikes)."""
    if not isinstance(text, str) or len(text) > MAX_CHARS or not set(text) <= CHARS:
        raise Rejected("a formula is a text of at most %d characters among %r" % (MAX_CHARS, "".join(sorted(CHARS))))
    try:
        tree = ast.parse(text.strip(), mode="eval")
        if sum(1 for _ in ast.walk(tree)) > MAX_NODES:      # each node is evaluated at every point of an integral
            raise Rejected("a formula of more than %d syntax nodes" % MAX_NODES)
        return _node(tree.body, 0, text.strip())
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise Rejected("formula %.40r is not in the grammar" % text)


def _node(n, depth, text):
    if depth > MAX_DEPTH:
        raise Rejected("formula nested more than %d deep" % MAX_DEPTH)
    go = lambda m: _node(m, depth + 1, text)                            # noqa: E731
    if isinstance(n, ast.Name) and n.id == "x":
        return ("x",)
    if isinstance(n, ast.Constant) and type(n.value) in (int, float):   # the literal as written, exactly
        lit = ast.get_source_segment(text, n)
        if not re.fullmatch(r"\d+(\.\d*)?([eE][-+]?\d{1,3})?|\.\d+([eE][-+]?\d{1,3})?", lit or ""):
            raise Rejected("formula: the number %.40r is not a decimal literal with an exponent of at most 3 digits" % lit)
        return ("c", Fraction(lit))
    if isinstance(n, ast.UnaryOp) and type(n.op) in (ast.USub, ast.UAdd):
        a = go(n.operand)
        return a if type(n.op) is ast.UAdd else ("c", -a[1]) if a[0] == "c" else ("neg", a)
    if isinstance(n, ast.BinOp) and type(n.op) is ast.Pow:
        k = go(n.right)
        k = k[1] if k[0] == "c" else None
        if k is None or k.denominator != 1 or abs(k) > MAX_POWER:
            raise Rejected("formula: an exponent is an integer in [-%d, %d]" % (MAX_POWER, MAX_POWER))
        return ("pow", go(n.left), int(k))
    if isinstance(n, ast.BinOp) and type(n.op) in OPS:
        a, b = go(n.left), go(n.right)           # literals folded exactly: 1/2, -0.25 (x > 1/2 reads a number)
        if a[0] == b[0] == "c" and (b[1] or type(n.op) is not ast.Div):
            return ("c", {ast.Add: a[1] + b[1], ast.Sub: a[1] - b[1], ast.Mult: a[1] * b[1]}.get(
                type(n.op), a[1] / b[1] if b[1] else 0))
        return (OPS[type(n.op)], a, b)
    if (isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and FUNCS.get(n.func.id) == len(n.args)
            and not n.keywords and not any(isinstance(a, ast.Starred) for a in n.args)):
        a = [go(v) for v in n.args]
        if n.func.id == "abs":
            return ("sel", a[0], a[0], ("neg", a[0]), "abs")
        if n.func.id in ("max", "min"):
            return ("sel", ("sub", a[0], a[1]), *(a if n.func.id == "max" else a[::-1]), None)
        return ("f", n.func.id, a[0])
    if (isinstance(n, ast.IfExp) and isinstance(n.test, ast.Compare) and len(n.test.ops) == 1 and
            type(n.test.ops[0]) in (ast.Gt, ast.GtE, ast.Lt, ast.LtE) and isinstance(n.test.left, ast.Name) and
            n.test.left.id == "x" and go(n.test.comparators[0])[0] == "c"):
        k, up = go(n.test.comparators[0])[1], type(n.test.ops[0]) in (ast.Gt, ast.GtE)    # x = k: a null set
        return ("sel", ("sub", ("x",), ("c", k)), *((go(n.body), go(n.orelse))[::1 if up else -1]), k)
    raise Rejected("formula: %.40r is not in the grammar" % ast.unparse(n))


def _opt(f, *v):
    return None if any(x is None for x in v) else f(*v)


class Bound:
    """lo <= g(x) <= hi and |g(x)| <= f0 + f1 |x| on x's domain (arbs; None: no bound; f = (f0, f1))."""

    def __init__(self, lo=None, hi=None, f=None):
        if lo is not None and hi is not None:
            f = (arb.max(abs(lo), abs(hi)), arb(0))
        elif f is not None and f[1] == 0:
            lo, hi = arb.max(lo, -f[0]) if lo is not None else -f[0], arb.min(hi, f[0]) if hi is not None else f[0]
        self.lo, self.hi, self.f = lo, hi, f

    __neg__ = lambda self: Bound(_opt(arb.__neg__, self.hi), _opt(arb.__neg__, self.lo), self.f)   # noqa: E731

    def __add__(self, o):
        return Bound(_opt(arb.__add__, self.lo, o.lo), _opt(arb.__add__, self.hi, o.hi),
                     _opt(lambda a, b: (a[0] + b[0], a[1] + b[1]), self.f, o.f))

    __sub__ = lambda self, o: self + -o                     # noqa: E731

    def __mul__(self, o):
        ends = _opt(lambda *v: [a * b for a in v[:2] for b in v[2:]], self.lo, self.hi, o.lo, o.hi)
        f = _opt(lambda a, b: (a[0] * b[0], a[0] * b[1] + a[1] * b[0]) if a[1] == 0 or b[1] == 0 else None,
                 self.f, o.f)
        return Bound(ends and min(ends, key=lambda v: v.lower()).lower(), ends and arb(max(v.upper() for v in ends)), f)

    def __truediv__(self, o):
        if o.lo is not None and o.lo > 0 or o.hi is not None and o.hi < 0:
            return self * Bound(1 / o.hi if o.hi is not None else arb(0), 1 / o.lo if o.lo is not None else arb(0))
        raise Rejected("a division by a term not shown away from 0")

    def __pow__(self, k):
        r = Bound(arb(1), arb(1)) if k <= 0 else self
        for _ in range(abs(k) - (k > 0)):
            r = r * self
        if k % 2 == 0:
            r.lo = arb(0) if r.lo is None or not r.lo > 0 else r.lo
        return Bound(arb(1), arb(1)) / r if k < 0 else r

    def exp(self, analytic=0):
        return Bound(self.lo.exp() if self.lo is not None else arb(0), _opt(arb.exp, self.hi))

    def log(self, analytic=0):
        if not (self.lo is not None and self.lo > 0):       # log u <= u - 1 < u on u > 0
            raise Rejected("log of a term not shown > 0")
        return Bound(self.lo.log(), _opt(arb.log, self.hi), _opt(lambda f: (abs(self.lo.log()) + f[0], f[1]), self.f))

    def sqrt(self, analytic=0):                                   # sqrt(u) <= (1 + u)/2
        if not (self.lo is not None and self.lo >= 0):
            raise Rejected("sqrt of a term not shown >= 0")
        return Bound(self.lo.sqrt(), _opt(arb.sqrt, self.hi), _opt(lambda f: ((1 + f[0]) / 2, f[1] / 2), self.f))

    def union(self, o):
        return Bound(_opt(arb.min, self.lo, o.lo), _opt(arb.max, self.hi, o.hi),
                     _opt(lambda a, b: (arb.max(a[0], b[0]), arb.max(a[1], b[1])), self.f, o.f))

    erf = tanh = sin = cos = lambda self, analytic=0: Bound(arb(-1), arb(1))


def _lift(v, like):
    v = v if isinstance(v, arb) else ball(v)
    return Bound(v, v) if isinstance(like, Bound) else acb(v)


def value(e, z, an=False, d=False, memo=None):
    """(g(z), g'(z)) (g' None unless d): z an acb ball (an: acb.integral's analytic flag) or x's Bound.  Each
    node once per call (abs, max and min share their subtrees: without the memo the work is 3^depth)."""
    memo = {} if memo is None else memo
    key = (id(e), id(z), an, d)
    if key not in memo:
        memo[key] = (_value(e, z, an, d, memo), z)         # z kept: no id is reused within the call
    return memo[key][0]


def _value(e, z, an, d, memo):
    k, c = e[0], (lambda v: _lift(v, z))
    if k in ("x", "c"):
        return (z, d and c(1)) if k == "x" else (c(e[1]), d and c(0))
    if k == "sel":
        u, p, m, tag = e[1:]
        if isinstance(z, Bound):        # the if form: each branch on its side of x = tag only
            t, f = (ball(tag), (arb(0), arb(1))) if isinstance(tag, Fraction) else (None, None)
            zp = z if t is None else Bound(t if z.lo is None else arb.max(z.lo, t), z.hi, f)
            zm = z if t is None else Bound(z.lo, t if z.hi is None else arb.min(z.hi, t), f)
            (vp, dp), (vm, dm) = value(p, zp, an, d, memo), value(m, zm, an, d, memo)
            v = vp.union(vm)
            v.lo = arb(0) if tag == "abs" else v.lo
            return v, d and dp.union(dm)
        s = value(u, z, an, False, memo)[0].real
        if s > 0 or s < 0:
            return value(p if s > 0 else m, z, an, d, memo)
        if an:
            return acb("nan"), d and acb("nan")
        (vp, dp), (vm, dm) = value(p, z, an, d, memo), value(m, z, an, d, memo)
        return vp.union(vm), d and dp.union(dm)
    a, da = value(e[-1] if k == "f" else e[1], z, an, d, memo)
    if k == "neg":
        return -a, d and -da
    if k == "pow":
        return a ** e[2], d and c(e[2]) * a ** (e[2] - 1) * da if e[2] else c(0)
    if k == "f":
        f = getattr(a, e[1])
        v = f(analytic=an) if e[1] in ("log", "sqrt") else f()
        dv = {"exp": lambda: v, "log": lambda: c(1) / a, "sqrt": lambda: c(Fraction(1, 2)) / v, "sin": a.cos,
              "cos": lambda: -a.sin(), "tanh": lambda: c(1) - v ** 2,
              "erf": lambda: c(2) / c(arb.pi()).sqrt() * (-(a ** 2)).exp()}
        return v, d and dv[e[1]]() * da
    b, db = value(e[2], z, an, d, memo)
    return {"add": lambda: (a + b, d and da + db), "sub": lambda: (a - b, d and da - db),
            "mul": lambda: (a * b, d and da * b + a * db),
            "div": lambda: (a / b, d and (da * b - a * db) / b ** 2)}[k]()


def _continuous(e):
    """True if every if form's branches agree exactly at its kink (exact equal balls), so phi has no jump."""
    for t in _nodes(e):
        if t[0] == "sel" and isinstance(t[4], Fraction):
            a, b = (value(br, acb(ball(t[4])))[0] for br in t[2:4])
            if not (a.is_exact() and a == b):
                return False
    return True


def row(text):
    """twopoint.TABLE's row of the formula: one branch for both signs; phi's growth (f0, f1), phi''s (None
    where no rule gives one or an if form may jump: Price's theorem needs phi absolutely continuous); no
    Lipschitz lemma."""
    e, x = parse(text), Bound(None, None, (arb(0), arb(1)))
    size = len(_nodes(e))
    fns = (lambda z, a, an=False: _spent(size) and value(e, z, an)[0],
           lambda z, a, an=False: _spent(size) and value(e, z, an, True)[1])
    return {-1: fns, 1: fns}, _grow(e, x, 0), _grow(e, x, 1) if _continuous(e) else None, None, False


def _nodes(e):
    """The tree's distinct nodes, each once (abs, max and min share their subtrees)."""
    seen, todo = {}, [e]
    while todo:
        t = todo.pop()
        if id(t) not in seen:
            seen[id(t)] = t
            todo += [s for s in t[1:] if isinstance(s, tuple)]
    return list(seen.values())


def _spent(size):
    """Count one evaluation of the tree; Rejected beyond the limit kernel.decide set from the items' prices (a
    switch whose sign is never certain makes acb.integral bisect to its evaluation limit)."""
    SPENT[0] += size
    if SPENT[1] and SPENT[0] > SPENT[1]:
        raise Rejected("the formula's integrals went over the work the evidence was priced at (%d node evaluations)"
                       % SPENT[1])
    return True


def weight(name):
    """A formula's price factor in items.work: its tree's nodes (a named activation: 1)."""
    return len(_nodes(parse(name[len("formula:"):]))) if str(name).startswith("formula:") else 1


def _grow(e, x, i):
    try:
        return value(e, x, False, i)[i].f
    except Rejected:
        return None
