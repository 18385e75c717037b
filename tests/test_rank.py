"""Rank growth (issue 13, item 4): kappa's series against sympy, the kernel-definite lemma against
50-digit eigenvalues of K(Sigma) for sampled Sigma, the false readings refuted with exact null
vectors, rank growth of the two-point batch, and the sampled finite-width ranks."""
from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from bnverify.claims import spec
from bnverify.core import arith, gram
from bnverify.derive import rank, states
from bnverify.core.activations import Activation
from bnverify.claims.properties import check
from bnverify.trusted import Rejected, kernel
from bnverify.trusted import rank as trank
from bnverify.trusted.items import check_item


def claim(prop, stages="relu", n="2..", **params):
    act = stages.split(",")[-1]
    return {"id": "x", "property": prop, "stages": [s for s in stages.split(",")[:-1]], "activation": act,
            "domain": dict({"n": n}, **({"alpha": params.pop("alpha")} if "alpha" in params else {})),
            "params": params}


def decide(c, items=()):
    try:
        return kernel.decide(c, list(items))[0]
    except Rejected:
        return "inconclusive"


# ---------------------------------------------------------------- the series
@pytest.mark.parametrize("alpha,order", [(Fraction(0), 24), pytest.param(Fraction(0), 40, marks=pytest.mark.slow),
                                         (Fraction(1, 10), 16)])
def test_series_of_kappa_is_the_closed_form(alpha, order):
    got, closed = rank.series(order, alpha)
    assert [sp.simplify(g - c) for g, c in zip(got, closed)] == [0] * (order + 1)
    assert all(c > 0 for c in closed[::2]) and all(c == 0 for c in closed[3::2])


def test_closed_form_even_coefficients_positive_and_summing_to_kappa_one():
    # sum_j e_j = kappa(1) = 1/2 (Abel): the tail after 400 terms is O(k^-3/2), positive
    e = [rank.coefficient(j) for j in range(0, 801)]
    assert all(x > 0 for x in e[::2]) and e[1] == sp.Rational(1, 4)
    total = sp.N(sum(e), 30)
    assert 0 < sp.Rational(1, 2) - total < sp.Rational(1, 100)


# ---------------------------------------------------------------- the lemma against eigenvalues
def _points(draw_xy, antipodes):
    P = [list(p) for p in draw_xy]
    return P + [[-v for v in P[i]] for i in range(antipodes)]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(*[st.integers(-6, 6)] * 3), min_size=2, max_size=6, unique=True),
       st.integers(0, 3))
def test_kernel_definite_iff_the_lemma_says_so(pts, antipodes):
    P = [[Fraction(v) for v in p] for p in _points(pts, min(antipodes, len(pts)))]
    L = trank.level(P)
    eig = rank.kernel_eigenvalues(P, dps=50)
    if L >= 2:            # nonzero, distinct directions, independent antipodal pairs: definite
        assert eig[0] > 1e-30
    else:                 # a zero point, positively collinear points or dependent pairs: singular
        assert abs(eig[0]) < 1e-40


def test_three_antipodal_pairs_in_a_plane_are_singular_and_two_are_not():
    six = [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [-1, -1]]
    assert abs(rank.kernel_eigenvalues(six)[0]) < 1e-45
    assert rank.kernel_eigenvalues(six[:4] + [[1, 2]])[0] > 1e-3
    assert trank.level([[Fraction(v) for v in p] for p in six]) == 1


# ---------------------------------------------------------------- the kernel's verdicts
@pytest.mark.parametrize("stages,n,points,alpha,want", [
    ("relu", "2..", "no-collinear", None, "proved"),
    ("relu", "2..", "pairs-independent", None, "proved"),
    ("relu", "2..5", "no-positive-collinear", None, "proved"),
    ("relu", "2..", "no-positive-collinear", None, "refuted"),         # the reading
    ("relu", "2..", "nonzero", None, "refuted"),                       # collinear points
    ("leaky_relu", "2..", "no-collinear", "0..1", "proved"),
    ("leaky_relu", "7..9", "no-positive-collinear", "1/10", "refuted"),
    ("identity", "2..", "no-collinear", None, "refuted"),              # K = Sigma
    ("identity", "2", "no-collinear", None, "inconclusive"),           # true, but no method
])
def test_kernel_definite_verdicts(stages, n, points, alpha, want):
    c = claim("kernel-definite", stages, n, points=points, **({"alpha": alpha} if alpha else {}))
    act = Activation(stages, Fraction(alpha) if alpha and "/" in alpha else Fraction(0))
    lo, dots, hi = n.partition("..")
    top = int(hi) if hi else int(lo) + 8 if dots else int(lo)        # the search looks at most 8 past n_lo
    items = [x for x in (rank.counterexample(points, k, act.slope) for k in range(int(lo), top + 1)) if x][:1]
    assert decide(c, items) == want


