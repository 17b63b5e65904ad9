"""The app while training at full speed: frames drawn per second and training it/s kept, against
the same engine trained headless in the same run.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/gui_fps.py [--seconds 8] [--res 128] [--points 2048]

Real window under Xvfb: `xvfb-run -a .venv/bin/python benchmarks/gui_fps.py` (then QT_QPA_PLATFORM is
left unset). Prints JSON: fps, it/s in the app, headless it/s, their ratio, and the cost of one frame.
"""
from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--res", type=int, default=128, help="surface resolution")
    ap.add_argument("--points", type=int, default=2048, help="real and generated points drawn")
    args = ap.parse_args()
    from PySide6 import QtCore, QtWidgets
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    from app.main_window import MainWindow
    from core.engine import GanEngine
    from core.presets import preset_config

    cfg = preset_config("ring")
    cfg.set("run.surface_res", args.res)
    cfg.set("run.display_samples", args.points)

    headless = GanEngine(cfg)
    headless.step(100)
    start, steps = time.perf_counter(), 0
    while time.perf_counter() - start < args.seconds:
        steps += headless.step(50)
    headless_its = steps / (time.perf_counter() - start)
    t = time.perf_counter()
    for _ in range(20):
        headless.frame()
    frame_ms = (time.perf_counter() - t) / 20 * 1000

    settings = QtCore.QSettings(QtCore.QSettings.IniFormat, QtCore.QSettings.UserScope, "ganscope", "benchmark")
    settings.clear()
    win = MainWindow(GanEngine(cfg), settings=settings, autosave="")
    win.unattended = True
    win.resize(1500, 950)
    win.show()
    win.do_action("play:1")
    run_event_loop(1.0)  # settle: first frames, layouts
    drawn0, step0, t0 = win.plane.frames_drawn, win.worker.step_count(), time.perf_counter()
    run_event_loop(args.seconds)
    elapsed = time.perf_counter() - t0
    fps = (win.plane.frames_drawn - drawn0) / elapsed
    app_its = (win.worker.step_count() - step0) / elapsed
    win.close()
    app.processEvents()  # delivers the close; also keeps the application alive until here
    out = {"platform": QtWidgets.QApplication.platformName(), "surface": f"{args.res}x{args.res}",
           "points": args.points, "seconds": args.seconds, "fps": fps, "app_its": app_its,
           "headless_its": headless_its, "kept_share": app_its / headless_its,
           "frame_build_ms": frame_ms}
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in out.items()}, indent=1))


def run_event_loop(seconds: float) -> None:
    """The app's own idle behaviour: a real event loop that sleeps, not a processEvents() spin,
    which would hold the GIL and starve the training thread."""
    from PySide6 import QtCore
    loop = QtCore.QEventLoop()
    QtCore.QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


if __name__ == "__main__":
    main()
