"""The "D" and "g" leaves of spread-none covers (trusted/spreadfam.py, issue 22: speed) and elu's integral price.

"D": G1 - G2 of one sign on the cell by the mean value form (a fixed point off the lines has G1 = G2 = 0); "g": G1 of
one sign in balls from the coefficients of the cell's q side alone, priced so.  Independent of the checker: the family
map's G1 and G2 at points inside the stored covers' D and g cells by a two-dimensional Gauss-Hermite rule in numpy
(not Mehler's series), which must show the leaf's sign there; the (shifted) fixed points and the simplex line, where
no D leaf may close a cell; forged and relabelled covers; the price against the integrals a check computes."""
import collections
import json
import math
import pathlib
from fractions import Fraction as F

import numpy as np
import pytest
from flint import arb, ctx

from bnverify import trusted
from bnverify.claims.properties import spread_cover as C
from bnverify.trusted import spreadfam as S
from test_spread_kernel import _claim

DATA = pathlib.Path(__file__).parent / "data"
TANH8 = json.loads((DATA / "tanh_2_8_spread_none.json").read_text())      # the search's cover, tanh, sigma_w^2 = 2, n = 8
ELU5 = json.loads((DATA / "elu_2_5_spread_none.json").read_text())        # elu(1), sigma_w^2 = 2, n = 5
PSI = {"tanh": np.tanh, "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0)))}
Z, W = np.polynomial.hermite_e.hermegauss(300)
W = W / W.sum()


def _K(name, q1, q2, c):
    """E[psi(x) psi(y)] by a 300 x 300 Gauss-Hermite product rule (y given x: exact at correlation +-1)."""
    if q1 == 0 or q2 == 0:      # psi(0) = 0
        return 0.0
    s1 = math.sqrt(q1)
    k, s = c / s1, math.sqrt(max(q2 - c * c / q1, 0.0))
    x = s1 * Z[:, None]
    return float(W @ (PSI[name](x[:, 0]) * (PSI[name](k * Z[:, None] + s * Z[None, :]) @ W)))


def _g12(name, n, w, q, p):
    """(G1, G2) of the symmetric family in floats (docs/spread.md), q > 0, rho < 1."""
    rho = (p / ((n - 1) * q) - 1) / (n - 2)
    a, b, c, d = _K(name, q, q, q), _K(name, q, q, rho * q), _K(name, q, p, -p / (n - 1)), _K(name, p, p, p)
    r1 = a + (n - 2) * b + c
    return w * (a - b) / (1 - rho) - q, w * (a - 2 * r1 / n + ((n - 1) * (r1 + c) + d) / n ** 2) - q


def _leaves(item):
    """(tag, q0, q1, p0, p1) of every leaf, the checker's walk."""
    top, out, stack = F(item["top"]), [], [(F(0), F(item["top"]), F(0), F(item["top"]))]
    for tag in item["tree"]:
        q0, q1, p0, p1 = stack.pop()
        qm, pm = (q0 + q1) / 2, (p0 + p1) / 2
        if tag == "4":
            stack += [(qm, q1, pm, p1), (qm, q1, p0, pm), (q0, qm, pm, p1), (q0, qm, p0, pm)]
        else:
            out.append((tag, q0, q1, p0, p1))
    assert not stack and top > 0
    return out


def test_stored_covers_use_the_new_leaves():
    for item, tags in ((TANH8, "gD"), (ELU5, "gD")):
        count = collections.Counter(item["tree"])
        assert all(count[t] > 0 for t in tags), count
        assert trusted.items.work(item) <= trusted.kernel.CERT_WORK


@pytest.mark.parametrize("item, tol, every", [(TANH8, 1e-6, 4), (ELU5, 2e-4, 97)])
def test_d_and_g_cells_hold_their_sign_at_sampled_points(item, tol, every):
    """At the corners and the centre of the stored covers' D and g cells (every ``every``-th one), the float family
    map's G1 - G2 (D) and G1 (g) are never of both signs beyond the rule's error (``tol`` times 1 + the variance: 300
    nodes, against mpmath some 1e-7 for tanh at q = 8, a relative 4e-5 for elu's kink); and somewhere they
    are small (the cells are not far from the zero curves: the test is not vacuous)."""
    name, n, w = item["activation"], item["n"], float(F(item["weight_var"]))
    cells = [c for c in _leaves(item) if c[0] in "gD"][::every]
    assert len(cells) > 20
    smallest = math.inf
    for tag, q0, q1, p0, p1 in cells:
        vals = []
        for q, p in ((q0, p0), (q0, p1), (q1, p0), (q1, p1), ((q0 + q1) / 2, (p0 + p1) / 2)):
            q, p = float(q), float(p)
            if q > 0 and p < (n - 1) ** 2 * q * (1 - 1e-6):      # off rho = 1 (floats cancel in a - b there)
                g1, g2 = _g12(name, n, w, q, p)
                vals.append(g1 - g2 if tag == "D" else g1)
        if not vals:        # a corner cell of the wedge: no sample point in the family
            continue
        smallest, err = min(smallest, min(abs(v) for v in vals)), tol * (1 + float(max(q1, p1)))   # the rule's error
        assert not (max(vals) > err and min(vals) < -err), (tag, q0, q1, p0, p1, vals)
    assert smallest < 1e-2


def test_the_float_map_is_the_kernel_s():
    """The numpy G1, G2 above against the kernel's balls at a few family points (the comparison is meaningful)."""
    with ctx.workprec(128):
        for name, n, w, q, p, tol in (("tanh", 8, 2, F(3, 5), F(2, 5), 1e-6), ("tanh", 8, 2, F(2), F(7), 1e-6),
                                      ("elu", 5, 2, F(3), F(5), 1e-3), ("elu", 5, 2, F(1, 2), F(1, 8), 1e-3)):
            got = S.g12(name, n, arb(w), arb(q.numerator) / q.denominator, arb(p.numerator) / p.denominator)
            want = _g12(name, n, w, float(q), float(p))
            for b, v in zip(got, want):
                assert b.rad() < 1e-3 and abs(float(b.mid()) - v) <= float(b.rad()) + tol, (name, q, p, b, v)


@pytest.mark.parametrize("item", [TANH8, ELU5])
def test_the_simplex_fixed_point_is_only_in_x_cells(item):
    """The simplex fixed point (G2 = 0 on the diagonal p = q, by bisection on the numpy map, not the kernel's) lies in
    the covers' "X" leaf and in no leaf of another kind (none excludes a genuine fixed point)."""
    name, n, w = item["activation"], item["n"], float(F(item["weight_var"]))
    lo, hi = 0.05, 20.0
    assert _g12(name, n, w, lo, lo)[1] > 0 > _g12(name, n, w, hi, hi)[1]
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _g12(name, n, w, mid, mid)[1] > 0 else (lo, mid)
    q = (lo + hi) / 2
    tags = {c[0] for c in _leaves(item) if c[1] <= q <= c[2] and c[3] <= q <= c[4]}
    assert tags == {"X"}, (q, tags)


def _cells_around(q, p, depths, top):
    for d in depths:
        h = F(top) / 2 ** d
        q0, p0 = F(q) // h * h, F(p) // h * h
        yield q0, q0 + h, p0, p0 + h


@pytest.mark.parametrize("name, n, w, top", [("tanh", 14, F(2), 8), ("elu", 5, F(2), 971)])
def test_d_never_closes_a_cell_across_the_simplex_line(name, n, w, top):
    """G1 - G2 = 0 all along the simplex line p = q (invariant): a cell that crosses it has both signs or 0, and no D
    leaf may close it (with its p side's gradient dropped, a mutant's D did); nor one holding the simplex point."""
    with ctx.workprec(128):
        for q in (F(1, 3), F(2, 3), F(3, 2), F(7, 2)):
            cells = list(_cells_around(q, q, range(7, 14), top))
            cells += [(q, q + h, q - h / 8, q + 7 * h / 8) for h in (F(top, 2 ** k) for k in range(5, 14))]
            for c in cells:       # the second kind: the corner (q0, p0) below the line, the cell mostly above it
                assert c[2] < c[1] and c[0] < c[3]          # the diagonal crosses the cell
                assert not S._leaf("D", name, n, w, *c), (q, c)


def test_a_genuine_spread_fixed_point_blocks_d_and_g(monkeypatch):
    """tanh's G1 and G2 shifted so that both vanish at (q, p) = (1.3, 0.9), off both lines at n = 6: no "g" or "D"
    leaf closes any dyadic cell holding it, while unshifted they close some (the test is not vacuous)."""
    with ctx.workprec(128):
        g1, g2 = S.g12("tanh", 6, arb(2), arb("1.3"), arb("0.9"))
    orig = S._g12_odd

    def closed(tags):
        with ctx.workprec(128):
            return [any(S._leaf(t, "tanh", 6, F(2), *c) for t in tags) for c in _cells_around(
                F(13, 10), F(9, 10), range(3, 12), 8)]
    assert any(closed("g")) and any(closed("D"))

    def shifted(name, n, w, q, p, only_g1=False):
        a, b = orig(name, n, w, q, p, only_g1)
        return a - g1, None if b is None else b - g2
    monkeypatch.setattr(S, "_g12_odd", shifted)
    assert not any(closed("gD12"))


def test_the_leaves_decide_nothing_outside_their_reach():
    """"g" is Mehler's only (erf, sin, gelu: never); "D" needs rho < 1 on the cell (a cell across the two-point line
    p = (n-1)^2 q is not closed) and q0 > 0; neither on a cell whose p side holds 0 (D: no partials there)."""
    with ctx.workprec(128):
        assert not S._leaf("g", "erf", 5, F(2), F(1), F(9, 8), F(1, 2), F(5, 8))
        assert S._leaf("1", "erf", 5, F(2), F(1), F(9, 8), F(1, 2), F(5, 8))      # where "1" closes it
        assert S._leaf("g", "tanh", 8, F(2), F(3), F(25, 8), F(1, 2), F(5, 8))
        assert not S._leaf("D", "tanh", 8, F(2), F(0), F(1, 8), F(1, 16), F(1, 8))
        assert not S._leaf("D", "tanh", 8, F(2), F(1, 64), F(2, 64), F(47, 64), F(50, 64))   # rho = 1 at p = 49 q
        assert not S._leaf("D", "tanh", 8, F(2), F(3), F(25, 8), F(0), F(1, 8))


def test_relabelled_covers_are_refused():
    """The stored tanh cover relabelled (n, sigma_w^2 with its square, activation, top), or with a gap, is refused (each
    at its first cell that does not hold, or before any arithmetic); a cut or run-on tree: the slow test below."""
    bad = [dict(TANH8, n=9), dict(TANH8, n=7), dict(TANH8, weight_var="3/2"), dict(TANH8, weight_var="3"),
           dict(TANH8, activation="sigmoid"), dict(TANH8, activation="erf"), dict(TANH8, activation="silu"),
           dict(TANH8, activation="elu", alpha="1"), dict(TANH8, top="9"), dict(TANH8, tree="4SSS"),
           dict(TANH8, tree="4SSSg")]
    for b in bad:
        with pytest.raises(trusted.Rejected):
            S.check_spread_none(b)


@pytest.mark.slow
def test_forged_covers_are_refused():
    """The stored tanh cover cut short (a gap), run on, or with a "g" or "D" leaf where that test does not hold (for a
    "2" that neither closes, for the "X" of the simplex point)."""
    t = TANH8["tree"]
    iX = t.index("X")
    bad = [dict(TANH8, tree=t[:-1]), dict(TANH8, tree=t + "g"), dict(TANH8, tree=t[:iX] + "D" + t[iX + 1:]),
           dict(TANH8, tree=t[:iX] + "g" + t[iX + 1:])]
    leaves = _leaves(TANH8)
    with ctx.workprec(128):      # a "2" leaf that neither "g" nor "D" closes, turned into each
        for i in (i for i, ch in enumerate(t) if ch == "2"):
            cell = leaves[sum(ch != "4" for ch in t[:i])]
            assert cell[0] == "2"
            if not any(S._leaf(tag, "tanh", 8, F(2), *cell[1:]) for tag in "gD"):
                bad += [dict(TANH8, tree=t[:i] + tag + t[i + 1:]) for tag in "gD"]
                break
        else:
            pytest.fail("every 2 leaf is closed by g or D too")
    for b in bad:
        with pytest.raises(trusted.Rejected):
            S.check_spread_none(b)


def test_the_price_counts_the_new_leaves():
    """"D" is priced as "1" (its cell's sides and corner: four variance balls), "g" by its q side alone; elu's
    integrals by the bit length of their variance (no cap at 1000: 10^15 weighs more than 10^3)."""
    one = dict(TANH8, tree="4" + "1" * 4)
    assert S.odd_integrals(dict(one, tree="4" + "D" * 4)) == S.odd_integrals(one)
    assert 0 < S.odd_integrals(dict(one, tree="4" + "g" * 4)) < S.odd_integrals(one)
    # its two q sides [0, 4] and [4, 8] (q0 = 0 is priced though the leaf fails there): each a whole series' integrals
    assert S.odd_integrals(dict(one, tree="4" + "g" * 4)) >= 2 * ((S._terms("tanh", 4.0) + 12) // 4)
    assert S.odd_integrals(dict(one, tree="44" + "g" * 4 + "O" * 3)) > S.odd_integrals(dict(one, tree="4" + "g" + "O" * 3))
    elu = dict(ELU5, tree="4" + "1" * 4)
    small, big = dict(elu, top=str(F(ELU5["top"]))), dict(elu, top=str(F(ELU5["top"]) * 10 ** 12))
    assert S.odd_integrals(big) > S.odd_integrals(small)
    huge, vast = dict(elu, top=str(F(ELU5["top"]) * 10 ** 30)), dict(elu, top=str(F(ELU5["top"]) * 10 ** 100))
    assert S.odd_integrals(vast) > 3 * S.odd_integrals(huge)    # 34 ms per integral at 10^100, 5 to 8 at 10^30


@pytest.mark.slow
@pytest.mark.parametrize("item", [TANH8, ELU5])
def test_stored_covers_are_checked_and_refute(item):
    """Checked from an empty cache (computing at most the integrals the price counts), refuting and proving."""
    name, n, w = item["activation"], item["n"], item["weight_var"]
    calls, real = [], S._even
    S._even = lambda *a: calls.append(1) or real(*a)
    try:
        S._COEF.clear()
        fact = S.check_spread_none(item)
    finally:
        S._even = real
    assert fact["fact"] == "spread-none" and fact["n"] == n and not fact["only_stable"]
    assert 0 < len(calls) <= S.odd_integrals(item)
    alpha = "1" if name == "elu" else None
    assert trusted.decide(_claim("attractor-stable", act=name, n=str(n), w=w, alpha=alpha), [item])[0] == "refuted"
    assert trusted.decide(_claim("attractor-threshold", act=name, n=str(n), w=w, alpha=alpha,
                                 params={"value": "none"}), [item])[0] == "proved"
    for claim in (_claim(act=name, n=str(n + 1), w=w, alpha=alpha), _claim(act=name, n=str(n), w="3", alpha=alpha)):
        with pytest.raises(trusted.Rejected):
            trusted.decide(claim, [item])


@pytest.mark.slow
def test_the_search_finds_the_brief_s_covers():
    """tanh at sigma_w^2 = 2, n = 14 (54.9 M before "D") and elu at 2, n = 5 (41.3 M before "g" and elu's price): both
    within one certificate's budget now."""
    for name, n in (("tanh", 14), ("elu", 5)):
        item = C.search_item(name, n, 2)
        assert item is not None and trusted.items.work(item) <= trusted.kernel.CERT_WORK
        assert S.check_spread_none(item)["fact"] == "spread-none"
