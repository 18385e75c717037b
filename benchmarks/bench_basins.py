"""The basins of the symmetric reduction per n: the table in docs/basins.md.

For each n (ReLU unless --alpha): the cover's size and time, its trusted re-check time, the
partner's gap to the simplex state (and times n^3, against its limit 2(pi - 2)), the simplex
state's basin width in rho and in cluster cosine (the arc of the curve after one layer), h' at
the attractor, and the layers to come within 1e-6 (in rho) of the attractor from the compact
part of its basin that cuts 1/10 of the way to each end.  Every number is a rigorous bound
from bnverify.derive.basins; the cover is re-checked by bnverify.trusted (basin-cover item).

Run:  python benchmarks/bench_basins.py [--n 7..64] [--alpha 1/10] [--step 1]
"""
from __future__ import annotations

import argparse
import time
from fractions import Fraction

from bnverify.derive import basins
from bnverify.core.activations import Activation
from bnverify.core.ranges import parse_int_range
from bnverify.trusted.items import check_item


def short(b, digits=6):
    return "%.*g" % (digits, float(Fraction(b[1])))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", default="7..64")
    ap.add_argument("--alpha", default=None)
    ap.add_argument("--step", type=int, default=1)
    a = ap.parse_args()
    act = Activation("leaky_relu", Fraction(a.alpha)) if a.alpha else Activation("relu")
    r = parse_int_range(a.n, "n", minimum=3)
    cols = ["n", "pieces", "search_s", "check_s", "partner-simplex", "x n^3", "simplex basin (rho)",
            "simplex basin (cluster cos)", "h'(attractor)", "layers to 1e-6"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for n in range(r.lo, r.hi + 1, a.step):
        t = time.time()
        v = basins.basins(n, act, shrink=(Fraction(1, 10),))
        ts = time.time() - t
        t = time.time()
        fact = check_item(v.certificate)
        tc = time.time() - t
        e = v.evidence
        assert fact["basins"] == {b["to"]: b["interval"] for b in e["basins"]}
        g = e.get("partner_gap")
        simplex = next(b for b in e["basins"] if b["to"] == "simplex")
        att = next((b for b in e["basins"] if b["to"] == "attractor"), None)
        cc = (float(Fraction(simplex["gamma"][1]["cluster_cos"][1])) - float(Fraction(simplex["gamma"][0]["cluster_cos"][0])))
        row = [n, len(v.certificate["pieces"]), "%.1f" % ts, "%.2f" % tc,
               short(g["rho_partner_minus_simplex"]) if g else "-", short(g["times_n3"], 5) if g else "-",
               short(g["simplex_basin_width"]) if g else "all but O_n", "%.4g" % cc,
               short(att["rate"]["h_prime_at_fixed_point"], 5) if att else "-",
               att["rate"]["layers"][0]["layers"] if att else "-"]
        print("| " + " | ".join(str(c) for c in row) + " |", flush=True)


if __name__ == "__main__":
    main()
