"""``bnverify check``: decide one claim, from a claim file or from flags."""
from __future__ import annotations

import re
import sys
from pathlib import Path

from .. import parallel
from ..claims import certificate, properties, runner, spec
from ..claims.properties import jobs as split
from ..core import activations, limits
from ..report import pretty
from ..errors import BadInput, ClaimError
from ..core.ranges import parse_int_range, parse_rat_range
from ..core.verdict import INCONCLUSIVE, PROVED, REFUTED
from . import exits, options
from .output import emit_json, say

NAME = "check"
HELP = "decide one claim (a claim file, or a property given by flags)"
DESCRIPTION = """\
Decide one claim and print its verdict (proved / refuted / inconclusive), the method and
the evidence: formulas in reader's notation (n^2 - 2n + 2), enclosures as [lo, hi], lists of
rows as tables, SMT-LIB queries counted; --json prints all of it as it is.  Either give a
claim file, or describe the claim with flags.  A property that the tool cannot decide for
the given variant is inconclusive, with the reason.  With leaky ReLU (alpha > 0) the fixed
point is the two-point state (--state two-point), whose odd point is not orthogonal: a
claim about O_n (--state configuration) is refuted there.

Ranges: --n 3..20, --n 3.. (every n >= 3) or --n 5; --alpha 1/10 or 0..1/2 (leaky_relu).
A claim checked one n at a time writes a line per n on stderr as each is decided
("[2/6] command-line: n=4  refuted  3.1s"); stdout, and so --json, carries only the verdict.
Eigenvalues follow the scale-free convention for a homogeneous phi (ReLU family): those of
DF(G*)/c without the direction G*; for a non-homogeneous phi (gelu, erf, sin, ...: no scale
to quotient out) those of the map's own DF(G*), on every direction.

exit status: 0 proved, 1 refuted, 3 inconclusive, 2 usage error (also for an input beyond
the limits listed in docs/limits.md: n <= 10^6, at most 1000 n for a per-n property,
numbers of at most 400 characters, expressions of at most 2000 characters), 4 internal error.

examples:
  bnverify check proofs/stability-naive.toml
  bnverify check --stages rc,relu --n 3.. --property spectral-radius --relation '<' --bound 1
  bnverify check --stages rc,leaky_relu --alpha 0..1 --n 3.. --property spectral-radius \\
                 --state two-point --relation '>' --bound 1 --json --cert leaky.json
  bnverify check --stages rc,leaky_relu --alpha 1/2 --n 3.. --property orthogonal-outlier \\
                 --value=-4/5          (a value starting with '-' is written --value=-4/5)
  bnverify check --stages rc,leaky_relu --alpha 0..1 --n 7.. --property attractor-stable
                                       (every n >= 7 and every slope in [0, 1) at once)
  bnverify check --stages relu,rc --n 3.. --property spectral-radius --state simplex --relation '<' --bound 1
  bnverify check --stages rc,rs,relu --n 3.. --property spectral-radius --state simplex \\
                 --relation '<' --bound 1        (full batch normalization's symmetric state)
  bnverify check --stages rc --activation 'x*erf(x)' --weight-var 2 --n 3..8 --property fixed-point \\
                 --state two-point               (a formula: the kernel reads it itself)
"""
DESCRIPTION += "\nproperties (--property):\n" + "".join(
    "  %-24s %s\n" % (name, prop.doc) for name, prop in sorted(properties.PROPERTIES.items()))
EXIT = {PROVED: exits.OK, REFUTED: exits.REFUTED, INCONCLUSIVE: exits.UNDECIDED}


def add_arguments(p):
    p.add_argument("file", nargs="?", help="a claim file (*.toml)")
    p.add_argument("--stages", help="e.g. rc,relu or rc,rs,relu or rc,leaky_relu; relu,rc is BN after the "
                   "activation (fixed points and spectral radii by conjugation)")
    options.add_alpha(p, "leaky slope or range: 1/10, 0..1/2; elu's alpha, one value in (0, 100]")
    p.add_argument("--activation", metavar="FORMULA", help="the activation as a formula in x, e.g. 'x*erf(x)', beside "
                   "--stages rc: fixed-point and spectral-radius at --state two-point or simplex, and "
                   "invariant-configuration, decided by the kernel's own reader of the formula (docs/two-point.md); "
                   "a registered name is the same as naming it in --stages")
    p.add_argument("--weight-var", metavar="W", help="sigma_w^2: W has iid N(0, W/d) entries (default 1); for a "
                   "non-homogeneous activation it is part of the model, for the ReLU family it only scales")
    p.add_argument("--n", help="batch sizes: 3..20, 3.. or 5")
    p.add_argument("--property", help="one of the properties listed above")
    p.add_argument("--relation", help="< <= > >=")
    p.add_argument("--bound", help="exact rational, e.g. 1")
    p.add_argument("--state", help="configuration (O_n) | two-point | attractor | simplex (basin: also partner)")
    p.add_argument("--basin", help="basin: an interval of named fixed points, e.g. '(partner, configuration)'")
    p.add_argument("--points", help="kernel-definite: nonzero | no-positive-collinear | pairs-independent | no-collinear")
    p.add_argument("--value", help="an expression in n and alpha, e.g. 'n - 1'")
    p.add_argument("--eigenvalues", help="jacobian-spectrum: 'value:multiplicity, ...', e.g. '0:n, n/(n**2-2*n+2):n-2'")
    p.add_argument("--width", help="finite widths d: 256..4096")
    options.add_jobs(p, "worker processes for per-n checks (default: min(4, CPUs))")
    options.add_json(p, 'print {"verdict", "method", "evidence", ...}')
    parallel.add_executor_arguments(p)
    options.add_cert(p, "write the certificate of a proved / refuted verdict")


