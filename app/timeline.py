"""The timeline under the plane: drag back to see the run at any kept step, and branch from there.

Two histories, both bounded and thinned the same way (core.snapshots: dense recent steps, older
ones geometrically sparser):
- pictures: the Frames the window drew (about 0.1 MB each at the default sizes; FRAMES_KEPT at
  most), so dragging shows a kept step at once and never touches the run, wherever it trains;
- full states (core.snapshots.SnapshotHistory on the worker, taken on its thread whenever it holds
  the run: every `interval` steps when it trains there; when the training process plays, every
  PROCESS_SNAPSHOT_S seconds and at each pause or command), from which "Branch from here" starts the original and a changed copy side by side
  in a Compare window. A branch starts from the newest full state at or before the step shown,
  and says which step that was.
"""

from __future__ import annotations

import dataclasses

from PySide6 import QtCore, QtWidgets

from ganscope.core.config import ConfigError, GanConfig
from ganscope.core.snapshots import SnapshotHistory, branch, thin_index

from .compare_texts import words

FRAMES_KEPT = 64  # pictures kept: 64 x ~0.1 MB
FRAME_INTERVAL = 50  # steps between kept pictures (at least)
FRAMES_RECENT = 16  # the newest pictures kept at every interval
PROCESS_SNAPSHOT_S = 2.0  # while the training process plays, its exact state comes back this often
# for a full snapshot (a hand-back of a few ms; the run continues
# bit-identically, see core.train_process)


def parse_changes(text: str) -> dict:
    """'d_opt.lr=1e-4; g_opt.lr=2e-4' -> {'d_opt.lr': '1e-4', ...}, each checked (ConfigError)."""
    changes = {}
    for part in text.replace(",", ";").split(";"):
        if not part.strip():
            continue
        if "=" not in part:
            raise ConfigError(f"{part.strip()!r}: expected FIELD=VALUE, e.g. d_opt.lr=1e-4")
        key, value = (p.strip() for p in part.split("=", 1))
        GanConfig().set(key, value)  # names the bad field and its allowed range
        changes[key] = value
    if not changes:
        raise ConfigError("no change given; e.g. d_opt.lr=1e-4")
    return changes


