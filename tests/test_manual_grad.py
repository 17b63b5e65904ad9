"""Hand-written gradients against autograd, the reference; the lean Adam step against torch's."""

import numpy as np
import pytest
import torch

from ganscope.core import manual_grad as mg
from ganscope.core import objectives as obj
from ganscope.core.config import LOSSES
from ganscope.core.engine import GanEngine
from ganscope.core.models import mlp
from ganscope.core.optim_step import adam_step

ACTIVATIONS = ["relu", "leaky_relu", "tanh", "elu", "silu"]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_mlp_backward_matches_autograd(activation):
    torch.manual_seed(0)
    net = mlp(3, 2, depth=2, width=16, activation=activation)
    x = torch.randn(40, 3, requires_grad=True)
    dy = torch.randn(40, 2)
    y_ref = net(x)
    grads_ref = torch.autograd.grad(y_ref, [x, *net.parameters()], dy)
    with torch.no_grad():
        y, cache = mg.forward(net, x.detach())
        dx = mg.backward(net, cache, dy.clone(), weight_grads=True, input_grad=True)
    torch.testing.assert_close(y, y_ref.detach())
    torch.testing.assert_close(dx, grads_ref[0])
    for p, g in zip(net.parameters(), grads_ref[1:]):
        torch.testing.assert_close(p.grad, g)


def test_backward_without_input_grad_skips_it_and_without_weight_grads_leaves_them():
    net = mlp(2, 1, depth=1, width=8, activation="relu")
    with torch.no_grad():
        _y, cache = mg.forward(net, torch.randn(5, 2))
        assert mg.backward(net, cache, torch.ones(5, 1), weight_grads=True, input_grad=False) is None
        assert all(p.grad is not None for p in net.parameters())
        net.zero_grad(set_to_none=True)
        dx = mg.backward(net, cache, torch.ones(5, 1), weight_grads=False, input_grad=True)
    assert dx.shape == (5, 2) and all(p.grad is None for p in net.parameters())


@pytest.mark.parametrize("loss", LOSSES)
def test_loss_output_gradients_match_autograd(loss):
    torch.manual_seed(1)
    r = (torch.randn(30) * 2).requires_grad_()
    f = (torch.randn(20) * 2).requires_grad_()
    dr_ref, df_ref = torch.autograd.grad(obj.d_loss(loss, r, f), (r, f))
    dr, df = mg.d_output_grads(loss, r.detach(), f.detach())
    torch.testing.assert_close(dr, dr_ref)
    torch.testing.assert_close(df, df_ref)
    (dg_ref,) = torch.autograd.grad(obj.g_loss(loss, f), (f,))
    torch.testing.assert_close(mg.g_output_grad(loss, f.detach()), dg_ref)


def run(cfg, manual: bool, steps=6):
    e = GanEngine(cfg)
    e.manual_grad = manual
    e.step(steps)
    return e


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"objective.loss": "minimax", "objective.pack": 2},
        {"objective.loss": "hinge", "objective.instance_noise": 0.1},
        {"objective.loss": "wgan", "d_opt.steps": 3, "discriminator.activation": "leaky_relu"},
        {"objective.loss": "lsgan", "g_opt.steps": 2, "generator.activation": "tanh", "discriminator.input_scale": 0.5},
        {"d_opt.kind": "sgd", "d_opt.momentum": 0.5, "g_opt.kind": "sgd", "d_opt.lr": 1e-2},
        {
            "objective.loss": "wgan",
            "d_opt.kind": "rmsprop",
            "d_opt.momentum": 0.5,
            "g_opt.kind": "rmsprop",
            "generator.activation": "silu",
            "discriminator.activation": "elu",
        },
    ],
)
def test_engine_trains_the_same_with_either_gradient_path(small_cfg, changes):
    for k, v in changes.items():
        small_cfg.set(k, v)
    a, b = run(small_cfg, manual=True), run(small_cfg, manual=False)
    for pa, pb in zip([*a.G.parameters(), *a.D.parameters()], [*b.G.parameters(), *b.D.parameters()]):
        torch.testing.assert_close(pa, pb, rtol=1e-4, atol=1e-5)
    ha, hb = a.history.as_arrays(), b.history.as_arrays()
    for name in ("d_loss", "g_loss", "acc_real", "g_grad", "d_grad"):
        torch.testing.assert_close(torch.tensor(ha[name]), torch.tensor(hb[name]), rtol=1e-4, atol=1e-5)


def test_unrolling_uses_autograd_and_penalties_on_a_relu_d_do_not(small_cfg):
    e = GanEngine(small_cfg)
    assert e.manual.ok()
    e.cfg.set("objective.unrolled_steps", 2)
    assert not e.manual.ok()
    e.cfg.set("objective.unrolled_steps", 0)
    for key, value in (("objective.r1", 1.0), ("objective.r2", 1.0), ("objective.loss", "wgan-gp")):
        e.cfg.set(key, value)
        assert e.manual.ok()  # core.manual_penalty (checked against autograd in test_manual_penalty)


def test_lean_adam_step_is_bit_identical_to_torch():
    torch.manual_seed(2)
    nets = [mlp(2, 1, 1, 8, "relu") for _ in range(2)]
    nets[1].load_state_dict(nets[0].state_dict())
    opts = [torch.optim.Adam(n.parameters(), lr=1e-2, betas=(0.5, 0.9), fused=True) for n in nets]
    for step in range(4):
        grads = [torch.randn_like(p) for p in nets[0].parameters()]
        for n in nets:
            for p, g in zip(n.parameters(), grads):
                p.grad = g.clone()
        opts[0].step()
        adam_step(opts[1])
        if step == 2:
            for o in opts:
                o.param_groups[0]["lr"] = 3e-3  # a live learning-rate change is honoured
    for p, q in zip(nets[0].parameters(), nets[1].parameters()):
        assert torch.equal(p, q)
    for p, q in zip(nets[0].parameters(), nets[1].parameters()):
        assert torch.equal(opts[0].state[p]["exp_avg_sq"], opts[1].state[q]["exp_avg_sq"])
        assert torch.equal(opts[0].state[p]["step"], opts[1].state[q]["step"])


@pytest.mark.parametrize("loss", ["nonsaturating", "wgan"])
def test_frame_arrows_and_surface_match_autograd(small_cfg, loss):
    small_cfg.set("objective.loss", loss)
    small_cfg.set("objective.pack", 2)
    e = GanEngine(small_cfg)
    e.step(20)
    hand = e.frame()
    e.manual_grad = False
    ref = e.frame()
    np.testing.assert_allclose(hand.arrows, ref.arrows, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(hand.surface, ref.surface, rtol=1e-5, atol=1e-6)
    assert np.abs(ref.arrows).max() > 0


def test_skipped_layers_are_not_computed(small_cfg):
    f = GanEngine(small_cfg).frame(skip=frozenset({"manifold", "arrows"}))
    assert f.manifold.shape[0] == 0 and not f.arrows.any() and np.isfinite(f.surface).all()
