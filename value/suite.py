"""Several tasks x seeds of :func:`~mixphase.value.benchmark.run_benchmark`, with seed spread.

Per task, method and target: mean and standard deviation over seeds of the held-out Pearson and
Spearman correlations, the noisy-label detection AUROC, the method's seconds and its speed-up
over computing the target it claims once. **Best or tied-best** (:meth:`SuiteResult.verdicts`):
on each task and target, the non-mixphase method scored on that target (its claimants and the
heuristics) with the highest mean Spearman is the best competitor; a mixphase method is
*best* when its per-seed Spearman differences with that competitor have a mean above their
standard deviation (and above 0.01), *tied* when the mean lies within it, *behind* otherwise -- a
deliberately loose paired check over 3 seeds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mixphase.value.benchmark import METHODS, BenchmarkResult, run_benchmark
from mixphase.value.protocol import CLAIMS, HEURISTIC_METHODS, MG, SA, scored_targets

LABELS = {SA: "stand-alone", MG: "marginal"}


def _finite_mean(values) -> float:
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    return float(v.mean()) if v.size else float("nan")


@dataclass
class SuiteResult:
    runs: list[BenchmarkResult]

    def tasks(self) -> list[str]:
        return list(dict.fromkeys(r.task for r in self.runs))

    def _rows(self, task: str) -> list[dict]:
        return [r.method_rows() for r in self.runs if r.task == task]

    def stat(self, task: str, method: str, key: str) -> tuple[float, float, list[float]]:
        vals = [
            rows[method][key] for rows in self._rows(task) if method in rows and key in rows[method]
        ]
        v = np.array(vals, float)
        ok = v[np.isfinite(v)]
        if ok.size == 0:
            return float("nan"), float("nan"), vals
        return float(ok.mean()), float(ok.std(ddof=1)) if ok.size > 1 else 0.0, vals

    def verdicts(self, method: str = "mixphase", target: str = SA) -> dict[str, dict]:
        """Per task: the best claimant of ``target`` (by mean held-out Spearman) and whether
        ``method`` is best, tied-best (module docstring) or not."""
        out = {}
        for task in self.tasks():
            rows = self._rows(task)
            key = f"spearman_{target}"
            cands = [m for m in rows[0] if target in scored_targets(m) and key in rows[0][m]]
            if method not in cands:
                continue
            means = {m: self.stat(task, m, key)[0] for m in cands}
            others = {m: v for m, v in means.items()
                      if not m.startswith("mixphase") and np.isfinite(v)}  # fmt: skip
            if not others:
                continue
            best = max(others, key=others.get)
            diff = np.array([r[method][key] - r[best][key] for r in rows], float)
            diff = diff[np.isfinite(diff)]
            sd = float(diff.std(ddof=1)) if diff.size > 1 else 0.0
            gap = float(diff.mean()) if diff.size else float("nan")
            tol = max(sd, 0.01)
            verdict = "best" if gap > tol else ("tied" if gap >= -tol else "behind")
            out[task] = {"method": method, "spearman": means[method], "best_other": best,
                         "best_other_spearman": others[best], "gap": gap, "gap_sd": sd,
                         "verdict": verdict}  # fmt: skip
        return out

    def to_dict(self) -> dict:
        tables = {}
        for task in self.tasks():
            methods = list(self._rows(task)[0])
            tables[task] = {m: {k: self.stat(task, m, k)[:2] for k in self._rows(task)[0][m]
                                if isinstance(self._rows(task)[0][m][k], float)}
                            for m in methods}  # fmt: skip
        return {"runs": [r.to_dict() for r in self.runs], "summary": tables,
                "verdicts": {SA: self.verdicts("mixphase", SA),
                             MG: self.verdicts("mixphase_marginal", MG)}}  # fmt: skip

    def heuristic_markdown(self) -> str:
        """Does each method beat the best heuristic on the target it claims (mean Spearman)?"""
        out = ["| task | target | best heuristic (Spearman) | methods above it | methods not above it |",
               "|---|---|---|---|---|"]  # fmt: skip
        for task in self.tasks():
            rows = self._rows(task)[0]
            for target in (SA, MG):
                key = f"spearman_{target}"
                if not any(key in r for r in rows.values()):
                    continue
                heur = {m: self.stat(task, m, key)[0] for m in HEURISTIC_METHODS if m in rows}
                heur = {m: v for m, v in heur.items() if np.isfinite(v)}
                if not heur:
                    continue
                hb = max(heur, key=heur.get)
                claim = [m for m in rows if target in CLAIMS.get(m, ())]
                above = [m for m in claim if self.stat(task, m, key)[0] > heur[hb]]
                below = [m for m in claim if m not in above]
                out.append(f"| {task} | {LABELS[target]} | {hb} ({heur[hb]:.2f}) | "
                           f"{', '.join(above) or '–'} | {', '.join(below) or '–'} |")  # fmt: skip
        return "\n".join(out)

    def summary_markdown(self) -> str:
        """Cross-task tables: verdicts, cost, what the anchors add, removal curves."""
        out = [
            "| task | target | mixphase method | held-out Spearman | best other method | its "
            "Spearman | paired gap (mean ± sd) | verdict |",
            "|---|---|---|---:|---|---:|---:|---|",
        ]
        for method, target in (("mixphase", SA), ("mixphase_marginal", MG)):
            for task, v in self.verdicts(method, target).items():
                out.append(f"| {task} | {LABELS[target]} | {method} | {v['spearman']:.2f} | "
                           f"{v['best_other']} | {v['best_other_spearman']:.2f} | "
                           f"{v['gap']:+.2f} ± {v['gap_sd']:.2f} | {v['verdict']} |")  # fmt: skip
        out += [
            "",
            "| task | stand-alone truth, once (s) | marginal truth, once (s) | mixphase (s) "
            "| × faster (stand-alone) | mixphase_marginal (s) | × faster (marginal) | anchors: "
            "extra s | anchors: Δ Spearman |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for task in self.tasks():
            runs = [r for r in self.runs if r.task == task]
            ts = {t: np.mean([r.targets[t].seconds_one_seed for r in runs if t in r.targets] or
                             [np.nan]) for t in (SA, MG)}  # fmt: skip
            m0 = self.stat(task, "mixphase", "seconds")[0]
            mm = self.stat(task, "mixphase_marginal", "seconds")[0]
            ma = self.stat(task, "mixphase_anchors", "seconds")[0]
            gain = [r.method_rows()["mixphase_anchors"][f"spearman_{SA}"]
                    - r.method_rows()["mixphase"][f"spearman_{SA}"]
                    for r in runs if "mixphase_anchors" in r.scores]  # fmt: skip
            g = f"{np.mean(gain):+.3f} ± {np.std(gain, ddof=1) if len(gain) > 1 else 0:.3f}"
            out.append(f"| {task} | {ts[SA]:.1f} | {ts[MG]:.1f} | {m0:.2f} | {ts[SA] / m0:.1f}× | "
                       f"{mm:.2f} | {ts[MG] / mm:.1f}× | {ma - m0:.2f} | {g} |")  # fmt: skip
        removal = [r for r in self.runs if r.removal is not None]
        if removal:
            methods = list(removal[0].removal.high)
            out += [
                "",
                "Removal curves (accuracy of the pool retrained without the top / bottom "
                "20% and 40% of contributors by each method's score; mean over seeds). high "
                "drop = acc(pool) − mean acc without the top (larger is better); low gain = "
                "mean acc without the bottom − acc(pool) (larger is better).",
                "",
                "| task | " + " | ".join(methods) + " |",
                "|---|" + "---:|" * len(methods),
            ]
            for task in self.tasks():
                rs = [r.removal.summary() for r in removal if r.task == task]
                cells = [
                    f"{np.mean([x[m]['high_drop'] for x in rs]):+.3f} / "
                    f"{np.mean([x[m]['low_gain'] for x in rs]):+.3f}"
                    for m in methods
                ]
                out.append(f"| {task} (high drop / low gain) | " + " | ".join(cells) + " |")
        return "\n".join(out)

    def report(self) -> str:
        """The markdown tables plus one verdict line per task and target."""
        lines = [self.markdown(), self.summary_markdown(), "", self.heuristic_markdown(), ""]
        for method, target in (("mixphase", SA), ("mixphase_marginal", MG)):
            for task, v in self.verdicts(method, target).items():
                lines.append(f"{task}: {method} on the {LABELS[target]} target is {v['verdict']} "
                             f"(Spearman {v['spearman']:.2f} vs {v['best_other']} "
                             f"{v['best_other_spearman']:.2f}; paired gap {v['gap']:+.2f} ± "
                             f"{v['gap_sd']:.2f})")  # fmt: skip
        return "\n".join(lines)

    def markdown(self) -> str:
        """One table per task: methods x targets, mean ± sd over seeds (held-out contributors)."""
        out = []
        for task in self.tasks():
            runs = [r for r in self.runs if r.task == task]
            r0 = runs[0]
            tg = list(r0.targets)
            rel = ", ".join(
                f"{LABELS[t]} seed-to-seed Pearson {np.mean([r.targets[t].reliability for r in runs]):.2f}"
                f", one seed {np.mean([r.targets[t].seconds_one_seed for r in runs]):.1f} s"
                for t in tg
            )
            auc = ", ".join(
                f"{LABELS[t]} {_finite_mean([r.extra['truth_noisy_detection_auc'][t] for r in runs]):.2f}"
                for t in tg
            )
            out.append(f"### {task}\n\n{len(r0.contributors)} contributors, "
                       f"{int(r0.held_out.sum())} held out (anchors excluded) per seed; seeds "
                       f"{[r.seed for r in runs]}; truth: {rel}. Noisy AUROC of the truth "
                       f"itself: {auc}.\n")  # fmt: skip
            head = (
                "| method | claims | "
                + " | ".join(f"{LABELS[t]} Spearman | {LABELS[t]} Pearson" for t in tg)
                + " | noisy AUROC | seconds | × faster than truth |"
            )
            out.append(head)
            out.append("|---|---|" + "---:|" * (2 * len(tg) + 3))
            for m in r0.scores:
                cells = []
                for t in tg:
                    for k in ("spearman", "pearson"):
                        mu, sd, _ = self.stat(task, m, f"{k}_{t}")
                        txt = f"{mu:.2f} ± {sd:.2f}" if np.isfinite(mu) else "–"
                        cells.append(f"**{txt}**" if t in CLAIMS.get(m, ()) else txt)
                auc = self.stat(task, m, "noisy_detection_auc")[0]
                sec = self.stat(task, m, "seconds")[0]
                main = next((t for t in scored_targets(m) if t in tg), SA)
                sp = self.stat(task, m, f"speedup_{main}")[0] if CLAIMS.get(m) else float("nan")
                claims = ", ".join(LABELS[c] for c in CLAIMS.get(m, ())) or "–"
                out.append(f"| {m} | {claims} | " + " | ".join(cells)
                           + f" | {auc:.2f} | {sec:.2f} | "
                           + (f"{sp:.1f}×" if np.isfinite(sp) else "–") + " |")  # fmt: skip
            out.append("")
        return "\n".join(out)


def run_suite(tasks, seeds, quick: bool = False, methods=METHODS,
              tick: Callable[[str], None] | None = None, **kw) -> SuiteResult:  # fmt: skip
    runs = []
    for task in tasks:
        for seed in seeds:
            runs.append(run_benchmark(task, seed=seed, quick=quick, methods=methods, tick=tick,
                                      **kw))  # fmt: skip
            if tick is not None:
                tick(f"{task} seed {seed} done")
    return SuiteResult(runs)


class _Saved:
    """Just enough of a saved run (``BenchmarkResult.to_dict()``) to re-render the tables."""

    def __init__(self, d: dict):
        from types import SimpleNamespace

        self.task, self.seed, self._rows = d["task"], d["seed"], _nan_for_null(d["methods"])
        self.contributors = d["scored_contributors"] + d["anchors"]
        self.anchors = d["anchors"]
        self.held_out = np.array([c not in set(self.anchors) for c in self.contributors])
        self.scores = dict.fromkeys(d["methods"])
        self.targets = {k: SimpleNamespace(**{f: _nan_for_null(t[f])
                                              for f in ("reliability", "seconds_one_seed")})
                        for k, t in d["targets"].items()}  # fmt: skip
        self.extra = {"truth_noisy_detection_auc":
                      _nan_for_null(d.get("truth_noisy_detection_auc", {}))}  # fmt: skip
        rem = d.get("removal")
        self.removal = None if rem is None else SimpleNamespace(
            summary=lambda: rem["summary"], high=rem["high"])  # fmt: skip

    def method_rows(self) -> dict:
        return self._rows


def _nan_for_null(v):
    """JSON writes NaN as null: read it back as NaN (lists and dicts recursively)."""
    if v is None:
        return float("nan")
    if isinstance(v, dict):
        return {k: _nan_for_null(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_nan_for_null(x) for x in v]
    return v


def load_suite(path) -> SuiteResult:
    """A suite saved by ``benchmarks/value_benchmark.py`` (``suite.json``), for re-rendering."""
    import json
    from pathlib import Path

    return SuiteResult([_Saved(r) for r in json.loads(Path(path).read_text())["runs"]])
