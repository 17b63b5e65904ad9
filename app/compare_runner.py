"""Trains a Compare window's group in lockstep: in the training process (core.train_process, as the
single-run view's worker does) or, without one, on a thread of its own.

The UI sends commands (functions of the group) and polls `latest()` for the newest frame sources,
one per run; it builds the frames itself (core.frames.FrameBuilder), so training never waits for
drawing. With the process, this thread only relays (app.worker_process.ProcessRelay): the group
here is a mirror that is exact whenever the runs are paused; `change` edits are carried out live on
both sides, any other command first takes the group back.

Why the process: on the app's thread the four runs shared one GIL with the planes, and the window
kept 39% of the group's headless speed where the single-run view kept 84% (docs/benchmarks.md #16).
"""

from __future__ import annotations

import threading
import time

from ganscope.core.chart_data import chart_snapshot
from ganscope.core.compare import CompareGroup
from ganscope.core.compare_process import Lockstep, group_state, restore_group
from ganscope.core.compare_table import format_table
from ganscope.core.frame_messages import RemoteRun
from ganscope.core.frames import FrameSource
from ganscope.core.play import FramePacer, play_chunks
from ganscope.core.train_process import RemoteTrainer

from .run_commands import RunCommands
from .worker_process import ProcessRelay, wait_idle

# Frames offered at most 30 times a second, whatever the window's budget draws: offering only as many
# as it drew was tried with the runs on the thread and cost frames (12.6 fps instead of 14.9).
FRAME_INTERVAL = 1 / 30
SKIPPED = frozenset({"arrows", "manifold"})  # layers the Compare window neither shows nor computes


class GroupHandover:
    """What the relay hands over for a Compare window: the runner's group, to its stop."""

    def __init__(self, runner: CompareRunner):
        self.runner = runner
        self._runs = [RemoteRun() for _ in runner.group.runs]

    def state(self) -> dict:
        return group_state(self.runner.group, self.runner.stop_at)

    def restore(self, state: dict) -> None:
        restore_group(self.runner.group, state)

    def playable(self) -> bool:
        return self.runner.lockstep.status == "ok"

    def on_cpu(self) -> bool:
        return all(e.device.type == "cpu" for e in self.runner.group.engines)  # CUDA groups stay here

    def step_count(self) -> int:
        return self.runner.group.step_count

    def source(self, msg: dict, token) -> list:
        # each run's own token: its frames keep their builder's copies of the players from frame to frame
        return [run.source(m, run, SKIPPED) for run, m in zip(self._runs, msg["runs"])]

    def came_back(self) -> None:
        """The process stopped on its own (the stop reached, or no run left training)."""
        self.runner._finish()


class CompareRunner:
    """Trains a CompareGroup in lockstep until `stop_at`; commands run between chunks.

    `process`: play in a training process (CPU groups); until it has started, and if it fails, the
    runner's thread trains.
    """

    def __init__(self, group: CompareGroup, stop_at: int | None = None, on_error=None, process: bool = False):
        self.group = group
        self.lockstep = Lockstep(group, stop_at)
        self.playing = False
        self.table = ""  # the results table, in English (the window shows it in its language)
        self.results: list[dict] = []
        self._wake = threading.Event()
        self.commands = RunCommands(lambda: self.group, self._wake, on_error)  # the UI's, with tickets
        self._lock = threading.Lock()
        self.stopping = False
        self.speed = 0  # as fast as possible (the relay's worker interface; compare has no speed slider)
        self.skip = SKIPPED
        self.frame_interval = FRAME_INTERVAL  # the relay hands it to the process
        self._latest: tuple[int, list] = (0, [])
        self._chunks = play_chunks()  # iterations per lockstep call, about 10 ms each (adapts)
        self._relay = ProcessRelay(self, RemoteTrainer(), GroupHandover(self)) if process else None
        self._thread = threading.Thread(target=self._run, name="ganscope-compare", daemon=True)

    @property
    def stop_at(self) -> int | None:
        return self.lockstep.stop_at

    @stop_at.setter
    def stop_at(self, value: int | None) -> None:
        self.lockstep.stop_at = value

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> bool:
        """Stop the thread (it leaves within a chunk) and tell the training process to quit; the
        process is reaped in the background (core.train_process.RemoteTrainer)."""
        self.stopping = True
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        elif self.remote is not None and self._thread.ident is None:
            self.remote.request_close()  # never started: nothing else will
        return not self._thread.is_alive()

    @property
    def remote(self) -> RemoteTrainer | None:
        return None if self._relay is None else self._relay.remote

    @property
    def in_process(self) -> bool:
        """Whether the training process plays the group right now."""
        return self._relay is not None and self._relay.in_process and self.playing

    @property
    def remote_frames(self) -> int:
        return 0 if self._relay is None else self._relay.remote_frames

    def submit(self, command, live: tuple | None = None) -> int:
        """command(group) on the training thread between chunks; a ticket for `done()`. `live` =
        (engine method, run index or None for all, *args) is the same edit for a playing process."""
        return self.commands.submit(command, live)

    def done(self, ticket: int) -> bool:
        return self.commands.done(ticket)

    def latest(self) -> tuple[int, list]:
        with self._lock:
            return self._latest

    # --- the training thread --------------------------------------------------------------------
    def _run(self) -> None:
        try:
            self._train_loop()
        finally:  # this thread is the one that talks to the process: it says goodbye too
            if self.remote is not None:
                self.remote.request_close()

    def _train_loop(self) -> None:
        self.publish()
        pacer = FramePacer()  # the single view's steady frame clock (core.play)
        while not self.stopping:
            if self.playing and self._relay is not None and self.lockstep.status == "ok" and self._relay.ready():
                self._relay.play()
                pacer = FramePacer()
                pacer.sent(time.perf_counter(), self.frame_interval)
                continue
            changed = self._drain()
            if self.playing:
                start = time.perf_counter()
                ran = self.lockstep.step(self._chunks.size)
                self._chunks.ran(ran, time.perf_counter() - start)
                if ran == 0:
                    self._finish()
                changed = True
            else:
                wait_idle(self._relay, self._wake)
            pacer.offer(changed, self.playing, self.publish, self.frame_interval)

    def _finish(self) -> None:
        """The runs stopped (their end, or all diverged, or paused): final metrics and the table. In
        this order: the last frames, then 'stopped', then the results, so that a window that sees the
        results has already been offered the frames they describe and shows Play."""
        self.group.train(0)  # evaluates what the last chunk left unevaluated
        self.publish()
        self.playing = False
        self.results = self.group.results()
        self.table = format_table(self.results)

    def _drain(self) -> bool:
        last = self.commands.run_waiting()
        if last is None:
            return False
        self.publish()
        self.commands.finish(last)
        return True

    # --- what the relay (app.worker_process) uses -------------------------------------------------
    def report_error(self, exc: BaseException) -> None:
        self.commands.report_error(exc)

    def publish(self) -> None:
        sources = []
        for e in self.group.engines:
            src = FrameSource(e, skip=SKIPPED)
            src.charts = chart_snapshot(e)
            sources.append(src)
        self.offer(sources)

    def offer(self, sources: list) -> None:
        with self._lock:
            self._latest = (self._latest[0] + 1, sources)
