"""Keep still parts of a plot as pixmaps: axes and titles are repainted from a cache.

pyqtgraph repaints a whole view for any change inside it, and replaying an axis's recorded
picture (its tick labels are text) cost more than drawing the 2,048 points of a frame (profiled:
docs/benchmarks.md, issue 13). An axis changes only when its range, size or style does; Qt then
redraws the cache (every pyqtgraph change goes through update() or a geometry change), so what is
shown is the same pixels (but a pixel at an axis line's end, which the axis paints just outside
its own bounds), drawn once instead of every frame.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtWidgets

CACHE = QtWidgets.QGraphicsItem.DeviceCoordinateCache


def cache_still_parts(plot: pg.PlotItem) -> None:
    """Cache the axes (with their labels) and the title of `plot`."""
    for name in ("left", "bottom", "right", "top"):
        axis = plot.getAxis(name) if name in plot.axes else None
        if axis is not None:
            axis.setCacheMode(CACHE)
            axis.label.setCacheMode(CACHE)
    plot.titleLabel.item.setCacheMode(CACHE)
    # Not the legend: its text lies over the surface, and text cached on a clear pixmap is
    # smoothed differently from text drawn on the picture (its cost was small: 0.3% profiled).
