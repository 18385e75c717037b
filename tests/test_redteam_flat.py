"""Red team on the flat-even lemma (commit e33a1c6: softplus at sigma_w^2 <= 2 has no fixed point with S != 0).

The lemma: softplus = t/2 + e, e(t) = log(2 cosh(t/2)) even with |e'| = |tanh(t/2)|/2 < 1/2; for a centred Gaussian
pair the cross term E[(x - y)(e(x) - e(y))] is 0, so E[(phi(x) - phi(y))^2] < E[(x - y)^2]/2 and every distance of
the image of G -> K_phi(sigma_w^2 C G C) is below sigma_w^2/2 times its own.  Checked here with mpmath and numpy
alone (not the project's kernels): the split, the cross term (Monte Carlo with unequal variances, where the symmetry
argument is all there is), the two-point ratio S(s)/s at sigma_w^2 = 2 up to n = 10^6 (below 1, tending to
((n-1)^2 + 1)/n^2), the edge's sharpness (just above 2 a real fixed point at large n), and finite-width networks
(width 2000).  Then the kernel at and around the edge (spellings of 2, 201/100, 2000001/1000000, alpha, formulas
equal to softplus, other stages, n = 2), relabelled certificates and report --from, and what the commands say."""
import copy
import json
import math
from fractions import Fraction

import numpy as np
import pytest

from bnverify import trusted
from bnverify.trusted.base import content_hash


UNDECIDED = (trusted.Rejected, trusted.NoGoal)


def _claim(prop, act="softplus", w="2", n="3..", stages=("rc",), **params):
    return {"property": prop, "stages": list(stages), "activation": act, "domain": {"n": n}, "params": params,
            "weight_var": w}


STATE_CLAIMS = (("attractor-exists", {}), ("attractor-stable", {"relation": "<", "bound": "1"}),
                ("attractor-threshold", {"value": 5}), ("attractor-threshold", {"value": "none"}),
                ("fixed-point", {"state": "two-point"}), ("fixed-point", {"state": "simplex"}),
                ("spectral-radius", {"state": "two-point", "relation": ">", "bound": "1"}),
                ("spectral-radius", {"state": "simplex", "relation": "<", "bound": "1"}),
                ("spectral-radius", {"state": "attractor", "relation": "<", "bound": "1"}))


def _sp(t):
    import mpmath
    return mpmath.log1p(mpmath.exp(t))


def _two_point_ratio(n, w, s):
    """S(s)/s = E[(phi((n-1) lam Z/n) - phi(-lam Z/n))^2]/s, lam^2 = w s, by mpmath's quadrature (split at 0) in
    double precision (mpmath.fp): within 4e-15 of the 20-digit quadrature at every point the tests ask, where the
    closest value to the bound it is compared with is 1.06e-9 away (n = 3, s = 10^6, below 5/9), so every
    comparison is the 20-digit one (40x faster)."""
    import mpmath
    fp, w, s = mpmath.fp, float(w), float(s)
    lam = math.sqrt(w * s)
    a, b = (n - 1) * lam / n, lam / n
    sp = lambda t: max(t, 0.0) + math.log1p(math.exp(-abs(t)))             # softplus, no overflow  # noqa: E731
    f = lambda z: (sp(a * z) - sp(-b * z)) ** 2 * fp.npdf(z)                # noqa: E731
    return fp.quad(f, [-fp.inf, -1, 0, 1, fp.inf]) / s


