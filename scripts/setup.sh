#!/usr/bin/env bash
# Sets up ganscope on a fresh Debian/Ubuntu machine: Qt's system libraries, a venv in .venv, the package.
# Usage: bash scripts/setup.sh [--test] [--window]
#   --test    also install the test tools (pytest, pytest-qt, hypothesis)
#   --window  also install what a real (non-offscreen) window needs, plus Xvfb for screenshots
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
libs=(libegl1 libgl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3 libx11-6)
for arg in "$@"; do
  case "$arg" in
    --test) extras="[test]" ;;
    --window) libs+=(libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0 libxcb-image0
                     libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 xvfb xauth
                     fonts-wqy-microhei) ;;  # a CJK font: the lessons and menus in Chinese
    *) echo "setup.sh: unknown option '$arg' (use --test or --window)" >&2; exit 2 ;;
  esac
done

# Qt needs these shared libraries even offscreen; install only what is missing.
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${libs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing system libraries: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: Qt needs system libraries that are missing. Run:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "setup: ganscope needs Python >= 3.11 (found $("$python" -V 2>&1)); set PYTHON=..." >&2; exit 1; }
[ -x .venv/bin/python ] || "$python" -m venv .venv
# Re-install only when pyproject.toml changed since the last successful set-up.
stamp=".venv/.ganscope-setup${extras}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".${extras}"
  touch "$stamp"
fi
