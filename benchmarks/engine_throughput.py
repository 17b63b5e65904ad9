"""Iterations/s of GanEngine.step against a plain PyTorch loop of the same model, in the same run.

    .venv/bin/python benchmarks/engine_throughput.py [--steps 2000] [--repeats 3]

Prints JSON: both rates (best of the repeats) and their ratio. Machines are noisy: compare ratios.
"""
from __future__ import annotations

import argparse
import json
import time

import torch
import torch.nn.functional as F

from core.engine import GanEngine
from core.models import Discriminator, Generator
from core.presets import preset_config


def plain_loop(cfg, steps: int) -> float:
    """The idiomatic loop: sample, D step, G step, one .item() per step for the loss curve."""
    torch.manual_seed(0)
    G, D = Generator(cfg.generator), Discriminator(cfg.discriminator)
    og = torch.optim.Adam(G.parameters(), lr=cfg.g_opt.lr, betas=(cfg.g_opt.beta1, cfg.g_opt.beta2))
    od = torch.optim.Adam(D.parameters(), lr=cfg.d_opt.lr, betas=(cfg.d_opt.beta1, cfg.d_opt.beta2))
    from core.targets import build_target
    target, gen, n = build_target(cfg.target), torch.Generator().manual_seed(0), cfg.run.batch_size
    losses = []
    start = time.perf_counter()
    for _ in range(steps):
        real = target.sample(n, gen)
        fake = G(torch.randn(n, cfg.generator.noise_dim))
        d_loss = F.softplus(-D(real)).mean() + F.softplus(D(fake.detach())).mean()
        od.zero_grad()
        d_loss.backward()
        od.step()
        g_loss = F.softplus(-D(G(torch.randn(n, cfg.generator.noise_dim)))).mean()
        og.zero_grad()
        g_loss.backward()
        og.step()
        losses.append(d_loss.item())
    return steps / (time.perf_counter() - start)


def engine_rate(cfg, steps: int) -> float:
    e = GanEngine(cfg)
    start = time.perf_counter()
    e.step(steps)
    return steps / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    cfg = preset_config("ring")
    torch.set_num_threads(cfg.run.threads)
    plain = max(plain_loop(cfg, args.steps) for _ in range(args.repeats))
    ours = max(engine_rate(cfg, args.steps) for _ in range(args.repeats))
    print(json.dumps({"model": "G, D 2x128 ReLU, batch 256, Adam, non-saturating", "threads": cfg.run.threads,
                      "plain_loop_its": round(plain, 1), "engine_its": round(ours, 1),
                      "ratio": round(ours / plain, 3)}, indent=1))


if __name__ == "__main__":
    main()
