"""Compare a sweep with the knapsack theory (``validate sweep`` / ``validate report``).

The same judgement as ``validate reproduce``'s claim 5 and mechanism, on whatever a sweep holds:

1. The main sweep (:func:`mixphase.runs.main_sweep_rows`: the configuration with the most
   (size, ratio) points; controls and other configurations are never pooled in as seeds) and a
   transition record per size (:mod:`mixphase.validate.transitions`: every run a point, one seed
   scatter fitted across sizes, answers clustered by person).
2. The web law of the web-only runs and the two predicted exponents (:mod:`.scaling`).
3. The fitted exponent of ``odds(r_c)`` against parameters over the sizes whose transition was
   fitted, judged by equivalence (:mod:`.verdicts`, margin ±0.25): held / did not hold /
   inconclusive / not tested (fewer than 3 fitted sizes).
4. The mechanism (:func:`mixphase.validate.mechanism.mechanism`, the one rule), from any controls
   in the results.
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

from mixphase import runs as R
from mixphase.io import atomic_write
from mixphase.records import dumps
from mixphase.validate import verdicts as V


@dataclass
class SweepReport:
    transitions: list  # TransitionRecord of the main configuration
    web_law: dict
    scaling: V.Claim
    mechanism: tuple[str, str]
    n_runs: int

    def to_dict(self) -> dict:
        return {"n_runs": self.n_runs, "transitions": [t.to_dict() for t in self.transitions],
                "web_law": self.web_law, "critical_ratio_power_law": self.scaling.to_dict(),
                "mechanism": {"verdict": self.mechanism[0], "reason": self.mechanism[1]}}  # fmt: skip

    @property
    def verdict(self) -> str:
        return self.scaling.verdict

    def __str__(self) -> str:
        lines = [f"Sweep comparison ({self.n_runs} runs of the main sweep)", "",
                 "size            params   critical ratio (acc 0.5, 90%)    seeds  accuracy by "
                 "ratio (seed means)"]  # fmt: skip
        for t in self.transitions:
            acc = " ".join(f"{p['ratio']:g}:{p['accuracy']:.2f}" for p in t.points())
            crit = str(t.critical) if t.critical is not None else f"- ({t.reason[:40]})"
            seeds = max(p["seeds"] for p in t.points())
            lines.append(f"{t.size:<14} {t.params:>7}   {crit:<32} {seeds:>5}  {acc}")
        if self.transitions and self.transitions[0].scatter is not None:
            lines.append(f"seed scatter (sd of ln r_c): {self.transitions[0].scatter}; design "
                         f"effect {self.transitions[0].design_effect:.3g}")  # fmt: skip
        lines += ["", f"critical_ratio_power_law: {self.scaling.verdict.upper()} — "
                  f"{self.scaling.summary}", "",
                  f"mechanism: {self.mechanism[0]} ({self.mechanism[1]})"]  # fmt: skip
        return "\n".join(lines)

    def save(self, out: str | os.PathLike) -> None:
        out = Path(out)
        with atomic_write(out / "report.json") as fh:
            json.dump(json.loads(dumps(self)), fh, indent=1)
        with atomic_write(out / "report.txt") as fh:
            fh.write(str(self) + "\n")
        try:
            self.figure(out / "sweep.png")
        except Exception as exc:  # a figure is a bonus; never lose the report over it
            warnings.warn(f"figure not written: {exc}", stacklevel=2)

    def figure(self, path: str | os.PathLike) -> None:
        from mixphase.validate.sweep_figure import draw_sweep

        draw_sweep(self, path)


def compare(results: list[dict], *, keys: set[str] | None = None, seed: int = 0,
            scatter: float | str = "fit") -> SweepReport:  # fmt: skip
    """Transition records of the main sweep, the scaling claim and the mechanism (module doc).

    ``keys``: judge only these runs' transitions (all runs still feed the mechanism's controls).
    ``scatter``: the seed scatter of the transition fits (``"fit"``: pooled over sizes).
    """
    from mixphase.validate import mechanism as M
    from mixphase.validate import scaling as S
    from mixphase.validate import transitions as T

    rows = [r for r in results if keys is None or r["key"] in keys]
    main = R.main_config(rows)
    sweep = [r for r in rows if R.config_id(r) == main]
    records = [t for t in T.transition_records(sweep, seed=seed, scatter=scatter)
               if t.config == main]  # fmt: skip
    web = S.web_law_evidence(sweep, seed=seed)
    claim = S.critical_ratio_power_law(records, sweep, web, seed=seed)
    mech = M.mechanism(records, results, M.longer_training(results), M.capacity_freed(results))
    return SweepReport(records, web["numbers"], claim, mech[:2], len(sweep))


__all__ = ["SweepReport", "compare"]
