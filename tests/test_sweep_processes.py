"""A CPU sweep split across worker processes (core.sweep_processes): the same bits as one process,
and no worker left running on any way out."""

import multiprocessing as mp
import os
import signal

import numpy as np
import pytest
import torch

from ganscope.core.ensemble import Ensemble
from ganscope.core.sweep import parse_axis, run_sweep
from ganscope.core.sweep_processes import ProcessSweep, WorkerError, shares
from tests.conftest import configs_with


def members(small_cfg, n=5):
    small_cfg.objective.loss = "wgan-gp"
    small_cfg.d_opt.steps = 2
    small_cfg.run.batch_size = 32
    small_cfg.generator.width = small_cfg.discriminator.width = 16
    return configs_with(small_cfg, [{"d_opt.lr": 1e-4 * 10**i, "objective.gp_weight": 0.1 * (i + 1)} for i in range(n)])


def everything(ens: Ensemble) -> list[torch.Tensor]:
    states = [v if isinstance(v, list) else [v] for st in (ens.opt_g, ens.opt_d) for _, v in sorted(st.items())]
    return [*ens.G, *ens.D, *(t for ts in states for t in ts)]


def test_members_split_across_processes_train_the_same_bits_as_one_process(small_cfg):
    cfgs = members(small_cfg)  # 5 members in 2 processes: shares of 2 and 3
    one = Ensemble(cfgs, threads=1)
    split = Ensemble([c.copy() for c in cfgs], threads=1)
    sweep = ProcessSweep(split, 2)
    for n in (2, 3):  # in chunks, as run_loop calls it
        one.step(n)
        sweep.step(n)
    procs = [w.proc for w in sweep.workers]
    assert len(procs) == 2 and all(p.is_alive() for p in procs)
    sweep.close()
    assert all(p.exitcode is not None for p in procs), "a worker outlived close()"
    assert split.step_count == one.step_count == 5
    np.testing.assert_array_equal(np.concatenate(split.history), np.concatenate(one.history))
    for a, b in zip(everything(split), everything(one), strict=True):
        assert torch.equal(a, b)
    assert [r["verdict"] for r in split.evaluate()] == [r["verdict"] for r in one.evaluate()]


def test_shares_are_contiguous_even_and_never_empty():
    assert shares(16, 2) == [(0, 8), (8, 16)]
    assert shares(7, 3) == [(0, 2), (2, 4), (4, 7)]
    assert shares(5, 3) == [(0, 2), (2, 5)]  # two members at least in each
    assert shares(3, 2) == [(0, 3)] and shares(16, 1) == [(0, 16)]


def test_no_worker_outlives_an_interrupted_sweep_or_a_dead_worker(small_cfg):
    x, y = parse_axis("d_opt.lr=1e-4,1e-3"), parse_axis("objective.gp_weight=0.1,1")
    base = members(small_cfg, 1)[0]

    def interrupt(done, _total):
        if done >= 2:
            raise KeyboardInterrupt  # a Ctrl-C outside the CLI's deferral: propagates, workers still ended
        return True

    with pytest.raises(KeyboardInterrupt):
        run_sweep(base, x, y, steps=1000, progress=interrupt, processes=2)
    assert mp.active_children() == []

    ens = Ensemble(members(small_cfg, 4), threads=1)
    sweep = ProcessSweep(ens, 2)
    sweep.step(1)
    victim, other = (w.proc for w in sweep.workers)
    os.kill(victim.pid, signal.SIGKILL)
    victim.join(30)
    with pytest.raises(WorkerError, match="worker for members 0-1: ended unexpectedly"):
        sweep.step(1)
    sweep.close()  # the states cannot come back whole: the other worker is only ended
    assert not other.is_alive() and mp.active_children() == []
    assert ens.step_count == 1 and len(ens.history) == 1  # what was trained before is still reported


def test_a_split_sweep_reports_the_map_of_a_one_process_sweep(small_cfg):
    x, y = parse_axis("d_opt.lr=1e-4,1e-2"), parse_axis("objective.gp_weight=0.01,10")
    base = members(small_cfg, 1)[0]
    one, _ = run_sweep(base, x, y, steps=4, threads=1)
    split, _ = run_sweep(base, x, y, steps=4, threads=1, processes=2)
    assert split.steps == one.steps == 4 and split.cells == one.cells
