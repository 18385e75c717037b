"""abs (phi = |x|, leaky ReLU of slope -1) through the trusted kernel, against independent computations.

Independent of the kernel's two-point lemma: the dense n x n Gram map F(G) = K(C G C) with
K_jk = E|y_j||y_k| = (2/pi) sqrt(S_jj S_kk) (sqrt(1 - rho^2) + rho asin rho) (mpmath; the closed form
itself checked against a 1-D quadrature of the folded normal), its derivative at the fixed point by
one-sided differences along PSD directions in 60-digit arithmetic (kappa is C^1 but not C^2 at
rho = +-1: the error is O(sqrt(h))), numpy's eigenvalues; and a finite-width network with phi = |x|.
"""
from __future__ import annotations

from collections import Counter
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest

from bnverify import trusted
from bnverify.claims.certificate import finish, rehash
from bnverify.trusted import kernel as K

NS = (3, 4, 5)             # n = 7, 8: tests/test_redteam_abs.py


# ---------------------------------------------------------------- the dense map, independently
def _k(a, b, c):
    s = mp.sqrt(a * b)
    r = max(mp.mpf(-1), min(mp.mpf(1), c / s))
    return 2 / mp.pi * s * (mp.sqrt(1 - r * r) + r * mp.asin(r))


def _F(G, n):
    C = mp.eye(n) - mp.ones(n, n) / n
    S = C * G * C
    return mp.matrix([[_k(S[i, i], S[j, j], S[i, j]) for j in range(n)] for i in range(n)])


def _fixed(n):
    p = mp.matrix([1] * (n - 1) + [n - 1])
    return p * p.T


def test_the_closed_form_is_e_abs_abs():
    """E|x||y| for unit variances and correlation rho: E|x| E_z|rho x + s z| (folded normal), 1-D."""
    mp.mp.dps = 20
    for rho in (mp.mpf("0.3"), mp.mpf("-0.7"), mp.mpf("0.95")):
        s = mp.sqrt(1 - rho ** 2)
        inner = lambda m: s * mp.sqrt(2 / mp.pi) * mp.exp(-m ** 2 / (2 * s ** 2)) + m * mp.erf(m / (s * mp.sqrt(2)))  # noqa
        quad = mp.quad(lambda x: abs(x) * inner(rho * x) * mp.npdf(x), [-mp.inf, 0, mp.inf])
        assert abs(quad - _k(1, 1, rho)) < mp.mpf(10) ** -15
        # the kernel's family at alpha = -1: A rho + B (sqrt(1 - rho^2) - rho acos rho), A = 1, B = 2/pi
        assert abs(rho + 2 / mp.pi * (s - rho * mp.acos(rho)) - _k(1, 1, rho)) < mp.mpf(10) ** -18


def _dense_spectrum(n):
    """Eigenvalues of DF(G*)/c on Sym_n without G*'s own (the one nearest 1), c = F(G*)_00/G*_00."""
    mp.mp.dps = 60
    G, h = _fixed(n), mp.mpf(10) ** -30
    F0 = _F(G, n)
    c = F0[0, 0] / G[0, 0]
    assert mp.norm(F0 - c * G) < mp.mpf(10) ** -50                # a fixed ray (exact up to rounding)
    e = lambda i: mp.matrix([[int(k == i)] for k in range(n)])    # noqa: E731

    def d(P):                                                     # one-sided: G* + h P stays PSD
        return (_F(G + h * P, n) - F0) / h
    pairs = [(i, j) for i in range(n) for j in range(i, n)]
    diag = {i: d(e(i) * e(i).T) for i in range(n)}
    cols = []
    for i, j in pairs:
        D = diag[i] if i == j else d((e(i) + e(j)) * (e(i) + e(j)).T) - diag[i] - diag[j]
        cols.append([float(D[a, b] / c) for a, b in pairs])       # E_ij + E_ji has coordinate 1 at (i, j)
    ev = sorted(np.linalg.eigvals(np.array(cols).T), key=lambda z: abs(z - 1))
    return float(c), [complex(z) for z in ev[1:]], ev[0]


