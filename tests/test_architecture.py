"""The rooms of docs/architecture.md, enforced: every import inside bnverify (at the top of a
module or inside a function) goes to the same room or a room below, the trusted checker
imports nothing of bnverify outside itself, and the modules' imports form no cycle."""
import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bnverify import trusted

PACKAGE = Path(__file__).resolve().parents[1] / "bnverify"

# each room's rank; a module may import rooms of lower or equal rank (trusted: only itself)
RANK = {"errors": 0, "files": 0, "parallel": 0,
        "core": 1, "derive": 2, "sim": 3, "trusted": 4, "claims": 5, "report": 6,
        "commands": 7, "cli": 7, "api": 7, "__init__": 7, "__main__": 7,
        "_version": 0}                  # bnverify._version, a string every room may print
TOP_MODULES = {"errors", "files", "parallel", "_version", "cli", "api", "__init__", "__main__"}


def parts_of(path):
    return path.relative_to(PACKAGE).with_suffix("").parts


def targets(source, parts):
    """(room, line) of every bnverify import in ``source``, the module at bnverify/<parts>.py."""
    here = list(parts[:-1])            # the package holding the module (also for __init__)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                mod = here[: len(here) - (node.level - 1)] + (node.module.split(".") if node.module else [])
            elif node.module and node.module.split(".")[0] == "bnverify":
                mod = node.module.split(".")[1:]
            else:
                continue
            if mod:
                yield mod[0], node.lineno
            else:                      # from bnverify import a, b: each name is a room or a top name
                for a in node.names:
                    yield (a.name if a.name in RANK else "__init__"), node.lineno
        elif isinstance(node, ast.Import):
            for a in node.names:
                names = a.name.split(".")
                if names[0] == "bnverify":
                    yield (names[1] if len(names) > 1 else "__init__"), node.lineno


def violations(source, parts):
    mine = parts[0]
    out = []
    for room, line in targets(source, parts):
        if mine == "trusted":
            ok = room == "trusted"
        else:
            ok = RANK.get(room, 99) <= RANK[mine]
        if not ok:
            out.append("bnverify/%s.py:%d (%s) imports %s" % ("/".join(parts), line, mine, room))
    return out


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_is_in_a_room():
    assert {parts_of(p)[0] for p in MODULES} <= set(RANK)
    assert {p.stem for p in PACKAGE.glob("*.py")} == TOP_MODULES


@pytest.mark.parametrize("path", MODULES, ids=lambda p: "/".join(parts_of(p)))
def test_imports_go_down(path):
    assert violations(path.read_text(), parts_of(path)) == []


@pytest.mark.parametrize("source, parts", [
    ("from ..claims import spec\n", ("core", "arith")),                 # core reaching up
    ("def f():\n    from ..report import html\n", ("derive", "curve")),  # inside a function too
    ("from ..core import arith\n", ("trusted", "kernel")),              # trusted uses only itself
    ("import bnverify.claims.runner\n", ("sim", "model")),
    ("from bnverify import api\n", ("claims", "spec")),
])
def test_a_bad_import_is_caught(source, parts):
    assert violations(source, parts)


def test_a_good_import_passes():
    assert violations("from ..core import arith\nfrom . import curve\nfrom .. import errors\n",
                      ("derive", "states")) == []


