"""What the headless commands write: a size estimate before any work, the write (or its fallback) after it.

`train`, `scenario` and `export` check their destinations with these estimates before they start, so a full
disk is said in the first second rather than after an hour of training.
"""

from __future__ import annotations

import signal

from . import exit_codes
from .config import GanConfig
from .outputs import write_or_fallback
from .stop_signals import deferred, last_signal


def session_bytes(cfg: GanConfig, steps: int) -> float:
    """About what a saved session (or report) of this run takes: weights and moments, history."""
    from .budget import _mlp_macs

    g, d, o = cfg.generator, cfg.discriminator, cfg.objective
    params = _mlp_macs(g.noise_dim, g.width, g.depth) + _mlp_macs(2 * o.pack, d.width, d.depth)
    rows = min(steps, cfg.run.history)
    return 4 * 3 * params + 8 * 15 * rows + 16 * len(cfg.target.points) + (64 << 10)


def report_bytes(cfg: GanConfig, steps: int) -> float:
    return 25 * 15 * min(steps, cfg.run.history) + 40 * len(cfg.target.points) + (64 << 10)


def write_output(data: bytes, path: str, what: str) -> bool:
    """Write an output of finished work; True if it had to go to a fallback path."""
    with deferred():  # a signal now waits until the file is whole (or the fallback written)
        written, fell_back = write_or_fallback(data, path, what)
    if not fell_back:
        print(f"{what} written to {path}")
    return fell_back


def stopped_code() -> int:
    """The exit code of a command stopped by SIGINT or SIGTERM."""
    return exit_codes.for_signal(last_signal() or signal.SIGINT)


def json_default(v):
    """Arrays in a report become lists; anything else is a bug, said by its type."""
    if hasattr(v, "tolist"):
        return v.tolist()
    raise TypeError(type(v).__name__)
