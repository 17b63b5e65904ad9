"""What a newcomer tripped over (issue 14), each checked on the real window, offscreen."""

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from tests.app.conftest import wait_ticket


def sync(qtbot, win):
    wait_ticket(qtbot, win, win.worker.submit(lambda e: None))


def wheel(widget, up=True):
    """One notch of the mouse wheel over the widget's centre."""
    pos = QtCore.QPointF(widget.width() / 2, widget.height() / 2)
    event = QtGui.QWheelEvent(
        pos,
        widget.mapToGlobal(pos),
        QtCore.QPoint(0, 0),
        QtCore.QPoint(0, 120 if up else -120),
        QtCore.Qt.NoButton,
        QtCore.Qt.NoModifier,
        QtCore.Qt.NoScrollPhase,
        False,
    )
    QtWidgets.QApplication.sendEvent(widget, event)


# --- 1. state left over from the previous run ---------------------------------------------------
def test_a_new_preset_forgets_the_drawing_trails_marks_and_draw_mode(qtbot, window):
    window.panel.buttons["draw"].click()
    handler = window.plane.getViewBox().draw_handler
    for i, x in enumerate(np.linspace(-1, 1, 6)):
        handler(x, 0.5, i == 0, i == 5)
    for _ in range(3):
        wait_ticket(qtbot, window, window.do_action("step"))
    window.charts.mark("hopping", 2, "mode hopping")
    assert len(window.plane.sketch.data) and len(window.plane._history) > 1
    wait_ticket(qtbot, window, window.do_action("preset:spiral"))
    assert window.engine.cfg.target.kind == "spiral"
    assert len(window.plane.sketch.data) == 0 and len(window.sketch.points) == 0  # no grey ghost
    assert window.plane.getViewBox().draw_handler is None and not window.panel.buttons["draw"].isChecked()
    assert window.charts.markers == {}
    assert len(window.plane._history) <= 1  # trails start again with the new run
    assert window.plane.trails.xData is None or len(window.plane.trails.xData) == 0  # old trails gone


def test_a_redrawn_step_adds_no_trail_point(qtbot, window):
    """A paused run's frame drawn again (a layer toggled, a frame sent twice) leaves the trail as it was."""
    plane = window.plane
    plane.clear_trails()
    first = window.engine.frame()
    window.engine.step(1)
    second = window.engine.frame()
    for f in (first, first, second, second, second):
        plane.draw(f)
    assert len(plane._history) == 2  # one point per step drawn, not one per draw
    assert np.array_equal(plane._history[0], first.fake[: len(plane._history[0])])


def test_imported_points_replaced_by_a_stroke_come_back_with_undo(qtbot, window, tmp_path):
    f = tmp_path / "pts.csv"
    f.write_text("x,y\n0,0\n1,1\n-1,1\n")
    wait_ticket(qtbot, window, window.files.import_points(str(f)))
    window.panel.buttons["draw"].click()
    handler = window.plane.getViewBox().draw_handler
    shown = window.plane.sketch.data
    assert len(shown) == 3  # the drawing shows the imported target, not an old drawing
    for i in range(3):
        handler(2.0, -2.0, i == 0, i == 2)
    sync(qtbot, window)
    assert len(window.engine.cfg.target.points) == 3 + 24  # the stroke adds to the imported points
    window.do_action("undo")
    sync(qtbot, window)
    assert window.engine.cfg.target.points == [[0, 0], [1, 1], [-1, 1]]


# --- 2. the wheel -------------------------------------------------------------------------------
def test_the_wheel_changes_a_control_only_when_it_has_focus(qtbot, window):
    window.lessons_dock.hide()
    r2 = window.panel.fields["objective.r2"]
    assert r2.focusPolicy() == QtCore.Qt.StrongFocus
    window.panel.setFocus()
    wheel(r2)
    loss = window.panel.fields["objective.loss"]
    before = loss.currentIndex()
    wheel(loss, up=False)
    slider = window.panel.fields["d_opt.lr"].slider
    pos = slider.value()
    wheel(slider)
    sync(qtbot, window)
    assert r2.value() == 0 and window.engine.cfg.objective.r2 == 0  # scrolling past changed nothing
    assert loss.currentIndex() == before and slider.value() == pos
    window.activateWindow()
    r2.setFocus()
    qtbot.waitUntil(r2.hasFocus, timeout=5000)
    wheel(r2)
    assert r2.value() > 0  # a focused box still takes the wheel


