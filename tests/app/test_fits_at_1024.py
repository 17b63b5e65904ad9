"""What the smallest window the app is made for (1,024 x 700) shows whole, in English and Chinese.

The status bar's speed line: where the room beside the run's state is short, it ends in "…" with
the whole line in its tooltip, instead of being cut off mid-word at the window's edge. The
accuracy chart's "chance" label: inside its plot (its start used to fall off the left edge)."""

from PySide6 import QtWidgets

from ganscope.app.i18n import translate
from tests.app.conftest import shown_window

USUAL = (
    "107 it/s (97% of headless)   32 fps   128² surface every 2 frames, 1,024 points, ~30 fps (training fell behind)"
)
LONGEST = "● REC 12345 frames   " + USUAL.replace("frames,", "frames, " + "x" * 60 + ",")


def _check_shown_whole_or_elided(label, text: str) -> None:
    shown = label.shown_text()
    assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()
    if shown != text:
        assert shown.endswith("…") and text.startswith(shown[:-1]), shown
        assert label.toolTip() == text  # the whole line stays one hover away
    else:
        assert label.toolTip() == ""


def test_the_speed_line_ends_in_an_ellipsis_with_the_whole_line_in_its_tooltip(qtbot, small_cfg, tmp_path):
    from ganscope.core.engine import GanEngine

    with shown_window(qtbot, GanEngine(small_cfg), tmp_path, autosave="") as win:
        win.status_line.show = lambda *args, **kwargs: None  # the texts below stay, not the live ones
        win.resize(1024, 700)
        win.status_step.setText("step 1,104   D(real) -7.37   D(fake) -8.02   modes 8/8")
        for text in (USUAL, translate(USUAL, "zh"), LONGEST, "107 it/s   32 fps"):
            win.status_rate.setText(text)
            for _ in range(5):
                QtWidgets.QApplication.processEvents()
            assert win.width() <= 1024  # the line never widens the window
            _check_shown_whole_or_elided(win.status_rate, text)
        assert win.status_rate.shown_text() == "107 it/s   32 fps"  # a short line is shown whole
        win.status_rate.setText(LONGEST)
        for _ in range(5):
            QtWidgets.QApplication.processEvents()
        assert win.status_rate.shown_text().endswith("…") and win.status_step.text().startswith("step 1,104")


def test_the_chance_line_label_lies_inside_the_accuracy_plot_in_both_languages(qtbot, small_cfg, tmp_path):
    from ganscope.app.i18n import apply_language
    from ganscope.core.engine import GanEngine

    with shown_window(qtbot, GanEngine(small_cfg), tmp_path, autosave="") as win:
        win.resize(1024, 700)
        for lang in ("en", "zh"):
            apply_language(win, lang)
            for _ in range(5):
                QtWidgets.QApplication.processEvents()
            label = win.charts.chance.label
            box = win.charts.plots["acc"].getViewBox().sceneBoundingRect()
            assert label.isVisible() and box.contains(label.sceneBoundingRect()), (lang, label.sceneBoundingRect(), box)
