"""Forged certificates.  Every certificate kind the trusted kernel decides is made once, for
real, by ``bnverify check --cert`` (small n), then forged the way a hostile reviewer would:
evidence relabelled onto another claim, model, state or domain; verdict, statement or method
edited; decisive items that say nothing about the claim; hand-written SMT text, big numbers,
deep nesting, NaN and wrong types in every field; a changed format, missing and unknown
fields.  Each forgery is rehashed (the hash is unkeyed: it detects accidents, not forgers)
and ``trusted.check`` must reject it.  A relabelled claim also carries the kernel's own
canonical statement for the new claim, so a rejection comes from the decision, never from a
statement that merely no longer matches.  Positive controls: every genuine certificate
passes, and ``bnverify check-cert`` on their folder exits 0.
"""
from __future__ import annotations

import copy
import json
import math
from fractions import Fraction

import pytest

from bnverify import trusted
from bnverify.claims.certificate import rehash

# ---------------------------------------------------------------- genuine certificates
FOLD_TOML = """\
id = "fold"
title = "The spread-cluster pair is born between n = 6 and n = 7"
statement = "For RC + ReLU a pair of spread-cluster fixed points is born at a real n in (6, 7)."
property = "fold-bracket"
expect = "proved"
[model]
stages = "rc,relu"
[domain]
n = "6..7"
[params]
lo = "6"
hi = "7"
"""
BASIN_TOML = """\
id = "{id}"
title = "basin"
statement = "The basin of the {state} is {basin} at n = {n}."
property = "basin"
expect = "proved"
[model]
stages = "rc,relu"
[domain]
n = "{n}"
[params]
state = "{state}"
basin = "{basin}"
"""
KDEF_TOML = """\
id = "{id}"
title = "kernel-definite"
statement = "K(Sigma) is positive definite for points: {points}."
property = "kernel-definite"
expect = "{expect}"
[model]
stages = "relu"
[domain]
n_min = 2
[params]
points = "{points}"
"""
GROWTH_TOML = """\
id = "growth"
title = "rank growth"
statement = "One RC + ReLU layer maps the rank-one two-point batch to rank two."
property = "rank-growth"
expect = "proved"
[model]
stages = "rc,relu"
[domain]
n_min = 2
"""
TOMLS = {"fold": FOLD_TOML,
         "kdef": KDEF_TOML.format(id="kdef", points="no-collinear", expect="proved"),
         "kdef-ref": KDEF_TOML.format(id="kdef-ref", points="no-positive-collinear", expect="refuted"),
         "growth": GROWTH_TOML,
         "growth-id": GROWTH_TOML.replace('"growth"', '"growth-id"').replace('"rc,relu"', '"rc,identity"')
                                 .replace('"proved"', '"refuted"'),
         "basin": BASIN_TOML.format(id="basin", n=7, state="attractor", basin="(partner, configuration)"),
         "basin-ref": BASIN_TOML.format(id="basin-ref", n=5, state="attractor", basin="(partner, configuration)")}
EIGEN = "0:n,n/(n**2-2*n+2):n-2,n**2/(n**2-2*n+2):(n-1)*(n-2)/2"
# name -> (arguments of `bnverify check`, its exit code: 0 proved, 1 refuted)
SPECS = {
    "cent": ("--stages rc --n 2.. --property centering-rank-one", 0),
    "inv": ("--stages rc,relu --n 2.. --property invariant-configuration", 0),
    "inv-rs": ("--stages rc,rs,relu --n 2.. --property invariant-configuration", 0),
    "inv-tanh": ("--stages rc,tanh --n 2.. --property invariant-configuration", 1),
    "fp-conf": ("--stages rc,relu --n 2.. --property fixed-point --state configuration", 0),
    "fp-conf-leaky": ("--stages rc,leaky_relu --alpha 1/10 --n 3.. --property fixed-point --state configuration", 1),
    "fp-tp": ("--stages rc,rs,leaky_relu --alpha 0..1 --n 3.. --property fixed-point --state two-point", 0),
    "norm": ("--stages rc,relu --n 2.. --property norm-ratio-limit --value n-1", 0),
    "outlier": ("--stages rc,leaky_relu --alpha 1/2 --n 3.. --property orthogonal-outlier --value=-4/5", 0),
    "sr-naive": ("--stages rc,relu --n 3.. --property spectral-radius --state configuration --relation < --bound 1", 1),
    "sr-tp": ("--stages rc,leaky_relu --alpha 1/2 --n 3.. --property spectral-radius --state two-point "
              "--relation > --bound 1", 0),
    "jac": ("--stages rc,relu --n 3.. --property jacobian-spectrum --state configuration --eigenvalues " + EIGEN, 0),
    "att-ex": ("--stages rc,relu --n 7..8 --property attractor-exists", 0),
    "att-st": ("--stages rc,relu --n 7..8 --property attractor-stable", 0),
    "att-leaky": ("--stages rc,leaky_relu --alpha 1/10 --n 8 --property attractor-stable", 0),
    "alln": ("--stages rc,relu --n 16.. --property attractor-exists", 0),
    "simplex-alln": ("--stages rc,relu --n 3.. --property spectral-radius --state simplex --relation < --bound 1", 0),
    "simplex-alln-leaky": ("--stages rc,leaky_relu --alpha 1/10 --n 5..10000 --property fixed-point --state simplex", 0),
    "att-th": ("--stages rc,relu --n 6..8 --property attractor-threshold --value 7", 0),
    "simplex": ("--stages rc,relu --n 7..8 --property spectral-radius --state simplex --relation < --bound 1", 0),
    "fp-att": ("--stages rc,relu --n 7..8 --property fixed-point --state attractor", 0),
    "fp-simplex": ("--stages rc,relu --n 7..8 --property fixed-point --state simplex", 0),
    "fold": (None, 0),
    "basin": (None, 0),
    "basin-ref": (None, 1),
    "kdef": (None, 0),
    "kdef-ref": (None, 1),
    "growth": (None, 0),
    "growth-id": (None, 1),
    "ksing": ("--stages relu --n 2.. --property kernel-singular --points pairs-dependent", 0),
    "stage-rcrs": ("--stages rc,rs --n 8 --property stage-fact", 0),
    "stage-nl": ("--stages relu --n 8 --property stage-fact", 0),
    "classify": ("--stages rc,relu --n 100.. --property classification --value 4", 0),
    "classify-ref": ("--stages rc,relu --n 100.. --property classification --value 3", 1),
    "basin-alln": ("--stages rc,relu --n 100.. --property basin --state attractor --basin (partner,configuration)", 0),
}


@pytest.fixture(scope="module")
def cert_dir(tmp_path_factory, run_cli):
    d = tmp_path_factory.mktemp("certificates")
    for name, text in TOMLS.items():
        (d / (name + ".toml")).write_text(text)
    for name, (args, code) in SPECS.items():
        argv = ["check"] + (args.split() if args else [str(d / (name + ".toml"))])
        got, out, _ = run_cli(*argv, "--jobs", "1", "--cert", d / (name + ".json"))
        assert got == code, (name, out)
    for name in TOMLS:
        (d / (name + ".toml")).unlink()
    return d


@pytest.fixture(scope="module")
def certs(cert_dir):
    return {name: json.loads((cert_dir / (name + ".json")).read_text()) for name in SPECS}


def test_every_decided_property_has_a_genuine_certificate(certs):
    decided = set(trusted.kernel.GOALS) - {"stability-directions", "rs-linearization", "rs-growth",
                                           "finite-width-lyapunov"}
    # stability-directions' genuine certificate and its forgeries are in tests/test_directions.py,
    # rs-growth's and the rs-cover's (basin with RS) in tests/test_rs_on.py
    assert {c["claim"]["property"] for c in certs.values()} == decided
    states = {c["claim"]["params"].get("state") for c in certs.values()}
    assert {"configuration", "two-point", "attractor", "simplex"} <= states
    assert {c["verdict"] for c in certs.values()} == {"proved", "refuted"}
    kinds = {i["type"] for c in certs.values() for i in c["evidence"]}
    assert kinds == {"symmetric-state", "classification", "all-n-branch", "simplex-branch", "basin-cover",
                     "kernel-null", "classification-branch"}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_genuine_certificate_passes(certs, name):
    ok, msg = trusted.check(certs[name])
    assert ok and msg.startswith(certs[name]["verdict"] + ": " + certs[name]["statement"]), msg


def test_check_cert_on_the_folder_exits_0(cert_dir, run_cli):
    code, out, _ = run_cli("check-cert", cert_dir)
    assert code == 0 and out.count("ok  ") == len(SPECS), out


