"""Sessions keep their timeline (snapshots, branches, compare groups), versioned; nothing in it is trusted."""

import pytest
import torch

from ganscope.core.engine import GanEngine
from ganscope.core.session import SessionError, load_session, save_session, state_from_bytes, state_to_bytes
from ganscope.core.session_history import MAIN, SavedRun, Timeline, load_with_timeline, save_with_timeline
from ganscope.core.snapshots import SnapshotHistory, branch, train_with_snapshots


def flat(m):
    return torch.cat([p.detach().flatten() for p in m.parameters()])


@pytest.fixture
def saved(small_cfg, tmp_path):
    """A run with snapshots every 10 steps, a branch from step 20 with a lower D rate, one compare group."""
    small_cfg.run.eval_every = 10
    e = GanEngine(small_cfg)
    hist = SnapshotHistory(interval=10, recent=2, max_snapshots=4)
    train_with_snapshots(e, 40, hist)
    b = branch(hist.at(20), {"d_opt.lr": 1e-4}, history_from=e)
    b.step(5)
    t = Timeline(hist, [SavedRun("slow D", b, MAIN, 20, {"d_opt.lr": 1e-4})], [[MAIN, "slow D"]])
    path = tmp_path / "run.gscope"
    save_with_timeline(e, path, t)
    return e, t, path


def test_snapshots_branches_and_groups_come_back_and_continue_exactly(saved):
    e, t, path = saved
    e2, t2 = load_with_timeline(path)
    assert e2.step_count == 40 and torch.equal(flat(e2.G), flat(e.G))
    assert t2.history.steps == t.history.steps == [0, 20, 30, 40]
    assert (t2.history.interval, t2.history.recent, t2.history.max_snapshots) == (10, 2, 4)
    assert t2.groups == [[MAIN, "slow D"]] and t2.warning == ""
    (run,) = t2.runs
    assert (run.label, run.parent, run.parent_step, run.changes) == ("slow D", MAIN, 20, {"d_opt.lr": 1e-4})
    assert run.engine.step_count == 25 and torch.equal(flat(run.engine.D), flat(t.runs[0].engine.D))
    # A snapshot read back restores exactly: a branch from it matches one from the original snapshot.
    a, c = branch(t.history.at(20)), branch(t2.history.at(20))
    a.step(10)
    c.step(10)
    assert torch.equal(flat(a.G), flat(c.G)) and torch.equal(a.gen.get_state(), c.gen.get_state())
    # The saved branch continues exactly as the branch that was saved.
    t.runs[0].engine.step(5)
    run.engine.step(5)
    assert torch.equal(flat(t.runs[0].engine.D), flat(run.engine.D))


def test_older_sessions_open_with_an_empty_timeline_and_older_versions_ignore_it(saved, small_cfg, tmp_path):
    old = tmp_path / "old.gscope"
    save_session(GanEngine(small_cfg), old)
    e, t = load_with_timeline(old)
    assert len(t.history) == 0 and t.runs == [] and t.groups == []
    _e, _t, path = saved
    assert load_session(path).step_count == 40  # the plain loader (an older ganscope) still opens it


def test_a_newer_timeline_is_left_out_with_a_message_and_the_run_still_opens(saved):
    _e, _t, path = saved
    state = state_from_bytes(path.read_bytes())
    state["timeline"]["version"] = 99
    path.write_bytes(state_to_bytes(state))
    e, t = load_with_timeline(path)
    assert e.step_count == 40 and len(t.history) == 0 and "newer ganscope" in t.warning


def _tamper(path, change):
    state = state_from_bytes(path.read_bytes())
    change(state["timeline"])
    path.write_bytes(state_to_bytes(state))


@pytest.mark.parametrize(
    "change, words",
    [
        (
            lambda t: t["snapshots"][1]["state"]["G"].__setitem__("net.0.weight", torch.zeros(3, 3)),
            "wrong type or shape",
        ),
        (
            lambda t: t["snapshots"][1]["state"]["opt_d"]["state"][0].__setitem__("exp_avg", torch.zeros(7)),
            "wrong shape",
        ),
        (lambda t: t["snapshots"][1]["state"].__setitem__("rng", torch.zeros(3, dtype=torch.uint8)), "random state"),
        (lambda t: t["snapshots"][1].__setitem__("step", 5), "does not match"),
        (lambda t: t["snapshots"].reverse(), "steps must increase"),
        (lambda t: t.__setitem__("snapshots", t["snapshots"] * 2), "steps must increase"),
        (lambda t: t["groups"].append([MAIN, "nobody"]), "compare group"),
        (lambda t: t["runs"][0].__setitem__("parent", "ghost"), "parent"),
        (lambda t: t["runs"][0]["state"]["history"].__setitem__("d_loss", torch.zeros(2, 2)), "bad series"),
        (lambda t: t["runs"][0].__setitem__("changes", {"d_opt.lr": -1}), "out of range"),
        (lambda t: t.__setitem__("interval", "ten"), "interval"),
        (lambda t: t["snapshots"][1]["state"]["live"].__setitem__("schedule", [[1, "explode", "G"]]), "bad script"),
    ],
)
def test_a_damaged_timeline_is_refused_with_a_message(saved, change, words):
    _e, _t, path = saved
    _tamper(path, change)
    with pytest.raises(SessionError, match="damaged timeline") as info:
        load_with_timeline(path)
    assert words in str(info.value)


def test_labels_are_cleaned_of_control_and_direction_characters(saved):
    _e, _t, path = saved

    def rename(t):
        t["runs"][0]["label"] = "slow\x1b[31m D\u202e"
        t["groups"] = [[MAIN, "slow\x1b[31m D\u202e"]]

    _tamper(path, rename)
    _e2, t = load_with_timeline(path)
    assert t.runs[0].label == "slow[31m D"
