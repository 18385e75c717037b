"""Command-line conventions (issue 11, item 5): --json everywhere, one exit-code table, the
--report help naming what it writes, formulas in reader's notation with their range of
validity, readable evidence, and exact values shown as exact."""
import json
import re
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp
from sympy.parsing.sympy_parser import (convert_xor, implicit_multiplication, parse_expr,
                                        standard_transformations)

from bnverify import cli
from bnverify.commands import exits
from bnverify.derive import symbolic
from bnverify.report import pretty

ROOT = Path(__file__).resolve().parents[1]
PROOFS = ROOT / "proofs"


# ---------------------------------------------------------------- --json on every command
@pytest.mark.parametrize("mod", cli.COMMANDS, ids=lambda m: m.NAME)
def test_every_command_has_help_and_json(mod, run_cli):
    code, out, err = run_cli(mod.NAME, "--help")
    assert code == 0 and not err, err
    assert re.search(r"^\s+--json\b", out, re.M), "%s --help lists no --json" % mod.NAME


# ---------------------------------------------------------------- one message per mistake
SMALL = {"check": [PROOFS / "gram-fixed-point.toml"], "phase": ["--n", "3", "--width", "2", "--depth", "1", "--seeds", "1"],
         "attractor": ["--n", "7"], "simplex": ["--n", "3"], "jacobian": ["--n", "5"], "basins": ["--n", "5"],
         "lyapunov": ["--n", "4", "--width", "32", "--layers", "2", "--seeds", "2"]}


@pytest.mark.parametrize("flag,value,commands", [
    ("--jobs", "0", ["verify", "check", "simulate", "decompose", "phase", "attractor", "simplex"]),
    ("--seed", "-1", ["simulate", "decompose", "phase", "endstate", "lyapunov", "rank", "gram-starts"]),
    ("--alpha", "1/10", ["simulate", "phase", "lyapunov", "rank", "gram-starts", "jacobian", "attractor", "simplex",
                         "basins"]),
])
def test_one_message_per_mistake(flag, value, commands, run_cli):
    """The shared options are checked in one place (bnverify.commands.options): the same mistake
    gets the same line from every command (--jobs had three messages, --seed two)."""
    said = set()
    for name in commands:
        code, out, err = run_cli(name, *SMALL.get(name, []), flag, value)
        assert code == 2 and err.startswith("bnverify %s: error: " % name), (name, err)
        said.add(err.split(": error: ", 1)[1])
    assert len(said) == 1, said


# ---------------------------------------------------------------- reader's notation
READ = standard_transformations + (implicit_multiplication, convert_xor)
N, ALPHA = sp.symbols("n alpha")


@pytest.mark.parametrize("expr", [
    N ** 2 / (N ** 2 - 2 * N + 2), (N - 1) * (N - 4) / 2, (sp.pi - 2) / (2 * (sp.pi - 1)),
    -2 * ALPHA * (N - 1) / (ALPHA ** 2 + 1), ALPHA ** 2 * N ** 2 - 2 * ALPHA ** 2 * N + 4 * ALPHA * N,
    N * (ALPHA ** 2 + 2 * ALPHA * N - 2 * ALPHA + 1) / (ALPHA ** 2 * N ** 2 + 1), sp.sqrt((N - 1) ** 2) + 3,
    (-sp.pi + sp.acos(-sp.Rational(1, 3)) + 2 * sp.sqrt(2)) / (3 * sp.pi), 5 - N,
    (10 * sp.pi - 3 * sp.sqrt(3)) / (2 * (7 * sp.pi - 3 * sp.sqrt(3))),
    N - sp.Rational(1, 2), 2 - N, -(N - 2) * (N - 1), (N - 1) ** 2 * (N - 3) / (2 * N ** 2), -(N - 3) ** 2 / 4])
