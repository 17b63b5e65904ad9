#!/usr/bin/env bash
# Sets up (if needed) and starts the ganscope app. Extra arguments go to `ganscope`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --window
exec .venv/bin/ganscope "$@"
