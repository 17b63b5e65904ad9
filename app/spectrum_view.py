"""The game-spectrum panel: the leading eigenvalues of the game's Jacobian for the run being
trained, in the complex plane with the stability region of the current step size, and the history
of the largest |Im| / |Re| (rotation against damping) over the run.

The numbers come from core.spectrum_monitor through each frame's chart data (computed where the
engine trains, every `run.spectrum_every` steps); the panel polls the newest frame a few times a
second and redraws only when a new spectrum arrived.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from ganscope.core.stability import region_boundary

from .controls.widgets import spin
from .i18n import translate
from .i18n_messages import language
from .views.charts import FewLogTicks

POLL_MS = 250  # the panel looks for a new spectrum 4 times a second
INSIDE = (0, 114, 178)  # Okabe-Ito blue: a step of h shrinks this direction
OUTSIDE = (213, 94, 0)  # vermillion: a step of h grows it
REGION = (0, 158, 115)  # bluish green: the stability region's edge
RATIO_FLOOR = 1e-2  # where the history draws a ratio of 0 (no rotation)


class SpectrumPlots(pg.GraphicsLayoutWidget):
    """The two plots (eigenvalues with the stability region; the |Im| / |Re| history), fed a
    SpectrumMonitor.snapshot(): used by the panel and by exported animations."""

    def __init__(self, parent=None):
        super().__init__(parent=parent)
        self.setBackground("w")
        self.plane = self.addPlot(row=0, col=0)
        self.plane.showGrid(x=True, y=True, alpha=0.2)
        for angle in (0, 90):
            self.plane.addItem(pg.InfiniteLine(pos=0, angle=angle, pen=pg.mkPen((150, 150, 150))))
        self.region = pg.PlotCurveItem(pen=pg.mkPen(REGION, width=2))
        self.points = pg.ScatterPlotItem(size=9, pen=pg.mkPen(None))
        self.plane.addItem(self.region)
        self.plane.addItem(self.points)
        self.history = self.addPlot(row=1, col=0, axisItems={"left": FewLogTicks("left")})
        self.history.setLogMode(y=True)
        self.history.showGrid(x=True, y=True, alpha=0.2)
        self.history.setMaximumHeight(170)
        self.ratio_curve = self.history.plot(
            pen=pg.mkPen(OUTSIDE, width=1.5), symbol="o", symbolSize=4, symbolBrush=OUTSIDE, symbolPen=None
        )
        self.set_titles(lambda text: text)

    def set_titles(self, t) -> None:
        """Titles and axis labels through `t` (English in, shown text out)."""
        self.plane.setTitle(t("Leading eigenvalues of the game's Jacobian"))
        self.plane.setLabel("bottom", t("Re λ (damping)"))
        self.plane.setLabel("left", t("Im λ (rotation)"))
        self.history.setTitle(
            t("Largest |Im| / |Re| over the run")
            + "  <span style='font-size:8pt'>"
            + t("(0: no rotation, drawn at 0.01)")
            + "</span>"
        )
        self.history.setLabel("bottom", t("step"))

    def update_from(self, spectrum: dict | None) -> None:
        if spectrum is None:
            return
        values, h = np.asarray(spectrum["values"], dtype=complex), float(spectrum["h"])
        outside = 2 * h * values.real + (h * np.abs(values)) ** 2 > 0
        self.points.setData(values.real, values.imag, brush=[pg.mkBrush(OUTSIDE if o else INSIDE) for o in outside])
        span = 1.15 * max(float(np.abs(values).max(initial=0.0)), 1e-3)
        x, y = region_boundary(h, points=512, span=span)
        self.region.setData(x, y)
        self.plane.setRange(xRange=(-span, span), yRange=(-span, span), padding=0)
        hist = spectrum["history"]
        ratio = np.asarray(hist["ratio"], dtype=float)
        ok = np.isfinite(ratio)
        # A log axis has no 0: an all-real spectrum (no rotation at all) is drawn at the floor.
        self.ratio_curve.setData(np.asarray(hist["step"], dtype=float)[ok], np.maximum(ratio[ok], RATIO_FLOOR))


class SpectrumView(QtWidgets.QWidget):
    """The panel. `worker` is the window's TrainingWorker; `send_update(path, value)` changes the
    run's config live (MainWindow.send_update)."""

    def __init__(self, worker, send_update):
        super().__init__()
        self.worker, self._send_update = worker, send_update
        self.drawn_key = None
        self.spectrum: dict | None = None  # the spectrum drawn now
        lay = QtWidgets.QVBoxLayout(self)
        row = QtWidgets.QHBoxLayout()
        self.compute_button = QtWidgets.QPushButton("Compute now")
        self.compute_button.clicked.connect(self.compute_now)
        self.every_label = QtWidgets.QLabel("Every")
        self.every = spin(0, 1_000_000, worker.engine.cfg.run.spectrum_every, 100, suffix=" steps")
        self.every.setToolTip("0: only when asked (Compute now)")
        self.every.valueChanged.connect(lambda v: self._send_update("run.spectrum_every", int(v)))
        for w in (self.compute_button, self.every_label, self.every):
            row.addWidget(w)
        row.addStretch(1)
        lay.addLayout(row)
        self.note = QtWidgets.QLabel()
        self.note.setWordWrap(True)
        lay.addWidget(self.note)
        self.charts = SpectrumPlots()
        self.plane, self.history = self.charts.plane, self.charts.history
        self.points, self.region, self.ratio_curve = self.charts.points, self.charts.region, self.charts.ratio_curve
        lay.addWidget(self.charts, 1)
        self.timer = QtCore.QTimer(self)
        self.timer.timeout.connect(self.poll)
        self.timer.start(POLL_MS)
        self.retranslate()
        self.poll()

    # --- data -----------------------------------------------------------------------------------
    def compute_now(self) -> int:
        """Ask the engine for a spectrum at the current weights (a ticket for worker.done())."""
        return self.worker.submit(lambda e: e.spectrum.update())

    def poll(self) -> None:
        if not self.isVisible() and self.spectrum is not None:
            return  # hidden: nothing to draw (the monitor still records the history)
        every = self.worker.engine.cfg.run.spectrum_every  # the run's, e.g. after opening a session
        if every != self.every.value() and not self.every.hasFocus():
            with QtCore.QSignalBlocker(self.every):
                self.every.setValue(every)
        _fid, frame = self.worker.latest()
        if frame is not None and frame.charts:
            self.update_from(frame.charts.get("spectrum"))

    def update_from(self, spectrum: dict | None) -> None:
        """Draw a SpectrumMonitor.snapshot(), if it differs from the one drawn."""
        if spectrum is None:
            return
        key = (spectrum["step"], len(spectrum["history"]["step"]), spectrum["h"], spectrum["error"])
        if key == self.drawn_key:
            return
        self.drawn_key, self.spectrum = key, spectrum
        self.charts.update_from(spectrum)
        self._write_note()

    # --- text -----------------------------------------------------------------------------------
    def _t(self, text: str) -> str:
        return translate(text, language())

    def retranslate(self) -> None:
        t = self._t
        self.charts.set_titles(t)
        self.every.setSuffix(" " + t("steps"))
        self._write_note()

    def _write_note(self) -> None:
        t, s = self._t, self.spectrum
        if s is None or s["step"] < 0:
            self.note.setText(t("No spectrum yet: press Compute now, or train until the next one is due."))
            return
        if s["error"]:
            self.note.setText(f"{t('The spectrum could not be computed')}: {s['error']}")
            return
        hist = s["history"]
        last = {k: float(np.asarray(v)[-1]) for k, v in hist.items()} if len(hist["step"]) else {}
        ratio = last.get("ratio", float("nan"))
        ratio_text = "∞" if ratio >= 1e6 else f"{ratio:.3g}"
        parts = [
            f"{t('step')} {s['step']}",
            f"h = {s['h']:.3g}",
            f"{t('largest |Im| / |Re|')} {ratio_text}",
            f"{t('spectral radius')} {last.get('radius', float('nan')):.3g}",
            f"{t('outside the stable disc')} {int(last.get('outside', 0))} / {len(s['values'])}",
        ]
        if not s.get("converged", True):
            parts.append(t("(Arnoldi not fully converged)"))
        self.note.setText(
            "   ".join(parts)
            + "\n"
            + t(
                "Green: the edge of |1 + hλ| < 1, where simultaneous gradient steps of size h converge; "
                "orange points lie outside it. Exact for plain simultaneous SGD; for Adam and alternating "
                "steps a first-order guide."
            )
        )


def open_spectrum_window(parent) -> QtWidgets.QDockWidget:
    dock = QtWidgets.QDockWidget("Game spectrum", parent)
    dock.setObjectName("spectrum")
    dock.setWidget(SpectrumView(parent.worker, parent.send_update))
    parent.addDockWidget(QtCore.Qt.BottomDockWidgetArea, dock)
    dock.setFloating(True)
    dock.resize(620, 720)
    return dock
