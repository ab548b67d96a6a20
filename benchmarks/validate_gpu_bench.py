"""Throughput (tokens/s) and MFU of each validate preset on one GPU.

Run on the GPU machine:  python benchmarks/validate_gpu_bench.py OUT.jsonl
Each row is one short `mixphase.validate.train` run (bf16 autocast, SDPA, fused AdamW; compiled
unless stated); the first 10 steps (compilation, warm-up) are excluded from tokens/s.
"""

import json
import sys
import time

import torch

from mixphase.validate.train import RunConfig, train

CASES = [
    # (label, RunConfig overrides)
    ("tiny d32 (compiled)", dict(preset="tiny", size=2, steps=400, compile="yes")),
    ("small d64 eager", dict(preset="small", size=4, compile="no")),
    ("small d64 compiled", dict(preset="small", size=4, compile="yes")),
    ("small d16 compiled", dict(preset="small", size=0, compile="yes")),
    ("base L12-d768 compiled", dict(preset="base", size=2, steps=60, batch_size=32, compile="yes")),
    (
        "base L16-d1024 compiled",
        dict(preset="base", size=3, steps=60, batch_size=32, compile="yes"),
    ),
    ("base L16-d1024 eager", dict(preset="base", size=3, steps=30, batch_size=32, compile="no")),
]


def main(path: str) -> None:
    print(torch.__version__, torch.cuda.get_device_name(0), flush=True)
    rows = []
    for label, kw in CASES:
        t = time.perf_counter()
        try:
            r = train(RunConfig(ratio=0.04, log_every=0, **kw), f"/tmp/bench/{len(rows)}")
        except Exception as exc:  # report and go on
            print(f"{label}: FAILED {exc}", flush=True)
            continue
        row = {
            "case": label,
            "params": r["params"],
            "seq_len": r["data"]["seq_len"],
            "batch": r["batch_size"],
            "steps": r["steps"],
            "tokens_per_second": r["tokens_per_second"],
            "mfu": r["mfu"],
            "flops_per_token": r["flops_per_token"],
            "wall_s": time.perf_counter() - t,
            "acc": r["memorization_accuracy"],
            "device": r["device"],
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
        with open(path, "a") as fh:
            fh.write(json.dumps(row) + "\n")
    print(f"{'case':<26} {'params':>11} {'tok/s':>12} {'MFU':>7} {'wall s':>7}")
    for r in rows:
        mfu = f"{100 * r['mfu']:.1f}%" if r["mfu"] is not None else "-"
        print(
            f"{r['case']:<26} {r['params']:>11,} {r['tokens_per_second']:>12,.0f} {mfu:>7} "
            f"{r['wall_s']:>7.0f}"
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench.jsonl")
