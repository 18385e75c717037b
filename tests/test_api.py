"""The Python API (bnverify/api.py, docs/api.md): claims from the catalogue, files and dicts;
check and verify with the kernel's verdicts; tables and JSON; a plain script without a main
guard using a process pool; the notebook in docs/ executed by nbclient."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import bnverify as bnv

ROOT = Path(__file__).resolve().parent.parent
SIMPLEX = {"property": "spectral-radius", "model": {"stages": "rc,relu"}, "domain": {"n": "3.."},
           "params": {"state": "simplex", "relation": "<", "bound": "1"}}


def test_catalogue_and_claim():
    ids = [c.id for c in bnv.catalogue()]
    assert "attractor" in ids and len(ids) == len(list((ROOT / "proofs").glob("*.toml")))
    assert bnv.claim("attractor").property == "attractor-stable"
    with pytest.raises(bnv.BadInput, match="no claim 'nope'"):
        bnv.claim("nope")


def test_claim_from_toml_and_dict():
    c = bnv.Claim.from_toml(ROOT / "proofs" / "norm-ratio.toml")
    assert c.id == "norm-ratio"
    d = bnv.Claim.from_dict(SIMPLEX)
    assert d.id == "claim" and d.expect == "proved" and str(d.n) == "3.."
    with pytest.raises(bnv.ClaimError, match="domain.n"):
        bnv.Claim.from_dict(dict(SIMPLEX, domain={"n": "9..3"}))
    with pytest.raises(bnv.BadInput):
        bnv.Claim.from_dict("property = 'x'")


@pytest.mark.parametrize("how", ["dict", "claim", "path", "str"])
def test_check_takes_every_form(how):
    path = ROOT / "proofs" / "gram-fixed-point.toml"
    obj = {"dict": SIMPLEX, "claim": bnv.Claim.from_dict(SIMPLEX), "path": path, "str": str(path)}[how]
    r = bnv.check(obj)
    assert r.verdict.status == "proved" and r.ok and r.verdict.evidence["checked"]
    d = json.loads(r.to_json())
    assert d["verdict"] == "proved" and d["checked"] and d["certificate"]["verdict"] == "proved"
    assert "proved" in r._repr_html_().lower()


def test_check_refutes_and_rejects():
    r = bnv.check(dict(SIMPLEX, params=dict(SIMPLEX["params"], relation=">")))
    assert r.verdict.status in ("refuted", "inconclusive") and not r.ok
    with pytest.raises(bnv.BadInput, match="not int"):
        bnv.check(42)


def test_verify_results_table_and_json():
    res = bnv.verify(["gram-fixed-point", "stability-naive"])
    assert isinstance(res, bnv.Results) and res.ok
    assert [r.verdict.status for r in res] == ["proved", "refuted"]
    html = res._repr_html_()
    assert html.count("<tr>") == 3 and "gram-fixed-point" in html and "refuted" in html
    doc = json.loads(res.to_json())
    assert [c["id"] for c in doc["claims"]] == ["gram-fixed-point", "stability-naive"]
    assert "stability-naive" in repr(res)
    with pytest.raises(bnv.BadInput, match="'nope'"):
        bnv.verify(["nope"])


SCRIPT = """\
import bnverify as bnv
res = bnv.verify(["norm-ratio", "gram-fixed-point", "centering-rank-one", "stability-naive"], jobs=2)
print(" ".join(r.verdict.status for r in res))
"""


def test_a_script_without_a_main_guard_runs_a_pool(tmp_path):
    """Workers must not re-run the caller's script (which would start pools inside them)."""
    script = tmp_path / "no_guard.py"
    script.write_text(SCRIPT)
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300,
                         cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["proved", "proved", "proved", "refuted"], out.stdout + out.stderr[-2000:]


def test_the_notebook_runs():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(ROOT / "docs" / "api.ipynb", as_version=4)
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("text/html" in o.get("data", {}) and "simplex-state" in o["data"]["text/html"] for o in outputs)
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert any("('proved', True)" in o.get("data", {}).get("text/plain", "") for o in outputs)


def test_check_finds_a_catalogue_id():
    """Issue 25: bnv.check("stability-naive") read the id as a path."""
    import bnverify as bnv

    r = bnv.check("stability-naive")
    assert r.claim.id == "stability-naive" and r.verdict.status == "refuted"
    with pytest.raises(bnv.BadInput, match="no claim"):
        bnv.check("no-such-claim")
