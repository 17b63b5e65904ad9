"""An editable table of mixture components: centre, sigma and weight per row."""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtCore, QtWidgets

COLUMNS = ("x", "y", "sigma", "weight")


class MixtureTable(QtWidgets.QTableWidget):
    """Edits a Gaussian mixture; `changed(rows)` gets [[x, y, sigma, weight], ...] after each valid edit."""

    def __init__(self, changed: Callable[[list], None], parent=None):
        super().__init__(0, len(COLUMNS), parent)
        self._changed = changed
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self.horizontalHeader().setSectionResizeMode(QtWidgets.QHeaderView.Stretch)
        self.verticalHeader().setVisible(False)
        self.setMaximumHeight(140)
        self.setToolTip("Edit a cell and press Enter; sigma must be > 0 and weights >= 0")
        self.itemChanged.connect(self._on_edit)

    def show_config(self, t) -> None:
        with QtCore.QSignalBlocker(self):
            self.setRowCount(len(t.centres))
            for r, ((x, y), s, w) in enumerate(zip(t.centres, t.sigmas, t.weights)):
                for c, v in enumerate((x, y, s, w)):
                    self.setItem(r, c, _cell(v))

    def rows(self) -> list[list[float]] | None:
        """The table as numbers, or None (and the bad cell marked red) if a cell is not valid."""
        out = []
        for r in range(self.rowCount()):
            row = []
            for c, name in enumerate(COLUMNS):
                item = self.item(r, c)
                try:
                    v = _value(item)
                    ok = (
                        v == v
                        and abs(v) != float("inf")
                        and (name != "sigma" or v > 0)
                        and (name != "weight" or v >= 0)
                    )
                except ValueError:
                    ok = False
                if not ok:
                    if item:
                        with QtCore.QSignalBlocker(self):
                            item.setBackground(QtCore.Qt.red)
                            item.setToolTip(
                                f"{name} must be a number"
                                + (" > 0" if name == "sigma" else " >= 0" if name == "weight" else "")
                            )
                    return None
                row.append(v)
            out.append(row)
        return out

    def _on_edit(self, item) -> None:
        with QtCore.QSignalBlocker(self):
            item.setBackground(QtCore.Qt.transparent)
        rows = self.rows()
        if rows:
            self._changed(rows)

    def add_row(self) -> None:
        with QtCore.QSignalBlocker(self):
            r = self.rowCount()
            self.insertRow(r)
            for c, v in enumerate((0.0, 0.0, 0.1, 1.0)):
                self.setItem(r, c, QtWidgets.QTableWidgetItem(f"{v:g}"))
        rows = self.rows()
        if rows:
            self._changed(rows)

    def remove_selected(self) -> None:
        selected = sorted({i.row() for i in self.selectedIndexes()}, reverse=True)
        if not selected or self.rowCount() - len(selected) < 1:
            return  # a mixture keeps at least one component
        with QtCore.QSignalBlocker(self):
            for r in selected:
                self.removeRow(r)
        rows = self.rows()
        if rows:
            self._changed(rows)


def _cell(v: float) -> QtWidgets.QTableWidgetItem:
    """Shows 3 significant digits (a dragged centre read -1.99779); keeps the exact value, which is
    what is sent back unless the user edits this very cell."""
    item = QtWidgets.QTableWidgetItem(f"{v:.3g}")
    item.setData(QtCore.Qt.UserRole, (f"{v:.3g}", float(v)))
    return item


def _value(item) -> float:
    if item is None:
        return float("nan")
    shown = item.data(QtCore.Qt.UserRole)
    if isinstance(shown, (tuple, list)) and len(shown) == 2 and item.text() == shown[0]:
        return float(shown[1])
    return float(item.text())
