import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# One torch thread per process, set before torch loads (children inherit it): the suite runs the UI
# thread, training threads and training processes side by side on 2 cores, where two busy torch
# threads each collapse throughput (5x) and starve the Qt thread whose deadlines the tests keep.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import pytest  # noqa: E402

from ganscope.core.config import GanConfig  # noqa: E402


@pytest.fixture
def small_cfg() -> GanConfig:
    """A quick config: small nets and batch, so engine tests run in milliseconds per step."""
    cfg = GanConfig()
    cfg.generator.width = 32
    cfg.discriminator.width = 32
    cfg.run.batch_size = 64
    cfg.run.eval_samples = 500
    cfg.run.surface_res = 16
    cfg.run.display_samples = 64
    cfg.run.eval_every = 25
    return cfg


def configs_with(base: GanConfig, changes: list[dict]) -> list[GanConfig]:
    """One copy of `base` per dict of field changes (sweep members, compared runs)."""
    out = []
    for ch in changes:
        c = base.copy()
        for k, v in ch.items():
            c.set(k, v)
        out.append(c)
    return out


@pytest.fixture
def float64():
    """Double precision, so that any difference is a real one and not float32 rounding."""
    import torch

    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)
