"""The classification of the symmetric family's fixed points for every n >= 7 (issue 24 item 4):
the charts of derive/classify_alln.py against the Gram-map code and root scans, the trusted
check (trusted/classify.py) on a genuine item and on forgeries, and the claims that use it."""
import copy
import json
from fractions import Fraction

import mpmath
import pytest

from bnverify import trusted
from bnverify.claims import properties, spec
from bnverify.core import arith
from bnverify.core.activations import activation
from bnverify.derive import classify_alln as ca
from bnverify.derive.curve import curve
from bnverify.trusted import classify as tc

RELU = activation("relu")


@pytest.fixture(scope="module")
def small():
    """The item for every n >= 100: four columns, quick to re-check (forgeries start here)."""
    return ca.classification_item(100)


def _rejected(item, what=None):
    with pytest.raises(trusted.Rejected, match=what):
        tc.check_classification(item)


# ---------------------------------------------------------------- the formulas
@pytest.mark.parametrize("n", [7, 10, 100, 12345])
def test_psi_over_d_is_the_reduction_curve(n):
    """h - rho = Psi / D (chart formulas) against curve() (the Gram-map code through the
    cluster's symmetry), at rho across the domain."""
    ctx = arith.get("ball", prec=200)
    t = Fraction(1, n)
    for z in [Fraction(1, 1000), Fraction(1, 20), Fraction(3, 10), Fraction(6, 10), Fraction(9, 10), Fraction(99, 100)]:
        q = ca.lower(ctx.const(t), ctx.const(z), ctx.const(t), ctx.const(z), ctx.const(1), ctx)
        rho = ((1 - t) * z * z - t) / (1 - 2 * t)
        g = curve(ctx.const(rho), n, RELU, ctx) - ctx.const(rho)
        assert abs(float((q["psi"] / q["D"] - g).mid())) < 1e-25 * max(1, abs(float(g.mid())) * 1e20)
        # the charts are the same function rescaled
        l1 = ca.chart_l1(ctx.const(t), ctx.const(z / t), ctx)["psi"] * ctx.const(t * t)
        l2 = ca.chart_l2(ctx.const(z), ctx.const(t / z), ctx)["psi"] * ctx.const(z * z)
        assert abs(float((l1 - q["psi"]).mid())) < 1e-30 and abs(float((l2 - q["psi"]).mid())) < 1e-30


def test_the_partner_limit_has_the_closed_form():
    """F(0, u) = u (u - (pi - 2)) / (2 pi): the Taylor coefficient the kernel reads at t = 0."""
    for u in [Fraction(1, 3), Fraction(1), Fraction(2), Fraction(5, 2)]:
        got = ca.partner_sign(Fraction(0), Fraction(0), u)
        want = mpmath.mpf(u.numerator) / u.denominator
        want = want * (want - (mpmath.pi - 2)) / (2 * mpmath.pi)
        assert abs(float(got.mid()) - float(want)) < 1e-15