# ---------------------------------------------------------------- no cycles, module by module
def module_name(path):
    """bnverify/claims/spec.py -> bnverify.claims.spec; a package is named by its __init__.py."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(sources):
    """{module: the bnverify modules it imports} from {module: (source, is_package)}, every import
    counted (top level and inside functions).  ``from X import a`` goes to X.a if that is a module,
    else to X (a name X's __init__ defines); importing X.Y also runs the __init__ of each package
    on the way, except the importer's own packages, which are running already."""
    graph = {}
    for name, (source, is_package) in sources.items():
        package = name if is_package else name.rpartition(".")[0]
        mine = {name} | {".".join(name.split(".")[:k]) for k in range(1, name.count(".") + 1)}
        out = set()

        def reach(target):
            parts = target.split(".")
            out.update(m for m in (".".join(parts[:k]) for k in range(1, len(parts) + 1))
                       if m in sources and m not in mine)
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    mod = ".".join(base + ([node.module] if node.module else []))
                else:
                    mod = node.module or ""
                if mod.split(".")[0] != "bnverify":
                    continue
                reach(mod)
                for a in node.names:
                    if mod + "." + a.name in sources:
                        reach(mod + "." + a.name)
                    elif mod in sources and mod != name:
                        out.add(mod)
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.split(".")[0] == "bnverify":
                        reach(a.name)
        graph[name] = out
    return graph


def cycles(graph):
    """Each set of modules that import each other (a strongly connected component of more than
    one module, Tarjan), shown as one cycle through it: ['a', 'b', 'a']."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while v not in component:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
            if len(component) > 1:
                found.append(_one_cycle(graph, component))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _one_cycle(graph, component):
    """A shortest path from the component's first module back to itself (breadth first)."""
    start = min(component)
    paths, seen = [[start]], set()
    while paths:
        path = paths.pop(0)
        for w in sorted(graph[path[-1]] & component):
            if w == start:
                return path + [start]
            if w not in seen:
                seen.add(w)
                paths.append(path + [w])


def test_no_import_cycles():
    graph = import_graph({module_name(p): (p.read_text(), p.name == "__init__.py") for p in MODULES})
    assert "bnverify.claims.properties.road" in graph["bnverify.claims.runner"]       # the graph is the real one
    assert cycles(graph) == []


@pytest.mark.parametrize("sources, cycle", [
    ({"bnverify.a": ("from . import b\n", False),                                  # two modules
      "bnverify.b": ("def f():\n    from .a import x\n", False)},                   # (inside a function too)
     ["bnverify.a", "bnverify.b", "bnverify.a"]),
    ({"bnverify": ("", True), "bnverify.p": ("def __getattr__(n):\n    from . import q\n", True),
      "bnverify.p.q": ("import bnverify.s\n", False),
      "bnverify.s": ("from .p.r import x\n", False), "bnverify.p.r": ("", False)},
     ["bnverify.p", "bnverify.p.q", "bnverify.s", "bnverify.p"]),                   # through a package's __init__
    ({"bnverify": ("from .cli import main\n", True),
      "bnverify.cli": ("from . import __version__\n", False)},                      # a name the package defines
     ["bnverify", "bnverify.cli", "bnverify"]),
])
def test_a_cycle_is_caught(sources, cycle):
    assert cycles(import_graph(sources)) == [cycle]


def test_a_tree_passes():
    sources = {"bnverify": ("", True), "bnverify.p": ("", True), "bnverify.p.q": ("from . import r\n", False),
               "bnverify.p.r": ("from .. import s\n", False), "bnverify.s": ("from ._version import v\n", False),
               "bnverify._version": ("v = 1\n", False)}
    graph = import_graph(sources)
    assert graph["bnverify.p.q"] == {"bnverify.p.r"} and graph["bnverify.p.r"] == {"bnverify.s"}
    assert cycles(graph) == []


def test_the_trusted_checker_loads_nothing_else():
    """import bnverify.trusted in a fresh interpreter loads no other module of bnverify (the
    package's __init__ runs first, and must not import the API)."""
    code = "import sys, bnverify.trusted; print(' '.join(m for m in sys.modules if m.split('.')[0] == 'bnverify'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert "bnverify.trusted.kernel" in out
    assert [m for m in out if m != "bnverify" and m.split(".")[:2] != ["bnverify", "trusted"]] == []


def test_loading_the_catalogue_does_not_load_the_road():
    """The claim loader needs the property registry, not the road with every search behind it
    (bnverify.claims.properties names the road's functions on first use)."""
    code = ("import sys; from bnverify.claims import spec; spec.load_catalogue(); "
            "print(' '.join(m for m in sys.modules if m.startswith('bnverify.claims.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert "bnverify.claims.properties.registry" in out and "bnverify.claims.properties.road" not in out, out


def test_the_input_limit_is_the_kernels():
    """core.limits may not import the trusted package, so it keeps its own copies of the per-n
    limits; they must agree (classification per n; a state's box at any n; a per-n range)."""
    from bnverify.core import limits
    from bnverify.trusted import items, kernel

    assert limits.certified_max_n() == items.N_MAX
    assert limits.MAX_N == items.STATE_N_MAX and limits.MAX_PER_N == kernel.PER_N_MAX


def test_a_reviewer_checks_a_certificate_with_the_trusted_package_alone(tmp_path, written_cert):
    """bnverify.trusted.check_file, in a fresh interpreter that loads nothing else of bnverify, re-checks a
    genuine certificate and rejects the same certificate relabelled onto another n."""
    good = tmp_path / "good.json"
    cert = written_cert(good, "--stages", "rc,relu", "--n", "5", "--property", "fixed-point",
                        "--state", "configuration")
    cert["claim"]["domain"]["n"] = "6"
    cert["hash"] = trusted.content_hash(cert)            # a forger recomputes the hash
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(cert))
    code = ("import sys, bnverify.trusted as t; print(t.check_file(sys.argv[1])[0]); print(t.check_file(sys.argv[2])); "
            "print(' '.join(m for m in sys.modules if m.split('.')[0] == 'bnverify'))")
    out = subprocess.run([sys.executable, "-c", code, str(good), str(bad)], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert out[0] == "True", out
    assert out[1] == "(False, \"the certificate's statement is not the kernel's canonical statement\")", out
    assert [m for m in out[2].split() if m != "bnverify" and m.split(".")[:2] != ["bnverify", "trusted"]] == []
