"""The all-n branch: its equation against the exact map at finite n, the trusted twin against
the untrusted one, its roots against per-n certificates, its asymptotics against large-n
solutions, and the proofs that must fail (wrong rescaling, relabelled evidence)."""
from __future__ import annotations

import copy
from fractions import Fraction

import mpmath
import pytest

from bnverify import trusted
from bnverify.claims import properties
from bnverify.core import arith, symmetry
from bnverify.derive import alln, alln_evidence
from bnverify.derive import balls, curve, states
from bnverify.core.activations import Activation
from bnverify.trusted import alln as talln

RELU = Activation("relu")


@pytest.fixture(scope="module")
def item16():
    item, failed = alln_evidence.branch_item(16)
    assert not failed
    return item


def exact_side(rho, n):
    """2 A (h(rho) - rho) from the Gram-map code (bnverify.core.gram / symmetry), in balls."""
    ctx = balls.ball(200)
    r = ctx.const(rho)
    K = symmetry.image(curve.centred_state(r, n, ctx), n, RELU, ctx)
    so, sc = curve._centred_corr(K, n, ctx)
    # K here has cluster diagonal kappa(1) = 1/2 times the centred state's scale 1: A = sc
    return 2 * sc * (so / sc - r)


@pytest.mark.parametrize("n", [7, 12, 40, 300])
@pytest.mark.parametrize("v", [Fraction(8), Fraction(9), Fraction(19, 2)])
def test_equation_matches_the_gram_map(n, v):
    """2 A (h - rho) = t^3 G(v, t) with rho = cos(v / n): the closed form against the map."""
    lib = arith.get("mp", dps=60)
    t = mpmath.mpf(1) / n
    b = alln.branch(mpmath.mpf(v.numerator) / v.denominator, t, lib)
    rho = Fraction(str(mpmath.nstr(b["rho"], 55)))
    lhs = exact_side(rho, n)
    rhs = t ** 3 * b["G"]
    assert abs(float(lhs.mid()) - float(rhs)) <= 1e-30 + 1e-12 * abs(float(rhs)), (lhs, rhs)


@pytest.mark.parametrize("v,t", [(9, Fraction(0)), (Fraction(88, 10), Fraction(1, 16)),
                                 (Fraction(94, 10), Fraction(1, 1000)), (10, Fraction(1, 9))])
def test_trusted_twin(v, t):
    from flint import ctx

    lib = arith.get("ball", prec=128)
    with ctx.workprec(128):
        V, T = lib.const(Fraction(v)), lib.const(t)
        mine = talln.quantities(V, T, Fraction(0), 128)
        jet = arith.JetContext(lib)
        theirs = alln.branch(jet.variable(V), T, jet)
        assert mine["G"].overlaps(theirs["G"].v) and mine["dG"].overlaps(theirs["G"].d)
        assert mine["A2"].overlaps(theirs["A2"].v)
        assert mine["factor"].overlaps(theirs["deficit_t2"].v / (V * V))


@pytest.mark.parametrize("n,alpha", [(16, Fraction(0)), (24, Fraction(0)), (64, Fraction(0)), (20, Fraction(1, 10)),
                                     (17, Fraction(1, 2))])
def test_roots_agree_with_per_n_certificates(n, alpha):
    """The branch's fixed point at t = 1/n has the cosines of the per-n Krawczyk box (leaky:
    the alpha-independence of the roots and the trusted alpha formulas)."""
    from flint import ctx

    act = Activation("leaky_relu", alpha) if alpha else RELU
    per_n = states.certify_attractor(n, act, classify_family=False)
    assert per_n.status == "proved"
    lib = arith.get("ball", prec=160)
    t = Fraction(1, n)
    guess = Fraction(str(mpmath.nstr(alln.measure(n)["v"], 40)))
    box = alln.krawczyk_box(t, t, guess, lib, rel=Fraction(1, 2 ** 100))
    assert box is not None
    with ctx.workprec(160):
        V = alln.v_ball(box, lib)
        q = talln.quantities(V, lib.const(t), alpha, 160)
        T = lib.const(t)
        cluster = 1 - T * T * V * V * q["factor"]
        odd = cluster - q["spread"]
    for name, ball in (("cluster_cos", cluster), ("odd_cos", odd)):
        lo, hi = (float(x) for x in per_n.evidence[name])
        assert lo - 1e-15 <= float(ball.mid()) <= hi + 1e-15, (name, ball, lo, hi)


