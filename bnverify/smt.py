"""Statements for every n at once: closed-form eigenvalues decided by z3.

A claim ``expr rel bound`` for all integers n >= n_min (and alpha in [0, 1) when alpha
occurs) is proved by showing its negation unsatisfiable.  Rational functions (and square
roots) are translated without any sign assumption: each ``1/Q^k`` becomes a fresh real w
with ``w * Q^k = 1`` and each ``sqrt(Q)`` a fresh s with ``s >= 0, s^2 = Q``; both define the
value uniquely where it exists, and separate queries prove that it exists everywhere in the
domain (``Q != 0``, ``Q >= 0``).  The real relaxation (n real >= n_min) is tried first: its
nonlinear real arithmetic is decidable (nlsat), and an unsat there proves the integer
statement a fortiori; only if it is sat is the integer query posed.  ``sat`` yields a
refutation only through a model that is then confirmed exactly by sympy; ``unknown`` and
timeouts are inconclusive.  The SMT-LIB text of every query is kept (README, "Verdicts and trust").
"""
from __future__ import annotations

from fractions import Fraction
import threading

import sympy as sp
import z3

from .kernels import BadInput
from .verdict import INCONCLUSIVE, PROVED, REFUTED, Verdict, stopwatch

TIMEOUT_MS = 20000
_REL = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}


class Unsupported(ValueError):
    """An expression outside + * / integer powers, square roots and rationals."""


class Translation:
    """sympy -> z3 for one query: variables, fresh auxiliaries and their defining constraints."""

    def __init__(self, integer_n):
        self.vars = {}
        self.side = []
        self.partial = []      # (sympy base, 'nonzero' | 'nonnegative'): where the value exists
        self.integer_n = integer_n
        self._k = 0

    def var(self, sym):
        name = str(sym)
        if name not in self.vars:
            self.vars[name] = z3.Int(name) if (name == "n" and self.integer_n) else z3.Real(name)
        return self.vars[name]

    def fresh(self, tag):
        self._k += 1
        return z3.Real("%s_%d" % (tag, self._k))

    def __call__(self, e):
        e = sp.sympify(e)
        if e.is_Rational:
            return z3.RealVal("%d/%d" % (e.p, e.q)) if e.q != 1 else z3.RealVal(int(e.p))
        if e.is_Symbol:
            return self.var(e)
        if e.is_Add:
            terms = [self(a) for a in e.args]
            return z3.Sum(*terms) if len(terms) > 1 else terms[0]
        if e.is_Mul:
            out = None
            for a in e.args:
                t = self(a)
                out = t if out is None else out * t
            return out
        if e.is_Pow:
            base, ex = e.args
            if ex.is_Integer:
                k = int(ex)
                b = self(base)
                p = z3.RealVal(1) if k == 0 else _power(b, abs(k))
                if k >= 0:
                    return p
                w = self.fresh("inv")
                self.side.append(w * p == 1)
                self.partial.append((base, "nonzero"))
                return w
            if ex == sp.Rational(1, 2) or ex == sp.Rational(-1, 2):
                s = self.fresh("sqrt")
                self.side += [s >= 0, s * s == self(base)]
                self.partial.append((base, "nonnegative"))
                return s if ex > 0 else self._inverse_of(s, base)
        raise Unsupported("cannot translate %s (only + * / integer powers and sqrt)" % e)

    def _inverse_of(self, s, base):
        w = self.fresh("inv")
        self.side.append(w * s == 1)
        self.partial.append((base, "nonzero"))
        return w


def _power(b, k):
    out = b
    for _ in range(k - 1):
        out = out * b
    return out


def _domain(tr, syms, n_min):
    cons = []
    for name in syms:
        v = tr.var(sp.Symbol(name))
        if name == "n":
            cons.append(v >= n_min)
        elif name == "alpha":
            cons += [v >= 0, v < 1]
        else:
            raise BadInput("unknown parameter %r in an expression (expected n, alpha)" % name)
    return cons


def _names(*exprs):
    out = set()
    for e in exprs:
        out |= {str(s) for s in sp.sympify(e).free_symbols}
    return sorted(out)


_Z3_LOCK = threading.Lock()


