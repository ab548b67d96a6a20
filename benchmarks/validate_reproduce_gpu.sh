#!/usr/bin/env bash
# Full `mixphase validate reproduce` (preset small, sizes d16-d96) on one GPU, reusing the 5x6
# sweep of benchmarks/results/validate_gpu_sweep (same keys: its runs are not retrained).
#   bash benchmarks/validate_reproduce_gpu.sh OUTDIR [TRAIN_SECONDS]
# Trains for at most TRAIN_SECONDS (default 330; a resumable run: re-running continues), then
# judges whatever finished (--report-only) and copies the reports to OUTDIR.
set -uo pipefail
out=${1:-out}; budget=${2:-330}
mkdir -p "$out"; out=$(realpath "$out"); repo=$PWD
rm -rf /tmp/mp && mkdir -p /tmp/mp && cp -r mixphase /tmp/mp/
for d in theory simulate fit validate value advise paper_figures; do ln -s "$repo/$d" /tmp/mp/mixphase/$d; done
export PYTHONPATH=/tmp/mp PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
work=/tmp/repro; mkdir -p $work
[ -f $work/results.jsonl ] || cp benchmarks/results/validate_gpu_sweep/results.jsonl $work/results.jsonl
mp() { python3 -c "import sys; from mixphase.cli import main; main(sys.argv[1:])" "$@"; }
cd /tmp
start=$(date +%s)
timeout "$budget" python3 -c "import sys; from mixphase.cli import main; main(sys.argv[1:])" \
  validate reproduce --preset small --out $work --jobs "${JOBS:-8}" --compile no 2>&1 | tee "$out/train.log"
echo "training wall: $(( $(date +%s) - start )) s" | tee -a "$out/train.log"
mp validate reproduce --preset small --out $work --report-only 2>&1 | tee "$out/report.txt"
cp $work/report.json $work/report.md $work/results.jsonl $work/*.png "$out/" 2>/dev/null
ls -la "$out"
