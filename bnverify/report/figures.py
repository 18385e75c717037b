"""The report's figures (matplotlib, PNG and SVG).  Each maker returns a :class:`Figure` or
None when its data is absent; the caption says what is drawn and where the numbers come from:
*certified* (ball-arithmetic enclosures, from the verdicts' evidence or bnverify.derive),
*exact* (closed forms from sympy) or *sampled* (float evaluation or finite-width simulation,
which illustrates and never proves)."""
from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

import numpy as np


@dataclass
class Figure:
    name: str
    title: str
    caption: str
    source: str            # certified | exact | sampled
    fig: object
    png: bytes = b""
    svg: str = ""


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _by_id(rows):
    return {r["id"]: r for r in rows}


# ------------------------------------------------------------------ exact
def fig_spectrum(ns=range(3, 41)):
    """Eigenvalues of the scale-free linearization at O_n against n (closed forms in n, alpha)."""
    import sympy as sp

    from ..derive import symbolic

    plt = _plt()
    spec = symbolic.configuration_spectrum(symbolic.symbolic_activation("leaky_relu"))
    fig, ax = plt.subplots(figsize=(6.4, 4))
    for a, ls in zip((0, sp.Rational(1, 10), sp.Rational(3, 10)), ("-", "--", ":")):
        for e in spec["eigenvalues"]:
            f = sp.lambdify(symbolic.N, e["value"].subs(symbolic.ALPHA, a))
            ys = [float(f(n)) for n in ns]
            label = "%s, alpha = %s" % ("spread mode" if "spread" in e["mode"] else "cluster-norm mode", a)
            if a == 0:
                label += ": %s (x %s)" % (sp.factor(e["value"].subs(symbolic.ALPHA, 0)), e["multiplicity"])
            if max(abs(y) for y in ys) > 0:
                ax.plot(list(ns), ys, ls, label=label)
    ax.axhline(1, color="k", lw=0.8)
    ax.set_xlabel("batch size n")
    ax.set_ylabel("eigenvalue of DF(G*)/c (G* direction dropped)")
    ax.set_title("Linearization at the configuration O_n")
    ax.legend(fontsize=7)
    return Figure("spectrum", "Eigenvalues at the configuration",
                  "The non-zero eigenvalues of the scale-free linearization at O_n against n, for ReLU "
                  "(alpha = 0) and leaky ReLU (alpha = 1/10, 3/10), with ReLU's closed forms and multiplicities in "
                  "the legend (the eigenvalue 0, of multiplicity n, is not drawn); the spread mode lies above the "
                  "line 1 for every n, so O_n is unstable. Exact: sympy's closed forms in symbolic n and alpha "
                  "(bnverify.derive.symbolic), evaluated at each n.", "exact", fig)


# ------------------------------------------------------------------ certified
def _width(lo, hi):
    return Decimal(str(hi)) - Decimal(str(lo))


def _branch_enclosures(ns, prec=128):
    """{n: {quantity: (lo, hi)}} for n >= 16 from the all-n branch (bnverify.derive.alln): at t = 1/n a
    1-D Krawczyk box of G(v, t) = 0 in v = n arccos(rho), in arb, the test the all-n proof runs on
    t-intervals; then every quantity of the branch evaluated over the box.  Quantities: the
    cluster cosine, odd cosine and norm ratio, and their rescaled forms n^2 (1 - cluster cosine),
    n^3 odd cosine and n - norm ratio, which tend to the closed forms of the asymptotics."""
    from fractions import Fraction

    from ..core import arith
    from ..derive import alln

    ctx, mp = arith.get("ball", prec=prec), arith.get("mp", dps=30)
    out = {}
    for n in ns:
        t = Fraction(1, n)
        guess = mp.mp.findroot(lambda v: alln.branch(v, mp.const(t), mp)["G"], 3 * mp.mp.pi)
        box = alln.krawczyk_box(t, t, Fraction(str(mp.mp.nstr(guess, 40))), ctx, rel=Fraction(1, 2 ** 80))
        if box is None:
            continue
        V = alln.v_ball(box, ctx)
        T = ctx.const(t)
        q = alln.branch(V, T, ctx)
        balls = {"cluster_cos": 1 - q["deficit_t2"] * T * T, "odd_cos": q["odd_cos_t3"] * T ** 3,
                 "norm_ratio": n - q["gap"], "cluster_cos_deficit": q["deficit_t2"],
                 "odd_cos_scaled": q["odd_cos_t3"], "norm_ratio_gap": q["gap"]}
        out[n] = {k: (float(b.lower()), float(b.upper())) for k, b in balls.items()}
    return out


