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


def play(engine, speed: int, due: float, chunks: TimedChunks, interrupted) -> bool:
    """One frame's worth of play: `speed` iterations (the speed slider), or with speed 0 as fast as
    possible until the frame due at `due` (perf_counter) or until `interrupted()`, in calls of
    about CHUNK_SECONDS. Returns whether the engine stopped: a lesson's end or a divergence.
    Shared by the training process and the app's in-thread fallback; `engine` may be a
    compare group's Lockstep."""
    if speed > 0:
        state = run_loop(engine, speed, chunks=speed)
    else:
        state = run_loop(engine, None, chunks=chunks, should_stop=lambda: time.perf_counter() >= due or interrupted())
    return state.stopped_by_engine


def play_chunks(seconds: float = CHUNK_SECONDS) -> TimedChunks:
    """Chunk sizes for full-speed play, about `seconds` each (kept across frames)."""
    return TimedChunks(seconds, MOST_PER_CALL)


def next_due(due: float, now: float, interval: float) -> float:
    """The next frame time on a steady clock: a chunk's overshoot is taken from the next interval
    (frames due "an interval after the last one" came late by a chunk and their own cost: 22/s
    instead of 30); after a stall longer than an interval, the clock starts over."""
    return due + interval if now - due < interval else now + interval


# Edits the child carries out as they come, while it trains (each a GanEngine method).
LIVE_OPS = ("update", "update_many", "freeze", "resume", "clear_script")
