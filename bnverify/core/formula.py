"""Activation formulas in one variable x: a whitelist parser, exact derivatives, evaluation in
Arb balls (acb), mpmath and numpy, and a rigorous growth bound.

Grammar (Python syntax read with :mod:`ast`, never evaluated)::

    expr := x | number | expr (+ - * /) expr | -expr | expr ** k      (k an integer, |k| <= 8)
          | f(expr)          f in exp log erf tanh sin cos sqrt abs
          | max(expr, expr) | min(expr, expr)
          | expr if x OP number else expr                               (OP in < <= > >=)

A formula is a tree of tuples.  Every non-smooth point is a ``("sel", u, p, n)`` node: ``p``
where ``u > 0`` and ``n`` where ``u < 0``.  ``abs``, ``max``, ``min`` and the ``if`` form all
become sel nodes; when ``u`` is affine in x its zero is a kink known in advance (the
integrators split there), otherwise the Arb evaluation reports "not analytic" on a ball that
straddles ``u = 0`` and the integrator bisects.

The growth bound ``|f(x)| <= C (1 + |x|)^d e^(beta |x|)`` for every real x bounds the Gaussian
tails; a formula with no such bound (``exp(x**2)``) is refused, since its Gaussian moments
need not exist.
"""
from __future__ import annotations

import ast
import math
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp
from flint import acb, arb, ctx, fmpq

from ..errors import BadInput

FUNCTIONS = {"exp": 1, "log": 1, "erf": 1, "tanh": 1, "sin": 1, "cos": 1, "sqrt": 1, "abs": 1, "max": 2, "min": 2}
MAX_POWER = 8
MAX_CHARS = 2000
MAX_NODES = 400
MAX_DEPTH = 40

X = ("x",)


class Unbounded(BadInput):
    """A formula without an exponential growth bound: its Gaussian moments may not exist."""


def const(v):
    return ("c", Fraction(v))


# ---------------------------------------------------------------- parsing
def _refuse(token, why):
    raise BadInput("formula: %s %s" % (token, why))


def parse(text):
    """The tree of ``text``; one-line BadInput naming the offending token otherwise."""
    if not isinstance(text, str) or not text.strip():
        raise BadInput("formula: empty")
    if len(text) > MAX_CHARS:
        raise BadInput("formula of %d characters (at most %d)" % (len(text), MAX_CHARS))
    depth = 0
    for ch in text:         # ast.parse itself recurses: refuse deep nesting before it
        depth += ch == "("
        depth -= ch == ")"
        if depth > MAX_DEPTH:
            raise BadInput("formula nested more than %d brackets deep" % MAX_DEPTH)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        line = (e.text or text).strip()
        at = line[max(0, (e.offset or 1) - 1):][:12] or "end of formula"
        raise BadInput("formula: syntax error at %r" % at)
    except ValueError as e:         # a null byte, or bytes that are not UTF-8 (a lone surrogate from argv)
        raise BadInput("formula: %s" % ("not UTF-8 text" if isinstance(e, UnicodeError) else e))
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise BadInput("formula with more than %d syntax nodes" % MAX_NODES)
    return _node(tree.body)


