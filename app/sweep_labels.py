"""Words for the sweep panel: each sweepable field named as the Controls panel names it, and the
chosen cell outlined on the map."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

FIELD_LABELS = {
    "d_opt.lr": "D learning rate",
    "g_opt.lr": "G learning rate",
    "d_opt.beta1": "Adam beta1 (D)",
    "d_opt.beta2": "Adam beta2 (D)",
    "g_opt.beta1": "Adam beta1 (G)",
    "g_opt.beta2": "Adam beta2 (G)",
    "objective.instance_noise": "Instance noise",
    "run.seed": "Seed",
}


def field_label(field: str) -> str:
    return FIELD_LABELS.get(field, field)


def label_fields(combo: QtWidgets.QComboBox) -> None:
    """Show each field's words; the config key stays the item's data and tooltip."""
    for i in range(combo.count()):
        key = combo.itemText(i)
        combo.setItemData(i, key, QtCore.Qt.UserRole)
        combo.setItemData(i, key, QtCore.Qt.ToolTipRole)
        combo.setItemText(i, field_label(key))


def combo_field(combo: QtWidgets.QComboBox) -> str:
    return combo.currentData(QtCore.Qt.UserRole) or combo.currentText()


def outline_cell(plot: pg.PlotWidget, old, ix: int, iy: int):
    """A thick outline around cell (ix, iy): the run the main window now shows."""
    if old is not None:
        plot.removeItem(old)
    box = QtWidgets.QGraphicsRectItem(QtCore.QRectF(ix, iy, 1, 1))
    pen = pg.mkPen((230, 30, 30), width=3)
    pen.setCosmetic(True)
    box.setPen(pen)
    box.setZValue(30)
    plot.addItem(box)
    return box
