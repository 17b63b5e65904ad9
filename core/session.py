"""Save and load a whole run: config, weights, optimiser states, metric history, RNG, drawn target.

The file is a torch archive read back with `weights_only=True`, so loading never executes code
from the file; it holds only tensors, numbers, strings, lists and dicts. Its zip checksums are
verified first and every field is checked and copied (core/session_check.py). Writes are atomic.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import torch

from .atomic import atomic_write_bytes
from .config import ConfigError
from .engine import GanEngine
from .safe_text import one_line
from .session_archive import ArchiveError, check_archive
from .session_check import FORMAT, VERSION, StateError, clean_state


class SessionError(ValueError):
    """A session file cannot be read; the message says why."""


def engine_state(engine: GanEngine) -> dict:
    return {
        "format": FORMAT,
        "version": VERSION,
        "config": engine.cfg.to_json(indent=None),
        "step": engine.step_count,
        "frozen": dict(engine.frozen),
        "resets": dict(engine._resets),
        "G": engine.G.state_dict(),
        "D": engine.D.state_dict(),
        "opt_g": engine.opt_g.state_dict(),
        "opt_d": engine.opt_d.state_dict(),
        "rng": engine.gen.get_state(),
        "history": {k: torch.from_numpy(v) for k, v in engine.history.as_arrays().items()},
        "evals": {k: torch.from_numpy(v) for k, v in engine.evaluator.history.as_arrays().items()},
        "spectrum": engine.spectrum.state(),
    }


def save_session(engine: GanEngine, path: str | Path) -> None:
    atomic_write_bytes(path, state_to_bytes(engine_state(engine)))


def load_session(path: str | Path, device: str | None = None) -> GanEngine:
    """Rebuild an engine from a session file; malformed or foreign files raise SessionError.

    Nothing in the file is trusted: the container's checksums are verified, nothing is unpickled
    but plain data, and every field is checked and copied (core/session_check.py) before use."""
    path = Path(path)
    shown = one_line(path, 300)
    if path.is_dir():
        raise SessionError(f"{shown}: is a folder, not a session file")
    if not path.is_file():
        raise SessionError(f"{shown}: no such file")
    try:
        check_archive(path, path.stat().st_size)
        state = torch.load(path, map_location="cpu", weights_only=True)
    except ArchiveError as exc:
        raise SessionError(f"{shown}: not a readable ganscope session ({exc})") from None
    except pickle.UnpicklingError as exc:
        raise SessionError(
            f"{shown}: refused: the file holds objects other than plain data "
            f"(possibly code); nothing was executed "
            f"({one_line(str(exc).splitlines()[0] if str(exc) else '', 200)})"
        ) from None
    except Exception as exc:  # damaged input makes torch.load raise many types; all mean the same
        raise SessionError(
            f"{shown}: not a readable ganscope session (truncated or corrupt: "
            f"{one_line(str(exc).splitlines()[0], 200) if str(exc) else type(exc).__name__})"
        ) from None
    try:
        cfg, clean = clean_state(state)
        if device:
            cfg.run.device = device
        engine = GanEngine(cfg)
        _apply(engine, clean)
    except ConfigError as exc:
        raise SessionError(f"{shown}: its config is invalid: {one_line(exc)}") from None
    except StateError as exc:
        raise SessionError(f"{shown}: {one_line(exc)}") from None
    except (KeyError, TypeError, RuntimeError, ValueError) as exc:
        raise SessionError(f"{shown}: damaged session ({type(exc).__name__}: {one_line(exc)})") from None
    return engine


def live_state(engine: GanEngine) -> dict:
    """engine_state plus what a file leaves out but a running app keeps: the lesson's script,
    which players train and the divergence status. Used to hand a run between
    the app and its training process, where the two must continue identically."""
    state = engine_state(engine)
    state["live"] = {
        "schedule": [list(a) for a in engine.schedule],
        "stop_at": engine.stop_at,
        "players": list(engine.players),
        "status": engine.status,
        "message": engine.message,
    }
    return state


def restore_state(engine: GanEngine, state: dict) -> None:
    """Make `engine` (the same object: callers keep their references) continue exactly from
    `state`. Its players are rebuilt first when the state's config differs. The state is checked
    and copied first (StateError), so a bad one leaves the engine as it was."""
    cfg, clean = clean_state(state)
    cfg.run.device = engine.cfg.run.device  # a state names where it ran, not where it goes
    if cfg.to_json() != engine.cfg.to_json():
        engine.cfg = cfg
        engine.reset_all()
    _apply(engine, clean)


def _apply(engine: GanEngine, state: dict) -> None:
    """Put a checked state (clean_state's output, every tensor a private copy) into the engine."""
    engine._resets = dict(state["resets"])
    engine.G.load_state_dict(state["G"])
    engine.D.load_state_dict(state["D"])
    for name, opt in (("opt_g", engine.opt_g), ("opt_d", engine.opt_d)):
        # Hyper-parameters come from the config, as while training; only the per-weight state
        # comes from the file.
        opt.load_state_dict({"state": state[name]["state"], "param_groups": opt.state_dict()["param_groups"]})
    engine.gen.set_state(state["rng"])
    engine.step_count = state["step"]
    engine.frozen = dict(state["frozen"])
    engine.history.load_arrays({k: v.numpy() for k, v in state["history"].items()})
    engine.evaluator.history.load_arrays({k: v.numpy() for k, v in state["evals"].items()})
    if "spectrum" in state:  # sessions written before the spectrum existed have none
        engine.spectrum.load_state(state["spectrum"])
    live = state.get("live")
    if live is not None:
        engine.schedule = list(live["schedule"])
        engine.stop_at = live["stop_at"]
        engine.players = live["players"]
        engine.status, engine.message = live["status"], live["message"]
    engine._snapshot()


def state_to_bytes(state: dict) -> bytes:
    buf = io.BytesIO()
    torch.save(state, buf)
    return buf.getvalue()


def state_from_bytes(data: bytes) -> dict:
    """The raw state in `data` (checked by restore_state before use); SessionError if damaged."""
    try:
        check_archive(data, len(data))
    except ArchiveError as exc:
        raise SessionError(f"not a readable ganscope state ({exc})") from None
    return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)


__all__ = [
    "SessionError",
    "save_session",
    "load_session",
    "atomic_write_bytes",
    "live_state",
    "restore_state",
    "state_to_bytes",
    "state_from_bytes",
]
