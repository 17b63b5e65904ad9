"""Lessons from the app: one click loads, scripts and stops a lesson; detectors show; two languages."""

from tests.app.conftest import wait_ticket


def test_running_a_lesson_plays_its_script_stops_at_its_end_and_shows_the_detector(qtbot, window):
    p = window.lessons
    names = [s.name for s in p.scenarios]
    p.list.setCurrentRow(names.index("lesson-4-vanishing"))
    assert p.run_current() is not None
    qtbot.waitUntil(lambda: window.worker.step_count() == 1500 and not window.worker.playing, timeout=60000)
    e = window.engine
    assert e.cfg.objective.loss == "minimax" and e.players == ("D",)
    qtbot.waitUntil(lambda: "vanishing gradient" in window.detect_label.text(), timeout=10000)
    assert window.detect_label.isVisible() and "vanishing" in window.charts.markers
    # Play after the end: free play, both players.
    wait_ticket(qtbot, window, window.do_action("play:1"))
    qtbot.waitUntil(lambda: window.worker.step_count() > 1510, timeout=20000)
    assert set(window.engine.players) == {"D", "G"} and window.engine.stop_at is None


def test_a_lesson_with_a_reset_in_its_script(qtbot, window):
    p = window.lessons
    assert p.run("lesson-8b-reuse-d") is not None
    qtbot.waitUntil(lambda: window.worker.step_count() > 2000, timeout=60000)
    wait_ticket(qtbot, window, window.do_action("play:0"))
    assert window.engine._resets == {"G": 1, "D": 0}  # G was replaced at step 2,000, D kept


def test_language_switch_translates_the_lessons_and_is_remembered(qtbot, window, tmp_path, small_cfg):
    window.set_language("zh")
    p = window.lessons
    assert p.list.item(0).text().startswith("1. 判别器") and p.run_button.text() == "运行这一课"
    assert "判别器" in p.text.toPlainText()
    # The interface too: menus, buttons, group titles, chart titles.
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus[:2] == ["文件(&F)", "运行(&R)"] and window.panel.buttons["play"].text() == "播放"
    title = window.charts.plots["loss"].titleLabel.text
    assert title.startswith("损失") and "判别器损失" in title and "D loss" not in title
    assert window.charts.chance.label.format == "随机水平"
    legend = [label.text for _s, label in window.plane.legend.items]
    assert legend == ["真实", "生成"]
    assert window.settings.value("language") == "zh"
    from ganscope.app.main_window import MainWindow
    from ganscope.core.engine import GanEngine

    again = MainWindow(GanEngine(small_cfg), settings=window.settings, autosave="")
    qtbot.addWidget(again)
    assert again.lessons.lang == "zh" and again.menus.language_actions["zh"].isChecked()
    again.close()
    window.set_language("en")
    assert p.list.item(0).text().startswith("1. The discriminator")
    assert window.panel.buttons["play"].text() == "Play" and window.menuBar().actions()[0].text() == "&File"
    assert [label.text for _s, label in window.plane.legend.items] == ["real", "generated"]


def test_a_lesson_asks_before_discarding_unsaved_work(qtbot, window):
    for _ in range(3):
        window.do_action("step")
    wait_ticket(qtbot, window, window.do_action("step"))
    window.ask_unsaved = lambda text: "cancel"
    step = window.engine.step_count
    assert window.lessons.run("lesson-2-chance") is None
    assert window.engine.step_count == step and not window.worker.playing
    window.ask_unsaved = lambda text: "discard"
