"""Claims as data: the TOML schema, loading and validation, and the catalogue.

A claim is one precise reading of a statement of the paper, in a TOML file named
``<id>.toml``.  The schema (also in docs/claims-schema.md)::

    id        = "stability-naive"          # required; [a-z0-9-]+, equal to the file name
    title     = "The configuration is not linearly stable"        # required
    statement = "O_n is a linearly stable fixed point of ..."     # required, plain text
    latex     = '\\rho(DF(G^*)/c) < 1'                             # optional, LaTeX
    property  = "spectral-radius"          # required; a name in bnverify.claims.properties.PROPERTIES
    expect    = "refuted"                  # required; proved | refuted | inconclusive
    methods   = ["exact", "symbolic"]      # optional list of strings (documentation)
    uses      = ["gram-fixed-point"]       # optional; ids that must exist in the catalogue
    full      = false                      # optional; true: a long check, run only with --full
    order     = 70                         # optional integer: position in tables (then by id)

    [model]
    stages = "rc,relu"                     # required; rc and/or rs, plus one activation
    alpha  = "1/10"                        # leaky_relu: a slope in [0, 1); elu: its alpha in (0, 100]
    activation = {formula = "x*erf(x)"}    # or phi as a formula in x, beside stages "rc" / "rc,rs"

    [domain]
    n      = "3..20"                       # "A..B", "A.." (every n >= A) or "A"; or instead
    n_min  = 3                             #   n_min = A, the same as n = "A.."
    alpha  = "0..1"                        # leaky_relu only, instead of model.alpha; a closed
                                           #   range, except that an upper end 1 means < 1
    width  = "256..4096"                   # finite width d: a range or a list of integers

    [params]                               # what the property needs (see PROPERTIES):
    relation = "<"                         #   one of < <= > >=
    bound    = "1"                         #   exact rational
    state    = "configuration"             #   configuration | attractor | simplex
    value    = "n - 1"                     #   an expression in n and alpha (a threshold: an integer)
    lo, hi   = "6.107", "6.108"            #   decimal numbers (a bracket in real n)

Every malformed file raises :class:`ClaimError` (a :class:`BadInput`) with ONE line naming
the file and the field, e.g. ``proofs/x.toml: field 'domain.n': n range '9..3' is reversed``.

**Where the catalogue lives.**  ``proofs/*.toml`` is the source of truth: it is what authors
edit, what reviewers read and what pytest collects, and the only copy in git.  A wheel
installs the same files as the package data ``bnverify/catalogue/`` (pyproject maps the
package ``bnverify.catalogue`` to ``proofs/``), so an installed ``bnverify verify`` works from
any directory; a source checkout reads ``proofs/`` itself (:func:`catalogue_dir`).
"""
from __future__ import annotations

import html
import re
import tomllib
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path

from ..core import activations, limits
from ..errors import BadInput, ClaimError
from ..core.activations import Activation
from ..core.stages import parse_stages, stages_text as _stages_text
from ..core.limits import show
from ..core.ranges import IntRange, RatRange, parse_int_range, parse_rat_range, parse_weight_var
from ..core.verdict import RELATIONS, STATUSES

def catalogue_dir():
    """The built-in catalogue: ``bnverify/catalogue/`` in an installed wheel (package data built
    from ``proofs/``), else ``proofs/`` of the source checkout this package lives in."""
    package = Path(__file__).resolve().parents[1]      # bnverify/
    installed = package / "catalogue"
    return installed if any(installed.glob("*.toml")) else package.parent / "proofs"


CATALOGUE = catalogue_dir()
STATES = ("configuration", "two-point", "attractor", "simplex")
TOP_FIELDS = {"id": str, "title": str, "statement": str, "latex": str, "property": str,
              "expect": str, "methods": list, "uses": list, "full": bool, "order": int,
              "model": dict, "domain": dict, "params": dict}
REQUIRED = ("id", "title", "statement", "property", "expect", "model", "domain")
_ID = re.compile(r"[a-z0-9][a-z0-9-]*\Z")


