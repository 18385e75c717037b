"""The Python API (docs/api.md): what ``import bnverify as bnv`` offers.

Claims::

    bnv.catalogue()                  the built-in claims (a list of Claim)
    bnv.claim("attractor")           one of them
    bnv.Claim.from_toml(path)        a claim file;  bnv.Claim.from_dict({...}) a claim as data
    bnv.check(claim_id_dict_or_path) one Result (claim + verdict), kernel-checked
    bnv.verify(ids=None)             Results for the catalogue (or the given ids)

The commands, one function each (``bnverify gram-starts`` is ``bnv.gram_starts``)::

    bnv.attractor(n="7..12")         bnv.simplex(n="3..")        bnv.jacobian(n=8)
    bnv.basins(n=7)                  bnv.simulate(n=16, ...)     bnv.decompose(...)
    bnv.lyapunov(...)  bnv.phase(...)  bnv.endstate(...)  bnv.gram_starts(...)  bnv.rank(...)
    bnv.kernel(...)    bnv.bsb1(...)   bnv.gradients(...)  bnv.atlas(...)  bnv.check_cert(path)

Each runs the command's own computation (its module's ``compute(args)``, the code behind its
--json): the keyword arguments are the command's flags (``--check-to`` is ``check_to``), with
the same defaults, read and checked by the command's own parser and checks, so a bad value
raises the error the command line prints.  Each returns a typed result (a
:class:`CommandResult`): fields, a short repr, a table in Jupyter, and ``to_json()``, the dict
that ``bnverify COMMAND --json`` prints.  Enclosures are :class:`Interval` objects with exact
ends.

Every call is safe in a plain script without an ``if __name__ == "__main__":`` guard (the
worker pool never re-imports the caller; a single job runs in this process).  Errors a user
can cause raise :class:`bnverify.errors.BadInput` (ClaimError for a malformed claim,
LimitError for an input beyond a documented limit) with a one-line message.
"""
from __future__ import annotations

import argparse
import copy
import difflib
import html
import inspect
import json
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from . import cli
from .claims import spec
from .commands import output
from .core.interval import Interval
from .errors import BadInput

COLOURS = {"proved": "#1a7f37", "refuted": "#cf222e", "inconclusive": "#9a6700"}
MAX_HTML_ROWS = 60          # rows of a table shown in Jupyter (to_json() has them all)


# ====================================================================== claims
def catalogue(directory=None):
    """The built-in catalogue (or the claims of ``directory``), ordered so that a claim comes
    after the claims it uses."""
    return spec.load_catalogue(directory)


def claim(claim_id):
    """The catalogue's claim with this id."""
    for c in catalogue():
        if c.id == claim_id:
            return c
    raise BadInput("no claim %r in the catalogue (known: %s)" % (
        claim_id, ", ".join(c.id for c in catalogue())))


def as_claim(obj):
    """A Claim from a Claim, a dict (the claim-file schema, docs/claims-schema.md), a catalogue
    id (``"stability-naive"``) or the path of a claim file."""
    if isinstance(obj, spec.Claim):
        return obj
    if isinstance(obj, dict):
        return spec.Claim.from_dict(obj)
    if isinstance(obj, str) and not obj.endswith(".toml") and not Path(obj).exists():
        return claim(obj)                   # an id: the path reading made it "no such file"
    if isinstance(obj, (str, Path)):
        return spec.Claim.from_toml(obj)
    raise BadInput("check() takes a Claim, a dict or a claim file's path, not %s" % type(obj).__name__)


def check(obj, executor=None, jobs=None, progress=False):
    """Decide one claim: a :class:`Result` (``.verdict`` has status, method, evidence and the
    certificate).  ``executor``: any concurrent.futures.Executor for its per-n jobs."""
    return verify_claims([as_claim(obj)], executor=executor, jobs=jobs, progress=progress)[0]


def verify(ids=None, executor=None, jobs=None, progress=False):
    """Decide the catalogue's claims (all, or those with the given ids; ``full`` claims only
    when named): :class:`Results`, in catalogue order."""
    cs = catalogue()
    if ids is None:
        chosen = [c for c in cs if not c.full]
    else:
        ids = [ids] if isinstance(ids, str) else list(ids)
        unknown = sorted(set(ids) - {c.id for c in cs})
        if unknown:
            raise BadInput("no claim %s in the catalogue" % ", ".join(map(repr, unknown)))
        chosen = [c for c in cs if c.id in ids]
    return verify_claims(chosen, executor=executor, jobs=jobs, progress=progress)


def verify_claims(cs, executor=None, jobs=None, progress=False):
    """Results for a list of Claims (the runner: identical jobs once, per-n jobs in parallel)."""
    from .claims import runner
    return Results(runner.run(list(cs), executor=executor, jobs=jobs, progress=progress))


class Results(list):
    """A list of runner Results that shows as a table in Jupyter and converts to JSON."""

    @property
    def ok(self):
        """True iff every verdict is the one its claim expects."""
        return all(r.ok for r in self)

    def to_json(self, indent=1):
        return json.dumps({"claims": [r.to_dict() for r in self]}, indent=indent, default=str)

    def _repr_html_(self):
        e = html.escape
        rows = "".join(
            "<tr><td><code>%s</code></td><td style='text-align:left'>%s</td>"
            "<td><b style='color:%s'>%s</b></td><td>%s</td><td style='text-align:left'>%s</td>"
            "<td>%.2f</td></tr>" % (e(r.claim.id), e(r.claim.title), COLOURS[r.verdict.status],
                                     e(r.verdict.status), "&#10003;" if r.ok else "&#10007; expected " + e(r.claim.expect),
                                     e(r.verdict.method), r.verdict.seconds) for r in self)
        head = "".join("<th>%s</th>" % h for h in ("claim", "title", "verdict", "as expected", "method", "s"))
        return "<table><thead><tr>%s</tr></thead><tbody>%s</tbody></table>" % (head, rows)

    def __repr__(self):
        return "\n".join("%-24s %-12s %s" % (r.claim.id, r.verdict.status, "" if r.ok else
                                             "(expected %s)" % r.claim.expect) for r in self)


# ====================================================================== the commands
COMMANDS = {m.NAME: m for m in cli.COMMANDS}
NOT_ARGUMENTS = {"help", "json"}        # the functions always return the data


class _Parser(argparse.ArgumentParser):
    """A command's own parser (its ``add_arguments``); a bad value raises BadInput with the
    message the command line prints after "error: "."""

    def error(self, message):
        raise BadInput(cli.one_line(message))


