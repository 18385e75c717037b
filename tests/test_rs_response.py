"""rs-linearization in the trusted kernel: the RS map's unbounded response at the two-point fixed
point, against its untrusted twin (bnverify.derive.rs) and against the response itself by
quadrature (mpmath), and forgeries of its certificate."""
from __future__ import annotations

import contextlib
import io
import json
from fractions import Fraction

import pytest
import sympy as sp

from bnverify import cli, trusted
from bnverify.claims.certificate import rehash
from bnverify.core.activations import Activation
from bnverify.derive import rs as derive_rs
from bnverify.trusted import rs


def _act(alpha):
    return Activation("relu") if alpha == 0 else Activation("identity") if alpha == 1 else \
        Activation("leaky_relu", alpha)


# the default run takes a diagonal of (n, alpha); the other six pairs run with -m slow
@pytest.mark.parametrize("n,alpha", [(n, a) if (n, a) in {(3, 0), (4, Fraction(1, 10)), (7, 1)} else
                                     pytest.param(n, a, marks=pytest.mark.slow)
                                     for n in (3, 4, 7) for a in (Fraction(0), Fraction(1, 10), Fraction(1))])
def test_lambda_and_k_M_against_the_untrusted_derivation(n, alpha):
    lam, k_M = rs.unbounded_response(n, sp.Rational(alpha.numerator, alpha.denominator))
    twin = derive_rs.spread_response(_act(alpha), n)
    assert twin["holds"]
    M = sp.Symbol("M", positive=True)
    assert sp.simplify(lam - twin["lambda"]) == 0
    assert sp.simplify(k_M - twin["k_for_ratio_M"].subs(sp.Symbol("M", positive=True), M)) == 0


@pytest.mark.parametrize("n, eps", [(4, 1e-4), (6, 1e-8)])
def test_the_bound_holds_under_the_response_itself(n, eps):
    """delta_out by 1-D quadrature (untrusted, mpmath) is at least the kernel's lower bound and
    exceeds M delta_in at the kernel's k_M."""
    import mpmath as mp

    lam, k_M = rs.unbounded_response(n, sp.Integer(0))
    s2 = sp.Rational(n - 1, n)
    k = mp.sqrt(2 * mp.mpf(eps) / float(lam * s2))
    psi0 = mp.atan(1 / mp.sqrt(n * (n - 1)))
    lower = k * (psi0 - k * mp.atan(mp.tan(psi0) / k)) / (mp.pi * (1 - k * k))
    out = derive_rs.spread_response_quadrature(Activation("relu"), n, eps)
    assert out >= lower * (1 - 1e-9)
    d_in = 2 * eps / (1 + eps)
    M = float(sp.solve(sp.Eq(k_M, float(k)), sp.Symbol("M", positive=True))[0])
    assert M > 2 and out >= M * d_in * (1 - 1e-9)


def test_the_catalogue_claim_and_its_forgeries(tmp_path):
    path = tmp_path / "rs.json"
    with contextlib.redirect_stdout(io.StringIO()):
        assert cli.main(["check", "proofs/rs-linearization.toml", "--cert", str(path)]) == 0
    cert = json.loads(path.read_text())
    assert trusted.check(cert)[0] and "sqrt(eps)" in cert["statement"]
    for edit in ({"stages": ["rc"]}, {"stages": ["rs"]}, {"activation": "tanh"}, {"domain": {"n": "2.."}},
                 {"activation": "leaky_relu", "domain": {"n": "3..", "alpha": "0..1/2"}},
                 {"activation": "leaky_relu", "domain": {"n": "3..", "alpha": "1/2"}},
                 {"params": {"state": "configuration"}}):
        forged = json.loads(json.dumps(cert))
        forged["claim"].update(edit)
        assert not trusted.check(rehash(forged))[0], edit


@pytest.mark.parametrize("stages, act", [(["rc"], "relu"), (["rs"], "relu"), ([], "relu"), (["rc", "rs"], "tanh")])
def test_models_without_the_rs_response_have_no_goal(stages, act):
    """Without RS the map is C^1 at O_n (spread eps comes out O(eps)); no RC, or tanh: not analysed."""
    claim = {"property": "rs-linearization", "stages": stages, "activation": act, "domain": {"n": "3.."},
             "params": {}}
    with pytest.raises(trusted.NoGoal):
        trusted.decide(claim)


def test_a_wrong_model_fails_the_derivation(monkeypatch):
    """The kernel proves the response by checking its derivation's facts on its own model: a model
    whose two-point state has the odd point on the cluster (lambda = 0) is refused (its per-process cache of
    the true model's derivations emptied first)."""
    monkeypatch.setattr(rs, "rs_image", lambda n, alpha: (sp.Integer(1), sp.Integer(1), sp.Integer(1)))
    rs.unbounded_response.cache_clear()
    with pytest.raises(trusted.Rejected, match="lambda > 0"):
        rs.unbounded_response(5, sp.Integer(0))
