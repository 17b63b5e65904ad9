"""A 16-member sweep as one batched Ensemble against the same 16 runs one after another.

    .venv/bin/python benchmarks/sweep_throughput.py [--steps 300] [--side 4] [--device cpu] \
        [--preset ring-wgan-gp] [--threads 1] [--engine-threads 1] [--rounds 3] [--vmap-too] \
        [--one-process-too] [--profile]

Baselines in the same run: 16 GanEngine runs in sequence, and (for the default preset `ring`,
whose loss benchmarks/engine_throughput.py's plain loop implements) 16 plain PyTorch loops in
sequence. Same model (G, D 2x128 ReLU, batch 256, Adam). Prints JSON; compare ratios.

`--rounds R` alternates the ensemble and the sequential engine runs R times (other work on a
shared machine then hits both sides alike); `speedup_vs_sequential_engine` is the median of the
rounds' ratios. `--threads` sets both sides' torch threads; `--engine-threads` the engine runs'
alone (its best on a 2-core CPU is 1), so `--threads 2 --engine-threads 1` compares a sweep on
both cores against the engine at its best. On a CPU, `--threads N` > 1 trains the sweep as
`ganscope sweep --threads N` does: in N worker processes of one torch thread each
(core.sweep_processes; their start-up, `workers_start_s`, is left out like the warm-up);
`--one-process-too` also times one process with N intra-op threads (the previous way) each round.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

import torch

from ganscope.core.engine import GanEngine
from ganscope.core.ensemble import Ensemble
from ganscope.core.presets import preset_config
from ganscope.core.sweep import Axis, member_configs
from ganscope.core.sweep_processes import ProcessSweep


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--side", type=int, default=4, help="grid side: side x side members")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=None, help="torch threads for all (default: the config's)")
    ap.add_argument("--preset", default="ring", help="the members' base config (e.g. ring-wgan-gp)")
    ap.add_argument("--engine-threads", type=int, default=None, help="the engine runs' threads (default: --threads)")
    ap.add_argument("--rounds", type=int, default=1, help="ensemble and sequential runs alternated this many times")
    ap.add_argument("--skip-sequential", action="store_true", help="only the ensemble (large sweeps)")
    ap.add_argument(
        "--profile",
        action="store_true",
        help="print torch.profiler's table (self CPU time, by input shapes) of one ensemble iteration to stderr",
    )
    ap.add_argument(
        "--one-process-too",
        action="store_true",
        help="with --threads N > 1 on a CPU: also time one process with N intra-op threads each round",
    )
    ap.add_argument(
        "--vmap-too",
        action="store_true",
        help="also time the general path (torch.func under vmap, Ensemble(hand_written=False)) each round",
    )
    args = ap.parse_args()
    if args.profile and args.device == "cpu" and (args.threads or 1) > 1:
        ap.error("--profile profiles this process: use it with --threads 1")
    base = preset_config(args.preset)
    base.set("run.device", args.device)
    if args.threads:
        base.set("run.threads", args.threads)
    lrs = [float(v) for v in torch.logspace(-4, -2, args.side)]
    configs = member_configs(base, Axis("d_opt.lr", lrs), Axis("g_opt.lr", lrs))
    torch.set_num_threads(base.run.threads)
    sync = torch.cuda.synchronize if args.device == "cuda" else (lambda: None)
    out = {
        "preset": args.preset,
        "members": len(configs),
        "steps": args.steps,
        "device": args.device,
        "threads": base.run.threads,
    }

    engine_configs = [c.copy() for c in configs]
    if args.engine_threads:
        for c in engine_configs:
            c.set("run.threads", args.engine_threads)
    out["engine_threads"] = engine_configs[0].run.threads
    ens = Ensemble(configs, device=args.device, threads=base.run.threads)
    split = args.device == "cpu" and base.run.threads > 1
    out["sweep_processes"] = base.run.threads if split else 1
    one_process = None
    if split:
        start = time.perf_counter()
        sweep = ProcessSweep(ens, base.run.threads)
        out["workers_start_s"] = time.perf_counter() - start
        if args.one_process_too:
            one_process = Ensemble(configs, device=args.device, threads=base.run.threads)
            one_process.step(5)
    else:
        sweep = ens
    sweep.step(5)  # warm-up: allocations, kernels
    if not args.skip_sequential:
        GanEngine(engine_configs[0]).step(5)  # the same for the engine (its first run paid ~1 s more)
    sync()
    if args.profile:
        from torch.profiler import ProfilerActivity, profile

        with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
            ens.step(1)
        table = prof.key_averages(group_by_input_shape=True).table(
            sort_by="self_cpu_time_total", row_limit=30, max_name_column_width=28, max_shapes_column_width=60
        )
        print(table, file=sys.stderr)
    times: dict[str, list[float]] = {
        k: [] for k in ("ensemble_s", "sequential_engine_s", "vmap_ensemble_s", "one_process_s")
    }
    general = None
    if args.vmap_too:
        general = Ensemble(configs, device=args.device, threads=base.run.threads, hand_written=False)
        general.step(5)
    for _ in range(args.rounds):
        start = time.perf_counter()
        sweep.step(args.steps)
        sync()
        times["ensemble_s"].append(time.perf_counter() - start)
        if one_process is not None:
            start = time.perf_counter()
            one_process.step(args.steps)
            times["one_process_s"].append(time.perf_counter() - start)
        if general is not None:
            start = time.perf_counter()
            general.step(args.steps)
            sync()
            times["vmap_ensemble_s"].append(time.perf_counter() - start)
        if not args.skip_sequential:
            start = time.perf_counter()
            for cfg in engine_configs:
                GanEngine(cfg).step(args.steps)
            sync()
            times["sequential_engine_s"].append(time.perf_counter() - start)
    out["ensemble_s"] = statistics.median(times["ensemble_s"])
    out["ensemble_gan_its"] = len(configs) * args.steps / out["ensemble_s"]
    if not args.skip_sequential:
        out["sequential_engine_s"] = statistics.median(times["sequential_engine_s"])
        ratios = [b / a for a, b in zip(times["ensemble_s"], times["sequential_engine_s"])]
        out["speedup_vs_sequential_engine"] = statistics.median(ratios)
        out["rounds"] = [
            {"ensemble_s": a, "sequential_engine_s": b, "speedup": r}
            for a, b, r in zip(times["ensemble_s"], times["sequential_engine_s"], ratios)
        ]

    def against(key: str) -> None:  # another way of training the sweep, timed in the same rounds
        out[key] = statistics.median(times[key])
        out[f"speedup_vs_{key[: -len('_s')]}"] = statistics.median(
            [b / a for a, b in zip(times["ensemble_s"], times[key])]
        )
        for row, t in zip(out.get("rounds", []), times[key]):
            row[key] = t

    if general is not None:
        against("vmap_ensemble_s")
    if one_process is not None:
        against("one_process_s")
        for row in out.get("rounds", []):
            row["one_process_speedup"] = row["sequential_engine_s"] / row["one_process_s"]
    if sweep is not ens:
        sweep.close()
    out["load_average"] = list(os.getloadavg())
    if not args.skip_sequential and args.preset == "ring":
        from benchmarks.engine_throughput import plain_loop

        start = time.perf_counter()
        for cfg in configs:
            plain_loop(cfg, args.steps, device=args.device)
        out["sequential_plain_s"] = time.perf_counter() - start
        out["speedup_vs_sequential_plain"] = out["sequential_plain_s"] / out["ensemble_s"]
    print(json.dumps(_rounded(out), indent=1))


def _rounded(value):
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


if __name__ == "__main__":
    main()
