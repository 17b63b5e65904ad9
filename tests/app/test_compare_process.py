"""The Compare window with its runs in the training process (app.compare_runner): the process plays them,
edits reach one run or all while it plays, the runs stop at the comparison's end exactly where the
same group stepped here would be, and closing the window ends the process."""

import os
import signal

import pytest
import torch

from ganscope.app.compare_window import CompareWindow
from tests.test_compare_process import _group, _same, flat


@pytest.fixture
def win(qtbot, small_cfg):
    w = CompareWindow(_group(small_cfg), process=True)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()


def _in_process(qtbot, w) -> None:
    """Play, and wait until the training process has taken the runs over and sent frames."""
    w.play_button.click()
    qtbot.waitUntil(lambda: w.runner.in_process and w.runner.remote_frames > 0, timeout=90000)


def test_the_process_plays_the_runs_and_stops_exactly_at_the_end(qtbot, win, small_cfg):
    _in_process(qtbot, win)
    qtbot.waitUntil(lambda: all(p.frames_drawn > 0 and p.fake.data["x"].size for p in win.planes), timeout=30000)
    runner = win.runner
    # The comparison's end set while the process plays: it takes the runs back, and plays on to it.
    ticket = runner.submit(lambda g: setattr(runner, "stop_at", g.step_count + 150))
    qtbot.waitUntil(lambda: runner.done(ticket), timeout=30000)
    end = runner.stop_at
    qtbot.waitUntil(lambda: runner.in_process, timeout=30000)
    qtbot.waitUntil(lambda: "lsgan" in win.table.toPlainText(), timeout=90000)
    assert not win.play_button.isChecked() and win.step_label.text() == f"step {end} of {end}"
    assert [e.step_count for e in win.group.engines] == [end, end]
    assert [r["step"] for r in runner.results] == [end, end]
    ref = _group(small_cfg)
    ref.step(end)
    _same(win.group, ref)  # the same bits as the group stepped here


def test_an_edit_reaches_one_run_or_all_while_the_process_plays(qtbot, win):
    _in_process(qtbot, win)
    frames = win.runner.remote_frames
    ticket = win.change("d_opt.lr", "1e-5", run=1)
    qtbot.waitUntil(lambda: win.runner.done(ticket), timeout=30000)
    assert win.runner.in_process  # a live edit: the process kept the runs
    ticket = win.change("g_opt.lr", 2e-5)
    qtbot.waitUntil(lambda: win.runner.done(ticket), timeout=30000)
    qtbot.waitUntil(lambda: win.runner.remote_frames > frames + 5, timeout=30000)
    win.change("d_opt.lr", "-3", run=0)  # refused here, never sent: one message, training goes on
    qtbot.waitUntil(lambda: "d_opt.lr" in win.message.text() and "range" in win.message.text(), timeout=30000)
    ticket = win.set_playing(False)  # takes the runs back: the mirror is the run again
    qtbot.waitUntil(lambda: win.runner.done(ticket), timeout=30000)
    e0, e1 = win.group.engines
    assert e0.step_count == e1.step_count > 0
    assert e1.opt_d.param_groups[0]["lr"] == 1e-5 and e0.opt_d.param_groups[0]["lr"] != 1e-5
    assert [e.opt_g.param_groups[0]["lr"] for e in (e0, e1)] == [2e-5, 2e-5]
    qtbot.waitUntil(lambda: "lsgan" in win.table.toPlainText(), timeout=30000)  # paused: the table


def test_closing_the_window_ends_the_training_process(qtbot, win):
    _in_process(qtbot, win)
    proc = win.runner.remote._proc
    assert proc.is_alive()
    win.close()
    qtbot.waitUntil(lambda: proc.exitcode is not None, timeout=60000)  # reaped in the background
    assert proc.exitcode == 0  # it quit when told; it was not terminated


def test_a_killed_training_process_is_reported_and_the_runs_go_on_here(qtbot, win):
    _in_process(qtbot, win)
    os.kill(win.runner.remote.pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: "training process" in win.message.text(), timeout=60000)
    base = win.group.step_count  # as last handed over: the process's steps are lost
    qtbot.waitUntil(lambda: win.group.step_count > base + 20, timeout=60000)  # trains on this thread now
    assert win.runner.playing and not win.runner.in_process


def test_a_session_save_while_the_process_plays_keeps_the_exact_runs(qtbot, win, small_cfg):
    """What a session saves of a compare group (app.timeline._settled) is the run as the process had
    it: taken back first, then handed over again."""
    from ganscope.app.timeline import _settled

    _in_process(qtbot, win)
    qtbot.waitUntil(lambda: win.runner.remote_frames > 3, timeout=30000)
    copy = _settled(win.group.engines[1], win)
    assert copy.step_count > 0
    ref = _group(small_cfg).engines[1]
    ref.step(copy.step_count)
    assert torch.equal(flat(copy.G), flat(ref.G)) and torch.equal(flat(copy.D), flat(ref.D))
    qtbot.waitUntil(
        lambda: win.runner.in_process and win.group.step_count < win.runner.latest()[1][0].step_count, timeout=30000
    )
