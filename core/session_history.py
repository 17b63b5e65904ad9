"""A session's timeline: the run's kept snapshots, its branches and compare groups, saved with it.

The timeline is one more key ("timeline") in an ordinary session file (core.session), with a
version of its own, so:
- a session without it (every older one) opens with an empty timeline;
- an older ganscope opens a session with a timeline and simply ignores it;
- a timeline from a newer ganscope is left out with a message, and the run itself still opens.

Nothing in the file is trusted: the file is read with torch's weights_only loader (no code runs),
every tensor's type and shape is checked against the players its own config builds, numbers are
range-checked and text is cleaned before anyone shows it. A bad timeline raises SessionError and
names what is wrong.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import torch

from .atomic import atomic_write_bytes
from .config import ConfigError, GanConfig
from .engine import GanEngine
from .session import SessionError, engine_state, load_session, restore_state, state_from_bytes, state_to_bytes
from .snapshots import Snapshot, SnapshotHistory

KEY = "timeline"
FORMAT = "ganscope-timeline"
VERSION = 1
MAX_SNAPSHOTS = 1024  # refuse files claiming more: no real history keeps this many
MAX_RUNS = 16  # branches and compared runs saved with one session
MAX_LABEL = 80
MAX_CONFIGS = 32  # different configs among the snapshots (each is checked against players built
# from it, so a file with a thousand would take minutes to open)
MAIN = "main"  # the label of the session's own run in compare groups


@dataclass
class SavedRun:
    """A branch (parent set) or another compared run, with its whole state."""

    label: str
    engine: GanEngine
    parent: str | None = None
    parent_step: int | None = None
    changes: dict = field(default_factory=dict)


@dataclass
class Timeline:
    history: SnapshotHistory = field(default_factory=SnapshotHistory)
    runs: list[SavedRun] = field(default_factory=list)
    groups: list[list[str]] = field(default_factory=list)  # labels; MAIN is the session's own run
    warning: str = ""  # why a timeline was left out, if it was


def timeline_state(t: Timeline) -> dict:
    h = t.history
    return {
        "format": FORMAT,
        "version": VERSION,
        "interval": h.interval,
        "recent": h.recent,
        "max_snapshots": h.max_snapshots,
        "budget_bytes": h.budget_bytes,
        "snapshots": [{"step": s.step, "state": s.state, "metrics": dict(s.metrics)} for s in h.snapshots],
        "runs": [
            {
                "label": r.label,
                "parent": r.parent,
                "parent_step": r.parent_step,
                "changes": {k: v for k, v in r.changes.items()},
                "state": engine_state(r.engine),
            }
            for r in t.runs
        ],
        "groups": [list(g) for g in t.groups],
    }


def save_with_timeline(engine: GanEngine, path: str | Path, timeline: Timeline) -> None:
    """An ordinary session file (atomic) that also carries the timeline."""
    atomic_write_bytes(path, timeline_session_bytes(engine, timeline))


def timeline_session_bytes(engine: GanEngine, timeline: Timeline) -> bytes:
    """The bytes save_with_timeline writes (a caller that must not lose them on a failed write
    hands them to core.outputs.write_or_fallback)."""
    state = engine_state(engine)
    state[KEY] = timeline_state(timeline)
    return state_to_bytes(state)


def load_with_timeline(path: str | Path, device: str | None = None) -> tuple[GanEngine, Timeline]:
    """The run (as core.session.load_session reads it) and its timeline, checked."""
    engine = load_session(path, device=device)
    try:
        state = state_from_bytes(Path(path).read_bytes())
    except Exception as exc:  # load_session read it a moment ago: the file changed in between
        raise SessionError(f"{path}: could not be read again ({type(exc).__name__})") from None
    return engine, read_timeline(state.get(KEY) if isinstance(state, dict) else None, engine, str(path))


def read_timeline(block, engine: GanEngine, where: str = "session") -> Timeline:
    if block is None:
        return Timeline()
    try:
        if not isinstance(block, dict) or block.get("format") != FORMAT:
            raise SessionError("its timeline is not a ganscope timeline")
        version = block.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise SessionError("its timeline has no valid version")
        if version > VERSION:
            return Timeline(
                warning=f"{where}: its timeline (rewind and branches) was written by a newer "
                f"ganscope (timeline format {version}; this version reads up to {VERSION}) "
                f"and was left out; the run itself is open"
            )
        history = SnapshotHistory(
            interval=_int(block, "interval", 1, 10**9),
            recent=_int(block, "recent", 1, MAX_SNAPSHOTS),
            max_snapshots=_int(block, "max_snapshots", 3, MAX_SNAPSHOTS),
            budget_bytes=_int(block, "budget_bytes", 1, 1 << 40),
        )
        snaps = _list(block, "snapshots", MAX_SNAPSHOTS)
        templates: dict[str, GanEngine] = {}
        last = -1
        for i, item in enumerate(snaps):
            snap = _snapshot(item, templates, engine, f"snapshot {i}")
            if snap.step <= last:
                raise SessionError(f"snapshot {i}: steps must increase")
            last = snap.step
            history.snapshots.append(snap)
        for s in history.snapshots:
            history.per_snapshot = max(history.per_snapshot, s.nbytes)
        if len(history.snapshots) > history.capacity():
            raise SessionError(f"{len(history.snapshots)} snapshots, more than its own bound allows")
        runs = [_run(item, engine, f"run {i}") for i, item in enumerate(_list(block, "runs", MAX_RUNS))]
        labels = [MAIN] + [r.label for r in runs]
        if len(set(labels)) != len(labels):
            raise SessionError("two runs share a label")
        for r in runs:
            if r.parent is not None and r.parent not in labels:
                raise SessionError(f"run {r.label!r}: its parent {r.parent!r} is not in the session")
        groups = []
        for g in _list(block, "groups", MAX_RUNS):
            g = [clean_text(x) for x in g] if isinstance(g, list) and all(isinstance(x, str) for x in g) else None
            if g is None or not 2 <= len(g) <= 4 or not all(x in labels for x in g):
                raise SessionError("a compare group names 2 to 4 runs of the session")
            groups.append(g)
        return Timeline(history, runs, groups)
    except SessionError as exc:
        raise SessionError(f"{where}: damaged timeline: {exc}") from None
    except (ConfigError, KeyError, TypeError, ValueError, RuntimeError, AttributeError, IndexError) as exc:
        raise SessionError(f"{where}: damaged timeline ({type(exc).__name__}: {clean_text(str(exc))})") from None


def _snapshot(item, templates: dict, engine: GanEngine, what: str) -> Snapshot:
    if not isinstance(item, dict) or not isinstance(item.get("state"), dict):
        raise SessionError(f"{what}: not a snapshot")
    state = item["state"]
    step = _int(item, "step", 0, 10**12)
    if _int(state, "step", 0, 10**12) != step:
        raise SessionError(f"{what}: its step does not match its state")
    cfg_json = state.get("config")
    if not isinstance(cfg_json, str) or len(cfg_json) > 20_000_000:
        raise SessionError(f"{what}: no valid config")
    tpl = templates.get(cfg_json)
    if tpl is None:
        if len(templates) >= MAX_CONFIGS:
            raise SessionError(f"{what}: more than {MAX_CONFIGS} different configs among the snapshots")
        cfg = GanConfig.from_json(cfg_json)
        cfg.run.device = engine.cfg.run.device
        tpl = templates[cfg_json] = GanEngine(cfg)
        tpl.step(1)  # optimiser state exists, so its layout can be compared
    _check_model(state.get("G"), tpl.G, f"{what}: G")
    _check_model(state.get("D"), tpl.D, f"{what}: D")
    for key, opt in (("opt_g", tpl.opt_g), ("opt_d", tpl.opt_d)):
        _check_optimizer(state.get(key), opt, f"{what}: {key}")
    rng = state.get("rng")
    ref = tpl.gen.get_state()
    if not isinstance(rng, torch.Tensor) or rng.dtype != ref.dtype or rng.shape != ref.shape:
        raise SessionError(f"{what}: bad random state")
    _check_small_dicts(state, what)
    metrics = item.get("metrics", {})
    if (
        not isinstance(metrics, dict)
        or len(metrics) > 64
        or not all(
            isinstance(k, str) and isinstance(v, (int, float)) and not isinstance(v, bool) for k, v in metrics.items()
        )
    ):
        raise SessionError(f"{what}: bad metrics row")
    # Restoring it into the template proves it restores (every remaining check of torch's loaders).
    snap = Snapshot(step, state, {clean_text(k): float(v) for k, v in metrics.items()})
    from .snapshots import _tensor_bytes

    snap.nbytes = _tensor_bytes(state) + len(cfg_json)
    _try_restore(tpl, snap, what)
    return snap


def _try_restore(tpl: GanEngine, snap: Snapshot, what: str) -> None:
    from .snapshots import restore_snapshot

    try:
        restore_snapshot(tpl, snap)
    except (ConfigError, KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise SessionError(f"{what}: does not restore ({type(exc).__name__}: {clean_text(str(exc))})") from None


def _check_model(sd, model, what: str) -> None:
    ref = model.state_dict()
    if not isinstance(sd, dict) or set(sd) != set(ref):
        raise SessionError(f"{what}: its weights do not fit the players its config builds")
    for k, v in ref.items():
        t = sd[k]
        if not isinstance(t, torch.Tensor) or t.dtype != v.dtype or t.shape != v.shape:
            raise SessionError(f"{what}: weight {clean_text(str(k))} has the wrong type or shape")


def _check_optimizer(sd, opt, what: str) -> None:
    ref = opt.state_dict()
    if (
        not isinstance(sd, dict)
        or not isinstance(sd.get("state"), dict)
        or not isinstance(sd.get("param_groups"), list)
    ):
        raise SessionError(f"{what}: not an optimiser state")
    if len(sd["param_groups"]) != len(ref["param_groups"]):
        raise SessionError(f"{what}: parameter groups do not fit")
    params = [p for g in opt.param_groups for p in g["params"]]
    for key, entry in sd["state"].items():
        if not isinstance(key, int) or not 0 <= key < len(params) or not isinstance(entry, dict):
            raise SessionError(f"{what}: state for an unknown parameter")
        for name, t in entry.items():
            if not isinstance(t, torch.Tensor) or not t.is_floating_point():
                raise SessionError(f"{what}: {clean_text(str(name))} is not a float tensor")
            if name == "step":
                if t.numel() != 1 or not math.isfinite(float(t)) or float(t) < 0:
                    raise SessionError(f"{what}: bad step count")
            elif t.shape != params[key].shape:
                raise SessionError(f"{what}: {clean_text(str(name))} has the wrong shape")
    for g in sd["param_groups"]:
        if not isinstance(g, dict) or not all(
            isinstance(v, (int, float, bool, str, list, tuple, type(None))) for v in g.values()
        ):
            raise SessionError(f"{what}: bad parameter group")


def _check_small_dicts(state: dict, what: str) -> None:
    frozen, resets, live = state.get("frozen"), state.get("resets"), state.get("live")
    if (
        not isinstance(frozen, dict)
        or set(frozen) != {"G", "D"}
        or not all(isinstance(v, bool) for v in frozen.values())
    ):
        raise SessionError(f"{what}: bad frozen flags")
    if (
        not isinstance(resets, dict)
        or set(resets) != {"G", "D"}
        or not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 10**9 for v in resets.values())
    ):
        raise SessionError(f"{what}: bad reset counts")
    if not isinstance(live, dict):
        raise SessionError(f"{what}: no script state")
    sched = live.get("schedule")
    if (
        not isinstance(sched, list)
        or len(sched) > 1000
        or not all(
            isinstance(a, list)
            and len(a) == 3
            and isinstance(a[0], int)
            and a[1] in ("freeze", "unfreeze", "reset")
            and a[2] in ("G", "D")
            for a in sched
        )
    ):
        raise SessionError(f"{what}: bad script")
    players = live.get("players")
    if not isinstance(players, list) or not players or not set(players) <= {"G", "D"}:
        raise SessionError(f"{what}: bad players")
    stop = live.get("stop_at")
    if stop is not None and (not isinstance(stop, int) or isinstance(stop, bool) or stop < 0):
        raise SessionError(f"{what}: bad stopping point")
    if live.get("status") not in ("ok", "diverged") or not isinstance(live.get("message"), str):
        raise SessionError(f"{what}: bad status")
    live["message"] = clean_text(live["message"], 500)
    ext = live.get("view_extent")
    if ext is not None and (
        not isinstance(ext, list)
        or len(ext) != 4
        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in ext)
    ):
        raise SessionError(f"{what}: bad view extent")


def _run(item, engine: GanEngine, what: str) -> SavedRun:
    if not isinstance(item, dict) or not isinstance(item.get("state"), dict):
        raise SessionError(f"{what}: not a run")
    label = item.get("label")
    if not isinstance(label, str) or not clean_text(label):
        raise SessionError(f"{what}: no label")
    label = clean_text(label)
    parent, parent_step = item.get("parent"), item.get("parent_step")
    if parent is not None and not isinstance(parent, str):
        raise SessionError(f"{what}: bad parent")
    if parent_step is not None and (
        not isinstance(parent_step, int) or isinstance(parent_step, bool) or parent_step < 0
    ):
        raise SessionError(f"{what}: bad branching step")
    changes = item.get("changes", {})
    if not isinstance(changes, dict) or len(changes) > 64:
        raise SessionError(f"{what}: bad changes")
    state = item["state"]
    for key in ("history", "evals"):
        _check_series(state.get(key), f"{what}: {key}")
    try:
        cfg = GanConfig.from_json(state["config"])
        cfg.run.device = engine.cfg.run.device
        for path, value in changes.items():  # the recorded changes must be valid settings too
            GanConfig().set(str(path), value)
        run = GanEngine(cfg)
        _check_model(state.get("G"), run.G, f"{what}: G")
        _check_model(state.get("D"), run.D, f"{what}: D")
        run.step(1)
        for key, opt in (("opt_g", run.opt_g), ("opt_d", run.opt_d)):
            _check_optimizer(state.get(key), opt, f"{what}: {key}")
        restore_state(run, state)
    except SessionError:
        raise
    except (ConfigError, KeyError, TypeError, ValueError, RuntimeError, AttributeError) as exc:
        raise SessionError(f"{what}: does not restore ({type(exc).__name__}: {clean_text(str(exc))})") from None
    return SavedRun(
        label,
        run,
        clean_text(parent) if parent else None,
        parent_step,
        {clean_text(str(k)): v for k, v in changes.items()},
    )


def _check_series(series, what: str) -> None:
    if not isinstance(series, dict) or "step" not in series or len(series) > 64:
        raise SessionError(f"{what}: not a metric history")
    lengths = set()
    for k, v in series.items():
        if not isinstance(k, str) or not isinstance(v, torch.Tensor) or v.dim() != 1 or not v.is_floating_point():
            raise SessionError(f"{what}: bad series")
        lengths.add(len(v))
    if len(lengths) != 1 or lengths.pop() > 1_000_000:
        raise SessionError(f"{what}: series of different or excessive lengths")


def _int(d: dict, key: str, lo: int, hi: int) -> int:
    v = d.get(key)
    if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
        raise SessionError(f"{key}={clean_text(repr(v), 40)}: must be a whole number in {lo}..{hi}")
    return v


def _list(d: dict, key: str, most: int) -> list:
    v = d.get(key, [])
    if not isinstance(v, list) or len(v) > most:
        raise SessionError(f"{key}: must be a list of at most {most}")
    return v


def clean_text(text: str, most: int = MAX_LABEL) -> str:
    """Printable characters only (no control or bidi codes), shortened: safe to show anywhere."""
    out = "".join(
        ch
        for ch in str(text)
        if ch.isprintable() and not 0x202A <= ord(ch) <= 0x202E and not 0x2066 <= ord(ch) <= 0x2069
    )
    return out[:most].strip()