def _number(node):
    """The exact value of a constant made of literals, + - * / (e.g. 1/2, -0.25), or None."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        if isinstance(node.value, float) and not math.isfinite(node.value):
            return None
        return Fraction(repr(node.value)) if isinstance(node.value, float) else Fraction(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _number(node.operand)
        return None if v is None else (-v if isinstance(node.op, ast.USub) else v)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        a, b = _number(node.left), _number(node.right)
        if a is None or b is None or isinstance(node.op, ast.Div) and b == 0:
            return None
        return {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b}.get(type(node.op)) if not isinstance(
            node.op, ast.Div) else a / b
    return None


_BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div"}


def _node(n):
    if isinstance(n, ast.Name):
        if n.id != "x":
            _refuse(repr(n.id), "is not allowed: the only variable is x" + (
                " (functions must be called)" if n.id in FUNCTIONS else ""))
        return X
    if isinstance(n, ast.Constant):
        if type(n.value) not in (int, float) or (isinstance(n.value, float) and not math.isfinite(n.value)):
            _refuse(repr(n.value), "is not a finite real number")
        return const(_number(n))
    if isinstance(n, ast.UnaryOp) and isinstance(n.op, (ast.USub, ast.UAdd)):
        a = _node(n.operand)
        return ("neg", a) if isinstance(n.op, ast.USub) else a
    if isinstance(n, ast.BinOp):
        if isinstance(n.op, ast.Pow):
            k = _number(n.right)
            if k is None or k.denominator != 1 or abs(k) > MAX_POWER:
                _refuse("'**%s'" % ast.unparse(n.right), "is not allowed: exponents are integers in [-%d, %d]"
                        % (MAX_POWER, MAX_POWER))
            return ("pow", _node(n.left), int(k))
        op = _BINOPS.get(type(n.op))
        if op is None:
            _refuse(repr(ast.unparse(n)), "uses an operator outside + - * / **")
        return (op, _node(n.left), _node(n.right))
    if isinstance(n, ast.Call):
        name = n.func.id if isinstance(n.func, ast.Name) else ast.unparse(n.func)
        if name not in FUNCTIONS:
            _refuse(repr(name), "is not an allowed function (allowed: %s)" % ", ".join(FUNCTIONS))
        if n.keywords or len(n.args) != FUNCTIONS[name] or any(isinstance(a, ast.Starred) for a in n.args):
            _refuse(repr(name), "takes exactly %d argument%s" % (FUNCTIONS[name], "s" if FUNCTIONS[name] > 1 else ""))
        args = [_node(a) for a in n.args]
        if name == "abs":
            return ("sel", args[0], args[0], ("neg", args[0]), True)
        if name in ("max", "min"):
            a, b = args
            return ("sel", ("sub", a, b), a, b, True) if name == "max" else ("sel", ("sub", a, b), b, a, True)
        return ("f", name, args[0])
    if isinstance(n, ast.IfExp):
        t = n.test
        if not (isinstance(t, ast.Compare) and len(t.ops) == 1 and isinstance(t.ops[0], (ast.Lt, ast.LtE, ast.Gt, ast.GtE))):
            _refuse(repr(ast.unparse(t)), "is not allowed as a condition: use x < k, x <= k, x > k or x >= k")
        left, right = t.left, t.comparators[0]
        greater = isinstance(t.ops[0], (ast.Gt, ast.GtE))
        if isinstance(left, ast.Name) and left.id == "x" and _number(right) is not None:
            k = _number(right)
        elif isinstance(right, ast.Name) and right.id == "x" and _number(left) is not None:
            k, greater = _number(left), not greater
        else:
            _refuse(repr(ast.unparse(t)), "is not allowed as a condition: compare x with a number")
        body, orelse = _node(n.body), _node(n.orelse)
        u = ("sub", X, const(k))
        return ("sel", u, body, orelse, False) if greater else ("sel", u, orelse, body, False)
    _refuse(repr(ast.unparse(n)), "is not allowed in a formula")


def show(e):
    """The tree as text in the grammar above (the piecewise form reads 'p if u > 0 else n')."""
    k = e[0]
    if k == "x":
        return "x"
    if k == "c":
        return str(e[1]) if e[1].denominator == 1 and e[1] >= 0 else "(%s)" % e[1]
    if k == "neg":
        return "(-%s)" % show(e[1])
    if k in ("add", "sub", "mul", "div"):
        return "(%s %s %s)" % (show(e[1]), {"add": "+", "sub": "-", "mul": "*", "div": "/"}[k], show(e[2]))
    if k == "pow":
        return "%s**%d" % (show(e[1]), e[2])
    if k == "f":
        return "%s(%s)" % (e[1], show(e[2]))
    if k == "pi":
        return "pi"
    return "(%s if %s > 0 else %s)" % (show(e[2]), show(e[1]), show(e[3]))


# ---------------------------------------------------------------- derivatives
def _simp(e):
    """Fold the constants a derivative leaves behind (0 * u, 1 * u, u + 0)."""
    k = e[0]
    if k in ("add", "sub", "mul", "div"):
        a, b = _simp(e[1]), _simp(e[2])
        za, zb = a == const(0), b == const(0)
        if k == "add" and (za or zb):
            return b if za else a
        if k == "sub" and zb:
            return a
        if k == "sub" and za:
            return ("neg", b)
        if k == "mul" and (za or zb):
            return const(0)
        if k == "mul" and a == const(1):
            return b
        if k == "mul" and b == const(1):
            return a
        if k == "div" and za:
            return const(0)
        if a[0] == "c" and b[0] == "c" and not (k == "div" and b[1] == 0):
            return const({"add": a[1] + b[1], "sub": a[1] - b[1], "mul": a[1] * b[1],
                          "div": a[1] / b[1] if b[1] else 0}[k])
        return (k, a, b)
    if k == "neg":
        a = _simp(e[1])
        return const(-a[1]) if a[0] == "c" else a[1] if a[0] == "neg" else ("neg", a)
    if k == "pow":
        return ("pow", _simp(e[1]), e[2])
    if k == "f":
        return ("f", e[1], _simp(e[2]))
    if k == "sel":
        return ("sel", _simp(e[1]), _simp(e[2]), _simp(e[3]), e[4])
    return e


def diff(e):
    """d/dx of the tree, almost everywhere (a sel node differentiates branch by branch; see
    :func:`jumps` for where that is not the weak derivative)."""
    return _simp(_diff(e))


def _diff(e):
    k = e[0]
    if k == "x":
        return const(1)
    if k == "c":
        return const(0)
    if k == "neg":
        return ("neg", _diff(e[1]))
    if k in ("add", "sub"):
        return (k, _diff(e[1]), _diff(e[2]))
    if k == "mul":
        return ("add", ("mul", _diff(e[1]), e[2]), ("mul", e[1], _diff(e[2])))
    if k == "div":
        return ("div", ("sub", ("mul", _diff(e[1]), e[2]), ("mul", e[1], _diff(e[2]))), ("pow", e[2], 2))
    if k == "pow":
        n = e[2]
        return const(0) if n == 0 else ("mul", ("mul", const(n), ("pow", e[1], n - 1)), _diff(e[1]))
    if k == "f":
        name, u = e[1], e[2]
        du = _diff(u)
        if name == "erf":           # 2/sqrt(pi) is not rational: pi is a node of its own
            outer = ("mul", ("div", const(2), ("f", "sqrt", ("pi",))), ("f", "exp", ("neg", ("pow", u, 2))))
        else:
            outer = {"exp": lambda: e,
                     "log": lambda: ("div", const(1), u),
                     "tanh": lambda: ("sub", const(1), ("pow", e, 2)),
                     "sin": lambda: ("f", "cos", u),
                     "cos": lambda: ("neg", ("f", "sin", u)),
                     "sqrt": lambda: ("div", const(Fraction(1, 2)), e)}[name]()
        return ("mul", outer, du)
    if k == "sel":
        return ("sel", e[1], _diff(e[2]), _diff(e[3]), e[4])
    if k == "pi":
        return const(0)
    raise AssertionError(k)


def to_sympy(e, x=sp.Symbol("x", real=True)):
    k = e[0]
    if k == "x":
        return x
    if k == "c":
        return sp.Rational(e[1].numerator, e[1].denominator)
    if k == "pi":
        return sp.pi
    if k == "neg":
        return -to_sympy(e[1], x)
    if k in ("add", "sub", "mul", "div"):
        a, b = to_sympy(e[1], x), to_sympy(e[2], x)
        return {"add": a + b, "sub": a - b, "mul": a * b, "div": a / b}[k]
    if k == "pow":
        return to_sympy(e[1], x) ** e[2]
    if k == "f":
        return getattr(sp, {"log": "log", "abs": "Abs"}.get(e[1], e[1]))(to_sympy(e[2], x))
    return sp.Piecewise((to_sympy(e[2], x), to_sympy(e[1], x) > 0), (to_sympy(e[3], x), True))


def affine(e):
    """(a, b) with e = a x + b exactly, or None."""
    k = e[0]
    if k == "x":
        return Fraction(1), Fraction(0)
    if k == "c":
        return Fraction(0), e[1]
    if k == "neg":
        r = affine(e[1])
        return r and (-r[0], -r[1])
    if k in ("add", "sub"):
        a, b = affine(e[1]), affine(e[2])
        if a is None or b is None:
            return None
        s = 1 if k == "add" else -1
        return a[0] + s * b[0], a[1] + s * b[1]
    if k in ("mul", "div"):
        a, b = affine(e[1]), affine(e[2])
        if a is None or b is None or b[0] != 0 and (k == "div" or a[0] != 0):
            return None
        if k == "div":
            return None if b[1] == 0 else (a[0] / b[1], a[1] / b[1])
        return (a[0] * b[1], a[1] * b[1]) if b[0] == 0 else (b[0] * a[1], b[1] * a[1])
    return None


def _sels(e):
    if e[0] == "sel":
        yield e
    for child in e[1:]:
        if isinstance(child, tuple):
            yield from _sels(child)


def kinks(e):
    """The sorted kinks known in advance: zeros of the affine switches of sel nodes."""
    out = set()
    for s in _sels(e):
        ab = affine(s[1])
        if ab and ab[0] != 0:
            out.add(-ab[1] / ab[0])
    return sorted(out)


def jumps(e):
    """The kinks at which continuity is not proved exactly (sympy): there the a.e. derivative
    misses a Dirac mass, and Price's theorem does not apply.  abs, max, min are continuous."""
    bad = []
    for s in _sels(e):
        if s[4]:
            continue
        ab = affine(s[1])
        if not ab or ab[0] == 0:
            continue
        k = -ab[1] / ab[0]
        x = sp.Symbol("x", real=True)
        try:
            gap = sp.simplify(to_sympy(s[2], x).subs(x, sp.Rational(k.numerator, k.denominator))
                              - to_sympy(s[3], x).subs(x, sp.Rational(k.numerator, k.denominator)))
        except Exception:
            gap = None
        if gap != 0:
            bad.append(k)
    return bad