# --- 4. the window fits the screen and its size is remembered ----------------------------------
def test_the_window_fits_the_screen_and_its_size_is_remembered(qtbot, window, small_cfg):
    from ganscope.app.main_window import MainWindow
    from ganscope.core.engine import GanEngine

    area = window.screen().availableGeometry()
    qtbot.waitUntil(lambda: area.contains(window.frameGeometry()), timeout=5000)
    window.resize(area.width() - 40, area.height() - 120)  # inside the screen, above the minimum
    window.close()
    again = MainWindow(GanEngine(small_cfg), settings=window.settings, autosave="")
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (area.width() - 40, area.height() - 120)
    again.close()
    window.settings.setValue("geometry", None)
    window.settings.remove("geometry")


def test_main_does_not_resize_the_window_after_restoring_it():
    import inspect

    from ganscope.app import main as app_main

    assert ".resize(" not in inspect.getsource(app_main.run_app)


# --- 5. Play and Record say what they do -------------------------------------------------------
def test_play_and_record_buttons_say_pause_and_stop(qtbot, window, tmp_path):
    play = window.panel.buttons["play"]
    assert play.text() == "Play"
    play.click()
    assert play.text() == "Pause"
    window.do_action("play:0")
    assert play.text() == "Play"
    from ganscope.app.export import ExportOptions

    assert window.start_recording(str(tmp_path / "a.gif"), ExportOptions(width=64, height=64, every=1))
    assert window.panel.buttons["record"].text() == "■ Stop recording"
    window.set_language("zh")
    assert window.panel.buttons["record"].text() == "■ 停止录制"
    window.stop_recording()
    assert window.panel.buttons["record"].text() == "● 录制…"
    window.set_language("en")
    assert window.panel.buttons["record"].text() == "● Record…" and play.text() == "Pause"  # recording played
    window.do_action("play:0")
    assert play.text() == "Play"


# --- 6, 7. status bar, title, save --------------------------------------------------------------
def test_status_bar_never_shows_nan():
    from types import SimpleNamespace

    from ganscope.app.run_state import status_line

    frame = SimpleNamespace(step=0, centres=np.zeros((8, 2)), metrics={"d_real": float("nan"), "modes": float("nan")})
    text = status_line(frame, [], lambda t: t)
    assert "nan" not in text.lower() and "D(real) –" in text and "D(fake) –" in text and "modes –/8" in text


def test_title_names_the_file_and_save_saves_to_it(qtbot, window, tmp_path):
    wait_ticket(qtbot, window, window.do_action("step"))
    qtbot.waitUntil(lambda: "untitled[*]" in window.windowTitle(), timeout=5000)
    assert window.isWindowModified()
    path = str(tmp_path / "mine.gscope")
    wait_ticket(qtbot, window, window.files.save_session(path))
    qtbot.waitUntil(
        lambda: window.windowTitle().startswith("mine.gscope[*]") and not window.isWindowModified(), timeout=5000
    )
    asked = []
    window._ask_path = lambda *a: asked.append(a) or None
    wait_ticket(qtbot, window, window.do_action("step"))
    wait_ticket(qtbot, window, window.files.save_session())  # Ctrl+S: the same file, no question
    assert asked == [] and window.session_path == path
    from ganscope.app.run_state import save_session_as

    assert save_session_as(window) is None and len(asked) == 1  # Save As asks (and was cancelled)
    wait_ticket(qtbot, window, window.do_action("preset:ring"))
    assert window.session_path is None  # a new run is not the old file


def test_preset_box_names_the_loaded_preset_or_says_custom(qtbot, window):
    box = window.panel.preset
    assert box.currentIndex() == -1 and box.placeholderText() == "custom"  # the tests' small config
    wait_ticket(qtbot, window, window.do_action("preset:moons"))
    assert box.currentText() == "moons"


# --- 6. a lesson's end card ---------------------------------------------------------------------
def test_a_lesson_ends_with_a_card_and_its_button_starts_the_remedy(qtbot, window):
    from ganscope.core.scenarios import load_scenario

    s = load_scenario("lesson-5-collapse")
    s.steps = 60  # the same lesson, cut short
    window.lessons.scenarios = [s if x.name == s.name else x for x in window.lessons.scenarios]
    assert window.lessons.run(s.name) is not None
    qtbot.waitUntil(lambda: window.end_card.isVisible(), timeout=60000)
    text = window.end_card.text.text()
    assert "Lesson finished" in text and "Modes captured:" in text and "of 8" in text
    assert "High-quality samples:" in text and "Detectors" in text and "7a" in window.end_card.next_button.text()
    ticket = window.end_card.start_next()
    wait_ticket(qtbot, window, ticket)
    assert window.engine.cfg.objective.loss == "wgan-gp" and not window.end_card.isVisible()
    wait_ticket(qtbot, window, window.do_action("play:0"))


