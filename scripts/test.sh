#!/usr/bin/env bash
# Sets up (if needed) and runs the whole test suite, GUI tests included, with no display.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest -q "$@"
