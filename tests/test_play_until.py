"""Frame-long engine calls (GanEngine.step's `until`, core.play's `until_due`) and the training
process's roomy pipe (core.train_process.widen_pipe): the training process stops at the same
points as before, on the same bits, and its frames never wait for the app to read them."""

import multiprocessing as mp
import threading
import time

import numpy as np
import pytest
import torch

from ganscope.core.engine import GanEngine
from ganscope.core.play import play, play_chunks
from ganscope.core.train_process import widen_pipe


def _same_run(a: GanEngine, b: GanEngine) -> None:
    assert a.step_count == b.step_count
    for pa, pb in zip([*a.G.parameters(), *a.D.parameters()], [*b.G.parameters(), *b.D.parameters()]):
        assert torch.equal(pa, pb)
    for oa, ob in ((a.opt_g, b.opt_g), (a.opt_d, b.opt_d)):
        for sa, sb in zip(oa.state.values(), ob.state.values()):
            assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert np.array_equal(a.history.as_arrays()["d_loss"], b.history.as_arrays()["d_loss"])
    assert a.evaluator.history.steps.tolist() == b.evaluator.history.steps.tolist()
    assert torch.equal(a.gen.get_state(), b.gen.get_state())


def _counting(engine: GanEngine) -> list:
    """Counts the engine's iterations as they run (the step count moves only after a call)."""
    count, run = [0], engine._iteration

    def counted(*args, **kwargs):
        count[0] += 1
        return run(*args, **kwargs)

    engine._iteration = counted
    return count


@pytest.mark.parametrize("variant", ["default", "wgan-gp-5", "autograd", "unrolled"])
def test_a_call_ends_where_until_says_and_trains_the_bits_of_single_steps(small_cfg, variant):
    cfg = small_cfg.copy()
    if variant == "wgan-gp-5":  # lesson 7a's objective: penalties on the fast path, 5 critic steps
        cfg.set("objective.loss", "wgan-gp")
        cfg.set("d_opt.steps", 5)
    if variant == "unrolled":  # lesson 7c's objective: D's step by hand, G's through the look-ahead
        cfg.set("objective.unrolled_steps", 2)
    a, b = GanEngine(cfg), GanEngine(cfg)
    if variant == "autograd":
        a.manual_grad = b.manual_grad = False
    count = _counting(a)
    # 3 iterations, then 30 more across the evaluation at step 25 (run.eval_every): one call each
    assert a.step(50, until=lambda: count[0] >= 3) == 3
    assert a.step(50, until=lambda: count[0] >= 33) == 30
    for _ in range(33):
        b.step(1)
    _same_run(a, b)
    assert a.evaluator.history.steps.tolist() == [0, 25]


def test_without_until_a_call_runs_all_it_was_asked(small_cfg):
    a = GanEngine(small_cfg)
    assert a.step(40, until=None) == 40 and a.step_count == 40


def test_full_speed_play_stops_after_the_iteration_in_which_a_command_arrived(small_cfg):
    a, b = GanEngine(small_cfg), GanEngine(small_cfg)
    count = _counting(a)
    far = time.perf_counter() + 600  # the frame is not due: only the command ends the call
    stopped = play(a, 0, far, play_chunks(), interrupted=lambda: count[0] >= 4, until_due=True)
    assert not stopped and a.step_count == 4  # not one iteration more
    b.step(4)
    _same_run(a, b)
    # a frame already due: nothing trains
    assert not play(a, 0, time.perf_counter(), play_chunks(), lambda: False, until_due=True)
    assert a.step_count == 4


def test_full_speed_play_stops_when_the_frame_is_due(small_cfg):
    a = GanEngine(small_cfg)
    a.step(1)
    start = time.perf_counter()
    play(a, 0, start + 0.05, play_chunks(), lambda: False, until_due=True)
    # it trained until the frame was due (calls of up to MOST_PER_CALL, one after another), then stopped
    assert a.step_count > 1 and time.perf_counter() >= start + 0.05


def test_a_lessons_end_stops_play_and_says_so(small_cfg):
    a = GanEngine(small_cfg)
    a.stop_at = 7
    assert play(a, 0, time.perf_counter() + 600, play_chunks(), lambda: False, until_due=True)
    assert a.step_count == 7


def test_a_frame_goes_into_the_widened_pipe_while_nobody_reads():
    """A frame (~140 kB) is larger than a pipe's default 64 kB; in the widened pipe the sender does
    not wait for the reader (which in the app needs the GIL that painting holds)."""
    reader, writer = mp.Pipe(duplex=False)
    size = widen_pipe(reader)
    if size == 0:
        pytest.skip("pipe sizes cannot be set on this system")
    assert size >= 512 * 1024
    frame = {"weights": np.zeros(140_000 // 4, np.float32), "step": 1}
    sender = threading.Thread(target=lambda: [writer.send(frame) for _ in range(3)], daemon=True)
    sender.start()
    sender.join(10)  # a deadline: with the default pipe this waits for ever (nobody reads)
    blocked = sender.is_alive()
    got = [reader.recv() for _ in range(3)]  # drains it either way, so the thread ends
    assert not blocked, "the sender waited for the reader"
    assert got[2]["step"] == 1 and got[2]["weights"].shape == (35_000,)
