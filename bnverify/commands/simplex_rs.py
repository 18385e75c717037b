"""``bnverify simplex --stages rc,rs,PHI``: the simplex (BSB1) state of full batch normalization
per n, with its scale-free spectrum by S_n blocks; rigorous enclosures of the untrusted
derivation layer (bnverify.derive.bsb1_spectrum), labelled so, never "proved" (the trusted
kernel has no goal for RS states yet).  The JSON has the RC-only simplex's keys
(docs/schemas/simplex.json), each row with the blocks added."""
from __future__ import annotations

import sys
from concurrent.futures import as_completed

from .. import parallel
from ..core import laplace, limits, ranges
from ..derive import bsb1_spectrum
from ..errors import BadInput
from ..report import pretty
from . import exits, options, per_n

DEFAULT_CHECK_TO = 16
STATUS = "enclosed"
CONVENTION = ("scale-free: eigenvalues of DV(Sigma*) on Sym_n modulo the scale direction Sigma* (V is "
              "homogeneous of degree 0 and V(Sigma*) = Sigma*, so Sigma* has eigenvalue 0 and the spectrum is "
              "the same for every weight scale)")
NOTE = ("rigorous enclosures from bnverify's untrusted derivation layer, not kernel-checked claims (the trusted "
        "kernel has no goal for RS states yet): status 'enclosed', checked false")
EXACT_NOTE = ("exact: closed forms by sympy, untrusted, each shown only where it lies in the enclosure: "
              "simplex_cos = kappa(-1/(n-1))/kappa(1); spectral_radius the larger in modulus of lam_S = "
              "n/((n+1)(A - kappa)) (A (n-2)/n - ((n-2) k0 - 2 k1)/n) and lam_P = n k1/((n+1)(A - kappa)) of "
              "bnverify.derive.bsb1_spectrum.blocks (kappa, k1 = kappa', k0 = kappa - rho kappa' at rho = -1/(n-1), "
              "A = kappa(1)); norm_ratio = 1")


def parse(args, stages, act):
    """(list of n, slope, check_to, jobs) for the RS simplex; BadInput on a bad value."""
    if stages != ("rc", "rs"):
        raise BadInput("--stages %s: the simplex state with RS is covered for rc,rs,PHI (RS alone does not map the "
                       "symmetric family to one point; not done yet)" % limits.show(args.stages))
    if not (act.degree == 1 and act.slope is not None):
        raise BadInput("--stages %s: the BSB1 spectrum with rs is derived for positively homogeneous phi only (relu, "
                       "leaky_relu, identity, abs); for %s the Jacobian is an expectation over four coordinates of the "
                       "sphere y = sqrt(n) Cz/|Cz| (not enclosed). The state (rigorous) and a Monte Carlo suggestion "
                       "of its spectrum: bnverify bsb1 --stages %s"
                       % (limits.show(args.stages), act, args.stages))
    slope = laplace.slope(act.name, act.alpha if act.takes_alpha else None)
    r = ranges.parse_int_range(args.n, "n", minimum=3, allow_open=True)
    if r.hi is None or len(r) > limits.MAX_PER_N:
        raise BadInput("--n %s: with rs the simplex state's blocks are enclosed per n (a finite range of at most "
                       "%d n); its stability for every n is the kernel's proof: bnverify check --stages %s --n %s "
                       "--property spectral-radius --state simplex --relation '<' --bound 1 (claim bsb1-stable)"
                       % (r, limits.MAX_PER_N, args.stages, r))
    if args.cert is not None:
        raise BadInput("--cert is written by the all-n proof of rc only; with rs there is no certificate")
    check_to = DEFAULT_CHECK_TO if args.check_to is None else args.check_to
    if not 0 <= check_to <= bsb1_spectrum.MAX_CHECK_N:
        raise BadInput("--check-to %d outside 0..%d" % (check_to, bsb1_spectrum.MAX_CHECK_N))
    if not 32 <= args.prec <= 4096:
        raise BadInput("--prec %d: choose 32..4096 bits" % args.prec)
    jobs = options.jobs(args.jobs) or parallel.default_jobs()
    return list(r), slope, check_to, jobs


