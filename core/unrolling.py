"""Unrolled GAN (Metz et al. 2017): the generator plays against D as it will be k updates later.

The k look-ahead updates are differentiable (create_graph=True), so G's gradient includes how D
would react, which is what discourages mode collapse. They follow D's own optimiser rule (Adam,
RMSProp or SGD, with momentum; core.optim_rules, checked against torch.optim) starting from its
current state, as in the paper's implementation; D itself is not changed by the look-ahead. As in
that implementation, every look-ahead step uses the same real batch and G's own batch for this
step: G's samples then pass through G once, not k + 1 times (1.6x the iterations per second at
k = 5 on the lesson-5 networks, measured here).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ganscope.core import optim_rules

from . import manual_grad as mg
from . import objectives as obj


def lookahead(kind: str, hp: tuple, k: int, params: list, state: dict, d_grad) -> list:
    """D's parameters after k differentiable updates of rule `kind` from `state` (pure).

    hp: (lr, beta1, beta2, momentum), floats or a sweep member's 0-d tensors. d_grad(params)
    gives D's loss gradient keeping the graph (torch.autograd.grad with create_graph in the
    engine, torch.func.grad in the ensemble)."""
    current = list(params)
    for _ in range(k):
        current, state = optim_rules.step(kind, current, d_grad(current), state, *hp, differentiable=True)
    return current


def d_with(D, names: list[str], params: list):
    """x -> D(x) computed with `params` (named `names`) in place of D's own, differentiably.

    For an MLP of Linear layers and elementwise activations (the models' usual D) it is the layers
    applied directly: torch.func.functional_call swaps every parameter in and out of the module on
    each call, which cost ~12% of an unrolled iteration here (5 look-ahead steps make 11 calls).
    Anything else goes through functional_call."""
    linears = [m for m in D.net if isinstance(m, nn.Linear)]
    expected = [
        f"net.{i}.{kind}" for i, m in enumerate(D.net) if isinstance(m, nn.Linear) for kind in ("weight", "bias")
    ]
    if not mg.supports(D.net) or names != expected or len(params) != 2 * len(linears):
        return lambda x: torch.func.functional_call(D, dict(zip(names, params)), (x,))
    weights, biases = params[0::2], params[1::2]

    def d(x: torch.Tensor) -> torch.Tensor:
        h, k = x.reshape(-1, 2 * D.pack) * D.input_scale, 0  # as Discriminator.forward
        for layer in D.net:
            if isinstance(layer, nn.Linear):
                h = F.linear(h, weights[k], biases[k])
                k += 1
            else:
                h = layer(h)
        return h.squeeze(-1)

    return d


def unrolled_params(
    engine, k: int, fake: torch.Tensor, loss: str, real: torch.Tensor | None = None
) -> dict[str, torch.Tensor]:
    """D's parameters after k differentiable updates against G's batch `fake` (still attached to
    G's graph) and one real batch (drawn here unless given; a dict for functional_call)."""
    D, oc = engine.D, engine.cfg.d_opt
    names = [name for name, _ in D.named_parameters()]
    params = [p for _, p in D.named_parameters()]
    state = optim_rules.state_from_torch(oc.kind, engine.opt_d, params)
    if real is None:
        real = engine.target.sample(len(fake), engine.gen).to(engine.device)

    def d_grad(current):
        d = d_with(D, names, current)
        return torch.autograd.grad(obj.d_loss(loss, d(real), d(fake)), current, create_graph=True)

    hp = (oc.lr, oc.beta1, oc.beta2, oc.momentum)
    return dict(zip(names, lookahead(oc.kind, hp, k, params, state, d_grad)))
