"""Iterations/s of GanEngine.step for every objective, against the engine's own non-saturating rate
and against a plain idiomatic PyTorch loop of the same objective, all in one run, one torch thread.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/objective_speed.py [--seconds 3] [--repeats 2] \
        [--out docs/bench/objective_speed_cpu.json]
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/objective_speed.py --profile --only non-saturating wgan-gp-5
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/objective_speed.py --ops --only non-saturating
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/objective_speed.py --cprofile --only non-saturating

The plain loop is what a user would write: nn.Modules, torch.optim.Adam with its defaults, a
penalty through torch.autograd.grad(create_graph=True), WGAN clipping with clamp_, and for
unrolling a differentiable look-ahead of D's Adam steps (functional_call + create_graph), one
.item() per step for the loss curve. It shares only the target sampler and the models' layout
with the engine. Each rate is the best of the repeats over about `seconds` of training. Machines
are noisy (and this one is shared): compare ratios measured in the same run, not absolute rates.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import torch
import torch.nn.functional as F

from ganscope.core.config import GanConfig
from ganscope.core.engine import GanEngine
from ganscope.core.models import Discriminator, Generator
from ganscope.core.targets import build_target

OBJECTIVES = {  # name -> config changes on the default ring config (G, D 2x128 ReLU, batch 256, Adam)
    "non-saturating": {},
    "minimax": {"objective.loss": "minimax"},
    "lsgan": {"objective.loss": "lsgan"},
    "hinge": {"objective.loss": "hinge"},
    "wgan-clip": {"objective.loss": "wgan"},
    "wgan-gp-1": {"objective.loss": "wgan-gp", "objective.gp_weight": 0.1},
    "wgan-gp-5": {
        "objective.loss": "wgan-gp",
        "objective.gp_weight": 0.1,
        "d_opt.steps": 5,
        "d_opt.beta2": 0.9,
        "g_opt.beta2": 0.9,
    },
    "r1": {"objective.r1": 1.0},
    "pack-2": {"objective.pack": 2},
    "instance-noise": {"objective.instance_noise": 0.1},
    "unrolled-5": {"objective.unrolled_steps": 5},
    # Lesson 7a's preset (lesson-7a-wgan-gp): WGAN-GP 5 on a ring of radius 2, sigma 0.02.
    "lesson-7a": {
        "target.kind": "ring",
        "target.radius": 2.0,
        "target.sigma": 0.02,
        "objective.loss": "wgan-gp",
        "objective.gp_weight": 0.1,
        "d_opt.lr": 3e-4,
        "d_opt.beta1": 0.5,
        "d_opt.beta2": 0.9,
        "d_opt.steps": 5,
        "g_opt.lr": 3e-4,
        "g_opt.beta1": 0.5,
        "g_opt.beta2": 0.9,
    },
}

D_LOSS = {
    "minimax": lambda r, f: F.softplus(-r).mean() + F.softplus(f).mean(),
    "lsgan": lambda r, f: 0.5 * ((r - 1) ** 2).mean() + 0.5 * (f**2).mean(),
    "hinge": lambda r, f: F.relu(1 - r).mean() + F.relu(1 + f).mean(),
    "wgan": lambda r, f: f.mean() - r.mean(),
}
D_LOSS.update({"nonsaturating": D_LOSS["minimax"], "wgan-gp": D_LOSS["wgan"]})
G_LOSS = {
    "minimax": lambda f: -F.softplus(f).mean(),
    "nonsaturating": lambda f: F.softplus(-f).mean(),
    "lsgan": lambda f: 0.5 * ((f - 1) ** 2).mean(),
    "hinge": lambda f: -f.mean(),
    "wgan": lambda f: -f.mean(),
    "wgan-gp": lambda f: -f.mean(),
}


def config(changes: dict) -> GanConfig:
    cfg = GanConfig()
    for k, v in changes.items():
        cfg.set(k, v)
    return cfg


def input_grad(D, x):
    x = x.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(D(x).sum(), x, create_graph=True)
    return g


def lookahead(D, od, real, fake, loss, k):
    """k differentiable Adam steps of D from its optimiser's state (the Unrolled GAN recipe)."""
    names = [n for n, _ in D.named_parameters()]
    params = [p for _, p in D.named_parameters()]
    lr, (b1, b2) = od.param_groups[0]["lr"], od.param_groups[0]["betas"]
    st = [od.state.get(p, {}) for p in params]
    m = [s.get("exp_avg", torch.zeros_like(p)) for s, p in zip(st, params)]
    v = [s.get("exp_avg_sq", torch.zeros_like(p)) for s, p in zip(st, params)]
    t = float(st[0].get("step", 0)) if st[0] else 0.0
    for _ in range(k):
        call = lambda x: torch.func.functional_call(D, dict(zip(names, params)), (x,))
        grads = torch.autograd.grad(D_LOSS[loss](call(real), call(fake)), params, create_graph=True)
        t += 1
        m = [b1 * a + (1 - b1) * g for a, g in zip(m, grads)]
        v = [b2 * a + (1 - b2) * g * g for a, g in zip(v, grads)]
        params = [
            p - lr / (1 - b1**t) * a / ((b + 1e-16).sqrt() / (1 - b2**t) ** 0.5 + 1e-8) for p, a, b in zip(params, m, v)
        ]
    return dict(zip(names, params))


