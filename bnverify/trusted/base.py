"""Trusted base vocabulary: exact numbers, a small expression language, regions of (n, alpha),
three-valued comparisons and the sign-of-coefficients positivity test.

Imports nothing from the rest of bnverify.  Numbers are exact rationals ``"p/q"``; balls
``{"mid": [man, exp], "rad": [man, exp]}`` mean man * 2^exp exactly; expressions are
integers, names, ``+ - * / **`` (integer exponents), ``sqrt``, ``acos``, ``atan``, ``pi``,
parsed with :mod:`ast` (size and depth limited first) and never ``eval``-ed.
"""
from __future__ import annotations

import ast
import hashlib
import json
import math
import re
from fractions import Fraction

MAX_EXPR_CHARS = 20000
MAX_EXPR_DEPTH = 200
MAX_DIGITS = 2000
MAX_EXP = 100000
MAX_DEGREE = 8          # of an expression's polynomial parts, bounded before any algebra
MAX_EXPR_WORK = 200     # the sum of the degrees of its nodes (sympy expands what it is given)
MAX_EXPR_BITS = 65536   # a bound of the size of the numbers it can make (20 bits per name: n <= 10^6)

class Rejected(Exception):
    pass


class NoGoal(Exception):
    """The kernel has no obligation for this claim: not provable here (inconclusive)."""


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def content_hash(cert):
    body = {k: v for k, v in cert.items() if k != "hash"}
    return "sha256:" + hashlib.sha256(canonical(body).encode()).hexdigest()


# ---------------------------------------------------------------- numbers and expressions
def Q(text):
    """An exact rational from 'p/q' or an integer string (nothing else)."""
    if not isinstance(text, str) or len(text) > 2 * MAX_DIGITS + 2 or \
            not re.fullmatch(r"-?\d+(/\d+)?", text.strip(), re.ASCII):
        raise Rejected("%r is not an exact rational 'p/q'" % (text,))
    if re.fullmatch(r"-?\d+/0+", text.strip(), re.ASCII):
        raise Rejected("zero denominator in %r" % text)
    return Fraction(text.strip())


def dyadic(pair):
    """[man, exp] -> man * 2^exp exactly (|exp| and the bits of man at most MAX_EXP)."""
    man, exp = pair
    if type(man) is not int or type(exp) is not int or abs(exp) > MAX_EXP or man.bit_length() > MAX_EXP:
        raise Rejected("a ball component is not [integer, integer] of at most %d bits" % MAX_EXP)
    return Fraction(man) * Fraction(2) ** exp


def table(obj, what, required, optional={}):
    """obj if it is a dict with the keys of ``required`` and perhaps of ``optional``, no other,
    each value of exactly its type ({key: type or tuple of types}; a bool is not an int)."""
    if not isinstance(obj, dict):
        raise Rejected("%s is not a table" % what)
    for k in sorted(set(required) - set(obj)):
        raise Rejected("%s has no field %r" % (what, k))
    for k, v in obj.items():
        want = required.get(k, optional.get(k))
        if want is None or type(v) not in (want if isinstance(want, tuple) else (want,)):
            raise Rejected("%s has %s field %r" % (what, "an unknown" if want is None else "a mistyped", k))
    return obj


NAMES = ("n", "alpha")         # the names a claim's expression may use (pi is a constant)


