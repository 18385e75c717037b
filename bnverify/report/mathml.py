"""Mathematics rendered offline: LaTeX and sympy expressions as MathML (latex2mathml), which
Chromium and Firefox display natively, so the report loads no script and no font."""
from __future__ import annotations

import html
import re

_INTERVAL = re.compile(r"^\s*-?[0-9.]+(e[-+]?[0-9]+)?\s*$", re.I)


def _arrows(latex):
    r"""``\xrightarrow{X}`` as ``\overset{X}{\longrightarrow}``: latex2mathml draws the former with
    mpadded offsets that MathML Core browsers ignore (Chromium showed '→ᵈ n⃗ −∞1' for
    ``\xrightarrow{d\to\infty} n-1``), the latter as a plain mover."""
    out, key = str(latex), "\\xrightarrow{"
    while key in out:
        i = out.index(key)
        j, depth = i + len(key), 1
        while j < len(out) and depth:
            depth += {"{": 1, "}": -1}.get(out[j], 0)
            j += 1
        if depth:
            break
        out = out[:i] + "\\overset{%s}{\\longrightarrow}" % out[i + len(key):j - 1] + out[j:]
    return out


def tex(latex, display=False):
    """MathML for a LaTeX string; the LaTeX itself in <code> if the converter rejects it."""
    if not latex or not str(latex).strip():
        return ""
    from latex2mathml.converter import convert

    try:
        return convert(_arrows(str(latex).strip()), display="block" if display else "inline")
    except Exception:                         # the converter's own parse errors vary by version
        return "<code class='tex'>%s</code>" % html.escape(str(latex))


def expr(text):
    """MathML for a sympy expression given as text ("n**2/(n**2 - 2*n + 2)"); the text in
    <code> if it does not parse."""
    import sympy as sp

    try:
        e = sp.sympify(str(text), locals={"n": sp.Symbol("n", positive=True), "alpha": sp.Symbol("alpha")})
    except Exception:
        return "<code>%s</code>" % html.escape(str(text))
    return tex(sp.latex(e))


def is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) or (
        isinstance(x, str) and bool(_INTERVAL.match(x)))


def interval(lo, hi):
    """A certified enclosure [lo, hi] as MathML.  Ends that share leading digits are written
    the interval way, the shared digits once: 0.4791_{35}^{36} means [0.479135, 0.479136]."""
    lo, hi = str(lo), str(hi)
    k = 0
    while k < min(len(lo), len(hi)) and lo[k] == hi[k]:
        k += 1
    while k and lo[k - 1] in "-.":            # keep the sign and the point in the shared part
        k -= 1
    k = k if k >= 3 and "e" not in lo.lower() + hi.lower() else 0
    if k:
        body = r"%s_{%s}^{%s}" % (lo[:k], lo[k:] or "0", hi[k:] or "0")
    else:
        body = r"[%s,\ %s]" % (_tex_num(lo), _tex_num(hi))
    return "<span class='iv' title='[%s, %s]'>%s</span>" % (html.escape(lo), html.escape(hi), tex(body))


def _tex_num(s):
    m = re.match(r"^(-?[0-9.]*)e([-+]?)0*([0-9]+)$", s, re.I)
    if m:
        return r"%s\cdot 10^{%s%s}" % (m.group(1), "-" if m.group(2) == "-" else "", m.group(3))
    return s


__all__ = ["tex", "expr", "interval", "is_number"]