# ---------------------------------------------------------------- forging tools
def canonical(cert):
    """The kernel's canonical statement for the cert's (forged) claim, when it has a goal."""
    try:
        cert["statement"] = trusted.goal(cert["claim"])[1].statement
    except Exception:           # no goal, or malformed: the forger keeps the old statement
        pass
    return cert


def claim(**changes):
    """Relabel: replace keys of the claim (domain, params as a whole), canonical statement."""
    def f(cert, _certs):
        cert["claim"].update(changes)
        return canonical(cert)
    return f


def domain(**changes):
    def f(cert, _certs):
        cert["claim"]["domain"].update(changes)
        return canonical(cert)
    return f


def params(drop=(), **changes):
    def f(cert, _certs):
        for k in drop:
            cert["claim"]["params"].pop(k, None)
        cert["claim"]["params"].update(changes)
        return canonical(cert)
    return f


def model(stages, activation, alpha=None):
    def f(cert, _certs):
        cert["claim"].update(stages=stages, activation=activation)
        cert["claim"]["domain"].pop("alpha", None)
        if alpha is not None:
            cert["claim"]["domain"]["alpha"] = alpha
        return canonical(cert)
    return f


def field(*path, value=None, delete=False):
    """Set (or delete) one field at a path of keys / indices."""
    def f(cert, _certs):
        obj = cert
        for k in path[:-1]:
            obj = obj[k]
        if delete:
            del obj[path[-1]]
        else:
            obj[path[-1]] = copy.deepcopy(value)
        return cert
    return f


def evidence(fn):
    """Replace the evidence list by fn(evidence, certs), and the method by the one the kernel
    expects with such a list (a forger knows the rule)."""
    def f(cert, certs):
        cert["evidence"] = fn(copy.deepcopy(cert["evidence"]), certs)
        cert["method"] = trusted.kernel.METHODS[bool(cert["evidence"])]
        return cert
    return f


def item(index, fn):
    """Edit one evidence item in place: fn(item, certs) returns the new item."""
    return evidence(lambda ev, certs: ev[:index] + [fn(ev[index], certs)] + ev[index + 1:])


def then(*fs):
    def f(cert, certs):
        for g in fs:
            cert = g(cert, certs)
        return cert
    return f


def other(name, index):
    """An evidence item of another genuine certificate."""
    return lambda certs: copy.deepcopy(certs[name]["evidence"][index])


def box(index, coord, mid=None, rad=None):
    """Move / resize one coordinate of a box: mid += mid[0] * 2^mid[1], rad := rad."""
    def g(it, _certs):
        b = it["box"][coord]
        if mid is not None:
            (m, e), (dm, de) = b["mid"], mid
            low = min(e, de)
            b["mid"] = [m * 2 ** (e - low) + dm * 2 ** (de - low), low]
        if rad is not None:
            b["rad"] = list(rad(b["rad"]))
        return it
    return item(index, g)


def flip(cert, _certs):
    cert["verdict"] = {"proved": "refuted", "refuted": "proved"}[cert["verdict"]]
    return cert


def opposite(cert, _certs):
    s = cert["statement"]
    for a, b in ((" is < 1", " is >= 1"), (" = 0 ", " != 0 "), ("is a fixed point", "is not a fixed point"),
                 ("exists", "does not exist"), (" tends to ", " does not tend to "), (" exactly ", " not ")):
        if a in s:
            cert["statement"] = s.replace(a, b)
            return cert
    cert["statement"] = "it is not the case that " + s
    return cert


def author(cert, _certs):
    cert["statement"] = cert["claim"]["wording"]
    return cert


def identity_y(it, _certs):
    it["Y"] = [["1" if i == j else "0" for j in range(3)] for i in range(3)]
    return it


def zero_y(it, _certs):
    it["Y"] = [["0"] * 3 for _ in range(3)]
    return it


def identity_v(it, _certs):
    it["V"] = {k: [[["1" if i == j else "0", "0"] for j in range(len(V))] for i in range(len(V))]
               for k, V in it["V"].items()}
    return it


def deep(depth, leaf="x"):
    out = leaf
    for _ in range(depth):
        out = [out]
    return out


def absence_at_7(kind=None, how=None):
    """The threshold moved to 8, with absence at n = 7 'shown' by the genuine n = 7
    classification (two roots), or by it with its root intervals relabelled kind / how."""
    def f(cert, certs):
        cl = copy.deepcopy(certs["fold"]["evidence"][1])
        cl["intervals"] = [[lo, hi, kind or k, how or h] if k == "root" else [lo, hi, k, h]
                           for lo, hi, k, h in cl["intervals"]]
        cert["evidence"] = [cert["evidence"][0], cl, cert["evidence"][2]]
        return cert
    return then(params(value=8), f)


def extra_eigenvalue(cert, certs):
    return params(eigenvalues=cert["claim"]["params"]["eigenvalues"] + [["2", "1"]])(cert, certs)


SMT = "(assert false) (check-sat)"
ATT_CLAIM = {"id": "attractor", "property": "attractor-stable", "stages": ["rc"], "activation": "relu",
             "domain": {"n": "7..8"}, "params": {"relation": "<", "bound": "1"}, "wording": "the attractor"}
SIMPLEX_PARAMS = {"state": "simplex", "relation": "<", "bound": "1"}

