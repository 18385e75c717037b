"""Second red team of the two-point family: the cover (every root of S(s) = s in one bracket), every
block of DF at a two-point state and the spectral goal's verdicts (bnverify/trusted/twopoint.py).
Truth here is independent of the kernel: mpmath with this file's own phi formulas, and the dense
float Jacobian of the full n x n map (tests/test_twopoint.py::_dense_radius).  The defect found
(its test failed before the fix):

- the spectral radius's upper end was the largest of the eigenvalues' upper ends compared as
  floats (max(..., key=float)): two ends that round to one double keep the first, which may be
  the smaller, so the "upper bound" could lie below an eigenvalue's modulus (a 2 x 2 rest with
  eigenvalues -1 and -1 - 2^-60 gave the upper end 1);
- states.two_point sent a cover beside every bracket for '<' and '<=', even where the bracket alone
  proves: a range of n (tanh, sigma_w^2 = 2, n = 3..8, radius < 10) went over the certificate's work
  budget and came out inconclusive though every n was proved;
- bnverify jacobian --n 1001 --stages rc,sin was an internal error (exit 4), not a one-line exit 2.
"""
import copy
import json
import sys
import time
from fractions import Fraction
from pathlib import Path

import mpmath
import pytest
from flint import acb, arb, ctx, fmpq, fmpq_mat

from bnverify import trusted
from bnverify.core.activations import activation
from bnverify.trusted import twopoint as T

sys.path.insert(0, str(Path(__file__).parent))
from test_twopoint import _dense_radius  # noqa: E402
from test_redteam_twopoint import refused_by_check_cert  # noqa: E402


def _claim(rel="<", bound="1", act="sin", n="3", w="2", stages=("rc",), prop="spectral-radius"):
    return {"property": prop, "stages": list(stages), "activation": act, "domain": {"n": n}, "weight_var": w,
            "params": {"state": "two-point", "relation": rel, "bound": bound} if prop == "spectral-radius"
            else {"state": "two-point"}}


@pytest.fixture(scope="module")
def sin3():
    from bnverify.claims.properties import two_point as TP
    item = TP.cover_item(activation("sin"), 3, 2)
    assert item is not None
    return item


# ---------------------------------------------------------------- the radius: its upper end compared exactly
def test_the_radius_upper_end_is_the_largest_exactly():
    with ctx.workprec(128):
        e = fmpq(1, 2 ** 60)
        R = fmpq_mat([[0, 1, 1], [0, -1, 0], [0, 0, -1 - e]])   # eigenvalues 0, -1, -1 - 2^-60 (translation column 0)
        P = fmpq_mat(T.TRANSLATIONS[3])
        M = P * R * P.inv()
        Ma = [[arb(M[i, j].p) / arb(M[i, j].q) for j in range(3)] for i in range(3)]
        lo, up = T.radius(Ma)
        assert T._upper(up) >= 1 + Fraction(1, 2 ** 60) and T._lower(lo) <= 1 + Fraction(1, 2 ** 60)


# ---------------------------------------------------------------- the goal: every relation, both kinds of fact
@pytest.mark.parametrize("rel", ["<", "<=", ">", ">="])
def test_every_verdict_of_the_spectral_goal(rel):
    """Facts with radius [r0, r1] around the bound 3/2: a cover (every root) refutes exactly when no
    radius in [r0, r1] satisfies rel; a bracket (one root) proves exactly when every radius does."""
    b = Fraction(3, 2)
    holds = {"<": lambda r: r < b, "<=": lambda r: r <= b, ">": lambda r: r > b, ">=": lambda r: r >= b}[rel]
    _, g = trusted.kernel.goal(_claim(rel, "3/2"))
    base = {"activation": "sin", "alpha": Fraction(0), "weight_var": Fraction(2), "n": 3}
    for r0, r1 in [(1, 5 / Fraction(4)), (1, b), (b, b), (b, 2), (Fraction(7, 4), 2), (1, 2)]:
        cover = dict(base, fact="two-point-roots", radii=[[r0, r1]], s=[["1", "2"]])
        bracket = dict(base, fact="two-point-fixed", radius=[r0, r1], shown=["-"] * 4)
        none_holds = not holds(r0) and not holds(r1) and not (rel in "<=" and r0 < b or rel in ">=" and r1 > b)
        every_holds = holds(r0) and holds(r1)
        try:
            v = g.decide([cover])[0]
        except trusted.Rejected:
            v = None
        assert (v == "refuted") == none_holds, (rel, r0, r1, v)
        try:
            v = g.decide([bracket])[0]
        except trusted.Rejected:
            v = None
        assert (v == "proved") == every_holds, (rel, r0, r1, v)


