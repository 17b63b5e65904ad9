import pytest

pytest.importorskip("pytestqt")

from PySide6 import QtCore  # noqa: E402

from core.engine import GanEngine  # noqa: E402


@pytest.fixture
def window(qtbot, small_cfg, tmp_path):
    """The real main window on a small engine, with settings kept in a temporary file."""
    from app.main_window import MainWindow
    settings = QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.IniFormat)
    win = MainWindow(GanEngine(small_cfg), settings=settings, autosave=str(tmp_path / "autosave.gscope"))
    qtbot.addWidget(win)
    win.show()
    yield win
    # A test may have told the window to keep unsaved work; the fixture must still close it, or
    # its collector timer stays registered and automatic garbage collection stays off.
    win.ask_unsaved = lambda text: "discard"
    win.close()


def wait_ticket(qtbot, win, ticket, timeout=10000):
    """Wait until the worker has run a command and the window has drawn the frame after it."""
    qtbot.waitUntil(lambda: win.worker.done(ticket), timeout=timeout)
    fid = win.worker.latest()[0]
    qtbot.waitUntil(lambda: win._drawn_id >= fid, timeout=timeout)
