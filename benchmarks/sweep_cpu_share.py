"""CPU time a member-iteration: one sweep worker's share against the engine, one thread each.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/sweep_cpu_share.py [--pairs 3] [--steps 10]

Why: on a shared machine wall-clock ratios move with other work; CPU time moves less. A worker of a
two-process sweep (core.sweep_processes) trains half of the 16 `ring-wgan-gp` members of
benchmarks/sweep_throughput.py (Ensemble.keep_members(0, 8), with the workers' allocator setting);
the engine trains 8 of the same configs one after another. Each side runs in a fresh process, the
pairs interleaved. Two workers in perfect parallel would run the 16-member sweep at
2 x engine_ms / worker_ms the speed of 16 sequential engine runs. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def measure(side: str, steps: int) -> float:
    """ms of CPU a member-iteration for `side` ('engine' or 'worker'), in this process."""
    import torch

    from ganscope.core.engine import GanEngine
    from ganscope.core.ensemble import Ensemble
    from ganscope.core.presets import preset_config
    from ganscope.core.sweep import Axis, member_configs
    from ganscope.core.sweep_processes import _keep_freed_memory

    torch.set_num_threads(1)
    base = preset_config("ring-wgan-gp")
    base.set("run.threads", 1)
    lrs = [float(v) for v in torch.logspace(-4, -2, 4)]
    configs = member_configs(base, Axis("d_opt.lr", lrs), Axis("g_opt.lr", lrs))
    if side == "engine":
        GanEngine(configs[0]).step(5)  # warm-up, as the sweep's
        start = time.process_time()
        for cfg in configs[:8]:
            GanEngine(cfg).step(steps)
    else:
        _keep_freed_memory()
        ens = Ensemble(configs, threads=1)
        ens.keep_members(0, 8)
        ens.step(5)
        start = time.process_time()
        ens.step(steps)
    return (time.process_time() - start) / (8 * steps) * 1e3


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--side", choices=("engine", "worker"), help=argparse.SUPPRESS)  # one measurement (child)
    args = ap.parse_args()
    if args.side:
        print(measure(args.side, args.steps))
        return
    env = dict(os.environ, OMP_NUM_THREADS="1")
    runs: dict[str, list[float]] = {"engine": [], "worker": []}
    for _ in range(args.pairs):
        for side in runs:
            cmd = [sys.executable, __file__, "--side", side, "--steps", str(args.steps)]
            runs[side].append(float(subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout))
    ratios = [e / w for e, w in zip(runs["engine"], runs["worker"])]
    out = {
        "engine_cpu_ms_per_member_iteration": [round(v, 2) for v in runs["engine"]],
        "worker_cpu_ms_per_member_iteration": [round(v, 2) for v in runs["worker"]],
        "engine_over_worker": [round(r, 3) for r in ratios],
        "two_workers_bound_vs_sequential_engine": round(2 * statistics.median(ratios), 2),
        "load_average": [round(v, 2) for v in os.getloadavg()],
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
