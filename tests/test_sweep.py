"""Sweep axes over any shape-preserving field, and a WGAN-GP stability map that trains."""

import math

import numpy as np
import pytest

from ganscope.core.config import ConfigError
from ganscope.core.sweep import parse_axis, run_sweep


def test_penalty_weights_are_geometric_and_step_counts_whole():
    gp = parse_axis("objective.gp_weight=0.01:10:4")
    np.testing.assert_allclose(gp.values, [0.01, 0.1, 1.0, 10.0])
    assert parse_axis("d_opt.steps=1:5:3").values == [1.0, 3.0, 5.0]
    assert parse_axis("d_opt.steps=1:2:4").values == [1.0, 2.0]  # rounding repeats are dropped
    with pytest.raises(ConfigError, match="cannot vary"):
        parse_axis("generator.width=16:64:3")


def test_a_wgan_gp_map_over_learning_rate_and_gp_weight(small_cfg):
    small_cfg.objective.loss = "wgan-gp"
    small_cfg.d_opt.steps = 2
    small_cfg.run.batch_size = 32
    small_cfg.generator.width = small_cfg.discriminator.width = 16
    x, y = parse_axis("d_opt.lr=1e-4:1e-2:2"), parse_axis("objective.gp_weight=0.01:10:2")
    result, ens = run_sweep(small_cfg, x, y, steps=4, threads=1)
    assert result.grid("modes").shape == (2, 2) and result.steps == 4
    assert [(c["x"], c["y"]) for c in result.cells] == [(1e-4, 0.01), (1e-2, 0.01), (1e-4, 10.0), (1e-2, 10.0)]
    assert all(math.isfinite(c["d_loss"]) for c in result.cells)
    assert "objective.gp_weight (rows) x d_opt.lr (columns)" in result.table()


def test_the_sweep_command_trains_on_the_cores_asked_for(monkeypatch, capsys):
    """`ganscope sweep --threads N` (default every core): 1 trains in this process on one torch
    thread (on two cores shared with other work, 2 threads made a sweep several times slower);
    N > 1 on a CPU splits the members across N worker processes (core.sweep_processes)."""
    import torch

    from ganscope.core import ensemble, sweep
    from ganscope.core.cli import main

    seen, split = [], []
    real_iteration, real_split = ensemble.Ensemble.iteration, sweep.ProcessSweep
    monkeypatch.setattr(
        ensemble.Ensemble, "iteration", lambda self, s: seen.append(torch.get_num_threads()) or real_iteration(self, s)
    )
    monkeypatch.setattr(sweep, "ProcessSweep", lambda ens, n: split.append(n) or real_split(ens, n))
    base = ["sweep", "--preset", "ring", "--x", "d_opt.lr=1e-4:1e-3:2", "--y", "g_opt.lr=1e-4:1e-3:2", "--quiet"]
    before = torch.get_num_threads()
    torch.set_num_threads(2)  # not what is asked for, so passing it on is seen
    try:
        assert main([*base, "--steps", "2", "--threads", "1", "--set", "run.batch_size=16"]) == 0
        assert seen == [1, 1] and split == [] and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
    assert "d_opt.lr (columns)" in capsys.readouterr().out
    assert main([*base, "--steps", "2", "--threads", "2", "--set", "run.batch_size=16"]) == 0
    assert split == [2] and seen == [1, 1], "the members trained here, not in two processes"
    assert "4 members x 2 steps" in capsys.readouterr().out
    assert main([*base, "--steps", "2", "--threads", "0"]) == 2
    assert "--threads 0: must be between 1 and 256" in capsys.readouterr().err
