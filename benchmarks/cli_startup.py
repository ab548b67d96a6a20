"""Wall time of short CLI commands (start-up included): median and max over repeated runs.

Target (issue 2): `mixphase predict critical-ratio --model-size 1e8` under 1.5 s on 2 cores.
Usage: python benchmarks/cli_startup.py [--repeat 10]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import time

COMMANDS = [
    ["mixphase", "--help"],
    ["mixphase", "predict"],
    ["mixphase", "predict", "critical-ratio", "--model-size", "1e8"],
    ["mixphase", "predict", "breakpoints", "--beta", "2", "--top-p", "0.9", "--real-share", "0.1"],
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()
    exe = shutil.which("mixphase")
    if exe is None:
        raise SystemExit("mixphase is not on PATH: pip install -e . first")
    print(f"# machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")  # fmt: skip
    print("| command | median s | max s | runs |\n|---|---|---|---|")
    for cmd in COMMANDS:
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - t0)
        print(f"| `{' '.join(cmd)}` | {statistics.median(times):.3f} | {max(times):.3f} | "
              f"{args.repeat} |")  # fmt: skip


if __name__ == "__main__":
    main()
