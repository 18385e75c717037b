"""The stage ablation (bnverify decompose): every proved infinite-width row against an
independent computation, the finite-width classes, the JSON shape and determinism."""
import numpy as np
import pytest
from mpmath import mp, mpf

from bnverify.claims import decomposition as D
from bnverify.derive import rs
from bnverify.core.activations import Activation
from bnverify.sim import classes

RELU = Activation("relu")
IDENTITY = Activation("identity")


# ---------------------------------------------------------------- infinite width, proved rows
@pytest.mark.parametrize("sub", [(), ("rc",), ("nl",), ("rc", "rs"), ("rs",)])
def test_proved_rows_are_the_kernels_goal_and_recheck_from_their_certificates(sub):
    from bnverify import trusted

    f = D.infinite_width(sub, RELU, 8)
    assert f["verdict"] == "proved" and f["checked_by"] == D.LOCAL
    g = D.checked(sub, RELU, 8)                       # the kernel's goal stage-fact
    assert g["verdict"] == "proved" and g["checked_by"] == D.KERNEL and g["derivation"] == f["statement"]
    assert g["certificate"]["claim"]["property"] == "stage-fact"
    assert trusted.check(g["certificate"]) == (True, "proved: %s (%s)" % (
        g["statement"], trusted.decide(g["certificate"]["claim"])[2]))


def test_the_rows_the_catalogue_decides_go_through_the_trusted_kernel():
    """Issue 25: a row is proved only if every reading holds.  RC + ReLU holds a false reading
    (stability-naive), so it is refuted; its threshold claim keeps its own domain and is proved,
    as in verify (narrowed to n = 6 it had no goal)."""
    want = {("rc", "nl"): "refuted", ("rc", "rs", "nl"): "proved"}
    facts = {}
    for sub, verdict in want.items():
        f = facts[sub] = D.checked(sub, RELU, 6)         # n = 6 as in the JSON test: derived once
        assert f["verdict"] == verdict and f["checked_by"] == D.KERNEL
        assert all(c["checked"] for c in f["evidence"]["claims"] if c["verdict"] != "inconclusive")
        assert not any(c["verdict"] == "inconclusive" for c in f["evidence"]["claims"])
        assert (verdict == "refuted") == any(c["verdict"] == "refuted" for c in f["evidence"]["claims"])
    parts = {c["id"]: c["verdict"] for c in facts[("rc", "nl")]["evidence"]["claims"]}
    assert parts["stability-naive"] == "refuted" and parts["attractor-threshold"] == "proved"


def _relabelled(cert, **changes):
    from bnverify.claims import certificate

    return certificate.rehash(dict(cert, claim=dict(cert["claim"], **changes)))


def test_relabelled_and_tampered_row_certificates_are_rejected():
    """A row's certificate moved to another n, stage set or activation, or with its numbers
    edited, does not re-check: the kernel recomputes the statement from the claim."""
    from bnverify import trusted
    from bnverify.claims import certificate

    good = D.checked(("rc", "rs"), RELU, 8)["certificate"]
    nl = D.checked(("nl",), RELU, 8)["certificate"]
    forged = [
        _relabelled(good, domain={"n": "9"}),                             # another n: another factor
        _relabelled(good, stages=["rs"]),                                 # another stage set
        _relabelled(nl, activation="leaky_relu", domain={"n": "8", "alpha": "1/10"}),   # another slope
        _relabelled(good, stages=["rs", "rc"]),                           # no such stage order
        _relabelled(good, property="rank-growth"),
        certificate.rehash(dict(good, statement=good["statement"].replace("7/9", "4/5"))),
        certificate.rehash(dict(nl, statement=nl["statement"].replace("44.41", "44.42"))),
        certificate.rehash(dict(good, verdict="refuted")),
    ]
    for c in forged:
        ok, why = trusted.check(c)
        assert not ok, why
    for stages, act, n in ((["rs"], "relu", "3"), (["rs"], "identity", "3"), (["rc"], "relu", "8")):
        claim = dict(good["claim"], stages=stages, activation=act, domain={"n": n})
        with pytest.raises(trusted.NoGoal):
            trusted.goal(claim)
    with pytest.raises(trusted.NoGoal):                                  # one n only
        trusted.goal(dict(good["claim"], domain={"n": "8..9"}))


def test_a_stage_fact_is_a_command_line_claim(cli_json):
    out = cli_json("check", "--stages", "rc,rs", "--n", "8", "--property", "stage-fact")
    assert out["verdict"] == "proved" and "7/9" in out["evidence"]["statement"]