def resolve(e, at):
    """The tree on the open piece around the exact point ``at`` (between two kinks): each sel
    node whose switch is affine replaced by its branch there, so the result is analytic."""
    k = e[0]
    if k == "sel":
        ab = affine(e[1])
        if ab:
            v = ab[0] * at + ab[1]
            return resolve(e[2] if v > 0 else e[3], at)
        return ("sel", resolve(e[1], at), resolve(e[2], at), resolve(e[3], at), e[4])
    return tuple(resolve(c, at) if isinstance(c, tuple) else c for c in e)


# ---------------------------------------------------------------- evaluation
def acb_function(e):
    """``f(z, analytic)`` in Arb complex balls: non-finite where ``analytic`` is asked and a
    sqrt/log branch cut or an unresolved sel switch may be met (acb.integral's contract)."""
    k = e[0]
    if k not in ("x", "c") and not _has_x(e):
        # a constant subtree (sqrt(2), 2/sqrt(pi)): once per working precision, not per call
        f, cache = _acb_tree(e), {}

        def constant(z, a):
            if ctx.prec not in cache:
                cache[ctx.prec] = f(acb(0), False)
            return cache[ctx.prec]
        return constant
    return _acb_tree(e)


def entire(tree):
    """True where the formula is certainly an entire function of x: built from x and constants by
    + - *, powers n >= 0, division by a constant, exp, erf, sin and cos (gelu, erf, sin).  Then
    no pole or branch cut can sit inside an ellipse, and the check for one is skipped."""
    k = tree[0]
    if not _has_x(tree) or k == "x":
        return True
    if k in ("add", "sub", "mul", "neg"):
        return all(entire(t) for t in tree[1:] if isinstance(t, tuple))
    if k == "pow":
        return tree[2] >= 0 and entire(tree[1])
    if k == "div":
        return entire(tree[1]) and not _has_x(tree[2])
    if k == "f":
        return tree[1] in ("exp", "erf", "sin", "cos") and entire(tree[2])
    return False


