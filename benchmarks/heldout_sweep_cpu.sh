#!/usr/bin/env bash
# A held-out CPU sweep for issue 13, designed and started BEFORE the exposure model of round 3 was
# changed, and judged by benchmarks/predict_heldout.py only after that change was committed.
# New data (--data-seed 1: other people, other web facts) and new training seeds (--seed 1); the
# tiny preset's three sizes. Three training lengths: the main 2000 steps (ratios around each
# size's expected 50% point, from the earlier sweeps), T/3 (667 steps) and 2T (4000 steps: a
# length no earlier sweep has). Resumable: re-running skips finished runs.
#   bash benchmarks/heldout_sweep_cpu.sh [OUT]
set -euo pipefail
out=${1:-benchmarks/results/heldout_cpu_dataseed1}
mkdir -p "$out"
export OMP_NUM_THREADS=1
common=(--preset tiny --data-seed 1 --seed 1 --jobs 2 --out "$out")
uptime
start=$(date +%s)
# main length: web-only runs of every size, then six ratios per size around its 50% point
mixphase validate sweep "${common[@]}" -r 0.03 -r 0.042 -r 0.06 -r 0.085 -r 0.12 -r 0.17 --size 0
mixphase validate sweep "${common[@]}" -r 0.014 -r 0.02 -r 0.028 -r 0.04 -r 0.057 -r 0.08 --size 1
mixphase validate sweep "${common[@]}" -r 0.01 -r 0.014 -r 0.02 -r 0.028 -r 0.04 -r 0.057 --size 2
# T/3: five ratios per size from ~1x to ~3.5x the main 50% point
mixphase validate sweep "${common[@]}" --no-web-only --steps 667 -r 0.06 -r 0.085 -r 0.12 -r 0.17 -r 0.24 --size 0
mixphase validate sweep "${common[@]}" --no-web-only --steps 667 -r 0.028 -r 0.04 -r 0.057 -r 0.08 -r 0.113 --size 1
mixphase validate sweep "${common[@]}" --no-web-only --steps 667 -r 0.02 -r 0.028 -r 0.04 -r 0.057 -r 0.08 --size 2
# 2T: three ratios at the middle size, at and below its main 50% point
mixphase validate sweep "${common[@]}" --no-web-only --steps 4000 -r 0.014 -r 0.02 -r 0.028 --size 1
# web-only runs at T/3 and 2T (measure capacity vs training length, LengthScaling): added while the
# runs above trained, before any of them was evaluated
mixphase validate sweep "${common[@]}" --steps 667 -r 0
mixphase validate sweep "${common[@]}" --steps 4000 -r 0 --size 1
echo "wall seconds: $(( $(date +%s) - start ))"
uptime
