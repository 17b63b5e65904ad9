"""Hand-written forward and backward passes for the players' MLPs and the losses' output gradients.

Why: for these small networks autograd's bookkeeping costs about as much as the arithmetic. Doing
the chain rule by hand (the same matrix products, written into the parameters' .grad) makes a
training iteration markedly faster on the CPU. The engine uses it whenever nothing needs
differentiating through D's updates (unrolling); gradient penalties add their own hand-written
gradients (core.manual_penalty) on a piecewise-linear D. The tests check every gradient here
against autograd.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

SUPPORTED_ACTIVATIONS = (nn.ReLU, nn.LeakyReLU, nn.Tanh, nn.ELU, nn.SiLU)


class Layer(NamedTuple):
    """One layer of a Sequential as the passes read it, classified once (see `prepare`).

    For a Linear: its weight, bias, the weight's transpose (a view, valid while the weight is
    updated in place), the buffers its gradients are written into (None: new tensors are assigned
    to .grad), whether its input is thin (2-8 features, see `mm`) and whether it has one output
    (its input gradient is an outer product). For an activation: the module, the rest None.

    Thin products are computed transposed in the players' passes too (~1.2x a default iteration
    here). Their summation order differs from `a @ b`'s, so chaotic runs follow other
    trajectories than before that change (the lessons were re-checked on several seeds then:
    docs/benchmarks.md, issue 12, stop 22)."""

    module: nn.Module
    weight: torch.Tensor | None = None
    bias: torch.Tensor | None = None
    weight_t: torch.Tensor | None = None
    grad_w: torch.Tensor | None = None
    grad_b: torch.Tensor | None = None
    thin: bool = False
    outer: bool = False


def prepare(net: nn.Sequential, grads: bool = False) -> list[Layer]:
    """net's layers for `forward` / `backward`, classified once. Why: a chunk of iterations reuses
    it, which saves the per-layer type checks, attribute look-ups and transposes of every pass.
    grads: gradients go into the Linears' current .grad tensors (out= products, no allocation),
    which must exist; the caller keeps them in place for as long as it uses the result."""
    out = []
    for layer in net:
        if isinstance(layer, nn.Linear):
            w, b = layer.weight, layer.bias
            gw, gb = (w.grad, b.grad) if grads else (None, None)
            out.append(Layer(layer, w, b, w.t(), gw, gb, thin=1 < w.shape[1] <= 8, outer=w.shape[0] == 1))
        else:
            out.append(Layer(layer))
    return out


def forward(net: nn.Sequential | list[Layer], x: torch.Tensor) -> tuple[torch.Tensor, list]:
    """net(x), plus what the backward pass needs: each Linear's input and each activation's in/out."""
    layers = prepare(net) if isinstance(net, nn.Sequential) else net
    cache = []
    h = x
    for layer in layers:
        if layer.weight is not None:
            cache.append(h)
            if h.dim() == 2:
                h = torch.addmm(layer.bias, h, layer.weight_t)
            else:  # members stacked along a leading axis (core.batched_manual)
                h = torch.baddbmm(layer.bias.unsqueeze(-2), h, layer.weight_t)  # type: ignore[union-attr]
        else:
            h, saved = activate(layer.module, h)
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
    net: nn.Sequential | list[Layer], cache: list, dy: torch.Tensor, weight_grads: bool, input_grad: bool
) -> torch.Tensor | None:
    """Propagate dL/d(output) back; writes .grad of every Linear when `weight_grads`.

    Returns dL/d(input) when `input_grad`, else None (the first layer's product is skipped).
    """
    layers = prepare(net) if isinstance(net, nn.Sequential) else net
    for i in range(len(layers) - 1, -1, -1):
        layer, saved = layers[i], cache[i]
        if layer.weight is not None:
            if weight_grads:
                _weight_grads(layer, dy, saved)
            if i == 0 and not input_grad:
                return None
            dy = _input_grad(layer, dy) if dy.dim() == 2 else mm(dy, layer.weight)
        else:
            dy = _activation_backward(layer.module, saved[0], saved[1], dy)
    return dy


def _input_grad(layer: Layer, dy: torch.Tensor) -> torch.Tensor:
    """dL/d(input) = dy W: transposed for a thin input (see `mm`); for one output (D's last
    layer) the outer product dy * W, the same values (one product each) at about half the cost."""
    if layer.thin:
        return _thin_mm(dy, layer.weight)
    if layer.outer:
        return dy * layer.weight
    return dy.mm(layer.weight)


def _weight_grads(layer: Layer, dy: torch.Tensor, x: torch.Tensor) -> None:
    """dL/dW = dy^T x and dL/db = sum(dy), into the layer's buffers or as new .grad tensors.
    Stacked members (3-D, core.batched_manual): into the buffers, thin products transposed."""
    if dy.dim() == 3:
        layer.grad_w.copy_(mm(dy.mT, x))  # type: ignore[union-attr]
        torch.sum(dy, 1, out=layer.grad_b)
        return
    if layer.grad_w is None or layer.grad_b is None:
        layer.weight.grad = (x.t().mm(dy).t() if layer.thin else dy.t().mm(x)).contiguous()  # type: ignore[union-attr]
        layer.bias.grad = dy.sum(0)  # type: ignore[union-attr]
        return
    if layer.thin:  # computed transposed, then copied (out= into a transposed view is 5-7x slower;
        # x^T dy takes x^T as the strided view it is: copying it first was 2x slower, measured)
        layer.grad_w.copy_(x.t().mm(dy).t())
    else:
        torch.mm(dy.t(), x, out=layer.grad_w)
    torch.sum(dy, 0, out=layer.grad_b)


def mm(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """a @ b, the same values; a result of 2-8 columns is computed transposed (a view is returned).

    Why: MKL's single-thread sgemm is pathologically slow for such outputs when b is row-major:
    D's first-layer weight gradient (128 x 512 @ 512 x 2) took 115-150 us here against 10-15 us
    for (b^T a^T)^T, as long as a 512 x 128 x 128 product; G's and the penalties' have the same
    shape (benchmarks/ab_trees.py, docs/benchmarks.md). 3-D operands (members stacked along a
    leading axis) are batched products, thin ones transposed too (16 x (128 x 512 @ 512 x 2):
    1,240 us against 200 us here), in every pass.
    """
    if a.dim() == 3:
        if a.shape[-1] == 1:  # an outer product (D's output layer): one multiply each, 7-10x a K=1 bmm
            return a * b
        return (b.mT.contiguous() @ a.mT).mT if 1 < b.shape[-1] <= 8 else a @ b
    return _thin_mm(a, b) if 1 < b.shape[-1] <= 8 else a.mm(b)


def _thin_mm(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return b.t().contiguous().mm(a.t()).t()


def _activation_backward(layer: nn.Module, pre: torch.Tensor, out: torch.Tensor, dy: torch.Tensor):
    """The activation's backward as the fused kernel autograd itself runs (the same values, one op;
    a mask built with torch.where / a comparison costs 10-20x more here, measured)."""
    if isinstance(layer, nn.ReLU):
        if dy.dim() == 3:  # stacked members: in place into the fresh product, 5-10x less than a new 4 MB tensor
            return torch.ops.aten.threshold_backward.grad_input(dy, out, 0.0, grad_input=dy)
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
        return torch.sigmoid(fake) / -m  # = -sigmoid(f) / m exactly (the sign is symmetric), one op fewer
    if loss == "nonsaturating":  # softplus(-f).mean()
        return torch.sigmoid(-fake) / -m
    if loss == "lsgan":  # 0.5 (f - 1)^2, mean
        return (fake - 1) / m
    if loss in ("hinge", "wgan", "wgan-gp"):  # -f.mean()
        return torch.full_like(fake, -1 / m)
    raise ValueError(f"unknown loss {loss!r}")
