"""Untrusted derivation and search: symbolic closed forms, ball-arithmetic certificates of
the symmetric reduction, the all-n branches; everything here only proposes evidence that the
trusted kernel (:mod:`bnverify.trusted`) re-checks."""
