"""Seconds from closing the window to close() returning, while it trains at full speed, against
closing the same window when it never trained (the baseline, measured in the same run).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/close_latency.py [--repeats 3]

The tests check only that closing leaves nothing running (tests/app/test_monkey.py): a duration
belongs here, where it is compared with a baseline on the same machine. Prints JSON: the median
close time of each case, and its ratio to the idle close.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")


def close_seconds(app, case: str, tmp: str) -> float:
    from PySide6 import QtCore

    from ganscope.app.export import ExportOptions
    from ganscope.app.main_window import MainWindow
    from ganscope.core.engine import GanEngine
    from ganscope.core.presets import preset_config

    settings = QtCore.QSettings(os.path.join(tmp, "s.ini"), QtCore.QSettings.IniFormat)
    win = MainWindow(GanEngine(preset_config("ring-wgan-gp")), settings=settings, autosave="")
    win.ask_unsaved = lambda text: "discard"
    win.show()
    if case != "idle":
        win.do_action("play:1")
        if case == "recording":
            win.start_recording(os.path.join(tmp, "r.mp4"), ExportOptions(width=320, height=240, every=1))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (win.worker.in_process and win.worker.step_count() > 50):
            app.processEvents()
            time.sleep(0.01)
        if not win.worker.in_process:
            raise SystemExit("the training process did not take the run over within 60 s")
    app.processEvents()
    start = time.perf_counter()
    win.close()
    seconds = time.perf_counter() - start
    win.deleteLater()
    app.processEvents()
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    from PySide6 import QtWidgets

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    out: dict = {
        "platform": QtWidgets.QApplication.platformName(),
        "repeats": args.repeats,
        "cpu_count": os.cpu_count(),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for case in ("idle", "training", "recording"):
            out[f"{case}_close_s"] = statistics.median(close_seconds(app, case, tmp) for _ in range(args.repeats))
    for case in ("training", "recording"):
        out[f"{case}_ratio_to_idle"] = out[f"{case}_close_s"] / out["idle_close_s"]
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in out.items()}, indent=1))


if __name__ == "__main__":
    main()
