"""A headless training run with a progress bar, used by `ganscope train`, and its report."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .engine import GanEngine
from .progress import ProgressBar
from .run_loop import INTERRUPTED, DetectorLog, Progress, run_loop

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
        lines = [
            f"{'interrupted' if self.interrupted else 'done'}: {self.steps_run} steps in "
            f"{self.wall_s:.1f} s ({self.its:.0f} it/s), step {e.step_count}, status {e.status}"
        ]
        if e.message:
            lines.append(e.message)
        if e.target.centres is not None and not math.isnan(m.get("modes", math.nan)):
            lines.append(
                f"modes captured {m['modes']:.0f}/{e.target.n_modes}, high-quality share {100 * m['hq_share']:.1f}%"
            )
        lines.append(
            f"JS {m.get('js', math.nan):.3f} bits, MMD {m.get('mmd', math.nan):.3f}, "
            f"D accuracy real {100 * m.get('acc_real', math.nan):.0f}% / "
            f"fake {100 * m.get('acc_fake', math.nan):.0f}%"
        )
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
    detectors = DetectorLog(engine)
    callbacks: list = [detectors]
    if progress:
        callbacks.append(Progress(ProgressBar(steps, stream=stream), _bar_text))
    state = run_loop(engine, steps, chunks=CHUNK, callbacks=callbacks, interruptible=True)
    if state.done and engine.evaluator.history.steps[-1:].tolist() != [engine.step_count]:
        engine.evaluator.evaluate()  # final metrics describe the final weights
    return RunSummary(engine, state.done, state.elapsed, state.reason == INTERRUPTED, engine.metrics(), detectors.fired)


def _bar_text(engine: GanEngine) -> str:
    m = engine.metrics()
    modes = "" if math.isnan(m.get("modes", math.nan)) else f"modes {m['modes']:.0f} "
    return f"{modes}D(real) {m.get('d_real', math.nan):.2f}"
