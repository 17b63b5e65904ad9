"""A save that fails in the app loses nothing: the run goes to a fallback folder (or, when nothing
can be written anywhere, stays open), the banner says where and what to do, and the run stays
unsaved under its old name (issue 18: "keep it in memory in the app and say where")."""

from pathlib import Path

import pytest

from ganscope.app.i18n_messages import message
from ganscope.core.session import load_session
from tests.app.conftest import wait_ticket


def _too_long(tmp_path: Path) -> str:
    return str(tmp_path / ("r" * 300 + ".gscope"))  # past every file system's 255-byte name limit


def test_a_failed_save_writes_the_run_to_the_fallback_folder_and_says_where(qtbot, window, tmp_path, monkeypatch):
    recovered = tmp_path / "recovered"
    monkeypatch.setenv("GANSCOPE_RECOVERY_DIR", str(recovered))
    wait_ticket(qtbot, window, window.do_action("step"))
    step = window.worker.engine.step_count
    wait_ticket(qtbot, window, window.files.save_session(_too_long(tmp_path)))
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10000)
    (copy,) = recovered.iterdir()
    assert str(copy) in window.banner.text() and "the name is too long" in window.banner.text()
    assert load_session(copy).step_count == step  # the copy is the run
    assert window.session_path is None  # the window does not claim a file it could not write
    qtbot.waitUntil(lambda: window.isWindowModified(), timeout=5000)  # and the run is still unsaved
    assert "untitled[*]" in window.windowTitle()


def test_when_nothing_can_be_written_the_run_stays_open_and_trains_on(qtbot, window, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setattr("ganscope.core.outputs.fallback_folders", lambda: [blocker / "recovered"])
    good = str(tmp_path / "earlier.gscope")
    wait_ticket(qtbot, window, window.files.save_session(good))
    wait_ticket(qtbot, window, window.do_action("step"))
    wait_ticket(qtbot, window, window.files.save_session(_too_long(tmp_path)))
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10000)
    assert "nor could the session be written to any fallback folder" in window.banner.text()
    assert window.session_path == good  # still the file it came from
    before = window.worker.engine.step_count
    wait_ticket(qtbot, window, window.do_action("step"))
    assert window.worker.engine.step_count > before  # nothing was thrown away: the run goes on
    assert window.isWindowModified()


@pytest.mark.parametrize("fallback", [True, False])
def test_the_failed_save_message_is_whole_in_chinese(fallback):
    if fallback:
        text = (
            "Could not write the session to /x/a.gscope (the disk is full); the session was written to "
            "/home/u/.ganscope/recovered/a-1.gscope instead. The run stays open here, unsaved."
        )
    else:
        text = (
            "Could not write the session to /x/a.gscope (the name is too long); nor could the session be written "
            "to any fallback folder (/a, /b). The run stays open here, unsaved."
        )
    zh = message(text, "zh")
    assert "/x/a.gscope" in zh and "Could" not in zh and "unsaved" not in zh
    assert ("磁盘已满" if fallback else "文件名过长") in zh


def test_closing_with_save_chosen_but_failing_keeps_the_window_and_the_run(qtbot, window, tmp_path, monkeypatch):
    monkeypatch.setenv("GANSCOPE_RECOVERY_DIR", str(tmp_path / "recovered"))
    wait_ticket(qtbot, window, window.do_action("step"))
    window.ask_unsaved = lambda text: "save"
    window._ask_path = lambda *a: _too_long(tmp_path)
    window.close()  # "Save them before closing?" -> Save, and the save fails
    assert window.isVisible() and window.worker._thread.is_alive()  # the user sees why, and the run is here
    assert window.banner.isVisible() or not window._errors.empty()
    window.ask_unsaved = lambda text: "discard"
    window.close()
    assert not window.isVisible()
