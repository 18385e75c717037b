"""The Python API (bnverify/api.py, docs/api.md): claims from the catalogue, files and dicts;
check and verify with the kernel's verdicts; tables and JSON; a plain script without a main
guard using a process pool; the notebook in docs/ executed by nbclient."""
from __future__ import annotations

import json
import os
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


@pytest.mark.slow
def test_a_script_without_a_main_guard_runs_a_pool(tmp_path):
    """Workers must not re-run the caller's script (which would start pools inside them)."""
    script = tmp_path / "no_guard.py"
    script.write_text(SCRIPT)
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300,
                         cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["proved", "proved", "proved", "refuted"], out.stdout + out.stderr[-2000:]


@pytest.mark.slow          # 11 s: every call it makes has its own test in this file (-m slow runs it)
def test_the_notebook_runs():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(ROOT / "docs" / "api.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs for c in code), "docs/api.ipynb ships executed, every code cell with its output"
    assert not [o for c in code for o in c.outputs if o.output_type == "stream" and o.name == "stderr"]
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("text/html" in o.get("data", {}) and "simplex-state" in o["data"]["text/html"] for o in outputs)
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert any("('proved', True)" in o.get("data", {}).get("text/plain", "") for o in outputs)
    shown = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs)
    for result in ("Attractor(", "Simplex(", "Jacobian(", "Basins(", "Simulation(", "BadInput: n range"):
        assert result in shown, result


def test_check_finds_a_catalogue_id():
    """Issue 25: bnv.check("stability-naive") read the id as a path."""
    import bnverify as bnv

    r = bnv.check("stability-naive")
    assert r.claim.id == "stability-naive" and r.verdict.status == "refuted"
    with pytest.raises(bnv.BadInput, match="no claim"):
        bnv.check("no-such-claim")


# ---------------------------------------------------------------- the commands as functions (issue 25 item 9)
from fractions import Fraction  # noqa: E402

from bnverify import api, cli  # noqa: E402

# each function with small arguments, and the same run on the command line
RUNS = {
    "attractor": ({"n": 8, "jobs": 1}, ["--n", "8", "--jobs", "1"]),
    "simplex": ({"n": "3.."}, ["--n", "3.."]),
    "jacobian": ({"n": 5}, ["--n", "5"]),
    "basins": ({"n": 5}, ["--n", "5"]),
    "simulate": ({"n": 6, "width": 16, "depth": 5, "seeds": 2, "every": 2, "stages": "rc,tanh", "weight_var": Fraction(3, 2)},
                 ["--n", "6", "--width", "16", "--depth", "5", "--seeds", "2", "--every", "2", "--stages", "rc,tanh",
                  "--weight-var", "3/2"]),
    "decompose": ({"n": 2, "width": 2, "depth": 1, "seeds": 1, "jobs": 1},
                  ["--n", "2", "--width", "2", "--depth", "1", "--seeds", "1", "--jobs", "1"]),
    "rank": ({"n": 4, "width": [2, 4], "seeds": 2}, ["--n", "4", "--width", "2,4", "--seeds", "2"]),
    "kernel": ({"activation": "relu", "q1": 1, "q2": 1, "c": Fraction(-1, 2)},
               ["--activation", "relu", "--q1", "1", "--q2", "1", "--c=-1/2"]),
    "bsb1": ({"n": "3..4", "check_to": 3}, ["--n", "3..4", "--check-to", "3"]),
    "gradients": ({"n": "3..5"}, ["--n", "3..5"]),
    "lyapunov": ({"n": 6, "width": 32, "depth": 10, "seeds": 2, "weight_var": 4},
                 ["--n", "6", "--width", "32", "--depth", "10", "--seeds", "2", "--weight-var", "4"]),
    "phase": ({"n": 4, "width": 8, "depth": 2, "seeds": 1, "jobs": 1},
              ["--n", "4", "--width", "8", "--depth", "2", "--seeds", "1", "--jobs", "1"]),
    "endstate": ({"n": 7, "width": 8, "depth": 4, "seeds": 2}, ["--n", "7", "--width", "8", "--depth", "4",
                                                               "--seeds", "2"]),
    "gram-starts": ({"n": 4, "starts": 3}, ["--n", "4", "--starts", "3"]),
    "atlas": ({"activations": "relu,tanh", "n": "6", "weight_var": "2", "width": 16, "seeds": 2, "depth": 5,
               "starts": 1, "jobs": 1, "no_certified": True},
              ["--activations", "relu,tanh", "--n", "6", "--weight-var", "2", "--width", "16", "--seeds", "2",
               "--depth", "5", "--starts", "1", "--jobs", "1", "--no-certified"]),
}


