#!/usr/bin/env bash
# The quick CPU reproduction of benchmarks/results/reproduce.md (2 cores, two single-thread
# workers) and the issue-5 `tiny` sweep it builds on. Resumable: re-running skips finished runs.
#   bash benchmarks/validate_reproduce_cpu.sh sweep [OUT]       # tiny sweep (runs/tiny_cpu)
#   bash benchmarks/validate_reproduce_cpu.sh reproduce [OUT]   # quick reproduce
set -euo pipefail
what=${1:-reproduce}
export OMP_NUM_THREADS=1
uptime
case $what in
  sweep) out=${2:-runs/tiny_cpu}; mkdir -p "$out"
         /usr/bin/time -v mixphase validate sweep --preset tiny --out "$out" --jobs 2 2>&1 | tee "$out.log" ;;
  reproduce) out=${2:-benchmarks/results/reproduce_quick_cpu_issue14}; mkdir -p "$out"
         /usr/bin/time -v mixphase validate reproduce --quick --out "$out" --jobs 2 2>&1 | tee "$out.log" ;;
esac
uptime
