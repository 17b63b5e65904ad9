"""The Arjovsky-Bottou experiment on the current run: G as it is now, a fresh D trained alone,
log10 of G's gradient norm under the minimax and the non-saturating loss, side by side."""

from __future__ import annotations

import threading

import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from ganscope.core.arjovsky import gradient_decay

from .controls.widgets import spin
from .i18n_messages import message


class ArjovskyView(QtWidgets.QWidget):
    def __init__(self, window):
        super().__init__()
        self.window = window
        self.result = None
        self._thread: threading.Thread | None = None
        self._cancel = False
        self._partial = []
        lay = QtWidgets.QVBoxLayout(self)
        row = QtWidgets.QHBoxLayout()
        self.iterations = spin(100, 100_000, 2000, 100, suffix=" D iterations")
        self.run_button = QtWidgets.QPushButton("Run on the current G")
        self.run_button.setToolTip("Freeze a copy of G as it is now, train a fresh D against it alone")
        self.run_button.clicked.connect(self.start)
        self.cancel_button = QtWidgets.QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(lambda: setattr(self, "_cancel", True))
        for w in (self.iterations, self.run_button, self.cancel_button):
            row.addWidget(w)
        lay.addLayout(row)
        self.note = QtWidgets.QLabel(
            "Arjovsky & Bottou (2017): the better D gets, the less the minimax "
            "loss tells G. The non-saturating loss keeps its gradient."
        )
        self.note.setWordWrap(True)
        lay.addWidget(self.note)
        self.plot = pg.PlotWidget(background="w")
        self.plot.addLegend(offset=(-10, 10))
        self.plot.setLabel("bottom", "D iterations (G fixed)")
        self.plot.setLabel("left", "log10 |grad of G's loss|")
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.minimax = self.plot.plot(name="minimax: log(1 - D(G(z)))", pen=pg.mkPen((213, 94, 0), width=2))
        self.nonsat = self.plot.plot(name="non-saturating: -log D(G(z))", pen=pg.mkPen((0, 114, 178), width=2))
        lay.addWidget(self.plot, 1)
        self.timer = QtCore.QTimer(self)
        self.timer.timeout.connect(self._poll)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> bool:
        _fid, _frame = self.window.worker.latest()
        src = self.window.worker._latest  # the newest consistent copy of the run's weights
        if self.running or src is None:
            return False
        cfg, g_state, n = src.cfg.copy(), src.weights["G"], self.iterations.value()
        self._cancel, self.result = False, None

        def work():
            self.result = gradient_decay(cfg, g_state, iterations=n, every=max(1, n // 100), stop=lambda: self._cancel)

        self._thread = threading.Thread(target=work, name="ganscope-arjovsky", daemon=True)
        self._thread.start()
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.timer.start(100)
        return True

    def stop(self, timeout: float = 1.0) -> None:
        self._cancel = True
        if self._thread is not None:
            self._thread.join(timeout)

    def _poll(self) -> None:
        if self.running:
            return
        self.timer.stop()
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        r = self.result
        if r is None:
            return
        self.minimax.setData(r.d_iterations, r.log10_minimax)
        self.nonsat.setData(r.d_iterations, r.log10_nonsaturating)
        self.retranslate()

    def retranslate(self) -> None:
        """The note under the chart, in the interface's language."""
        r = self.result
        if r is None:
            return
        drop = r.log10_minimax[0] - r.log10_minimax[-1]
        self.note.setText(
            message(
                f"After {r.d_iterations[-1]:,} D iterations (D right {100 * r.d_accuracy[-1]:.0f}% of the "
                f"time) G's minimax gradient fell {drop:.1f} orders of magnitude; the "
                f"non-saturating one changed by {r.log10_nonsaturating[-1] - r.log10_nonsaturating[0]:+.1f}."
            )
        )
