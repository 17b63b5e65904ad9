"""Trains off the UI thread and keeps only the newest frame, so the screen never queues stale ones.

The worker is a plain Python thread that owns the engine. The UI never touches the engine directly:
it sends commands (functions of the engine) that run between training chunks, and it polls
`latest()` on its own timer. No Qt signal crosses threads, so nothing can pile up in an event queue.

With `process=True` (the app's default on a CPU) the playing itself happens in a training process
(core.train_process): this thread then only relays commands and frames, and the engine here is a
mirror that is exact whenever the run is paused. A command marked `live` (an edit the process can
carry out while it trains) is applied to both; any other command first takes the run back.
"""
from __future__ import annotations

import queue
import threading
import time
from collections import deque
from typing import Callable

from core.chart_data import chart_snapshot
from core.config import GanConfig
from core.engine import GanEngine
from core.frames import Frame, FrameBuilder, FrameSource
from core.train_process import RemoteTrainer, next_due, train_until

from .worker_process import ProcessRelay

FRAME_INTERVAL = 1 / 30   # a frame for the screen at most 30 times a second
DETECT_INTERVAL = 0.5     # seconds between detector runs while playing


class TrainingWorker(ProcessRelay):
    """Owns a GanEngine in a background thread.

    Parameters
    ----------
    engine : GanEngine
        The engine to drive; after `start()` only the worker thread may use it.
    on_error : callable, optional
        Called (from the worker thread) with an exception raised by a command.
    process : bool
        Play in a training process (CPU runs only); until it has started, and if it fails, the
        thread trains as before.
    """

    def __init__(self, engine: GanEngine, on_error: Callable[[BaseException], None] | None = None,
                 process: bool = False):
        self.engine = engine
        self.playing = False
        self.speed = 0            # iterations per frame; 0 means as fast as possible
        self.skip: frozenset = frozenset()  # layers no one draws: frames leave them out (cheaper)
        self._commands: queue.Queue = queue.Queue()
        self._wake = threading.Event()
        self._stop = False
        self._lock = threading.Lock()
        self._latest: FrameSource | None = None
        self._builder = FrameBuilder()  # used by latest(), on the caller's (UI) thread
        self._detections: dict = {}
        self._detected_at = 0.0
        self._built: tuple[int, Frame | None] = (0, None)
        self._frame_id = 0
        self._done_id = 0         # id of the last command that finished
        self._issued = 0
        self._on_error = on_error
        self._rate = deque(maxlen=30)  # (time, step) pairs for the it/s readout
        self._thread = threading.Thread(target=self._run, name="ganscope-training", daemon=True)
        self._remote: RemoteTrainer | None = RemoteTrainer() if process else None
        self._epoch = 0                  # the current hand-over to the process
        self._pending: list = []         # live edits (seq, ticket, command) not yet acknowledged
        self._remote_cfg: GanConfig | None = None
        self._charts: dict = {}
        self.remote_frames = 0           # frames that came from the training process
        self._chunk = 1                  # iterations per engine call at full speed (adapts)
        self.process_ready = threading.Event()  # set once the training process has started

    # --- UI side --------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> bool:
        """Stop and join the thread (and end the training process); True when it ended in time."""
        self._stop = True
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        if self._remote is not None:
            self._remote.close(timeout=min(timeout, 1.0))
        return not self._thread.is_alive()

    def submit(self, command: Callable[[GanEngine], object], live: tuple | None = None) -> int:
        """Run command(engine) on the worker thread between chunks; returns a ticket for `done()`.

        `live` = (engine method, *args) says the same edit, for the training process to carry out
        while it plays (see core.train_process.LIVE_OPS); without it, a playing process first
        hands the run back.
        """
        self._issued += 1
        self._commands.put((self._issued, command, live))
        self._wake.set()
        return self._issued

    @property
    def in_process(self) -> bool:
        """Whether the training process is running the game right now."""
        return self._remote is not None and self._epoch > 0 and self.playing

    def done(self, ticket: int) -> bool:
        """Whether the command with this ticket has run (and a frame after it exists)."""
        return self._done_id >= ticket

    def set_speed(self, iterations_per_frame: int) -> None:
        n = max(0, int(iterations_per_frame))
        self.submit(lambda _e: setattr(self, "speed", n), live=("speed", n))

    def latest(self) -> tuple[int, Frame | None]:
        """(frame id, newest frame); the id grows with every new frame.

        The frame is built here, on the calling (UI) thread, from the newest source the worker
        published: the few ms it takes run beside training instead of in its way.
        """
        with self._lock:
            fid, src = self._frame_id, self._latest
        if src is None:
            return fid, None
        if self._built[0] != fid:
            self._built = (fid, self._builder.build(src))
        return self._built

    def frames_made(self) -> int:
        """How many frames the training side has offered so far (the screen may skip some)."""
        with self._lock:
            return self._frame_id

    def step_count(self) -> int:
        """The step of the newest frame: where training is now, wherever it runs."""
        with self._lock:
            src = self._latest
        return src.step_count if src is not None else self.engine.step_count

    def iterations_per_second(self) -> float:
        with self._lock:
            if len(self._rate) < 2:
                return 0.0
            (t0, s0), (t1, s1) = self._rate[0], self._rate[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 and s1 >= s0 else 0.0

    # --- worker thread -------------------------------------------------------------------------
    def _run(self) -> None:
        self._publish()
        due = time.perf_counter() + FRAME_INTERVAL  # a steady frame clock (see core.train_process)
        while not self._stop:
            if self.playing and self.engine.status == "ok" and self._remote_ready():
                self._play_in_process()
                due = time.perf_counter() + FRAME_INTERVAL
                continue
            changed = self._drain_commands()
            e = self.engine
            if self.playing and e.status == "ok":
                if self.speed > 0:
                    if e.step(self.speed) == 0:
                        self.playing = False  # a lesson's end: pause there
                    wait = due - time.perf_counter()
                    if wait > 0:
                        self._wake.wait(wait)
                        self._wake.clear()
                else:  # until the next frame is due, leaving at once for a command
                    stopped, self._chunk = train_until(
                        e, due, self._chunk, lambda: self._stop or not self._commands.empty())
                    if stopped:
                        self.playing = False  # a lesson's end: pause there
                if self.engine.status != "ok":
                    self.playing = False
                changed = True
            elif not changed:
                self._remote_ready()  # notices the process starting, so Play hands over at once
                self._wake.wait(0.1)
                self._wake.clear()
            now = time.perf_counter()
            if changed and (now >= due or not self.playing):
                self._publish()
                due = next_due(due, now, FRAME_INTERVAL)

    def _drain_commands(self) -> bool:
        last = None
        while True:
            try:
                ticket, command, _live = self._commands.get_nowait()
            except queue.Empty:
                break
            self._run_command(command)
            last = ticket
        if last is None:
            return False
        self._publish()  # the frame reflects the commands before they count as done
        self._done_id = last
        return True

    def _run_command(self, command) -> bool:
        try:
            command(self.engine)
            return True
        except Exception as exc:  # a bad command must never kill training
            if self._on_error:
                self._on_error(exc)
            return False

    def _publish(self) -> None:
        frame = FrameSource(self.engine, skip=self.skip)
        frame.charts = chart_snapshot(self.engine)
        now = time.perf_counter()
        if now - self._detected_at >= DETECT_INTERVAL or not self.playing:
            self._detections = self.engine.detections()  # ~1 ms: twice a second is plenty
            self._detected_at = now
        frame.detections = self._detections
        self._set_latest(frame)

    def _set_latest(self, src) -> None:
        """Offer a frame source to latest() (from this thread or the training process)."""
        with self._lock:
            self._latest = src
            self._frame_id += 1
            self._rate.append((time.perf_counter(), src.step_count))
