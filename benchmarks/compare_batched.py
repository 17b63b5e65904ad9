"""A compare group of runs that differ only in numbers: one batched call against the engines in turn.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/compare_batched.py [--runs 4] [--steps 300] \
        [--preset ring] [--device cpu] [--repeat 3]

Both ways train the same runs (d_opt.lr spaced from 1e-4 to 1e-3, the rest the preset's) for the
same lockstep steps in this one process, alternately, `--repeat` times each; the best time of each
counts (the machine is shared). Prints JSON with the lockstep it/s of both and the ratio
batched / sequential (> 1: batching is faster). core.compare.BATCHED_AUTO follows this figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import torch

from ganscope.core.compare import CompareGroup
from ganscope.core.presets import preset_config


def timed(configs, batched: bool, steps: int) -> tuple[float, str]:
    group = CompareGroup([(f"lr {c.d_opt.lr:g}", c) for c in configs], batched=batched)
    how = group.how_trained()
    group.step(1)  # warm-up: first evaluation, first vmap trace
    start = time.perf_counter()
    group.step(steps)
    return time.perf_counter() - start, how


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=4)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--preset", default="ring")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    base = preset_config(args.preset)
    base.set("run.device", args.device)
    configs = []
    for lr in torch.logspace(-4, -3, args.runs).tolist():
        c = base.copy()
        c.set("d_opt.lr", lr)
        configs.append(c)
    best = {True: float("inf"), False: float("inf")}
    how = {}
    for _ in range(args.repeat):
        for batched in (False, True):
            seconds, how[batched] = timed(configs, batched, args.steps)
            best[batched] = min(best[batched], seconds)
    out = {
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "cpus": os.cpu_count(),
        "load_avg": os.getloadavg()[0],
        "torch_threads": base.run.threads,
        "device": args.device,
        "preset": args.preset,
        "runs": args.runs,
        "steps": args.steps,
        "sequential_s": best[False],
        "batched_s": best[True],
        "sequential_lockstep_its": args.steps / best[False],
        "batched_lockstep_its": args.steps / best[True],
        "ratio_batched_over_sequential_speed": best[False] / best[True],
        "how": {"sequential": how[False], "batched": how[True]},
    }
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in out.items()}, indent=1))


if __name__ == "__main__":
    main()