def test_formula_keeps_the_value(expr):
    """Read back by sympy's own parser (implicit products, ^ for powers): the same expression."""
    for text in (pretty.formula(sp.sstr(expr)), pretty.factored(expr, N)):
        assert "**" not in text and "*" not in text, text
        back = parse_expr(text, local_dict={"n": N, "alpha": ALPHA, "pi": sp.pi}, transformations=READ)
        assert sp.simplify(back - expr) == 0, (text, back)


def test_exact_numbers():
    for x in (Fraction(610707512487, 10 ** 11), Fraction(76338439061, 12500000000), Fraction(9, 5),
              Fraction(1, 10), Fraction(1, 3 * 10 ** 6), Fraction(-7), Fraction(3, 2 ** 20)):
        text = pretty.exact_number(x)
        assert Fraction(text) == x, (x, text)
    assert pretty.exact_number(Fraction(610707512487, 10 ** 11)) == "6.10707512487"
    assert pretty.exact_number(Fraction(1, 3 * 10 ** 6)) == "1/3000000"       # not a finite decimal
    assert pretty.formula("n in (610707512487/100000000000, 9/5)") == "n in (6.10707512487, 9/5)"


def test_exact_numbers_past_28_digits(run_cli):
    """Decimal's default context (28 digits) made a 38-digit slope an internal error (exit 4) in
    every printed formula: `check --alpha 99..9/10^38` (red team)."""
    for x in (Fraction(10 ** 38 - 1, 10 ** 38), Fraction(-(10 ** 60 + 7), 2 ** 90), Fraction(3, 5 ** 200)):
        text = pretty.exact_number(x)
        assert Fraction(text) == x and "/" not in text, (x, text)
    assert pretty.exact_number(Fraction(-1, 8 * 10 ** 40)) == "-0." + "0" * 40 + "125"      # -1.25e-41
    alpha = "%d/%d" % (10 ** 38 - 1, 10 ** 38)
    code, out, _ = run_cli("check", "--stages", "rc,leaky_relu", "--alpha", alpha, "--n", "3..",
                           "--property", "fixed-point", "--state", "two-point")
    assert code == 0 and "0.99999999999999999999999999999999999999" in out, out


# ---------------------------------------------------------------- ranges of validity
def _brute_nonnegative_integer_from(poly, lo=3, hi=200):
    ok = [k for k in range(lo, hi) if poly.subs(symbolic.N, k).is_integer and poly.subs(symbolic.N, k) >= 0]
    n0 = hi
    while n0 - 1 in ok:
        n0 -= 1
    return n0 if n0 < hi else None


@pytest.mark.parametrize("poly", [(symbolic.N - 1) * (symbolic.N - 4) / 2, symbolic.N - 2,
                                  (symbolic.N - 6) * (symbolic.N - 10), symbolic.N / 2, -symbolic.N,
                                  (symbolic.N - 2) * (symbolic.N - 1) / 2, (symbolic.N - 7) ** 2 - 1,
                                  sp.Integer(1)])
def test_nonnegative_integer_from_against_brute_force(poly):
    assert symbolic.nonnegative_integer_from(poly) == _brute_nonnegative_integer_from(poly)


@pytest.mark.parametrize("poly", [(symbolic.N - 1) * (symbolic.N - 4) / 2, (symbolic.N - 10) ** 2,
                                  (symbolic.N - 6) * (symbolic.N - 10), symbolic.N - 2, sp.Integer(1),
                                  (symbolic.N - 3) * (symbolic.N - 30) ** 2])
def test_positive_from_against_brute_force(poly):
    hi = 200
    good = [k for k in range(3, hi) if poly.subs(symbolic.N, k).is_integer and poly.subs(symbolic.N, k) > 0]
    n0 = hi
    while n0 - 1 in good:
        n0 -= 1
    assert symbolic.positive_from(poly) == n0


@pytest.fixture(scope="module")
def symbolic_relu():
    act = symbolic.symbolic_activation("relu")
    spec = symbolic.configuration_spectrum(act)
    return act, spec, symbolic.validity(act, spec)


