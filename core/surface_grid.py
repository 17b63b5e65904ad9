"""D's scores on the surface grid, the largest part of a frame's cost (issue 13).

For the default 2x128 D, a 128x128 surface is 16,384 rows through a 128x128 product: 0.54 GFLOP a
frame, 6-8 ms of one core in float32 (about the CPU's peak; profiled). Two things make it cheaper
without changing the grid or what it shows:

- The first layer of a grid is separable: D's first product at (x_i, y_j) is x_i w_x + y_j w_y + b,
  so it is the sum of one row vector per column and one per row (2 x 128 x 128 products instead of
  16,384 x 128 multiply-adds). PacGAN's D, which sees a pack of copies of each point, sums its
  weights over the pack.
- On CPUs with native bfloat16 dot products (AVX512-BF16, AMX), the hidden layers run in bfloat16,
  accumulating in float32: 2x faster here (2.9 vs 6.0 ms for the 128x128 layer). The scores then
  differ from float32 by less than one step of the surface's 256-colour map (tested); the last
  layer and everything the surface's colours and boundary are computed from stay float32. On other
  CPUs, where bfloat16 is emulated and slower, the surface stays float32.
"""

from __future__ import annotations

import torch
from torch import nn

ROWS_PER_BLOCK = 32  # grid rows per block: 4,096 points of 128 columns (8 rows were as fast alone, but
# each op hands the GIL back and forth: fewer, larger ops wait less for a busy UI thread)


def native_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 natively (else bfloat16 products are emulated, slower)."""
    import torch.cpu

    for probe in ("_is_avx512_bf16_supported", "_is_amx_tile_supported"):
        check = getattr(torch.cpu, probe, None)
        try:
            if check is not None and check():
                return True
        except Exception:  # a private probe that changed: no claim, float32
            pass
    return False


def grid_scores(D, xs: torch.Tensor, ys: torch.Tensor, low_precision: bool = False) -> torch.Tensor:
    """D's raw scores on the grid (len(ys), len(xs)); row j is y_j, column i is x_i.

    `D` is a core.models.Discriminator whose net starts with a Linear layer (every D here does).
    `low_precision`: the hidden layers in bfloat16 (see the module's docstring); the caller decides,
    from `native_bf16()`.
    """
    layers = list(D.net)
    first = layers[0]
    assert isinstance(first, nn.Linear), "D's net starts with a Linear layer"
    last = max(i for i, layer in enumerate(layers) if isinstance(layer, nn.Linear))
    s = D.input_scale
    w = first.weight  # (hidden, 2 * pack): columns x, y, x, y, ... for a pack of copies
    wx, wy = w[:, 0::2].sum(1), w[:, 1::2].sum(1)
    a = (xs * s)[:, None] * wx  # (res_x, hidden): the columns' part
    c = torch.addcmul(first.bias, (ys * s)[:, None], wy)  # (res_y, hidden): the rows' part and the bias
    # bfloat16 between the first and the last Linear only: the last one's sum is float32. Without a
    # hidden Linear (lesson 7c's one-layer D) there is no product to make cheaper, and bfloat16's
    # element-wise ops are slower here than float32's (measured: 5.2 -> 6.1 ms a frame)
    hidden = any(isinstance(layer, nn.Linear) for layer in layers[1:last])
    dtype = torch.bfloat16 if low_precision and hidden else a.dtype
    rest = [_cast(layer, dtype) if i < last else layer for i, layer in enumerate(layers) if i > 0]
    a, c = a.to(dtype), c.to(dtype)
    out = []
    for j in range(0, len(ys), ROWS_PER_BLOCK):
        h = (c[j : j + ROWS_PER_BLOCK, None, :] + a[None, :, :]).reshape(-1, a.shape[1])
        for layer in rest:
            if isinstance(layer, tuple):  # a hidden Linear as (weight^T, bias) in the working dtype
                h = torch.addmm(layer[1], h, layer[0])
            elif isinstance(layer, nn.Linear):  # the last Linear, in float32
                h = torch.addmm(layer.bias, h.float(), layer.weight.t())
            elif isinstance(layer, nn.ReLU):
                h = torch.relu_(h)
            else:
                h = layer(h)
        out.append(h.float())
    return torch.cat(out).reshape(len(ys), len(xs))


def _cast(layer: nn.Module, dtype: torch.dtype):
    if isinstance(layer, nn.Linear):
        return layer.weight.t().to(dtype), layer.bias.to(dtype)
    return layer
