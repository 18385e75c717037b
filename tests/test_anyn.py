"""Per-n enclosures at any n (issue 24, item 1): `attractor --n N` and `simplex --n N` at
n = 100, 12345 and 10^6 against mpmath solutions at 40 digits computed here from the model's
definition alone (README: C G C, the arc-cosine kernel, a cluster-symmetric Gram matrix),
independently of bnverify.derive; the per-n certificate re-checks in the trusted kernel, and
forged ones (the box moved off the root, n relabelled) are rejected."""
from __future__ import annotations

import copy
import json
from fractions import Fraction

import mpmath as mp
import pytest

from bnverify import trusted
from bnverify.claims import sweep
from bnverify.claims.certificate import rehash
from bnverify.core.activations import Activation
from bnverify.derive import states

NS = (100, 12345, 10 ** 6)
DPS = 40
RELU = Activation("relu")


# ---------------------------------------------------------------- the model, in mpmath
def kappa(r):
    """ReLU's kernel on unit variances: (sqrt(1 - r^2) + (pi - arccos r) r) / (2 pi)."""
    return (mp.sqrt(1 - r * r) + (mp.pi - mp.acos(r)) * r) / (2 * mp.pi)


def centred(o, x, b, n):
    """C G C for G = [cluster: 1 on the diagonal, o off it; x cluster-odd; b odd], C = I - 11^T/n:
    Sigma_jk = G_jk - r_j/n - r_k/n + T/n^2 (r the row sums, T the total); returns
    (cluster diagonal, cluster off-diagonal, cross, odd diagonal)."""
    m = n - 1
    rc, ru = 1 + (m - 1) * o + x, m * x + b
    T = m * rc + ru
    return (1 - 2 * rc / n + T / n ** 2, o - 2 * rc / n + T / n ** 2,
            x - (rc + ru) / n + T / n ** 2, b - 2 * ru / n + T / n ** 2)


def image(o, x, b, n):
    """F(G) = K(C G C) for the arc-cosine kernel: (a, o, x, b) of the image."""
    scc, sco, scx, suu = centred(o, x, b, n)
    return (scc / 2, scc * kappa(sco / scc), mp.sqrt(scc * suu) * kappa(scx / mp.sqrt(scc * suu)), suu / 2)


def attractor(n):
    """The spread-cluster fixed point of s -> (F_o, F_x, F_b) / F_a, solved by mp.findroot at 40
    digits in unknowns scaled to O(1) (1 - o ~ 1/n^2, x ~ 1/n^2, b ~ n^2), started from the leading
    terms 1 - o ~ (9 pi^2/2)/n^2, x/sqrt(b) ~ (9 sqrt(2) pi^2/4)/n^3, sqrt(b) ~ n."""
    with mp.workdps(DPS):
        N = mp.mpf(n)

        def f(u, p, q):
            o, x, b = 1 - u / N ** 2, p / N ** 2, q * N ** 2
            a2, o2, x2, b2 = image(o, x, b, n)
            return [(o2 / a2 - o) * N ** 2, (x2 / a2 - x) * N ** 2, (b2 / a2 - b) / N ** 2]
        u, p, q = mp.findroot(f, (9 * mp.pi ** 2 / 2, 9 * mp.sqrt(2) * mp.pi ** 2 / 4, 1))
        o, x, b = 1 - u / N ** 2, p / N ** 2, q * N ** 2
        assert max(abs(r) for r in f(u, p, q)) < mp.mpf(10) ** -15     # converged (roundoff grows with n)
        scc, sco, _, _ = centred(o, x, b, n)
        # the pair block (zero-sum cluster patterns H): C H C = H and DK[H] = kappa'(rho) H, so its
        # eigenvalue in DF(G*)/c, c = F_a, is kappa'(rho)/c, kappa'(r) = (pi - arccos r)/(2 pi)
        pair = (mp.pi - mp.acos(sco / scc)) / (2 * mp.pi) / (scc / 2)
        return {"cluster_cos": o, "odd_cos": x / mp.sqrt(b), "norm_ratio": mp.sqrt(b), "pair": pair,
                "radius": radius(o, x, b, n), "state": (o, x, b)}