# --- 7. a stalled D -----------------------------------------------------------------------------
def test_a_stalled_d_shows_a_banner_whose_button_resets_d(qtbot, window):
    from types import SimpleNamespace

    from ganscope.core.detectors import Detection

    frame = SimpleNamespace(
        step=900,
        detections={"stalled": Detection("stalled", True, "G has received no gradient... press Reset D", 700, "…")},
    )
    window.docks.show_detections(frame)
    assert window.stall_banner.isVisible() and "Reset D" in window.stall_banner.text.text()
    assert "stalled" in window.charts.markers
    resets = window.engine._resets["D"]
    window.stall_banner.reset.click()
    sync(qtbot, window)
    assert window.engine._resets["D"] == resets + 1 and not window.stall_banner.isVisible()


# --- 8. what am I looking at, and Help ----------------------------------------------------------
def test_help_explains_every_layer_and_chart_in_both_languages(qtbot, window):
    from ganscope.app.explain_panel import ITEMS
    from ganscope.app.views.plane import LAYERS

    actions = {a.text(): a for a in window.menuBar().actions()[-1].menu().actions()}
    explain = actions["What am I looking at?"]
    assert explain.shortcut() == QtGui.QKeySequence(QtGui.QKeySequence.HelpContents)
    explain.trigger()
    text = window.explain_dock.widget().toPlainText()
    for label, _on in LAYERS.values():
        assert label in text
    for title in ("Loss", "D accuracy", "Gradient norm (log)", "JS (bits)", "MMD", "high quality"):
        assert title in text
    assert len(ITEMS["zh"]) == len(ITEMS["en"]) and all(
        len(a[1]) == len(b[1]) for a, b in zip(ITEMS["en"], ITEMS["zh"])
    )
    window.set_language("zh")
    assert "决策曲面" in window.explain_dock.widget().toPlainText()
    assert window.explain_dock.windowTitle() == "我在看什么？"
    window.set_language("en")
    assert window.explain_dock.windowTitle() == "What am I looking at?"


def test_help_has_version_shortcuts_and_the_lessons(qtbot, window):
    from ganscope.app.help_menu import app_version, show_about, show_shortcuts

    about = show_about(window)
    body = about.findChild(QtWidgets.QTextBrowser).toPlainText()
    assert app_version() in body and "Lessons" in body
    about.close()
    keys = show_shortcuts(window).findChild(QtWidgets.QTextBrowser).toPlainText()
    for key in ("Space", "Ctrl+Z", "Ctrl+E", "F1", "Ctrl+Shift+S"):
        assert key in keys
    window.lessons_dock.hide()
    actions = {a.text(): a for a in window.menuBar().actions()[-1].menu().actions()}
    actions["Open the lessons"].trigger()
    assert window.lessons_dock.isVisible()


# --- 9. recording defaults ----------------------------------------------------------------------
def test_record_dialog_suits_slow_machines_and_remembers_its_choices(qtbot, window, tmp_path):
    from ganscope.app.recorder import ExportDialog
    from ganscope.app.recording_memory import remember_dialog, restore_dialog

    dialog = ExportDialog(window, str(tmp_path / "a.mp4"), window.plane.visible)
    qtbot.addWidget(dialog)
    restore_dialog(dialog, window.settings)
    assert dialog.every.value() == 1 and dialog.fps.value() <= 15  # every drawn frame, shown slower
    assert dialog.every.focusPolicy() == QtCore.Qt.StrongFocus  # the wheel guard is on the dialog too
    dialog.charts.setChecked(True)
    dialog.fps.setValue(20)
    remember_dialog(dialog, window.settings)
    again = ExportDialog(window, str(tmp_path / "a.mp4"), window.plane.visible)
    qtbot.addWidget(again)
    restore_dialog(again, window.settings)
    assert again.charts.isChecked() and again.fps.value() == 20


def test_exported_charts_fit_beside_the_plane_at_800x600(qtbot, small_cfg):
    """Each chart's title wraps to the chart's width: none is pushed past the picture's right edge."""
    from ganscope.app.export import ExportOptions, FrameRenderer
    from ganscope.core.chart_data import chart_snapshot
    from ganscope.core.engine import GanEngine

    e = GanEngine(small_cfg)
    e.step(30)
    frame = e.frame()
    frame.charts = chart_snapshot(e)
    r = FrameRenderer(ExportOptions(width=800, height=600, charts=True))
    r.render(frame)
    view = r.charts
    for plot in view.plots.values():
        right = view.mapFromScene(plot.mapToScene(plot.boundingRect().topRight())).x()
        assert right <= view.width() + 1, plot
    r.close()