@dataclass(frozen=True)
class Claim:
    id: str
    title: str
    statement: str
    property: str
    expect: str
    stages: tuple
    activation: Activation
    n: IntRange
    alpha: RatRange
    weight_var: Fraction = Fraction(1)  # sigma_w^2: W has iid N(0, sigma_w^2/d) entries
    latex: str = ""
    width: object = None          # IntRange, or a tuple of widths
    methods: tuple = ()
    uses: tuple = ()
    params: dict = field(default_factory=dict)
    full: bool = False
    order: int = 100
    source: str = ""

    # ---- derived views ----
    @property
    def stages_text(self):
        return _stages_text(self.stages, self.activation.name)

    def domain_json(self):
        return {"n": str(self.n), "alpha": str(self.alpha)}

    def to_json(self):
        """What a certificate records about the claim (all strings, exact)."""
        return {"id": self.id, "statement": self.statement, "property": self.property,
                "stages": list(self.stages), "activation": self.activation.kernel_name,
                "domain": self.domain_json(), "params": _params_json(self.params)}

    def with_n(self, n):
        """The same claim restricted to one batch size (for per-n jobs)."""
        return replace(self, n=IntRange(n, n))

    def __str__(self):
        return "%s: %s [%s, n %s%s, %s]" % (
            self.id, self.title, self.stages_text, self.n,
            ", alpha %s" % self.alpha if self.activation.takes_alpha else "", self.property)

    def _repr_html_(self):
        e = html.escape
        rows = [("statement", e(self.statement)), ("model", e(self.stages_text) + (
                    ", &alpha; = %s" % e(str(self.alpha)) if self.activation.takes_alpha else "")),
                ("domain", "n &isin; %s" % e(_human_range(self.n))),
                ("property", "<code>%s</code> %s" % (e(self.property), e(_params_text(self.params)))),
                ("expect", "<b>%s</b>" % e(self.expect))]
        if self.uses:
            rows.append(("uses", ", ".join("<code>%s</code>" % e(u) for u in self.uses)))
        if self.latex:
            rows.insert(1, ("formula", "$%s$" % e(self.latex)))
        body = "".join("<tr><th style='text-align:left'>%s</th><td style='text-align:left'>%s</td></tr>"
                       % r for r in rows)
        return "<div><b>%s</b> &mdash; %s<table>%s</table></div>" % (e(self.id), e(self.title), body)

    @classmethod
    def from_toml(cls, path):
        """A claim file (docs/claims-schema.md); its ``uses`` may name its neighbours and the
        catalogue's claims.  ClaimError (a BadInput) on the first problem."""
        path = Path(path)
        known = {p.stem for p in path.parent.glob("*.toml")} | {p.stem for p in CATALOGUE.glob("*.toml")}
        return load_claim(path, known)

    @classmethod
    def from_dict(cls, data, source="<dict>"):
        """A claim as data, in the claim-file schema; ``id``, ``title``, ``statement`` and
        ``expect`` may be left out (defaults: "claim", the id, the title, "proved")."""
        if not isinstance(data, dict):
            raise BadInput("a claim is a dict, not %s" % type(data).__name__)
        data = dict(data)
        data.setdefault("id", "claim")
        data.setdefault("title", data["id"])
        data.setdefault("statement", data["title"])
        data.setdefault("expect", "proved")
        check_sizes(data, source)
        return check_limits(claim_from_dict(data, source))

    def __repr__(self):
        """One line: id, property, model, domain, expected verdict (the whole claim is in
        ``_repr_html_`` and its fields)."""
        return "Claim(%s: %s, %s, n in %s, expect %s)" % (self.id, self.property, self.stages_text, self.n,
                                                           self.expect)

    def _repr_latex_(self):
        head = r"$\textbf{%s}$ %s" % (self.id, self.title.replace("$", ""))
        return "%s: $%s$" % (head, self.latex) if self.latex else head


def _human_range(r):
    return "{%d, %d, ...}" % (r.lo, r.lo + 1) if r.hi is None else str(r)


