"""The Compare window's frame budget: the single-run window's governor (app.frame_governor) for all
of its planes at once.

Why: a compare frame is 2 to 4 planes, each built on the UI thread (D on the surface grid, G's
push on the points); at the single-run view's full detail four of them took over a second a frame
on a busy 2-core machine. The governor measures what a whole compare frame costs (build, hand-over
and the planes' paint) and lowers the surface resolution, the points, the chart rate and the frame
rate in the same order and with the same hysteresis as for one plane. It answers to the frame's
cost only: training's share, fed to it while the runs trained on the window's thread, did not help
(docs/benchmarks.md #16); the runs now train in the training process (app.compare_runner).
"""

from __future__ import annotations

import time

from .frame_governor import FrameGovernor, Measurement

WINDOW_S = 0.5  # seconds per measurement fed to the governor
SLACK_S = 0.004  # a frame due within this is drawn now (the draw timer ticks every 15 ms)


class CompareBudget:
    def __init__(self, planes, governor: FrameGovernor | None = None):
        self.planes = planes
        self.governor = governor or FrameGovernor()
        self._last_draw = self._chart_at = 0.0
        self._window_start = time.perf_counter()
        self._tick_s, self._frames = 0.0, 0
        self._paint0 = self._paint_seconds()

    def detail(self) -> tuple[int, int, int]:
        """(surface resolution, points) at most for each plane now, and every how many frames the
        surface is recomputed (core.frames.FrameBuilder)."""
        d = self.governor.detail
        return d.res, d.points, d.surface_every

    def due(self, playing: bool) -> bool:
        """A new frame may be drawn now (a paused comparison draws every frame: each answers a command)."""
        return not playing or time.perf_counter() - self._last_draw >= 1.0 / self.governor.detail.fps - SLACK_S

    def charts_due(self, playing: bool) -> bool:
        now = time.perf_counter()
        if playing and now - self._chart_at < 1.0 / self.governor.detail.chart_hz:
            return False
        self._chart_at = now
        return True

    def drawn(self, seconds: float, playing: bool) -> None:
        """A compare frame was drawn; `seconds` is what its tick cost (the paint is timed by the planes)."""
        now = time.perf_counter()
        self._last_draw = now
        self._tick_s += seconds
        self._frames += 1
        if now - self._window_start >= WINDOW_S:
            paint = self._paint_seconds()
            frame_ms = (self._tick_s + paint - self._paint0) / self._frames * 1000
            m = Measurement(frame_ms=frame_ms, fps=self._frames / (now - self._window_start), share=None)
            self._window_start, self._tick_s, self._frames, self._paint0 = now, 0.0, 0, paint
            if playing:
                self.governor.update(m)

    def _paint_seconds(self) -> float:
        return sum(p.paint_seconds for p in self.planes)