def _has_x(e):
    return e == X or any(isinstance(c, tuple) and _has_x(c) for c in e[1:])


def _acb_tree(e):
    k = e[0]
    if k == "x":
        return lambda z, a: z
    if k == "c":
        v = fmpq(e[1].numerator, e[1].denominator)
        return lambda z, a: acb(arb(v))
    if k == "pi":
        return lambda z, a: acb(arb.pi())
    if k == "neg":
        f = acb_function(e[1])
        return lambda z, a: -f(z, a)
    if k in ("add", "sub", "mul", "div"):
        f, g = acb_function(e[1]), acb_function(e[2])
        return {"add": lambda z, a: f(z, a) + g(z, a), "sub": lambda z, a: f(z, a) - g(z, a),
                "mul": lambda z, a: f(z, a) * g(z, a), "div": lambda z, a: f(z, a) / g(z, a)}[k]
    if k == "pow":
        f, n = acb_function(e[1]), e[2]
        return (lambda z, a: f(z, a) ** n) if n >= 0 else (lambda z, a: 1 / f(z, a) ** (-n))
    if k == "f":
        f, name = acb_function(e[2]), e[1]
        if name == "sqrt":
            return lambda z, a: f(z, a).sqrt(analytic=a)
        if name == "log":
            return lambda z, a: f(z, a).log(analytic=a)
        return {"exp": lambda z, a: f(z, a).exp(), "erf": lambda z, a: f(z, a).erf(),
                "tanh": lambda z, a: f(z, a).tanh(), "sin": lambda z, a: f(z, a).sin(),
                "cos": lambda z, a: f(z, a).cos()}[name]
    u, p, n = acb_function(e[1]), acb_function(e[2]), acb_function(e[3])

    def sel(z, a):
        s = u(z, a).real
        if s > 0:
            return p(z, a)
        if s < 0:
            return n(z, a)
        if a:
            return acb("nan")
        return p(z, a).union(n(z, a))
    return sel


