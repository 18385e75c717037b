"""The rooms of docs/architecture.md, enforced: every import inside bnverify (at the top of a
module or inside a function) goes to the same room or a room below, and the trusted checker
imports nothing of bnverify outside itself."""
import ast
from pathlib import Path

import pytest

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


def test_the_input_limit_is_the_kernels():
    """core.limits may not import the trusted package, so it keeps its own copy of the per-n
    limit; they must agree."""
    from bnverify.core import limits
    from bnverify.trusted import items

    assert limits.certified_max_n() == items.N_MAX
