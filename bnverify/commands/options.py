"""The options the commands share, declared and checked in one place: each adder declares a
flag with the same name, help and default everywhere; each check raises BadInput with one
message for the same mistake, whichever command made it."""
from __future__ import annotations

from fractions import Fraction

from pathlib import Path

from .. import files, parallel
from ..core import activations, limits, ranges
from ..core.stages import parse_stages
from ..errors import BadInput

PLOT_FORMATS = (".png", ".pdf", ".svg")
MAX_DECOMPOSE_N = 512           # cosines of every pair are classified every recorded layer
MAX_PHASE_CELLS = 100           # n values x widths in one phase diagram
MAX_LEVELS = 16                 # points of a geometric n or width axis
ALPHA_HELP = activations.alpha_help()
WEIGHT_VAR_HELP = ("sigma_w^2: W has iid N(0, sigma_w^2/d) entries; an exact rational > 0 (default 1).  With a "
                   "positively homogeneous activation (%s) or with rs it only scales every layer: the geometry "
                   "is the same" % ", ".join(activations.names(lambda k: k.stage and k.degree is not None)))


def activation_lines(indent="    ", width=88):
    """The registered activations of a model (from the registry), wrapped for a --help text."""
    import textwrap

    return "\n".join(textwrap.wrap(", ".join(activations.names(lambda k: k.stage)), width,
                                   initial_indent=indent, subsequent_indent=indent))


# ---------------------------------------------------------------- declarations
def add_json(p, help="print one JSON document on stdout"):
    p.add_argument("--json", action="store_true", help=help)


def add_seed(p, help="base seed (default 0)"):
    p.add_argument("--seed", type=int, default=0, metavar="BASE", help=help)


def add_jobs(p, help="worker processes (default min(2, cpu count); 1: in this process)"):
    p.add_argument("--jobs", type=int, default=None, metavar="J", help=help)


def add_stages(p, default="rc,relu", help="comma list of rc, rs and one activation (default rc,relu)"):
    p.add_argument("--stages", default=default, help=help)


def add_model(p, fixed, default="rc,relu", help=None):
    """--stages (the model, in order, as in every command), --activation NAME or FORMULA and
    --alpha; read back with :func:`model`.  --activation alone is the command's ``fixed``
    stages with that activation; beside a --stages that names no activation (rc, rc,rs) it is
    that list's activation: the one way a user formula enters a model, since a formula may
    itself hold commas (max(x, 0))."""
    add_stages(p, default=None, help=help or "comma list of rc, rs and one activation (default %s)" % default)
    p.add_argument("--activation", default=None, metavar="NAME|FORMULA",
                   help="the activation: a registered name (%s) or a formula in x such as 'x*erf(x)'.  Alone it "
                        "means --stages %s; with a --stages list of rc/rs only (e.g. --stages rc --activation "
                        "'x*erf(x)') it is that list's activation" % (", ".join(activations.names(lambda k: k.stage)),
                                                                      ",".join(fixed + ("NAME",))))
    add_alpha(p)
    p.set_defaults(_model=(tuple(fixed), default))


def add_weight_var(p, help=WEIGHT_VAR_HELP):
    p.add_argument("--weight-var", default="1", metavar="S2", help=help)


def add_alpha(p, help=ALPHA_HELP):
    p.add_argument("--alpha", default=None, help=help)


def add_progress(p):
    p.add_argument("--progress", action="store_true", default=None,
                   help="report progress on stderr even when it is not a terminal (on a terminal it always does; "
                        "stdout, and so --json, is never touched)")


def add_cert(p, help="write the certificate to FILE (re-check it with bnverify check-cert FILE)"):
    p.add_argument("--cert", default=None, metavar="FILE", help=help)


def add_plot(p, help, metavar="FILE.png"):
    p.add_argument("--plot", default=None, metavar=metavar, help=help + " (PNG, SVG or PDF)")


# ---------------------------------------------------------------- checks
def talks(args):
    """False when the Python API runs the command (bnverify.api sets ``args._quiet``): the lines
    a command writes on stderr as it goes (per-n verdicts, "all-n branch: ...") are for the
    command line; progress bars asked for with --progress still show."""
    return not getattr(args, "_quiet", False)


def at_least(flag, value, least):
    if value < least:
        raise BadInput("%s %d: must be at least %d" % (flag, value, least))


def seed(value, flag="--seed"):
    """A base seed: numpy's generators take no negative seed."""
    if value < 0:
        raise BadInput("%s %d: the seed must be >= 0" % (flag, value))
    return value


def jobs(value):
    """--jobs: None (the command's default) or 1..MAX_JOBS (the check the catalogue run makes)."""
    from ..claims.catalogue import check_jobs

    check_jobs(value)
    return value


def executor(args, jobs):
    """The executor --executor and --jobs ask for (the caller shuts it down): Dask's, else
    this process for one job, else a local process pool of ``jobs`` workers."""
    from ..derive.sweeps import InlineExecutor

    ex = parallel.executor_for(args, jobs)
    if ex is not None:
        return ex
    return InlineExecutor() if jobs == 1 else parallel.process_pool(jobs)


