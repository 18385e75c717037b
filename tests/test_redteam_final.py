"""Final red team of this session's trusted two-point pieces together (bnverify/trusted/twopoint.py): the straddling
near-zero bounds in _near_zero (below with each side's inf phi', above with each side's sup |phi'|), the parity lemma
(lemma, grows, PARITY) and the none / grow items.  S(s) = E[(phi(p) - phi(q))^2] is written here apart from the
package (float64 Gauss-Legendre, tests/gaussfloat.py), p - q = lam Z, lam^2 = sigma_w^2 s, p = (n-1) lam Z/n: a refutation by an item must have S(s)/s on one side of 1 on
the whole log grid 1e-8..1e6, and an item forged where S(s) = s has a root is refused, whatever its T, s_min or eps."""
from fractions import Fraction

import pytest

import gaussfloat
from bnverify import trusted
from bnverify.claims.properties import two_point as search
from bnverify.core.activations import activation


def _ratios(name, alpha, n, w):
    """S(s)/s at s = 10^(k/2), k = -16..12, in float64 (tests/gaussfloat.py, checked against mpmath there; the
    margins here are 1e-4 and more)."""
    return [gaussfloat.two_point_S(name, n, w, 10 ** (k / 2), Fraction(alpha)) / 10 ** (k / 2) for k in range(-16, 13)]


def _claim(name, alpha, n, w, state="two-point"):
    domain = {"n": str(n)}
    if name == "elu":
        domain["alpha"] = alpha
    return {"property": "fixed-point", "stages": ["rc"], "activation": name, "domain": domain,
            "params": {"state": state}, "weight_var": w}


# (activation, alpha, n, w, sign): items the search finds, on both sides of 1, with the two-point's mixed slopes
# (ELU(1/10) at 5/2, n = 3: S(s)/s from 0.69 to 0.81; ELU(1/100) at 3, n = 1000: from 1.497 to 1.4972)
ITEMS = [("elu", "1/10", 3, "5/2", -1), ("elu", "1/2", 3, "3/2", -1), ("softplus", "0", 3, "3/2", -1),
         ("elu", "1/100", 1000, "3", 1), ("elu", "1/2", 1000, "3", 1),
         pytest.param("gelu", "0", 3, "3", -1, marks=[pytest.mark.slow, pytest.mark.mutation])]


@pytest.mark.parametrize("name,alpha,n,w,sign", ITEMS)
def test_a_none_or_grow_item_refutes_only_where_quadrature_agrees(name, alpha, n, w, sign):
    act = activation(name, alpha) if name == "elu" else activation(name)
    item = (search.none_item if sign < 0 else search.grow_item)(act, n, Fraction(w))
    assert item is not None
    fact = trusted.items.check_item(dict(item))
    assert fact["fact"] == "two-point-" + ("none" if sign < 0 else "grow")
    verdict, _, reason = trusted.decide(_claim(name, alpha, n, w), [item])
    assert verdict == "refuted" and ("collapses" if sign < 0 else "grows") in reason
    assert all((r - 1) * sign > 0 for r in _ratios(name, alpha, n, w))


# (activation, alpha, n, w): S(s) = s has a root (S(s)/s crosses 1 by 2e-3 at least), the near-zero mix on the far side of 1
ROOTS = [("elu", "1/10", 3, "7/2"), ("elu", "1/2", 3, "3"), ("elu", "3", 3, "1/2"), ("elu", "1", 3, "3/2")]


@pytest.mark.parametrize("name,alpha,n,w", ROOTS)
def test_an_item_forged_where_a_root_exists_is_refused(name, alpha, n, w):
    """Take a real none (grow) item's shape, put it at a (name, alpha, n, w) with a root and try T from 1/100 to 10^4,
    s_min from 10^-14 to 10^5 (beyond the root, with pieces of ratio 101/100 up to 2 s_min: there only the near-zero
    bound stands between the item and a false refutation) and eps from 1/100 to 9/10: the kernel refuses every one."""
    r = _ratios(name, alpha, n, w)
    assert min(r) < 1 < max(r)
    for sign, base in ((-1, ("elu", "1/10", 3, "5/2")), (1, ("elu", "1/2", 1000, "3"))):
        act = activation(base[0], base[1])
        item = (search.none_item if sign < 0 else search.grow_item)(act, base[2], Fraction(base[3]))
        for T in ("1/100", "1", "3", "100", "10000"):
            for k in (-14, -6, -2, 0, 3, 5):
                s_min = Fraction(10) ** k
                if k >= 3:
                    cuts = [s_min]
                    while cuts[-1] < 2 * s_min:
                        cuts.append(cuts[-1] * Fraction(101, 100))
                else:
                    cuts = [s_min] + [Fraction(c) for c in item["cuts"] if Fraction(c) > s_min]
                for eps in ("1/100", "1/10", "9/10"):
                    forged = dict(item, activation=name, alpha=alpha, n=n, weight_var=w, T=T, eps=eps,
                                  cuts=[str(c) for c in cuts])
                    with pytest.raises(trusted.Rejected):
                        trusted.items.check_item(forged)


@pytest.mark.parametrize("name,alpha", [("elu", "1/100"), ("elu", "3"), ("gelu", "0"), ("softplus", "0")])
def test_at_four_and_above_the_parity_lemma_and_no_none_item(name, alpha):
    """At sigma_w^2 >= 4 the parity lemma refutes every two-point fixed point with 'grows' (never 'collapses'), and a
    none item moved there (S(s) < s claimed) is refused: S(s) >= sigma_w^2 s/4 >= s."""
    act = activation("elu", "1/10")
    item = search.none_item(act, 3, Fraction(5, 2))
    for w in ("4", "9/2"):
        verdict, _, reason = trusted.decide(_claim(name, alpha, 3, w), [])
        assert verdict == "refuted" and "grows" in reason and "collapses" not in reason
        with pytest.raises(trusted.Rejected):
            trusted.items.check_item(dict(item, activation=name, alpha=alpha, weight_var=w))


def test_a_fact_at_another_alpha_or_state_does_not_decide():
    """ELU(1/10)'s none fact at sigma_w^2 = 5/2, n = 3 leaves ELU(1/2) (a root at 5/2) and the simplex state
    undecided: the goal takes facts of its own alpha and state only."""
    item = search.none_item(activation("elu", "1/10"), 3, Fraction(5, 2))
    for claim in (_claim("elu", "1/2", 3, "5/2"), _claim("elu", "1/10", 3, "5/2", "simplex")):
        with pytest.raises(trusted.Rejected):
            trusted.decide(claim, [item])