def _np_erf(x):
    """math.erf at every entry of an array (numpy has no erf): the same floats as np.vectorize(math.erf), some 1.7 times
    faster (the float searches' quadratures evaluate it at 10^5 to 10^7 points)."""
    a = np.asarray(x, dtype=float)
    return np.fromiter(map(math.erf, a.ravel()), float, a.size).reshape(a.shape)


def point_function(e, lib):
    """``f(x)`` at real points with ``lib`` = mpmath (mpf) or numpy (float64 arrays)."""
    k = e[0]
    if k == "x":
        return lambda x: x
    if k == "c":
        v = e[1]
        return (lambda x: mpmath.mpf(v.numerator) / v.denominator) if lib is mpmath else (lambda x: float(v) + 0 * x)
    if k == "pi":
        return lambda x: lib.pi
    if k == "neg":
        f = point_function(e[1], lib)
        return lambda x: -f(x)
    if k in ("add", "sub", "mul", "div"):
        f, g = point_function(e[1], lib), point_function(e[2], lib)
        return {"add": lambda x: f(x) + g(x), "sub": lambda x: f(x) - g(x),
                "mul": lambda x: f(x) * g(x), "div": lambda x: f(x) / g(x)}[k]
    if k == "pow":
        f, n = point_function(e[1], lib), e[2]
        return lambda x: f(x) ** n if n >= 0 else 1 / f(x) ** (-n)
    if k == "f":
        f, name = point_function(e[2], lib), e[1]
        if lib is np:
            g = {"exp": np.exp, "log": np.log, "erf": _np_erf, "tanh": np.tanh,
                 "sin": np.sin, "cos": np.cos, "sqrt": np.sqrt}[name]
        else:
            g = {"exp": mpmath.exp, "log": mpmath.log, "erf": mpmath.erf, "tanh": mpmath.tanh, "sin": mpmath.sin,
                 "cos": mpmath.cos, "sqrt": mpmath.sqrt}[name]
        return lambda x: g(f(x))
    u, p, n = point_function(e[1], lib), point_function(e[2], lib), point_function(e[3], lib)
    if lib is np:
        return lambda x: np.where(u(x) > 0, p(x), n(x))
    return lambda x: p(x) if u(x) > 0 else n(x)


