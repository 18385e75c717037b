"""BN after the activation (issue 23, item 6): ``--stages relu,rc`` is RC then ReLU read at
C G C.  The conjugation against dense matrices computed here (an arc-cosine kernel and central
differences of its own, independent of bnverify's Gram map), the kernel's post-activation goal
and its forgeries, and the orders that stay undefined."""
import copy
import json

import numpy as np
import pytest

from bnverify import trusted
from bnverify.claims import certificate


# ---------------------------------------------------------------- an independent dense model
def _kernel(S):
    """ReLU's K(S) (Cho & Saul), entrywise, in numpy."""
    d = np.sqrt(np.clip(np.diag(S), 0, None))
    R = np.outer(d, d)
    rho = np.clip(np.divide(S, R, out=np.zeros_like(S), where=R > 0), -1, 1)
    return R / (2 * np.pi) * (np.sqrt(1 - rho ** 2) + (np.pi - np.arccos(rho)) * rho)


def _maps(n):
    C = np.eye(n) - 1.0 / n
    return (lambda G: _kernel(C @ G @ C)), (lambda H: C @ _kernel(H) @ C), C


def _jacobian(F, G, h=1e-6):
    """DF(G) on Sym_n in the basis E_jk + E_kj (j <= k), by central differences."""
    n = G.shape[0]
    idx = [(j, k) for j in range(n) for k in range(j, n)]
    J = np.zeros((len(idx), len(idx)))
    for col, (j, k) in enumerate(idx):
        E = np.zeros((n, n))
        E[j, k] = E[k, j] = 1
        D = (F(G + h * E) - F(G - h * E)) / (2 * h)
        J[:, col] = [D[a, b] for a, b in idx]
    return J


def _scale_free(J, c, tol=1e-6):
    """Eigenvalues of J/c with one eigenvalue 1 (the state's own direction) dropped, sorted."""
    ev = np.linalg.eigvals(J / c)
    k = np.argmin(abs(ev - 1))
    assert abs(ev[k] - 1) < tol
    return np.delete(ev, k)


def _nonzero(ev, tol=1e-6):
    return np.sort_complex(ev[abs(ev) > tol])


def _simplex(n):
    rho = -1.0 / (n - 1)
    s = (np.sqrt(1 - rho ** 2) + (np.pi - np.arccos(rho)) * rho) / np.pi         # kappa(rho)/kappa(1)
    return (1 - s) * np.eye(n) + s * np.ones((n, n))


def _attractor(row, n):
    c, o, r = (float(np.mean([float(x) for x in row[f]])) for f in ("cluster_cos", "odd_cos", "norm_ratio"))
    G = np.full((n, n), c)
    np.fill_diagonal(G, 1)
    G[:n - 1, n - 1] = G[n - 1, :n - 1] = o * r
    G[n - 1, n - 1] = r * r
    return G


@pytest.mark.parametrize("n", [4, 5])
def test_conjugation_against_dense_matrices_simplex(cli_json, n):
    F, Fp, C = _maps(n)
    G = _simplex(n)
    c = F(G)[0, 0] / G[0, 0]
    assert np.allclose(F(G), c * G, atol=1e-12)
    H = C @ G @ C
    assert np.allclose(Fp(H), c * H, atol=1e-12)                    # C G* C is F''s fixed ray, same c
    pre, post = _scale_free(_jacobian(F, G), c), _scale_free(_jacobian(Fp, H), c)
    assert np.allclose(_nonzero(pre), _nonzero(post), atol=1e-6)   # AB and BA: the same nonzero eigenvalues
    # ... and, both endomorphisms of Sym_n, one characteristic polynomial: as many zeros too
    assert np.allclose(np.sort_complex(pre), np.sort_complex(post), atol=1e-6)
    doc = cli_json("simplex", "--stages", "relu,rc", "--n", str(n), "--jobs", "1")
    row = doc["results"][0]
    lo, hi = (float(x) for x in row["spectral_radius"])
    assert lo - 1e-6 <= max(abs(post)) <= hi + 1e-6
    assert doc["conjugation"]["status"] == "proved" and doc["conjugation"]["checked"]
    assert doc["stages"] == "relu,rc" and "conjugat" in doc["eigenvalue_convention"]
    cos = H[0, 1] / H[0, 0]                                         # the post-activation state's own cosine
    for f, want in (("cluster_cos", cos), ("odd_cos", cos), ("norm_ratio", 1.0)):
        a, b = (float(x) for x in row["post_state"][f])
        assert a - 1e-12 <= want <= b + 1e-12, (f, want, a, b)
    assert abs(cos + 1 / (n - 1)) < 1e-12                            # C G* C is the regular simplex


