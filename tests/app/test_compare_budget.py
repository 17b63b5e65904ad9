"""The Compare window's frame budget: expensive compare frames lower every plane's detail."""

from ganscope.app import compare_budget
from ganscope.app.compare_budget import WINDOW_S, CompareBudget
from ganscope.app.frame_governor import LADDER


class Plane:
    paint_seconds = 0.0


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_costly_frames_lower_the_detail_and_cheap_ones_are_left_alone(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(compare_budget.time, "perf_counter", clock)
    planes = [Plane() for _ in range(4)]
    budget = CompareBudget(planes)
    assert budget.detail() == (LADDER[0].res, LADDER[0].points, 1)
    for _ in range(3):  # frames of 20 ms at 10 fps: 60% of a 33 ms interval, within the budget
        clock.now += 0.1
        budget.drawn(0.02, playing=True)
    clock.now += WINDOW_S
    budget.drawn(0.02, playing=True)
    assert budget.governor.level == 0
    levels = []
    for _ in range(4):  # 4 planes of 30 ms each (build) plus their paint: over the frame's budget
        for p in planes:
            p.paint_seconds += 0.01
        clock.now += WINDOW_S
        budget.drawn(0.12, playing=True)
        levels.append(budget.governor.level)
    assert levels[-1] > 0 and levels == sorted(levels)
    res, points, _every = budget.detail()
    assert res < LADDER[0].res and points <= LADDER[0].points
    assert not budget.due(playing=True)  # just drawn: the next frame is not due yet
    clock.now += 1 / LADDER[levels[-1]].fps
    assert budget.due(playing=True)
    assert budget.due(playing=False)  # a paused comparison answers each command with a frame


def test_compare_planes_show_the_samples_and_the_surface_and_skip_the_rest(qtbot, small_cfg):
    from ganscope.app.compare_window import SHOWN_LAYERS, CompareWindow
    from ganscope.core.compare import CompareGroup

    win = CompareWindow(CompareGroup([("a", small_cfg), ("b", small_cfg)]))
    qtbot.addWidget(win)
    try:
        for plane in win.planes:
            assert {k for k, on in plane.visible.items() if on} == set(SHOWN_LAYERS)
        qtbot.waitUntil(lambda: win.runner.latest()[1] != [], timeout=10000)
        src = win.runner.latest()[1][0]
        frame = win.builders[0].build(src)
        assert frame.surface.size and not frame.arrows.any()  # the arrows were not computed
    finally:
        win.close()