class TimelineBar(QtWidgets.QWidget):
    """A slider over the kept steps, a Live button and "Branch from here…"."""

    def __init__(self, window):
        super().__init__()
        self.window = window
        self.frames: list = []  # kept Frames, oldest first
        self.viewing = None  # the Frame shown instead of the live run, or None
        self.branches: list = []  # (label, engine, parent step, changes, its Compare window) made here
        self._pending = None  # (ticket, changes, step asked) of a branch being made
        self.compare_windows: list = []  # every Compare window opened from the main window
        window.worker.snapshots = SnapshotHistory()
        lay = QtWidgets.QHBoxLayout(self)
        lay.setContentsMargins(4, 0, 4, 0)
        self.slider = QtWidgets.QSlider(QtCore.Qt.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.valueChanged.connect(self._on_slider)
        self.label = QtWidgets.QLabel()
        # Its text varies; it must never widen the window (1024x700 with the controls docked): it may
        # shrink to 60 px, but it asks for its text's width (the slider gives way) up to 360 px; a
        # longer text is cut there and whole in the tooltip (ignoring its size, it was squeezed to
        # 60 px at 1024 px and "live" read "li").
        self.label.setSizePolicy(QtWidgets.QSizePolicy.Preferred, QtWidgets.QSizePolicy.Preferred)
        self.label.setMinimumWidth(60)
        self.label.setMaximumWidth(360)
        self.live_button = QtWidgets.QPushButton()
        self.live_button.clicked.connect(self.go_live)
        self.live_button.setEnabled(False)
        self.branch_button = QtWidgets.QPushButton()
        self.branch_button.clicked.connect(self._ask_branch)
        self.title = QtWidgets.QLabel()
        self._status = ("live", {})  # the label's text: its key in compare_texts and its numbers
        self.retranslate()
        lay.addWidget(self.title)
        lay.addWidget(self.slider, 1)
        lay.addWidget(self.label)
        lay.addWidget(self.live_button)
        lay.addWidget(self.branch_button)
        self._poll = QtCore.QTimer(self)
        self._poll.timeout.connect(self._check_pending)
        self._fetch = QtCore.QTimer(self)
        self._fetch.timeout.connect(self._fetch_state)
        self._fetch.start(int(PROCESS_SNAPSHOT_S * 1000))

    def retranslate(self) -> None:
        """Every text in the app's language (called by app.i18n.apply_language, and once when built)."""
        self.title.setText(words("timeline"))
        self.slider.setToolTip(words("slider_tip"))
        self.live_button.setText(words("live_button"))
        self.live_button.setToolTip(words("live_tip"))
        self.branch_button.setText(words("branch_button"))
        self.branch_button.setToolTip(words("branch_tip"))
        self._say(*self._status)

    def _say(self, key: str, values: dict) -> None:
        self._status = (key, values)
        self.label.setText(words(key, **dict(values, note=self._note(values))))
        self.label.setToolTip(self.label.text())

    def _fetch_state(self) -> None:
        """A command with nothing to do brings the process's run back for a moment: the worker then
        takes a full snapshot if one is due (TrainingWorker._publish) and hands the run back."""
        worker = self.window.worker
        if worker.in_process and worker.done(worker.commands.issued):
            worker.submit(lambda _e: None)

    def under(self, plane) -> QtWidgets.QWidget:
        """The plane with this bar under it, as one widget for the window's splitter."""
        box = QtWidgets.QWidget()
        lay = QtWidgets.QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(plane, 1)
        lay.addWidget(self)
        return box

    def close_windows(self) -> None:
        for w in self.compare_windows:
            w.close()
        self.compare_windows = []

    # --- the pictures ---------------------------------------------------------------------------
    def record(self, frame) -> None:
        """Called with every frame the window draws (the live run)."""
        frame = dataclasses.replace(frame, charts={}, detections=None)  # the picture only: ~0.1 MB
        steps = [f.step for f in self.frames]
        if steps and frame.step < steps[-1]:  # a reset or another run: its future is gone
            self.frames = [f for f in self.frames if f.step < frame.step]
            steps = [f.step for f in self.frames]
            if self.viewing is not None and self.viewing.step >= frame.step:
                self.go_live()
        if self.viewing is None:
            self._say("live_step", {"n": frame.step})
        if steps and frame.step == steps[-1]:
            self.frames[-1] = frame  # the same step drawn again (an edit, a layer): the newest picture
        elif steps and frame.step - steps[-1] < FRAME_INTERVAL:
            return
        else:
            self.frames.append(frame)
        while len(self.frames) > FRAMES_KEPT:
            del self.frames[thin_index([f.step for f in self.frames], FRAMES_RECENT, FRAME_INTERVAL, FRAMES_KEPT)]
        with QtCore.QSignalBlocker(self.slider):
            self.slider.setRange(0, len(self.frames) - 1)
            if self.viewing is None:
                self.slider.setValue(len(self.frames) - 1)
            else:
                self.slider.setValue(self._index_of(self.viewing.step))

    def _index_of(self, step: int) -> int:
        return max((i for i, f in enumerate(self.frames) if f.step <= step), default=0)

    def show_step(self, step: int) -> int:
        """Show the kept picture at or before `step` (the run is not touched); returns its step."""
        i = self._index_of(step)
        self.slider.setValue(i)
        self._on_slider(i)
        return self.frames[i].step if self.frames else 0

    def _on_slider(self, index: int) -> None:
        if not self.frames:
            return
        index = max(0, min(index, len(self.frames) - 1))
        self.viewing = self.frames[index]
        self.window.plane.draw(self.viewing)
        now = self.window.worker.step_count()
        self._say("showing", {"n": self.viewing.step, "now": now})
        self.live_button.setEnabled(True)

    def go_live(self) -> None:
        self.viewing = None
        self.live_button.setEnabled(False)
        self.window.plane.clear_trails()
        with QtCore.QSignalBlocker(self.slider):
            self.slider.setValue(self.slider.maximum())
        self.window._drawn_id = 0  # the next tick draws the live frame again
        self._say("live", {})

    # --- branching ------------------------------------------------------------------------------
    def _ask_branch(self) -> None:
        text, ok = QtWidgets.QInputDialog.getText(
            self,
            words("branch_title"),
            words("branch_prompt"),
            text=f"d_opt.lr={self.window.engine.cfg.d_opt.lr / 2:g}",
        )
        if not ok:
            return
        try:
            changes = parse_changes(text)
        except ConfigError as exc:
            self.window._show_error(words("cannot_branch"), str(exc))
            return
        self.branch_here(changes)

    def branch_here(self, changes: dict) -> int:
        """Start the original and a copy with `changes` from the step shown (live: the step the run
        is at), side by side in a Compare window; returns the worker's ticket."""
        step = self.viewing.step if self.viewing is not None else None
        worker = self.window.worker

        def make(e):
            hist = worker.snapshots
            snap = hist.current(e) if step is None else hist.at(step)
            if snap is None:
                raise ValueError(words("no_state", step=step))
            original = branch(snap, history_from=e)
            changed = branch(snap, changes, history_from=e)
            self._made = (snap.step, original, changed)

        self._made = None
        ticket = worker.submit(make)
        self._pending = (ticket, dict(changes), step)
        self._poll.start(30)
        return ticket

    def _check_pending(self) -> None:
        ticket, changes, asked = self._pending
        if not self.window.worker.done(ticket):
            return
        self._poll.stop()
        self._pending = None
        if self._made is None:
            return  # the worker reported why (the window's banner)
        from ganscope.core.compare import CompareGroup

        from .compare_window import open_compare

        at, original, changed = self._made
        label = ", ".join(f"{k}={v}" for k, v in changes.items())
        group = CompareGroup.of_engines([(f"original from step {at:,}", original), (label, changed)])
        self.compare_window = open_compare(self.window, group)
        self.branches.append((label, changed, at, changes, self.compare_window))
        self.compare_windows.append(self.compare_window)
        values = {"at": at} if asked is None or asked == at else {"at": at, "asked": asked}
        self.window.say(words("branched", **dict(values, note=self._note(values))), 8000)
        self._say("branched_label", values)

    @staticmethod
    def _note(values: dict) -> str:
        return words("nearest", asked=values["asked"]) if "asked" in values else ""

    # --- sessions -------------------------------------------------------------------------------
    def save(self, engine, path: str) -> tuple[str | None, bool, str]:
        """Save the run with its timeline: full states, and each branch with its original as a compare
        group (called on the worker's thread, which owns `engine` and the full states).

        A failed write never loses the run: it goes to a fallback folder (core.outputs). Returns
        (the path written or None, whether it is a fallback, what happened in one line or "")."""
        import io

        from ganscope.core.outputs import write_or_fallback
        from ganscope.core.session_history import MAIN, SavedRun, Timeline, timeline_session_bytes

        runs, groups = [], []
        for label, changed, at, changes, win in self.branches:
            original = win.group.engines[0]
            names = []
            for name, e, ch in ((f"original from step {at:,}", original, {}), (label, changed, changes)):
                name = _unique(name, [r.label for r in runs])
                runs.append(SavedRun(name, _settled(e, win), MAIN, at, dict(ch)))
                names.append(name)
            groups.append(names)
        data = timeline_session_bytes(engine, Timeline(self.window.worker.snapshots or SnapshotHistory(), runs, groups))
        said = io.StringIO()
        written, fell_back = write_or_fallback(data, path, "session", said)
        return written, fell_back, said.getvalue().strip().removeprefix("ganscope: ")

    def restore(self, saved) -> int:
        """After a session opened: its full states become the run's, its compare groups reopen."""
        from ganscope.core.compare import CompareGroup

        from .compare_window import open_compare

        worker = self.window.worker

        def adopt(e):
            saved.history.adopt(e)
            worker.snapshots = saved.history

        ticket = worker.submit(adopt)
        self.frames, self.viewing, self.branches = [], None, []
        self.close_windows()
        by_label = {r.label: r for r in saved.runs}
        for labels in saved.groups:
            runs = [by_label[x] for x in labels if x in by_label]
            if len(runs) < 2:
                continue  # a group with the session's own run: that run is in the main window
            win = open_compare(self.window, CompareGroup.of_engines([(r.label, r.engine) for r in runs]))
            self.compare_windows.append(win)
            last = runs[-1]
            self.branches.append((last.label, last.engine, last.parent_step or 0, last.changes, win))
        if saved.warning:
            self.window._show_banner(saved.warning)
        return ticket


def _settled(engine, window):
    """The engine as its Compare window last left it: a copy made on its training thread."""
    from ganscope.core.engine import GanEngine
    from ganscope.core.session import engine_state, restore_state, state_from_bytes, state_to_bytes

    holder = {}
    runner = getattr(window, "runner", None)
    if runner is not None and runner._thread.is_alive():
        import time

        ticket = runner.submit(lambda _g: holder.setdefault("state", state_to_bytes(engine_state(engine))))
        deadline = time.monotonic() + 10
        while not runner.done(ticket) and time.monotonic() < deadline:
            time.sleep(0.01)
    data = holder.get("state") or state_to_bytes(engine_state(engine))
    copy = GanEngine(engine.cfg)
    restore_state(copy, state_from_bytes(data))
    return copy


def _unique(label: str, taken: list) -> str:
    out, k = label, 2
    while out in taken:
        out, k = f"{label} ({k})", k + 1
    return out