# ---------------------------------------------------------------- growth
class Growth(tuple):
    """(C, d, beta): |f(x)| <= C (1 + |x|)^d exp(beta |x|) for all real x; C an arb upper
    bound, d and beta non-negative Fractions."""

    def __new__(cls, C, d=Fraction(0), beta=Fraction(0)):
        return tuple.__new__(cls, (arb(C).upper() if not isinstance(C, arb) else C.upper(), Fraction(d), Fraction(beta)))

    def __add__(self, o):
        return Growth(self[0] + o[0], max(self[1], o[1]), max(self[2], o[2]))

    def __mul__(self, o):
        return Growth(self[0] * o[0], self[1] + o[1], self[2] + o[2])

    def exponential(self, eps):
        """(C', beta') with |f| <= C' exp(beta' |x|): (1+|x|)^d <= (d/(e eps))^d e^(eps (1+|x|))."""
        C, d, beta = self
        if d == 0:
            return C, _afrac(beta)
        eps = arb(eps)
        return C * (_afrac(d) / (arb(1).exp() * eps)) ** _afrac(d) * eps.exp(), _afrac(beta) + eps


def upper_fraction(v):
    """An exact Fraction >= the arb v."""
    m, x = v.upper().mid().man_exp()
    return Fraction(int(m)) * Fraction(2) ** int(x)


def _afrac(v):
    return arb(fmpq(v.numerator, v.denominator))


def lower(e):
    """A certain lower bound of e over the real line (arb), or None."""
    k = e[0]
    if k == "c":
        return _afrac(e[1])
    if k == "pi":
        return arb.pi()
    if k == "add":
        a, b = lower(e[1]), lower(e[2])
        return None if a is None or b is None else a + b
    if k in ("mul", "div"):
        a, b = lower(e[1]), lower(e[2])
        if a is None or b is None or not (a >= 0 and b >= 0):
            return None
        return a * b if k == "mul" else (arb(0) if b > 0 else None)
    if k == "pow":
        a = lower(e[1])
        if e[2] % 2 == 0 and e[2] > 0:
            return a ** e[2] if a is not None and a >= 0 else arb(0)
        return a ** e[2] if a is not None and a > 0 else None
    if k == "f":
        name = e[1]
        if name == "exp":
            return arb(0)
        if name == "sqrt":
            a = lower(e[2])
            return a.sqrt() if a is not None and a >= 0 else arb(0)
        if name in ("erf", "tanh", "sin", "cos"):
            return arb(-1)
        if name == "log":
            a = lower(e[2])
            return a.log() if a is not None and a > 0 else None
    if k == "sel":
        if e[4] and e[3] == ("neg", e[2]) and e[1] == e[2]:        # abs(u)
            return arb(0)
        a, b = lower(e[2]), lower(e[3])
        return None if a is None or b is None else arb(min(a.lower(), b.lower()))
    return None


