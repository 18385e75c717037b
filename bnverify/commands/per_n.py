"""What the per-n certification commands (attractor, simplex) share: their options, the
progress line, one result row, bounds shortened for a table, and the --cert rules."""
from __future__ import annotations

import sys
from fractions import Fraction

from .. import parallel
from ..core import activations, limits, ranges
from ..derive import balls
from ..errors import BadInput
from ..report import pretty
from . import options


def add_arguments(p, fold, stages_help="rc and one activation: relu (default) or leaky_relu; or PHI,rc (BN after "
                                       "the activation: the same state read at C G* C, by conjugation)"):
    """The options of attractor and simplex; ``fold``: also --fold LO..HI (attractor)."""
    p.add_argument("--n", required=True, help="batch sizes: A..B, A.. (every n >= A) "
                   "or a single integer (3 <= n <= 10^6); a table per n for at most %d n, "
                   "the all-n proof beyond" % limits.MAX_PER_N)
    options.add_jobs(p, "worker processes (default min(2, cpu count))")
    options.add_stages(p, help=stages_help)
    options.add_alpha(p)
    p.add_argument("--prec", type=int, default=128, help="ball precision in bits (default 128)")
    options.add_json(p)
    parallel.add_executor_arguments(p)
    if fold:
        p.add_argument("--fold", default=None, metavar="LO..HI",
                       help="also bracket the fold in real n: no spread state at LO, one at HI")
    options.add_cert(p, "open or long ranges: write the all-n proof's certificate to FILE "
                        "(re-check it with bnverify check-cert FILE)")


def asks_all_n(args):
    """True if --n is open or longer than the per-n limit (limits.MAX_PER_N integers), or --alpha
    is a range: one all-n proof, not a table.  A finite range up to that length gets a per-n table at any n <= 10^6
    (the search and the kernel's check of a state cost the same at every n)."""
    r = ranges.parse_int_range(args.n, "n", minimum=3, allow_open=True)
    return r.hi is None or len(r) > limits.MAX_PER_N or ".." in (getattr(args, "alpha", None) or "")


def parse_common(args, all_n=False, alpha_range=False):
    """(list of n, Activation, jobs) from the shared options; BadInput on a bad value.  With
    ``all_n`` the range may be open or longer than the per-n limit (the list of n is then its
    part up to n = 64, where the kernel also reads classifications); ``args.range`` is set to
    the parsed range.  ``alpha_range``: --alpha may be a range A..B (``args.alpha_range``, a
    RatRange, else None), with ``all_n`` only."""
    r = ranges.parse_int_range(args.n, "n", minimum=3, allow_open=all_n)
    top = limits.certified_max_n()
    if not all_n and len(r) > limits.MAX_PER_N:
        raise BadInput("--n %s: a table has at most %d n (an open range gives the all-n proof)"
                       % (r, limits.MAX_PER_N))
    ns = list(range(r.lo, min(r.hi, top) + 1)) if all_n and r.hi is not None else \
        list(range(r.lo, top + 1)) if all_n else list(r)
    args.alpha_range = None
    if args.alpha is not None and ".." in args.alpha:        # a range of slopes: every n at once only
        args.alpha_range = ranges.parse_rat_range(args.alpha, "--alpha")
        if not (alpha_range and all_n):
            raise BadInput("--alpha %s: a range of slopes is certified for every n at once (attractor with an "
                           "open --n such as 7..); per n, give one slope" % args.alpha)
    if args.alpha_range is not None and not options.stages(args.stages)[1].takes_alpha:
        raise BadInput("--alpha %s: only leaky_relu has a slope, the activation here is %s"
                       % (args.alpha, options.stages(args.stages)[1].name))
    stages, act = options.stages(args.stages, args.alpha if args.alpha_range is None else str(args.alpha_range.lo))
    if stages != ("rc",):
        raise BadInput("--stages %s: certification covers rc with %s (no rs)" % (args.stages, _certified()))
    if not act.states:
        raise BadInput("--stages %s: the activation must be %s, not %s" % (limits.show(getattr(args, "stages_typed", None) or args.stages),
                                                                          _certified(), act.name))
    jobs = options.jobs(args.jobs) or parallel.default_jobs()
    if not 32 <= args.prec <= 4096:
        raise BadInput("--prec %d: choose 32..4096 bits" % args.prec)
    if all_n:
        options.cert_path(args.cert)
    elif args.cert is not None:         # it was ignored
        raise BadInput("--cert is written for an open or long range (--n %d..); for a finite range "
                       "write a claim file and run bnverify check FILE --cert OUT" % r.lo)
    args.range = r
    return ns, act, jobs


def _certified():
    return activations.spoken(activations.names(lambda k: k.states))


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


def inside(expr, bounds, digits=40):
    """True if the real number expr lies in [lo, hi] (decimal strings), at ``digits`` digits."""
    import sympy as sp

    x = sp.Rational(str(sp.N(expr, digits)))
    lo, hi = (sp.Rational(str(b)) for b in bounds)
    slack = abs(x) * sp.Rational(1, 10 ** (digits - 5))
    return lo - slack <= x <= hi + slack


def short(s, up, digits=12):
    """A bound re-rounded outward to fewer digits (still a bound; JSON keeps all digits)."""
    try:
        return balls._decimal(Fraction(s), digits, up)
    except ValueError:          # "inf"
        return s


def interval(row, field, digits=12):
    """A row's enclosure of ``field`` as '[lo, hi]', shortened outward; '-' if it has none."""
    return "[%s, %s]" % (short(row[field][0], False, digits), short(row[field][1], True, digits)) \
        if field in row else "-"


def fitted_table(cells, indent=""):
    """A table of enclosures within the terminal's width: ``cells(digits)`` gives its rows
    (header first) with bounds of that many digits; the most digits whose table fits without
    wrapping a cell (bounds re-rounded outward are still bounds; --json has every digit)."""
    for digits in (12, 10, 8, 6):
        rows = cells(digits)
        lines = pretty.grid(rows, indent)
        if len(lines) == len(rows):
            return lines
    return lines


def write_cert(args, v):
    """--cert FILE: the all-n verdict's certificate (BadInput when the proof gave none)."""
    if args.cert:
        from ..claims import certificate
        if v.certificate is None:
            raise BadInput("--cert %s: no certificate, the proof is %s" % (args.cert, v.status))
        certificate.write(v.certificate, args.cert, flag="--cert")

