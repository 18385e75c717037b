"""The trusted checker: a small package that imports nothing from the rest of bnverify.

About 1,980 lines of code (no docstrings, comments or blank lines; tests/test_trusted.py counts
them): more than lrat-check's 300 because it derives the obligation of each of nineteen
properties itself (kernel, ~830 lines: one goal of ~10-80 lines per property) and carries its
own model of the dynamics (model, ~210: one block computation on class patterns serves every n)
instead of trusting certificate data.

kernel   claim -> obligation (canonical statement) -> verdict; certificate format, work budget; check()
base     exact numbers, a bounded expression language, regions, the one cover check, positivity
model    the independent model of the dynamics (twin table at its top), the one Dual
items    evidence items (Krawczyk boxes, classification covers) -> facts; their work and shape
alln     the attractor's all-n branch in t = 1/n (boxes, series with tail bounds)
simplex  the simplex state's all-n branch
basins   basin covers of the reduced map rho -> h(rho) -> the exact basin of each fixed point
rank     kappa's series (positive definiteness), exact null vectors, the converse (singular kernels)
smt      queries written from obligations, decided by z3 and cvc5
stages   the goal stage-fact: the stage ablation's exact rows (bnverify decompose), from stages, alpha, n
"""
from .kernel import FORMAT, NoGoal, check, check_file, decide, goal  # noqa: F401
from .base import Rejected, content_hash  # noqa: F401