# ---------------------------------------------------------------- (1) the mathematics, independently
def test_softplus_is_half_t_plus_a_flat_even_part():
    """softplus(t) - softplus(-t) = t; softplus(t) - t/2 = log(2 cosh(t/2)) (even), its derivative tanh(t/2)/2 is
    strictly inside (-1/2, 1/2) and tends to 1/2 like e^-t (the constant 1/2 is sharp)."""
    import mpmath
    with mpmath.workdps(40):
        for t in (mpmath.mpf("1e-9"), mpmath.mpf("0.7"), mpmath.mpf(3), mpmath.mpf(25), mpmath.mpf(80)):
            assert abs(_sp(t) - _sp(-t) - t) < mpmath.mpf(10) ** -35
            e = _sp(t) - t / 2
            assert abs(e - mpmath.log(2 * mpmath.cosh(t / 2))) < mpmath.mpf(10) ** -35
            assert abs(e - (_sp(-t) + t / 2)) < mpmath.mpf(10) ** -35                     # even
            d = mpmath.diff(lambda u: _sp(u) - u / 2, t)
            assert abs(d - mpmath.tanh(t / 2) / 2) < mpmath.mpf(10) ** -25
            assert 0 < d < mpmath.mpf(1) / 2
            assert abs((mpmath.mpf(1) / 2 - d) / mpmath.exp(-t) - 1) < 0.6             # 1/2 - e' ~ e^-t
        assert mpmath.diff(lambda u: _sp(u) - u / 2, 0) == 0


def test_cross_term_vanishes_with_unequal_variances():
    """E[(x - y)(e(x) - e(y))] = 0 for a centred pair whatever the variances and correlation (plain Monte Carlo, no
    antithetic pairing: the symmetry is not built into the sampler); its size is far below the gap
    E[(x - y)^2]/4 - E[(e(x) - e(y))^2] that the lemma needs positive, and the pair ratio is below 1/2."""
    rng = np.random.default_rng(11)
    e = lambda t: np.logaddexp(t / 2, -t / 2)                # log(2 cosh(t/2)), stably      # noqa: E731
    for v1, v2, r in ((1.0, 9.0, 0.3), (25.0, 4.0, -0.8), (400.0, 380.0, 0.995), (0.01, 100.0, 0.5)):
        # the pair from its Cholesky factor (multivariate_normal, an SVD per call, took five times as long)
        z1, z2 = rng.standard_normal((2, 1_000_000))
        x, y = np.sqrt(v1) * z1, np.sqrt(v2) * (r * z1 + np.sqrt(1 - r * r) * z2)
        de = e(x) - e(y)
        cross = (x - y) * de
        D = np.mean((x - y) ** 2)
        gap = D / 4 - np.mean(de ** 2)
        se = cross.std() / np.sqrt(len(cross))
        assert abs(cross.mean()) < 5 * se, (v1, v2, r, cross.mean(), se)
        assert 5 * se < gap / 3, (v1, v2, r, se, gap)
        assert np.mean((np.logaddexp(0, x) - np.logaddexp(0, y)) ** 2) < D / 2


def test_two_point_ratio_below_one_at_two_and_its_limit():
    """At sigma_w^2 = 2, S(s)/s < 1 for n = 3 .. 10^6 and s = 10^-3 .. 10^6, tending to ((n-1)^2 + 1)/n^2 at large s
    (ReLU's); 3/2 likewise below 3/4.  Strict at exactly 2, however close n makes it."""
    import mpmath
    with mpmath.workdps(20):
        for n in (3, 64, 1000, 10 ** 6):
            limit = mpmath.mpf((n - 1) ** 2 + 1) / n ** 2
            rs = [_two_point_ratio(n, 2, mpmath.mpf(10) ** k) for k in (-3, 0, 3, 6)]
            assert all(r < 1 for r in rs) and all(a <= b for a, b in zip(rs, rs[1:])), (n, rs)
            assert rs[-1] < limit and (n >= 10 ** 4 or limit - rs[-1] < 1e-3), (n, rs[-1], limit)
            assert _two_point_ratio(n, mpmath.mpf(3) / 2, mpmath.mpf(10) ** 6) < mpmath.mpf(3) / 4
        assert abs(_two_point_ratio(3, 2, mpmath.mpf("1e-6")) - mpmath.mpf(1) / 2) < 1e-3        # w phi'(0)^2 = 1/2


