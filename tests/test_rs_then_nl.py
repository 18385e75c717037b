"""RS then NL without RC (issue 23, item 5): the one-dimensional reduction on the family
G = lam C + beta 11^T/n against independent computations (Monte Carlo of the definition, the
certified Laplace integral of RS alone), the row as the kernel's goal, and its forgeries."""
from fractions import Fraction

import numpy as np
import pytest

from bnverify import trusted
from bnverify.claims import certificate
from bnverify.claims import decomposition as D
from bnverify.core.activations import Activation
from bnverify.derive import rs

RELU = Activation("relu")
LEAKY = Activation("leaky_relu", Fraction(1, 10))


def _monte_carlo(act, n, r, samples, seed):
    """(d, o) of the definition: z ~ N(0, C + r J/n), y = sqrt(n) z/|Cz|, phi entrywise."""
    rng = np.random.default_rng(seed)
    g = rng.standard_normal((samples, n))
    x = g - g.mean(axis=1, keepdims=True)                          # N(0, C)
    z = x + np.sqrt(r / n) * rng.standard_normal((samples, 1))     # + the batch mean, N(0, r/n)
    y = np.sqrt(n) * z / np.linalg.norm(x, axis=1, keepdims=True)
    p = act.phi(y)
    return p[:, 0] ** 2, p[:, 0] * p[:, 1]


@pytest.mark.parametrize("act,n,r", [(RELU, 5, 0.5), (RELU, 8, 1.0), (LEAKY, 6, 3.0), (RELU, 6, 0.0)])
def test_the_reduction_against_monte_carlo(act, n, r):
    d, o, _ = rs.family_image(act, n, r)
    dd, oo = _monte_carlo(act, n, r, 400_000, 7)
    for got, sample in ((d, dd), (o, oo)):
        se = sample.std() / np.sqrt(sample.size)
        assert abs(float(got) - sample.mean()) < 5 * se + 1e-9, (float(got), sample.mean(), se)


def test_the_reduction_against_the_certified_laplace_integral():
    """RS alone's certified integral (core/laplace.py, its own polynomials and tail bounds) at the
    exact Sigma = C + J/n, n = 5: both entries in its balls."""
    from bnverify.core import laplace

    n = 5
    Sigma = [[Fraction(int(j == k)) for k in range(n)] for j in range(n)]          # C + J/n = I
    V = laplace.gram(Sigma, Fraction(0), rc=False, digits=10)["V"]
    d, o, _ = rs.family_image(RELU, n, 1, dps=30)
    assert abs(float(V[0][0].mid()) - float(d)) < 1e-9 and float(V[0][0].rad()) < 1e-8
    assert abs(float(V[0][1].mid()) - float(o)) < 1e-9 and float(V[0][1].rad()) < 1e-8


def test_the_cosine_rises_at_every_sampled_start_and_the_rate():
    """The proved statement, sampled: rho' > rho on a grid of r, and (1 - rho')/(1 - rho) tends
    to (n-3)/(n-1) as r grows (mpmath)."""
    for n in (4, 7):
        for r in (0, 0.1, 1, 10, 100):
            rn = rs.family_image(RELU, n, r)[2]
            assert (rn - 1) / (rn + n - 1) > (r - 1) / (r + n - 1)
        r = 10 ** 8
        rn = rs.family_image(RELU, n, r, dps=30)[2]
        ratio = (n / (rn + n - 1)) / (n / (r + n - 1))
        assert abs(float(ratio) - (n - 3) / (n - 1)) < 1e-3


def test_the_row_is_proved_by_the_kernel_within_the_family():
    f = D.checked(("rs", "nl"), RELU, 8)
    assert f["verdict"] == "proved" and f["checked_by"] == D.KERNEL
    assert "within the family" in f["statement"] and "5/7" in f["statement"]
    assert "not covered" in f["statement"] and f["evidence"]["end_class"] == "collapse"
    ok, msg = trusted.check(f["certificate"])
    assert ok, msg
    g = D.checked(("rs", "nl"), LEAKY, 5)
    assert g["verdict"] == "proved" and "1/2" in g["statement"]


def test_n_3_stays_open_with_the_reason():
    f = D.checked(("rs", "nl"), RELU, 3)
    assert f["verdict"] == "inconclusive" and "chi^2_2" in f["evidence"]["reason"]
    with pytest.raises(trusted.NoGoal):
        trusted.goal({"property": "stage-fact", "stages": ["rs"], "activation": "relu", "domain": {"n": "3"},
                      "params": {}})


def test_forged_rs_nl_rows_are_rejected():
    good = D.checked(("rs", "nl"), RELU, 8)["certificate"]
    claim = good["claim"]

    def relabel(**changes):
        return certificate.rehash(dict(good, claim=dict(claim, **changes)))

    forged = [
        relabel(domain={"n": "9"}),                                   # another n: another rate
        relabel(domain={"n": "3"}),                                   # the map is infinite there
        relabel(stages=[]),                                           # NL alone: another statement
        relabel(stages=["rc", "rs"]),                                 # RC + RS + NL: the catalogue's
        relabel(stages=["rs", "rc"]),                                 # no such order
        relabel(activation="tanh"),
        relabel(activation="identity"),                               # RS alone: another statement
        relabel(activation="leaky_relu", domain={"n": "8", "alpha": "0..1/2"}),      # a range of slopes
        certificate.rehash(dict(good, statement=good["statement"].replace("5/7", "5/6"))),
        certificate.rehash(dict(good, statement=good["statement"].replace("within the family G = lam C + beta "
                                                                         "11^T/n ", "for every G "))),
        certificate.rehash(dict(good, verdict="refuted")),
    ]
    for c in forged:
        ok, why = trusted.check(c)
        assert not ok, why
    # the row moved to another n or slope with the kernel's own statement there is a true row, not a forgery
    moved = dict(claim, domain={"n": "9"})
    st = trusted.goal(moved)[1].statement
    assert trusted.check(certificate.rehash(dict(good, claim=moved, statement=st)))[0] and "3/4" in st
