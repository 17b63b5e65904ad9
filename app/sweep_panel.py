"""The Sweep panel: a grid of two fields trained as one batched ensemble, shown as a stability map.

The sweep runs on its own thread (the main run pauses meanwhile: both would share the same cores);
a timer polls its progress, Cancel stops it at the next chunk with the results so far. Clicking a
cell opens that member, with its trained weights, in the main view.
"""

from __future__ import annotations

import math
import threading

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from ganscope.app.sweep_labels import combo_field, field_label, label_fields, outline_cell
from ganscope.app.wheel_guard import guard_wheel
from ganscope.core.ensemble import SWEEPABLE
from ganscope.core.sweep import SweepResult, parse_axis, run_sweep

from .controls.widgets import spin
from .i18n_messages import message

METRICS = {"modes": "modes captured", "hq_share": "high-quality share", "js": "JS divergence (bits)"}
DEFAULTS = {
    "d_opt.lr": (1e-5, 1e-2),
    "g_opt.lr": (1e-5, 1e-2),
    "run.seed": (0, 7),
    "objective.gp_weight": (0.01, 10.0),
    "objective.r1": (0.01, 10.0),
    "objective.r2": (0.01, 10.0),
    "d_opt.steps": (1, 5),
    "g_opt.steps": (1, 3),
}
VERDICT_MARKS = {"collapsed": "!", "diverged": "X", "partial": "~", "poor": "?"}


