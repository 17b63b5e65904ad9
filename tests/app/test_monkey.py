"""A seeded monkey drives the real window with thousands of random actions while it trains; closing leaves
nothing running. (How long closing takes is measured in benchmarks/close_latency.py, not here: CI
machines differ 3x in speed.)"""

import os
import random
import sys
import threading

import pytest

from ganscope.app.export import ExportOptions
from ganscope.app.views.plane import LAYERS
from ganscope.core.config import LOSSES
from ganscope.core.presets import preset_names
from tests.app.conftest import assert_nothing_left_running, wait_ticket


@pytest.fixture
def uncaught():
    """Every exception that reaches sys.excepthook or threading.excepthook (Qt slots included)."""
    seen = []
    old_sys, old_thread = sys.excepthook, threading.excepthook
    sys.excepthook = lambda t, v, tb: seen.append(v)
    threading.excepthook = lambda args: seen.append(args.exc_value)
    yield seen
    sys.excepthook, threading.excepthook = old_sys, old_thread


def monkey_actions(window, rng: random.Random, tmp_path):
    p = window.panel
    lr = lambda: 10 ** rng.uniform(-5, 0)
    return [
        (8, lambda: p.fields["d_opt.lr"].setValue(lr())),
        (8, lambda: p.fields["g_opt.lr"].setValue(lr())),
        (
            6,
            lambda: p.buttons[
                rng.choice(["play", "step", "step_d", "step_g", "reset_D", "reset_G", "freeze_D", "freeze_G"])
            ].click(),
        ),
        (2, lambda: window.do_action("reset_all")),
        (3, lambda: p.speed.setCurrentIndex(rng.randrange(p.speed.count()))),
        (6, lambda: window.set_layer(rng.choice(list(LAYERS)), rng.random() < 0.6)),
        (1, lambda: window.do_action(f"preset:{rng.choice(preset_names())}")),
        (3, lambda: window.send_update("target.n_modes", rng.randint(1, 12))),
        (3, lambda: window.send_update("target.sigma", rng.uniform(0.005, 0.5))),
        (2, lambda: window.send_update("target.radius", rng.uniform(0.2, 4))),
        (2, lambda: window.send_update("objective.loss", rng.choice(LOSSES))),
        (2, lambda: window.send_update("objective.pack", rng.randint(1, 4))),
        (2, lambda: window.send_update("objective.instance_noise", rng.choice([0.0, 0.05, 0.2]))),
        (1, lambda: window.send_update("objective.unrolled_steps", rng.choice([0, 0, 1]))),
        (1, lambda: window.send_update("generator.width", rng.choice([8, 16, 32]))),
        (1, lambda: window.send_update("discriminator.depth", rng.randint(1, 3))),
        (2, lambda: window.send_update("run.batch_size", rng.choice([16, 64, 128]))),
        (
            2,
            lambda: window.send_update(
                rng.choice(["d_opt.kind", "g_opt.kind"]), rng.choice(["adam", "sgd", "rmsprop"])
            ),
        ),
        (1, lambda: window.send_update("d_opt.lr", rng.choice([float("nan"), -1.0, 1e9]))),  # refused
        (3, lambda: window.do_action(f"draw:{int(rng.random() < 0.5)}")),
        (
            6,
            lambda: window.sketch_tool.on_draw(
                rng.uniform(-2, 2), rng.uniform(-2, 2), rng.random() < 0.3, rng.random() < 0.3
            ),
        ),
        (2, lambda: window.do_action(rng.choice(["undo", "clear_sketch", "eraser:1", "eraser:0"]))),
        (1, lambda: p.mixture.add_row()),
        (1, lambda: p.mixture.remove_selected()),
        (1, lambda: window.sketch_tool.move_components([[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(3)])),
        (1, lambda: toggle_recording(window, rng, tmp_path)),
        (2, lambda: window.plane.auto_range()),
    ]


def toggle_recording(window, rng, tmp_path):
    if window.recorder is None:
        name = tmp_path / f"rec{rng.randrange(10**6)}.{rng.choice(['gif', 'mp4'])}"
        window.start_recording(str(name), ExportOptions(width=160, height=120, every=rng.randint(1, 50)))
    else:
        window.stop_recording()


# 3,000 actions in the suite (about a minute here); GANSCOPE_MONKEY_ACTIONS=10000 for the long soak.
ACTIONS = int(os.environ.get("GANSCOPE_MONKEY_ACTIONS", "3000"))


@pytest.mark.slow
def test_random_actions_while_training(qtbot, window, uncaught, tmp_path):
    rng = random.Random(20261126)
    errors = []
    window.worker.commands.on_error = lambda exc: errors.append(exc)  # refused commands: expected, recorded
    actions = monkey_actions(window, rng, tmp_path)
    weights = [w for w, _ in actions]
    window.do_action("play:1")
    rounds = fresh = drawn = 0
    for i in range(ACTIONS):
        rng.choices(actions, weights)[0][1]()
        if i % 20 == 0:  # let training catch up with the commands, then draw, as the timer would
            issued = window.worker.commands.issued
            qtbot.waitUntil(lambda: window.worker.done(issued), timeout=60000)
            newest = window.worker.latest()[0]
            due = window.budget.due()  # the frame budget may hold a tick back (app.frame_budget)
            window._on_tick()
            if due:
                assert window._drawn_id >= newest, "a due tick left an older frame on the screen"
                rounds += 1
                fresh += newest > drawn  # a frame came since the last drawn tick, and this one drew it
                drawn = window._drawn_id
    if window.recorder is not None:
        window.stop_recording()
    # Still alive and responsive: a command runs and its frame is drawn.
    window.do_action("play:0")
    wait_ticket(qtbot, window, window.do_action("reset_all"), timeout=60000)
    wait_ticket(qtbot, window, window.do_action("step"), timeout=60000)
    assert window.worker._thread.is_alive() and window.engine.step_count == 1
    # The monkey really watched it train: most due rounds brought a new frame, and each was drawn.
    # The test ticks itself after every round, so the count does not depend on the machine's speed.
    assert rounds > 0 and window.plane.frames_drawn >= fresh > rounds // 2, (window.plane.frames_drawn, fresh, rounds)
    assert uncaught == []
    from ganscope.core.config import ConfigError

    assert all(isinstance(e, (ConfigError, ValueError)) for e in errors), errors[:3]
    window.close()
    assert not window.isVisible()
    assert_nothing_left_running(window)


@pytest.mark.parametrize("recording", [False, True])
def test_closing_during_full_speed_training_hides_at_once_and_the_process_quits(qtbot, window, tmp_path, recording):
    """The window is gone before anything is stopped (nothing the user waits for), and the
    training process, told to quit, exits by itself (code 0, not terminated) in the background."""
    from ganscope.core.presets import preset_config

    wait_ticket(qtbot, window, window.load_config(preset_config("ring-wgan-gp")))  # the slowest steps
    window.do_action("play:1")
    if recording:
        assert window.start_recording(str(tmp_path / "r.mp4"), ExportOptions(width=320, height=240, every=1))
    assert window.worker.process_ready.wait(60), "the training process did not start"
    qtbot.waitUntil(lambda: window.worker.in_process and window.worker.step_count() > 20, timeout=30000)
    proc = window.worker._remote._proc
    seen = {}
    stop = window.worker.stop
    window.worker.stop = lambda timeout: seen.setdefault("visible", window.isVisible()) or stop(timeout)
    window.close()
    assert seen == {"visible": False} and not window.isVisible()
    qtbot.waitUntil(lambda: proc.exitcode is not None, timeout=20000)
    assert proc.exitcode == 0  # it quit when told; it was not terminated
    qtbot.waitUntil(lambda: not window.worker._thread.is_alive(), timeout=20000)
    assert not any(p.suffix == ".mp4" for p in tmp_path.iterdir())  # no half-written recording


def test_garbage_is_collected_on_the_gui_thread_only(qtbot, window):
    """A collection on the training thread could destroy Qt objects there and deadlock the app."""
    import gc

    assert not gc.isenabled()
    threads = []
    main = threading.get_ident()

    def seen(phase, info):
        if phase == "start":
            threads.append(threading.get_ident())

    gc.callbacks.append(seen)
    try:
        window.do_action("play:1")
        for _ in range(20):  # garbage with cycles, made while training runs
            window.start_recording(
                str(window.keeper.autosave_path) + f"{_}.gif", ExportOptions(width=96, height=96, every=1)
            )
            window.stop_recording()
        qtbot.waitUntil(lambda: len(threads) > 0 and window.worker.step_count() > 200, timeout=30000)
    finally:
        gc.callbacks.remove(seen)
    assert set(threads) == {main}
    window.close()
    assert gc.isenabled()