def _untimed(x):
    """A JSON document without its wall times."""
    if isinstance(x, dict):
        return {k: _untimed(v) for k, v in x.items() if k != "seconds"}
    if isinstance(x, list):
        return [_untimed(v) for v in x]
    return x


@pytest.fixture(scope="module")
def results():
    """name -> the function's result, each run once for the tests below."""
    return {name: api.FUNCTIONS[name](**kwargs) for name, (kwargs, _) in RUNS.items()}


def test_every_command_that_computes_has_a_function():
    assert set(api.FUNCTIONS) | {"verify", "check", "report"} == {m.NAME for m in cli.COMMANDS} == set(RUNS) | {
        "verify", "check", "report", "check-cert"}
    for name, fn in api.FUNCTIONS.items():
        assert getattr(bnv, name.replace("-", "_")) is fn and fn.__name__ == name.replace("-", "_")


@pytest.mark.parametrize("name", sorted(RUNS))
def test_a_function_gives_the_commands_json(name, results, cli_json):
    kwargs, argv = RUNS[name]
    doc = results[name].to_json()
    assert _untimed(doc) == _untimed(cli_json(name, *argv))
    assert doc is not results[name].to_json()           # a fresh copy each time


@pytest.mark.parametrize("name", sorted(RUNS))
def test_results_show_short(name, results):
    r = results[name]
    assert isinstance(r, api.CommandResult) and type(r).__name__ in repr(r)
    assert len(repr(r)) < 300 and "\n" not in repr(r), repr(r)
    assert r._repr_html_().startswith("<div>")
    latex = getattr(r, "_repr_latex_", lambda: None)()
    assert latex is None or latex.startswith("$")


def test_signatures_are_the_flags_with_their_defaults():
    import inspect

    sig = inspect.signature(bnv.attractor)
    assert sig.parameters["n"].default is inspect.Parameter.empty
    assert sig.parameters["prec"].default == 128 and sig.parameters["stages"].default == "rc,relu"
    assert "json" not in sig.parameters
    sim = inspect.signature(bnv.simulate).parameters
    assert (sim["width"].default, sim["depth"].default, sim["sampler"].default) == (256, 300, "gram")
    assert "check_to" in inspect.signature(bnv.bsb1).parameters
    assert list(inspect.signature(bnv.check_cert).parameters)[0] == "path"
    assert "sampler [gram]: gram (default) or weights" in bnv.simulate.__doc__


@pytest.mark.parametrize("name, kwargs, argv", [
    ("attractor", {"n": 2}, ["--n", "2"]),
    ("attractor", {}, []),
    ("attractor", {"n": 8, "stages": "rc,rs,relu"}, ["--n", "8", "--stages", "rc,rs,relu"]),
    ("basins", {"n": 7, "stages": "rc,rs,relu"}, ["--n", "7", "--stages", "rc,rs,relu"]),
    ("simulate", {"n": 1}, ["--n", "1"]),
    ("simulate", {"n": "x"}, ["--n", "x"]),
    ("jacobian", {}, []),
    ("jacobian", {"n": 3, "symbolic": True}, ["--n", "3", "--symbolic"]),
    ("kernel", {"activation": "relu", "q1": 1, "q2": 1, "c": 2}, ["--activation", "relu", "--q1", "1", "--q2", "1",
                                                                 "--c", "2"]),
    ("lyapunov", {"n": 8, "width": 64, "depth": 20, "seeds": 1}, ["--n", "8", "--width", "64", "--depth", "20",
                                                                 "--seeds", "1"]),
    ("gram-starts", {"stages": "rc,rs,relu"}, ["--stages", "rc,rs,relu"]),
    ("check-cert", {"path": "no-such-file.json"}, ["no-such-file.json"]),
])
def test_bad_arguments_raise_the_command_lines_error(name, kwargs, argv, run_cli):
    code, _, err = run_cli(name, *argv)
    assert code == 2 and err.startswith("bnverify %s: error: " % name)
    with pytest.raises(bnv.BadInput) as e:
        api.FUNCTIONS[name](**kwargs)
    assert str(e.value) == err.split(": error: ", 1)[1].strip()


