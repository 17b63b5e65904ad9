"""The Compare window with 2-4 runs against the single-run window, measured in the same run.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/compare_fps.py [--seconds 8] [--runs 4]
        [--preset ring]

Prints JSON: for the single-run window (as users run it: training in its own process) frames drawn
per second and it/s; for the Compare window, frames drawn per second per plane (the slowest plane),
lockstep it/s (steps every run made per second) and the ratios against the single-run window.
The issue's goal: the compare view of 4 runs within a factor of 2 of the single-run view's frame rate.
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")

from benchmarks.gui_fps import _rounded, measure_app, run_event_loop  # noqa: E402


def measure_compare(configs, seconds: float) -> dict:
    from ganscope.app.compare_window import CompareWindow
    from ganscope.core.compare import CompareGroup

    win = CompareWindow(CompareGroup(configs))
    win.resize(1500, 950)
    win.show()
    win.set_playing(True)
    run_event_loop(1.5)
    drawn0 = [p.frames_drawn for p in win.planes]
    step0, t0 = win.group.step_count, time.perf_counter()
    run_event_loop(seconds)
    elapsed = time.perf_counter() - t0
    fps = [(p.frames_drawn - d) / elapsed for p, d in zip(win.planes, drawn0)]
    r = {
        "runs": len(configs),
        "fps_slowest_plane": min(fps),
        "fps_planes": fps,
        "lockstep_its": (win.group.step_count - step0) / elapsed,
    }
    win.close()
    return r


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--runs", type=int, default=4)
    ap.add_argument("--preset", default="ring")
    args = ap.parse_args()
    from PySide6 import QtWidgets

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    from ganscope.app.main_window import MainWindow
    from ganscope.core.engine import GanEngine
    from ganscope.core.presets import preset_config

    cfg = preset_config(args.preset)
    single = measure_app(MainWindow, GanEngine(cfg), True, args.seconds)
    app.processEvents()
    many = measure_compare([cfg.copy() for _ in range(args.runs)], args.seconds)
    out = {
        "platform": QtWidgets.QApplication.platformName(),
        "preset": args.preset,
        "seconds": args.seconds,
        "cpus": os.cpu_count(),
        "load_avg": os.getloadavg()[0],
        "single": single,
        "compare": many,
        "fps_ratio_single_over_compare": single["fps"] / max(many["fps_slowest_plane"], 1e-9),
        "its_ratio_single_over_lockstep": single["app_its"] / max(many["lockstep_its"], 1e-9),
    }
    print(json.dumps(_rounded(out), indent=1))


if __name__ == "__main__":
    main()