@pytest.mark.parametrize("n", [20, pytest.param(50, marks=pytest.mark.slow), 200])
def test_four_roots_against_a_root_scan(n):
    """An independent float scan of h(rho) - rho (mpmath, the kernel written out from Sigma(rho))
    finds the same four roots: rho = 1, the attractor near cos(3 pi / n), the partner just above
    the simplex, the simplex."""
    mpmath.mp.dps = 40

    def kap(r):
        return (mpmath.sqrt(1 - r * r) + (mpmath.pi - mpmath.acos(r)) * r) / (2 * mpmath.pi)

    def g(rho):
        q = 1 + (n - 2) * rho
        a, o, b = mpmath.mpf(1) / 2, kap(rho), (n - 1) * q / 2
        x = mpmath.sqrt((n - 1) * q) * kap(-mpmath.sqrt(q / (n - 1)))
        m = n - 1
        Rc, Ro = (a + (m - 1) * o + x) / n, (m * x + b) / n
        M = (m * Rc + Ro) / n
        return (o - 2 * Rc + M) / (a - 2 * Rc + M) - rho

    lo = -mpmath.mpf(1) / (n - 2)
    rho_s = -mpmath.mpf(1) / (n - 1)
    eps = mpmath.mpf(n) ** -2
    grid = [lo + (1 - lo) * mpmath.mpf(k) / 4000 for k in range(1, 4000)]
    assert all(g(r) > 0 for r in grid if r < rho_s - eps)             # left of the simplex: h > rho
    far = [(a, b) for a, b in zip(grid, grid[1:]) if a > rho_s + eps and g(a) * g(b) < 0]
    assert len(far) == 1                                                # the attractor (O_n is the end rho = 1)
    assert abs(far[0][0] - mpmath.cos(3 * mpmath.pi / n)) < 30 / mpmath.mpf(n) ** 2
    assert g(1 - mpmath.mpf(10) ** -30) < 0                             # just below O_n: h < rho
    # the simplex and the partner are about 2.28 n^-3 apart: their own grid, off the simplex itself
    fine = [rho_s + (k - mpmath.mpf(21) / 2) * mpmath.mpf(n) ** -3 / 4 for k in range(0, 60)]
    near = [(a, b) for a, b in zip(fine, fine[1:]) if g(a) * g(b) < 0]
    assert len(near) == 2 and near[0][0] < rho_s < near[0][1]           # the simplex, then the partner
    assert 1.5 < float((near[1][0] - rho_s) * n ** 3) < 5
    assert all(g(r) < 0 for r in fine if near[0][1] <= r <= near[1][0])


# ---------------------------------------------------------------- the trusted check
@pytest.mark.slow
@pytest.mark.mutation
def test_the_kernel_checks_every_n_from_7():
    """The genuine item from n = 7 (chain on [0, 1/16] and t = 1/7 .. 1/15): four fixed points,
    and n^3 times the partner's gap -> 2 (pi - 2) inside the certified limit."""
    from bnverify.claims.properties import branches

    item = branches.classification_item(7)      # ca.classification_item(7), kept for the process (basins, claims)
    assert [c["t"] for c in item["columns"] if c["t"][0] == c["t"][1]] == [["1/%d" % k] * 2 for k in range(7, 16)]
    fact = tc.check_classification(json.loads(json.dumps(item)))
    assert fact["fact"] == "classification" and fact["n_from"] == 7 and fact["fixed_points"] == 4
    lo, hi = fact["gap_limit"]
    two_pi_2 = Fraction(mpmath.nstr(2 * (mpmath.pi - 2), 40))
    assert lo < two_pi_2 < hi and hi - lo < Fraction(1, 10 ** 20)


def test_the_partner_lies_in_each_columns_bracket(small):
    """The partner of the per-n mpmath solution at n in a column lies in zeta_s + t (u_lo, u_hi)."""
    for n in (100, 130, 400, 10 ** 5):
        t = Fraction(1, n)
        col = next(c for c in small["columns"] if Fraction(c["t"][0]) <= t <= Fraction(c["t"][1]))
        u = ca._mp_partner_u(t)
        assert Fraction(col["u"][0]) < u < Fraction(col["u"][1])


