"""A compare group played by the training process (core.compare_process) continues exactly as the same
group stepped here: same weights, optimiser and random states (bits, CPU), same booking."""

import pytest
import torch

from ganscope.core.compare import CompareGroup
from ganscope.core.compare_process import GroupSubject, Lockstep, group_state, is_group_state, restore_group
from ganscope.core.session import state_from_bytes
from ganscope.core.session_check import StateError
from ganscope.core.train_process import RemoteTrainer
from tests.test_train_process import _frames, _receive_until, _wait_ready


def flat(m):
    return torch.cat([p.detach().flatten() for p in m.parameters()])


def _group(small_cfg) -> CompareGroup:
    other = small_cfg.copy()
    other.objective.loss = "lsgan"
    return CompareGroup([("ns", small_cfg), ("lsgan", other)])


def _same(a: CompareGroup, b: CompareGroup) -> None:
    for x, y in zip(a.engines, b.engines):
        assert x.step_count == y.step_count
        assert torch.equal(flat(x.G), flat(y.G)) and torch.equal(flat(x.D), flat(y.D))
        assert torch.equal(x.gen.get_state(), y.gen.get_state())
        assert x.cfg.to_json() == y.cfg.to_json()


def test_the_lockstep_stops_at_its_stop_and_says_so(small_cfg):
    group = _group(small_cfg)
    lock = Lockstep(group, stop_at=12)
    assert lock.step(50) == 12 and lock.step(5) == 0 and lock.status == "ok"
    assert [e.step_count for e in group.engines] == [12, 12]


def test_a_group_state_round_trips_through_the_subject_with_its_booking(small_cfg):
    group = _group(small_cfg)
    group.step(7)
    group.runs[1].fired["collapse"] = 5
    state = group_state(group, stop_at=30)
    assert is_group_state(state) and not is_group_state({"format": "ganscope-state"})
    subject = GroupSubject(state)  # what the child builds from the state it is handed
    ref = _group(small_cfg)
    ref.step(7)
    _same(subject.group, ref)
    assert subject.lockstep.stop_at == 30 and subject.group.runs[1].fired == {"collapse": 5}
    assert [r.steps_run for r in subject.group.runs] == [7, 7]
    with pytest.raises(StateError):  # a state for another number of runs is refused, not half applied
        restore_group(CompareGroup([("a", small_cfg), ("b", small_cfg), ("c", small_cfg)]), state)


def test_a_group_trained_in_the_process_equals_the_same_group_stepped_here(small_cfg):
    group = _group(small_cfg)
    group.step(3)
    r = RemoteTrainer()
    try:
        _wait_ready(r)
        epoch = r.push_state(group_state(group, stop_at=None), speed=0)
        msgs = _receive_until(r, [], lambda m: _frames(m) and _frames(m)[-1]["step"] >= 25, "lockstep step 25")
        frames = _frames(msgs)
        assert all(f["epoch"] == epoch and len(f["runs"]) == 2 for f in frames)
        assert frames[0]["runs"][0]["cfg"] is not None and frames[0]["runs"][1]["detections"] is None
        seq = r.op("update", 1, "d_opt.lr", 0.0007)  # the second run only
        frames = _frames(_receive_until(r, msgs, lambda m: any(f["acked"] >= seq for f in _frames(m)), "the ack"))
        at = next(f["step"] for f in frames if f["acked"] >= seq)
        _receive_until(r, msgs, lambda m: _frames(m)[-1]["step"] >= at + 10, "10 steps after the edit")
        bad = r.op("update", None, "d_opt.lr", -1.0)
        msgs = _receive_until(r, msgs, lambda m: any(x[0] == "error" and x[1] == bad for x in m), "the refusal")
        state, _ = r.pull(timeout=60)
        assert state is not None and is_group_state(state)
        restore_group(group, state)  # in place: the window's engines continue
    finally:
        r.close()
    assert not r._proc.is_alive()
    end = group.step_count
    assert end > at and [run.steps_run for run in group.runs] == [end, end]
    assert group.engines[1].cfg.d_opt.lr == 0.0007 and group.engines[0].cfg.d_opt.lr != 0.0007
    ref = _group(small_cfg)  # the reference: stepped here, the same edit at the step the process made it
    ref.step(at)
    ref.engines[1].update("d_opt.lr", 0.0007)
    ref.step(end - at)
    _same(group, ref)


def test_the_process_hands_the_group_back_at_its_stop(small_cfg):
    group = _group(small_cfg)
    r = RemoteTrainer()
    try:
        _wait_ready(r)
        r.push_state(group_state(group, stop_at=40), speed=0)
        msgs = _receive_until(r, [], lambda m: any(x[0] == "stopped" for x in m), "the hand-back at step 40")
        stopped = next(x for x in msgs if x[0] == "stopped")
        restore_group(group, state_from_bytes(stopped[1]))
        assert stopped[2]["step"] == 40 and stopped[2]["runs"][0]["charts"] is not None
    finally:
        r.close()
    ref = _group(small_cfg)
    ref.step(40)
    _same(group, ref)


def test_a_runs_script_travels_with_it_and_acts_in_the_process_at_its_step(small_cfg):
    """A lesson's script (here: freeze D at step 10 in the second run) acts where the run trains."""

    def scripted() -> CompareGroup:
        g = _group(small_cfg)
        g.engines[1].schedule = [(10, "freeze", "D")]
        return g

    group = scripted()
    r = RemoteTrainer()
    try:
        _wait_ready(r)
        r.push_state(group_state(group, stop_at=20), speed=0)
        msgs = _receive_until(r, [], lambda m: any(x[0] == "stopped" for x in m), "the hand-back at step 20")
        restore_group(group, state_from_bytes(next(x for x in msgs if x[0] == "stopped")[1]))
    finally:
        r.close()
    ref = scripted()
    ref.step(20)
    _same(group, ref)
    assert group.engines[1].frozen == ref.engines[1].frozen and group.engines[1].frozen["D"]
    assert not group.engines[0].frozen["D"]
