"""Properties a claim can check, and the road from a claim to a verdict (:mod:`.road`).

The package's modules: :mod:`.registry` (what the claim loader validates, the claim as the
kernel reads it), :mod:`.jobs` (how a claim splits into jobs), :mod:`.road` (claim -> kernel
obligation -> search -> kernel verdict -> re-check), and the untrusted searches by evidence
kind: :mod:`.states` (one n), :mod:`.branches` (all n), :mod:`.fold`, :mod:`.finite_width`
(simulation, never proves).
"""
from .branches import ALL_N_FROM, SIMPLEX_FROM, all_n, simplex_all_n
from .jobs import adopt, per_n, units
from .registry import PROPERTIES, Property, claim_json, job_key
from .road import certified_attractor, check, checked_state, combine, decide

__all__ = ["ALL_N_FROM", "SIMPLEX_FROM", "PROPERTIES", "Property", "adopt", "all_n", "certified_attractor", "check", "checked_state",
           "claim_json", "combine", "decide", "job_key", "per_n", "simplex_all_n", "units"]
