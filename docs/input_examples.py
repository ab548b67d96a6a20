"""Write one real example of every input kind docs/inputs.md describes (``python
docs/input_examples.py OUT``). tests/test_docs_inputs.py writes them, checks that each snippet in
docs/inputs.md is the start of its file, and runs every command the page shows on them.

All data are planted (seeded), so the commands find what was put in: breakpoints at steps 100
and 10,000 (run a) and 300 and 30,000 (run b); a threshold at knowledge weight 0.1 in the swarm.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import numpy as np

BREAKS = {"a": (1e2, 1e4), "b": (3e2, 3e4)}
DOMAINS = ("knowledge", "web", "code")


def curve(run: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A three-phase training curve: integer steps 10..1e6, loss with the run's breakpoints."""
    rng = np.random.default_rng(seed)
    x = np.unique(np.round(np.logspace(1, 6, 45))).astype(int)
    lx, lb = np.log(x), np.log(BREAKS[run])
    ly = 2 - 0.8 * lx + 0.75 * np.maximum(lx - lb[0], 0) - 0.55 * np.maximum(lx - lb[1], 0)
    return x, np.exp(ly + 0.05 * rng.standard_normal(x.size))


def _write_csv(path: Path, header: list[str], rows, **kw) -> Path:
    with open(path, "w", newline="", encoding=kw.pop("encoding", "utf-8")) as fh:
        w = csv.writer(fh, lineterminator=kw.pop("lineterminator", "\n"), **kw)
        w.writerow(header)
        w.writerows(rows)
    return path


