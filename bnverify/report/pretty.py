"""Plain text for the terminal: formulas, exact numbers and evidence as a reader writes them.

sympy prints ``n**2/(n**2 - 2*n + 2)`` and ``(-2 + pi)/(2*(-1 + pi))``; a reader writes
``n^2/(n^2 - 2n + 2)`` and ``(pi - 2)/(2(pi - 1))``.  :func:`formula` rewrites the notation
only (powers, implicit products, a leading negative constant moved behind its symbol, long
terminating fractions as the exact decimals they are); the value is never changed, so
:func:`formula` is applied to prose too (evidence strings that quote sympy).  ASCII only,
so any terminal shows it.  :func:`evidence_lines` lays out a verdict's evidence: scalars
on one line, [lo, hi] enclosures as intervals, lists of rows as tables, SMT-LIB text counted
(``--json`` keeps all of it).  Every line fits the terminal: :func:`columns` is its width (at most
120), :func:`fit` wraps a line of prose, :func:`grid` lays out a table, wrapping its widest cells.
"""
from __future__ import annotations

import json
import re
import shutil
import textwrap
from fractions import Fraction

_POW = re.compile(r"\*\*")
_MUL = re.compile(r"(\w+|\))\*(?=(\w+|\())")
_FRACTION = re.compile(r"(?<![\w./)^])(\d+)/(\d+)(?![\w.(^])")
LONG_DENOMINATOR = 10 ** 4          # a terminating p/q with q above this is shown as a decimal


def _product(m):
    left, right = m.group(1), m.group(2)
    if m.start(1) and m.string[m.start(1) - 1] == "^":       # n^2*m: the 2 is an exponent
        return left + " "
    single = len(left) == 1 and left.isalpha()
    if right == "(":
        join = left == ")" or left.isdigit() or single
    else:
        join = left.isdigit() and len(right) == 1 and right.isalpha()
    return left + ("" if join else " ")


def terminating(q):
    """True if 1/q has a finite decimal expansion (q = 2^a 5^b)."""
    q = abs(int(q))
    for p in (2, 5):
        while q and q % p == 0:
            q //= p
    return q == 1


