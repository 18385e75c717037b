"""The spread-cluster search (bnverify.derive.spread) against independent computations: the
family map against the full n x n float map, found fixed points under the full map, the
full-dimension radius against a finite-difference Jacobian and O_n's closed-form spectrum, the
ReLU fixed points against the certified cover of bnverify basins, and the 2-D search on a
family whose crossing is known by construction."""
from fractions import Fraction

import numpy as np
import pytest

from bnverify.core import activations
from bnverify.derive import spread


def _act(name):
    return activations.activation(name)


@pytest.mark.parametrize("name,w", [("tanh", 2.0), ("erf", 2.0), ("sin", 1.5), ("gelu", 3.0)])
@pytest.mark.parametrize("n", [3, 5, 8])
def test_family_map_is_the_full_map_restricted(name, w, n):
    """(q', rho') of the reduction = the cluster entries of w C K(S) C computed on the whole
    n x n matrix (Gauss-Hermite on every pair; erf, sin, gelu: the family uses their closed
    kernels), and the image is again in the family."""
    act = _act(name)
    fam = spread.Family(act, n, w)
    lo, _ = spread.rho_bounds(n)
    for q, rho in [(0.3, 0.5), (1.7, -0.9 / (n - 1)), (0.05, 0.99), (2.5, lo + 0.01)]:
        S = spread.family_S(q, rho, n)
        assert np.allclose(S.sum(axis=1), 0, atol=1e-12)             # centred: the odd point is minus the cluster's sum
        # the same rule where the family uses quadrature (the reduction's algebra is what is
        # tested), a finer rule against a closed kernel (its quadrature error, at most ~1e-7 here)
        T = spread.full_map(S, act, w, nodes=160 if act.closed else fam.nodes)
        tol = 1e-6 if act.closed else 1e-10
        qn, rn = fam.map(np.array([q]), np.array([rho]))
        assert T[0, 0] == pytest.approx(qn[0], rel=tol, abs=1e-12)
        assert T[0, 1] / T[0, 0] == pytest.approx(rn[0], rel=tol, abs=tol)
        # the image is a family matrix with the same (q', rho')
        assert np.allclose(T, spread.family_S(*spread.family_coords(T), n), atol=1e-10)


def test_kernel_values_against_certified_balls():
    """The quadrature the search uses for phi without a closed kernel against core.dual_kernel's
    rigorous enclosures (tanh), and erf's closed kernel against the same quadrature."""
    from bnverify.core import dual_kernel

    fam = spread.Family(_act("tanh"), 5, 1.0)
    for q1, q2, c in [(Fraction(1, 2), Fraction(2), Fraction(-1, 2)), (Fraction(3), Fraction(3), Fraction(2))]:
        ball = dual_kernel.kernel(_act("tanh"), q1, q2, c, digits=15)["values"]["K"]
        assert fam.K([float(q1)], [float(q2)], [float(c)])[0] == pytest.approx(float(ball.mid()), abs=1e-6)      # the rule at 96 nodes: ~5e-8 here
    erf = spread.Family(_act("erf"), 5, 1.0)
    quad = spread.Family(_act("erf"), 5, 1.0, nodes=120, closed=False)
    args = [0.4, 2.0], [1.1, 0.3], [0.5, -0.7]
    assert np.allclose(erf.K(*args), quad.K(*args), atol=1e-10)


@pytest.mark.parametrize("name,w,n", [("tanh", 2.0, 5), ("sin", 2.0, 5),
                                      pytest.param("gelu", 3.0, 8, marks=pytest.mark.slow)])
def test_found_points_are_fixed_under_the_full_map(name, w, n):
    act = _act(name)
    got = spread.search(act, n, w, full=False)
    assert {"simplex", "two-point"} <= {p["state"] for p in got["points"]}
    for p in got["points"]:
        if not p["persists"]:
            continue
        S = spread.family_S(p["q"], p["rho"], n)
        T = S
        for _ in range(3):
            T = spread.full_map(T, act, w, nodes=300)
        # the product rule's own error grows with the scale (GELU at q = 33: ~2e-5 a step at 300 nodes)
        tol = 1e-5 if p["q"] < 10 else 2e-4
        assert np.max(np.abs(T - S)) < tol * np.max(np.abs(S)), p


