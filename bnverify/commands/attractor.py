"""``bnverify attractor``: certify the spread-cluster attractor per n and the threshold n."""
from __future__ import annotations

import json
import sys
from fractions import Fraction

from ..claims import properties, sweep
from ..core import limits, ranges
from ..report import pretty
from ..derive import balls, sweeps
from ..core.kernels import parse_stages
from ..errors import BadInput
from .. import parallel
from ..parallel import default_jobs, process_pool

NAME = "attractor"
HELP = "certify the spread-cluster fixed point per n (Krawczyk + block spectra) and the smallest n"
DESCRIPTION = """\
For each n, certify in ball arithmetic (python-flint arb) the spread-cluster fixed point of
the infinite-width Gram dynamics: a cluster of n-1 points with a common pairwise cosine,
an odd point at another cosine and norm ratio, as a fixed point of the scale-free map.

  existence, local uniqueness   Krawczyk's operator on a box of the symmetric reduction
  stability                     spectral radius of the scale-free linearization in the full
                                n(n+1)/2-dimensional space (eigenvalues of DF(G*)/c without
                                G*'s own direction), enclosed per symmetry block by flint's
                                acb_mat.eig and, eigensolver-free, by Gershgorin discs
  absence                       interval branch-and-bound over the whole symmetric family:
                                its only fixed points are then the simplex state and O_n

Every number printed is a rigorous bound: intervals [lo, hi] rounded outward.
smallest_n is the smallest n from which the attractor is proved for every n up to the top
of the range, absence being proved for every n from 3 up to it (n below the range are
checked too).

Every n at once: an open range (--n 7..) or one beyond n = 64 proves existence and local
uniqueness for every n of the range (for n >= 16 by Krawczyk boxes covering t = 1/n in
[0, 1/16] in the rescaled unknown v = n arccos(rho), below by per-n boxes), prints the
certified leading asymptotics in t = 1/n, and certifies stability per n up to 64; stability
beyond 64 is reported as not proved.  JSON: "summary", "asymptotics", "boxes", "results".

examples:  bnverify attractor --n 7..64 --jobs 2
           bnverify attractor --n 7.. --json --cert attractor-all-n.json
           bnverify attractor --n 3..12 --stages rc,leaky_relu --alpha 1/10 --json
           bnverify attractor --n 7 --fold 6.107..6.108
"""

FIELDS = ("cluster_cos", "odd_cos", "norm_ratio", "spectral_radius")


def add_arguments(p, fields=FIELDS):
    p.add_argument("--n", required=True, help="batch sizes: A..B, A.. (every n >= A) "
                   "or a single integer (n >= 3)")
    p.add_argument("--jobs", type=int, default=None,
                   help="worker processes (default min(2, cpu count))")
    p.add_argument("--stages", default="rc,relu", help="rc and one activation: relu (default) "
                   "or leaky_relu")
    p.add_argument("--alpha", default=None, help="leaky_relu slope in [0, 1) (default 1/10)")
    p.add_argument("--prec", type=int, default=128, help="ball precision in bits (default 128)")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    parallel.add_executor_arguments(p)
    if fields == FIELDS:
        p.add_argument("--fold", default=None, metavar="LO..HI",
                       help="also bracket the fold in real n: no spread state at LO, one at HI")
    p.add_argument("--cert", default=None, metavar="FILE",
                   help="open or long ranges: write the all-n proof's certificate to FILE "
                        "(re-check it with bnverify check-cert FILE)")


def parse_common(args, all_n=False):
    """(list of n, Activation, jobs) from the shared options; BadInput on a bad value.  With
    ``all_n`` the range may be open or reach beyond the per-n limit (the list of n is then its
    per-n part); ``args.range`` is set to the parsed range."""
    r = ranges.parse_int_range(args.n, "n", minimum=3, allow_open=all_n)
    top = limits.certified_max_n()
    if not all_n and r.hi > top:
        raise BadInput("--n %s: the trusted kernel certifies states for n <= %d only (a larger n would be "
                       "searched for minutes and then left inconclusive)" % (r, top))
    ns = list(range(r.lo, min(r.hi, top) + 1)) if all_n and r.hi is not None else \
        list(range(r.lo, top + 1)) if all_n else list(r)
    if args.alpha is not None:
        limits.guard_number(args.alpha, "--alpha")
    stages, act = parse_stages(args.stages, args.alpha)
    if stages != ("rc",):
        raise BadInput("--stages %s: certification covers rc with relu or leaky_relu (no rs)"
                       % args.stages)
    if act.name not in ("relu", "leaky_relu"):
        raise BadInput("--stages %s: the activation must be relu or leaky_relu, not %s"
                       % (args.stages, act.name))
    jobs = args.jobs if args.jobs is not None else default_jobs()
    if jobs < 1:
        raise BadInput("--jobs %d: need at least one worker" % jobs)
    if jobs > limits.MAX_JOBS:
        raise BadInput("--jobs %d: at most %d workers" % (jobs, limits.MAX_JOBS))
    if not 32 <= args.prec <= 4096:
        raise BadInput("--prec %d: choose 32..4096 bits" % args.prec)
    args.range = r
    return ns, act, jobs