def parse(text, names=NAMES):
    """The AST of a safe arithmetic expression in ``names`` (Rejected on anything else); every
    divisor without names is certainly non-zero (a ball), and every divisor with names is a
    rational function of them (no pi, sqrt, acos, atan: its zeros are decidable)."""
    if not isinstance(text, str):
        raise Rejected("expression %r is not a string" % (text,))
    if len(text) > MAX_EXPR_CHARS:
        raise Rejected("expression of %d characters (at most %d)" % (len(text), MAX_EXPR_CHARS))
    depth, deepest = 0, 0
    for ch in text:                     # brackets and operators bound the AST's depth
        depth += (ch == "(") - (ch == ")")
        deepest = max(deepest, depth)
    ops = len(re.findall(r"[-+*/]", text))
    if deepest > MAX_EXPR_DEPTH or ops > 2000:
        raise Rejected("expression too deep or long (%d brackets, %d operators; at most %d, 2000)"
                       % (deepest, ops, MAX_EXPR_DEPTH))
    if any(len(d) > MAX_DIGITS for d in re.findall(r"\d+", text)):
        raise Rejected("a number in the expression has more than %d digits" % MAX_DIGITS)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        raise Rejected("expression %r does not parse" % text[:80])
    funcs = {id(x.func) for x in ast.walk(tree) if isinstance(x, ast.Call)}
    for node in ast.walk(tree):
        ok = isinstance(node, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Add, ast.Sub, ast.Mult,
                               ast.Div, ast.Pow, ast.USub, ast.UAdd, ast.Load))
        ok |= isinstance(node, ast.Constant) and type(node.value) is int
        ok |= isinstance(node, ast.Name) and (node.id in tuple(names) + ("pi",) or id(node) in funcs)
        ok |= (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords
               and node.func.id in ("sqrt", "acos", "atan") and len(node.args) == 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            ok &= _exponent(node.right) is not None
        if not ok:
            raise Rejected("expression %r uses %s" % (text[:80], "the name %r (only %s and pi)" % (
                node.id, ", ".join(names)) if isinstance(node, ast.Name) else type(node).__name__))
    work = []
    if _degree(tree.body, work) > MAX_DEGREE or sum(work) > MAX_EXPR_WORK or _bits(tree.body) > MAX_EXPR_BITS:
        raise Rejected("expression %r is too large for exact algebra (degree at most %d, %d in all, "
                       "numbers of at most %d bits)" % (text[:80], MAX_DEGREE, MAX_EXPR_WORK, MAX_EXPR_BITS))
    for d in divisors(tree.body):
        inside = list(ast.walk(d))
        if not any(isinstance(x, ast.Name) and x.id in names for x in inside):
            from flint import ctx
            with ctx.workprec(256):
                if not certainly(evaluate(d, library("ball"), {}), "!=", Fraction(0)):
                    raise Rejected("expression %r divides by %s, not shown to be non-zero" % (text[:80], ast.unparse(d)))
        elif any(isinstance(x, ast.Call) or isinstance(x, ast.Name) and x.id == "pi" for x in inside):
            raise Rejected("expression %r divides by %s: a divisor with %s must be a rational function of them"
                           % (text[:80], ast.unparse(d), " or ".join(names)))
    return tree.body


def divisors(node):
    """The divisors in a parsed expression: right of a /, and the base of a negative power."""
    return [x.right if isinstance(x.op, ast.Div) else x.left for x in ast.walk(node) if isinstance(x, ast.BinOp)
            and (isinstance(x.op, ast.Div) or isinstance(x.op, ast.Pow) and _exponent(x.right) < 0)]


def _bits(node):
    """An upper bound of the bits of numerator and denominator together that an expression can
    make: a power multiplies them, a product or quotient adds them, a sum adds them and one
    (a/b + c/d = (ad + bc)/(bd)); a name counts as 20 bits."""
    if isinstance(node, ast.Constant):
        return max(1, node.value.bit_length())
    if isinstance(node, ast.Name):
        return 20
    if isinstance(node, (ast.UnaryOp, ast.Call)):
        return _bits(node.operand if isinstance(node, ast.UnaryOp) else node.args[0]) + 2
    if isinstance(node.op, ast.Pow):
        return abs(_exponent(node.right)) * _bits(node.left)
    return _bits(node.left) + _bits(node.right) + isinstance(node.op, (ast.Add, ast.Sub))


def _degree(node, work):
    """An upper bound of the degree of a parsed expression in its names (a function's value
    counts as its argument's degree); each node's bound is appended to ``work``."""
    if isinstance(node, ast.Constant):
        d = 0
    elif isinstance(node, ast.Name):
        d = 1
    elif isinstance(node, ast.UnaryOp):
        d = _degree(node.operand, work)
    elif isinstance(node, ast.Call):
        d = _degree(node.args[0], work)
    elif isinstance(node.op, ast.Pow):
        d = abs(_exponent(node.right)) * _degree(node.left, work)
    else:
        a, b = _degree(node.left, work), _degree(node.right, work)
        d = max(a, b) if isinstance(node.op, (ast.Add, ast.Sub)) else a + b
    work.append(d)
    return d


def _exponent(node):
    """The integer k of ``** k`` or ``** -k`` (|k| <= 64), else None."""
    sign = -1 if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) else 1
    node = node.operand if sign < 0 else node
    ok = isinstance(node, ast.Constant) and type(node.value) is int and node.value <= 64
    return sign * node.value if ok else None


