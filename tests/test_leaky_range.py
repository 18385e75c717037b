"""Leaky ReLU's attractor for every n >= 7 and every slope of a range (issue 24 item 2): the
all-n branch item with an alpha range and points t = 1/n below its cover, checked by the kernel
(bnverify/trusted/alln.py), and the lemma behind its stability (leaky eigenvalues = w + (1 - w)
nu of ReLU's) against per-n certificates at sampled (n, alpha)."""
import copy
from fractions import Fraction

import mpmath
import pytest

from bnverify import trusted
from bnverify.claims import properties, spec
from bnverify.core import arith
from bnverify.core.activations import leaky
from bnverify.derive import alln, alln_evidence
from bnverify.trusted import alln as talln


@pytest.fixture(scope="module")
def item():
    it, failed = alln_evidence.branch_item(16, "0..1", points_from=7)
    assert not failed
    return it


def claim(n, alpha, prop="attractor-stable", **params):
    return properties.claim_json(spec.claim_from_dict(
        {"id": "x", "title": "x", "statement": "s", "property": prop, "expect": "proved",
         "model": {"stages": "rc,leaky_relu"}, "domain": {"n": n, "alpha": alpha}, "params": params}, "test"))


def _rejected(it):
    with pytest.raises(trusted.Rejected):
        talln.check_branch(it)


def test_the_range_item_covers_every_n_from_7_and_every_slope_below_1(item):
    assert len(item["boxes"]) == 31 + 9 and item["stable"] is True
    points = [b["t"] for b in item["boxes"] if b["t"][0] == b["t"][1]]
    assert points == [["1/%d" % k] * 2 for k in range(15, 6, -1)]
    fact = talln.check_branch(item)
    assert fact == {"fact": "branch", "n_from": 7, "alpha": (0, 1, True), "state": "spread-cluster",
                    "radius_below": 1}


def test_point_forgeries(item):
    chain = [b for b in item["boxes"] if b["t"][0] != b["t"][1]]
    points = [b for b in item["boxes"] if b["t"][0] == b["t"][1]]
    _rejected(dict(item, boxes=chain))                                  # n = 7..15 missing
    _rejected(dict(item, boxes=chain + points[1:]))                     # n = 15 missing
    _rejected(dict(item, boxes=chain + points[:-1]))                    # n = 7 missing
    _rejected(dict(item, boxes=chain + points + points[:1]))            # a point twice
    _rejected(dict(item, n_from=6))                                     # n = 6 has no point (nor a root)
    _rejected(dict(item, n_from=8))                                     # 1/7 is not in [0, T] nor wanted
    rev = copy.deepcopy(item)
    rev["boxes"][-1]["t"] = ["1/7", "1/8"]
    _rejected(rev)
    moved = copy.deepcopy(item)                                         # a point's box off its root
    moved["boxes"][-1]["v"]["mid"][0] += 2 ** 118
    _rejected(moved)
    relabelled = copy.deepcopy(item)                                    # the box of n = 7 shown at n = 8
    relabelled["boxes"][-1]["t"] = ["1/8", "1/8"]
    _rejected(relabelled)
    for alpha in ("1/2..1/4", "-1/10..1/10", "0..2", "1", "1..1"):
        _rejected(dict(item, alpha=alpha))


def test_the_slopes_enclosure_is_needed(item, monkeypatch):
    """The cosines over a slope range come from monotone enclosures of g = 2a/(1+a^2) and
    k = (1-a)^2/(1+a^2); the naive ball evaluation (alpha as one ball in the formula) cannot show
    the spread condition at n = 7 and must fail."""
    def naive(lo, hi):
        a = talln.span(lo, hi)
        return 2 * a / (1 + a * a), (1 - a) ** 2 / (1 + a * a)
    monkeypatch.setattr(talln, "_slopes", naive)
    _rejected(item)


@pytest.mark.parametrize("lo,hi", [(0, 1), (0, Fraction(1, 10)), (Fraction(1, 3), Fraction(2, 3)), (Fraction(9, 10), 1)])
def test_the_slopes_enclose_every_slope(lo, hi):
    g, k = talln._slopes(Fraction(lo), Fraction(hi))
    for j in range(101):
        a = Fraction(lo) + (Fraction(hi) - Fraction(lo)) * j / 100
        assert g.contains(talln.ball(2 * a / (1 + a * a))) and k.contains(talln.ball((1 - a) ** 2 / (1 + a * a)))
    assert not g.contains(talln.ball(Fraction(2 * hi, 1 + hi * hi) + Fraction(1, 10 ** 6)))


