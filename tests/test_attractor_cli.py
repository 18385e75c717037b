"""``bnverify attractor`` and ``bnverify simplex``: JSON and table output, rigorous bounds,
and one-line errors (exit 2) for bad input."""
import json
from fractions import Fraction

import pytest



def test_attractor_json_single_n(run_cli):
    code, out, err = run_cli("attractor", "--n", "7", "--jobs", "1", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["smallest_n"] == 7
    assert [b["status"] for b in doc["below_range"]] == ["refuted"] * 4      # n = 3..6: absent
    (r,) = doc["results"]
    assert r["n"] == 7 and r["status"] == "proved" and "reason" not in r
    for key in ("cluster_cos", "odd_cos", "norm_ratio", "spectral_radius"):
        lo, hi = (Fraction(x) for x in r[key])
        assert lo <= hi and hi - lo < Fraction(1, 10 ** 15)
    assert Fraction(r["spectral_radius"][1]) < 1
    assert "[" in err         # progress on stderr


def test_attractor_table_and_leaky(run_cli):
    code, out, _ = run_cli("attractor", "--n", "6..7", "--jobs", "1", "--stages", "rc,leaky_relu",
                           "--alpha", "1/10")
    assert code == 0
    assert "leaky_relu(1/10)" in out and "smallest_n: 7" in out
    assert "refuted" in out and "proved" in out


def test_simplex_json(run_cli):
    code, out, _ = run_cli("simplex", "--n", "3..5", "--json", "--jobs", "1")
    assert code == 0
    doc = json.loads(out)
    assert [r["n"] for r in doc["results"]] == [3, 4, 5]
    for r in doc["results"]:
        assert r["status"] == "proved"
        lo, hi = (Fraction(x) for x in r["simplex_cos"])
        assert 0 < lo <= hi < 1


def test_simplex_table(run_cli):
    code, out, _ = run_cli("simplex", "--n", "4", "--jobs", "1")
    assert code == 0 and "simplex_cos" in out and "proved" in out


@pytest.mark.parametrize("argv", [
    ["attractor", "--n", "9..3"], ["attractor", "--n", "2..5"], ["attractor", "--n", "3.5"],
    ["attractor", "--n", ""], ["attractor", "--n", "abc"], ["attractor", "--n", "..7"], ["attractor", "--n", "7..x"],
    ["simplex", "--n", "3..", "--stages", "rc,tanh", "--weight-var", "2"], ["attractor", "--n", "7..", "--fold", "6.1..6.2"],
    ["simplex", "--n", "1"], ["simplex", "--n", "4", "--alpha", "1/10"],
    ["simplex", "--n", "4", "--stages", "rs,relu"], ["simplex", "--n", "4", "--stages", "rc,abs"],
    ["simplex", "--n", "3..", "--stages", "rc,rs,relu"], ["simplex", "--n", "4", "--check-to", "3"],
    ["attractor", "--n", "7", "--jobs", "0"], ["attractor", "--n", "7", "--fold", "6.2..6.1"],
    ["attractor", "--n", "7", "--stages", "rc,leaky_relu", "--alpha", "1"],
])
def test_bad_input_is_one_line_exit_2(run_cli, argv):
    code, out, err = run_cli(*argv)
    assert code == 2
    assert err.count("\n") == 1 and "error" in err and "Traceback" not in err


def test_attractor_open_range(run_cli, tmp_path):
    """--n 64..: for ReLU existence and spectral radius < 1 for every n >= 64 in one
    kernel-checked proof (the all-n branch); the certificate re-checks."""
    cert = tmp_path / "all.json"
    code, out, _ = run_cli("attractor", "--n", "64..", "--jobs", "1", "--json", "--cert", str(cert))
    doc = json.loads(out)
    sm = doc["summary"]
    assert code == 0 and sm["range"] == [64, None] and sm["proved"] == "all" and sm["checked"]
    assert sm["not_proved"] == [] and "spectral radius" in sm["proved_statement"]
    assert doc["asymptotics"]["cluster_cos_deficit"]["closed_form"] == "9*pi**2/2"
    assert doc["boxes"] and doc["boxes"][0]["t"][0] == "0" and doc["boxes"][-1]["t"][1] == "1/64"
    assert run_cli("check-cert", str(cert))[0] == 0


def test_attractor_open_range_leaky(run_cli):
    """Leaky ReLU at one slope: existence and stability for every n (ReLU's branch; the leaky
    spectrum from ReLU's), nothing left unproved; a range of slopes the same at once."""
    code, out, _ = run_cli("attractor", "--n", "64..", "--stages", "rc,leaky_relu", "--alpha", "1/10",
                           "--jobs", "1", "--json")
    sm = json.loads(out)["summary"]
    assert code == 0 and sm["proved"] == "all" and sm["not_proved"] == [] and sm["alpha"] is None
    assert "spectral radius" in sm["proved_statement"]
    code, out, _ = run_cli("attractor", "--n", "7..", "--stages", "rc,leaky_relu", "--alpha", "0..1", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["summary"]["proved"] == "all" and doc["summary"]["alpha"] == "0..1"
    assert "alpha in [0, 1)" in doc["summary"]["proved_statement"]
    assert doc["asymptotics"]["stability_margin"]["closed_form"] == "(1 - alpha)**2/(alpha**2 + 1)"
    assert [b["n"] for b in doc["boxes"] if b["t"][0] == b["t"][1]] == [[k, k] for k in range(15, 6, -1)]
    code, _, err = run_cli("attractor", "--n", "7..20", "--stages", "rc,leaky_relu", "--alpha", "0..1/10")
    assert code == 0
    code, _, err = run_cli("simplex", "--n", "7..", "--stages", "rc,leaky_relu", "--alpha", "0..1/10")
    assert code == 2 and "one slope" in err


def _fold_search(lo, hi, certificate):
    from bnverify.core.verdict import Verdict
    return Verdict("proved", "classification at both ends", {"statement": "a pair is born"}, 0.0, certificate)


def test_the_fold_line_is_the_kernels_verdict():
    """`attractor --fold` printed the search's own 'proved' (derive.sweeps.locate_fold) without
    the trusted kernel; now the bracket is a fold-bracket claim decided from its classifications:
    a search that says proved with none, or with ends the kernel cannot read, is not proved."""
    from bnverify.commands.attractor import checked_fold
    from bnverify.core.activations import Activation

    relu = Activation("relu")
    no_items = _fold_search(Fraction(62, 10), Fraction(63, 10), {"kind": "fold"})
    assert checked_fold(no_items, Fraction(62, 10), Fraction(63, 10), relu).status == "inconclusive"
    assert checked_fold(no_items, Fraction(20, 3), Fraction(7), relu).status == "inconclusive"


@pytest.mark.slow
def test_the_fold_line_is_proved_by_the_kernel_for_its_own_bracket_only():
    from bnverify.commands.attractor import checked_fold
    from bnverify.derive import sweeps
    from bnverify.core.activations import Activation

    relu, lo, hi = Activation("relu"), Fraction(61, 10), Fraction(62, 10)
    v = sweeps.locate_fold(lo, hi)
    ok = checked_fold(v, lo, hi, relu)
    assert ok.status == "proved" and ok.evidence["checked"] and "born in (61/10, 31/5)" in ok.evidence["statement"]
    moved = _fold_search(Fraction(615, 100), hi, v.certificate)       # the search's classifications, another bracket
    assert checked_fold(moved, Fraction(615, 100), hi, relu).status == "inconclusive"


def test_a_per_n_table_with_an_undecided_n_exits_3(monkeypatch, run_cli):
    """The per-n tables exit 0 only when every n is decided (proved or refuted); an n the
    kernel leaves inconclusive makes the exit code 3 (the table still shows every row)."""
    from bnverify.claims import sweep
    from bnverify.core.verdict import inconclusive

    real = sweep.checked_state

    def one_undecided(v, state, act):
        out = real(v, state, act)
        if int(v.evidence["n"]) in (3, 4) and not (state == "simplex" and int(v.evidence["n"]) == 3):
            out = inconclusive(out.method, "not decided (test)", n=int(v.evidence["n"]))
        return out
    assert run_cli("simplex", "--n", "3..4", "--json")[0] == 0
    monkeypatch.setattr(sweep, "checked_state", one_undecided)
    assert run_cli("simplex", "--n", "3..4", "--json")[0] == 3
    assert run_cli("attractor", "--n", "3", "--json")[0] == 3


def test_an_open_range_from_3_names_the_absence_and_the_smallest_n(run_cli):
    """Issue 24: `attractor --n 3..` printed a bare 'refuted', started its table at 7 and exited 3.
    Now: the kernel's reason, rows for n = 3..6 (refuted: no spread-cluster state in the family),
    the smallest n 7, exit 1 as check's refuted; the per-n rows of an all-n run claim no time."""
    code, out, _ = run_cli("attractor", "--n", "3..", "--jobs", "1", "--json")
    doc = json.loads(out)
    sm = doc["summary"]
    assert code == 1 and sm["status"] == "refuted" and "no spread-cluster fixed point" in sm["reason"]
    assert sm["smallest_n"] == 7 and "3..6" in sm["smallest_n_note"]
    rows = {r["n"]: r for r in doc["results"]}
    assert [rows[k]["status"] for k in range(3, 8)] == ["refuted"] * 4 + ["proved"]
    assert "cluster_cos" not in rows[3] and "cluster_cos" in rows[7]
    assert all("seconds" not in r for r in doc["results"])
    code, text, _ = run_cli("attractor", "--n", "3..", "--jobs", "1")
    assert code == 1 and "smallest n: 7" in text and "reason: at n = 3" in text
