"""The infinite-width fact for each subset of the stages {RC, RS, NL} (docs/decompose.md).

One function per kind of fact; :func:`infinite_width` picks the one for a stage set.

========================  ============================================================
stages                    fact (how it is decided)
========================  ============================================================
none                      F(G) = G: the kernel of the identity is kappa(rho) = rho (exact)
RC                        F(G) = C G C, a linear projection: C^2 = C for every n (exact)
NL (leaky ReLU, ReLU)     every pairwise correlation rises to 1 (collapse):
                          f(rho) = kappa(rho)/kappa(1) > rho on [-1, 1), and near 1
                          1 - f(1 - e) = e - c e^(3/2) + O(e^(5/2)), so 1 - rho_l ~ 4/(c l)^2
                          (exact: sympy; plus ball arithmetic for the constants)
RC + RS                   F(G) = n E[z z^T/|z|^2], z ~ N(0, C G C): eigenvectors kept, eigenvalue
                          ratios strictly shrink, so G -> C (regular simplex, cosines -1/(n-1));
                          local factor (n-1)/(n+1) per layer (exact: sympy; docs/decompose.md)
RS                        on the family lam C + beta 11^T/n (holds G = I): q = beta/lam grows by
                          (n-1)/(n-3) per layer, cosines -> 1 (exact: sympy); n <= 3: the map is
                          infinite (inconclusive); a general G: not decided
RC + NL                   the catalogue's claims for that model, narrowed to this n, run
                          through the runner and the trusted kernel
RC + RS + NL              likewise (invariance-rs, rs-linearization, rs-fixed-point)
RS + NL                   within the family lam C + beta 11^T/n (holds G = I): the next cosine is a
                          positive-weight mean of f(c) = kappa(c)/kappa(1) > c over c in [rho, 1), so
                          every start in the family collapses; 1 - cos shrinks by (n-3)/(n-1) per
                          layer in the limit (exact: sympy); n <= 3: not finite (inconclusive)
tanh (any NL row)         inconclusive: no closed-form kernel here (any activation without one)
========================  ============================================================

Each fact is a dict ``{"verdict", "statement", "method", "evidence", "checked_by"}``; a row whose
fact is a limit every (covered) start reaches names its geometry class in ``evidence["end_class"]``
(``decompose`` compares the finite-width fractions with it).  A row
this module derives exactly is then the trusted kernel's goal ``stage-fact`` (the kernel
computes the row's numbers itself, bnverify/trusted/stages.py) and carries the kernel's
certificate; ``checked_by`` says who decided it.
"""
from __future__ import annotations

import copy
import functools
import sympy as sp

from ..core.arith import ExactContext
from ..core.activations import LINEAR, Activation
from ..core.verdict import INCONCLUSIVE, PROVED, REFUTED

ORDER = ("rc", "rs", "nl")
SUBSETS = ((), ("rc",), ("rs",), ("rc", "rs"), ("nl",), ("rc", "nl"), ("rs", "nl"), ("rc", "rs", "nl"))
RHO, S, N, E = sp.symbols("rho s n e", positive=True)
EXACT = ExactContext()
LOCAL = "bnverify.claims.decomposition's derivation (not yet the trusted kernel)"
KERNEL = "trusted kernel"


def model_stages(subset, act):
    """The model's stage list for a subset of ORDER: ['rc', 'rs', 'relu'] etc. (NL is the
    activation; a subset without NL is the linear layer, activation identity)."""
    return [s for s in ("rc", "rs") if s in subset] + ([act.name] if "nl" in subset else [])


def _kernel_expr(act):
    """kappa(rho) for a leaky ReLU (relu, identity) as a sympy expression in RHO."""
    return sp.simplify(act.kappa(RHO, EXACT))


def _correlation_map(act):
    """f(rho) = kappa(rho) / kappa(1), the NL-only map of one pairwise correlation."""
    return _kernel_expr(act) / act.kappa_one(EXACT)


