"""Trains off the UI thread and keeps only the newest frame, so the screen never queues stale ones.

The worker is a plain Python thread that owns the engine. The UI never touches the engine directly:
it sends commands (functions of the engine) that run between training chunks, and it polls
`latest()` on its own timer. No Qt signal crosses threads, so nothing can pile up in an event queue.
"""
from __future__ import annotations

import queue
import threading
import time
from collections import deque
from typing import Callable

from core.engine import GanEngine
from core.frames import Frame, FrameBuilder, FrameSource

from .views.charts import chart_snapshot

FRAME_INTERVAL = 1 / 30   # a frame for the screen at most 30 times a second
DETECT_INTERVAL = 0.5     # seconds between detector runs while playing
CHUNK = 5                 # iterations per engine call in 'max' speed: ~10 ms, so frames keep to
                          # their 30 fps cadence; the per-call bookkeeping stays under 5%


class TrainingWorker:
    """Owns a GanEngine in a background thread.

    Parameters
    ----------
    engine : GanEngine
        The engine to drive; after `start()` only the worker thread may use it.
    on_error : callable, optional
        Called (from the worker thread) with an exception raised by a command.
    """

    def __init__(self, engine: GanEngine, on_error: Callable[[BaseException], None] | None = None):
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

    # --- UI side --------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> bool:
        """Stop and join the thread; True when it ended within the timeout."""
        self._stop = True
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def submit(self, command: Callable[[GanEngine], object]) -> int:
        """Run command(engine) on the worker thread between chunks; returns a ticket for `done()`."""
        self._issued += 1
        self._commands.put((self._issued, command))
        self._wake.set()
        return self._issued

    def done(self, ticket: int) -> bool:
        """Whether the command with this ticket has run (and a frame after it exists)."""
        return self._done_id >= ticket

    def set_playing(self, playing: bool) -> None:
        self.submit(lambda _e: setattr(self, "playing", bool(playing)))

    def set_speed(self, iterations_per_frame: int) -> None:
        self.submit(lambda _e: setattr(self, "speed", max(0, int(iterations_per_frame))))

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

    def iterations_per_second(self) -> float:
        with self._lock:
            if len(self._rate) < 2:
                return 0.0
            (t0, s0), (t1, s1) = self._rate[0], self._rate[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 and s1 >= s0 else 0.0

    # --- worker thread -------------------------------------------------------------------------
    def _run(self) -> None:
        self._publish()
        last_frame = time.perf_counter()
        while not self._stop:
            changed = self._drain_commands()
            e = self.engine
            if self.playing and e.status == "ok":
                if self.speed > 0:
                    if e.step(self.speed) == 0:
                        self.playing = False  # a lesson's end: pause there
                    wait = FRAME_INTERVAL - (time.perf_counter() - last_frame)
                    if wait > 0:
                        self._wake.wait(wait)
                        self._wake.clear()
                else:  # train until the next frame is due, in small chunks to keep the cadence
                    while (time.perf_counter() - last_frame < FRAME_INTERVAL
                           and e.status == "ok" and self._commands.empty() and not self._stop):
                        if e.step(CHUNK) == 0:
                            self.playing = False  # a lesson's end: pause there
                            break
                if self.engine.status != "ok":
                    self.playing = False
                changed = True
            elif not changed:
                self._wake.wait(0.1)
                self._wake.clear()
            now = time.perf_counter()
            if changed and (now - last_frame >= FRAME_INTERVAL or not self.playing):
                self._publish()
                last_frame = now

    def _drain_commands(self) -> bool:
        last = None
        while True:
            try:
                ticket, command = self._commands.get_nowait()
            except queue.Empty:
                break
            try:
                command(self.engine)
            except Exception as exc:  # a bad command must never kill training
                if self._on_error:
                    self._on_error(exc)
            last = ticket
        if last is None:
            return False
        self._publish()  # the frame reflects the commands before they count as done
        self._done_id = last
        return True

    def _publish(self) -> None:
        frame = FrameSource(self.engine, skip=self.skip)
        frame.charts = chart_snapshot(self.engine)
        now = time.perf_counter()
        if now - self._detected_at >= DETECT_INTERVAL or not self.playing:
            self._detections = self.engine.detections()  # ~1 ms: twice a second is plenty
            self._detected_at = now
        frame.detections = self._detections
        with self._lock:
            self._latest = frame
            self._frame_id += 1
            self._rate.append((time.perf_counter(), self.engine.step_count))
