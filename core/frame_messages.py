"""One run's frame as the training process sends it (core.train_process), and the FrameSource the app
makes of it (core.frames.FrameBuilder builds the picture on the app's side).

A message carries only what a frame needs: the players' weights, metrics, the step and status, the
config when it changed, and now and then the chart data and detector verdicts. The same message is
made for the single-run view's engine and for each run of a compare group (core.compare_process).
"""

from __future__ import annotations

import time

import numpy as np

from .config import GanConfig

CHART_INTERVAL = 0.2  # chart data 5 times a second: the charts redraw at 5 fps
DETECT_INTERVAL = 0.5  # detector verdicts twice a second


class FrameMessages:
    """Makes the frame messages of one engine: it remembers what the app already has (the players'
    structure, the config, when the charts and verdicts were last sent)."""

    def __init__(self, detections: bool = True):
        self.struct = 0  # grows when the players, the target or the display samples change
        self._struct_key: tuple | None = None
        self.cfg_dirty = True  # the next message carries the config
        self._last = {"charts": 0.0, "detect": 0.0}
        self._detections: dict = {}
        self.detections = detections  # whether verdicts are sent at all (the compare view draws none)

    def message(self, e, force_all: bool = False) -> dict:
        from .chart_data import chart_snapshot
        from .frames import same_key

        now = time.perf_counter()
        key = (e.G, e.D, e.target, e.view_version)
        if self._struct_key is None or not same_key(key, self._struct_key):
            self.struct += 1
            self._struct_key = key
            self.cfg_dirty = True
        msg = {
            "step": e.step_count,
            "status": e.status,
            "message": e.message,
            "metrics": e.metrics(),
            "weights": {
                name: {k: v.detach().cpu().numpy().copy() for k, v in m.state_dict().items()}
                for name, m in (("G", e.G), ("D", e.D))
            },
            "struct": self.struct,
            "cfg": e.cfg.to_json(indent=None) if self.cfg_dirty else None,
            "charts": None,
            "detections": None,
        }
        self.cfg_dirty = False
        if force_all or now - self._last["charts"] >= CHART_INTERVAL:
            msg["charts"] = chart_snapshot(e)
            self._last["charts"] = now
        if self.detections and (force_all or now - self._last["detect"] >= DETECT_INTERVAL):
            self._detections = e.detections()
            self._last["detect"] = now
            msg["detections"] = self._detections
        return msg


class RemoteFrameSource:
    """A FrameSource (core.frames) made from a child's frame message, for FrameBuilder."""

    def __init__(self, msg: dict, cfg, trainer_token, skip: frozenset, charts: dict, detections: dict | None):
        import torch

        self.key = (trainer_token, msg["struct"])
        self.device = torch.device("cpu")
        self.target = None  # the builder rebuilds it from the config, as the child did
        self.weights = {
            name: {k: torch.from_numpy(np.asarray(v)) for k, v in w.items()} for name, w in msg["weights"].items()
        }
        self.cfg = cfg
        self.step_count, self.status, self.message = msg["step"], msg["status"], msg["message"]
        self.metrics = msg["metrics"]
        self.manual_grad = True
        self.cpu_its = msg.get("cpu_its", 0.0)  # the process's headless rate (core.speed_meter)
        self.skip = skip  # the parent builds the frame, so its own choice of layers applies
        self.charts = charts
        self.detections = detections


class RemoteRun:
    """The app's side of one run's frame messages: the config, charts and verdicts last sent
    (messages carry them only when they change or are due) and the FrameSource of each message."""

    def __init__(self) -> None:
        self.cfg: GanConfig | None = None
        self.charts: dict = {}
        self.detections: dict = {}

    def source(self, msg: dict, token, skip: frozenset) -> RemoteFrameSource:
        if msg["cfg"] is not None:
            self.cfg = GanConfig.from_json(msg["cfg"])
        if msg["charts"] is not None:
            self.charts = msg["charts"]
        if msg["detections"] is not None:
            self.detections = msg["detections"]
        return RemoteFrameSource(msg, self.cfg, token, skip, self.charts, self.detections)