def _params_json(params):
    out = {}
    for k, v in params.items():
        if isinstance(v, Fraction):
            v = str(v.numerator) if v.denominator == 1 else "%d/%d" % (v.numerator, v.denominator)
        elif isinstance(v, tuple):
            v = list(v)
        out[k] = v
    return out


def _params_text(params):
    return " ".join("%s=%s" % (k, v) for k, v in _params_json(params).items())


# ---------------------------------------------------------------- parameters
def _p_relation(v):
    if not isinstance(v, str) or v not in RELATIONS:
        raise ValueError("relation %s is not one of %s" % (show(v), " ".join(RELATIONS)))
    return v


def _p_rational(v):
    if isinstance(v, bool) or not isinstance(v, (int, str)):
        raise ValueError("%s is not an exact rational; write it as a string like \"1/2\"" % show(v))
    limits.guard_number(v.strip() if isinstance(v, str) else v, "rational")
    try:
        return Fraction(str(v).strip())
    except (ValueError, ZeroDivisionError):
        raise ValueError("%s is not a rational number" % show(v))


def _p_state(v):
    if not isinstance(v, str) or v not in STATES:
        raise ValueError("state %s is not one of %s" % (show(v), ", ".join(STATES)))
    return v


def _p_expr(v):
    from ..trusted import base

    if isinstance(v, int) and not isinstance(v, bool):
        v = str(v)
    if not isinstance(v, str):
        raise ValueError("%s is not an expression string" % show(v))
    limits.guard_expression(v)          # size and depth first: base.parse may recurse
    try:
        base.parse(v)
    except base.Rejected as e:
        raise ValueError(" ".join(str(e).split())[:300])
    except (RecursionError, MemoryError):
        raise limits.ExpressionTooLarge("expression %s is too large to parse" % show(v))
    return v


def _p_spectrum(v):
    """[[value, multiplicity], ...] (expressions in n and alpha), or the command line's
    "value : multiplicity, ..." text."""
    if isinstance(v, str):
        if len(v) > limits.MAX_SPECTRUM_PAIRS * limits.MAX_EXPR_CHARS:
            raise limits.LimitError("eigenvalues: a text of %d characters" % len(v))
        v = [p.split(":") for p in v.split(",") if p.strip()]
    if not isinstance(v, list) or not v or not all(isinstance(p, list) and len(p) == 2 for p in v):
        raise ValueError("eigenvalues must be a list of [value, multiplicity] pairs")
    if len(v) > limits.MAX_SPECTRUM_PAIRS:
        raise limits.LimitError("eigenvalues: %d pairs (at most %d)" % (len(v), limits.MAX_SPECTRUM_PAIRS))
    return tuple((_p_expr(a.strip() if isinstance(a, str) else a), _p_expr(b.strip() if isinstance(b, str) else b))
                 for a, b in v)


def _p_strings(v):
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise ValueError("%s is not a list of strings" % show(v))
    return tuple(v)


def _p_int(v):
    if isinstance(v, str) and re.fullmatch(r"[0-9]+", v.strip()):     # from the command line
        limits.guard_number(v.strip(), "integer")
        v = int(v)
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        raise ValueError("%s is not a positive integer" % show(v))
    limits.guard_int(v, "integer", limits.MAX_INT_PARAM)
    return v


def _p_threshold(v):
    """attractor-threshold's value: an n, or "none" (no n of the domain)."""
    if isinstance(v, str) and v.strip() == "none":
        return "none"
    try:
        return _p_int(v)
    except ValueError:
        raise ValueError("%s is not a positive integer or none" % show(v))


def _p_decimal(v):
    if isinstance(v, str):
        limits.guard_number(v.strip(), "decimal")
    if not isinstance(v, str) or not re.fullmatch(r"\d+(\.\d+)?", v.strip()):
        raise ValueError("%s is not a decimal number string like \"6.107\"" % show(v))
    return v.strip()


def _p_fixed_state(v):
    from ..trusted import kernel

    if not isinstance(v, str) or v not in kernel.BASIN_ENDS[1:]:
        raise ValueError("state %s is not one of %s" % (show(v), ", ".join(kernel.BASIN_ENDS[1:])))
    return v