# A Gram matrix invariant under the permutations of cluster points 3..n-1 ("rest"): 11 entries
# (points 1, 2, the rest r, the odd point u).  F maps this family to itself, and its tangent space
# holds every block of the linearization at a cluster-symmetric state (trivial; standard twice;
# pair once), so the spectral radius is that of F's 11 x 11 Jacobian there (G*'s own direction,
# eigenvalue 1 of DF/c, dropped).
ENTRIES = ("11", "22", "12", "1r", "2r", "rr", "rR", "1u", "2u", "ru", "uu")   # rR: r off-diagonal


def four_class_image(g, n):
    """F(G) = K(C G C) on the 11 entries (class sizes 1, 1, n - 3, 1), from the definitions."""
    e = dict(zip(ENTRIES, g))
    k = n - 3

    def G(i, j):                # i, j in "12ru"; r, r means two different rest points
        if i == j:
            return e[i + i] if i != "r" else e["rr"]
        key = "".join(sorted((i, j), key="12ru".index))
        return e[key]
    rows = {"1": e["11"] + e["12"] + k * e["1r"] + e["1u"], "2": e["12"] + e["22"] + k * e["2r"] + e["2u"],
            "r": e["1r"] + e["2r"] + e["rr"] + (k - 1) * e["rR"] + e["ru"],
            "u": e["1u"] + e["2u"] + k * e["ru"] + e["uu"]}
    T = rows["1"] + rows["2"] + k * rows["r"] + rows["u"]

    def S(i, j, same=False):
        g_ij = e["rR"] if (i == j == "r" and not same) else G(i, j)
        return g_ij - rows[i] / n - rows[j] / n + T / n ** 2
    out = []
    for name in ENTRIES:
        i, j = name[0], name[1].lower()
        if name in ("11", "22", "rr", "uu"):
            out.append(S(i, i, same=True) / 2)
        else:
            d = mp.sqrt(S(i, i, same=True) * S(j, j, same=True))
            out.append(d * kappa(S(i, j) / d))
    return out


def radius(o, x, b, n):
    """max |eigenvalue| of DF(G*)/c without G*'s direction, by central differences at 80 digits."""
    with mp.workdps(2 * DPS):
        g = [1, 1, o, o, o, 1, o, x, x, x, b]
        c = four_class_image(g, n)[0]
        h = mp.mpf(10) ** -30
        cols = []
        for j in range(len(g)):
            up, dn = list(g), list(g)
            up[j] += h
            dn[j] -= h
            cols.append([(a - z) / (2 * h * c) for a, z in zip(four_class_image(up, n), four_class_image(dn, n))])
        J = mp.matrix(cols).T
        ev = sorted(mp.eig(J, left=False, right=False), key=lambda z: abs(z - 1))
        assert abs(ev[0] - 1) < mp.mpf(10) ** -25          # G*'s own direction
        return max(abs(z) for z in ev[1:])


def inside(x, bounds):
    lo, hi = (mp.mpf(b) for b in bounds)
    return lo <= x <= hi


def digits(bounds):
    lo, hi = (Fraction(b) for b in bounds)
    return (hi - lo) <= Fraction(1, 10 ** 12) * abs(lo + hi) / 2


@pytest.fixture(scope="module")
def rows(run_cli):
    out = {}
    for n in NS:
        code, text, err = run_cli("attractor", "--n", n, "--json")
        assert code == 0, err[-2000:]
        (out[n],) = json.loads(text)["results"]
    return out


