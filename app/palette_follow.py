"""The plots follow the system's light or dark palette: their backgrounds were fixed white, which
glared inside a dark desktop. Re-applied whenever the application's palette changes."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets


def is_dark(palette: QtGui.QPalette) -> bool:
    return palette.color(QtGui.QPalette.Window).lightness() < 128


def follow_palette(window) -> bool:
    """Colour the plane's and the charts' backgrounds, axes and titles from the palette; True if dark."""
    palette = QtWidgets.QApplication.palette()
    dark = is_dark(palette)
    background = palette.color(QtGui.QPalette.Base) if dark else QtGui.QColor("white")
    text = palette.color(QtGui.QPalette.Text) if dark else QtGui.QColor(100, 100, 100)
    plots = [window.plane.getPlotItem(), *window.charts.plots.values()]
    window.plane.setBackground(background)
    window.charts.setBackground(background)
    for plot in plots:
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setPen(text)
            axis.setTextPen(text)
        plot.titleLabel.item.setDefaultTextColor(text)
    return dark


class PaletteWatcher(QtCore.QObject):
    """Calls follow_palette again when the desktop switches between light and dark."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        window.installEventFilter(self)
        follow_palette(window)

    def eventFilter(self, obj, event):  # noqa: N802 (Qt's name)
        if event.type() in (QtCore.QEvent.ApplicationPaletteChange, QtCore.QEvent.PaletteChange):
            follow_palette(self.window)
        return False