ATTRACTOR_QUANTITIES = (   # key, rescaled key, asymptotics key, power of n, title, rescaled title
    ("cluster_cos", "cluster_cos_deficit", "cluster_cos_deficit", 2, "cluster cosine", "n^2 (1 - cluster cosine)"),
    ("odd_cos", "odd_cos_scaled", "odd_cos", 3, "odd-cluster cosine", "n^3 odd cosine"),
    ("norm_ratio", "norm_ratio_gap", "norm_ratio_gap", 0, "norm ratio |u|/|v|", "n - norm ratio"),
)


def fig_attractor(rows, branch_ns=tuple(range(16, 65)) + (80, 100, 128, 160, 200, 256, 400, 640, 1000)):
    """The spread-cluster state against n: cluster cosine, odd cosine and norm ratio (top) and
    their rescaled forms against 1/n (bottom), with the enclosures of the 'attractor' verdict
    (n = 7..15), enclosures from the all-n branch (n >= 16) and the leading terms."""
    r = _by_id(rows).get("attractor")
    ev = (r or {}).get("evidence") or {}
    enc = ev.get("enclosures")
    if not enc:
        return None
    plt = _plt()
    ns = sorted(int(k) for k in enc)
    keys = [q[0] for q in ATTRACTOR_QUANTITIES]
    widest = max(_width(*enc[str(n)][k]) for n in ns for k in keys if k in enc[str(n)])
    asym = ev.get("asymptotics") or {}
    alln_proved = r.get("verdict") == "proved" and any(str(k).endswith("..") for k in ev.get("per_n") or {})
    branch = _branch_enclosures([n for n in branch_ns if n > ns[-1]]) if alln_proved else {}
    per_n = {n: {k: tuple(float(x) for x in enc[str(n)][k]) for k in keys if k in enc[str(n)]} for n in ns}
    for n, e in per_n.items():                 # the rescaled forms of the per-n enclosures
        if "cluster_cos" in e:
            e["cluster_cos_deficit"] = (n * n * (1 - e["cluster_cos"][1]), n * n * (1 - e["cluster_cos"][0]))
        if "odd_cos" in e:
            e["odd_cos_scaled"] = (n ** 3 * e["odd_cos"][0], n ** 3 * e["odd_cos"][1])
        if "norm_ratio" in e:
            e["norm_ratio_gap"] = (n - e["norm_ratio"][1], n - e["norm_ratio"][0])
    fig, axes = plt.subplots(2, 3, figsize=(12.5, 7))
    for k, (key, scaled, akey, power, title, stitle) in enumerate(ATTRACTOR_QUANTITIES):
        top, bottom = axes[0][k], axes[1][k]
        for data, marker, label in ((per_n, "o", "per-n Krawczyk box (the verdict)"),
                                    (branch, "s", "all-n branch at t = 1/n (Krawczyk in arb)")):
            xs = sorted(n for n in data if n <= 64 and key in data[n])
            if xs:
                lo = np.array([data[n][key][0] for n in xs])
                hi = np.array([data[n][key][1] for n in xs])
                top.errorbar(xs, (lo + hi) / 2, yerr=(hi - lo) / 2, fmt=marker, ms=3, capsize=1.5, label=label)
            xs = sorted(n for n in data if scaled in data[n])
            if xs:
                lo = np.array([data[n][scaled][0] for n in xs])
                hi = np.array([data[n][scaled][1] for n in xs])
                bottom.errorbar([1 / n for n in xs], (lo + hi) / 2, yerr=(hi - lo) / 2, fmt=marker, ms=3,
                                capsize=1.5, label=label)
        a = asym.get(akey) or {}
        if a.get("closed_form_value") is not None:
            c = float(a["closed_form_value"])
            far = np.arange(ns[0], 65)
            lead = {"cluster_cos": 1 - c / far ** 2, "odd_cos": c / far ** 3, "norm_ratio": far - c}[key]
            form = {"cluster_cos": "1 - (%s)/n^2", "odd_cos": "(%s)/n^3", "norm_ratio": "n - %s"}[key] % a["closed_form"]
            form += " (= the value at O_n)" if key == "norm_ratio" and c == 1 else ""
            top.plot(far, lead, "--", lw=1, color="#6e7781", label="leading term " + form)
            bottom.plot([0], [c], "*", ms=11, color="#cf222e", label="limit %s = %.4g (exact, enclosed)" % (a["closed_form"], c))
            bottom.axhline(c, color="#cf222e", lw=0.6, ls=":")
        top.set_title(title)
        top.set_xlabel("n")
        bottom.set_title(stitle)
        bottom.set_xlabel("t = 1/n  (t = 0: n -> infinity)")
        bottom.set_xlim(left=-0.005)
        for ax in (top, bottom):
            ax.legend(fontsize=6.5)
    fig.tight_layout()
    caption = ("The attractor's cluster cosine, odd-cluster cosine and norm ratio against n (top), and rescaled "
               "so that they have finite limits, against t = 1/n (bottom). Circles, n = %d..%d: the certified "
               "ball-arithmetic enclosures of the 'attractor' verdict (Krawczyk boxes re-checked by the trusted "
               "kernel; the widest is %.1e wide, far below a marker)." % (ns[0], ns[-1], widest))
    if branch:
        caption += (" Squares, n = %d..%d: enclosures computed for this figure from the all-n branch (a "
                    "one-dimensional Krawczyk box of the branch equation G(v, 1/n) = 0 at each n, in arb, with the "
                    "same code as the all-n proof, which covers every n >= 16 by t-boxes down to t = 0); they "
                    "are rigorous, but this figure's boxes are not re-checked by the trusted kernel."
                    % (min(branch), max(branch)))
    caption += (" Dashed and starred: the leading terms and limits whose closed forms the all-n branch encloses "
                "(exact from sympy, each enclosure checked to contain its closed form).")
    return Figure("attractor", "The spread-cluster attractor against n, and as n -> infinity", caption, "certified", fig)


