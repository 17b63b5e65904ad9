"""D's loss gradient for the unrolled look-ahead, written by hand in differentiable ops (core.unrolling).

An MLP of Linear and ReLU / LeakyReLU layers in turn, [weight, bias, ...] of its Linears given as
a list: `forward` gives the scores, `backward` the weight gradients from dL/d(scores). Autograd
differentiates these ops for G's step (and once more for the game's Jacobian, core.game_spectrum).
An adjoint written by hand as well (one autograd.Function a look-ahead step, products sharing an
output fused) was measured no faster (docs/benchmarks.md) and is not kept.
"""

from __future__ import annotations

import torch
from torch import nn

from . import manual_grad as mg


def forward(net: nn.Sequential, current: list, x: torch.Tensor) -> tuple[torch.Tensor, list]:
    """D's scores on x with `current`, and what `backward` needs (each Linear's input; each
    activation's (input, output))."""
    weights, biases = current[0::2], current[1::2]
    h, cache, k = x, [], 0
    for layer in net:
        if isinstance(layer, nn.Linear):
            cache.append(h)
            h = torch.addmm(biases[k], h, weights[k].t())
            k += 1
        else:
            cache.append((h, layer(h)))
            h = cache[-1][1]
    return h.squeeze(-1), cache


def backward(net: nn.Sequential, current: list, x_aug_t: torch.Tensor, dy: torch.Tensor, cache: list) -> list:
    """D's weight gradients from dL/d(scores) `dy` (rows, 1); x_aug_t: D's input transposed, with a
    row of ones below it (inputs + 1, rows), so that the first Linear's weight and bias gradients
    are one thin product."""
    grads: list = [None] * len(current)
    k = len(current) // 2
    last = len(net) - 1
    scale = None  # when set, the signal is scale * dy: a column (rows, 1), kept apart (see below)
    if k >= 3:  # a hidden Linear between two others: the output layer's rank-1 form (see `_last_hidden`)
        scale, dy = _last_hidden(net, current, dy, cache, grads)
        k, last = k - 2, last - 3
        if k > 1:  # more hidden Linears below: no thin product to fold the scale into
            dy, scale = scale * dy, None
    for i in range(last, -1, -1):
        layer = net[i]
        if isinstance(layer, nn.Linear):
            k -= 1
            if k == 0:
                # [dy^T x, dy^T 1] transposed, one product (MKL computes 2-8 columns slowly). The rows'
                # scale goes into its thin operand: no pass over dy (and none in its derivative).
                both = (x_aug_t if scale is None else x_aug_t * scale.t()).mm(dy)
                grads[0], grads[1] = both[:-1].t(), both[-1]
                break
            grads[2 * k + 1] = dy.sum(0)
            grads[2 * k] = dy.t().mm(cache[i])
            dy = dy.mm(current[2 * k])
        else:
            pre, out = cache[i]
            dy = slope_times(layer, pre.detach(), out.detach(), dy)
    return grads


def _last_hidden(net: nn.Sequential, current: list, s: torch.Tensor, cache: list, grads: list) -> tuple:
    """The output Linear's and the last hidden Linear's gradients, and dL/d(that Linear's input)
    as (s, Q), which is s * Q.

    Why: D has one output, so the signal behind its last activation is rank one times the
    activation's slope S (rows x width, a constant): dy = S * (s w), with s = dL/d(scores) and w
    the output weights. Then dy^T h = w^T * (S^T (s * h)) and dy W = s * (S (w^T * W)): each
    large product has one operand that depends on G instead of two, so its derivative for G's
    step is one product instead of two (4 of the 9 large products of a look-ahead step become 2)."""
    n = len(current) // 2
    w_out, w = current[2 * n - 2], current[2 * n - 4]  # (1, width), (width, width_in)
    h_last, h = cache[-1], cache[-3]  # the inputs of the output and the last hidden Linear
    grads[2 * n - 1] = s.sum(0)
    grads[2 * n - 2] = s.t().mm(h_last)
    pre, out = cache[-2]
    slope = slope_times(net[-2], pre.detach(), out.detach(), pre.new_ones(()).expand_as(pre))
    w_col = w_out.t()  # (width, 1)
    grads[2 * n - 3] = w_out.squeeze(0) * s.t().mm(slope).squeeze(0)
    grads[2 * n - 4] = w_col * slope.t().mm(s * h)
    return s, slope.mm(w_col * w)


def slope_times(layer: nn.Module, pre: torch.Tensor, out: torch.Tensor, dy: torch.Tensor) -> torch.Tensor:
    """dy times the activation's slope, differentiable in dy only (the slope is piecewise constant)."""
    if isinstance(layer, nn.LeakyReLU):
        return torch.ops.aten.leaky_relu_backward(dy, pre, layer.negative_slope, False)
    return torch.ops.aten.threshold_backward(dy, out, 0.0)  # ReLU


def alternating(net: nn.Sequential) -> bool:
    """Linear, activation, Linear, ..., Linear (one output): the layout these passes handle."""
    kinds = [isinstance(layer, nn.Linear) for layer in net]
    return (
        bool(kinds) and all(k == (i % 2 == 0) for i, k in enumerate(kinds)) and kinds[-1] and net[-1].out_features == 1
    )


def output_grad(loss: str, scores: torch.Tensor, m: int) -> torch.Tensor:
    """dL_D/d(scores), (rows, 1): the first m rows are real samples, the rest G's."""
    if m in (0, len(scores)):  # one kind of sample only (a loss's mean must not see an empty batch)
        return mg.d_output_grads(loss, scores, scores)[0 if m else 1].unsqueeze(-1)
    dr, df = mg.d_output_grads(loss, scores[:m], scores[m:])
    return torch.cat([dr, df]).unsqueeze(-1)