@pytest.fixture(scope="module")
def dense():
    return {n: _dense_spectrum(n) for n in NS}


def _rounded(spec):
    """The dense eigenvalues as exact rationals (they are, by the lemma; here only a guess to test)."""
    out = Counter()
    for z in spec:
        assert abs(z.imag) < 1e-6
        out[Fraction(z.real).limit_denominator(100)] += 1
        assert abs(float(Fraction(z.real).limit_denominator(100)) - z.real) < 1e-6
    return out


def _claim(prop, params, n="3..", stages=("rc",), act="abs", alpha=None):
    dom = {"n": n} if alpha is None else {"n": n, "alpha": alpha}
    return {"property": prop, "stages": list(stages), "activation": act, "domain": dom, "params": params}


def test_dense_fixed_point_and_scale(dense):
    for n in NS:
        c, _, own = dense[n]
        assert abs(c - ((n - 2) / n) ** 2) < 1e-12 and abs(own - 1) < 1e-9
        verdict, _, reason = trusted.decide(_claim("fixed-point", {"state": "two-point"}, str(n)))
        assert verdict == "proved" and "(n - 2)**2/n**2" in reason


def test_kernel_spectrum_is_the_dense_one_at_each_n(dense):
    for n in NS:
        got = _rounded(dense[n][1])
        claim = _claim("jacobian-spectrum", {"state": "two-point",
                                             "eigenvalues": [[str(v), str(m)] for v, m in got.items()]}, str(n))
        assert trusted.decide(claim)[0] == "proved", (n, got)
        # one copy moved to another value: refuted
        (v, m), = list(got.items())[:1]
        wrong = dict(got)
        wrong[v] -= 1
        wrong[v + 1] = wrong.get(v + 1, 0) + 1
        claim["params"]["eigenvalues"] = [[str(a), str(b)] for a, b in wrong.items() if b]
        assert trusted.decide(claim)[0] == "refuted"