# ---------------------------------------------------------------- exact facts
def identity_map(n):
    """No stage: Z = W X and nothing else, so F(G) = K_id(G) = G."""
    kappa = _kernel_expr(Activation(LINEAR))
    ok = sp.simplify(kappa - RHO) == 0
    return _fact(ok, "F(G) = G for every Gram matrix G (n = %d and every n): the infinite-width "
                 "Gram map of a linear layer is the identity; nothing moves" % n,
                 "exact (sympy): kappa_identity(rho) = rho")


def centring_projection(n):
    """RC only: F(G) = C G C with C = I - 11^T/n; C^2 = C, so F o F = F."""
    C = sp.eye(n) - sp.ones(n, n) / n
    concrete = (C * C - C).is_zero_matrix
    # every n: (I + a J)^2 = I + (2a + n a^2) J with J = 11^T, J^2 = n J; a = -1/n gives C
    a = -1 / N
    symbolic = sp.simplify(2 * a + N * a ** 2 - a) == 0
    return _fact(concrete and symbolic,
                 "F(G) = C G C with C = I - 11^T/n: linear and idempotent (C^2 = C), so the Gram "
                 "matrix is constant from layer 1 on -- the orthogonal projection of every point "
                 "onto the zero-sum subspace of the batch, with no further change",
                 "exact (sympy): C^2 = C at n = %d and for symbolic n" % n)


def nl_collapse(act):
    """NL only (leaky ReLU of slope alpha < 1, relu included): the correlation map
    f(rho) = kappa(rho)/kappa(1) = rho + (B/A) g(rho), g = sqrt(1 - rho^2) - rho acos rho.

    g'(rho) = -acos(rho) < 0 on [-1, 1) and g(1) = 0, so f(rho) > rho there: every pairwise
    correlation increases to the only fixed point 1 (each pair evolves on its own, since
    K acts entry by entry).  With rho = 1 - s^2:  g = (2 sqrt 2/3) s^3 + O(s^5), so
    1 - f(1 - e) = e - c e^(3/2) + O(e^(5/2)), c = (2 sqrt 2/3) B/A, and
    1/sqrt(e_{l+1}) - 1/sqrt(e_l) -> c/2, i.e. 1 - rho_l ~ 4/(c l)^2 (relu: 9 pi^2/(2 l^2))."""
    from flint import arb, ctx

    A, B = act.constants(EXACT)
    f = _correlation_map(act)
    g = sp.sqrt(1 - RHO ** 2) - RHO * sp.acos(RHO)
    split = sp.simplify(f - RHO - (B / A) * g) == 0
    slope = sp.simplify(sp.diff(g, RHO) + sp.acos(RHO)) == 0
    at_one = sp.simplify(g.subs(RHO, 1)) == 0
    c = sp.Rational(2, 3) * sp.sqrt(2) * B / A
    gap = sp.series(1 - f.subs(RHO, 1 - S ** 2), S, 0, 5).removeO()
    expansion = sp.simplify(gap - (S ** 2 - c * S ** 3)) == 0
    step = sp.limit(1 / sp.sqrt(E - c * E ** sp.Rational(3, 2)) - 1 / sp.sqrt(E), E, 0, "+")
    rate = sp.simplify(step - c / 2) == 0
    ok = split and slope and at_one and expansion and rate and B != 0
    with ctx.workprec(128):                 # the constants as rigorous balls
        cb = arb(2).sqrt() * 2 / 3 * _arb(B / A)
        limit = 4 / (cb * cb)
    statement = ("NL = %s alone: every pairwise correlation increases to 1 (collapse to one "
                 "direction, for every n and start): f(rho) = kappa(rho)/kappa(1) > rho on "
                 "[-1, 1), f(1) = 1, f'(1) = 1; 1 - f(1 - e) = e - c e^(3/2) + O(e^(5/2)) with "
                 "c = %s, so 1 - rho_l ~ %s / l^2 (= %s / l^2)"
                 % (act, sp.sstr(sp.nsimplify(c)), sp.sstr(sp.simplify(4 / c ** 2)),
                    limit.str(8, radius=False)))
    return _fact(ok, statement, "exact (sympy): f - rho = (B/A) g, g' = -acos rho, g(1) = 0, series "
                 "at rho = 1; ball arithmetic (arb) for the constant",
                 {"c": float(c), "l2_gap_limit": float(sp.N(4 / c ** 2)), "end_class": "collapse"})


