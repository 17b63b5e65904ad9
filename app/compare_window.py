"""The Compare window: 2 to 4 runs in lockstep, a plane each (zoom and pan linked), one chart row per
run, a setting changed in one run or in all, and the results table when the runs stop.

The runs train on a thread of their own (CompareRunner), like the main window's worker: the UI sends
commands that run between lockstep chunks and draws only the newest frames, built on the UI thread
from weight copies (core.frames.FrameSource), so drawing never waits for training.
"""

from __future__ import annotations

import queue
import threading
import time

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from ganscope.core.chart_data import chart_snapshot
from ganscope.core.compare import CompareGroup
from ganscope.core.frames import FrameBuilder, FrameSource
from ganscope.core.train_process import play_chunks

from .compare_export import grid_shape
from .views.charts import PALETTE
from .views.plane import PlaneView

FRAME_INTERVAL = 1 / 30
DRAW_INTERVAL_MS = 15
CHART_EVERY = 6
EDITABLE = (
    "d_opt.lr",
    "g_opt.lr",
    "d_opt.beta1",
    "g_opt.beta1",
    "objective.instance_noise",
    "objective.gp_weight",
    "objective.r1",
    "d_opt.steps",
)
CHART_ROWS = (
    ("loss", "Loss", ("d_loss", "g_loss")),
    ("acc", "D accuracy", ("acc_real", "acc_fake")),
    ("quality", "Modes (share) / high quality", ("modes_frac", "hq_share")),
)


