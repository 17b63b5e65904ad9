import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

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