def _query(build, integer_n, syms, n_min, timeout_ms):
    """Run one query; ``build(tr) -> list of z3 assertions`` (negated claim plus context).
    Queries are built in z3's global context, which is not thread-safe: one at a time."""
    with _Z3_LOCK:
        return _query_locked(build, integer_n, syms, n_min, timeout_ms)


def _query_locked(build, integer_n, syms, n_min, timeout_ms):
    tr = Translation(integer_n)
    body = build(tr)
    s = z3.Solver()
    s.set("timeout", int(timeout_ms))
    s.add(*_domain(tr, syms, n_min))
    s.add(*tr.side)
    s.add(*body)
    res = s.check()
    model = s.model() if res == z3.sat else None
    return {"result": str(res), "smtlib": s.to_smt2(), "model": model, "vars": tr.vars}


def _model_point(model, vars_):
    """Exact rational values of the parameters in a z3 model (algebraic ones approximated)."""
    pt = {}
    for name, v in vars_.items():
        val = model.eval(v, model_completion=True)
        if z3.is_int_value(val):
            pt[name] = Fraction(val.as_long())
        elif z3.is_rational_value(val):
            pt[name] = Fraction(val.numerator_as_long(), val.denominator_as_long())
        else:                                   # algebraic number: a rational nearby
            pt[name] = Fraction(val.approx(30).as_fraction())
    return pt


def _holds_exactly(expr, rel, bound, pt):
    """sympy's exact truth value of expr rel bound at the rational point pt (None if unknown)."""
    expr = sp.sympify(expr)
    subs = {sym: sp.Rational(pt[str(sym)].numerator, pt[str(sym)].denominator)
            for sym in expr.free_symbols if str(sym) in pt}
    val = sp.simplify(expr.subs(subs))
    if val.has(sp.zoo, sp.nan) or val.free_symbols:
        return None
    r = _REL[rel](val, sp.sympify(bound))
    return bool(r) if r in (sp.true, sp.false) else None


def _in_domain(pt, n_min):
    if "n" in pt and (pt["n"].denominator != 1 or pt["n"] < n_min):
        return False
    if "alpha" in pt and not (0 <= pt["alpha"] < 1):
        return False
    return True


class _Log:
    """Queries of one decision; unsat ones form the certificate."""

    def __init__(self):
        self.queries = []

    def add(self, purpose, q):
        self.queries.append({"purpose": purpose, "result": q["result"], "smtlib": q["smtlib"]})

    def certificate(self):
        """The unsat queries (the proof) and, for the record, every other query."""
        proofs = [q for q in self.queries if q["result"] == "unsat"]
        return {"kind": "smt", "smtlib": [q["smtlib"] for q in proofs],
                "purposes": [q["purpose"] for q in proofs], "expected": "unsat",
                "z3_version": z3.get_version_string(),
                "other_queries": [q for q in self.queries if q["result"] != "unsat"]}


def _definedness(expr, syms, n_min, timeout_ms, log):
    """Prove that every division and square root in expr is defined on the whole domain.
    Returns True (proved), or a string saying what was not shown."""
    probe = Translation(False)
    probe(expr)
    for base, kind in probe.partial:
        def build(tr, base=base, kind=kind):
            b = tr(base)
            return [b == 0] if kind == "nonzero" else [b < 0]
        q = _query(build, False, syms, n_min, timeout_ms)
        log.add("%s is %s on the domain" % (base, kind), q)
        if q["result"] != "unsat":
            return "%s %s not shown (%s)" % (base, kind, q["result"])
    return True


def _negate(rel):
    return {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}[rel]


def _decide(expr, rel, bound, n_min, timeout_ms, log):
    """'proved' / ('refuted', point) / ('inconclusive', why) for: for all domain points,
    expr rel bound."""
    expr = sp.sympify(expr)
    syms = _names(expr, bound)
    defined = _definedness(expr, syms, n_min, timeout_ms, log)
    if defined is not True:
        return ("inconclusive", defined)

    def build(tr):
        return [z3.Not(_REL[rel](tr(expr), tr(sp.sympify(bound))))]
    last = None
    for integer_n in ((False, True) if "n" in syms else (False,)):
        q = _query(build, integer_n, syms, n_min, timeout_ms)
        log.add("negation of: %s %s %s for all %s >= %d%s" % (
            expr, rel, bound, "real n" if not integer_n else "integers n", n_min,
            ", alpha in [0, 1)" if "alpha" in syms else ""), q)
        if q["result"] == "unsat":
            return ("proved", None)
        last = q
    if last["result"] == "sat":
        pt = _model_point(last["model"], {k: v for k, v in last["vars"].items() if k in syms})
        if _in_domain(pt, n_min) and _holds_exactly(expr, _negate(rel), bound, pt):
            return ("refuted", pt)
        return ("inconclusive", "candidate counterexample %s not confirmed exactly" % pt)
    return ("inconclusive", "z3 answered %s" % last["result"])


