"""Drawing is one click away: a toolbar above the plane with Draw target (Ctrl+D) beside Play and
Record, instead of only a button at the bottom of a long Controls panel."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets


def add_quick_toolbar(window) -> QtWidgets.QToolBar:
    bar = QtWidgets.QToolBar("Toolbar", window)
    bar.setObjectName("quick")
    bar.setMovable(False)
    bar.setToolButtonStyle(QtCore.Qt.ToolButtonTextOnly)
    draw = bar.addAction("✎ Draw target")
    draw.setCheckable(True)
    draw.setShortcut(QtGui.QKeySequence("Ctrl+D"))
    draw.setToolTip("Paint your own target on the plane with the mouse (Ctrl+D); again to stop")
    draw.toggled.connect(lambda on: window.do_action(f"draw:{int(on)}"))
    bar.addAction("Import points…", lambda: window.do_action("import"))
    bar.addSeparator()
    bar.addAction("What am I looking at?", lambda: _explain(window))
    window.addToolBar(QtCore.Qt.TopToolBarArea, bar)
    window.draw_action = draw
    return bar


def _explain(window):
    from ganscope.app.explain_panel import show_explain_panel

    return show_explain_panel(window)


def show_draw_state(window, on: bool) -> None:
    """The toolbar's Draw follows draw mode, however it was switched."""
    action = getattr(window, "draw_action", None)
    if action is not None and action.isChecked() != on:
        blocker = QtCore.QSignalBlocker(action)
        action.setChecked(on)
        del blocker
