"""Recording from the app: the options dialog, and a Recorder that turns drawn frames into a file.

The recorder renders its own off-screen copy of the plane at the chosen size (so the export does not
depend on the window's size) from the same Frames the window draws, keeping a frame whenever at
least `every` iterations have passed since the last kept one. Stopping encodes what is pending with
a cancellable progress dialog; cancelling or failing leaves no file behind.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtWidgets

from ganscope.app.wheel_guard import guard_wheel
from ganscope.core.animation import (
    FORMAT_NAMES,
    MAX_FPS,
    MAX_SIDE,
    MIN_SIDE,
    AnimationWriter,
    ExportCancelled,
    ExportError,
    check_output,
    output_format,
)
from ganscope.core.frames import Frame

from .controls.widgets import spin
from .export import ExportOptions, FrameRenderer
from .i18n_messages import message
from .views.plane import LAYERS

EXTENSIONS = {"mp4": ".mp4", "gif": ".gif", "png": ""}


class ExportDialog(QtWidgets.QDialog):
    """Where and how to record; `result_options()` after accept()."""

    def __init__(self, parent, default_path: str, layers: dict):
        super().__init__(parent)
        self.setWindowTitle("Record animation")
        form = QtWidgets.QFormLayout(self)
        self.format = QtWidgets.QComboBox()
        for key, name in FORMAT_NAMES.items():
            self.format.addItem(name, key)
        self.format.currentIndexChanged.connect(self._format_changed)
        form.addRow("Format", self.format)
        row = QtWidgets.QHBoxLayout()
        self.path = QtWidgets.QLineEdit(default_path)
        self.path.setMinimumWidth(320)
        self.path.editingFinished.connect(self._path_changed)
        browse = QtWidgets.QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form.addRow("Save to", row)
        self.width_ = spin(MIN_SIDE, MAX_SIDE, 800, 2, suffix=" px")
        self.height_ = spin(MIN_SIDE, MAX_SIDE, 600, 2, suffix=" px")
        size = QtWidgets.QHBoxLayout()
        size.addWidget(self.width_)
        size.addWidget(QtWidgets.QLabel("×"))
        size.addWidget(self.height_)
        form.addRow("Size", size)
        self.fps = spin(1, MAX_FPS["mp4"], 30, 1, suffix=" frames/s")
        form.addRow("Playback speed", self.fps)
        self.every = spin(1, 100_000, 20, 1, suffix=" iterations")
        self.every.setToolTip("At least this many training iterations between recorded frames")
        form.addRow("Between frames", self.every)
        self.charts = QtWidgets.QCheckBox("Charts beside the plane")
        self.caption = QtWidgets.QCheckBox("Caption with step and key metrics")
        self.caption.setChecked(True)
        form.addRow(self.charts)
        form.addRow(self.caption)
        layer_box = QtWidgets.QGroupBox("Layers")
        grid = QtWidgets.QGridLayout(layer_box)
        self.layers = {}
        for i, (key, (label, _on)) in enumerate(LAYERS.items()):
            cb = QtWidgets.QCheckBox(label)
            cb.setChecked(bool(layers.get(key, False)))
            self.layers[key] = cb
            grid.addWidget(cb, i // 2, i % 2)
        form.addRow(layer_box)
        self.message = QtWidgets.QLabel()
        self.message.setStyleSheet("color: #a03000")
        self.message.setWordWrap(True)
        form.addRow(self.message)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.Ok | QtWidgets.QDialogButtonBox.Cancel)
        buttons.button(QtWidgets.QDialogButtonBox.Ok).setText(message("Start recording"))
        buttons.accepted.connect(self._check_and_accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.force = False
        guard_wheel(self)

    def _format_changed(self) -> None:
        fmt = self.format.currentData()
        self.fps.setMaximum(MAX_FPS[fmt])
        p = Path(self.path.text() or "ganscope")
        self.path.setText(str(p.with_suffix(EXTENSIONS[fmt])))

    def _path_changed(self) -> None:
        """The format follows a typed or browsed name; an unknown extension is reported on OK."""
        try:
            fmt = output_format(self.path.text().strip())
        except ExportError:
            return
        with QtCore.QSignalBlocker(self.format):
            self.format.setCurrentIndex(self.format.findData(fmt))
        self.fps.setMaximum(MAX_FPS[fmt])

    def _browse(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, message("Save animation as"), self.path.text(), "Animations (*.mp4 *.gif);;All files (*)"
        )
        if path:
            self.path.setText(path)
            self._path_changed()

    def options(self) -> ExportOptions:
        return ExportOptions(
            width=self.width_.value(),
            height=self.height_.value(),
            fps=self.fps.value(),
            every=self.every.value(),
            charts=self.charts.isChecked(),
            caption=self.caption.isChecked(),
            layers={k: cb.isChecked() for k, cb in self.layers.items()},
        )

    def _check_and_accept(self) -> None:
        """Refuse a bad destination here, while the user can still fix it; ask before overwriting."""
        path = self.path.text().strip()
        try:
            check_output(path, force=True)
        except ExportError as exc:
            self.message.setText(str(exc))
            return
        self.force = False
        if Path(path).exists():
            answer = QtWidgets.QMessageBox.question(
                self, message("Replace file?"), message(f"{path} already exists. Replace it when recording stops?")
            )
            if answer != QtWidgets.QMessageBox.Yes:
                return
            self.force = True
        self.accept()


class Recorder:
    """Keeps frames of a running session and writes them out on `finish()`."""

    def __init__(self, path: str, options: ExportOptions, force: bool = False):
        self.options = options
        self.writer = AnimationWriter(path, options.fps, force=force)  # validates before recording
        self.renderer = FrameRenderer(options)
        self.last_step: int | None = None

    @property
    def frames(self) -> int:
        return self.writer.frames

    def offer(self, frame: Frame) -> bool:
        """Record this frame if enough iterations passed (or training went back); True if kept."""
        if self.last_step is not None and 0 <= frame.step - self.last_step < self.options.every:
            return False
        self.writer.add(self.renderer.render(frame))
        self.last_step = frame.step
        return True

    def finish(self, parent: QtWidgets.QWidget | None = None) -> Path | None:
        """Encode with a progress dialog; None if the user cancelled (nothing is written)."""
        progress = QtWidgets.QProgressDialog(message("Encoding the animation…"), message("Cancel"), 0, 100, parent)
        progress.setWindowModality(QtCore.Qt.WindowModal)
        progress.setMinimumDuration(300)

        def report(done: int, total: int) -> bool:
            progress.setMaximum(total)
            progress.setValue(done)
            QtWidgets.QApplication.processEvents()
            return not progress.wasCanceled()

        try:
            return self.writer.finish(report)
        except ExportCancelled:
            return None
        finally:
            progress.close()
            self.renderer.close()

    def abort(self) -> None:
        self.writer.abort()
        self.renderer.close()
