"""The finite-width model against independent facts: the infinite-width Gram map at large
width, the two samplers against each other in law, hand-computed normalizations, the exact
invariance of the configuration under RC + ReLU, and the paper's phenomenon."""
import time

import numpy as np
import pytest

from bnverify.core import arith, gram
from bnverify.sim import geometry, model
from bnverify.core.activations import Activation
from bnverify.core.stages import parse_stages
from bnverify.errors import BadInput

RELU = Activation("relu")


def test_normalize_stages_by_hand():
    Z = np.array([[[1.0, 2.0, 3.0], [5.0, 5.0, 5.0], [0.0, 0.0, 4.0]]])
    rc = model.normalize_stages(Z.copy(), ("rc",))
    np.testing.assert_allclose(rc[0], [[-1, 0, 1], [0, 0, 0], [-4 / 3, -4 / 3, 8 / 3]])
    rcrs = model.normalize_stages(Z.copy(), ("rc", "rs"))
    s = np.sqrt(2 / 3)  # population std of (-1, 0, 1)
    np.testing.assert_allclose(rcrs[0, 0], [-1 / s, 0, 1 / s])
    np.testing.assert_array_equal(rcrs[0, 1], 0)   # zero std: stays 0
    np.testing.assert_allclose(rcrs[0, 2], [-1 / np.sqrt(2), -1 / np.sqrt(2), np.sqrt(2)])
    rs = model.normalize_stages(Z.copy(), ("rs",))
    np.testing.assert_array_equal(rs[0, 1], 0)     # a constant row has std 0 -> set to 0
    np.testing.assert_allclose(rs[0, 0], [1 / s, 2 / s, 3 / s])


def test_gram_root():
    X = np.random.default_rng(0).standard_normal((3, 20, 6))
    X[:, :, 5] = X[:, :, 4]        # a singular Gram: eigh clips its rounding-level eigenvalues
    R = model.gram_root(X)
    np.testing.assert_allclose(R.transpose(0, 2, 1) @ R, X.transpose(0, 2, 1) @ X / 20, atol=1e-12)


def test_weights_sampler_is_literally_W_X():
    X = np.random.default_rng(1).standard_normal((1, 7, 3))
    Z = model.linear(X, [np.random.default_rng(5)], "weights")
    W = np.random.default_rng(5).standard_normal((7, 7)) / np.sqrt(7)
    np.testing.assert_allclose(Z[0], W @ X[0])


def _sigma_kernel_bound(G, stages):
    """sqrt(E[relu(y_j)^2 relu(y_k)^2]) <= sqrt(3/2) sqrt(S_jj S_kk) (Cauchy-Schwarz,
    E relu(y)^4 = 3 s^4 / 2): the standard deviation of one row's contribution."""
    S = gram.center(G) if "rc" in stages else G
    d = np.sqrt(np.diagonal(S))
    return np.sqrt(1.5) * np.outer(d, d)


@pytest.mark.parametrize("sampler,S", [("gram", 8), ("weights", 1)])
@pytest.mark.parametrize("stages", [("rc",), ()], ids=["rc,relu", "relu"])
def test_one_wide_layer_follows_the_gram_map(sampler, S, stages):
    d, n = 4096, 5
    rng = np.random.default_rng(3)
    X0 = rng.standard_normal((d, n)) @ rng.standard_normal((n, n))   # correlated points
    G = X0.T @ X0 / d
    X = np.repeat(X0[None], S, axis=0)
    X1 = model.layer(X, stages, RELU, model.seed_rngs(11, S, model.WEIGHT_STREAM), sampler)
    G1 = (X1.transpose(0, 2, 1) @ X1 / d).mean(axis=0)
    want = gram.F(G, RELU, arith.FLOAT, stages=stages)
    tol = 6 * _sigma_kernel_bound(G, stages) / np.sqrt(S * d)
    assert np.all(np.abs(G1 - want) <= tol), np.max(np.abs(G1 - want) / tol)


def test_samplers_agree_in_law():
    """Same initial batches, 300 seeds, 4 layers of RC + ReLU at width 32: the means of every
    summary and of the layer-1 Gram entries agree within 5 standard errors."""
    S, n, d = 300, 4, 32
    st, act = parse_stages("rc,relu")
    X0 = model.gaussian_batch(n, d, S, rng=2)
    stats = {}
    for sampler in model.SAMPLERS:
        runs = model.layers(X0, 4, st, act, sampler=sampler, base_seed=9)
        _, X1 = next(runs)
        G1 = geometry.cosines(X1)[:, np.triu_indices(n, 1)[0], np.triu_indices(n, 1)[1]]
        for _, X in runs:
            pass
        s = geometry.summarize(X)
        stats[sampler] = np.column_stack([G1, s.norm_ratio, s.max_abs_cos_odd, s.min_cos_others])
    a, b = stats["gram"], stats["weights"]
    se = np.sqrt(a.var(axis=0) / S + b.var(axis=0) / S)
    z = np.abs(a.mean(axis=0) - b.mean(axis=0)) / se
    assert np.all(z < 5), z
    assert not np.allclose(a, b)   # different draws: agreement in law, not path by path


@pytest.mark.parametrize("sampler,depth", [("gram", 6), ("weights", 2)])
def test_seed_alone_equals_seed_in_stack(sampler, depth):
    """Bit for bit: at this size an einsum-based rescaling once differed in the last bit
    between a stack and a single seed, and later layers amplified it."""
    st, act = parse_stages("rc,relu")
    alone = model.propagate(model.gaussian_batch(64, 1024, [2], 5), depth, st, act,
                            sampler=sampler, base_seed=5, seeds=[2])
    stack = model.propagate(model.gaussian_batch(64, 1024, 3, 5), depth, st, act,
                            sampler=sampler, base_seed=5)
    np.testing.assert_array_equal(alone[0], stack[2])
    assert not np.allclose(stack[1], stack[2])