class SweepPanel(QtWidgets.QWidget):
    def __init__(self, window):
        super().__init__()
        self.window = window
        self.result: SweepResult | None = None
        self.ensemble = None
        self._thread: threading.Thread | None = None
        self._cancel = False
        self._progress = (0, 1)
        self._error: str | None = None
        lay = QtWidgets.QVBoxLayout(self)
        form = QtWidgets.QGridLayout()
        self.axes = {}
        for row, (name, field) in enumerate((("x", "d_opt.lr"), ("y", "g_opt.lr"))):
            combo = QtWidgets.QComboBox()
            combo.addItems(SWEEPABLE)
            combo.setCurrentText(field)
            label_fields(combo)  # "D learning rate", not d_opt.lr
            lo = QtWidgets.QLineEdit(f"{DEFAULTS[field][0]:g}")
            hi = QtWidgets.QLineEdit(f"{DEFAULTS[field][1]:g}")
            n = spin(1, 32, 8, 1, suffix=" values")
            combo.currentIndexChanged.connect(lambda _i, c=combo, lo=lo, hi=hi: self._defaults(combo_field(c), lo, hi))
            for col, w in enumerate((QtWidgets.QLabel(name.upper()), combo, lo, QtWidgets.QLabel("to"), hi, n)):
                form.addWidget(w, row, col)
            self.axes[name] = (combo, lo, hi, n)
        self.steps = spin(10, 1_000_000, 2000, 100, suffix=" steps")
        self.metric = QtWidgets.QComboBox()
        for key, label in METRICS.items():
            self.metric.addItem(label, key)
        self.metric.currentIndexChanged.connect(self._draw)
        form.addWidget(QtWidgets.QLabel("Train"), 2, 0)
        form.addWidget(self.steps, 2, 1)
        form.addWidget(QtWidgets.QLabel("Show"), 2, 2)
        form.addWidget(self.metric, 2, 3, 1, 3)
        lay.addLayout(form)
        buttons = QtWidgets.QHBoxLayout()
        self.run_button = QtWidgets.QPushButton("Run sweep")
        self.run_button.setToolTip("Train every cell of the grid at once, from the current settings")
        self.run_button.clicked.connect(self.start)
        self.cancel_button = QtWidgets.QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.bar = QtWidgets.QProgressBar()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.bar, 1)
        lay.addLayout(buttons)
        self.message = QtWidgets.QLabel("Learning rates are spaced geometrically; other fields evenly.")
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setMenuEnabled(False)
        self.plot.setMinimumHeight(260)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(pg.colormap.get("viridis").getLookupTable(nPts=256))
        self.plot.addItem(self.image)
        self.colorbar = pg.ColorBarItem(values=(0, 1), colorMap=pg.colormap.get("viridis"), interactive=False, width=12)
        self.colorbar.setImageItem(self.image, insert_in=self.plot.getPlotItem())
        self.chosen = None  # the outline of the cell opened in the main window
        self.marks: list[pg.TextItem] = []
        self.plot.scene().sigMouseClicked.connect(self._clicked)
        lay.addWidget(self.plot, 1)
        self.timer = QtCore.QTimer(self)
        self.timer.timeout.connect(self._poll)
        guard_wheel(self)  # scrolling past a field never changes it

    def _defaults(self, field: str, lo: QtWidgets.QLineEdit, hi: QtWidgets.QLineEdit) -> None:
        a, b = DEFAULTS.get(field, (0.0, 0.9) if "beta" in field else (0.0, 0.2))
        lo.setText(f"{a:g}")
        hi.setText(f"{b:g}")

    # --- running -------------------------------------------------------------------------------
    def axis_spec(self, name: str) -> str:
        combo, lo, hi, n = self.axes[name]
        return f"{combo_field(combo)}={lo.text().strip()}:{hi.text().strip()}:{n.value()}"

    def start(self) -> bool:
        """Validate, pause the main run, and train the grid on a background thread."""
        if self.running:
            return False
        if self.chosen is not None:  # a new grid: no cell of it is open yet
            self.plot.removeItem(self.chosen)
            self.chosen = None
        try:
            x, y = parse_axis(self.axis_spec("x")), parse_axis(self.axis_spec("y"))
        except ValueError as exc:
            self.message.setText(str(exc))
            return False
        self.window.do_action("play:0")
        base = self.window.engine.cfg.copy()
        self._cancel, self._error, self._progress = False, None, (0, self.steps.value())
        steps = self.steps.value()

        def work():
            try:
                self.result, self.ensemble = run_sweep(base, x, y, steps, progress=self._report)
            except Exception as exc:  # shown in the panel; the app carries on
                self._error = str(exc)

        self._thread = threading.Thread(target=work, name="ganscope-sweep", daemon=True)
        self._thread.start()
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.message.setText(message(f"Training {len(x.values) * len(y.values)} runs at once…"))
        self.timer.start(100)
        return True

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _report(self, done: int, total: int) -> bool:
        self._progress = (done, total)
        return not self._cancel

    def cancel(self) -> None:
        self._cancel = True

    def stop(self, timeout: float = 2.0) -> None:
        """Cancel and join (closing the window)."""
        self._cancel = True
        if self._thread is not None:
            self._thread.join(timeout)

    def _poll(self) -> None:
        done, total = self._progress
        self.bar.setMaximum(total)
        self.bar.setValue(done)
        if self.running:
            return
        self.timer.stop()
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        if self._error:
            self.message.setText(message(f"Sweep not run: {self._error}"))
            return
        r = self.result
        rate = r.report()["gan_iterations_per_second"]
        self.message.setText(
            message(
                f"{'Cancelled at' if r.cancelled else 'Done:'} {r.steps} steps × {len(r.cells)} runs "
                f"in {r.seconds:.1f} s ({rate:,.0f} GAN-iterations/s). "
                f"Marks: ! collapsed, ~ partial, X diverged. Click a cell to open that run."
            )
        )
        self._draw()

    # --- the map ------------------------------------------------------------------------------
    def _draw(self) -> None:
        r = self.result
        if r is None:
            return
        key = self.metric.currentData()
        grid = r.grid(key)
        finite = grid[np.isfinite(grid)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if key == "modes" and self.ensemble is not None:
            lo, hi = 0.0, float(max(self.ensemble.target.n_modes, 1))
        self.image.setImage(np.nan_to_num(grid, nan=lo), autoLevels=False, levels=(lo, hi if hi > lo else lo + 1))
        self.colorbar.setLevels((lo, hi if hi > lo else lo + 1))
        nx, ny = len(r.x.values), len(r.y.values)
        self.image.setRect(QtCore.QRectF(0, 0, nx, ny))
        for m in self.marks:
            self.plot.removeItem(m)
        self.marks = []
        for i, c in enumerate(r.cells):
            text = VERDICT_MARKS.get(c["verdict"], "")
            value = c[key]
            label = f"{value:.3g}{text}" if math.isfinite(value) else "X"
            bright = math.isfinite(value) and (value - lo) / max(hi - lo, 1e-12) > 0.6  # viridis' yellow end
            item = pg.TextItem(label, color=(0, 0, 0) if bright else (255, 255, 255), anchor=(0.5, 0.5))
            item.setPos(i % nx + 0.5, i // nx + 0.5)
            self.plot.addItem(item)
            self.marks.append(item)
        fmt = lambda vals: [(k + 0.5, f"{v:.2g}") for k, v in enumerate(vals)]
        self.plot.getAxis("bottom").setTicks([fmt(r.x.values)])
        self.plot.getAxis("left").setTicks([fmt(r.y.values)])
        self.plot.setLabel("bottom", field_label(r.x.field))
        self.plot.setLabel("left", field_label(r.y.field))
        self.plot.setTitle(METRICS[key])
        self.plot.autoRange()

    def _clicked(self, ev) -> None:
        if self.result is None:
            return
        p = self.plot.getViewBox().mapSceneToView(ev.scenePos())
        self.open_cell(int(math.floor(p.x())), int(math.floor(p.y())))

    def open_cell(self, ix: int, iy: int) -> bool:
        """Load the run of cell (ix, iy), trained weights and all, into the main view."""
        r = self.result
        nx, ny = len(r.x.values), len(r.y.values)
        if not (0 <= ix < nx and 0 <= iy < ny) or self.ensemble is None:
            return False
        if not self.window.keeper.confirm_discard("opening a sweep cell"):
            return False
        engine = self.ensemble.member_engine(iy * nx + ix)
        self.chosen = outline_cell(self.plot, self.chosen, ix, iy)
        self.window.files.replace_engine(
            engine, f"sweep cell {r.x.field}={r.x.values[ix]:.3g}, {r.y.field}={r.y.values[iy]:.3g}"
        )
        self.window.keeper.new_run(engine.step_count, clean=False)  # trained, but saved nowhere
        return True
