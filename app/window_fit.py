"""The main window fits the screen it is on: at 1024x700, or with QT_SCALE_FACTOR=1.5, no part of
it may lie off the screen. A size remembered from a larger screen is clamped the same way."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

MARGIN = 0  # the available geometry already excludes panels and docks of the desktop


def available_geometry(window: QtWidgets.QWidget) -> QtCore.QRect | None:
    screen = window.screen() or QtGui.QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else None


def fit_to_screen(window: QtWidgets.QWidget) -> None:
    """Shrink (never grow) the window to the screen's free area and move it onto that area."""
    area = available_geometry(window)
    if area is None or area.width() <= 0 or area.height() <= 0:
        return
    frame = window.frameGeometry()
    extra_w = max(frame.width() - window.width(), 0)  # title bar and borders, when decorated
    extra_h = max(frame.height() - window.height(), 0)
    w = min(window.width(), area.width() - extra_w - MARGIN)
    h = min(window.height(), area.height() - extra_h - MARGIN)
    if (w, h) != (window.width(), window.height()):
        window.resize(w, h)
    x = min(max(window.x(), area.left()), area.right() - w - extra_w + 1)
    y = min(max(window.y(), area.top()), area.bottom() - h - extra_h + 1)
    if (x, y) != (window.x(), window.y()):
        window.move(x, y)


class _FitOnShow(QtCore.QObject):
    """Fits the window again once it is shown: only then are its frame's margins known."""

    def eventFilter(self, obj, event):  # noqa: N802 (Qt's name)
        if event.type() == QtCore.QEvent.Show:
            obj.removeEventFilter(self)
            QtCore.QTimer.singleShot(0, lambda: fit_to_screen(obj) if obj.isVisible() else None)
        return False


def fit_when_shown(window: QtWidgets.QWidget) -> None:
    fitter = _FitOnShow(window)
    window.installEventFilter(fitter)


def fit_controls(window) -> None:
    """The Controls dock is as wide as its widest row in the current language (Chinese labels are
    wider than English ones): no spin box is cut off at the right, no sideways scrolling."""
    dock = window.findChild(QtWidgets.QDockWidget, "controls")
    if dock is None or not isinstance(dock.widget(), QtWidgets.QScrollArea):
        return
    scroll = dock.widget()
    scroll.widget().adjustSize()
    need = (
        scroll.widget().minimumSizeHint().width()
        + scroll.verticalScrollBar().sizeHint().width()
        + 2 * scroll.frameWidth()
    )
    scroll.setMinimumWidth(max(330, need))