def _parser(name):
    p = _Parser(prog="bnverify " + name, add_help=False)
    COMMANDS[name].add_arguments(p)
    return p


def _arguments(parser):
    """{keyword: argparse action} of a command's flags, in the order of its --help."""
    return {a.dest: a for a in parser._actions if a.dest not in NOT_ARGUMENTS and a.dest != argparse.SUPPRESS}


def _flag(action):
    """The flag of an action: --check-to for check_to (an older spelling, --layers, is not it)."""
    own = "--" + action.dest.replace("_", "-")
    return own if own in action.option_strings else action.option_strings[0]


def _text(value):
    """A keyword argument as the command line's text: '7..12' stays, 8 -> '8', Fraction(1, 10) ->
    '1/10', [4, 8] -> '4,8', a path -> its text."""
    if isinstance(value, (list, tuple)):
        return ",".join(_text(v) for v in value)
    return str(value)


def namespace(name, options):
    """The argparse Namespace that ``bnverify NAME`` gives for these keyword arguments (None:
    the command's default; True / False for a flag without a value), read by the command's own
    parser.  Unknown keywords and bad values raise BadInput."""
    parser = _parser(name)
    known = _arguments(parser)
    argv, positional, off = [], [], []
    for key, value in options.items():
        action = known.get(key)
        if action is None:
            near = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            raise BadInput("%s(): unknown argument %r%s (see help(bnverify.%s))" % (
                _function_name(name), key, " (did you mean %s?)" % near[0] if near else "", _function_name(name)))
        if value is None:
            continue
        if action.nargs == 0:               # a flag without a value (--symbolic, --progress)
            if value is True:
                argv.append(_flag(action))
            elif value is False:
                off.append(key)
            else:
                raise BadInput("%s=%r: give True or False" % (key, value))
        elif action.option_strings:
            argv.append("%s=%s" % (_flag(action), _text(value)))
        else:
            positional.append(_text(value))
    args = parser.parse_args(argv + (["--"] + positional if positional else []))
    for key in off:                         # progress=False: none, even on a terminal
        setattr(args, key, False)
    args._quiet = True                      # no per-n lines on stderr (options.talks)
    return args


def _function_name(command):
    return command.replace("-", "_")


def _compute(name, options, **extra):
    """The command's --json document for these keyword arguments."""
    return COMMANDS[name].compute(namespace(name, options), **extra)


def _signature(name):
    """The keyword-only signature of a command's function: its flags with their defaults."""
    params = []
    for key, action in _arguments(_parser(name)).items():
        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD if not action.option_strings else \
            inspect.Parameter.KEYWORD_ONLY
        default = inspect.Parameter.empty if action.required else action.default
        params.append(inspect.Parameter(key, kind, default=default))
    return inspect.Signature(params)


def _arguments_doc(name):
    """The "Arguments" part of a command function's docstring, from the command's --help."""
    import textwrap

    lines = ["", "", "    Arguments (the flags of ``bnverify %s``; None: the command's default):" % name]
    for key, action in _arguments(_parser(name)).items():
        default = "" if action.required or action.default in (None, False) else " [%s]" % action.default
        lines += textwrap.wrap("%s%s: %s" % (key, default, " ".join((action.help or "").replace("%%", "%").split())),
                               96, initial_indent=" " * 8, subsequent_indent=" " * 12)
    return "\n".join(lines)


def attractor(**options):
    """``bnverify attractor``: the spread-cluster fixed point certified per n (Krawczyk box,
    spectral radius, absence below), or for every n of an open or long range.  An
    :class:`Attractor`."""
    return Attractor(_compute("attractor", options))


def simplex(**options):
    """``bnverify simplex``: the simplex state certified per n, or for every n of an open or
    long range.  A :class:`Simplex`."""
    return Simplex(_compute("simplex", options))


def jacobian(**options):
    """``bnverify jacobian``: the two-point fixed point, its symmetry blocks and the closed-form
    spectrum of the linearization, at one n or for symbolic n.  A :class:`Jacobian`."""
    return Jacobian(_compute("jacobian", options))


def basins(**options):
    """``bnverify basins``: the basin of every fixed point of the symmetric reduction at one n,
    proved, each re-checked by the trusted kernel.  A :class:`Basins`."""
    return Basins(_compute("basins", options))


def simulate(**options):
    """``bnverify simulate``: finite-width networks from Gaussian batches, many seeds; the last
    layer's geometry per seed.  A :class:`Simulation`."""
    return Simulation(_compute("simulate", options))


def decompose(**options):
    """``bnverify decompose``: the stage ablation, each subset of RC, RS, NL at infinite width
    (a verdict) and at finite width (end classes).  A :class:`Decomposition`."""
    return Decomposition(_compute("decompose", options))


def lyapunov(**options):
    """``bnverify lyapunov``: the finite-width growth rate of the cluster spread at O_n with a
    95% interval over seeds, beside its infinite-width value.  A :class:`Lyapunov`."""
    return Lyapunov(_compute("lyapunov", options))


def phase(**options):
    """``bnverify phase``: the (n, width) phase diagram of the finite-width end state.  A
    :class:`Phase`."""
    return Phase(_compute("phase", options))


def endstate(**options):
    """``bnverify endstate``: where finite-width RC + ReLU networks end, against the certified
    attractor at the same n.  An :class:`Endstate`."""
    return Endstate(_compute("endstate", options))


def gram_starts(**options):
    """``bnverify gram-starts``: the limits of the full Gram map from random PSD starts
    (sampled).  A :class:`GramStarts`."""
    return GramStarts(_compute("gram-starts", options))


def rank(**options):
    """``bnverify rank``: rank growth, K(Sigma) by the lemma and the sampled rank of phi(W X)
    against the width.  A :class:`Rank`."""
    return Rank(_compute("rank", options))


def kernel(**options):
    """``bnverify kernel``: certified enclosures of the dual kernel E[phi(x) phi(y)], its
    derivatives and E[phi^2].  A :class:`Kernel`."""
    return Kernel(_compute("kernel", options))


def bsb1(**options):
    """``bnverify bsb1``: enclosures of the symmetric (BSB1) fixed point of RC + RS + phi per n.
    A :class:`BSB1`."""
    return BSB1(_compute("bsb1", options))