def test_the_edge_is_sharp_just_above_two():
    """Past 2 the lemma would be false: at 201/100 and n = 1000, S(s)/s runs from about 1/2 to 1.003, so a real
    two-point fixed point exists; at 21/10 and n = 64, S(s) - s changes sign in (646.25, 646.30), where the
    kernel's bracket [646.2720923, 646.2720924] lies."""
    import mpmath
    with mpmath.workdps(20):
        w = mpmath.mpf(201) / 100
        assert _two_point_ratio(1000, w, mpmath.mpf(1)) < 1 < _two_point_ratio(1000, w, mpmath.mpf(10) ** 6)
        w = mpmath.mpf(21) / 10
        assert _two_point_ratio(64, w, mpmath.mpf("646.25")) < 1 < _two_point_ratio(64, w, mpmath.mpf("646.30"))


def _network(w, n, s0, layers, d=2000, seed=0):
    """RC + softplus at width d, fresh W ~ N(0, w/d) per layer, from n - 1 equal points and an odd one at
    |u - v|^2/d = s0; the odd distance after each layer, and the largest cluster distance seen."""
    rng = np.random.default_rng(seed)
    v, e = rng.normal(size=d), rng.normal(size=d)
    X = np.tile(v[:, None], (1, n))
    X[:, -1] = v + e * np.sqrt(s0 * d) / np.linalg.norm(e)
    odd, cluster = [], 0.0
    for _ in range(layers):
        H = rng.normal(scale=np.sqrt(w / d), size=(d, d)) @ X
        X = np.logaddexp(0, H - H.mean(axis=1, keepdims=True))
        odd.append(np.sum((X[:, -1] - X[:, 0]) ** 2) / d)
        cluster = max(cluster, np.max(np.sum((X[:, :-1] - X[:, :1]) ** 2, axis=0)) / d)
    return odd, cluster


@pytest.mark.slow
def test_finite_width_networks_at_two_and_above():
    """Width 2000, n = 64: at sigma_w^2 = 2 the odd point's distance falls layer after layer even from s = 2000
    (three times the 21/10 fixed point's), at 21/10 from there it does not fall (above the fixed point near 646,
    an unstable one on the two-point line); the cluster stays one point.  (-m slow: width 2000, 4 s.)"""
    odd2, c2 = _network(2.0, 64, 2000.0, 10)
    odd21, c21 = _network(2.1, 64, 2000.0, 10)
    assert odd2[-1] < 0.8 * 2000 and odd2[-1] < odd2[0], odd2
    assert odd21[-1] > 0.95 * 2000, odd21
    assert c2 == 0 and c21 == 0


# ---------------------------------------------------------------- (2) the kernel at and around the edge
@pytest.mark.parametrize("w", ["2", "4/2", "2000000/1000000", "3/2", "101/100"])
def test_every_state_claim_decided_at_or_below_two(w):
    """Every spelling of 2 (exact rationals) and below: every state claim decided at every n, no evidence, the
    flat-even reason (not the Lipschitz one, which stops at 1)."""
    for prop, params in STATE_CLAIMS:
        v, _, why = trusted.decide(_claim(prop, w=w, **params))
        want = "proved" if params.get("value") == "none" else "refuted"
        assert v == want and "|e'| < 1/2" in why and "sigma_w^2 L^2" not in why, (w, prop, params, v, why)


def test_at_one_the_lipschitz_reason():
    v, _, why = trusted.decide(_claim("fixed-point", w="1", state="two-point"))
    assert v == "refuted" and "L^2 = 1" in why and "|e'|" not in why


@pytest.mark.parametrize("w", ["201/100", "2000001/1000000", "21/10", "3"])
def test_just_above_two_nothing_without_evidence(w):
    """Past 2 the lemma says nothing: every state claim without evidence is undecided (Rejected), never refuted."""
    assert not trusted.twopoint.collapses("softplus", Fraction(0), Fraction(w))
    for prop, params in STATE_CLAIMS:
        n = "3.." if prop.startswith("attractor") else "64"
        with pytest.raises(UNDECIDED):
            trusted.decide(_claim(prop, w=w, n=n, **params))


