"""The main window's side panels (sweep, Dirac-GAN plane, Arjovsky-Bottou) and its language."""
from __future__ import annotations

from PySide6 import QtCore, QtWidgets


class PanelsMixin:
    """MainWindow's floating panels, language switching and detector display."""

    def show_dirac(self):
        """The Dirac-GAN plane (lesson 6's theory), in its own floating panel."""
        if getattr(self, "dirac_dock", None) is None:
            from .dirac_view import open_dirac_window
            from .i18n import apply_language
            self.dirac_dock = open_dirac_window(self)
            apply_language(self, self.lessons.lang)
        self.dirac_dock.show()
        self.dirac_dock.raise_()
        return self.dirac_dock.widget()

    def show_spectrum(self):
        """The game's Jacobian spectrum for the current run (core.spectrum_monitor), live."""
        if getattr(self, "spectrum_dock", None) is None:
            from .i18n import apply_language
            from .spectrum_view import open_spectrum_window
            self.spectrum_dock = open_spectrum_window(self)
            apply_language(self, self.lessons.lang)
        self.spectrum_dock.show()
        self.spectrum_dock.raise_()
        return self.spectrum_dock.widget()

    def show_arjovsky(self):
        """G's gradient under both log losses while a fresh D trains against the current G."""
        if getattr(self, "arjovsky_dock", None) is None:
            from .arjovsky_view import ArjovskyView
            from .i18n import apply_language
            self.arjovsky_dock = QtWidgets.QDockWidget("Arjovsky-Bottou experiment", self)
            self.arjovsky_dock.setObjectName("arjovsky")
            self.arjovsky_dock.setWidget(ArjovskyView(self))
            self.addDockWidget(QtCore.Qt.BottomDockWidgetArea, self.arjovsky_dock)
            self.arjovsky_dock.setFloating(True)
            self.arjovsky_dock.resize(720, 520)
            apply_language(self, self.lessons.lang)
        self.arjovsky_dock.show()
        self.arjovsky_dock.raise_()
        return self.arjovsky_dock.widget()

    def show_sweep(self) -> None:
        """The sweep panel, floating beside the window: the plane keeps its room."""
        if not self.sweep_dock.isVisible():
            self.sweep_dock.setFloating(True)
            self.sweep_dock.resize(900, 680)
        self.sweep_dock.show()
        self.sweep_dock.raise_()

    def set_language(self, lang: str) -> None:
        """The lessons' language, remembered between sessions."""
        from .i18n import apply_language
        self.lessons.set_language(lang)
        self.language_actions.get(self.lessons.lang).setChecked(True)
        self.settings.setValue("language", self.lessons.lang)
        apply_language(self, self.lessons.lang)

    def _show_detections(self, frame) -> None:
        if frame.detections is None:
            return
        from .lessons_panel import DETECTOR_NAMES
        lang = self.lessons.lang
        active = [d for d in frame.detections.values() if d.active and d.name != "diverged"]
        for d in active:
            self.charts.mark(d.name, d.step if d.step is not None else frame.step,
                             DETECTOR_NAMES[d.name][lang])
        if active:
            self.detect_label.setText("   ".join(f"● {DETECTOR_NAMES[d.name][lang]}: {d.text(lang)}" for d in active))
        self.detect_label.setVisible(bool(active))

