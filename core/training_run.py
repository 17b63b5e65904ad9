"""A headless training run with a progress bar, used by `ganscope train`, and its report."""
from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field

from .engine import GanEngine

CHUNK = 50  # iterations between progress updates (and divergence checks)


@dataclass
class RunSummary:
    engine: GanEngine
    steps_run: int
    wall_s: float
    interrupted: bool = False
    metrics: dict = field(default_factory=dict)
    fired: dict = field(default_factory=dict)  # detector -> first step it fired during the run

    @property
    def its(self) -> float:
        return self.steps_run / self.wall_s if self.wall_s > 0 else 0.0

    def text(self) -> str:
        e, m = self.engine, self.metrics
        lines = [f"{'interrupted' if self.interrupted else 'done'}: {self.steps_run} steps in "
                 f"{self.wall_s:.1f} s ({self.its:.0f} it/s), step {e.step_count}, status {e.status}"]
        if e.message:
            lines.append(e.message)
        if e.target.centres is not None and not math.isnan(m.get("modes", math.nan)):
            lines.append(f"modes captured {m['modes']:.0f}/{e.target.n_modes}, "
                         f"high-quality share {100 * m['hq_share']:.1f}%")
        lines.append(f"JS {m.get('js', math.nan):.3f} bits, MMD {m.get('mmd', math.nan):.3f}, "
                     f"D accuracy real {100 * m.get('acc_real', math.nan):.0f}% / "
                     f"fake {100 * m.get('acc_fake', math.nan):.0f}%")
        active = {d.name: d for d in e.detections().values() if d.active}
        for name, step in self.fired.items():
            d = active.get(name)
            state = f"active: {d.detail}" if d else "no longer active"
            lines.append(f"detector {name}: fired at step {step}, {state}")
        return "\n".join(lines)

    def report(self) -> dict:
        e = self.engine
        return {
            "config": e.cfg.to_dict(),
            "steps": self.steps_run,
            "final_step": e.step_count,
            "wall_seconds": self.wall_s,
            "iterations_per_second": self.its,
            "device": str(e.device),
            "status": e.status,
            "message": e.message,
            "interrupted": self.interrupted,
            "n_modes": e.target.n_modes,
            "final_metrics": _clean(self.metrics),
            "detectors_fired": self.fired,
            "detectors_active": {d.name: d.detail for d in e.detections().values() if d.active},
            "history": {k: _clean(v.tolist()) for k, v in e.history.as_arrays().items()},
            "eval_history": {k: _clean(v.tolist()) for k, v in e.evaluator.history.as_arrays().items()},
        }


def _clean(v):
    """NaN/Inf become null so the report is strict JSON."""
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_clean(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def run_training(engine: GanEngine, steps: int, progress: bool = True, stream=None) -> RunSummary:
    """Train `steps` iterations in chunks; Ctrl-C stops early and still summarises."""
    stream = stream or sys.stderr
    done, interrupted = 0, False
    fired: dict[str, int] = {}
    tty = hasattr(stream, "isatty") and stream.isatty()
    next_line = 0  # without a terminal, one progress line per 10% instead of a redrawn bar
    start = time.perf_counter()
    try:
        while done < steps and engine.status == "ok":
            ran = engine.step(min(CHUNK, steps - done))
            done += ran
            if ran == 0:
                break  # a scenario's end, or a divergence
            for d in engine.detections().values():
                if d.active and d.name not in fired:
                    fired[d.name] = engine.step_count
            if progress and (tty or done >= next_line):
                _draw_bar(stream, done, steps, time.perf_counter() - start, engine.metrics(), tty)
                next_line = done + max(steps // 10, 1)
    except KeyboardInterrupt:
        interrupted = True
    wall = time.perf_counter() - start
    if progress and tty:
        stream.write("\n")
    if done and engine.evaluator.history.steps[-1:].tolist() != [engine.step_count]:
        engine.evaluator.evaluate()  # final metrics describe the final weights
    if engine.status == "diverged":
        fired.setdefault("diverged", engine.step_count)
    return RunSummary(engine, done, wall, interrupted, engine.metrics(), fired)


def _draw_bar(stream, done: int, total: int, elapsed: float, m: dict, tty: bool) -> None:
    width = 30
    filled = int(width * done / max(total, 1))
    rate = done / elapsed if elapsed > 0 else 0.0
    eta = (total - done) / rate if rate > 0 else 0.0
    extra = ""
    if not math.isnan(m.get("modes", math.nan)):
        extra = f" modes {m['modes']:.0f}"
    start = "\r" if tty else ""
    end = "" if tty else "\n"
    stream.write(f"{start}[{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
                 f"{rate:5.0f} it/s eta {eta:4.0f}s{extra} D(real) {m.get('d_real', math.nan):.2f} {end}")
    stream.flush()
