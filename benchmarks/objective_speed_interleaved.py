"""objective_speed.py's engine-vs-plain-loop rates, in short blocks interleaved over the whole run.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/objective_speed_interleaved.py \
        [--only non-saturating r1 wgan-gp-1 wgan-gp-5] [--seconds 150] \
        [--out docs/bench/objective_speed_interleaved_cpu.json]

Why: on a shared machine a burst of load during one objective's few seconds skews its ratios by
±30% (objective_speed.py measures each objective in one stretch). Here every objective's engine
and plain loop take turns, ~0.4 s each after 3 warm-up calls, for the whole run, so bursts land
on all of them; each entry reports its upper-quartile block rate. One torch thread; the first
objective named is the base of `vs_engine_first`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import objective_speed as osp  # noqa: E402

from ganscope.core.engine import GanEngine  # noqa: E402

BLOCK_S = 0.4


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", nargs="*", default=["non-saturating", "r1", "wgan-gp-1", "wgan-gp-5"])
    ap.add_argument("--seconds", type=float, default=150.0, help="length of the whole interleaved run")
    ap.add_argument("--out", help="write the JSON here too")
    args = ap.parse_args()
    torch.set_num_threads(1)
    load_before = os.getloadavg()
    blocks = {}
    for name in args.only:
        cfg = osp.config(osp.OBJECTIVES[name])
        engine = GanEngine(cfg)
        engine.step(40)
        blocks[name, "engine"] = lambda e=engine: osp.timed(lambda: e.step(20), BLOCK_S, per_call=20)
        blocks[name, "plain"] = lambda cfg=cfg: osp.plain_loop(cfg, BLOCK_S)
    rates: dict[tuple, list[float]] = {key: [] for key in blocks}
    start = time.perf_counter()
    while time.perf_counter() - start < args.seconds:
        for key, block in blocks.items():
            rates[key].append(block())
    upper = {key: sorted(v)[int(len(v) * 0.75)] for key, v in rates.items()}
    base = upper[args.only[0], "engine"]
    rows = {
        name: {
            "engine_its": upper[name, "engine"],
            "plain_its": upper[name, "plain"],
            "vs_plain": upper[name, "engine"] / upper[name, "plain"],
            "vs_engine_first": upper[name, "engine"] / base,
            "blocks": len(rates[name, "engine"]),
        }
        for name in args.only
    }
    out = {
        "cpu_model": osp._cpu_model(),
        "torch": torch.__version__,
        "threads": 1,
        "seconds": args.seconds,
        "block_s": BLOCK_S,
        "load_average_1_5_15_before": [round(v, 2) for v in load_before],
        "load_average_1_5_15_after": [round(v, 2) for v in os.getloadavg()],
        "model": "ring, G and D 2x128 ReLU, batch 256, Adam",
        "objectives": rows,
    }
    text = json.dumps(osp._rounded(out), indent=1)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
