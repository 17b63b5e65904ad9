"""Starts the app: `ganscope` / `ganscope gui [--preset ...] [--steps N --screenshot out.png]`."""

from __future__ import annotations

import os
import sys


def run_app(args) -> int:
    if args.screenshot and not os.environ.get("DISPLAY") and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a screenshot needs no screen
    from PySide6 import QtCore, QtWidgets

    from ganscope.core.cli import engine_from_args
    from ganscope.core.torch_startup import skip_dynamo_import

    skip_dynamo_import()
    # The program's own choice (a library call never sets it): the UI thread builds frames with one
    # torch thread, leaving the other core to training (each engine call uses run.threads).
    import torch

    torch.set_num_threads(1)

    engine = engine_from_args(args)  # bad arguments fail here, before any window opens
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    app.setApplicationName("ganscope")
    from .gc_main_thread import freeze_start_up_objects
    from .main_window import MainWindow

    settings = None
    if args.screenshot:  # reproducible pictures: ignore the user's remembered window and layers
        settings = QtCore.QSettings(QtCore.QSettings.IniFormat, QtCore.QSettings.UserScope, "ganscope", "screenshot")
        settings.clear()
    # Screenshots never autosave; an interactive start offers back a run a crash left behind.
    win = MainWindow(engine, settings=settings, preset=args.preset or "", autosave="" if args.screenshot else None)
    win.unattended = bool(args.screenshot or getattr(args, "exit_after_first_frame", False))
    win.show()
    QtCore.QTimer.singleShot(2000, freeze_start_up_objects)  # after the first frames, off the start
    if getattr(args, "lang", None):
        win.set_language(args.lang)
    if getattr(args, "lesson", None):
        from ganscope.core.scenarios import load_scenario

        lesson = load_scenario(args.lesson)  # an unknown name fails here, with the list
        win.lessons_dock.raise_()
        win.lessons.list.setCurrentRow([s.name for s in win.lessons.scenarios].index(lesson.name))
        win.lessons.run(lesson.name)
        if args.screenshot:  # the lesson's whole script, then the picture
            return _screenshot(
                app,
                win,
                0,
                args.screenshot,
                ready=lambda: win.engine.step_count >= lesson.steps and not win.worker.playing,
            )
    if args.screenshot:
        return _screenshot(app, win, args.steps, args.screenshot)
    win.keeper.offer_recovery()
    if args.steps:
        win.worker.submit(lambda e: e.step(args.steps))
    if getattr(args, "exit_after_first_frame", False):
        probe = QtCore.QTimer(win)
        probe.timeout.connect(lambda: _quit_when_drawn(app, win))
        probe.start(5)
    code = app.exec()
    _tear_down(win)
    return code


def _tear_down(win) -> None:
    """Delete the window's Qt objects now, while the application still exists. Left to the
    interpreter's exit, Python and Qt destroyed them in no particular order, and about 1 exit in
    12 ended in a segmentation fault after the window had closed."""
    import gc

    import shiboken6

    win.worker.wait_closed(1.0)  # the training process: gone by itself, or terminated after 1 s
    if shiboken6.isValid(win):
        shiboken6.delete(win)
    gc.collect()


def _quit_when_drawn(app, win) -> None:
    if win.plane.frames_drawn > 0:
        app.processEvents()  # let the frame reach the screen
        print("first frame drawn", flush=True)
        win.close()
        app.quit()


def _screenshot(app, win, steps: int, path: str, ready=None) -> int:
    """Train `steps` (or until `ready()`), wait until that frame is drawn, save the window, quit."""
    from PySide6 import QtCore

    ticket = win.worker.submit(lambda e: e.step(steps) if steps else None)
    result = {"code": 1}

    def check():
        _fid, frame = win.worker.latest()
        if (
            win.worker.done(ticket)
            and frame is not None
            and win.plane.frames_drawn > 0
            and win._drawn_id == _fid
            and (ready is None or ready())
        ):
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
    timer.stop()
    _tear_down(win)
    return result["code"]
