"""What unrolling costs: iterations/s of lesson 7c's networks with 0, 5 and 10 look-ahead steps,
against 0 (the plain game) in the same run.

    PYTHONPATH=. .venv/bin/python benchmarks/unrolling_cost.py [--steps 200] [--repeats 3]

Prints JSON. Each look-ahead step reuses G's batch (core/unrolling.py): G's forward on its 256-d
noise runs once per iteration, however many steps are unrolled.
"""

from __future__ import annotations

import argparse
import json
import time

from ganscope.core.engine import GanEngine
from ganscope.core.presets import preset_config


def rate(k: int, steps: int, repeats: int) -> float:
    cfg = preset_config("lesson-7c-unrolled")
    cfg.set("objective.unrolled_steps", k)
    e = GanEngine(cfg)
    e.step(20)  # warm-up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        e.step(steps)
        best = min(best, time.perf_counter() - start)
    return steps / best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    rates = {k: rate(k, args.steps, args.repeats) for k in (0, 5, 10)}
    out = {
        "its_by_unrolled_steps": {str(k): round(v, 1) for k, v in rates.items()},
        "cost_vs_plain": {str(k): round(rates[0] / v, 2) for k, v in rates.items()},
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