def test_conjugation_against_dense_matrices_attractor(cli_json):
    """At the spread attractor (n = 7) the nonzero eigenvalues agree (and the zeros too in number: AB and BA
    on one space share their characteristic polynomial; tests/test_redteam_order.py counts them)."""
    n = 7
    doc = cli_json("attractor", "--stages", "relu,rc", "--n", str(n), "--jobs", "1")
    row = doc["results"][0]
    F, Fp, C = _maps(n)
    G = _attractor(row, n)
    c = F(G)[0, 0] / G[0, 0]
    assert np.allclose(F(G), c * G, atol=1e-5)
    H = C @ G @ C
    assert np.allclose(Fp(H), c * H, atol=1e-5)
    pre, post = _scale_free(_jacobian(F, G), c, 1e-4), _scale_free(_jacobian(Fp, H), c, 1e-4)
    assert np.allclose(_nonzero(pre, 1e-4), _nonzero(post, 1e-4), atol=1e-4)
    lo, hi = (float(x) for x in row["spectral_radius"])
    assert lo - 1e-4 <= max(abs(post)) <= hi + 1e-4
    p = row["post_state"]
    for f, want in (("cluster_cos", H[0, 1] / H[0, 0]), ("odd_cos", H[0, n - 1] / np.sqrt(H[0, 0] * H[n - 1, n - 1])),
                    ("norm_ratio", np.sqrt(H[n - 1, n - 1] / H[0, 0]))):
        a, b = (float(x) for x in p[f])
        assert a - 1e-5 <= want <= b + 1e-5, (f, want, a, b)
    assert doc["conjugation"]["status"] == "proved" and "NL then RC" in doc["conjugation"]["statement"]


# ---------------------------------------------------------------- the kernel's goal and forgeries
@pytest.fixture(scope="module")
def certs(tmp_path_factory, run_cli):
    d = tmp_path_factory.mktemp("after")
    out = {}
    for name, stages in (("pre", "rc,relu"), ("post", "relu,rc")):
        code, text, err = run_cli("check", "--stages", stages, "--n", "5..6", "--property", "spectral-radius",
                                  "--state", "simplex", "--relation", "<", "--bound", "1", "--jobs", "1",
                                  "--cert", d / (name + ".json"))
        assert code == 0, err
        out[name] = json.loads((d / (name + ".json")).read_text())
    return out


def _relabel(cert, canonical=False, **changes):
    c = copy.deepcopy(cert)
    c["claim"].update(changes)
    if canonical:
        c["statement"] = trusted.goal(c["claim"])[1].statement
    return certificate.rehash(c)


def test_the_post_goal_is_derived_from_the_claim_not_swapped(certs):
    pre, post = certs["pre"], certs["post"]
    assert trusted.check(pre)[0] and trusted.check(post)[0]
    assert post["claim"]["stages"] == ["nl", "rc"] and pre["claim"]["stages"] == ["rc"]
    assert post["statement"].startswith("for NL then RC (BN after the activation): C G* C is a fixed ray")
    assert post["statement"] != pre["statement"] and post["statement"].endswith(pre["statement"])
    # the same evidence decides both: the lemma is applied to the pre-activation evidence
    assert post["evidence"] == pre["evidence"]