def decide(expr, rel, bound, n_min=3, timeout_ms=TIMEOUT_MS):
    """Verdict on: ``expr rel bound`` for every integer n >= n_min (and alpha in [0, 1))."""
    if rel not in _REL:
        raise BadInput("relation %r is not one of %s" % (rel, ", ".join(_REL)))
    log = _Log()
    with stopwatch() as t:
        res, info = _decide(expr, rel, bound, n_min, timeout_ms, log)
    ev = {"statement": "%s %s %s for all integers n >= %d%s" % (
        expr, rel, bound, n_min, ", alpha in [0, 1)" if "alpha" in _names(expr) else ""),
        "queries": [{k: q[k] for k in ("purpose", "result")} for q in log.queries]}
    if res == "proved":
        return Verdict(PROVED, "smt (z3, negation unsat)", ev, t(), log.certificate())
    if res == "refuted":
        point = {k: str(v) for k, v in info.items()}
        cert = dict(log.certificate(), kind="counterexample", point=point, n_min=n_min,
                    expr=str(expr), relation=rel, bound=str(bound))
        return Verdict(REFUTED, "smt model, confirmed exactly (sympy)", dict(ev, counterexample=point),
                       t(), cert)
    return Verdict(INCONCLUSIVE, "smt (z3)", dict(ev, reason=info, smtlib=log.queries), t())


def _spectrum(act):
    from . import symbolic

    if isinstance(act, str):
        act = symbolic.symbolic_activation(act)
    return act, symbolic.configuration_spectrum(act)


def prove_all_n(act="relu", spectrum=None, n_min=3, timeout_ms=TIMEOUT_MS):
    """For every closed-form eigenvalue at the configuration O_n (from
    :func:`bnverify.symbolic.configuration_spectrum`), decide for all n >= n_min (and alpha in
    [0, 1) for leaky ReLU with a symbolic slope) its relation to 1 and to -1, that its
    multiplicity is >= 1, and whether O_n is linearly stable anywhere in the domain.

    ``act``: 'relu', 'leaky_relu' (symbolic alpha) or an Activation.  Proved when every
    relation is decided; the certificate holds every unsat query."""
    log = _Log()
    with stopwatch() as t:
        if spectrum is None:
            act, spectrum = _spectrum(act)
        rows, undecided, growing = [], [], []
        for e in spectrum["eigenvalues"]:
            v, mult = sp.sympify(e["value"]), sp.sympify(e["multiplicity"])
            row = {"value": str(v), "multiplicity": str(mult), "mode": e.get("mode", "")}
            row["multiplicity_at_least_1"] = _decide(mult, ">=", 1, n_min, timeout_ms, log)[0] == "proved"
            row["vs_1"] = _relation(v, 1, n_min, timeout_ms, log)
            row["vs_minus_1"] = _relation(v, -1, n_min, timeout_ms, log)
            if row["vs_1"] is None or row["vs_minus_1"] is None or not row["multiplicity_at_least_1"]:
                undecided.append(row["value"])
            if row["vs_1"] == ">" and row["multiplicity_at_least_1"]:
                growing.append(row)
            rows.append(row)
        region = _stable_region(spectrum, n_min, timeout_ms, log)
    ev = {"activation": str(act), "domain": "integers n >= %d%s" % (
        n_min, ", alpha in [0, 1)" if any("alpha" in _names(r["value"]) for r in rows) else ""),
        "eigenvalue_convention": "scale-free: eigenvalues of DF(G*)/c without G*'s own direction",
        "eigenvalues": rows, "stable_region": region,
        "linearly_unstable_everywhere": bool(growing),
        "growing_modes": [r["mode"] or r["value"] for r in growing],
        "queries": [{k: q[k] for k in ("purpose", "result")} for q in log.queries]}
    if undecided or region["status"] == "undecided":
        return Verdict(INCONCLUSIVE, "smt (z3)", dict(ev, reason="undecided: %s" % undecided,
                                                      smtlib=log.queries), t())
    return Verdict(PROVED, "smt (z3, negations unsat)", ev, t(), log.certificate())