def test_chinese_translates_units_and_fits_the_controls(qtbot, window):
    width = window.panel.fields["generator.width"]
    window.set_language("zh")
    assert width.suffix() == " 个单元" and window.panel.fields["d_opt.steps"].suffix() == " 步"
    scroll = window.findChild(QtWidgets.QDockWidget, "controls").widget()
    assert scroll.minimumWidth() >= window.panel.minimumSizeHint().width()  # nothing cut at the right
    window.set_language("en")
    assert width.suffix() == " units"


def test_reset_all_asks_first_and_the_mixture_table_rounds(qtbot, window):
    wait_ticket(qtbot, window, window.do_action("preset:mixture"))
    for _ in range(2):
        wait_ticket(qtbot, window, window.do_action("step"))
    window.ask_unsaved = lambda text: "cancel"
    assert window.do_action("reset_all") is None
    sync(qtbot, window)
    assert window.engine.step_count == 2  # kept
    window.ask_unsaved = lambda text: "discard"
    wait_ticket(qtbot, window, window.do_action("reset_all"))
    assert window.engine.step_count == 0
    window.sketch_tool.move_components([[-1.99779, 0.000731234], [1.0, 1.0], [0.0, -1.5]])
    table = window.panel.mixture
    assert table.item(0, 0).text() == "-2" and table.item(0, 1).text() == "0.000731"
    table.item(1, 2).setText("0.5")  # an edit elsewhere sends the exact values of the other cells
    sync(qtbot, window)
    assert window.engine.cfg.target.centres[0] == [-1.99779, 0.000731234]
    assert window.engine.cfg.target.sigmas[1] == 0.5


# --- 10. the sweep panel ------------------------------------------------------------------------
def test_sweep_panel_names_fields_has_a_colour_bar_and_outlines_the_open_cell(qtbot, window):
    window.docks.show_sweep()
    assert window.sweep_dock.isFloating() and window.sweep_dock.allowedAreas() == QtCore.Qt.NoDockWidgetArea
    p = window.sweep
    combo = p.axes["x"][0]
    assert combo.currentText() == "D learning rate" and p.axis_spec("x").startswith("d_opt.lr=")
    for name in ("x", "y"):
        p.axes[name][3].setValue(2)
    p.steps.setValue(20)
    assert p.start()
    qtbot.waitUntil(lambda: not p.running and not p.timer.isActive(), timeout=60000)
    assert p.colorbar.levels() == (0.0, float(window.engine.target.n_modes))
    assert p.plot.getAxis("bottom").labelText == "D learning rate"
    assert p.open_cell(1, 0)
    assert p.chosen is not None and p.chosen.rect() == QtCore.QRectF(1, 0, 1, 1)
    sync(qtbot, window)
    qtbot.waitUntil(lambda: "step 20" in window.status_step.text(), timeout=10000)
    assert "nan" not in window.status_step.text()


# --- 3. drawing is easy to find and does not persist --------------------------------------------
def test_draw_target_is_on_the_toolbar_and_ends_with_the_run(qtbot, window):
    draw = window.draw_action
    assert draw.shortcut() == QtGui.QKeySequence("Ctrl+D")
    draw.trigger()
    assert window.plane.getViewBox().draw_handler is not None and window.panel.buttons["draw"].isChecked()
    wait_ticket(qtbot, window, window.lessons.run("lesson-2-chance"))
    assert window.plane.getViewBox().draw_handler is None and not draw.isChecked()
    wait_ticket(qtbot, window, window.do_action("play:0"))


def test_plots_follow_a_dark_palette(qtbot, window):
    from ganscope.app.palette_follow import follow_palette

    app = QtWidgets.QApplication.instance()
    light = app.palette()
    dark = QtGui.QPalette(light)
    for role, colour in (
        (QtGui.QPalette.Window, "#202124"),
        (QtGui.QPalette.Base, "#121212"),
        (QtGui.QPalette.Text, "#e8e8e8"),
    ):
        dark.setColor(role, QtGui.QColor(colour))
    try:
        app.setPalette(dark)
        qtbot.waitUntil(lambda: window.plane.backgroundBrush().color().lightness() < 64, timeout=5000)
        assert window.charts.backgroundBrush().color().lightness() < 64
        assert window.charts.plots["loss"].getAxis("left").textPen().color().lightness() > 192
    finally:
        app.setPalette(light)
    assert not follow_palette(window) and window.plane.backgroundBrush().color() == QtGui.QColor("white")
