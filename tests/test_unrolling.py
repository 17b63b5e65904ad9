"""The look-ahead's fast form (core.unrolling) against the plain one, second derivatives included.

The fast form writes D's gradient by hand (`manual_d_grad`) and updates D's parameters as one
flat vector; the reference is the look-ahead as first written: D's gradient by autograd with
create_graph through functional_call, the rule applied per parameter tensor. Both use
core.optim_rules, which tests/test_optim_rules.py checks against torch.optim. In float64 D's
gradient and its derivatives agree to 1e-12 / 1e-10; G's gradient through 3 steps, which is what
unrolling is for, to rtol 1e-7 (RMSprop's division by sqrt(v) + eps amplifies the rounding of
the other summation order; a missing term is off by 1e-2 or more).
"""

import copy
import itertools
from types import SimpleNamespace

import pytest
import torch

from ganscope.core import objectives as obj
from ganscope.core import optim_rules
from ganscope.core.engine import GanEngine
from ganscope.core.models import Discriminator
from ganscope.core.unrolling import d_with, manual_d_grad, unrolled_params

LOSSES = ["minimax", "nonsaturating", "lsgan", "hinge", "wgan"]


def _d(small_cfg, activation="relu", depth=2, pack=1):
    small_cfg.set("discriminator.activation", activation)
    small_cfg.set("discriminator.depth", depth)
    small_cfg.set("discriminator.width", 16)
    small_cfg.set("discriminator.input_scale", 0.5)
    torch.manual_seed(0)
    D = Discriminator(small_cfg.discriminator, pack).double()
    names = [n for n, _ in D.named_parameters()]
    params = [p.detach().clone().requires_grad_(True) for p in D.parameters()]
    return D, names, params


