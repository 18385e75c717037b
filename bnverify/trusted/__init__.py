"""The trusted checker: a package that imports nothing from the rest of bnverify
(``import bnverify.trusted`` loads none of it; tests/test_architecture.py checks sys.modules).

About 4,000 lines of code (no docstrings, comments or blank lines; tests/test_trusted.py counts
them and holds this figure to within 5 %): the kernel (~1,120: one goal per property, twenty-one
properties, each deriving its own obligation from the claim) and the checker's own models of the
dynamics and evidence checks, instead of trusting certificate data.  The ReLU family's corner
(base, model, items, alln, classify, simplex, basins, rank, stages, smt: ~1,480) came first; the
rest is RS and the activations that are not homogeneous (twopoint, mehler, formula, spreadfam,
spreadbox, rs, rs_family: ~1,300).

kernel     claim -> obligation (canonical statement) -> verdict; certificate format, work budget; check()
base       exact numbers, a bounded expression language, regions, the one cover check, positivity
model      the independent model of the dynamics (twin table at its top), the one Dual
items      evidence items (Krawczyk boxes, classification covers, ...) -> facts; their work and shape
alln       the attractor's all-n branch in t = 1/n (boxes, series with tail bounds)
classify   every n's four fixed points of ReLU's reduction curve and their basins, for n >= n_from
simplex    the simplex state's all-n branch
basins     basin covers of the reduced map rho -> h(rho) -> the exact basin of each fixed point
rank       kappa's series (positive definiteness), exact null vectors, the converse (singular kernels)
smt        queries written from obligations, decided by z3 and cvc5
stages     the goal stage-fact: the stage ablation's exact rows (bnverify decompose), from stages, alpha, n
rs         RS has no linearization at the two-point state
rs_family  rs-cover items: the reduced map of RC + RS + leaky ReLU below the diagonal on pieces of rho
twopoint   two-point and simplex states of any activation: 1-D Gaussian integrals with bounded tails,
           existence brackets, the collapse, trace, flat and parity lemmas, every block of DF
mehler     Mehler's series with rigorous Hermite coefficients (one Gauss-Legendre node set) and Bessel tails
formula    its own reader of a user's formula (ast, never evaluated) as a row of twopoint's table
spreadfam  spread-none covers of the symmetric family (erf, sin, gelu closed; tanh, sigmoid, silu, softplus, elu(1) by Mehler)
           and n = 3's edge point
spreadbox  a spread-cluster point alone in a Krawczyk box at one n, its spectral radius over every block

check_file(path) checks a certificate file with nothing but this package loaded.
"""
from .kernel import FORMAT, NoGoal, check, check_file, decide, goal  # noqa: F401
from .base import Rejected, content_hash  # noqa: F401
