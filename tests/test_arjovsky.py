"""The Arjovsky-Bottou experiment reproduces the paper's finding on the 2-D ring."""

import numpy as np

from ganscope.core.arjovsky import gradient_decay
from ganscope.core.presets import preset_config


def test_minimax_gradient_vanishes_and_nonsaturating_does_not():
    cfg = preset_config("ring")
    cfg.d_opt.lr = 1e-3
    r = gradient_decay(cfg, iterations=2000, every=100)
    assert r.d_iterations[0] == 0 and r.d_iterations[-1] == 2000
    assert r.log10_minimax[-1] < r.log10_minimax[0] - 2  # two orders of magnitude down
    assert r.log10_nonsaturating[-1] > r.log10_nonsaturating[0] - 0.5  # not vanishing
    assert r.d_accuracy[-1] > 0.95  # because D got (nearly) perfect
    # At the start (D untrained, D(G(z)) near 1/2) the two losses give gradients of the same size.
    assert abs(r.log10_minimax[0] - r.log10_nonsaturating[0]) < 0.5


def test_it_uses_the_given_generator_and_stops_early_when_asked(small_cfg):
    from ganscope.core.engine import GanEngine

    trained = GanEngine(small_cfg)
    trained.step(50)
    calls = {"n": 0}

    def stop():
        calls["n"] += 1
        return calls["n"] >= 3

    r = gradient_decay(small_cfg, trained.G.state_dict(), iterations=500, every=10, stop=stop)
    assert len(r.d_iterations) == 3 and np.isfinite(r.log10_minimax).all()
