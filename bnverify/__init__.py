"""bnverify: machine-checked companion to "Batch Normalization Decomposed" (arXiv 2412.02843).

    import bnverify as bnv
    bnv.verify()                          # the catalogue: a table in Jupyter, .to_json()
    bnv.check("simplex-state")            # one claim: a Result with its verdict
    bnv.attractor(n=8)                    # a command: a typed result, enclosures as bnv.Interval

The API is documented in docs/api.md.
"""
COMMANDS = ["atlas", "attractor", "basins", "bsb1", "check_cert", "decompose", "endstate", "gradients", "gram_starts",
            "jacobian", "kernel", "lyapunov", "phase", "rank", "simplex", "simulate"]
__all__ = ["BadInput", "Claim", "ClaimError", "Interval", "LimitError", "Results", "catalogue", "check",
           "claim", "verify", "__version__"] + COMMANDS


def __getattr__(name):
    """Every name on first use: each submodule import runs this file first, and ``import
    bnverify.trusted`` (the independent checker) must load nothing else of bnverify."""
    if name in ("Results", "catalogue", "check", "claim", "verify") or name in COMMANDS:
        from . import api

        return getattr(api, name)
    if name == "Interval":
        from .core.interval import Interval

        return Interval
    if name == "Claim":
        from .claims.spec import Claim

        return Claim
    if name in ("BadInput", "ClaimError", "LimitError"):
        from . import errors

        return getattr(errors, name)
    if name == "__version__":
        from ._version import __version__

        return __version__
    raise AttributeError("module 'bnverify' has no attribute %r" % name)


def __dir__():
    return sorted(set(globals()) | set(__all__))