@functools.lru_cache(maxsize=None)
def _centred_identities():
    """(whether the identities of :func:`centred_rescaling` hold, the local factor in m, m): the same at every n,
    derived once per process."""
    a, t, x, li, lj, m = sp.symbols("a t x l_i l_j m", positive=True)
    dens = sp.exp(-x ** 2 / 2) / sp.sqrt(2 * sp.pi)
    moment2 = sp.integrate(x ** 2 * sp.exp(-a * x ** 2) * dens, (x, -sp.oo, sp.oo))
    moment0 = sp.integrate(sp.exp(-a * x ** 2) * dens, (x, -sp.oo, sp.oo))
    gauss = (sp.simplify(moment2 - (1 + 2 * a) ** sp.Rational(-3, 2)) == 0
             and sp.simplify(moment0 - (1 + 2 * a) ** sp.Rational(-1, 2)) == 0)
    h = lambda l: l / (1 + 2 * t * l)
    increasing = sp.simplify(sp.diff(h(li), li) - 1 / (1 + 2 * t * li) ** 2) == 0
    contraction = sp.simplify(li / lj * h(lj) - h(li)
                              - 2 * t * li * (li - lj) / ((1 + 2 * t * li) * (1 + 2 * t * lj))) == 0
    rate = sp.simplify(sp.integrate((1 + 2 * t) ** (-m / 2 - 2), (t, 0, sp.oo), conds="none")
                       / sp.integrate((1 + 2 * t) ** (-m / 2 - 1), (t, 0, sp.oo), conds="none"))
    return gauss and increasing and contraction and sp.simplify(rate - m / (m + 2)) == 0, rate, m


def centred_rescaling(n):
    """RC + RS, no NL.  A neuron's centred row is z ~ N(0, Sigma), Sigma = C G C, and RS makes it
    sqrt(n) z/|z|, so F(G) = n E[z z^T / |z|^2].  In an eigenbasis of Sigma (eigenvalues
    lambda_k > 0 on its range, m = rank) write 1/|z|^2 = int_0^oo exp(-t|z|^2) dt and use
    E[g^2 e^(-a g^2)] = (1 + 2a)^(-3/2), E[e^(-a g^2)] = (1 + 2a)^(-1/2) (g ~ N(0, 1)):

        F = n diag(f_k),  f_i = int_0^oo w(t) h_t(lambda_i) dt,  h_t(l) = l/(1 + 2tl),
        w(t) = prod_k (1 + 2t lambda_k)^(-1/2)

    (off-diagonal terms vanish: flipping the sign of one coordinate keeps |z|).  h_t is
    increasing, and (l_i/l_j) h_t(l_j) - h_t(l_i) = 2t l_i (l_i - l_j)/((1 + 2t l_i)(1 + 2t l_j)),
    so each ratio l_i/l_j > 1 strictly shrinks and never flips; by compactness of the
    spectra with ratio <= r_0 the largest ratio tends to 1.  Near equal eigenvalues the
    log-eigenvalue deviations shrink by int (1+2t)^(-m/2-2) / int (1+2t)^(-m/2-1) = m/(m+2)."""
    ok, rate, m = _centred_identities()
    factor = rate.subs(m, n - 1)
    statement = ("RC + RS without NL: F(G) = n E[z z^T/|z|^2], z ~ N(0, C G C), keeps the eigenvectors of "
                 "C G C and strictly shrinks the ratio of any two of its unequal non-zero eigenvalues, so "
                 "from any start with rank(C G C) = n - 1 (every Gaussian batch) the scale-free Gram matrix "
                 "tends to C: the regular simplex, every pairwise cosine -1/(n-1) = %s, equal norms "
                 "(orthogonal within the zero-sum subspace: Daneshmand-Joudaki-Bach's orthogonalization "
                 "at infinite width); near it, log-eigenvalue deviations shrink by (n-1)/(n+1) = %s per layer"
                 % (sp.Rational(-1, n - 1), factor))
    return _fact(ok, statement, "exact (sympy): the Gaussian moments, h' > 0, the contraction identity and "
                 "the local factor m/(m+2); sign symmetry and compactness (docs/decompose.md)",
                 {"simplex_cosine": float(sp.Rational(-1, n - 1)), "local_factor": float(factor),
                  "end_class": "simplex"})