def test_kernel_claims(item):
    for n, alpha in (("7..", "0..1"), ("7..", "0..1/10"), ("7..20", "1/4..3/4"), ("12..", "99/100")):
        status, statement, _ = trusted.decide(claim(n, alpha, relation="<", bound="1"), [item])
        assert status == "proved", (n, alpha)
        assert "spectral radius" in statement and "alpha" in statement
    narrow = dict(item, alpha="0..1/2")
    with pytest.raises(trusted.Rejected):                               # the claim's slopes reach 3/4
        trusted.decide(claim("7..", "0..3/4", relation="<", bound="1"), [narrow])
    with pytest.raises(trusted.Rejected):                               # n = 6 is not covered
        trusted.decide(claim("6..", "0..1/10", relation="<", bound="1"), [item])
    with pytest.raises(trusted.NoGoal):                                 # a bound below 1: per n, one slope
        trusted.decide(claim("7..", "0..1/10", relation="<", bound="99/100"), [item])
    with pytest.raises(trusted.NoGoal):                                 # a threshold: at one slope
        trusted.decide(claim("7..", "0..1/10", prop="attractor-threshold", value=7), [item])


def test_existence_refuted_below_7_at_one_slope_of_the_range(run_cli):
    code, out, _ = run_cli("check", "--stages", "rc,leaky_relu", "--alpha", "0..1/10", "--n", "5..",
                           "--property", "attractor-exists")
    assert code == 1 and "refuted" in out


@pytest.mark.parametrize("n,alpha", [(7, Fraction(1, 10)), (10, Fraction(1, 2)), (15, Fraction(3, 4))])
def test_the_lemma_against_per_n_certificates(n, alpha):
    """ReLU's and leaky ReLU's certified radii at (n, alpha), each from its own per-n Krawczyk and
    spectrum (the pipeline of `bnverify attractor --n N`, kernel-checked): r_alpha = w + (1 - w) r_0
    with w = alpha / (alpha + (1 - alpha)^2 lam), lam = A (the branch's 2A / 2: C K(Sigma) C = A
    Sigma, mpmath); a deliberately wrong rescaling ((1 - alpha) for (1 - alpha)^2) is far off."""
    from bnverify.claims import sweep
    from bnverify.derive import states

    def radius(a):
        act = leaky(a)
        v = sweep.checked_state(states.certify_attractor(n, act), "attractor", act)
        assert v.status == "proved" and v.evidence["checked"]
        return mpmath.mpf(v.evidence["spectral_radius"][0])
    r0, ra = radius(Fraction(0)), radius(alpha)
    mp = arith.get("mp", dps=30)
    lam = alln.branch(alln.measure(n, dps=30)["v"], mp.mp.mpf(1) / n, mp)["A2"] / 2
    a = mpmath.mpf(alpha.numerator) / alpha.denominator
    w = a / (a + (1 - a) ** 2 * lam)
    assert abs(ra - (w + (1 - w) * r0)) < 1e-15
    wrong = a / (a + (1 - a) * lam)
    assert abs(ra - (wrong + (1 - wrong) * r0)) > 1e-3


# ---------------------------------------------------------------- the red team of the range (fresh helper session)
@pytest.mark.parametrize("where", ["claim", "item"])
def test_a_zero_denominator_is_a_rejection_not_a_crash(item, where):
    cj = claim("7..", "0..1/10", relation="<", bound="1")
    if where == "claim":
        cj["domain"]["alpha"] = "0..1/0"
    with pytest.raises((trusted.Rejected, trusted.NoGoal)):           # was ZeroDivisionError
        trusted.decide(cj, [dict(item, alpha="0..1/0") if where == "item" else item])


def test_one_branch_item_per_goal(item):
    """Surplus branch items of other slope ranges were each re-checked (34 s of CPU within the
    work budget): a goal takes one branch item."""
    with pytest.raises(trusted.Rejected, match="second all-n-branch"):
        trusted.decide(claim("7..", "0..1/4", relation="<", bound="1"), [item, dict(item, alpha="0..1/2")])
    _rejected(dict(item, prec=1024))                          # a branch's boxes at most 256 bits


def test_an_alpha_range_needs_its_upper_end(item):
    _rejected(dict(item, alpha="0.."))


def test_the_no_goal_reason_names_leaky_relu(item):
    with pytest.raises(trusted.NoGoal, match="ReLU and leaky ReLU"):
        trusted.decide(claim("7..", "1/2", relation="<", bound="99/100"), [item])


def test_a_repeated_fact_is_surplus():
    """Since branch items share one shape whatever their slopes, a repeated fact reaches the
    'nothing new' check only through another spelling of n: a classification at n = '6' and
    at '6/1' (kills the mutant duplicate-evidence again)."""
    c = spec.claim_from_dict({"id": "x", "title": "x", "statement": "s", "property": "attractor-exists",
                              "expect": "refuted", "model": {"stages": "rc,relu"}, "domain": {"n": "6"},
                              "params": {}}, "t")
    v = properties.check(c)
    ev = v.certificate["evidence"]
    assert v.status == "refuted" and ev[0]["type"] == "classification"
    with pytest.raises(trusted.Rejected, match="nothing \\(new\\)"):
        trusted.decide(properties.claim_json(c), ev + [dict(ev[0], n=ev[0]["n"] + "/1")])
