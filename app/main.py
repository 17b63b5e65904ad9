"""Starts the app: `ganscope` / `ganscope gui [--preset ...] [--steps N --screenshot out.png]`."""
from __future__ import annotations

import os
import sys


def run_app(args) -> int:
    if args.screenshot and not os.environ.get("DISPLAY") and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a screenshot needs no screen
    from PySide6 import QtCore, QtWidgets

    from core.cli import engine_from_args

    engine = engine_from_args(args)  # bad arguments fail here, before any window opens
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    app.setApplicationName("ganscope")
    from .main_window import MainWindow

    settings = None
    if args.screenshot:  # reproducible pictures: ignore the user's remembered window and layers
        settings = QtCore.QSettings(QtCore.QSettings.IniFormat, QtCore.QSettings.UserScope,
                                    "ganscope", "screenshot")
        settings.clear()
    win = MainWindow(engine, settings=settings, preset=args.preset or "")
    win.resize(1500, 950)
    win.show()
    if args.screenshot:
        return _screenshot(app, win, args.steps, args.screenshot)
    if args.steps:
        win.worker.submit(lambda e: e.step(args.steps))
    return app.exec()


def _screenshot(app, win, steps: int, path: str) -> int:
    """Train `steps`, wait until that frame is drawn, save the whole window, quit."""
    from PySide6 import QtCore

    ticket = win.worker.submit(lambda e: e.step(steps) if steps else None)
    result = {"code": 1}

    def check():
        _fid, frame = win.worker.latest()
        if win.worker.done(ticket) and frame is not None and win.plane.frames_drawn > 0 \
                and win._drawn_id == _fid:
            win.charts.update_from(frame.charts)
            app.processEvents()
            ok = win.grab().save(path)
            print(f"screenshot {'saved to ' + path if ok else 'FAILED: ' + path} at step {frame.step}")
            result["code"] = 0 if ok else 1
            win.close()
            app.quit()
    timer = QtCore.QTimer()
    timer.timeout.connect(check)
    timer.start(100)
    app.exec()
    return result["code"]
