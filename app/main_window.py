"""The main window: wiring only. Controls -> commands -> worker/engine; newest frame -> views."""

from __future__ import annotations

import os
import queue
import time

from PySide6 import QtCore, QtWidgets

from ganscope.app.draw_toolbar import add_quick_toolbar
from ganscope.app.elided_label import ElidedLabel
from ganscope.app.lesson_end_card import LessonEndCard
from ganscope.app.palette_follow import PaletteWatcher
from ganscope.app.run_state import (
    forget_previous_run,
    matching_preset,
    refresh_title,
    show_preset,
    still_old_run,
)
from ganscope.app.stall_banner import StallBanner
from ganscope.app.window_fit import fit_to_screen, fit_when_shown
from ganscope.core.config import GanConfig
from ganscope.core.engine import GanEngine
from ganscope.core.presets import preset_config

from .controls.panel import ControlPanel
from .frame_budget import FrameBudget
from .frame_clock import FrameClock
from .gc_main_thread import MainThreadGC
from .i18n_messages import message
from .sketch import Sketch
from .unsaved import RunKeeper, ask_recover_dialog, ask_unsaved_dialog
from .views.charts import ChartsView
from .views.plane import LAYERS, PlaneView
from .window_files import WindowFiles
from .window_menus import WindowMenus
from .window_panels import FloatingPanels
from .window_recording import RecordingControl
from .window_sketch import SketchTool
from .window_status import StatusLine
from .worker import TrainingWorker

DRAW_INTERVAL_MS = 15  # a tick also shows errors and catches a frame the clock missed; frames
# are drawn as they arrive (app.frame_clock); how many are drawn, and in
# what detail, is the frame budget's (app.frame_budget)


