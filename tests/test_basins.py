"""Basins of the symmetric reduction (issue 13) against an independent high-precision iteration.

The test's own model (mpmath, from the README's definitions, sharing no code with bnverify):
a symmetric state (cluster diagonal 1, cluster cosine o, cross x, odd diagonal b) is centred
(C G C from the row sums), mapped by the kernel K (the arc-cosine kernel of leaky ReLU) and
normalised.  From a grid of starts -- on the curve and off it -- the iteration must end at the
fixed point whose certified basin holds the start's centred cluster correlation rho.
"""
from __future__ import annotations

import json
import random
from fractions import Fraction

import mpmath as mp
import pytest

from bnverify.derive import basins as B
from bnverify.core.activations import Activation
from bnverify.trusted.items import check_item

DPS = 30
TOL = mp.mpf("1e-12")
CASES = [(7, Activation("relu")), (8, Activation("leaky_relu", Fraction(1, 10)))]   # n = 5: the command's test


def kappa(r, alpha):
    A, Bc = (1 + alpha ** 2) / 2, (1 - alpha) ** 2 / (2 * mp.pi)
    r = min(max(r, mp.mpf(-1)), mp.mpf(1))
    return A * r + Bc * (mp.sqrt(1 - r * r) - r * mp.acos(r))


def centred(s, n):
    """C G C of the state s = (o, x, b): (cluster diagonal, cluster off-diagonal, cross, odd)."""
    o, x, b = s
    rc, ro = 1 + (n - 2) * o + x, (n - 1) * x + b
    t = (n - 1) * rc + ro
    return (1 - 2 * rc / n + t / n ** 2, o - 2 * rc / n + t / n ** 2, x - (rc + ro) / n + t / n ** 2,
            b - 2 * ro / n + t / n ** 2)


def rho_of(s, n):
    d, off, _, _ = centred(s, n)
    return off / d


def step(s, n, alpha):
    """One infinite-width RC + phi layer on the symmetric state, up to scale."""
    d, off, cross, od = centred(s, n)
    A = (1 + alpha ** 2) / 2
    ko = d * kappa(off / d, alpha)
    kx = mp.sqrt(d * od) * kappa(cross / mp.sqrt(d * od), alpha) if od > 0 else mp.mpf(0)
    return ko / (A * d), kx / (A * d), od / d


def limit(s, n, alpha, targets, cap=6000):
    """The name of the target (name -> rho) the orbit's rho reaches within TOL, or None."""
    for _ in range(cap):
        r = rho_of(s, n)
        for name, f in targets.items():
            if abs(r - f) < TOL:
                return name
        s = step(s, n, alpha)
    return None


SLOW = [pytest.param((n, Activation("relu")), marks=pytest.mark.slow) for n in (5, 16, 32, 64)]


@pytest.fixture(scope="module", params=CASES + SLOW, ids=lambda c: "n%d-%s" % (c[0], c[1]))
def case(request):
    n, act = request.param
    v = B.basins(n, act, shrink=(Fraction(1, 10),))
    assert v.status == "proved"
    return n, act, v


def _mid(br):
    return (Fraction(br[0]) + Fraction(br[1])) / 2


def _predict(r, v):
    """The basin holding rho = r by the certified intervals (None within 1e-20 of an end)."""
    brackets = {f["state"]: f["rho"] for f in v.evidence["fixed_points"]}
    for b in v.evidence["basins"]:
        lo, hi = (Fraction(x) for x in b["rho"][0])
        if b["interval"].startswith("{"):
            continue
        if lo + Fraction(1, 10 ** 20) < r < hi - Fraction(1, 10 ** 20) or (b["interval"].startswith("[") and r == lo):
            return b["to"]
    return min(brackets, key=lambda k: abs(_mid(brackets[k]) - r))


def _starts(n, v, count=9, seed=0):
    """Starts on the curve Sigma(rho) = (rho, -q, (n-1) q) near and between the fixed points,
    and random PSD starts off it."""
    fx = {f["state"]: _mid(f["rho"]) for f in v.evidence["fixed_points"]}
    lo = Fraction(-1, n - 2)
    rhos = [lo + Fraction(1, 10 ** 9), (lo + fx["simplex"]) / 2, Fraction(1) - Fraction(1, 10 ** 6), Fraction(1, 2)]
    if "partner" in fx:
        gap = fx["partner"] - fx["simplex"]
        rhos += [fx["partner"] - gap / 1000, fx["partner"] + gap / 1000, (fx["simplex"] + fx["partner"]) / 2,
                 fx["attractor"] + (1 - fx["attractor"]) / 2]
    out = []
    for r in rhos:
        q = 1 + (n - 2) * mp.mpf(r.numerator) / r.denominator
        out.append((mp.mpf(r.numerator) / r.denominator, -q, (n - 1) * q))
    rng = random.Random(seed)
    for _ in range(count):
        o = mp.mpf(rng.uniform(-1 / (n - 2) + 1e-3, 0.999))
        b = mp.mpf(rng.uniform(0.05, 3))
        x = rng.uniform(-1, 1) * mp.sqrt(b * (1 + (n - 2) * o) / (n - 1))
        out.append((o, x, b))
    return out


def test_every_start_ends_where_its_basin_says(case):
    n, act, v = case
    alpha = mp.mpf(act.slope.numerator) / act.slope.denominator
    with mp.workdps(DPS):
        targets = {f["state"]: mp.mpf(_mid(f["rho"]).numerator) / _mid(f["rho"]).denominator
                   for f in v.evidence["fixed_points"] if f["stable"]}
        for s in _starts(n, v):
            r = rho_of(s, n)
            want = _predict(Fraction(mp.nstr(r, DPS + 5)), v)
            assert want in targets, (n, r, want)
            assert limit(s, n, alpha, targets) == want, (n, mp.nstr(r, 15), want)