def _p_basin(v):
    """An interval of the reduced map's fixed points, in the kernel's words ('(partner, configuration)')."""
    from ..trusted import base, kernel

    try:
        return kernel.basin_text(v)
    except base.Rejected as e:
        raise ValueError(str(e))


def _p_points(v):
    from ..trusted import rank

    if not isinstance(v, str) or v not in rank.HYPOTHESES:
        raise ValueError("points %s is not one of %s" % (show(v), ", ".join(rank.HYPOTHESES)))
    return v


def _p_singular(v):
    from ..trusted import rank

    if not isinstance(v, str) or v not in rank.SINGULAR:
        raise ValueError("points %s is not one of %s" % (show(v), ", ".join(rank.SINGULAR)))
    return v


PARAM_KINDS = {"relation": _p_relation, "rational": _p_rational, "state": _p_state,
               "expr": _p_expr, "spectrum": _p_spectrum, "strings": _p_strings, "int": _p_int, "decimal": _p_decimal,
               "threshold": _p_threshold,
               "fixed-state": _p_fixed_state, "basin": _p_basin, "points": _p_points,
               "singular-points": _p_singular}


# ---------------------------------------------------------------- loading
def model_of(act):
    """The claim table's model of RC + ``act``: {"stages": "rc,<name>"}, with "alpha" (the
    exact parameter) for an activation with one (leaky_relu's slope, elu's alpha: elu has no slope); a
    user formula as {"stages": "rc", "activation": {"formula": TEXT}}."""
    if act.kind is activations.FORMULA:
        return {"stages": "rc", "activation": {"formula": act.text}}
    out = {"stages": "rc," + act.name}
    if act.takes_alpha:
        out["alpha"] = str(Fraction(act.alpha))
    return out


def _need(data, key, typ, source, prefix=""):
    if key not in data:
        raise ClaimError(source, prefix + key, "missing")
    v = data[key]
    if typ is int and isinstance(v, bool) or not isinstance(v, typ):
        raise ClaimError(source, prefix + key, "expected %s, got %s %r"
                         % (typ.__name__, type(v).__name__, v))
    return v


