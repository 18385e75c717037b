"""Finite-width claims: simulations, which never prove (their verdict is inconclusive with
the measurement)."""
from __future__ import annotations

import math

from ...sim import lyapunov
from ...errors import BadInput


def finite_width_lyapunov(claim):
    """Lyapunov exponent of the cluster spread at finite width (a simulation: inconclusive)."""
    if not claim.n.finite or len(claim.n) != 1 or claim.width is None:
        raise BadInput("finite-width-lyapunov needs one n and domain.width")
    w = claim.width
    widths = tuple(w) if isinstance(w, tuple) else tuple(sorted({w.lo, int(math.sqrt(w.lo * w.hi)), w.hi}))
    kw = {k: claim.params[k] for k in ("layers", "seeds") if k in claim.params}
    return lyapunov.exponent_verdict(claim.activation, claim.n.lo, widths=widths, **kw)