@pytest.mark.parametrize("stages,alpha,want", [("rc,relu", None, "proved"), ("rc,leaky_relu", "0..1", "proved"),
                                               ("rc,identity", None, "refuted")])
def test_rank_growth_verdicts(stages, alpha, want):
    assert decide(claim("rank-growth", stages, **({"alpha": alpha} if alpha else {}))) == want


@pytest.mark.parametrize("stages", ["rc,tanh", "rc,rs,relu", "relu"])
def test_rank_growth_has_no_goal_elsewhere(stages):
    with pytest.raises(kernel.NoGoal):
        kernel.goal(claim("rank-growth", stages))


@pytest.mark.parametrize("n", range(2, 9))
def test_rank_growth_against_the_float_gram_map(n):
    rng = np.random.default_rng(n)
    v, u = rng.normal(size=5), rng.normal(size=5)
    X = np.column_stack([v] * (n - 1) + [u])
    G = X.T @ X
    assert np.linalg.matrix_rank(gram.center(G)) == 1
    F = gram.F(G, Activation("relu"), arith.get("float"))
    assert np.linalg.matrix_rank(F) == 2
    D = np.sum((u - v) ** 2)
    assert np.isclose(F[0, 0] * F[-1, -1] - F[0, -1] ** 2, (n - 1) ** 2 / (4 * n ** 4) * D ** 2)
    assert np.linalg.matrix_rank(gram.F(G, Activation("identity"), arith.get("float"))) == 1


def test_null_items_are_checked_exactly():
    item = rank.counterexample("no-positive-collinear", 7)
    assert check_item(item)["level"] == 1
    bad = dict(item, null=["1", "-1", "1", "-1", "-1", "2", "0"])
    with pytest.raises(Rejected):
        check_item(bad)
    with pytest.raises(Rejected):
        check_item(dict(item, null=["0"] * 7))


def test_catalogue_claims_come_out_as_expected():
    for cid in ("kernel-definite", "kernel-definite-antipodal", "rank-growth"):
        c = spec.load_claim(spec.CATALOGUE / ("%s.toml" % cid))
        v = check(c)
        assert v.status == c.expect, (cid, v.evidence)


# ---------------------------------------------------------------- commands
@pytest.mark.parametrize("bad", [["rank", "--n", "1"], ["rank", "--width", "0"], ["rank", "--stages", "tanh"],
                                 ["rank", "--n", "100000"], ["rank", "--seeds", "0"], ["rank", "--width", "1,x"],
                                 ["gram-starts", "--n", "2"], ["gram-starts", "--starts", "0"],
                                 ["gram-starts", "--stages", "rc,rs,relu"], ["gram-starts", "--n", "x"],
                                 ["gram-starts", "--layers", "0"], ["gram-starts", "--starts", "10000", "--layers", "100000"]])
def test_bad_input_is_one_line_and_exit_2(run_cli, bad):
    code, _, err = run_cli(*bad)
    assert code == 2 and len(err.strip().splitlines()) == 1, (bad, err)


def test_rank_command_json(run_cli):
    code, out, err = run_cli("rank", "--n", "6", "--width", "2,64", "--seeds", "5", "--json")
    assert code == 0, err
    doc = json.loads(out)
    pairs = doc["inputs"]["antipodal-pairs"]
    assert pairs["infinite_width_rank"] == 5 and pairs["rows"][-1]["max"] == 5     # sampled: width 64
    assert abs(doc["smallest_eigenvalues_50_digits"]["antipodal-pairs"][0]) < 1e-40


def test_gram_starts_json(run_cli):
    code, out, err = run_cli("gram-starts", "--n", "4,16", "--starts", "3", "--json")
    assert code == 0, err
    t = {x["n"]: x for x in json.loads(out)["tables"]}
    assert t[4]["classes"]["simplex"]["count"] == 3           # sampled: only the simplex attracts at n = 4
    lim = t[16]["limits"][0]
    assert lim["class"] == "odd_point" and lim["symmetric"]
    # the float limit of the full map is the symmetric attractor certified in ball arithmetic
    box = states.certify_attractor(16, classify_family=False).evidence
    for q in ("cluster_cos", "odd_cos", "norm_ratio"):
        assert abs(lim[q] - float(box[q][0])) < 2e-5, q


# ---------------------------------------------------------------- trusted twins
@pytest.mark.parametrize("alpha", [Fraction(0), Fraction(1, 3), Fraction(1)])
def test_trusted_kernel_matrix_twin(alpha):
    act = Activation("identity") if alpha == 1 else Activation("leaky_relu", alpha) if alpha else Activation("relu")
    P = [[Fraction(1), Fraction(2)], [Fraction(-3), Fraction(1)], [Fraction(1, 2), Fraction(-1)]]
    K = np.array([[float(sp.N(v, 30)) for v in row] for row in trank.kernel_matrix(P, alpha)])
    X = np.array([[float(v) for v in p] for p in P])
    assert np.allclose(K, gram.kernel(X @ X.T, act, arith.get("float")), rtol=1e-13, atol=1e-14)
    r = sp.Rational(3, 7)
    A, B = trank._AB(sp.Rational(alpha.numerator, alpha.denominator))
    assert sp.simplify(trank.kappa(r, A, B) - act.kappa(r, arith.get("exact"))) == 0