def test_the_lemma_does_not_leak_to_other_models():
    """Not for alpha != 0, a formula equal to softplus (the kernel does not prove the identity), RC + RS, BN after the
    activation, RS alone, n = 2, a decimal spelling at the kernel (the command line turns '2.0' into 2 before)."""
    with pytest.raises(UNDECIDED):
        trusted.twopoint.collapses("softplus", Fraction(1), Fraction(2))
    with pytest.raises(UNDECIDED):
        trusted.decide(dict(_claim("attractor-exists"), domain={"n": "3..", "alpha": "1"}))
    for formula in ("formula:log(1+exp(x))", "formula:x/2+log(exp(x/2)+exp(-x/2))", "formula:log(1+exp(-x))+x"):
        assert not trusted.twopoint.collapses(formula, Fraction(0), Fraction(2))
        for prop, params in STATE_CLAIMS:
            n = "3.." if prop.startswith("attractor") else "5"
            with pytest.raises(UNDECIDED):
                trusted.decide(_claim(prop, act=formula, n=n, **params))
    for stages in (["rc", "rs"], ["nl", "rc"], ["rs"], ["nl", "rc", "rs"]):
        for prop, params in STATE_CLAIMS:
            with pytest.raises(UNDECIDED):
                trusted.decide(_claim(prop, stages=stages, n="5", **params))
    for n in ("2", "2..", "2..5"):
        with pytest.raises(UNDECIDED):
            trusted.decide(_claim("fixed-point", n=n, state="two-point"))
    with pytest.raises(UNDECIDED):
        trusted.decide(_claim("attractor-exists", w="2.0"))


def test_check_proves_the_real_fixed_point_at_21_10(run_cli):
    """A true claim next to the edge stays proved: softplus at 21/10, n = 64 (the bracket above, kernel-checked)."""
    code, out, err = run_cli("check", "--stages", "rc,softplus", "--weight-var", "21/10", "--n", "64", "--property",
                             "fixed-point", "--state", "two-point")
    assert code == 0 and "proved" in out and "646.272" in out, (out, err)
    # 201/100, n = 1000: a real fixed point (above), its root between s = 10^4 and 10^5, past the old scan's 10^4
    # (the scan goes on to 10^8): proved, s near 40442 (tests/test_far_roots.py checks it in mpmath)
    code, out, err = run_cli("check", "--stages", "rc,softplus", "--weight-var", "201/100", "--n", "1000",
                             "--property", "fixed-point", "--state", "two-point")
    assert code == 0 and "proved" in out and "40442.13" in out, (out, err)


# ---------------------------------------------------------------- (3) certificates
def test_relabelled_lemma_certificates(written_cert, tmp_path):
    """The lemma's certificate (no evidence) re-checks for its own claim only: relabelled to 201/100, 21/10, '2.0',
    elu, erf, formulas equal to softplus, other stages, n = 2.., another property, a flipped verdict, with the hash and
    (where the kernel has one) the statement recomputed, it is rejected; '4/2' is the same claim and stays good."""
    base = written_cert(tmp_path / "sp2.json", "--stages", "rc,softplus", "--weight-var", "2", "--n", "3..",
                        "--property", "attractor-threshold", "--value", "none")
    assert base["evidence"] == [] and trusted.check(base)[0]
    for key, value in (("weight_var", "201/100"), ("weight_var", "21/10"), ("weight_var", "2000001/1000000"),
                       ("weight_var", "2.0"), ("activation", "erf"), ("activation", "elu"),
                       ("activation", "formula:log(1+exp(x))"), ("activation", "formula:x/2+log(exp(x/2)+exp(-x/2))"),
                       ("stages", ["rc", "rs"]), ("stages", ["nl", "rc"]), ("domain", {"n": "2.."}),
                       ("property", "attractor-exists")):
        c = copy.deepcopy(base)
        c["claim"][key] = value
        c["hash"] = content_hash(c)
        assert not trusted.check(c)[0], (key, value)
        try:
            c["statement"] = trusted.decide(c["claim"], [])[1]
        except UNDECIDED:
            continue
        c["hash"] = content_hash(c)
        assert not trusted.check(c)[0], (key, value)
    same = copy.deepcopy(base)
    same["claim"]["weight_var"] = "4/2"
    same["hash"] = content_hash(same)
    assert trusted.check(same)[0]
    flipped = dict(copy.deepcopy(base), verdict="refuted")
    flipped["hash"] = content_hash(flipped)
    assert not trusted.check(flipped)[0]


