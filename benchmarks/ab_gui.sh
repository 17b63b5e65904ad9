#!/bin/bash
# The GUI benchmarks, a base tree and this one taking turns (ratios from one session, the machine named in the JSON).
# From this checkout: BASE=/path/to/a/checkout/of/the/base/commit PART=gui|busy|compare bash benchmarks/ab_gui.sh
# PART=gui: quiet pairs; full: the issue's three presets at full detail (128², 2,048 points), two rounds; busy: with a headless `ganscope train` beside them; compare: benchmarks/compare_fps.py.
# The base runs through PYTHONPATH with this checkout's venv (its own benchmark script, its own package).
OUT=${OUT:-/tmp/ab_gui}; mkdir -p "$OUT"
NEW=$(pwd); PY=$NEW/.venv/bin/python
BASE=${BASE:?set BASE to a checkout of the base commit}
mkdir -p /tmp/basepkg/ganscope && ln -sfn "$BASE/ganscope/__init__.py" "$BASE/app" "$BASE/core" /tmp/basepkg/ganscope/
run() { tag=$1; tree=$2; shift 2
  if [ "$tree" = base ]; then (cd /tmp && PYTHONPATH=/tmp/basepkg QT_QPA_PLATFORM=offscreen $PY "$BASE/benchmarks/gui_fps.py" "$@") > "$OUT/$tag.json" 2>"$OUT/$tag.err"
  else (cd "$NEW" && QT_QPA_PLATFORM=offscreen $PY benchmarks/gui_fps.py "$@") > "$OUT/$tag.json" 2>"$OUT/$tag.err"; fi
  echo "$tag load $(uptime | sed 's/.*average: //') $($PY -c "import json; d=json.load(open('$OUT/$tag.json')); p=d['process']; print(p['fps'], p['kept_share'], d['headless_its'], p['status'])" 2>&1 | tail -1)"
}
case "${PART:-gui}" in
gui)
  for i in 1 2; do for t in base new; do run full_ring_${t}_$i $t --seconds 8 --preset ring --full-detail --no-thread; done; done
  for p in ring lesson-7a-wgan-gp lesson-7c-unrolled; do for t in base new; do run gov_${p}_${t} $t --seconds 8 --preset $p --no-thread; done; done ;;
full)
  for i in 1 2; do for p in ring lesson-7a-wgan-gp lesson-7c-unrolled; do for t in base new; do
    run full_${p}_${t}_$i $t --seconds 8 --preset $p --full-detail --no-thread; done; done; done ;;
busy)
  (cd /tmp && OMP_NUM_THREADS=1 "$NEW/.venv/bin/ganscope" train --preset ring --steps 2000000 --quiet >/dev/null 2>&1) & bp=$!
  sleep 3
  for p in ring lesson-7a-wgan-gp; do for t in base new; do run busy_${p}_${t} $t --seconds 12 --preset $p --no-thread; done; done
  kill $bp; pkill -f "steps 2000000" ;;
compare)
  (cd "$NEW" && QT_QPA_PLATFORM=offscreen $PY -m benchmarks.compare_fps --seconds 8 --training both --repeat 3) > "$OUT/compare.json" 2> "$OUT/compare.err"
  tail -30 "$OUT/compare.json" ;;
esac
