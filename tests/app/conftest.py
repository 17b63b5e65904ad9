import contextlib

import pytest

pytest.importorskip("pytestqt")

from PySide6 import QtCore  # noqa: E402

from ganscope.core.engine import GanEngine  # noqa: E402


@contextlib.contextmanager
def shown_window(qtbot, engine, tmp_path, **options):
    """The real main window on `engine`, shown, with settings kept in a temporary file; closed at the end."""
    from ganscope.app.main_window import MainWindow

    settings = QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.IniFormat)
    win = MainWindow(engine, settings=settings, **options)
    qtbot.addWidget(win)
    win.show()
    try:
        yield win
    finally:
        # A test may have told the window to keep unsaved work; it must still close, or its
        # collector timer stays registered and automatic garbage collection stays off.
        win.ask_unsaved = lambda text: "discard"
        win.close()


@pytest.fixture
def window(qtbot, small_cfg, tmp_path):
    """The real main window on a small engine, autosaving into the test's folder."""
    with shown_window(qtbot, GanEngine(small_cfg), tmp_path, autosave=str(tmp_path / "autosave.gscope")) as win:
        yield win


def wait_ticket(qtbot, win, ticket, timeout=10000):
    """Wait until the worker has run a command and the window has drawn the frame after it."""
    qtbot.waitUntil(lambda: win.worker.done(ticket), timeout=timeout)
    fid = win.worker.latest()[0]
    qtbot.waitUntil(lambda: win._drawn_id >= fid, timeout=timeout)


def assert_ends_by_itself(thread, what: str, timeout: float = 30.0) -> None:
    """A thread ends within a generous deadline (a hang fails with a message; a slow machine passes)."""
    if thread is not None:
        thread.join(timeout)
        assert not thread.is_alive(), f"{what} was still running {timeout:.0f} s after the window closed"


def assert_nothing_left_running(window, timeout: float = 30.0) -> None:
    """After close(): the training thread and the training process (if one was started) end. Waits
    on the process's sentinel, never on waitpid, so whoever reaps the child is undisturbed."""
    from multiprocessing.connection import wait

    assert_ends_by_itself(window.worker._thread, "the training thread", timeout)
    remote = window.worker._remote
    if remote is not None and remote.started:
        assert wait([remote._proc.sentinel], timeout), (
            f"the training process was still running {timeout:.0f} s after the window closed"
        )
