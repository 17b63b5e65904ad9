"""Hand-written gradients of the input-gradient penalties (WGAN-GP, R1, R2) for piecewise-linear MLPs.

Why: with autograd, a penalty on grad_x D(x) needs a double backward (create_graph), which for
these small networks costs far more in bookkeeping than in arithmetic. For a D whose activations
are piecewise linear (ReLU, LeakyReLU), the input gradient is a product of the weights and the
activations' slope masks, which are constant almost everywhere:

    g = r_1 W_1,   r_L = m_L * w_out,   r_l = m_l * (r_{l+1} W_{l+1}),

(m_l: the slope of layer l's activation at each sample), so the penalty's gradient with respect to
every weight is a few more matrix products, and none with respect to the biases. This is the
checked fast path of core.objectives' penalties: autograd stays the reference, and the tests
compare both (float64, every loss, ReLU and LeakyReLU, depths 0-3, packing).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .manual_grad import mm

PIECEWISE_LINEAR = (nn.ReLU, nn.LeakyReLU)


def supports(net: nn.Sequential) -> bool:
    """Linear layers and piecewise-linear activations only (their second derivative is zero a.e.)."""
    return all(isinstance(layer, (nn.Linear, *PIECEWISE_LINEAR)) for layer in net)


def slope(layer: nn.Module, saved: tuple) -> torch.Tensor:
    """The activation's derivative at each unit, from manual_grad's cache entry (pre, out), as
    autograd's (ReLU: 1 where the output is > 0, LeakyReLU: where the input is), exact in the
    input's dtype. For ReLU the sign of its output (>= 0), one op (4.5 us against 8.9 for the
    backward kernel applied to ones, 37 for a comparison's bool mask as floats, here); for LeakyReLU
    its backward kernel applied to ones."""
    pre, out = saved
    if isinstance(layer, nn.ReLU):
        return torch.sign(out)
    return torch.ops.aten.leaky_relu_backward(torch.ones_like(pre), pre, layer.negative_slope, False)


def masks_from_cache(net: nn.Sequential, cache: list, rows: slice | tuple) -> list[torch.Tensor]:
    """The hidden layers' slope masks for the given rows of a manual_grad.forward cache."""
    return [slope(layer, tuple(s if s is None else s[rows] for s in saved)) for layer, saved in _acts(net, cache)]


def masks_of(net: nn.Sequential, x: torch.Tensor, params: list | None = None) -> list[torch.Tensor]:
    """The hidden layers' slope masks at net inputs x (the output layer is not computed). params:
    the Linear layers' [weight, bias, weight, bias, ...] (a sweep member's, under vmap); default
    the layers' own."""
    params = params if params is not None else [t for layer in _linears(net) for t in (layer.weight, layer.bias)]
    masks, h, k = [], x, 0
    for layer in list(net)[:-1]:
        if isinstance(layer, nn.Linear):
            if h.dim() == 2:
                h = F.linear(h, params[k], params[k + 1])
            else:  # members stacked along a leading axis (core.batched_manual)
                h = torch.baddbmm(params[k + 1].unsqueeze(-2), h, params[k].mT)
            k += 2
        else:
            pre = h
            h = layer(h)
            masks.append(slope(layer, (pre, h)))
    return masks


def _linears(net: nn.Sequential) -> list[nn.Linear]:
    return [layer for layer in net if isinstance(layer, nn.Linear)]


def _acts(net: nn.Sequential, cache: list):
    return [(layer, saved) for layer, saved in zip(net, cache) if not isinstance(layer, nn.Linear)]


def input_grad(weights: list[torch.Tensor], masks: list[torch.Tensor], rows: int) -> tuple[torch.Tensor, list]:
    """g = d sum(net(x)) / d(net input), one row per sample, and the r_l it was built from.
    Every function from here on also takes members stacked along a leading axis (3-D weights,
    masks and rows, core.batched_manual): .mT, @ and axes counted from the end are the 2-D
    .t(), mm and axes for one run."""
    if not masks:  # a single linear map: the gradient is its weight row for every sample
        return weights[0].expand(*weights[0].shape[:-2], rows, -1), []
    r = [masks[-1] * weights[-1]]
    for m, w in zip(reversed(masks[:-1]), reversed(weights[1:-1])):
        r.insert(0, m * (r[0] @ w))
    return mm(r[0], weights[0]), r