def slope(text):
    """--alpha as an exact rational, or None; its text guarded before Fraction reads it."""
    if text is None:
        return None
    limits.guard_number(str(text), "--alpha")
    try:
        return Fraction(str(text))
    except (ValueError, ZeroDivisionError):
        raise BadInput("--alpha %r is not a number" % text)


def weight_var(text, flag="--weight-var"):
    """sigma_w^2 as an exact rational in (0, 100] (core/ranges.py: one message per mistake)."""
    return ranges.parse_weight_var(text, flag)


def stages(text, alpha=None, after_ok=False):
    """(stages, Activation) of --stages (or --activation) and --alpha; the slope's text is
    guarded before it is read (a huge exponent would take minutes).  ``after_ok``: the command
    takes BN after the activation (core/stages.py: the stage tuple then starts with "nl")."""
    found = parse_stages(text, after_ok=after_ok)
    if alpha is None:
        return found
    if not found[1].takes_alpha:
        with_slope = activations.spoken(activations.names(lambda k: k.stage_alpha is not None))
        raise BadInput("--alpha %s: only %s take a parameter, the activation here is %s"
                       % (limits.show(alpha), with_slope, found[1].name))
    limits.guard_number(alpha, "--alpha")
    return parse_stages(text, alpha, after_ok=after_ok)


def model(args, command, why):
    """(stages, Activation) of a command declared with :func:`add_model`: --stages, or
    --activation NAME (its fixed stages and NAME), or the default; the stages must be the
    fixed ones (``why`` says what the command studies, for the message naming the right form),
    unless ``why`` is None (any of them: decompose's rows are the subsets of those given)."""
    fixed, default = args._model
    found, act = _model_of(args, fixed, default)
    if why is not None and found != fixed:
        flag = "--stages" if args.stages is not None else "--activation"
        raise BadInput("%s %s: %s studies %s: give --stages %s" % (
            flag, limits.show(args.stages if args.stages is not None else args.activation), command, why,
            ",".join(fixed + (act.name,))))
    return found, act


def _model_of(args, fixed, default):
    """(stages, Activation) of --stages, --activation and --alpha (see :func:`add_model`)."""
    if args.activation is None:
        return stages(args.stages if args.stages is not None else default, args.alpha)
    name = str(args.activation).strip()
    if args.stages is not None:
        named = [part.strip() for part in str(args.stages).lower().split(",")
                 if part.strip() in activations.names(lambda k: k.stage)]
        if named:
            raise BadInput("--stages %s names the activation %s and --activation gives %s: give the activation "
                           "in one of them, not both" % (limits.show(args.stages), named[0], limits.show(name)))
        listed, _ = stages(args.stages)
        base = ",".join(listed)
    else:
        base = ",".join(fixed)
    if name in activations.REGISTRY:
        return stages(",".join(filter(None, (base, name))), args.alpha)
    listed, _ = stages(base) if base else ((), None)
    return listed, activations.activation(name, slope(args.alpha))


def cert_path(path):
    """--cert FILE, checked before the run (None: not asked for)."""
    return None if path is None else files.check_output(path, "--cert")


def plot_path(path):
    """--plot FILE, checked before the run: a writable file ending in .png, .pdf or .svg (the
    format is its suffix).  None: not asked for."""
    if path is None:
        return None
    if str(path).strip() and Path(path).suffix.lower() not in PLOT_FORMATS:
        raise BadInput("--plot %s: give a file name ending in %s" % (path, ", ".join(PLOT_FORMATS)))
    return files.check_output(path, "--plot")


def int_list(text, flag):
    """'4,7,8' -> [4, 7, 8] (sorted, distinct): at most MAX_LEVELS integers."""
    parts = [p.strip() for p in str(text).split(",")]
    if not parts or len(parts) > MAX_LEVELS or not all(p.isdigit() and len(p) <= 6 for p in parts):
        raise BadInput("%s %s: give a comma list of at most %d integers" % (flag, limits.show(text), MAX_LEVELS))
    return sorted({int(p) for p in parts})


def geometric(text, flag, least, most):
    """'A..B' (or 'A') -> A, 2A, 4A, ... up to B (B itself included): integer levels in
    geometric steps of 2."""
    t = str(text).strip()
    parts = t.split("..")
    if len(parts) > 2 or not all(p.strip().isdigit() and len(p.strip()) <= 9 for p in parts):
        raise BadInput("%s %s: give A..B or A with positive integers" % (flag, limits.show(text)))
    lo, hi = int(parts[0]), int(parts[-1])
    if lo > hi:
        raise BadInput("%s %s: the range is empty (A > B)" % (flag, t))
    at_least(flag, lo, least)
    limits.guard_int(hi, flag, most)
    out, v = [], lo
    while v < hi:
        out.append(v)
        v *= 2
    out.append(hi)
    if len(out) > MAX_LEVELS:
        raise BadInput("%s %s: %d levels, at most %d" % (flag, t, len(out), MAX_LEVELS))
    return out
