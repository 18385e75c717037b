"""The documented edge of what bnverify accepts: sizes of numbers, expressions, ranges, files
and simulations.  Anything beyond it is refused up front with one line naming the limit
(exit code 2 on the command line) instead of a hang, a traceback or a memory error.

This module imports only the standard library, so that the trusted package may import it
(or copy it) without depending on the rest of bnverify.  Its errors are :class:`LimitError`,
a :class:`ValueError`; the command line reports them as usage errors.

===============================  ==========================================================
limit                            value
===============================  ==========================================================
batch size n                     2 <= n <= MAX_N = 10^6 (both ends of a range; ``A..`` ok)
per-n properties                 a finite range of at most MAX_PER_N = 1000 integers
certified states (attractor,     a table per n for a finite range of at most MAX_PER_N
simplex commands)                integers, any n <= MAX_N; an open or longer range: the all-n
                                 proof.  Absence (classification) per n <= MAX_CERTIFIED_N = 64
a number (bound, alpha, ...)     at most MAX_NUMBER_CHARS = 400 characters, a decimal
                                 exponent of at most MAX_EXPONENT = 400
an integer parameter             at most MAX_INT_PARAM = 10^6 (threshold n, layers, seeds)
an expression                    guard_expression: at most 2000 characters, brackets nested
                                 at most 50 deep, at most 200 operators, literals of at most
                                 200 digits, values of at most 65536 bits
a claim file                     at most 1 MB of UTF-8 TOML, nested at most 50 deep
a certificate                    at most 50 MB of UTF-8 JSON, nested at most 100 deep
simulations                      n <= 10^4, width <= 10^6, depth <= 10^6, seeds <= 10^5, and
                                 at most 10^13 multiply-adds in all (hours on one core)
worker processes (--jobs)        at most 256
===============================  ==========================================================
"""
from __future__ import annotations

import ast
import re

from ..errors import ExpressionTooLarge, LimitError

MAX_N = 10 ** 6
MAX_PER_N = 1000
MAX_CERTIFIED_N = 64            # classification and basins per n, trusted.items.N_MAX (a test keeps them equal)
MAX_NUMBER_CHARS = 400
MAX_EXPONENT = 400
MAX_INT_PARAM = 10 ** 6
MAX_JOBS = 256

MAX_EXPR_CHARS = 2000
MAX_EXPR_DEPTH = 50
MAX_EXPR_OPS = 200
MAX_EXPR_DIGITS = 200
MAX_EXPR_BITS = 65536
NAME_BITS = 64                  # the size a symbol (n, alpha) is taken to have in MAX_EXPR_BITS

MAX_CLAIM_BYTES = 1_000_000
MAX_CLAIM_DEPTH = 50
MAX_CERT_BYTES = 50_000_000
MAX_CERT_DEPTH = 100
MAX_SPECTRUM_PAIRS = 100

SIM_MAX = {"n": 10 ** 4, "width": 10 ** 6, "depth": 10 ** 6, "seeds": 10 ** 5}
MAX_SIM_WORK = 10 ** 13
MAX_WIDTHS = 64                 # finite-width claims: widths in a list


def show(value, width=60):
    """A short one-line repr of a user's value for an error message."""
    r = repr(value)
    r = r.replace("\n", "\\n").replace("\r", "\\r")
    return r if len(r) <= width else "%s...%s (%d characters)" % (r[:width - 20], r[-8:], len(str(value)))


# ---------------------------------------------------------------- numbers
_EXP = re.compile(r"[eE]\s*([+-]?\d+)\s*\Z")


