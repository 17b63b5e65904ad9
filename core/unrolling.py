"""Unrolled GAN (Metz et al. 2017): the generator plays against D as it will be k updates later.

The k look-ahead updates are differentiable (create_graph=True), so G's gradient includes how D
would react, which is what discourages mode collapse. They follow D's own optimiser rule (Adam,
RMSProp or SGD) starting from its current state, as in the paper's implementation; D itself is not
changed by the look-ahead. As in that implementation, every look-ahead step uses the same real
batch and G's own batch for this step: G's samples then pass through G once, not k + 1 times
(1.6x the iterations per second at k = 5 on the lesson-5 networks, measured here).
"""
from __future__ import annotations

import torch

from . import objectives as obj


def unrolled_params(engine, k: int, fake: torch.Tensor, loss: str) -> dict[str, torch.Tensor]:
    """D's parameters after k differentiable updates against G's batch `fake` (still attached to
    G's graph) and one real batch (a dict for functional_call)."""
    D, opt = engine.D, engine.opt_d
    oc = engine.cfg.d_opt
    names = [name for name, _ in D.named_parameters()]
    params = [p for _, p in D.named_parameters()]
    state = [opt.state.get(p, {}) for p in params]
    m = [s.get("exp_avg", torch.zeros_like(p)) for s, p in zip(state, params)]
    v = [s.get("exp_avg_sq", s.get("square_avg", torch.zeros_like(p))) for s, p in zip(state, params)]
    buf = [s.get("momentum_buffer", None) for s in state]
    t = float(state[0].get("step", 0)) if state and state[0] else 0.0
    current = list(params)
    real = engine.target.sample(len(fake), engine.gen).to(engine.device)
    for _ in range(k):
        values = dict(zip(names, current))
        r = torch.func.functional_call(D, values, (real,))
        f = torch.func.functional_call(D, values, (fake,))
        grads = torch.autograd.grad(obj.d_loss(loss, r, f), current, create_graph=True)
        t += 1
        new = []
        for i, (p, g) in enumerate(zip(current, grads)):
            if oc.kind == "adam":
                m[i] = oc.beta1 * m[i] + (1 - oc.beta1) * g
                v[i] = oc.beta2 * v[i] + (1 - oc.beta2) * g * g
                m_hat = m[i] / (1 - oc.beta1 ** t)
                v_hat = v[i] / (1 - oc.beta2 ** t)
                new.append(p - oc.lr * m_hat / (torch.sqrt(v_hat + 1e-16) + 1e-8))
            elif oc.kind == "rmsprop":
                v[i] = oc.beta2 * v[i] + (1 - oc.beta2) * g * g
                new.append(p - oc.lr * g / (torch.sqrt(v[i] + 1e-16) + 1e-8))
            else:
                step = g if buf[i] is None or oc.momentum == 0 else oc.momentum * buf[i] + g
                buf[i] = step
                new.append(p - oc.lr * step)
        current = new
    return dict(zip(names, current))
