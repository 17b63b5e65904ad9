"""Metric charts: losses, D accuracy with the 50% line, gradient norms (log), mode and distance metrics."""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg

from .paint_cache import cache_still_parts

BOTTOM_ROW = ("grad", "quality")
PALETTE = [(0, 114, 178), (213, 94, 0), (0, 158, 115), (204, 121, 167), (86, 180, 233), (230, 159, 0)]


class ChartsView(pg.GraphicsLayoutWidget):
    """Four small charts that scroll with the run."""

    def __init__(self, parent=None):
        super().__init__(parent=parent)
        self.setBackground("w")
        self.curves: dict[str, pg.PlotDataItem] = {}
        self._plot_of: dict[str, pg.PlotItem] = {}
        self.markers: dict[str, pg.InfiniteLine] = {}
        self.titles: dict[str, tuple] = {}  # key -> (title, [(curve label, colour)])
        self.plots = {}
        self._add("loss", "Loss", [("d_loss", "D loss"), ("g_loss", "G loss")], row=0, col=0)
        acc = self._add("acc", "D accuracy", [("acc_real", "on real"), ("acc_fake", "on fake")], row=0, col=1)
        acc.setYRange(0, 1)
        self.chance = pg.InfiniteLine(
            pos=0.5,
            angle=0,
            pen=pg.mkPen((120, 120, 120), style=pg.QtCore.Qt.DashLine),
            label="chance",
            # anchored at its left end: centred on the position, its start fell outside the plot
            labelOpts={"position": 0.02, "anchors": [(0, 1), (0, 0)], "color": (90, 90, 90)},
        )
        acc.addItem(self.chance)
        grad = self._add(
            "grad", "Gradient norm (log)", [("g_grad", "G"), ("d_grad", "D")], row=1, col=0, left=FewLogTicks("left")
        )
        grad.setLogMode(y=True)
        q = self._add(
            "quality",
            "Sample quality",
            [
                ("modes_frac", "modes captured (share)"),
                ("hq_share", "high quality"),
                ("js", "JS (bits)"),
                ("mmd", "MMD"),
            ],
            row=1,
            col=1,
        )
        q.setYRange(0, 1)
        self.paint_seconds = 0.0  # time spent painting, for the frame budget (app.frame_budget)
        self._shown: dict[str, tuple] = {}  # the (steps, values) each curve shows

    def paintEvent(self, ev):
        start = time.perf_counter()
        super().paintEvent(ev)
        self.paint_seconds += time.perf_counter() - start

    def _add(self, key, title, series, row, col, left=None):
        # The key to the curves is in the title line, in the curves' colours: a legend inside a
        # chart this small covered its right-hand end, the newest steps (seen in a screenshot).
        self.titles[key] = (title, [(label, PALETTE[i % len(PALETTE)]) for i, (_n, label) in enumerate(series)])
        p = self.addPlot(row=row, col=col, axisItems={"left": left} if left is not None else None)
        p.showGrid(x=True, y=True, alpha=0.2)
        for i, (name, _label) in enumerate(series):
            self.curves[name] = p.plot(pen=pg.mkPen(PALETTE[i % len(PALETTE)], width=1.5))
            self._plot_of[name] = p
        self.plots[key] = p
        self._title(key, p, lambda t: t)
        cache_still_parts(p)
        return p

    def _title(self, key, plot, translate) -> None:
        title, keys = self.titles[key]
        swatches = "&nbsp;&nbsp;".join(
            f"<span style='color:rgb{c}'>&#9473;&nbsp;{translate(label)}</span>" for label, c in keys
        )
        plot.setTitle(f"{translate(title)}<br><span style='font-size:8pt'>{swatches}</span>")
        if key in BOTTOM_ROW:  # one "step" label per column: in a short window each line counts
            plot.setLabel("bottom", translate("step"))
        _let_shrink(plot.titleLabel)

    def set_titles(self, translate) -> None:
        """Chart titles, curve keys and axis labels through `translate` (English in, shown text out)."""
        for key, plot in self.plots.items():
            self._title(key, plot, translate)
        self.chance.label.setFormat(translate("chance"))

    def mark(self, name: str, step: int, label: str) -> None:
        """A dashed line on the loss chart where a detector first fired (once per run)."""
        old = self.markers.get(name)
        if old is not None and old.value() <= step:
            return
        if old is not None:
            self.plots["loss"].removeItem(old)
        line = pg.InfiniteLine(
            pos=step,
            angle=90,
            pen=pg.mkPen((200, 120, 0), style=pg.QtCore.Qt.DashLine),
            label=label,
            labelOpts={"position": 0.9, "color": (160, 90, 0), "rotateAxis": (1, 0)},
        )
        self.plots["loss"].addItem(line)
        self.markers[name] = line

    def clear_marks(self) -> None:
        for line in self.markers.values():
            self.plots["loss"].removeItem(line)
        self.markers = {}

    def update_from(self, data: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
        """Draw a snapshot made by `chart_snapshot` (on the training thread)."""
        for name, curve in self.curves.items():
            if name in data and not _same(self._shown.get(name), data[name]):  # other entries (the game
                # spectrum) are for other panels; a curve whose data did not change is not redrawn (the
                # sample-quality curves change once an evaluation, 2-3 times a second, not every update)
                curve.setData(*peak_decimated(*data[name], int(self._plot_of[name].vb.width()) or 400))
                self._shown[name] = data[name]
        # The plots' new ranges and axes now, not in the paint: worked out there, they asked for
        # a second paint, and each update was painted 2.3 times (a paint costs 7 ms here).
        self.scene().prepareForPaint()


def peak_decimated(x: np.ndarray, y: np.ndarray, pixels: int) -> tuple[np.ndarray, np.ndarray]:
    """At most about 2 points per pixel column: each column's lowest and highest point, in order.

    A 1.5-px antialiased line costs Qt about 7 us a point (it strokes the path): a chart paint of
    3,000-point curves took 12 ms, more than the plane's; at 2 points a pixel the line looks the same
    (every column keeps its extremes, so no spike is lost)."""
    n, bins = len(x), max(1, pixels)
    if n <= 4 * bins or not np.isfinite(y).all():
        return x, y
    k = -(-n // bins)  # points per bin
    m = n // k * k  # whole bins; the rest are kept as they are
    rows = y[:m].reshape(-1, k)
    lo, hi = rows.argmin(1), rows.argmax(1)
    first, second = np.minimum(lo, hi), np.maximum(lo, hi)
    idx = (np.arange(len(rows)) * k)[:, None] + np.stack([first, second], 1)
    idx = np.concatenate([idx.ravel(), np.arange(m, n)])
    return x[idx], y[idx]


def _same(a: tuple | None, b: tuple) -> bool:
    return a is not None and all(len(x) == len(y) and np.array_equal(x, y) for x, y in zip(a, b))


def _let_shrink(label: pg.LabelItem) -> None:
    """A title wraps to its chart's width instead of setting it: in a small window a long key had
    made each chart as wide as its title line, and the right-hand charts were cut off."""
    if getattr(label, "_ganscope_wraps", False):
        return
    from PySide6 import QtCore

    label._ganscope_wraps = True
    option = label.item.document().defaultTextOption()
    option.setAlignment(QtCore.Qt.AlignHCenter)
    label.item.document().setDefaultTextOption(option)
    hint = QtCore.Qt.SizeHint

    def update_min():
        b = label.itemRect()
        least = min(b.width(), 60.0)
        label.setMinimumWidth(least)
        label.setMinimumHeight(b.height())
        label._sizeHint = {
            hint.MinimumSize: (least, b.height()),
            hint.PreferredSize: (least, b.height()),
            hint.MaximumSize: (-1, -1),
            hint.MinimumDescent: (0, 0),
        }
        label.updateGeometry()

    plain_resize = label.resizeEvent

    def resize(ev):
        width = label.rect().width()
        if width > 0 and abs(label.item.textWidth() - width) > 1:
            label.item.setTextWidth(width)
        plain_resize(ev)

    label.updateMin = update_min
    label.resizeEvent = resize
    update_min()


class FewLogTicks(pg.AxisItem):
    """A log axis with three or four labels: in a chart this short, pyqtgraph's labelled minor
    ticks (0.2, 0.3, ... within a decade) were drawn over one another."""

    def tickValues(self, minVal, maxVal, size):
        lo, hi = sorted((minVal, maxVal))  # log10 of the values shown
        span = max(hi - lo, 1e-6)
        step = next((s for s in (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0) if span / s <= 4), 20.0)
        first = np.ceil(lo / step) * step
        return [(step, list(np.arange(first, hi + 1e-9, step)))]

    def tickStrings(self, values, scale, spacing):
        return [f"{10**v:.2g}" for v in values]
