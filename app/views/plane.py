"""The plane: D's decision surface under real and generated samples, arrows, manifold and trails.

Every graphics item is created once and fed new arrays each frame (pyqtgraph's speed advice:
fixed levels, one pen and brush per scatter, row-major float32 images, reused items).
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from ganscope.core.frames import Frame

from .contour import isoline_segments
from .paint_cache import cache_still_parts

LAYERS = {  # key: (label, on by default)
    "surface": ("Decision surface", True),
    "contour": ("Decision boundary", True),
    "density": ("Generated density", False),
    "real": ("Real samples", True),
    "fake": ("Generated samples", True),
    "arrows": ("Gradient arrows", True),
    "manifold": ("Generator manifold", False),
    "trails": ("Trails", True),
}
REAL_COLOUR = (0, 158, 115)  # Okabe-Ito bluish green
FAKE_COLOUR = (230, 159, 0)  # Okabe-Ito orange
ARROW_COLOUR = (120, 80, 165)  # purple, readable on both ends of the surface's colour map
TRAIL_COLOUR = (215, 110, 30)  # a darker orange than the samples it follows
TRAIL_POINTS = 24  # fake points followed over time
TRAIL_LENGTH = 40  # frames a trail remembers
TRAIL_MAX_GAP = 1000  # steps between frames beyond which a trail restarts
SURFACE_MAP = "CET-D1A"  # diverging blue-white-red, readable with red-green colour blindness


class PlaneViewBox(pg.ViewBox):
    """A ViewBox whose left-button drags paint (via `draw_handler`) instead of panning, when set."""

    def __init__(self):
        super().__init__()
        self.draw_handler = None  # called as handler(x, y, starting, finishing)

    def mouseDragEvent(self, ev, axis=None):
        if self.draw_handler is None or ev.button() != QtCore.Qt.LeftButton:
            return super().mouseDragEvent(ev, axis)
        ev.accept()
        p = self.mapSceneToView(ev.scenePos())
        self.draw_handler(p.x(), p.y(), ev.isStart(), ev.isFinish())

    def mouseClickEvent(self, ev):
        if self.draw_handler is None or ev.button() != QtCore.Qt.LeftButton:
            return super().mouseClickEvent(ev)
        ev.accept()
        p = self.mapSceneToView(ev.scenePos())
        self.draw_handler(p.x(), p.y(), True, True)


class PlaneView(pg.PlotWidget):
    """Draws Frames. `show_layer(key, on)` toggles a layer; zoom and pan with the mouse."""

    def __init__(self, parent=None):
        super().__init__(parent=parent, viewBox=PlaneViewBox())
        self.setAspectLocked(True)
        self.setBackground("w")
        self.showGrid(x=False, y=False)
        self.setMenuEnabled(False)
        plot = self.getPlotItem()
        cmap = pg.colormap.get(SURFACE_MAP)
        self.surface = pg.ImageItem(axisOrder="row-major")
        self.surface.setLookupTable(cmap.getLookupTable(nPts=256))
        self.surface.setOpacity(0.85)
        plot.addItem(self.surface)
        self.colorbar = pg.ColorBarItem(values=(0, 1), colorMap=cmap, interactive=False, width=12)
        self.colorbar.setImageItem(self.surface, insert_in=plot)
        self.contour = pg.PlotCurveItem(pen=pg.mkPen((40, 40, 40), width=1.5))
        plot.addItem(self.contour)
        self.density = pg.ImageItem(axisOrder="row-major")
        self.density.setLookupTable(_density_lut())
        plot.addItem(self.density)
        self.manifold = pg.PlotCurveItem(pen=pg.mkPen((120, 120, 120, 150), width=1))
        plot.addItem(self.manifold)
        self.real = pg.ScatterPlotItem(size=4, pen=None, brush=pg.mkBrush(*REAL_COLOUR, 200), symbol="o", name="real")
        self.fake = pg.ScatterPlotItem(
            size=6, pen=None, brush=pg.mkBrush(*FAKE_COLOUR, 220), symbol="t", name="generated"
        )
        # Opaque pens: Qt strokes semi-transparent lines ~20x slower (measured: 20 ms vs 1 ms a frame).
        self.arrows = pg.PlotCurveItem(pen=pg.mkPen(ARROW_COLOUR, width=1))
        self.trails = pg.PlotCurveItem(pen=pg.mkPen(TRAIL_COLOUR, width=1))
        for item in (self.real, self.trails, self.arrows, self.fake):
            plot.addItem(item)
        self.sketch = pg.ScatterPlotItem(size=5, pen=None, brush=pg.mkBrush(40, 40, 40, 160))
        self.sketch.setZValue(10)
        plot.addItem(self.sketch)
        self.legend = plot.addLegend(offset=(8, 8), labelTextSize="9pt")
        self.legend.addItem(self.real, "real")
        self.legend.addItem(self.fake, "generated")
        cache_still_parts(plot)
        cache_still_parts(self.colorbar)
        self.items = {
            "surface": self.surface,
            "contour": self.contour,
            "density": self.density,
            "real": self.real,
            "fake": self.fake,
            "arrows": self.arrows,
            "manifold": self.manifold,
            "trails": self.trails,
        }
        self.visible = {k: on for k, (_label, on) in LAYERS.items()}
        for key, on in self.visible.items():
            self.items[key].setVisible(on)
        self._history: list[np.ndarray] = []
        self._extent = None
        self._levels = None
        self._last_step = 0
        self.handles: list[pg.TargetItem] = []
        self.frames_drawn = 0  # frames handed to draw()
        self.frames_shown = 0  # ... and painted: several draws before one paint show only the last
        self._painted = 0  # frames_drawn at the last paint
        self._real_shown = None
        self.paint_seconds = 0.0  # time spent painting, for the frame budget (app.frame_budget)
        self._surface_shape = None

    def paintEvent(self, ev):
        start = time.perf_counter()
        super().paintEvent(ev)
        if self._painted != self.frames_drawn:
            self._painted = self.frames_drawn
            self.frames_shown += 1
        self.paint_seconds += time.perf_counter() - start

    @property
    def unpainted(self) -> bool:
        """Whether the last frame drawn has not been painted yet."""
        return self._painted != self.frames_drawn

    def set_handles(self, centres, on_moved) -> None:
        """Draggable markers on mixture centres; on_moved(list of (x, y)) after each drag."""
        plot = self.getPlotItem()
        for h in self.handles:
            plot.removeItem(h)
        self.handles = []
        for c in centres if centres is not None else []:
            h = pg.TargetItem(
                pos=(float(c[0]), float(c[1])),
                size=14,
                movable=True,
                pen=pg.mkPen((20, 20, 20), width=2),
                brush=pg.mkBrush(255, 255, 255, 80),
            )
            h.setZValue(20)
            h.sigPositionChangeFinished.connect(
                lambda _h: on_moved([[p.x(), p.y()] for p in (t.pos() for t in self.handles)])
            )
            plot.addItem(h)
            self.handles.append(h)

    def show_layer(self, key: str, on: bool) -> None:
        self.visible[key] = bool(on)
        self.items[key].setVisible(bool(on))
        if key == "real":
            self._real_shown = None

    def auto_range(self) -> None:
        if self._extent is not None:
            x0, x1, y0, y1 = self._extent
            self.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def clear_trails(self) -> None:
        self._history.clear()
        self.trails.setData([], [])  # the drawn lines too, not only their memory

    def draw(self, f: Frame) -> None:
        rect = QtCore.QRectF(f.extent[0], f.extent[2], f.extent[1] - f.extent[0], f.extent[3] - f.extent[2])
        new_extent = f.extent != self._extent
        if new_extent or f.step < self._last_step or f.step - self._last_step > TRAIL_MAX_GAP:
            self._history.clear()  # a reset or a long jump: a trail across it would mislead
        # A redraw of the step already drawn (a layer toggled, a paused run's frame sent again) adds
        # no point to the trail: its points are the same, and they would push older ones out.
        same_step = f.step == self._last_step and bool(self._history)
        self._last_step = f.step
        if f.levels != self._levels:
            self._levels = f.levels
            self.colorbar.setLevels(f.levels)
            self.colorbar.axis.setLabel("D(x) = P(real)" if f.levels == (0.0, 1.0) else "D(x) score")
        if self.visible["surface"] or self.visible["contour"] or new_extent:
            self.surface.setImage(f.surface, autoLevels=False, levels=f.levels)
            # setRect needs the image's size, so it comes after setImage; the frame budget
            # changes the resolution, and with it the size.
            if new_extent or f.surface.shape != self._surface_shape:
                self._surface_shape = f.surface.shape
                self.surface.setRect(rect)
        if new_extent:
            self._extent = f.extent
            self.density.setImage(_density(f.fake, f.extent, 64), autoLevels=False, levels=(0, 1))
            self.density.setRect(rect)
            self.auto_range()
        if self.visible["contour"]:
            seg = isoline_segments(f.surface, f.contour_level, f.extent)
            self.contour.setData(seg[:, 0], seg[:, 1], connect="pairs")
        if self.visible["density"]:
            self.density.setImage(_density(f.fake, f.extent, 64), autoLevels=False, levels=(0, 1))
        if self.visible["real"] and f.real is not self._real_shown:
            self.real.setData(pos=f.real)  # fixed display samples: only when they change
            self._real_shown = f.real
        if self.visible["fake"]:
            _move_points(self.fake, f.fake)
        if self.visible["arrows"]:
            self._draw_arrows(f)
        if self.visible["manifold"]:
            m = f.manifold
            connect = np.ones(m.shape[:2], dtype=bool)
            connect[:, -1] = False
            self.manifold.setData(m[..., 0].ravel(), m[..., 1].ravel(), connect=connect.ravel())
        if not same_step:
            self._history.append(f.fake[:TRAIL_POINTS].copy())
            del self._history[:-TRAIL_LENGTH]
        if self.visible["trails"] and len(self._history) > 1:
            t = np.stack(self._history, 1)  # (points, frames, 2)
            connect = np.ones(t.shape[:2], dtype=bool)
            connect[:, -1] = False
            self.trails.setData(t[..., 0].ravel(), t[..., 1].ravel(), connect=connect.ravel())
        self.frames_drawn += 1

    def _draw_arrows(self, f: Frame) -> None:
        """Segments from each fake point along G's push, scaled so the longest is 8% of the view."""
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run's last frames: inf, nan
            norms = np.linalg.norm(f.arrows, axis=1)
        g, finite = f.arrows, np.isfinite(norms)
        if not finite.all():  # a push that is not a number is drawn as none (copies only then)
            g, norms = np.where(finite[:, None], g, 0), np.where(finite, norms, 0)
        top = float(np.percentile(norms, 95)) if len(norms) else 0.0
        span = (f.extent[1] - f.extent[0]) * 0.08
        scale = span / top if top > 0 else 0.0
        lengths = np.minimum(norms * scale, span)[:, None]
        ends = f.fake + np.where(norms[:, None] > 0, g / np.maximum(norms[:, None], 1e-12), 0) * lengths
        seg = np.empty((len(g) * 2, 2), dtype=np.float32)
        seg[0::2], seg[1::2] = f.fake, ends
        self.arrows.setData(seg[:, 0], seg[:, 1], connect="pairs")


