"""The Dirac-GAN plane in the app draws core.dirac's field and trajectory, and follows the controls."""

import numpy as np

from ganscope.core.dirac import trajectory


def test_the_plane_follows_objective_update_and_click(qtbot, window):
    v = window.docks.show_dirac()
    assert window.docks.dirac_dock.isVisible()
    v.objective.setCurrentText("wgan")
    v.update_mode.setCurrentText("simultaneous")
    x, y = v.path.getData()
    ref = trajectory("wgan", v.start, v.lr.value(), v.steps.value(), "simultaneous", v.reg.value())
    np.testing.assert_allclose(np.column_stack([x, y]), ref)
    assert "spiral out" in v.note.text()
    v.objective.setCurrentText("r1")  # converges: the path ends near (0, 0)
    assert np.hypot(*v.trajectory[-1]) < 0.05 < np.hypot(*v.start)
    v.set_start(-1.5, 0.5)
    assert tuple(v.trajectory[0]) == (-1.5, 0.5)
    ax, ay = v.arrows.getData()
    assert len(ax) == 2 * 17 * 17  # one segment per grid point


def test_lesson_6_offers_the_plane(qtbot, window):
    p = window.lessons
    names = [s.name for s in p.scenarios]
    p.list.setCurrentRow(names.index("lesson-6-oscillation"))
    assert not p.dirac_button.isHidden()
    p.dirac_button.click()
    assert window.docks.dirac_dock.isVisible()
    p.list.setCurrentRow(names.index("lesson-2-chance"))
    assert p.dirac_button.isHidden()


def test_the_arjovsky_bottou_panel_plots_both_losses_for_the_current_g(qtbot, window):
    from tests.app.conftest import wait_ticket

    wait_ticket(qtbot, window, window.do_action("step"))
    p = window.lessons
    names = [s.name for s in p.scenarios]
    p.list.setCurrentRow(names.index("lesson-4-vanishing"))
    assert not p.arjovsky_button.isHidden()
    v = window.docks.show_arjovsky()
    v.iterations.setValue(300)
    assert v.start()
    qtbot.waitUntil(lambda: not v.running and not v.timer.isActive(), timeout=60000)
    r = v.result
    assert r.d_iterations[-1] == 300 and len(v.minimax.getData()[0]) == len(r.d_iterations)
    assert "orders of magnitude" in v.note.text()
