"""Snapshot history: exact restore, branching, and the stated memory bound over a long run."""

import numpy as np
import pytest
import torch

from ganscope.core.engine import TRAIN_SERIES, GanEngine
from ganscope.core.snapshots import (
    SnapshotHistory,
    branch,
    restore_snapshot,
    snapshot_bound,
    take_snapshot,
    thin_index,
    train_with_snapshots,
)


def flat(m):
    return torch.cat([p.detach().flatten() for p in m.parameters()])


def opt_tensors(opt):
    return [t for st in opt.state_dict()["state"].values() for t in st.values()]


def assert_same_run(a: GanEngine, b: GanEngine):
    assert a.step_count == b.step_count
    assert torch.equal(flat(a.G), flat(b.G)) and torch.equal(flat(a.D), flat(b.D))
    for oa, ob in ((a.opt_g, b.opt_g), (a.opt_d, b.opt_d)):
        ta, tb = opt_tensors(oa), opt_tensors(ob)
        assert len(ta) == len(tb) > 0 and all(torch.equal(x, y) for x, y in zip(ta, tb))
    assert torch.equal(a.gen.get_state(), b.gen.get_state())


@pytest.mark.parametrize(
    "loss,extra", [("nonsaturating", {}), ("wgan-gp", {"d_opt.steps": 2}), ("minimax", {"objective.unrolled_steps": 2})]
)
def test_a_run_restored_from_a_snapshot_continues_bit_identically(small_cfg, loss, extra):
    small_cfg.objective.loss = loss
    for k, v in extra.items():
        small_cfg.set(k, v)
    small_cfg.run.eval_every = 10
    a = GanEngine(small_cfg)
    hist = SnapshotHistory(interval=10, recent=3, max_snapshots=5)
    train_with_snapshots(a, 60, hist)
    assert hist.steps[0] == 0 and hist.steps[-3:] == [40, 50, 60] and len(hist) == 5
    s = hist.steps[1]  # an older, kept step
    # The reference: the same settings trained afresh to s, then on to t.
    ref = GanEngine(small_cfg)
    ref.step(s)
    snap = hist.at(s)
    b = GanEngine(small_cfg)
    b.step(7)  # the engine being restored into was elsewhere: nothing of that may remain
    restore_snapshot(b, snap, history_from=a)
    assert_same_run(ref, b)
    ref.step(35)
    b.step(35)
    assert_same_run(ref, b)
    later = ref.history.steps > s
    for name in TRAIN_SERIES:  # the charts after the rewind match the original's too
        assert np.array_equal(ref.history.series(name)[later], b.history.series(name)[b.history.steps > s])
    assert b.history.steps.min() <= s  # history before the snapshot came from the original run


def test_restoring_never_changes_the_snapshot_or_the_original(small_cfg):
    a = GanEngine(small_cfg)
    hist = SnapshotHistory(interval=5)
    train_with_snapshots(a, 10, hist)
    snap = hist.at(5)
    kept = [t.clone() for t in snap.state["G"].values()] + [t.clone() for t in opt_tensors_of(snap)]
    before = flat(a.G).clone()
    b = branch(snap, {"d_opt.lr": 1e-4}, history_from=a)
    b.step(20)
    now = [t for t in snap.state["G"].values()] + opt_tensors_of(snap)
    assert all(torch.equal(x, y) for x, y in zip(kept, now))
    assert torch.equal(flat(a.G), before) and a.step_count == 10 and a.cfg.d_opt.lr == small_cfg.d_opt.lr
    # And the snapshot still restores exactly: a second branch without changes equals a fresh rerun.
    c = branch(snap)
    ref = GanEngine(small_cfg)
    ref.step(5)
    assert_same_run(ref, c)


def opt_tensors_of(snap):
    return [t for opt in ("opt_g", "opt_d") for st in snap.state[opt]["state"].values() for t in st.values()]


def test_a_branch_with_a_new_learning_rate_keeps_adam_state_and_diverges_from_the_original(small_cfg):
    a = GanEngine(small_cfg)
    hist = SnapshotHistory(interval=10)
    train_with_snapshots(a, 20, hist)
    snap = hist.at(20)
    b = branch(snap, {"d_opt.lr": 1e-5})
    assert b.cfg.d_opt.lr == 1e-5 and b.opt_d.param_groups[0]["lr"] == 1e-5
    assert all(torch.equal(x, y) for x, y in zip(opt_tensors(a.opt_d), opt_tensors(b.opt_d)))
    same = branch(snap)
    for e in (a, b, same):
        e.step(10)
    assert torch.equal(flat(a.D), flat(same.D))
    assert not torch.equal(flat(a.D), flat(b.D))  # the lower learning rate changed D's path


def test_memory_stays_within_the_stated_bound_over_a_100k_step_run(small_cfg):
    e = GanEngine(small_cfg)
    hist = SnapshotHistory(interval=100, recent=16, max_snapshots=64)
    bound = hist.bound_bytes(e)
    assert bound == 64 * snapshot_bound(e)
    real_step = e.step
    hist.take_due(e)
    e.step(3)  # real optimiser state, so each snapshot holds its full size

    def fake_step(n=1, players=None):  # the weights' bytes are what matter, not their values
        e.step_count += n
        return n

    e.step = fake_step
    peak = 0
    for _ in range(100_000 // 100):
        e.step(100)
        hist.take_due(e)
        peak = max(peak, hist.nbytes)
        assert len(hist) <= 64
    assert peak <= bound
    steps = hist.steps
    assert steps[0] == 0 and steps[-1] == 100_003
    assert np.all(np.diff(steps[-16:]) == 100)  # dense recent history
    ages = steps[-1] - np.array(steps[:-1])
    gaps = np.diff(steps)
    assert np.all(gaps <= 0.25 * ages + 100)  # older history: sparser, but never far from any step
    e.step = real_step
    assert e.step(1) == 1


def test_thinning_is_geometric_pure_bookkeeping():
    steps = []
    for t in range(0, 1_000_001, 50):
        steps.append(t)
        while len(steps) > 40:
            del steps[thin_index(steps, 8, 50, 40)]
    gaps = np.diff(steps)
    assert steps[0] == 0 and len(steps) == 40 and np.all(gaps[-8:] == 50)
    ages = steps[-1] - np.array(steps[:-1])
    older = slice(0, len(gaps) - 8)
    assert np.all(gaps[older] <= 0.4 * ages[older])  # every kept step is near its neighbours, relative to age
    assert gaps[:10].min() > 10 * gaps[-10:].max()  # and older history is much sparser than recent


def test_a_reset_run_drops_the_abandoned_future(small_cfg):
    e = GanEngine(small_cfg)
    hist = SnapshotHistory(interval=5)
    train_with_snapshots(e, 20, hist)
    e.reset_all()
    hist.take_due(e)
    assert hist.steps == [0]
    assert torch.equal(hist.at(0).state["G"]["net.0.weight"], e.G.state_dict()["net.0.weight"])


def test_snapshot_metrics_row_and_bytes(small_cfg):
    e = GanEngine(small_cfg)
    e.step(25)
    s = take_snapshot(e)
    assert s.step == 25 and s.metrics["d_loss"] == e.metrics()["d_loss"]
    assert 0 < s.nbytes <= snapshot_bound(e)
