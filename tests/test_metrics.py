import math

import numpy as np
import pytest
import torch

from ganscope.core.metrics import MetricHistory, js_divergence, mmd, mode_metrics
from ganscope.core.targets import grid, ring

HQ_2D = 1 - math.exp(-4.5)


@pytest.mark.parametrize(
    "target", [ring(8, 2.0, 0.02), ring(8, 1.0, 0.01), grid(5, 2.0, 0.05)], ids=["ring-r2", "ring-r1", "grid"]
)
def test_samples_from_the_target_capture_every_mode_at_the_gaussian_rate(target):
    x = target.sample(2500, torch.Generator().manual_seed(1)).numpy()
    captured, hq, _ = mode_metrics(x, target.centres, target.sigmas)
    assert captured == target.n_modes
    # 2,500 samples: binomial std of the share is 0.002; allow four of them.
    assert abs(hq - HQ_2D) < 0.009


def test_samples_from_one_mode_capture_exactly_one():
    t = ring(8, 2.0, 0.02)
    x = t.centres[3] + 0.02 * np.random.default_rng(0).standard_normal((2500, 2))
    captured, hq, counts = mode_metrics(x, t.centres, t.sigmas)
    assert captured == 1 and counts[3] > 0 and counts.sum() == counts[3]
    assert hq > 0.97


def test_samples_between_modes_are_low_quality_and_capture_nothing():
    t = ring(8, 2.0, 0.02)
    x = np.zeros((100, 2))  # the centre of the ring, far from every mode
    assert mode_metrics(x, t.centres, t.sigmas)[:2] == (0, 0.0)


def test_js_closed_forms():
    assert js_divergence([1, 2, 3], [2, 4, 6]) == pytest.approx(0, abs=1e-12)
    assert js_divergence([1, 0], [0, 1]) == pytest.approx(1.0)
    # p = (1, 0), q = (1/2, 1/2): m = (3/4, 1/4)
    expected = 0.5 * math.log2(4 / 3) + 0.5 * (0.5 * math.log2(2 / 3) + 0.5 * 1)
    assert js_divergence([1, 0], [0.5, 0.5]) == pytest.approx(expected)


def test_mmd_matches_the_closed_form_for_two_gaussians():
    rng = np.random.default_rng(0)
    s, h, shift = 0.5, 1.0, 1.5
    x = rng.normal(0, s, (3000, 2))
    y = rng.normal(0, s, (3000, 2)) + [shift, 0]
    c = h**2 / (h**2 + 2 * s**2)  # E k(x, x') for d = 2
    expected = math.sqrt(2 * c * (1 - math.exp(-(shift**2) / (2 * (h**2 + 2 * s**2)))))
    assert mmd(x, y, h) == pytest.approx(expected, rel=0.05)
    assert mmd(x, rng.normal(0, s, (3000, 2)), h) < 0.05


def test_mmd_agrees_with_the_estimate_computed_plainly_in_float64():
    """The fast float32 kernels (product-form distances, row sums) give the plain estimate's value,
    also when the two samples are close and the terms nearly cancel (a trained generator)."""
    rng = np.random.default_rng(1)
    centres = 2 * np.stack([np.cos(np.arange(8) * np.pi / 4), np.sin(np.arange(8) * np.pi / 4)], 1)
    x = centres[rng.integers(0, 8, 1000)] + rng.normal(0, 0.05, (1000, 2))
    for y in (centres[rng.integers(0, 8, 1000)] + rng.normal(0, 0.05, (1000, 2)), x[:500] + [0.3, 0.0]):
        h = 0.25

        def term(a, b, same):
            k = np.exp(-((a[:, None, :] - b[None, :, :]) ** 2).sum(-1) / (2 * h**2))
            return (k.sum() - np.trace(k)) / (len(a) * (len(a) - 1)) if same else k.mean()

        expected = math.sqrt(max(term(x, x, True) + term(y, y, True) - 2 * term(x, y, False), 0.0))
        assert mmd(x, y, h) == pytest.approx(expected, rel=1e-4, abs=1e-6)


def test_history_stays_bounded_and_keeps_the_newest_point():
    h = MetricHistory(("a",), capacity=100)
    for start in range(0, 10000, 7):
        steps = np.arange(start, start + 7)
        h.extend(steps, steps[:, None] * 2.0)
    assert len(h) <= 100
    assert h.steps[-1] == 10002  # last start 9996, plus 6
    assert h.last()["a"] == 2 * h.steps[-1]
    assert np.all(np.diff(h.steps) > 0)
    assert h.steps[0] == 0  # the oldest point survives decimation
