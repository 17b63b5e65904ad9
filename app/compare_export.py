"""Compared runs rendered side by side, each by the app's own off-screen plane (app.export), with
its name at the start of its caption: for `ganscope compare --export` and the Compare window."""

from __future__ import annotations

import time

import numpy as np
from PySide6 import QtCore, QtWidgets

from .export import ExportOptions, FrameRenderer, _quiet_offscreen, finish_with_progress, parse_layers


def grid_shape(n: int) -> tuple[int, int]:
    """(rows, columns) for n runs: side by side up to 3, then two rows."""
    return (1, n) if n <= 3 else (2, (n + 1) // 2)


class SideBySideRenderer:
    """render(frames, titles) -> one (height, width, 3) uint8 picture of every run's plane."""

    def __init__(self, n: int, width: int, height: int, layers: dict | None = None, caption: bool = True):
        self.rows, self.cols = grid_shape(n)
        self.width, self.height = width, height
        tile_w, tile_h = width // self.cols, height // self.rows
        options = ExportOptions(width=tile_w, height=tile_h, caption=caption)
        if layers is not None:
            options.layers = dict(layers)
        self.renderers = [FrameRenderer(options) for _ in range(n)]

    def render(self, frames, titles) -> np.ndarray:
        out = np.full((self.height, self.width, 3), 255, dtype=np.uint8)
        for i, (renderer, frame, title) in enumerate(zip(self.renderers, frames, titles)):
            tile = renderer.render(frame, title)
            r, c = divmod(i, self.cols)
            h, w = tile.shape[:2]
            out[r * h : (r + 1) * h, c * w : (c + 1) * w] = tile
        return out

    def close(self) -> None:
        for r in self.renderers:
            r.close()


def export_compare(
    group,
    out: str,
    steps: int,
    every: int = 50,
    size: tuple[int, int] = (1200, 900),
    fps: float = 20.0,
    force: bool = False,
    stream=None,
    layers: str | None = None,
) -> str:
    """Train the group `steps` in lockstep, a side-by-side frame every `every`, into `out`.
    Ctrl-C or an error removes the partial file."""
    import sys

    from ganscope.core.animation import AnimationWriter
    from ganscope.core.progress import ProgressBar
    from ganscope.core.stop_signals import deferred, reinstall

    stream = stream or sys.stderr
    QtCore.qInstallMessageHandler(_quiet_offscreen)
    with deferred():  # Ctrl-C or SIGTERM stop between frames, never inside Qt (as app.export)
        app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
        renderer = SideBySideRenderer(len(group.runs), *size, layers=parse_layers(layers))
        reinstall()  # in case Qt's start-up took SIGINT / SIGTERM for itself
    total = steps // every + 1
    start = time.perf_counter()
    labels = [r.label for r in group.runs]
    try:
        with AnimationWriter(out, fps, force=force) as writer:
            bar = ProgressBar(total, label="frames", unit="frames", stream=stream)

            def add(g):
                with deferred():  # Qt paints here; a signal waits for the frame's end
                    rgb = renderer.render([e.frame() for e in g.engines], labels)
                    app.processEvents()
                writer.add(rgb)
                bar.update(writer.frames)

            group.train(steps, every=every, on_frame=add)
            bar.finish()
            path = finish_with_progress(writer, stream)
    finally:
        with deferred():
            renderer.close()
    stream.write(
        f"{writer.frames} frames ({writer.size[0]}x{writer.size[1]}) of {len(labels)} runs side by "
        f"side written to {path} in {time.perf_counter() - start:.1f} s\n"
    )
    return str(path)
