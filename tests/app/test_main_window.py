"""Drive the real window offscreen, as a user would, and check what the engine and the screen do."""

import numpy as np
import torch

from .conftest import wait_ticket


def params(model):
    return torch.cat([p.detach().flatten().clone() for p in model.parameters()])


def sync(qtbot, win):
    """Let every command sent so far run (a no-op command is a barrier)."""
    wait_ticket(qtbot, win, win.worker.submit(lambda e: None))


def test_lr_slider_changes_the_engine_while_training(qtbot, window):
    wait_ticket(qtbot, window, window.do_action("play:1"))
    qtbot.waitUntil(lambda: window.worker.step_count() > 20, timeout=10000)
    slider = window.panel.fields["d_opt.lr"]
    slider.slider.setValue(slider._to_pos(1e-2))  # as a drag would
    sync(qtbot, window)
    assert window.engine.opt_d.param_groups[0]["lr"] == 1e-2
    assert slider.box.text() == "0.01"
    moments = window.engine.opt_d.state[next(window.engine.D.parameters())]["step"].item()
    assert moments > 20  # Adam's state survived the change
    before = window.worker.step_count()
    qtbot.waitUntil(lambda: window.worker.step_count() > before + 20, timeout=10000)  # still training


def test_typed_learning_rate_is_checked(qtbot, window):
    slider = window.panel.fields["g_opt.lr"]
    slider.box.setText("abc")
    slider.box.editingFinished.emit()
    assert "ffd6d6" in slider.box.styleSheet()  # red: refused, nothing sent
    slider.box.setText("0.002")
    slider.box.editingFinished.emit()
    sync(qtbot, window)
    assert window.engine.opt_g.param_groups[0]["lr"] == 0.002


def test_play_pause_and_step(qtbot, window):
    wait_ticket(qtbot, window, window.do_action("play:1"))
    qtbot.waitUntil(lambda: window.worker.step_count() > 10, timeout=10000)
    wait_ticket(qtbot, window, window.do_action("play:0"))
    paused_at = window.engine.step_count
    sync(qtbot, window)
    sync(qtbot, window)
    assert window.engine.step_count == paused_at
    wait_ticket(qtbot, window, window.do_action("step"))
    assert window.engine.step_count == paused_at + 1
    assert f"step {paused_at + 1}" in window.status_step.text()


def test_step_d_only_and_freeze_and_reset(qtbot, window):
    e = window.engine
    g0, d0 = params(e.G), params(e.D)
    wait_ticket(qtbot, window, window.do_action("step_d"))
    assert torch.equal(params(e.G), g0) and not torch.equal(params(e.D), d0)
    window.panel.buttons["freeze_D"].click()
    sync(qtbot, window)
    d1 = params(e.D)
    for _ in range(3):
        wait_ticket(qtbot, window, window.do_action("step"))
    assert torch.equal(params(e.D), d1) and not torch.equal(params(e.G), g0)
    g2 = params(e.G)
    window.panel.buttons["reset_G"].click()
    sync(qtbot, window)
    assert not torch.equal(params(e.G), g2) and torch.equal(params(e.D), d1)
    assert "frozen: D" in window.status_step.text()
    window.panel.buttons["reset_all"].click()
    sync(qtbot, window)
    assert e.step_count == 0


def test_surface_image_changes_as_d_trains(qtbot, window):
    sync(qtbot, window)
    before = window.plane.surface.image.copy()
    for _ in range(15):
        window.do_action("step_d")
    sync(qtbot, window)
    after = window.plane.surface.image
    assert after.shape == before.shape == (16, 16)
    assert np.abs(after - before).max() > 1e-3


def test_layers_toggle_from_panel_and_menu(qtbot, window):
    box = window.panel.layer_boxes["real"]
    assert window.plane.real.isVisible()
    box.setChecked(False)
    assert not window.plane.real.isVisible() and not window.menus.layer_actions["real"].isChecked()
    window.menus.layer_actions["manifold"].setChecked(True)
    assert window.plane.manifold.isVisible() and window.panel.layer_boxes["manifold"].isChecked()
    sync(qtbot, window)
    assert len(window.plane.manifold.xData) == 42 * 64


def test_drawing_strokes_build_a_target_that_trains(qtbot, window):
    window.panel.buttons["draw"].click()
    handler = window.plane.getViewBox().draw_handler
    assert handler is not None
    for i, x in enumerate(np.linspace(-1, 1, 10)):  # one stroke along a line
        handler(x, 0.5, i == 0, i == 9)
    sync(qtbot, window)
    t = window.engine.cfg.target
    assert t.kind == "points" and len(t.points) == 80
    pts = np.array(t.points)
    assert np.abs(pts[:, 1] - 0.5).max() <= 0.15 + 1e-9
    window.panel.buttons["undo"].click()  # undo the stroke: nothing left, the target is kept
    assert len(window.sketch.points) == 0
    for i in range(5):
        handler(0.0, -1.0, i == 0, i == 4)
    wait_ticket(qtbot, window, window.do_action("step"))
    assert len(window.engine.cfg.target.points) == 40
    real = window.worker.latest()[1].real
    assert np.abs(real - [0, -1]).max() < 0.15 + 0.1  # real samples now come from the drawing
    assert window.engine.step_count == 1