FLAGS = ("stages", "activation", "alpha", "weight_var", "n", "property", "relation", "bound", "state", "value", "eigenvalues", "width", "basin", "points")


def claim_from_flags(args):
    for name in ("stages", "n", "property"):
        if getattr(args, name) is None:
            raise BadInput("give a claim file or --%s (with --stages, --n and --property)" % name)
    prop = properties.PROPERTIES.get(args.property)
    if prop is None:
        raise BadInput("unknown property %r (known: %s)" % (args.property, ", ".join(sorted(properties.PROPERTIES))))
    parse_int_range(args.n, "n", prop.min_n)            # errors name the flag's value
    if args.value is not None:
        try:
            limits.guard_expression(args.value)
        except limits.ExpressionTooLarge as e:
            raise BadInput("--value: %s" % e)
    model, domain = {"stages": args.stages}, {"n": args.n}
    if args.activation is not None:
        if args.activation.strip() in activations.REGISTRY:
            model["stages"] = "%s,%s" % (args.stages, args.activation.strip())
        else:
            model["activation"] = {"formula": args.activation}
    if args.alpha is not None:          # one value: the model's (its activation's range checks it); a range: leaky's
        if ".." in args.alpha and not parse_rat_range(args.alpha).point:
            domain["alpha"] = args.alpha
        else:
            model["alpha"] = args.alpha.partition("..")[0]
    if args.width is not None:
        domain["width"] = args.width
    if args.weight_var is not None:
        model["weight_var"] = args.weight_var
    params = {k: getattr(args, k) for k in ("relation", "bound", "state", "value", "eigenvalues", "basin", "points")
              if getattr(args, k) is not None}
    data = {"id": "command-line", "title": "claim given on the command line",
            "statement": "%s of %s for n in %s" % (args.property, args.stages + (
                "" if args.activation is None else ", phi(x) = %s" % args.activation), args.n),
            "property": args.property, "expect": "proved", "model": model, "domain": domain,
            "params": params}
    try:
        spec.check_sizes(data, "command line")
        return spec.check_limits(spec.claim_from_dict(data, "command line"))
    except ClaimError as e:         # the claim's fields are the flags here: name those
        flag, problem = flag_of(e.field), in_flags(e.problem)
        raise BadInput(problem if problem.startswith(flag) else "%s: %s" % (flag, problem))


def flag_of(field):
    """The flag that sets a claim field: model.alpha and domain.alpha -> --alpha, params.bound -> --bound."""
    return "--" + {"domain.n_min": "n"}.get(field, field.rpartition(".")[2]).replace("_", "-")


def in_flags(problem):
    """A claim file's words for the flags': 'needs model.alpha or domain.alpha' -> 'needs --alpha ...'."""
    problem = problem.replace("model.alpha or domain.alpha", "--alpha (a slope, 1/10, or a range, 0..1)")
    return re.sub(r"\b(?:model|domain|params)\.(\w+)", lambda m: flag_of(m.group(0)), problem)


def claim_from_file(path):
    if not path.strip():
        raise BadInput("the claim file name is empty")
    path = Path(path)
    known = {p.stem for p in path.parent.glob("*.toml")} | {p.stem for p in spec.CATALOGUE.glob("*.toml")}
    return spec.load_claim(path, known)


def run(args):
    options.cert_path(args.cert)
    options.jobs(args.jobs)
    if args.file is not None:
        given = [f for f in FLAGS if getattr(args, f) is not None]
        if given:
            raise BadInput("give either a claim file or --%s, not both" % given[0])
        claim = claim_from_file(args.file)
    else:
        claim = claim_from_flags(args)
    ex = parallel.executor_for(args, args.jobs)
    try:
        per_n = len(split.units(claim)) > 1         # a line per n on stderr as it is decided (stdout untouched)
        (result,) = runner.run([claim], executor=ex, jobs=args.jobs, progress=per_n and options.talks(args))
    finally:
        if ex is not None:
            ex.shutdown()
    v = result.verdict
    if args.cert:
        if v.certificate is not None:
            certificate.write(v.certificate, args.cert, flag="--cert")
        else:
            sys.stderr.write("bnverify check: no certificate for an inconclusive verdict; %s not written\n" % args.cert)
    if args.json:
        emit_json(dict(v.to_json(), claim=claim.id, expect=claim.expect if args.file else None,
                       checked=bool(v.evidence.get("checked"))))       # at the top, beside the verdict
    else:
        say("%s: %s" % (claim.id, v))
        if args.file:
            say("  author's wording: %s" % claim.statement)
        say(pretty.evidence_lines(v.evidence))      # formulas as a reader writes them; all of it: --json
        if args.file and v.status != claim.expect:
            say("  (the claim file expects %s)" % claim.expect)
    return EXIT[v.status]
