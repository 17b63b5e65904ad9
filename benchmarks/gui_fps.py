"""The app while training at full speed: frames drawn per second and training it/s kept, against
the same engine trained headless in the same run.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/gui_fps.py [--seconds 8] [--res 128] [--points 2048]

Real window under Xvfb: `xvfb-run -a .venv/bin/python benchmarks/gui_fps.py` (then QT_QPA_PLATFORM is
left unset). Prints JSON: headless it/s and the cost of one frame; then, for the app as users run it
(training in its own process) and for the in-thread fallback: frames drawn and offered per second,
it/s in the app and its share of headless it/s.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--res", type=int, default=128, help="surface resolution")
    ap.add_argument("--points", type=int, default=2048, help="real and generated points drawn")
    ap.add_argument("--preset", default="ring", help="the run to train (e.g. lesson-7c-unrolled)")
    ap.add_argument(
        "--full-detail",
        action="store_true",
        help="pin the frame budget at full detail (the surface and points asked for)",
    )
    ap.add_argument(
        "--no-thread", action="store_true", help="skip the in-thread fallback (profiling the app as users run it)"
    )
    ap.add_argument(
        "--offered-per-drawn",
        type=float,
        default=None,
        help="frames asked of the training side per frame the level draws (app.frame_budget.OFFERED_PER_DRAWN)",
    )
    args = ap.parse_args()
    from PySide6 import QtWidgets

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    from ganscope.app.gc_main_thread import freeze_start_up_objects
    from ganscope.app.main_window import MainWindow
    from ganscope.core.torch_startup import skip_dynamo_import

    if args.offered_per_drawn is not None:
        from ganscope.app import frame_budget

        frame_budget.OFFERED_PER_DRAWN = args.offered_per_drawn

    skip_dynamo_import()  # as the app does (app.main)
    from ganscope.core.engine import GanEngine
    from ganscope.core.presets import preset_config

    cfg = preset_config(args.preset)
    cfg.set("run.surface_res", args.res)
    cfg.set("run.display_samples", args.points)

    freeze_start_up_objects()  # as the app does
    import torch

    # As the app does (app/main.py): the UI thread builds frames with one torch thread (the engine's
    # own calls use run.threads). Without it the UI's frames took both cores from training.
    torch.set_num_threads(1)
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

    out = {
        "tree": os.path.dirname(os.path.dirname(os.path.abspath(sys.modules["ganscope.app.main_window"].__file__))),
        "platform": QtWidgets.QApplication.platformName(),
        "preset": args.preset,
        "full_detail": args.full_detail,
        "offered_per_drawn": sys.modules["ganscope.app.frame_budget"].OFFERED_PER_DRAWN,
        "cpus": os.cpu_count(),
        "load_average_1min": os.getloadavg()[0],
        "surface": f"{args.res}x{args.res}",
        "points": args.points,
        "seconds": args.seconds,
        "headless_its": headless_its,
        "frame_build_ms": frame_ms,
    }
    # The app as users run it (training process), then the in-thread fallback as the baseline.
    for name, process in (("process", True), ("thread", False))[: 1 if args.no_thread else 2]:
        r = measure_app(MainWindow, GanEngine(cfg), process, args.seconds, args.full_detail)
        r["kept_share"] = r["app_its"] / headless_its
        out[name] = r
        app.processEvents()
    out["load_average_1min_end"] = os.getloadavg()[0]
    print(json.dumps(_rounded(out), indent=1))


def measure_app(MainWindow, engine, process: bool, seconds: float, full_detail: bool = False) -> dict:
    from PySide6 import QtCore

    settings = QtCore.QSettings(QtCore.QSettings.IniFormat, QtCore.QSettings.UserScope, "ganscope", "benchmark")
    settings.clear()
    win = MainWindow(engine, settings=settings, autosave="", train_process=process)
    win.unattended = True
    if full_detail:
        gov = win.budget.governor
        gov.ladder = gov.ladder[:1]  # level 0 only: the governor cannot lower anything
    win.resize(1500, 950)
    win.show()
    win.do_action("play:1")
    if process:
        win.worker.process_ready.wait(30)
    run_event_loop(1.5)  # settle: the process takes over, first frames, layouts
    drawn0, step0, t0 = win.plane.frames_drawn, win.worker.step_count(), time.perf_counter()
    made0, shown0 = win.worker.frames_made(), getattr(win.plane, "frames_shown", 0)
    ui0, proc0 = time.thread_time(), time.process_time()
    run_event_loop(seconds)
    elapsed = time.perf_counter() - t0
    drawn = win.plane.frames_drawn - drawn0
    ui_cpu, proc_cpu = time.thread_time() - ui0, time.process_time() - proc0
    r = {
        "fps": drawn / elapsed,
        # frames that reached the screen (a paint after a new frame); absent in older versions
        "fps_shown": (getattr(win.plane, "frames_shown", 0) - shown0) / elapsed,
        # CPU time, which other work on the machine hardly changes: the UI thread's per drawn
        # frame, and the app's process (UI, worker and reader threads) in cores
        "ui_cpu_ms_per_frame": ui_cpu / max(1, drawn) * 1000,
        "app_process_cores": proc_cpu / elapsed,
        "frames_made_per_s": (win.worker.frames_made() - made0) / elapsed,
        "app_its": (win.worker.step_count() - step0) / elapsed,
        "in_process": win.worker.in_process,
        # the frame budget's choice at the end, and what the status bar said
        "detail_level": win.budget.governor.level,
        "detail": vars(win.budget.governor.detail),
        "status": win.status_rate.text(),
    }
    win.close()
    return r


def _rounded(v):
    if isinstance(v, dict):
        return {k: _rounded(x) for k, x in v.items()}
    return round(v, 3) if isinstance(v, float) else v


def run_event_loop(seconds: float) -> None:
    """The app's own idle behaviour: a real event loop that sleeps, not a processEvents() spin,
    which would hold the GIL and starve the training thread."""
    from PySide6 import QtCore

    loop = QtCore.QEventLoop()
    QtCore.QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


if __name__ == "__main__":
    main()