@pytest.mark.parametrize("n", NS)
def test_attractor_enclosures_contain_the_mpmath_solution(rows, n):
    row, ref = rows[n], attractor(n)
    assert row["n"] == n and row["status"] == "proved" and row["checked"]
    for field in ("cluster_cos", "odd_cos", "norm_ratio"):
        assert inside(ref[field], row[field]), (field, row[field], ref[field])
        assert digits(row[field]), (field, row[field])
    assert digits(row["spectral_radius"]), row["spectral_radius"]
    assert inside(ref["radius"], row["spectral_radius"]), (row["spectral_radius"], ref["radius"])
    assert ref["pair"] < mp.mpf(row["spectral_radius"][0])         # not the pair block's


def test_a_range_above_64_is_a_table_without_a_smallest_n(cli_json):
    doc = cli_json("attractor", "--n", "1000..1001", "--jobs", "1")
    assert [r["n"] for r in doc["results"]] == [1000, 1001]
    assert all(r["status"] == "proved" and r["checked"] for r in doc["results"])
    assert doc["smallest_n"] is None and "above n = 64" in doc["smallest_n_note"]


@pytest.mark.parametrize("n", NS)
def test_simplex_enclosures_contain_the_mpmath_value(cli_json, n):
    (row,) = cli_json("simplex", "--n", n)["results"]
    assert row["status"] == "proved" and row["checked"]
    with mp.workdps(DPS):
        assert inside(kappa(mp.mpf(-1) / (n - 1)) / kappa(mp.mpf(1)), row["simplex_cos"])
    assert inside(1, row["norm_ratio"])
    for field in ("simplex_cos", "spectral_radius"):
        assert digits(row[field]), (field, row[field])


# ---------------------------------------------------------------- certificates
@pytest.fixture(scope="module")
def certs():
    out = {}
    for n in NS:
        v = sweep.checked_state(states.certify_attractor(n, RELU), "attractor", RELU)
        assert v.status == "proved" and v.certificate is not None
        out[n] = v.certificate
    return out


@pytest.mark.parametrize("n", NS)
def test_the_per_n_certificate_rechecks(certs, n):
    ok, msg = trusted.check(certs[n])
    assert ok and msg.startswith("proved: "), msg
    (item,) = certs[n]["evidence"]
    assert item["type"] == "symmetric-state" and item["n"] == n and "V" in item


def _forged(cert, edit):
    cert = copy.deepcopy(cert)
    edit(cert)
    try:
        cert["statement"] = trusted.goal(cert["claim"])[1].statement
    except Exception:
        pass
    return rehash(cert)


def _move_box(cert):
    """Shift the cluster cosine's box by 1000 of its radii: off the root, same size."""
    box = cert["evidence"][0]["box"][0]
    mid, rad = Fraction(box["mid"][0]) * Fraction(2) ** box["mid"][1], Fraction(box["rad"][0]) * Fraction(2) ** box["rad"][1]
    moved = mid + 1000 * rad
    e = box["mid"][1]
    box["mid"] = [int(moved / Fraction(2) ** e), e]


def _relabel(k):
    def edit(cert):
        n = cert["evidence"][0]["n"] + k
        cert["evidence"][0]["n"] = n
        cert["claim"]["domain"]["n"] = str(n)
    return edit


def _claim_only(k):
    def edit(cert):
        cert["claim"]["domain"]["n"] = str(int(cert["claim"]["domain"]["n"]) + k)
    return edit


FORGERIES = {  # name -> (edit, what the kernel must say)
    "box-moved": (_move_box, "Krawczyk"),
    "n+1": (_relabel(1), "Krawczyk"),        # item and claim relabelled together: the box is not n+1's
    "n-1": (_relabel(-1), "Krawczyk"),
    "n-2": (_relabel(-2), "Krawczyk"),
    "claim-n-1": (_claim_only(-1), "says nothing"),   # the item still names n
}


@pytest.mark.parametrize("n", NS)
@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_forged_per_n_certificates_are_rejected(certs, n, forgery):
    edit, why = FORGERIES[forgery]
    if forgery == "n+1" and n == 10 ** 6:
        pytest.skip("10^6 + 1 is beyond the kernel's range (n-2 stands in)")
    ok, msg = trusted.check(_forged(certs[n], edit))
    assert not ok and why in msg, (forgery, msg)
