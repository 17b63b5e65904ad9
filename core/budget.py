"""One estimate of what a config costs (memory, time per iteration) and one rule that refuses
or warns, before anything is allocated. Used by config validation and by the command line.

The numbers are deliberately rough (within a factor of about 3): their job is to tell a user that
a config needs 40 GB or 10 minutes an iteration before it takes the machine down, not to plan.
Calibration (this project's 2-core CI machine, one torch thread): width 512, depth 3, batch 256
measured 175 ms an iteration against 3.1 GFLOP estimated, so about 1e10 useful FLOP/s.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .errors import ConfigError

FLOPS_PER_S = 1e10  # one CPU thread on small dense layers (see above)
STEP_OVERHEAD_S = 3e-4  # Python and kernel launches per player update
MEMORY_REFUSE = 4 << 30  # 16x the default run: above this a toy GAN is a mistake (or a hostile file)
MEMORY_WARN = 1 << 30
SECONDS_REFUSE = 60.0  # a minute an iteration: nothing would ever be seen moving
SECONDS_WARN = 0.5  # 2,000 iterations would take over a quarter of an hour


@dataclass
class Budget:
    memory_bytes: float
    seconds_per_iteration: float
    setup_seconds: float

    def text(self) -> str:
        return (
            f"estimated {_bytes(self.memory_bytes)} of memory, {_secs(self.seconds_per_iteration)} "
            f"per iteration and {_secs(self.setup_seconds)} to start"
        )


def estimate(cfg) -> Budget:
    """Memory and time from every size in the config; arithmetic only, nothing is built."""
    g, d, o, r, t = cfg.generator, cfg.discriminator, cfg.objective, cfg.run, cfg.target
    batch = r.batch_size
    g_row = _mlp_macs(g.noise_dim, g.width, g.depth)  # multiply-adds per row
    d_row = _mlp_macs(2 * o.pack, d.width, d.depth)
    d_rows = 2 * batch / o.pack  # real and fake in one pass
    unroll = o.unrolled_steps
    # FLOPs: forward 2 per MAC, backward twice the forward.
    d_step = 6 * (d_rows * d_row + batch * g_row / 3)
    g_step = 6 * (batch * g_row + batch / o.pack * d_row) + unroll * (d_step + 6 * batch / o.pack * d_row)
    per_it = cfg.d_opt.steps * d_step + cfg.g_opt.steps * g_step
    seconds = per_it / FLOPS_PER_S + STEP_OVERHEAD_S * (cfg.d_opt.steps + cfg.g_opt.steps * (1 + unroll))
    modes = _modes(t)
    eval_cost = (2 * r.eval_samples * g_row + 10 * r.eval_samples * modes + 2e7) / FLOPS_PER_S
    seconds += eval_cost / r.eval_every
    setup = 1e-4 * modes + eval_cost + (r.surface_res**2 * 2 * d_row) / FLOPS_PER_S

    # Memory: weights with gradients, optimiser moments and the divergence snapshot (x8), the
    # activations kept for backward (x4 a layer, more when unrolling keeps D's copies), the
    # evaluation's sample-to-mode distances (float64, three arrays), surface and history.
    params = _mlp_macs(g.noise_dim, g.width, g.depth) + _mlp_macs(2 * o.pack, d.width, d.depth)
    memory = 4 * 8 * params * (1 + unroll)
    memory += 4 * 4 * (batch * g.width * (g.depth + 1) + (d_rows + batch) * d.width * (d.depth + 1)) * (1 + unroll)
    memory += 24 * r.eval_samples * modes + 4 * r.eval_samples * g.width * (g.depth + 1)
    memory += 4 * 3 * r.surface_res**2 * d.width * (d.depth + 1)
    memory += 4 * 3 * r.display_samples * max(g.width, d.width) * (max(g.depth, d.depth) + 1)
    memory += 8 * 2 * 15 * r.history + 64 * 2 * (len(t.points) + len(t.centres)) + (150 << 20)
    return Budget(float(memory), float(seconds), float(setup))


def check_budget(cfg) -> list[str]:
    """Raise ConfigError if the config cannot run here; else the warnings worth printing."""
    b = estimate(cfg)
    limit = min(MEMORY_REFUSE, 0.8 * _physical_memory())
    if b.memory_bytes > limit:
        raise ConfigError(
            f"this config needs too much memory: {b.text()}, more than the "
            f"{_bytes(limit)} allowed here; lower {_biggest(cfg)}"
        )
    if b.seconds_per_iteration > SECONDS_REFUSE or b.setup_seconds > SECONDS_REFUSE:
        raise ConfigError(f"this config is too slow to watch: {b.text()}; lower {_biggest(cfg)}")
    warnings = []
    if b.memory_bytes > MEMORY_WARN or b.seconds_per_iteration > SECONDS_WARN or b.setup_seconds > 10:
        warnings.append(f"this config is large: {b.text()}")
    cores = os.cpu_count() or 1
    if cfg.run.threads > cores:
        warnings.append(
            f"run.threads={cfg.run.threads} is more than the {cores} cores here; extra threads only slow small nets down"
        )
    elif cfg.run.threads > 1 and cfg.run.threads >= cores:
        # Measured (issue 18): on a 2-core machine, 2 threads trained the default nets 5x slower than 1,
        # since any other work (the app's window, the OS) then stalls a thread that the others wait for.
        warnings.append(
            f"run.threads={cfg.run.threads} takes every core here ({cores}); small nets then train slower "
            f"than with run.threads=1 (5x slower measured on a 2-core machine)"
        )
    return warnings


def _mlp_macs(n_in: int, width: int, depth: int) -> float:
    if depth == 0:
        return float(n_in * 2)
    return float(n_in * width + (depth - 1) * width * width + width * 2)


def _modes(t) -> int:
    if t.kind == "ring":
        return t.n_modes
    if t.kind == "grid":
        return t.grid_size**2
    if t.kind == "mixture":
        return len(t.centres)
    return 1


def _biggest(cfg) -> str:
    """The sizes a user can turn down, named so the message says what to change."""
    return (
        "run.batch_size, the widths and depths, objective.unrolled_steps, the steps per "
        "iteration (d_opt.steps, g_opt.steps), run.eval_samples or the number of target modes"
    )


def _physical_memory() -> float:
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return float(MEMORY_REFUSE / 0.8)


def _bytes(n: float) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20)):
        if n >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{n / 1024:,.0f} KiB"


def _secs(s: float) -> str:
    if s >= 3600:
        return f"{s / 3600:,.1f} h"
    if s >= 1:
        return f"{s:,.1f} s"
    return f"{s * 1e3:,.1f} ms"
