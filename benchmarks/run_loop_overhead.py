"""What the one run loop (core.run_loop) costs: the same training through run_loop and through bare
`engine.step` calls of the same chunk sizes, alternated in the same run.

    .venv/bin/python benchmarks/run_loop_overhead.py [--steps 1000] [--chunk 5] [--repeats 3]

Prints JSON: both rates (best of the repeats) and their ratio. Small chunks (the app's full-speed play
uses ~5 iterations a call) are where a per-chunk cost would show. Machines are noisy: compare ratios.
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import torch

from ganscope.core.engine import GanEngine
from ganscope.core.presets import preset_config
from ganscope.core.run_loop import Every, run_loop


def bare(cfg, steps: int, chunk: int) -> float:
    e = GanEngine(cfg)
    start = time.perf_counter()
    done = 0
    while done < steps:
        done += e.step(min(chunk, steps - done))
    return steps / (time.perf_counter() - start)


def looped(cfg, steps: int, chunk: int) -> float:
    e = GanEngine(cfg)
    start = time.perf_counter()
    run_loop(e, steps, chunks=chunk, callbacks=[Every(lambda state: None)], should_stop=lambda: False)
    return steps / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--chunk", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    cfg = preset_config("ring")
    cfg.run.threads = 1
    torch.set_num_threads(1)  # a benchmark script may: it is its own process
    rates = {"bare": [], "run_loop": []}
    for _ in range(args.repeats):  # alternated, so a change in the machine's load hits both
        rates["bare"].append(bare(cfg, args.steps, args.chunk))
        rates["run_loop"].append(looped(cfg, args.steps, args.chunk))
    best = {k: max(v) for k, v in rates.items()}
    print(
        json.dumps(
            {
                "machine": platform.processor() or platform.machine(),
                "steps": args.steps,
                "chunk": args.chunk,
                "bare_its": best["bare"],
                "run_loop_its": best["run_loop"],
                "ratio_run_loop_to_bare": best["run_loop"] / best["bare"],
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
