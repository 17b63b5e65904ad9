"""Frames are drawn when they arrive and each one drawn reaches the screen; the plots' cached
axes, titles and legends paint exactly the pixels they painted uncached."""

import time

import numpy as np
from PySide6 import QtGui, QtWidgets

from tests.app.conftest import wait_ticket


def test_frames_are_drawn_as_they_arrive_without_the_poll_and_each_is_painted(qtbot, window):
    window.timer.stop()  # no polling: only the frame clock can draw
    wait_ticket(qtbot, window, window.do_action("play:1"))
    qtbot.waitUntil(lambda: not window.plane.unpainted, timeout=10000)
    start, shown = window.plane.frames_drawn, window.plane.frames_shown
    qtbot.waitUntil(lambda: window.plane.frames_drawn >= start + 10, timeout=60000)
    window.do_action("play:0")
    qtbot.waitUntil(lambda: not window.plane.unpainted, timeout=10000)
    # The window paints every frame it draws: a draw never goes before the last frame's paint.
    assert window.plane.frames_shown - shown == window.plane.frames_drawn - start


def test_a_frame_not_due_yet_is_drawn_when_it_is_due(qtbot, window):
    window.timer.stop()
    gov = window.budget.governor
    gov.ladder = gov.ladder[-1:]  # the lowest level only: 10 frames a second
    gov.level = 0
    window.budget._apply()
    wait_ticket(qtbot, window, window.do_action("play:1"))
    qtbot.waitUntil(lambda: window.plane.frames_drawn >= 2, timeout=30000)
    window.budget._last_draw = time.perf_counter()  # as if a frame was just drawn
    before = window.plane.frames_drawn
    window._on_tick()  # a new frame may be waiting, but none is due for 75 ms
    assert window.plane.frames_drawn == before
    qtbot.waitUntil(lambda: window.plane.frames_drawn > before, timeout=30000)  # the clock's timer drew it


def _grab(view) -> np.ndarray:
    img = view.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_RGB32)
    return np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine()).copy()


def _differing_pixels_without_cache(view) -> int:
    """Pixels that change when the view's cached items are painted afresh instead."""
    cache, none = QtWidgets.QGraphicsItem.DeviceCoordinateCache, QtWidgets.QGraphicsItem.NoCache
    cached = [it for it in view.scene().items() if it.cacheMode() == cache]
    assert len(cached) >= 3, "the still parts of the plot are cached"
    with_cache = _grab(view)
    for it in cached:
        it.setCacheMode(none)
    fresh = _grab(view)
    for it in cached:
        it.setCacheMode(cache)
    return int((with_cache != fresh).reshape(fresh.shape[0], -1, 4).any(-1).sum())


# An axis paints the pixel at each end of its line just outside its bounds, which a cache clips: a
# few such pixels differ. A stale axis (old tick labels, an old range) differs in hundreds.
AXIS_ENDS = 16


def test_cached_axes_and_titles_paint_what_they_paint_uncached(qtbot, window):
    wait_ticket(qtbot, window, window.do_action("step"))
    for view in (window.plane, window.charts):
        assert _differing_pixels_without_cache(view) <= AXIS_ENDS
    # A new range redraws the cached axes; so do new chart data and a resized window.
    window.plane.setRange(xRange=(-3, 5), yRange=(-2, 2), padding=0)
    window.charts.update_from({"d_loss": (np.arange(50.0), np.linspace(0, 3, 50) ** 2)})
    window.resize(window.width() - 90, window.height() - 60)
    qtbot.wait(100)
    for view in (window.plane, window.charts):
        assert _differing_pixels_without_cache(view) <= AXIS_ENDS