def _upper_growth(e):
    """A growth bound for max(e, 0), used for exp(e): 0 where e <= 0 is certain."""
    k = e[0]
    if k == "neg":
        lo = lower(e[1])
        return Growth(0) if lo is not None and lo >= 0 else growth(e[1])
    if k == "add":
        return _upper_growth(e[1]) + _upper_growth(e[2])
    if k == "sub":
        return _upper_growth(e[1]) + _upper_growth(("neg", e[2]))
    if k == "mul" and e[1][0] == "c" and e[1][1] < 0:
        return _upper_growth(("neg", ("mul", const(-e[1][1]), e[2])))
    if k == "div" and e[2][0] == "c" and e[2][1] > 0:
        g = _upper_growth(e[1])
        return Growth(g[0] / _afrac(e[2][1]), g[1], g[2])
    if k == "c" and e[1] <= 0:
        return Growth(0)
    return growth(e)


def growth(e):
    """The :class:`Growth` of e; :class:`Unbounded` when none is found (exp of a term that may
    grow faster than linearly, division by a term not bounded away from 0, sqrt or log of a
    term not certainly non-negative / positive)."""
    k = e[0]
    if k == "x":
        return Growth(1, 1)
    if k == "c":
        return Growth(abs(_afrac(e[1])))
    if k == "pi":
        return Growth(arb.pi())
    if k == "neg":
        return growth(e[1])
    if k in ("add", "sub"):
        return growth(e[1]) + growth(e[2])
    if k == "mul":
        return growth(e[1]) * growth(e[2])
    if k == "div":
        lo = _abs_lower(e[2])
        if lo is None:
            raise Unbounded("formula: division by %s, which is not certainly bounded away from 0" % show(e[2]))
        g = growth(e[1])
        return Growth(g[0] / lo, g[1], g[2])
    if k == "pow":
        n = e[2]
        if n >= 0:
            g = growth(e[1])
            return Growth(g[0] ** n, g[1] * n, g[2] * n)
        lo = _abs_lower(e[1])
        if lo is None:
            raise Unbounded("formula: negative power of %s, which is not certainly bounded away from 0" % show(e[1]))
        return Growth(1 / lo ** (-n))
    if k == "f":
        name, u = e[1], e[2]
        if name in ("erf", "tanh", "sin", "cos"):
            return Growth(1)
        if name == "exp":
            g = _upper_growth(u)
            if g[0] == 0:
                return Growth(1)
            if g[1] > 1 or g[2] > 0:
                raise Unbounded("formula: exp(%s) may grow faster than exp(a|x|): its Gaussian moments need not "
                                "exist; refused" % show(u))
            # u <= C (1 + |x|)^d with d <= 1, so exp(u) <= e^C e^(C |x|) (or e^C when d = 0)
            return Growth(g[0].exp(), 0, upper_fraction(g[0]) if g[1] else 0)
        if name == "sqrt":
            lo = lower(u)
            if lo is None or not lo >= 0:
                raise Unbounded("formula: sqrt(%s) of a term not certainly non-negative" % show(u))
            g = growth(u)
            return Growth(g[0].sqrt(), g[1] / 2, g[2] / 2)
        if name == "log":
            lo = lower(u)
            if lo is None or not lo > 0:
                raise Unbounded("formula: log(%s) of a term not certainly bounded away from 0" % show(u))
            g = growth(u)
            # |log u| <= max(-log lo, 0) + max(log C, 0) + (d + beta) |x|, as log(1+|x|) <= |x|
            A = arb(max((-lo.log()).upper(), arb(0))) + arb(max(g[0].log().upper(), arb(0)))
            slope = g[1] + g[2]
            return Growth(arb(max(A.upper(), _afrac(slope).upper())), 1 if slope else 0)
    if k == "sel":
        return growth(e[2]) + growth(e[3])
    raise AssertionError(k)


def _abs_lower(e):
    """A positive lower bound of |e| over the real line, or None."""
    if e[0] == "c":
        return abs(_afrac(e[1])) if e[1] != 0 else None
    lo = lower(e)
    if lo is not None and lo > 0:
        return lo
    lo = lower(("neg", e)) if e[0] == "neg" else None
    return lo if lo is not None and lo > 0 else None
