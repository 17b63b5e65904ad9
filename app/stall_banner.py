"""A banner for a stalled D (core.detectors' "stalled"): what happened, and the one remedy, a button.

Lowering D's learning rate does not revive a D whose units have died, so the banner offers
Reset D (fresh weights for D alone; G keeps what it learned) instead of leaving the user to guess.
"""

from __future__ import annotations

from PySide6 import QtWidgets

from ganscope.app.i18n import translate
from ganscope.app.i18n_messages import language


class StallBanner(QtWidgets.QFrame):
    """Shown while the stalled-D detector is active; hidden when it is not, or after Reset D."""

    def __init__(self, window):
        super().__init__()
        self.window = window
        self.setObjectName("stallBanner")
        self.setStyleSheet("#stallBanner {background:#fde2d4; border:1px solid #d55e00} QLabel {color:#5a1a00}")
        lay = QtWidgets.QHBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        self.text = QtWidgets.QLabel()
        self.text.setWordWrap(True)
        lay.addWidget(self.text, 1)
        self.reset = QtWidgets.QPushButton("Reset D")
        self.reset.setToolTip("Fresh weights for D only (Shift+D)")
        self.reset.clicked.connect(self._reset)
        lay.addWidget(self.reset)
        self.hide()

    def show_for(self, detection) -> None:
        """Show the detector's explanation while it is active."""
        if detection is None or not detection.active:
            self.hide()
            return
        self.text.setText(detection.text(language()))
        self.reset.setText(translate("Reset D", language()))
        self.show()

    def _reset(self) -> None:
        self.window.do_action("reset_D")
        self.hide()
