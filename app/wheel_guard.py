"""Scrolling a panel never changes a value: spin boxes, combo boxes and sliders take the mouse
wheel only when they have keyboard focus (clicked or tabbed into), as in most desktop apps.

Without this, scrolling the Controls panel with the wheel turned whatever control passed under the
pointer (a user saw R2 go from 0 to 0.10). One event filter, installed on every such widget.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

GUARDED = (QtWidgets.QAbstractSpinBox, QtWidgets.QComboBox, QtWidgets.QAbstractSlider)


class WheelGuard(QtCore.QObject):
    """Ignores wheel events on an unfocused control, so they scroll the panel around it instead."""

    def eventFilter(self, obj, event):  # noqa: N802 (Qt's name)
        if event.type() == QtCore.QEvent.Wheel and isinstance(obj, GUARDED) and not obj.hasFocus():
            event.ignore()  # the parent (the scroll area) gets it
            return True
        return False


_GUARD: list[WheelGuard] = []  # one filter for the whole app


def guard_wheel(root: QtWidgets.QWidget) -> int:
    """Install the guard on every spin box, combo box and slider under `root`; returns how many.
    Each gets Qt.StrongFocus (click or Tab, not the wheel, gives focus)."""
    if not _GUARD:
        _GUARD.append(WheelGuard())
    guard = _GUARD[0]
    widgets = [w for w in root.findChildren(QtWidgets.QWidget) if isinstance(w, GUARDED)]
    for w in widgets:
        w.setFocusPolicy(QtCore.Qt.StrongFocus)
        w.removeEventFilter(guard)
        w.installEventFilter(guard)
    return len(widgets)
