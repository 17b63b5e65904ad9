"""A one-line label that, given less room than its text needs, ends the text with "…" instead of
cutting it off mid-word at the window's edge, and then shows the whole text as its tooltip.

Why: the status bar's speed line (it/s, fps and the detail the frame budget chose, with its
reason) is longer than the room a 1,024-pixel window leaves beside the run's state, and a plain
QLabel is clipped there without a sign that anything is missing.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

MIN_CHARS = 12  # the least room it asks for, in average characters (the rest of the bar keeps its own)


class ElidedLabel(QtWidgets.QLabel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._full = ""

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        self._full = text
        super().setText(text)  # the size hint stays the whole text's: the layout gives it all it can
        self._update_tip()

    def shown_text(self) -> str:
        """What is drawn at the current width: the text, or its start and "…"."""
        return self.fontMetrics().elidedText(self._full, QtCore.Qt.ElideRight, self.contentsRect().width())

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802
        return QtCore.QSize(self.fontMetrics().averageCharWidth() * MIN_CHARS, super().minimumSizeHint().height())

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._update_tip()

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QtGui.QPainter(self)
        painter.setPen(self.palette().color(QtGui.QPalette.WindowText))
        painter.drawText(self.contentsRect(), int(self.alignment()) | int(QtCore.Qt.AlignVCenter), self.shown_text())

    def _update_tip(self) -> None:
        self.setToolTip(self._full if self.shown_text() != self._full else "")