def test_collapsed_cluster_stays_at_O_n(case):
    """rho = 1 (a collapsed cluster): the next layer is O_n and stays there."""
    n, act, v = case
    alpha = mp.mpf(act.slope.numerator) / act.slope.denominator
    with mp.workdps(DPS):
        s = step((mp.mpf(1), mp.mpf("0.3"), mp.mpf(2)), n, alpha)
        for _ in range(5):
            assert abs(rho_of(s, n) - 1) < mp.mpf("1e-25")
            s = step(s, n, alpha)
    assert [b["interval"] for b in v.evidence["basins"] if b["to"] == "configuration"] == ["{configuration}"]


def test_layer_counts_bound_the_iteration(case):
    """The certified layer count k for a compact part K = [a, b] of a stable point's basin:
    iterating K's ends in high precision reaches eps at some k' <= k, and not much earlier."""
    n, act, v = case
    alpha = mp.mpf(act.slope.numerator) / act.slope.denominator
    eps = mp.mpf(1) / 10 ** 6
    with mp.workdps(DPS):
        for b in v.evidence["basins"]:
            if "rate" not in b:
                continue
            f = _mid(next(p["rho"] for p in v.evidence["fixed_points"] if p["state"] == b["to"]))
            fm = mp.mpf(f.numerator) / f.denominator
            for part in b["rate"]["layers"]:
                got = []
                for end in part["K"]:
                    r0 = mp.mpf(end)
                    if r0 <= -mp.mpf(1) / (n - 2):
                        r0 = -mp.mpf(1) / (n - 2) + mp.mpf("1e-25")
                    q = 1 + (n - 2) * r0
                    s, k = (r0, -q, (n - 1) * q), 0
                    while abs(rho_of(s, n) - fm) >= eps:
                        s, k = step(s, n, alpha), k + 1
                    got.append(k)
                assert max(got) <= part["layers"] <= max(got) + 3, (n, b["to"], got, part)


def test_the_trusted_kernel_derives_the_same_basins(case):
    """Twins: the basins derived by bnverify.derive.basins and, from the same cover, by
    bnverify.trusted.basins."""
    n, act, v = case
    fact = check_item(v.certificate)
    assert fact["n"] == n and fact["alpha"] == act.slope
    assert fact["basins"] == {b["to"]: b["interval"] for b in v.evidence["basins"]}
    assert list(fact["fixed_points"]) == [f["state"] for f in v.evidence["fixed_points"]]


def test_the_partner_approaches_the_simplex_like_n_cubed():
    """(partner - simplex) n^3 decreases toward 2(pi - 2): measured at n = 7 (ReLU) and n = 8
    (leaky ReLU: the fixed points in rho do not depend on the slope); the table for n up to 64
    is in docs/basins.md."""
    g = [Fraction(B.basins(n, act, rates=False).evidence["partner_gap"]["times_n3"][1]) for n, act in CASES]
    assert g[0] > g[1] > Fraction(float(2 * (mp.pi - 2)))


@pytest.mark.slow
def test_the_partner_gap_series_against_the_covers():
    """sympy: h - id = t^4 w (w - 2(pi - 2))/(4(pi - 1)) + O(t^5) at rho = simplex + t^3 w, so
    the gap is 2(pi - 2)/n^3 + w1/n^4 + ...; the certified gaps of the covers at n = 32, 64 agree:
    (gap n^3 - 2(pi - 2)) n lies near w1 = 2(pi^2 + pi - 4) ~ 18.0 (plus a term ~ 1/n)."""
    import sympy as sp

    r = B.partner_gap_series()
    w = r["w"]
    assert sp.simplify(r["P"] - w * (w - 2 * (sp.pi - 2)) / (4 * (sp.pi - 1))) == 0
    assert r["roots"] == [0, 2 * sp.pi - 4] and sp.N(r["dP_at_partner"]) > 0
    for n in (32, 64):
        gap = Fraction(B.basins(n, Activation("relu"), rates=False).evidence["partner_gap"]["times_n3"][1])
        assert 15 < (float(gap) - float(2 * (sp.pi - 2))) * n < 25, (n, gap)


def test_command_text(run_cli):
    code, out, err = run_cli("basins", "--n", "5")
    assert code == 0, err
    assert "[left-end, configuration)" in out and out.strip().splitlines()[-1] == "status: proved"


def test_command_json_and_plot(tmp_path, run_cli):
    png = tmp_path / "b.png"
    code, out, err = run_cli("basins", "--n", "5", "--json", "--plot", png)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["n"] == 5 and doc["status"] == "proved" and doc["kernel"] == {"simplex": "proved",
                                                                            "configuration": "proved"}
    assert [(f["state"], f["stable"]) for f in doc["fixed_points"]] == [("simplex", True), ("configuration", False)]
    assert {b["to"]: b["interval"] for b in doc["basins"]} == {"simplex": "[left-end, configuration)",
                                                               "configuration": "{configuration}"}
    assert all(len(iv) == 2 for b in doc["basins"] for iv in b["rho"])
    assert png.stat().st_size > 10000 and png.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("argv", [["--n", "2"], ["--n", "65"], ["--n", "10000000"], ["--n", "x"],
                                  ["--n", "7", "--activation", "tanh", "--alpha", "1/2"], ["--n", "7", "--alpha", "1/2"],
                                  ["--n", "7", "--activation", "leaky_relu", "--alpha", "1"],
                                  ["--n", "7", "--eps", "0"], ["--n", "7", "--plot", "x.txt"]])
def test_bad_input_is_one_line_and_exit_2(argv, run_cli):
    code, out, err = run_cli("basins", *argv)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, (argv, err)