# name -> (genuine certificate, forgery)
FORGERIES = {
    # ---- evidence relabelled onto another claim (id and property)
    "attractor-boxes-as-simplex-state": ("att-st", claim(id="simplex-state", property="spectral-radius",
                                                         params=SIMPLEX_PARAMS)),
    "simplex-boxes-as-attractor": ("simplex", claim(**ATT_CLAIM)),
    "unstable-boxes-as-attractor-stable": ("att-ex", claim(property="attractor-stable", params={})),
    "fixed-point-boxes-as-attractor-stable": ("fp-att", claim(property="attractor-stable", params={})),
    "simplex-fixed-point-as-spectral-radius": ("fp-simplex", claim(property="spectral-radius", params=SIMPLEX_PARAMS)),
    "attractor-as-threshold": ("att-st", then(claim(property="attractor-threshold", params={"value": 7}),
                                              domain(n="6..8"))),
    "threshold-evidence-threshold-8": ("att-th", params(value=8)),
    "threshold-evidence-threshold-6": ("att-th", params(value=6)),
    "fold-evidence-as-threshold": ("fold", claim(property="attractor-threshold", params={"value": 7})),
    "threshold-evidence-as-fold": ("att-th", claim(property="fold-bracket", params={"lo": "6", "hi": "7"})),
    "norm-as-outlier": ("norm", claim(property="orthogonal-outlier")),
    "outlier-as-norm": ("outlier", claim(property="norm-ratio-limit")),
    "centering-as-invariance": ("cent", claim(property="invariant-configuration")),
    "fixed-point-as-spectral-radius": ("fp-conf", claim(property="spectral-radius",
                                                        params={"state": "configuration", "relation": "<", "bound": "1"})),
    "invariance-as-centering": ("inv", claim(property="centering-rank-one")),
    "naive-as-attractor": ("sr-naive", claim(property="attractor-stable", params={})),
    # ---- another model
    "attractor-rc-rs": ("att-st", model(["rc", "rs"], "relu")),
    "attractor-no-stages": ("att-st", model([], "relu")),
    "attractor-rs": ("att-st", model(["rs"], "relu")),
    "attractor-identity": ("att-st", model(["rc"], "identity")),
    "attractor-tanh": ("att-st", model(["rc"], "tanh")),
    "attractor-leaky-1/10": ("att-st", model(["rc"], "leaky_relu", "1/10")),
    "attractor-leaky-range": ("att-st", model(["rc"], "leaky_relu", "0..1/10")),
    "leaky-attractor-other-alpha": ("att-leaky", model(["rc"], "leaky_relu", "1/5")),
    "leaky-attractor-as-relu": ("att-leaky", model(["rc"], "relu")),
    "invariance-identity": ("inv", model(["rc"], "identity")),
    "invariance-tanh": ("inv", model(["rc"], "tanh")),
    "invariance-leaky": ("inv", model(["rc"], "leaky_relu", "1/10")),
    "invariance-no-stages": ("inv", model([], "relu")),
    "invariance-rs-alone": ("inv", model(["rs"], "relu")),
    "invariance-rs-identity": ("inv-rs", model(["rc", "rs"], "identity")),
    "tanh-refutation-as-relu": ("inv-tanh", model(["rc"], "relu")),
    "fixed-point-leaky": ("fp-conf", model(["rc"], "leaky_relu", "1/10")),
    "fixed-point-identity": ("fp-conf", model(["rc"], "identity")),
    "fixed-point-tanh": ("fp-conf", model(["rc"], "tanh")),
    "fixed-point-rs-alone": ("fp-conf", model(["rs"], "relu")),
    "two-point-rs-tanh": ("fp-tp", model(["rc", "rs"], "tanh")),
    "naive-rc-rs": ("sr-naive", model(["rc", "rs"], "relu")),
    "naive-tanh": ("sr-naive", model(["rc"], "tanh")),
    "spectrum-leaky": ("jac", model(["rc"], "leaky_relu", "1/2")),
    "spectrum-identity": ("jac", model(["rc"], "identity")),
    "spectrum-rc-rs": ("jac", model(["rc", "rs"], "relu")),
    "norm-tanh": ("norm", model(["rc"], "tanh")),
    "norm-no-rc": ("norm", model(["rs"], "relu")),
    "outlier-other-alpha": ("outlier", model(["rc"], "leaky_relu", "1/10")),
    "outlier-relu": ("outlier", model(["rc"], "relu")),
    "outlier-alpha-range": ("outlier", model(["rc"], "leaky_relu", "0..1")),
    "leaky-radius-identity": ("sr-tp", model(["rc"], "identity")),
    "centering-relu": ("cent", model(["rc"], "relu")),
    "centering-rc-rs": ("cent", model(["rc", "rs"], "identity")),
    "fold-leaky": ("fold", model(["rc"], "leaky_relu", "1/10")),
    "fold-rc-rs": ("fold", model(["rc", "rs"], "relu")),
    # ---- another state
    "simplex-as-attractor-state": ("simplex", params(state="attractor")),
    "simplex-as-configuration": ("simplex", params(state="configuration")),
    "simplex-as-two-point": ("simplex", params(state="two-point")),
    "simplex-state-missing": ("simplex", params(drop=["state"])),
    "simplex-fixed-point-as-attractor": ("fp-simplex", params(state="attractor")),
    "attractor-fixed-point-as-simplex": ("fp-att", params(state="simplex")),
    "spectrum-at-the-simplex": ("jac", params(state="simplex")),
    "spectrum-at-the-attractor": ("jac", params(state="attractor")),
    "spectrum-at-an-unknown-state": ("jac", params(state="spread")),
    "naive-at-the-simplex": ("sr-naive", params(state="simplex")),
    "naive-at-the-attractor": ("sr-naive", params(state="attractor")),
    "two-point-as-configuration": ("fp-tp", params(state="configuration")),
    "two-point-radius-at-configuration": ("sr-tp", params(state="configuration")),
    "fixed-point-unknown-state": ("fp-conf", params(state="cluster")),
    # ---- another domain
    "attractor-wider-up": ("att-st", domain(n="7..9")),
    "attractor-wider-down": ("att-st", domain(n="6..8")),
    "attractor-shifted-up": ("att-st", domain(n="8..9")),
    "attractor-shifted-down": ("att-st", domain(n="6..7")),
    "attractor-open-range": ("att-st", domain(n="7..")),
    "attractor-to-64": ("att-st", domain(n="7..64")),
    "attractor-with-alpha": ("att-st", domain(alpha="1/10")),
    "leaky-attractor-alpha-range": ("att-leaky", domain(alpha="1/10..1/5")),
    "threshold-wider-down": ("att-th", domain(n="5..8")),
    "threshold-wider-up": ("att-th", domain(n="6..9")),
    "refuted-leaky-as-relu-slope": ("fp-conf-leaky", domain(alpha="0")),
    "outlier-alpha-shifted": ("outlier", domain(alpha="1/2..1")),
    "fold-bracket-lo-moved": ("fold", params(lo="6.5")),
    "fold-bracket-hi-moved": ("fold", params(hi="6.9")),
    "fold-bracket-swapped": ("fold", params(lo="7", hi="6")),
    "fold-bracket-outside": ("fold", then(domain(n="6..8"), params(hi="8"))),
    "fold-domain-point": ("fold", domain(n="6")),
    "n-below-2": ("fp-conf", domain(n="1..")),
    "empty-n-range": ("att-st", domain(n="8..7")),
    "n-range-with-step": ("att-st", domain(n="7..8..1")),
    # ---- verdict, statement, method
    **{"flip-" + name: (name, flip) for name in SPECS},
    "statement-opposite-attractor": ("att-st", opposite),
    "statement-opposite-invariance": ("inv", opposite),
    "statement-opposite-naive": ("sr-naive", opposite),
    "statement-opposite-spectrum": ("jac", opposite),
    "statement-opposite-fold": ("fold", opposite),
    "statement-author-attractor": ("att-st", author),
    "statement-author-fold": ("fold", author),
    "statement-author-naive": ("sr-naive", author),
    "statement-of-another-certificate": ("att-ex", lambda c, certs: dict(c, statement=certs["att-st"]["statement"])),
    "statement-empty": ("inv", field("statement", value="")),
    "method-edited-exact": ("att-st", field("method", value="exact symbolic proof, every n >= 7")),
    "method-edited-kernel": ("sr-naive", field("method", value="evidence re-checked (arb: Krawczyk, Gershgorin, classification, basin covers, all-n t-boxes; exact: kernel null vectors), trusted kernel")),
    "method-edited-empty": ("inv", field("method", value="")),
    # ---- decisive items that say nothing about the claim
    "n7-box-offered-for-n8": ("att-st", evidence(lambda ev, certs: [ev[0], copy.deepcopy(ev[0])])),
    "n8-box-relabelled-n9": ("att-st", item(1, lambda it, c: dict(it, n=9))),
    "n8-box-relabelled-n7": ("att-st", item(1, lambda it, c: dict(it, n=7))),
    "simplex-box-offered-as-attractor": ("att-st", evidence(lambda ev, certs: [ev[0], other("simplex", 1)(certs)])),
    "leaky-box-offered-for-relu": ("att-st", evidence(lambda ev, certs: [ev[0], other("att-leaky", 0)(certs)])),
    "leaky-box-relabelled-relu": ("att-st", evidence(lambda ev, certs: [ev[0], dict(other("att-leaky", 0)(certs), alpha="0")])),
    "relu-box-relabelled-leaky": ("att-leaky", item(0, lambda it, c: dict(copy.deepcopy(c["att-st"]["evidence"][1]),
                                                                         alpha="1/10"))),
    "classification-of-n7-for-n6": ("att-th", evidence(lambda ev, certs: [other("fold", 1)(certs)] + ev[1:])),
    "classification-relabelled-n7": ("att-th", item(0, lambda it, c: dict(it, n="7"))),
    "classification-relabelled-n5": ("att-th", item(0, lambda it, c: dict(it, n="5"))),
    "classification-other-alpha": ("att-th", item(0, lambda it, c: dict(it, alpha="1/10"))),
    "classification-interval-dropped": ("att-th", item(0, lambda it, c: dict(it, intervals=it["intervals"][:5] + it["intervals"][6:]))),
    "classification-interval-doubled": ("att-th", item(0, lambda it, c: dict(it, intervals=it["intervals"][:5] + it["intervals"][4:]))),
    "classification-excluded-as-root": ("att-th", item(0, lambda it, c: dict(it, intervals=[
        [lo, hi, "root" if i == 3 else k, h] for i, (lo, hi, k, h) in enumerate(it["intervals"])]))),
    "classification-unknown-kind": ("att-th", item(0, lambda it, c: dict(it, intervals=[
        [lo, hi, "none" if i == 3 else k, h] for i, (lo, hi, k, h) in enumerate(it["intervals"])]))),
    "classification-unknown-how": ("att-th", item(0, lambda it, c: dict(it, intervals=[
        [lo, hi, k, "trust-me" if i == 3 else h] for i, (lo, hi, k, h) in enumerate(it["intervals"])]))),
    "classification-roots-hidden": ("fold", item(1, lambda it, c: dict(it, intervals=[
        [lo, hi, "excluded" if k == "root" else k, "natural" if k == "root" else h] for lo, hi, k, h in it["intervals"]]))),
    "classification-short-of-one": ("att-th", item(0, lambda it, c: dict(it, intervals=it["intervals"][:-1]))),
    "fold-hi-classification-is-lo": ("fold", evidence(lambda ev, certs: [ev[0], copy.deepcopy(ev[0])])),
    "fold-one-classification": ("fold", evidence(lambda ev, certs: ev[:1])),
    "evidence-emptied": ("att-st", evidence(lambda ev, certs: [])),
    "evidence-reversed-threshold": ("att-th", evidence(lambda ev, certs: ev[::-1][:2])),
    "item-with-claimed-radius": ("att-ex", then(claim(property="attractor-stable", params={}), evidence(
        lambda ev, certs: [dict(i, radius_below="1/2", spectral_bound="1/2", state="spread-cluster") for i in ev]))),
    "box-enlarged-2^40": ("att-st", box(1, 0, rad=lambda r: (r[0], r[1] + 40))),
    "box-enlarged-to-1/4": ("att-st", item(1, lambda it, c: dict(it, box=[dict(b, rad=[1, -2]) for b in it["box"]]))),
    "box-moved-16-radii": ("att-st", box(1, 1, mid=(1, -70))),
    "box-moved-far": ("att-st", box(1, 0, mid=(1, -4))),
    "box-shrunk-below-precision": ("att-st", box(1, 2, rad=lambda r: (1, -300))),
    "box-radius-zero": ("att-st", box(1, 0, rad=lambda r: (0, 0))),
    "box-radius-negative": ("att-st", box(1, 0, rad=lambda r: (-r[0], r[1]))),
    "box-two-coordinates": ("att-st", item(1, lambda it, c: dict(it, box=it["box"][:2]))),
    "box-coordinates-swapped": ("att-st", item(1, lambda it, c: dict(it, box=[it["box"][1], it["box"][0], it["box"][2]]))),
    "box-of-simplex-in-attractor-item": ("att-st", item(1, lambda it, c: dict(it, box=c["simplex"]["evidence"][1]["box"]))),
    "y-identity": ("att-st", item(1, identity_y)),
    "y-zero": ("att-st", item(1, zero_y)),
    # radii that are powers of two make K(X) = m + (X - m) = X exactly: inside X, not strictly
    "y-zero-exact-radii": ("att-st", item(1, lambda it, c: dict(zero_y(it, c), box=[dict(b, rad=[1, -70])
                                                                                   for b in it["box"]]))),
    "y-of-another-n": ("att-st", item(1, lambda it, c: dict(it, Y=c["att-st"]["evidence"][0]["Y"]))),
    "y-2x2": ("att-st", item(1, lambda it, c: dict(it, Y=[r[:2] for r in it["Y"][:2]]))),
    "v-dropped": ("att-st", item(1, lambda it, c: {k: v for k, v in it.items() if k not in ("V", "bound")})),
    "v-null": ("att-st", item(1, lambda it, c: dict(it, V=None))),
    "v-identity": ("att-st", item(1, identity_v)),
    "v-of-another-n": ("att-st", item(1, lambda it, c: dict(it, V=c["att-st"]["evidence"][0]["V"]))),
    "v-block-missing": ("att-st", item(1, lambda it, c: dict(it, V={k: v for k, v in it["V"].items() if k != "pair"}))),
    "v-extra-block": ("att-st", item(1, lambda it, c: dict(it, V=dict(it["V"], sign=[[["1", "0"]]])))),
    "v-zero": ("att-st", item(1, lambda it, c: dict(it, V={k: [[["0", "0"]] * len(v)] * len(v) for k, v in it["V"].items()}))),
    "v-wrong-size": ("att-st", item(1, lambda it, c: dict(it, V=dict(it["V"], trivial=[[["1", "0"]]])))),
    "item-bound-2": ("att-st", item(1, lambda it, c: dict(it, bound="2"))),
    "item-bound-tiny": ("att-st", item(1, lambda it, c: dict(it, bound="1/100"))),
    "item-bound-missing": ("att-st", item(1, lambda it, c: {k: v for k, v in it.items() if k != "bound"})),
    "claim-bound-halved": ("att-st", params(bound="1/2")),
    "claim-bound-zero": ("simplex", params(bound="0")),
    "claim-relation-reversed": ("att-st", params(relation=">")),
    "unknown-item-type": ("att-st", evidence(lambda ev, c: [ev[0], {"type": "smt", "query": SMT, "answer": "unsat"}])),
    "untrusted-record-kind": ("att-st", evidence(lambda ev, c: [ev[0], dict(ev[1], type="krawczyk")])),
    "item-type-capitalised": ("att-st", evidence(lambda ev, c: [ev[0], dict(ev[1], type="Symmetric-State")])),
    "item-not-a-table": ("att-st", evidence(lambda ev, c: [ev[0], "symmetric-state"])),
    "items-back-a-flipped-refutation": ("sr-naive", then(flip, evidence(lambda ev, c: c["simplex"]["evidence"]))),
    "items-back-a-false-threshold": ("att-th", then(params(value=6), evidence(lambda ev, c: ev[1:]))),
    # ---- the all-n branch (every n >= 16 at once)
    "branch-without-stability-as-stable": ("alln", then(claim(property="attractor-stable", params={}),
                                                       item(0, lambda it, c: dict(it, stable=False)))),
    "branch-stable-below-1/2": ("alln", claim(property="attractor-stable", params={"relation": "<", "bound": "1/2"})),
    "branch-as-simplex": ("alln", claim(property="fixed-point", params={"state": "simplex"})),
    "branch-from-15": ("alln", domain(n="15..")),
    "branch-for-leaky": ("alln", model(["rc"], "leaky_relu", "1/10")),
    "branch-rc-rs": ("alln", model(["rc", "rs"], "relu")),
    "branch-n-from-relabelled-8": ("alln", then(item(0, lambda it, c: dict(it, n_from=8)), domain(n="8.."))),
    "branch-box-dropped": ("alln", item(0, lambda it, c: dict(it, boxes=it["boxes"][:3] + it["boxes"][4:]))),
    "branch-first-box-dropped": ("alln", item(0, lambda it, c: dict(it, boxes=it["boxes"][1:]))),
    "branch-box-moved": ("alln", item(0, lambda it, c: dict(it, boxes=[dict(b, v=dict(b["v"], mid=[b["v"]["mid"][0] + 4 * b["v"]["rad"][0], b["v"]["mid"][1]])) if i == 5 else b for i, b in enumerate(it["boxes"])]))),
    "branch-y-zero": ("alln", item(0, lambda it, c: dict(it, boxes=[dict(b, y="0") for b in it["boxes"]]))),
    "branch-t-gap": ("alln", item(0, lambda it, c: dict(it, boxes=[dict(b, t=[b["t"][0], "1/200"]) if i == 0 else b for i, b in enumerate(it["boxes"])]))),
    "branch-extra-field": ("alln", item(0, lambda it, c: dict(it, note="checked by hand"))),
    "branch-stable-as-string": ("alln", item(0, lambda it, c: dict(it, stable="true"))),
    "branch-duplicated": ("alln", evidence(lambda ev, c: ev + [copy.deepcopy(ev[0])])),
    "branch-beside-the-attractor-boxes": ("att-st", evidence(lambda ev, c: ev + [other("alln", 0)(c)])),
    # ---- the simplex state's all-n branch (every n >= 3 at once)
    "sbranch-as-attractor": ("simplex-alln", claim(property="attractor-stable", params={})),
    "sbranch-as-attractor-state": ("simplex-alln", params(state="attractor")),
    "sbranch-bound-below-1": ("simplex-alln", params(bound="99/100")),
    "sbranch-bound-below-1-finite": ("simplex-alln", then(params(bound="999/1000"), domain(n="3..60"))),
    "sbranch-for-leaky": ("simplex-alln", model(["rc"], "leaky_relu", "1/10")),
    "sbranch-leaky-for-relu": ("simplex-alln-leaky", model(["rc"], "relu")),
    "sbranch-leaky-for-other-alpha": ("simplex-alln-leaky", domain(alpha="1/2")),
    # RC alone's simplex branch for RC + RS is the BSB1 lemma's route (test_bsb1_goal.py), not a forgery;
    # RS alone, another state or a tanh model are
    "sbranch-rs-alone": ("simplex-alln", model(["rs"], "relu")),
    "sbranch-rc-rs-tanh": ("simplex-alln", model(["rc", "rs"], "tanh")),
    "sbranch-rc-rs-identity": ("simplex-alln", model(["rc", "rs"], "identity")),
    "sbranch-rc-rs-as-attractor": ("simplex-alln", then(model(["rc", "rs"], "relu"), params(state="attractor"))),
    "sbranch-rc-rs-bound-below-1": ("simplex-alln", then(model(["rc", "rs"], "relu"), params(bound="99/100"))),
    "sbranch-tanh": ("simplex-alln", model(["rc"], "tanh")),
    "sbranch-no-rc": ("simplex-alln", model([], "relu")),
    "sbranch-n-from-relabelled-4": ("simplex-alln", item(0, lambda it, c: dict(it, n_from=4))),
    "sbranch-leaky-for-n-from-4": ("simplex-alln-leaky", domain(n="4..10000")),
    "sbranch-n-from-2": ("simplex-alln", then(item(0, lambda it, c: dict(it, n_from=2, boxes=[
        {"t": ["0", "1/6"]}, {"t": ["1/6", "1/2"]}])), domain(n="2.."))),
    "sbranch-one-box": ("simplex-alln", item(0, lambda it, c: dict(it, boxes=[{"t": ["0", "1/3"]}]))),
    "sbranch-box-dropped": ("simplex-alln", item(0, lambda it, c: dict(it, boxes=it["boxes"][:1]))),
    "sbranch-t-gap": ("simplex-alln", item(0, lambda it, c: dict(it, boxes=[{"t": ["0", "1/7"]}, {"t": ["1/6", "1/3"]}]))),
    "sbranch-t-overlap": ("simplex-alln", item(0, lambda it, c: dict(it, boxes=[{"t": ["0", "1/5"]}, {"t": ["1/6", "1/3"]}]))),
    "sbranch-t-reversed": ("simplex-alln", item(0, lambda it, c: dict(it, boxes=it["boxes"][::-1]))),
    "sbranch-t-from-negative": ("simplex-alln", item(0, lambda it, c: dict(it, boxes=[{"t": ["-1/6", "1/6"]}, {"t": ["1/6", "1/3"]}]))),
    "sbranch-t-as-floats": ("simplex-alln", item(0, lambda it, c: dict(it, boxes=[{"t": ["0", "0.1666"]}, {"t": ["0.1666", "1/3"]}]))),
    "sbranch-t-huge-denominator": ("simplex-alln", item(0, lambda it, c: dict(it, boxes=[
        {"t": ["0", "1/" + "9" * 5000]}, {"t": ["1/" + "9" * 5000, "1/3"]}]))),
    "sbranch-alpha-1": ("simplex-alln", item(0, lambda it, c: dict(it, alpha="1"))),
    "sbranch-n-from-bool": ("simplex-alln", item(0, lambda it, c: dict(it, n_from=True))),
    "sbranch-prec-tiny": ("simplex-alln", item(0, lambda it, c: dict(it, prec=8))),
    "sbranch-extra-field": ("simplex-alln", item(0, lambda it, c: dict(it, stable=True))),
    "sbranch-box-extra-field": ("simplex-alln", item(0, lambda it, c: dict(it, boxes=[dict(b, radius="1/2") for b in it["boxes"]]))),
    "sbranch-as-attractor-branch": ("simplex-alln", item(0, lambda it, c: dict(it, type="all-n-branch"))),
    "attractor-branch-as-simplex-branch": ("alln", item(0, lambda it, c: dict(it, type="simplex-branch"))),
    "sbranch-offered-for-the-attractor": ("alln", evidence(lambda ev, c: [other("simplex-alln", 0)(c)])),
    "sbranch-emptied": ("simplex-alln", evidence(lambda ev, c: [])),
    "sbranch-flipped": ("simplex-alln", flip),
    # ---- false claims next to the edge of what the kernel samples or shows
    "norm-agrees-at-the-sampled-points": ("norm", params(value="n - 1 + (n-2)*(n-3)*(n-4)*(n-5)*(n-6)*(n-7)")),
    "norm-ratio-negative": ("norm", params(value="-(n - 1)")),
    "radius-bound-touched-at-n10": ("sr-naive", then(params(relation=">", bound="50/41"), domain(n="3..10"), flip)),
    "spectrum-with-an-extra-eigenvalue": ("jac", extra_eigenvalue),
    "two-roots-as-absence": ("att-th", absence_at_7()),
    "roots-excluded-as-absence": ("att-th", absence_at_7("excluded", "natural")),
    "roots-mean-value-as-absence": ("att-th", absence_at_7("excluded", "mean-value")),
    "roots-monotone-as-absence": ("att-th", absence_at_7("excluded", "monotone")),
    "roots-as-the-simplex": ("att-th", absence_at_7("simplex")),
    "roots-as-the-configuration": ("att-th", absence_at_7("configuration")),
    # ---- hand-written SMT text
    "smt-in-value": ("norm", params(value=SMT)),
    "smt-in-bound": ("sr-naive", params(bound=SMT)),
    "smt-in-relation": ("sr-naive", params(relation="(assert false)")),
    "smt-in-state": ("jac", params(state=SMT)),
    "smt-in-eigenvalue": ("jac", params(eigenvalues=[[SMT, "n"]])),
    "smt-in-n": ("inv", domain(n="2..) " + SMT)),
    "smt-in-alpha": ("outlier", domain(alpha=SMT)),
    "smt-in-property": ("inv", claim(property=SMT)),
    "smt-in-activation": ("inv", claim(activation=SMT)),
    "smt-in-stages": ("inv", claim(stages=["rc", SMT])),
    "smt-in-verdict": ("inv", field("verdict", value="unsat")),
    "smt-in-format": ("inv", field("format", value=SMT)),
    "smt-in-statement": ("inv", field("statement", value=SMT)),
    "smt-in-method": ("inv", field("method", value=SMT)),
    "smt-in-lo": ("fold", params(lo=SMT)),
    "smt-in-item-alpha": ("att-st", item(1, lambda it, c: dict(it, alpha=SMT))),
    "smt-in-y": ("att-st", item(1, lambda it, c: dict(it, Y=[[SMT] * 3] * 3))),
    "smt-in-interval": ("att-th", item(0, lambda it, c: dict(it, intervals=[[it["intervals"][0][0], SMT, "excluded", "natural"]]))),
    "smt-in-evidence": ("inv", evidence(lambda ev, c: [SMT])),
    # ---- big numbers
    "n-beyond-10^6": ("fp-conf", domain(n="2..1000001")),
    "n-with-5000-digits": ("fp-conf", domain(n="9" * 5000)),
    "bound-with-5000-digits": ("sr-naive", params(bound="1" * 5000)),
    "value-with-3000-digits": ("norm", params(value="n - " + "1" * 3000)),
    "threshold-huge": ("att-th", params(value=10 ** 400)),
    "prec-huge": ("att-st", item(1, lambda it, c: dict(it, prec=10 ** 9))),
    "box-exponent-huge": ("att-st", box(1, 0, rad=lambda r: (1, 10 ** 6))),
    "box-mantissa-huge": ("att-st", item(1, lambda it, c: dict(it, box=[{"mid": [3 ** 70000, -110950], "rad": b["rad"]}
                                                                        for b in it["box"]]))),
    "y-entry-huge": ("att-st", item(1, lambda it, c: dict(it, Y=[["1" * 5000] * 3] * 3))),
    "item-n-huge": ("att-st", item(1, lambda it, c: dict(it, n=10 ** 30))),
    "eigenvalue-multiplicity-huge": ("jac", params(eigenvalues=[["0", "9" * 2001]])),
    # ---- deep nesting
    "deep-params": ("inv", params(value=deep(5000))),
    "deep-evidence": ("att-st", evidence(lambda ev, c: [ev[0], deep(5000, ev[1])])),
    "deep-claim": ("inv", claim(domain=deep(5000, {"n": "2.."}))),
    "deep-expression": ("norm", params(value="(" * 300 + "n - 1" + ")" * 300)),
    "long-unary-chain": ("norm", params(value="-" * 3000 + "(n - 1)")),
    # ---- NaN, infinities and wrong types
    "nan-bound": ("sr-naive", params(bound=math.nan)),
    "nan-threshold": ("att-th", params(value=math.nan)),
    "inf-threshold": ("att-th", params(value=math.inf)),
    "nan-n": ("fp-conf", domain(n=math.nan)),
    "nan-box": ("att-st", box(1, 0, rad=lambda r: (math.nan, r[1]))),
    "nan-prec": ("att-st", item(1, lambda it, c: dict(it, prec=math.nan))),
    "nan-y": ("att-st", item(1, lambda it, c: dict(it, Y=[[math.nan] * 3] * 3))),
    "float-threshold": ("att-th", params(value=6.5)),
    "float-n-item": ("att-st", item(1, lambda it, c: dict(it, n=8.0))),
    "string-n-item": ("att-st", item(1, lambda it, c: dict(it, n="8"))),
    "bool-n-item": ("att-st", item(1, lambda it, c: dict(it, n=True))),
    "string-prec": ("att-st", item(1, lambda it, c: dict(it, prec="128"))),
    "number-alpha-item": ("att-st", item(1, lambda it, c: dict(it, alpha=0))),
    "number-bound": ("att-st", params(bound=1)),
    "number-y": ("att-st", item(1, lambda it, c: dict(it, Y=[[1, 0, 0], [0, 1, 0], [0, 0, 1]]))),
    "string-mantissa": ("att-st", item(1, lambda it, c: dict(it, box=[{"mid": [str(b["mid"][0]), b["mid"][1]], "rad": b["rad"]}
                                                                     for b in it["box"]]))),
    "box-as-dict": ("att-st", item(1, lambda it, c: dict(it, box={"o": it["box"][0], "x": it["box"][1], "b": it["box"][2]}))),
    "v-as-list": ("att-st", item(1, lambda it, c: dict(it, V=list(it["V"].values())))),
    "intervals-as-dict": ("att-th", item(0, lambda it, c: dict(it, intervals={"0": it["intervals"]}))),
    "claim-null": ("inv", field("claim", value=None)),
    "claim-list": ("inv", lambda cert, c: dict(cert, claim=list(cert["claim"].items()))),
    "claim-string": ("inv", lambda cert, c: dict(cert, claim=json.dumps(cert["claim"]))),
    "domain-list": ("inv", claim(domain=[["n", "2.."]])),
    "domain-null": ("inv", claim(domain=None)),
    "stages-string": ("inv", claim(stages="rc")),
    "stages-reordered": ("inv-rs", claim(stages=["rs", "rc"])),
    "stages-with-activation": ("inv", claim(stages=["rc", "relu"])),
    "activation-null": ("inv", claim(activation=None)),
    "activation-list": ("inv", claim(activation=["relu"])),
    "property-list": ("inv", claim(property=["invariant-configuration"])),
    "property-null": ("inv", claim(property=None)),
    "verdict-null": ("inv", field("verdict", value=None)),
    "verdict-true": ("inv", field("verdict", value=True)),
    "verdict-capitalised": ("inv", field("verdict", value="Proved")),
    "verdict-inconclusive": ("inv", field("verdict", value="inconclusive")),
    "evidence-dict": ("att-st", lambda cert, c: dict(cert, evidence={str(i): e for i, e in enumerate(cert["evidence"])})),
    "evidence-null": ("att-st", field("evidence", value=None)),
    "eigenvalues-string": ("jac", params(eigenvalues=EIGEN)),
    "eigenvalues-triples": ("jac", params(eigenvalues=[["0", "n", "x"]])),
    "state-list": ("simplex", params(state=["simplex"])),
    "relation-list": ("sr-naive", params(relation=["<"])),
    "lo-number": ("fold", params(lo=6)),
    "value-number": ("norm", params(value=1)),
    # ---- format, missing and unknown fields
    "format-v1": ("inv", field("format", value="bnverify-certificate/1")),
    "format-v3": ("inv", field("format", value="bnverify-certificate/3")),
    "format-space": ("inv", field("format", value="bnverify-certificate/2 ")),
    "format-null": ("inv", field("format", value=None)),
    "format-missing": ("inv", field("format", delete=True)),
    "claim-missing": ("inv", field("claim", delete=True)),
    "verdict-missing": ("inv", field("verdict", delete=True)),
    "evidence-missing-where-needed": ("att-st", field("evidence", delete=True)),
    "property-missing": ("inv", field("claim", "property", delete=True)),
    "stages-missing": ("inv", field("claim", "stages", delete=True)),
    "activation-missing": ("inv", field("claim", "activation", delete=True)),
    "domain-missing": ("inv", field("claim", "domain", delete=True)),
    "n-missing": ("inv", field("claim", "domain", "n", delete=True)),
    "relation-missing": ("sr-naive", params(drop=["relation"])),
    "bound-missing": ("sr-naive", params(drop=["bound"])),
    "eigenvalues-missing": ("jac", params(drop=["eigenvalues"])),
    "lo-missing": ("fold", params(drop=["lo"])),
    "threshold-value-missing": ("att-th", params(drop=["value"])),
    "norm-value-missing": ("norm", params(drop=["value"])),
    **{"item-%s-missing" % k: ("att-st", item(1, lambda it, c, k=k: {a: b for a, b in it.items() if a != k}))
       for k in ("type", "n", "alpha", "prec", "box", "Y")},
    **{"classification-%s-missing" % k: ("att-th", item(0, lambda it, c, k=k: {a: b for a, b in it.items() if a != k}))
       for k in ("n", "alpha", "prec", "intervals")},
    "box-mid-missing": ("att-st", item(1, lambda it, c: dict(it, box=[{"rad": b["rad"]} for b in it["box"]]))),
}

