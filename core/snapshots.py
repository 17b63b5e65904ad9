"""A run's bounded snapshot history: rewind to any kept step, or branch from it with other settings.

A snapshot is everything a GanEngine needs to continue exactly: the config at that moment, both
players' weights, both optimisers' state, the training random stream, the step, frozen players,
reset counts and a lesson's script, plus the metrics row of that step. A run restored from a
snapshot at step s and trained to t is bit-identical to the original trained from s to t (CPU;
tested).

Which snapshots are kept: one at least every `interval` steps is taken; the newest `recent` are
always kept (dense recent history), and so is the oldest (the start). When more than `capacity`
are held, the older one whose removal leaves the smallest gap *relative to its age* goes, so older
history thins out geometrically: after 100,000 steps at interval 100 with capacity 64, the kept
steps near the start are ~9% of their age apart, the newest 100 steps apart.

Memory bound (stated, and tested over a 100k-step run): at most `capacity` snapshots of at most
`snapshot_bound(engine)` bytes each, which is 4 bytes x (parameters of G and D) x 3 (weights and
the optimiser's two slots: Adam's moments, or RMSProp's average and momentum) plus OVERHEAD bytes
(the random state, step counters, the config text). `capacity` is `max_snapshots`, lowered so that
capacity x snapshot_bound stays within `budget_bytes` (never below MIN_CAPACITY).
Snapshot tensors always live on the CPU, whatever device trains the run.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field

import numpy as np
import torch

OVERHEAD = 16 << 10  # random state (5 KB), step counters, script: far below 16 KiB
DEFAULT_BUDGET = 256 << 20  # 256 MiB of snapshots per run at most
DEFAULT_INTERVAL = 100  # a snapshot every 100 steps (the default evaluation interval)
DEFAULT_RECENT = 16  # the last 16 kept at every interval: 1,600 dense steps by default
DEFAULT_MAX = 64  # snapshots per run at most, whatever the budget would allow
MIN_CAPACITY = 3  # the start, one older, the newest


@dataclass
class Snapshot:
    step: int
    state: dict  # restore_state-compatible, without the metric histories
    metrics: dict = field(default_factory=dict)
    nbytes: int = 0  # tensor bytes held plus the config text

    @property
    def config_json(self) -> str:
        return self.state["config"]


def count_params(engine) -> int:
    return sum(p.numel() for p in (*engine.G.parameters(), *engine.D.parameters()))


def snapshot_bound(engine) -> int:
    """The most bytes one snapshot of this engine can hold (see the module docstring)."""
    return 4 * 3 * count_params(engine) + OVERHEAD + len(engine.cfg.to_json(indent=None))


def take_snapshot(engine, config_json: str | None = None) -> Snapshot:
    """A snapshot of the engine now (copies on the CPU; the engine is not changed)."""
    cfg = config_json if config_json is not None else engine.cfg.to_json(indent=None)
    from .session_check import FORMAT, VERSION

    state = {
        "format": FORMAT,
        "version": VERSION,
        "config": cfg,
        "step": int(engine.step_count),
        "frozen": dict(engine.frozen),
        "resets": dict(engine._resets),
        "G": _cpu_copy(engine.G.state_dict()),
        "D": _cpu_copy(engine.D.state_dict()),
        "opt_g": _cpu_copy(engine.opt_g.state_dict()),
        "opt_d": _cpu_copy(engine.opt_d.state_dict()),
        "rng": engine.gen.get_state().clone(),
        "live": {
            "schedule": [list(a) for a in engine.schedule],
            "stop_at": engine.stop_at,
            "players": list(engine.players),
            "status": engine.status,
            "message": engine.message,
        },
    }
    return Snapshot(int(engine.step_count), state, engine.metrics(), _tensor_bytes(state) + len(cfg))


def restore_snapshot(engine, snap: Snapshot, history_from=None) -> None:
    """Make `engine` continue exactly from `snap`. Its metric histories become those of
    `history_from` (an engine, e.g. the original run) up to the snapshot's step, or empty.
    The snapshot itself is never shared with the engine, so it stays valid."""
    from .session import restore_state

    state = _clone(snap.state)
    state["history"], state["evals"] = _histories_until(engine, history_from, snap.step)
    restore_state(engine, state)


def branch(snap: Snapshot, changes: dict | None = None, history_from=None, device: str | None = None):
    """A new GanEngine continuing from `snap` with `changes` ({'d_opt.lr': 1e-4, ...}) applied as
    live edits would be (a learning rate keeps the optimiser's state; a new architecture starts
    that player afresh). The original run and the snapshot are untouched."""
    from .config import GanConfig
    from .engine import GanEngine

    cfg = GanConfig.from_json(snap.config_json)
    if device:
        cfg.run.device = device
    engine = GanEngine(cfg)
    restore_snapshot(engine, snap, history_from)
    if changes:
        engine.update_many(dict(changes))
    return engine


class SnapshotHistory:
    """The kept snapshots of one run, oldest first, within a stated memory bound.

    Parameters
    ----------
    interval : int
        Steps between snapshots (at least; `take_due` takes one when this many have passed).
    recent : int
        The newest snapshots always kept at every interval.
    max_snapshots, budget_bytes : int
        Capacity: at most max_snapshots, and fewer if their bound would pass budget_bytes.
    """

    def __init__(
        self,
        interval: int = DEFAULT_INTERVAL,
        recent: int = DEFAULT_RECENT,
        max_snapshots: int = DEFAULT_MAX,
        budget_bytes: int = DEFAULT_BUDGET,
    ):
        if interval < 1 or recent < 1 or max_snapshots < MIN_CAPACITY or budget_bytes < 1:
            raise ValueError(
                "snapshot history: interval >= 1, recent >= 1, "
                f"max_snapshots >= {MIN_CAPACITY} and a positive budget are required"
            )
        self.interval, self.recent = int(interval), int(recent)
        self.max_snapshots, self.budget_bytes = int(max_snapshots), int(budget_bytes)
        self.snapshots: list[Snapshot] = []
        self.per_snapshot = 0  # the largest snapshot_bound seen
        self._owner: weakref.ref | None = None  # the engine these snapshots are of (weakly): another one starts afresh
        self.lock = threading.RLock()  # the app takes snapshots on its training thread

    # --- the stated bound ---------------------------------------------------------------------
    def capacity(self, per_snapshot: int | None = None) -> int:
        per = per_snapshot or self.per_snapshot or 1
        return max(MIN_CAPACITY, min(self.max_snapshots, self.budget_bytes // per))

    def bound_bytes(self, engine=None) -> int:
        """The memory these snapshots can never exceed (for `engine`, or for what was seen)."""
        per = max(self.per_snapshot, snapshot_bound(engine) if engine is not None else 0)
        return self.capacity(per) * per

    @property
    def nbytes(self) -> int:
        return sum(s.nbytes for s in self.snapshots)

    # --- taking -------------------------------------------------------------------------------
    @property
    def steps(self) -> list[int]:
        return [s.step for s in self.snapshots]

    def __len__(self) -> int:
        return len(self.snapshots)

    def take_due(self, engine) -> bool:
        """Take a snapshot if `interval` steps passed since the last one; True if one was taken.

        A step below the newest kept one means the run went back (a reset, a rewind): kept
        snapshots from that abandoned future are dropped first."""
        with self.lock:
            if self._owner is not None and self._owner() is not engine:
                self.clear()  # a new run (a preset, a session): the old one's history is not its past
            self._owner = weakref.ref(engine)
            step = engine.step_count
            if self.snapshots and step < self.snapshots[-1].step:
                self.drop_after(step - 1)
            if self.snapshots and step - self.snapshots[-1].step < self.interval:
                return False
            self.take(engine)
            return True

    def take(self, engine) -> Snapshot:
        with self.lock:
            return self._take(engine)

    def _take(self, engine) -> Snapshot:
        self.per_snapshot = max(self.per_snapshot, snapshot_bound(engine))
        cfg = engine.cfg.to_json(indent=None)
        if self.snapshots and self.snapshots[-1].config_json == cfg:
            cfg = self.snapshots[-1].config_json  # one shared string while the config is unchanged
        snap = take_snapshot(engine, cfg)
        if self.snapshots and self.snapshots[-1].step == snap.step:
            self.snapshots[-1] = snap  # the same step again (after an edit): the newest state wins
        else:
            self.snapshots.append(snap)
        self._thin()
        return snap

    def add(self, snap: Snapshot) -> None:
        """Keep a snapshot made elsewhere (a loaded session), in step order, within the bound."""
        with self.lock:
            self.snapshots = sorted([s for s in self.snapshots if s.step != snap.step] + [snap], key=lambda s: s.step)
            self._thin()

    def current(self, engine) -> Snapshot:
        """The kept snapshot of the engine's current step, taken now if there is none."""
        with self.lock:
            snap = self.at(engine.step_count)
            if snap is None or snap.step != engine.step_count:
                snap = take_snapshot(engine)
                self.per_snapshot = max(self.per_snapshot, snapshot_bound(engine))
                self.add(snap)
            return snap

    def adopt(self, engine) -> None:
        """These snapshots are of `engine`'s run (a loaded session's): keep them as it trains on."""
        with self.lock:
            self._owner = weakref.ref(engine)

    def drop_after(self, step: int) -> None:
        self.snapshots = [s for s in self.snapshots if s.step <= step]

    def clear(self) -> None:
        self.snapshots = []
        self._owner = None

    def _thin(self) -> None:
        cap = self.capacity()
        while len(self.snapshots) > cap:
            del self.snapshots[thin_index(self.steps, self.recent, self.interval, cap)]

    # --- reading ------------------------------------------------------------------------------
    def at(self, step: int) -> Snapshot | None:
        """The newest kept snapshot at or before `step` (None before the first)."""
        best = None
        for s in list(self.snapshots):
            if s.step > step:
                break
            best = s
        return best

    def nearest(self, step: int) -> Snapshot | None:
        if not self.snapshots:
            return None
        return min(self.snapshots, key=lambda s: (abs(s.step - step), s.step))