def test_bad_import_keeps_the_target_and_says_why(qtbot, window, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2,3\n")
    assert window.files.import_points(str(bad)) is None
    assert "two columns" in window.banner.text() and window.banner.isVisible()
    sync(qtbot, window)
    assert window.engine.cfg.target.kind == "ring"
    good = tmp_path / "good.csv"
    good.write_text("x,y\n0,0\n1,1\n")
    wait_ticket(qtbot, window, window.files.import_points(str(good)))
    assert window.engine.cfg.target.points == [[0, 0], [1, 1]]


def test_divergence_pauses_and_explains(qtbot, window):
    window.send_update("objective.loss", "lsgan")
    window.send_update("d_opt.kind", "sgd")
    window.send_update("g_opt.kind", "sgd")
    window.send_update("d_opt.lr", 10.0)
    wait_ticket(qtbot, window, window.send_update("g_opt.lr", 10.0))
    window.do_action("play:1")
    qtbot.waitUntil(lambda: window.banner.isVisible() and "diverged" in window.banner.text(), timeout=20000)
    assert not window.panel.buttons["play"].isChecked()
    assert torch.isfinite(params(window.engine.G)).all()


def test_session_save_and_open_round_trip(qtbot, window, tmp_path):
    for _ in range(3):
        window.do_action("step")
    path = str(tmp_path / "run.gscope")
    wait_ticket(qtbot, window, window.files.save_session(path))
    saved_g = params(window.engine.G)
    window.do_action("reset_all")
    sync(qtbot, window)
    assert window.files.open_session(path)
    sync(qtbot, window)
    assert window.engine.step_count == 3 and torch.equal(params(window.engine.G), saved_g)
    assert window.menus.recent()[0] == path
    assert not window.files.open_session(str(tmp_path / "missing.gscope"))
    assert "no such file" in window.banner.text()


def test_preset_loads_and_controls_follow(qtbot, window):
    wait_ticket(qtbot, window, window.do_action("preset:ring-wgan-gp"))
    assert window.engine.cfg.objective.loss == "wgan-gp"
    assert window.panel.fields["objective.loss"].currentText() == "wgan-gp"
    assert window.panel.fields["d_opt.steps"].value() == 5


def test_closing_during_training_joins_the_thread_quickly(qtbot, window):
    wait_ticket(qtbot, window, window.do_action("play:1"))
    qtbot.waitUntil(lambda: window.worker.step_count() > 5, timeout=10000)
    window.close()
    assert not window.isVisible()
    qtbot.waitUntil(lambda: not window.worker._thread.is_alive(), timeout=20000)


def test_dragging_a_mixture_component_moves_the_target(qtbot, window):
    wait_ticket(qtbot, window, window.do_action("preset:mixture"))
    qtbot.waitUntil(lambda: len(window.plane.handles) == 3, timeout=10000)
    handle = window.plane.handles[0]
    handle.setPos(-2.5, 1.0)
    handle.sigPositionChangeFinished.emit(handle)  # what releasing the mouse emits
    sync(qtbot, window)
    assert window.engine.cfg.target.centres[0] == [-2.5, 1.0]
    assert window.engine.target.centres[0].tolist() == [-2.5, 1.0]
    assert window.panel.mixture.item(0, 0).text() == "-2.5"


def test_architecture_change_rebuilds_and_says_so(qtbot, window):
    g_width = window.panel.fields["generator.width"]
    g_width.setValue(48)
    sync(qtbot, window)
    assert window.engine.G.net[0].out_features == 48
    qtbot.waitUntil(lambda: "rebuilt generator" in window.statusBar().currentMessage(), timeout=5000)


def test_mixture_table_edits_components(qtbot, window):
    wait_ticket(qtbot, window, window.do_action("preset:mixture"))
    table = window.panel.mixture
    assert table.rowCount() == 3
    table.item(1, 2).setText("0.5")  # sigma of the second component
    sync(qtbot, window)
    assert window.engine.target.sigmas.tolist() == [0.15, 0.5, 0.3]
    table.item(0, 3).setText("-1")  # a negative weight is refused, the target kept
    sync(qtbot, window)
    assert window.engine.cfg.target.weights[0] == 1.0
    table.item(0, 3).setText("2")
    table.add_row()
    sync(qtbot, window)
    assert window.engine.target.n_modes == 4 and window.engine.cfg.target.weights[0] == 2.0
    qtbot.waitUntil(lambda: len(window.plane.handles) == 4, timeout=5000)