def _simplex_radii(ns):
    from ..derive import states
    from ..core.activations import Activation

    out = {}
    for n in ns:
        v = states.certify_simplex(n, Activation("relu"))
        sr = v.evidence.get("spectral_radius")
        if sr:
            out[n] = (float(sr[0]), float(sr[1]))
    return out


def fig_radii(rows, simplex_ns=tuple(range(3, 17)) + (20, 24, 32, 48, 64)):
    """Spectral radii of the attractor (from its verdict) and the simplex state (certified here)
    against n with the line 1; and the margins 1 - radius on log axes with their leading terms."""
    by = _by_id(rows)
    enc = ((by.get("attractor") or {}).get("evidence") or {}).get("enclosures") or {}
    att = {int(n): tuple(float(x) for x in e["spectral_radius"]) for n, e in enc.items() if "spectral_radius" in e}
    simp = _simplex_radii(simplex_ns)
    if not att and not simp:
        return None
    lead = {}
    for cid, name in (("attractor", "attractor"), ("simplex-state", "simplex state")):
        m = (((by.get(cid) or {}).get("evidence") or {}).get("asymptotics") or {}).get("stability_margin") or {}
        if m.get("closed_form_value") is not None:
            lead[name] = (float(m["closed_form_value"]), m.get("closed_form"), m.get("agrees"))
    plt = _plt()
    fig, (ax, mx) = plt.subplots(1, 2, figsize=(12, 4))
    for data, marker, name in ((att, "o-", "spread-cluster attractor (n >= 7)"), (simp, "s-", "simplex state")):
        if not data:
            continue
        xs = sorted(data)
        ax.plot(xs, [data[n][1] for n in xs], marker, ms=4, label=name)
        mx.plot(xs, [1 - data[n][1] for n in xs], marker, ms=4, label=name + ": 1 - upper end")
    ax.axhline(1, color="k", lw=1, label="1: the stability boundary")
    ax.set_ylim(top=1.01)
    ax.set_xlabel("batch size n")
    ax.set_ylabel("spectral radius of DF/c (upper end of enclosure)")
    ax.set_title("Both symmetric states are linearly stable")
    ax.legend(fontsize=8, loc="lower right")
    far = np.arange(3, 1001)
    for (name, (c, form, _)), ls in zip(sorted(lead.items()), ("--", ":")):
        mx.plot(far, c / far, ls, color="#6e7781", lw=1, label="%s: leading term %.4g/n" % (name, c))
    mx.set_xscale("log")
    mx.set_yscale("log")
    mx.set_xlabel("batch size n")
    mx.set_ylabel("stability margin 1 - spectral radius")
    mx.set_title("... ever more weakly as n grows")
    mx.legend(fontsize=7)
    fig.tight_layout()
    return Figure("radii", "Spectral radii of the attractor and the simplex state",
                  "Left: upper ends of the certified enclosures of the spectral radius of the scale-free "
                  "linearization (all n(n+1)/2 - 1 directions) against n, with the line 1; right: the margins 1 - "
                  "radius on log axes. Attractor: from the 'attractor' verdict's evidence (n = 7..15; the verdict "
                  "covers every n >= 16 through its all-n branch). Simplex state: certified for this figure by "
                  "bnverify.derive.states.certify_simplex (ball arithmetic; the verdict 'simplex-state' itself covers "
                  "every n >= 3). Grey lines: the margins' leading terms c/n from the verdicts' asymptotics; the "
                  "simplex state's coefficient (pi - 2)/(2(pi - 1)) is enclosed in arb at t = 0 and is part of its "
                  "proof, the attractor's (1) is evaluated at t = 0 but is not part of the proof, which bounds "
                  "the margin away from 0 on each t-box instead.", "certified", fig)


