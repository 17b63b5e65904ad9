"""The timeline: dragging back shows a kept step without touching the run; branching starts the
original and a changed copy from a kept full state, side by side."""

import numpy as np
import pytest
import torch

from ganscope.app.timeline import parse_changes
from ganscope.core.config import ConfigError
from ganscope.core.engine import GanEngine
from tests.app.conftest import shown_window, wait_ticket


def flat(m):
    return torch.cat([p.detach().flatten() for p in m.parameters()])


@pytest.fixture
def thread_window(qtbot, small_cfg, tmp_path):
    """The main window training in its own thread (full states every 100 steps)."""
    with shown_window(qtbot, GanEngine(small_cfg), tmp_path, autosave="", train_process=False) as win:
        yield win


def play_until(qtbot, win, step):
    wait_ticket(qtbot, win, win.do_action("play:1"))
    qtbot.waitUntil(lambda: win.worker.step_count() >= step and len(win.timeline.frames) >= 4, timeout=60000)


def test_dragging_back_shows_a_kept_step_exactly_and_training_goes_on(qtbot, window, small_cfg):
    play_until(qtbot, window, 250)
    tl = window.timeline
    shown = tl.show_step(tl.frames[len(tl.frames) // 2].step)
    assert 0 < shown < window.worker.step_count()
    ref = GanEngine(small_cfg)
    ref.step(shown)
    expected = ref.frame().fake
    drawn = window.plane.frames_drawn
    at = window.worker.step_count()
    qtbot.waitUntil(lambda: window.worker.step_count() > at + 50, timeout=30000)  # the run goes on
    pos = np.column_stack([window.plane.fake.data["x"], window.plane.fake.data["y"]])
    np.testing.assert_array_equal(pos, expected)  # the picture of that step, unchanged meanwhile
    assert window.plane.frames_drawn == drawn and f"showing step {shown:,}" in tl.label.text()
    tl.go_live()
    qtbot.waitUntil(lambda: window.plane.frames_drawn > drawn, timeout=10000)
    assert tl.viewing is None and tl.label.text().startswith("live")
    window.do_action("play:0")


def test_full_states_come_back_from_the_training_process_while_it_plays(qtbot, window):
    window.timeline._fetch.start(200)
    play_until(qtbot, window, 100)
    qtbot.waitUntil(lambda: window.worker.in_process, timeout=30000)
    qtbot.waitUntil(lambda: len(window.worker.snapshots) >= 3, timeout=30000)
    assert window.worker.playing
    qtbot.waitUntil(lambda: window.worker.in_process, timeout=10000)  # it went on playing in the process
    steps = window.worker.snapshots.steps
    assert steps[0] == 0 and all(b - a >= 100 for a, b in zip(steps, steps[1:]))


def test_kept_pictures_stay_bounded_and_dense_near_now(qtbot, thread_window, monkeypatch):
    win = thread_window
    tl = win.timeline
    from ganscope.app import timeline

    monkeypatch.setattr(timeline, "FRAMES_KEPT", 6)
    monkeypatch.setattr(timeline, "FRAME_INTERVAL", 10)
    play_until(qtbot, win, 300)
    qtbot.waitUntil(lambda: len(tl.frames) == 6, timeout=90000)
    win.do_action("play:0")
    steps = [f.step for f in tl.frames]
    assert steps == sorted(steps) and steps[0] == 0 and tl.slider.maximum() == 5
    # Older pictures sparser than the newest (the thinning itself is tested exactly in
    # tests/test_snapshots.py; which frames the window drew depends on the frame budget, not on it).
    assert steps[-1] - steps[1] >= steps[-1] - steps[-2]
    hist = win.worker.snapshots
    assert len(hist) <= hist.capacity() and hist.nbytes <= hist.bound_bytes()


def test_branch_from_a_kept_step_starts_the_original_and_the_change_side_by_side(
    qtbot, thread_window, small_cfg, tmp_path
):
    win = thread_window
    play_until(qtbot, win, 350)
    wait_ticket(qtbot, win, win.do_action("play:0"))
    tl = win.timeline
    shown = tl.show_step(250)
    tl.branch_here({"d_opt.lr": "1e-5"})
    qtbot.waitUntil(lambda: bool(tl.branches) and getattr(tl, "compare_window", None) is not None, timeout=20000)
    cw = tl.compare_window
    original, changed = cw.group.engines
    at = original.step_count
    assert at == max(s for s in win.worker.snapshots.steps if s <= shown)  # the newest full state before it
    assert shown - at < 200
    ref = GanEngine(small_cfg)
    ref.step(at)
    assert torch.equal(flat(ref.G), flat(original.G)) and torch.equal(flat(ref.D), flat(original.D))
    assert changed.cfg.d_opt.lr == 1e-5 and torch.equal(flat(changed.D), flat(original.D))
    assert cw.labels == [f"original from step {at:,}", "d_opt.lr=1e-5"]
    # Played side by side, the original continues exactly as the run itself did.
    cw.set_playing(True)
    qtbot.waitUntil(lambda: original.step_count >= at + 50, timeout=20000)
    ticket = cw.set_playing(False)
    qtbot.waitUntil(lambda: cw.runner.done(ticket), timeout=20000)
    ref.step(original.step_count - at)
    assert torch.equal(flat(ref.G), flat(original.G))
    assert not torch.equal(flat(changed.D), flat(original.D))
    # Saved with the session, and back when it opens: the full states and the pair, side by side.
    kept = list(win.worker.snapshots.steps)
    path = str(tmp_path / "branched.gscope")
    wait_ticket(qtbot, win, win.files.save_session(path))
    assert win.files.open_session(path)
    qtbot.waitUntil(lambda: win.worker.snapshots.steps == kept, timeout=20000)
    (again,) = win.timeline.compare_windows
    assert again.labels == cw.labels
    for a, b in zip(again.group.engines, (original, changed)):
        assert a.step_count == b.step_count and torch.equal(flat(a.G), flat(b.G)) and a.cfg.to_json() == b.cfg.to_json()


def test_branch_while_live_in_the_training_process_uses_the_exact_current_state(qtbot, window):
    play_until(qtbot, window, 200)
    wait_ticket(qtbot, window, window.do_action("play:0"))
    tl = window.timeline
    tl.branch_here({"g_opt.lr": "1e-5"})
    qtbot.waitUntil(lambda: getattr(tl, "compare_window", None) is not None, timeout=20000)
    original, changed = tl.compare_window.group.engines
    assert original.step_count == window.engine.step_count
    assert torch.equal(flat(original.G), flat(window.engine.G)) and changed.cfg.g_opt.lr == 1e-5


def test_changes_are_parsed_and_checked():
    assert parse_changes("d_opt.lr=1e-4; g_opt.lr = 2e-4") == {"d_opt.lr": "1e-4", "g_opt.lr": "2e-4"}
    for bad, words in (
        ("d_opt.lr", "FIELD=VALUE"),
        ("d_opt.lr=-1", "out of range"),
        ("", "no change"),
        ("nope.x=1", "unknown section"),
    ):
        with pytest.raises(ConfigError, match=words):
            parse_changes(bad)


def test_the_timeline_label_is_readable_in_a_1024_px_window(qtbot, window):
    """At 1024x700 with the controls docked, the label got 60 px and "live" read "li"."""
    window.resize(1024, 700)
    wait_ticket(qtbot, window, window.do_action("step"))
    label = window.timeline.label
    qtbot.waitUntil(lambda: label.text() != "", timeout=10000)
    qtbot.waitUntil(lambda: label.width() >= label.sizeHint().width(), timeout=10000)
    assert window.width() <= 1024  # and the label did not widen the window