def executor(jobs, args=None):
    """The per-n jobs' executor: --executor dask, else inline for one job, else processes."""
    ex = parallel.executor_for(args, jobs) if args is not None else None
    if ex is not None:
        return ex
    if jobs == 1:
        return sweeps.InlineExecutor()
    return process_pool(jobs)


def progress(done, total, verdict):
    sys.stderr.write("[%d/%d] %s: %s (%.1fs)\n" % (done, total, verdict.subject or
                                                  "n=%s" % verdict.evidence.get("n"),
                                                  verdict.status, verdict.seconds))
    sys.stderr.flush()


def entry(v, fields):
    """One result row: n, status, the fields as [lo, hi] strings, seconds, reason."""
    out = {"n": int(v.evidence["n"]), "status": v.status}
    for f in fields:
        if f in v.evidence:
            out[f] = v.evidence[f]
    out["seconds"] = round(v.seconds, 3)
    out["checked"] = bool(v.evidence.get("checked"))
    if v.status != "proved":
        out["reason"] = v.evidence.get("reason", "")
    return out


def table(rows, fields):
    head = ["n", "status"] + list(fields) + ["seconds"]
    lines = [head]
    for r in rows:
        cells = [str(r["n"]), r["status"]]
        for f in fields:
            cells.append("[%s, %s]" % (_short(r[f][0], False), _short(r[f][1], True)) if f in r else "-")
        cells.append("%.2f" % r["seconds"])
        lines.append(cells)
    width = [max(len(l[k]) for l in lines) for k in range(len(head))]
    out = ["  ".join(c.ljust(w) for c, w in zip(l, width)).rstrip() for l in lines]
    for r in rows:
        if "reason" in r:
            out.append("n=%d: %s" % (r["n"], r["reason"]))
    return "\n".join(out)


def _short(s, up, digits=12):
    """A bound re-rounded outward to fewer digits (still a bound; JSON keeps all digits)."""
    try:
        return balls._decimal(Fraction(s), digits, up)
    except ValueError:          # "inf"
        return s


def all_n_claim(r, act, stable):
    """The kernel-checked verdict of the attractor claim for every n of r: existence and local
    uniqueness, and with ``stable`` spectral radius < 1 (per-n boxes below the all-n branch,
    the branch above it: bnverify.derive.alln)."""
    from ..claims import spec

    model = {"stages": "rc," + act.name}
    if act.name == "leaky_relu":
        model["alpha"] = "%s/%s" % (act.slope.numerator, act.slope.denominator)
    data = {"id": "attractor-all-n", "title": "attractor",
            "property": "attractor-stable" if stable else "attractor-exists",
            "statement": "the spread-cluster fixed point for n in %s" % r, "expect": "proved",
            "model": model, "domain": {"n": str(r)}}
    return properties.check(spec.claim_from_dict(data, "attractor command"))