def test_block_ranges_match_each_n_own_blocks(symbolic_relu):
    """valid_from is where the formula starts to be right: right at every n from there to 8,
    wrong just below it (each n computed from its own blocks)."""
    act, spec, valid = symbolic_relu
    assert valid["blocks"]["pair"]["valid_from"] == 4 and valid["blocks"]["pair"]["present_from"] == 5
    for comp, (M, mult, _) in spec["blocks"].items():
        v = valid["blocks"][comp]["valid_from"]

        def right(n):
            got = symbolic.configuration_spectrum(act, n)["blocks"].get(comp)
            if got is None:
                return sp.sympify(mult).subs(symbolic.N, n) == 0
            return got[1] == sp.sympify(mult).subs(symbolic.N, n) and got[0] == M.subs(symbolic.N, n)
        assert all(right(n) for n in range(v, 9)), comp
        if v > 3:
            assert not right(v - 1), comp


@pytest.fixture(scope="module")
def jacobian_text(run_cli):
    code, out, _ = run_cli("jacobian", "--symbolic")
    assert code == 0
    return out


def test_jacobian_symbolic_text_and_latex(jacobian_text, run_cli):
    out = jacobian_text
    assert "**" not in out
    assert re.search(r"pair\s+1x1\s+\(n - 1\)\(n - 4\)/2\s+n >= 4", out), out
    assert "n^2/(n^2 - 2n + 2)   multiplicity (n - 1)(n - 2)/2   for n >= 3" in out
    assert r"\lambda = \frac{n^{2}}{n^{2} - 2 n + 2}" in out
    code, out, _ = run_cli("jacobian", "--symbolic", "--json")
    doc = json.loads(out)
    for e in doc["eigenvalues"]:
        assert sp.latex(sp.sympify(e["value"])) == e["latex"] and e["valid_from"] == 3


# ---------------------------------------------------------------- check: readable evidence
def test_check_prints_formulas_and_tables(run_cli):
    code, out, _ = run_cli("check", PROOFS / "gram-fixed-point.toml")
    assert code == 0 and "(n - 1)^2" in out and "(n^2 - 2n + 2)/(2n^2)" in out and "**" not in out
    code, out, _ = run_cli("check", PROOFS / "simplex-state.toml")
    assert code == 0 and "[{" not in out and '{"' not in out
    _, js, _ = run_cli("check", PROOFS / "simplex-state.toml", "--json")
    rows = json.loads(js)["evidence"]["radius_bounds"]
    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if re.match(r"\s+t\s+radius_upper", line))
    body = lines[head + 1:head + 1 + len(rows)]
    for line, row in zip(body, rows):           # one table row per evidence row, the values as given
        assert line.split()[:2] == ["[%s," % row["t"][0], "%s]" % row["t"][1]] and repr(row["radius_upper"]) in line


def test_evidence_lines():
    ev = {"reason": "c = (n**2 - 2*n + 2)/(2*n**2)", "smtlib": ["(check-sat)", "(check-sat)"],
          "bound": ["0.25", "0.5"], "n": 7, "rows": [{"n": 3, "ok": True, "r": ["1", "2"]}, {"n": 4, "ok": True, "r": ["3", "4"]}],
          "nested": {"a": 1, "b": {"c": None}}}
    lines = pretty.evidence_lines(ev)
    assert lines[0] == "  reason: c = (n^2 - 2n + 2)/(2n^2)"
    assert "  smtlib: 2 SMT-LIB queries (the text: --json)" in lines and "  bound: [0.25, 0.5]" in lines
    assert "    ok: true (every row)" in lines
    assert [ln.split() for ln in lines if ln.startswith("    ") and ln.split()[0] in "34"] == [
        ["3", "[1,", "2]"], ["4", "[3,", "4]"]]
    assert "      c: null" in lines


# ---------------------------------------------------------------- simplex: no repeated columns, exact values
def _read(text):
    return parse_expr(text, local_dict={"n": N, "pi": sp.pi}, transformations=READ)


