"""The reviewer report is derived from the verdict rows: table, sections and figures."""
from bnverify import report


def _rows():
    enc = {"7": {"cluster_cos": ["0.47", "0.48"], "odd_cos": ["0.065", "0.066"],
                 "norm_ratio": ["3.84", "3.85"], "spectral_radius": ["0.94", "0.95"]},
           "8": {"cluster_cos": ["0.57", "0.58"], "odd_cos": ["0.042", "0.043"],
                 "norm_ratio": ["5.10", "5.11"], "spectral_radius": ["0.93", "0.94"]}}
    return [
        {"id": "gram-fixed-point", "title": "fixed point", "statement": "F(G*) = c G*", "verdict": "proved",
         "expect": "proved", "method": "exact", "seconds": 0.1, "evidence": {}, "uses": []},
        {"id": "attractor", "title": "attractor", "statement": "exists", "verdict": "proved",
         "expect": "proved", "method": "Krawczyk", "seconds": 1.0,
         "evidence": {"enclosures": enc}, "uses": ["gram-fixed-point"]},
        {"id": "stability-naive", "title": "naive", "statement": "stable", "verdict": "refuted",
         "expect": "proved", "method": "exact", "seconds": 0.2, "evidence": {}, "uses": ["gram-fixed-point"]},
    ]


def test_report_files_and_contents(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "fig_rs_response", lambda: None)    # slow quadrature: its own test
    page = report.write(tmp_path, _rows())
    text = page.read_text()
    assert "2 with the expected verdict" in text.replace("3 claims, ", "")
    assert text.count("data:image/png;base64,") == 3      # dependencies, spectrum, attractor
    for name in ("dependencies.png", "spectrum.png", "attractor.png", "report.md"):
        assert (tmp_path / name).stat().st_size > 0
    md = (tmp_path / "report.md").read_text()
    assert "| stability-naive | **refuted** | proved |" in md
