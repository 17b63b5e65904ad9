"""The app playing in its training process (core.train_process): same results, edits reach it,
the run comes back exactly, and the process is never left behind."""

import os
import signal

import numpy as np
import pytest
import torch

from ganscope.core.engine import GanEngine
from ganscope.core.session import load_session
from tests.app.conftest import shown_window, wait_ticket


def _params(model):
    return torch.cat([p.detach().flatten() for p in model.parameters()])


def _start_in_process(qtbot, window):
    """Play, and wait until the training process has taken the run over."""
    wait_ticket(qtbot, window, window.do_action("play:1"))
    assert window.worker.process_ready.wait(60), "the training process did not start within 60 s"
    qtbot.waitUntil(lambda: window.worker.in_process and window.worker.remote_frames > 0, timeout=90000)


def test_the_process_plays_the_run_exactly_as_the_engine_would(qtbot, window, small_cfg):
    _start_in_process(qtbot, window)  # part of the run trains here, until the process has started
    wait_ticket(qtbot, window, window.do_action("play:0"))
    # A lesson-like stopping point: the run pauses there by itself and comes back.
    end = window.engine.step_count + 400
    wait_ticket(qtbot, window, window.worker.submit(lambda e: setattr(e, "stop_at", end)))
    frames = window.worker.remote_frames
    wait_ticket(qtbot, window, window.do_action("play:1"))
    qtbot.waitUntil(lambda: not window.worker.playing, timeout=60000)
    e = window.engine
    assert e.step_count == end and window.worker.remote_frames > frames
    reference = GanEngine(small_cfg)  # trained in this process alone, from the same seed
    reference.stop_at = end
    reference.step(end + 100)
    assert torch.equal(_params(e.G), _params(reference.G)) and torch.equal(_params(e.D), _params(reference.D))
    np.testing.assert_array_equal(e.history.as_arrays()["g_loss"], reference.history.as_arrays()["g_loss"])
    np.testing.assert_array_equal(
        e.evaluator.history.as_arrays()["modes"], reference.evaluator.history.as_arrays()["modes"]
    )


def test_the_process_never_loads_qt(qtbot, window):
    _start_in_process(qtbot, window)
    assert window.worker._remote.info["qt_loaded"] is False
    window.do_action("play:0")


def test_a_learning_rate_change_reaches_the_process_and_stays_after_pausing(qtbot, window):
    _start_in_process(qtbot, window)
    wait_ticket(qtbot, window, window.send_update("d_opt.lr", 0.0042))
    assert window.worker.in_process  # a live edit: the run was not taken back for it
    assert window.engine.cfg.d_opt.lr == 0.0042  # the mirror here shows it at once
    before = window.worker.step_count()
    qtbot.waitUntil(lambda: window.worker.step_count() > before + 20, timeout=90000)
    wait_ticket(qtbot, window, window.do_action("play:0"))
    e = window.engine
    assert e.cfg.d_opt.lr == 0.0042 and e.opt_d.param_groups[0]["lr"] == 0.0042
    assert e.step_count == window.worker.step_count() > before + 20  # the process's steps came back


def test_freezing_while_the_process_plays_stops_that_player(qtbot, window):
    _start_in_process(qtbot, window)
    wait_ticket(qtbot, window, window.do_action("freeze_G:1"))
    wait_ticket(qtbot, window, window.do_action("play:0"))
    frozen_g = _params(window.engine.G)
    at = window.engine.step_count
    _start_in_process(qtbot, window)
    qtbot.waitUntil(lambda: window.worker.step_count() > at + 50, timeout=90000)
    wait_ticket(qtbot, window, window.do_action("play:0"))
    assert window.engine.frozen["G"] and torch.equal(_params(window.engine.G), frozen_g)


def test_saving_while_the_process_plays_saves_the_exact_run_and_playing_goes_on(qtbot, window, tmp_path):
    _start_in_process(qtbot, window)
    path = tmp_path / "run.gscope"
    wait_ticket(qtbot, window, window.files.save_session(str(path)))
    saved = load_session(path)
    assert saved.step_count > 0
    # The saved step is one the process really reached; the run went back to it afterwards.
    qtbot.waitUntil(
        lambda: window.worker.in_process and window.worker.step_count() > saved.step_count + 20, timeout=90000
    )
    wait_ticket(qtbot, window, window.do_action("play:0"))
    assert window.engine.step_count > saved.step_count


def test_divergence_in_the_process_pauses_with_the_last_good_weights(qtbot, window):
    _start_in_process(qtbot, window)
    # Live edits, carried out by the process as it trains (two of them build new optimisers).
    for path, value in (
        ("objective.loss", "lsgan"),
        ("d_opt.kind", "sgd"),
        ("g_opt.kind", "sgd"),
        ("d_opt.lr", 10.0),
        ("g_opt.lr", 10.0),
    ):
        window.send_update(path, value)
    qtbot.waitUntil(lambda: not window.worker.playing, timeout=90000)
    e = window.engine
    assert e.status == "diverged" and "step" in e.message
    assert e.cfg.d_opt.kind == "sgd" and window.worker.remote_frames > 0
    assert all(torch.isfinite(p).all() for p in e.D.parameters())
    # The window shows it when it draws that frame: a banner, and Play released.
    qtbot.waitUntil(lambda: window.banner.isVisible() and "diverged" in window.banner.text().lower(), timeout=90000)
    assert not window.panel.buttons["play"].isChecked()


def test_closing_ends_the_training_process(qtbot, small_cfg, tmp_path):
    from PySide6 import QtCore

    from ganscope.app.main_window import MainWindow

    settings = QtCore.QSettings(str(tmp_path / "s.ini"), QtCore.QSettings.IniFormat)
    win = MainWindow(GanEngine(small_cfg), settings=settings, autosave="", train_process=True)
    qtbot.addWidget(win)
    win.show()
    _start_in_process(qtbot, win)
    proc = win.worker._remote._proc
    assert proc.is_alive()
    win.close()
    assert not win.isVisible()
    qtbot.waitUntil(lambda: proc.exitcode is not None, timeout=90000)  # reaped in the background
    assert proc.exitcode == 0  # it quit when told; it was not terminated


def test_a_killed_training_process_is_reported_and_training_goes_on_here(qtbot, window):
    _start_in_process(qtbot, window)
    os.kill(window.worker._remote.pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: window.banner.isVisible() and "training process" in window.banner.text(), timeout=90000)
    base = window.engine.step_count  # the run as it was last handed over: the process's steps are lost
    qtbot.waitUntil(lambda: window.engine.step_count > base + 20, timeout=90000)  # trains here now
    assert window.worker.playing and not window.worker.in_process


@pytest.fixture
def window(qtbot, small_cfg, tmp_path):
    """The main window with the training process on (as users run it)."""
    with shown_window(qtbot, GanEngine(small_cfg), tmp_path, autosave="", train_process=True) as win:
        yield win
