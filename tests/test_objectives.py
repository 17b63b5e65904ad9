"""Objectives against closed forms (as micrograd tests its gradients against torch's)."""

import math

import pytest
import torch

from ganscope.core import objectives as obj
from ganscope.core.config import DiscriminatorConfig
from ganscope.core.models import Discriminator


def test_log_loss_at_an_undecided_discriminator_is_2_log_2():
    zeros = torch.zeros(10)
    assert obj.d_loss("minimax", zeros, zeros).item() == pytest.approx(2 * math.log(2))
    assert obj.g_loss("nonsaturating", zeros).item() == pytest.approx(math.log(2))
    assert obj.g_loss("minimax", zeros).item() == pytest.approx(-math.log(2))


def _dlogit(loss, f):
    f = torch.tensor([f], requires_grad=True)
    obj.g_loss(loss, f).backward()
    return f.grad.item()


def test_minimax_generator_gradient_saturates_where_nonsaturating_does_not():
    # d/df log(1 - sigmoid(f)) = -sigmoid(f);  d/df -log sigmoid(f) = -sigmoid(-f)
    for f in (-8.0, -2.0, 0.0, 3.0):
        assert _dlogit("minimax", f) == pytest.approx(-1 / (1 + math.exp(-f)), rel=1e-5)
        assert _dlogit("nonsaturating", f) == pytest.approx(-1 / (1 + math.exp(f)), rel=1e-5)
    # A confident D (fake logit -8): the minimax push is ~3000x weaker.
    assert abs(_dlogit("minimax", -8.0)) < abs(_dlogit("nonsaturating", -8.0)) / 1000


@pytest.mark.parametrize(
    "loss,real,fake,expected",
    [
        ("lsgan", 1.0, 0.0, 0.0),
        ("lsgan", 0.0, 1.0, 1.0),
        ("hinge", 1.0, -1.0, 0.0),
        ("hinge", 0.0, 0.0, 2.0),
        ("wgan", 3.0, 1.0, -2.0),
    ],
)
def test_discriminator_losses(loss, real, fake, expected):
    assert obj.d_loss(loss, torch.tensor([real]), torch.tensor([fake])).item() == pytest.approx(expected)


def _linear_d(w, pack=1):
    d = Discriminator(DiscriminatorConfig(depth=0), pack=pack)
    with torch.no_grad():
        d.net[0].weight.copy_(torch.tensor([w]))
        d.net[0].bias.zero_()
    return d


def test_gradient_penalty_of_a_linear_critic_is_the_closed_form():
    d = _linear_d([3.0, 4.0])  # ||grad|| = 5 everywhere
    gp = obj.gradient_penalty(d, torch.randn(32, 2), torch.randn(32, 2), torch.rand(32, 1))
    assert gp.item() == pytest.approx((5 - 1) ** 2)


def test_r1_of_a_linear_discriminator_is_its_squared_weight_norm():
    d = _linear_d([0.6, -0.8, 2.0, 0.0], pack=2)  # PacGAN: the norm covers the whole pack
    assert obj.zero_centred_penalty(d, torch.randn(64, 2), pack=2).item() == pytest.approx(0.36 + 0.64 + 4.0)


def test_surface_shows_probabilities_only_for_log_losses():
    raw = torch.tensor([0.0])
    assert obj.surface_transform("nonsaturating", raw).item() == 0.5
    assert obj.surface_transform("wgan", raw).item() == 0.0
    assert obj.surface_levels("minimax") == (0.0, 1.0) and obj.surface_levels("wgan-gp") is None


@pytest.mark.parametrize("functional", [False, True])
def test_penalties_are_differentiable_for_ds_update_either_way(functional):
    """Both ways of taking the input gradient (autograd in the engine, torch.func under vmap) give
    the penalties and their gradients with respect to D's weights that plain autograd gives."""
    torch.manual_seed(3)
    d = Discriminator(DiscriminatorConfig(depth=2, width=16, activation="tanh"), pack=2)
    weights = list(d.parameters())[:-1]  # the output bias does not move an input gradient
    real, fake, eps = torch.randn(32, 2), torch.randn(32, 2), torch.rand(16, 1)

    def reference_grad(x):
        x = x.clone().requires_grad_(True)
        return torch.autograd.grad(d(x).sum(), x, create_graph=True)[0].reshape(-1, 4)

    r1_ref = reference_grad(real).pow(2).sum(1).mean()
    e = eps.repeat_interleave(2, 0)
    gp_ref = ((reference_grad(e * real + (1 - e) * fake).norm(dim=1) - 1) ** 2).mean()
    r1 = obj.zero_centred_penalty(d, real, pack=2, functional=functional)
    gp = obj.gradient_penalty(d, real, fake, eps, pack=2, functional=functional)
    for got, ref in ((r1, r1_ref), (gp, gp_ref)):
        torch.testing.assert_close(got, ref)
        for a, b in zip(torch.autograd.grad(got, weights), torch.autograd.grad(ref, weights)):
            torch.testing.assert_close(a, b)
