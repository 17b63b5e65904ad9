"""The Dirac-GAN plane: the players' gradient field over (theta, psi) and one trajectory through it.

Click anywhere on the plane to start the trajectory there. Change the objective, the update order
(simultaneous or alternating), the step size or the regulariser's weight and the picture follows.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from ganscope.core.dirac import OBJECTIVES, UPDATES, field, trajectory

from .controls.widgets import spin
from .i18n_messages import message

SPAN = 2.0  # the plane shown: [-SPAN, SPAN]^2
ARROWS = 17  # arrows per side of the field's grid
EXPLAIN = {
    "gan": "Plain GAN: circles the equilibrium; with simultaneous steps it spirals slowly away.",
    "nonsaturating": "Non-saturating GAN: the same circling near the equilibrium.",
    "wgan": "WGAN: a pure rotation. Simultaneous steps spiral out, alternating ones circle for ever.",
    "wgan-gp": "WGAN-GP: the penalty pulls |psi| towards 1, not towards 0: it does not settle at the equilibrium.",
    "r1": "R1 penalty on real data: the spiral turns inwards and converges.",
    "instance-noise": "Instance noise: blurring both distributions damps the rotation; it converges.",
}


class DiracView(QtWidgets.QWidget):
    def __init__(self):
        super().__init__()
        lay = QtWidgets.QVBoxLayout(self)
        row = QtWidgets.QHBoxLayout()
        self.objective = QtWidgets.QComboBox()
        self.objective.addItems(OBJECTIVES)
        self.update_mode = QtWidgets.QComboBox()
        self.update_mode.addItems(UPDATES)
        self.lr = spin(0.001, 1.0, 0.1, 0.01, decimals=3, suffix=" step")
        self.steps = spin(10, 20000, 800, 100, suffix=" steps")
        self.reg = spin(0.0, 10.0, 1.0, 0.1, decimals=2, suffix=" weight")
        self.reg.setToolTip("Gradient-penalty lambda, R1 gamma, or the instance noise's std")
        for label, w in (
            ("Objective", self.objective),
            ("Updates", self.update_mode),
            ("", self.lr),
            ("", self.steps),
            ("Regulariser", self.reg),
        ):
            if label:
                row.addWidget(QtWidgets.QLabel(label))
            row.addWidget(w)
        lay.addLayout(row)
        self.note = QtWidgets.QLabel()
        self.note.setWordWrap(True)
        lay.addWidget(self.note)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setAspectLocked(True)
        self.plot.setLabel("bottom", "theta (where G puts its point)")
        self.plot.setLabel("left", "psi (D's slope)")
        self.plot.setRange(xRange=(-SPAN, SPAN), yRange=(-SPAN, SPAN))
        self.arrows = pg.PlotCurveItem(pen=pg.mkPen((120, 120, 120), width=1))
        self.path = pg.PlotCurveItem(pen=pg.mkPen((213, 94, 0), width=2))
        self.start_mark = pg.ScatterPlotItem(size=10, brush=pg.mkBrush(0, 114, 178))
        self.equilibrium = pg.ScatterPlotItem([0], [0], size=10, symbol="x", brush=pg.mkBrush(0, 0, 0))
        for item in (self.arrows, self.path, self.start_mark, self.equilibrium):
            self.plot.addItem(item)
        self.plot.scene().sigMouseClicked.connect(self._clicked)
        lay.addWidget(self.plot, 1)
        self.start = (1.0, 1.0)
        for w in (self.objective, self.update_mode):
            w.currentIndexChanged.connect(self.redraw)
        for w in (self.lr, self.steps, self.reg):
            w.valueChanged.connect(self.redraw)
        self.redraw()

    def _clicked(self, ev) -> None:
        p = self.plot.getViewBox().mapSceneToView(ev.scenePos())
        self.set_start(p.x(), p.y())

    def set_start(self, theta: float, psi: float) -> None:
        self.start = (float(theta), float(psi))
        self.redraw()

    def retranslate(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        obj, reg = self.objective.currentText(), self.reg.value()
        g = np.linspace(-SPAN, SPAN, ARROWS)
        th, ps = np.meshgrid(g, g)
        d_th, d_ps = field(obj, th, ps, reg)
        norm = np.hypot(d_th, d_ps)
        scale = 0.8 * (g[1] - g[0]) / max(float(norm.max()), 1e-12)
        seg = np.empty((th.size * 2, 2))
        seg[0::2] = np.column_stack([th.ravel(), ps.ravel()])
        seg[1::2] = seg[0::2] + scale * np.column_stack([d_th.ravel(), d_ps.ravel()])
        self.arrows.setData(seg[:, 0], seg[:, 1], connect="pairs")
        self.trajectory = trajectory(
            obj, self.start, self.lr.value(), self.steps.value(), self.update_mode.currentText(), reg
        )
        self.path.setData(self.trajectory[:, 0], self.trajectory[:, 1])
        self.start_mark.setData([self.start[0]], [self.start[1]])
        end = float(np.hypot(*self.trajectory[-1]))
        self.note.setText(
            message(f"{EXPLAIN[obj]}  Distance from the equilibrium: start {np.hypot(*self.start):.2f}, end {end:.3g}.")
        )


def open_dirac_window(parent) -> QtWidgets.QDockWidget:
    dock = QtWidgets.QDockWidget("Dirac-GAN plane", parent)
    dock.setObjectName("dirac")
    dock.setWidget(DiracView())
    parent.addDockWidget(QtCore.Qt.BottomDockWidgetArea, dock)
    dock.setFloating(True)
    dock.resize(760, 720)
    return dock
