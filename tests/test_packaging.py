"""Packaging metadata (issue 11, item 6): pyproject.toml, LICENSE and CITATION.cff parse and
agree with each other and with the package."""
import tomllib
from pathlib import Path

import yaml

import bnverify

ROOT = Path(__file__).resolve().parents[1]
ARXIV = "https://arxiv.org/abs/2412.02843"


def _project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _citation():
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def test_one_version_everywhere():
    project, cff = _project(), _citation()
    assert isinstance(cff["version"], str) and cff["version"] == project["version"] == bnverify.__version__


def test_license_file_matches_pyproject_and_citation():
    project, cff = _project(), _citation()
    name = project["license"]["text"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").splitlines()[0] == "%s License" % name
    assert cff["license"] == name
    assert "License :: OSI Approved :: %s License" % name in project["classifiers"]


def test_pyproject_metadata():
    project = _project()
    assert project["authors"] and all(a.get("name") for a in project["authors"])
    assert project["urls"]["Paper"] == ARXIV
    assert all(" :: " in c for c in project["classifiers"])
    py = project["requires-python"].lstrip(">=")
    assert "Programming Language :: Python :: %s" % py in project["classifiers"]


def test_citation_cites_the_tool_and_the_paper():
    """The keys CFF 1.2.0 requires, with their types, and the paper among the references."""
    cff = _citation()
    assert cff["cff-version"] == "1.2.0" and cff["type"] == "software"
    for key in ("message", "title", "abstract"):
        assert isinstance(cff[key], str) and cff[key].strip()
    assert cff["authors"] and all(a.get("name") or a.get("family-names") for a in cff["authors"])
    (paper,) = [r for r in cff["references"] if r.get("url") == ARXIV]
    assert paper["type"] == "article" and paper["title"] == "Batch Normalization Decomposed"
    assert [a["family-names"] for a in paper["authors"]] == ["Nachum", "Bondaschi", "Gastpar", "Khina"]
    assert all(a["given-names"] for a in paper["authors"])
    assert paper["year"] == 2024 and paper["doi"] == "10.48550/arXiv.2412.02843"
    assert cff["title"] == cff["title"].strip() and "Batch Normalization Decomposed" in cff["title"]


def test_changelog_names_the_version():
    assert "## %s" % _project()["version"] in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


def test_the_sdist_carries_license_citation_and_changelog(tmp_path):
    """Built from a copy of the checkout (an in-tree build would race the wheel test's)."""
    import shutil
    import subprocess
    import sys
    import tarfile

    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "CITATION.cff", "CHANGELOG.md", "MANIFEST.in"):
        shutil.copy2(ROOT / name, src / name)
    for folder in ("bnverify", "proofs"):
        shutil.copytree(ROOT / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    subprocess.run([sys.executable, "-c", "import setuptools.build_meta as b; b.build_sdist(%r)" % str(tmp_path)],
                   cwd=src, check=True, capture_output=True)
    (sdist,) = tmp_path.glob("bnverify-*.tar.gz")
    names = {Path(n).name for n in tarfile.open(sdist).getnames()}
    assert {"LICENSE", "CITATION.cff", "CHANGELOG.md", "PKG-INFO"} <= names
    info = tarfile.open(sdist).extractfile("bnverify-%s/PKG-INFO" % _project()["version"]).read().decode()
    assert "Project-URL: Paper, %s" % ARXIV in info and "License: MIT" in info


def test_mpmath_runs_on_gmpy2():
    """gmpy2 is a dependency so that mpmath takes its fast integers: the searches' quadratures and the suite's
    mpmath cross-checks ran 20-25 % faster (without it mpmath quietly falls back to Python integers)."""
    import mpmath.libmp

    assert any(d.startswith("gmpy2") for d in _project()["dependencies"])
    assert mpmath.libmp.BACKEND == "gmpy"