def compute(args, stages, act):
    """The --json document of ``simplex --stages rc,rs,PHI`` (``bnv.simplex`` wraps it)."""
    ns, slope, check_to, jobs = parse(args, stages, act)
    ex = options.executor(args, min(jobs, len(ns)))
    rows = {}
    try:
        # the largest n first: their integral checks take longest
        futs = {ex.submit(bsb1_spectrum.record, n, slope, args.prec, n <= check_to): n for n in sorted(ns)[::-1]}
        for k, f in enumerate(as_completed(futs), 1):
            row = f.result()
            rows[row["n"]] = row
            if len(ns) > 1 and options.talks(args):
                check = {None: "closed form", True: "Laplace check ok", False: "LAPLACE CHECK FAILED"}
                sys.stderr.write("[%d/%d] simplex %s n=%d: %s (%.1fs)\n" % (
                    k, len(ns), "rc,rs,%s" % act, row["n"], check[row["laplace_check"]], row["seconds"]))
                sys.stderr.flush()
    finally:
        ex.shutdown()
    results = []
    for n in ns:
        row = rows[n]
        row.update(status=STATUS if row["laplace_check"] is not False else "check failed", checked=False,
                   reason=NOTE)
        row["exact"] = exact_values(row, act)
        results.append(row)
    return {"activation": str(act), "stages": "rc,rs,%s" % act.name, "results": results,
            "eigenvalue_convention": CONVENTION, "exact_note": EXACT_NOTE,
            "summary": None, "asymptotics": None, "boxes": [], "conjugation": None}


def text(doc):
    checked = [r["n"] for r in doc["results"] if r["laplace_check"] is not None]
    return ["simplex (BSB1) state, %s: rigorous enclosures, rounded outward; exact closed forms below"
            % doc["stages"]] + table(doc["results"], max(checked, default=0))


def exit_code(doc):
    return exits.OK if all(r["laplace_check"] is not False for r in doc["results"]) else exits.UNDECIDED


def exact_values(row, act):
    """{field: closed form as text} of simplex_cos, lam_S, lam_P and spectral_radius, each only
    where it lies inside the row's enclosure (the same formulas in sympy)."""
    import sympy as sp

    from ..core import arith

    ex, n = arith.ExactContext(), row["n"]
    blk = bsb1_spectrum.blocks(n, act, ex)
    values = {"simplex_cos": act.kappa(sp.Rational(-1, n - 1), ex) / act.kappa_one(ex),
              "lam_S": blk["standard"][1][1], "lam_P": blk["pair"][1][0] if "pair" in blk else None}
    if len(row["radius_from"]) == 1:
        top = values["lam_S" if row["radius_from"][0] == "standard" else "lam_P"]
        values["spectral_radius"] = top if sp.N(top, 50) > 0 else -top
    out = {}
    for k, v in values.items():
        if v is None or row.get(k) is None:
            continue
        v = sp.factor(v)
        if per_n.inside(v, row[k]):
            out[k] = pretty.formula(sp.sstr(v))
    return out


def table(rows, check_to):
    fields = ["simplex_cos", "lam_S", "lam_P", "spectral_radius"]
    same = []
    if all(r["spectral_radius"] == r["lam_S"] for r in rows):
        fields.remove("spectral_radius")
        same.append("spectral_radius = lam_S")
    out = pretty.wrap("every n here: " + "; ".join(same + [
        "trivial block 0; lam_S is the standard block's eigenvalue (n - 1 times, beside 0 for the n - 1 "
        "translations), lam_P the (n-2,2) block's (n(n-3)/2 times)"]), "", "    ")
    check = {None: "-", True: "ok", False: "FAILED"}
    out += per_n.fitted_table(lambda d: [["n", "status"] + fields + ["laplace", "seconds"]] + [
        [str(r["n"]), r["status"]] + [per_n.interval(r, f, d) if r.get(f) else "-" for f in fields]
        + [check[r["laplace_check"]], "%.2f" % r["seconds"]] for r in rows])
    exact = [(r["n"], f, r["exact"][f]) for r in rows for f in fields if r.get("exact", {}).get(f)]
    if exact:
        out.append("exact values (each inside its enclosure above):")
        name = max(len(f) for _, f, _ in exact)
        out += [line for k, (n, f, e) in enumerate(exact) for line in pretty.wrap(
            "%s = %s" % (f.ljust(name), e), ("  n = %-4d " % n) if k == 0 or exact[k - 1][0] != n else " " * 11,
            " " * (14 + name))]
    where = "n <= %d" % check_to if check_to else "none here"
    out += pretty.wrap("laplace: the blocks and c* against the certified Laplace integral and its derivative "
                       "(--check-to: %s); %s." % (where, NOTE), "", "    ")
    return out
