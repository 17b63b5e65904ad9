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

import threading
import time
from collections import deque
from collections.abc import Callable

from ganscope.core.chart_data import chart_snapshot
from ganscope.core.engine import GanEngine
from ganscope.core.frames import Frame, FrameBuilder, FrameSource
from ganscope.core.play import FramePacer, play, play_chunks
from ganscope.core.speed_meter import CpuRate
from ganscope.core.train_process import FRAME_INTERVAL as FASTEST_FRAMES
from ganscope.core.train_process import RemoteTrainer

from .run_commands import RunCommands
from .worker_process import ProcessRelay, wait_idle

FRAME_INTERVAL = 1 / 30  # a frame for the screen at most 30 times a second
DETECT_INTERVAL = 0.5  # seconds between detector runs while playing


class TrainingWorker:
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

    def __init__(
        self, engine: GanEngine, on_error: Callable[[BaseException], None] | None = None, process: bool = False
    ):
        self.engine = engine
        self.playing = False
        self.speed = 0  # iterations per frame; 0 means as fast as possible
        self.skip: frozenset = frozenset()  # layers no one draws: frames leave them out (cheaper)
        self._wake = threading.Event()
        self.commands = RunCommands(lambda: self.engine, self._wake, on_error)  # the UI's, with tickets
        self.stopping = False
        self._lock = threading.Lock()
        self._latest: FrameSource | None = None
        self._builder = FrameBuilder()  # used by latest(), on the caller's (UI) thread
        self._detections: dict = {}
        self._detected_at = 0.0
        self._built: tuple[int, Frame | None] = (0, None)
        self._frame_id = 0
        self._rate = deque(maxlen=30)  # (time, step) pairs for the it/s readout
        self._thread = threading.Thread(target=self._run, name="ganscope-training", daemon=True)
        # Plays in a training process when there is one (see app.worker_process).
        self._relay: ProcessRelay | None = ProcessRelay(self, RemoteTrainer()) if process else None
        self._no_process = threading.Event()  # process_ready without a process: never set
        self._chunks = play_chunks()  # iterations per engine call at full speed (adapts)
        self.snapshots = None  # a core.snapshots.SnapshotHistory the timeline reads, if any
        self.frame_interval = FRAME_INTERVAL  # seconds between frames offered (the frame budget's)
        # (max surface resolution, max points, surface every n frames, surface in bfloat16): FrameBuilder.build
        self.detail: tuple = (None, None, 1, False)
        self._cpu_rate = CpuRate()  # the in-thread trainer's headless rate
        self.on_frame: Callable[[], None] | None = None  # called (on this thread) after each offer

    # --- UI side --------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 0.5) -> bool:
        """Stop the thread, waiting up to `timeout` s for it (it leaves within a training chunk),
        and tell the training process to quit without waiting for it: the process is reaped in
        the background (see `wait_closed`). True when the thread ended in time."""
        self.stopping = True
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        elif self._remote is not None and self._thread.ident is None:
            self._remote.request_close()  # never started: nothing else will
        return not self._thread.is_alive()

    def wait_closed(self, timeout: float = 1.0) -> None:
        """For an exiting app: wait up to `timeout` s in all for the thread and the training
        process to end, then terminate the process."""
        deadline = time.monotonic() + timeout
        self.stopping = True
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(max(0.0, deadline - time.monotonic()))
        if self._remote is not None:
            self._remote.wait_closed(max(0.05, deadline - time.monotonic()))

    @property
    def remote_pid(self) -> int | None:
        """The training process's id, once started (for checks that it is gone)."""
        r = self._remote
        return r.pid if r is not None and r.started else None

    def submit(self, command: Callable[[GanEngine], object], live: tuple | None = None) -> int:
        """Run command(engine) on the worker thread between chunks; returns a ticket for `done()`.

        `live` = (engine method, *args) says the same edit, for the training process to carry out
        while it plays (see core.play.LIVE_OPS); without it, a playing process first
        hands the run back.
        """
        return self.commands.submit(command, live)

    @property
    def in_process(self) -> bool:
        """Whether the training process is running the game right now."""
        return self._relay is not None and self._relay.in_process and self.playing

    @property
    def remote_frames(self) -> int:
        """Frames that came from the training process."""
        return 0 if self._relay is None else self._relay.remote_frames

    @property
    def process_ready(self) -> threading.Event:
        """Set once the training process has started (never, without one)."""
        return self._relay.process_ready if self._relay is not None else self._no_process

    @property
    def _remote(self) -> RemoteTrainer | None:
        """The training process's handle, if there is one."""
        return None if self._relay is None else self._relay.remote

    def done(self, ticket: int) -> bool:
        """Whether the command with this ticket has run (and a frame after it exists)."""
        return self.commands.done(ticket)

    def set_frame_interval(self, seconds: float) -> int:
        """Offer frames at most every `seconds` (the app draws no more than that): the training
        process then spends nothing on frames nobody will see."""
        s = max(FASTEST_FRAMES, float(seconds))  # the training process's own floor
        return self.submit(lambda _e: setattr(self, "frame_interval", s), live=("frame_interval", s))

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
            self._built = (fid, self._builder.build(src, *self.detail))
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

    def headless_rate(self) -> float:
        """Iterations per second training would run at headless, as measured by the trainer's
        CPU time (core.speed_meter); 0.0 when not known yet."""
        with self._lock:
            src = self._latest
        return float(getattr(src, "cpu_its", 0.0) or 0.0)

    def iterations_per_second(self) -> float:
        with self._lock:
            if len(self._rate) < 2:
                return 0.0
            (t0, s0), (t1, s1) = self._rate[0], self._rate[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 and s1 >= s0 else 0.0

    # --- worker thread -------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            self._train_loop()
        finally:  # this thread is the one that talks to the process: it says goodbye too
            if self._remote is not None:
                self._remote.request_close()

    def _train_loop(self) -> None:
        self.publish()
        pacer = FramePacer()  # a steady frame clock (see core.play)
        pacer.sent(time.perf_counter(), self.frame_interval)
        while not self.stopping:
            if self.playing and self.engine.status == "ok" and self._relay is not None and self._relay.ready():
                self._relay.play()
                pacer = FramePacer()
                pacer.sent(time.perf_counter(), self.frame_interval)
                continue
            changed = self._drain_commands()
            e = self.engine
            if self.playing and e.status != "ok":
                # A run that came back diverged by any road (the process's own hand-back, or a pull
                # for a command or a snapshot that crossed the divergence) pauses here, once.
                self.playing = False
                changed = True
            if self.playing and e.status == "ok":
                self._cpu_rate.begin(e.step_count)
                stopped = play(e, self.speed, pacer.due, self._chunks, lambda: self.stopping or self.commands.waiting())
                self._cpu_rate.end(e.step_count)
                if stopped:
                    self.playing = False  # a lesson's end: pause there
                if self.speed > 0:
                    wait = pacer.due - time.perf_counter()
                    if wait > 0:
                        self._wake.wait(wait)
                        self._wake.clear()
                if self.engine.status != "ok":
                    self.playing = False
                changed = True
            elif not changed:
                wait_idle(self._relay, self._wake)
            pacer.offer(changed, self.playing, self.publish, self.frame_interval)

    def _drain_commands(self) -> bool:
        last = self.commands.run_waiting()
        if last is None:
            return False
        self.publish()  # the frame reflects the commands before they count as done
        self.commands.finish(last)
        return True

    def report_error(self, exc: BaseException) -> None:
        self.commands.report_error(exc)

    def publish(self) -> None:
        if self.snapshots is not None:  # full states for the timeline's branches (app.timeline)
            self.snapshots.take_due(self.engine)
        frame = FrameSource(self.engine, skip=self.skip)
        frame.charts = chart_snapshot(self.engine)
        now = time.perf_counter()
        if now - self._detected_at >= DETECT_INTERVAL or not self.playing:
            self._detections = self.engine.detections()  # ~1 ms: twice a second is plenty
            self._detected_at = now
        frame.detections = self._detections
        frame.cpu_its = self._cpu_rate.rate()
        self.offer(frame)

    def offer(self, src) -> None:
        """Offer a frame source to latest() (from this thread or the training process)."""
        with self._lock:
            self._latest = src
            self._frame_id += 1
            self._rate.append((time.perf_counter(), src.step_count))
        ring = self.on_frame
        if ring is not None:
            try:
                ring()  # the window draws it as soon as it is due (app.frame_clock)
            except Exception as exc:  # never stops training: the window's poll still draws frames
                self.on_frame = None
                if not isinstance(exc, RuntimeError):  # RuntimeError: the clock was deleted (closing)
                    self.report_error(exc)
