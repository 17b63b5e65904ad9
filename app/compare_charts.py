"""The Compare window's charts: one row per run (loss, D accuracy, sample quality), x axes linked."""

from __future__ import annotations

import pyqtgraph as pg

from .compare_texts import run_label, words
from .views.charts import PALETTE

CHART_ROWS = (  # (key, title's key in compare_texts, series)
    ("loss", "chart_loss", ("d_loss", "g_loss")),
    ("acc", "chart_acc", ("acc_real", "acc_fake")),
    ("quality", "chart_quality", ("modes_frac", "hq_share")),
)


class CompareCharts(pg.GraphicsLayoutWidget):
    """One row per run: loss, D accuracy, sample quality; every x axis linked."""

    def __init__(self, labels: list[str]):
        super().__init__()
        self.setBackground("w")
        self.labels = labels
        self.curves: list[dict] = []
        self.plots: list[list] = []
        first = None
        for row in range(len(labels)):
            curves = {}
            self.plots.append([])
            for col, (key, _title, series) in enumerate(CHART_ROWS):
                p = self.addPlot(row=row, col=col)
                self.plots[row].append(p)
                p.showGrid(x=True, y=True, alpha=0.2)
                if key != "loss":
                    p.setYRange(0, 1)
                if first is None:
                    first = p
                else:
                    p.setXLink(first)
                for i, name in enumerate(series):
                    curves[name] = p.plot(pen=pg.mkPen(PALETTE[i], width=1.5))
            self.curves.append(curves)
        self.retranslate()

    def retranslate(self) -> None:
        """Chart titles in the app's language (the first names its run)."""
        for label, plots in zip(self.labels, self.plots):
            for p, (_key, title, _series) in zip(plots, CHART_ROWS):
                p.setTitle(words(title, run=run_label(label)), size="8pt")

    def update_from(self, row: int, data: dict) -> None:
        for name, curve in self.curves[row].items():
            if name in data:
                curve.setData(*data[name])