# ---------------------------------------------------------------- every block against the dense Jacobian
@pytest.mark.parametrize("name,w,n", [("sigmoid", 20, 3), pytest.param("sigmoid", 40, 6, marks=pytest.mark.slow), ("sin", 9, 5),
                                      pytest.param("tanh", Fraction(5, 4), 8, marks=pytest.mark.slow)])
def test_the_radius_against_the_dense_jacobian_elsewhere(name, w, n):
    ev, (lo, hi) = _dense_radius(name, float(w), n)
    dense = max(abs(ev))
    with ctx.workprec(128):
        low, up = T._radius(name, Fraction(0), n, Fraction(w), lo, hi)
    assert float(low) - 1e-6 < dense < float(up) + 1e-6


# ---------------------------------------------------------------- the cover's lemmas against mpmath
PHI = {"sin": mpmath.sin, "tanh": mpmath.tanh, "erf": mpmath.erf, "sigmoid": lambda t: 1 / (1 + mpmath.exp(-t))}


def _S(name, n, w, s):
    lam = mpmath.sqrt(mpmath.mpf(w) * s)
    f = lambda z: (PHI[name]((n - 1) * lam * z / n) - PHI[name](-lam * z / n)) ** 2 * mpmath.npdf(z)  # noqa: E731
    return mpmath.quad(f, [-mpmath.inf, -4, 0, 4, mpmath.inf])


@pytest.mark.parametrize("name,n,w", [("sin", 3, 2), pytest.param("erf", 5, 2, marks=pytest.mark.slow),
                                      pytest.param("sigmoid", 4, 40, marks=pytest.mark.slow)])
def test_covers_against_mpmath_below_s_min_and_between_cuts(name, n, w):       # erf, sigmoid: 3 s each, under -m slow
    from bnverify.claims.properties import two_point as TP
    item = TP.cover_item(activation(name), n, w)
    assert item is not None and T.check_cover(item)["fact"] == "two-point-roots"
    below, above = [Fraction(c) for c in item["below"]], [Fraction(c) for c in item["above"]]
    pts = [below[0] / k for k in (1, 3, 100, 10 ** 4)] + [(a + b) / 2 for a, b in zip(below, below[1:])][::5]
    pts += [(a + b) / 2 for a, b in zip(above, above[1:])][::5] + [above[-1], 4 * above[-1]]
    with mpmath.workdps(20):
        for s in pts:
            sm = mpmath.mpf(s.numerator) / s.denominator
            assert (_S(name, n, w, sm) > sm) == (s < below[-1]), (name, s)


# ---------------------------------------------------------------- the small-s lemma's threshold, recomputed
@pytest.mark.parametrize("name,n,w", [("sin", 3, 2), ("sigmoid", 4, 40), ("tanh", 7, 3)])
def test_the_small_s_threshold_is_the_lemmas(name, n, w):
    """w phi'(T)^2 E[Z^2; |Z| <= R] = 1 at R = T n/((n-1) sqrt(w s*)) (mpmath, own phi'): the kernel's
    lemma holds just below s* and not just above; and S(s) > s there (the lemma is true)."""
    dphi = {"sin": mpmath.cos, "tanh": lambda t: 1 - mpmath.tanh(t) ** 2,
            "sigmoid": lambda t: mpmath.exp(-t) / (1 + mpmath.exp(-t)) ** 2}[name]
    Tq = Fraction(1, 2)
    with mpmath.workdps(30):
        t = mpmath.mpf(Tq.numerator) / Tq.denominator
        trunc = lambda R: 1 - 2 * (R * mpmath.npdf(R) + mpmath.ncdf(-R))        # noqa: E731
        f = lambda s: w * dphi(t) ** 2 * trunc(t * n / ((n - 1) * mpmath.sqrt(w * s))) - 1    # noqa: E731
        s_star = mpmath.findroot(f, (mpmath.mpf("1e-6"), mpmath.mpf(10)), solver="illinois")
        assert _S(name, n, w, s_star) > s_star
    for k, want in ((Fraction(999, 1000), True), (Fraction(1001, 1000), False)):
        s = Fraction(str(mpmath.nstr(s_star, 25))) * k
        with ctx.workprec(128):
            assert T._small_s(name, Fraction(0), n, Fraction(w), Tq, s) is want, (k, s_star)


