"""The game-spectrum panel opens from the View menu, draws the run's eigenvalues and follows training."""

import numpy as np

from tests.app.conftest import wait_ticket


def _menu_action(window, text):
    for menu in window.menuBar().findChildren(type(window.menuBar().actions()[0].menu())):
        for act in menu.actions():
            if act.text() == text:
                return act
    raise AssertionError(f"no menu action {text!r}")


def test_the_panel_draws_the_runs_spectrum_and_updates_after_steps(qtbot, window):
    _menu_action(window, "Game spectrum").trigger()
    assert window.docks.spectrum_dock.isVisible()
    v = window.docks.spectrum_dock.widget()
    assert "No spectrum yet" in v.note.text()
    wait_ticket(qtbot, window, v.compute_now())
    qtbot.waitUntil(lambda: v.spectrum is not None and v.spectrum["step"] == 0, timeout=10000)
    x, y = v.points.getData()
    values = window.engine.spectrum.values
    assert len(x) == len(values) > 0
    np.testing.assert_allclose(x + 1j * y, values, rtol=1e-6)
    rx, ry = v.region.getData()
    h = window.engine.cfg.d_opt.lr
    np.testing.assert_allclose(np.abs(1 + h * (rx + 1j * ry)), 1.0, atol=1e-9)  # the disc of step h
    # every 25 steps from the panel's own control; training 60 steps adds two spectra
    v.every.setValue(25)
    ticket = window.worker.submit(lambda e: e.step(60))
    wait_ticket(qtbot, window, ticket, timeout=60000)
    assert window.engine.cfg.run.spectrum_every == 25
    qtbot.waitUntil(lambda: v.spectrum["step"] == 50, timeout=10000)
    steps, ratios = v.ratio_curve.getData()
    np.testing.assert_array_equal(steps, [0, 25, 50])
    expected = window.engine.spectrum.snapshot()["history"]["ratio"]
    np.testing.assert_allclose(10**ratios, np.maximum(expected, 1e-2))  # log axis; 0 at the floor
    np.testing.assert_allclose(v.points.getData()[0], window.engine.spectrum.values.real, rtol=1e-6)
    assert "step 50" in v.note.text()


def test_the_panel_speaks_chinese(qtbot, window):
    v = window.docks.show_spectrum()
    window.set_language("zh")
    assert window.docks.spectrum_dock.windowTitle() == "博弈谱"
    assert v.compute_button.text() == "立即计算"
    assert "尚无谱" in v.note.text()
    window.set_language("en")
    assert window.docks.spectrum_dock.windowTitle() == "Game spectrum"