def test_forgeries(small):
    tc.check_classification(small)
    _rejected(dict(small, n_from=99), "t-intervals")                    # n = 99 not covered
    _rejected(dict(small, columns=small["columns"][1:]), "t-intervals")  # t near 0 missing
    c = copy.deepcopy(small)
    c["columns"][0]["u"] = [c["columns"][0]["u"][0], "1"]               # u_hi below the partner
    _rejected(c, "F\\(t, u_lo\\)")
    c = copy.deepcopy(small)
    c["columns"][0]["u"] = ["0", c["columns"][0]["u"][1]]               # u_lo = 0: the simplex itself
    _rejected(c, "F\\(t, u_lo\\)")
    c = copy.deepcopy(small)
    c["columns"][1]["zeta"][-1][2] = "convex"                           # a piece past the partner named convex
    c["columns"][1]["zeta"] = [p[:2] + ["positive"] for p in c["columns"][1]["zeta"]]
    _rejected(c, "convex from 0")
    c = copy.deepcopy(small)
    c["columns"][0]["root"] = copy.deepcopy(small["columns"][1]["root"])  # another column's root box
    _rejected(c, "root box")
    c = copy.deepcopy(small)
    c["columns"][0]["root"]["v"]["mid"][0] += 2 ** 119                  # the box moved off the root
    _rejected(c)
    c = copy.deepcopy(small)
    c["columns"][0]["below"] = c["columns"][0]["below"][:-1] or [["0", "1"]]  # v-pieces leave a gap
    _rejected(c)
    c = copy.deepcopy(small)
    c["charts"]["V1"] = "12"                                            # the v-pieces end at 10
    _rejected(c)
    c = copy.deepcopy(small)
    c["charts"]["theta_M"] = "1/2"                                      # rho(z_mid) < cos(1/2): a gap
    _rejected(c, "gap")
    c = copy.deepcopy(small)
    c["l2"] = c["l2"][:-1]                                              # chart L2 short of z_mid
    _rejected(c, "L2")
    c = copy.deepcopy(small)
    c["u2"][0][2] = c["u2"][0][2][:-1]                                  # chart U2 short of 1/V1 at theta = 0
    _rejected(c, "U2")
    c = copy.deepcopy(small)
    c["limit"] = ["1", "2"]                                             # F(0, 1) < 0 and F(0, 2) > 0 hold ...
    assert tc.check_classification(c)["gap_limit"] == (2, 4)           # ... a true (wide) bracket is accepted
    c["limit"] = ["2", "3"]
    _rejected(c, "limit")
    _rejected(dict(small, prec=1024), "prec")
    _rejected(dict(small, l2=small["l2"] * 1000), "work budget")


def claim(n, prop="classification", stages="rc,relu", alpha=None, **params):
    dom = {"n": n} if alpha is None else {"n": n, "alpha": alpha}
    return properties.claim_json(spec.claim_from_dict(
        {"id": "x", "title": "x", "statement": "s", "property": prop, "expect": "proved",
         "model": {"stages": stages}, "domain": dom, "params": params}, "test"))


def test_the_goal_reads_the_fact_and_nothing_else(small):
    item = dict(small, type="classification-branch")
    assert trusted.decide(claim("100..", value=4), [item])[0] == "proved"
    assert trusted.decide(claim("100..200", value=4), [item])[0] == "proved"
    assert trusted.decide(claim("100..", value=3), [item])[0] == "refuted"
    assert trusted.decide(claim("100..", value=4, stages="rc,leaky_relu", alpha="0..1/2"), [item])[0] == "proved"
    with pytest.raises(trusted.Rejected, match="no classification for n = 99"):
        trusted.decide(claim("99..", value=4), [item])
    with pytest.raises(trusted.Rejected, match="says nothing"):         # relabelled onto another property
        trusted.decide(claim("100..", prop="attractor-exists"), [item])
    with pytest.raises(trusted.Rejected, match="says nothing"):
        trusted.decide(claim("60..64", prop="basin", state="attractor", basin="(partner, configuration)"), [item])
    with pytest.raises(trusted.NoGoal):                                  # another model
        trusted.decide(claim("100..", stages="rc,rs,relu", value=4), [item])
    with pytest.raises(trusted.NoGoal):
        trusted.decide(claim("100..", stages="rc,identity", value=4), [item])