def write_examples(out) -> dict[str, Path]:
    """Every example under ``out``; returns ``{name: path}``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    runs = {run: curve(run, 2 + i) for i, run in enumerate(BREAKS)}
    files: dict[str, Path] = {}
    # tables of curves: long CSV (curve column); the same as ;-separated with BOM and CRLF
    rows = [(int(s), f"{v:.6g}", run) for run, (x, y) in runs.items() for s, v in zip(x, y, strict=True)]  # fmt: skip
    files["curves.csv"] = _write_csv(out / "curves.csv", ["step", "loss", "run"], rows)
    eu = [(s, v.replace(".", ","), r) for s, v, r in rows]
    files["curves_excel.csv"] = _write_csv(out / "curves_excel.csv", ["step", "loss", "run"], eu,
                                           delimiter=";", lineterminator="\r\n",
                                           encoding="utf-8-sig")  # fmt: skip
    files["curves.jsonl"] = out / "curves.jsonl"
    files["curves.jsonl"].write_text("".join(
        json.dumps({"step": s, "loss": float(v), "run": r}) + "\n" for s, v, r in rows))  # fmt: skip
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.table({"step": [r[0] for r in rows], "loss": [float(r[1]) for r in rows],
                          "run": [r[2] for r in rows]})  # fmt: skip
        pq.write_table(table, out / "curves.parquet")
        files["curves.parquet"] = out / "curves.parquet"
    except ImportError:
        pass
    files.update(_tracker_examples(out, runs))
    files.update(_swarm_examples(out))
    files.update(_run_examples(out))
    return files


def _tracker_examples(out: Path, runs) -> dict[str, Path]:
    files = {}
    # W&B chart export: Step, then "<run> - <metric>" with __MIN/__MAX, blank where not logged
    steps = sorted(set().union(*(x.tolist() for x, _ in runs.values())))
    vals = {run: dict(zip(x.tolist(), y, strict=True)) for run, (x, y) in runs.items()}
    head = ["Step"] + [f"mix-{r} - train/loss{s}" for r in runs for s in ("", "__MIN", "__MAX")]
    rows = []
    for s in steps:
        row = [s]
        for r in runs:
            v = vals[r].get(s)
            row += ["", "", ""] if v is None else [f"{v:.6g}", f"{v * 0.98:.6g}", f"{v * 1.02:.6g}"]
        rows.append(row)
    path = out / "wandb_export.csv"  # W&B quotes the header, not the numbers
    path.write_text(",".join(f'"{h}"' for h in head) + "\n"
                    + "".join(",".join(map(str, row)) + "\n" for row in rows))  # fmt: skip
    files["wandb_export.csv"] = path
    # W&B runs history (run.history() of each run, concatenated): one row per (run, step)
    hist = [(f"mix-{r}", s, f"{v:.6g}") for r, (x, y) in runs.items() for s, v in zip(x, y, strict=True)]  # fmt: skip
    files["wandb_history.csv"] = _write_csv(out / "wandb_history.csv", ["run", "_step", "train/loss"], hist)  # fmt: skip
    # TensorBoard: one sub-folder per run
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:  # torch or tensorboard missing: the other examples still work
        return files
    for r, (x, y) in runs.items():
        with SummaryWriter(str(out / "tb" / f"mix-{r}")) as w:
            for s, v in zip(x, y, strict=True):
                w.add_scalar("train/loss", float(v), int(s))
    files["tb"] = out / "tb"
    return files


def _swarm_examples(out: Path) -> dict[str, Path]:
    rng = np.random.default_rng(0)
    n = 48
    w = rng.dirichlet([1.0, 1.0, 1.0], size=n)
    k, web, code = w.T
    acc = 0.05 + 0.7 / (1 + np.exp(-(np.log(k) - np.log(0.1)) / 0.08)) + 0.15 * np.exp(-4 * web)
    acc += 0.05 * code + 0.03 * rng.standard_normal(n)
    bpb = 1.0 + 0.5 * np.exp(-3 * web) + 0.2 * np.exp(-2 * code) + 0.01 * rng.standard_normal(n)
    ids = [f"swarm-{i:03d}" for i in range(n)]
    files = {}
    files["ratios.csv"] = _write_csv(out / "ratios.csv", ["run_id", *DOMAINS],
                                     [(i, *(f"{v:.6f}" for v in row)) for i, row in zip(ids, w, strict=True)])  # fmt: skip
    files["metrics.csv"] = _write_csv(out / "metrics.csv", ["run_id", "qa_accuracy", "web_bpb"],
                                      [(i, f"{a:.4f}", f"{b:.4f}") for i, a, b in zip(ids, acc, bpb, strict=True)])  # fmt: skip
    return files


def _run_examples(out: Path) -> dict[str, Path]:
    from scipy.special import expit

    from mixphase.theory import KnapsackModel, KnowledgeSet
    from mixphase.theory.strategies import odds

    truth = KnapsackModel(knowledge=KnowledgeSet(n_facts=20_000), bits_per_param=0.7)
    rng = np.random.default_rng(1)
    cal = []
    for size in (2e7, 5e7):
        half = truth.critical_ratio(size, 0.5)
        for r in half * np.geomspace(0.25, 4, 8):
            p = expit(np.log(odds(r) / odds(half)) / 0.3)
            cal.append({"model_size": size, "ratio": round(float(r), 6), "correct": int(rng.binomial(200, p)), "total": 200})  # fmt: skip
    files = {"calibration.jsonl": out / "calibration.jsonl"}
    files["calibration.jsonl"].write_text("".join(json.dumps(c) + "\n" for c in cal))
    sizes = np.geomspace(1e7, 1e9, 6)
    loss = truth.web.loss(sizes) * np.exp(rng.normal(0, 0.002, sizes.size))
    files["web_runs.csv"] = _write_csv(out / "web_runs.csv", ["model_size", "web_loss"],
                                       [(f"{a:.4g}", f"{b:.5f}") for a, b in zip(sizes, loss, strict=True)])  # fmt: skip
    pop = np.geomspace(1, 1e4, 300)[::-1]  # popularity of each fact, most popular first
    correct = rng.random(pop.size) < expit((np.log(pop) - np.log(50)) / 0.4)
    files["popularity.csv"] = _write_csv(out / "popularity.csv", ["popularity", "correct"],
                                         [(f"{p:.4g}", int(c)) for p, c in zip(pop, correct, strict=True)])  # fmt: skip
    return files


if __name__ == "__main__":
    for name, path in write_examples(
        sys.argv[1] if len(sys.argv) > 1 else "input_examples"
    ).items():
        print(f"{name}: {path}")
