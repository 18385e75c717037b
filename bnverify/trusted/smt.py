"""Trusted SMT: the checker writes every query itself from an obligation (never from a
certificate) and two solvers decide it.  Only ``unsat`` from both z3 and cvc5 proves; any
other answer, a disagreement or a timeout leaves the obligation undecided (Rejected)."""
from __future__ import annotations

from .base import Rejected

TIMEOUT_MS = 20000


def term(e):
    """A sympy polynomial / rational expression as SMT-LIB real arithmetic (n, alpha, t reals)."""
    import sympy

    if e.is_Integer:
        return str(e) if e >= 0 else "(- %s)" % (-e)
    if e.is_Rational:
        return "(/ %s %s)" % (term(sympy.Integer(e.p)), e.q)
    if e.is_Symbol:
        return e.name
    if isinstance(e, sympy.Add):
        return "(+ %s)" % " ".join(term(a) for a in e.args)
    if isinstance(e, sympy.Mul):
        return "(* %s)" % " ".join(term(a) for a in e.args)
    if isinstance(e, sympy.Pow) and e.exp.is_Integer and e.exp > 0:
        return "(* %s)" % " ".join([term(e.base)] * int(e.exp))
    raise Rejected("the checker cannot write %s in SMT-LIB" % e)


def region(n_lo, n_hi, alpha, integer_n=False):
    """Declarations and hypotheses for n in [n_lo, n_hi] (n_hi None: unbounded) and alpha in
    (lo, hi, hi_open)."""
    lo, hi, open_ = alpha
    decl = ["(set-logic ALL)", "(declare-const n %s)" % ("Int" if integer_n else "Real"),
            "(declare-const alpha Real)"]
    nn = "(to_real n)" if integer_n else "n"
    hyp = ["(>= %s %d)" % (nn, n_lo)] + (["(<= %s %d)" % (nn, n_hi)] if n_hi is not None else [])
    q = lambda x: "(/ %d %d)" % (x.numerator, x.denominator)              # noqa: E731
    hyp += ["(>= alpha %s)" % q(lo), "(%s alpha %s)" % ("<" if open_ else "<=", q(hi))]
    return decl, hyp, nn


def inequality_query(d, rel, n_lo, n_hi, alpha, integer_n=False):
    """SMT-LIB text whose unsat means: d(n, alpha) rel 0 on the region, d = p/q with q != 0."""
    import sympy

    p, q = sympy.fraction(sympy.cancel(sympy.together(d)))
    decl, hyp, nn = region(n_lo, n_hi, alpha, integer_n)
    sub = {sympy.Symbol("n"): sympy.Symbol(nn)} if integer_n else {}
    P, Qd = term(sympy.expand(p).subs(sub)), term(sympy.expand(q).subs(sub))
    neg = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}[rel]
    # d rel 0  <=>  p q rel 0 (q != 0): no division in the query
    body = "(or (= %s 0) (%s (* %s %s) 0))" % (Qd, neg, P, Qd)
    return "\n".join(decl + ["(assert %s)" % h for h in hyp] + ["(assert %s)" % body, "(check-sat)"])


def z3_answer(text, timeout_ms=TIMEOUT_MS):
    import z3

    ctx = z3.Context()
    s = z3.Solver(ctx=ctx)
    s.set("timeout", timeout_ms)
    try:
        s.add(z3.parse_smt2_string(text, ctx=ctx))
    except z3.Z3Exception as e:
        raise Rejected("z3 cannot parse the checker's query: %s" % e)
    return str(s.check())


def cvc5_answer(text, timeout_ms=TIMEOUT_MS):
    try:
        import cvc5
    except ImportError:
        return "cvc5 not installed"
    s = cvc5.Solver()
    s.setOption("tlimit-per", str(timeout_ms))
    sm = cvc5.SymbolManager(s)
    p = cvc5.InputParser(s, sm)
    p.setStringInput(cvc5.InputLanguage.SMT_LIB_2_6, text, "query")
    out = ""
    while True:
        cmd = p.nextCommand()
        if cmd.isNull():
            break
        out += str(cmd.invoke(s, sm))
    return out.strip().split("\n")[-1] if out.strip() else "no answer"


def decide(text):
    """True if z3 and cvc5 both answer unsat; Rejected (with both answers) otherwise."""
    a = z3_answer(text)
    if a != "unsat":
        raise Rejected("SMT not shown: z3 says %s" % a)
    b = cvc5_answer(text)
    if b == "unsat":
        return True
    raise Rejected("SMT not shown: z3 says %s, cvc5 says %s" % (a, b))
