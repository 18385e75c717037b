"""bnverify: machine-checked companion to "Batch Normalization Decomposed" (arXiv 2412.02843).

    import bnverify as bnv
    bnv.verify()                          # the catalogue: a table in Jupyter, .to_json()
    bnv.check(bnv.claim("simplex-state")) # one claim: a Result with its verdict

The API is documented in docs/api.md.
"""
__version__ = "0.1.0"

from .api import Results, catalogue, check, claim, verify  # noqa: E402
from .claims.spec import Claim  # noqa: E402
from .errors import BadInput, ClaimError, LimitError  # noqa: E402

__all__ = ["BadInput", "Claim", "ClaimError", "LimitError", "Results", "catalogue", "check",
           "claim", "verify", "__version__"]
