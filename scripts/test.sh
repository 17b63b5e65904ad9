#!/usr/bin/env bash
# Sets up (if needed) and runs every check CI runs, GUI tests included, with no display:
# lint and format (ruff), types in core/ (mypy), the test suite, and the wheel installed in a clean venv.
# Extra arguments go to pytest (then only pytest runs: `bash scripts/test.sh tests/test_engine.py`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export QT_QPA_PLATFORM=offscreen
if [ $# -gt 0 ]; then exec .venv/bin/python -m pytest -q "$@"; fi
echo "== ruff (lint, format) =="
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy core/ =="
.venv/bin/mypy
echo "== pytest =="
.venv/bin/python -m pytest -q
echo "== wheel in a clean venv =="
bash scripts/check_wheel.sh
