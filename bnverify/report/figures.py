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

    from .. import symbolic

    plt = _plt()
    spec = symbolic.configuration_spectrum(symbolic.symbolic_activation("leaky_relu"))
    fig, ax = plt.subplots(figsize=(6.4, 4))
    for a, ls in zip((0, sp.Rational(1, 10), sp.Rational(3, 10)), ("-", "--", ":")):
        for e in spec["eigenvalues"]:
            f = sp.lambdify(symbolic.N, e["value"].subs(symbolic.ALPHA, a))
            ys = [float(f(n)) for n in ns]
            label = ("spread mode" if "spread" in e["mode"] else "cluster-norm mode") + " (alpha=%s)" % a
            if max(abs(y) for y in ys) > 0:
                ax.plot(list(ns), ys, ls, label=label)
    ax.axhline(1, color="k", lw=0.8)
    ax.set_xlabel("batch size n")
    ax.set_ylabel("eigenvalue of DF(G*)/c (G* direction dropped)")
    ax.set_title("Linearization at the configuration O_n")
    ax.legend(fontsize=7)
    return Figure("spectrum", "Eigenvalues at the configuration",
                  "The non-zero eigenvalues of the scale-free linearization at O_n against n, for ReLU "
                  "(alpha = 0) and leaky ReLU (alpha = 1/10, 3/10); the spread mode lies above the line 1 for "
                  "every n, so O_n is unstable. Exact: sympy's closed forms in symbolic n and alpha "
                  "(bnverify.symbolic), evaluated at each n.", "exact", fig)


# ------------------------------------------------------------------ certified
def _width(lo, hi):
    return Decimal(str(hi)) - Decimal(str(lo))


def fig_attractor(rows):
    """Cluster cosine, odd cosine and norm ratio of the spread-cluster state per n: the enclosures
    of the 'attractor' verdict, and the leading terms its all-n branch certifies."""
    r = _by_id(rows).get("attractor")
    ev = (r or {}).get("evidence") or {}
    enc = ev.get("enclosures")
    if not enc:
        return None
    plt = _plt()
    ns = sorted(int(k) for k in enc)
    keys = ("cluster_cos", "odd_cos", "norm_ratio")
    widest = max(_width(*enc[str(n)][k]) for n in ns for k in keys if k in enc[str(n)])
    asym = ev.get("asymptotics") or {}
    far = np.arange(ns[0], 65)
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4))
    for ax, key, title in zip(axes, keys, ("cluster cosine", "odd-cluster cosine", "norm ratio |u|/|v|")):
        pts = [(n, enc[str(n)][key]) for n in ns if key in enc[str(n)]]
        lo = np.array([float(v[0]) for _, v in pts])
        hi = np.array([float(v[1]) for _, v in pts])
        xs = [n for n, _ in pts]
        ax.errorbar(xs, (lo + hi) / 2, yerr=(hi - lo) / 2, fmt="o", ms=3, capsize=2, label="certified enclosure")
        term = {"cluster_cos": ("cluster_cos_deficit", lambda c, p: 1 - c / far ** p),
                "odd_cos": ("odd_cos", lambda c, p: c / far ** p),
                "norm_ratio": ("norm_ratio_gap", lambda c, p: (far - 1) - c / far ** p)}[key]
        a = asym.get(term[0])
        if a and "coefficient" in a:
            c = float(a["coefficient"][0])
            ax.plot(far, term[1](c, a["power"]), "--", lw=1,
                    label="leading term (n >= 16, all-n branch)")
        if key == "norm_ratio":
            ax.plot(far, far - 1, "k:", lw=0.8, label="n - 1 (the value at O_n)")
        ax.set_title(title)
        ax.set_xlabel("n")
        ax.legend(fontsize=7)
    fig.tight_layout()
    return Figure("attractor", "The spread-cluster attractor against n",
                  "The attractor's cluster cosine, odd-cluster cosine and norm ratio for n = %d..%d: certified "
                  "ball-arithmetic enclosures from the 'attractor' verdict (Krawczyk boxes re-checked by the "
                  "trusted kernel; the widest enclosure is %.1e wide, far below the size of a marker), and for "
                  "larger n the leading terms whose coefficients the all-n branch encloses."
                  % (ns[0], ns[-1], widest), "certified", fig)


def _simplex_radii(ns):
    from ..derive import states
    from ..kernels import Activation

    out = {}
    for n in ns:
        v = states.certify_simplex(n, Activation("relu"))
        sr = v.evidence.get("spectral_radius")
        if sr:
            out[n] = (float(sr[0]), float(sr[1]))
    return out


