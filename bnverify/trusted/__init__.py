"""The trusted checker: a small package that imports nothing from the rest of bnverify.

About 1,600 lines: more than lrat-check's 300 because it derives the obligation of each of
fourteen properties itself (kernel, ~670 lines: one goal of ~30 lines per property) and
carries its own model of the dynamics (model, ~440) instead of trusting certificate data.

kernel  claim -> obligation (canonical statement) -> verdict; certificate format; check()
base    exact numbers, expressions, regions, positivity
model   the independent model of the dynamics (twin table at its top)
items   evidence items (Krawczyk boxes, classification covers) -> facts
basins  basin covers of the reduced map rho -> h(rho) -> the exact basin of each fixed point
smt     queries written from obligations, decided by z3 and cvc5
stages  the stage ablation's exact rows (bnverify decompose): goal from the stage set, alpha, n
"""
from .kernel import FORMAT, NoGoal, check, check_file, decide, goal  # noqa: F401
from .base import Rejected, content_hash  # noqa: F401