class CompareRunner:
    """Trains a CompareGroup in lockstep on its own thread until `stop_at`; commands run between chunks."""

    def __init__(self, group: CompareGroup, stop_at: int | None = None, on_error=None):
        self.group, self.stop_at, self.on_error = group, stop_at, on_error
        self.playing = False
        self.table = ""
        self._commands: queue.Queue = queue.Queue()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._stop = False
        self._latest: tuple[int, list] = (0, [])
        self._issued = self._done = 0
        self._chunks = play_chunks()  # iterations per lockstep call, about 10 ms each (adapts)
        self._thread = threading.Thread(target=self._run, name="ganscope-compare", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> bool:
        self._stop = True
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def submit(self, command) -> int:
        """command(group) on the training thread between chunks; a ticket for `done()`."""
        self._issued += 1
        self._commands.put((self._issued, command))
        self._wake.set()
        return self._issued

    def done(self, ticket: int) -> bool:
        return self._done >= ticket

    def latest(self) -> tuple[int, list]:
        with self._lock:
            return self._latest

    def _run(self) -> None:
        self._publish()
        due = time.perf_counter()
        while not self._stop:
            changed = self._drain()
            if self.playing:
                start = time.perf_counter()
                n = self._chunks.size
                if self.stop_at is not None:
                    n = min(n, self.stop_at - self.group.step_count)
                ran = self.group.step(n) if n > 0 else 0
                self._chunks.ran(ran, time.perf_counter() - start)
                if ran == 0:
                    self._finish()
                changed = True
            else:
                self._wake.wait(0.1)
                self._wake.clear()
            if changed and (time.perf_counter() >= due or not self.playing):
                self._publish()
                due = time.perf_counter() + FRAME_INTERVAL

    def _finish(self) -> None:
        """The runs stopped (their end, or all diverged): final metrics and the table."""
        self.playing = False
        self.group.train(0)  # evaluates what the last chunk left unevaluated
        self.table = self.group.table()

    def _drain(self) -> bool:
        last = None
        while True:
            try:
                ticket, command = self._commands.get_nowait()
            except queue.Empty:
                break
            try:
                command(self.group)
            except Exception as exc:  # a bad command never stops the runs
                if self.on_error:
                    self.on_error(exc)
            last = ticket
        if last is None:
            return False
        self._publish()
        self._done = last
        return True

    def _publish(self) -> None:
        sources = []
        for e in self.group.engines:
            src = FrameSource(e)
            src.charts = chart_snapshot(e)
            sources.append(src)
        with self._lock:
            self._latest = (self._latest[0] + 1, sources)


class CompareCharts(pg.GraphicsLayoutWidget):
    """One row per run: loss, D accuracy, sample quality; every x axis linked."""

    def __init__(self, labels: list[str]):
        super().__init__()
        self.setBackground("w")
        self.curves: list[dict] = []
        first = None
        for row, label in enumerate(labels):
            curves = {}
            for col, (key, title, series) in enumerate(CHART_ROWS):
                p = self.addPlot(row=row, col=col)
                p.setTitle(f"{label}: {title}" if col == 0 else title, size="8pt")
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

    def update_from(self, row: int, data: dict) -> None:
        for name, curve in self.curves[row].items():
            if name in data:
                curve.setData(*data[name])


class CompareWindow(QtWidgets.QWidget):
    """2-4 runs side by side. `runner` trains them; `planes`, `charts` and `table` show them."""

    def __init__(self, group: CompareGroup, stop_at: int | None = None, play: bool = False, parent=None):
        super().__init__(parent, QtCore.Qt.Window)
        self.setWindowTitle("Compare: " + " / ".join(r.label for r in group.runs))
        self.group = group
        self.labels = [r.label for r in group.runs]
        self._errors: queue.Queue = queue.Queue()
        self.runner = CompareRunner(group, stop_at, on_error=lambda exc: self._errors.put(str(exc)))
        self.builders = [FrameBuilder() for _ in self.labels]
        self._drawn = 0
        self._ticks = 0
        lay = QtWidgets.QVBoxLayout(self)
        lay.addLayout(self._toolbar())
        self.message = QtWidgets.QLabel()
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        split = QtWidgets.QSplitter(QtCore.Qt.Vertical)
        grid_host = QtWidgets.QWidget()
        grid = QtWidgets.QGridLayout(grid_host)
        grid.setContentsMargins(0, 0, 0, 0)
        _rows, cols = grid_shape(len(self.labels))
        self.planes: list[PlaneView] = []
        self.titles: list[QtWidgets.QLabel] = []
        for i, label in enumerate(self.labels):
            box = QtWidgets.QVBoxLayout()
            title = QtWidgets.QLabel(f"<b>{label}</b>")
            plane = PlaneView()
            if self.planes:  # zoom and pan together: every plane follows the first
                plane.setXLink(self.planes[0])
                plane.setYLink(self.planes[0])
            box.addWidget(title)
            box.addWidget(plane, 1)
            grid.addLayout(box, i // cols, i % cols)
            self.planes.append(plane)
            self.titles.append(title)
        split.addWidget(grid_host)
        self.charts = CompareCharts(self.labels)
        split.addWidget(self.charts)
        self.table = QtWidgets.QPlainTextEdit()
        self.table.setReadOnly(True)
        self.table.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.FixedFont))
        self.table.setPlaceholderText("The results table appears when the runs stop (or press Pause).")
        split.addWidget(self.table)
        split.setSizes([520, 260, 110])
        lay.addWidget(split, 1)
        self.resize(1300, 950)
        self.timer = QtCore.QTimer(self)
        self.timer.timeout.connect(self._on_tick)
        self.timer.start(DRAW_INTERVAL_MS)
        self.runner.start()
        if play:
            self.set_playing(True)

    def _toolbar(self) -> QtWidgets.QHBoxLayout:
        row = QtWidgets.QHBoxLayout()
        self.play_button = QtWidgets.QPushButton("Play")
        self.play_button.setCheckable(True)
        self.play_button.toggled.connect(self.set_playing)
        self.step_label = QtWidgets.QLabel("step 0")
        self.target = QtWidgets.QComboBox()
        self.target.addItem("All runs", None)
        for i, label in enumerate(self.labels):
            self.target.addItem(label, i)
        self.field = QtWidgets.QComboBox()
        self.field.setEditable(True)
        self.field.addItems(EDITABLE)
        self.value = QtWidgets.QLineEdit()
        self.value.setPlaceholderText("value, e.g. 1e-4")
        self.value.returnPressed.connect(self._apply_clicked)
        apply = QtWidgets.QPushButton("Apply")
        apply.clicked.connect(self._apply_clicked)
        for w in (
            self.play_button,
            self.step_label,
            QtWidgets.QLabel("   Change"),
            self.field,
            QtWidgets.QLabel("in"),
            self.target,
            QtWidgets.QLabel("to"),
            self.value,
            apply,
        ):
            row.addWidget(w)
        row.addStretch(1)
        return row

    # --- commands -----------------------------------------------------------------------------
    def set_playing(self, on: bool) -> int:
        with QtCore.QSignalBlocker(self.play_button):
            self.play_button.setChecked(on)
        self.play_button.setText("Pause" if on else "Play")

        def play(group: CompareGroup):
            r = self.runner
            if on and r.stop_at is not None and group.step_count >= r.stop_at:
                r.stop_at = None  # the comparison is over: Play carries on freely
            r.playing = on
            if not on:
                group.train(0)
                r.table = group.table()

        return self.runner.submit(play)

    def change(self, path: str, value, run: int | None = None) -> int:
        """Change a setting in one run (its index) or in all (None), between lockstep chunks."""

        def apply(group: CompareGroup):
            for i, e in enumerate(group.engines):
                if run is None or i == run:
                    e.update(path, value)

        return self.runner.submit(apply)

    def _apply_clicked(self) -> None:
        text = self.value.text().strip()
        if not text:
            self.message.setText("Type a value to apply, e.g. 1e-4.")
            return
        path = self.field.currentText().strip()
        run = self.target.currentData()
        who = "all runs" if run is None else self.labels[run]
        self.message.setText(f"{path} = {text} in {who}")
        self.change(path, text, run)

    # --- drawing ------------------------------------------------------------------------------
    def _on_tick(self) -> None:
        while not self._errors.empty():
            self.message.setText(self._errors.get_nowait())
        fid, sources = self.runner.latest()
        if fid == self._drawn or not sources:
            return
        self._drawn = fid
        self._ticks += 1
        charts = self._ticks % CHART_EVERY == 0 or not self.runner.playing
        for i, src in enumerate(sources):
            frame = self.builders[i].build(src)
            self.planes[i].draw(frame)
            m = frame.metrics
            modes = (
                f"   modes {m['modes']:.0f}/{len(frame.centres)}"
                if frame.centres is not None and np.isfinite(m.get("modes", np.nan))
                else ""
            )
            status = "" if frame.status == "ok" else "   (diverged)"
            self.titles[i].setText(f"<b>{self.labels[i]}</b>   {frame.loss}{modes}{status}")
            if charts:
                self.charts.update_from(i, src.charts)
        stop = self.runner.stop_at
        self.step_label.setText(f"step {min(s.step_count for s in sources):,}" + (f" of {stop:,}" if stop else ""))
        if not self.runner.playing:
            with QtCore.QSignalBlocker(self.play_button):  # shows the state; sends nothing
                self.play_button.setChecked(False)
            self.play_button.setText("Play")
            if self.runner.table and self.table.toPlainText() != self.runner.table:
                self.table.setPlainText(self.runner.table)

    def closeEvent(self, event) -> None:
        self.timer.stop()
        self.runner.stop(timeout=1.0)
        super().closeEvent(event)


def open_compare(parent, group: CompareGroup, stop_at: int | None = None, play: bool = False) -> CompareWindow:
    win = CompareWindow(group, stop_at=stop_at, play=play, parent=parent)
    win.setAttribute(QtCore.Qt.WA_DeleteOnClose, False)
    win.show()
    return win


REMEDY_STEPS = 3000  # WGAN-GP covers the ring within a few thousand steps; GAN has collapsed by then


def open_remedies(parent, steps: int = REMEDY_STEPS, overrides=()) -> CompareWindow:
    """Lesson 5's ring: GAN against WGAN-GP, PacGAN2 and unrolled, in lockstep, ending with the table."""
    from ganscope.core.compare import REMEDIES

    return open_compare(parent, CompareGroup(list(REMEDIES), overrides=list(overrides)), stop_at=steps, play=True)