def _decimal(x):
    """The exact decimal text of a Fraction with denominator 2^a 5^b (the fold bracket's ends,
    as the kernel reads them), else None."""
    k = next((k for k in range(64) if 10 ** k % x.denominator == 0), None)
    if k is None or x < 0:
        return None
    digits = str(x.numerator * (10 ** k // x.denominator)).rjust(k + 1, "0")
    return digits if k == 0 else "%s.%s" % (digits[:-k], digits[-k:])


def checked_fold(v, lo, hi, act):
    """The fold bracket's search verdict ``v`` (bnverify.derive.sweeps.locate_fold) passed through
    the trusted kernel as a fold-bracket claim, so that the 'fold ... proved' line is the
    kernel's verdict on its classifications, not the search's own."""
    from ..claims import spec
    from ..claims.properties.states import classification_item

    ends = _decimal(lo), _decimal(hi)
    model = {"stages": "rc," + act.name}
    if act.name == "leaky_relu":
        model["alpha"] = "%s/%s" % (act.slope.numerator, act.slope.denominator)
    human = {k: x for k, x in v.evidence.items() if k != "reason"}
    if None in ends:
        from ..core.verdict import inconclusive
        return inconclusive(v.method, "the kernel reads a bracket's ends as decimals: %s, %s is not" % (lo, hi))
    data = {"id": "attractor-fold", "title": "fold", "property": "fold-bracket", "expect": "proved",
            "statement": "the fold in (%s, %s)" % ends, "model": model,
            "domain": {"n": "%d..%d" % (lo.numerator // lo.denominator, -(-hi.numerator // hi.denominator))},
            "params": {"lo": ends[0], "hi": ends[1]}}
    c = v.certificate or {}
    items = [classification_item(c[k]) for k in ("at_n_lo", "at_n_hi") if k in c]
    return properties.decide(spec.claim_from_dict(data, "attractor command"), items, human)


def boxes_json(v):
    """The all-n branch's boxes of a verdict's certificate: t- and n-ranges, v = n arccos(rho)."""
    from ..derive import alln

    items = [i for i in (v.certificate or {}).get("evidence", []) if i.get("type") == "all-n-branch"]
    out = []
    for item in items:
        for b in item["boxes"]:
            lo, hi = Fraction(b["t"][0]), Fraction(b["t"][1])
            mid, rad = alln._value(b["v"]["mid"]), alln._value(b["v"]["rad"])
            n_lo = -((-hi.denominator) // hi.numerator)             # ceil(1/hi)
            n_hi = None if lo == 0 else lo.denominator // lo.numerator
            out.append({"t": [str(lo), str(hi)], "n": [n_lo, n_hi],
                        "v": [float(mid - rad), float(mid + rad)],
                        "statement": "for every real t in the interval exactly one root v of G(v, t) "
                                     "in the v-interval"})
    return out


def run(args):
    r = ranges.parse_int_range(args.n, "n", minimum=3, allow_open=True)
    if r.hi is None or r.hi > limits.certified_max_n():
        return run_all_n(args)
    refuse_cert(args, r)
    ns, act, jobs = parse_common(args)
    fold = None
    if args.fold is not None:
        fr = ranges.parse_rat_range(args.fold, "fold", lower=Fraction(3), upper=Fraction(10 ** 6),
                                    upper_open=False)
        if fr.lo >= fr.hi:
            raise BadInput("--fold %s: give LO..HI with LO < HI" % args.fold)
    below = list(range(3, ns[0]))
    todo = below + ns
    ex = executor(jobs, args)
    try:
        vs = sweeps.attractor_sweep(todo, act, executor=ex, prec=args.prec,
                                     progress=progress if len(todo) > 1 else None)
        if args.fold is not None:
            fold = checked_fold(sweeps.locate_fold(fr.lo, fr.hi, act, args.prec), fr.lo, fr.hi, act)
    finally:
        ex.shutdown()
    vs = [sweep.checked_state(v, "attractor", act) for v in vs]   # every verdict shown is the kernel's
    n0, below_ok = sweeps.threshold(vs)
    results = [entry(v, FIELDS) for v in vs[len(below):]]
    doc = {"activation": str(act), "results": results, "smallest_n": n0 if below_ok else None,
           "smallest_n_note": ("proved for every n from %s to %d, absent (within the symmetric family) "
                               "for every n from 3 below it" % (n0, ns[-1])) if n0 and below_ok else
           "not certified: some n undecided",
           "below_range": [{"n": int(v.evidence["n"]), "status": v.status} for v in vs[:len(below)]],
           "eigenvalue_convention": "scale-free: eigenvalues of DF(G*)/c without G*'s own direction"}
    if fold is not None:
        doc["fold"] = {"status": fold.status, "n_lo": str(fr.lo), "n_hi": str(fr.hi),
                       "statement": fold.evidence.get("statement") if fold.status == "proved"
                       else fold.evidence.get("reason")}
    if args.json:
        print(json.dumps(doc, indent=2))
    else:
        print("spread-cluster attractor, %s (rigorous enclosures; spectral radius of the scale-free "
              "linearization)" % act)
        print(table(results, FIELDS))
        if below:
            print("below the range: " + ", ".join("n=%d %s" % (b["n"], b["status"]) for b in doc["below_range"]))
        print("smallest_n: %s" % (doc["smallest_n"] if doc["smallest_n"] is not None else
                                  "not certified"))
        if fold is not None:
            print("fold in (%s, %s): %s" % (fr.lo, fr.hi, fold.status))
    decided = all(v.status in ("proved", "refuted") for v in vs + ([fold] if fold is not None else []))
    return 0 if decided else 3          # 3: some n (or the fold) undecided, see the table


def _rows_from(v):
    """Per-n rows from a combined verdict's enclosures (the per-n jobs below the branch)."""
    rows = []
    for k, e in sorted((v.evidence.get("enclosures") or {}).items(), key=lambda kv: int(kv[0])):
        rows.append(dict({"n": int(k), "status": v.evidence.get("per_n", {}).get(k, v.status)}, **e,
                         seconds=0.0, checked=bool(v.evidence.get("checked"))))
    return rows


def refuse_cert(args, r):
    """--cert on a finite range within the per-n limit: an error (it was ignored)."""
    if getattr(args, "cert", None):
        raise BadInput("--cert is written for an open or long range (--n %d..); for a finite range "
                       "write a claim file and run bnverify check FILE --cert OUT" % r.lo)


def write_cert(args, v):
    """--cert FILE: the all-n verdict's certificate (BadInput when the proof gave none)."""
    if getattr(args, "cert", None):
        from ..claims import certificate
        if v.certificate is None:
            raise BadInput("--cert %s: no certificate, the proof is %s" % (args.cert, v.status))
        certificate.write(v.certificate, args.cert)


def run_all_n(args):
    """An open range or one beyond the per-n limit.  ReLU: existence, local uniqueness and
    spectral radius < 1 for every n of the range in one kernel-checked proof.  Leaky ReLU:
    existence for every n, stability per n up to the kernel's per-n limit."""
    import time

    t0 = time.monotonic()
    ns, act, jobs = parse_common(args, all_n=True)
    r = args.range
    if args.fold is not None:
        raise BadInput("--fold is for a finite range of at most %d n" % limits.certified_max_n())
    relu = act.name == "relu"
    sys.stderr.write("all-n branch: every n in %s ...\n" % r)
    v = all_n_claim(r, act, stable=relu)
    if relu:
        results, top = _rows_from(v), None
    else:                   # stability per n, up to the per-n limit
        ex = executor(jobs, args)
        try:
            vs = sweeps.attractor_sweep(ns, act, executor=ex, prec=args.prec, progress=progress) if ns else []
        finally:
            ex.shutdown()
        results = [entry(sweep.checked_state(x, "attractor", act), FIELDS) for x in vs]
        top = ns[-1] if ns else r.lo - 1
    count = "all" if r.hi is None else r.hi - r.lo + 1
    ok = v.status == "proved"
    not_proved = [] if relu or (r.hi is not None and r.hi <= top) else [[top + 1, r.hi]]
    per_n_ok = [e["n"] for e in results if e["status"] == "proved"]
    doc = {"activation": str(act),
           "summary": {"range": [r.lo, r.hi],
                       "proved": (count if ok else 0) if relu else len(per_n_ok),
                       "proved_statement": v.evidence.get("statement") if relu else
                       "existence, local uniqueness and spectral radius < 1 per n",
                       "existence": None if relu else {"proved": count if ok else 0, "status": v.status,
                                                       "statement": v.evidence.get("statement")},
                       "status": v.status, "checked": bool(v.evidence.get("checked")),
                       "reason": v.evidence.get("reason"),
                       "failed": [] if ok else [[r.lo, r.hi]] if relu else
                       [e["n"] for e in results if e["status"] != "proved"],
                       "not_proved": not_proved,
                       "not_proved_reason": ("leaky ReLU: linear stability is certified per n, for n <= %d"
                                             % limits.certified_max_n()) if not_proved else None,
                       "seconds": round(time.monotonic() - t0, 2),
                       "method": "Krawczyk boxes in (t = 1/n, v = n arccos rho) covering t in [0, 1/%d] "
                                 "with the blocks' analytic margins (Schur-Cohn)%s, per-n Krawczyk + "
                                 "Gershgorin boxes below; trusted kernel" % (
                                     properties.ALL_N_FROM, "" if relu else " (existence only)")},
           "asymptotics": v.evidence.get("asymptotics"),
           "boxes": boxes_json(v),
           "results": results,
           "eigenvalue_convention": "scale-free: eigenvalues of DF(G*)/c without G*'s own direction"}
    write_cert(args, v)
    if args.json:
        print(json.dumps(doc, indent=2))
        return 0 if ok else 3
    sm = doc["summary"]
    print("spread-cluster attractor, %s, n in %s: %s%s" % (act, r, v.status, " (checked by the trusted kernel)"
                                                          if sm["checked"] else ": %s" % sm["reason"]))
    if ok:
        print("  " + v.evidence["statement"])
    if doc["asymptotics"]:
        a = doc["asymptotics"]
        for k in ("cluster_cos_deficit", "odd_cos", "norm_ratio_gap", "stability_margin"):
            q = a[k]
            if q.get("coefficient"):
                print("  %-20s = %s, coefficient in [%s, %s]  (t = 1/n)" % (
                    k, pretty.leading_term(q["closed_form"], q["power"]), _short(q["coefficient"][0], False),
                    _short(q["coefficient"][1], True)))
    if results:
        print("per n%s:" % (" below the all-n branch" if relu else " (stability, n <= %d)" % limits.certified_max_n()))
        print(table(results, FIELDS))
    if sm["not_proved"]:
        print("not proved: stability for n in [%s, %s]: %s" % (
            sm["not_proved"][0][0], "inf" if r.hi is None else r.hi, sm["not_proved_reason"]))
    print("%d boxes for n >= %d; %.1fs" % (len(doc["boxes"]), properties.ALL_N_FROM, sm["seconds"]))
    return 0 if ok else 3
