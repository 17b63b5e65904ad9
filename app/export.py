"""Off-screen rendering of the app's own views into RGB arrays, for animations.

`FrameRenderer` holds a PlaneView (and optionally the ChartsView) in a widget that is never shown on
screen, sized exactly to the export size, with a caption line of step and key metrics above. Export
frames therefore look exactly like the app, in every format, with or without a display.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from ganscope.core.frames import Frame

from .views.charts import ChartsView
from .views.plane import LAYERS, PlaneView


@dataclass
class ExportOptions:
    """What an export looks like; the same fields for the Record dialog and `ganscope export`."""

    width: int = 800
    height: int = 600
    fps: float = 30.0
    every: int = 20  # training iterations between frames
    charts: bool = False  # put the four charts beside the plane
    spectrum: bool = False  # put the game spectrum (app.spectrum_view) beside the plane
    caption: bool = True  # step and key metrics above the plane
    layers: dict = field(default_factory=lambda: {k: on for k, (_l, on) in LAYERS.items()})


def caption_text(frame: Frame, title: str = "") -> str:
    m = frame.metrics
    parts = ([title] if title else []) + [f"step {frame.step:,}", frame.loss]
    if not math.isnan(m.get("modes", math.nan)):
        parts.append(f"modes {m['modes']:.0f}")
    if not math.isnan(m.get("hq_share", math.nan)):
        parts.append(f"high quality {100 * m['hq_share']:.0f}%")
    for key, label in (("d_real", "D(real)"), ("d_fake", "D(fake)")):
        if math.isfinite(m.get(key, math.nan)):
            parts.append(f"{label} {m[key]:.2f}")
    return "   ".join(parts)


class FrameRenderer:
    """render(frame) -> (height, width, 3) uint8, drawn by the same views as the window."""

    def __init__(self, options: ExportOptions):
        self.options = options
        self.widget = QtWidgets.QWidget()
        self.widget.setAttribute(QtCore.Qt.WA_DontShowOnScreen, True)  # rendered, never displayed
        self.widget.setStyleSheet("background: white;")
        outer = QtWidgets.QVBoxLayout(self.widget)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.caption = QtWidgets.QLabel()
        self.caption.setStyleSheet("color: #202020; padding: 3px 8px; font-size: 12px;")
        self.caption.setVisible(options.caption)
        outer.addWidget(self.caption)
        row = QtWidgets.QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(row, 1)
        self.plane = PlaneView()
        for key, on in options.layers.items():
            self.plane.show_layer(key, on)
        row.addWidget(self.plane, 3)
        self.charts = None
        if options.charts:
            self.charts = ChartsView()
            row.addWidget(self.charts, 2)
        self.spectrum = None
        if options.spectrum:
            from .spectrum_view import SpectrumPlots

            self.spectrum = SpectrumPlots()
            row.addWidget(self.spectrum, 2)
        self.widget.resize(options.width, options.height)
        self.widget.show()  # lays the children out; WA_DontShowOnScreen keeps it off the screen
        self._image = QtGui.QImage(
            options.width, options.height, QtGui.QImage.Format_ARGB32_Premultiplied
        )  # Qt's native raster format: RGB888 draws 3x slower

    def render(self, frame: Frame, title: str = "") -> np.ndarray:
        """`title` starts the caption (a compared run's name)."""
        self.plane.draw(frame)
        if self.charts is not None and frame.charts:
            self.charts.update_from(frame.charts)
        if self.spectrum is not None and frame.charts:
            self.spectrum.update_from(frame.charts.get("spectrum"))
        if self.options.caption:  # elided, never cut mid-word at small sizes
            metrics = self.caption.fontMetrics()
            self.caption.setText(
                metrics.elidedText(caption_text(frame, title), QtCore.Qt.ElideRight, self.options.width - 20)
            )
        self._image.fill(QtCore.Qt.white)
        painter = QtGui.QPainter(self._image)
        try:
            self.widget.render(painter, QtCore.QPoint(0, 0), QtGui.QRegion(), QtWidgets.QWidget.RenderFlag.DrawChildren)
        finally:
            painter.end()
        return _rgb_array(self._image)

    def close(self) -> None:
        self.widget.close()
        self.widget.deleteLater()


def _rgb_array(image: QtGui.QImage) -> np.ndarray:
    """A copy of a 32-bit QImage as (h, w, 3) RGB uint8 (the bytes are B, G, R, A in memory)."""
    h, w = image.height(), image.width()
    buf = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    bgra = buf.reshape(h, image.bytesPerLine() // 4, 4)[:, :w]
    return np.ascontiguousarray(bgra[..., 2::-1])


def parse_layers(spec: str | None) -> dict:
    """'surface,real,fake' -> a layers dict (others off); None -> the app's defaults."""
    from ganscope.core.animation import ExportError

    layers = {k: on for k, (_l, on) in LAYERS.items()}
    if spec is None:
        return layers
    names = [n.strip() for n in spec.split(",") if n.strip()]
    unknown = [n for n in names if n not in LAYERS]
    if unknown or not names:
        raise ExportError(f"--layers {spec!r}: choose from {', '.join(LAYERS)} (comma-separated)")
    return {k: k in names for k in LAYERS}


def export_headless(engine, out: str, steps: int, options: ExportOptions, force: bool = False, stream=None) -> str:
    """Train `steps` iterations, a frame every `options.every`, into `out`; returns the path written.

    Frame 0 shows the untrained state. Ctrl-C, SIGTERM or an error removes the partial file.
    A stop signal is held while Qt paints (raised inside a Python paint override called from C++
    it crashed the process, or was swallowed) and acted on between frames.
    """
    import sys
    import time

    from ganscope.core.animation import AnimationWriter
    from ganscope.core.chart_data import chart_snapshot
    from ganscope.core.progress import ProgressBar
    from ganscope.core.run_loop import Every, run_loop
    from ganscope.core.stop_signals import deferred, reinstall

    stream = stream or sys.stderr
    total = steps // options.every + 1
    QtCore.qInstallMessageHandler(_quiet_offscreen)
    with deferred():
        app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
        renderer = FrameRenderer(options)
        reinstall()  # in case Qt's start-up took SIGINT / SIGTERM for itself
    start = time.perf_counter()
    try:
        with AnimationWriter(out, options.fps, force=force) as writer:
            bar = ProgressBar(total, label="frames", unit="frames", stream=stream)

            def add_frame(_state=None) -> None:
                frame = engine.frame()
                if options.charts or options.spectrum:
                    frame.charts = chart_snapshot(engine)
                with deferred():  # Qt paints here; a signal waits for the frame's end
                    rgb = renderer.render(frame)
                    app.processEvents()
                writer.add(rgb)
                bar.update(writer.frames)

            add_frame()  # frame 0: the untrained state
            run_loop(engine, (total - 1) * options.every, chunks=options.every, callbacks=[Every(add_frame)])
            bar.finish()
            if engine.status != "ok":
                stream.write(f"{engine.message}; the animation stops at step {engine.step_count}\n")
            path = finish_with_progress(writer, stream)
    finally:
        with deferred():
            renderer.close()
    stream.write(
        f"{writer.frames} frames ({writer.size[0]}x{writer.size[1]}) written to {path} "
        f"in {time.perf_counter() - start:.1f} s\n"
    )
    return str(path)


def finish_with_progress(writer, stream) -> str:
    """Encode what `writer` (core.animation.AnimationWriter) holds, with the one progress bar."""
    from ganscope.core.progress import ProgressBar

    encoding = ProgressBar(1, label="encoding", unit="frames", stream=stream)

    def encoded(done: int, total: int) -> bool:
        encoding.total = max(total, 1)
        encoding.update(done)
        return True

    path = writer.finish(encoded)
    encoding.finish()
    return path


def _quiet_offscreen(mode, context, message) -> None:
    """The offscreen platform warns about window hints it cannot honour; nothing a user can act on."""
    if "propagateSizeHints" not in message:
        import sys

        sys.stderr.write(message + "\n")
