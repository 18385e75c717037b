"""The BSB1 state of RC + RS + phi for any phi (bnverify.derive.bsb1_sphere, ``bnverify bsb1``):
the rigorous sphere integrals against exact values (identity), Monte Carlo of the definition
y = sqrt(n) Cz/|Cz| (10^6 samples), the closed form for relu (through the float route), and a
finite-width RC + RS + tanh network; the float suggestion against the rigorous value; the command's
inconclusive rows (a kink) and bad input."""
from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import jsonschema

import numpy as np
import pytest

from bnverify.cli import main
from bnverify.core.activations import activation
from bnverify.derive import bsb1, bsb1_sphere


def _in(ball, x, slack=0.0):
    return abs(float(ball.mid()) - x) <= float(ball.rad()) + slack


@pytest.mark.parametrize("n", [3, 4, 7])
def test_identity_exact(n):
    """phi = identity: c* = E[y_1 y_2]/E[y_1^2] = -1/(n-1) exactly (y sums to 0, E y_j^2 = 1)."""
    res = bsb1_sphere.certify(n, activation("identity"), 12)
    assert (res["c"] * (n - 1)).contains(-1) and float(res["c"].rad()) < 1e-12
    assert _in(res["E_phi2"], 1.0)


def _monte_carlo(n, phi, samples=1_000_000, seed=3, chunk=200_000):
    rng = np.random.default_rng(seed)
    a = b = aa = bb = ab = 0.0
    for _ in range(samples // chunk):
        z = rng.standard_normal((chunk, n))
        cz = z - z.mean(axis=1, keepdims=True)
        y = math.sqrt(n) * cz / np.linalg.norm(cz, axis=1, keepdims=True)
        f = phi(y[:, :2])                    # only y_1, y_2 enter
        p, q = f[:, 0] * f[:, 1], f[:, 0] ** 2
        a += p.sum(); b += q.sum(); aa += (p * p).sum(); bb += (q * q).sum(); ab += (p * q).sum()
    N = samples
    mp, mq = a / N, b / N
    vp, vq, cpq = aa / N - mp * mp, bb / N - mq * mq, ab / N - mp * mq
    r = mp / mq                              # delta method for the ratio's standard error
    se = math.sqrt(max(vp - 2 * r * cpq + r * r * vq, 0) / N) / mq
    return r, se


@pytest.mark.parametrize("name, n", [("tanh", 4), ("gelu", 8), ("sigmoid", 5)])
def test_monte_carlo(name, n):
    act = activation(name)
    res = bsb1_sphere.certify(n, act, 12)
    r, se = _monte_carlo(n, act.phi)
    assert abs(float(res["c"].mid()) - r) < 5 * se, (float(res["c"].mid()), r, se)


@pytest.mark.parametrize("name, n", [("tanh", 3), ("tanh", 8), ("gelu", 4), ("softplus", 16), ("x*erf(x)", 6)])
def test_suggestion_agrees_with_the_enclosure(name, n):
    act = activation(name)
    sug = bsb1_sphere.suggest(n, act)
    res = bsb1_sphere.certify(n, act, 12)
    assert sug["change"] < 1e-9 and _in(res["c"], sug["c"], sug["change"] + 1e-12)


@pytest.mark.parametrize("n", [3, 5, 9])
def test_float_route_meets_relu_closed_form(n):
    """The two-coordinate law itself, checked where a closed form exists (relu's kink makes the
    float rule converge slowly, hence the tolerance)."""
    sug = bsb1_sphere.suggest(n, activation("relu"))
    assert abs(sug["c"] - float(bsb1.closed_form(n, 0).mid())) < 1e-3


def test_finite_width_tanh_network():
    """A width-2048 RC + RS + tanh network (n = 4, 3 seeds, layers 2..4 averaged) sits at the
    suggested (and certified) c*: within 4 standard errors plus a 1/d allowance for the bias."""
    n, d = 4, 2048
    act = activation("tanh")
    c = bsb1_sphere.suggest(n, act)["c"]
    means = []
    for seed in range(3):
        rng = np.random.default_rng(100 + seed)
        X = rng.standard_normal((d, n))
        cs = []
        for layer in range(5):
            Z = rng.standard_normal((d, d)) @ X / math.sqrt(d)
            Z = Z - Z.mean(axis=1, keepdims=True)
            Z = Z / Z.std(axis=1, keepdims=True)
            X = act.phi(Z)
            if layer >= 2:
                G = X.T @ X / d
                dg = np.sqrt(np.diag(G))
                cs.append((G / np.outer(dg, dg))[np.triu_indices(n, 1)].mean())
        means.append(np.mean(cs))
    se = np.std(means, ddof=1) / math.sqrt(len(means))
    assert abs(np.mean(means) - c) < 4 * se + 1.0 / d, (means, c)


@pytest.mark.parametrize("name, slope", [("relu", 0), ("abs", -1), ("x if x > 0 else x/4", Fraction(1, 4))])
@pytest.mark.parametrize("n", [3, 4, 9])
def test_kinked_route_meets_the_closed_form(name, slope, n):
    """The split route (kinks of phi(y_1) and moving kinks of phi(y_2)) run on the homogeneous
    family, where c* = kappa(-1/(n-1))/kappa(1) is closed: the enclosures overlap, 12 digits."""
    res = bsb1_sphere.certify(n, activation(name), 12)
    closed = bsb1.closed_form(n, slope)
    assert res["c"].overlaps(closed) and float(res["c"].rad()) < 1e-12


def test_elu_rigorous_against_monte_carlo_and_the_float_rule():
    act = activation("elu")
    res = bsb1_sphere.certify(4, act, 12)
    r, se = _monte_carlo(4, act.phi)
    sug = bsb1_sphere.suggest(4, act)
    assert abs(float(res["c"].mid()) - r) < 5 * se
    assert _in(res["c"], sug["c"], 10 * sug["change"] + 1e-9)      # the float rule converges slowly at a kink


def test_unknown_kinks_are_inconclusive_with_reason():
    act = activation("abs(x - x*x)")
    why = bsb1_sphere.obstacle(act)
    assert why and "not known in advance" in why
    with pytest.raises(Exception, match="not known in advance"):
        bsb1_sphere.certify(4, act)
    assert bsb1_sphere.obstacle(activation("elu")) is None


def test_budget_is_inconclusive():
    with pytest.raises(ArithmeticError, match="budget"):
        bsb1_sphere.certify(400, activation("tanh"), 15, budget=0.2)


SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "docs" / "schemas" / "bsb1.json").read_text())


