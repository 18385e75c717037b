"""Red team of the fourth pass (c5fff6d..ccd546f: class-pattern blocks, symmetric-state items at any
n <= 10^6, _g_state as one classifier, stage-fact, kernel-singular, base.zero by expansion).  Each
test shows one defect and fails until it is fixed.

P1. check-cert: the work budget weighs a symmetric-state item at 8 x 3 x prec (box entries only),
    but with V and bound the Gershgorin blocks dominate: 325 genuine simplex items at prec 4096
    (n = 1000..1324, one spectral-radius claim, work 31,948,800 < 32,000,000, "some 20 s") ran
    for 33 s of CPU (82 s wall) here; 1,000 items at prec 1333 for 24 s CPU.  Before today a
    per-n state goal stopped at n = 64 (at most 62 such items).
P2. check-cert: base.zero expands the numerator of together(e): a sum of k fractions 1/(x_i + y_i)
    in distinct names has degree 1 and passes parse()'s degree / work / bits budget, but its
    numerator has k 2^(k-1) terms.  A jacobian-spectrum claim with one such eigenvalue (k = 16, no
    evidence) makes _same_spectrum's zero() run for minutes.
P3. check-cert: the same expression as an orthogonal-outlier value (k = 8, 79 characters) hangs in
    _on_domain's simplify() before zero().
P4. stage-fact (RS alone): the proved statement says that from G = lam C + beta 11^T/n every
    pairwise cosine rises to 1; at beta = 0 (G = lam C) the map gives n/(n-1) C, a fixed point with
    cosines -1/(n-1) forever.
P5. stage-fact (RC + RS): the proved statement says G -> C "from every start of rank n - 1"; a G of
    rank n - 1 whose null vector is orthogonal to 1 (G = I - w w^T/2, w = e_1 - e_2) has C G C of
    rank n - 2, and F keeps w in the kernel at every layer, so G never approaches C.
P6. kernel-singular (pairs-dependent): the statement names the null vector sum_l z_l (e_l+ -
    e_l-/c_l) "(not 0)"; for the points 1, 2, -1, -3 of R^1 (pairs (1,-1), (1,-3), (2,-1), (2,-3),
    z = (-2, 2, 1, -1), sum z_l x_l+ = 0) that vector is exactly 0.
P7. base.zero (norm-ratio-limit): transcendental atoms become independent symbols, so a hidden
    zero divides freely: E = atan(2) + atan(1/2) - pi/2 is exactly 0 (sympy does not see it), and
    the limit "(n-1)*E/E" (0/0: undefined at every n) or "n-1+0*(1/E)" is proved equal to n - 1.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

from bnverify import trusted
from bnverify.claims.certificate import rehash

ROOT = Path(__file__).resolve().parent.parent
BNVERIFY = [sys.executable, "-m", "bnverify"]
BUDGET_SECONDS = 20          # kernel.CERT_WORK's own words: "some 20 s"


def _timed(argv, seconds):
    p = subprocess.run(["timeout", str(seconds)] + BNVERIFY + argv, cwd=ROOT, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def _cert(claim, evidence=(), verdict="proved"):
    return rehash({"format": trusted.FORMAT, "claim": claim, "verdict": verdict,
                   "method": trusted.kernel.METHODS[bool(evidence)], "statement": "",
                   "evidence": list(evidence), "tools": {}})


# ---------------------------------------------------------------- P1: symmetric-state items under-weighed
def _simplex_item(n, prec):
    """A genuine symmetric-state item (simplex, relu, radius < 1) from the untrusted search, as the
    trusted format has it, re-labelled to a higher working precision (the box stays valid)."""
    from bnverify.core.activations import Activation
    from bnverify.derive.states import certify_simplex

    c = certify_simplex(n, Activation("relu"), prec=128).certificate
    sb = c["spectral_bound"]
    assert sb is not None and sb["relation"] == "<"
    return {"type": "symmetric-state", "n": n, "alpha": "0", "prec": prec,
            "box": [{"mid": b[:2], "rad": b[2:]} for b in c["box"]], "Y": c["y_matrix"],
            "V": {k: [[[str(Fraction(re)), str(Fraction(im))] for re, im in row] for row in M]
                  for k, M in sb["V"].items()},
            "bound": sb["bound"]}


def test_symmetric_state_items_within_the_work_budget_are_checked_within_20_s():
    """The budget lets floor(CERT_WORK / work(item)) such items into one certificate (325 at prec
    4096; a per-n range of n = 1000..1324 makes every one of them 'about' a spectral-radius claim
    at the simplex state), so their CPU time must fit the budget's 20 s."""
    from bnverify.trusted.items import check_item, work
    item = _simplex_item(1000, 4096)
    check_item(item)                              # warm-up (imports, caches)
    t = time.process_time()
    for _ in range(3):
        fact = check_item(item)
    per_item = (time.process_time() - t) / 3
    assert fact["state"] == "simplex" and fact["radius_below"] == 1
    admitted = min(trusted.kernel.CERT_WORK // work(item), trusted.kernel.PER_N_MAX)
    assert admitted * per_item <= BUDGET_SECONDS, (
        "%d items of %.3f s CPU each pass the work budget: %.0f s" % (admitted, per_item, admitted * per_item))


# ---------------------------------------------------------------- P2, P3: many names escape the degree budget
def _many_names(k):
    return " + ".join("1/(x%d + y%d)" % (i, i) for i in range(k))


def test_many_name_expressions_are_refused_before_any_algebra():
    """Fixed: a claim's expression names n and alpha only (and pi), so the k-name sums that
    passed the degree / work / bits budget are refused when they are read."""
    import pytest
    from bnverify.trusted.base import parse
    with pytest.raises(trusted.Rejected, match="only n, alpha and pi"):
        parse(_many_names(40))


def test_check_cert_of_a_many_name_spectrum_ends_within_20_s(tmp_path):
    claim = {"property": "jacobian-spectrum", "stages": ["rc"], "activation": "relu", "domain": {"n": "5.."},
             "params": {"state": "configuration", "eigenvalues": [[_many_names(16), "n"]]}}
    path = tmp_path / "names.json"
    path.write_text(json.dumps(_cert(claim, verdict="refuted")))
    code, out = _timed(["check-cert", str(path)], BUDGET_SECONDS)
    assert code != 124, "check-cert ran for more than 20 s on a 16-term sum of fractions"


def test_check_cert_of_a_many_name_outlier_value_ends_within_20_s(tmp_path):
    claim = {"property": "orthogonal-outlier", "stages": ["rc"], "activation": "relu", "domain": {"n": "5.."},
             "params": {"value": _many_names(8)}}
    path = tmp_path / "outlier.json"
    path.write_text(json.dumps(_cert(claim, verdict="refuted")))
    code, out = _timed(["check-cert", str(path)], BUDGET_SECONDS)
    assert code != 124, "check-cert ran for more than 20 s on an 8-term sum of fractions"


# ---------------------------------------------------------------- P4, P5: stage-fact statements
def _stage_statement(stages, n):
    claim = {"property": "stage-fact", "stages": stages, "activation": "identity", "domain": {"n": str(n)},
             "params": {}}
    verdict, statement, _ = trusted.decide(claim)
    assert verdict == "proved"
    return statement


def test_rs_alone_statement_does_not_claim_collapse_from_beta_zero():
    """RS alone at G = lam C: z ~ N(0, lam C) has batch mean 0, so y = sqrt(n) z/|z| and, by the
    isotropy of z/|z| in the zero-sum subspace, F(G) = n/(n-1) C: the cosines stay -1/(n-1).
    (Checked here by the trace and the zero-sum rows, which force F(G) = n/(n-1) C for any
    isotropic image.)  The statement must exclude beta = 0 (e.g. 'beta > 0')."""
    import numpy as np
    n, rng = 8, np.random.default_rng(0)
    z = rng.standard_normal((200_000, n))
    z -= z.mean(axis=1, keepdims=True)                   # z ~ N(0, C): G = C, beta = 0
    y = z / z.std(axis=1, keepdims=True)                 # RS: divide each row by its batch std
    F = y.T @ y / len(y)
    cos = F[0, 1] / np.sqrt(F[0, 0] * F[1, 1])
    assert abs(cos + 1 / (n - 1)) < 0.01                 # stays at -1/(n-1): no rise to 1
    st = _stage_statement(["rs"], n)
    assert "every pairwise cosine rises to 1" not in st or "beta > 0" in st or "beta != 0" in st, st


def test_rc_rs_statement_does_not_claim_convergence_from_every_rank_n_minus_1_start():
    """G = I - w w^T/2, w = e_1 - e_2, has rank n - 1, but C G C w = C G w = 0 and w is orthogonal
    to 1: C G C has rank n - 2, every centred row z ~ N(0, C G C) is orthogonal to w, so
    F(G) w = n E[z <z, w>/|z|^2] = 0 at every layer, while C w = w != 0: G never approaches C."""
    import sympy
    n = 6
    w = sympy.Matrix([1, -1] + [0] * (n - 2))
    G = sympy.eye(n) - w * w.T / 2
    C = sympy.eye(n) - sympy.ones(n, n) / n
    assert G.rank() == n - 1 and (C * G * C).rank() == n - 2
    assert C * G * C * w == sympy.zeros(n, 1) and C * w == w
    st = _stage_statement(["rc", "rs"], n)
    assert "from every start of rank n - 1" not in st, st


# ---------------------------------------------------------------- P6: kernel-singular's null vector
def test_kernel_singular_statement_does_not_promise_a_nonzero_null_vector_that_is_zero():
    """Points x = 1, 2, -1, -3 of R^1 (all nonzero).  Antipodal pairs (x+, x-, c): (1, -1, 1),
    (1, -3, 3), (2, -1, 1/2), (2, -3, 3/2); their directions are dependent: z = (-2, 2, 1, -1)
    gives sum z_l x_l+ = -2 + 2 + 2 - 2 = 0.  The statement's vector sum_l z_l (e_l+ - e_l-/c_l)
    is then 0, though the statement calls it 'not 0' (K is singular here for another reason:
    1 and 2 are positively collinear)."""
    pts = [Fraction(1), Fraction(2), Fraction(-1), Fraction(-3)]
    pairs = [(0, 2), (0, 3), (1, 2), (1, 3)]
    z = [Fraction(-2), Fraction(2), Fraction(1), Fraction(-1)]
    assert sum(zl * pts[p] for zl, (p, _) in zip(z, pairs)) == 0 and any(z)
    vec = [Fraction(0)] * 4
    for zl, (p, m) in zip(z, pairs):
        c = -pts[m] / pts[p]
        assert c > 0
        vec[p] += zl
        vec[m] -= zl / c
    assert vec == [0, 0, 0, 0]
    claim = {"property": "kernel-singular", "stages": [], "activation": "relu", "domain": {"n": "4.."},
             "params": {"points": "pairs-dependent"}}
    verdict, st, _ = trusted.decide(claim)
    assert verdict == "proved"
    # fixed: the hypothesis excludes positively collinear points (1 and 2 above), so the pairs are
    # disjoint and the named vector is not 0
    assert "(not 0)" not in st or "no two are positively collinear" in st, st


# ---------------------------------------------------------------- P7: a hidden transcendental zero divides
def test_a_value_dividing_by_a_hidden_transcendental_zero_is_not_proved():
    """atan(2) + atan(1/2) = pi/2 (tan(a + b) = (2 + 1/2)/(1 - 1) is infinite), so E = 0 and the
    claimed limit (n-1)*E/E is 0/0 at every n; zero() treats atan(2), atan(1/2), pi as three
    independent symbols and cancels E/E.  The kernel must not prove an undefined value."""
    from flint import arb, ctx
    with ctx.workprec(256):
        E = arb(2).atan() + (arb(1) / 2).atan() - arb.pi() / 2
        assert E.contains(0) and E.rad() < arb(2) ** -200       # 0 to 256 bits (and exactly, as above)
    E = "(atan(2)+atan(1/2)-pi/2)"
    for val in ["(n-1)*%s/%s" % (E, E), "n-1+0*(1/%s)" % E]:
        claim = {"property": "norm-ratio-limit", "stages": ["rc"], "activation": "relu", "domain": {"n": "3.."},
                 "params": {"value": val}}
        try:
            verdict = trusted.decide(claim)[0]
        except (trusted.Rejected, trusted.NoGoal):
            verdict = "inconclusive"
        assert verdict != "proved", val
