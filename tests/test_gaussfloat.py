"""The float64 Gaussian rule of tests/gaussfloat.py against mpmath's quadrature at 20 digits: the cross-checks that
use it stand on this."""
import mpmath
import pytest

import gaussfloat

MP = {"gelu": lambda t: t * mpmath.ncdf(t), "silu": lambda t: t / (1 + mpmath.exp(-t)),
      "softplus": lambda t: mpmath.log1p(mpmath.exp(t)) if t < 30 else t + mpmath.log1p(mpmath.exp(-t)),
      "elu": lambda t: t if t > 0 else mpmath.mpf(1) / 2 * mpmath.expm1(t)}


@pytest.mark.parametrize("name", sorted(MP))
@pytest.mark.parametrize("s", ["1e-8", "0.3", "1e6"])
def test_two_point_S_against_mpmath(name, s):
    n, w = 5, mpmath.mpf(3)
    with mpmath.workdps(20):
        lam = mpmath.sqrt(w * mpmath.mpf(s))
        want = mpmath.quad(lambda z: (MP[name]((n - 1) * lam * z / n) - MP[name](-lam * z / n)) ** 2 * mpmath.npdf(z),
                           [-mpmath.inf, -4, -1, 0, 1, 4, mpmath.inf])
    got = gaussfloat.two_point_S(name, n, 3, float(s), alpha=0.5)
    assert abs(got - float(want)) <= 1e-12 * float(want), (got, want)