def uncentred_rescaling(n):
    """RS alone (no RC), on the family G = lam C + beta J/n (J = 11^T), which holds the
    infinite-width Gaussian batch G = I.  z ~ N(0, G) splits into Cz ~ N(0, lam C) and the
    batch mean mu ~ N(0, beta/n), independent (C G 1 = 0); RS divides by |Cz|/sqrt(n), so

        F(G) = n E[(Cz + mu 1)(Cz + mu 1)^T / |Cz|^2]
             = n/(n-1) C + n (beta/n) E[1/|Cz|^2] J = n/(n-1) C + (n beta/(lam (n-3))) J/n

    with E[1/chi^2_k] = 1/(k-2), k = n - 1 (infinite for n <= 3).  The family is invariant and
    q = beta/lam grows by (n-1)/(n-3) per layer; the pairwise cosine (q - 1)/(q + n - 1) -> 1."""
    x, k = sp.symbols("x k", positive=True)
    chi2 = x ** (k / 2 - 1) * sp.exp(-x / 2) / (2 ** (k / 2) * sp.gamma(k / 2))
    concrete = sp.integrate((chi2 / x).subs(k, n - 1), (x, 0, sp.oo))
    if concrete == sp.oo:
        return inconclusive("rs: the infinite-width map at n = %d" % n,
                            "E[1/chi^2_%d] is infinite: with n <= 3 the infinite-width RS map without RC "
                            "is not finite (a neuron's spread over the batch is too often near 0)" % (n - 1),
                            "exact (sympy): the integral diverges")
    inverse_mean = sp.simplify(sp.integrate(chi2 / x, (x, 0, sp.oo), conds="none"))
    lam, beta, q = sp.symbols("lam beta q", positive=True)
    beta_next = n * (n * (beta / n) * concrete / lam)               # the J/n coefficient of F(G)
    step = sp.simplify(beta_next / (n / sp.Integer(n - 1)) / (beta / lam))         # q'/q
    ok = (sp.simplify(inverse_mean - 1 / (k - 2)) == 0 and sp.simplify(concrete - sp.Rational(1, n - 3)) == 0
          and sp.simplify(step - sp.Rational(n - 1, n - 3)) == 0)
    cos = (q - 1) / (q + n - 1)                                    # G_jk / G_jj in the family
    ok = ok and sp.limit(cos, q, sp.oo) == 1 and sp.simplify(sp.diff(cos, q) - n / (q + n - 1) ** 2) == 0
    statement = ("RS without RC or NL, from the orthogonal batch G = I (the infinite-width Gaussian batch) "
                 "or any G = lam C + beta 11^T/n, beta > 0: F keeps this family, F(G) = n/(n-1) C + "
                 "(beta/(lam (n-3))) 11^T, so q = beta/lam grows by (n-1)/(n-3) = %s per layer and every "
                 "pairwise cosine (q-1)/(q+n-1) rises to 1: collapse onto the batch-mean direction, "
                 "1 - cos ~ n/q_l; for a general G nothing is decided" % step)
    return _fact(ok, statement, "exact (sympy): E[1/chi^2_k] = 1/(k-2) and the family's recursion; "
                 "independence of Cz and the mean, isotropy of Cz/|Cz| (docs/decompose.md)",
                 {"q_step": float(step), "end_class": "collapse"})


