"""Save and load a whole run: config, weights, optimiser states, metric history, RNG, drawn target.

The file is a torch archive read back with `weights_only=True`, so loading never executes code
from the file; it holds only tensors, numbers, strings, lists and dicts. Writes are atomic.
"""
from __future__ import annotations

import io
import pickle
from pathlib import Path

import torch

from .atomic import atomic_write_bytes
from .config import ConfigError, GanConfig
from .engine import GanEngine

FORMAT = "ganscope-session"
VERSION = 1


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
    """Rebuild an engine from a session file; malformed or foreign files raise SessionError."""
    path = Path(path)
    if not path.is_file():
        raise SessionError(f"{path}: no such file")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise SessionError(f"{path}: refused: the file holds objects other than plain data "
                           f"(possibly code); nothing was executed ({str(exc).splitlines()[0]})") from None
    except Exception as exc:  # damaged input makes torch.load raise many types; all mean the same
        raise SessionError(f"{path}: not a readable ganscope session (truncated or corrupt: "
                           f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise SessionError(f"{path}: not a ganscope session file")
    version = state.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise SessionError(f"{path}: written by a newer ganscope (session format {version}; this "
                           f"version reads up to {VERSION}). Update ganscope to open it.")
    try:
        cfg = GanConfig.from_json(state["config"])
        if device:
            cfg.run.device = device
        engine = GanEngine(cfg)
        restore_state(engine, state)
    except ConfigError as exc:
        raise SessionError(f"{path}: its config is invalid: {exc}") from None
    except (KeyError, TypeError, RuntimeError, ValueError) as exc:
        raise SessionError(f"{path}: damaged session ({type(exc).__name__}: {exc})") from None
    return engine


def live_state(engine: GanEngine) -> dict:
    """engine_state plus what a file leaves out but a running app keeps: the lesson's script,
    which players train and the divergence status. Used to hand a run between
    the app and its training process, where the two must continue identically."""
    state = engine_state(engine)
    state["live"] = {
        "schedule": [list(a) for a in engine.schedule], "stop_at": engine.stop_at,
        "players": list(engine.players), "status": engine.status, "message": engine.message,
    }
    return state


def restore_state(engine: GanEngine, state: dict) -> None:
    """Make `engine` (the same object: callers keep their references) continue exactly from
    `state`. Its players are rebuilt first when the state's config differs."""
    cfg = GanConfig.from_json(state["config"])
    cfg.run.device = engine.cfg.run.device  # a state names where it ran, not where it goes
    if cfg.to_json() != engine.cfg.to_json():
        engine.cfg = cfg
        engine.reset_all()
    engine._resets = {k: int(v) for k, v in state["resets"].items()}
    engine.G.load_state_dict(state["G"])
    engine.D.load_state_dict(state["D"])
    engine.opt_g.load_state_dict(state["opt_g"])
    engine.opt_d.load_state_dict(state["opt_d"])
    engine.gen.set_state(state["rng"])
    engine.step_count = int(state["step"])
    engine.frozen = {k: bool(v) for k, v in state["frozen"].items()}
    engine.history.load_arrays({k: v.numpy() for k, v in state["history"].items()})
    engine.evaluator.history.load_arrays({k: v.numpy() for k, v in state["evals"].items()})
    if "spectrum" in state:  # sessions written before the spectrum existed have none
        engine.spectrum.load_state(state["spectrum"])
    live = state.get("live")
    if live is not None:
        engine.schedule = [tuple(a) for a in live["schedule"]]
        engine.stop_at = live["stop_at"]
        engine.players = tuple(live["players"])
        engine.status, engine.message = live["status"], live["message"]
    engine._snapshot()


def state_to_bytes(state: dict) -> bytes:
    buf = io.BytesIO()
    torch.save(state, buf)
    return buf.getvalue()


def state_from_bytes(data: bytes) -> dict:
    return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)


__all__ = ["SessionError", "save_session", "load_session", "atomic_write_bytes", "live_state",
           "restore_state", "state_to_bytes", "state_from_bytes"]
