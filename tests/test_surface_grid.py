"""D on the surface grid (core.surface_grid): the separable first layer gives D's own scores, and the
bfloat16 hidden layers differ from them by less than one step of the surface's 256-colour map."""

import numpy as np
import pytest
import torch

from ganscope.core.engine import GanEngine
from ganscope.core.frames import FrameBuilder, FrameSource
from ganscope.core.surface_grid import grid_scores


def reference(D, xs, ys):
    """D on every grid point, as D.forward scores them (packs of copies for PacGAN's D)."""
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    grid = torch.stack([gx.reshape(-1), gy.reshape(-1)], 1).repeat_interleave(D.pack, 0)
    with torch.no_grad():
        return D(grid).reshape(len(ys), len(xs))


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"discriminator.activation": "tanh"},
        {"objective.pack": 2},
        {"discriminator.depth": 0},
        {"discriminator.depth": 3},
    ],
)
def test_grid_scores_are_ds_own_scores(small_cfg, changes):
    for path, value in changes.items():
        small_cfg.set(path, value)
    e = GanEngine(small_cfg)
    e.step(30)
    xs, ys = torch.linspace(-3, 3, 37), torch.linspace(-2.5, 2, 21)  # not square: rows are y, columns x
    with torch.no_grad():
        got = grid_scores(e.D, xs, ys)
    want = reference(e.D, xs, ys)
    assert got.shape == (21, 37) and got.dtype == torch.float32
    assert torch.allclose(got, want, rtol=1e-5, atol=1e-5)


def test_bfloat16_surface_is_within_one_colour_step(small_cfg):
    small_cfg.discriminator.width = 128  # the default D's hidden product, the one made cheaper
    small_cfg.run.surface_res = 64
    e = GanEngine(small_cfg)
    e.step(200)
    builder = FrameBuilder()
    exact = builder.build(FrameSource(e))
    fast = builder.build(FrameSource(e), low_precision=True)
    lo, hi = exact.levels
    diff = np.abs(fast.surface - exact.surface) / (hi - lo)
    assert diff.max() < 1 / 256  # the colour map has 256 entries over the levels
    assert diff.max() > 0  # it did run in bfloat16 (a float32 surface would be equal)


def test_a_frame_budget_asking_for_bfloat16_recomputes_the_surface(small_cfg):
    """The builder's reused surface (surface_every) is never one made at the other precision."""
    e = GanEngine(small_cfg)
    e.step(5)
    builder = FrameBuilder()
    first = builder.build(FrameSource(e), surface_every=2)
    again = builder.build(FrameSource(e), surface_every=2, low_precision=True)
    assert again.surface is not first.surface


def test_a_d_without_a_hidden_product_keeps_its_float32_surface(small_cfg):
    """One hidden layer only (lesson 7c's D): bfloat16 would make nothing cheaper, so nothing changes."""
    small_cfg.discriminator.depth = 1
    e = GanEngine(small_cfg)
    e.step(20)
    builder = FrameBuilder()
    exact = builder.build(FrameSource(e))
    asked = builder.build(FrameSource(e), low_precision=True)
    assert np.array_equal(asked.surface, exact.surface)
