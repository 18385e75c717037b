"""Structural properties of the Gram map, checked on random inputs (hypothesis): homogeneity,
permutation equivariance, positive semi-definiteness, and the quotient / block machinery
against dense computations at arbitrary symmetric states."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bnverify.core import arith, gram, symmetry
from bnverify.core.activations import Activation
from fractions import Fraction

F = arith.FLOAT
ACTS = [Activation("relu"), Activation("leaky_relu", Fraction(3, 10)), Activation("identity")]


def _psd(seed, n, extra=2):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n + extra, n))
    return X.T @ X


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10 ** 6), n=st.integers(2, 9), t=st.floats(0.01, 100), k=st.integers(0, 2))
def test_homogeneous_equivariant_psd(seed, n, t, k):
    act = ACTS[k]
    G = _psd(seed, n)
    K = gram.F(G, act, F)
    assert np.allclose(gram.F(t * G, act, F), t * K, rtol=1e-9, atol=1e-12)
    perm = np.random.default_rng(seed + 1).permutation(n)
    assert np.allclose(gram.F(G[np.ix_(perm, perm)], act, F), K[np.ix_(perm, perm)], rtol=1e-9, atol=1e-12)
    assert np.linalg.eigvalsh(K).min() > -1e-9 * np.abs(K).max()


def _sym_state(seed, n):
    """A random PSD S_{n-1}-symmetric Gram: cluster points v + spread, odd point u."""
    rng = np.random.default_rng(seed)
    o = rng.uniform(-1 / (n - 1) + 0.05, 0.95)        # cluster cosine (PSD needs o > -1/(n-2))
    r = rng.uniform(0.2, n)                             # norm ratio
    c = rng.uniform(-0.9, 0.9)
    # keep the Gram PSD: the odd point's cosine to the cluster mean is at most its norm
    mean_norm = np.sqrt((1 + (n - 2) * o) / (n - 1))
    x = c * mean_norm * r
    return symmetry.SymState(1.0, o, x, r * r)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10 ** 6), n=st.integers(3, 9), k=st.integers(0, 1))
def test_quotient_map_and_blocks_match_dense(seed, n, k):
    act = ACTS[k]
    s = _sym_state(seed, n)
    G = s.dense(n, F)
    K = gram.F(G, act, F)
    img = symmetry.image(s, n, act, F)
    assert np.allclose([img.a, img.o, img.x, img.b], [K[0, 0], K[0, 1], K[0, n - 1], K[n - 1, n - 1]])
    # spectrum of DF(G) (no scaling): dense over all n(n+1)/2 directions vs the blocks
    idx = [(i, j) for i in range(n) for j in range(i, n)]
    L = gram.Linearization(G, act, F)
    J = np.empty((len(idx), len(idx)))
    for col, (i, j) in enumerate(idx):
        H = np.zeros((n, n))
        H[i, j] = H[j, i] = 1
        D = L(H)
        J[:, col] = [D[p, q] for p, q in idx]
    dense = np.sort_complex(np.linalg.eigvals(J))
    blocks = []
    for comp in symmetry.components(n):
        B = np.array(symmetry.block(comp, s, n, act, F), dtype=float)
        blocks += list(np.linalg.eigvals(B)) * symmetry.multiplicity(comp, n)
    blocks = np.sort_complex(np.array(blocks))
    assert len(blocks) == len(dense)
    assert np.allclose(blocks, dense, atol=1e-7 * max(1, np.abs(dense).max()))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10 ** 6), n=st.integers(3, 9), k=st.integers(0, 1), d=st.integers(0, 10 ** 6))
def test_symmetric_derivative_matches_dense(seed, n, k, d):
    """symmetry.image_derivative (scalars, the reduction's searches) against the dense DF(G)[H] on
    the full n x n matrices, H a random symmetric direction; and in balls, the ball holds the float."""
    act = ACTS[k]
    s = _sym_state(seed, n)
    h = symmetry.SymState(*np.random.default_rng(d).normal(size=4))
    D = gram.dF(s.dense(n, F), h.dense(n, F), act, F)
    img = symmetry.image_derivative(s, h, n, act, F)
    assert np.allclose([img.a, img.o, img.x, img.b], [D[0, 0], D[0, 1], D[0, n - 1], D[n - 1, n - 1]],
                       rtol=1e-9, atol=1e-12)
    B = arith.get("ball")
    ball = symmetry.image_derivative(symmetry.SymState(*(B.const(Fraction(v)) for v in (s.a, s.o, s.x, s.b))),
                                     symmetry.SymState(*(B.const(Fraction(v)) for v in (h.a, h.o, h.x, h.b))),
                                     n, act, B)
    for v, f in zip([ball.a, ball.o, ball.x, ball.b], [D[0, 0], D[0, 1], D[0, n - 1], D[n - 1, n - 1]]):
        assert abs(float(v.mid()) - f) <= 1e-9 * (1 + abs(f)) and float(v.rad()) < 1e-20