def test_unknown_and_flag_arguments():
    with pytest.raises(bnv.BadInput, match=r"attractor\(\): unknown argument 'nn' \(did you mean n\?\)"):
        bnv.attractor(nn=8)
    with pytest.raises(bnv.BadInput, match="json"):
        bnv.rank(json=True)                 # the functions always return the data
    with pytest.raises(bnv.BadInput, match="progress='yes': give True or False"):
        bnv.simulate(progress="yes")


def test_per_n_rows_are_intervals(results):
    a = results["attractor"]
    row = a.row(8)
    assert (row.n, row.status, row.checked) == (8, "proved", True) and a.smallest_n == 7
    assert a.below_range == {3: "refuted", 4: "refuted", 5: "refuted", 6: "refuted", 7: "proved"}
    for f in api.Attractor.FIELDS:
        iv = getattr(row, f)
        assert isinstance(iv, bnv.Interval) and isinstance(iv.lo, Fraction) and iv.lo <= iv.mid <= iv.hi
        assert iv.lo == Fraction(a.to_json()["results"][0][f][0])        # the printed decimal, exactly
    assert 0.93 < float(row.spectral_radius) < 0.931
    shown = repr(row.spectral_radius)[1:-1].split(", ")         # rounded outward: still an enclosure
    assert row.spectral_radius in bnv.Interval(*shown) and bnv.Interval(*shown) != row.spectral_radius
    s = results["simplex"]
    assert s.all_n and s.status == "proved" and s.rows == [] and s.boxes


def test_closed_forms_lie_in_their_enclosures(results):
    import sympy as sp

    k = results["kernel"]                   # relu, c = -1/2: K = (sqrt(3)/2 - pi/6 ... ) closed form
    assert k.c == Fraction(-1, 2) and isinstance(k.K, bnv.Interval)
    rho = sp.Rational(-1, 2)
    exact = (sp.sqrt(1 - rho ** 2) + (sp.pi - sp.acos(rho)) * rho) / (2 * sp.pi)
    assert exact in k.K and exact + sp.Rational(1, 10 ** 12) not in k.K
    j = results["jacobian"]
    assert j.n == 5 and j.state == "O_n" and j.scale_factor == sp.Rational(17, 50)
    assert sp.Rational(25, 17) in [e.value for e in j.eigenvalues]      # n^2/(n^2 - 2n + 2) at n = 5
    assert j.stability_verdict["verdict"] == "refuted"
    assert r"\lambda" in j._repr_latex_()


def test_a_formula_and_a_weight_variance_through_the_api():
    """A user formula and sigma_w^2 reach the simulators through the keywords; lyapunov says
    plainly that a non-homogeneous phi has no infinite-width value here."""
    ly = bnv.lyapunov(n=6, width=32, depth=10, seeds=2, activation="x*tanh(x) + x", weight_var="3/2")
    assert ly.formula == "x*tanh(x) + x" and ly.weight_var == Fraction(3, 2)
    assert ly.infinite_width is None and ly.spread_eigenvalue is None and ly.contains is None
    assert "not available" in repr(ly) and "closed form" in ly.infinite_width_note
    with pytest.raises(bnv.BadInput, match="weight variance must be > 0"):
        bnv.simulate(n=4, width=8, depth=2, seeds=1, weight_var=0)


def test_sampled_results(results):
    sim = results["simulate"]
    assert len(sim.seeds) == 2 and [d for d, _ in sim.trajectory] == [0, 2, 4, 5]
    assert sim.seeds[0].norm_ratio == sim.to_json()["seeds"][0]["norm_ratio"]
    ly = results["lyapunov"]
    assert isinstance(ly.ci, bnv.Interval) and ly.ci.lo == Fraction(ly.to_json()["ci"][0])   # the float, exactly
    assert ly.contains == (ly.ci.lo <= Fraction(ly.infinite_width) <= ly.ci.hi)
    assert ly.spread_eigenvalue == Fraction(18, 13)                     # mu = n^2/(n^2 - 2n + 2) at n = 6
    assert ly.weight_var == 4 and sim.weight_var == Fraction(3, 2) and sim.formula is None
    ph = results["phase"]
    assert ph.cell(4, 8).odd_point in (0.0, 1.0) and isinstance(ph.cell(4, 8).odd_point_ci, bnv.Interval)
    assert {r.verdict for r in results["decompose"].rows} <= {"proved", "refuted", "inconclusive"}
    b = results["basins"]
    assert b.status == "proved" and {f.state for f in b.fixed_points} >= {"simplex", "configuration"}
    assert all(isinstance(f.rho, bnv.Interval) for f in b.fixed_points)
    bs = results["bsb1"]
    import sympy as sp
    assert bs.status == "enclosed" and bs.rows[0]["n"] == 3
    assert -(sp.pi - 3 * sp.sqrt(3)) / (6 * sp.pi) in bs.rows[0]["c"]      # kappa(-1/2)/kappa(1), relu


