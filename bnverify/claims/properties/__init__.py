"""Properties a claim can check, and the road from a claim to a verdict (:mod:`.road`).

The package's modules: :mod:`.registry` (what the claim loader validates, the claim as the
kernel reads it), :mod:`.jobs` (how a claim splits into jobs), :mod:`.road` (claim -> kernel
obligation -> search -> kernel verdict -> re-check), and the untrusted searches by evidence
kind: :mod:`.states` (one n), :mod:`.branches` (all n), :mod:`.fold`, :mod:`.finite_width`
(simulation, never proves).

The names below are looked up in their module on first use: the claim loader needs only the
registry, and importing it must not import the road with every search behind it.
"""
__all__ = ["ALL_N_FROM", "SIMPLEX_FROM", "PROPERTIES", "Property", "adopt", "all_n", "check", "claim_json",
           "combine", "decide", "job_key", "per_n", "simplex_all_n", "units"]


def __getattr__(name):
    if name in ("PROPERTIES", "Property", "claim_json", "job_key"):
        from . import registry as module
    elif name in ("adopt", "per_n", "units"):
        from . import jobs as module
    elif name in ("ALL_N_FROM", "SIMPLEX_FROM", "all_n", "simplex_all_n"):
        from . import branches as module
    elif name in ("check", "combine", "decide"):
        from . import road as module
    else:
        raise AttributeError("module %r has no attribute %r" % (__name__, name))
    return getattr(module, name)


def __dir__():
    return sorted(set(globals()) | set(__all__))
