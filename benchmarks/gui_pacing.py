"""When frames arrive from training and when the window draws and paints them.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/gui_pacing.py [--res 16 --points 128]

Runs gui_fps's measured loop (training in its own process, detail pinned) and records the time of
every frame offered (worker.offer), drawn (plane.draw), painted (the plane's paint) and of every
window tick. With a small surface the UI thread has time to spare, so frames lost here are lost
to the draw clock, not to the cost of drawing. Prints rates, gaps and how long a frame waited.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
times: dict[str, list[float]] = {"offered": [], "drawn": [], "painted": [], "tick": []}


def logged(cls, name: str, key: str) -> None:
    plain = getattr(cls, name)

    def wrapper(*args, **kwargs):
        times[key].append(time.perf_counter())
        return plain(*args, **kwargs)

    setattr(cls, name, wrapper)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="ring")
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--res", type=int, default=16)
    ap.add_argument("--points", type=int, default=128)
    args = ap.parse_args()
    spec = importlib.util.spec_from_file_location("gui_fps", Path(__file__).with_name("gui_fps.py"))
    gui_fps = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gui_fps)
    from PySide6 import QtWidgets

    QtWidgets.QApplication([])
    from ganscope.app.main_window import MainWindow
    from ganscope.app.views.plane import PlaneView
    from ganscope.app.worker import TrainingWorker
    from ganscope.core.torch_startup import skip_dynamo_import

    skip_dynamo_import()
    from ganscope.core.engine import GanEngine
    from ganscope.core.presets import preset_config

    logged(TrainingWorker, "offer", "offered")
    logged(PlaneView, "draw", "drawn")
    logged(PlaneView, "paintEvent", "painted")
    logged(MainWindow, "_on_tick", "tick")
    cfg = preset_config(args.preset)
    cfg.set("run.surface_res", args.res)
    cfg.set("run.display_samples", args.points)
    r = gui_fps.measure_app(MainWindow, GanEngine(cfg), True, args.seconds, full_detail=True)
    end = time.perf_counter()
    start = end - args.seconds
    print(
        f"{args.preset}, {args.res}² surface, {args.points} points; load {os.getloadavg()[0]:.1f}; {r['fps']:.1f} fps"
    )
    for key, ts in times.items():
        t = np.array([x for x in ts if start <= x <= end])
        gaps = np.diff(t) * 1000 if len(t) > 1 else np.zeros(1)
        print(
            f"  {key:8s} {len(t) / args.seconds:5.1f}/s  gap ms: median {np.median(gaps):5.1f}, "
            f"10% {np.percentile(gaps, 10):5.1f}, 90% {np.percentile(gaps, 90):5.1f}"
        )
    offered = np.array([x for x in times["offered"] if start <= x <= end])
    drawn = np.array([x for x in times["drawn"] if start <= x <= end])
    newest = np.searchsorted(offered, drawn) - 1  # the frame each draw showed: the newest offered
    ok = newest >= 0
    waited = (drawn[ok] - offered[newest[ok]]) * 1000
    print(
        f"  a frame waited {np.median(waited):.1f} ms (median) to be drawn, 90% {np.percentile(waited, 90):.1f}; "
        f"{len(offered) - len(set(newest[ok]))} of {len(offered)} frames offered were never drawn"
    )


if __name__ == "__main__":
    main()
