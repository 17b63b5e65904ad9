import os
import pickle

import pytest
import torch

from ganscope.core.engine import TRAIN_SERIES, GanEngine
from ganscope.core.session import SessionError, load_session, save_session


def params(m):
    return torch.cat([p.detach().flatten() for p in m.parameters()])


def test_a_saved_run_continues_exactly_as_if_never_stopped(small_cfg, tmp_path):
    small_cfg.target.kind = "points"
    small_cfg.target.points = [[0, 0], [1, 1], [2, -1]]  # a drawn target travels with the session
    a = GanEngine(small_cfg)
    a.step(30)
    a.freeze("D")
    path = tmp_path / "run.gscope"
    save_session(a, path)
    b = load_session(path)
    assert b.cfg.target.points == small_cfg.target.points and b.frozen == {"G": False, "D": True}
    a.freeze("D", False)
    b.freeze("D", False)
    a.step(20)
    b.step(20)
    assert torch.equal(params(a.G), params(b.G)) and torch.equal(params(a.D), params(b.D))
    for name in TRAIN_SERIES:
        assert (a.history.series(name) == b.history.series(name)).all()
    assert b.step_count == 50


def test_saving_over_a_file_is_atomic(small_cfg, tmp_path, monkeypatch):
    e = GanEngine(small_cfg)
    path = tmp_path / "run.gscope"
    save_session(e, path)
    good = path.read_bytes()

    def crash(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    e.step(5)
    with pytest.raises(OSError):
        save_session(e, path)
    assert path.read_bytes() == good  # the previous session survives
    assert [p.name for p in tmp_path.iterdir()] == ["run.gscope"]  # no temp file left behind


def test_truncated_and_foreign_files_are_refused(small_cfg, tmp_path):
    path = tmp_path / "run.gscope"
    save_session(GanEngine(small_cfg), path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SessionError, match="truncated or corrupt"):
        load_session(path)
    text = tmp_path / "notes.gscope"
    text.write_text("hello")
    with pytest.raises(SessionError):
        load_session(text)
    with pytest.raises(SessionError, match="no such file"):
        load_session(tmp_path / "missing.gscope")


def test_a_session_from_a_newer_version_is_refused(small_cfg, tmp_path):
    from ganscope.core.session import engine_state

    state = engine_state(GanEngine(small_cfg))
    state["version"] = 99
    path = tmp_path / "new.gscope"
    torch.save(state, path)
    with pytest.raises(SessionError, match="newer ganscope"):
        load_session(path)


class _Payload:
    def __reduce__(self):
        return (open, (str(_Payload.marker), "w"))


def test_a_pickle_with_a_code_payload_is_refused_and_never_runs(tmp_path):
    _Payload.marker = tmp_path / "pwned"
    path = tmp_path / "evil.gscope"
    with open(path, "wb") as fh:
        torch.save({"format": "ganscope-session", "x": _Payload()}, fh)
    with pytest.raises(SessionError, match="nothing was executed"):
        load_session(path)
    assert not _Payload.marker.exists()
    raw = tmp_path / "raw.gscope"
    raw.write_bytes(pickle.dumps(_Payload()))
    with pytest.raises(SessionError):
        load_session(raw)
    assert not _Payload.marker.exists()


def test_a_hand_over_from_an_older_version_with_a_view_extent_still_restores(small_cfg):
    """Older versions sent a (never set) "view_extent" with the live state; it is ignored now."""
    from ganscope.core.session import live_state, restore_state, state_from_bytes, state_to_bytes

    e = GanEngine(small_cfg)
    e.step(5)
    state = live_state(e)
    state["live"]["view_extent"] = [-1.0, 1.0, -1.0, 1.0]
    state = state_from_bytes(state_to_bytes(state))  # as handed over: copies, never shared tensors
    other = GanEngine(small_cfg)
    restore_state(other, state)
    assert other.step_count == 5
    assert all(torch.equal(a, b) for a, b in zip(other.G.parameters(), e.G.parameters()))
    other.step(3)
    e.step(3)
    assert all(torch.equal(a, b) for a, b in zip(other.D.parameters(), e.D.parameters()))