def test_report_from_does_not_take_a_lemma_certificate_for_a_catalogue_claim(written_cert, tmp_path):
    """report --from: a row of the catalogue's two-point-collapse (tanh, refuted) pointing at softplus's lemma
    certificate (valid, refuted, about another claim) is shown unchecked, not refuted."""
    from bnverify.commands import report
    (tmp_path / "certificates").mkdir()
    written_cert(tmp_path / "certificates" / "two-point-collapse.json", "--stages", "rc,softplus", "--weight-var",
                 "2", "--n", "3..", "--property", "fixed-point", "--state", "two-point", code=1)
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"claims": [{"id": "two-point-collapse", "verdict": "refuted",
                                               "certificate": "certificates/two-point-collapse.json"}]}))
    rows, _, _ = report.load_results(results)
    assert rows[0]["verdict"] == "unchecked" and "another claim" in rows[0]["unchecked"], rows


# ---------------------------------------------------------------- (4) what the commands say
@pytest.mark.parametrize("w", ["3/2", "2", "2.0", "4/2"])
def test_check_at_and_below_the_edge(run_cli, w):
    for args, code in ((("--property", "attractor-exists"), 1), (("--property", "attractor-threshold", "--value",
                                                                   "none"), 0),
                       (("--property", "fixed-point", "--state", "two-point"), 1),
                       (("--property", "fixed-point", "--state", "simplex"), 1)):
        got, out, err = run_cli("check", "--stages", "rc,softplus", "--weight-var", w, "--n", "3..", *args, "--json")
        doc = json.loads(out)
        assert got == code and "|e'| < 1/2" in doc["evidence"]["reason"], (w, args, out, err)


def test_attractor_and_simplex_rows(run_cli):
    """attractor: every row of a finite range refuted and marked lemma at 3/2 and 2, none proved; past 2 the
    per-n cap again; simplex --n 3..: one refuted row."""
    for w in ("3/2", "2"):
        code, out, err = run_cli("attractor", "--stages", "rc,softplus", "--weight-var", w, "--n", "3..6", "--json")
        assert code == 0, err
        doc = json.loads(out)
        assert all(r["status"] == "refuted" and r["lemma"] is True for r in doc["results"]), doc["results"]
        assert doc["smallest_n_note"].startswith("none in 3..6 (proved by the trusted kernel")
        code, out, err = run_cli("simplex", "--stages", "rc,softplus", "--weight-var", w, "--n", "3..")
        assert code == 0 and "refuted" in out and "|e'| < 1/2" in out, (out, err)
    code, _, err = run_cli("attractor", "--stages", "rc,softplus", "--weight-var", "201/100", "--n", "3..65")
    assert code == 2, err


def test_basins_and_endstate_name_the_lemma(run_cli, monkeypatch):
    from bnverify.derive import spread
    monkeypatch.setattr(spread, "GRID", (13, 16))
    code, out, err = run_cli("basins", "--stages", "rc,softplus", "--weight-var", "2", "--n", "5", "--json")
    assert code == 3, err
    reason = json.loads(out)["reason"]
    assert "proves that no spread-cluster fixed point exists at any n" in reason and "|e'| < 1/2" in reason
    code, out, err = run_cli("endstate", "--stages", "rc,softplus", "--weight-var", "2", "--n", "5", "--width",
                             "32..32", "--depth", "20", "--seeds", "2")
    assert code == 0 and "proves there is no spread-cluster fixed point at any n" in out, (out, err)


def test_help_texts_name_the_flat_even_lemma():
    """attractor --help, simplex --help and atlas --help listed the lemmas that decide every n as the Lipschitz one,
    gelu and silu at S2 <= 2, and the parity lemma: softplus at 1 < S2 <= 2 was missing, though the kernel decides
    it there at every n (fixed on this branch)."""
    from bnverify.commands import atlas, attractor, simplex
    assert "softplus at\nS2 <= 2" in attractor.DESCRIPTION
    assert "gelu, silu, softplus at S2 <= 2" in simplex.DESCRIPTION
    assert "softplus at <= 2" in atlas.DESCRIPTION
