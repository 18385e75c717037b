"""`bnverify atlas --spread-n A..B --certify-smallest`: the trusted kernel judges the float search's smallest n.

The atlas only asks; the kernel decides attractor-threshold from the claim as `bnverify check` does, so a wrong
float suggestion is refuted or left inconclusive, never shown as proved."""
import json
from pathlib import Path

from bnverify.commands import spread_verdicts

SCHEMA = json.loads((Path(__file__).parents[1] / "docs/schemas/atlas.json").read_text())
FAST = ("--n", "3", "--seeds", "1", "--width", "16", "--depth", "2", "--starts", "1", "--no-certified", "--jobs", "1")


def test_the_kernel_refutes_a_wrong_value_and_proves_the_right_one():
    """erf at sigma_w^2 = 2, n = 3: the point {v, -v, 0} exists and is unstable, so "the smallest n with a stable
    spread-cluster state is 3" is false (refuted) and "none" is true (proved)."""
    wrong = spread_verdicts.threshold("erf", None, 2, 3, 3, 3)
    right = spread_verdicts.threshold("erf", None, 2, 3, 3, None)
    assert (wrong["status"], right["status"]) == ("refuted", "proved") and right["value"] == "none"
    row = {"range": [3, 3], "note": "spread-cluster point first found at n = 3 (float search; not proved)"}
    assert spread_verdicts.threshold_text(row, right).startswith("none in 3..3 has a stable spread-cluster state "
                                                                 "(proved by the trusted kernel")
    text = spread_verdicts.threshold_text(row, wrong)
    assert text.startswith(row["note"]) and "value 3 refuted by the trusted kernel" in text and "proved by" not in text


def test_the_atlas_row_is_certified_only_when_the_kernel_proves(run_cli, monkeypatch):
    code, out, err = run_cli("atlas", "--activations", "erf", "--weight-var", "2", "--spread-n", "3..3",
                             "--certify-smallest", "--json", *FAST)
    assert code == 0, err
    doc = json.loads(out)
    import jsonschema
    jsonschema.validate(doc, SCHEMA)
    row = doc["rows"][0]["spread_search"]
    assert row["certified"] is True and row["label"] == "trusted kernel" and row["kernel"]["status"] == "proved"
    assert row["note"].startswith("none in 3..3 has a stable spread-cluster state (proved by the trusted kernel")
    # a kernel that does not prove leaves the row a float suggestion, with its reason beside it
    monkeypatch.setattr(spread_verdicts, "threshold", lambda *a: {"value": "none", "status": "inconclusive",
                                                                  "method": "m", "seconds": 0.0, "reason": "why not"})
    code, out, err = run_cli("atlas", "--activations", "erf", "--weight-var", "2", "--spread-n", "3..3",
                             "--certify-smallest", "--json", *FAST)
    row = json.loads(out)["rows"][0]["spread_search"]
    assert code == 0 and row["certified"] is False and row["label"] != "trusted kernel"
    assert "value none the trusted kernel: inconclusive (why not)" in row["note"]


def test_certify_smallest_needs_a_range(run_cli):
    code, out, err = run_cli("atlas", "--activations", "erf", "--certify-smallest", *FAST)
    assert code == 2 and "--certify-smallest needs --spread-n" in err and len(err.strip().splitlines()) == 1
