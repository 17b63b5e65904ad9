"""The main window's menu bar and its recent-sessions list."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtGui, QtWidgets

from ganscope.app.help_menu import build_help_menu
from ganscope.app.run_state import save_session_as
from ganscope.core.presets import preset_config

from .views.plane import LAYERS

MAX_RECENT = 8


class WindowMenus:
    """The main window's menus (File, Run, View, Help) and the recent sessions kept in its
    settings; MainWindow owns one (`window.menus`).

    Parameters
    ----------
    window : MainWindow
        Whose menu bar is filled, and whose commands the menus call (files, runs, layers, panels,
        language, recording).
    settings, plane
        The settings holding the recent sessions, and the plane (Auto-range).
    """

    def __init__(self, window, settings, plane):
        self.window, self.settings, self.plane = window, settings, plane
        self.recent_menu: QtWidgets.QMenu | None = None
        self.record_action: QtGui.QAction | None = None
        self.layer_actions: dict[str, QtGui.QAction] = {}
        self.language_actions: dict[str, QtGui.QAction] = {}

    def build(self) -> None:
        w = self.window
        m = w.menuBar()
        file = m.addMenu("&File")
        file.addAction("&New run", lambda: w.load_config(preset_config("ring")), QtGui.QKeySequence.New)
        file.addAction("&Open session…", lambda: w.files.open_session(), QtGui.QKeySequence.Open)
        file.addAction("&Save session…", lambda: w.files.save_session(), QtGui.QKeySequence.Save)
        file.addAction("Save session &as…", lambda: save_session_as(w), QtGui.QKeySequence.SaveAs)
        self.recent_menu = file.addMenu("Recent sessions")
        file.addAction("&Import points…", lambda: w.files.import_points())
        self.record_action = file.addAction("Record animation…", w.recording.toggle, QtGui.QKeySequence("Ctrl+E"))
        file.addSeparator()
        file.addAction("&Quit", w.close, QtGui.QKeySequence.Quit)
        run = m.addMenu("&Run")
        for text, action, key in (
            ("Play / pause", "play", "Space"),
            ("Step", "step", "S"),
            ("Step D only", "step_d", "D"),
            ("Step G only", "step_g", "G"),
            ("Reset all", "reset_all", "R"),
            ("Reset D", "reset_D", "Shift+D"),
            ("Reset G", "reset_G", "Shift+G"),
        ):
            act = run.addAction(text, lambda a=action: w.do_action(a))
            act.setShortcut(QtGui.QKeySequence(key))
        run.addSeparator()
        sweep = run.addAction("Sweep…", w.docks.show_sweep)
        run.addAction("Arjovsky-Bottou experiment…", w.docks.show_arjovsky)
        sweep.setShortcut(QtGui.QKeySequence("Ctrl+G"))
        undo = run.addAction("Undo drawing stroke", lambda: w.do_action("undo"))
        undo.setShortcut(QtGui.QKeySequence.Undo)
        view = m.addMenu("&View")
        self.layer_actions = {}
        for key, (label, on) in LAYERS.items():
            act = view.addAction(label)
            act.setCheckable(True)
            act.setChecked(on)
            act.toggled.connect(lambda checked, k=key: w.set_layer(k, checked))
            self.layer_actions[key] = act
        view.addSeparator()
        view.addAction("Auto-range", self.plane.auto_range, QtGui.QKeySequence("A"))
        view.addAction(
            "Lessons", lambda: (w.lessons_dock.show(), w.lessons_dock.raise_()), QtGui.QKeySequence("Ctrl+L")
        )
        view.addAction("Dirac-GAN plane", w.docks.show_dirac)
        view.addAction("Game spectrum", w.docks.show_spectrum)
        lang_menu = view.addMenu("Language / 语言")
        group = QtGui.QActionGroup(w)
        self.language_actions = {}
        from .lessons_panel import LANGUAGES

        for code, label in LANGUAGES.items():
            act = lang_menu.addAction(label, lambda c=code: w.set_language(c))
            act.setCheckable(True)
            group.addAction(act)
            self.language_actions[code] = act
        help_ = m.addMenu("&Help")
        build_help_menu(w, help_)
        self.refresh_recent()

    def add_recent(self, path: str) -> None:
        recent = [p for p in self.recent() if p != path]
        self.settings.setValue("recent", [path, *recent][:MAX_RECENT])
        self.refresh_recent()

    def recent(self) -> list[str]:
        value = self.settings.value("recent", [])
        return [value] if isinstance(value, str) else list(value or [])

    def refresh_recent(self) -> None:
        self.recent_menu.clear()
        for p in self.recent():
            self.recent_menu.addAction(Path(p).name, lambda p=p: self.window.files.open_session(p))
        self.recent_menu.setEnabled(bool(self.recent()))