def gradients(**options):
    """``bnverify gradients``: enclosures of the per-layer gradient-norm growth rate at the BSB1
    state of RC + RS + phi or RC + phi per n.  A :class:`Gradients`."""
    return Gradients(_compute("gradients", options))


def atlas(**options):
    """``bnverify atlas``: per activation and weight variance, the trusted kernel's cells, the
    float infinite-width end and the sampled finite-width end.  An :class:`Atlas`."""
    return Atlas(_compute("atlas", options))


def check_cert(path, **options):
    """``bnverify check-cert``: re-verify a certificate file, or every certificate under a
    folder, with the trusted checker.  A :class:`CertificateCheck`."""
    return CertificateCheck(_compute("check-cert", dict(options, path=path)))


FUNCTIONS = {"attractor": attractor, "simplex": simplex, "jacobian": jacobian, "basins": basins,
             "simulate": simulate, "decompose": decompose, "lyapunov": lyapunov, "phase": phase,
             "endstate": endstate, "gram-starts": gram_starts, "rank": rank, "kernel": kernel, "bsb1": bsb1,
             "gradients": gradients,
             "atlas": atlas, "check-cert": check_cert}
for _name, _fn in FUNCTIONS.items():
    _fn.__signature__ = _signature(_name)
    _fn.__doc__ += _arguments_doc(_name)


# ====================================================================== results
def _iv(pair):
    """An Interval from a JSON [lo, hi] pair (None stays None)."""
    return Interval.of(pair)


def _status_html(status):
    colour = COLOURS.get(status, "#57606a")
    return "<b style='color:%s'>%s</b>" % (colour, html.escape(str(status)))


def _cell(x):
    if x is None:
        return "&ndash;"
    if isinstance(x, float):
        return "%.4g" % x
    return html.escape(str(x))


def _table(head, rows, raw=()):
    """An HTML table; the columns whose index is in ``raw`` hold HTML already."""
    shown = rows[:MAX_HTML_ROWS]
    body = "".join("<tr>%s</tr>" % "".join("<td style='text-align:left'>%s</td>" % (c if i in raw else _cell(c))
                                           for i, c in enumerate(r)) for r in shown)
    more = "" if len(rows) <= len(shown) else \
        "<tr><td colspan='%d'>&hellip; %d more rows (see .to_json())</td></tr>" % (len(head), len(rows) - len(shown))
    return "<table><thead><tr>%s</tr></thead><tbody>%s%s</tbody></table>" % (
        "".join("<th>%s</th>" % html.escape(h) for h in head), body, more)


def _counts(statuses):
    """'6 proved, 1 refuted'."""
    c = Counter(statuses)
    return ", ".join("%d %s" % (c[s], s) for s in sorted(c, key=lambda s: (-c[s], s)))


def _label(activation, alpha):
    return activation if alpha is None else "%s(%s)" % (activation, alpha)


def _model(result, d):
    """The simulators' common model fields: ``weight_var`` (sigma_w^2, a Fraction) and
    ``formula`` (the user formula's text, or None)."""
    result.weight_var, result.formula = Fraction(d["weight_var"]), d["formula"]


def _short(text, limit=90):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


class CommandResult:
    """What a command's function returns: typed fields read from the command's --json document,
    ``to_json()`` (that document as Python data: the dict ``bnverify COMMAND --json`` prints),
    a short repr, and a table in Jupyter (``_repr_html_``; ``_repr_latex_`` where formulas or
    enclosures make one)."""

    command = ""

    def __init__(self, doc):
        self._json = output.as_json(doc)
        self._read(self._json)

    def _read(self, d):
        raise NotImplementedError

    def to_json(self):
        """The command's --json document as Python data (a fresh copy)."""
        return copy.deepcopy(self._json)

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, self._summary())

    def _summary(self):
        raise NotImplementedError

    def _head_html(self):
        return "<p><b>%s</b>: %s</p>" % (html.escape(type(self).__name__), html.escape(self._summary()))

    def _repr_html_(self):
        return "<div>%s%s</div>" % (self._head_html(), self._body_html())

    def _body_html(self):
        return ""


# ---------------------------------------------------------------- attractor, simplex
@dataclass(repr=False)
class StateRow:
    """One n of an attractor or simplex table: the kernel's status and the enclosures (None
    where the state is absent or undecided); ``exact``: closed forms (simplex, text)."""
    n: int
    status: str
    checked: bool
    cluster_cos: Interval | None = None
    odd_cos: Interval | None = None
    norm_ratio: Interval | None = None
    spectral_radius: Interval | None = None
    simplex_cos: Interval | None = None
    seconds: float | None = None
    reason: str | None = None
    exact: dict = field(default_factory=dict)
    post_state: dict | None = None        # BN after the activation: C G* C's enclosures (Intervals)
    s: Interval | None = None             # a non-homogeneous phi's simplex state s I + b J: s and E[phi^2]
    squared_norm: Interval | None = None
    stable: str | None = None             # ... and the kernel's verdict on "spectral radius < 1"
    n_range: str | None = None            # a row for every n of a range at once (a collapse lemma): "3..", else None

    @classmethod
    def of(cls, row):
        post = row.get("post_state")
        return cls(n=row["n"], status=row["status"], checked=bool(row.get("checked")),
                   **{f: _iv(row.get(f)) for f in ("cluster_cos", "odd_cos", "norm_ratio", "spectral_radius",
                                                    "simplex_cos", "s", "squared_norm")},
                   stable=row.get("stable"),
                   seconds=row.get("seconds"), reason=row.get("reason"), exact=dict(row.get("exact") or {}),
                   post_state=None if post is None else {k: _iv(v) for k, v in post.items()},
                   n_range=None if "n_last" not in row else "%d..%s" % (row["n"], "" if row["n_last"] is None
                                                                       else row["n_last"]))

    def __repr__(self):
        return "StateRow(n=%s, %s%s)" % (self.n_range or self.n, self.status, ", spectral_radius %r" %
                                         self.spectral_radius if self.spectral_radius is not None else "")


def _asymptotics(a):
    """The all-n run's asymptotics with its [lo, hi] pairs as Intervals."""
    if not a:
        return a
    out = {}
    for k, q in a.items():
        out[k] = {key: (_iv(v) if isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v) else v)
                  for key, v in q.items()}
    return out