class Irrational(Exception):
    pass


def _rational_sqrt(x):
    p, q = math.isqrt(x.numerator) if x >= 0 else -1, math.isqrt(x.denominator)
    if x < 0 or p * p != x.numerator or q * q != x.denominator:
        raise Irrational
    return Fraction(p, q)


def library(kind):
    """Constants and functions for :func:`evaluate`: 'sympy' (exact, free symbols allowed),
    'rational' (Fractions; anything irrational raises Irrational) or 'ball' (flint arb)."""
    if kind == "sympy":
        import sympy
        return {"num": sympy.Integer, "name": sympy.Symbol, "pi": lambda: sympy.pi,
                "sqrt": sympy.sqrt, "acos": sympy.acos, "atan": sympy.atan}

    def unbound(name):
        raise Rejected("unbound symbol %r" % name)

    def irrational(*_):
        raise Irrational
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


def sym(text, names=NAMES):
    return evaluate(parse(text, names), library("sympy"), {})


def ball(q):
    from flint import arb
    return arb(q.numerator) / q.denominator


def span(lo, hi):
    """A ball holding every rational of [lo, hi] (Fractions)."""
    from flint import arb
    return ball((lo + hi) / 2) + arb(0, ball((hi - lo) / 2)) if hi > lo else ball(lo)


def exact(x):
    """The exact value of an arb point (radius 0), e.g. x.lower(), as a Fraction."""
    return dyadic([int(v) for v in x.mid().man_exp()])


def holds(x, rel, y):
    """Exact comparison of two Fractions."""
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y, "==": x == y, "!=": x != y}[rel]


def certainly(x, rel, y):
    """x rel y for every point of two values that are Fractions or arb balls."""
    if isinstance(x, Fraction) and isinstance(y, Fraction):
        return holds(x, rel, y)
    if rel == "==":
        return False                    # a ball never certifies an equality
    d = (ball(x) if isinstance(x, Fraction) else x) - (ball(y) if isinstance(y, Fraction) else y)
    return bool({"<": d < 0, "<=": d <= 0, ">": d > 0, ">=": d >= 0, "!=": d > 0 or d < 0}[rel])


def edge_to_edge(spans, lo, hi, what, floor=None):
    """Rejected unless the spans (a, b, ...) with a < b follow one another with neither gap nor
    overlap from lo (or from a start in [floor, lo]) to hi: the one cover check of every
    evidence kind that splits an interval (t-boxes, classified intervals, basin pieces)."""
    ok = bool(spans) and (spans[0][0] == lo if floor is None else floor <= spans[0][0] <= lo) and \
        spans[-1][1] == hi and all(s[0] < s[1] for s in spans) and all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    if not ok:
        raise Rejected("the %s do not cover [%s, %s] edge to edge" % (what, lo, hi))


# ---------------------------------------------------------------- regions of (n, alpha)
def int_range(text):
    """'3..20' | '3..' | '5' -> (lo, hi or None)."""
    m = re.fullmatch(r"(\d{1,9})(\.\.(\d{0,9}))?", str(text).strip(), re.ASCII)
    if not m:
        raise Rejected("bad n range %r" % (str(text)[:40],))
    lo = int(m.group(1))
    hi = lo if m.group(2) is None else int(m.group(3)) if m.group(3) else None
    if hi is not None and hi < lo:
        raise Rejected("empty n range %r" % (text,))
    return lo, hi


