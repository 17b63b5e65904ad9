"""The frame-budget governor: how much the app may draw so that training keeps its speed.

Pure logic, no Qt and no clock: the app feeds it one measurement about twice a second (what a
drawn frame cost the UI thread, how many frames it drew, and what share of headless speed
training kept) and it answers with a detail level. A level lowers, in this order, how often the surface is
recomputed, its resolution, the points drawn, the chart rate and the frame rate. It steps down when drawing is
over its budget or training falls below the goal while drawing takes a real part of the machine;
it steps back up only after a calm spell, and waits longer each time a step up had to be undone,
so it never see-saws. A step down that did not raise training's share (the machine is busy with
other work, say) is not repeated: less drawing would cost the picture and win nothing. For
training's goal it lowers detail freely but the frame rate only down to SMOOTH_FPS; below that
only when training falls under FLOOR_SHARE (a busy neighbour: >= 20 fps and >= 50%, issue 13).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Detail:
    fps: int  # frames drawn per second at most
    res: int  # surface resolution at most (the run's own setting may be lower)
    points: int  # real and generated points shown at most
    chart_hz: float  # chart redraws per second at most
    surface_every: int = 1  # D's surface recomputed on every n-th frame (core.frames.FrameBuilder)


LADDER = (  # level 0 is full detail; each level costs less than the one before
    Detail(30, 128, 2048, 5.0),
    Detail(30, 128, 2048, 5.0, surface_every=2),  # the surface at 15 Hz: the cheapest cut a user sees least
    Detail(30, 96, 2048, 4.0, surface_every=2),
    Detail(30, 64, 1024, 3.0),
    # The cheapest picture at the full frame rate before any frame goes: with another busy process
    # on 2 cores, the rungs that cut frames (24, then 20 fps) were reached with 64² and 1,024 points
    # still drawn, and the app drew 19 fps where it could have drawn 30 of a cheaper picture.
    Detail(30, 48, 512, 2.0, surface_every=2),
    Detail(24, 48, 512, 2.0, surface_every=2),
    Detail(20, 48, 512, 2.0, surface_every=2),
    Detail(15, 32, 512, 1.0),
    Detail(10, 32, 256, 1.0),
)
GOAL_SHARE = 0.7  # training keeps at least 70% of its headless speed
FLOOR_SHARE = 0.5  # ... and, on a machine busy with other work, never less than 50%:
SMOOTH_FPS = 24  # between the two, training's goal may cost detail but not frames below this rate
FRAME_SHARE = 0.8  # a frame may cost at most 80% of its interval on the UI thread
BUSY_FLOOR = 0.15  # below this share of a core, drawing is not what slows training
UP_MARGIN = 0.1  # step up only with this much to spare above the goal
UP_COST = 0.5  # ... and with a frame costing at most half its interval
HELPED = 0.08  # a step down for training's sake must raise its mean share by this much ...
JUDGED_OVER = 4  # ... over this many measurements after it against as many before (one 0.5 s share
# swings by +-20 points on a busy 2-core machine: judged on one, noise "helped" half the time and
# the picture fell to the bottom rung for nothing)


@dataclass
class Measurement:
    frame_ms: float  # UI-thread cost of one drawn frame (build, update, paint), mean
    fps: float  # frames drawn per second
    share: float | None  # training it/s / headless it/s; None when not training at full speed


class FrameGovernor:
    def __init__(
        self, ladder: tuple[Detail, ...] = LADDER, goal: float = GOAL_SHARE, hold_down: int = 1, hold_up: int = 6
    ):
        self.ladder = ladder
        self.goal = goal
        self.level = 0
        self.reason = ""  # why the detail is lowered, for the status bar
        self.hold_down = hold_down  # measurements to wait after a change before stepping down
        self.hold_up = hold_up  # ... before stepping up (doubles after a step up is undone)
        self._calm = 0
        self._went_up = False
        self._share_before: float | None = None  # mean share before we last stepped down for training
        self._judging: list[float] = []  # shares since that step, until JUDGED_OVER of them
        self._recent: list[float] = []  # the last JUDGED_OVER shares
        self.futile = False  # lowering detail did not help training: do not do it again

    @property
    def detail(self) -> Detail:
        return self.ladder[self.level]

    def update(self, m: Measurement) -> bool:
        """Take one measurement; True when the level changed."""
        self._calm += 1
        interval_ms = 1000.0 / self.detail.fps
        busy = m.frame_ms * m.fps / 1000.0  # share of one core spent drawing
        over_budget = m.frame_ms > FRAME_SHARE * interval_ms
        if m.share is not None:
            self._recent = (self._recent + [m.share])[-JUDGED_OVER:]
        if m.share is not None and _mean(self._recent) >= self.goal:
            self.futile = False  # training is fine again: next time, lowering detail may help
        if self._share_before is not None and m.share is not None:
            self._judging.append(m.share)
            if len(self._judging) >= JUDGED_OVER:
                self.futile = _mean(self._judging) < self._share_before + HELPED
                self._share_before, self._judging = None, []
        judging = self._share_before is not None
        starving = m.share is not None and m.share < self.goal and busy > BUSY_FLOOR and not self.futile and not judging
        if starving and self.level + 1 < len(self.ladder) and self.ladder[self.level + 1].fps < SMOOTH_FPS:
            # A frame rate below SMOOTH_FPS looks jerky: pay it only when training is below the floor.
            starving = _mean(self._recent) < FLOOR_SHARE
        if (over_budget or starving) and self._calm >= self.hold_down:
            if self.level + 1 < len(self.ladder):
                if self._went_up:  # the last step up did not hold: wait longer next time
                    self.hold_up *= 2
                self._change(+1, "frames were over budget" if over_budget else "training fell behind")
                self._share_before = _mean(self._recent) if starving and not over_budget else None
                self._judging = []
                return True
            return False
        share_ok = m.share is None or m.share >= self.goal + UP_MARGIN or self.futile
        comfortable = share_ok and m.frame_ms <= UP_COST * interval_ms
        if self.level > 0 and comfortable and self._calm >= self.hold_up:
            self._change(-1, self.reason)
            self._went_up = True
            return True
        if self._calm >= self.hold_up:
            self._went_up = False  # a step up that lasted a calm spell has held
        return False

    def _change(self, step: int, reason: str) -> None:
        self.level += step
        self._calm = 0
        self._went_up = False
        self.reason = reason if self.level > 0 else ""

    def describe(self, res: int, points: int) -> str:
        """The lowered detail in words ('' at full detail), given what is actually drawn."""
        if self.level == 0:
            return ""
        d = self.detail
        every = f" every {d.surface_every} frames" if d.surface_every > 1 else ""
        return f"{res}² surface{every}, {points:,} points, ~{d.fps} fps ({self.reason})"


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs)