def thin_index(steps: list[int], recent: int, interval: int, capacity: int) -> int:
    """Which kept snapshot to drop (pure bookkeeping): never the oldest nor the newest
    `recent`; otherwise the one whose removal leaves the smallest gap relative to its age."""
    n = len(steps)
    recent = max(1, min(recent, capacity - 2))
    now = steps[-1]
    candidates = range(1, n - recent)
    if not candidates:
        return n - 2  # capacity below recent + 2 cannot happen (MIN_CAPACITY); keep the newest
    return min(candidates, key=lambda i: ((steps[i + 1] - steps[i - 1]) / (now - steps[i + 1] + interval), i))


def train_with_snapshots(engine, steps: int, history: SnapshotHistory, should_stop=None) -> int:
    """Train `steps` iterations in pieces that end on snapshot steps; returns how many ran."""
    done = 0
    history.take_due(engine)
    while done < steps and engine.status == "ok":
        if should_stop is not None and should_stop():
            break
        to_next = history.interval - engine.step_count % history.interval
        ran = engine.step(min(to_next, steps - done))
        if ran == 0:
            break
        done += ran
        history.take_due(engine)
    return done


def _histories_until(engine, source, step: int) -> tuple[dict, dict]:
    out = []
    for mine, theirs in (
        (engine.history, getattr(source, "history", None)),
        (engine.evaluator.history, getattr(getattr(source, "evaluator", None), "history", None)),
    ):
        if theirs is None:
            arrays = {"step": np.zeros(0)} | {n: np.zeros(0) for n in mine.names}
        else:
            arrays = theirs.as_arrays()
            keep = arrays["step"] <= step
            arrays = {k: v[keep] for k, v in arrays.items()}
        out.append({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in arrays.items()})
    return out[0], out[1]


def _cpu_copy(tree):
    """A deep copy with every tensor cloned onto the CPU (nothing shared with the engine)."""
    if isinstance(tree, torch.Tensor):
        return tree.detach().to("cpu", copy=True)
    if isinstance(tree, dict):
        return {k: _cpu_copy(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(_cpu_copy(v) for v in tree)
    return tree


def _clone(tree):
    return _cpu_copy(tree)


def _tensor_bytes(tree) -> int:
    if isinstance(tree, torch.Tensor):
        return tree.numel() * tree.element_size()
    if isinstance(tree, dict):
        return sum(_tensor_bytes(v) for v in tree.values())
    if isinstance(tree, (list, tuple)):
        return sum(_tensor_bytes(v) for v in tree)
    return 0
