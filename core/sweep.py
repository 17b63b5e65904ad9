"""A grid over two config fields, trained as one batched Ensemble, summarised as a stability map."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .config import ConfigError, GanConfig
from .ensemble import INT_FIELDS, SWEEPABLE, Ensemble
from .run_loop import CANCELLED, Every, LoopState, TimedChunks, run_loop
from .sweep_processes import ProcessSweep, shares

MAX_MEMBERS = 4096
CHUNK = 200  # at most this many iterations between progress reports (and cancel checks)
CHUNK_SECONDS = 0.1  # aim for a report this often
GEOMETRIC = (".lr", ".gp_weight", ".r1", ".r2")  # fields that span decades: even steps in log space


@dataclass
class Axis:
    field: str
    values: list[float]


def parse_axis(spec: str) -> Axis:
    """'FIELD=LO:HI:N' (geometric for learning rates and penalty weights, else even steps) or
    'FIELD=v1,v2,...'. Whole-number fields (steps, seed) are rounded."""
    if "=" not in spec:
        raise ConfigError(f"{spec!r}: expected FIELD=LO:HI:N or FIELD=v1,v2,...; fields: {', '.join(SWEEPABLE)}")
    name, text = (part.strip() for part in spec.split("=", 1))
    if name not in SWEEPABLE:
        raise ConfigError(f"{name}: cannot vary within a batched sweep; choose from {', '.join(SWEEPABLE)}")
    try:
        if ":" in text:
            lo_text, hi_text, n_text = text.split(":")
            lo, hi, n = float(lo_text), float(hi_text), int(n_text)
            if not 1 <= n <= 64:
                raise ConfigError(f"{name}: {n} values; use 1 to 64 per axis")
            geometric = name.endswith(GEOMETRIC) and lo > 0 and hi > 0
            values: list[float] = list(np.geomspace(lo, hi, n) if geometric else np.linspace(lo, hi, n))
        else:
            values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ConfigError(f"{spec!r}: numbers expected, e.g. {name}=1e-5:1e-2:8") from None
    if not len(values):
        raise ConfigError(f"{spec!r}: no values")
    if name in INT_FIELDS:
        values = list(dict.fromkeys(float(round(v)) for v in values))  # rounding may repeat a value
    return Axis(name, [float(v) for v in values])


@dataclass
class SweepResult:
    x: Axis
    y: Axis
    steps: int
    seconds: float
    cells: list[dict] = field(default_factory=list)  # row-major: y index outer, x index inner
    cancelled: bool = False

    def grid(self, key: str) -> np.ndarray:
        """(len(y), len(x)) array of one metric."""
        return np.array([c[key] for c in self.cells], dtype=float).reshape(len(self.y.values), len(self.x.values))

    def report(self) -> dict:
        clean = lambda v: None if isinstance(v, float) and not math.isfinite(v) else v
        return {
            "x": {"field": self.x.field, "values": self.x.values},
            "y": {"field": self.y.field, "values": self.y.values},
            "steps": self.steps,
            "seconds": self.seconds,
            "cancelled": self.cancelled,
            "members": len(self.cells),
            "gan_iterations_per_second": self.steps * len(self.cells) / max(self.seconds, 1e-9),
            "cells": [{k: clean(v) for k, v in c.items()} for c in self.cells],
        }

    def table(self, key: str = "modes") -> str:
        """A text map: rows are y values, columns x values, entries the metric and a verdict mark."""
        marks = {"ok": " ", "partial": "~", "collapsed": "!", "diverged": "X", "poor": "?"}
        head = f"{key} by {self.y.field} (rows) x {self.x.field} (columns)"
        lines = [head, " " * 10 + "".join(f"{v:>9.3g}" for v in self.x.values)]
        for j, yv in enumerate(self.y.values):
            row = self.cells[j * len(self.x.values) : (j + 1) * len(self.x.values)]
            lines.append(
                f"{yv:>9.3g} "
                + "".join(
                    f"{c[key]:>8.3g}{marks.get(c['verdict'], '?')}" if math.isfinite(c[key]) else f"{'-':>8}X"
                    for c in row
                )
            )
        lines.append("marks: ~ partial, ! collapsed, X diverged")
        return "\n".join(lines)


def member_configs(base: GanConfig, x: Axis, y: Axis) -> list[GanConfig]:
    if x.field == y.field:
        raise ConfigError(f"both axes sweep {x.field}; choose two different fields")
    n = len(x.values) * len(y.values)
    if n > MAX_MEMBERS:
        raise ConfigError(f"{n} members; a sweep holds at most {MAX_MEMBERS}")
    configs = []
    for yv in y.values:
        for xv in x.values:
            c = base.copy()
            c.set(x.field, int(xv) if x.field in INT_FIELDS else xv)
            c.set(y.field, int(yv) if y.field in INT_FIELDS else yv)
            c.validate()
            configs.append(c)
    return configs


def run_sweep(
    base: GanConfig,
    x: Axis,
    y: Axis,
    steps: int,
    device: str | None = None,
    progress: Callable[[int, int], bool] | None = None,
    threads: int | None = None,
    processes: int = 1,
) -> tuple[SweepResult, Ensemble]:
    """Train every cell for `steps`; progress(done, total) returning False cancels (results so far).

    processes > 1 (on a CPU): the members are split across that many worker processes of one torch
    thread each (core.sweep_processes; the same bits as one process), `threads` then unused."""
    ens = Ensemble(member_configs(base, x, y), device=device, threads=threads)
    split = ens.device.type == "cpu" and len(shares(ens.M, processes)) > 1
    workers = ProcessSweep(ens, processes) if split else None

    def report(state: LoopState) -> None:
        if progress is not None and not progress(state.done, steps):
            state.stop()

    # Chunks of about a tenth of a second: progress moves and Cancel answers at once, whatever
    # the grid's size and the hardware.
    try:
        state = run_loop(workers or ens, steps, chunks=TimedChunks(CHUNK_SECONDS, CHUNK), callbacks=[Every(report)])
    finally:
        if workers is not None:
            workers.close()  # the members' states back into ens; the workers ended, on every path
    done, seconds, cancelled = state.done, state.elapsed, state.reason == CANCELLED
    cells = ens.evaluate()
    for c, cfg in zip(cells, ens.configs):
        c["x"], c["y"] = cfg.get(x.field), cfg.get(y.field)
    return SweepResult(x, y, done, seconds, cells, cancelled), ens
