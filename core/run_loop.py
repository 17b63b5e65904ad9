"""The one training loop: trains in chunks and tells its callbacks after each chunk.

Every caller that trains for a while uses it: `ganscope train` and `scenario` (core.training_run),
the lessons' headless runs (core.scenarios), the training process and the app's in-thread
fallback (core.train_process.play), sweeps (core.sweep) and the Arjovsky-Bottou experiment
(core.arjovsky). What differs between them is only how big a chunk is, when to stop, and what
happens between chunks; the callbacks below say that.

Between two chunks nothing trains, so that is where a caller's command, a cancel, a progress line
or a frame fits. The chunking never changes the result: the engine's random streams and its
scheduled script steps do not depend on how its `step(n)` calls are cut (tested).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

# Why a loop ended (LoopState.reason).
DONE = "done"  # the iterations asked for were run
ENDED = "ended"  # the engine ran no more: a lesson's end (stop_at)
DIVERGED = "diverged"  # the engine's status is no longer "ok"
CANCELLED = "cancelled"  # should_stop() or a callback's state.stop()
INTERRUPTED = "interrupted"  # Ctrl-C (only where the caller asked for it)


@dataclass
class LoopState:
    """Where a loop stands; callbacks read it, and may call `stop()`."""

    trainer: object  # what trains: a GanEngine, or an Ensemble
    total: int | None  # iterations asked for; None: until stopped
    done: int = 0  # iterations run so far by this loop
    elapsed: float = 0.0  # seconds since the loop started
    reason: str = ""  # why the loop ended (DONE, ENDED, ...); "" while it runs
    stop_request: str = ""

    def stop(self, reason: str = CANCELLED) -> None:
        """End the loop before the next chunk."""
        self.stop_request = reason

    @property
    def stopped_by_engine(self) -> bool:
        """Whether the engine itself stopped: a lesson's end or a divergence."""
        return self.reason in (ENDED, DIVERGED)


class Callback:
    """Hooks of run_loop; each does nothing unless overridden."""

    def on_start(self, state: LoopState) -> None:
        pass

    def on_chunk(self, state: LoopState) -> None:
        """After every chunk that ran at least one iteration."""

    def on_end(self, state: LoopState) -> None:
        """Once, after the last chunk, whatever the reason (state.reason says it)."""


class FixedChunks:
    """Chunks of `size` iterations (the last one shorter, to end at the total)."""

    def __init__(self, size: int):
        self.size = max(1, int(size))

    def ran(self, iterations: int, seconds: float) -> None:
        pass


def next_chunk(ran: int, seconds: float, target: float, most: int) -> int:
    """Iterations for the next chunk to last about `target` seconds, from how long `ran` took."""
    if ran <= 0 or seconds <= 0:
        return 1
    return max(1, min(most, int(target * ran / seconds)))


class TimedChunks:
    """Chunks that last about `target` seconds each, at most `most` iterations; starts at one.

    Kept by a caller across loops (the app's play loop), it remembers the speed it measured.
    """

    def __init__(self, target: float, most: int, first: int = 1):
        self.target, self.most, self.size = target, most, first

    def ran(self, iterations: int, seconds: float) -> None:
        self.size = next_chunk(iterations, max(seconds, 1e-6), self.target, self.most)


def run_loop(
    trainer,
    steps: int | None,
    chunks: int | FixedChunks | TimedChunks = 50,
    callbacks: Iterable[Callback] = (),
    should_stop: Callable[[], bool] | None = None,
    step: Callable[[int], int | None] | None = None,
    interruptible: bool = False,
) -> LoopState:
    """Train `steps` iterations (None: until stopped) in chunks; returns the final LoopState.

    Parameters
    ----------
    trainer : GanEngine or Ensemble
        Trained through `step` (default `trainer.step`); a `status` other than "ok" ends the loop.
    chunks : int, FixedChunks or TimedChunks
        How many iterations one call trains: between calls, callbacks run and stops are noticed.
    should_stop : callable, optional
        Asked before every chunk; True ends the loop (reason CANCELLED).
    step : callable, optional
        step(n) trains n iterations and returns how many ran (0: the engine stopped; None: all n).
    interruptible : bool
        Ctrl-C ends the loop (reason INTERRUPTED) instead of propagating.
    """
    policy = FixedChunks(chunks) if isinstance(chunks, int) else chunks
    step = step or trainer.step
    callbacks = list(callbacks)
    state = LoopState(trainer, steps)
    for cb in callbacks:
        cb.on_start(state)
    start = time.perf_counter()
    try:
        while True:
            if getattr(trainer, "status", "ok") != "ok":
                state.reason = DIVERGED
                break
            if steps is not None and state.done >= steps:
                state.reason = DONE
                break
            if state.stop_request or (should_stop is not None and should_stop()):
                state.reason = state.stop_request or CANCELLED
                break
            n = policy.size if steps is None else min(policy.size, steps - state.done)
            t = time.perf_counter()
            ran = step(n)
            ran = n if ran is None else ran
            policy.ran(ran, time.perf_counter() - t)
            state.done += ran
            state.elapsed = time.perf_counter() - start
            if ran == 0:
                state.reason = ENDED if getattr(trainer, "status", "ok") == "ok" else DIVERGED
                break
            for cb in callbacks:
                cb.on_chunk(state)
    except KeyboardInterrupt:
        if not interruptible:
            raise
        state.reason = INTERRUPTED
    state.elapsed = time.perf_counter() - start
    for cb in callbacks:
        cb.on_end(state)
    return state


class DetectorLog(Callback):
    """The first step at which each failure detector fired (core.detectors), "diverged" included."""

    def __init__(self, engine):
        self.engine = engine
        self.fired: dict[str, int] = {}

    def on_chunk(self, state: LoopState) -> None:
        for d in self.engine.detections().values():
            if d.active and d.name not in self.fired:
                self.fired[d.name] = self.engine.step_count

    def on_end(self, state: LoopState) -> None:
        if self.engine.status == "diverged":
            self.fired.setdefault("diverged", self.engine.step_count)


class Progress(Callback):
    """A core.progress.ProgressBar of the loop's iterations; `extra(trainer)` adds text."""

    def __init__(self, bar, extra: Callable[[Any], str] | None = None):
        self.bar, self.extra = bar, extra

    def on_chunk(self, state: LoopState) -> None:
        self.bar.update(state.done, self.extra(state.trainer) if self.extra else "")

    def on_end(self, state: LoopState) -> None:
        self.bar.finish()


class Every(Callback):
    """Calls `fn(state)` after every chunk: a frame, a measurement, a progress report."""

    def __init__(self, fn: Callable[[LoopState], object]):
        self.fn = fn

    def on_chunk(self, state: LoopState) -> None:
        self.fn(state)