# ------------------------------------------------------------------ sampled
def fig_curve(rows=(), ns=(5, 7, 12), grid=400, steps=80, start=0.95):
    """The 1-D map h(rho) of the symmetric reduction, its fixed points and a cobweb; ``rows``:
    the verdicts, to name the basin claims that certify where the orbits go."""
    from ..core import arith
    from ..derive import curve, states
    from ..core.activations import Activation

    act = Activation("relu")
    h_of = lambda r, n: float(curve.curve(float(r), n, act, arith.FLOAT))
    plt = _plt()
    fig, axes = plt.subplots(2, len(ns), figsize=(4 * len(ns), 6.8), sharex="col")
    for k, n in enumerate(ns):
        top, bottom = axes[0][k], axes[1][k]
        lo = -1 / (n - 2) + 1e-9
        rho = np.linspace(lo, 1, grid)
        h = np.array([h_of(r, n) for r in rho])
        roots = sorted(set(round(float(r), 12) for r in states._float_roots(n, act)) | {1.0})
        x, orbit = start, [start]
        for _ in range(steps):
            x = h_of(x, n)
            orbit.append(x)
        web = [(orbit[0], orbit[0])] + [p for a, b in zip(orbit, orbit[1:]) for p in ((a, b), (b, b))]
        xs, ys = zip(*web)
        stable = [abs(float(curve.curve(r, n, act, arith.FLOAT, slope=True)[1])) < 1 for r in roots]
        top.plot(rho, h, lw=1.5, label="h(rho)")
        top.plot([lo, 1], [lo, 1], "k:", lw=0.8, label="h = rho")
        top.plot(xs, ys, color="#8250df", lw=1.1, label="cobweb from rho = %g" % start)
        bottom.plot(rho, h - rho, lw=1.5)
        bottom.axhline(0, color="k", lw=0.8)
        bottom.plot(orbit, [h_of(r, n) - r for r in orbit], ".", color="#8250df", ms=4,
                    label="iterates rho_k (%d steps)" % steps)
        for ax, yv in ((top, roots), (bottom, [0] * len(roots))):
            for st, face, size, lab in ((False, "white", 8, "fixed point, |h'| > 1"),
                                        (True, "#cf222e", 5, "fixed point, |h'| < 1")):
                pts = [(r, y) for r, y, s_ in zip(roots, yv, stable) if s_ == st]
                if pts:
                    ax.plot(*zip(*pts), "o", mfc=face, mec="#cf222e", ms=size, label=lab)
        top.set_title("n = %d: from rho = %g to rho = %.3f" % (n, start, orbit[-1]))
        top.legend(fontsize=7)
        bottom.legend(fontsize=7)
        bottom.set_ylabel("h(rho) - rho")
        bottom.set_xlabel("rho (cluster correlation of C G C)")
    fig.tight_layout()
    return Figure("curve", "The 1-D map h(rho) of the symmetric reduction",
                  "After one step every symmetric state lies on a curve parametrised by the cluster "
                  "correlation rho of C G C, and the dynamics reduce to rho -> h(rho) (bnverify.derive.curve). "
                  "Top: h with the diagonal and a cobweb of %d iterations from rho = %g, next to O_n; bottom: "
                  "h(rho) - rho with the same iterates as dots: its zeros are the fixed points: rho = 1 (the "
                  "configuration O_n), rho = -1/(n-1) (the simplex state) and, from n = 7 on, the pair born in the "
                  "fold: the spread-cluster attractor (where h - rho falls through 0) and its unstable partner "
                  "next to the simplex state. Filled: |h'| < 1 at the fixed point (attracting within the symmetric "
                  "family), hollow: |h'| > 1. Sampled: float evaluation of h on %d points, float roots and "
                  "slopes; the fixed points and their stability in the full dynamics are certified in the "
                  "verdicts, not here.%s" % (steps, start, grid, _basins_sentence(rows)), "sampled", fig)


