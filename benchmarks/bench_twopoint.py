"""The two-point family of RC + a non-homogeneous phi (docs/two-point.md), in one run: per
activation and n, the untrusted search (float scan, float bisection, mpmath refinement) and the
trusted kernel's re-check of its bracket item; for tanh the cover (every root in one bracket),
search and re-check; and the float rule's own error at the fixed point (Gauss-Hermite at 40 and
120 nodes against the kernel's ball), which is why the search refines in mpmath.

    python benchmarks/bench_twopoint.py

Process seconds (the machine is shared).  The floor of the kernel's check is its integrals: six
acb.integral calls of an analytic integrand on [-12, 0] and [0, 12] per bracket end."""
from __future__ import annotations

import time
from fractions import Fraction

from bnverify import trusted
from bnverify.claims.properties import two_point as search
from bnverify.core.activations import activation
from bnverify.derive import twopoint


def timed(f, *a):
    t = time.process_time()
    out = f(*a)
    return out, time.process_time() - t


def main():
    print("%-8s %4s %3s  %8s  %8s  %6s  %22s  %10s  %10s" % ("phi", "w", "n", "search", "kernel", "ratio", "s*",
                                                             "GH40 err", "GH120 err"))
    for name, w in (("tanh", 2), ("erf", 1), ("sin", 2), ("elu", 2)):
        act = activation(name)
        for n in (5, 16, 64):
            item, ts = timed(search.bracket_item, act, n, w)
            fact, tk = timed(trusted.items.check_item, item)
            s_ball = fact["shown"][2]
            mid = float(s_ball.strip("[]").split("+/-")[0])
            errs = [abs(twopoint.distances(act, n, w, [mid], nodes)[0] - mid) for nodes in (40, 120)]
            print("%-8s %4s %3d  %7.3fs  %7.3fs  %6.1f  %22s  %10.1e  %10.1e" % (name, w, n, ts, tk, ts / tk,
                                                                              s_ball[:22], *errs))
    print()
    print("cover (every root of S(s) = s in one bracket), tanh, sigma_w^2 = 2")
    for n in (5, 16, 64):
        item, ts = timed(search.cover_item, activation("tanh"), n, Fraction(2))
        trusted.items._SEEN.clear()
        fact, tk = timed(trusted.items.check_item, item)
        print("  n = %-3d pieces %3d  search %.3fs  kernel %.3fs  spectral radius >= %.6f"
              % (n, len(item["below"]) + len(item["above"]) - 2, ts, tk, float(fact["radius"][0])))
    print()
    simplex()


def simplex():
    """The simplex state: the search (float tensor Gauss-Hermite scan and bisection, then the kernel's
    evaluator at the bracket's ends) against the kernel's re-check (Mehler's series: N + 3 Hermite
    coefficients, one acb.integral each, at the ends and over the bracket); and the tensor
    Gauss-Hermite rule's error in S(s*) - s* (neural-tangents' kind of rule) against the kernel's ball."""
    from flint import arb, ctx

    print("simplex state s I + b J (Mehler's series in the kernel)")
    print("%-6s %2s %3s %6s  %8s  %8s  %6s  %22s  %10s  %10s  %10s" % (
        "phi", "w", "n", "terms", "search", "kernel", "ratio", "s*", "GH20 err", "GH40 err", "GH80 err"))
    for name, w in (("tanh", 2), ("erf", 2), ("sin", 2), ("elu", 2)):
        act = activation(name)
        for n in (3, 8, 64):
            item, ts = timed(search.simplex_bracket_item, act, n, w)
            trusted.items._SEEN.clear()
            fact, tk = timed(trusted.items.check_item, item)
            with ctx.workprec(128):
                mid = (trusted.twopoint.ball(Fraction(item["lo"])) + trusted.twopoint.ball(Fraction(item["hi"]))) / 2
                alpha = Fraction(act.alpha) if act.takes_alpha else Fraction(0)
                exact = trusted.twopoint.distance("simplex", name, alpha, n, Fraction(w), mid) - mid
                m = float(mid.mid())
                errs = [abs(twopoint.simplex_distances(act, n, w, [m], nodes)[0] - m - float(exact.mid()))
                        for nodes in (20, 40, 80)]
            terms = trusted.mehler.terms(Fraction(1, n - 1), 2.0 ** -60) + 3
            print("%-6s %2s %3d %6d  %7.3fs  %7.3fs  %6.2f  %22s  %10.1e  %10.1e  %10.1e" % (
                name, w, n, terms, ts, tk, ts / tk, fact["shown"][2][:22], *errs))
    print()
    print("simplex cover (every root of the simplex state's S(s) = s in one bracket), sigma_w^2 = 2")
    for name in ("tanh", "sin"):
        for n in (3, 8, 64):
            br = search.simplex_bracket_item(activation(name), n, 2)
            item, ts = timed(search.cover_item, activation(name), n, Fraction(2), br, "simplex")
            trusted.items._SEEN.clear()
            fact, tk = timed(trusted.items.check_item, item)
            print("  %-5s n = %-3d pieces %3d  search %.3fs  kernel %.3fs  priced %.1fM  spectral radius <= %.6f"
                  % (name, n, len(item["below"]) + len(item["above"]) - 2, ts, tk, trusted.items.work(item) / 1e6,
                     float(fact["radius"][1])))


if __name__ == "__main__":
    main()