# Forgeries that leave the verdict true but say more than the kernel checked, or add what it
# does not read: the kernel rejects a certificate unless every field is one it reads, of its
# type, and every evidence item is about the claim (no surplus, no duplicates).
STRICT = {
    "statement-missing": ("inv", field("statement", delete=True)),
    "statement-null": ("inv", field("statement", value=None)),
    "method-missing": ("inv", field("method", delete=True)),
    "tools-missing": ("inv", field("tools", delete=True)),
    "evidence-missing": ("inv", field("evidence", delete=True)),
    "params-missing": ("att-st", field("claim", "params", delete=True)),
    "params-list": ("inv", claim(params=[])),
    "params-null": ("inv", claim(params=None)),
    "params-string": ("inv", claim(params="")),
    "tools-list": ("inv", field("tools", value=["python 3"])),
    "tools-nan": ("inv", field("tools", "python", value=math.nan)),
    "id-number": ("inv", field("claim", "id", value=3)),
    "wording-list": ("inv", field("claim", "wording", value=["proved"])),
    "n-as-number": ("fp-conf", domain(n=7)),
    "classification-n-as-number": ("att-th", item(0, lambda it, c: dict(it, n=6))),
    "unknown-top-level-field": ("inv", field("note", value="reviewed by hand")),
    "unknown-top-level-trusted": ("att-st", field("trusted", value=True)),
    "unknown-top-level-assumptions": ("sr-naive", field("assumptions", value=["n >= 3", SMT])),
    "unknown-claim-field": ("inv", field("claim", "model", value="rc,rs,relu")),
    "unknown-claim-alpha": ("att-st", field("claim", "alpha", value="1/10")),
    "unknown-domain-field": ("att-st", field("claim", "domain", "width", value="64")),
    "unknown-param-state-on-attractor": ("att-st", params(state="simplex")),
    "unknown-param-bound-on-exists": ("att-ex", params(relation="<", bound="1/1000")),
    "unknown-param-relation-on-fixed-point": ("fp-att", params(relation="<", bound="1/2")),
    "unknown-param-value-on-radius": ("sr-naive", params(value="n")),
    "unknown-param-on-invariance": ("inv", params(value="0")),
    "item-extra-field": ("att-st", item(1, lambda it, c: dict(it, note="checked by hand"))),
    "item-extra-state": ("att-st", item(1, lambda it, c: dict(it, state="spread-cluster"))),
    "classification-extra-field": ("att-th", item(0, lambda it, c: dict(it, spread_cluster_states=0))),
    "box-extra-field": ("att-st", item(1, lambda it, c: dict(it, box=[dict(b, exact=True) for b in it["box"]]))),
    "bound-without-v": ("att-ex", item(0, lambda it, c: dict(it, bound="1"))),
    "duplicated-item": ("att-st", evidence(lambda ev, c: ev + [copy.deepcopy(ev[0])])),
    "surplus-simplex-box": ("att-st", evidence(lambda ev, c: ev + [other("simplex", 0)(c)])),
    "surplus-leaky-box": ("att-st", evidence(lambda ev, c: ev + [other("att-leaky", 0)(c)])),
    "surplus-classification-of-n7": ("att-th", evidence(lambda ev, c: ev + [other("fold", 1)(c)])),
    "surplus-item-outside-the-domain": ("att-st", domain(n="7")),
    "threshold-narrowed-keeps-classification": ("att-th", domain(n="7..8")),
    "fold-surplus-item": ("fold", evidence(lambda ev, c: ev + [other("att-th", 0)(c)])),
    "items-injected-into-invariance": ("inv", evidence(lambda ev, c: c["att-st"]["evidence"])),
    "items-injected-into-centering": ("cent", evidence(lambda ev, c: c["att-th"]["evidence"][:1])),
    "items-injected-into-naive": ("sr-naive", evidence(lambda ev, c: c["simplex"]["evidence"])),
    "attractor-fixed-point-as-configuration": ("fp-att", params(state="configuration")),
    "spectrum-with-surplus-boxes": ("jac", evidence(lambda ev, c: c["simplex"]["evidence"])),
    "method-of-the-other-kind": ("att-st", field("method", value="trusted kernel (exact / SMT / ball)")),
    # digits that int() reads but no reader of the JSON does: n = 7..8 in Arabic-Indic digits
    "non-ascii-digits-in-n": ("att-st", domain(n="\u0667..\u0668")),
    "non-ascii-digits-in-bound": ("sr-naive", params(bound="\u0661")),
    "non-ascii-digits-in-lo": ("fold", params(lo="\u0666")),
    "fullwidth-digits-in-item-alpha": ("att-st", item(1, lambda it, c: dict(it, alpha="\uff10"))),
}


