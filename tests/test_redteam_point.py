"""Red-team attacks on n = 3's spread-point item (trusted/spreadfam.py, check_spread_point; kernel.py,
_g_spread_smooth), the untrusted search that builds it (claims/properties/spread_cover.py point_item, states.py),
the float search's edge scan (derive/spread.py) and the commands that show them (attractor, basins, atlas
--spread-n).  A reviewer with fresh eyes: attacks the code withstands stay as regression tests.

Independent of the checker: the full 3 x 3 map w C K(S) C and its derivative DT(S) on all six symmetric
directions by one-dimensional mpmath integrals (at S = q [[1, -1, 0], [-1, 1, 0], [0, 0, 0]] every point is a
multiple of one Gaussian Z, so K and Price's derivatives E[phi' phi'], E[phi'' phi], E[phi'^2 + phi phi''] are
integrals in Z alone), never the checker's arcsine / sinh kernels."""
import copy
import json
import time
from fractions import Fraction as F
from pathlib import Path

import jsonschema
import mpmath
import pytest

from bnverify import trusted
from bnverify.claims.certificate import finish
from bnverify.claims.properties import spread_cover as SC
from bnverify.commands import atlas, spread_search
from bnverify.core import activations, ranges
from bnverify.derive import spread
from bnverify.trusted import spreadfam as S

SCHEMAS = Path(__file__).resolve().parents[1] / "docs" / "schemas"


def _claim(prop="attractor-exists", act="erf", n="3", w="2", params=None):
    return {"property": prop, "stages": ["rc"], "activation": act, "domain": {"n": n}, "params": params or {},
            "weight_var": w}


def _cert(claim, items):
    v, st, _ = trusted.decide(claim, items)
    return finish(claim, v, trusted.kernel.METHODS[bool(items)], st, items)


# ---------------------------------------------------------------- the commands (untrusted)
def test_atlas_never_calls_a_cover_verdict_the_collapse_lemma():
    """erf and sin beyond the lemma (erf at sigma_w^2 = 1, 2; sin at 2): the kernel proves value none on 3..4 from
    spread-none covers, whose n = 3 cover has U cells around the {v, -v, 0} that exists (spread-point proves it).
    atlas --spread-n showed 'none in 3..4 (proved by the trusted kernel's collapse lemma: no spread-cluster fixed
    point at any n)', certified, smallest_n_found null: false at n = 3.  Now the float search answers there; the
    lemma's rows stay the kernel's."""
    sr = ranges.parse_int_range("3..4", "--spread-n", minimum=3, allow_open=False, maximum=64)
    for name, w in (("erf", "2"), ("sin", "2"), ("erf", "1")):
        assert trusted.decide(_claim(act=name, w=w), [SC.point_item(name, 3, F(w))])[0] == "proved"
        assert atlas._spread_lemma(name, None, w, sr) is None, (name, w)
    for name, w in (("tanh", "1"), ("gelu", "2"), ("sin", "1"), ("sigmoid", "16")):
        got = atlas._spread_lemma(name, None, w, sr)
        assert got["certified"] is True and "collapse lemma" in got["note"], (name, w)
