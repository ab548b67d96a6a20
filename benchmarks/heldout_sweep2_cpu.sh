#!/usr/bin/env bash
# A second held-out CPU sweep for issue 13, designed after round 3's length scaling was committed
# and evaluated only with that model frozen (nothing is changed after seeing it). Other data
# (--data-seed 2), other training seeds (--seed 2), other lengths than the first held-out sweep:
# main 2000 steps, T/2 (1000 steps) at every size and 3T (6000 steps) at the largest, web-only
# runs at every length. Resumable: re-running skips finished runs.
#   bash benchmarks/heldout_sweep2_cpu.sh [OUT]
set -euo pipefail
out=${1:-benchmarks/results/heldout_cpu_dataseed2}
mkdir -p "$out"
export OMP_NUM_THREADS=1
common=(--preset tiny --data-seed 2 --seed 2 --jobs 2 --out "$out")
uptime
start=$(date +%s)
# main length: web-only runs and six ratios per size around its 50% point
mixphase validate sweep "${common[@]}" -r 0.03 -r 0.042 -r 0.06 -r 0.085 -r 0.12 -r 0.17 --size 0
mixphase validate sweep "${common[@]}" -r 0.014 -r 0.02 -r 0.028 -r 0.04 -r 0.057 -r 0.08 --size 1
mixphase validate sweep "${common[@]}" -r 0.01 -r 0.014 -r 0.02 -r 0.028 -r 0.04 -r 0.057 --size 2
# T/2: web-only runs and five ratios per size
mixphase validate sweep "${common[@]}" --steps 1000 -r 0.05 -r 0.07 -r 0.1 -r 0.14 -r 0.2 --size 0
mixphase validate sweep "${common[@]}" --steps 1000 -r 0.02 -r 0.028 -r 0.04 -r 0.057 -r 0.08 --size 1
mixphase validate sweep "${common[@]}" --steps 1000 -r 0.014 -r 0.02 -r 0.028 -r 0.04 -r 0.057 --size 2
# 3T at the largest size: web-only run and three ratios at and below its main 50% point
mixphase validate sweep "${common[@]}" --steps 6000 -r 0.007 -r 0.01 -r 0.014 --size 2
echo "wall seconds: $(( $(date +%s) - start ))"
uptime
