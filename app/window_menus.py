"""The main window's menu bar and its recent-sessions list."""
from __future__ import annotations

from pathlib import Path

from PySide6 import QtGui, QtWidgets

from core.presets import preset_config

from .views.plane import LAYERS

MAX_RECENT = 8


class MenusMixin:
    """MainWindow's menus (File, Run, View, Help) and the recent sessions kept in its settings."""

    def _build_menus(self):
        m = self.menuBar()
        file = m.addMenu("&File")
        file.addAction("&New run", lambda: self.load_config(preset_config("ring")), QtGui.QKeySequence.New)
        file.addAction("&Open session…", self.open_session, QtGui.QKeySequence.Open)
        file.addAction("&Save session…", self.save_session, QtGui.QKeySequence.Save)
        self.recent_menu = file.addMenu("Recent sessions")
        file.addAction("&Import points…", self.import_points)
        self.record_action = file.addAction("Record animation…", self.toggle_recording,
                                            QtGui.QKeySequence("Ctrl+E"))
        file.addSeparator()
        file.addAction("&Quit", self.close, QtGui.QKeySequence.Quit)
        run = m.addMenu("&Run")
        for text, action, key in (("Play / pause", "play", "Space"), ("Step", "step", "S"),
                                  ("Step D only", "step_d", "D"), ("Step G only", "step_g", "G"),
                                  ("Reset all", "reset_all", "R"), ("Reset D", "reset_D", "Shift+D"),
                                  ("Reset G", "reset_G", "Shift+G")):
            act = run.addAction(text, lambda a=action: self.do_action(a))
            act.setShortcut(QtGui.QKeySequence(key))
        run.addSeparator()
        sweep = run.addAction("Sweep…", self.show_sweep)
        run.addAction("Arjovsky-Bottou experiment…", self.show_arjovsky)
        sweep.setShortcut(QtGui.QKeySequence("Ctrl+G"))
        undo = run.addAction("Undo drawing stroke", lambda: self.do_action("undo"))
        undo.setShortcut(QtGui.QKeySequence.Undo)
        view = m.addMenu("&View")
        self.layer_actions = {}
        for key, (label, on) in LAYERS.items():
            act = view.addAction(label)
            act.setCheckable(True)
            act.setChecked(on)
            act.toggled.connect(lambda checked, k=key: self.set_layer(k, checked))
            self.layer_actions[key] = act
        view.addSeparator()
        view.addAction("Auto-range", self.plane.auto_range, QtGui.QKeySequence("A"))
        view.addAction("Lessons", lambda: (self.lessons_dock.show(), self.lessons_dock.raise_()),
                       QtGui.QKeySequence("Ctrl+L"))
        view.addAction("Dirac-GAN plane", self.show_dirac)
        view.addAction("Game spectrum", self.show_spectrum)
        lang_menu = view.addMenu("Language / 语言")
        group = QtGui.QActionGroup(self)
        self.language_actions = {}
        from .lessons_panel import LANGUAGES
        for code, label in LANGUAGES.items():
            act = lang_menu.addAction(label, lambda c=code: self.set_language(c))
            act.setCheckable(True)
            group.addAction(act)
            self.language_actions[code] = act
        help_ = m.addMenu("&Help")
        help_.addAction("&About ganscope", lambda: QtWidgets.QMessageBox.about(
            self, "About ganscope", "ganscope: watch a small GAN learn a 2-D distribution, live."))
        self._refresh_recent()

    def _add_recent(self, path: str) -> None:
        recent = [p for p in self._recent() if p != path]
        self.settings.setValue("recent", [path, *recent][:MAX_RECENT])
        self._refresh_recent()

    def _recent(self) -> list[str]:
        value = self.settings.value("recent", [])
        return [value] if isinstance(value, str) else list(value or [])

    def _refresh_recent(self) -> None:
        self.recent_menu.clear()
        for p in self._recent():
            self.recent_menu.addAction(Path(p).name, lambda p=p: self.open_session(p))
        self.recent_menu.setEnabled(bool(self._recent()))

