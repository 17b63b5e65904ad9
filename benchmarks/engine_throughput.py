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

from ganscope.core.engine import GanEngine
from ganscope.core.models import Discriminator, Generator
from ganscope.core.presets import preset_config


def plain_loop(cfg, steps: int, device: str = "cpu") -> float:
    """The idiomatic loop: sample, D step, G step, one .item() per step for the loss curve."""
    torch.manual_seed(0)
    G, D = Generator(cfg.generator).to(device), Discriminator(cfg.discriminator).to(device)
    og = torch.optim.Adam(G.parameters(), lr=cfg.g_opt.lr, betas=(cfg.g_opt.beta1, cfg.g_opt.beta2))
    od = torch.optim.Adam(D.parameters(), lr=cfg.d_opt.lr, betas=(cfg.d_opt.beta1, cfg.d_opt.beta2))
    from ganscope.core.targets import build_target

    target, gen, n = build_target(cfg.target), torch.Generator().manual_seed(0), cfg.run.batch_size
    losses = []
    start = time.perf_counter()
    for _ in range(steps + 10):
        if _ == 10:  # after a warm-up (CUDA context, allocator)
            start = time.perf_counter()
        real = target.sample(n, gen).to(device)
        fake = G(torch.randn(n, cfg.generator.noise_dim, device=device))
        d_loss = F.softplus(-D(real)).mean() + F.softplus(D(fake.detach())).mean()
        od.zero_grad()
        d_loss.backward()
        od.step()
        g_loss = F.softplus(-D(G(torch.randn(n, cfg.generator.noise_dim, device=device)))).mean()
        og.zero_grad()
        g_loss.backward()
        og.step()
        losses.append(d_loss.item())
    return steps / (time.perf_counter() - start)


def engine_rate(cfg, steps: int, manual: bool = True, graph: bool = True) -> float:
    e = GanEngine(cfg)
    e.manual_grad, e.use_cuda_graph = manual, graph
    e.step(10)  # warm-up; on a GPU this records the graph
    sync(cfg)
    start = time.perf_counter()
    e.step(steps)
    sync(cfg)
    return steps / (time.perf_counter() - start)


def sync(cfg) -> None:
    if cfg.run.device == "cuda":
        torch.cuda.synchronize()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    ap.add_argument(
        "--variants", action="store_true", help="also time the engine without the CUDA graph and with autograd"
    )
    args = ap.parse_args()
    cfg = preset_config("ring")
    cfg.set("run.device", args.device)
    torch.set_num_threads(cfg.run.threads)
    best = lambda f: max(f() for _ in range(args.repeats))
    plain = best(lambda: plain_loop(cfg, args.steps, args.device))
    out = {
        "model": "G, D 2x128 ReLU, batch 256, Adam, non-saturating",
        "device": args.device,
        "threads": cfg.run.threads,
        "plain_loop_its": plain,
    }
    out["engine_its"] = best(lambda: engine_rate(cfg, args.steps))
    if args.variants:
        out["engine_eager_manual_its"] = best(lambda: engine_rate(cfg, args.steps, graph=False))
        out["engine_autograd_its"] = best(lambda: engine_rate(cfg, args.steps, manual=False, graph=False))
    for key in [k for k in out if k.startswith("engine")]:
        out[key.replace("_its", "_ratio")] = out[key] / plain
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in out.items()}, indent=1))


if __name__ == "__main__":
    main()
