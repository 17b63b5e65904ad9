"""A newcomer's path through the real window, in one script: launch, play, drag a slider, draw,
record, run lesson 5 and (from its end card) 7a, save, reopen. Lessons are cut short to stay fast."""

import numpy as np

from tests.app.conftest import wait_ticket


def shorten(window, name, steps):
    from ganscope.core.scenarios import load_scenario

    s = load_scenario(name)
    s.steps = steps
    window.lessons.scenarios = [s if x.name == name else x for x in window.lessons.scenarios]


def test_a_newcomers_path(qtbot, window, tmp_path):
    from ganscope.app.export import ExportOptions
    from ganscope.app.run_state import save_session_as

    # play, and the button says Pause
    play = window.panel.buttons["play"]
    play.click()
    assert play.text() == "Pause"
    qtbot.waitUntil(lambda: window.worker.step_count() > 10, timeout=20000)
    # drag D's learning rate
    slider = window.panel.fields["d_opt.lr"]
    slider.slider.setValue(slider._to_pos(1e-3))
    wait_ticket(qtbot, window, window.worker.submit(lambda e: None))
    assert window.engine.opt_d.param_groups[0]["lr"] == 1e-3
    play.click()
    assert play.text() == "Play"
    # draw a target
    window.panel.buttons["draw"].click()
    handler = window.plane.getViewBox().draw_handler
    for i, x in enumerate(np.linspace(-1, 1, 5)):
        handler(x, 0.0, i == 0, i == 4)
    wait_ticket(qtbot, window, window.worker.submit(lambda e: None))
    assert window.engine.cfg.target.kind == "points"
    # record a few frames
    assert window.start_recording(str(tmp_path / "run.gif"), ExportOptions(width=96, height=96, every=1))
    qtbot.waitUntil(lambda: window.recorder.frames >= 3, timeout=30000)
    saved = window.stop_recording()
    assert saved and (tmp_path / "run.gif").stat().st_size > 0
    wait_ticket(qtbot, window, window.do_action("play:0"))
    # lesson 5, its end card, and 7a from the card's button
    shorten(window, "lesson-5-collapse", 30)
    shorten(window, "lesson-7a-wgan-gp", 6)
    assert window.lessons.run("lesson-5-collapse") is not None
    assert window.plane.getViewBox().draw_handler is None and len(window.plane.sketch.data) == 0
    qtbot.waitUntil(window.end_card.isVisible, timeout=60000)
    assert "5." in window.end_card.text.text()
    wait_ticket(qtbot, window, window.end_card.start_next(), timeout=20000)
    qtbot.waitUntil(window.end_card.isVisible, timeout=60000)
    assert window.engine.cfg.objective.loss == "wgan-gp" and "7a." in window.end_card.text.text()
    # save (Save As asks; then Ctrl+S saves to the same file), and reopen
    path = str(tmp_path / "mine.gscope")
    window._ask_path = lambda *a: path
    wait_ticket(qtbot, window, save_session_as(window))
    window._ask_path = lambda *a: None  # Save must not ask again
    wait_ticket(qtbot, window, window.files.save_session())
    step = window.engine.step_count
    qtbot.waitUntil(
        lambda: window.windowTitle().startswith("mine.gscope[*]") and not window.isWindowModified(), timeout=10000
    )
    wait_ticket(qtbot, window, window.do_action("preset:ring"))
    assert window.files.open_session(path)
    wait_ticket(qtbot, window, window.worker.submit(lambda e: None))
    assert window.engine.step_count == step and window.engine.cfg.objective.loss == "wgan-gp"
    qtbot.waitUntil(lambda: window.windowTitle().startswith("mine.gscope"), timeout=10000)