@pytest.mark.slow
def test_gelu_has_spread_points_at_weight_var_3():
    """GELU, w = 3, n = 8: two spread-cluster roots off both invariant lines (float; the full map
    keeps them, test above), both with a family radius above 1."""
    got = spread.search(_act("gelu"), 8, 3.0, full=False)
    sp = [p for p in got["spread"] if p["persists"]]
    assert len(sp) >= 1
    for p in sp:
        assert -1 / 7 < p["rho"] < 1
        assert p["family_radius"] > 1


def _fd_jacobian_radius(act, w, S, h=1e-6):
    """The spectral radius of the full map's float Jacobian on symmetric matrices, by central
    differences (an independent route to DT(S*))."""
    n = S.shape[0]
    iu = np.triu_indices(n)
    cols = []
    for a, b in zip(*iu):
        E = np.zeros((n, n))
        E[a, b] = E[b, a] = 1.0
        cols.append(((spread.full_map(S + h * E, act, w, nodes=120) -
                      spread.full_map(S - h * E, act, w, nodes=120)) / (2 * h))[iu])
    return float(np.max(np.abs(np.linalg.eigvals(np.array(cols).T))))


@pytest.mark.parametrize("name,w,n", [("tanh", 2.0, 4), ("erf", 2.0, 5), ("softplus", 3.0, 4)])
def test_full_radius_against_finite_differences(name, w, n):
    act = _act(name)
    fam = spread.Family(act, n, w)
    for q, rho in [(0.7, 0.3), (1.2, -1 / (n - 1))]:
        S = spread.family_S(q, rho, n)
        assert spread.full_radius(fam, q, rho) == pytest.approx(_fd_jacobian_radius(act, w, S), rel=1e-5)


@pytest.mark.parametrize("n", [5, 8, 12])
def test_relu_configuration_radius_is_the_closed_form(n):
    """O_n's scale-free spectral radius n^2/(n^2 - 2n + 2) (the exact spectrum, docs/jacobian.md)."""
    got = spread.search(_act("relu"), n)
    two = next(p for p in got["points"] if p["state"] == "two-point")
    assert two["full_radius"] == pytest.approx(n * n / (n * n - 2 * n + 2), rel=1e-9)


def _certified_relu(n):
    from bnverify.derive import basins

    v = basins.basins(n, _act("relu"), rates=False)
    assert v.status == "proved"
    return {f["state"]: f for f in v.evidence["fixed_points"]}


@pytest.mark.parametrize("n", [8, pytest.param(7, marks=pytest.mark.slow), pytest.param(9, marks=pytest.mark.slow),
                               pytest.param(10, marks=pytest.mark.slow), pytest.param(11, marks=pytest.mark.slow),
                               pytest.param(12, marks=pytest.mark.slow)])
def test_relu_spread_attractor_recovered(n):
    """The same search, run on ReLU, finds exactly the certified fixed points of h (bnverify
    basins' cover in ball arithmetic): the partner and the attractor off the lines, with their
    slopes h' as the family radius."""
    cert = _certified_relu(n)
    got = spread.search(_act("relu"), n)
    sp = sorted(got["spread"], key=lambda p: p["rho"])
    assert [p["rho"] for p in sp] == pytest.approx(
        [float(Fraction(cert[k]["rho"][0])) for k in ("partner", "attractor")], abs=1e-9)
    for p, k in zip(sp, ("partner", "attractor")):
        assert p["family_radius"] == pytest.approx(float(Fraction(cert[k]["slope"][0])), abs=1e-5)
    assert sp[1]["full_radius"] < 1 < sp[0]["full_radius"]


def test_relu_no_spread_state_below_the_fold():
    for n in (3, 4, 5, 6):
        assert spread.search(_act("relu"), n)["spread"] == []


class _Gained(spread.Family):
    """ReLU's family with the weight variance made a function of q, w(q) = k / sqrt(q): rho' is
    ReLU's (w cancels in it) and q' = k sqrt(q) c(rho), so the fixed points off the lines are
    ReLU's partner and attractor rho*, each at q* = (k c(rho*))^2: a 2-D problem with a known answer."""

    def __init__(self, n, k):
        super().__init__(_act("relu"), n, 1.0)
        self.homogeneous, self.k = False, k            # search in 2-D

    def step(self, q, rho):
        qn, drho = super().step(q, rho)
        return qn * self.k / np.sqrt(q), drho


