"""The Compare window: 2 to 4 runs in lockstep, a plane each (zoom and pan linked), one chart row per
run, a setting changed in one run or in all, and the results table when the runs stop.

The runs train in the training process, like the main window's run (app.compare_runner; on a thread
where there is none): the UI sends commands that run between lockstep chunks and draws only the
newest frames, built on the UI thread from weight copies, so drawing never waits for training.
"""

from __future__ import annotations

import os
import queue
import time

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from ganscope.core.compare import CompareGroup
from ganscope.core.compare_table import format_table
from ganscope.core.frames import FrameBuilder

from .compare_budget import CompareBudget
from .compare_charts import CompareCharts
from .compare_export import grid_shape
from .compare_runner import CompareRunner
from .compare_texts import run_label, table_word, words
from .i18n import relabel_legends, translate
from .i18n_messages import language
from .views.plane import PlaneView

DRAW_INTERVAL_MS = 15
# Each plane is a quarter of the window: the surface, its boundary and the samples read there; the
# gradient arrows, trails and G's manifold clutter a small plane, and the arrows and the manifold
# cost a pass of G and D per point each frame, so they are neither shown nor computed.
SHOWN_LAYERS = ("surface", "contour", "real", "fake")  # SKIPPED (app.compare_runner): the others
CHART_ROW_PX = 110  # the least height of one run's chart row
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