def rat_range(text):
    """'0..1/2' | '1/10' -> (lo, hi, hi_open); a range ending at 1 excludes 1."""
    lo, dots, hi = str(text).partition("..")
    if dots and not hi.strip():
        raise Rejected("alpha range %r has no upper end" % (text,))
    lo, hi = Q(lo), Q(hi) if dots else Q(lo)
    if hi < lo:
        raise Rejected("empty alpha range %r" % (text,))
    return lo, hi, hi == 1 and lo < 1


def alpha_in(rng, a):
    """The slope a lies in the range (lo, hi, hi_open)."""
    lo, hi, op = rng
    return lo <= a <= hi and not (op and a == hi)


def zero(expr):
    """expr == 0 identically as a rational function of its symbols and of its transcendental
    atoms, each atom an independent variable (so the conclusion holds whatever their values)."""
    import sympy

    atoms = [a for a in sympy.preorder_traversal(expr) if isinstance(a, (sympy.acos, sympy.atan))
             or a is sympy.pi or (isinstance(a, sympy.Pow) and not a.exp.is_Integer)]
    expr = expr.xreplace({a: sympy.Dummy() for a in dict.fromkeys(atoms)})
    if not expr.is_rational_function():
        raise Rejected("%s is not a rational function" % expr)
    # the expanded numerator: canonical for a polynomial (sympy 1.14's cancel(together(e)) can
    # leave '-1/2 + 1/2' unevaluated, and a zero that is not seen must never read as non-zero)
    return sympy.expand(sympy.fraction(sympy.together(expr))[0]) == 0


def sign_of(poly):
    """+1 / -1 if all coefficients have that sign and the constant term is not 0, else 0."""
    c, const = poly.coeffs(), poly.coeff_monomial(1)
    return 1 if const > 0 and min(c) >= 0 else -1 if const < 0 and max(c) <= 0 else 0


def shown_on(d, rel, n_lo, alpha):
    """d rel 0 for every real n >= n_lo and every alpha of ``alpha`` = (lo, hi, hi_open):
    with n = n_lo + m and alpha = (lo + hi t)/(1 + t) (and the mirror substitution when the
    upper end is included), numerator and denominator of d are polynomials in m, t >= 0
    whose coefficients all have one sign (constant term non-zero).  True, or False when this
    sufficient test does not show it (never 'the opposite holds')."""
    import sympy

    if rel not in ("<", "<=", ">", ">="):
        raise Rejected("bad relation %r" % rel)
    d = d if rel in (">", ">=") else -d
    m, t = sympy.Dummy("m"), sympy.Dummy("t")
    a0, a1, open_ = (sympy.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else v
                     for v in alpha)
    al, n = sympy.Symbol("alpha"), sympy.Symbol("n")
    subs = [{n: n_lo + m, al: (a0 + a1 * t) / (1 + t)}]
    if not open_ and a0 != a1:
        subs.append({n: n_lo + m, al: (a1 + a0 * t) / (1 + t)})
    for s in subs:
        e = sympy.together(sympy.sympify(d).subs(s))
        if e.free_symbols - {m, t}:
            raise Rejected("free symbols %s outside the region" % (e.free_symbols - {m, t}))
        num, den = (sympy.Poly(sympy.expand(p), m, t) for p in sympy.fraction(e))
        sd, sn = sign_of(den), sign_of(num)
        if sn == 0 and rel in (">=", "<=") and sd and all(c * sd >= 0 for c in num.coeffs()):
            sn = sd                     # a numerator >= 0 is enough for a weak inequality
        if sd == 0 or sn != sd:
            return False
    return True


def value(text, env):
    """Exact Fraction if rational, else a 256-bit ball."""
    from flint import ctx

    node = parse(text)
    try:
        return evaluate(node, library("rational"), env)
    except Irrational:
        with ctx.workprec(256):
            return evaluate(node, library("ball"), {k: ball(v) for k, v in env.items()})