def _move_points(item: pg.ScatterPlotItem, pos: np.ndarray) -> None:
    """New positions for a one-style scatter with the same number of points, in place.

    setData() rebuilds every point's symbol key (~4 ms for 2,048 points here, with the GIL held,
    stalling training); the symbols never change between frames, so only x and y are written.
    """
    data = item.data
    if len(data) != len(pos) or len(pos) == 0:
        item.setData(pos=pos)
        return
    data["x"] = pos[:, 0]
    data["y"] = pos[:, 1]
    item.prepareGeometryChange()
    item.informViewBoundsChanged()
    item.bounds = [None, None]
    item.invalidate()


def _density(points: np.ndarray, extent, bins: int) -> np.ndarray:
    h, _, _ = np.histogram2d(
        points[:, 1], points[:, 0], bins=bins, range=[[extent[2], extent[3]], [extent[0], extent[1]]]
    )
    peak = h.max()
    return (h / peak).astype(np.float32) if peak > 0 else h.astype(np.float32)


def _density_lut() -> np.ndarray:
    """Transparent at zero density, opaque purple at the peak."""
    lut = np.zeros((256, 4), dtype=np.uint8)
    lut[:, 0], lut[:, 1], lut[:, 2] = 86, 40, 160
    lut[:, 3] = np.linspace(0, 210, 256).astype(np.uint8)
    return lut
