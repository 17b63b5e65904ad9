"""The optimisers' update rules as pure functions: the one place each rule is written.

Why: the unrolled look-ahead must differentiate through D's updates, and the batched ensemble
updates many members at once (under torch.func.vmap); neither can call torch.optim in place.
Both use these rules, and tests check them against real torch.optim steps (SGD with and without
momentum, Adam, RMSprop with and without momentum), which the engine itself runs.

A rule takes lists of parameters and gradients plus a state dict in torch.optim's own names
(`step`, `exp_avg`, `exp_avg_sq`, `square_avg`, `momentum_buffer`), and returns the new
parameters and the new state without changing its inputs. Hyper-parameters may be floats or
0-d tensors (a member's own value inside vmap). weight_decay, dampening, nesterov, amsgrad and
centred RMSprop are not used by ganscope and are not written here.
"""

from __future__ import annotations

import torch

EPS = 1e-8  # torch.optim's default eps for Adam and RMSprop, which the engine uses


def state_from_torch(kind: str, opt: torch.optim.Optimizer, params) -> dict:
    """The rule's state for `params`, copied from a torch optimiser (zeros before its first step)."""
    states = [opt.state.get(p, {}) for p in params]
    first = states[0] if states else {}
    step = float(first.get("step", 0)) if first else 0.0
    zeros = [torch.zeros_like(p) for p in params]

    def take(key: str) -> list:  # in the parameters' dtype (a float64 copy, core.game_spectrum)
        return [s[key].to(z.dtype) if key in s else z for s, z in zip(states, zeros)]

    if kind == "adam":
        return {"step": step, "exp_avg": take("exp_avg"), "exp_avg_sq": take("exp_avg_sq")}
    if kind == "rmsprop":
        return {"step": step, "square_avg": take("square_avg"), "momentum_buffer": take("momentum_buffer")}
    return {"step": step, "momentum_buffer": [s.get("momentum_buffer") for s in states]}


def init_state(kind: str, params) -> dict:
    """The state a fresh torch optimiser of this kind would have (as `state_from_torch` reads it)."""
    zeros = lambda: [torch.zeros_like(p) for p in params]
    if kind == "adam":
        return {"step": 0.0, "exp_avg": zeros(), "exp_avg_sq": zeros()}
    if kind == "rmsprop":
        return {"step": 0.0, "square_avg": zeros(), "momentum_buffer": zeros()}
    return {"step": 0.0, "momentum_buffer": zeros()}  # zeros: momentum * 0 + g is torch's first step


def step(
    kind: str, params, grads, state: dict, lr, beta1=0.9, beta2=0.999, momentum=0.0, differentiable: bool = False
) -> tuple[list, dict]:
    """One update of `kind` ('adam', 'rmsprop' or 'sgd'), torch.optim's formula; pure.

    `beta2` is RMSprop's alpha (as the config names it). `differentiable`: keep the update
    differentiable where v = 0 (see _sqrt); the look-ahead needs it, a plain step does not.
    """
    root = _safe_sqrt if differentiable else torch.sqrt
    t = state["step"] + 1
    if kind == "adam":
        m = [torch.lerp(m, g, 1 - beta1) for m, g in zip(state["exp_avg"], grads)]
        v = [beta2 * v + (1 - beta2) * g * g for v, g in zip(state["exp_avg_sq"], grads)]
        bc1, bc2_sqrt = 1 - beta1**t, (1 - beta2**t) ** 0.5
        new = [p - (lr / bc1) * mi / (root(vi) / bc2_sqrt + EPS) for p, mi, vi in zip(params, m, v)]
        return new, {"step": t, "exp_avg": m, "exp_avg_sq": v}
    if kind == "rmsprop":
        v = [beta2 * v + (1 - beta2) * g * g for v, g in zip(state["square_avg"], grads)]
        scaled = [g / (root(vi) + EPS) for g, vi in zip(grads, v)]
        buf = [momentum * b + s for b, s in zip(state["momentum_buffer"], scaled)]
        # momentum 0 makes buf the scaled gradient itself: one formula serves both cases
        new = [p - lr * b for p, b in zip(params, buf)]
        return new, {"step": t, "square_avg": v, "momentum_buffer": buf}
    if kind == "sgd":
        buf = [g if b is None else momentum * b + g for b, g in zip(state["momentum_buffer"], grads)]
        new = [p - lr * b for p, b in zip(params, buf)]
        return new, {"step": t, "momentum_buffer": buf}
    raise ValueError(f"unknown optimiser {kind!r}")


def _safe_sqrt(v: torch.Tensor) -> torch.Tensor:
    """sqrt(v), the same values, with gradient 0 instead of NaN where v = 0.

    Why: a unit whose gradient is exactly zero (a dead ReLU) has v = 0, and d sqrt/dv there is
    inf * 0 = NaN. Adding a floor inside the root (1e-16, as the look-ahead once did) moved the
    update by 0.03 where v is tiny but not zero; the double `where` changes no value.
    """
    positive = v > 0
    return torch.where(positive, torch.where(positive, v, torch.ones_like(v)).sqrt(), torch.zeros_like(v))
