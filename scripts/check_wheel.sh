#!/usr/bin/env bash
# Builds ganscope's wheel, installs it into a clean venv outside the checkout and runs it there, as a user
# who did `pip install ganscope` would: `ganscope --help`, a short headless training run, a GUI screenshot.
# Fails if the wheel installs anything but `ganscope` as an import name of ours (no bare `core` / `app`).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d "${TMPDIR:-/tmp}/ganscope-wheel.XXXXXX")
trap 'rm -rf "$work"' EXIT
.venv/bin/python -m pip wheel -q --no-deps --no-build-isolation -w "$work/dist" . >/dev/null 2>&1
python=${PYTHON:-python3}
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q "$work"/dist/ganscope-*.whl >"$work/pip.log" 2>&1 \
  || { grep -v "^WARNING: Location" "$work/pip.log" >&2; exit 1; }
site=$("$work/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
for name in core app; do
  if [ -e "$site/$name" ]; then echo "check_wheel: the wheel installed a top-level '$name' package" >&2; exit 1; fi
done
cd "$work"  # away from the checkout, so its folders cannot shadow the installed package
export QT_QPA_PLATFORM=offscreen OMP_NUM_THREADS=1
venv/bin/ganscope --help >/dev/null
venv/bin/ganscope train --preset ring --steps 50 >/dev/null
venv/bin/ganscope gui --preset ring --steps 20 --screenshot shot.png >/dev/null
[ -s shot.png ] || { echo "check_wheel: no screenshot from the installed app" >&2; exit 1; }
venv/bin/python -c 'import ganscope, sys; assert "torch" not in sys.modules; ganscope.GanEngine; print("check_wheel: ok", ganscope.__version__)'