class _StateSweep(CommandResult):
    FIELDS = ()

    def _read(self, d):
        self.activation = d["activation"]
        self.rows = [StateRow.of(r) for r in d["results"]]
        self.summary = d["summary"]                 # None for a per-n table
        self.asymptotics = _asymptotics(d["asymptotics"])
        self.boxes = d["boxes"]
        self.conjugation = d["conjugation"]         # BN after the activation (--stages relu,rc), else None
        self.weight_var = d.get("weight_var")      # sigma_w^2 (simplex: "1" for a homogeneous phi)

    @property
    def all_n(self):
        """True for the proof over every n of an open or long range."""
        return self.summary is not None

    @property
    def status(self):
        """The all-n proof's verdict; for a per-n table the rows' common status, or "mixed"."""
        if self.all_n:
            return self.summary["status"]
        statuses = {r.status for r in self.rows}
        return statuses.pop() if len(statuses) == 1 else "mixed"

    def row(self, n):
        """The row of this n (KeyError if the table has none)."""
        for r in self.rows:
            if r.n == n:
                return r
        raise KeyError(n)

    def _range(self):
        if self.all_n:
            lo, hi = self.summary["range"]
            return "%d..%s" % (lo, "" if hi is None else hi)
        ns = [r.n for r in self.rows]
        return self.rows[0].n_range or str(ns[0]) if len(ns) == 1 else "%d..%d" % (ns[0], ns[-1])

    def _summary(self):
        return ("%s (read at C G* C by conjugation: %s) " % (self.conjugation["stages"], self.conjugation["status"])
                if self.conjugation else "") + self._table_summary()

    def _table_summary(self):
        if self.all_n:
            return "%s, n=%s: %s for every n%s; %d boxes" % (
                self.activation, self._range(), self.summary["status"],
                " (kernel-checked)" if self.summary["checked"] else "", len(self.boxes))
        if len(self.rows) == 1:
            r = self.rows[0]
            return "%s, n=%s: %s%s" % (self.activation, r.n_range or r.n, r.status, ", spectral_radius %r" %
                                       r.spectral_radius if r.spectral_radius is not None else "")
        return "%s, n=%s: %s" % (self.activation, self._range(), _counts(r.status for r in self.rows))

    def _body_html(self):
        parts = []
        if self.all_n:
            sm = self.summary
            parts.append("<p>%s</p>" % html.escape(sm.get("proved_statement") or sm.get("reason") or ""))
            if self.asymptotics:
                parts.append(_table(["quantity", "leading term (t = 1/n)", "coefficient"], [
                    [k, "%s &middot; t<sup>%s</sup>" % (html.escape(str(q.get("closed_form"))), q.get("power")),
                     q.get("coefficient")] for k, q in self.asymptotics.items() if "coefficient" in q], raw=(1,)))
        if self.rows:
            parts.append(_table(["n", "status"] + list(self.FIELDS), [
                [r.n, _status_html(r.status)] + [getattr(r, f) for f in self.FIELDS] for r in self.rows], raw=(1,)))
        return "".join(parts)

    def _repr_latex_(self):
        if not self.rows:
            return None
        shown = self.rows[:MAX_HTML_ROWS]
        cols = [f for f in self.FIELDS if any(getattr(r, f) is not None for r in shown)]
        head = " & ".join([r"n", r"\text{status}"] + [r"\text{%s}" % f.replace("_", r"\_") for f in cols])
        body = r" \\ ".join(" & ".join([str(r.n), r"\text{%s}" % r.status] + [
            getattr(r, f).latex() if getattr(r, f) is not None else "-" for f in cols]) for r in shown)
        return r"$$\begin{array}{%s} %s \\ \hline %s \end{array}$$" % ("r" + "l" * (len(cols) + 1), head, body)


class Attractor(_StateSweep):
    """``bnv.attractor(...)``: ``rows`` (a :class:`StateRow` per n: cluster_cos, odd_cos,
    norm_ratio, spectral_radius as Intervals), ``smallest_n``, ``below_range`` ({n: status}),
    ``fold`` (with fold=...), and for an all-n run ``summary``, ``asymptotics``, ``boxes``."""

    command = "attractor"
    FIELDS = ("cluster_cos", "odd_cos", "norm_ratio", "spectral_radius")

    def _read(self, d):
        super()._read(d)
        self.smallest_n = d["smallest_n"]
        self.smallest_n_note = d["smallest_n_note"]
        self.below_range = {b["n"]: b["status"] for b in d["below_range"]}
        self.fold = d.get("fold")

    def _summary(self):
        return super()._summary() + ("; smallest_n=%d" % self.smallest_n if self.smallest_n is not None else "")


class Simplex(_StateSweep):
    """``bnv.simplex(...)``: ``rows`` (a :class:`StateRow` per n: simplex_cos, spectral_radius
    as Intervals, ``exact`` closed forms as text), and for an all-n run ``summary``,
    ``asymptotics``, ``boxes`` (each with its radius bound)."""

    command = "simplex"
    FIELDS = ("simplex_cos", "spectral_radius")


# ---------------------------------------------------------------- jacobian
@dataclass(repr=False)
class Eigenvalue:
    """An eigenvalue of the scale-free linearization: exact (sympy), its multiplicity, the
    modes it moves, its LaTeX, and for symbolic n the n from which the formula holds."""
    value: object
    multiplicity: object
    mode: str
    latex: str
    multiplicity_latex: str
    valid_from: int | None = None

    def __repr__(self):
        return "Eigenvalue(%s, multiplicity %s)" % (self.value, self.multiplicity)


