"""The activation registry (bnverify/core/activations.py): one object per activation, asked by
every layer.  Two kinds of test: no module outside the registry switches on activation names (an
AST scan, with cases showing that it can fail), and every entry's fields agree with each other,
checked by independent means (the numpy phi against the formula in mpmath, the closed kernel in
core's contexts against the certified calculator, the calculator against a Gauss-Hermite rule on
the numpy phi, the homogeneity degree against phi itself)."""
import ast
import pickle
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from bnverify.core import activations, arith, dual_kernel
from bnverify.core.activations import REGISTRY, Activation
from bnverify.core.stages import parse_stages

PACKAGE = Path(__file__).resolve().parents[1] / "bnverify"
NAMES = frozenset(REGISTRY)
# where switching on these spellings is the module's job: the registry itself; the formula
# grammar, whose function names tanh, erf, sin, abs share an activation's spelling; and the
# trusted checker, which keeps its own vocabulary (docs/architecture.md)
ALLOWED = ("core/activations.py", "core/formula.py", "trusted/")


# ---------------------------------------------------------------- no switches on names
def _names_in(node):
    """The activation names a literal (a string, or a tuple/list/set of them) holds."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if node.value in NAMES else []
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [n for e in node.elts for n in _names_in(e)]
    return []


def switches(source):
    """(line, text) of every place ``source`` decides by an activation's name: a comparison
    (==, !=, in, not in) with a name literal or a literal collection of names, a dict keyed by
    names, a match case on a name, and a hand-written collection of two or more names."""
    out = []
    for node in ast.walk(ast.parse(source)):
        found = []
        if isinstance(node, ast.Compare):
            for side in [node.left] + node.comparators:
                found += _names_in(side)
        elif isinstance(node, ast.Dict):
            for key in node.keys:
                found += _names_in(key) if key is not None else []
        elif isinstance(node, ast.MatchValue):
            found += _names_in(node.value)
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)) and len(_names_in(node)) >= 2:
            found += _names_in(node)
        if found:
            out.append((node.lineno, ", ".join(sorted(set(found)))))
    return sorted(set(out))


def test_no_module_switches_on_activation_names():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith(ALLOWED):
            continue
        found += ["bnverify/%s:%d %s" % (rel, line, what) for line, what in switches(path.read_text())]
    assert found == [], "ask the activation object (bnverify/core/activations.py) instead:\n" + "\n".join(found)


@pytest.mark.parametrize("source", [
    'if act.name == "relu":\n    pass\n',
    'ok = act.name != "tanh"\n',
    'ok = act.name in ("relu", "leaky_relu")\n',
    'ok = "leaky_relu" not in stages_text\n',
    'slope = {"relu": 0, "identity": 1}.get(name)\n',
    'HOMOGENEOUS = ("relu", "leaky_relu", "identity")\n',
    'match name:\n    case "gelu":\n        pass\n',
])
def test_a_switch_is_caught(source):
    assert switches(source)


@pytest.mark.parametrize("source", [
    'act = Activation("relu")\n',                              # naming one is not deciding by it
    'p.add_argument("--activation", default="relu")\n',
    'print("relu or leaky_relu")\n',
    'doc = {"stages": ["rc", "relu"]}\n',
    'ok = name == "rc"\n',
])
def test_a_use_is_not_a_switch(source):
    assert switches(source) == []


# ---------------------------------------------------------------- every entry is consistent
def _instances():
    """Every registered activation at its default parameter, and the slope family at two more."""
    out = [Activation(name) for name in REGISTRY]
    out += [Activation("leaky_relu", Fraction(3, 10)), Activation("elu", Fraction(1, 2))]
    return out


ACTS = _instances()
IDS = [a.label for a in ACTS]
XS = np.array([-3.5, -1.0, -0.25, 0.0, 0.3, 1.0, 2.75])


@pytest.mark.parametrize("act", ACTS, ids=IDS)
def test_numpy_phi_is_the_formula(act):
    f, df = act.mp(0), act.mp(1)
    assert np.allclose(act.phi(XS), [float(f(x)) for x in XS], rtol=1e-13, atol=1e-15)
    away = XS[XS != 0]                          # phi' at a kink is a convention
    assert np.allclose(act.dphi(away), [float(df(x)) for x in away], rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("act", ACTS, ids=IDS)
def test_homogeneity_degree_is_phis(act):
    holds = all(np.allclose(act.phi(c * XS), c * act.phi(XS), rtol=1e-13, atol=1e-15) for c in (2.0, 1 / 3))
    assert holds == (act.degree == 1) == act.homogeneous
    assert act.degree in (1, None)


@pytest.mark.parametrize("act", [a for a in ACTS if a.has_closed_kernel], ids=lambda a: a.label)
def test_kappa_in_every_context_is_the_dual_kernel(act):
    """kappa(rho), kappa', kappa(1) and kappa - rho kappa' of core's contexts against the
    calculator's enclosures at q1 = q2 = 1, c = rho (E[phi(x)phi(y)], Price's dK/dc, E[phi^2])."""
    ball = arith.get("ball", prec=128)
    for rho in (Fraction(-1), Fraction(-2, 3), Fraction(0), Fraction(1, 5), Fraction(9, 10), Fraction(1)):
        v = dual_kernel.kernel(act, 1, 1, rho, digits=20)["values"]
        assert abs(float(act.kappa(float(rho), arith.FLOAT)) - float(v["K"].mid())) < 1e-14
        assert abs(float(act.dkappa(float(rho), arith.FLOAT)) - float(v["dK_dc"].mid())) < 1e-14
        assert abs(float(act.kappa_perp(float(rho), arith.FLOAT)) - float((v["K"] - ball.const(rho) * v["dK_dc"]).mid())) < 1e-14
        assert act.kappa(ball.const(rho), ball).overlaps(v["K"])
        assert act.dkappa(ball.const(rho), ball).overlaps(v["dK_dc"])
        assert act.kappa_one(ball).overlaps(v["Ex2"])


def _polar_quadrature(act, r, n_rho=80, n_theta=40, R=12.0):
    """E[phi(x) phi(y)], (x, y) standard with correlation r, in float with no error bound:
    Gauss-Legendre in polar coordinates (x = z1, y = r z1 + sqrt(1 - r^2) z2), the angle split
    where x = 0 or y = 0, so that a kink at 0 falls between pieces.  (A tensor Gauss-Hermite rule,
    neural-tangents' kind, converges only like 1/N across a kink: 5e-4 at 120 nodes for relu.)"""
    assert set(act.kinks) <= {0}, "a kink off 0 needs its own cut here"
    s = np.sqrt(1 - r * r)
    rays = (np.pi / 2, 3 * np.pi / 2, np.arctan2(-r, s), np.arctan2(-r, s) + np.pi)
    cuts = sorted({0.0, 2 * np.pi} | {t % (2 * np.pi) for t in rays})
    x, w = np.polynomial.legendre.leggauss(n_rho)
    rho, w_rho = (x + 1) * R / 2, w * R / 2
    x, w = np.polynomial.legendre.leggauss(n_theta)
    total = 0.0
    for a, b in zip(cuts[:-1], cuts[1:]):
        P, T = np.meshgrid(rho, (x + 1) * (b - a) / 2 + a, indexing="ij")
        z1, z2 = P * np.cos(T), P * np.sin(T)
        f = act.phi(z1) * act.phi(r * z1 + s * z2) * P * np.exp(-P * P / 2)
        total += np.einsum("i,j,ij->", w_rho, w * (b - a) / 2, f)
    return total / (2 * np.pi)


@pytest.mark.parametrize("act", ACTS, ids=IDS)
def test_numpy_phi_has_the_dual_kernel(act):
    """The simulators' phi and the calculator's kernel are the same function: a quadrature of the
    numpy phi lands within 1e-12 of the certified enclosure (the rule's error is about 1e-15)."""
    for r in (Fraction(-1, 2), Fraction(1, 3)):
        K = dual_kernel.kernel(act, 1, 1, r, digits=14)["values"]["K"]
        assert abs(_polar_quadrature(act, float(r)) - float(K.mid())) <= 1e-12 + float(K.rad())


def test_the_flags_agree():
    for name, kind in REGISTRY.items():
        act = Activation(name)
        assert act.name == kind.name == name
        assert (act.slope is not None) == act.has_closed_kernel
        if act.has_closed_kernel:
            assert act.degree == 1 and act.closed is not None and act.closed_name
        if kind.closed is not None:
            assert kind.closed_name and not act.has_closed_kernel
        assert not kind.states or (kind.stage and act.has_closed_kernel and not act.linear)
        assert not kind.all_n_stability or kind.states
        assert (kind.stage_alpha is not None) <= (kind.stage and act.takes_alpha)
        assert act.takes_alpha == activations.takes_alpha(name) == (name in activations.TAKES_ALPHA)
        assert activations.activation(name) == act                    # the calculator's way in
        assert pickle.loads(pickle.dumps(act)) == act                 # process pools carry it
        assert act.label == (name if not act.takes_alpha else "%s(%s)" % (name, act.alpha))


def test_the_dynamics_take_what_they_took():
    """Which activations a model may name, and what each layer then does with them: a new entry
    changes these only by its own flags."""
    assert activations.names(lambda k: k.stage) == tuple(activations.REGISTRY)
    assert activations.names(lambda k: k.states) == ("relu", "leaky_relu")
    # leaky ReLU's stability for every n follows from ReLU's (trusted/alln.py's lemma)
    assert activations.names(lambda k: k.all_n_stability) == ("relu", "leaky_relu")
    assert activations.names(lambda k: k.slope is not None) == ("relu", "leaky_relu", "identity", "abs")
    assert parse_stages("rc,leaky_relu")[1] == Activation("leaky_relu", Fraction(1, 10))
    assert parse_stages("rc")[1] == Activation(activations.LINEAR) and Activation(activations.LINEAR).linear


def test_spread_cover_flag_is_the_kernels_table():
    """Kind.spread_cover (asked by the search and the attractor command) names exactly the activations whose
    spread-none covers the trusted kernel checks (trusted/spreadfam.py's KERNELS, closed kernels, and ODD, Mehler's
    series: tanh, sigmoid, silu, softplus)."""
    from bnverify.trusted import spreadfam

    assert {k.name for k in activations.REGISTRY.values() if k.spread_cover} == set(spreadfam.KERNELS) | set(
        spreadfam.MEH)


def test_command_texts_name_the_registry(run_cli):
    """The texts that list activations are generated from the registry: every name is in kernel's and the
    non-homogeneous ones in jacobian's and basins' help; gram-starts names the homogeneous ones when it refuses."""
    from bnverify.core import activations as A
    helps = {cmd: " ".join(run_cli(cmd, "--help")[1].split()) for cmd in ("kernel", "jacobian", "basins")}
    assert all(name in helps["kernel"] for name in A.REGISTRY)
    nonhom = A.names(lambda k: k.stage and k.degree is None)
    assert set(nonhom) >= {"gelu", "silu", "tanh"} and "relu" not in nonhom
    for cmd in ("jacobian", "basins"):
        assert ", ".join(nonhom) in helps[cmd], cmd
    code, _, err = run_cli("gram-starts", "--n", "4", "--starts", "2", "--depth", "5", "--stages", "rc,gelu")
    assert code == 2 and "homogeneous activation (%s)" % ", ".join(A.names(lambda k: k.slope is not None)) in err