class MainWindow(QtWidgets.QMainWindow):
    def __init__(
        self,
        engine: GanEngine | None = None,
        settings: QtCore.QSettings | None = None,
        preset: str = "ring",
        autosave: str | None = None,
        train_process: bool | None = None,
    ):
        """`autosave`: where to autosave the run (None: the user's data folder; "": never).
        `train_process`: play in a separate training process (None: yes, unless the environment
        sets GANSCOPE_TRAIN_PROCESS=0); see core.train_process for why."""
        super().__init__()
        self.setWindowTitle("ganscope")
        self.settings = settings or QtCore.QSettings("ganscope", "ganscope")
        if train_process is None:
            train_process = os.environ.get("GANSCOPE_TRAIN_PROCESS", "1") != "0"
        self.worker = TrainingWorker(
            engine or GanEngine(preset_config("ring")), on_error=self._errors_put, process=train_process
        )
        self._errors: queue.Queue = queue.Queue()
        self._drawn_id = 0
        self.session_path: str | None = None
        self.sketch = Sketch()
        self.unattended = False  # screenshots and timings: never stop to ask

        self.plane = PlaneView()
        self.charts = ChartsView()
        self.banner = QtWidgets.QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background:#fde2d4; color:#5a1a00; padding:6px; border:1px solid #d55e00")
        self.banner.hide()
        from .timeline import TimelineBar

        self.timeline = TimelineBar(self)  # rewind and branch; it keeps the Compare windows it opens
        split = QtWidgets.QSplitter(QtCore.Qt.Vertical)
        split.addWidget(self.timeline.under(self.plane))
        split.addWidget(self.charts)
        split.setSizes([560, 400])  # at 1024x700 the charts need room to be read
        centre = QtWidgets.QWidget()
        lay = QtWidgets.QVBoxLayout(centre)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.banner)
        self.detect_label = QtWidgets.QLabel()
        self.detect_label.setWordWrap(True)
        self.detect_label.setStyleSheet("background:#fff4cc; color:#4a3a00; padding:4px; border:1px solid #e0b000")
        self.detect_label.hide()
        lay.addWidget(self.detect_label)
        self.stall_banner = StallBanner(self)
        lay.addWidget(self.stall_banner)
        self.end_card = LessonEndCard(self)
        lay.addWidget(self.end_card)
        lay.addWidget(split, 1)
        self.setCentralWidget(centre)

        self.panel = ControlPanel(self.send_update, self.do_action, self.set_layer)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidget(self.panel)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(330)
        dock = QtWidgets.QDockWidget("Controls")
        dock.setObjectName("controls")
        dock.setWidget(scroll)
        dock.setFeatures(QtWidgets.QDockWidget.DockWidgetMovable | QtWidgets.QDockWidget.DockWidgetFloatable)
        self.addDockWidget(QtCore.Qt.RightDockWidgetArea, dock)
        from .lessons_panel import LessonsPanel

        self.lessons = LessonsPanel(self)
        self.lessons_dock = QtWidgets.QDockWidget("Lessons")
        self.lessons_dock.setObjectName("lessons")
        self.lessons_dock.setWidget(self.lessons)
        self.addDockWidget(QtCore.Qt.RightDockWidgetArea, self.lessons_dock)
        self.tabifyDockWidget(dock, self.lessons_dock)
        dock.raise_()
        from .sweep_panel import SweepPanel

        self.sweep = SweepPanel(self)
        self.sweep_dock = QtWidgets.QDockWidget("Sweep")
        self.sweep_dock.setObjectName("sweep")
        self.sweep_dock.setWidget(self.sweep)
        self.addDockWidget(QtCore.Qt.BottomDockWidgetArea, self.sweep_dock)
        self.sweep_dock.hide()

        self.status_step = QtWidgets.QLabel()
        self.status_rate = ElidedLabel()  # long speed lines end in "…", whole in the tooltip
        self.statusBar().addWidget(self.status_step, 1)
        self.statusBar().addPermanentWidget(self.status_rate)
        self.status_line = StatusLine(self.status_step, self.status_rate, self.lessons)
        # Collaborators, each given what it uses: drawing, recording, floating panels, menus.
        self.sketch_tool = SketchTool(self, self.sketch, self.plane, self.panel, self.worker)
        self.recording = RecordingControl(self, self.settings, self.plane, self.panel, self.worker, self.lessons)
        self.docks = FloatingPanels(self, self.lessons, self.sweep_dock, self.settings, self.charts, self.detect_label)
        self.menus = WindowMenus(self, self.settings, self.plane)
        self.menus.build()
        add_quick_toolbar(self)
        self.palette_watcher = PaletteWatcher(self)  # plots follow a light or dark desktop
        self._restore_settings()
        self._update_skip()  # the layers hidden by default are not computed either, from the first frame
        self.panel.sync(self.engine.cfg)
        self._preset = matching_preset(self.engine.cfg) if engine is not None else preset
        show_preset(self.panel.preset, self._preset)

        self.timer = QtCore.QTimer(self)
        self.timer.timeout.connect(self._on_tick)
        self.timer.start(DRAW_INTERVAL_MS)
        self.keeper = RunKeeper(self, autosave)
        self.files = WindowFiles(self)  # sessions, point files, swapping the engine shown
        self.budget = FrameBudget(self)
        self.frame_clock = FrameClock(self, self.worker, self.plane, self._on_tick)
        self.gc = MainThreadGC(self)  # Qt objects must never be collected by the training thread
        self.worker.start()

    @property
    def engine(self) -> GanEngine:
        """The engine being trained (read it; change it only through `send_update` / commands)."""
        return self.worker.engine

    @property
    def recorder(self):
        """The recording under way (app.recorder.Recorder), or None."""
        return self.recording.recorder

    def start_recording(self, path: str | None = None, options=None, force: bool = False) -> bool:
        return self.recording.start(path, options, force)

    def stop_recording(self) -> str | None:
        return self.recording.stop()

    def set_language(self, lang: str) -> None:
        self.docks.set_language(lang)

    # --- commands -----------------------------------------------------------------------------
    def send_update(self, path: str, value) -> int:
        self.keeper.edited()
        if path == "target.mixture":  # a whole component table: one consistent change
            changes = {
                "target.centres": [r[:2] for r in value],
                "target.sigmas": [r[2] for r in value],
                "target.weights": [r[3] for r in value],
                "target.kind": "mixture",
            }
        else:
            changes = {path: value}

        def apply(e: GanEngine):
            result = e.update_many(changes)
            if result != "live" and e.status == "ok":
                self._errors.put(("info", f"{path} = {value}: {result}"))
            if e.status == "diverged" and path.endswith(".lr"):
                e.resume()  # the user changed what caused the divergence: let them continue

        return self.worker.submit(apply, live=("update_many", changes))

    def do_action(self, name: str) -> int | None:
        w = self.worker
        key, _, arg = name.partition(":")
        if key == "play":
            on = bool(int(arg)) if arg else not w.playing
            self.panel.set_checked("play", on)

            def play(e: GanEngine):
                if on and e.stop_at is not None and e.step_count >= e.stop_at:
                    e.clear_script()  # the lesson is over: Play carries on freely
                w.playing = on and e.status == "ok"

            return w.submit(play)
        simple = {
            "step": lambda e: e.step(1),
            "step_d": lambda e: e.step(1, players=("D",)),
            "step_g": lambda e: e.step(1, players=("G",)),
            "reset_all": lambda e: e.reset_all(),
            "reset_D": lambda e: e.reset("D"),
            "reset_G": lambda e: e.reset("G"),
        }
        if key in simple:
            if key == "reset_all":
                if not self.keeper.confirm_discard("resetting the run"):
                    return None  # R asks first when there is unsaved work
                self.plane.clear_trails()
            return w.submit(simple[key])
        if key in ("freeze_D", "freeze_G"):
            p, on = key[-1], bool(int(arg))
            return w.submit(lambda e: e.freeze(p, on), live=("freeze", p, on))
        if key == "speed":
            w.set_speed(int(arg))
            return None
        if key == "preset":
            ticket = self.load_config(preset_config(arg))
            show_preset(self.panel.preset, arg if ticket is not None else self._preset)  # even if kept
            if ticket is not None:
                self._preset = arg
            return ticket
        if key == "import":
            return self.files.import_points()
        if key == "record":
            want = (self.recorder is None) if not arg else bool(int(arg))
            if want != (self.recorder is not None):
                self.recording.toggle()
            return None
        if key in ("draw", "eraser", "brush", "undo", "clear_sketch", "save_points"):
            return self.sketch_tool.action(key, arg)
        return None

    def load_config(self, cfg: GanConfig, ask: bool = True) -> int | None:
        """Start a fresh run from cfg (keeps play/pause); None if the user kept the current run."""
        if ask and not self.keeper.confirm_discard("starting a new run"):
            return None
        engine = GanEngine(cfg)
        self.panel.sync(cfg)
        self.keeper.new_run()
        self.session_path = None  # a new run is not the file opened before: Save asks where
        ticket = self.worker.submit(lambda _e: setattr(self.worker, "engine", engine))
        forget_previous_run(self, ticket)
        return ticket

    def ask_unsaved(self, text: str) -> str:
        """'save', 'discard' or 'cancel' (tests replace this)."""
        return "discard" if self.unattended else ask_unsaved_dialog(self, text)

    def ask_recover(self, text: str) -> bool | None:
        """Whether to open an autosaved run; None when nobody can be asked (tests replace this)."""
        return None if self.unattended else ask_recover_dialog(self, text)

    def set_layer(self, key: str, on: bool) -> None:
        self.plane.show_layer(key, on)
        self.menus.layer_actions[key].setChecked(on)
        self.panel.layer_boxes[key].setChecked(on)
        self._update_skip()

    def _update_skip(self) -> None:
        """Tell the worker which costly layers nobody draws (on screen or in a recording)."""
        shown = {k for k, on in self.plane.visible.items() if on}
        if self.recorder is not None:
            shown |= {k for k, on in self.recorder.options.layers.items() if on}
        if "contour" in shown:
            shown.add("surface")  # the boundary is traced on the surface
        self.worker.skip = frozenset({"surface", "arrows", "manifold"} - shown)

    def _errors_put(self, exc: BaseException) -> None:
        self._errors.put(("error", str(exc)))

    # --- files: self.files (app.window_files) ------------------------------------------------------
    def _ask_path(self, save: bool, title: str, default: str, filters: str) -> str | None:
        """A file dialog; None when the user cancels (tests replace this)."""
        ask = QtWidgets.QFileDialog.getSaveFileName if save else QtWidgets.QFileDialog.getOpenFileName
        path, _ = ask(self, message(title), default, filters)
        return path or None

    def _show_error(self, title: str, text: str) -> None:
        if QtWidgets.QApplication.platformName() == "offscreen":
            self._show_banner(f"{title}: {text}")  # no modal dialogs when nobody can click them
        else:
            QtWidgets.QMessageBox.warning(self, message(title), message(text))

    def _show_banner(self, text: str) -> None:
        self.banner.setText(message(text))
        self.banner.show()

    def say(self, text: str, ms: int = 4000) -> None:
        """A passing message in the status bar, in the interface's language."""
        self.statusBar().showMessage(message(text), ms)

    def _restore_settings(self):
        geo = self.settings.value("geometry")
        if geo is None or not self.restoreGeometry(geo):
            self.resize(1500, 950)
        fit_to_screen(self)  # a size remembered on a larger screen, or too big for this one
        fit_when_shown(self)  # and again with the frame's margins, once they are known
        self.set_language(str(self.settings.value("language", "en")))
        for key in LAYERS:
            value = self.settings.value(f"layers/{key}")
            if value is not None:
                self.set_layer(key, value in (True, "true"))

    def closeEvent(self, event):
        if not self.keeper.confirm_discard("closing"):
            event.ignore()
            return
        if self.recording.recorder is not None:
            if QtWidgets.QApplication.platformName() != "offscreen":
                answer = QtWidgets.QMessageBox.question(
                    self,
                    message("Recording"),
                    message("A recording is running. Save it before closing?"),
                    QtWidgets.QMessageBox.Save | QtWidgets.QMessageBox.Discard | QtWidgets.QMessageBox.Cancel,
                )
                if answer == QtWidgets.QMessageBox.Cancel:
                    event.ignore()
                    return
                if answer == QtWidgets.QMessageBox.Save:
                    self.recording.stop()
            if self.recording.recorder is not None:
                self.recording.recorder.abort()  # no half-written file is left behind
                self.recording.recorder = None
        self.timer.stop()
        self.frame_clock.stop()
        self.settings.setValue("geometry", self.saveGeometry())
        for key, on in self.plane.visible.items():
            self.settings.setValue(f"layers/{key}", on)
        self.hide()  # the window goes at once; what follows ends threads the user no longer sees
        self.timeline.close_windows()
        self.sweep.stop(timeout=0.5)
        if self.docks.arjovsky_dock is not None:
            self.docks.arjovsky_dock.widget().stop(timeout=0.3)
        self.worker.stop(timeout=0.5)  # the training process is told to quit, and reaped in the background
        self.gc.stop()
        self.keeper.discard_autosave()  # a clean exit: nothing to recover next time
        super().closeEvent(event)

    # --- drawing ------------------------------------------------------------------------------
    def _on_tick(self):
        while not self._errors.empty():
            kind, text = self._errors.get_nowait()
            if kind == "error":
                self._show_banner(text)
            else:
                self.say(text, 4000)
        if self._drawn_id == self.worker.frames_made():
            return
        wait = self.budget.wait_s()
        if wait != 0.0:
            if wait is not None:
                self.frame_clock.draw_in(wait)
            return
        started = time.perf_counter()
        frame_id, frame = self.worker.latest()
        if frame is None or frame_id == self._drawn_id or still_old_run(self):
            return
        self._drawn_id = frame_id
        if frame.step < self.keeper.step:
            self.charts.clear_marks()  # a new or reset run: old detector marks no longer apply
        self.keeper.step = frame.step
        self.timeline.record(frame)
        if self.timeline.viewing is None:  # the timeline may be showing a kept step instead
            self.plane.draw(frame)
        if self.recording.recorder is not None:
            self.recording.record(frame)
        self.docks.show_detections(frame)
        self.sketch_tool.sync_handles(frame)
        if self.budget.charts_due(frame.charts):
            self.charts.update_from(frame.charts)
        if frame.status != "ok":
            self._show_banner(frame.message)
            self.panel.set_checked("play", False)
        elif self.banner.isVisible() and self.banner.text() == getattr(self, "_last_status_msg", None):
            self.banner.hide()
        self._last_status_msg = message(frame.message) if frame.status != "ok" else None
        self.status_line.show(frame, self.engine.frozen, self.recording.recorder, self.budget.rate_text())
        refresh_title(self)
        self.budget.drawn(frame, time.perf_counter() - started)
