"""The pure optimiser rules (core.optim_rules) and the unrolled look-ahead against real torch.optim steps.

Tolerance: float32 throughout, rtol 1e-5 / atol 1e-6 after up to 4 steps (fused Adam and the
foreach kernels round differently from the plain formula; a rule that misses a term, like the
look-ahead that once ignored RMSprop's momentum, is off by 0.1 or more).
"""

import pytest
import torch

from ganscope.core import objectives as obj
from ganscope.core import optim_rules
from ganscope.core.engine import GanEngine
from ganscope.core.models import mlp
from ganscope.core.unrolling import unrolled_params

TOL = {"rtol": 1e-5, "atol": 1e-6}

CASES = [  # (kind, momentum)
    ("sgd", 0.0),
    ("sgd", 0.5),
    ("adam", 0.0),
    ("rmsprop", 0.0),
    ("rmsprop", 0.5),
]


def _torch_opt(kind, params, lr, beta1, beta2, momentum):
    if kind == "adam":
        return torch.optim.Adam(params, lr=lr, betas=(beta1, beta2))
    if kind == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=beta2, momentum=momentum)
    return torch.optim.SGD(params, lr=lr, momentum=momentum)


@pytest.mark.parametrize("kind, momentum", CASES)
@pytest.mark.parametrize("differentiable", [False, True])
def test_rule_steps_match_torch_optim(kind, momentum, differentiable):
    torch.manual_seed(0)
    net = mlp(2, 1, 1, 8, "relu")
    params = [p.detach().clone() for p in net.parameters()]
    opt = _torch_opt(kind, list(net.parameters()), 1e-2, 0.5, 0.9, momentum)
    state = optim_rules.init_state(kind, params)
    for _ in range(4):
        grads = [torch.randn_like(p) for p in params]
        for p, g in zip(net.parameters(), grads):
            p.grad = g.clone()
        opt.step()
        params, state = optim_rules.step(
            kind, params, grads, state, 1e-2, 0.5, 0.9, momentum, differentiable=differentiable
        )
    for p, q in zip(params, net.parameters()):
        torch.testing.assert_close(p, q.detach(), **TOL)


@pytest.mark.parametrize("kind, momentum", CASES)
def test_rule_continues_from_a_torch_optimisers_state(kind, momentum):
    """state_from_torch reads torch's state in the middle of a run: the next step agrees."""
    torch.manual_seed(1)
    net = mlp(2, 1, 1, 8, "tanh")
    opt = _torch_opt(kind, list(net.parameters()), 3e-3, 0.5, 0.99, momentum)
    for _ in range(3):
        for p in net.parameters():
            p.grad = torch.randn_like(p)
        opt.step()
    params = [p.detach().clone() for p in net.parameters()]
    state = optim_rules.state_from_torch(kind, opt, list(net.parameters()))
    grads = [torch.randn_like(p) for p in params]
    new, _ = optim_rules.step(kind, params, grads, state, 3e-3, 0.5, 0.99, momentum)  # before torch's
    for p, g in zip(net.parameters(), grads):  # step, which updates the state tensors in place
        p.grad = g.clone()
    opt.step()
    for p, q in zip(new, net.parameters()):
        torch.testing.assert_close(p, q.detach(), **TOL)


@pytest.mark.parametrize("kind, momentum", CASES)
@pytest.mark.parametrize("k", [1, 3])
def test_lookahead_equals_real_optimiser_steps_of_d(small_cfg, kind, momentum, k):
    """k look-ahead steps give the weights that k real steps of the engine's own D optimiser give
    on the same samples (the look-ahead fixes the real and fake batch for all k steps)."""
    small_cfg.d_opt.kind, small_cfg.d_opt.momentum = kind, momentum
    small_cfg.d_opt.lr = 1e-2  # large enough that a missing term shows
    small_cfg.objective.loss = "lsgan"
    e = GanEngine(small_cfg)
    e.step(2)  # the optimiser has state (moments, momentum buffers) to continue from
    with torch.no_grad():
        fake = e.G(e.G.sample_noise(64, e.gen, e.device))
    gen_state = e.gen.get_state()
    ahead = unrolled_params(e, k, fake, "lsgan")
    e.gen.set_state(gen_state)
    real = e.target.sample(64, e.gen)  # the real batch the look-ahead drew
    for _ in range(k):
        e.opt_d.zero_grad()
        obj.d_loss("lsgan", e.D(real), e.D(fake)).backward()
        e.opt_d.step()
    for name, p in e.D.named_parameters():
        torch.testing.assert_close(ahead[name], p.detach(), **TOL)


@pytest.mark.parametrize("kind", ["adam", "rmsprop"])
def test_differentiable_step_has_finite_gradients_where_a_gradient_is_zero(kind):
    """A dead unit (gradient exactly 0) must not turn G's look-ahead gradient into NaN."""
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    grads = [x * torch.tensor([0.0, 1.0])]  # the first entry's gradient is exactly zero
    new, _ = optim_rules.step(
        kind, [torch.zeros(2)], grads, optim_rules.init_state(kind, [x]), 0.1, differentiable=True
    )
    (dx,) = torch.autograd.grad(new[0].sum(), x)
    assert torch.isfinite(dx).all()
    plain, _ = optim_rules.step(
        kind, [torch.zeros(2)], [g.detach() for g in grads], optim_rules.init_state(kind, [x]), 0.1
    )
    torch.testing.assert_close(new[0].detach(), plain[0], rtol=0, atol=0)  # same values
