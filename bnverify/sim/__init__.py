"""Finite-width simulation studies built on :mod:`bnverify.sim.model` (the network) and
:mod:`bnverify.sim.geometry` (scale-free summaries): geometry classes of an end state
(:mod:`.classes`), the stage decomposition (:mod:`.decompose`), the (n, width) phase
diagram (:mod:`.phase`) and the finite-width spread rate (:mod:`.lyapunov_rate`).

Floating point and sampling: everything here corroborates or suggests, it never proves.
"""
