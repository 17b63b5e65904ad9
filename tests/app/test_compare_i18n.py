"""The Compare window and the timeline follow the language switch, as the main window does."""

import re

from PySide6 import QtWidgets

from ganscope.app.compare_window import EDITABLE, open_compare
from ganscope.core.compare import CompareGroup
from tests.app.conftest import wait_ticket

LATIN_WORDS = re.compile(r"\b[A-Za-z]{4,}\b")  # English words (as tests/app/test_i18n_messages.py)
TAGS = re.compile(r"<[^>]+>")
# What stays as it is in every language: field names (as in config files and the command line),
# loss names (config values) and the units.
ALLOWED = {w for f in EDITABLE for w in re.split(r"[._]", f)} | {"nonsaturating", "lsgan"}


def texts_of(widget) -> list[str]:
    """Every text a user can read in `widget`: titles, labels, buttons, tooltips, placeholders,
    combo items, the table, chart titles and legends."""
    out = [widget.windowTitle(), widget.toolTip()]
    for w in widget.findChildren(QtWidgets.QWidget):
        out.append(w.toolTip())
        if isinstance(w, (QtWidgets.QLabel, QtWidgets.QAbstractButton)):
            out.append(w.text())
        elif isinstance(w, QtWidgets.QLineEdit):
            out += [w.placeholderText()]
        elif isinstance(w, QtWidgets.QPlainTextEdit):
            out += [w.toPlainText(), w.placeholderText()]
        elif isinstance(w, QtWidgets.QComboBox) and not w.isEditable():  # the editable one lists field names
            out += [w.itemText(i) for i in range(w.count())]
    for plots in getattr(getattr(widget, "charts", None), "plots", []):
        out += [p.titleLabel.text for p in plots]
    for plane in getattr(widget, "planes", []):
        out += [label.text for _s, label in plane.legend.items]
    return [TAGS.sub(" ", t) for t in out if t]


def english_left(texts) -> list[str]:
    return sorted({w for t in texts for w in LATIN_WORDS.findall(t) if w not in ALLOWED})


def test_the_compare_window_and_the_timeline_in_chinese_and_back(qtbot, window, small_cfg):
    other = small_cfg.copy()
    other.objective.loss = "lsgan"
    group = CompareGroup([("original from step 1,000", small_cfg), ("lsgan", other)])
    win = open_compare(window, group, stop_at=10)  # the main window's child, as the timeline opens it
    before = texts_of(win) + texts_of(window.timeline)
    assert "Play" in before and "Timeline" in before and english_left(before)  # English: the test can fail
    window.set_language("zh")
    win.play_button.click()
    qtbot.waitUntil(lambda: "触发的检测器" in win.table.toPlainText(), timeout=30000)  # the table, translated
    wait_ticket(qtbot, window, window.do_action("step"))
    qtbot.waitUntil(lambda: len(window.timeline.frames) > 0, timeout=10000)
    window.timeline.show_step(0)  # "showing step ... (training is at ...)"
    zh = texts_of(win) + texts_of(window.timeline)
    assert english_left(zh) == [], [t for t in zh if LATIN_WORDS.search(t)]
    assert win.windowTitle() == "比较：原始运行（自第 1,000 步） / lsgan"
    assert win.step_label.text() == "第 10 步，共 10 步" and win.play_button.text() == "播放"
    assert window.timeline.label.text().startswith("显示第 ")
    lines = win.table.toPlainText().splitlines()
    assert lines[0].startswith("运行") and len(lines) == 4
    # A Compare window opened while the app speaks Chinese starts in Chinese.
    late = open_compare(window, CompareGroup([("a", small_cfg), ("b", small_cfg)]))
    assert english_left(texts_of(late)) == [] and late.play_button.text() == "播放"
    window.set_language("en")
    assert win.play_button.text() == "Play" and win.step_label.text() == "step 10 of 10"
    assert win.windowTitle() == "Compare: original from step 1,000 / lsgan"
    assert win.table.toPlainText().splitlines()[0].startswith("run")
    assert window.timeline.label.text().startswith("showing step 0")
    assert window.timeline.branch_button.text() == "Branch from here…"
    for w in (win, late):
        w.close()