def test_asymptotics_against_large_n_solutions():
    """Closed-form coefficients vs mpmath solutions at n = 10^5, 10^6, extrapolated (t-linear
    correction removed by Richardson): an independent method."""
    asym = alln_evidence.asymptotics()
    n1, n2 = 10 ** 5, 10 ** 6
    m1, m2 = alln.measure(n1), alln.measure(n2)
    for name, key, power in (("cluster_cos_deficit", "deficit", 2), ("odd_cos", "odd_cos", 3)):
        f1, f2 = m1[key] * n1 ** power, m2[key] * n2 ** power
        limit = (f2 * n2 - f1 * n1) / (n2 - n1)            # a + b t  ->  a
        lo, hi = (float(x) for x in asym[name]["coefficient"])
        assert asym[name]["agrees"] and asym[name]["power"] == power
        assert abs(float(limit) - (lo + hi) / 2) < 1e-6 * abs(lo), (name, limit, lo, hi)
    gap = m2["n"] - m2["norm_ratio"]
    assert abs(float(gap) - 1) < 1e-3 and asym["norm_ratio_gap"]["coefficient"] == ["1", "1"]
    assert asym["v0"]["closed_form"] == "3*pi"


def test_branch_item_checks(item16):
    fact = talln.check_branch(item16)
    assert fact == {"fact": "branch", "n_from": 16, "alpha": (0, 0, False), "state": "spread-cluster",
                    "radius_below": 1}


def _rejected(item):
    with pytest.raises(trusted.Rejected):
        talln.check_branch(item)


def test_branch_forgeries(item16):
    _rejected(dict(item16, n_from=15))                      # the cover ends at 1/16, not 1/15
    _rejected(dict(item16, n_from=17))
    _rejected(dict(item16, boxes=item16["boxes"][1:]))      # t = 0 not covered
    _rejected(dict(item16, boxes=item16["boxes"][:-1]))
    gap = copy.deepcopy(item16)
    del gap["boxes"][3]
    _rejected(gap)
    moved = copy.deepcopy(item16)
    moved["boxes"][2]["v"]["mid"][0] += 2 ** 118             # v shifted by 1/4
    _rejected(moved)
    shrunk = copy.deepcopy(item16)
    shrunk["boxes"][5]["v"]["rad"][0] //= 2 ** 40
    _rejected(shrunk)
    zero = copy.deepcopy(item16)
    zero["boxes"][0]["v"]["rad"] = [0, 0]
    _rejected(zero)
    wrong_y = copy.deepcopy(item16)
    wrong_y["boxes"][1]["y"] = "-1/9"
    _rejected(wrong_y)
    extra = copy.deepcopy(item16)
    extra["boxes"][0]["note"] = "(assert false)"
    _rejected(extra)
    _rejected(dict(item16, prec=16))
    _rejected(dict(item16, alpha="1"))


