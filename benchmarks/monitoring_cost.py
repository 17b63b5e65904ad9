"""What the engine's monitoring costs: one evaluation (modes, JS, MMD) and one spectrum, in ms.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/monitoring_cost.py [--steps 1000] [--repeats 3]
    # another tree: put its ganscope package first on the path (as benchmarks/ab_trees.py does)
    OMP_NUM_THREADS=1 PYTHONPATH=/tmp/basepkg .venv/bin/python benchmarks/monitoring_cost.py
    # where the time goes while training, monitoring included:
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/monitoring_cost.py --profile 3000

Trains the default ring for `--steps` first (a spread-out generator, as in a real run), then times
each the best of `--repeats` batches. One torch thread. Compare trees run alternately on one machine.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import platform
import pstats
import time

import torch

import ganscope
from ganscope.core.config import GanConfig
from ganscope.core.engine import GanEngine


def per_call_ms(fn, calls: int, repeats: int) -> float:
    fn()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - start) / calls)
    return best * 1e3


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--profile", type=int, default=0, help="profile this many training steps instead")
    args = ap.parse_args()
    torch.set_num_threads(1)
    engine = GanEngine(GanConfig())
    engine.step(args.steps)
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        engine.step(args.profile)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
        return
    out = {
        "package": ganscope.__file__,
        "machine": platform.processor() or platform.machine(),
        "evaluate_ms": round(per_call_ms(engine.evaluator.evaluate, 30, args.repeats), 2),
        "spectrum_ms": round(per_call_ms(engine.spectrum.update, 3, args.repeats), 1),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