def test_kernel_spectrum_for_every_n_matches_dense_and_radius(dense):
    spec = [["0", "n"], ["-n/(n-2)", "n-2"], ["n**2/(n-2)**2", "(n-1)*(n-2)/2"]]
    for n in NS:                                      # the closed form, read at each n, is the dense spectrum
        want = Counter({Fraction(0): n, Fraction(-n, n - 2): n - 2, Fraction(n * n, (n - 2) ** 2): (n - 1) * (n - 2) // 2})
        assert _rounded(dense[n][1]) == +want
        radius = max(abs(z) for z in dense[n][1])
        assert abs(radius - n * n / (n - 2) ** 2) < 1e-6
        assert trusted.decide(_claim("spectral-radius", {"state": "two-point", "relation": "<", "bound": "1"},
                                     str(n)))[0] == "refuted"
    assert trusted.decide(_claim("jacobian-spectrum", {"state": "two-point", "eigenvalues": spec}))[0] == "proved"
    assert trusted.decide(_claim("spectral-radius", {"state": "two-point", "relation": ">", "bound": "1"}))[0] == \
        "proved"
    relu = [["0", "n"], ["n/(n**2-2*n+2)", "n-2"], ["n**2/(n**2-2*n+2)", "(n-1)*(n-2)/2"]]
    assert trusted.decide(_claim("jacobian-spectrum", {"state": "two-point", "eigenvalues": relu}))[0] == "refuted"


def test_directions_against_the_dense_spectrum():
    """Only the eigenvalue 0 is below 1 in modulus: a two-point perturbation (the odd point's norm)
    is mapped onto G*'s ray, a spread of the cluster is not."""
    assert trusted.decide(_claim("stability-directions", {"state": "two-point", "decay": ["norm-ratio"],
                                                          "grow": ["cluster-spread", "odd-angle"]}))[0] == "proved"
    assert trusted.decide(_claim("stability-directions", {"state": "two-point",
                                                          "decay": ["cluster-spread"]}))[0] == "refuted"


# ---------------------------------------------------------------- finite width
def test_finite_width_one_layer_is_rank_one_with_ratio_n_minus_1():
    rng = np.random.default_rng(5)
    d = 2000
    for n in (3, 5, 8):
        v, u = rng.standard_normal(d), rng.standard_normal(d)
        X = np.column_stack([v] * (n - 1) + [u])
        C = np.eye(n) - 1 / n
        for _ in range(3):                            # every layer: n-1 equal points, u' = (n-1) v'
            X = np.abs(rng.standard_normal((d, d)) / np.sqrt(d) @ X @ C)
            vp, up = X[:, 0], X[:, -1]
            assert np.allclose(X[:, :-1], vp[:, None]) and np.allclose(up, (n - 1) * vp, rtol=1e-12)
        cos = vp @ up / np.linalg.norm(vp) / np.linalg.norm(up)
        for prop, params, want in (("orthogonal-outlier", {"value": "1"}, "proved"),
                                   ("orthogonal-outlier", {"value": "0"}, "refuted"),
                                   ("norm-ratio-limit", {"value": "n - 1"}, "proved"),
                                   ("norm-ratio-limit", {"value": "n"}, "refuted"),
                                   ("invariant-configuration", {}, "refuted")):
            for stages in (("rc",), ("rc", "rs")):
                assert trusted.decide(_claim(prop, params, str(n), stages))[0] == want, (prop, params, stages)
        assert abs(cos - 1) < 1e-12


def test_o_n_is_not_fixed_dense():
    mp.mp.dps = 30
    for n in NS:
        G = mp.eye(n)                                  # O_n: v = e_0 ... (n-1 copies), u orthogonal
        for i in range(n - 1):
            for j in range(n - 1):
                G[i, j] = 1
        FG = _F(G, n)
        assert FG[0, n - 1] > mp.mpf("0.01")           # the image is not orthogonal
        for stages in (("rc",), ("rc", "rs")):
            for prop, params in (("fixed-point", {"state": "configuration"}),
                                 ("spectral-radius", {"state": "configuration", "relation": ">", "bound": "1"})):
                if prop == "spectral-radius" and stages != ("rc",):
                    continue
                assert trusted.decide(_claim(prop, params, str(n), stages))[0] == "refuted"


def test_rank_growth_refuted_dense():
    """One layer keeps a two-point batch rank one (every point a positive multiple of |w|)."""
    mp.mp.dps = 30
    for n in (2,) + NS:
        G = mp.eye(n) * 0
        for i in range(n):
            for j in range(n):
                G[i, j] = 1 if max(i, j) < n - 1 else (2 if i == j else mp.mpf("0.3"))   # v = e_0, u: |u|^2 = 2
        ev = mp.eig(_F(G, n))[0]
        assert sorted(abs(mp.re(z)) for z in ev)[-2] < mp.mpf(10) ** -20              # rank one
        assert trusted.decide(_claim("rank-growth", {}, str(n)))[0] == "refuted"


def test_nl_alone_rate_against_iteration():
    """NL alone: l^2 (1 - rho_l) -> 4/c^2, c = (2 sqrt 2/3)(2/pi): kappa iterated in 40 digits."""
    import re
    verdict, st, _ = trusted.decide(_claim("stage-fact", {}, "5", ()))
    gap = float(re.search(r"4/c\^2 = ([0-9.]+)", st).group(1))
    mp.mp.dps = 40
    r, seen = mp.mpf("-0.5"), []
    for k in range(1, 10001):
        r = _k(1, 1, r)
        if k in (2500, 10000):
            seen.append(abs(k * k * (1 - r) - gap) / gap)
    assert verdict == "proved" and seen[1] < seen[0] < 0.02 and seen[1] < 0.005, (gap, seen)
    assert trusted.decide(_claim("stage-fact", {}, "5", ("rs",)))[0] == "proved"       # RS then NL, same B/A > 0
    with pytest.raises(trusted.NoGoal):
        trusted.decide(_claim("stage-fact", {}, "3", ("rs",)))                         # E[1/chi^2_2] infinite


def test_after_the_activation_dense(dense):
    """NL then RC, F'(H) = C K(H) C at H* = C G* C: the dense spectrum is RC then NL's (the conjugation)."""
    mp.mp.dps = 60
    n, h = 4, mp.mpf(10) ** -30
    C = mp.eye(n) - mp.ones(n, n) / n
    Fa = lambda H: C * _Kmat(H, n) * C                           # noqa: E731
    H = C * _fixed(n) * C
    F0 = Fa(H)
    c = F0[n - 1, n - 1] / H[n - 1, n - 1]
    assert mp.norm(F0 - c * H) < mp.mpf(10) ** -40 and abs(c - dense[n][0]) < 1e-12
    e = lambda i: mp.matrix([[int(k == i)] for k in range(n)])    # noqa: E731
    pairs = [(i, j) for i in range(n) for j in range(i, n)]
    d = lambda P: (Fa(H + h * P) - F0) / h                        # noqa: E731
    diag = {i: d(e(i) * e(i).T) for i in range(n)}
    cols = [[float(D[a, b] / c) for a, b in pairs] for D in
            (diag[i] if i == j else d((e(i) + e(j)) * (e(i) + e(j)).T) - diag[i] - diag[j] for i, j in pairs)]
    ev = sorted(np.linalg.eigvals(np.array(cols).T), key=lambda z: abs(z - 1))
    assert _rounded([complex(z) for z in ev[1:]]) == _rounded(dense[n][1])
    spec = [["0", "n"], ["-n/(n-2)", "n-2"], ["n**2/(n-2)**2", "(n-1)*(n-2)/2"]]
    claim = _claim("jacobian-spectrum", {"state": "two-point", "eigenvalues": spec}, "3..", ("nl", "rc"))
    assert trusted.decide(claim)[0] == "proved"
    cert = _cert(claim)
    for act, dom in (("relu", {"n": "3.."}), ("leaky_relu", {"n": "3..", "alpha": "1/2"})):
        assert not trusted.check(_relabelled(cert, activation=act, domain=dom))[0]


def _Kmat(S, n):
    return mp.matrix([[_k(S[i, i], S[j, j], S[i, j]) for j in range(n)] for i in range(n)])


# ---------------------------------------------------------------- what does not carry over: inconclusive
@pytest.mark.parametrize("prop,params,stages,n", [
    ("fixed-point", {"state": "two-point"}, ("rc",), "2"),           # n = 2: RC maps the image to 0
    ("norm-ratio-limit", {"value": "1"}, ("rc",), "2"),
    ("fixed-point", {"state": "simplex"}, ("rc",), "3"),
    ("attractor-exists", {}, ("rc",), "7"),
    ("spectral-radius", {"state": "two-point", "relation": ">", "bound": "1"}, ("rc", "rs"), "3"),
    ("stage-fact", {}, ("rc",), "4"),                                # RC + NL: the catalogue's claims
    ("classification", {"value": "2"}, ("rc",), "3"),
    ("fixed-point", {"state": "two-point"}, ("nl", "rc"), "2"),
    ("fixed-point", {"state": "simplex"}, ("nl", "rc", "rs"), "3"),
])
def test_unanalysed_goals_are_no_goal(prop, params, stages, n):
    with pytest.raises(trusted.NoGoal):
        trusted.decide(_claim(prop, params, n, stages))


def test_abs_has_slope_minus_one_only():
    with pytest.raises(trusted.Rejected, match="alpha -1"):
        trusted.decide(_claim("fixed-point", {"state": "two-point"}, "3", alpha="0"))
    assert trusted.decide(_claim("fixed-point", {"state": "two-point"}, "3", alpha="-1"))[0] == "proved"


# ---------------------------------------------------------------- forgeries
def _cert(claim):
    verdict, statement, _ = trusted.decide(claim)
    return finish(claim, verdict, K.METHODS[0], statement, [])


def _relabelled(cert, **change):
    c = dict(cert["claim"], **{k: v for k, v in change.items() if k != "params"})
    c["params"] = dict(cert["claim"]["params"], **change.get("params", {}))
    try:
        statement = K.goal(c)[1].statement        # the new claim's own canonical statement
    except (trusted.NoGoal, trusted.Rejected):
        statement = cert["statement"]
    return rehash(dict(cert, claim=c, statement=statement))


# (claim, the relabellings that make it false): the others keep it true (identity and leaky ReLU do not
# fix O_n either; relu's two-point state also loses a perturbation of the odd point's norm; NL then RC has
# RC then NL's spectrum)
GENUINE = [
    (_claim("fixed-point", {"state": "configuration"}, "3.."), "relu n2 nlrc"),
    (_claim("jacobian-spectrum", {"state": "two-point", "eigenvalues": [["0", "n"], ["-n/(n-2)", "n-2"],
                                                                      ["n**2/(n-2)**2", "(n-1)*(n-2)/2"]]}, "3.."),
     "relu identity leaky n2 rcrs conf"),
    (_claim("orthogonal-outlier", {"value": "1"}, "3..", ("rc", "rs")), "relu identity leaky n2 nlrc conf"),
    (_claim("invariant-configuration", {}, "3..9"), "relu nlrc"),      # at n = 2 it is refuted too (one layer)
    (_claim("spectral-radius", {"state": "two-point", "relation": ">=", "bound": "9"}, "3"),
     "relu identity leaky n2 rcrs conf n4"),
    (_claim("stability-directions", {"state": "two-point", "decay": ["norm-ratio"]}, "3.."),
     "identity n2 nlrc rcrs conf"),
]


@pytest.mark.parametrize("i", [i if i % 2 == 0 else pytest.param(i, marks=pytest.mark.slow) for i in range(len(GENUINE))])
def test_abs_certificates_relabelled_are_rejected(i):
    claim, false_for = GENUINE[i]
    cert = _cert(claim)
    assert trusted.check(cert)[0], trusted.check(cert)
    relabel = {"relu": dict(activation="relu"), "identity": dict(activation="identity"),
               "leaky": dict(activation="leaky_relu", domain=dict(claim["domain"], alpha="1/2")),
               "n2": dict(domain={"n": "2"}), "nlrc": dict(stages=["nl", "rc"]), "rcrs": dict(stages=["rc", "rs"]),
               "conf": dict(params={"state": "configuration"}), "n4": dict(domain={"n": "4"})}
    forged = [_relabelled(cert, **relabel[k]) for k in false_for.split()]
    forged.append(rehash(dict(cert, verdict={"proved": "refuted", "refuted": "proved"}[cert["verdict"]])))
    for f in forged:
        ok, why = trusted.check(f)
        assert not ok, (f["claim"], why)


def test_other_activations_certificates_relabelled_to_abs_are_rejected():
    for claim in (_claim("fixed-point", {"state": "configuration"}, "3..", act="relu"),
                  _claim("invariant-configuration", {}, "3..", act="relu"),
                  _claim("orthogonal-outlier", {"value": "0"}, "3..", act="relu"),
                  _claim("orthogonal-outlier", {"value": "-1"}, "3..", act="identity"),
                  _claim("spectral-radius", {"state": "two-point", "relation": "<", "bound": "2"}, "4..",
                         act="leaky_relu", alpha="1/2")):
        cert = _cert(claim)
        assert trusted.check(cert)[0]
        dom = {k: v for k, v in claim["domain"].items() if k != "alpha"}
        ok, why = trusted.check(_relabelled(cert, activation="abs", domain=dom))
        assert not ok, (claim, why)


def test_the_abs_door_is_for_abs_only():
    for act in ("tanh", "gelu"):
        for prop, params in (("fixed-point", {"state": "configuration"}), ("norm-ratio-limit", {"value": "n - 1"}),
                             ("orthogonal-outlier", {"value": "0"})):
            with pytest.raises(trusted.NoGoal):
                trusted.decide(_claim(prop, params, "3..", act=act))


def test_jacobian_command_names_the_alternating_mode_as_growing(run_cli):
    """The untrusted summary: -n/(n-2) < -1 grows (alternating in sign), not 'undecided'."""
    import json
    code, out, _ = run_cli("jacobian", "--stages", "rc,abs", "--symbolic", "--json")
    doc = json.loads(out)
    assert code == 0 and "UNSTABLE" in doc["stability"] and "mixed: unequal norms" in doc["stability"]
    from bnverify.derive import symbolic
    spec = {"fixed_point": {"odd_cos": 1}, "eigenvalues": [{"value": symbolic.sp.Integer(-3), "mode": "m"}]}
    assert symbolic.stability_summary(spec)["per_eigenvalue"][0]["behaviour"].startswith("grows, alternating")


# ---------------------------------------------------------------- K_phi alone: definite / singular
def test_kernel_definite_against_dense_eigenvalues():
    """abs's kappa is even: K is positive definite for pairwise non-collinear points (dense minimum eigenvalue
    > 0 for random points), singular as soon as two points are collinear, antipodal ones included."""
    mp.mp.dps = 30
    rng = np.random.default_rng(2)
    for n, m in ((3, 2), (5, 2), (6, 3)):
        P = [mp.matrix([mp.mpf(float(v)) for v in rng.standard_normal(m)]) for _ in range(n)]
        S = mp.matrix([[(P[i].T * P[j])[0] for j in range(n)] for i in range(n)])
        assert min(mp.re(z) for z in mp.eig(_Kmat(S, n))[0]) > mp.mpf(10) ** -6
        Q = P[:-1] + [-2 * P[0]]                                    # an antipodal (scaled) pair
        S = mp.matrix([[(Q[i].T * Q[j])[0] for j in range(n)] for i in range(n)])
        assert min(abs(z) for z in mp.eig(_Kmat(S, n))[0]) < mp.mpf(10) ** -20
    defin = lambda pts, n="2..": _claim("kernel-definite", {"points": pts}, n, ())      # noqa: E731
    assert trusted.decide(defin("no-collinear"))[0] == "proved"
    for pts in ("nonzero", "no-positive-collinear", "pairs-independent"):
        with pytest.raises(trusted.Rejected):                       # no evidence: never proved
            trusted.decide(defin(pts))
    for pts in ("positive-collinear", "pairs-dependent"):
        assert trusted.decide(_claim("kernel-singular", {"points": pts}, "2..", ()))[0] == "proved"


@pytest.mark.parametrize("pts", ["nonzero", "no-positive-collinear", "pairs-independent"])
def test_kernel_definite_refuted_by_the_searched_null_vector(pts, run_cli):
    code, out, _ = run_cli("check", "--stages", "abs", "--n", "2..", "--property", "kernel-definite", "--points", pts,
                           "--json")
    import json
    doc = json.loads(out)
    assert code == 1 and doc["verdict"] == "refuted", doc
    from bnverify.derive import rank
    item = rank.counterexample(pts, 2, Fraction(-1))
    claim = _claim("kernel-definite", {"points": pts}, "2..", ())
    assert trusted.decide(claim, [item])[0] == "refuted"
    for bad in (dict(item, alpha="0"), dict(item, alpha="1/2"), dict(item, null=["1", "1"])):
        with pytest.raises(trusted.Rejected):                       # relu / leaky: x, -x is no null pair
            trusted.decide(claim, [bad])
    relu = _claim("kernel-definite", {"points": pts}, "2..", (), act="relu")
    with pytest.raises(trusted.Rejected, match="says nothing"):     # abs's item on relu's claim
        trusted.decide(relu, [item])