def guard_number(text, name="number"):
    """Refuse a number's text before :class:`fractions.Fraction` builds it: at most
    MAX_NUMBER_CHARS characters and a decimal exponent of at most MAX_EXPONENT.  Anything that
    is not a ``str`` (an int, a Fraction) is checked through its decimal text."""
    if isinstance(text, bool) or text is None:
        return
    if isinstance(text, int):
        if text.bit_length() > 4 * MAX_NUMBER_CHARS:
            raise LimitError("%s has more than %d digits" % (name, MAX_NUMBER_CHARS))
        return
    if not isinstance(text, str):
        return
    if len(text) > MAX_NUMBER_CHARS:
        raise LimitError("%s %s: a number of %d characters (at most %d)"
                         % (name, show(text), len(text), MAX_NUMBER_CHARS))
    if not text.isascii() or "_" in text:     # Fraction reads '4_0' as 40 and other scripts' digits as 0-9
        raise LimitError("%s %s: write a number with the digits 0-9 (no '_', no other scripts' digits)"
                         % (name, show(text)))
    m = _EXP.search(text)
    if m and abs(int(m.group(1))) > MAX_EXPONENT:
        raise LimitError("%s %s: exponent %s is beyond +-%d" % (name, show(text), m.group(1), MAX_EXPONENT))


def guard_int(value, name, maximum):
    """value <= maximum (an int); LimitError naming the limit otherwise."""
    if value > maximum:
        raise LimitError("%s %s is above the limit %s" % (name, _short_int(value), _power(maximum)))


def _short_int(v):
    s = str(v) if v.bit_length() < 4000 else None
    if s is None or len(s) > 30:
        return "with %d digits" % (len(s) if s else int(v.bit_length() * 0.30103) + 1)
    return s


def _power(m):
    s = str(m)
    return "10^%d" % (len(s) - 1) if s == "1" + "0" * (len(s) - 1) and len(s) > 4 else s


def int_text(text, name):
    """A sign-and-digits integer's text is at most MAX_NUMBER_CHARS characters."""
    t = text.strip()
    if len(t) > MAX_NUMBER_CHARS:
        raise LimitError("%s: an integer of %d digits (at most %d; n and widths are at most %s)"
                         % (name, len(t), MAX_NUMBER_CHARS, _power(MAX_N)))


# ---------------------------------------------------------------- expressions
_ALLOWED = re.compile(r"[A-Za-z0-9_+\-*/(). \t\r\n]*\Z")


def guard_expression(text):
    """Refuse an expression too large or too deep to parse and evaluate quickly.

    Contract: ``text`` must be a ``str``; returns None when it is within the limits, else
    raises :class:`ExpressionTooLarge` (a ValueError) with a one-line message.  It checks,
    in this order and before any ``ast.parse``: at most MAX_EXPR_CHARS characters; only the
    characters ``A-Z a-z 0-9 _ + - * / ( ) .`` and white space; brackets nested at most
    MAX_EXPR_DEPTH deep; at most MAX_EXPR_OPS operator characters (``+ - * / .``; ``**``
    counts two); integer literals of at most MAX_EXPR_DIGITS digits.  Once those hold,
    ``ast.parse(text, mode="eval")`` cannot raise RecursionError or MemoryError and the
    tree is at most MAX_EXPR_OPS + MAX_EXPR_DEPTH + 2 deep, so it parses the text and bounds
    the size of its values: integers count their bits, names NAME_BITS, ``a ** k`` k times
    a's, a product or quotient the sum, a sum the larger plus one; the total must be at most
    MAX_EXPR_BITS (no power towers; an exponent that is not an integer literal counts as
    2^(its bits)).  A text that does not parse passes (the caller's parser
    reports it); the vocabulary (which names, calls, constants) is not checked here.
    Linear in len(text); never raises anything but ExpressionTooLarge.
    """
    if not isinstance(text, str):
        raise ExpressionTooLarge("expression %s is not a string" % show(text))
    if len(text) > MAX_EXPR_CHARS:
        raise ExpressionTooLarge("expression of %d characters (at most %d)" % (len(text), MAX_EXPR_CHARS))
    if not _ALLOWED.match(text):
        bad = next(ch for ch in text if not _ALLOWED.match(ch))
        raise ExpressionTooLarge("expression %s: character %r is not allowed (only names, integers, "
                                 "+ - * / ** and brackets)" % (show(text), bad))
    depth = deepest = 0
    for ch in text:
        if ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == ")":
            depth -= 1
    if deepest > MAX_EXPR_DEPTH:
        raise ExpressionTooLarge("expression %s: brackets nested %d deep (at most %d)"
                                 % (show(text), deepest, MAX_EXPR_DEPTH))
    ops = sum(text.count(c) for c in "+-*/.")
    if ops > MAX_EXPR_OPS:
        raise ExpressionTooLarge("expression %s: %d operators (at most %d)" % (show(text), ops, MAX_EXPR_OPS))
    longest = max((len(d) for d in re.findall(r"\d+", text)), default=0)
    if longest > MAX_EXPR_DIGITS:
        raise ExpressionTooLarge("expression %s: a number of %d digits (at most %d)"
                                 % (show(text), longest, MAX_EXPR_DIGITS))
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError):
        return                          # not an expression at all: the caller's parser says so
    except (RecursionError, MemoryError):       # not reachable within the limits above
        raise ExpressionTooLarge("expression %s is too deeply nested" % show(text))
    try:
        bits = _bits(tree.body)
    except RecursionError:                      # not reachable either (depth <= 252)
        raise ExpressionTooLarge("expression %s is too deeply nested" % show(text))
    if bits > MAX_EXPR_BITS:
        raise ExpressionTooLarge("expression %s: its values may exceed %d bits (powers nested too deeply)"
                                 % (show(text), MAX_EXPR_BITS))


