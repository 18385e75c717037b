"""Red-team of the trusted evidence kind "classification-branch" (trusted/classify.py and its goals).

Eight tests showed a defect when they were written (marked xfail then; each fails if its defect
comes back): three budget hangs, a routing hang, a false refutation of '[partner, partner]', a
crash on a non-ASCII digit, a leaky statement naming O_n.  The others pin behaviour the attacks
found correct."""
import copy
from fractions import Fraction

import mpmath
import pytest

from bnverify import trusted
from bnverify.claims import properties, spec
from bnverify.derive import classify_alln as ca
from bnverify.trusted import classify as tc
from bnverify.trusted import items


@pytest.fixture(scope="module")
def small():
    return ca.classification_item(100)


def claim(n, prop="classification", stages="rc,relu", alpha=None, **params):
    dom = {"n": n} if alpha is None else {"n": n, "alpha": alpha}
    return properties.claim_json(spec.claim_from_dict(
        {"id": "x", "title": "x", "statement": "s", "property": prop, "expect": "proved",
         "model": {"stages": stages}, "domain": dom, "params": params}, "test"))


def _split(a, b, k):
    """[a, b] in k equal pieces, as strings (each end computed once: the budget tests split into 10^5)."""
    a, b = Fraction(a), Fraction(b)
    ends = [str(a + (b - a) / k * i) for i in range(k + 1)]
    return [[lo, hi] for lo, hi in zip(ends, ends[1:])]


class _Reached(Exception):
    pass


# ---------------------------------------------------------------- budget / hang
def test_budget_counts_a_columns_v_pieces(small, monkeypatch):
    c = copy.deepcopy(small)
    col = c["columns"][0]
    col["below"] = _split(col["below"][0][0], col["below"][-1][1], 50000)
    # before any arithmetic: either the budget refuses, or we stop at the first Krawczyk test (fast)
    monkeypatch.setattr(tc, "krawczyk", lambda *a: (_ for _ in ()).throw(_Reached()))
    with pytest.raises(trusted.Rejected, match="budget"):
        tc.check_classification(c)


def test_budget_counts_a_columns_zeta_pieces(small, monkeypatch):
    c = copy.deepcopy(small)
    col = c["columns"][0]
    last = col["zeta"][-1]
    col["zeta"] = col["zeta"][:-1] + [p + ["convex"] for p in _split(last[0], last[1], 50000)]
    monkeypatch.setattr(tc, "_l1", lambda *a: (_ for _ in ()).throw(_Reached()))
    with pytest.raises(trusted.Rejected, match="budget"):
        tc.check_classification(c)


def test_budget_counts_l2_entries_of_any_length(small, monkeypatch):
    """An l2/u2 entry of length 4 was left out of the budget's sum (len(c) == 3) but read as
    (c[0], c[1], c[2]): a hang.  Such an entry is now refused before any arithmetic."""
    c = copy.deepcopy(small)
    z0, z1, pieces = c["l2"][0]
    c["l2"][0] = [z0, z1, pieces * 1, "x"]
    c["l2"] = c["l2"] * 1
    big = copy.deepcopy(c)
    big["l2"][0][2] = _split(pieces[0][0], pieces[-1][1], 100000)
    monkeypatch.setattr(tc, "_column", lambda *a: None)
    monkeypatch.setattr(tc, "_l2_ok", lambda *a: (_ for _ in ()).throw(_Reached()))
    with pytest.raises(trusted.Rejected, match="budget|chart column is"):
        tc.check_classification(big)


def test_items_work_grows_with_inner_pieces(small):
    c = copy.deepcopy(small)
    c["columns"][0]["below"] = _split(c["columns"][0]["below"][0][0], c["columns"][0]["below"][-1][1], 50000)
    assert items.work(dict(c, type="classification-branch")) > items.work(dict(small, type="classification-branch"))


# ---------------------------------------------------------------- goals: false refuted / statements
def test_degenerate_closed_interval_is_not_refuted(small):
    item = dict(small, type="classification-branch")
    c = claim("100..", prop="basin", state="partner", basin="[partner, partner]")
    try:
        verdict = trusted.decide(c, [item])[0]
    except (trusted.Rejected, trusted.NoGoal):
        return                  # refusing the spelling is fine too
    assert verdict != "refuted"


def test_leaky_statement_does_not_call_rho_one_O_n(small):
    item = dict(small, type="classification-branch")
    _, st, _ = trusted.decide(claim("100..", stages="rc,leaky_relu", alpha="1/2", value=4), [item])
    assert "O_n (rho = 1)" not in st