def _basins_sentence(rows):
    """Which basin verdicts of ``rows`` certify where the symmetric orbits go (or "")."""
    got = ["'%s' (%s, n in %s)" % (r["id"], r["verdict"], ((r.get("claim") or {}).get("domain") or {}).get("n", "?"))
           for r in rows if (r.get("property") or (r.get("claim") or {}).get("property")) == "basin"]
    return (" Where each symmetric start goes is stated by the basin claims (a proved one is certified in "
            "ball arithmetic and re-checked by the trusted kernel): %s." % ", ".join(got)) if got else ""


def fig_trajectories(n=16, width=512, depth=300, seeds=4):
    """Finite-width RC + ReLU networks from Gaussian batches: the odd point emerges."""
    from ..sim import geometry, model
    from ..core.activations import Activation

    plt = _plt()
    act = Activation("relu")
    X = model.gaussian_batch(n, width, seeds, 0)
    layers, ratio, odd, clus = [0], [], [], []
    s = geometry.summarize(X)
    ratio.append(s.norm_ratio)
    odd.append(s.max_abs_cos_odd)
    clus.append(s.min_cos_others)
    for ell, X in model.layers(X, depth, ("rc",), act, base_seed=0):
        s = geometry.summarize(X)
        layers.append(ell)
        ratio.append(s.norm_ratio)
        odd.append(s.max_abs_cos_odd)
        clus.append(s.min_cos_others)
    ratio, odd, clus = (np.array(a) for a in (ratio, odd, clus))
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4))
    for ax, data, title in zip(axes, (ratio, odd, clus),
                               ("norm ratio: largest point / mean of the others",
                                "max |cos| of the odd point with the others",
                                "min cosine within the cluster")):
        for k in range(data.shape[1]):
            ax.plot(layers, data[:, k], lw=0.9)
        ax.set_xlabel("layer")
        ax.set_title(title, fontsize=9)
    from ..claims.sweep import certified_attractor

    target = certified_attractor(n, act)         # the infinite-width state the runs approach (n >= 7)
    ref = ""
    if target is not None:
        r = sum(target["norm_ratio"]) / 2
        axes[0].axhline(r, color="k", ls=":", lw=0.8)
        ref = (" to near the certified attractor's norm ratio %.2f (dotted; the collapsed O_n would have n - 1 = %d)"
               % (r, n - 1))
    fig.tight_layout()
    return Figure("trajectories", "Finite-width trajectories",
                  "%d networks of width d = %d with RC + ReLU layers, each from a Gaussian batch of n = %d points "
                  "(bnverify.sim.model, fresh weights per layer, one line per seed). One point's norm grows%s "
                  "times the others' and its cosine with them drops towards 0: the odd point "
                  "emerges. The other points cluster but stay spread (at layer %d their smallest cosine is "
                  "%.2f..%.2f), as at the spread-cluster attractor, not at the collapsed O_n. Sampled: "
                  "finite-width simulation; it illustrates, it proves nothing."
                  % (seeds, width, n, ref, depth, clus[-1].min(), clus[-1].max()), "sampled", fig)


