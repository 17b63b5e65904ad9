"""The stalled-D detector and the collapse guard (issue 14): real runs, the detector's own thresholds."""

import numpy as np
import pytest

from ganscope.core.detectors import detect
from ganscope.core.engine import GanEngine
from ganscope.core.presets import preset_config


@pytest.fixture(scope="module")
def dead_d():
    """The ring with D's learning rate absurdly high: D's units die and G gets exactly no gradient.

    3 rather than 1: at 1 whether every unit dies within 800 steps is chaotic (it did on 3 of seeds
    0-5 before the fast path's thin products changed the summation order, and no longer at seed 0
    after), while at 3 it happens on all of seeds 0-7 (G's gradient exactly 0), measured."""
    cfg = preset_config("ring")
    cfg.set("d_opt.lr", 3.0)
    e = GanEngine(cfg)
    e.step(800)
    return e


def test_stalled_d_fires_when_d_lr_is_one(dead_d):
    d = detect(dead_d)["stalled"]
    assert d.active and "Reset D" in d.detail and "重置判别器" in d.text("zh")
    g = dead_d.history.as_arrays()["g_grad"]
    assert np.max(g[-dead_d.cfg.detect.stall_steps :]) < dead_d.cfg.detect.stall_grad  # what it claims
    # A frozen G receives no gradient by design: that is not a stall.
    dead_d.freeze("G", True)
    assert not detect(dead_d)["stalled"].active
    dead_d.freeze("G", False)


def test_stalled_d_stays_quiet_on_a_healthy_run():
    e = GanEngine(preset_config("ring"))
    e.step(800)
    assert not detect(e)["stalled"].active


def test_collapse_waits_until_g_has_reached_the_data():
    """Lesson 5's G starts at the origin, far inside the ring: "0 of 8 modes" then is not collapse."""
    from ganscope.core.scenarios import load_scenario

    s = load_scenario("lesson-5-collapse")
    e = GanEngine(s.config())
    s.install(e)
    e.step(600)
    ev = e.evaluator.history.as_arrays()
    assert ev["modes"].max() < e.cfg.detect.collapse_reach  # G has not reached any mode yet
    assert not detect(e)["collapse"].active
    e.cfg.detect.collapse_reach = 0  # without the guard the old, wrong verdict comes back
    assert detect(e)["collapse"].active