# ---------------------------------------------------------------- what held (relabelling refused or right)
@pytest.mark.parametrize("kw", [dict(stages="rc,rs,relu"), dict(stages="rs,relu"), dict(stages="rc,identity"),
                                dict(stages="rc,leaky_relu", alpha="1/10"),
                                dict(stages="rc,leaky_relu", alpha="0..1/2")])
def test_basin_relabelled_onto_other_models_is_refused(small, kw):
    item = dict(small, type="classification-branch")
    with pytest.raises((trusted.NoGoal, trusted.Rejected)):
        trusted.decide(claim("100..", prop="basin", state="attractor", basin="(partner, configuration)", **kw),
                       [item])


@pytest.mark.parametrize("prop,params", [("fold-bracket", dict(lo="100", hi="200")), ("attractor-exists", {}),
                                         ("fixed-point", dict(state="simplex"))])
def test_item_relabelled_onto_other_properties_says_nothing(small, prop, params):
    item = dict(small, type="classification-branch")
    with pytest.raises((trusted.NoGoal, trusted.Rejected)):
        trusted.decide(claim("100..200", prop=prop, **params), [item])


def _h_minus_rho(rho, n):
    """From the definition: Sigma(rho) (cluster 1 / rho, odd (n-1) q, cross -q), K the arc-cosine
    kernel, centred, cluster correlation."""
    n, q = mpmath.mpf(n), 1 + (n - 2) * rho

    def kap(r):
        return (mpmath.sqrt(1 - r * r) + r * (mpmath.pi - mpmath.acos(r))) / (2 * mpmath.pi)
    m = n - 1
    k11, k12, kx, koo = mpmath.mpf(1) / 2, kap(rho), mpmath.sqrt(m * q) * kap(-mpmath.sqrt(q / m)), m * q / 2
    rc, ro = (k11 + (m - 1) * k12 + kx) / n, (m * kx + koo) / n
    g = (m * rc + ro) / n
    return (k12 - 2 * rc + g) / (k11 - 2 * rc + g) - rho


@pytest.mark.parametrize("n", [7, 8, 13, 40, 1000, 100000])
def test_independent_truth_four_roots(n):
    """Sign changes of h - rho (computed from the definition, not the project's code) on grids in
    each chart: three in [-1/(n-2), 1), plus rho = 1."""
    with mpmath.workdps(40):
        t = mpmath.mpf(1) / n
        rz = lambda z: ((1 - t) * z * z - t) / (1 - 2 * t)
        zs = 1 / (1 - t)
        pts = {rz(mpmath.mpf(i) / 400) for i in range(401)} | {rz(t * mpmath.mpf(i) / 100) for i in range(301)}
        pts |= {rz(t * (zs + t * mpmath.mpf(i) / 20)) for i in range(-20, 100)}
        pts |= {mpmath.cos(t * mpmath.mpf(i) / 20) for i in range(1, 400)}
        pts = sorted(p for p in pts if -1 / (n - mpmath.mpf(2)) <= p < 1 and abs(p + 1 / (n - mpmath.mpf(1))) > 1e-30)
        f = [_h_minus_rho(p, n) for p in pts]
        changes = sum(1 for a, b in zip(f, f[1:]) if a * b < 0)
        assert changes == 3     # simplex, partner, attractor; O_n at rho = 1


@pytest.mark.parametrize("value", ["\u00b2", "\u0664"], ids=["superscript-two", "arabic-indic-four"])
def test_a_non_ascii_digit_value_is_refused(small, value):
    """'\u00b2' passed str.isdigit and int() raised (a crash); '\u0664' (Arabic-Indic four) was read
    as 4.  The value is now ASCII digits only: refused, never a crash."""
    item = dict(small, type="classification-branch")
    c = claim("100..", value=4)
    c["params"]["value"] = value
    with pytest.raises((trusted.Rejected, trusted.NoGoal)):
        trusted.decide(c, [item])


def test_basin_7_to_64_takes_the_all_n_item():
    from bnverify.claims.properties import branches
    c = spec.claim_from_dict({"id": "x", "title": "x", "statement": "s", "property": "basin", "expect": "proved",
                              "model": {"stages": "rc,relu"}, "domain": {"n": "7..64"},
                              "params": {"state": "attractor", "basin": "(partner, configuration)"}}, "test")
    assert branches.classification_all_n(c)


def test_basin_7_to_64_is_decided_by_the_kernel_from_the_all_n_item():
    """The kernel itself takes the all-n item for 7..64 (so the route above is only a routing choice)."""
    item = dict(ca.classification_item(60), type="classification-branch")
    assert trusted.decide(claim("60..64", prop="basin", state="attractor", basin="(partner, configuration)"),
                          [item])[0] == "proved"