def endstate_figure(tables, title):
    """The signed gap (finite width - certified attractor) against width, one line per n and a
    panel per quantity, from :func:`bnverify.sim.endstate.compare` tables; where no table has a
    certified attractor (an activation the kernel does not certify), the finite-width means."""
    from ..sim import endstate

    plt = _plt()
    labels = {"cluster_cos": "cluster cosine", "odd_cos": "odd cosine", "norm_ratio": "norm ratio"}
    gaps = any(t["attractor"] is not None for t in tables)
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    for ax, q in zip(axes, endstate.QUANTITIES):
        for k, t in enumerate(tables):
            rows = [r for r in t["rows"] if r[q + "_ci"]]
            if (gaps and t["attractor"] is None) or not rows:
                continue
            mid = sum(t["attractor"][q]) / 2 if gaps else 0.0
            w = np.array([r["width"] for r in rows], dtype=float)
            y = np.array([r[q] - mid for r in rows])
            err = np.array([[r[q] - r[q + "_ci"][0], r[q + "_ci"][1] - r[q]] for r in rows]).T
            ax.errorbar(w * (1 + 0.04 * k), y, yerr=err, marker="o", ms=4, capsize=2, lw=1, label="n = %d" % t["n"])
        ax.axhline(0, color="k", lw=0.6)
        ax.set_xscale("log", base=2)
        ax.set_xlabel("width")
        ax.set_title(("%s: finite width - certified attractor" if gaps else
                      "%s at finite width (no certified attractor)") % labels[q], fontsize=10)
    if axes[0].get_legend_handles_labels()[0]:
        axes[0].legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def fig_endstate(ns=(8, 16), widths=(64, 256, 1024), depth=400, last=150, seeds=6):
    """Finite-width RC + ReLU end states against the certified attractor (bnverify endstate)."""
    from ..claims.sweep import certified_attractor
    from ..core.activations import Activation
    from ..sim import endstate

    tables = [endstate.compare(n, widths, depth, seeds, last, certified_attractor(n, Activation("relu"))) for n in ns]
    fig = endstate_figure(tables, "rc,relu from Gaussian batches: depth %d, mean of the last %d layers, %d seeds"
                          % (depth, last, seeds))
    big = tables[-1]["rows"][-1]
    return Figure("endstate", "Finite width against the certified attractor",
                  "Where finite-width RC + ReLU networks end, against the spread-cluster attractor at the same n: "
                  "per seed the odd point is the longest point, and the cluster cosine, the odd cosine and the norm "
                  "ratio are averaged over the last %d of %d layers; points: the mean over the seeds that end with "
                  "an odd point minus the attractor's value, with 95%% t intervals, against width (n = %s, %d seeds "
                  "from Gaussian batches). The attractor is certified (Krawczyk box re-checked by the trusted "
                  "kernel); the networks are sampled. At n = %d, width %d the cluster cosine ends at %.4f against the "
                  "attractor's %.4f (the collapsed O_n would have 1). Sampled against certified; the full table, "
                  "with n = 7 and 32: bnverify endstate (docs/decompose.md)."
                  % (last, depth, ", ".join(map(str, ns)), seeds, tables[-1]["n"], big["width"],
                     big["cluster_cos"], sum(tables[-1]["attractor"]["cluster_cos"]) / 2), "sampled", fig)