def claim_from_dict(data, source="<claim>"):
    """Validate a parsed TOML table and build the Claim (ClaimError on the first problem)."""
    from .properties.registry import PROPERTIES

    for key in data:
        if key not in TOP_FIELDS:
            raise ClaimError(source, key, "unknown field (known: %s)" % ", ".join(sorted(TOP_FIELDS)))
    for key in REQUIRED:
        _need(data, key, TOP_FIELDS[key], source)
    for key, typ in TOP_FIELDS.items():
        if key in data:
            _need(data, key, typ, source)
    cid = data["id"]
    if not _ID.match(cid):
        raise ClaimError(source, "id", "%r is not lower-case letters, digits and dashes" % cid)
    stem = Path(str(source)).stem
    if str(source).endswith(".toml") and stem != cid:
        raise ClaimError(source, "id", "%r differs from the file name %r" % (cid, stem + ".toml"))
    for key in ("title", "statement"):
        if not data[key].strip():
            raise ClaimError(source, key, "empty")
    if data["expect"] not in STATUSES:
        raise ClaimError(source, "expect", "%r is not one of %s" % (data["expect"], ", ".join(STATUSES)))
    prop = data["property"]
    if prop not in PROPERTIES:
        raise ClaimError(source, "property", "unknown property %r (known: %s)"
                         % (prop, ", ".join(sorted(PROPERTIES))))
    spec = PROPERTIES[prop]
    for key in ("methods", "uses"):
        if not all(isinstance(x, str) for x in data.get(key, [])):
            raise ClaimError(source, key, "expected a list of strings")
    if cid in data.get("uses", []):
        raise ClaimError(source, "uses", "a claim cannot use itself")

    model = data["model"]
    for key in model:
        if key not in ("stages", "alpha", "weight_var", "activation"):
            raise ClaimError(source, "model." + key, "unknown field (known: stages, alpha, weight_var, activation)")
    formula = model.get("activation")
    if formula is not None and not (isinstance(formula, dict) and list(formula) == ["formula"] and
                                    isinstance(formula["formula"], str)):
        raise ClaimError(source, "model.activation", "expected a table {formula = \"x*erf(x)\"}, got %r" % (formula,))
    stages_text = _need(model, "stages", str, source, "model.")
    domain = data["domain"]
    for key in domain:
        if key not in ("n", "n_min", "alpha", "width"):
            raise ClaimError(source, "domain." + key, "unknown field (known: n, n_min, alpha, width)")
    if "alpha" in model and "alpha" in domain:
        raise ClaimError(source, "domain.alpha", "model.alpha already fixes alpha")
    alpha_text = model.get("alpha")
    if alpha_text is not None and not isinstance(alpha_text, str):
        raise ClaimError(source, "model.alpha", "%r is not a rational string like \"1/10\"" % (alpha_text,))
    alpha = None
    if "alpha" in domain:
        with_alpha = activations.names(lambda k: k.stage and k.stage_alpha is not None)
        if not any(name in stages_text for name in with_alpha):
            raise ClaimError(source, "domain.alpha", "a range of alpha needs the %s activation"
                             % activations.spoken(with_alpha))
        try:
            alpha = parse_rat_range(domain["alpha"])
        except BadInput as e:
            raise ClaimError(source, "domain.alpha", str(e))
    try:
        stages, act = parse_stages(stages_text, alpha_text if alpha is None else alpha.lo, after_ok=True)
    except BadInput as e:
        raise ClaimError(source, "model.alpha" if alpha_text is not None and "alpha" in str(e)
                         else "model.stages", str(e))
    if formula is not None:         # the model's activation is the formula: stages name rc / rs only
        if any(p.strip().lower() in activations.REGISTRY for p in stages_text.split(",")) or "nl" in stages:
            raise ClaimError(source, "model.stages", "%r names an activation and model.activation gives a formula: "
                             "give stages rc (or rc,rs) beside the formula" % stages_text)
        try:
            act = activations.activation(formula["formula"], None if alpha_text is None else alpha_text)
        except BadInput as e:
            raise ClaimError(source, "model.activation", str(e))
        if act.kind is not activations.FORMULA:
            raise ClaimError(source, "model.activation", "%r is a registered activation: name it in model.stages"
                             % formula["formula"])
    if act.takes_alpha and alpha_text is None and alpha is None and act.slope is not None:
        raise ClaimError(source, "model.alpha", "%s needs model.alpha or domain.alpha" % act.name)
    if alpha is None:       # the slope; elu's parameter (default 1); 0 for an activation without one (tanh)
        a = act.slope if act.slope is not None else act.alpha if act.takes_alpha else Fraction(0)
        alpha = RatRange(a, a)

    weight_var = Fraction(1)
    if "weight_var" in model:
        try:
            weight_var = parse_weight_var(model["weight_var"])
        except BadInput as e:
            raise ClaimError(source, "model.weight_var", str(e))

    if ("n" in domain) == ("n_min" in domain):
        raise ClaimError(source, "domain.n", "give exactly one of n = \"A..B\" and n_min = A")
    try:
        if "n" in domain:
            n = parse_int_range(domain["n"], "n", spec.min_n)
        else:
            if isinstance(domain["n_min"], bool) or not isinstance(domain["n_min"], int):
                raise BadInput("n_min %r is not an integer" % (domain["n_min"],))
            n = parse_int_range("%d.." % domain["n_min"], "n", spec.min_n)
    except BadInput as e:
        raise ClaimError(source, "domain.n_min" if "n_min" in domain else "domain.n", str(e))
    width = None
    if "width" in domain:
        w = domain["width"]
        try:
            if isinstance(w, list):
                if not w or not all(isinstance(x, int) and not isinstance(x, bool) and x >= 1 for x in w):
                    raise BadInput("width list %r is not a list of positive integers" % (w,))
                width = tuple(w)
            else:
                width = parse_int_range(w, "width", 1, allow_open=False)
        except BadInput as e:
            raise ClaimError(source, "domain.width", str(e))

    params = {}
    raw = data.get("params", {})
    for key in raw:
        if key not in spec.params:
            raise ClaimError(source, "params." + key, "property %s takes no parameter %r (takes: %s)"
                             % (prop, key, ", ".join(spec.params) or "none"))
    for key, (required, kind) in spec.params.items():
        if key not in raw:
            if required:
                raise ClaimError(source, "params." + key, "missing (property %s needs it)" % prop)
            if key in spec.defaults:
                params[key] = spec.defaults[key]
            continue
        try:
            params[key] = PARAM_KINDS[kind](raw[key])
        except ValueError as e:
            raise ClaimError(source, "params." + key, str(e))
    try:
        spec.validate(stages, act, params)
    except BadInput as e:
        raise ClaimError(source, getattr(e, "field", "property"), str(e))

    return Claim(id=cid, title=data["title"].strip(), statement=" ".join(data["statement"].split()),
                 latex=data.get("latex", "").strip(), property=prop, expect=data["expect"],
                 stages=stages, activation=act, n=n, alpha=alpha, width=width, weight_var=weight_var,
                 methods=tuple(data.get("methods", ())), uses=tuple(data.get("uses", ())),
                 params=params, full=data.get("full", False), order=data.get("order", 100),
                 source=str(source))


