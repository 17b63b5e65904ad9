"""Unsaved work: knowing when a run or a drawing has changes, asking before they are discarded,
autosaving them, and offering them back after a crash.

The state is a marker (run number, edit count, training step). Saving or opening records it as
clean; training, editing a field or drawing moves it. The autosave is an ordinary session file,
written atomically by the training thread; a clean exit removes it, so finding one at start-up
means the last session ended without closing.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from .i18n_messages import message

AUTOSAVE_MS = 60_000  # at most a minute of work lost to a crash
SAVE_WAIT_S = 120.0  # a save asked for before closing may take this long before the close gives up


def default_autosave_path() -> str:
    folder = QtCore.QStandardPaths.writableLocation(QtCore.QStandardPaths.AppDataLocation)
    return str(Path(folder or Path.home() / ".ganscope") / "autosave.gscope")


class RunKeeper:
    def __init__(self, window, autosave_path: str | None):
        self.window = window
        self.runs = 0
        self.edits = 0
        self.step = 0  # step of the newest drawn frame
        self.clean = (0, 0, 0)
        self.autosaved = None
        self.save_failed = False  # the last save went to a fallback folder or nowhere
        self.autosave_path = default_autosave_path() if autosave_path is None else autosave_path
        self.timer = QtCore.QTimer(window)
        self.timer.timeout.connect(self.autosave)
        if self.autosave_path:
            self.timer.start(AUTOSAVE_MS)

    # --- state --------------------------------------------------------------------------------
    def marker(self) -> tuple:
        return (self.runs, self.edits, self.step)

    def dirty(self) -> bool:
        return self.marker() != self.clean

    def edited(self) -> None:
        self.edits += 1

    def new_run(self, step: int = 0, clean: bool = True) -> None:
        """A new engine replaces the run: fresh, or opened from a file (clean), or not (a sweep cell)."""
        self.runs += 1
        self.step = step
        self.clean = self.marker() if clean else (-1, -1, -1)

    def saved(self, step: int, runs: int, edits: int) -> None:
        """Called on the training thread once a save has been written."""
        self.clean = (runs, edits, step)

    # --- asking ---------------------------------------------------------------------------------
    def confirm_discard(self, what: str) -> bool:
        """True when it is fine to go on with `what` (nothing unsaved, saved now, or discarded)."""
        if not self.dirty():
            return True
        answer = self.window.ask_unsaved(f"The current run has unsaved changes. Save them before {what}?")
        if answer == "cancel":
            return False
        if answer == "save":
            return self._saved_before_going_on()
        return True

    def _saved_before_going_on(self) -> bool:
        """Save and wait for the outcome: a save that failed (the banner says where the run went, if
        anywhere) cancels what was asked, so the user sees the message and the run stays open."""
        ticket = self.window.files.save_session()
        if ticket is None:
            return False
        self.save_failed = False
        deadline = time.monotonic() + SAVE_WAIT_S
        while not self.window.worker.done(ticket):
            if time.monotonic() > deadline:
                return False  # still saving: do not discard the run under it
            QtWidgets.QApplication.processEvents(QtCore.QEventLoop.AllEvents, 50)
        return not self.save_failed

    # --- autosave and recovery ------------------------------------------------------------------
    def autosave(self) -> int | None:
        if not self.autosave_path or not self.dirty() or self.autosaved == self.marker():
            return None
        from ganscope.core.session import save_session

        path = self.autosave_path
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.autosaved = self.marker()
        return self.window.worker.submit(lambda e: save_session(e, path))

    def discard_autosave(self) -> None:
        """A clean exit: nothing to recover next time."""
        if self.autosave_path:
            Path(self.autosave_path).unlink(missing_ok=True)

    def offer_recovery(self) -> bool:
        """If an autosave survived the last session, offer to open it; True when it was opened."""
        path = self.autosave_path
        if not path or not Path(path).is_file():
            return False
        from ganscope.core.session import SessionError, load_session

        try:
            engine = load_session(path)
        except (SessionError, ValueError, OSError):
            Path(path).unlink(missing_ok=True)  # unreadable: nothing to offer
            return False
        when = QtCore.QFileInfo(path).lastModified().toString("yyyy-MM-dd HH:mm")
        answer = self.window.ask_recover(
            f"ganscope did not close normally last time. Recover the run "
            f"autosaved at {when} (step {engine.step_count:,})?"
        )
        if answer is None:
            return False  # nobody to ask (off-screen): leave the file for a later session
        if answer:
            self.window.files.replace_engine(engine, "the recovered run")
            self.new_run(engine.step_count, clean=False)  # recovered, but not saved anywhere yet
            return True
        Path(path).unlink(missing_ok=True)
        return False


def ask_unsaved_dialog(parent, text: str) -> str:
    if QtWidgets.QApplication.platformName() == "offscreen":
        return "discard"  # nobody can click: automated runs go on
    b = QtWidgets.QMessageBox.question(
        parent,
        message("Unsaved changes"),
        message(text),
        QtWidgets.QMessageBox.Save | QtWidgets.QMessageBox.Discard | QtWidgets.QMessageBox.Cancel,
        QtWidgets.QMessageBox.Save,
    )
    return {QtWidgets.QMessageBox.Save: "save", QtWidgets.QMessageBox.Discard: "discard"}.get(b, "cancel")


def ask_recover_dialog(parent, text: str) -> bool | None:
    if QtWidgets.QApplication.platformName() == "offscreen":
        return None
    b = QtWidgets.QMessageBox.question(
        parent,
        message("Recover autosaved run"),
        message(text),
        QtWidgets.QMessageBox.Yes | QtWidgets.QMessageBox.No,
        QtWidgets.QMessageBox.Yes,
    )
    return b == QtWidgets.QMessageBox.Yes