def fig_radii(rows, simplex_ns=tuple(range(3, 17)) + (20, 24, 32)):
    """Spectral radii of the attractor (from its verdict) and the simplex state (certified here)."""
    enc = ((_by_id(rows).get("attractor") or {}).get("evidence") or {}).get("enclosures") or {}
    att = {int(n): e["spectral_radius"] for n, e in enc.items() if "spectral_radius" in e}
    simp = _simplex_radii(simplex_ns)
    if not att and not simp:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.4, 4))
    if att:
        xs = sorted(att)
        ax.plot(xs, [float(att[n][1]) for n in xs], "o-", ms=4, label="spread-cluster attractor (n >= 7)")
    if simp:
        xs = sorted(simp)
        ax.plot(xs, [simp[n][1] for n in xs], "s-", ms=4, label="simplex state")
    ax.axhline(1, color="k", lw=0.8, label="1: stability boundary")
    ax.set_xlabel("batch size n")
    ax.set_ylabel("spectral radius of DF/c (upper end of enclosure)")
    ax.set_title("Both symmetric states are linearly stable")
    ax.legend(fontsize=8)
    return Figure("radii", "Spectral radii of the attractor and the simplex state",
                  "Upper ends of the certified enclosures of the spectral radius of the scale-free "
                  "linearization (all n(n+1)/2 - 1 directions) against n, with the line 1. Attractor: from the "
                  "'attractor' verdict's evidence. Simplex state: certified for this figure by "
                  "bnverify.certify.certify_simplex (ball arithmetic; the verdict 'simplex-state' itself covers "
                  "every n >= 3 through its all-n branch).", "certified", fig)


# ------------------------------------------------------------------ sampled
def fig_curve(ns=(5, 7, 12), grid=400, steps=60, start=0.95):
    """The 1-D map h(rho) of the symmetric reduction, its fixed points and a cobweb."""
    from .. import arith
    from ..derive import curve, states
    from ..kernels import Activation

    act = Activation("relu")
    h_of = lambda r, n: float(curve.curve(float(r), n, act, arith.FLOAT))
    plt = _plt()
    fig, axes = plt.subplots(2, len(ns), figsize=(4 * len(ns), 6.6), sharex="col")
    for k, n in enumerate(ns):
        top, bottom = axes[0][k], axes[1][k]
        lo = -1 / (n - 2) + 1e-9
        rho = np.linspace(lo, 1, grid)
        h = np.array([h_of(r, n) for r in rho])
        roots = sorted(set(round(float(r), 12) for r in states._float_roots(n, act)) | {1.0})
        top.plot(rho, h, lw=1.5, label="h(rho)")
        top.plot([lo, 1], [lo, 1], "k:", lw=0.8, label="h = rho")
        top.plot(roots, roots, "o", color="#cf222e", ms=5, label="fixed points")
        x, xs, ys = start, [start], [start]
        for _ in range(steps):
            y = h_of(x, n)
            xs += [x, y]
            ys += [y, y]
            x = y
        top.plot(xs, ys, color="#8250df", lw=0.8, label="cobweb from rho = %g" % start)
        top.set_title("n = %d" % n)
        top.legend(fontsize=7)
        bottom.plot(rho, h - rho, lw=1.5)
        bottom.axhline(0, color="k", lw=0.8)
        bottom.plot(roots, [0] * len(roots), "o", color="#cf222e", ms=5)
        bottom.set_ylabel("h(rho) - rho")
        bottom.set_xlabel("rho (cluster correlation of C G C)")
    fig.tight_layout()
    return Figure("curve", "The 1-D map h(rho) of the symmetric reduction",
                  "After one step every symmetric state lies on a curve parametrised by the cluster "
                  "correlation rho of C G C, and the dynamics reduce to rho -> h(rho) (bnverify.derive.curve). "
                  "Top: h with the diagonal and a cobweb of %d iterations from rho = %g; bottom: h(rho) - rho, "
                  "whose zeros are the fixed points: rho = 1 (the configuration O_n), rho = -1/(n-1) (the simplex "
                  "state) and, from n = 7 on, the pair born in the fold: the spread-cluster attractor (where "
                  "h - rho falls through 0) and its unstable partner next to the simplex state. Sampled: "
                  "float evaluation of h on %d points and float roots; the fixed points and their stability are "
                  "certified in the verdicts, not here." % (steps, start, grid), "sampled", fig)


def fig_trajectories(n=16, width=512, depth=300, seeds=4):
    """Finite-width RC + ReLU networks from Gaussian batches: the odd point emerges."""
    from .. import geometry, model
    from ..kernels import Activation

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
    axes[0].axhline(n - 1, color="k", ls=":", lw=0.8)
    fig.tight_layout()
    return Figure("trajectories", "Finite-width trajectories",
                  "%d networks of width d = %d with RC + ReLU layers, each from a Gaussian batch of n = %d points "
                  "(bnverify.model, fresh weights per layer, one line per seed). One point's norm grows to near "
                  "n - 1 (dotted) times the others' and its cosine with them drops towards 0: the odd point "
                  "emerges. The other points cluster but stay spread (at layer %d their smallest cosine is "
                  "%.2f..%.2f), as at the spread-cluster attractor, not at the collapsed O_n. Sampled: "
                  "finite-width simulation; it illustrates, it proves nothing."
                  % (seeds, width, n, depth, clus[-1].min(), clus[-1].max()), "sampled", fig)


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


def all_figures(rows, skip=()):
    """Every figure whose data is there, rendered; ``skip``: names to leave out."""
    makers = [("spectrum", fig_spectrum), ("attractor", lambda: fig_attractor(rows)),
              ("radii", lambda: fig_radii(rows)), ("curve", fig_curve),
              ("trajectories", fig_trajectories), ("lyapunov", lambda: fig_lyapunov(rows))]
    out = []
    for name, make in makers:
        if name in skip:
            continue
        f = make()
        if f is not None:
            out.append(render(f))
    return out


__all__ = ["Figure", "all_figures", "render", "fig_spectrum", "fig_attractor", "fig_radii", "fig_curve",
           "fig_trajectories", "fig_lyapunov"]
