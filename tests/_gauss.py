"""Fixed-degree Gauss-Legendre for the tests' mpmath references (no bnverify in it).

mpmath.quad(f, cuts, method="gauss-legendre", maxdegree=m) evaluates f at every degree 1, 2, .., m in turn (3 2^(d-1)
nodes each, 45 per piece at m = 4) and returns the highest degree's sum unless two successive sums agree to the working
precision first; ``gl(f, cuts, m)`` evaluates that highest degree's sum alone (24 nodes per piece at m = 4), the same
nodes and weights (mpmath's own, cached per cuts, degree and precision): the value quad returns whenever it reaches
degree m, at a quarter of the work in two dimensions."""
import functools

import mpmath
from mpmath.calculus.quadrature import GaussLegendre


@functools.lru_cache(maxsize=None)
def _nodes(cuts, degree, prec):
    rule, out = GaussLegendre(mpmath.mp), []
    with mpmath.workprec(prec):
        for a, b in zip(cuts, cuts[1:]):
            out += rule.get_nodes(mpmath.mpf(a), mpmath.mpf(b), degree, prec + 20)    # quad's guard bits
    return tuple(out)


def nodes(cuts, degree):
    """(x, w) pairs of the degree-``degree`` rule on each piece of ``cuts``, at the working precision."""
    return _nodes(tuple(mpmath.mpf(c) for c in cuts), degree, mpmath.mp.prec)


def gl(f, cuts, degree=4):
    """sum_k w_k f(x_k) over the pieces of ``cuts``: mpmath.quad's degree-``degree`` Gauss-Legendre sum."""
    return mpmath.fdot((w, f(x)) for x, w in nodes(cuts, degree))