def _relation(v, bound, n_min, timeout_ms, log):
    """'<', '>', '=' (identically), 'mixed' (both sides occur, models confirmed) or None."""
    if sp.simplify(v - bound) == 0:
        return "="
    results = {}
    for rel in ("<", ">"):
        results[rel] = _decide(v, rel, bound, n_min, timeout_ms, log)
        if results[rel][0] == "proved":
            return rel
    if all(r[0] == "refuted" for r in results.values()):
        return "mixed"
    return None


def _stable_region(spectrum, n_min, timeout_ms, log):
    """Is there a domain point where every eigenvalue lies in (-1, 1)?"""
    vals = [sp.sympify(e["value"]) for e in spectrum["eigenvalues"]]
    syms = _names(*vals)

    def build(tr):
        out = []
        for v in vals:
            z = tr(v)
            out += [z > -1, z < 1]
        return out
    q = None
    for integer_n in (False, True):
        q = _query(build, integer_n, syms, n_min, timeout_ms)
        log.add("O_n linearly stable somewhere (every eigenvalue in (-1, 1))", q)
        if q["result"] == "unsat":
            return {"status": "empty", "statement": "no n >= %d%s makes every eigenvalue lie in (-1, 1)"
                    % (n_min, " and alpha in [0, 1)" if "alpha" in syms else "")}
    if q["result"] == "sat":
        pt = _model_point(q["model"], {k: v for k, v in q["vars"].items() if k in syms})
        if _in_domain(pt, n_min) and all(_holds_exactly(v, "<", 1, pt) and _holds_exactly(v, ">", -1, pt)
                                         for v in vals):
            return {"status": "nonempty", "witness": {k: str(x) for k, x in pt.items()}}
    return {"status": "undecided", "z3": q["result"]}


def configuration_stability(act="relu", n_min=3, timeout_ms=TIMEOUT_MS):
    """Verdict on the claim "O_n is a linearly stable fixed point" (for the n, alpha of the
    domain): refuted when some eigenvalue is proved > 1 for every domain point."""
    v = prove_all_n(act, n_min=n_min, timeout_ms=timeout_ms)
    if v.status == PROVED and v.evidence["linearly_unstable_everywhere"]:
        return Verdict(REFUTED, v.method, dict(v.evidence, reason="eigenvalue > 1 for every n: %s"
                                              % "; ".join(v.evidence["growing_modes"])),
                       v.seconds, v.certificate, subject="stability of O_n")
    if v.status == PROVED and v.evidence["stable_region"]["status"] == "nonempty":
        stable_everywhere = all(r["vs_1"] == "<" and r["vs_minus_1"] == ">" for r in v.evidence["eigenvalues"])
        if stable_everywhere:
            return Verdict(PROVED, v.method, v.evidence, v.seconds, v.certificate, subject="stability of O_n")
    return Verdict(INCONCLUSIVE, v.method, dict(v.evidence, reason="stability depends on the parameters"
                                                 if v.status == PROVED else v.evidence.get("reason")),
                   v.seconds, subject="stability of O_n")


def recheck(cert, timeout_ms=60000):
    """Re-run every SMT-LIB query of an smt certificate; True iff each is unsat.  A
    counterexample certificate must also fail its claim exactly (sympy) at its point."""
    if cert.get("kind") not in ("smt", "counterexample"):
        return False
    if cert["kind"] == "counterexample":
        pt = {k: Fraction(v) for k, v in cert["point"].items()}
        if not (_in_domain(pt, int(cert.get("n_min", 3))) and
                _holds_exactly(sp.sympify(cert["expr"]), _negate(cert["relation"]),
                               sp.sympify(cert["bound"]), pt)):
            return False
    for text in cert["smtlib"]:
        s = z3.Solver(ctx=z3.Context())
        s.set("timeout", int(timeout_ms))
        s.from_string(text)
        if s.check() != z3.unsat:
            return False
    return True