def test_check_decides_the_catalogue_reading(run_cli):
    code, out, _ = run_cli("check", "--stages", "rc,relu", "--property", "classification", "--value", "2",
                           "--n", "3..5", "--json")
    assert code == 0 and json.loads(out)["verdict"] == "proved"
    code, out, _ = run_cli("check", "--stages", "rc,relu", "--property", "classification", "--value", "4",
                           "--n", "5..6", "--json")
    doc = json.loads(out)
    assert code == 1 and doc["verdict"] == "refuted" and "n = 5" in doc["evidence"]["reason"]


# ---------------------------------------------------------------- the basins (h increasing)
def test_the_fact_names_the_basins(small):
    fact = tc.check_classification(small)
    assert fact["basins"] == {"simplex": "[left-end, partner)", "partner": "{partner}",
                              "attractor": "(partner, configuration)", "configuration": "{configuration}"}


@pytest.mark.parametrize("n", [30, 300])
def test_orbits_go_where_the_basins_say(n):
    """Iterating h (curve(), ball midpoints) from starts in each basin: the left end and a start
    just above the simplex's partner-side go to the simplex / the attractor as the fact says."""
    ctx = arith.get("ball", prec=128)
    t = Fraction(1, n)
    rho_s = -t / (1 - t)
    u_p = ca._mp_partner_u(t)
    zeta_s = 1 / (1 - t)

    def rho_of(zeta):
        return ((1 - t) * t * t * zeta * zeta - t) / (1 - 2 * t)

    def orbit(rho, steps):
        xs = [ctx.const(rho)]
        for _ in range(steps):
            xs.append(curve(xs[-1], n, RELU, ctx).mid())      # an exact point: no float rounding
        return [Fraction(x.mid().str(40, radius=False)) for x in xs]

    attractor = float(mpmath.cos(3 * mpmath.pi / n))
    up = lambda xs: all(a < b for a, b in zip(xs, xs[1:]))
    down = lambda xs: all(a > b for a, b in zip(xs, xs[1:]))
    xs = orbit(rho_of(Fraction(1, 2)), 30)                                # above the head: up to the simplex
    assert up(xs) and xs[-1] < rho_s
    xs = orbit(rho_of(zeta_s + t * u_p * Fraction(9, 10)), 30)           # below the partner: down to the simplex
    assert down(xs) and xs[-1] > rho_s
    xs = orbit(rho_of(zeta_s + t * u_p * Fraction(11, 10)), 100)         # above it: up, towards the attractor
    assert up(xs) and xs[-1] < attractor
    xs = orbit(1 - t ** 3 / 10, 300)                                       # near O_n: down to the attractor
    assert down(xs[:-1]) and xs[-1] > attractor - 30 / n ** 2
    assert n > 100 or abs(xs[-1] - attractor) < 30 / n ** 2               # at n = 30, 300 steps converge
    x1 = orbit(-t / (1 - 2 * t), 1)[1]                                    # the left end jumps into M, left of it
    assert rho_of(Fraction(1, 2)) < x1 < rho_s


def test_basin_forgeries(small):
    c = copy.deepcopy(small)
    c["charts"]["head"] = "1/4"                                          # a piece straddles the head's edge
    _rejected(c, "increasing")
    c = copy.deepcopy(small)
    c["charts"]["head"] = "1"
    _rejected(c, "head")
    c = copy.deepcopy(small)                                             # no head: h is not increasing at 0
    c["charts"]["head"] = "1/1000000"
    for col in c["columns"]:
        col["zeta"] = [["0", "1/1000000", "convex"]] + [[("1/1000000" if p[0] == "0/1" else p[0])] + p[1:]
                                                         for p in col["zeta"]]
    _rejected(c, "increasing")