def test_command(capsys):
    assert main(["bsb1", "--stages", "rc,rs,tanh", "--n", "3..4", "--digits", "12", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    jsonschema.validate(doc, SCHEMA)
    assert doc["route"] == "sphere integrals" and doc["status"] == "enclosed" and doc["slope"] is None
    for row in doc["rows"]:
        lo, hi = (float(v) for v in row["c"])
        assert lo <= row["suggestion"]["c"] <= hi and row["suggestion"]["label"] == "numerical suggestion, not a verdict"
        assert len(row["suggestion"]["lam_S"]) == 2 and (row["suggestion"]["lam_P"] is None) == (row["n"] == 3)
    assert main(["bsb1", "--stages", "rc,rs,elu", "--n", "4", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    jsonschema.validate(doc, SCHEMA)
    row = doc["rows"][0]
    lo, hi = (float(v) for v in row["c"])
    assert hi - lo < 1e-12 and abs((lo + hi) / 2 - row["suggestion"]["c"]) < 10 * row["suggestion"]["change"]
    assert main(["bsb1", "--stages", "rc,rs,abs(x - x*x)", "--n", "4", "--json"]) == 3
    doc = json.loads(capsys.readouterr().out)
    jsonschema.validate(doc, SCHEMA)
    row = doc["rows"][0]
    assert doc["status"] == "inconclusive" and row["c"] is None and "not known in advance" in row["reason"]
    assert main(["bsb1", "--stages", "rc,rs,abs(x - x*x)", "--n", "4"]) == 3
    out = " ".join(capsys.readouterr().out.split())          # the text is wrapped to the terminal
    assert "inconclusive: phi switches" in out and "numerical suggestion, not a verdict" in out
    for bad in (["--stages", "rc,rs,nosuch"], ["--stages", "rs,rc,tanh"], ["--stages", "rc,rs,tanh", "--alpha", "1/2"],
                ["--stages", "rc,rs,tanh", "--n", "2"]):
        assert main(["bsb1"] + bad) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "error" in err


@pytest.mark.parametrize("n", [3, 4, 8])
def test_spectrum_suggestion_meets_relu_blocks(n):
    """The angular-Gaussian derivative formula of ``spectrum_suggestion``, run with relu, against
    bsb1_spectrum's closed-form blocks (kernel formulas in ball arithmetic): within 5 standard
    errors, and the errors small enough for that to mean something."""
    from bnverify.core.arith import BallContext
    from bnverify.derive import bsb1_spectrum

    sug = bsb1_sphere.spectrum_suggestion(n, activation("relu"), seed=n)
    blk = bsb1_spectrum.blocks(n, bsb1.activation(0), BallContext(64))
    pairs = [(sug["lam_S"], blk["standard"][1][1])] + ([(sug["lam_P"], blk["pair"][1][0])] if n >= 4 else [])
    assert (sug["lam_P"] is None) == (n == 3)
    for (value, se), exact in pairs:
        assert se < 0.01 and abs(value - float(exact.mid())) < 5 * se, (value, se, float(exact.mid()))