def test_identity_row_against_sampling():
    """No stage: F(G) = E[y y^T] with y ~ N(0, G) is G itself (sampled, 4e5 draws)."""
    rng = np.random.default_rng(1)
    A = rng.standard_normal((5, 5))
    G = A @ A.T / 5
    y = rng.multivariate_normal(np.zeros(5), G, size=400_000)
    assert np.allclose(y.T @ y / len(y), G, atol=0.02)


def test_centring_row_against_the_network_at_large_width():
    """RC only: the finite-width network (bnverify.sim.model, width 10^5) takes a batch with Gram
    matrix G to C G C in one layer and leaves it there in the next (up to scale and sampling)."""
    from bnverify.sim import model

    n, d = 6, 100_000
    rng = np.random.default_rng(2)
    X = rng.standard_normal((d, n)) @ np.diag([1, 2, 3, 1, 1, 2.0]) + rng.standard_normal(n)
    C = np.eye(n) - 1 / n
    unit = lambda M: M / np.trace(M)
    target = unit(C @ (X.T @ X) @ C)
    for ell, Y in model.layers(X[None], 2, ("rc",), IDENTITY, base_seed=5):
        assert np.allclose(unit(Y[0].T @ Y[0]), target, atol=0.02 * np.abs(target).max())


def test_nl_collapse_against_the_exact_map_in_high_precision():
    """NL = ReLU: iterate rho -> kappa(rho)/kappa(1) (Cho and Saul, written here) at 30 digits:
    it rises monotonically to 1 and l^2 (1 - rho_l) approaches the row's 9 pi^2/2."""
    f = D.infinite_width(("nl",), RELU, 8)
    limit = f["evidence"]["l2_gap_limit"]
    assert np.isclose(limit, 9 * np.pi ** 2 / 2)
    mp.dps = 30
    r, prev = mpf(-1) + mpf(10) ** -20, None
    for ell in range(1, 4001):
        r = r + (mp.sqrt(1 - r * r) - r * mp.acos(r)) / mp.pi
        assert prev is None or r > prev
        prev = r
    ratio = float(4000 ** 2 * (1 - r)) / limit
    assert 0.98 < ratio < 1.0


def test_centred_rescaling_against_sampling():
    """RC + RS: n E[z z^T/|z|^2] sampled on a spectrum in the zero-sum subspace keeps the
    eigenvectors, shrinks every log-ratio, and near isotropy by the row's (n-1)/(n+1)."""
    n = 8
    f = D.infinite_width(("rc", "rs"), RELU, n)
    assert f["evidence"]["local_factor"] == pytest.approx((n - 1) / (n + 1))
    rng = np.random.default_rng(3)
    C = np.eye(n) - 1 / n
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    V = C @ Q[:, : n - 1]
    V, _ = np.linalg.qr(V)                                  # orthonormal basis of the zero-sum space
    for eps, tol in ((0.6, 0.02), (0.05, 0.03)):
        lam = np.exp(eps * np.linspace(-1, 1, n - 1))
        G = V @ np.diag(lam) @ V.T
        F = rs.rs_gram_monte_carlo(G, IDENTITY, 1_000_000, rng)
        f_k = np.einsum("ik,ij,jk->k", V, F, V)            # F in the eigenbasis
        off = V.T @ F @ V - np.diag(f_k)
        assert np.abs(off).max() < 0.01 * f_k.max()
        assert np.all(np.diff(f_k) > 0)                     # order kept
        shrink = np.log(f_k[-1] / f_k[0]) / np.log(lam[-1] / lam[0])
        assert shrink < 1
        if eps < 0.1:
            assert shrink == pytest.approx((n - 1) / (n + 1), abs=tol)
    assert np.isclose(np.trace(F), n, rtol=1e-9)            # every RS row has |y|^2 = n


def test_uncentred_rescaling_against_sampling():
    """RS alone from G = I at n = 8: n E[z z^T/|Cz|^2] = n/(n-1) C + 11^T/(n-3) (sampled)."""
    n = 8
    rng = np.random.default_rng(4)
    z = rng.standard_normal((2_000_000, n))
    cz = z - z.mean(axis=1, keepdims=True)
    F = n * (z / np.linalg.norm(cz, axis=1, keepdims=True)).T @ (z / np.linalg.norm(cz, axis=1, keepdims=True))
    F /= len(z)
    C = np.eye(n) - 1 / n
    expect = n / (n - 1) * C + np.ones((n, n)) / (n - 3)
    assert np.allclose(F, expect, atol=0.01)
    f = D.infinite_width(("rs",), RELU, n)
    assert f["evidence"]["q_step"] == pytest.approx((n - 1) / (n - 3))


def test_rescaling_without_centring_is_not_decided_for_small_n():
    for n in (2, 3):
        f = D.infinite_width(("rs",), RELU, n)
        assert f["verdict"] == "inconclusive" and "infinite" in f["evidence"]["reason"]
    assert D.infinite_width(("rs", "nl"), RELU, 3)["verdict"] == "inconclusive"      # n = 8: tests/test_rs_then_nl.py