def rs_then_nl(act, n, orbit_layers=60):
    """RS then NL (leaky ReLU of slope alpha < 1, relu, abs), no RC, within the family
    G = lam C + beta J/n, r = beta/lam in [0, oo) (holds the Gaussian batch G = I, r = 1).  With
    z = sqrt(lam) g + mu 1 (g ~ N(0, C), mu ~ N(0, beta/n)), |Cz|^2 = lam |g|^2, and the Laplace
    representation 1/|Cz|^2 = int_0^oo e^(-s |Cz|^2) ds tilts g to N(0, C/(1 + 2s)) with mass
    (1 + 2s)^(-(n-1)/2); with v = 1 + 2s the tilted covariance is ((n-1)/v + r)/n on the
    diagonal and (r - 1/v)/n off it, so (phi 1-homogeneous, S_n symmetry keeps the family)

        G'_jj = (1/2) int_1^oo w(v) kappa(1) dv = kappa(1) (1 + r/(n-3)),
        G'_jk = (1/2) int_1^oo w(v) kappa(c(v)) dv,   w(v) = v^(-(n+1)/2) (n - 1 + r v),
        c(v) = (r v - 1)/(r v + n - 1), from rho = (r-1)/(r+n-1) (v = 1) up to 1 (v -> oo).

    The cosine G'_jk/G'_jj is a w-weighted mean of f(c(v)) > c(v) >= rho: it rises strictly at
    every rho < 1 and, f being continuous, to 1.  Near 1, (n-1+rv)(1-c) = n and
    kappa(1) - kappa(c) = kappa(1)(1-c) + O((1-c)^(3/2)) give d - o -> (n/2) kappa(1) int v^(-(n+1)/2),
    so (1 - rho')/(1 - rho) -> (n-3)/(n-1).  Checked here in sympy; the orbit from G = I in mpmath
    (a float suggestion, shown beside the finite-width column)."""
    from ..derive import rs as rsd

    if n <= 3:
        return inconclusive("rs,%s: the infinite-width map at n = %d" % (act.name, n),
                            "E[1/chi^2_%d] is infinite: RS without RC at n <= 3 gives E[phi(y_j)^2] = oo for "
                            "every start with beta > 0 (the batch mean survives, |Cz|^2 has %d degrees of "
                            "freedom)" % (n - 1, n - 1), "exact (sympy): the weight's integral diverges")
    v, r = sp.symbols("v r", positive=True)
    A, B = act.constants(EXACT)
    w = v ** (-sp.Rational(n + 1, 2)) * (n - 1 + r * v)
    diag = sp.simplify(sp.integrate(w, (v, 1, sp.oo)) / 2)
    closed = sp.simplify(diag - (1 + r / (n - 3))) == 0
    c = (r * v - 1) / (r * v + n - 1)
    change = sp.simplify((n - 1 + r * v) * (1 - c) - n) == 0
    ends = sp.simplify(c.subs(v, 1) - (r - 1) / (r + n - 1)) == 0 and sp.limit(c, v, sp.oo) == 1
    rising = sp.simplify(sp.diff(c, v) - n * r / (r * v + n - 1) ** 2) == 0          # c increases with v
    f = _correlation_map(act)
    g = sp.sqrt(1 - RHO ** 2) - RHO * sp.acos(RHO)
    split = sp.simplify(f - RHO - (B / A) * g) == 0 and sp.simplify(sp.diff(g, RHO) + sp.acos(RHO)) == 0
    rate = sp.simplify(n * sp.integrate(v ** (-sp.Rational(n + 1, 2)), (v, 1, sp.oo)) / 2 / (n * diag.diff(r)))
    ok = closed and change and ends and rising and split and B != 0 and rate == sp.Rational(n - 3, n - 1)
    orbit = rsd.family_orbit(act, n, 1, orbit_layers, dps=15, stop=0.99)
    reach = next((k + 1 for k, x in enumerate(orbit) if x > 0.99), None)
    statement = ("RS then NL = %s without RC, within the family G = lam C + beta 11^T/n (lam > 0, beta >= 0; it "
                 "holds the Gaussian batch G = I): the family is invariant, G'_jj = kappa(1)(1 + r/(n-3)) with "
                 "r = beta/lam, and the next cosine is a positive-weight mean of f(c) = kappa(c)/kappa(1) > c over "
                 "c in [rho, 1), so every start in the family collapses (every pairwise cosine rises to 1), "
                 "1 - cos shrinking by (n-3)/(n-1) = %s per layer in the limit; starts outside the family are "
                 "not covered" % (act, rate))
    return _fact(ok, statement, "exact (sympy): the weight's integrals, the change of variable c(v), "
                 "f - rho = (B/A) g with g' = -acos rho; the Laplace representation and the family's invariance "
                 "(S_n symmetry), docs/decompose.md; the orbit from G = I: mpmath quadrature (suggestion)",
                 {"rate": float(rate), "end_class": "collapse",
                  "orbit_from_identity": [round(x, 6) for x in orbit],
                  "layers_to_cos_0.99_from_identity": reach})


