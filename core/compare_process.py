"""A compare group (core.compare) in the training process (core.train_process), as the single-run
view's engine is: the hand-over state of the whole group, the lockstep it plays to, and the child's
side of it (GroupSubject, beside train_process.EngineSubject).

Why: trained on a thread of the app, the group's 2-4 engines shared one GIL with the planes' frame
building, and the Compare window kept 39% of the group's headless speed where the single-run view,
training in its own process, kept 84% (docs/benchmarks.md #16).

A group's state is every run's `live_state` with what the group booked for it (time, steps,
detectors fired), the lockstep's stop and the batching choice. Live edits name the run they change
(its index, or None for all) before the engine method's own arguments.
"""

from __future__ import annotations

from .frame_messages import FrameMessages
from .play import LIVE_OPS, play
from .session_check import StateError

GROUP_FORMAT = "ganscope-compare-group"
# A lockstep call of 4 default runs lasts about this long: 2 iterations (each engine call has ~1 ms of
# its own cost; 4 ring runs made 74 lockstep it/s per CPU second in calls of 1, the 10 ms of a single
# engine's, 88 in calls of 2 and 103 in calls of 50). Frames, due every 33-42 ms, still come between.
GROUP_CHUNK_SECONDS = 0.02


class Lockstep:
    """A compare group trained up to `stop_at` (None: on and on), for core.run_loop: `step(n)` returns
    0 when the group can go no further (its stop reached, or no run left training)."""

    def __init__(self, group, stop_at: int | None = None):
        self.group, self.stop_at = group, stop_at

    @property
    def status(self) -> str:
        return "ok" if any(e.status == "ok" for e in self.group.engines) else "diverged"

    @property
    def step_count(self) -> int:
        return self.group.step_count

    def step(self, n: int) -> int:
        if self.stop_at is not None:
            n = min(n, self.stop_at - self.group.step_count)
        return self.group.step(n) if n > 0 else 0


def group_state(group, stop_at: int | None) -> dict:
    """Everything the training process needs to continue `group` exactly (and to hand it back)."""
    from .session import live_state

    return {
        "format": GROUP_FORMAT,
        "stop_at": stop_at,
        "batched": group.batched,
        "runs": [
            {
                "label": r.label,
                "seconds": float(r.seconds),
                "steps_run": int(r.steps_run),
                "fired": {str(k): int(v) for k, v in r.fired.items()},
                "state": live_state(r.engine),
            }
            for r in group.runs
        ],
    }


def is_group_state(state) -> bool:
    return isinstance(state, dict) and state.get("format") == GROUP_FORMAT


def restore_group(group, state: dict) -> None:
    """Make `group`'s runs (the same objects: callers keep their references) continue from `state`."""
    from .session import restore_state

    runs = state.get("runs")
    if not isinstance(runs, list) or len(runs) != len(group.runs):
        raise StateError(f"a compare group's state for {len(group.runs)} runs holds another number of runs")
    for run, saved in zip(group.runs, runs):
        restore_state(run.engine, saved["state"])
        run.seconds, run.steps_run = float(saved["seconds"]), int(saved["steps_run"])
        run.fired = {str(k): int(v) for k, v in saved["fired"].items()}


class GroupSubject:
    """What the training process plays for a Compare window: the group, in lockstep to its stop."""

    chunk_seconds = GROUP_CHUNK_SECONDS

    def __init__(self, state: dict):
        from .compare import CompareGroup
        from .config import GanConfig
        from .engine import GanEngine

        runs = [(str(r["label"]), GanEngine(GanConfig.from_json(r["state"]["config"]))) for r in state["runs"]]
        self.group = CompareGroup.of_engines(runs)
        self.lockstep = Lockstep(self.group)
        self.frames = [FrameMessages(detections=False) for _ in runs]  # the compare view shows no verdicts
        self.load(state)

    def load(self, state: dict) -> None:
        restore_group(self.group, state)
        self.lockstep.stop_at = state["stop_at"]
        self.group.batched = state["batched"]
        for f in self.frames:
            f.cfg_dirty = True

    @property
    def ok(self) -> bool:
        return self.lockstep.status == "ok"

    @property
    def step_count(self) -> int:
        return self.group.step_count

    def play(self, speed: int, due: float, chunks, interrupted) -> bool:
        return play(self.lockstep, speed, due, chunks, interrupted)

    def apply(self, name: str, args: tuple) -> None:
        if name not in LIVE_OPS or not args:
            raise ValueError(f"not a live edit: {name}")
        run, rest = args[0], args[1:]
        for i, (e, f) in enumerate(zip(self.group.engines, self.frames)):
            if run is None or i == run:
                getattr(e, name)(*rest)
                f.cfg_dirty = True

    def state(self) -> dict:
        return group_state(self.group, self.lockstep.stop_at)

    def frame(self, force_all: bool) -> dict:
        return {
            "step": self.group.step_count,
            "status": self.lockstep.status,
            "runs": [f.message(e, force_all) for f, e in zip(self.frames, self.group.engines)],
        }