def _exponent(node):
    neg = isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd))
    inner = node.operand if neg else node
    if isinstance(inner, ast.Constant) and isinstance(inner.value, int) and not isinstance(inner.value, bool):
        return abs(inner.value)
    return None


def _bits(node):
    """An upper bound on the bit size of the node's exact values (see guard_expression);
    capped so that towers stop growing once they are over the limit."""
    cap = MAX_EXPR_BITS + 1
    if isinstance(node, ast.Constant):
        v = node.value
        return max(1, abs(v).bit_length()) if isinstance(v, int) else NAME_BITS
    if isinstance(node, (ast.Name, ast.Attribute)):
        return NAME_BITS
    if isinstance(node, ast.UnaryOp):
        return _bits(node.operand)
    if isinstance(node, ast.Call):
        return min(cap, sum(_bits(a) for a in node.args) or 1)
    if isinstance(node, ast.BinOp):
        a = _bits(node.left)
        if isinstance(node.op, ast.Pow):
            k = _exponent(node.right)
            if k is None:                       # an exponent below 2^bits
                k = 2 ** min(_bits(node.right), 20)
            return min(cap, a * max(k, 1))
        b = _bits(node.right)
        if isinstance(node.op, (ast.Add, ast.Sub)):
            return min(cap, max(a, b) + 1)
        return min(cap, a + b)
    return min(cap, sum(_bits(c) for c in ast.iter_child_nodes(node)) or 1)


# ---------------------------------------------------------------- nested data
def depth_of(obj, limit):
    """The nesting depth of lists and dicts in obj, counted without recursion; stops and
    returns limit + 1 as soon as it is exceeded."""
    deepest, stack = 0, [(obj, 1)]
    while stack:
        x, d = stack.pop()
        if isinstance(x, dict):
            x = list(x.values())
        elif not isinstance(x, (list, tuple)):
            continue
        deepest = max(deepest, d)
        if deepest > limit:
            return limit + 1
        stack.extend((y, d + 1) for y in x)
    return deepest


# ---------------------------------------------------------------- simulations
def guard_simulation(n, width, depth, seeds, weights=False, what="simulation"):
    """Each size at most SIM_MAX and the work (multiply-adds) at most MAX_SIM_WORK."""
    for name, v in (("n", n), ("width", width), ("depth", depth), ("seeds", seeds)):
        guard_int(v, "--%s" % name if what == "simulate" else name, SIM_MAX[name])
    per_layer = width * n * n + (width * width * n if weights else 0)
    work = max(depth, 1) * seeds * per_layer
    if work > MAX_SIM_WORK:
        raise LimitError("%s of about %.1e multiply-adds (n %d, width %d, depth %d, seeds %d) is "
                         "beyond the limit %.0e: use fewer seeds, layers or a smaller width"
                         % (what, work, n, width, depth, seeds, MAX_SIM_WORK))


def certified_max_n():
    """The largest n at which the trusted kernel reads a classification or a basin cover (a
    state's box it reads at any n <= MAX_N)."""
    return MAX_CERTIFIED_N         # equal to trusted.items.N_MAX (tests/test_architecture.py)