def pieces(fn):
    """Edit the pieces of the first basin-cover item: fn(pieces) returns the new list."""
    return item(0, lambda it, c: dict(it, pieces=fn(copy.deepcopy(it["pieces"]))))


def relabel_first(kind, new):
    def fn(ps):
        i = next(i for i, p in enumerate(ps) if p[2] == kind)
        ps[i][2] = new
        return ps
    return fn


def fixed_at(k):
    return lambda ps: [i for i, p in enumerate(ps) if p[2] == "fixed"][k]


def merged_over(k):
    """Two pieces around the k-th fixed piece joined into one labelled like the left one."""
    def fn(ps):
        i = fixed_at(k)(ps)
        return ps[:i - 1] + [[ps[i - 1][0], ps[i][1], ps[i - 1][2]]] + ps[i + 1:]
    return fn


FORGERIES.update({
    # ---- basin covers: relabelled onto another claim
    "basin-onto-n8": ("basin", domain(n="8")),
    "basin-onto-n7-8": ("basin", domain(n="7..8")),
    "basin-onto-leaky": ("basin", model(["rc"], "leaky_relu", "1/10")),
    "basin-onto-rs": ("basin", model(["rc", "rs"], "relu")),
    "basin-onto-the-simplex": ("basin", params(state="simplex")),
    "basin-onto-all-but-O_n": ("basin", params(basin="[left-end, configuration)")),
    "basin-onto-closed-interval": ("basin", params(basin="[partner, configuration]")),
    "basin-of-the-partner": ("basin", params(state="partner")),
    "basin-item-n-relabelled": ("basin", item(0, lambda it, c: dict(it, n=8))),
    "basin-item-alpha-relabelled": ("basin", item(0, lambda it, c: dict(it, alpha="1/10"))),
    "basin-n5-refutation-flipped": ("basin-ref", flip),
    "basin-n5-onto-the-simplex": ("basin-ref", params(state="simplex", basin="[left-end, configuration)")),
    "basin-n7-cover-for-n5": ("basin-ref", evidence(lambda ev, c: [other("basin", 0)(c)])),
    "basin-flipped": ("basin", flip),
    "basin-emptied": ("basin", evidence(lambda ev, c: [])),
    "basin-item-twice": ("basin", evidence(lambda ev, c: ev + ev)),
    # ---- basin covers that do not cover, or say what they do not show
    "basin-piece-dropped": ("basin", pieces(lambda ps: ps[:5] + ps[6:])),
    "basin-last-piece-dropped": ("basin", pieces(lambda ps: ps[:-1])),
    "basin-reordered": ("basin", pieces(lambda ps: ps[::-1])),
    "basin-two-swapped": ("basin", pieces(lambda ps: ps[:3] + [ps[4], ps[3]] + ps[5:])),
    "basin-starts-below-the-domain": ("basin", pieces(lambda ps: [["-1", ps[0][0], "head"]] + ps)),
    "basin-starts-inside-the-domain": ("basin", pieces(lambda ps: ps[1:])),
    "basin-up-claimed-down": ("basin", pieces(relabel_first("up", "down"))),
    "basin-down-claimed-up": ("basin", pieces(relabel_first("down", "up"))),
    "basin-fixed-claimed-up": ("basin", pieces(lambda ps: [p if i != fixed_at(1)(ps) else p[:2] + ["up"]
                                                           for i, p in enumerate(ps)])),
    "basin-up-claimed-fixed": ("basin", pieces(relabel_first("up", "fixed"))),
    "basin-head-after-monotone": ("basin", pieces(relabel_first("down", "head"))),
    "basin-everything-head": ("basin", pieces(lambda ps: [[ps[0][0], "1", "head"]])),
    "basin-monotone-from-the-left-end": ("basin", pieces(lambda ps: [p[:2] + ["up"] if p[2] == "head" else p
                                                                     for p in ps])),
    "basin-merged-over-the-partner": ("basin", pieces(merged_over(1))),
    "basin-merged-over-the-simplex": ("basin", pieces(merged_over(0))),
    "basin-partner-dropped": ("basin", pieces(lambda ps: [p if i != fixed_at(1)(ps) else p[:2] + ["down"]
                                                          for i, p in enumerate(ps)])),
    "basin-head-over-the-simplex": ("basin", pieces(lambda ps: [p[:2] + ["head"] if i <= fixed_at(0)(ps) else p
                                                                for i, p in enumerate(ps)])),
    "basin-head-up-to-the-simplex": ("basin", pieces(lambda ps: [p[:2] + ["head"] if i < fixed_at(0)(ps) else p
                                                                 for i, p in enumerate(ps)])),
    "basin-decreasing-piece-called-up": ("basin", pieces(lambda ps: ps[:1] + [p[:2] + ["up"] if p[2] == "head" else p
                                                                             for p in ps[1:]])),
    "basin-gap-claimed-down": ("basin", pieces(lambda ps: [p[:2] + ["down"] if fixed_at(1)(ps) < i < fixed_at(2)(ps) else p
                                                           for i, p in enumerate(ps)])),
    "basin-kind-unknown": ("basin", pieces(relabel_first("up", "stable"))),
    "basin-pieces-as-floats": ("basin", pieces(lambda ps: [[str(float(Fraction(a))), str(float(Fraction(b))), k]
                                                           for a, b, k in ps])),
    "basin-piece-of-four": ("basin", pieces(lambda ps: [ps[0] + ["natural"]] + ps[1:])),
    "basin-prec-tiny": ("basin", item(0, lambda it, c: dict(it, prec=8))),
    "basin-n-65": ("basin", then(item(0, lambda it, c: dict(it, n=65)), domain(n="65"))),
    "basin-extra-field": ("basin", item(0, lambda it, c: dict(it, intervals=[]))),
    "basin-as-classification": ("basin", item(0, lambda it, c: dict(it, type="classification"))),
})


