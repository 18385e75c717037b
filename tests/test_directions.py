"""stability-directions: the kernel's verdict on named perturbations of a two-point state
against an independent dense computation (the full linear map E -> f o (C E C) / c on Sym_n,
exact rationals, n = 3..6), and forgeries of its certificates."""
from __future__ import annotations

import contextlib
import io
import json
from fractions import Fraction

import pytest
import sympy as sp

from bnverify import cli, trusted
from bnverify.claims.certificate import rehash

ENTRIES = {   # which entries of G a named perturbation moves (the odd point is the last index)
    "cluster-norms": lambda j, k, n: j == k < n - 1,
    "cluster-spread": lambda j, k, n: j != k and max(j, k) < n - 1,
    "odd-angle": lambda j, k, n: j != k and max(j, k) == n - 1,
    "norm-ratio": lambda j, k, n: j == k == n - 1,
}


def dense(n, alpha):
    """(L, basis): the scale-free linearization at the two-point fixed point on Sym_n in the
    basis E_jk (j <= k), computed from scratch: G* = K(s s^T) up to scale, c from F(G*) = c G*."""
    a = sp.Rational(alpha)
    A = (1 + a * a) / 2
    s = [sp.Rational(-1, n)] * (n - 1) + [sp.Rational(n - 1, n)]
    f = lambda j, k: A if s[j] * s[k] > 0 else a                                    # noqa: E731
    C = sp.eye(n) - sp.ones(n, n) / n
    G = sp.Matrix(n, n, lambda j, k: f(j, k) * s[j] * s[k])
    S = C * G * C                     # rank one, D s s^T
    D = S[n - 1, n - 1] / s[n - 1] ** 2
    c = sp.simplify(sp.Matrix(n, n, lambda j, k: f(j, k) * S[j, k])[0, 0] / G[0, 0])
    basis = [(j, k) for j in range(n) for k in range(j, n)]

    def L(E):
        CE = C * E * C
        return sp.Matrix(n, n, lambda j, k: f(j, k) * CE[j, k] / c)
    cols = []
    for j, k in basis:
        E = sp.zeros(n, n)
        E[j, k] = E[k, j] = 1
        out = L(E)
        cols.append([out[p, q] for p, q in basis])
    assert D > 0
    return sp.Matrix(cols).T, basis, [G[p, q] for p, q in basis]


def truth(n, alpha, name):
    """'decays' or 'grows': the perturbations of the named entries, iterated, modulo G*."""
    L, basis, g = dense(n, alpha)
    lam = sp.Symbol("lam")
    I = sp.eye(L.shape[0])
    keep = I                                  # kills every generalized eigenspace with |mu| <= 1 but G*'s
    roots = sp.roots(L.charpoly(lam).as_expr(), lam)
    # G*'s own eigenvalue 1 is the only one on the unit circle here (else 'decays' would be wrong:
    # a mode with |mu| = 1 neither decays nor grows), e.g. not for the identity (alpha = 1)
    assert roots.get(1) == 1 and all(abs(mu) != 1 for mu in roots if mu != 1), roots
    for mu, m in roots.items():
        if abs(mu) <= 1:
            keep = keep * (L - mu * I) ** m
    assert (L * sp.Matrix(g) - sp.Matrix(g)).is_zero_matrix    # G* is fixed: eigenvalue 1, here
    vs = [sp.Matrix([int(b == e) for b in basis]) for e in basis if ENTRIES[name](*e, n)]
    return "grows" if any(not (keep * v).is_zero_matrix for v in vs) else "decays"


def verdict(n, alpha, decay=(), grow=()):
    act = "relu" if alpha == 0 else "leaky_relu"
    dom = {"n": str(n)} if act == "relu" else {"n": str(n), "alpha": str(alpha)}
    claim = {"property": "stability-directions", "stages": ["rc"], "activation": act, "domain": dom,
             "params": {"state": "two-point", "decay": list(decay), "grow": list(grow)}}
    return trusted.decide(claim)[0]


@pytest.mark.parametrize("n", [3, 4, pytest.param(5, marks=pytest.mark.slow), pytest.param(6, marks=pytest.mark.slow)])
@pytest.mark.parametrize("alpha", [Fraction(0), Fraction(1, 5)])
def test_each_direction_against_the_dense_linearization(n, alpha):
    for name in ENTRIES:
        want = truth(n, alpha, name)
        assert verdict(n, alpha, decay=[name]) == ("proved" if want == "decays" else "refuted"), (name, want)
        assert verdict(n, alpha, grow=[name]) == ("proved" if want == "grows" else "refuted"), (name, want)


def test_the_catalogue_reading_for_every_n():
    assert verdict("3..", 0, decay=["odd-angle", "norm-ratio"], grow=["cluster-spread"]) == "proved"


@pytest.mark.parametrize("params", [{"decay": ["spread"]}, {"decay": [], "grow": []}, {"decay": [3]},
                                    {"decay": "odd-angle"}, {"decay": ["odd-angle", "odd-angle"]},
                                    {"grow": ["cluster-spread"] * 9}])
def test_bad_names_are_rejected(params):
    claim = {"property": "stability-directions", "stages": ["rc"], "activation": "relu",
             "domain": {"n": "3.."}, "params": params}
    with pytest.raises(trusted.Rejected):
        trusted.decide(claim)


def test_relabelled_certificates_are_rejected(tmp_path):
    path = tmp_path / "d.json"
    with contextlib.redirect_stdout(io.StringIO()):
        assert cli.main(["check", "proofs/stability-directions.toml", "--cert", str(path)]) == 0
    cert = json.loads(path.read_text())
    assert trusted.check(cert)[0]
    for edit in ({"stages": ["rc", "rs"]}, {"activation": "identity"}, {"domain": {"n": "2.."}},
                 {"params": dict(cert["claim"]["params"], grow=["cluster-spread", "odd-angle"])},
                 {"params": dict(cert["claim"]["params"], decay=["cluster-spread"], grow=[])},
                 {"activation": "leaky_relu", "domain": {"n": "3..", "alpha": "1/2"}},
                 {"params": dict(cert["claim"]["params"], state="attractor")}):
        forged = json.loads(json.dumps(cert))
        forged["claim"].update(edit)
        ok, why = trusted.check(rehash(forged))
        assert not ok, edit


def test_a_mode_on_the_unit_circle_neither_decays_nor_grows():
    """With the identity (alpha = 1) the map is E -> C E C: a projection, so a spread inside the
    cluster keeps its part of eigenvalue 1 for ever (C E C is not a multiple of G* = s s^T)."""
    claim = {"property": "stability-directions", "stages": ["rc"], "activation": "identity",
             "domain": {"n": "4"}, "params": {"state": "two-point", "decay": ["cluster-spread"]}}
    assert trusted.decide(claim)[0] == "refuted"
    claim["params"] = {"state": "two-point", "grow": ["cluster-spread"]}
    assert trusted.decide(claim)[0] == "refuted"
    n = 4
    C = sp.eye(n) - sp.ones(n, n) / n
    E = sp.zeros(n, n)
    E[0, 1] = E[1, 0] = 1
    s = sp.Matrix([sp.Rational(-1, n)] * (n - 1) + [sp.Rational(n - 1, n)])
    P = C * E * C
    assert C * P * C == P and (P - (P[n - 1, n - 1] / s[n - 1] ** 2) * s * s.T) != sp.zeros(n, n)