def test_tanh_rows_with_nl_are_inconclusive_and_identity_nl_is_the_linear_layer():
    tanh = Activation("tanh")
    assert D.infinite_width(("nl",), tanh, 6)["verdict"] == "inconclusive"
    assert D.infinite_width(("rc", "rs"), tanh, 6)["verdict"] == "proved"        # no NL in the row
    f = D.infinite_width(("rc", "nl"), IDENTITY, 6)
    assert f["verdict"] == "proved" and "C^2 = C" in f["method"]


# ---------------------------------------------------------------- finite width
def test_classes_on_constructed_batches():
    n = 6
    one = np.ones((1, 4, n))
    G_orth = np.eye(n)[None]
    simplex = (np.eye(n) - 1 / n)[None]
    odd = np.full((n, n), 0.8) + 0.2 * np.eye(n)
    odd[-1, :] = odd[:, -1] = 0.01
    odd[-1, -1] = 25.0
    mixed = np.outer([1, -1, 1, 1, -1, 1], [1, -1, 1, 1, -1, 1])[None].astype(float)
    got = [classes.CLASSES[c] for c in np.concatenate([
        classes.classify(X=one), classes.classify(G=G_orth), classes.classify(G=simplex),
        classes.classify(G=odd[None]), classes.classify(G=mixed)])]
    assert got == ["collapse", "orthogonal", "simplex", "odd_point", "other"]


def test_wilson_interval_and_reached_layer():
    lo, hi = classes.wilson(8, 16)
    assert lo < 0.5 < hi and np.isclose(lo + hi, 1)
    assert classes.wilson(0, 8)[0] == 0 and classes.wilson(8, 8)[1] == 1
    hist = np.array([[4, 4], [2, 4], [4, 2], [2, 2]])
    assert list(classes.reached(hist, [0, 10, 20, 30])) == [30, 20]


def test_decompose_json_shape_determinism_and_agreement(cli_json):
    argv = ["decompose", "--n", "6", "--width", "256", "--depth", "100", "--seeds", "6", "--jobs", "1"]
    doc = cli_json(*argv)
    assert doc == cli_json(*argv)                          # seeded: the same JSON twice
    assert [r["stages"] for r in doc["rows"]] == [[], ["rc"], ["rs"], ["rc", "rs"], ["relu"], ["rc", "relu"],
                                                  ["rs", "relu"], ["rc", "rs", "relu"]]
    rows = {",".join(r["stages"]): r for r in doc["rows"]}
    for r in doc["rows"]:
        fw = r["finite_width"]
        assert set(fw["fractions"]) == set(classes.CLASSES)
        assert np.isclose(sum(fw["fractions"].values()), 1)
        for c, (lo, hi) in fw["ci"].items():
            assert lo <= fw["fractions"][c] <= hi
        assert r["infinite_width"]["verdict"] in ("proved", "refuted", "inconclusive")
    # where infinite width proves a limit, finite width mostly ends there
    assert rows["rs"]["finite_width"]["fractions"]["collapse"] >= 0.5
    assert rows["relu"]["finite_width"]["fractions"]["collapse"] >= 0.5
    assert rows["rc,rs"]["finite_width"]["fractions"]["simplex"] >= 0.5
    # RS then ReLU: proved within the family (G = I is in it), its end class is what finite width shows
    assert rows["rs,relu"]["infinite_width"]["verdict"] == "proved"
    assert rows["rs,relu"]["infinite_width"]["evidence"]["end_class"] == "collapse"
    assert rows["rs,relu"]["finite_width"]["fractions"]["collapse"] >= 0.5


def test_starts():
    """--start: the configuration starts in the odd-point class, a Gaussian batch orthogonal,
    clusters:K in K tight groups; the same seeds give the same stack."""
    from bnverify.sim import geometry
    from bnverify.sim import decompose as simd

    n = 6
    for text, cls in (("configuration", "odd_point"), ("gaussian", "orthogonal")):
        X = simd.start_batch(simd.parse_start(text, n), n, 4096, [0, 1, 2])
        assert [classes.CLASSES[c] for c in classes.classify(X)] == [cls] * 3, text
    start = simd.parse_start("clusters:2", n)
    X = simd.start_batch(start, n, 4096, [0, 1, 2])
    assert np.array_equal(X, simd.start_batch(start, n, 4096, [0, 1, 2]))
    cos = geometry.cosines(X)
    same = (np.arange(n)[:, None] % 2) == (np.arange(n)[None] % 2)
    assert cos[:, same].min() > 0.98 and np.abs(cos[:, ~same]).max() < 0.2