def null_item(**changes):
    """Edit the kernel-null item of kdef-ref."""
    return item(0, lambda it, c: dict(it, **changes))


FORGERIES.update({
    # ---- kernel-definite and rank-growth (docs/rank.md)
    "kdef-refutation-flipped": ("kdef-ref", flip),
    "kdef-pairs-offered-against-no-collinear": ("kdef", then(evidence(lambda ev, c: c["kdef-ref"]["evidence"]), flip)),
    "kdef-pairs-relabelled-onto-no-collinear": ("kdef-ref", params(points="no-collinear")),
    "kdef-pairs-relabelled-onto-n-2-5": ("kdef-ref", domain(n="2..5")),
    "kdef-pairs-relabelled-onto-leaky": ("kdef-ref", model([], "leaky_relu", "1/10")),
    "kdef-null-vector-edited": ("kdef-ref", null_item(null=["1", "-1", "1", "-1", "-1", "2"])),
    "kdef-null-vector-zero": ("kdef-ref", null_item(null=["0"] * 6)),
    "kdef-null-vector-short": ("kdef-ref", null_item(null=["1", "-1", "1", "-1", "-1"])),
    "kdef-points-moved": ("kdef-ref", null_item(points=[["1", "0"], ["-1", "0"], ["0", "1"], ["0", "-1"],
                                                         ["1", "1"], ["-1", "-2"]])),
    "kdef-collinear-points-for-antipodal": ("kdef-ref", null_item(points=[["1", "0"], ["2", "0"]], null=["2", "-1"])),
    "kdef-alpha-relabelled": ("kdef-ref", null_item(alpha="1/2")),
    "kdef-alpha-above-one": ("kdef-ref", null_item(alpha="2")),
    "kdef-null-only-in-row-0": ("kdef-ref", null_item(points=[["1", "0"], ["-1", "0"], ["0", "1"]], null=["0", "1", "0"])),
    "kdef-n6-proved-without-evidence": ("kdef-ref", then(domain(n="2..6"), evidence(lambda ev, c: []), flip)),
    "kdef-points-as-floats": ("kdef-ref", null_item(points=[["1.0", "0"]] * 6)),
    "kdef-seventeen-points": ("kdef-ref", null_item(points=[["1", str(k)] for k in range(17)], null=["1"] * 17)),
    "kdef-proof-onto-identity": ("kdef", model([], "identity")),
    "kdef-proof-onto-nonzero": ("kdef", params(points="nonzero")),
    "kdef-proof-onto-no-positive-collinear": ("kdef", params(points="no-positive-collinear")),
    "kdef-proof-onto-rc": ("kdef", model(["rc"], "relu")),
    "kdef-proof-onto-tanh": ("kdef", model([], "tanh")),
    "kdef-points-unknown": ("kdef", params(points="generic")),
    "growth-onto-identity": ("growth", model(["rc"], "identity")),
    "growth-onto-rs": ("growth", model(["rc", "rs"], "relu")),
    "growth-onto-no-rc": ("growth", model([], "relu")),
    "growth-flipped": ("growth", flip),
    "growth-identity-flipped": ("growth-id", flip),
    "growth-with-pairs-evidence": ("growth", evidence(lambda ev, c: c["kdef-ref"]["evidence"])),
    # ---- kernel-singular (the rank lemma's converse): no evidence either
    "ksing-flipped": ("ksing", flip),
    "ksing-onto-rc": ("ksing", model(["rc"], "relu")),
    "ksing-onto-tanh": ("ksing", model([], "tanh")),
    "ksing-onto-the-lemma": ("ksing", claim(property="kernel-definite")),
    "ksing-onto-no-collinear": ("ksing", params(points="no-collinear")),
    "ksing-with-evidence": ("ksing", evidence(lambda ev, c: c["kdef-ref"]["evidence"])),
    # ---- stage-fact (decompose's exact rows): no evidence, so only relabellings onto claims
    # without a goal or with another verdict can be tried
    "stage-flipped": ("stage-rcrs", flip),
    "stage-onto-rc-relu": ("stage-rcrs", model(["rc"], "relu")),
    "stage-onto-rc-rs-relu": ("stage-rcrs", model(["rc", "rs"], "relu")),
    "stage-onto-rs-relu-at-3": ("stage-rcrs", then(model(["rs"], "relu"), domain(n="3"))),
    "stage-onto-rs-at-3": ("stage-rcrs", then(model(["rs"], "identity"), domain(n="3"))),
    "stage-onto-a-range-of-n": ("stage-rcrs", domain(n="8..9")),
    "stage-onto-every-n": ("stage-rcrs", domain(n="8..")),
    "stage-nl-onto-tanh": ("stage-nl", model([], "tanh")),
    "stage-nl-onto-a-range-of-alpha": ("stage-nl", model([], "leaky_relu", "0..1/2")),
    "stage-with-evidence": ("stage-rcrs", evidence(lambda ev, c: c["att-leaky"]["evidence"])),
})