def penalty_grads(weights: list[torch.Tensor], masks: list[torch.Tensor], r: list, e: torch.Tensor) -> list:
    """dP/dW for each weight, given e = dP/dg (g = input_grad's result, on the same rows); pure."""
    if not masks:
        return [e.sum(-2, keepdim=True)]
    out = [mm(r[0].mT, e)]
    d = e @ weights[0].mT  # dP/dr_1 = e W_1^T
    last = len(masks) - 1
    for k in range(last):
        q = masks[k] * d
        if k == last - 1:
            # The last hidden layer has r_L = m_L * w_out, so one product M = m_L^T q gives both
            # dW_L = diag(w_out) M and dw_out = rowsum(W_L * M): a third fewer products for depth 2.
            m = masks[-1].mT @ q
            return [*out, weights[-1].mT * m, (weights[k + 1] * m).sum(-1).unsqueeze(-2)]
        out.append(r[k + 1].mT @ q)
        d = q @ weights[k + 1].mT
    return [*out, (masks[-1] * d).sum(-2, keepdim=True)]  # depth 1: d is dP/dr_L already


def gp_output_grad(g: torch.Tensor, scale: float, weight) -> torch.Tensor:
    """dP/dg of WGAN-GP, P = weight * mean_b (||scale * g_b|| - 1)^2 (objectives.gradient_penalty;
    each row of g is one pack, `scale` D's input scale). 0 where g_b = 0, as autograd's norm."""
    norm = torch.linalg.vector_norm(g, dim=-1, keepdim=True)
    full = scale * norm
    coef = (2.0 * weight / g.shape[-2]) * (full - 1) * scale / norm
    return torch.where(norm > 0, coef, 0.0) * g


def zero_centred_output_grad(g: torch.Tensor, scale: float, weight) -> torch.Tensor:
    """dP/dg of R1 / R2 as the objective adds them, P = 0.5 * weight * mean_b ||scale * g_b||^2."""
    return (weight * scale * scale / g.shape[-2]) * g


def penalty_weight_grads(weights: list, masks: list[torch.Tensor], rows: int, scale: float, kind: str, weight) -> list:
    """One penalty's gradient for each Linear weight ('gp', or 'r' for R1 / R2) on `rows` samples
    (one per pack) whose slope masks are given; pure (a sweep vmaps it over members)."""
    g, r = input_grad(weights, masks, rows)
    e = gp_output_grad(g, scale, weight) if kind == "gp" else zero_centred_output_grad(g, scale, weight)
    return penalty_grads(weights, masks, r, e)


def d_penalty_grads(
    net: nn.Sequential, params: list, pack: int, scale: float, terms, real, fake, eps, gp_weight, r1, r2, cache=None
) -> list | None:
    """The gradients of D's penalties (core.iteration.d_objective's, as `terms` selects them) for
    each Linear weight, summed; None without penalties. params: the Linear layers' [weight, bias,
    ...]; cache: manual_grad.forward's of D on cat([real, fake]) (packed and scaled, as
    models.d_forward makes it), whose rows give R1's and R2's masks, or None to compute them.
    Stacked members (3-D, core.batched_manual): params, samples and cache (M, ...), the
    weights gp_weight, r1 and r2 (M, 1, 1)."""
    n = real.shape[-2] // pack
    weights = params[0::2]
    parts = []
    lead = (slice(None),) * (real.dim() - 2)  # rows index the second-to-last axis
    for on, x, rows, weight in (
        (terms.r1, real, (*lead, slice(0, n)), r1),
        (terms.r2, fake, (*lead, slice(n, 2 * n)), r2),
    ):
        if on:
            masks = (
                masks_of(net, _packed(x, pack, scale), params) if cache is None else masks_from_cache(net, cache, rows)
            )
            parts.append(penalty_weight_grads(weights, masks, n, scale, "r", weight))
    if terms.gp:
        e = eps if pack == 1 else eps.repeat_interleave(pack, -2)
        x = _packed(e * real + (1 - e) * fake, pack, scale)  # as objectives.gradient_penalty
        parts.append(penalty_weight_grads(weights, masks_of(net, x, params), n, scale, "gp", gp_weight))
    if not parts:
        return None
    return [sum(gs[1:], gs[0]) for gs in zip(*parts)]


def _packed(x: torch.Tensor, pack: int, scale: float) -> torch.Tensor:
    x = x.reshape(*x.shape[:-2], -1, 2 * pack)  # as Discriminator.forward
    return x if isinstance(scale, float) and scale == 1.0 else x * scale


def add_d_penalties(D, terms, cache: list, real: torch.Tensor, fake: torch.Tensor, eps, gp_weight, r1, r2) -> None:
    """Add the gradients of D's penalties into D's Linear weights' .grad (the engine's fast path;
    biases get none: the input gradient does not depend on them, almost everywhere)."""
    layers = _linears(D.net)
    params = [t for layer in layers for t in (layer.weight, layer.bias)]
    grads = d_penalty_grads(D.net, params, D.pack, D.input_scale, terms, real, fake, eps, gp_weight, r1, r2, cache)
    for layer, g in zip(layers, grads or []):
        if layer.weight.grad is None:
            layer.weight.grad = g
        else:
            layer.weight.grad.add_(g)