def plain_loop(cfg: GanConfig, seconds: float) -> float:
    """The idiomatic loop of cfg's objective; returns iterations per second."""
    torch.manual_seed(0)
    oc, pack = cfg.objective, cfg.objective.pack
    G, D = Generator(cfg.generator), Discriminator(cfg.discriminator, pack)
    og = torch.optim.Adam(G.parameters(), lr=cfg.g_opt.lr, betas=(cfg.g_opt.beta1, cfg.g_opt.beta2))
    od = torch.optim.Adam(D.parameters(), lr=cfg.d_opt.lr, betas=(cfg.d_opt.beta1, cfg.d_opt.beta2))
    target, gen = build_target(cfg.target), torch.Generator().manual_seed(0)
    n, dim, loss = cfg.run.batch_size * pack, cfg.generator.noise_dim, oc.loss
    losses = []

    def iteration():
        for _ in range(cfg.d_opt.steps):
            real, fake = target.sample(n, gen), G(torch.randn(n, dim)).detach()
            if oc.instance_noise:
                real, fake = real + oc.instance_noise * torch.randn(n, 2), fake + oc.instance_noise * torch.randn(n, 2)
            d_loss = D_LOSS[loss](D(real), D(fake))
            total = d_loss
            if loss == "wgan-gp":
                eps = torch.rand(n // pack, 1).repeat_interleave(pack, 0)
                g = input_grad(D, eps * real + (1 - eps) * fake)
                total = total + oc.gp_weight * ((g.reshape(n // pack, -1).norm(dim=1) - 1) ** 2).mean()
            if oc.r1:
                total = total + 0.5 * oc.r1 * input_grad(D, real).reshape(-1, 2 * pack).pow(2).sum(1).mean()
            od.zero_grad()
            total.backward()
            od.step()
            if loss == "wgan":
                with torch.no_grad():
                    for p in D.parameters():
                        p.clamp_(-oc.clip, oc.clip)
        fake = G(torch.randn(n, dim))
        if oc.instance_noise:
            fake = fake + oc.instance_noise * torch.randn(n, 2)
        if oc.unrolled_steps:
            params = lookahead(D, od, target.sample(n, gen), fake, loss, oc.unrolled_steps)
            f = torch.func.functional_call(D, params, (fake,))
        else:
            f = D(fake)
        g_loss = G_LOSS[loss](f)
        og.zero_grad()
        g_loss.backward()
        og.step()
        losses.append(d_loss.item())

    return timed(iteration, seconds)


def timed(one, seconds: float, per_call: int = 1) -> float:
    """Iterations per second of `one()` (per_call iterations each) over about `seconds`, after a
    short warm-up."""
    for _ in range(3):
        one()
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        one()
        done += per_call
    return done / (time.perf_counter() - start)


def engine_rate(cfg: GanConfig, seconds: float, manual: bool = True) -> float:
    e = GanEngine(cfg)
    e.manual_grad = manual
    # Calls of 20 iterations, as the app's training loop makes them (not 1: each call ends a chunk).
    return timed(lambda: e.step(20), seconds, per_call=20)


def profile_engine(name: str, cfg: GanConfig, iterations: int = 100) -> None:
    """Where the engine's time goes for one objective: torch ops by self CPU time over
    `iterations` iterations (5 calls of 20, as engine_rate makes them; the chunk work included)."""
    from torch.profiler import ProfilerActivity, profile

    e = GanEngine(cfg)
    e.step(40)
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(iterations // 20):
            e.step(20)
    print(f"{name}: {iterations} iterations")
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=25))


def count_ops(name: str, cfg: GanConfig, iterations: int = 20) -> None:
    """The torch ops one engine iteration dispatches (one call of `iterations`, after a warm-up),
    by kind: on these small networks every op costs a few microseconds of Python and dispatch."""
    from collections import Counter

    from torch.utils._python_dispatch import TorchDispatchMode

    class Count(TorchDispatchMode):
        def __init__(self):
            super().__init__()
            self.ops: Counter = Counter()

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            self.ops[str(func)] += 1
            return func(*args, **(kwargs or {}))

    e = GanEngine(cfg)
    e.step(40)
    with Count() as c:
        e.step(iterations)
    print(f"{name}: {sum(c.ops.values()) / iterations:.1f} torch ops per iteration")
    for op, k in c.ops.most_common(25):
        print(f"  {k / iterations:6.2f}  {op}")


def cprofile_engine(name: str, cfg: GanConfig, iterations: int = 200) -> None:
    """Python's view (cProfile): the functions with the most time of their own over `iterations`."""
    import cProfile
    import pstats

    e = GanEngine(cfg)
    e.step(40)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(iterations // 20):
        e.step(20)
    prof.disable()
    print(f"{name}: {iterations} iterations")
    pstats.Stats(prof).sort_stats("tottime").print_stats(20)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3.0, help="training time per measurement")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--only", nargs="*", help="objectives to measure (default all)")
    ap.add_argument("--out", help="write the JSON here too")
    ap.add_argument("--profile", action="store_true", help="no timing: the engine's torch ops for --only (profiler)")
    ap.add_argument("--ops", action="store_true", help="no timing: torch ops per iteration for --only, by kind")
    ap.add_argument("--cprofile", action="store_true", help="no timing: Python functions by own time (cProfile)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    for flag, fn in (("profile", profile_engine), ("ops", count_ops), ("cprofile", cprofile_engine)):
        if getattr(args, flag):
            for name in args.only or ["non-saturating"]:
                fn(name, config(OBJECTIVES[name]))
            return
    load_before = os.getloadavg()
    rows = {}
    for name, changes in OBJECTIVES.items():
        if args.only and name not in args.only:
            continue
        cfg = config(changes)
        runs = {
            "engine_its": lambda cfg=cfg: engine_rate(cfg, args.seconds),
            "plain_its": lambda cfg=cfg: plain_loop(cfg, args.seconds),
        }
        if name == "non-saturating":  # does the hand-written fast path still win over autograd?
            runs["engine_autograd_its"] = lambda cfg=cfg: engine_rate(cfg, args.seconds, manual=False)
        # Interleaved (engine, plain, engine, plain, ...), best of each: a burst of load from other
        # processes then slows both sides of a ratio rather than one.
        rates: dict[str, list[float]] = {k: [] for k in runs}
        for _ in range(args.repeats):
            for key, run in runs.items():
                rates[key].append(run())
        row = {key: max(v) for key, v in rates.items()}
        rows[name] = row
        print(name, {k: round(v, 1) for k, v in row.items()}, flush=True)
    base = rows.get("non-saturating", {}).get("engine_its")
    for row in rows.values():
        row["vs_engine_nonsaturating"] = row["engine_its"] / base if base else None
        row["vs_plain"] = row["engine_its"] / row["plain_its"]
    out = {
        "machine": f"{platform.processor() or platform.machine()}, {platform.node()}",
        "cpu_model": _cpu_model(),
        "torch": torch.__version__,
        "threads": 1,
        "load_average_1_5_15_before": [round(v, 2) for v in load_before],
        "load_average_1_5_15_after": [round(v, 2) for v in os.getloadavg()],
        "seconds": args.seconds,
        "repeats": args.repeats,
        "model": "ring, G and D 2x128 ReLU, batch 256, Adam",
        "objectives": rows,
    }
    text = json.dumps(_rounded(out), indent=1)
    print(text)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(text + "\n")


def _rounded(v):
    if isinstance(v, dict):
        return {k: _rounded(x) for k, x in v.items()}
    return round(v, 3) if isinstance(v, float) else v


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    main()
