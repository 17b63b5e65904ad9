"""PacGAN's Table 1 rows (GAN, PacGAN2-4 on 2D-ring and 2D-grid) with the papers' own networks.

    PYTHONPATH=. .venv/bin/python benchmarks/papers_networks.py [--steps 2000] [--seeds 1] \
        [--targets 2D-ring,2D-grid] [--packs 1,2,3,4] [--out docs/bench/papers_networks.json]

The settings of the PacGAN synthetic-data code (docs/mode_coverage.md lists them): G with 2-D
N(0, I) noise, 4 hidden layers of 400 with batch norm and ReLU; D of 3 maxout layers of 200 units
with 5 pieces, input 2 x pack wide; weights N(0, 0.02), biases 0; non-saturating loss; Adam lr
1e-4, beta1 0.8; batch 100. Evaluated exactly as ganscope's table (2,500 samples from fixed noise;
modes, high-quality share, reverse KL over modes: core.metrics.reverse_kl_modes).

Differences that remain: their 400 epochs over 100,000 fixed training samples are 400,000
iterations (this script runs --steps); ganscope draws fresh real samples every step instead of
cycling a fixed set of 100,000. Each run is one GanEngine (sweeps train plain MLPs only).
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import numpy as np
import torch

from benchmarks import cpu_name
from ganscope.core.config import GanConfig
from ganscope.core.engine import GanEngine

TARGETS = {
    "2D-ring": {"kind": "ring", "n_modes": 8, "radius": 1.0, "sigma": 0.01},
    "2D-grid": {"kind": "grid", "grid_size": 5, "spacing": 2.0, "sigma": 0.05},
}


def papers_config(target: dict, pack: int, seed: int) -> GanConfig:
    c = GanConfig()
    for k, v in target.items():
        c.set(f"target.{k}", v)
    g, d = c.generator, c.discriminator
    g.depth, g.width, g.activation, g.norm, g.init, g.noise_dim, g.noise = (
        4,
        400,
        "relu",
        "batch",
        "normal-0.02",
        2,
        "normal",
    )
    d.depth, d.width, d.maxout, d.init = 3, 200, 5, "normal-0.02"
    c.objective.loss, c.objective.pack = "nonsaturating", pack
    for o in (c.d_opt, c.g_opt):
        o.kind, o.lr, o.beta1 = "adam", 1e-4, 0.8
    c.run.batch_size, c.run.seed, c.run.eval_samples = 100, seed, 2500
    c.run.spectrum_every = 0  # the table times training alone
    return c


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--targets", default="2D-ring,2D-grid")
    ap.add_argument("--packs", default="1,2,3,4")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default="docs/bench/papers_networks.json")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    rows = []
    for tname in args.targets.split(","):
        for pack in (int(p) for p in args.packs.split(",")):
            start, res = time.perf_counter(), []
            for seed in range(args.seeds):
                cfg = papers_config(TARGETS[tname], pack, seed)
                cfg.run.eval_every = args.steps  # evaluate once, at the end
                cfg.run.threads = args.threads
                e = GanEngine(cfg)
                e.step(args.steps)
                res.append(
                    e.evaluator.evaluate()
                    if e.status == "ok"
                    else {"modes": np.nan, "hq_share": np.nan, "reverse_kl": np.nan}
                )
            col = {k: np.array([r[k] for r in res], dtype=float) for k in ("modes", "hq_share", "reverse_kl")}
            row = {
                "target": tname,
                "pack": pack,
                "seeds": args.seeds,
                "steps": args.steps,
                **{f"{k}_mean": float(np.nanmean(v)) for k, v in col.items()},
                **{
                    f"{k}_sem": float(np.nanstd(v, ddof=1) / np.sqrt(len(v))) if len(v) > 1 else float("nan")
                    for k, v in col.items()
                },
                **{f"per_seed_{k}": v.tolist() for k, v in col.items()},
                "seconds": round(time.perf_counter() - start, 1),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    out = {
        "machine": f"{cpu_name()} {platform.machine()} ({args.threads} torch thread(s)), torch {torch.__version__}",
        "rows": rows,
    }
    with open(args.out, "w") as fh:
        json.dump(out, fh, indent=1)


if __name__ == "__main__":
    main()