def test_wrong_rescaling_fails(item16, monkeypatch):
    """With theta = t^2 v (the wrong power) or a wrong coefficient the same boxes are rejected
    and the search finds no cover: the proof fails, it does not pass."""
    real = talln.quantities

    def squared(v, t, alpha, prec):              # theta = t (t v) = t^2 v
        return real(v * t, t, alpha, prec)
    monkeypatch.setattr(talln, "quantities", squared)
    _rejected(item16)
    monkeypatch.setattr(talln, "quantities", real)

    real_branch = alln.branch

    def wrong(v, t, lib):
        out = real_branch(v, t, lib)
        out["G"] = out["G"] + 2 * t * v            # a wrong t-order term
        return out
    monkeypatch.setattr(alln, "branch", wrong)
    boxes, failed = alln.certify_branch(16)
    assert boxes and not failed                     # the wrong equation has its own boxes...
    monkeypatch.setattr(alln, "branch", real_branch)
    with pytest.raises(trusted.Rejected):           # ...which the trusted model rejects
        talln.check_branch({"type": "all-n-branch", "n_from": 16, "alpha": "0", "prec": 128,
                            "boxes": boxes})


def claim(n, prop="attractor-exists", alpha=None, **params):
    from bnverify.claims import spec
    model = {"stages": "rc,leaky_relu" if alpha else "rc,relu"}
    if alpha:
        model["alpha"] = alpha
    return spec.claim_from_dict({"id": "x", "title": "x", "statement": "s", "property": prop,
                                   "expect": "proved", "model": model, "domain": {"n": n},
                                   "params": params}, "test")


def test_kernel_all_n_claims(item16):
    cj = properties.claim_json(claim("16.."))
    status, statement, reason = trusted.decide(cj, [item16])
    assert status == "proved" and "every integer n >= 16" in statement and "all-n branch" in reason
    status, _, _ = trusted.decide(properties.claim_json(claim("100..1000000")), [item16])
    assert status == "proved"
    with pytest.raises(trusted.Rejected):           # n = 7..15 have no evidence
        trusted.decide(properties.claim_json(claim("7..")), [item16])
    with pytest.raises(trusted.Rejected):           # leaky ReLU: stability per n only
        trusted.decide(properties.claim_json(claim("16..", "attractor-stable", alpha="1/10")),
                       [dict(item16, alpha="1/10", stable=False)])
    with pytest.raises(trusted.Rejected):           # the simplex state's goal needs its own branch
        trusted.decide(properties.claim_json(claim("16..", "fixed-point", state="simplex")), [item16])
    with pytest.raises(trusted.Rejected):           # the branch says nothing about the simplex
        trusted.decide(properties.claim_json(claim("16..20", "fixed-point", state="simplex")), [item16])
    with pytest.raises(trusted.Rejected):           # another slope: the item says nothing about it
        trusted.decide(properties.claim_json(claim("16..", alpha="1/10")), [item16])
    leaky = dict(item16, alpha="1/10", stable=False)
    assert trusted.decide(properties.claim_json(claim("16..", alpha="1/10")), [leaky])[0] == "proved"
    with pytest.raises(trusted.Rejected):           # a claim below the branch's start
        trusted.decide(properties.claim_json(claim("8..12")), [item16])


def test_check_every_n_from_7():
    v = properties.check(claim("7.."))
    assert v.status == "proved" and v.evidence["checked"] and "asymptotics" in v.evidence
    assert trusted.check(v.certificate)[0]
    assert v.evidence["asymptotics"]["cluster_cos_deficit"]["closed_form"] == "9*pi**2/2"


# ---------------------------------------------------------------- stability every n at once
@pytest.mark.parametrize("v,t", [(Fraction(3141592653589793, 10 ** 15) * 3, Fraction(0)),
                                 (Fraction(88, 10), Fraction(1, 16)), (Fraction(94, 10), Fraction(1, 1000))])
def test_stability_twin(v, t):
    """The trusted criteria against bnverify.derive.alln_stability.scaled (the untrusted twin, itself
    checked against the kernel's dense symmetric_blocks at n = 7..40)."""
    from flint import ctx

    from bnverify.derive import alln_stability

    lib = arith.get("ball", prec=128)
    with ctx.workprec(128):
        V, T = lib.const(v), lib.const(t)
        mine = talln.stability_criteria(V, T, 128)
        theirs = alln_stability.scaled(V, T, lib)["criteria"]
        assert set(mine) == set(theirs)
        for k in mine:
            assert mine[k].overlaps(theirs[k]), k


