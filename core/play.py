"""Play: one frame's worth of training at a time (core.run_loop), as the app plays a run, in the
training process (core.train_process) or on the app's own thread, for one engine or a compare
group's lockstep (core.compare_process).
"""

from __future__ import annotations

import time

from .run_loop import TimedChunks, run_loop

CHUNK_SECONDS = 0.01  # each engine call at full speed trains for about this long: 5 default
# iterations, 1 of a 5-step unrolled one (a fixed 5 made that one's
# frames 63 ms apart: 17 fps)
MOST_PER_CALL = 50  # iterations an engine call may take at most: commands and frames are
# never far off


def play(engine, speed: int, due: float, chunks: TimedChunks, interrupted, until_due: bool = False) -> bool:
    """One frame's worth of play: `speed` iterations (the speed slider), or with speed 0 as fast as
    possible until the frame due at `due` (perf_counter) or until `interrupted()`, in calls of
    about CHUNK_SECONDS. Returns whether the engine stopped: a lesson's end or a divergence.
    Shared by the training process and the app's in-thread fallback; `engine` may be a
    compare group's Lockstep.

    `until_due` (a GanEngine on the CPU): at full speed, one call of up to MOST_PER_CALL iterations
    that itself stops between iterations when the frame is due or a command waits
    (GanEngine.step's `until`): the same stopping points as calls of one iteration, while the
    call's bookkeeping (~0.45 ms) is paid once a frame. Lesson 7a's iterations take ~10 ms, so
    CHUNK_SECONDS made every call one iteration long and that bookkeeping cost 4-5% of training."""
    if speed > 0:
        state = run_loop(engine, speed, chunks=speed)
    else:

        def stop() -> bool:
            return time.perf_counter() >= due or interrupted()

        if until_due:
            state = run_loop(engine, None, MOST_PER_CALL, should_stop=stop, step=lambda n: engine.step(n, until=stop))
        else:
            state = run_loop(engine, None, chunks=chunks, should_stop=stop)
    return state.stopped_by_engine


def play_chunks(seconds: float = CHUNK_SECONDS) -> TimedChunks:
    """Chunk sizes for full-speed play, about `seconds` each (kept across frames)."""
    return TimedChunks(seconds, MOST_PER_CALL)


CATCH_UP_S = 0.25  # frames missed in a stall shorter than this are still sent, a little closer
# together (see FramePacer); after a longer one the clock starts over
CATCH_UP_GAP = 0.8  # ... but never closer than this share of an interval: the window draws a
# frame at the earliest 3/4 of an interval after the last (app.frame_budget.EARLY)


class FramePacer:
    """When the next frame is due: a steady clock of `interval` seconds, which makes up for stalls.

    A chunk's overshoot is taken from the next interval (frames due "an interval after the last
    one" came late by a chunk and their own cost: 22/s instead of 30). A stall (the game's
    spectrum, every `run.spectrum_every` steps, holds training for 0.1-0.6 s on a 2-core machine)
    used to restart the clock, and its frames were lost for good: asked for 30 a second, the
    process offered 26-28 (profiled, issue 13). Frames missed in a stall of up to CATCH_UP_S are
    now made up, each following the last after CATCH_UP_GAP of an interval, so that frames still
    come `1 / interval` a second; after a longer stall, the clock starts over.
    """

    def __init__(self):
        self.slot = 0.0  # the steady clock: when the next frame should have been sent
        self.due = 0.0  # when it may be sent (the slot, or a little later while catching up)

    def offer(self, changed: bool, playing: bool, publish, interval: float) -> None:
        """Publish a frame when something changed and one is due; paused, at once (each command's
        frame answers it). The runners' one rule for when to publish (app.worker, app.compare_runner)."""
        now = time.perf_counter()
        if changed and (now >= self.due or not playing):
            publish()
            self.sent(now, interval)

    def sent(self, now: float, interval: float) -> float:
        """A frame was sent at `now`; returns when the next is due."""
        if now - self.slot >= CATCH_UP_S + interval:
            self.slot = now + interval  # a long stall (or the first frame): start over
        else:
            self.slot += interval
        self.due = max(self.slot, now + CATCH_UP_GAP * interval)
        return self.due


# Edits the child carries out as they come, while it trains (each a GanEngine method).
LIVE_OPS = ("update", "update_many", "freeze", "resume", "clear_script")
