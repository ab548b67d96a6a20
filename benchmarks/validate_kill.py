"""kill -9 a 2-worker tiny sweep at random moments, then check nothing was lost or doubled.

    python benchmarks/validate_kill.py [--trials 10] [--seed 0] [--steps 150] [--seeds 2]
                                       [--mixed] [--min-delay 0.5] [--max-delay 12] [--out DIR]

Each trial starts ``mixphase validate sweep --jobs 2`` (in its own process group), sends SIGKILL
to the sweep process after a random delay, reaps it, and checks that no process of its group is
left alive (workers die with their parent). After the trials one more sweep runs to the end.
Checks: ``results.jsonl`` holds every planned run exactly once (raw lines, not de-duplicated), each
line parses, and every ``result.json`` written by a killed sweep is in it with the same numbers.
Prints one row per trial and a verdict; exit code 1 on any failure. ``tests/test_validate_kill.py``
runs a short version.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SWEEP = ["validate", "sweep", "--preset", "tiny", "--size", "0", "-r", "0.1", "-r", "0.3",
         "--batch-size", "8", "--people", "4", "--web-facts", "100", "--jobs", "2", "--json"]  # fmt: skip


def alive_in_group(pgid: int) -> list[int]:
    """Pids of live (not zombie) processes in process group ``pgid`` (Linux /proc)."""
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] not in "ZX":
            out.append(int(d.name))
    return out


def start(out: Path, extra: list[str]) -> subprocess.Popen:
    cmd = [sys.executable, "-c", "from mixphase.cli import main; main()", *SWEEP, *extra,
           "--out", str(out)]  # fmt: skip
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # fmt: skip


def trial(out: Path, delay: float, extra: list[str]) -> dict:
    p = start(out, extra)
    time.sleep(delay)
    finished = p.poll() is not None
    if not finished:
        os.kill(p.pid, signal.SIGKILL)
    p.wait()
    t0, left = time.monotonic(), alive_in_group(p.pid)
    while left and time.monotonic() - t0 < 10:
        time.sleep(0.1)
        left = alive_in_group(p.pid)
    for pid in left:  # report, then clean up what we started
        os.kill(pid, signal.SIGKILL)
    return {"delay_s": delay, "finished_before_kill": finished, "processes_left": len(left),
            "lines": _lines(out)}  # fmt: skip


def _lines(out: Path) -> int:
    p = out / "results.jsonl"
    return len(p.read_bytes().splitlines()) if p.exists() else 0


def check(out: Path, snapshots: dict[str, dict], n_runs: int) -> list[str]:
    """Problems with the finished folder (empty list: all good)."""
    problems = []
    lines = (out / "results.jsonl").read_text().splitlines()
    keys = []
    for i, line in enumerate(lines, 1):
        try:
            keys.append(json.loads(line)["key"])
        except (ValueError, KeyError):
            problems.append(f"line {i} does not parse")
    if len(keys) != n_runs or len(set(keys)) != n_runs:
        problems.append(f"{len(keys)} records, {len(set(keys))} distinct keys (want {n_runs})")
    recs = {json.loads(x)["key"]: json.loads(x) for x in lines if x.strip().startswith("{")}
    for key, res in snapshots.items():
        got = recs.get(key)
        if got is None or got["memorization_accuracy"] != res["memorization_accuracy"]:
            problems.append(f"finished run {key} missing or changed")
    return problems


def snapshot(out: Path) -> dict[str, dict]:
    res = {}
    for p in (out / "runs").glob("*/result.json") if (out / "runs").exists() else ():
        try:
            r = json.loads(p.read_text())
        except ValueError:
            continue
        res[r["key"]] = r
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--min-delay", type=float, default=0.5)
    ap.add_argument("--max-delay", type=float, default=12.0)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--steps", type=int, default=150, help="training steps per run")
    ap.add_argument("--seeds", type=int, default=2, help="seeds per ratio (runs: 3 x seeds)")
    ap.add_argument(
        "--mixed",
        action="store_true",
        help="odd trials with --no-ensemble (results arrive one by one)",
    )
    a = ap.parse_args(argv)
    extra = ["--steps", str(a.steps), "--seeds", str(a.seeds)]
    rng = random.Random(a.seed)
    out = a.out or Path(tempfile.mkdtemp(prefix="mixphase-kill-"))
    rows, seen = [], {}
    t0 = time.perf_counter()
    for i in range(a.trials):
        mode = ["--no-ensemble"] if a.mixed and i % 2 else []
        rows.append(trial(out, rng.uniform(a.min_delay, a.max_delay), extra + mode))
        seen.update(snapshot(out))
        print(json.dumps(rows[-1]), flush=True)
    try:
        final = subprocess.run([sys.executable, "-c", "from mixphase.cli import main; main()",
                                *SWEEP, *extra, "--out", str(out)], capture_output=True,
                               text=True, timeout=900)  # fmt: skip
    except subprocess.TimeoutExpired:
        print("problem: the final sweep did not finish in 900 s")
        return 1
    problems = [] if final.returncode == 0 else [f"final sweep failed: {final.stderr[-500:]}"]
    problems += check(out, seen, 3 * a.seeds)
    problems += [f"trial {i}: {r['processes_left']} processes left" for i, r in
                 enumerate(rows) if r["processes_left"]]  # fmt: skip
    torn = len(list(out.glob("results.jsonl.torn-*")))
    print(f"\n| trials | killed mid-sweep | results recovered from result.json | torn tails moved "
          f"aside | processes left | verdict |\n|---:|---:|---:|---:|---:|---|\n"
          f"| {len(rows)} | {sum(not r['finished_before_kill'] for r in rows)} | "
          f"{final.stdout.count('recovered') + final.stderr.count('recovered')} | {torn} | "
          f"{sum(r['processes_left'] for r in rows)} | "
          f"{'all runs exactly once' if not problems else 'FAILED'} |")  # fmt: skip
    print(f"({time.perf_counter() - t0:.0f} s; folder {out})")
    for p in problems:
        print("problem:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