def _arb(q):
    from flint import arb

    q = sp.nsimplify(q)
    if q.is_Rational:
        return arb(int(q.p)) / int(q.q)
    num, den = sp.fraction(sp.together(q))        # a rational times a power of pi
    out = arb(1)
    for term, power in ((num, 1), (den, -1)):
        coeff, rest = term.as_coeff_Mul()
        part = arb(int(sp.Rational(coeff).p)) / int(sp.Rational(coeff).q)
        if rest != 1:
            k = int(sp.degree(rest, sp.pi))     # a sympy Integer power turned the arb into a float
            if sp.simplify(rest - sp.pi ** k) != 0:
                raise ValueError("not a rational times a power of pi: %s" % q)
            part *= arb.pi() ** k
        out = out * part if power == 1 else out / part
    return out


def _fact(ok, statement, method, extra=None):
    if ok:
        return {"verdict": PROVED, "statement": statement, "method": method, "checked_by": LOCAL,
                "evidence": extra or {}}
    return {"verdict": INCONCLUSIVE, "statement": statement, "method": method, "checked_by": None,
            "evidence": {"reason": "an identity of the derivation did not simplify to 0"}}


def stage_claim(subset, act, n):
    """The claim ``stage-fact`` of a stage set at (act, n): the trusted kernel's goal for a row."""
    from . import spec

    model = {"stages": ",".join(model_stages(subset, act)) or "identity"}
    if "nl" in subset and act.takes_alpha:
        model["alpha"] = str(act.alpha)
    return spec.claim_from_dict({"id": "stage-fact", "title": "the infinite-width fact of a stage set",
                                 "statement": "the stage set's infinite-width fact", "property": "stage-fact",
                                 "expect": "proved", "model": model, "domain": {"n": str(n)}})


def checked(subset, act, n, executor=None):
    """The fact of :func:`infinite_width`; a row this module derives (exactly, in sympy) is then
    decided by the trusted kernel's goal ``stage-fact`` for the stage set, alpha and n, and
    re-checked from its certificate: the row's statement becomes the kernel's canonical
    statement, the derivation's wording moves to ``derivation``."""
    from .properties import road

    f = infinite_width(subset, act, n, executor)
    if f["verdict"] != PROVED or f["checked_by"] != LOCAL:
        return f
    v = road.decide(stage_claim(subset, act, n))
    if v.status != PROVED:
        return inconclusive(f["statement"], "the trusted kernel did not prove it: %s" % v.evidence.get("reason"))
    return dict(f, statement=v.evidence["statement"], derivation=f["statement"], checked_by=KERNEL,
                certificate=v.certificate)


def inconclusive(statement, reason, method="none"):
    return {"verdict": INCONCLUSIVE, "statement": statement, "method": method, "checked_by": None,
            "evidence": {"reason": reason}}


# ---------------------------------------------------------------- from the catalogue
def catalogue_claims(model, act, n):
    """The catalogue's claims about exactly this model (stages and activation; for leaky
    ReLU an alpha domain containing act.alpha), narrowed to this n when their domain has it;
    neither the long ones nor those expected inconclusive (finite-width: a sample)."""
    from . import spec

    out = []
    for c in spec.load_catalogue():
        if c.stages != tuple(model) or c.activation.name != act.name or c.full or c.expect == INCONCLUSIVE:
            continue                    # long runs, and samples that corroborate but never decide
        if act.takes_alpha and act.alpha not in c.alpha:
            continue
        if n not in c.n:
            continue
        # a threshold and a fold are about their whole domain (the smallest n of it, a bracket in
        # real n): narrowed to one n they have no goal, and verify would say otherwise
        out.append(c if c.property in ("attractor-threshold", "fold-bracket") else c.with_n(n))
    return out


