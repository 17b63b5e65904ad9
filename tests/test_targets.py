import math

import numpy as np
import pytest
import torch

from ganscope.core.config import ConfigError, TargetConfig
from ganscope.core.metrics import mode_metrics
from ganscope.core.targets import build_target, grid, load_points, ring

# P(||x - c|| <= 3 sigma) for an isotropic 2-D Gaussian: a Rayleigh tail, 1 - exp(-9/2).
HQ_2D = 1 - math.exp(-4.5)


def sample(target, n=20000, seed=0):
    return target.sample(n, torch.Generator().manual_seed(seed)).numpy()


def test_ring_modes_sit_on_the_circle_and_samples_match_sigma():
    t = ring(8, 2.0, 0.02)
    assert t.n_modes == 8
    assert np.allclose(np.linalg.norm(t.centres, axis=1), 2.0)
    x = sample(t)
    captured, hq, counts = mode_metrics(x, t.centres, t.sigmas)
    assert captured == 8
    assert abs(hq - HQ_2D) < 0.005
    assert counts.min() > 0.8 * counts.mean()  # equal weights


def test_grid_modes_are_the_published_lattice():
    t = grid(5, 2.0, 0.05)
    assert sorted(set(t.centres[:, 0])) == [-4, -2, 0, 2, 4]
    assert t.n_modes == 25


def test_mixture_weights_and_sigmas_are_respected():
    t = build_target(TargetConfig(kind="mixture", centres=[[-3, 0], [3, 0]], sigmas=[0.1, 0.5], weights=[1, 3]))
    x = sample(t, 40000)
    left = x[:, 0] < 0
    assert abs(left.mean() - 0.25) < 0.01
    assert abs(x[left, 1].std() - 0.1) < 0.01 and abs(x[~left, 1].std() - 0.5) < 0.02


@pytest.mark.parametrize("kind", ["spiral", "moons", "swissroll", "gaussian"])
def test_curve_targets_are_finite_reproducible_and_inside_their_extent(kind):
    t = build_target(TargetConfig(kind=kind))
    a, b = sample(t, seed=3), sample(t, seed=3)
    assert np.array_equal(a, b) and np.isfinite(a).all()
    x0, x1, y0, y1 = t.extent()
    inside = (a[:, 0] > x0) & (a[:, 0] < x1) & (a[:, 1] > y0) & (a[:, 1] < y1)
    assert inside.mean() > 0.98
    assert not np.array_equal(a, sample(t, seed=4))


def test_point_set_samples_near_its_points():
    pts = [[0, 0], [1, 1], [5, -2]]
    t = build_target(TargetConfig(kind="points", points=pts, jitter=0.01))
    x = sample(t, 3000)
    d = np.min(np.linalg.norm(x[:, None] - np.array(pts)[None], axis=2), axis=1)
    assert d.max() < 0.06


def test_exact_cell_probabilities_sum_to_the_mass_inside_the_grid():
    t = ring(8, 2.0, 0.05)
    edges = np.linspace(-3, 3, 61)
    p = t.cell_probabilities(edges, edges)
    assert abs(p.sum() - 1) < 1e-6
    # Compare with a Monte-Carlo histogram.
    h, _, _ = np.histogram2d(*sample(t, 200000).T, bins=[edges, edges])
    assert np.abs(h / h.sum() - p).max() < 0.005


def test_load_points_reads_csv_with_header_and_npy(tmp_path):
    csv = tmp_path / "p.csv"
    csv.write_text("x,y\n0,1\n2.5, 3\n# comment\n")
    assert load_points(csv).tolist() == [[0, 1], [2.5, 3]]
    npy = tmp_path / "p.npy"
    np.save(npy, np.array([[1.0, 2.0]]))
    assert load_points(npy).tolist() == [[1, 2]]


@pytest.mark.parametrize(
    "content,words",
    [
        ("a,b\nc,d\n", "not a number"),
        ("1,2,3\n", "two columns"),
        ("1,nan\n", "NaN"),
        ("1,inf\n", "NaN or infinite"),
        ("", "no points"),
        ("x,y\n", "no points"),
        ("x,y\n1,2\n3,4,5\n", "two columns"),
    ],
)
def test_malformed_csv_is_refused_clearly(tmp_path, content, words):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(ConfigError, match=words):
        load_points(path)


def test_malformed_npy_and_pickles_are_refused(tmp_path):
    one_d = tmp_path / "one.npy"
    np.save(one_d, np.arange(4.0))
    with pytest.raises(ConfigError, match="two columns"):
        load_points(one_d)
    obj = tmp_path / "obj.npy"
    np.save(obj, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ConfigError, match="not a plain numeric"):
        load_points(obj)
    bak = tmp_path / "points.bak"
    bak.write_text("1,2")
    with pytest.raises(ConfigError, match="unknown file type"):
        load_points(bak)
    with pytest.raises(ConfigError, match="no such file"):
        load_points(tmp_path / "missing.csv")