def exact_number(x):
    """An exact rational as text: an integer, p/q, or, when q = 2^a 5^b is long, the decimal
    it equals exactly (610707512487/100000000000 -> 6.10707512487)."""
    x = Fraction(x)
    if x.denominator == 1:
        return str(x.numerator)
    if x.denominator > LONG_DENOMINATOR and terminating(x.denominator):
        k = _places(x.denominator)      # exact digits: Decimal's context would round past 28
        digits = str(abs(x.numerator) * (10 ** k // x.denominator)).rjust(k + 1, "0")
        text = "%s%s.%s" % ("-" if x < 0 else "", digits[:-k], digits[-k:])
        if Fraction(text) == x:
            return text
    return "%d/%d" % (x.numerator, x.denominator)


def _places(q):
    k = 0
    while 10 ** k % q:
        k += 1
    return k


def _terms(text):
    """[(sign, term)] of a sum written 'a + b - c' (split at bracket depth 0), or None if text
    is not such a sum (a space inside a term: words, not sympy's text)."""
    out, depth, start, sign = [], 0, 0, "+"
    body = text
    if body.startswith("-"):
        sign, body = "-", body[1:]
    i = 0
    while i < len(body):
        ch = body[i]
        depth += ch in "([" and 1 or (ch in ")]" and -1) or 0
        if depth < 0:
            return None
        if depth == 0 and body[i:i + 3] in (" + ", " - "):
            out.append((sign, body[start:i]))
            sign, start = body[i + 1], i + 3
            i += 3
            continue
        if depth == 0 and ch == " ":          # words, not a sum of sympy terms
            return None
        i += 1
    out.append((sign, body[start:]))
    return out if depth == 0 and all(t for _, t in out) else None


def _positive_first(text):
    """Every sum (whole text, and inside each bracket) that starts with a negative term and has
    a positive one starts with its first positive term: -pi + 3 sqrt(3) -> 3 sqrt(3) - pi."""
    out, i = [], 0
    while i < len(text):                      # rewrite the inside of each bracket first
        if text[i] == "(":
            depth, j = 1, i + 1
            while j < len(text) and depth:
                depth += {"(": 1, ")": -1}.get(text[j], 0)
                j += 1
            if depth:
                return text
            out.append("(" + _positive_first(text[i + 1:j - 1]) + ")")
            i = j
        else:
            out.append(text[i])
            i += 1
    text = "".join(out)
    terms = _terms(text)
    if not terms or terms[0][0] != "-" or all(sg == "-" for sg, _ in terms):
        return text
    k = next(i for i, (sg, _) in enumerate(terms) if sg == "+")
    terms = terms[k:] + terms[:k]
    return terms[0][1] + "".join(" %s %s" % (sg, t) for sg, t in terms[1:])


def formula(text):
    """A sympy-printed expression (or prose quoting one) in reader's notation, same value.  A double-quoted
    part (a user's formula in a statement: phi(x) = "1/2*x") is kept as written."""
    parts = re.split(r'("[^"]*")', str(text))
    return "".join(p if i % 2 else _notation(p) for i, p in enumerate(parts))


def _notation(s):
    s = _positive_first(_POW.sub("^", s))        # while products still read 2*n: a term has no space
    while True:
        t = _MUL.sub(_product, s)
        if t == s:
            break
        s = t
    return _FRACTION.sub(lambda m: exact_number(Fraction(int(m.group(1)), int(m.group(2))))
                         if int(m.group(2)) else m.group(0), s)


def leading_term(coefficient, power, var="t"):
    """'c t^k + O(t^(k+1))' in reader's notation: (9 pi^2/2) t^2 + O(t^3), 1 + O(t)."""
    c = formula(coefficient)
    if power == 0:
        return "%s + O(%s)" % (c, var)
    if not re.fullmatch(r"-?\w+", c):
        c = "(%s)" % c
    lead = var if c == "1" else "%s %s" % (c, var)
    up = lambda k: var if k == 1 else "%s^%d" % (var, k)          # noqa: E731
    return "%s%s + O(%s)" % (lead, "" if power == 1 else "^%d" % power, up(power + 1))


def factored(expr, symbol):
    """A polynomial in ``symbol`` as a product written by hand, factors in the order of their
    roots: (n - 1)(n - 4)/2, n - 2, n.  Other expressions: :func:`formula` of sympy's text."""
    import sympy as sp

    e = sp.sympify(expr)
    if e.free_symbols != {symbol} or not e.is_polynomial(symbol):
        return formula(e)
    coeff, parts = sp.factor_list(e, symbol)
    parts = sorted(parts, key=lambda fm: (sp.degree(fm[0], symbol), -fm[0].subs(symbol, 0)))
    body = []
    for f, k in parts:
        t = formula(f)
        wrap = len(parts) > 1 or k > 1 or Fraction(str(coeff)) != 1
        body.append(("(%s)" % t if wrap and not re.fullmatch(r"\w+", t) else t) + ("^%d" % k if k > 1 else ""))
    c = Fraction(str(coeff))
    num = "".join(body) or "1"
    sign = "-" if c < 0 else ""
    c = abs(c)
    lead = "" if c.numerator == 1 and body else "%d" % c.numerator
    return sign + lead + num + ("" if c.denominator == 1 else "/%d" % c.denominator)


# ---------------------------------------------------------------- text that fits a terminal
MIN_COLUMNS, MAX_COLUMNS = 80, 120


def columns():
    """The width text output fits: $COLUMNS, else the terminal's width, else (output piped
    or redirected) MAX_COLUMNS; always within MIN_COLUMNS..MAX_COLUMNS (a line of formulas
    narrower than 80 is hard to read, one wider than 120 hard to follow)."""
    return max(MIN_COLUMNS, min(MAX_COLUMNS, shutil.get_terminal_size((MAX_COLUMNS, 24)).columns))


def wrap(text, indent="", hang=None, width=None):
    """``text`` as lines of at most ``width`` (default :func:`columns`) characters, the first
    starting with ``indent``, the others with ``hang`` (default: ``indent`` and 4 spaces).
    Lines break at spaces; a single word longer than a line is cut."""
    width = width or columns()
    hang = indent + "    " if hang is None else hang
    return textwrap.wrap(str(text), width, initial_indent=indent, subsequent_indent=hang,
                         break_on_hyphens=False, drop_whitespace=True) or [indent.rstrip()]


def fit(line, width=None):
    """One line of output within the width: unchanged if it fits, else wrapped with its own
    leading spaces, continuation lines 4 further in."""
    width = width or columns()
    if len(line) <= width:
        return [line]
    indent = line[:len(line) - len(line.lstrip(" "))]
    return wrap(line[len(indent):], indent, width=width)


def grid(rows, indent="", sep="  ", width=None):
    """Rows of cells (the first row: the header) as aligned text lines within the width.
    Columns are as wide as their widest cell; when the table is wider than the width, the
    widest columns are narrowed and their cells wrapped at spaces (a row then takes several
    lines) until it fits."""
    width = width or columns()
    rows = [[str(c) for c in r] for r in rows]
    k = max(len(r) for r in rows)
    rows = [r + [""] * (k - len(r)) for r in rows]
    natural = [max(len(r[i]) for r in rows) for i in range(k)]
    words = [max((len(w) for r in rows for w in r[i].split()), default=0) for i in range(k)]
    room = width - len(indent) - len(sep) * (k - 1)
    w = list(natural)
    while sum(w) > room:            # narrow the widest column, first down to its longest word
        over = [i for i in range(k) if w[i] > max(words[i], 1)] or [i for i in range(k) if w[i] > 4]
        if not over:
            break
        i = max(over, key=lambda j: w[j])
        w[i] -= 1
    out = []
    for r in rows:
        cells = [textwrap.wrap(c, w[i], break_on_hyphens=False) if len(c) > w[i] else [c] for i, c in enumerate(r)]
        for j in range(max(len(c) for c in cells)):
            out.append((indent + sep.join((c[j] if j < len(c) else "").ljust(w[i])
                                          for i, c in enumerate(cells))).rstrip())
    return out


# ---------------------------------------------------------------- evidence
def _scalar(v):
    if isinstance(v, bool) or v is None:
        return json.dumps(v)
    if isinstance(v, float):
        return repr(v)
    return formula(v) if isinstance(v, str) else str(v)


def _is_interval(v):
    return (isinstance(v, list) and len(v) == 2 and all(isinstance(x, (str, int, float)) and
                                                        not isinstance(x, bool) for x in v)
            and all(_numeric(x) for x in v))


def _numeric(x):
    try:
        Fraction(str(x))
        return True
    except (ValueError, ZeroDivisionError):
        return str(x) in ("inf", "-inf")


def _cell(v):
    if _is_interval(v):
        return "[%s, %s]" % (_scalar(v[0]), _scalar(v[1]))
    if isinstance(v, (dict, list)):
        return json.dumps(v, default=str)
    return _scalar(v)


def table(rows, columns=None, factor_out=True, headers=None, indent="", width=None):
    """(lines, same): rows (dicts) as an aligned text table (``headers``: {column: title}),
    laid out by :func:`grid` (each line starts with ``indent``).
    With ``factor_out`` a column that is the same in every row is left out and returned in
    ``same`` as (name, value), for a line of its own."""
    columns = columns or list(dict.fromkeys(k for r in rows for k in r))
    cells = [[_cell(r.get(c, "")) for c in columns] for r in rows]
    same = [(c, cells[0][i]) for i, c in enumerate(columns)
            if factor_out and len(rows) > 1 and all(row[i] == cells[0][i] for row in cells)]
    keep = [i for i, c in enumerate(columns) if c not in dict(same)]
    rows_ = [[(headers or {}).get(columns[i], columns[i]) for i in keep]] + [[row[i] for i in keep] for row in cells]
    return grid(rows_, indent, width=width), same


def _table_like(v):
    return (isinstance(v, list) and len(v) > 1 and all(isinstance(r, dict) for r in v)
            and all(not isinstance(x, dict) for r in v for x in r.values()))


def evidence_lines(evidence, indent="  ", max_chars=400):
    """A verdict's evidence, one line per fact, nested facts indented, rows as tables."""
    out = []
    for key, v in evidence.items():
        out += _lines(key, v, indent, max_chars)
    return out


def _lines(key, v, indent, max_chars):
    head = "%s%s:" % (indent, key)
    if "smt" in str(key).lower() and isinstance(v, (list, str)):
        k = len(v) if isinstance(v, list) else 1
        return ["%s %d SMT-LIB quer%s (the text: --json)" % (head, k, "y" if k == 1 else "ies")]
    if _is_interval(v) or not isinstance(v, (dict, list)):
        text = _cell(v)
        if len(text) > max_chars:
            text = text[:max_chars - 40] + "... (%d characters; all of it: --json)" % len(text)
        return ["%s %s" % (head, text)]
    if isinstance(v, dict):
        if not v:
            return ["%s none" % head]
        return [head] + [line for k, x in v.items() for line in _lines(k, x, indent + "  ", max_chars)]
    if not v:
        return ["%s none" % head]
    if _table_like(v):
        lines, same = table(v, indent=indent + "  ")
        return [head] + ["%s  %s: %s (every row)" % (indent, c, x) for c, x in same] + lines
    if all(not isinstance(x, (dict, list)) or _is_interval(x) for x in v):
        text = ", ".join(_cell(x) for x in v)
        if len(text) <= max_chars:
            return ["%s %s" % (head, text)]
    return [head] + [line for i, x in enumerate(v) for line in _lines("[%d]" % (i + 1), x, indent + "  ", max_chars)]


__all__ = ["columns", "wrap", "fit", "grid",
           "formula", "factored", "leading_term", "exact_number", "terminating", "table", "evidence_lines"]
