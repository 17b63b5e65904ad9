"""Compared runs that differ only in numbers train as one batched call, exactly as each run alone.

Reference: every run trained alone by its own GanEngine (same config, same seed). The batched call
draws each run's samples from the run's own stream in the engine's order, so the runs agree up to
rounding, not bit for bit: the engine's fused Adam and hand-written gradients round differently
from the vmapped rule. Tolerance: float64, atol 1e-9 on weights and metric rows over 30 steps
(measured: 3e-17; a wrong sample, term or hyper-parameter is off by > 1e-3 after one step). In
float32 the same runs agree to 1e-7 for a few steps, then Adam's normalisation lifts rounding in
near-zero gradients to about one learning-rate step (1e-4), as two machines' runs of one config do.
"""

import pytest
import torch

from ganscope.core.compare import REMEDIES, CompareGroup
from ganscope.core.engine import GanEngine
from tests.conftest import configs_with
from tests.test_compare import TINY

CASES = {
    "adam, learning rates": [{"d_opt.lr": 1e-4}, {"d_opt.lr": 5e-4, "g_opt.lr": 2e-4}, {"g_opt.beta1": 0.0}],
    "wgan-gp, penalty weights, D:G steps": [
        {"objective.loss": "wgan-gp", "objective.gp_weight": 1.0},
        {"objective.loss": "wgan-gp", "objective.gp_weight": 10.0, "d_opt.steps": 3},
    ],
    "instance noise, R1, sgd with momentum": [
        {"objective.instance_noise": 0.1, "d_opt.kind": "sgd", "d_opt.lr": 1e-2, "d_opt.momentum": 0.5},
        {"objective.r1": 1.0, "d_opt.kind": "sgd", "d_opt.lr": 1e-2, "d_opt.momentum": 0.5},
    ],
}


def flat(m):
    return torch.cat([p.detach().flatten() for p in m.parameters()])


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_batched_compare_trains_each_run_as_it_trains_alone(small_cfg, case, float64):
    cfgs = configs_with(small_cfg, CASES[case])
    if "objective.loss" in CASES[case][0]:  # one loss for the group: the members differ in numbers only
        for c in cfgs:
            c.objective.loss = "wgan-gp"
    group = CompareGroup([(str(i), c) for i, c in enumerate(cfgs)], batched=True)
    assert group.how_trained() == "batched"
    assert group.step(30) == 30  # crosses the evaluation step at 25: chunks end there, as an engine's do
    for c, e in zip(cfgs, group.engines):
        alone = GanEngine(c)
        alone.step(30)
        assert e.step_count == alone.step_count == 30
        torch.testing.assert_close(flat(e.G), flat(alone.G), rtol=0, atol=1e-9)
        torch.testing.assert_close(flat(e.D), flat(alone.D), rtol=0, atol=1e-9)
        assert list(e.history.steps) == list(alone.history.steps) == list(range(1, 31))
        for name in ("d_loss", "g_loss", "acc_real", "acc_fake", "d_real", "d_fake", "g_grad", "d_grad"):
            torch.testing.assert_close(
                torch.as_tensor(e.history.series(name)), torch.as_tensor(alone.history.series(name)), rtol=0, atol=1e-9
            )
        assert list(e.evaluator.history.steps) == list(alone.evaluator.history.steps) == [0, 25]
        # The optimiser state came back in torch.optim's layout: the engine continues seamlessly.
        e.step(5)
        alone.step(5)
        torch.testing.assert_close(flat(e.G), flat(alone.G), rtol=0, atol=1e-9)


def test_the_remedies_differ_in_structure_and_step_their_engines():
    group = CompareGroup(list(REMEDIES), overrides=TINY, batched=True)
    how = group.how_trained()
    assert how.startswith("one engine after another") and "differs between" in how
    assert group.step(3) == 3 and [e.step_count for e in group.engines] == [3] * 4


def test_by_default_batching_is_left_to_devices_where_it_is_faster(small_cfg):
    other = small_cfg.copy()
    other.d_opt.lr = 1e-4
    group = CompareGroup([("a", small_cfg), ("b", other)])
    assert group.how_trained().startswith("one engine after another: on cpu")
    off = CompareGroup([("a", small_cfg), ("b", other)], batched=False)
    assert "switched off" in off.how_trained()