@pytest.mark.parametrize(
    "activation, depth, pack, loss",
    [
        (a, d, p, loss)
        for (a, d, p), loss in zip(itertools.product(["relu", "leaky_relu"], [0, 1, 2], [1, 2]), LOSSES * 3)
    ],
)
def test_hand_written_d_gradient_and_its_derivatives_equal_autograds(small_cfg, activation, depth, pack, loss):
    D, names, params = _d(small_cfg, activation, depth, pack)
    real = torch.randn(12, 2, dtype=torch.float64)
    fake = torch.randn(12, 2, dtype=torch.float64, requires_grad=True)
    grad = manual_d_grad(D, names, loss, real, fake)
    assert grad is not None
    out = grad(params)
    d = d_with(D, names, params)
    ref = torch.autograd.grad(obj.d_loss(loss, d(real), d(fake)), params, create_graph=True)
    for a, b in zip(out, ref):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)
    # what the look-ahead needs: the gradient's derivatives in G's samples and in D's weights
    w = [torch.randn_like(p) for p in params]
    wrt = [fake, *params]
    h_out = torch.autograd.grad(sum((a * c).sum() for a, c in zip(out, w)), wrt, allow_unused=True, retain_graph=True)
    h_ref = torch.autograd.grad(sum((a * c).sum() for a, c in zip(ref, w)), wrt, allow_unused=True)
    for a, b, x in zip(h_out, h_ref, wrt):
        zero = torch.zeros_like(x)  # wgan's gradient is linear in D's output: some are unused
        torch.testing.assert_close(zero if a is None else a, zero if b is None else b, rtol=1e-10, atol=1e-12)
    # D's weights held fixed (the engine's first look-ahead step): the real rows' part is a constant
    fixed = grad([p.detach() for p in params])
    for a, b in zip(fixed, ref):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)
    h_fixed = torch.autograd.grad(sum((a * c).sum() for a, c in zip(fixed, w)), fake, allow_unused=True)[0]
    torch.testing.assert_close(torch.zeros_like(fake) if h_fixed is None else h_fixed, h_ref[0], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("activation, loss", [("relu", "minimax"), ("leaky_relu", "lsgan")])
def test_a_deeper_ds_hand_written_gradient_equals_autograds(small_cfg, activation, loss):
    """Depth 3: hidden Linears below the last one, where the output rows' scale is applied
    before the loop instead of being folded into the first layer's product."""
    test_hand_written_d_gradient_and_its_derivatives_equal_autograds(small_cfg, activation, 3, 1, loss)


def test_other_activations_keep_autograd(small_cfg):
    D, names, _ = _d(small_cfg, "tanh")
    assert manual_d_grad(D, names, "minimax", torch.zeros(4, 2), torch.zeros(4, 2)) is None


def _reference_lookahead(kind, hp, k, D, names, params, state, loss, real, fake):
    """The look-ahead as first written: autograd's D gradient, the rule per parameter tensor."""
    current = list(params)
    for _ in range(k):
        d = lambda x, c=current: torch.func.functional_call(D, dict(zip(names, c)), (x,))
        grads = torch.autograd.grad(obj.d_loss(loss, d(real), d(fake)), current, create_graph=True)
        current, state = optim_rules.step(kind, current, grads, state, *hp, differentiable=True)
    return current


@pytest.mark.parametrize(
    "kind, momentum", [("sgd", 0.0), ("sgd", 0.5), ("adam", 0.0), ("rmsprop", 0.0), ("rmsprop", 0.5)]
)
@pytest.mark.parametrize("activation, d_fixed", [("relu", True), ("relu", False), ("leaky_relu", True), ("tanh", True)])
def test_gs_gradient_through_the_lookahead_equals_the_reference(small_cfg, kind, momentum, activation, d_fixed):
    """G's gradient through 3 look-ahead steps from D's optimiser state mid-run, float64; with
    D's weights held fixed (as the engine asks) and as the game's Jacobian asks (not fixed)."""
    small_cfg.d_opt.kind, small_cfg.d_opt.momentum, small_cfg.d_opt.lr = kind, momentum, 0.05
    small_cfg.set("discriminator.activation", activation)
    small_cfg.objective.loss = "minimax"
    e = GanEngine(small_cfg)
    e.step(3)  # D's optimiser has moments / momentum buffers to continue from
    G, D = copy.deepcopy(e.G).double(), copy.deepcopy(e.D).double()
    names = [n for n, _ in D.named_parameters()]
    by_param = dict(zip(D.parameters(), (e.opt_d.state.get(p, {}) for p in e.D.parameters())))
    shim = SimpleNamespace(D=D, cfg=SimpleNamespace(d_opt=small_cfg.d_opt), opt_d=SimpleNamespace(state=by_param))
    gen = torch.Generator().manual_seed(5)
    real = torch.randn(64, 2, generator=gen, dtype=torch.float64)
    z = G.sample_noise(64, gen, "cpu").double()
    g_params = list(G.parameters())

    def g_grad(d_params):
        fake = G(z)
        scores = torch.func.functional_call(D, d_params(fake), (fake,))
        return torch.autograd.grad(obj.g_loss("minimax", scores), g_params)

    new = g_grad(lambda fake: unrolled_params(shim, 3, fake, "minimax", real, d_fixed))
    params = list(D.parameters())
    state = optim_rules.state_from_torch(kind, shim.opt_d, params)
    hp = (0.05, small_cfg.d_opt.beta1, small_cfg.d_opt.beta2, momentum)
    ref = g_grad(
        lambda fake: dict(zip(names, _reference_lookahead(kind, hp, 3, D, names, params, state, "minimax", real, fake)))
    )
    assert any(float(g.abs().max()) > 0 for g in ref)
    for a, b in zip(new, ref):
        torch.testing.assert_close(a, b, rtol=1e-7, atol=1e-9 * float(b.abs().max()))


@pytest.mark.parametrize("loss, activation", [("nonsaturating", "relu"), ("wgan-gp", "leaky_relu"), ("hinge", "tanh")])
def test_unrolled_engine_trains_the_same_with_ds_hand_written_step(small_cfg, loss, activation, float64):
    """An unrolled config takes D's step by hand (core.manual_step) and G's through the look-ahead
    by autograd; the weights and metric rows after 3 chunks of 4 iterations agree with autograd's
    D step (float64, rtol 1e-9), and the hand-written step was really taken."""
    small_cfg.objective.unrolled_steps = 2
    small_cfg.objective.loss = loss
    small_cfg.set("discriminator.activation", activation)
    mixed, ref = GanEngine(small_cfg), GanEngine(small_cfg)
    ref.manual_grad = False
    taken = []
    d_step = mixed.manual.d_step
    mixed.manual.d_step = lambda *a: taken.append(1) or d_step(*a)
    for _ in range(3):
        mixed.step(4)
        ref.step(4)
    assert len(taken) == 12
    for a, b in zip([*mixed.G.parameters(), *mixed.D.parameters()], [*ref.G.parameters(), *ref.D.parameters()]):
        torch.testing.assert_close(a, b, rtol=1e-9, atol=1e-11)
    ha, hb = mixed.history.as_arrays(), ref.history.as_arrays()
    for name in ha:
        torch.testing.assert_close(torch.tensor(ha[name]), torch.tensor(hb[name]), rtol=1e-9, atol=1e-11)