def _text(cert):
    try:
        return json.dumps(cert, sort_keys=True)
    except (RecursionError, ValueError):     # too deep, or an integer of more than 4300 digits
        return None


def _forge(certs, base, forge):
    cert = forge(copy.deepcopy(certs[base]), certs)
    assert _text(cert) != _text(certs[base]), "the forgery changed nothing"
    try:
        return rehash(cert)
    except (RecursionError, ValueError):     # too deep to hash: the kernel cannot hash it either
        return cert


@pytest.mark.parametrize("base,forge", FORGERIES.values(), ids=FORGERIES.keys())
def test_forgery_is_rejected(certs, base, forge):
    ok, msg = trusted.check(_forge(certs, base, forge))
    assert not ok, msg


@pytest.mark.parametrize("base,forge", STRICT.values(), ids=STRICT.keys())
def test_unread_or_surplus_content_is_rejected(certs, base, forge):
    ok, msg = trusted.check(_forge(certs, base, forge))
    assert not ok, msg


@pytest.mark.parametrize("how", ["missing", "null", "empty", "of-another-certificate", "upper-case",
                                 "unhashed-claim-edit", "unhashed-evidence-edit", "unhashed-tools-edit"])
def test_the_hash_must_be_the_content_hash(certs, how):
    """Edits that leave the mathematics valid (a bigger box, other tool versions) and are not
    rehashed are accidents the hash must catch."""
    cert = copy.deepcopy(certs["att-st"])
    if how == "missing":
        del cert["hash"]
    elif how == "unhashed-claim-edit":
        cert["claim"]["wording"] = "edited"
    elif how == "unhashed-evidence-edit":
        cert["evidence"][1]["box"][0]["rad"][1] += 10
    elif how == "unhashed-tools-edit":
        cert["tools"]["python"] = "2.7"
    else:
        cert["hash"] = {"null": None, "empty": "", "of-another-certificate": certs["att-ex"]["hash"],
                        "upper-case": cert["hash"].upper()}[how]
    ok, msg = trusted.check(cert)
    assert not ok and ("hash" in msg or "field" in msg), msg