def test_stable_branch_item(item16, monkeypatch):
    assert item16.get("stable") is True
    assert talln.check_branch(item16)["radius_below"] == 1
    # leaky ReLU's stability from ReLU's criteria (the lemma in trusted/alln.py), every slope < 1
    assert talln.check_branch(dict(item16, stable=True, alpha="1/10"))["alpha"] == (Fraction(1, 10),) * 2 + (False,)
    _rejected(dict(item16, stable="yes"))
    assert talln.check_branch(dict(item16, stable=False))["radius_below"] is None
    real = talln.stability_criteria

    def flipped(v, t, prec):                                    # a wrong margin sign must fail
        out = real(v, t, prec)
        out["trivial_margin"] = -out["trivial_margin"]
        return out
    monkeypatch.setattr(talln, "stability_criteria", flipped)
    _rejected(item16)


def test_kernel_all_n_stability(item16):
    cj = properties.claim_json(claim("16..", "attractor-stable", relation="<", bound="1"))
    status, statement, _ = trusted.decide(cj, [item16])
    assert status == "proved" and "spectral radius" in statement and "every integer n >= 16" in statement
    with pytest.raises(trusted.Rejected):                      # existence-only evidence
        trusted.decide(cj, [dict(item16, stable=False)])
    with pytest.raises(trusted.NoGoal):                        # a bound below 1: per n only
        trusted.decide(properties.claim_json(claim("16..", "attractor-stable", relation="<",
                                                   bound="99/100")), [item16])
    thr = properties.claim_json(claim("16..", "attractor-threshold", value=20))
    assert trusted.decide(thr, [item16])[0] == "refuted"      # the branch has the state below 20


def test_attractor_every_n_from_7_is_stable():
    v = properties.check(claim("7..", "attractor-stable", relation="<", bound="1"))
    assert v.status == "proved" and trusted.check(v.certificate)[0]
    m = v.evidence["asymptotics"]["stability_margin"]
    assert m["power"] == 1 and m["agrees"]


@pytest.mark.parametrize("n", [64, 1000, 10 ** 5, 10 ** 6])
def test_branch_box_brackets_the_root_of_the_map(item16, n):
    """At sampled n the branch's box for t = 1/n brackets a sign change of 2A(h(rho) - rho)
    computed by the Gram-map code (bnverify.core.symmetry, balls): the root of the map itself
    lies in the certified v-ball, an independent check of the closed form G."""
    t = Fraction(1, n)
    box = next(b for b in item16["boxes"] if Fraction(b["t"][0]) <= t <= Fraction(b["t"][1]))
    mid, rad = alln._value(box["v"]["mid"]), alln._value(box["v"]["rad"])
    mpmath.mp.dps = 80
    signs = []
    for v in (mid - rad, mid + rad):
        rho = Fraction(mpmath.nstr(mpmath.cos(mpmath.mpf(v.numerator) / v.denominator / n), 75))
        side = exact_side(rho, n)
        assert side > 0 or side < 0, (n, v, side)
        signs.append(side > 0)
    assert signs == [False, True], (n, signs)        # G < 0 below the root, > 0 above


def test_partner_gap_rate():
    """Measured (not proved): the unstable partner's distance to the simplex state in rho is
    0.038 at n = 7 and ~ 2 (pi - 2) / n^3 at large n (Richardson from n = 1000, 2000)."""
    import math

    assert abs(float(alln.partner_gap(7)) - 0.0384707713) < 1e-9
    f1, f2 = (float(alln.partner_gap(n)) * n ** 3 for n in (1000, 2000))
    assert abs((2 * f2 - f1) - 2 * (math.pi - 2)) < 2e-4
