"""The main window's side panels (sweep, Dirac-GAN plane, Arjovsky-Bottou) and its language."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from ganscope.app.window_fit import fit_controls


class FloatingPanels:
    """The main window's floating panels, language switching and detector display; MainWindow owns
    one (`window.docks`).

    Parameters
    ----------
    window : MainWindow
        The panels' parent: docks are added to it, and a language applies to all of it (its
        menus' language actions included).
    lessons, sweep_dock, settings, charts, detect_label
        The lessons panel (which holds the language), the sweep's dock, the settings the language
        is remembered in, and the charts and label that show the detectors' verdicts.
    """

    def __init__(self, window, lessons, sweep_dock, settings, charts, detect_label):
        self.window, self.lessons, self.sweep_dock = window, lessons, sweep_dock
        self.settings, self.charts, self.detect_label = settings, charts, detect_label
        self.dirac_dock: QtWidgets.QDockWidget | None = None  # made when first shown
        self.arjovsky_dock: QtWidgets.QDockWidget | None = None
        self.spectrum_dock: QtWidgets.QDockWidget | None = None

    def show_dirac(self):
        """The Dirac-GAN plane (lesson 6's theory), in its own floating panel."""
        if self.dirac_dock is None:
            from .dirac_view import open_dirac_window
            from .i18n import apply_language

            self.dirac_dock = open_dirac_window(self.window)
            apply_language(self.window, self.lessons.lang)
        self.dirac_dock.show()
        self.dirac_dock.raise_()
        return self.dirac_dock.widget()

    def show_spectrum(self):
        """The game's Jacobian spectrum for the current run (core.spectrum_monitor), live."""
        if self.spectrum_dock is None:
            from .i18n import apply_language
            from .spectrum_view import open_spectrum_window

            self.spectrum_dock = open_spectrum_window(self.window)
            apply_language(self.window, self.lessons.lang)
        self.spectrum_dock.show()
        self.spectrum_dock.raise_()
        return self.spectrum_dock.widget()

    def show_arjovsky(self):
        """G's gradient under both log losses while a fresh D trains against the current G."""
        if self.arjovsky_dock is None:
            from .arjovsky_view import ArjovskyView
            from .i18n import apply_language

            self.arjovsky_dock = QtWidgets.QDockWidget("Arjovsky-Bottou experiment", self.window)
            self.arjovsky_dock.setObjectName("arjovsky")
            self.arjovsky_dock.setWidget(ArjovskyView(self.window))
            self.window.addDockWidget(QtCore.Qt.BottomDockWidgetArea, self.arjovsky_dock)
            self.arjovsky_dock.setFloating(True)
            self.arjovsky_dock.resize(720, 520)
            apply_language(self.window, self.lessons.lang)
        self.arjovsky_dock.show()
        self.arjovsky_dock.raise_()
        return self.arjovsky_dock.widget()

    def show_sweep(self) -> None:
        """The sweep panel, floating beside the window: the plane keeps its room."""
        if not self.sweep_dock.isVisible():
            # Its own window, never docked by a stray drag (docked, it squashed the plane).
            self.sweep_dock.setAllowedAreas(QtCore.Qt.NoDockWidgetArea)
            self.sweep_dock.setFloating(True)
            self.sweep_dock.resize(900, 680)
        self.sweep_dock.show()
        self.sweep_dock.raise_()

    def set_language(self, lang: str) -> None:
        """The lessons' language, remembered between sessions."""
        from .i18n import apply_language

        self.lessons.set_language(lang)
        self.window.menus.language_actions.get(self.lessons.lang).setChecked(True)
        self.settings.setValue("language", self.lessons.lang)
        apply_language(self.window, self.lessons.lang)
        fit_controls(self.window)  # labels changed width with the language

    def show_detections(self, frame) -> None:
        if frame.detections is None:
            return
        from .lessons_panel import DETECTOR_NAMES

        lang = self.lessons.lang
        self.window.stall_banner.show_for(frame.detections.get("stalled"))
        fired = [d for d in frame.detections.values() if d.active and d.name != "diverged"]
        for d in fired:
            self.charts.mark(d.name, d.step if d.step is not None else frame.step, DETECTOR_NAMES[d.name][lang])
        active = [d for d in fired if d.name != "stalled"]  # the stall has its own banner, with its remedy
        if active:
            self.detect_label.setText("   ".join(f"● {DETECTOR_NAMES[d.name][lang]}: {d.text(lang)}" for d in active))
        self.detect_label.setVisible(bool(active))