def test_the_degree_3_tail_is_in_the_ball():
    """With the factor Z (zpow = 1) the ball holds E[m (1 + |Z|)^3; |Z| > 12] (mpmath): the degree-3
    tail, not the degree-2 one."""
    with ctx.workprec(192):         # the integral's own error far below the tail (2^-100)
        got = T.expectation("gelu", Fraction(0), [("dphi", arb(3)), ("phi", arb(-5))], tol=2.0 ** -100, zpow=1)
    with mpmath.workdps(30):
        m = Fraction(5, 4) * 5          # phi' bound 5/4, growth (0, 1) at scale 5
        tail = 2 * mpmath.quad(lambda z: float(m) * (1 + z) ** 3 * mpmath.npdf(z), [12, mpmath.inf])
    assert float(got.rad()) >= float(tail) > 0


def test_a_block_without_the_translations_zeros_is_refused():
    """eigenvalues() drops the translations' zeros only after checking them (P^-1 M P's first columns
    hold 0): a matrix that does not kill them is refused, not given the wrong spectrum."""
    with ctx.workprec(128):
        M = [[arb(1), arb(2), arb(0)], [arb(0), arb(3), arb(1)], [arb(1), arb(0), arb(2)]]
        with pytest.raises(trusted.Rejected, match="translation"):
            T.eigenvalues(M)


@pytest.mark.slow
@pytest.mark.mutation
def test_a_sigmoid_cover_short_of_osc_squared_is_refused():
    """sigmoid's oscillation is 1 (range (0, 1)): its cover must reach osc^2 = 1, not tanh's 4 nor 1/4."""
    from bnverify.claims.properties import two_point as TP
    item = TP.cover_item(activation("sigmoid"), 4, 40)
    T.check_cover(item)
    above = [Fraction(c) for c in item["above"]]
    last = max(c for c in above if c < 1)           # the cover stopped at its last cut below osc^2 = 1
    assert Fraction(1, 4) < last and above.index(last) >= 1, above
    bad = dict(item, above=[str(c) for c in above if c <= last])
    with pytest.raises(trusted.Rejected, match="do not run"):
        T.check_cover(bad)


@pytest.mark.slow
def test_elu_radius_against_an_mpmath_jacobian():
    """ELU with alpha = 2 (phi' jumps at 0, where the dense float Jacobian does not converge): the
    full n(n+1)/2 Jacobian of G -> K(w C G C) by one-sided differences (eps = 1e-16, 40 digits) of
    kernel entries in closed form inside one quadrature, at the fixed point found by mpmath."""
    from bnverify.core.activations import Activation
    from bnverify.derive import twopoint as D
    alpha, w, n, eps = 2, 3, 3, mpmath.mpf("1e-16")
    with mpmath.workdps(40):
        phi = lambda t: t if t > 0 else alpha * (mpmath.exp(t) - 1)         # noqa: E731

        def g(m, s):            # E[phi(m + s Z)]
            if s == 0:
                return phi(m)
            r = m / s
            return m * mpmath.ncdf(r) + s * mpmath.npdf(r) + alpha * (mpmath.exp(m + s * s / 2) * mpmath.ncdf(-r - s)
                                                                      - mpmath.ncdf(-r))

        def K(S):
            out = mpmath.matrix(n, n)
            for i in range(n):
                for j in range(i, n):
                    p, c, q = S[i, i], S[i, j], S[j, j]
                    sd, var = mpmath.sqrt(p), max(q - c * c / p, mpmath.mpf(0))
                    out[i, j] = out[j, i] = mpmath.quad(lambda z: phi(sd * z) * g(c * z / sd, mpmath.sqrt(var)) *
                                                        mpmath.npdf(z), [-mpmath.inf, -6, 0, 6, mpmath.inf])
            return out
        C = mpmath.eye(n) - mpmath.ones(n, n) / n
        F = lambda G: K(w * C * G * C)        # noqa: E731
        br = D.bracket(Activation("elu", Fraction(alpha)), n, w)

        def S_(s):
            lam = mpmath.sqrt(w * s)
            return mpmath.quad(lambda z: (phi((n - 1) * lam * z / n) - phi(-lam * z / n)) ** 2 * mpmath.npdf(z),
                               [-mpmath.inf, -6, 0, 6, mpmath.inf])
        s = mpmath.findroot(lambda s: S_(s) - s, tuple(mpmath.mpf(b.numerator) / b.denominator for b in br),
                            solver="illinois")
        G = F(mpmath.diag([0] * (n - 1) + [s]))          # G* = F(any state at distance s)
        F0 = F(G)
        idx = [(i, j) for i in range(n) for j in range(i, n)]

        def dF(*ks):
            u = mpmath.matrix([[1 if k in ks else 0] for k in range(n)])
            return (F(G + eps * u * u.T) - F0) / eps
        cols = []
        for i, j in idx:
            D_ = dF(i) if i == j else dF(i, j) - dF(i) - dF(j)
            cols.append([D_[p, q] for p, q in idx])
        ev = mpmath.eig(mpmath.matrix(cols).T, left=False, right=False)
        truth = max(abs(e) for e in ev)
    with ctx.workprec(128):
        low, up = T._radius("elu", Fraction(alpha), n, Fraction(w), *br)
    assert abs(float(truth) - 1.7336079) < 1e-6 and float(low) - 1e-8 < truth < float(up) + 1e-8