def test_gram_sampler_path_is_stable():
    """The Cholesky root makes the sampled path a smooth function of X: a last-bit
    perturbation of the input stays tiny over 100 layers (an eigh root amplified it to
    O(1) within 40 layers)."""
    st, act = parse_stages("rc,relu")
    X0 = model.gaussian_batch(16, 256, 2, rng=0)
    Xp = X0 * (1 + 1e-15 * np.random.default_rng(1).standard_normal(X0.shape))
    a = model.propagate(X0, 100, st, act, base_seed=0)
    b = model.propagate(Xp, 100, st, act, base_seed=0)
    assert np.abs(a - b).max() < 1e-10


@pytest.mark.parametrize("sampler", model.SAMPLERS)
def test_configuration_is_invariant_under_rc_relu(sampler):
    """After RC the cluster points are (v - u)/n and the odd one is (n-1)(u - v)/n, so every
    row's ReLU leaves either the odd point or the cluster at 0: the cluster stays one point
    and the odd point stays orthogonal to it, whatever W is."""
    n = 6
    X = model.configuration_batch(n, 64, 4, ratio=2, rng=0)   # ratio 1 would tie
    s0 = geometry.summarize(X)
    assert np.all(s0.max_abs_cos_odd < 1e-12) and np.all(s0.min_cos_others > 1 - 1e-12)
    st, act = parse_stages("rc,relu")
    for _, X in model.layers(X, 5, st, act, sampler=sampler, base_seed=1):
        s = geometry.summarize(X)
        assert np.all(s.odd_index == n - 1)
        assert np.all(s.max_abs_cos_odd < 1e-6) and np.all(s.min_cos_others > 1 - 1e-9)


def test_rescaling_keeps_unit_mean_square_norm_and_changes_no_geometry():
    st, act = parse_stages("rc,relu")
    X0 = model.gaussian_batch(5, 50, 3, rng=4)
    raw = model.layer(X0, st, act, model.seed_rngs(0, 3, model.WEIGHT_STREAM))
    X1 = next(model.layers(X0, 1, st, act, base_seed=0))[1]
    np.testing.assert_allclose((X1 ** 2).sum(axis=(1, 2)), 5)
    np.testing.assert_allclose(geometry.cosines(X1), geometry.cosines(raw), atol=1e-12)
    assert model.scale_free(("rc",), act) and not model.scale_free((), Activation("tanh"))
    assert model.scale_free(("rs",), Activation("tanh"))


def test_batches():
    X = model.configuration_batch(5, 8, 2, ratio=3, rng=1)
    s = geometry.summarize(X)
    np.testing.assert_allclose(s.norm_ratio, 3)
    assert np.all(s.odd_index == 4)
    X = model.k_clusters_batch(9, 400, 3, 2, spread=0.05, rng=0)
    C = geometry.cosines(X)
    same = np.arange(9)[:, None] % 3 == np.arange(9)[None, :] % 3
    assert C[:, same].min() > 0.99 and np.abs(C[:, ~same]).max() < 0.3
    G = model.gaussian_batch(4, 10, [0, 1], rng=7)
    np.testing.assert_array_equal(G[1], model.gaussian_batch(4, 10, [1], rng=7)[0])
    for bad in (lambda: model.gaussian_batch(1, 5, 1), lambda: model.gaussian_batch(3, 0, 1),
                lambda: model.k_clusters_batch(4, 5, 5, 1), lambda: model.gaussian_batch(3, 5, 0)):
        with pytest.raises(BadInput):
            bad()


def test_geometry_on_a_known_gram():
    """norm ratio, cosines by hand: points e1, e1 + e2, 5 e3 (odd, orthogonal to both)."""
    X = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 5.0]])
    s = geometry.summarize(X)
    assert s.odd_index[0] == 2
    np.testing.assert_allclose(s.norm_ratio, 5 / ((1 + np.sqrt(2)) / 2))
    np.testing.assert_allclose(s.max_abs_cos_odd, 0)
    np.testing.assert_allclose(s.min_cos_others, 1 / np.sqrt(2))
    s2 = geometry.summarize(G=np.array([[4.0, 0.0], [0.0, 1.0]]))
    assert s2.norm_ratio[0] == 2 and s2.min_cos_others[0] == 1


def test_phenomenon_rc_relu():
    """RC + ReLU, n = 16, width 256, 300 layers: most seeds end with one point whose norm
    exceeds n/2 times the others' mean and which is nearly orthogonal to all of them."""
    t0 = time.process_time()
    st, act = parse_stages("rc,relu")
    X = model.propagate(model.gaussian_batch(16, 256, 8, rng=0), 300, st, act, base_seed=0)
    hits = geometry.summarize(X).outlier(16 / 2, 0.05)
    assert hits.sum() >= 6, hits
    assert time.process_time() - t0 < 20


def test_no_outlier_without_centering():
    """A control: ReLU without RC collapses the batch instead (no orthogonal odd point)."""
    st, act = parse_stages("relu")
    X = model.propagate(model.gaussian_batch(16, 256, 8, rng=0), 300, st, act, base_seed=0)
    assert not geometry.summarize(X).outlier(16 / 2, 0.05).any()
