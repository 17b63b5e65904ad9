"""The window's frame budget: the governor's detail reaches the picture, the status bar says
what the app is doing, and charts redraw only when their data changed."""

import numpy as np

from tests.app.conftest import wait_ticket


def _play_until_drawn(qtbot, window, frames=5):
    wait_ticket(qtbot, window, window.do_action("play:1"))
    start = window.plane.frames_drawn
    qtbot.waitUntil(lambda: window.plane.frames_drawn >= start + frames, timeout=30000)


def test_a_lower_detail_level_reaches_the_picture_and_the_status_bar_says_so(qtbot, window):
    wait_ticket(qtbot, window, window.send_update("run.surface_res", 128))
    wait_ticket(qtbot, window, window.send_update("run.display_samples", 2048))
    gov = window.budget.governor
    gov.level, gov.reason = 3, "frames were over budget"  # as if frames had been too dear
    gov.ladder = gov.ladder[:4]  # and stays there for this test: no lower
    gov.hold_up = 10**6  # level, and no step up
    window.budget._apply()
    _play_until_drawn(qtbot, window)
    d = gov.detail
    qtbot.waitUntil(lambda: window.worker._remote is None or window.worker.remote_frames > 3, timeout=30000)
    qtbot.waitUntil(
        lambda: window.plane.surface.image is not None and window.plane.surface.image.shape == (d.res, d.res),
        timeout=20000,
    )
    frame = window.worker.latest()[1]
    assert frame.surface.shape == (d.res, d.res) and d.res < 128
    assert len(frame.fake) == d.points < 2048 and len(frame.real) == len(frame.fake)
    # The surface still covers the same square of the plane at its lower resolution.
    rect = window.plane.surface.mapRectToParent(window.plane.surface.boundingRect())
    assert np.allclose([rect.left(), rect.right()], frame.extent[:2], atol=1e-6)
    qtbot.waitUntil(lambda: "it/s" in window.status_rate.text(), timeout=10000)
    text = window.status_rate.text()
    assert "fps" in text and f"{d.res}²" in text and "frames were over budget" in text


def test_the_status_bar_shows_the_share_of_headless_speed_while_playing_at_full_speed(qtbot, window):
    _play_until_drawn(qtbot, window)
    qtbot.waitUntil(lambda: "of headless" in window.status_rate.text(), timeout=30000)
    share = window.budget.share()
    assert share is not None and 0 < share < 5
    wait_ticket(qtbot, window, window.do_action("play:0"))
    assert window.budget.share() is None  # paused: no share to claim


def test_charts_redraw_only_when_their_data_changed(qtbot, window):
    drawn = []
    update = window.charts.update_from
    window.charts.update_from = lambda data: drawn.append(data) or update(data)
    _play_until_drawn(qtbot, window, frames=30)
    wait_ticket(qtbot, window, window.do_action("play:0"))
    assert drawn, "the charts were never drawn"
    assert all(a is not b for a, b in zip(drawn, drawn[1:]))  # never the same data twice
    assert len(drawn) < window.plane.frames_drawn  # fewer chart redraws than frames


def test_a_hidden_layer_is_not_computed(qtbot, window):
    for key in ("surface", "contour", "arrows", "manifold"):
        window.set_layer(key, False)
    wait_ticket(qtbot, window, window.do_action("step"))
    frame = window.worker.latest()[1]
    assert np.isnan(frame.surface).all() and not frame.arrows.any() and frame.manifold.size == 0


def test_a_recording_keeps_full_detail_whatever_the_screen_can_afford(qtbot, window, tmp_path):
    from ganscope.app.export import ExportOptions

    wait_ticket(qtbot, window, window.send_update("run.surface_res", 128))
    gov = window.budget.governor
    gov.level, gov.ladder, gov.hold_up = 3, gov.ladder[:4], 10**6
    window.budget._apply()
    assert window.start_recording(str(tmp_path / "r.gif"), ExportOptions(width=96, height=96, every=1))
    _play_until_drawn(qtbot, window, frames=3)
    qtbot.waitUntil(lambda: window.worker.latest()[1].surface.shape == (128, 128), timeout=20000)
    window.stop_recording()


def test_the_training_side_offers_frames_a_little_faster_than_each_level_draws(qtbot, window):
    # Asked for exactly the level's rate, the window drew 2-3% fewer (a frame delayed past the next
    # one's arrival is replaced); asked for more than it may draw, training would build frames for nothing.
    from ganscope.app.frame_budget import EARLY

    gov, worker = window.budget.governor, window.worker
    for level in (len(gov.ladder) - 1, 3, 0):
        gov.level = level
        window.budget._apply()
        fps = gov.detail.fps
        qtbot.waitUntil(lambda fps=fps: EARLY / fps < worker.frame_interval < 1 / fps, timeout=10000)