# ---------------------------------------------------------------- untrusted users
def test_a_bracket_that_proves_is_sent_without_a_cover():
    """states.two_point offered a cover beside the bracket for every '<' claim, even one the bracket
    proves: over n = 3..8 (tanh, sigma_w^2 = 2, radius < 10) the covers put the range's evidence over
    the certificate's budget, and a claim every n proved came out inconclusive."""
    from bnverify.claims.properties import states
    from bnverify.claims import spec
    for bound, kinds in (("10", ["two-point-bracket"]), ("1", ["two-point-cover", "two-point-bracket"])):
        claim = spec.claim_from_dict({"id": "x", "title": "x", "statement": "s", "property": "spectral-radius",
                                      "expect": "proved", "model": {"stages": "rc,tanh", "weight_var": "2"},
                                      "domain": {"n": "3"}, "params": {"state": "two-point", "relation": "<",
                                                                       "bound": bound}}, "test")
        items, _ = states.two_point(claim)
        assert [it["type"] for it in items] == kinds, bound


def test_edited_cover_certificates_fail_check_cert(tmp_path, run_cli):
    """A refuting certificate (sin, sigma_w^2 = 2, n = 3, radius < 1: cover and bracket), edited and
    re-hashed (certificate.finish): relabelled claims, cut covers, a swapped bracket, a flipped
    verdict, a cover of 3000 cuts; each fails check-cert (one FAIL, its reason, no traceback) in seconds."""
    path = tmp_path / "c.json"
    code, out, _ = run_cli("check", "--stages", "rc,sin", "--weight-var", "2", "--n", "3", "--property",
                           "spectral-radius", "--state", "two-point", "--relation", "<", "--bound", "1",
                           "--jobs", "1", "--cert", path)
    assert code == 1, out                   # refuted
    cert = json.loads(path.read_text())
    assert cert["verdict"] == "refuted" and cert["evidence"][0]["type"] == "two-point-cover"
    cov = cert["evidence"][0]
    big = str(Fraction(cov["above"][-1]) * 2)
    edits = [lambda c: c["claim"].update(activation="tanh"), lambda c: c["claim"].update(weight_var="3"),
             lambda c: c["claim"]["domain"].update(n="4"), lambda c: c["claim"]["params"].update(bound="2"),
             lambda c: c["claim"]["params"].update(relation=">"), lambda c: c["claim"].update(stages=["rc", "rs"]),
             lambda c: c.update(verdict="proved"),
             lambda c: c["evidence"][0].update(below=[cov["below"][0], cov["lo"]]),          # one long piece
             lambda c: c["evidence"][0].update(above=c["evidence"][0]["above"][:-2]),
             lambda c: c["evidence"][0].update(lo=cov["hi"], hi=cov["lo"]),
             lambda c: c["evidence"][0].update(T="8/5"),
             lambda c: c["evidence"][0].update(above=cov["above"] + [str(Fraction(big) + k) for k in range(3000)]),
             lambda c: c["evidence"].pop(0)]
    refused_by_check_cert(cert, edits, tmp_path, run_cli)


