"""Recording from the main window: the Record button, File > Record animation…, and the frames."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtWidgets

from ganscope.app.recording_memory import remember_dialog, restore_dialog


class RecordingControl:
    """The main window's recording commands and the recording under way (`recorder`); MainWindow
    owns one (`window.recording`).

    Parameters
    ----------
    window : MainWindow
        The dialogs' parent, and for its status line (`say`), errors (`_show_error`), `do_action`
        (Play), `_update_skip` (a recording draws layers the screen may not) and its menus' Record
        action.
    settings, plane, panel, worker, lessons
        The settings the last path is kept in, the plane whose layers are offered, the control
        panel's Record button, the worker whose frames are recorded, and the interface language.
    """

    def __init__(self, window, settings, plane, panel, worker, lessons):
        self.window, self.settings, self.plane, self.panel = window, settings, plane, panel
        self.worker, self.lessons = worker, lessons
        self.recorder = None  # a Recorder while recording

    def toggle(self) -> None:
        if self.recorder is None:
            self.start()
        else:
            self.stop()

    def start(self, path: str | None = None, options=None, force: bool = False) -> bool:
        """Start recording drawn frames (asking where and how unless given); plays if paused."""
        from ganscope.core.animation import ExportError

        from .recorder import ExportDialog, Recorder

        if path is None or options is None:
            dialog = ExportDialog(
                self.window, self.settings.value("export/path", str(Path.home() / "ganscope.mp4")), self.plane.visible
            )
            restore_dialog(dialog, self.settings)
            if dialog.exec() != QtWidgets.QDialog.Accepted:
                self.panel.set_checked("record", False)
                return False
            remember_dialog(dialog, self.settings)
            path, options, force = dialog.path.text().strip(), dialog.options(), dialog.force
        try:
            self.recorder = Recorder(path, options, force=force)
        except (ExportError, OSError) as exc:
            self.window._show_error("Cannot record", str(exc))
            self.panel.set_checked("record", False)
            return False
        self.settings.setValue("export/path", path)
        self.window._update_skip()
        self.panel.set_checked("record", True)
        self._set_record_text("Stop recording and save")
        _fid, frame = self.worker.latest()
        if frame is not None:
            self.recorder.offer(frame)  # the picture on screen now is the first frame
        if not self.worker.playing:
            self.window.do_action("play:1")
        return True

    def stop(self) -> str | None:
        """Encode and save; returns the path written, None when cancelled or failed."""
        from ganscope.core.animation import ExportError

        recorder, self.recorder = self.recorder, None
        self.window._update_skip()
        self.panel.set_checked("record", False)
        self._set_record_text("Record animation…")
        if recorder is None:
            return None
        try:
            path = recorder.finish(self.window)
        except (ExportError, OSError) as exc:
            self.window._show_error("Animation not saved", str(exc))
            return None
        if path is None:
            self.window.say("Recording cancelled; nothing written", 6000)
            return None
        self.window.say(f"Saved {recorder.frames} frames to {path}", 8000)
        return str(path)

    def record(self, frame) -> None:
        from ganscope.core.animation import ExportError

        try:
            self.recorder.offer(frame)
        except (ExportError, OSError) as exc:  # e.g. the disk filled up: stop, keep the app running
            self.recorder.abort()
            self.recorder = None
            self.panel.set_checked("record", False)
            self.window._show_error("Recording stopped", f"{exc}. Nothing was written.")

    def _set_record_text(self, en: str) -> None:
        from .i18n import translate

        self.window.menus.record_action.setProperty("_ganscope_en_text", en)
        self.window.menus.record_action.setText(translate(en, self.lessons.lang))
