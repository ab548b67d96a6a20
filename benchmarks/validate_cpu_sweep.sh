#!/usr/bin/env bash
# The CPU `tiny` sweep of benchmarks/results/validate.md: 3 sizes x 5 ratios + 3 web-only runs,
# two single-thread worker processes (2 cores). Resumable: re-running skips finished runs.
set -euo pipefail
OUT=${1:-runs/validate_tiny_cpu}
export OMP_NUM_THREADS=1
uptime
/usr/bin/time -v mixphase validate sweep --preset tiny --out "$OUT" --jobs 2 2>&1 | tee "$OUT.log"
uptime