@pytest.mark.parametrize("edit,why", [
    (lambda it: it.update(below=it["below"][:3] + it["below"][2:]), "do not run"),                    # a repeated cut
    (lambda it: it.update(above=[it["above"][0], it["above"][2], it["above"][1]] + it["above"][3:]), "do not run"),
    (lambda it: it.update(T="355/226"), "T outside"),                                  # 355/226 > pi/2, by 1e-7
    (lambda it: it.update(below=it["below"][-2:], slopes=[i - len(it["below"]) + 2 for i in it.get("slopes", [])
                                                         if i >= len(it["below"]) - 2]), "small-s"),   # s_min too large
    (lambda it: it.update(below=["0"] + it["below"][1:]), "do not run"),
    (lambda it: it.update(above=it["above"] + [str(4 + k) for k in range(1, 3000)]), "over the budget"),
    (lambda it: it.update(weight_var="0"), "do not run"),
])
def test_more_forged_covers(sin3, edit, why):
    bad = copy.deepcopy(sin3)
    edit(bad)
    t = time.process_time()
    with pytest.raises(trusted.Rejected, match=why):
        trusted.decide(_claim(), [bad])
    assert time.process_time() - t < 5


def test_a_cover_decides_only_its_own_claim(sin3):
    """Its n inside a range refutes the range (the statement is for every n of it); another n, sigma_w^2,
    stage list, or a relation its radius does not contradict does not."""
    assert trusted.decide(_claim(n="3..4"), [sin3])[0] == "refuted"
    assert trusted.decide(_claim(">", "8/5"), [sin3])[0] == "refuted"        # radius in [1.574, 1.580]
    for claim, err in ((_claim(n="4"), "says nothing"), (_claim(w="3"), "says nothing"),
                       (_claim(act="tanh"), "says nothing"), (_claim("<", "8/5"), "no two-point bracket"),
                       (_claim(">", "1"), "no two-point bracket"), (_claim(stages=("rc", "rs")), "stages rc")):
        with pytest.raises((trusted.Rejected, trusted.NoGoal), match=err):
            trusted.decide(claim, [sin3])


def test_jacobian_past_the_items_n_is_bad_input(run_cli):
    """bnverify jacobian --n 1001 --stages rc,sin was an internal error (exit 4: the kernel's Rejected
    from the bracket item, n <= 1000); now one line and exit 2."""
    code, out, err = run_cli("jacobian", "--n", "1001", "--stages", "rc,sin", "--weight-var", "2")
    assert code == 2 and "n <= 1000" in err and err.count("\n") == 1 and "internal" not in err, (code, err)


def test_eigenvalues_of_a_rest_whose_discriminant_straddles_0():
    """A 2 x 2 rest [[1, e], [1, 1]] with e a ball around 0: eigenvalues 1 +- sqrt(e), real for e > 0
    and a complex pair for e < 0.  acb's square root of the ball crossing the branch point holds the
    principal root of every point of it, so (t + r)/2 and (t - r)/2 hold each matrix's two
    eigenvalues, and the radius's upper end is above |1 +- sqrt(e)|."""
    import cmath
    with ctx.workprec(128):
        eps = arb(0, 2.0 ** -40)
        P = fmpq_mat(T.TRANSLATIONS[3])
        Pi = P.inv()
        Pa = [[arb(P[i, j].p) / arb(P[i, j].q) for j in range(3)] for i in range(3)]
        Pia = [[arb(Pi[i, j].p) / arb(Pi[i, j].q) for j in range(3)] for i in range(3)]
        R = [[arb(0), arb(0), arb(0)], [arb(0), arb(1), eps], [arb(0), arb(1), arb(1)]]
        M = [[sum((Pa[i][k] * R[k][m] * Pia[m][j] for k in range(3) for m in range(3)), arb(0)) for j in range(3)]
             for i in range(3)]
        ev = T.eigenvalues(M)
        lo, up = T.radius(M)
        for e in (2.0 ** -41, -(2.0 ** -41), 0.0):
            for x, lam in zip(ev[1:], (1 + cmath.sqrt(e), 1 - cmath.sqrt(e))):     # (t +- r)/2, r the principal root
                assert x.contains(acb(lam.real, lam.imag)), (e, lam, ev)
                assert float(up) >= abs(lam) - 1e-30