def test_two_dimensional_search_finds_a_constructed_crossing():
    n, k = 9, 1.5
    fam = _Gained(n, k)
    roots = sorted(spread.spread_roots(fam), key=lambda x: x[1])
    relu = sorted(spread.search(_act("relu"), n)["spread"], key=lambda p: p["rho"])
    assert len(roots) == 2
    for (q, rho), p in zip(roots, relu):
        assert rho == pytest.approx(p["rho"], abs=1e-8)
        c, _ = spread.Family(_act("relu"), n).map(np.array([1.0]), np.array([rho]))
        assert q == pytest.approx((k * c[0]) ** 2, rel=1e-7)


def test_sigmoid_collapses_nothing_found(monkeypatch):
    """sigmoid, w = 4: sigma_w^2 L^2 = 1/4 < 1, so the scale collapses (the kernel's lemma) and the
    search finds no fixed point at all."""
    monkeypatch.setattr(spread, "GRID", (21, 24))          # a coarser grid: nothing can cross anyway
    assert spread.search(_act("sigmoid"), 6, 4.0, full=False)["points"] == []


@pytest.mark.parametrize("name,w,slope2", [("sigmoid", 1.0, 1 / 16), ("softplus", 4.0, 1 / 4)])
def test_tiny_scale_is_the_linearisation(name, w, slope2):
    """At a tiny scale phi(x) ~ phi(0) + phi'(0) x, so T(S) ~ w phi'(0)^2 S: q'/q -> w phi'(0)^2 and
    rho' -> rho.  phi(0) != 0 here: the family integrates phi - phi(0) (C removes constants), else
    phi(0)^2 cancels against q' ~ 1e-9 and the search sees noise (softplus at w = 4, n = 32 gave
    fourteen spurious 'simplex' roots before)."""
    fam = spread.Family(_act(name), 32, w)
    for rho in (-1 / 31, 0.3, 1.0):
        qn, rn = fam.map(np.array([1e-9]), np.array([rho]))
        assert qn[0] / 1e-9 == pytest.approx(w * slope2, rel=1e-6)
        assert rn[0] == pytest.approx(rho, abs=1e-7)


def test_relu_attractor_full_radius_is_the_certified_one():
    """The full-dimension float radius at ReLU's attractor (n = 8) inside bnverify attractor's
    certified enclosure of the scale-free spectral radius (every symmetry block), widened by 1e-12."""
    import bnverify as bnv

    row = bnv.attractor(n=8, jobs=1).rows[0]
    got = max(p["full_radius"] for p in spread.search(_act("relu"), 8)["spread"] if p["rho"] > 0)
    assert float(row.spectral_radius.lo) - 1e-12 <= got <= float(row.spectral_radius.hi) + 1e-12


def test_the_refinements_root_finder_agrees_with_bisection():
    """_regula (the re-check's Illinois method) ends where bisection does, to its tolerance, on a smooth root, a flat
    one (x^9, where regula falsi alone stalls) and a steep one, in at most three times bisection's steps; a
    non-finite value gives None, as _bisect's."""
    import math
    for f, a, b, fast in ((lambda x: x ** 3 - 2, 0.0, 3.0, True), (lambda x: (x - 0.3) ** 9, -1.0, 2.0, False),
                          (lambda x: math.tanh(40 * (x - 1.7)), 0.0, 2.0, True),
                          (lambda x: math.exp(x) - 5, -3.0, 4.0, False)):
        calls = []
        g = lambda x: calls.append(x) or f(x)       # noqa: E731
        got = spread._regula(g, a, b, f(a), f(b), tol=1e-14)
        want = spread._bisect(f, a, b, f(a), tol=1e-14)
        bisections = math.ceil(math.log2((b - a) / (1e-14 * max(1, abs(want)))))
        assert abs(got - want) < 1e-13 * max(1, abs(want)) and len(calls) <= 3 * bisections, (got, want, len(calls))
        assert not fast or len(calls) <= 20, len(calls)         # the point of it: bisection takes 47, 48
    assert spread._regula(lambda x: math.nan, 0.0, 1.0, -1.0, 1.0) is None
