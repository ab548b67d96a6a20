#!/usr/bin/env bash
# GPU figures of benchmarks/results/validate.md (run from the repository root on the GPU machine).
#   bash benchmarks/validate_gpu.sh bench OUTDIR   # tokens/s and MFU per preset
#   bash benchmarks/validate_gpu.sh sweep OUTDIR   # `small` sweep: 5 sizes x 6 ratios + web-only
#   bash benchmarks/validate_gpu.sh cpu OUTDIR     # `tiny` CPU sweep pinned to 2 cores (taskset)
set -euo pipefail
what=$1; out=${2:-out}
mkdir -p "$out"; out=$(realpath "$out")
# Make `import mixphase.*` work without installing (the package maps top-level folders).
rm -rf /tmp/mp && mkdir -p /tmp/mp && cp -r mixphase /tmp/mp/
for d in theory simulate fit validate value advise paper_figures; do ln -s "$PWD/$d" /tmp/mp/mixphase/$d; done
export PYTHONPATH=/tmp/mp
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
case $what in
  bench) python3 benchmarks/validate_gpu_bench.py "$out/bench.jsonl" ;;
  sweep) cd /tmp && time python3 -c "import sys; from mixphase.cli import main; main(sys.argv[1:])" validate sweep --preset small --out "$(realpath "$out")/sweep" --jobs "${JOBS:-8}" \
           --compile "${COMPILE:-no}" "${@:3}" ;;
  cpu) cd /tmp && CUDA_VISIBLE_DEVICES= OMP_NUM_THREADS=1 time taskset -c 0,1 python3 -c \
         "import sys; from mixphase.cli import main; main(sys.argv[1:])" validate sweep --preset tiny \
         --device cpu --out "$out/cpu" --jobs 2 "${@:3}" ;;
esac