def test_check_cert_on_a_written_certificate(tmp_path, cli_json):
    path = tmp_path / "simplex.json"
    s = bnv.simplex(n="3..", cert=path)
    assert s.status == "proved" and path.is_file()
    r = bnv.check_cert(path)
    assert r.ok and r.summary == {"total": 1, "ok": 1, "rejected": 0} and "1 certificate: 1 ok" in repr(r)
    assert r.to_json() == cli_json("check-cert", path)


def test_the_api_writes_no_per_n_lines(capfd):
    bnv.attractor(n="7..8", jobs=1)
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_interval():
    iv = bnv.Interval("0.86602540378443864676", "0.86602540378443864677")
    assert repr(iv) == "[0.86602540378, 0.86602540379]" and str(iv) == repr(iv)
    assert iv.lo == Fraction(86602540378443864676, 10 ** 20) and iv.lo <= iv.mid <= iv.hi
    assert iv.rad == Fraction(1, 2 * 10 ** 20) and float(iv) == pytest.approx(3 ** 0.5 / 2)
    import sympy as sp
    assert sp.sqrt(3) / 2 in iv and 3 ** 0.5 / 2 not in iv          # the float is below the enclosure
    assert Fraction(1, 2) not in iv and bnv.Interval(iv.mid) in iv and iv in bnv.Interval(0, 1)
    assert float("nan") not in iv
    f = bnv.Interval(0.1, 0.2)                                       # floats: their exact dyadic values
    assert f.lo == Fraction(0.1) and 0.1 in f and Fraction(1, 10) not in f
    assert repr(bnv.Interval("-inf", "inf")) == "[-inf, inf]" and 10 ** 100 in bnv.Interval("-inf", "inf")
    assert repr(bnv.Interval("-1.7174106531854016686e-38", "5.4e-39")) == "[-1.7174106532e-38, 5.4e-39]"
    assert bnv.Interval(1, 2) == bnv.Interval("1", "2.0") and len({bnv.Interval(1, 2), bnv.Interval(1, 2)}) == 1
    assert bnv.Interval.of(["1/3", "1/2"]).hi == Fraction(1, 2) and bnv.Interval.of(None) is None
    assert iv.latex() == r"\left[0.86602540378,\ 0.86602540379\right]"
    with pytest.raises(ValueError, match="empty"):
        bnv.Interval(2, 1)
    with pytest.raises(ValueError):
        bnv.Interval("x", 1)
    with pytest.raises(AttributeError):
        iv.lo = 0


def test_claims_and_results_show_on_one_line():
    r = bnv.check("stability-naive")
    assert repr(r).startswith("Result(stability-naive: refuted") and len(repr(r)) < 200
    assert repr(bnv.claim("attractor")) == "Claim(attractor: attractor-stable, rc,relu, n in 7.., expect proved)"


def test_docs_give_every_functions_signature_and_result():
    import inspect

    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for name, fn in api.FUNCTIONS.items():
        assert "bnv.%s%s" % (fn.__name__, inspect.signature(fn)) in text, name
        result = fn.__doc__.split(":class:`")[1].split("`")[0]        # the result class its docstring names
        assert "`%s`" % result in text and issubclass(getattr(api, result), api.CommandResult), name


def test_bnverify_jobs_sets_the_default_workers(monkeypatch):
    """BNVERIFY_JOBS (the suite sets 1: its two pytest workers fill the cores) is the default number of workers;
    unset, the cpu count at most 2; anything but 1..64 is a usage error."""
    from bnverify import parallel
    from bnverify.derive import sweeps
    from bnverify.errors import BadInput
    monkeypatch.setenv("BNVERIFY_JOBS", "3")
    assert parallel.default_jobs() == 3
    monkeypatch.setenv("BNVERIFY_JOBS", "1")
    assert parallel.default_jobs() == 1 and isinstance(sweeps._default_executor(), sweeps.InlineExecutor)
    monkeypatch.delenv("BNVERIFY_JOBS")
    assert parallel.default_jobs() == max(1, min(2, os.cpu_count() or 1))
    for bad in ("0", "x", "65", "-1", "²"):
        monkeypatch.setenv("BNVERIFY_JOBS", bad)
        with pytest.raises(BadInput, match="BNVERIFY_JOBS"):
            parallel.default_jobs()