def test_simplex_table_has_no_repeated_columns_and_exact_values_inside_the_enclosures(run_cli):
    import mpmath

    from bnverify.derive import simplex_alln

    code, out, _ = run_cli("simplex", "--n", "3..6", "--jobs", "1")
    assert code == 0
    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("n "))
    columns = re.split(r"\s{2,}", lines[head])
    rows = [re.split(r"\s{2,}", line) for line in lines[head + 1:head + 5]]
    assert [r[0] for r in rows] == ["3", "4", "5", "6"] and all(len(r) == len(columns) for r in rows)
    data = list(zip(*rows))
    assert len(set(data)) == len(data), "two columns print the same values"
    assert not {"cluster_cos", "odd_cos", "norm_ratio"} & set(columns)
    assert "cluster_cos = simplex_cos" in out and "norm_ratio = 1 exactly" in out
    exact, n = {}, None         # (n, field) -> closed form, listed below the table
    for line in lines[lines.index("exact values (each inside its enclosure above):") + 1:]:
        m = re.match(r"\s+(?:n = (\d+)\s+)?(\w+)\s+= (.+)$", line)
        n = int(m.group(1)) if m.group(1) else n
        exact[n, m.group(2)] = m.group(3)
    mpmath.mp.dps = 40
    for r in rows:
        n = int(r[0])
        rho = mpmath.mpf(-1) / (n - 1)           # ReLU: kappa(rho)/kappa(1), written out here
        cos = (mpmath.sqrt(1 - rho ** 2) + (mpmath.pi - mpmath.acos(rho)) * rho) / mpmath.pi
        lam_s, lam_p = simplex_alln.eigenvalues_direct(n, dps=40)
        radius = max(abs(lam_s), abs(lam_p)) if n >= 4 else abs(lam_s)
        for field, want in (("simplex_cos", cos), ("spectral_radius", radius)):
            got = mpmath.mpf(str(sp.N(_read(exact[n, field]), 40)))
            lo, hi = (mpmath.mpf(x) for x in r[columns.index(field)].strip("[]").split(", "))
            assert abs(got - want) < mpmath.mpf(10) ** -30 and lo <= got <= hi, (n, exact[n, field])
        assert r[columns.index("simplex_cos")].startswith("[0.")


# ---------------------------------------------------------------- --report names what it writes
def _kind(rel, ids):
    """The name the help gives a written file: claims/ID.html, figures/NAME.png, ..."""
    parts = rel.split("/")
    stem, dot, ext = parts[-1].rpartition(".")
    if len(parts) == 2 and parts[0] in ("claims", "certificates") and stem in ids:
        return "%s/ID.%s" % (parts[0], ext)
    if len(parts) == 2 and parts[0] == "figures":
        return "figures/NAME.%s" % ext
    return rel


