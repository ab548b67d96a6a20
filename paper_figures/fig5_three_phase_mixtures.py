"""Figure 5: three-phase test error vs data size under real-synthetic mixtures.

Model of Wang et al. (2025): real items Zipf(``BETA``), synthetic data truncated at a cutoff
rank ``k`` (:class:`mixphase.theory.Truncation`), training on ``|S|`` draws from
``q = pi*p + (1-pi)*p'``. Each curve is the Monte Carlo mean of ``mixphase.simulate``'s
memorising learner (markers, with 90% intervals) over the exact expectation (line). Left: several real shares ``pi``
at one cutoff. Right: four truncation mechanisms at one ``pi``. The strips below each panel
place, per curve, the two breakpoints predicted by the theory (``1/q_k`` and ``1/(pi p_{k+1})``,
crosses) and the ones ``mixphase.fit.fit_breakpoints`` (fast engine, 90 % intervals) finds in
the simulated curve alone (dots with bars).
"""

from __future__ import annotations

from pathlib import Path

from mixphase.errors import MixphaseInputError
from mixphase.paper_figures import _style as st
from mixphase.paper_figures._common import FigureResult, FigureSkipped, main

NUMBER = 5
NAME = "fig5_three_phase_mixtures"
TITLE = "Three-phase test error vs data size under real-synthetic mixtures"

BETA = 2.0
SHARES = (0.03, 0.1, 0.3)  # left panel, at CUTOFF
CUTOFF = 100
SHARE_MECHANISMS = 0.1  # right panel


def _mechanisms():
    from mixphase.theory import Truncation

    return [
        ("cutoff", Truncation(cutoff=CUTOFF)),
        ("top-p 0.99", Truncation(top_p=0.99)),
        ("$10^5$ samples", Truncation(synthetic_samples=1e5)),
        ("τ = 1.3, $10^5$ samples", Truncation(temperature=1.3, synthetic_samples=1e5)),
    ]


def _imports():
    try:
        from mixphase.simulate import simulate_mixture_curves
    except ImportError:
        raise FigureSkipped("needs mixphase.simulate (simulate_mixture_curves); skipped") from None
    try:
        from mixphase.fit import fit_breakpoints
    except ImportError:
        try:
            from mixphase.fit.breakpoints import fit_breakpoints
        except ImportError:
            raise FigureSkipped("needs mixphase.fit (fit_breakpoints); skipped") from None
    return simulate_mixture_curves, fit_breakpoints


def run_curves(specs, n_items, repetitions, n_sizes, seed):
    """Simulate and fit each ``(label, truncation, pi)``: a list of dicts."""
    simulate_mixture_curves, fit_breakpoints = _imports()
    out = []
    for j, (label, trunc, pi) in enumerate(specs):
        c = simulate_mixture_curves(BETA, trunc, pi, n_items=n_items, repetitions=repetitions,
                                    seed=seed + j, n_sizes=n_sizes, decades=1.5)  # fmt: skip
        try:
            fit = fit_breakpoints(c.sizes, c.mean, n_breakpoints=2, ci=0.9, seed=seed,
                                  engine="fast")  # fmt: skip
            fitted, why = list(fit.breakpoints), ""
        except MixphaseInputError as exc:  # the data could not identify a breakpoint
            fitted, why = [], str(exc)
        out.append({"label": label, "pi": pi, "curves": c, "fitted": fitted, "why": why})
    return out


def _panel(ax, strip, results, title, show_k):
    from matplotlib.lines import Line2D

    handles = []
    for i, r in enumerate(results):
        c, s = r["curves"], st.style(i)
        label = f"{r['label']} (k = {c.breakpoints.cutoff})" if show_k else r["label"]
        ax.plot(c.sizes, c.exact, color=s["color"], lw=1.2, ls=s["linestyle"])
        # Monte Carlo mean with its 90% interval (1.645 standard errors; mostly inside the marker)
        ax.errorbar(c.sizes, c.mean, yerr=1.645 * c.stderr, ls="none", marker=s["marker"],
                    color=s["color"], ms=4, elinewidth=0.8)  # fmt: skip
        handles.append(Line2D([], [], color=s["color"], marker=s["marker"], ms=4, lw=1.2,
                              ls=s["linestyle"], label=label))  # fmt: skip
        bp = c.breakpoints
        y = len(results) - 1 - i
        strip.plot([bp.first, bp.second], [y, y], "x", color=s["color"], ms=7, mew=2)
        for e in r["fitted"]:
            strip.errorbar([e.median], [y], xerr=[[e.median - e.lower], [e.upper - e.median]],
                           fmt="o", color=s["color"], mfc="white", ms=5, capsize=2.5)  # fmt: skip
        if not r["fitted"]:
            strip.text(c.sizes[-1], y, "fit: not identified", ha="right", va="center",
                       fontsize=st.FONT_SIZE - 2)  # fmt: skip
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylabel("test error (unseen real-data mass)")
    ax.set_title(title)
    ax.tick_params(labelbottom=False)
    strip.set_xscale("log")
    # rows named by their curve (readable without colour); the curve legend sits under the strip
    strip.set_yticks(range(len(results)))
    strip.set_yticklabels(
        [_short(r["label"]) for r in reversed(results)], fontsize=st.FONT_SIZE - 2
    )
    strip.set_ylim(-0.6, len(results) - 0.4)
    strip.set_xlabel("training-set size |S| (draws from the mixture)")
    strip.grid(axis="y", visible=False)
    st.legend_below(strip, ncol=2, handles=handles, gap=0.55)  # each curve: line style + marker


