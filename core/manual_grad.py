"""Hand-written forward and backward passes for the players' MLPs and the losses' output gradients.

Why: for these small networks autograd's bookkeeping costs about as much as the arithmetic. Doing
the chain rule by hand (the same matrix products, written into the parameters' .grad) makes a
training iteration markedly faster on the CPU. The engine uses it whenever nothing needs
differentiating through D's updates (unrolling); gradient penalties add their own hand-written
gradients (core.manual_penalty) on a piecewise-linear D. The tests check every gradient here
against autograd.
"""

from __future__ import annotations

import torch
from torch import nn

SUPPORTED_ACTIVATIONS = (nn.ReLU, nn.LeakyReLU, nn.Tanh, nn.ELU, nn.SiLU)


def forward(net: nn.Sequential, x: torch.Tensor) -> tuple[torch.Tensor, list]:
    """net(x), plus what the backward pass needs: each Linear's input and each activation's in/out."""
    cache = []
    h = x
    for layer in net:
        if isinstance(layer, nn.Linear):
            cache.append(h)
            h = torch.addmm(layer.bias, h, layer.weight.t())
        else:
            h, saved = activate(layer, h)
            cache.append(saved)
    return h, cache


def activate(layer: nn.Module, h: torch.Tensor) -> tuple[torch.Tensor, tuple]:
    """(output, what its backward needs). ReLU works in place on the fresh product: its backward
    needs only the output, and skipping a copy of the largest tensors is measurably faster."""
    if isinstance(layer, nn.ReLU):
        out = torch.relu_(h)
        return out, (None, out)
    out = layer(h)
    return out, (h, out)


def backward(
    net: nn.Sequential, cache: list, dy: torch.Tensor, weight_grads: bool, input_grad: bool
) -> torch.Tensor | None:
    """Propagate dL/d(output) back; writes .grad of every Linear when `weight_grads`.

    Returns dL/d(input) when `input_grad`, else None (the first layer's product is skipped).
    """
    layers = list(net)
    for i in range(len(layers) - 1, -1, -1):
        layer, saved = layers[i], cache[i]
        if isinstance(layer, nn.Linear):
            if weight_grads:
                layer.weight.grad = dy.t().mm(saved)
                layer.bias.grad = dy.sum(0)
            if i == 0 and not input_grad:
                return None
            dy = dy.mm(layer.weight)
        else:
            dy = _activation_backward(layer, saved[0], saved[1], dy)
    return dy


def _activation_backward(layer: nn.Module, pre: torch.Tensor, out: torch.Tensor, dy: torch.Tensor):
    """The activation's backward as the fused kernel autograd itself runs (the same values, one op;
    a mask built with torch.where / a comparison costs 10-20x more here, measured)."""
    if isinstance(layer, nn.ReLU):
        return torch.ops.aten.threshold_backward(dy, out, 0.0)
    if isinstance(layer, nn.LeakyReLU):
        return torch.ops.aten.leaky_relu_backward(dy, pre, layer.negative_slope, False)
    if isinstance(layer, nn.Tanh):
        return torch.ops.aten.tanh_backward(dy, out)
    if isinstance(layer, nn.ELU):
        return torch.ops.aten.elu_backward(dy, layer.alpha, 1.0, 1.0, False, pre)
    if isinstance(layer, nn.SiLU):
        return torch.ops.aten.silu_backward(dy, pre)
    raise TypeError(f"no hand-written gradient for {type(layer).__name__}")


def supports(net: nn.Sequential) -> bool:
    return all(isinstance(layer, (nn.Linear, *SUPPORTED_ACTIVATIONS)) for layer in net)


def d_output_grads(loss: str, real: torch.Tensor, fake: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """dL_D/d(real scores), dL_D/d(fake scores) of objectives.d_loss, in closed form."""
    m_r, m_f = real.shape[-1], fake.shape[-1]  # means over the last axis
    if loss in ("minimax", "nonsaturating"):  # softplus(-r).mean() + softplus(f).mean()
        return -torch.sigmoid(-real) / m_r, torch.sigmoid(fake) / m_f
    if loss == "lsgan":  # 0.5 (r - 1)^2 + 0.5 f^2, means
        return (real - 1) / m_r, fake / m_f
    if loss == "hinge":  # relu(1 - r) + relu(1 + f), means
        return -(real < 1).to(real.dtype) / m_r, (fake > -1).to(fake.dtype) / m_f
    if loss in ("wgan", "wgan-gp"):  # f.mean() - r.mean()
        return torch.full_like(real, -1 / m_r), torch.full_like(fake, 1 / m_f)
    raise ValueError(f"unknown loss {loss!r}")


def g_output_grad(loss: str, fake: torch.Tensor) -> torch.Tensor:
    """dL_G/d(fake scores) of objectives.g_loss, in closed form."""
    m = fake.shape[-1]
    if loss == "minimax":  # -softplus(f).mean()
        return -torch.sigmoid(fake) / m
    if loss == "nonsaturating":  # softplus(-f).mean()
        return -torch.sigmoid(-fake) / m
    if loss == "lsgan":  # 0.5 (f - 1)^2, mean
        return (fake - 1) / m
    if loss in ("hinge", "wgan", "wgan-gp"):  # -f.mean()
        return torch.full_like(fake, -1 / m)
    raise ValueError(f"unknown loss {loss!r}")
