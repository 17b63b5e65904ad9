"""The window's frame budget: measures what each drawn frame costs the UI thread, asks the
governor (app.frame_governor) for a detail level, applies it, and says so in the status bar.

What a frame costs: building it (D on the surface grid, G and its push on the points), handing
the arrays to the views, and the paint that follows (timed by the views' paint events).
"""

from __future__ import annotations

import time

from ganscope.core.surface_grid import native_bf16

from .frame_governor import FrameGovernor, Measurement
from .i18n_messages import message

WINDOW_S = 0.5  # seconds per measurement fed to the governor
EARLY = 0.75  # a frame may be drawn this share of an interval after the last: frames come on the
# training side's steady clock at the level's rate, a late one followed by an early one; holding
# the early one for a full interval dropped the one after it (a frame in 4 was never drawn)
UNPAINTED_S = 0.25  # the longest a drawn frame that was never painted holds the next one back
BF16 = native_bf16()  # the screen's surface in bfloat16 where the CPU does it natively: 2x less
# for its largest product, under one colour step of difference (core.surface_grid); recordings float32
OFFERED_PER_DRAWN = 1.06  # the training side is asked for frames this much more often than the level
# draws: at exactly the level's rate, the frames that a paint or a chunk delays past the next one's
# arrival are replaced, and the window drew 29.1-29.5 of the 30.1 frames/s offered (issue 13)
CHART_FRAMES = 6  # charts redraw at most every 6th frame: their four plots and axes cost more
# to paint than the plane (profiled), so when frames are few, charts are fewer


class FrameBudget:
    def __init__(self, window, governor: FrameGovernor | None = None):
        self.win = window
        self.governor = governor or FrameGovernor()
        self._last_draw = 0.0
        self._chart_at = 0.0
        self._chart_data = None
        self._since_chart = CHART_FRAMES
        self._window_start = time.perf_counter()
        self._tick_s = 0.0
        self._frames = 0
        self._paint0 = self._paint_seconds()
        self._drawn_times: list[float] = []
        self._shown = (0, 0)  # (surface resolution, points) of the last frame drawn
        self._apply(first=True)

    # --- the window asks -------------------------------------------------------------------
    def due(self) -> bool:
        """Whether a new frame may be drawn now."""
        return self.wait_s() == 0.0

    def wait_s(self) -> float | None:
        """Seconds until a new frame may be drawn (0.0: now; None: not while minimised). Paused
        runs draw every frame (each answers a command); a minimised window draws nothing unless
        it is recording. Frames are spaced from the start of the last draw: spacing them from
        its end made every frame late by its own cost."""
        w = self.win
        if not w.worker.playing:
            return 0.0
        if w.isMinimized() and w.recorder is None:
            return None
        now = time.perf_counter()
        wait = self._last_draw + EARLY / self.governor.detail.fps - now
        if w.plane.unpainted and _on_screen(w):
            # The last frame is not on the screen yet: the next waits for its paint (the frame
            # clock rings then), or, if no paint comes (a window the system does not show), a while.
            wait = max(wait, self._last_draw + UNPAINTED_S - now)
        return max(0.0, wait)

    def charts_due(self, data) -> bool:
        """Redraw the charts only when their data changed, and at most at the level's rate."""
        if data is self._chart_data or not data:
            return False
        now = time.perf_counter()
        if self.win.worker.playing and (
            now - self._chart_at < 1.0 / self.governor.detail.chart_hz or self._since_chart < CHART_FRAMES
        ):
            return False
        self._chart_data, self._chart_at, self._since_chart = data, now, 0
        return True

    def drawn(self, frame, seconds: float) -> None:
        """A frame was drawn; `seconds` is what its tick cost (its paint is timed separately)."""
        now = time.perf_counter()
        self._last_draw = now - seconds
        self._tick_s += seconds
        self._frames += 1
        self._since_chart += 1
        self._drawn_times = [t for t in self._drawn_times if now - t < 1.0] + [now]
        self._shown = (frame.surface.shape[0] if frame.surface.ndim == 2 else 0, len(frame.fake))
        d = self.governor.detail  # a recording keeps the run's full detail; the screen may not
        self.win.worker.detail = (
            (None, None, 1, False) if self.win.recorder is not None else (d.res, d.points, d.surface_every, BF16)
        )
        if now - self._window_start >= WINDOW_S:
            self._measure(now)

    # --- the status bar ----------------------------------------------------------------------
    def fps(self) -> int:
        now = time.perf_counter()
        return sum(1 for t in self._drawn_times if now - t < 1.0)

    def share(self) -> float | None:
        """Training it/s over headless it/s, while playing at full speed (else None)."""
        w = self.win.worker
        headless = w.headless_rate()
        if not w.playing or w.speed > 0 or headless <= 0:
            return None
        return w.iterations_per_second() / headless

    def rate_text(self) -> str:
        its = self.win.worker.iterations_per_second()
        share = self.share()
        parts = [f"{its:.0f} it/s" + (f" ({share:.0%} of headless)" if share is not None else ""), f"{self.fps()} fps"]
        lowered = self.governor.describe(*self._shown)
        return "   ".join(message(p) for p in parts + ([lowered] if lowered else []))  # each part in the UI's language

    # --- inside ------------------------------------------------------------------------------
    def _paint_seconds(self) -> float:
        return self.win.plane.paint_seconds + self.win.charts.paint_seconds

    def _measure(self, now: float) -> None:
        elapsed = now - self._window_start
        paint = self._paint_seconds()
        frame_ms = (self._tick_s + paint - self._paint0) / max(1, self._frames) * 1000
        m = Measurement(frame_ms=frame_ms, fps=self._frames / elapsed, share=self.share())
        self._window_start, self._tick_s, self._frames, self._paint0 = now, 0.0, 0, paint
        if self.win.worker.playing and self.governor.update(m):
            self._apply()

    def _apply(self, first: bool = False) -> None:
        d = self.governor.detail
        w = self.win.worker
        w.detail = (d.res, d.points, d.surface_every, BF16)
        interval = 1.0 / (d.fps * OFFERED_PER_DRAWN)
        if first:
            w.frame_interval = self._interval = interval  # before the worker starts
        elif interval != self._interval:
            self._interval = interval
            w.set_frame_interval(interval)


def _on_screen(window) -> bool:
    """Whether the plane is painted when it changes: shown, in a window the system shows (a
    minimised window that records still draws frames, and is never painted)."""
    handle = window.windowHandle()
    return window.plane.isVisible() and not window.isMinimized() and handle is not None and handle.isExposed()