def fig_atlas(n=16, width=1024, depth=80, seeds=8):
    """Is it ReLU-specific? Where finite-width RC + phi networks end, for a few activations and
    weight variances (a small cut of bnverify atlas; sampled)."""
    import numpy as np

    from ..core.activations import REPORT_ATLAS, activation
    from ..sim import atlas

    cells = [(name, wv, atlas.finite_width(activation(name), float(wv), n, width, depth, seeds))
             for name, wv in REPORT_ATLAS]
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.2, 3.6))
    x = np.arange(len(cells))
    odd = [c["fractions"]["odd_point"] for _, _, c in cells]
    eq = [c["equiangular"] for _, _, c in cells]
    one = [c["fractions"]["collapse"] for _, _, c in cells]
    ax.bar(x - 0.27, odd, 0.27, label="odd point")
    ax.bar(x, eq, 0.27, label="simplex-like")
    ax.bar(x + 0.27, one, 0.27, label="one direction")
    ax.set_xticks(x, [name if activation(name).homogeneous else "%s\ns2=%s" % (name, wv) for name, wv, _ in cells],
                  fontsize=7)
    ax.set_ylabel("fraction of networks")
    ax.set_ylim(0, 1.22)
    ax.legend(fontsize=8, ncol=3, loc="upper center")
    return Figure("atlas", "Is it ReLU-specific?",
                  "Where finite-width RC + phi networks end (n = %d, width %d, depth %d, %d seeds from Gaussian "
                  "batches; s2 = sigma_w^2, the weight variance, which a homogeneous phi does not feel): the fraction ending with an odd point next to a "
                  "cluster, simplex-like (equiangular, not collapsed) and collapsed into one direction. ReLU-like "
                  "activations end with the odd point once their scale grows (gelu, silu, elu at s2 = 4, where for gelu "
                  "and silu the kernel proves the growth: phi(t) - phi(-t) = t makes every distance grow by s2/4 per "
                  "layer, so only the shape up to scale settles, ReLU's; at s2 = 1 gelu's variance collapses), odd saturating ones (tanh, erf, sin) end simplex-like, softplus and "
                  "sigmoid in one direction. Sampled, never proved. Certified, for the other activations: their "
                  "two-point family (claims invariance-smooth, two-point-collapse, two-point-tanh: the orthogonal odd "
                  "point is ReLU's; tanh's two-point state is nearly antipodal and unstable, or collapses at s2 = 1) "
                  "and its simplex state (claim simplex-tanh: a stable fixed point at s2 = 2, where these networks end). "
                  "The full table, with the kernel's cells and the float infinite-width map: bnverify atlas "
                  "(docs/atlas.md)."
                  % (n, width, depth, seeds), "sampled", fig)


def fig_lyapunov(rows):
    ev = (_by_id(rows).get("finite-width") or {}).get("evidence") or {}
    per = ev.get("per_width")
    if not per:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.4, 4))
    ws = [r["width"] for r in per]
    ax.errorbar(ws, [r["mean"] for r in per],
                yerr=[[r["mean"] - r["ci95"][0] for r in per], [r["ci95"][1] - r["mean"] for r in per]],
                fmt="o", capsize=3, label="finite width, 95% CI")
    ax.axhline(ev["infinite_width_exponent"], color="k", lw=0.8, label="d -> infinity: log(mu)/2")
    ax.set_xscale("log")
    ax.set_xlabel("width d")
    ax.set_ylabel("Lyapunov exponent of the cluster spread")
    ax.legend(fontsize=8)
    return Figure("lyapunov", "Finite-width exponent of the cluster spread",
                  "Estimated Lyapunov exponent of the cluster spread at finite width d (95% confidence "
                  "intervals over seeds) against the exact infinite-width value. Sampled (simulation) against "
                  "exact.", "sampled", fig)


def render(f, dpi=100):
    """Fill f.png and f.svg and close the matplotlib figure."""
    plt = _plt()
    buf = io.BytesIO()
    f.fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    f.png = buf.getvalue()
    buf = io.StringIO()
    f.fig.savefig(buf, format="svg", bbox_inches="tight")
    f.svg = buf.getvalue()
    plt.close(f.fig)
    f.fig = None
    return f


def all_figures(rows, skip=(), progress=None):
    """Every figure whose data is there, rendered; ``skip``: names to leave out; ``progress``
    (k, total, name) is told before the k-th figure is drawn (some take seconds)."""
    makers = [("spectrum", fig_spectrum), ("attractor", lambda: fig_attractor(rows)),
              ("radii", lambda: fig_radii(rows)), ("curve", lambda: fig_curve(rows)),
              ("trajectories", fig_trajectories), ("endstate", fig_endstate),
              ("lyapunov", lambda: fig_lyapunov(rows)), ("atlas", fig_atlas)]
    out = []
    makers = [(name, make) for name, make in makers if name not in skip]
    for k, (name, make) in enumerate(makers):
        if progress:                    # the k-th of them is being drawn
            progress(k + 1, len(makers), name)
        f = make()
        if f is not None:
            out.append(render(f))
    return out


__all__ = ["Figure", "all_figures", "render", "fig_spectrum", "fig_attractor", "fig_radii", "fig_curve",
           "fig_trajectories", "fig_endstate", "endstate_figure", "fig_lyapunov", "fig_atlas"]
