"""What the live game spectrum costs: one spectrum against one training iteration, same run.

    PYTHONPATH=. .venv/bin/python benchmarks/spectrum_cost.py [--presets ring,lesson-7a-wgan-gp] [--repeats 3]

For each preset: training iterations/s with the spectrum off, seconds per spectrum (the monitor's
own settings: float32, batch <= 128, 20 Krylov products, no restart), the spectrum's cost
in iterations, and the share of training time it takes at run.spectrum_every = 1,000 (the
default). Prints JSON; the machine is named in it.
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import torch

from benchmarks import cpu_name
from ganscope.core.engine import GanEngine
from ganscope.core.presets import preset_config


def measure(preset: str, steps: int, repeats: int) -> dict:
    cfg = preset_config(preset)
    cfg.run.spectrum_every = 0
    e = GanEngine(cfg)
    e.step(20)  # warm-up
    it = min(_timed(lambda: e.step(steps)) for _ in range(repeats)) / steps
    e.spectrum.update()  # warm-up
    spec = min(_timed(e.spectrum.update) for _ in range(repeats))
    every = 1000
    return {
        "its": round(1 / it, 1),
        "spectrum_s": round(spec, 3),
        "spectrum_in_iterations": round(spec / it, 1),
        "share_at_every_1000": round(spec / (spec + every * it), 4),
        "converged": e.spectrum.converged,
        "weights": sum(p.numel() for p in (*e.G.parameters(), *e.D.parameters())),
    }


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--presets", default="ring,lesson-3-fleeting,lesson-7a-wgan-gp,lesson-7c-unrolled")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(1)
    out = {
        "machine": f"{cpu_name()} {platform.machine()} ({torch.get_num_threads()} torch thread)",
        "torch": torch.__version__,
        "presets": {p: measure(p, args.steps, args.repeats) for p in args.presets.split(",")},
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
