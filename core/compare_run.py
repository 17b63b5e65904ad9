"""One run of a compare group (core.compare): its engine and what the group books for it (the time
spent training it, the steps it made, the detectors that fired and when), and its row of the results.

The booking travels with the run when the group trains in the training process
(core.compare_process), so the results table is the same wherever the group trained.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .engine import GanEngine


@dataclass
class CompareRun:
    label: str
    engine: GanEngine
    preset: str | None = None
    seconds: float = 0.0  # time spent training this run
    steps_run: int = 0
    fired: dict = field(default_factory=dict)  # detector -> first step it fired

    @property
    def its(self) -> float:
        return self.steps_run / self.seconds if self.seconds > 0 else 0.0

    def result(self) -> dict:
        e = self.engine
        m = e.metrics()
        return {
            "label": self.label,
            "preset": self.preset,
            "loss": e.cfg.objective.loss,
            "step": e.step_count,
            "status": e.status,
            "message": e.message,
            "n_modes": e.target.n_modes,
            "modes": _num(m.get("modes")),
            "hq_share": _num(m.get("hq_share")),
            "js": _num(m.get("js")),
            "mmd": _num(m.get("mmd")),
            "fired": dict(self.fired),
            "active": sorted(d.name for d in e.detections().values() if d.active),
            "its": self.its,
            "config": e.cfg.to_dict(),
        }


def _num(v):
    return None if v is None or not math.isfinite(v) else float(v)