def _short(label: str) -> str:
    """A strip row's name: the curve's label without its parenthesis."""
    return label.split(" (")[0]


def make(out: Path, quick: bool = False, seed: int = 0, validate_results=None) -> FigureResult:
    _imports()
    n_items, reps, n_sizes = (20_000, 8, 22) if quick else (1_000_000, 50, 40)
    from mixphase.theory import Truncation

    left = run_curves([(f"π = {pi:g}", Truncation(cutoff=CUTOFF), pi) for pi in SHARES],
                      n_items, reps, n_sizes, seed)  # fmt: skip
    right = run_curves([(lab, t, SHARE_MECHANISMS) for lab, t in _mechanisms()],
                       n_items, reps, n_sizes, seed + 100)  # fmt: skip

    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    plt.rcParams.update(st.RC)
    fig, axes = plt.subplots(2, 2, figsize=(10.0, 6.4), sharex="col",
                             gridspec_kw={"height_ratios": [3, 1.1], "hspace": 0.08})  # fmt: skip
    _panel(
        axes[0, 0],
        axes[1, 0],
        left,
        f"Real share π (cutoff k = {CUTOFF}, β = {BETA:g})",
        show_k=False,
    )
    _panel(
        axes[0, 1],
        axes[1, 1],
        right,
        f"Truncation mechanism (π = {SHARE_MECHANISMS:g})",
        show_k=True,
    )
    keys = [Line2D([], [], color="0.3", lw=1.2, label="exact expectation"),
            Line2D([], [], color="0.3", marker="o", ls="none", ms=4,
                   label="Monte Carlo mean (90% interval)"),
            Line2D([], [], color="0.3", marker="x", ls="none", mew=2, label="predicted breakpoint"),
            Line2D([], [], color="0.3", marker="o", mfc="white", ls="none",
                   label="fitted breakpoint (90% interval)")]  # fmt: skip
    fig.subplots_adjust(top=0.92)
    fig.legend(handles=keys, loc="lower center", bbox_to_anchor=(0.5, 0.955), ncol=4,
               frameon=False)  # fmt: skip
    fig.align_ylabels(axes[:, 0])
    rows, summary = [], {}
    # curve labels in the CSV and summary without TeX
    for r in right:
        r["label"] = r["label"].replace("$10^5$", "1e5")
    for panel, res in (("share", left), ("mechanism", right)):
        for r in res:
            c = r["curves"]
            rows += [{"panel": panel, "curve": r["label"], "real_share": r["pi"],
                      "cutoff": c.breakpoints.cutoff, "size": float(s), "mean_error": float(m),
                      "exact_error": float(e), "stderr": float(se)}
                     for s, m, e, se in zip(c.sizes, c.mean, c.exact, c.stderr, strict=True)]  # fmt: skip
            fitted = [(e.median, e.lower, e.upper) for e in r["fitted"]]
            rows.append({"panel": panel, "curve": r["label"], "real_share": r["pi"],
                         "cutoff": c.breakpoints.cutoff,
                         "predicted_breakpoint_1": c.breakpoints.first,
                         "predicted_breakpoint_2": c.breakpoints.second,
                         **{f"fitted_breakpoint_{j + 1}{q}": v for j, t in enumerate(fitted)
                            for q, v in zip(("", "_lower", "_upper"), t, strict=True)}})  # fmt: skip
            inside = [e.contains(p) for e, p in zip(r["fitted"], (c.breakpoints.first,
                                                                  c.breakpoints.second), strict=False)]  # fmt: skip
            summary[r["label"]] = (
                f"predicted {c.breakpoints.first:.3g}, {c.breakpoints.second:.3g}; fitted "
                + (", ".join(str(e) for e in r["fitted"]) if r["fitted"] else "not identified")
                + (f"; predicted inside interval: {inside}" if inside else "")
            )
    files = st.save(fig, out, NAME, rows)
    summary["settings"] = f"n_items={n_items}, repetitions={reps}, sizes={n_sizes}"
    return FigureResult(NUMBER, NAME, TITLE, files, summary)


if __name__ == "__main__":
    raise SystemExit(main(make))