def test_the_basin_goal(small):
    item = dict(small, type="classification-branch")
    b = lambda n, state, basin, **kw: claim(n, prop="basin", state=state, basin=basin, **kw)
    assert trusted.decide(b("100..", "attractor", "(partner, configuration)"), [item])[0] == "proved"
    assert trusted.decide(b("100..", "simplex", "[left-end, partner)"), [item])[0] == "proved"
    assert trusted.decide(b("100..", "partner", "{partner}"), [item])[0] == "proved"
    assert trusted.decide(b("100..", "simplex", "[left-end, attractor)"), [item])[0] == "refuted"
    assert trusted.decide(b("100..", "attractor", "(simplex, configuration)"), [item])[0] == "refuted"
    with pytest.raises(trusted.NoGoal):                                  # h_alpha's monotonicity is not shown
        trusted.decide(b("100..", "attractor", "(partner, configuration)", stages="rc,leaky_relu", alpha="1/10"),
                       [item])
    assert trusted.decide(b("100..", "attractor", "(partner, configuration)", stages="rc,leaky_relu", alpha="0"),
                          [item])[0] == "proved"
    with pytest.raises(trusted.Rejected, match="no basin cover for n = 99"):
        trusted.decide(b("99..", "attractor", "(partner, configuration)"), [item])


def test_a_piece_named_convex_must_be_convex(small):
    """At n = 7, Phi1 is not convex in zeta beyond about 2.3 (the item names those pieces
    positive); the same column with every piece named convex is rejected."""
    col = ca.column(Fraction(1, 7), Fraction(1, 7))
    charts = _charts(small)
    from flint import ctx as fctx
    with fctx.workprec(128):
        tc._column(0, json.loads(json.dumps(col)), charts, 128)
        forged = copy.deepcopy(col)
        forged["zeta"] = [p[:2] + ["convex"] for p in forged["zeta"]]
        with pytest.raises(trusted.Rejected, match="not shown convex"):
            tc._column(0, forged, charts, 128)


def _charts(item):
    """An item's charts as Fractions (the module's item: its charts are every item's)."""
    return {k: Fraction(v) for k, v in item["charts"].items()}


def test_u1_pieces_must_have_their_sign(small):
    """At n = 7 the partner lies at v = 11.9: a column stretched to V1 = 12 holds a second root
    above the attractor, and its pieces there are rejected (the sign is not shown)."""
    from flint import ctx as fctx
    col = ca.column(Fraction(1, 7), Fraction(1, 7))
    charts = dict(_charts(small), V1=Fraction(12))
    forged = copy.deepcopy(col)
    forged["above"] += [[str(Fraction(40 + k, 4)), str(Fraction(41 + k, 4))] for k in range(8)]
    with fctx.workprec(128), pytest.raises(trusted.Rejected, match="not shown above the root"):
        tc._column(0, forged, charts, 128)


def test_the_partner_bracket_needs_both_signs(small):
    """u_hi between u_lo and the partner: F(t, u_hi) < 0, so the bracket does not hold the partner."""
    c = copy.deepcopy(small)
    col = next(col for col in c["columns"] if Fraction(col["t"][0]) == 0)   # t <= 1/400: u_p in [1.1416, 1.1446]
    col["u"] = [col["u"][0], "113/100"]
    _rejected(c, "F\\(t, u_lo\\)")


def test_the_head_image_must_lie_past_the_head(small):
    """head = 9/10 (pieces split there): the head's image (zeta' about 0.6..0.73) is not past it."""
    c = copy.deepcopy(small)
    c["charts"]["head"] = "9/10"
    for col in c["columns"]:
        out = []
        for a, b, kind in col["zeta"]:
            if Fraction(a) < Fraction(9, 10) < Fraction(b):
                out += [[a, "9/10", kind], ["9/10", b, kind]]
            else:
                out.append([a, b, kind])
        col["zeta"] = out
    _rejected(c, "image in \\(head, 1\\)")


def test_charts_l1_and_u1_must_be_apart(small):
    """V1 = 200 at t <= 1/100 lets U1 reach theta = 2 (rho = cos 2 < 0), into chart L1's rho: a root
    there could be counted twice."""
    c = copy.deepcopy(small)
    c["charts"]["V1"] = "200"
    _rejected(c, "not shown apart")