class CompareWindow(QtWidgets.QWidget):
    """2-4 runs side by side. `runner` trains them; `planes`, `charts` and `table` show them."""

    def __init__(
        self,
        group: CompareGroup,
        stop_at: int | None = None,
        play: bool = False,
        parent=None,
        process: bool | None = None,
    ):
        """`process`: train in a training process (None: yes, unless the environment sets
        GANSCOPE_TRAIN_PROCESS=0, as for the main window)."""
        super().__init__(parent, QtCore.Qt.Window)
        self.group = group
        self.labels = [r.label for r in group.runs]
        self._errors: queue.Queue = queue.Queue()
        if process is None:
            process = os.environ.get("GANSCOPE_TRAIN_PROCESS", "1") != "0"
        self.runner = CompareRunner(group, stop_at, on_error=lambda exc: self._errors.put(str(exc)), process=process)
        self.builders = [FrameBuilder() for _ in self.labels]
        self._drawn = 0
        self._summaries = [""] * len(self.labels)  # each plane's title after its run's name: loss, modes
        self._step_text = (0, stop_at)
        self._shown_results: list | None = None  # the results the table shows (the runner's list, by identity)
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
        for _label in self.labels:
            box = QtWidgets.QVBoxLayout()
            title = QtWidgets.QLabel()
            plane = PlaneView()
            for key in plane.visible:
                plane.show_layer(key, key in SHOWN_LAYERS)
            plane.colorbar.axis.labelStyle = {"font-size": "7pt"}  # "D(x) = P(real)" fits a small plane's bar
            if self.planes:  # zoom and pan together: every plane follows the first
                plane.setXLink(self.planes[0])
                plane.setYLink(self.planes[0])
            box.addWidget(title)
            box.addWidget(plane, 1)
            grid.addLayout(box, len(self.planes) // cols, len(self.planes) % cols)
            self.planes.append(plane)
            self.titles.append(title)
        split.addWidget(grid_host)
        self.charts = CompareCharts(self.labels)
        # A chart row stays readable (its axes and title) however small the window: below that
        # the rows scroll (at 1024x700 four rows had 45 px each and lost their axes).
        self.charts.setMinimumHeight(CHART_ROW_PX * len(self.labels))
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QtWidgets.QFrame.NoFrame)
        scroll.setWidget(self.charts)
        split.addWidget(scroll)
        self.table = QtWidgets.QPlainTextEdit()
        self.table.setReadOnly(True)
        self.table.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.FixedFont))
        lines = len(self.labels) + 2  # the header, its rule and a row per run, all visible
        self.table.setMinimumHeight(lines * QtGui.QFontMetrics(self.table.font()).lineSpacing() + 14)
        split.addWidget(self.table)
        split.setCollapsible(2, False)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([520, 260, 110])
        lay.addWidget(split, 1)
        self.resize(1300, 950)
        self.budget = CompareBudget(self.planes)
        self.timer = QtCore.QTimer(self)
        self.timer.timeout.connect(self._on_tick)
        self.timer.start(DRAW_INTERVAL_MS)
        self.retranslate()
        self.runner.start()
        if play:
            self.set_playing(True)

    def _toolbar(self) -> QtWidgets.QHBoxLayout:
        row = QtWidgets.QHBoxLayout()
        self.play_button = QtWidgets.QPushButton()
        self.play_button.setCheckable(True)
        self.play_button.toggled.connect(self.set_playing)
        self.step_label = QtWidgets.QLabel()
        self.target = QtWidgets.QComboBox()
        self.target.addItem("", None)
        for i in range(len(self.labels)):
            self.target.addItem("", i)
        self.field = QtWidgets.QComboBox()
        self.field.setEditable(True)
        self.field.addItems(EDITABLE)
        self.value = QtWidgets.QLineEdit()
        self.value.returnPressed.connect(self._apply_clicked)
        self.apply_button = QtWidgets.QPushButton()
        self.apply_button.clicked.connect(self._apply_clicked)
        self.words = {key: QtWidgets.QLabel() for key in ("change", "in", "to")}  # the sentence's fixed words
        row.addWidget(self.play_button)
        row.addWidget(self.step_label)
        row.addSpacing(12)
        for w in (
            self.words["change"],
            self.field,
            self.words["in"],
            self.target,
            self.words["to"],
            self.value,
            self.apply_button,
        ):
            row.addWidget(w)
        row.addStretch(1)
        return row

    # --- commands -----------------------------------------------------------------------------
    def set_playing(self, on: bool) -> int:
        with QtCore.QSignalBlocker(self.play_button):
            self.play_button.setChecked(on)
        self.play_button.setText(words("pause" if on else "play"))

        def play(group: CompareGroup):
            r = self.runner
            if on and r.stop_at is not None and group.step_count >= r.stop_at:
                r.stop_at = None  # the comparison is over: Play carries on freely
            if on:
                r.playing = True
            else:
                r._finish()

        return self.runner.submit(play)

    def change(self, path: str, value, run: int | None = None) -> int:
        """Change a setting in one run (its index) or in all (None), between lockstep chunks."""

        def apply(group: CompareGroup):
            for i, e in enumerate(group.engines):
                if run is None or i == run:
                    e.update(path, value)

        return self.runner.submit(apply, live=("update", run, path, value))

    def _apply_clicked(self) -> None:
        text = self.value.text().strip()
        if not text:
            self.message.setText(words("type_value"))
            return
        path = self.field.currentText().strip()
        run = self.target.currentData()
        if run is None:
            self.message.setText(words("applied_all", path=path, value=text))
        else:
            self.message.setText(words("applied_one", path=path, value=text, who=run_label(self.labels[run])))
        self.change(path, text, run)

    # --- drawing ------------------------------------------------------------------------------
    def _on_tick(self) -> None:
        while not self._errors.empty():
            self.message.setText(self._errors.get_nowait())
        fid, sources = self.runner.latest()
        playing = self.runner.playing
        if fid != self._drawn and sources and self.budget.due(playing):
            self._draw(fid, sources, playing)
        self._show_state()

    def _draw(self, fid: int, sources: list, playing: bool) -> None:
        start = time.perf_counter()
        self._drawn = fid
        charts = self.budget.charts_due(playing)
        res, points, surface_every = self.budget.detail()
        for i, src in enumerate(sources):
            frame = self.builders[i].build(src, max_res=res, max_points=points, surface_every=surface_every)
            self.planes[i].draw(frame)
            self._summaries[i] = (frame.loss, frame.metrics, frame.centres, frame.status)
            if charts:
                self.charts.update_from(i, src.charts)
        self._step_text = (min(s.step_count for s in sources), self.runner.stop_at)
        self._show_texts()
        self.budget.drawn(time.perf_counter() - start, playing)

    def _show_state(self) -> None:
        """Stopped: Play, and the results table (the runner sets the results after it stopped)."""
        results = self.runner.results
        if not self.runner.playing and self.play_button.isChecked():
            with QtCore.QSignalBlocker(self.play_button):  # shows the state; sends nothing
                self.play_button.setChecked(False)
            self.play_button.setText(words("play"))
        if results is not self._shown_results:
            self._shown_results = results
            if results:
                self.table.setPlainText(format_table(results, table_word, run_label))

    def _show_texts(self) -> None:
        """The texts that carry numbers: plane titles, the step, the results table."""
        for i, summary in enumerate(self._summaries):
            text = f"<b>{run_label(self.labels[i])}</b>"
            if summary:
                loss, m, centres, status = summary
                text += f"   {loss}"
                if centres is not None and np.isfinite(m.get("modes", np.nan)):
                    text += "   " + words("modes", k=m["modes"], n=len(centres))
                if status != "ok":
                    text += "   " + words("diverged")
            self.titles[i].setText(text)
        step, stop = self._step_text
        self.step_label.setText(words("step_of", n=step, stop=stop) if stop else words("step", n=step))

    def retranslate(self) -> None:
        """Every text in the app's language (called by app.i18n.apply_language, and once when built)."""
        self.setWindowTitle(words("title", runs=" / ".join(run_label(x) for x in self.labels)))
        self.play_button.setText(words("pause" if self.play_button.isChecked() else "play"))
        for key, label in self.words.items():
            label.setText(words(key))
        self.target.setItemText(0, words("all_runs"))
        for i, label in enumerate(self.labels, 1):
            self.target.setItemText(i, run_label(label))
        self.value.setPlaceholderText(words("value_hint"))
        self.apply_button.setText(words("apply"))
        self.table.setPlaceholderText(words("table_hint"))
        self.charts.retranslate()
        self._show_texts()
        self._shown_results = None  # the table again, in this language
        self._show_state()
        for plane in self.planes:
            relabel_legends(plane, lambda t: translate(t, language()))

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
