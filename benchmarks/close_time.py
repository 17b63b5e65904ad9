"""Closing the window while the training process plays at full speed: when the window is hidden,
when close() returns, when the training process has exited, and with what exit code.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/close_time.py [--preset ring] [--repeats 3]

Prints JSON (medians and maxima over the repeats; seconds after close() was called).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")


def close_once(MainWindow, engine) -> dict:
    from PySide6 import QtCore

    from benchmarks.gui_fps import run_event_loop

    settings = QtCore.QSettings(QtCore.QSettings.IniFormat, QtCore.QSettings.UserScope, "ganscope", "benchmark")
    settings.clear()
    win = MainWindow(engine, settings=settings, autosave="", train_process=True)
    win.unattended = True
    win.show()
    win.do_action("play:1")
    if not win.worker.process_ready.wait(60):
        raise SystemExit("the training process did not start")
    run_event_loop(2.0)
    proc = win.worker._remote._proc
    hidden = []
    stop = win.worker.stop
    win.worker.stop = lambda timeout: hidden.append(time.perf_counter()) or stop(timeout)  # hidden by then
    start = time.perf_counter()
    win.close()
    returned = time.perf_counter() - start
    while proc.exitcode is None and time.perf_counter() - start < 30:
        time.sleep(0.002)
    return {
        "hidden_s": hidden[0] - start if hidden else None,
        "close_returned_s": returned,
        "process_gone_s": time.perf_counter() - start,
        "exit_code": proc.exitcode,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="ring")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    from PySide6 import QtWidgets

    QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    from ganscope.app.main_window import MainWindow
    from ganscope.core.engine import GanEngine
    from ganscope.core.presets import preset_config
    from ganscope.core.torch_startup import skip_dynamo_import

    skip_dynamo_import()
    runs = [close_once(MainWindow, GanEngine(preset_config(args.preset))) for _ in range(args.repeats)]
    out = {
        "preset": args.preset,
        "repeats": args.repeats,
        "cpus": os.cpu_count(),
        "load_average_1min": os.getloadavg()[0],
        "exit_codes": [r["exit_code"] for r in runs],
    }
    for key in ("hidden_s", "close_returned_s", "process_gone_s"):
        values = [r[key] for r in runs]
        out[key] = {"median": round(statistics.median(values), 3), "max": round(max(values), 3)}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