class Jacobian(CommandResult):
    """``bnv.jacobian(...)``: ``n`` (an int, or the symbol n), ``state`` (O_n or the two-point
    state), ``scale_factor`` c, ``fixed_point`` ({entry: value}), ``eigenvalues`` (a list of
    :class:`Eigenvalue`, sympy values), ``blocks``, ``stability`` and the trusted kernel's
    ``stability_verdict``.  LaTeX in Jupyter."""

    command = "jacobian"

    def _read(self, d):
        from .derive import symbolic

        if "method" in d:           # a non-homogeneous phi: Arb balls, read as Intervals
            self.symbolic, self.n, self.activation, self.state = False, d["n"], d["activation"], d["state"]
            self.weight_var = Fraction(d["weight_var"])
            self.scale_factor = 1
            self.fixed_point = {k: _ball(v) for k, v in d["fixed_point"].items()}
            self.eigenvalues = [Eigenvalue(value=_ball(e["value"]), multiplicity=e["multiplicity"], mode=e["mode"],
                                           latex=e["latex"], multiplicity_latex=e["multiplicity_latex"])
                                for e in d["eigenvalues"]]
            self.blocks, self.stability, self.stability_verdict = d["blocks"], d["stability"], d["stability_verdict"]
            return
        self.symbolic = isinstance(d["n"], str)
        names = {"n": symbolic.N, "alpha": symbolic.ALPHA}
        self.n = symbolic.N if self.symbolic else d["n"]
        self.activation = d["activation"]
        self.state = d["state"]
        self.scale_factor = _sympy(d["scale_factor"], names)
        self.fixed_point = {k: _sympy(v, names) for k, v in d["fixed_point"].items()}
        self.eigenvalues = [Eigenvalue(value=_sympy(e["value"], names),
                                       multiplicity=_sympy(e["multiplicity"], names) if self.symbolic
                                       else e["multiplicity"],
                                       mode=e["mode"], latex=e["latex"], multiplicity_latex=e["multiplicity_latex"],
                                       valid_from=e.get("valid_from")) for e in d["eigenvalues"]]
        self.blocks = d["blocks"]
        self.stability = d["stability"]
        self.stability_verdict = d["stability_verdict"]

    def _summary(self):
        from .report import pretty

        return "%s, %s, n=%s: c = %s; %d distinct eigenvalues; stability %s" % (
            self.state, self.activation, self.n, _short(pretty.formula(str(self.scale_factor)), 60), len(self.eigenvalues),
            self.stability_verdict["verdict"])

    def _body_html(self):
        return _table(["eigenvalue", "multiplicity", "modes"],
                      [[e.value, e.multiplicity, e.mode] for e in self.eigenvalues]) + \
            "<p>%s</p>" % html.escape(self.stability)

    def _repr_latex_(self):
        lines = [r"c &= %s" % self._json["scale_factor_latex"]]
        lines += [r"\lambda_{%d} &= %s \quad (\times %s)" % (k + 1, e.latex, e.multiplicity_latex)
                  for k, e in enumerate(self.eigenvalues)]
        return _aligned(lines)


def _aligned(lines):
    """LaTeX lines 'a &\\in b' as one aligned display."""
    return r"$$\begin{aligned} %s \end{aligned}$$" % r" \\ ".join(lines)


def _ns(rows):
    """'8' or '3..20': the n of a result's rows (dicts with "n")."""
    return str(rows[0]["n"]) if len(rows) == 1 else "%d..%d" % (rows[0]["n"], rows[-1]["n"])


def _sympy(text, names):
    import sympy as sp

    return sp.sympify(text, locals=names)


# ---------------------------------------------------------------- basins
@dataclass(repr=False)
class FixedPoint:
    """A fixed point of the reduced map h: its rho, h' there (``slope``), whether it is stable,
    and the batch's state there (``gamma``: cluster_cos, odd_cos, norm_ratio), all enclosed."""
    state: str
    rho: Interval
    slope: Interval
    stable: bool
    gamma: dict

    def __repr__(self):
        return "FixedPoint(%s, rho %r, %s)" % (self.state, self.rho, "stable" if self.stable else "unstable")


@dataclass(repr=False)
class Basin:
    """The basin of a stable fixed point ``to``: its rho-interval(s), the kernel's verdict on
    it, and the layer counts (``rate``; its enclosures as Intervals)."""
    to: str
    interval: str
    rho: list
    verdict: str
    rate: dict

    def __repr__(self):
        return "Basin(%s %s: %s)" % (self.to, self.interval, self.verdict)


def _ball(text):
    """An Arb ball's text ('[1.81 +/- 3.4e-12]', or an exact '0') as an Interval (its ends exact)."""
    from flint import arb

    b = arb(text)
    ends = []
    for x in (b.lower(), b.upper()):
        man, exp = x.mid().man_exp()
        ends.append(Fraction(int(man)) * Fraction(2) ** int(exp))
    return Interval(*ends)


def _intervals(x):
    """Every [lo, hi] pair of decimal strings inside ``x`` as an Interval."""
    if isinstance(x, list) and len(x) == 2 and all(isinstance(v, str) for v in x):
        try:
            return Interval.of(x)
        except (ValueError, TypeError):
            return x
    if isinstance(x, list):
        return [_intervals(v) for v in x]
    if isinstance(x, dict):
        return {k: _intervals(v) for k, v in x.items()}
    return x


class Basins(CommandResult):
    """``bnv.basins(...)``: ``fixed_points`` (a list of :class:`FixedPoint`), ``basins`` (a
    list of :class:`Basin`), ``kernel`` ({state: verdict}), ``partner_gap`` and ``monotone``
    (their enclosures as Intervals), ``status`` ("proved" when every basin is); ``reason``
    when the cover was not proved."""

    command = "basins"

    def _read(self, d):
        self.n, self.activation, self.status = d["n"], d["activation"], d["status"]
        self.reason = d.get("reason")
        self.kernel = d.get("kernel", {})
        self.fixed_points = [FixedPoint(state=f["state"], rho=_iv(f["rho"]), slope=_iv(f["slope"]),
                                        stable=f["stable"], gamma=_intervals(f["gamma"]))
                             for f in d.get("fixed_points", [])]
        self.basins = [Basin(to=b["to"], interval=b["interval"], rho=[_iv(p) for p in b["rho"]],
                             verdict=self.kernel.get(b["to"], "-"), rate=_intervals(b.get("rate", {})))
                       for b in d.get("basins", [])]
        self.partner_gap = _intervals(d.get("partner_gap"))
        self.monotone = _intervals(d.get("monotone"))

    def _summary(self):
        if not self.basins:
            return "n=%d, %s: %s (%s)" % (self.n, self.activation, self.status, _short(self.reason, 120))
        return "n=%d, %s: %s; basins of %s" % (self.n, self.activation, self.status,
                                               ", ".join(b.to for b in self.basins))

    def _body_html(self):
        return _table(["fixed point", "rho", "h'", "stable"],
                      [[f.state, f.rho, f.slope, "yes" if f.stable else "no"] for f in self.fixed_points]) + \
            _table(["basin of", "rho-interval", "rho", "kernel"],
                   [[b.to, b.interval, ", ".join(map(repr, b.rho)), _status_html(b.verdict)] for b in self.basins],
                   raw=(3,))