def read_toml(path):
    """The table of a claim file: at most limits.MAX_CLAIM_BYTES of UTF-8 TOML, nested at most
    limits.MAX_CLAIM_DEPTH deep; BadInput / ClaimError (one line) on anything else."""
    path = Path(path)
    try:
        if path.is_dir():
            raise BadInput("%s: is a directory, not a claim file" % path)
        if path.exists() and not path.is_file():        # a FIFO or a device would block or never end
            raise BadInput("%s: not a regular file" % path)
        with open(path, "rb") as f:
            raw = f.read(limits.MAX_CLAIM_BYTES + 1)
    except OSError as e:
        raise BadInput("%s: cannot read: %s" % (path, e.strerror or e))
    except ValueError as e:                 # e.g. a NUL byte in the name
        raise BadInput("%s: cannot read: %s" % (show(str(path)), e))
    if len(raw) > limits.MAX_CLAIM_BYTES:
        raise ClaimError(path, "(file)", "larger than %d bytes: not a claim file" % limits.MAX_CLAIM_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ClaimError(path, "(syntax)", "not UTF-8 text (byte 0x%02x at offset %d): not a claim file"
                         % (raw[e.start], e.start))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ClaimError(path, "(syntax)", "not valid TOML: %s" % " ".join(str(e).split()))
    except RecursionError:
        raise ClaimError(path, "(syntax)", "nested too deeply (at most %d levels)" % limits.MAX_CLAIM_DEPTH)
    except (ValueError, MemoryError) as e:  # e.g. an integer of more than 4300 digits
        raise ClaimError(path, "(syntax)", "not valid TOML: %s" % " ".join(str(e).split())[:200])
    if limits.depth_of(data, limits.MAX_CLAIM_DEPTH) > limits.MAX_CLAIM_DEPTH:
        raise ClaimError(path, "(syntax)", "nested too deeply (at most %d levels)" % limits.MAX_CLAIM_DEPTH)
    return data


def check_sizes(data, source):
    """The limits of :mod:`bnverify.core.limits` on a parsed claim table, checked before
    :func:`claim_from_dict` builds numbers from it (a slope like "1e-100000" would)."""
    model, domain = data.get("model"), data.get("domain")
    try:
        if isinstance(model, dict) and isinstance(model.get("alpha"), str):
            field = "model.alpha"
            limits.guard_number(model["alpha"].strip(), "alpha")
        if isinstance(domain, dict):
            field = "domain.n_min"
            v = domain.get("n_min")
            if isinstance(v, int) and not isinstance(v, bool):
                limits.guard_int(v, "n_min", limits.MAX_N)
            field = "domain.width"
            w = domain.get("width")
            if isinstance(w, list):
                if len(w) > limits.MAX_WIDTHS:
                    raise limits.LimitError("%d widths (at most %d)" % (len(w), limits.MAX_WIDTHS))
                for x in w:
                    if isinstance(x, int) and not isinstance(x, bool):
                        limits.guard_int(x, "width", limits.SIM_MAX["width"])
    except limits.LimitError as e:
        raise ClaimError(source, field, str(e))


def check_limits(claim):
    """The limits on a validated claim: a per-n property takes a finite range of at most
    limits.MAX_PER_N integers (unless an all-n branch covers the range beyond its start); a finite-width simulation at most limits.MAX_SIM_WORK."""
    from .properties.branches import all_n
    from .properties.jobs import per_n

    if per_n(claim) and not all_n(claim) and claim.n.finite and \
            len(claim.n) > limits.MAX_PER_N:
        raise ClaimError(claim.source, "domain.n", "n range %s has %d integers: property %s is decided one n "
                         "at a time, for at most %d of them" % (claim.n, len(claim.n), claim.property,
                                                                limits.MAX_PER_N))
    if claim.property == "finite-width-lyapunov" and claim.width is not None and claim.n.finite:
        import inspect

        from ..sim import lyapunov

        sig = inspect.signature(lyapunov.exponent_verdict).parameters
        layers = claim.params.get("layers", sig["layers"].default)
        seeds = claim.params.get("seeds", sig["seeds"].default)
        w = claim.width
        widths = list(w) if isinstance(w, tuple) else sorted({w.lo, w.hi}) + [w.hi] * (w.hi > w.lo + 1)
        try:
            limits.guard_simulation(claim.n.hi, max(widths), (layers + 5) * len(widths), seeds,
                                    what="the finite-width simulation")
        except limits.LimitError as e:
            raise ClaimError(claim.source, "params", str(e))
    return claim


def load_claim(path, known_ids=None):
    """One claim file.  ``known_ids``: if given, every id in ``uses`` must be among them."""
    path = Path(path)
    data = read_toml(path)
    check_sizes(data, path)
    claim = check_limits(claim_from_dict(data, path))
    if known_ids is not None:
        for u in claim.uses:
            if u not in known_ids:
                raise ClaimError(path, "uses", "unknown claim id %r" % u)
    return claim


def load_catalogue(directory=None):
    """Every ``*.toml`` of a directory (default: the built-in catalogue), validated together
    (ids unique, ``uses`` known and acyclic), ordered so that a claim follows those it uses
    (ties by ``order``, then id)."""
    directory = Path(directory) if directory is not None else CATALOGUE
    if not directory.is_dir():
        raise BadInput("catalogue %s is not a directory" % directory)
    paths = sorted(directory.glob("*.toml"))
    if not paths:
        raise BadInput("catalogue %s has no *.toml claim files" % directory)
    claims = [load_claim(p) for p in paths]
    by_id = {}
    for c in claims:
        if c.id in by_id:
            raise ClaimError(c.source, "id", "duplicate id %r (also in %s)" % (c.id, by_id[c.id].source))
        by_id[c.id] = c
    for c in claims:
        for u in c.uses:
            if u not in by_id:
                raise ClaimError(c.source, "uses", "unknown claim id %r" % u)
    ordered, state = [], {}

    def visit(c, chain):
        if state.get(c.id) == "done":
            return
        if state.get(c.id) == "open":
            raise ClaimError(c.source, "uses", "cycle: %s" % " -> ".join(chain + [c.id]))
        state[c.id] = "open"
        for u in sorted(c.uses, key=lambda i: (by_id[i].order, i)):
            visit(by_id[u], chain + [c.id])
        state[c.id] = "done"
        ordered.append(c)

    for c in sorted(claims, key=lambda c: (c.order, c.id)):
        visit(c, [])
    return ordered


def select(claims, only=None, full=False):
    """The claims to run: ``only`` ids (each must exist; they run even if full), else every
    claim that is not ``full`` unless ``full`` is set."""
    if only:
        ids = {c.id for c in claims}
        for i in only:
            if i not in ids:
                raise BadInput("unknown claim id %r (known: %s)" % (i, ", ".join(sorted(ids))))
        return [c for c in claims if c.id in set(only)]
    return [c for c in claims if full or not c.full]