@pytest.mark.parametrize("n", [5, 6, 9])
def test_sampled_ranks_never_exceed_the_bound_and_reach_it_when_wide(n):
    """relu(t) - relu(-t) = t neuron by neuron: the pairs' dependence holds at every width, so
    the rank is at most min(width, infinite-width rank); at width 256 it is reached (sampled)."""
    from bnverify.sim import ranks
    out = ranks.ranks(n, [1, 3, 8, 256], 8, Activation("relu"), seed=n)
    for name, t in out.items():
        assert all(r["max"] <= r["bound"] for r in t["rows"]), name
        assert t["rows"][-1]["min"] == t["infinite_width_rank"], name


# ---------------------------------------------------------------- the converse (issue 24, item 5)
def _K(P, alpha):
    """K(Sigma) in floats from the definition E[phi(y_j) phi(y_k)] by the arc-cosine closed form
    (numpy, independent of the kernel's sympy)."""
    P = np.asarray(P, float)
    S = P @ P.T
    d = np.sqrt(np.diag(S))
    r = np.clip(S / np.outer(d, d), -1, 1)
    A, B = (1 + alpha ** 2) / 2, (1 - alpha) ** 2 / (2 * np.pi)
    return np.outer(d, d) * (A * r + B * (np.sqrt(1 - r ** 2) - r * np.arccos(r)))


@pytest.mark.parametrize("alpha", [0.0, 0.1, 0.5, 1.0])
def test_the_converse_null_vectors_against_float_kernels(alpha):
    """The null vectors the statements name, for random configurations: K v = 0 in floats, while
    a generic point set has a well-conditioned K."""
    rng = np.random.default_rng(7)
    for _ in range(20):
        q = rng.standard_normal((3, 3))
        z = rng.standard_normal(2)
        q[2] = z[0] * q[0] + z[1] * q[1]                  # three pair directions, dependent
        c = rng.uniform(0.2, 3, 3)
        pts = [q[0], -c[0] * q[0], q[1], -c[1] * q[1], q[2], -c[2] * q[2], rng.standard_normal(3)]
        zz = [z[0], z[1], -1.0]                           # sum_l zz_l q_l = 0
        v = np.zeros(7)
        for l in range(3):
            v[2 * l], v[2 * l + 1] = zz[l], -zz[l] / c[l]
        K = _K(pts, alpha)
        assert np.linalg.norm(K @ v) < 1e-9 * np.linalg.norm(K) * np.linalg.norm(v)
        x, cc = rng.standard_normal(3), rng.uniform(0.2, 3)
        pts2 = [x, cc * x, rng.standard_normal(3), rng.standard_normal(3)]
        w = np.array([cc, -1.0, 0, 0])
        K2 = _K(pts2, alpha)
        assert np.linalg.norm(K2 @ w) < 1e-9 * np.linalg.norm(K2)
        generic = _K(rng.standard_normal((4, 5)), alpha)
        assert np.linalg.eigvalsh(generic).min() > 1e-6 * np.linalg.norm(generic)


@pytest.mark.parametrize("points", ["positive-collinear", "pairs-dependent"])
@pytest.mark.parametrize("stages,alpha", [("relu", None), ("leaky_relu", "0..1"), ("leaky_relu", "1/3"),
                                          ("identity", None)])
def test_the_converse_is_proved(points, stages, alpha):
    c = claim("kernel-singular", stages, points=points, **({"alpha": alpha} if alpha else {}))
    assert decide(c) == "proved"


@pytest.mark.parametrize("change", [
    {"stages": ["rc"]}, {"stages": ["rc", "rs"]}, {"activation": "tanh"},
    {"params": {"points": "no-collinear"}}, {"params": {"points": "nonzero"}}, {"params": {}},
    {"property": "kernel-definite"},          # the converse relabelled as the lemma: another verdict
])
def test_the_converse_relabelled_is_not_proved(change):
    good = claim("kernel-singular", points="pairs-dependent")
    c = dict(good, **change)
    try:
        verdict = kernel.decide(c)[0]
    except (Rejected, kernel.NoGoal):
        verdict = None
    assert verdict != "proved"


def test_a_wrong_odd_part_would_not_be_proved(monkeypatch):
    """The decisive identity is computed: with kappa's odd part off by a factor the goal fails."""
    real = trank.kappa
    monkeypatch.setattr(trank, "kappa", lambda r, A, B: real(r, A, B) + (r ** 3 if r.could_extract_minus_sign() else 0))
    with pytest.raises(Rejected):
        kernel.decide(claim("kernel-singular", points="pairs-dependent"))