def test_report_help_names_every_file_written(tmp_path, monkeypatch, run_cli):
    from bnverify.report import figures

    plt = figures._plt()

    def one_figure(rows, skip=(), progress=None):
        fig, ax = plt.subplots(figsize=(1, 1))
        ax.plot([0, 1], [0, 1])
        return [figures.render(figures.Figure("line", "a line", "a caption", "exact", fig))]
    monkeypatch.setattr(figures, "all_figures", one_figure)
    out_dir = tmp_path / "rep"
    code, out, _ = run_cli("verify", "--only", "centering-rank-one", "--jobs", "1", "--quiet", "--report", out_dir)
    assert code == 0
    from bnverify.claims import spec

    ids = {c.id for c in spec.load_catalogue()}
    written = {_kind(str(p.relative_to(out_dir)), ids) for p in out_dir.rglob("*") if p.is_file()}
    assert {"index.html", "claims/ID.html", "figures/NAME.png", "figures/NAME.svg", "certificates/ID.json",
            "report.md", "report.json", "results.json", "graph.svg"} <= written
    for command in ("verify", "report"):
        helptext = " ".join(run_cli(command, "--help")[1].split())
        for name in written - ({"results.json"} if command == "report" else set()):
            assert name in helptext, "%s --help does not name %s" % (command, name)
    # report --json: one document naming the same files
    code, out, _ = run_cli("report", tmp_path / "again", "--from", out_dir / "results.json", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["summary"]["total"] == 1 and "index.html" in doc["files"]
    assert {_kind(f, ids) for f in doc["files"]} == written - {"results.json"}


# ---------------------------------------------------------------- one table of exit codes (README)
def _exit_table():
    """{command: {code: meaning}} from the README's exit-code table ('-' entries left out)."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("### Exit codes", 1)[1]
    header, rows = None, {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| command"):
            header = cells
        elif header and line.startswith("| `"):
            row = {}
            for head, cell in zip(header[1:], cells[1:]):
                names, meanings = head.split(" / "), cell.split(" / ")
                row.update({int(k): m for k, m in zip(names, meanings) if m != "-"})
            rows[cells[0].strip("`")] = row
        elif rows:
            break
    return rows


def _returned_codes(mod):
    """The exit codes a command's run functions (run, run_*, and exit_code: the code of a --json
    document) return, read from its source: the
    named codes of bnverify.commands.exits (exits.OK, ...), either branch of 'a if c else b', a
    local name assigned such a code (code = exits.OK if ok else exits.UNDECIDED), and the values
    of its EXIT table."""
    import ast
    import inspect

    from bnverify.commands import exits

    def named(v, local):
        if isinstance(v, ast.Attribute) and isinstance(v.value, ast.Name) and v.value.id == "exits":
            return {getattr(exits, v.attr)}
        if isinstance(v, ast.IfExp):
            return named(v.body, local) | named(v.orelse, local)
        if isinstance(v, ast.Name):
            return local.get(v.id, set())
        assert not (isinstance(v, ast.Constant) and type(v.value) is int), "a literal exit code: %r" % v.value
        return set()

    codes = set(getattr(mod, "EXIT", {}).values())
    for fn in ast.walk(ast.parse(inspect.getsource(mod))):
        if isinstance(fn, ast.FunctionDef) and (fn.name in ("run", "exit_code") or fn.name.startswith("run_")):
            local = {}
            for node in ast.walk(fn):
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    local.setdefault(node.targets[0].id, set()).update(named(node.value, {}))
            codes |= {c for node in ast.walk(fn) if isinstance(node, ast.Return) and node.value is not None
                      for c in named(node.value, local)}
    return codes


def test_exit_code_table_covers_every_command_and_code():
    from bnverify.core import limits

    table = _exit_table()
    assert set(table) == {m.NAME for m in cli.COMMANDS}
    for mod in cli.COMMANDS:
        documented = set(table[mod.NAME])
        assert {exits.USAGE, exits.INTERNAL, exits.INTERRUPTED} <= documented, mod.NAME
        if mod.NAME == "report":            # returns what verify returned when it ran the catalogue
            assert documented == set(table["verify"])
            continue
        assert _returned_codes(mod) <= documented, mod.NAME
        assert documented - {exits.USAGE, exits.INTERNAL, exits.INTERRUPTED} <= _returned_codes(mod), mod.NAME
        said = re.search(r"exit status:(.*?)(\n\n|$)", getattr(mod, "DESCRIPTION", ""), re.S)
        if said:
            assert {int(k) for k in re.findall(r"(?:^|[,:])\s*(\d+)\s+[a-z]", said.group(1))} <= documented, mod.NAME
    assert "at most {:,} n".format(limits.MAX_PER_N) in table["simplex"][0]


def _copy_claim(tmp_path, name, **change):
    text = (PROOFS / name).read_text(encoding="utf-8")
    for key, value in change.items():
        text = re.sub(r'(?m)^%s = ".*"$' % key, '%s = "%s"' % (key, value), text)
    d = tmp_path / "cat"
    d.mkdir(exist_ok=True)
    (d / name).write_text(text, encoding="utf-8")
    return d


def test_exit_codes_as_documented(tmp_path, monkeypatch, run_cli):
    table = _exit_table()
    assert run_cli("check", PROOFS / "gram-fixed-point.toml", "--cert", tmp_path / "c.json")[0] == 0
    assert run_cli("check", PROOFS / "stability-naive.toml")[0] == 1
    assert run_cli("check", "--stages", "rc,tanh", "--n", "3", "--property", "fixed-point")[0] == 3   # no goal
    assert {0, 1, 3} <= set(table["check"])
    assert run_cli("check-cert", tmp_path / "c.json")[0] == 0
    cert = json.loads((tmp_path / "c.json").read_text())
    cert["verdict"] = "refuted"
    (tmp_path / "bad" / "c.json").parent.mkdir()
    (tmp_path / "bad" / "c.json").write_text(json.dumps(cert))
    code, out, _ = run_cli("check-cert", tmp_path / "bad")
    assert code == 1 and out.splitlines()[-1] == "1 certificate: 0 ok, 1 rejected"
    cat = _copy_claim(tmp_path, "centering-rank-one.toml", expect="refuted")
    assert run_cli("verify", "--catalogue", cat, "--jobs", "1", "--quiet")[0] == 1
    for mod in cli.COMMANDS:
        assert run_cli(mod.NAME, "--no-such-option")[0] == 2
        for exc, code in ((RuntimeError("boom"), 4), (KeyboardInterrupt(), 130)):
            def boom(args, exc=exc):
                raise exc
            monkeypatch.setattr(mod, "run", boom)
            got, _, err = run_cli(*([mod.NAME] + _minimal_args(mod.NAME)))
            assert got == code and len(err.strip().splitlines()) == 1, (mod.NAME, got, err)
        monkeypatch.undo()


def _minimal_args(name):
    """Arguments that parse (the run itself is replaced)."""
    return {"check-cert": ["x.json"], "report": ["out"], "jacobian": ["--n", "5"], "attractor": ["--n", "7"],
            "simplex": ["--n", "3"], "basins": ["--n", "3"], "lyapunov": ["--n", "4", "--width", "8", "--layers", "2", "--seeds", "2"],
            "phase": ["--n", "3..4", "--width", "8..16", "--depth", "2", "--seeds", "2"]}.get(name, [])


@pytest.mark.parametrize("coefficient,power", [("9*pi**2/2", 2), ("9*sqrt(2)*pi**2/4", 3), ("1", 0), ("1", 1),
                                               ("(-2 + pi)/(2*(-1 + pi))", 1), ("-3", 2)])
def test_leading_term_keeps_the_value(coefficient, power):
    t = sp.Symbol("t")
    text = pretty.leading_term(coefficient, power)
    lead, order = text.rsplit(" + O(", 1)
    back = parse_expr(lead, local_dict={"t": t, "pi": sp.pi}, transformations=READ)
    assert sp.simplify(back - sp.sympify(coefficient) * t ** power) == 0, text
    assert order == ("t)" if power == 0 else "t^%d)" % (power + 1))


def test_simplex_all_n_prints_its_bounds_rounded_up(run_cli):
    code, out, _ = run_cli("simplex", "--n", "3..")
    _, js, _ = run_cli("simplex", "--n", "3..", "--json")
    printed = [Fraction(x) for x in re.findall(r"radius <= (\S+)", out)]
    boxes = json.loads(js)["boxes"]
    assert code == 0 and len(printed) == len(boxes) > 0
    assert all(p >= Fraction(b["radius_upper"]) for p, b in zip(printed, boxes))
    assert "**" not in out and "*" not in out


def test_readme_jacobian_excerpt_is_the_output(jacobian_text):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    excerpt = readme.split("an excerpt of `bnverify jacobian --symbolic`:", 1)[1].split("```text\n", 1)[1]
    excerpt = excerpt.split("```", 1)[0].splitlines()
    lines = [line.rstrip() for line in jacobian_text.splitlines()]
    assert excerpt and all(line.rstrip() in lines for line in excerpt), [x for x in excerpt if x.rstrip() not in lines]
