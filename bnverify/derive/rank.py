"""Rank growth under the infinite-width ReLU kernel (issue 13, item 4) -- untrusted side.

Plan (work in progress; items 3-4 of issue 13 are taken):

* kappa's power series: kappa(rho) = B + (1+alpha)^2/4 rho + sum_k e_{2k} rho^{2k}, with
  e_{2k} = B binom(2k-2, k-1) / (4^{k-1} (2k-1) 2k) > 0 (B = (1-alpha)^2/(2 pi)), derived
  exactly and checked against sympy's series;
* Schur product theorem + distinct normalised points -> K(Sigma) positive definite; the
  precise condition (antipodal pairs!) in docs/rank.md;
* exact counterexamples for the false variants (identity, collinear points) as evidence for
  the trusted kernel; the rank-one centred two-point batch goes to rank two;
* finite-width rank of ReLU(W X) (sampled) for ``bnverify rank``.
"""
