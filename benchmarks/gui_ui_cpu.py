"""Where the UI thread's time goes while the app trains: CPU time per drawn frame, by part.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/gui_ui_cpu.py [--preset ring] [--full-detail]

Runs gui_fps's measured loop (the app as users run it, training in its own process) with the
window's parts timed in thread CPU time (time.thread_time), which other work on a shared machine
changes far less than wall-clock time: building the frame, handing it to the plane and the charts,
the status line, the paints, Qt's layout passes. Prints one line per part: ms per drawn frame,
calls per drawn frame, ms per call.
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import os
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
cpu: collections.Counter = collections.Counter()
calls: collections.Counter = collections.Counter()


def timed(cls, name: str, key: str) -> None:
    plain = getattr(cls, name)

    def wrapper(*args, **kwargs):
        calls[key] += 1
        start = time.thread_time()
        try:
            return plain(*args, **kwargs)
        finally:
            cpu[key] += time.thread_time() - start

    setattr(cls, name, wrapper)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="ring")
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--res", type=int, default=128)
    ap.add_argument("--points", type=int, default=2048)
    ap.add_argument("--full-detail", action="store_true")
    args = ap.parse_args()
    spec = importlib.util.spec_from_file_location("gui_fps", Path(__file__).with_name("gui_fps.py"))
    gui_fps = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gui_fps)
    from PySide6 import QtCore, QtWidgets

    class App(QtWidgets.QApplication):
        def notify(self, obj, ev):  # Qt's paint and layout passes, as a whole
            kind = {QtCore.QEvent.UpdateRequest: "window repaints (all)", QtCore.QEvent.LayoutRequest: "layouts"}
            key = kind.get(ev.type())
            if key is None:
                return super().notify(obj, ev)
            start = time.thread_time()
            done = super().notify(obj, ev)
            cpu[key] += time.thread_time() - start
            calls[key] += 1
            return done

    App([])
    from ganscope.app.main_window import MainWindow
    from ganscope.app.views.charts import ChartsView
    from ganscope.app.views.plane import PlaneView
    from ganscope.app.window_status import StatusLine
    from ganscope.app.worker import TrainingWorker
    from ganscope.core.torch_startup import skip_dynamo_import

    skip_dynamo_import()
    import torch

    torch.set_num_threads(1)  # as the app does (app/main.py): with 2, the UI's frames spun on both cores
    from ganscope.core.engine import GanEngine
    from ganscope.core.presets import preset_config

    for cls, name, key in (
        (MainWindow, "_on_tick", "tick (all)"),
        (TrainingWorker, "latest", "tick: build the frame"),
        (PlaneView, "draw", "tick: plane.draw"),
        (ChartsView, "update_from", "tick: charts.update_from"),
        (StatusLine, "show", "tick: status line"),
        (PlaneView, "paintEvent", "paint: plane"),
        (ChartsView, "paintEvent", "paint: charts"),
    ):
        timed(cls, name, key)
    cfg = preset_config(args.preset)
    cfg.set("run.surface_res", args.res)
    cfg.set("run.display_samples", args.points)
    plain_loop, measured = gui_fps.run_event_loop, {}

    def loop(seconds: float) -> None:  # only the measured loop counts, not the settling
        if seconds < args.seconds:
            return plain_loop(seconds)
        cpu.clear()
        calls.clear()
        ui, wall = time.thread_time(), time.perf_counter()
        plain_loop(seconds)
        measured["ui"], measured["wall"] = time.thread_time() - ui, time.perf_counter() - wall

    gui_fps.run_event_loop = loop
    r = gui_fps.measure_app(MainWindow, GanEngine(cfg), True, args.seconds, args.full_detail)
    frames = max(1.0, r["fps"] * measured["wall"])
    print(
        f"{args.preset}, {args.res}² surface, {args.points} points; load {os.getloadavg()[0]:.1f}; {r['fps']:.1f} fps "
        f"({frames:.0f} frames), training in its process: {r['in_process']}; UI thread CPU "
        f"{measured['ui'] / measured['wall']:.2f} cores, {measured['ui'] / frames * 1000:.1f} ms per drawn frame"
    )
    for key, seconds in sorted(cpu.items()):
        per_call = seconds / max(1, calls[key]) * 1000
        print(
            f"  {key:26s} {seconds / frames * 1000:6.2f} ms/frame  {calls[key] / frames:5.2f} calls/frame  {per_call:7.2f} ms/call"
        )


if __name__ == "__main__":
    main()