@pytest.mark.parametrize("forge", [
    lambda c: _relabel(c["pre"], stages=["nl", "rc"]),                      # pre onto post, its statement kept
    lambda c: _relabel(c["post"], stages=["rc"]),                           # and back
    lambda c: _relabel(c["post"], stages=["nl", "rc", "rs"]),               # another order: RS after phi
    lambda c: _relabel(c["post"], canonical=False, stages=["rc", "nl"]),    # no such order
    lambda c: _relabel(c["post"], stages=["nl", "rs"]),
    lambda c: _relabel(c["post"], property="jacobian-spectrum"),            # zero multiplicities differ
    lambda c: _relabel(c["post"], property="norm-ratio-limit", params={"value": "n-1"}),   # another Gram matrix
    lambda c: _relabel(c["post"], property="basin", params={"state": "simplex", "basin": "all"}),
    lambda c: _relabel(c["post"], canonical=True, domain={"n": "5..7"}),    # n = 7 without evidence
    lambda c: _relabel(c["post"], canonical=True, activation="leaky_relu", domain={"n": "5..6", "alpha": "1/10"}),
    lambda c: certificate.rehash(dict(copy.deepcopy(c["post"]), statement=c["pre"]["statement"])),
    lambda c: certificate.rehash(dict(copy.deepcopy(c["post"]), verdict="refuted")),
], ids=["pre-onto-post", "post-onto-pre", "onto-nl-rc-rs", "onto-rc-nl", "onto-nl-rs", "onto-jacobian-spectrum",
        "onto-norm-ratio", "onto-basin", "onto-more-n", "onto-leaky", "pre-statement", "flipped"])
def test_forged_post_activation_certificates_are_rejected(certs, forge):
    ok, why = trusted.check(forge(certs))
    assert not ok, why


def test_pre_evidence_with_the_post_statement_is_a_valid_certificate(certs):
    """Not a forgery: the kernel's goal for the post claim applies the lemma to these items."""
    ok, why = trusted.check(_relabel(certs["pre"], canonical=True, stages=["nl", "rc"]))
    assert ok, why


@pytest.mark.parametrize("prop,params", [("norm-ratio-limit", {"value": "n-1"}),
                                         ("stability-directions", {"state": "configuration"}),
                                         ("orthogonal-outlier", {}), ("basin", {"state": "simplex", "basin": "all"}),
                                         ("invariant-configuration", {}), ("stage-fact", {})])
def test_what_does_not_carry_over_has_no_goal(prop, params):
    with pytest.raises(trusted.NoGoal, match="BN after the activation"):
        trusted.goal({"property": prop, "stages": ["nl", "rc"], "activation": "relu", "domain": {"n": "5"},
                      "params": params})
    with pytest.raises(trusted.NoGoal, match="1-homogeneous"):
        trusted.goal({"property": "fixed-point", "stages": ["nl", "rc"], "activation": "tanh", "domain": {"n": "5"},
                      "params": {"state": "configuration"}})
    with pytest.raises(trusted.NoGoal, match="not a conjugate"):
        trusted.goal({"property": "spectral-radius", "stages": ["nl", "rc", "rs"], "activation": "relu",
                      "domain": {"n": "5"}, "params": {"state": "simplex", "relation": "<", "bound": "1"}})


def test_the_spectrum_at_the_configuration_carries_over_with_multiplicities(cli_json):
    eigen = "0:n,n/(n**2-2*n+2):n-2,n**2/(n**2-2*n+2):(n-1)*(n-2)/2"
    doc = cli_json("check", "--stages", "relu,rc", "--n", "3..", "--property", "jacobian-spectrum", "--state",
                   "configuration", "--eigenvalues", eigen)
    assert doc["verdict"] == "proved" and doc["evidence"]["statement"].startswith("for NL then RC")


def test_the_naive_reading_is_refuted_after_the_activation_too(cli_json, run_cli):
    code, out, _ = run_cli("check", "--stages", "relu,rc", "--n", "3..", "--property", "spectral-radius", "--state",
                           "configuration", "--relation", "<", "--bound", "1", "--json")
    doc = json.loads(out)
    assert doc["verdict"] == "refuted" and doc["checked"] and "NL then RC" in doc["evidence"]["statement"]


