"""ganscope.core.train_process without the app: a run handed to the training process comes back exactly."""

import time

import torch

from ganscope.core.engine import GanEngine
from ganscope.core.session import restore_state
from ganscope.core.train_process import RemoteTrainer


def _params(model):
    return torch.cat([p.detach().flatten() for p in model.parameters()])


def _wait_ready(r: RemoteTrainer):
    r.start()
    assert r.check_ready(timeout=60), "the training process did not start"


def _receive_until(r: RemoteTrainer, msgs: list, enough, what: str, timeout: float = 60.0) -> list:
    """Receive into `msgs` until enough(msgs), with a deadline; a dead child fails at once, by name."""
    deadline = time.monotonic() + timeout
    while not enough(msgs):
        assert not r.dead, f"the training process ended while waiting for {what}"
        assert time.monotonic() < deadline, f"no {what} within {timeout:.0f} s"
        msgs += r.receive(0.5)
    return msgs


def _frames(msgs: list) -> list:
    return [m[1] for m in msgs if m[0] == "frame"]


def test_a_run_trained_in_the_process_equals_the_same_run_trained_here(small_cfg):
    r = RemoteTrainer()
    try:
        _wait_ready(r)
        assert r.info["qt_loaded"] is False
        e = GanEngine(small_cfg)
        e.step(7)
        epoch = r.push(e, speed=0)
        msgs = _receive_until(r, [], lambda m: _frames(m) and _frames(m)[-1]["step"] >= 60, "step 60")
        frames = _frames(msgs)
        assert all(f["epoch"] == epoch for f in frames) and frames[0]["cfg"] is not None
        seq = r.op("update", "d_opt.lr", 0.0007)
        frames = _frames(
            _receive_until(r, msgs, lambda m: any(f["acked"] >= seq for f in _frames(m)), "the edit's acknowledgement")
        )
        state, _ = r.pull(timeout=60)
        assert state is not None
        restore_state(e, state)  # in place: the same engine object continues
        assert e.step_count >= 60 and e.cfg.d_opt.lr == 0.0007 and e.opt_d.param_groups[0]["lr"] == 0.0007
        # The reference: the same run here, the same edit at the step the process made it.
        ref = GanEngine(small_cfg)
        at = next(f["step"] for f in frames if f["acked"] >= seq)
        ref.step(at)
        ref.update("d_opt.lr", 0.0007)
        ref.step(e.step_count - at)
        assert torch.equal(_params(e.G), _params(ref.G)) and torch.equal(_params(e.D), _params(ref.D))
        assert torch.equal(e.gen.get_state(), ref.gen.get_state())
    finally:
        r.close()
    assert not r._proc.is_alive()


def test_a_refused_edit_is_reported_and_training_goes_on(small_cfg):
    r = RemoteTrainer()
    try:
        _wait_ready(r)
        r.push(GanEngine(small_cfg), speed=0)
        seq = r.op("update", "d_opt.lr", -1.0)
        bad = r.op("not_a_method")
        msgs = _receive_until(r, [], lambda m: len([x for x in m if x[0] == "error"]) >= 2, "two errors")
        errors = {m[1]: m[2] for m in msgs if m[0] == "error"}
        assert "d_opt.lr" in errors[seq] and "not a live edit" in errors[bad]
        step = max(f["step"] for f in _frames(msgs))
        _receive_until(r, msgs, lambda m: max(f["step"] for f in _frames(m)) >= step + 20, "20 more steps")
    finally:
        r.close()


def test_chunks_last_about_ten_milliseconds_however_slow_an_iteration_is():
    from ganscope.core.train_process import play_chunks

    def after(ran, seconds):
        chunks = play_chunks()
        chunks.ran(ran, seconds)
        return chunks.size

    assert after(5, 0.007) == 7  # default nets: 1.4 ms an iteration
    assert after(5, 0.063) == 1  # 5-step unrolling: 12.6 ms an iteration, one a call
    assert after(50, 0.001) == 50  # capped, so commands and frames are never far off
    assert after(0, 0.0) == 1


def test_closing_while_frames_go_unread_ends_the_process_cleanly():
    """Frames of the default networks (about 140 KB) soon fill a pipe nobody reads, as when the app
    closes mid-training. The child must still see 'quit' and exit by itself (exit code 0), not be
    terminated after the timeout: the parent's reader thread keeps draining the pipe. The deadline
    is generous (a busy 2-core machine took up to 6 s to exit): the exit code tells the two apart."""
    from ganscope.core.config import GanConfig

    r = RemoteTrainer()
    _wait_ready(r)
    r.push(GanEngine(GanConfig()), speed=0)
    deadline = time.monotonic() + 60  # frames pile up unread: with no reader the child would block
    while r._inbox.qsize() < 10:
        assert not r.dead and time.monotonic() < deadline, "the child sent no 10 frames within 60 s"
        time.sleep(0.05)
    r.close(timeout=60.0)
    assert r._proc.exitcode == 0


def test_a_quit_request_returns_at_once_and_the_child_is_reaped_in_the_background():
    """request_close() never waits; the child quits by itself (code 0) and the reader reaps it."""
    import time

    from ganscope.core.config import GanConfig

    r = RemoteTrainer()
    _wait_ready(r)
    r.push(GanEngine(GanConfig()), speed=0)
    deadline = time.monotonic() + 60
    while not any(m[0] == "frame" for m in r.receive(0.5)):  # it is training
        assert time.monotonic() < deadline, "no frame from the training process"
    r.request_close()
    deadline = time.monotonic() + 30
    while r._reader.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not r._reader.is_alive(), "the child did not quit"
    assert r._proc.exitcode == 0


def test_waiting_for_a_child_that_cannot_quit_ends_it_anyway():
    """An exiting app leaves no process behind, even one that cannot answer (here: stopped)."""
    import os
    import signal

    r = RemoteTrainer()
    _wait_ready(r)
    os.kill(r.pid, signal.SIGSTOP)
    code = r.wait_closed(timeout=0.5)
    assert code is not None and code != 0 and not r._proc.is_alive()