# ---------------------------------------------------------------- what the kernel does not read
def _queries(monkeypatch):
    """Record every SMT query the kernel sends to z3 and cvc5."""
    from bnverify.trusted import smt

    sent = []
    for name in ("z3_answer", "cvc5_answer"):
        real = getattr(smt, name)
        monkeypatch.setattr(smt, name, lambda text, timeout_ms=smt.TIMEOUT_MS, real=real: sent.append(text) or
                            real(text, timeout_ms))
    return sent


@pytest.mark.parametrize("name", ["inv", "inv-rs", "att-st", "sr-naive"])
def test_prose_is_never_read_and_never_reaches_a_solver(certs, monkeypatch, name):
    """Claim id and wording and the tool versions are prose: the kernel's verdict, statement,
    reason and SMT queries are the same whatever they say (``adopt`` relabels ids)."""
    sent = _queries(monkeypatch)
    ok, genuine = trusted.check(certs[name])
    honest = list(sent)
    cert = copy.deepcopy(certs[name])
    cert["claim"].update(id="another-claim", wording=SMT + " proved for every n")
    cert["tools"] = {"z3-solver": SMT, "cvc5": "(exit)"}
    del sent[:]
    ok2, msg = trusted.check(rehash(cert))
    assert ok and ok2 and msg == genuine
    assert sent == honest and not any("assert false" in q for q in sent)
    if name.startswith("inv"):
        assert sent, "the invariance claims are decided by SMT"


def test_valid_variants_are_not_forgeries(certs):
    """Mathematically valid edits pass: the kernel judges the mathematics, not the bytes."""
    bigger = copy.deepcopy(certs["att-st"])      # Krawczyk still proves uniqueness in a 2^10 bigger box
    for b in bigger["evidence"][1]["box"]:
        b["rad"][1] += 10
    leaky0 = copy.deepcopy(certs["att-st"])      # leaky ReLU with slope 0 is ReLU
    leaky0["claim"].update(activation="leaky_relu", domain={"n": "7..8", "alpha": "0"})
    weaker = copy.deepcopy(certs["att-st"])      # radius < 1 implies radius <= 1
    weaker["claim"]["params"]["relation"] = "<="
    finer = copy.deepcopy(certs["simplex-alln"])     # a finer cover of t in [0, 1/3] is as good
    finer["evidence"][0]["boxes"] = [{"t": [str(Fraction(i, 24)), str(Fraction(i + 1, 24))]} for i in range(8)]
    narrower = copy.deepcopy(certs["simplex-alln"])  # a branch from 3 covers n = 10..20
    narrower["claim"]["domain"]["n"] = "10..20"
    for cert in (bigger, canonical(leaky0), canonical(weaker), finer, canonical(narrower)):
        ok, msg = trusted.check(rehash(cert))
        assert ok, msg


@pytest.mark.parametrize("answer", ["sat", "unknown", "cvc5 not installed", "no answer", "unsat\nsat"])
def test_z3_alone_proves_nothing(certs, monkeypatch, answer):
    """Both solvers must answer unsat: with cvc5 saying anything else the invariance proofs
    (z3: unsat) are not proofs."""
    from bnverify.trusted import smt

    monkeypatch.setattr(smt, "cvc5_answer", lambda text, timeout_ms=0: answer)
    for name in ("inv", "inv-rs"):
        ok, msg = trusted.check(certs[name])
        assert not ok, msg


@pytest.mark.parametrize("rad", [(1, 10 ** 6), (1, -10 ** 6), (2 ** 100001, -100200)])
def test_ball_components_are_bounded_before_any_arithmetic(certs, rad):
    """A dyadic 2^(10^12) is a memory bomb: components of more than 100000 bits are refused
    as such, not after computing with them (a mantissa that long cannot even be hashed: the
    item is checked directly)."""
    from bnverify.trusted import items

    it = copy.deepcopy(certs["att-st"]["evidence"][1])
    it["box"][0]["rad"] = list(rad)
    with pytest.raises(trusted.Rejected, match="100000 bits"):
        items.check_item(it)


def test_a_whole_segment_relabelled_is_rejected_by_the_cover_check(certs):
    """Relabelling every piece between two fixed points (up -> down) keeps the cover's labels
    consistent, so only the sign of h - id on each piece tells: the item must be rejected
    there, before any basin is derived from the labels (such a cover would assign the start
    between the partner and the attractor to the partner)."""
    from bnverify.trusted import items

    it = copy.deepcopy(next(e for e in certs["basin"]["evidence"] if e["type"] == "basin-cover"))
    ps = it["pieces"]
    fixed = [i for i, p in enumerate(ps) if p[2] == "fixed"]
    seg = next((a, b) for a, b in zip(fixed, fixed[1:]) if any(ps[j][2] == "up" for j in range(a + 1, b)))
    for j in range(seg[0] + 1, seg[1]):
        ps[j][2] = "down"
    with pytest.raises(trusted.Rejected, match="not shown down"):
        items.check_item(it)