# ---------------------------------------------------------------- sampled runs
@dataclass(repr=False)
class SeedRow:
    """One seed's last layer: the odd point (the longest), its norm over the others' mean, its
    largest |cosine| to them, the smallest cosine between two others, the scale (the mean
    square of an entry) and how many points are exactly 0."""
    seed: int
    odd_index: int
    norm_ratio: float | None
    max_abs_cos_odd: float | None
    min_cos_others: float | None
    scale: float | None = None
    zero_points: int = 0

    def __repr__(self):
        return "SeedRow(seed %d: odd %d, norm ratio %.4g, max|cos odd| %.4f)" % (
            self.seed, self.odd_index, _num(self.norm_ratio), _num(self.max_abs_cos_odd))


def _num(x):
    return float("nan") if x is None else x


def _seed_rows(rows):
    return [SeedRow(**{k: r[k] for k in ("seed", "odd_index", "norm_ratio", "max_abs_cos_odd", "min_cos_others",
                                         "scale", "zero_points")})
            for r in rows]


class Simulation(CommandResult):
    """``bnv.simulate(...)``: ``params``, ``seeds`` (a :class:`SeedRow` per seed), ``outliers``
    (how many end with one odd point), ``trajectory`` (with every=K: [(layer, [SeedRow])])."""

    command = "simulate"

    def _read(self, d):
        self.params = d["params"]
        _model(self, d["params"])
        self.seeds = _seed_rows(d["seeds"])
        self.outliers = d["summary"]["outliers"]
        self.criterion = d["summary"]["criterion"]
        self.seconds = d["seconds"]
        self.trajectory = [(t["depth"], _seed_rows(t["seeds"])) for t in d["trajectory"]] \
            if "trajectory" in d else None

    def _summary(self):
        p = self.params
        ratios = sorted(_num(s.norm_ratio) for s in self.seeds)
        return "%s, n=%d, width=%d, depth=%d, %d seeds: %d end with one odd point; median norm ratio %.4g" % (
            ",".join(p["stages"] + [_label(p["activation"], p["alpha"])]), p["n"], p["width"], p["depth"],
            p["seeds"], self.outliers, ratios[len(ratios) // 2])

    def _body_html(self):
        return _table(["seed", "odd", "norm ratio", "max|cos odd|", "min cos others"],
                      [[s.seed, s.odd_index, s.norm_ratio, s.max_abs_cos_odd, s.min_cos_others] for s in self.seeds])


@dataclass(repr=False)
class StageRow:
    """A stage set of the ablation: its infinite-width fact (``verdict``, ``statement``,
    ``method``) and, at finite width, the fraction of seeds ending in each class with its 95%
    Wilson interval (``ci``) and median layer."""
    stages: tuple
    verdict: str
    statement: str
    method: str
    fractions: dict
    ci: dict
    median_layers: dict
    infinite_width: dict

    def __repr__(self):
        top = max(self.fractions, key=self.fractions.get)
        return "StageRow(%s: %s; %s %.2f)" % (",".join(self.stages) or "none", self.verdict, top, self.fractions[top])


class Decomposition(CommandResult):
    """``bnv.decompose(...)``: ``rows`` (a :class:`StageRow` per subset of the stages) and the
    run's parameters (n, activation, width, depth, seeds, start)."""

    command = "decompose"

    def _read(self, d):
        self.n, self.width, self.depth, self.seeds, self.start = d["n"], d["width"], d["depth"], d["seeds"], d["start"]
        self.activation = _label(d["activation"], d["alpha"])
        _model(self, d)
        self.weight_var_note = d["weight_var_note"]
        self.classes = d["classes"]
        self.rows = [StageRow(stages=tuple(r["stages"]), verdict=r["infinite_width"]["verdict"],
                              statement=r["infinite_width"]["statement"], method=r["infinite_width"]["method"],
                              fractions=r["finite_width"]["fractions"],
                              ci={k: _iv(v) for k, v in r["finite_width"]["ci"].items()},
                              median_layers=r["finite_width"]["median_layers"], infinite_width=r["infinite_width"])
                     for r in d["rows"]]

    def _summary(self):
        return "n=%d, %s, width=%d, depth=%d, %d seeds: %d stage sets, %s" % (
            self.n, self.activation, self.width, self.depth, self.seeds, len(self.rows),
            _counts(r.verdict for r in self.rows))

    def _body_html(self):
        names = list(self.rows[0].fractions) if self.rows else []
        return _table(["stages", "verdict"] + names, [
            [",".join(r.stages) or "(none)", _status_html(r.verdict)] + ["%.2f %r" % (r.fractions[c], r.ci[c])
                                                                      for c in names] for r in self.rows], raw=(1,))


class Lyapunov(CommandResult):
    """``bnv.lyapunov(...)``: the finite-width ``rate`` (mean over seeds) with its 95% Student-t
    interval ``ci`` (an Interval with the floats' exact values), ``per_seed``, and the
    ``infinite_width`` value log(mu)/2 with mu = ``spread_eigenvalue`` (exact), both None
    where there is no closed form (``infinite_width_note`` says why)."""

    command = "lyapunov"

    def _read(self, d):
        self.rate, self.ci = d["rate"], _iv(d["ci"])
        self.infinite_width = d["infinite_width"]
        self.infinite_width_note = d["infinite_width_note"]
        _model(self, d)
        try:
            self.spread_eigenvalue = None if d["spread_eigenvalue"] is None else Fraction(d["spread_eigenvalue"])
        except ValueError:              # not a rational: kept as its text
            self.spread_eigenvalue = d["spread_eigenvalue"]
        self.per_seed = d["per_seed"]
        self.n, self.width, self.layers, self.seeds = d["n"], d["width"], d["layers"], d["seeds"]
        self.stages = _label(",".join(d["stages"]), d["alpha"])

    @property
    def contains(self):
        """Whether the 95% interval contains the infinite-width value (None: there is none)."""
        return None if self.infinite_width is None else self.infinite_width in self.ci

    def _summary(self):
        return "%s, n=%d, width=%d, %d layers, %d seeds: rate %.5f, 95%% CI %r; infinite width %s" % (
            self.stages, self.n, self.width, self.layers, self.seeds, self.rate, self.ci,
            "not available" if self.infinite_width is None else "%.5f" % self.infinite_width)

    def _repr_latex_(self):
        if self.infinite_width is None:
            return r"$\hat\lambda = %.5f \in %s \ (95\%%)$" % (self.rate, self.ci.latex())
        return r"$\hat\lambda = %.5f \in %s \ (95\%%),\quad \tfrac12 \log \mu = %.5f,\ \mu = %s$" % (
            self.rate, self.ci.latex(), self.infinite_width, self.spread_eigenvalue)


@dataclass(repr=False)
class PhaseCell:
    """One (n, width) cell: the fractions of seeds ending with an odd point and simplex-like,
    each with its 95% Wilson interval, and the median layer from which the odd point stays."""
    n: int
    width: int
    odd_point: float
    odd_point_ci: Interval
    simplex: float
    simplex_ci: Interval
    median_layers_odd_point: float | None
    fractions: dict

    def __repr__(self):
        return "PhaseCell(n=%d, width=%d: odd point %.2f, simplex %.2f)" % (self.n, self.width, self.odd_point,
                                                                           self.simplex)


class Phase(CommandResult):
    """``bnv.phase(...)``: ``cells`` (a :class:`PhaseCell` per n and width), ``n`` and
    ``width`` (the axes); ``cell(n, width)``."""

    command = "phase"

    def _read(self, d):
        self.n, self.width, self.depth, self.seeds = d["n"], d["width"], d["depth"], d["seeds"]
        self.stages = _label(",".join(d["stages"]), d["alpha"])
        _model(self, d)
        self.cells = [PhaseCell(n=c["n"], width=c["width"], odd_point=c["odd_point"], odd_point_ci=_iv(c["odd_point_ci"]),
                                simplex=c["simplex"], simplex_ci=_iv(c["simplex_ci"]),
                                median_layers_odd_point=c["median_layers_odd_point"], fractions=c["fractions"])
                      for c in d["cells"]]

    def cell(self, n, width):
        for c in self.cells:
            if (c.n, c.width) == (n, width):
                return c
        raise KeyError((n, width))

    def _summary(self):
        return "%s, n in %s x width in %s, depth %d, %d seeds per cell: odd point in %d of %d cells" % (
            self.stages, _short(_text(self.n), 40), _short(_text(self.width), 40), self.depth, self.seeds,
            sum(c.odd_point > 0.5 for c in self.cells), len(self.cells))

    def _body_html(self):
        return _table(["n \\ width"] + [str(w) for w in self.width], [
            [n] + ["%.2f / %.2f" % (self.cell(n, w).odd_point, self.cell(n, w).simplex) for w in self.width]
            for n in self.n]) + "<p>fraction of seeds ending with an odd point / simplex-like</p>"


class Atlas(CommandResult):
    """``bnv.atlas(...)``: ``rows`` (dicts: activation, alpha, weight_var, label, certified,
    cells with their finite- and infinite-width parts), ``n``; ``row(label)``."""

    command = "atlas"

    def _read(self, d):
        self.n, self.width, self.depth, self.seeds, self.rows = d["n"], d["width"], d["depth"], d["seeds"], d["rows"]

    def row(self, label):
        for r in self.rows:
            if r["label"] == label:
                return r
        raise KeyError(label)

    def _summary(self):
        odd = [r["label"] for r in self.rows if any(c["finite_width"]["fractions"]["odd_point"] > 0.5 for c in r["cells"])]
        return "%d rows, n in %s; odd point in most networks: %s" % (len(self.rows), _text(self.n),
                                                                      _short(", ".join(odd) or "none", 120))

    def _body_html(self):
        return _table(["activation", "n", "infinite width", "finite width: odd point", "simplex-like"], [
            [r["label"], c["n"], "%s, %s" % (c["infinite_width"]["scale"],
                                             max(c["infinite_width"]["fractions"], key=c["infinite_width"]["fractions"].get)),
             "%.2f" % c["finite_width"]["fractions"]["odd_point"], "%.2f" % c["finite_width"]["equiangular"]]
            for r in self.rows for c in r["cells"]])


class Endstate(CommandResult):
    """``bnv.endstate(...)``: ``tables``, one per n: ``attractor`` (the certified attractor's
    enclosures as Intervals, None below n = 7) and ``rows`` per width (means, 95% t intervals
    as Intervals, gaps)."""

    command = "endstate"

    def _read(self, d):
        self.stages = _label(",".join(d["stages"]), d["alpha"])
        _model(self, d)
        self.attractor_note = d["attractor_note"]
        self.depth, self.last, self.seeds, self.width = d["depth"], d["last"], d["seeds"], d["width"]
        self.quantities = d["quantities"]
        self.tables = []
        for t in d["tables"]:
            a = t["attractor"]
            rows = [{k: (_iv(v) if k.endswith("_ci") else v) for k, v in r.items()} for r in t["rows"]]
            self.tables.append({"n": t["n"], "attractor": None if a is None else {q: _iv(v) for q, v in a.items()},
                                "rows": rows})

    def _summary(self):
        return "%s, n=%s, width=%s, depth %d, %d seeds" % (self.stages, ",".join(str(t["n"]) for t in self.tables),
                                                         _short(_text(self.width), 40), self.depth, self.seeds)

    def _body_html(self):
        rows = []
        for t in self.tables:
            for r in t["rows"]:
                rows.append([t["n"], r["width"], "%d/%d" % (r["seeds_used"], r["seeds"])] + [
                    None if r[q] is None else "%.4f (gap %s)" % (r[q], "-" if r[q + "_gap"] is None
                                                                  else "%.4f" % r[q + "_gap"])
                    for q in self.quantities])
        return _table(["n", "width", "seeds"] + self.quantities, rows)


class GramStarts(CommandResult):
    """``bnv.gram_starts(...)``: ``tables``, one per n: ``classes`` ({class: count, fraction,
    ci as an Interval}), ``limits`` (each distinct limit) and ``median_layers``."""

    command = "gram-starts"

    def _read(self, d):
        self.stages = _label(",".join(d["stages"]), d.get("alpha"))
        self.tables = [dict(t, classes={k: dict(c, ci=_iv(c["ci"])) for k, c in t["classes"].items()})
                       for t in d["tables"]]

    def _summary(self):
        return "%s, n=%s (sampled): %s" % (self.stages, ",".join(str(t["n"]) for t in self.tables), "; ".join(
            "%d: %s" % (t["n"], ", ".join("%s %.2f" % (k, c["fraction"]) for k, c in t["classes"].items()
                                          if c["count"])) for t in self.tables[:3]))

    def _body_html(self):
        return _table(["n", "class", "count", "fraction", "95% interval"], [
            [t["n"], k, c["count"], c["fraction"], c["ci"]] for t in self.tables for k, c in t["classes"].items()
            if c["count"]])


class Rank(CommandResult):
    """``bnv.rank(...)``: ``inputs``, per batch (two-point, plane, antipodal-pairs): the
    infinite-width rank by the lemma and the sampled rows per width; ``smallest_eigenvalues``."""

    command = "rank"

    def _read(self, d):
        self.n, self.activation, self.seeds = d["n"], d["activation"], d["seeds"]
        self.inputs = d["inputs"]
        self.smallest_eigenvalues = d["smallest_eigenvalues_50_digits"]

    def _summary(self):
        return "%s, n=%d: infinite-width rank %s" % (self.activation, self.n, ", ".join(
            "%s %d" % (k, v["infinite_width_rank"]) for k, v in self.inputs.items()))

    def _body_html(self):
        return _table(["batch", "rank (lemma)", "width", "bound", "min", "median", "max", "reached"], [
            [name, t["infinite_width_rank"], r["width"], r["bound"], r["min"], r["median"], r["max"], r["reached"]]
            for name, t in self.inputs.items() for r in t["rows"]])


# ---------------------------------------------------------------- enclosures
class Kernel(CommandResult):
    """``bnv.kernel(...)``: the enclosures ``K``, ``dK_dc``, ``dK_dq1``, ``dK_dq2``, ``Ex2``,
    ``Ey2`` (Intervals; None where not computed), ``q1``, ``q2``, ``c`` (Fractions), ``method``;
    ``verdict`` is "enclosed", or "inconclusive" with the ``reason``."""

    command = "kernel"
    QUANTITIES = ("K", "dK_dc", "dK_dq1", "dK_dq2", "Ex2", "Ey2")
    LATEX = {"K": r"K", "dK_dc": r"\partial K/\partial c", "dK_dq1": r"\partial K/\partial q_1",
             "dK_dq2": r"\partial K/\partial q_2", "Ex2": r"E[\phi(x)^2]", "Ey2": r"E[\phi(y)^2]"}

    def _read(self, d):
        self.activation, self.formula = d["activation"], d["formula"]
        self.q1, self.q2, self.c = (Fraction(d[k]) for k in ("q1", "q2", "c"))
        self.verdict = d.get("verdict", "enclosed")
        self.reason = d.get("reason")
        for k in self.QUANTITIES:
            setattr(self, k, _iv(d.get(k)))
        self.method = d.get("method")

    def _summary(self):
        head = "%s, q1=%s, q2=%s, c=%s" % (self.activation, self.q1, self.q2, self.c)
        if self.verdict != "enclosed":
            return "%s: %s (%s)" % (head, self.verdict, _short(self.reason, 120))
        return "%s: K in %r" % (head, self.K)

    def _body_html(self):
        if self.verdict != "enclosed":
            return ""
        return _table(["quantity", "enclosure"], [[k, getattr(self, k)] for k in self.QUANTITIES]) + \
            "<p>method: %s</p>" % html.escape(self.method)

    def _repr_latex_(self):
        if self.verdict != "enclosed":
            return None
        return _aligned(r"%s &\in %s" % (self.LATEX[k], getattr(self, k).latex()) for k in self.QUANTITIES
                        if getattr(self, k) is not None)


class BSB1(CommandResult):
    """``bnv.bsb1(...)``: ``rows``, per n: ``c`` (the enclosure of c*, an Interval; None in an
    inconclusive row, which has a ``reason``), ``c_mid``, ``laplace_check`` (True / False, None
    where not run) and, for a non-homogeneous phi, ``suggestion`` (a float, not a verdict);
    ``status``, ``route``."""

    command = "bsb1"

    def _read(self, d):
        self.stages, self.status, self.note = d["stages"], d["status"], d["note"]
        self.slope = None if d["slope"] is None else Fraction(d["slope"])      # None: a non-homogeneous phi
        self.rows = [dict(r, c=None if r["c"] is None else _iv(r["c"])) for r in d["rows"]]

    def _summary(self):
        first = self.rows[0]
        return "%s, n=%s: %s; c*(%d) in %r" % (self.stages, _ns(self.rows), self.status, first["n"], first["c"])

    def _body_html(self):
        return _table(["n", "c*", "Laplace check"], [[r["n"], r["c"], r["laplace_check"]] for r in self.rows])

    def _repr_latex_(self):
        return _aligned(r"c^*_{%d} &\in %s" % (r["n"], r["c"].latex()) for r in self.rows[:MAX_HTML_ROWS])


class Gradients(CommandResult):
    """``bnv.gradients(...)``: ``rows``, per n: ``rate`` (the enclosure of the growth rate per
    layer, an Interval; None where infinite), ``eigenvalues`` ({component: Interval}),
    ``radius_from``, ``infinite``; ``limit`` (the n -> oo value, an Interval, not certified),
    ``convention``, ``status``."""

    command = "gradients"

    def _read(self, d):
        self.stages, self.slope, self.status, self.note = d["stages"], Fraction(d["slope"]), d["status"], d["note"]
        self.convention, self.limit = d["convention"], _iv(d["limit"])
        self.rows = [dict(r, rate=_iv(r["rate"]) if r["rate"] else None,
                          eigenvalues={c: _iv(v) for c, v in (r["eigenvalues"] or {}).items()}) for r in d["rows"]]

    def _summary(self):
        last = self.rows[-1]
        return "%s, n=%s: %s; rate(%d) in %r" % (self.stages, _ns(self.rows), self.status, last["n"], last["rate"])

    def _body_html(self):
        return _table(["n", "rate", "from"], [[r["n"], r["rate"], r["radius_from"]] for r in self.rows])

    def _repr_latex_(self):
        return _aligned(r"\mathrm{rate}_{%d} &\in %s" % (r["n"], r["rate"].latex()) for r in self.rows[:MAX_HTML_ROWS]
                        if r["rate"] is not None)


class CertificateCheck(CommandResult):
    """``bnv.check_cert(path)``: ``certificates`` (per file: path, ok, verdict, message) and
    ``summary`` (total, ok, rejected); ``ok`` when none is rejected."""

    command = "check-cert"

    def _read(self, d):
        self.certificates, self.summary = d["certificates"], d["summary"]

    @property
    def ok(self):
        return self.summary["rejected"] == 0

    def _summary(self):
        s = self.summary
        return "%d certificate%s: %d ok, %d rejected" % (s["total"], "" if s["total"] == 1 else "s", s["ok"],
                                                         s["rejected"])

    def _body_html(self):
        return _table(["certificate", "ok", "verdict", "message"], [
            [c["path"], "yes" if c["ok"] else "REJECTED", c["verdict"], _short(c["message"], 200)]
            for c in self.certificates])
