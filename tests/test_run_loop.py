"""The one run loop (core.run_loop): callbacks in order, stops between chunks, same bits however chunked."""

import io

import torch

from ganscope.core.progress import ProgressBar
from ganscope.core.run_loop import (
    CANCELLED,
    DIVERGED,
    DONE,
    ENDED,
    INTERRUPTED,
    Callback,
    DetectorLog,
    Every,
    TimedChunks,
    run_loop,
)


class Counter:
    """A trainer that records every step call; `stop_after` iterations it runs no more (a lesson's end)."""

    def __init__(self, stop_after=None):
        self.calls, self.step_count, self.status, self.stop_after = [], 0, "ok", stop_after

    def step(self, n):
        if self.stop_after is not None:
            n = max(0, min(n, self.stop_after - self.step_count))
        self.calls.append(n)
        self.step_count += n
        return n


class Recorder(Callback):
    def __init__(self, log):
        self.log = log

    def on_start(self, state):
        self.log.append(("start", state.done))

    def on_chunk(self, state):
        self.log.append(("chunk", state.done))

    def on_end(self, state):
        self.log.append(("end", state.done, state.reason))


def test_callbacks_run_in_order_after_every_chunk_and_the_last_chunk_ends_at_the_total():
    log, t = [], Counter()
    state = run_loop(t, 25, chunks=10, callbacks=[Recorder(log), Every(lambda s: log.append(("every", s.done)))])
    assert t.calls == [10, 10, 5]
    assert log == [
        ("start", 0),
        ("chunk", 10),
        ("every", 10),
        ("chunk", 20),
        ("every", 20),
        ("chunk", 25),
        ("every", 25),
        ("end", 25, DONE),
    ]
    assert state.done == 25 and state.reason == DONE


def test_a_cancel_stops_between_chunks_and_no_iteration_runs_after_it():
    t = Counter()
    asked = []

    def should_stop():
        asked.append(t.step_count)
        return t.step_count >= 30

    state = run_loop(t, 1000, chunks=10, should_stop=should_stop)
    assert state.reason == CANCELLED and state.done == 30 and t.step_count == 30
    assert asked == [0, 10, 20, 30]  # asked before every chunk, never in the middle of one

    class StopAt20(Callback):
        def on_chunk(self, state):
            if state.done >= 20:
                state.stop()

    t2 = Counter()
    state = run_loop(t2, None, chunks=10, callbacks=[StopAt20()])
    assert state.reason == CANCELLED and t2.calls == [10, 10]


def test_the_engine_ending_or_diverging_ends_the_loop_and_says_why():
    t = Counter(stop_after=15)
    state = run_loop(t, 100, chunks=10)
    assert state.reason == ENDED and state.done == 15 and state.stopped_by_engine

    class Diverging(Counter):
        def step(self, n):
            self.status = "diverged"
            return super().step(n)

    state = run_loop(Diverging(), 100, chunks=10)
    assert state.reason == DIVERGED and state.done == 10 and state.stopped_by_engine


def test_ctrl_c_ends_the_loop_only_where_the_caller_asked():
    class Interrupted(Counter):
        def step(self, n):
            if self.step_count >= 20:
                raise KeyboardInterrupt
            return super().step(n)

    state = run_loop(Interrupted(), 100, chunks=10, interruptible=True)
    assert state.reason == INTERRUPTED and state.done == 20
    try:
        run_loop(Interrupted(), 100, chunks=10)
    except KeyboardInterrupt:
        pass
    else:
        raise AssertionError("Ctrl-C was swallowed by a loop that was not interruptible")


def test_timed_chunks_aim_at_their_duration_and_stay_within_bounds():
    c = TimedChunks(0.01, 50)
    assert c.size == 1
    c.ran(5, 0.007)
    assert c.size == 7
    c.ran(50, 0.001)
    assert c.size == 50
    c.ran(5, 0.063)
    assert c.size == 1


def test_training_through_the_loop_gives_the_same_bits_as_one_call(small_cfg):
    from ganscope.core.engine import GanEngine

    a, b = GanEngine(small_cfg), GanEngine(small_cfg)
    a.step(60)
    detectors = DetectorLog(b)
    state = run_loop(b, 60, chunks=7, callbacks=[detectors])
    assert state.done == 60 and b.step_count == 60
    for pa, pb in zip([*a.G.parameters(), *a.D.parameters()], [*b.G.parameters(), *b.D.parameters()]):
        assert torch.equal(pa, pb)
    assert isinstance(detectors.fired, dict)


def test_the_progress_bar_rate_and_eta_leave_out_a_start_up_before_any_work():
    """A sweep's worker processes take seconds to start before the first step: from the second
    line on, the rate is the work's own (10 it/s here) and the ETA follows from it."""
    now = [0.0]
    out = io.StringIO()
    bar = ProgressBar(100, label="sweep", stream=out, clock=lambda: now[0])
    bar.update(0, "starting")  # what `ganscope sweep` shows while its members and workers start
    now[0] = 5.0 + 0.1  # 5 s of start-up, then the first iteration
    bar.update(1)
    for done in range(2, 101):
        now[0] += 0.1
        bar.update(done)
    lines = out.getvalue().splitlines()
    assert lines[0].endswith("0/100   0.0 it/s eta     ? starting "), lines[0]  # no made-up ETA before any work
    last_two = lines[-2:]
    assert " 10.0 it/s eta    1s" in last_two[0] and " 10.0 it/s eta    0s" in last_two[1], last_two


def test_the_progress_bar_prints_a_line_per_tenth_without_a_terminal():
    out = io.StringIO()
    bar = ProgressBar(100, label="sweep", stream=out)
    for done in range(1, 101):
        bar.update(done)
    bar.finish()
    lines = out.getvalue().splitlines()
    assert len(lines) == 11 and lines[-1].startswith("sweep: [" + "#" * 30 + "] 100/100")
