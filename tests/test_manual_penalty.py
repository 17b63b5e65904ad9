"""The hand-written penalty gradients (core.manual_penalty) against autograd's double backward, the
reference: D's whole gradient (loss plus WGAN-GP / R1 / R2) in float64 to 1e-12, every loss, ReLU
and LeakyReLU, depths 0-3, packing; and the engine trains the same weights on either path."""

import pytest
import torch

from ganscope.core import iteration as it
from ganscope.core import manual_grad as mg
from ganscope.core import manual_penalty as mp
from ganscope.core.config import LOSSES, GanConfig
from ganscope.core.engine import GanEngine
from ganscope.core.models import Discriminator, d_backward, d_forward

PENALTIES = [{"gp": True}, {"r1": True}, {"r2": True}, {"r1": True, "r2": True}, {"gp": True, "r1": True}]
WEIGHTS = {"gp_weight": 0.3, "r1": 1.7, "r2": 0.9}


def discriminator(activation: str, depth: int, pack: int) -> Discriminator:
    cfg = GanConfig()
    cfg.discriminator.depth, cfg.discriminator.width, cfg.discriminator.activation = depth, 16, activation
    cfg.discriminator.input_scale = 0.7  # not 1, so the scale's place in each penalty is checked
    return Discriminator(cfg.discriminator, pack).double()


def both_gradients(D, terms, real, fake, eps):
    total, _ = it.d_objective(terms, D, real, fake, eps, **WEIGHTS)
    reference = torch.autograd.grad(total, list(D.parameters()))
    with torch.no_grad():
        D.zero_grad(set_to_none=True)
        scores, cache = d_forward(D, torch.cat([real, fake]))
        r, f = scores.split(real.shape[0] // D.pack)
        d_backward(D, cache, torch.cat(mg.d_output_grads(terms.loss, r, f)), weight_grads=True)
        mp.add_d_penalties(D, terms, cache, real, fake, eps, **WEIGHTS)
    return reference, [p.grad for p in D.parameters()]


@pytest.mark.parametrize("pack", [1, 2])
@pytest.mark.parametrize("depth", [0, 1, 2, 3])
@pytest.mark.parametrize("activation", ["relu", "leaky_relu"])
def test_penalty_gradients_match_autograd(activation, depth, pack):
    torch.manual_seed(depth * 10 + pack)
    D = discriminator(activation, depth, pack)
    n = 24 * pack
    real, fake = torch.randn(n, 2, dtype=torch.float64), torch.randn(n, 2, dtype=torch.float64) * 2
    eps = torch.rand(n // pack, 1, dtype=torch.float64)
    for loss in LOSSES:
        for penalty in PENALTIES:
            if penalty.get("gp") and loss != "wgan-gp":
                continue  # WGAN-GP's penalty belongs to its loss (Terms.of)
            terms = it.Terms(loss, pack, **penalty)
            reference, hand = both_gradients(D, terms, real, fake, eps)
            for a, b in zip(hand, reference):
                torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12, msg=f"{loss} {penalty}")
            unpenalised, _ = both_gradients(D, it.Terms(loss, pack), real, fake, eps)
            assert any((a - b).abs().max() > 1e-6 for a, b in zip(reference, unpenalised)), "no penalty to check"


def test_gradient_penalty_where_the_input_gradient_vanishes():
    """Samples where every unit is dead have g = 0: the norm's gradient is 0 there, as autograd's."""
    torch.manual_seed(5)
    D = discriminator("relu", 1, 1)
    with torch.no_grad():
        D.net[0].bias[:] = -50.0
        D.net[0].bias[:3] = 0.0  # a few units live, for the samples on their positive side only
    real, fake = torch.randn(40, 2, dtype=torch.float64), torch.randn(40, 2, dtype=torch.float64)
    reference, hand = both_gradients(
        D, it.Terms("wgan-gp", gp=True), real, fake, torch.rand(40, 1, dtype=torch.float64)
    )
    for a, b in zip(hand, reference):
        assert torch.isfinite(a).all()
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)


def test_only_piecewise_linear_discriminators_are_supported():
    assert mp.supports(discriminator("relu", 2, 1).net) and mp.supports(discriminator("leaky_relu", 0, 2).net)
    for activation in ("tanh", "elu", "silu"):  # second derivatives that do not vanish
        assert not mp.supports(discriminator(activation, 2, 1).net)


@pytest.mark.parametrize(
    "changes",
    [
        {"objective.loss": "wgan-gp", "objective.gp_weight": 0.1, "d_opt.steps": 3},
        {"objective.r1": 1.0},
        {"objective.loss": "wgan-gp", "objective.gp_weight": 1.0, "objective.pack": 2, "discriminator.depth": 1},
        {"objective.loss": "hinge", "objective.r2": 0.5, "objective.pack": 2},
        {
            "objective.loss": "wgan-gp",
            "objective.gp_weight": 10.0,
            "objective.r1": 0.3,
            "objective.instance_noise": 0.1,
            "discriminator.activation": "leaky_relu",
            "discriminator.depth": 3,
        },
        {"objective.loss": "lsgan", "objective.r1": 2.0, "d_opt.kind": "rmsprop", "d_opt.momentum": 0.5},
        {"objective.loss": "minimax", "objective.r2": 1.0, "d_opt.kind": "sgd", "d_opt.momentum": 0.5},
    ],
)
def test_penalised_engine_trains_the_same_with_either_gradient_path(small_cfg, changes):
    for k, v in changes.items():
        small_cfg.set(k, v)
    hand, reference = GanEngine(small_cfg), GanEngine(small_cfg)
    reference.manual_grad = False
    assert hand.manual.ok() and not reference.manual.ok()
    hand.step(6)
    reference.step(6)
    for a, b in zip(
        [*hand.G.parameters(), *hand.D.parameters()], [*reference.G.parameters(), *reference.D.parameters()]
    ):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
    ha, hb = hand.history.as_arrays(), reference.history.as_arrays()
    for name in ("d_loss", "g_loss", "d_grad", "g_grad"):
        torch.testing.assert_close(torch.tensor(ha[name]), torch.tensor(hb[name]), rtol=1e-4, atol=1e-5)


def test_penalties_on_a_smooth_discriminator_use_autograd(small_cfg):
    small_cfg.set("objective.r1", 1.0)
    small_cfg.set("discriminator.activation", "tanh")
    assert not GanEngine(small_cfg).manual.ok()
    small_cfg.set("objective.r1", 0.0)
    assert GanEngine(small_cfg).manual.ok()  # without a penalty, tanh's first derivative is enough