# ---------------------------------------------------------------- orders the model does not define
@pytest.mark.parametrize("argv,words", [
    (["check", "--stages", "rs,rc,relu", "--n", "5", "--property", "fixed-point"], "not defined"),
    (["check", "--stages", "rc,relu,rs", "--n", "5", "--property", "fixed-point"], "PHI,rc or PHI,rc,rs"),
    (["simplex", "--stages", "relu,rs", "--n", "5"], "not defined"),
    (["simplex", "--stages", "relu,rc,rs", "--n", "5"], "not a conjugate"),
    (["attractor", "--stages", "relu,rc,rs", "--n", "7"], "not a conjugate"),
    (["jacobian", "--stages", "relu,rc", "--n", "5"], "taken by check, simplex and attractor only"),
    (["decompose", "--stages", "relu,rc", "--n", "5"], "taken by check, simplex and attractor only"),
])
def test_undefined_or_unanalysed_orders_are_one_line_usage_errors(run_cli, argv, words):
    code, out, err = run_cli(*argv)
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err


def test_a_claim_file_takes_the_post_order(tmp_path, cli_json):
    f = tmp_path / "after.toml"
    f.write_text('id = "after"\ntitle = "t"\nstatement = "s"\nproperty = "fixed-point"\nexpect = "proved"\n'
                 '[model]\nstages = "relu,rc"\n[domain]\nn = "4"\n[params]\nstate = "simplex"\n')
    doc = cli_json("check", str(f))
    assert doc["verdict"] == "proved" and doc["evidence"]["statement"].startswith("for NL then RC")
    f.write_text(f.read_text().replace("relu,rc", "rc,relu,rs"))
    from bnverify.claims import spec
    from bnverify.errors import ClaimError
    with pytest.raises(ClaimError, match="not defined"):
        spec.load_claim(f)


def test_with_rs_after_the_activation_the_regular_simplex_is_the_symmetric_fixed_point():
    """What the refusal of relu,rc,rs says (docs/full-bn.md section 12), sampled: at G = n/(n-1) C,
    y = sqrt(n) C relu(z)/|C relu(z)| has E[y y^T] = n/(n-1) C (y on the sphere of radius sqrt(n)
    in the zero-sum plane, its law S_n-invariant)."""
    n, samples = 5, 200_000
    rng = np.random.default_rng(3)
    C = np.eye(n) - 1.0 / n
    z = rng.standard_normal((samples, n)) @ C * np.sqrt(n / (n - 1))        # N(0, n/(n-1) C)
    x = np.maximum(z, 0) @ C
    y = np.sqrt(n) * x / np.linalg.norm(x, axis=1, keepdims=True)
    est = y.T @ y / samples
    assert np.allclose(est, n / (n - 1) * C, atol=0.02)
    assert np.allclose((y ** 2).sum(axis=1), n) and np.allclose(y.sum(axis=1), 0, atol=1e-9)


def test_the_python_api_reads_the_conjugation():
    from fractions import Fraction

    import bnverify as bnv

    r = bnv.simplex(n="4", stages="relu,rc", jobs=1)
    assert r.conjugation["status"] == "proved" and r.conjugation["from_stages"] == "rc,relu"
    assert Fraction(-1, 3) in r.rows[0].post_state["cluster_cos"] and "conjugation" in repr(r)
    assert bnv.simplex(n="4", jobs=1).conjugation is None


def test_with_rs_after_the_activation_the_kernel_proves_only_the_symmetric_fixed_point(tmp_path, run_cli):
    cert = tmp_path / "rs.json"
    code, out, err = run_cli("check", "--stages", "relu,rc,rs", "--n", "3..", "--property", "fixed-point", "--state",
                             "simplex", "--cert", cert)
    assert code == 0, out
    good = json.loads(cert.read_text())
    assert trusted.check(good)[0] and "regular simplex G = n/(n-1) C" in good["statement"]
    assert "stability is not decided" in good["statement"] and good["evidence"] == []
    for forged in (_relabel(good, property="spectral-radius", params={"state": "simplex", "relation": "<",
                                                                        "bound": "1"}),
                   _relabel(good, params={"state": "configuration"}),
                   _relabel(good, activation="tanh"),
                   _relabel(good, stages=["nl", "rc"]),                  # RC after phi: another statement
                   _relabel(good, stages=["rc", "rs"]),
                   _relabel(good, canonical=True, stages=["rc", "rs"])):   # full BN's BSB1: needs evidence
        ok, why = trusted.check(forged)
        assert not ok, why
