"""Unsaved work is asked about before it is discarded, autosaved, and offered back after a crash."""

from pathlib import Path

from PySide6 import QtCore

from ganscope.core.engine import GanEngine
from ganscope.core.presets import preset_config
from tests.app.conftest import wait_ticket


def answers(window, *replies):
    """Make the window's 'unsaved changes?' question return these replies (then 'discard', as the
    fixture's closing needs), recording the questions."""
    asked, queue = [], list(replies)

    def ask(text):
        asked.append(text)
        return queue.pop(0) if queue else "discard"

    window.ask_unsaved = ask
    return asked


def train(qtbot, window, steps=3):
    for _ in range(steps):
        window.do_action("step")
    wait_ticket(qtbot, window, window.do_action("step"))


def test_a_fresh_run_is_not_dirty_and_training_makes_it_so(qtbot, window):
    wait_ticket(qtbot, window, window.do_action("reset_all"))
    assert not window.keeper.dirty()
    train(qtbot, window)
    assert window.keeper.dirty()


def test_new_run_asks_and_cancel_keeps_the_run(qtbot, window):
    train(qtbot, window)
    step = window.engine.step_count
    asked = answers(window, "cancel", "discard")
    assert window.load_config(preset_config("ring")) is None
    assert "unsaved changes" in asked[0] and window.engine.step_count == step
    wait_ticket(qtbot, window, window.load_config(preset_config("ring")))
    assert window.engine.step_count == 0 and len(asked) == 2


def test_a_preset_cancelled_leaves_the_preset_box_on_the_current_run(qtbot, window):
    train(qtbot, window)
    answers(window, "cancel")
    before = window.panel.preset.currentText()
    assert window.do_action("preset:grid") is None
    assert window.panel.preset.currentText() == before


def test_save_from_the_question_writes_the_session_then_goes_on(qtbot, window, tmp_path):
    train(qtbot, window)
    answers(window, "save")
    window._ask_path = lambda *a: str(tmp_path / "kept.gscope")
    wait_ticket(qtbot, window, window.load_config(preset_config("ring")))
    from ganscope.core.session import load_session

    assert load_session(tmp_path / "kept.gscope").step_count == 4


def test_saving_makes_the_run_clean_until_it_trains_again(qtbot, window, tmp_path):
    train(qtbot, window)
    wait_ticket(qtbot, window, window.files.save_session(str(tmp_path / "s.gscope")))
    assert not window.keeper.dirty()
    asked = answers(window)
    wait_ticket(qtbot, window, window.load_config(preset_config("ring")))
    assert asked == []  # nothing unsaved: no question


def test_drawing_counts_as_unsaved_work(qtbot, window):
    wait_ticket(qtbot, window, window.do_action("reset_all"))
    wait_ticket(qtbot, window, window.files.set_drawn_points([[0, 0], [1, 1], [0.5, 0.2]]))
    assert window.keeper.dirty()


def test_closing_with_unsaved_work_can_be_cancelled(qtbot, window):
    train(qtbot, window)
    answers(window, "cancel", "discard")
    window.close()
    assert window.isVisible() and window.worker._thread.is_alive()
    window.close()
    assert not window.isVisible() and not window.worker._thread.is_alive()


def test_autosave_after_a_crash_is_offered_back(qtbot, window, tmp_path, small_cfg):
    from ganscope.app.main_window import MainWindow

    path = Path(window.keeper.autosave_path)
    train(qtbot, window, 5)
    ticket = window.keeper.autosave()
    assert ticket is not None
    qtbot.waitUntil(lambda: window.worker.done(ticket), timeout=10000)
    assert path.is_file() and window.keeper.autosave() is None  # nothing new since
    # A crash: the first window never closes cleanly. The next start finds the autosave.
    settings = QtCore.QSettings(str(tmp_path / "s2.ini"), QtCore.QSettings.IniFormat)
    second = MainWindow(GanEngine(small_cfg), settings=settings, autosave=str(path))
    qtbot.addWidget(second)
    offered = []
    second.ask_recover = lambda text: offered.append(text) or True
    assert second.keeper.offer_recovery()
    assert "did not close normally" in offered[0] and "step 6" in offered[0]
    qtbot.waitUntil(lambda: second.worker.step_count() == 6, timeout=10000)
    assert second.keeper.dirty()  # recovered, not yet saved anywhere
    second.ask_unsaved = lambda text: "discard"
    second.close()
    assert not path.exists()  # a clean exit leaves nothing to recover


def test_declining_recovery_removes_the_autosave(qtbot, tmp_path, small_cfg):
    from ganscope.app.main_window import MainWindow
    from ganscope.core.session import save_session

    path = tmp_path / "autosave.gscope"
    save_session(GanEngine(small_cfg), path)
    settings = QtCore.QSettings(str(tmp_path / "s.ini"), QtCore.QSettings.IniFormat)
    win = MainWindow(GanEngine(small_cfg), settings=settings, autosave=str(path))
    qtbot.addWidget(win)
    win.ask_recover = lambda text: False
    assert not win.keeper.offer_recovery() and not path.exists()
    path.write_bytes(b"not a session")  # unreadable: silently dropped, nothing offered
    win.ask_recover = lambda text: (_ for _ in ()).throw(AssertionError("asked"))
    assert not win.keeper.offer_recovery() and not path.exists()
    win.close()
