#!/usr/bin/env bash
# Every CPU benchmark, results as JSON in docs/bench/ (the table in docs/benchmarks.md quotes them).
#   bash benchmarks/run_all.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen} PYTHONPATH=.
mkdir -p docs/bench
quiet() { grep -v propagateSizeHints || true; }
$PY benchmarks/engine_throughput.py --steps 2000 --repeats 3 --variants | tee docs/bench/engine_cpu.json
$PY benchmarks/export_fps.py --frames 120 2>&1 | quiet | tee docs/bench/export_cpu.json
$PY benchmarks/gui_fps.py --seconds 8 2>&1 | quiet | tee docs/bench/gui_cpu.json
$PY benchmarks/gui_fps.py --seconds 8 --preset lesson-7c-unrolled 2>&1 | quiet | tee docs/bench/gui_cpu_unrolled.json
$PY benchmarks/startup.py --repeats 5 | tee docs/bench/startup_cpu.json
$PY benchmarks/close_latency.py --repeats 3 2>&1 | quiet | tee docs/bench/close_cpu.json
$PY benchmarks/frame_offer.py --seconds 10 | tee docs/bench/frame_offer_cpu.json
$PY benchmarks/spectrum_cost.py --steps 100 --repeats 2 | tee docs/bench/spectrum_cpu.json
$PY -m benchmarks.sweep_throughput --steps 300 --threads 1 | tee docs/bench/sweep16_cpu_1thread.json
$PY -m benchmarks.sweep_throughput --steps 300 --threads 2 | tee docs/bench/sweep16_cpu_2threads.json
# Long (about 45 minutes): the VEEGAN / PacGAN table in docs/mode_coverage.md.
if [ "${WITH_MODE_COVERAGE:-0}" = 1 ]; then
  $PY benchmarks/mode_coverage.py --steps 50000 --seeds 5 --threads 1 --out docs/bench/mode_coverage_50k_5seeds.json
fi
