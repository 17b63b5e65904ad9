"""The Sweep panel: a small grid trains, the map matches the results, a cell opens that run."""

import numpy as np
import pytest
from PySide6 import QtCore

from tests.app.conftest import assert_ends_by_itself


def run_grid(qtbot, window, steps=30, n=2):
    p = window.sweep
    for name in ("x", "y"):
        p.axes[name][3].setValue(n)
    p.steps.setValue(steps)
    assert p.start()
    qtbot.waitUntil(lambda: not p.running and not p.timer.isActive(), timeout=60000)
    return p


def test_a_sweep_maps_every_cell_and_opens_one(qtbot, window):
    p = run_grid(qtbot, window)
    r = p.result
    assert r is not None and len(r.cells) == 4 and r.steps == 30 and not r.cancelled
    np.testing.assert_array_equal(p.image.image, np.nan_to_num(r.grid("modes"), nan=0.0))
    assert len(p.marks) == 4 and "Done" in p.message.text()
    # Cell (1, 0): x = the larger D learning rate, y = the smaller G learning rate.
    ticket = p.open_cell(1, 0) and window.worker.commands.issued
    qtbot.waitUntil(lambda: window.worker.done(ticket), timeout=10000)
    e = window.engine
    assert e.cfg.d_opt.lr == pytest.approx(r.x.values[1]) and e.cfg.g_opt.lr == pytest.approx(r.y.values[0])
    assert e.step_count == 30
    assert window.panel.fields["d_opt.lr"].value() == pytest.approx(r.x.values[1], rel=1e-3)


def test_cancel_keeps_the_results_so_far(qtbot, window):
    p = window.sweep
    p.steps.setValue(1_000_000)
    assert p.start()
    qtbot.waitUntil(lambda: p._progress[0] > 0, timeout=30000)
    p.cancel()
    qtbot.waitUntil(lambda: not p.running and not p.timer.isActive(), timeout=30000)
    assert p.result.cancelled and 0 < p.result.steps < 1_000_000 and "Cancelled" in p.message.text()


def test_bad_axes_and_unsupported_configs_are_explained(qtbot, window):
    p = window.sweep
    p.axes["x"][1].setText("abc")
    assert not p.start() and "numbers expected" in p.message.text()
    p.axes["x"][1].setText("1e-4")
    combo = p.axes["y"][0]  # both axes on one field: no grid to draw
    combo.setCurrentIndex(combo.findData("d_opt.lr", QtCore.Qt.UserRole))
    assert p.start()
    qtbot.waitUntil(lambda: not p.running and not p.timer.isActive(), timeout=30000)
    assert "both axes" in p.message.text() and p.result is None


def test_closing_during_a_sweep_cancels_it(qtbot, window):
    """The sweep's thread ends by itself, cancelled, not after its million steps. (How long closing
    takes is measured in benchmarks/close_latency.py: CI machines differ 3x in speed.)"""
    p = window.sweep
    for name in ("x", "y"):
        p.axes[name][3].setValue(8)  # 64 members: a slow grid
    p.steps.setValue(1_000_000)
    assert p.start()
    qtbot.waitUntil(lambda: p._progress[0] > 0, timeout=30000)
    window.close()
    assert_ends_by_itself(p._thread, "the sweep")
    assert p.result.cancelled and p.result.steps < 1_000_000
