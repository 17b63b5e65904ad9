"""Small input widgets that always show their value and units."""

from __future__ import annotations

import math

from PySide6 import QtCore, QtWidgets

SLIDER_STEPS = 1000


class LogSlider(QtWidgets.QWidget):
    """A log-scale slider with an editable value box, e.g. a learning rate from 1e-5 to 1.

    Emits `valueChanged(float)` when the user moves the slider or commits a typed value.
    `setValue` updates the display without emitting (no echo back to the model).
    """

    valueChanged = QtCore.Signal(float)

    def __init__(self, lo: float, hi: float, value: float, unit: str = "", parent=None):
        super().__init__(parent)
        self.lo, self.hi = lo, hi
        self._value = value
        self.slider = QtWidgets.QSlider(QtCore.Qt.Horizontal)
        self.slider.setRange(0, SLIDER_STEPS)
        self.box = QtWidgets.QLineEdit()
        self.box.setFixedWidth(72)
        self.box.setAlignment(QtCore.Qt.AlignRight)
        self.unit = QtWidgets.QLabel(unit)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.box)
        if unit:
            layout.addWidget(self.unit)
        self.slider.valueChanged.connect(self._on_slider)
        self.box.editingFinished.connect(self._on_box)
        self.setValue(value)

    def value(self) -> float:
        return self._value

    def setValue(self, value: float) -> None:
        self._value = min(max(value, self.lo), self.hi)
        with QtCore.QSignalBlocker(self.slider):
            self.slider.setValue(self._to_pos(self._value))
        self.box.setText(f"{self._value:.2g}" if self._value >= 0.01 else f"{self._value:.1e}")
        self.box.setStyleSheet("")

    def _to_pos(self, v: float) -> int:
        t = (math.log10(v) - math.log10(self.lo)) / (math.log10(self.hi) - math.log10(self.lo))
        return round(t * SLIDER_STEPS)

    def _from_pos(self, pos: int) -> float:
        t = pos / SLIDER_STEPS
        return 10 ** (math.log10(self.lo) + t * (math.log10(self.hi) - math.log10(self.lo)))

    def _on_slider(self, pos: int) -> None:
        # Round to two significant digits: the value a user reads is the value used.
        v = float(f"{self._from_pos(pos):.2g}")
        self.setValue(v)
        self.valueChanged.emit(self._value)

    def _on_box(self) -> None:
        text = self.box.text().strip()
        try:
            v = float(text)
            if not math.isfinite(v) or not (self.lo <= v <= self.hi):
                raise ValueError
        except ValueError:
            self.box.setStyleSheet("background: #ffd6d6")
            self.box.setToolTip(f"'{text}' is not a number between {self.lo:g} and {self.hi:g}")
            return  # keep the last good value in effect; the red box says why
        if v != self._value:
            self.setValue(v)
            self.valueChanged.emit(v)
        else:
            self.setValue(v)


def spin(lo: float, hi: float, value: float, step: float, decimals: int = 0, suffix: str = ""):
    """A spin box (int or float by `decimals`) that shows its unit as a suffix."""
    box = QtWidgets.QSpinBox() if decimals == 0 else QtWidgets.QDoubleSpinBox()
    if decimals:
        box.setDecimals(decimals)
    box.setRange(lo, hi)
    box.setSingleStep(step)
    box.setValue(value)
    box.setKeyboardTracking(False)  # commit on Enter / focus-out, not on every keystroke
    if suffix:
        box.setSuffix(suffix)
    return box


def show_state(button: QtWidgets.QAbstractButton, on: bool) -> None:
    """A two-state button says what pressing it does now ("Play" / "Pause"), in the app's language.
    The English is kept where app.i18n looks for it, so a later language switch stays right."""
    from ganscope.app.i18n import translate
    from ganscope.app.i18n_messages import language

    text = button.property("on_text" if on else "off_text")
    if not text:
        return
    button.setProperty("_ganscope_en_text", text)
    button.setText(translate(text, language()))