def from_catalogue(model, act, n, executor=None):
    """Run the model's catalogue claims (runner + trusted kernel) and state what they decide."""
    from . import runner

    cs = catalogue_claims(model, act, n)
    if not cs:
        return inconclusive("no catalogue claim about %s at n = %d" % (",".join(model), n),
                            "nothing in the catalogue decides this model here")
    results = runner.run(cs, executor=executor, jobs=1, progress=False)
    parts, decided, open_ = [], [], []
    for r in results:
        st = r.verdict.status
        part = {"id": r.claim.id, "verdict": st, "title": r.claim.title,
                "checked": bool(r.verdict.evidence.get("checked")), "method": r.verdict.method}
        if st == INCONCLUSIVE:
            part["reason"] = str(r.verdict.evidence.get("reason", ""))[:300]
            open_.append(part)
        else:
            decided.append(part)
        parts.append(part)
    text = "; ".join(("%s: %s" % ("holds" if p["verdict"] == PROVED else "FALSE", p["title"]))
                     for p in decided)
    if open_:
        text += ("; " if text else "") + "not decided: " + "; ".join(p["title"] for p in open_)
    all_checked = decided and all(p["checked"] for p in decided)
    # honest label: proved only if every reading holds; a false reading makes the row refuted
    verdict = INCONCLUSIVE if open_ or not all_checked else \
        REFUTED if any(p["verdict"] == REFUTED for p in decided) else PROVED
    return {"verdict": verdict, "statement": "at n = %d: %s" % (n, text),
            "method": "catalogue claims through the runner and the trusted kernel: "
                      + ", ".join("%s (%s)" % (p["id"], p["verdict"]) for p in parts),
            "checked_by": KERNEL if all_checked else None,
            "evidence": {"claims": parts,
                         "reading": "the row lists the catalogue's readings for this stage set: "
                                    "'holds' (proved) or 'FALSE' (refuted); the row is proved only if "
                                    "every reading holds, refuted if one is false, else inconclusive"}}


# ---------------------------------------------------------------- dispatch
@functools.lru_cache(maxsize=16)
def _nl_collapse(act):
    """:func:`nl_collapse` once per activation in a process (the same fact at every n; read only)."""
    return nl_collapse(act)


def infinite_width(subset, act, n, executor=None):
    """The fact for one subset of ORDER (see the module table), as a fresh copy: facts are
    pure functions of (subset, activation, n), so each is derived once per process."""
    return copy.deepcopy(_infinite_width(tuple(subset), act, n, executor))


@functools.lru_cache(maxsize=64)
def _infinite_width(subset, act, n, executor=None):
    rc, rs, nl = ("rc" in subset), ("rs" in subset), ("nl" in subset) and not act.linear
    model = model_stages(subset, act)
    if act.linear and "nl" in subset:
        base = _infinite_width(tuple(s for s in subset if s != "nl"), act, n, executor)
        return dict(base, statement="NL = %s: the same layer as without NL. %s" % (act, base["statement"]))
    if nl and not act.has_closed_kernel:
        return inconclusive("%s: the infinite-width map" % ",".join(model),
                            "%s has no closed-form kernel here (E[%s(y1) %s(y2)] is an "
                            "integral); floating-point quadrature could only suggest" % (act, act, act))
    if not rs:
        if not rc and not nl:
            return identity_map(n)
        if rc and not nl:
            return centring_projection(n)
        if nl and not rc:
            return _nl_collapse(act)
        return from_catalogue(("rc",), act, n, executor)
    if rc and nl:
        return from_catalogue(("rc", "rs"), act, n, executor)
    if rc and not nl:
        return centred_rescaling(n)
    if not nl:
        return uncentred_rescaling(n)
    return rs_then_nl(act, n)


__all__ = ["ORDER", "SUBSETS", "model_stages", "identity_map", "centring_projection", "nl_collapse",
           "centred_rescaling", "uncentred_rescaling", "rs_then_nl", "from_catalogue", "infinite_width", "stage_claim",
           "checked"]
