"""Validate a loaded session before anything acts on it: every field's type, range and size.

A session is a file from someone else. Every tensor is copied into a fresh contiguous tensor of
the dtype and shape the config implies (a stride-0, overlapping or transposed view in the file
never reaches a kernel), sizes are compared with the config's before anything is copied, and
every plain field is checked like a config field. Sections are checked by small functions in a
registry, so a new section (say, saved snapshots) adds its own check with `register_section`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from .config import ConfigError, GanConfig
from .safe_text import one_line

FORMAT = "ganscope-session"
VERSION = 1
PLAYERS = ("G", "D")
ACTIONS = ("freeze", "unfreeze", "reset")
MAX_STEP = 10**12  # about 30 years at 1,000 it/s: larger counts are damage, not a run
MAX_CONFIG_CHARS = 32 << 20
MAX_SCHEDULE = 10_000
MAX_MESSAGE = 2_000


class StateError(ValueError):
    """A session's contents are wrong; the message names the field and what was expected."""


Check = Callable[[GanConfig, Any, str], Any]  # (config, raw value, field name) -> clean value
_SECTIONS: dict[str, tuple[Check, bool]] = {}


def register_section(name: str, check: Check, required: bool = False) -> None:
    """Add the check for one top-level section; `clean_state` keeps only checked sections."""
    _SECTIONS[name] = (check, required)


def check_header(state: Any) -> GanConfig:
    """The session's config, after checking that this is a session this version can read."""
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise StateError("not a ganscope session file")
    version = state.get("version")
    if type(version) is not int or version < 1:
        raise StateError(f"damaged: its format version {one_line(repr(version), 40)} is not a positive whole number")
    if version > VERSION:
        raise StateError(
            f"written by a newer ganscope (session format {version}; this version reads "
            f"up to {VERSION}). Update ganscope to open it."
        )
    text = state.get("config")
    if not isinstance(text, str) or len(text) > MAX_CONFIG_CHARS:
        raise StateError("damaged: its config is missing or not text")
    try:
        return GanConfig.from_json(text)
    except ConfigError as exc:
        raise StateError(f"its config is invalid: {exc}") from None


def clean_state(state: Any) -> tuple[GanConfig, dict]:
    """(config, a new state dict holding only checked, freshly copied values) or StateError."""
    cfg = check_header(state)
    from .budget import check_budget

    check_budget(cfg)  # refuse a config too big to run before building anything from it
    out = {"format": FORMAT, "version": VERSION, "config": cfg.to_json(indent=None)}
    _REFERENCE.clear()
    for name, (check, required) in _SECTIONS.items():
        if name not in state:
            if required:
                raise StateError(f"damaged: '{name}' is missing")
            continue
        out[name] = check(cfg, state[name], name)
    return cfg, out


# --- plain values -------------------------------------------------------------------------------
def whole(value: Any, name: str, lo: int, hi: int) -> int:
    if type(value) is not int or not lo <= value <= hi:
        raise StateError(f"damaged: {name}={_show(value)} must be a whole number in {lo} .. {hi}")
    return value


def player_dict(value: Any, name: str, item: Callable[[Any, str], Any]) -> dict:
    if not isinstance(value, dict) or set(value) != set(PLAYERS):
        raise StateError(f"damaged: {name} must map G and D, found {_show(value)}")
    return {p: item(value[p], f"{name}[{p}]") for p in PLAYERS}


def _flag(value: Any, name: str) -> bool:
    if type(value) is not bool:
        raise StateError(f"damaged: {name}={_show(value)} must be true or false")
    return value


def _show(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}"
    return one_line(repr(value) if isinstance(value, (int, float, str, bool, type(None))) else type(value).__name__, 60)


# --- tensors ------------------------------------------------------------------------------------
def fresh_tensor(value: Any, name: str, shape: tuple, dtypes: tuple, dtype: torch.dtype) -> torch.Tensor:
    """A new contiguous CPU tensor of `shape` and `dtype` holding `value`'s numbers, or StateError.

    The shape is compared first, so a huge view costs nothing; the copy then reads the numbers
    through whatever strides the file gave and owns a fresh, private storage."""
    if not isinstance(value, torch.Tensor) or type(value) is not torch.Tensor:
        raise StateError(f"damaged: {name} must be a tensor, found {_show(value)}")
    if value.layout != torch.strided or value.device.type != "cpu" or value.is_quantized:
        raise StateError(f"damaged: {name} is a {value.layout} tensor on {value.device}; expected a plain one")
    if tuple(value.shape) != tuple(shape):
        raise StateError(f"damaged: {name} has shape {tuple(value.shape)}, expected {tuple(shape)}")
    if value.dtype not in dtypes:
        raise StateError(f"damaged: {name} holds {value.dtype}, expected {dtypes[0]}")
    out = torch.empty(shape, dtype=dtype)
    out.copy_(value)
    return out


_REFERENCE: dict = {}  # player -> its freshly built state_dict, for one clean_state call


def _reference(cfg: GanConfig, player: str) -> tuple[dict, list]:
    """(state_dict, parameter shapes) the config implies, from a player built once per check."""
    if player not in _REFERENCE:
        from .engine import build_player

        model = build_player(cfg, player)
        _REFERENCE[player] = (model.state_dict(), [tuple(p.shape) for p in model.parameters()])
    return _REFERENCE[player]


def _model(cfg: GanConfig, value: Any, name: str) -> dict:
    ref = _reference(cfg, name)[0]
    if not isinstance(value, dict) or set(value) != set(ref):
        raise StateError(f"damaged: {name}'s weights do not match its config (expected {', '.join(ref)})")
    out = {k: fresh_tensor(value[k], f"{name}.{k}", r.shape, (r.dtype,), r.dtype) for k, r in ref.items()}
    for k, t in out.items():
        if not torch.isfinite(t).all():
            raise StateError(f"damaged: {name}.{k} holds NaN or infinite weights")
    return out


_STATE_KEYS = {"adam": {"step", "exp_avg", "exp_avg_sq"}, "rmsprop": {"step", "square_avg"}, "sgd": set()}
_OFF_FLAGS = ("amsgrad", "maximize", "nesterov", "centered", "differentiable", "decoupled_weight_decay")
_NUMBERS = ("lr", "eps", "weight_decay", "momentum", "dampening", "alpha")


def _optimizer(cfg: GanConfig, value: Any, name: str) -> dict:
    """Per-parameter state checked against the config's optimiser; hyper-parameters come from the
    config (as they do while training), so the file's copies are only checked for sanity."""
    oc = cfg.g_opt if name == "opt_g" else cfg.d_opt
    shapes = _reference(cfg, "G" if name == "opt_g" else "D")[1]
    if not isinstance(value, dict) or set(value) != {"state", "param_groups"}:
        raise StateError(f"damaged: {name} must hold 'state' and 'param_groups'")
    groups = value["param_groups"]
    if not isinstance(groups, list) or len(groups) != 1 or not isinstance(groups[0], dict):
        raise StateError(f"damaged: {name}.param_groups must be one group")
    group = groups[0]
    if group.get("params") != list(range(len(shapes))):
        raise StateError(f"damaged: {name}.param_groups does not list the {len(shapes)} parameters")
    for key in _OFF_FLAGS:
        if group.get(key) not in (None, False):
            raise StateError(f"damaged: {name}: {key}={_show(group.get(key))} is not supported")
    for key in _NUMBERS:
        if key in group and not _finite(group[key]):
            raise StateError(f"damaged: {name}.{key}={_show(group[key])} must be a finite number")
    if "betas" in group:
        b = group["betas"]
        if not (isinstance(b, (tuple, list)) and len(b) == 2 and all(_finite(v) and 0 <= v < 1 for v in b)):
            raise StateError(f"damaged: {name}.betas={_show(b)} must be two numbers in [0, 1)")
    state = value["state"]
    if not isinstance(state, dict) or not set(state) <= set(range(len(shapes))):
        raise StateError(f"damaged: {name}.state must be indexed by parameter number")
    keys = set(_STATE_KEYS[oc.kind])
    if oc.momentum > 0 and oc.kind in ("sgd", "rmsprop"):
        keys.add("momentum_buffer")
    clean: dict = {}
    for i, st in state.items():
        where = f"{name}.state[{i}]"
        if not isinstance(st, dict):
            raise StateError(f"damaged: {where} must be a dict")
        if set(st) != keys and not (oc.kind == "sgd" and set(st) <= keys):
            raise StateError(
                f"damaged: {where} holds {sorted(st)}; a {oc.kind} optimiser with this "
                f"config keeps {sorted(keys) or 'nothing'}"
            )
        clean[i] = {}
        for k, v in st.items():
            if k == "step":
                clean[i][k] = _step_tensor(v, f"{where}.step")
            elif v is None and k == "momentum_buffer":
                clean[i][k] = None
            else:
                t = fresh_tensor(v, f"{where}.{k}", shapes[i], (torch.float32,), torch.float32)
                if not torch.isfinite(t).all() or (k in ("exp_avg_sq", "square_avg") and (t < 0).any()):
                    raise StateError(f"damaged: {where}.{k} holds values no optimiser produces")
                clean[i][k] = t
    return {"state": clean, "param_groups": [group]}  # the group is replaced on restore


def _step_tensor(v: Any, name: str) -> torch.Tensor:
    t = (
        fresh_tensor(v, name, (), (torch.float32, torch.float64, torch.int64, torch.int32), torch.float32)
        if isinstance(v, torch.Tensor)
        else None
    )
    if t is None or not math.isfinite(float(t)) or not 0 <= float(t) <= MAX_STEP:
        raise StateError(f"damaged: {name}={_show(v)} must be a single count in 0 .. {MAX_STEP}")
    return t


def _finite(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _rng(_cfg: GanConfig, value: Any, name: str) -> torch.Tensor:
    n = torch.Generator().get_state().numel()
    return fresh_tensor(value, name, (n,), (torch.uint8,), torch.uint8)


def _series(names: tuple[str, ...]) -> Check:
    def check(cfg: GanConfig, value: Any, name: str) -> dict:
        if not isinstance(value, dict) or "step" not in value:
            raise StateError(f"damaged: {name} must map series names to values, with 'step'")
        steps = value["step"]
        n = steps.shape[0] if isinstance(steps, torch.Tensor) and steps.dim() == 1 else -1
        if not 0 <= n <= max(cfg.run.history, 4):  # compared before anything is copied
            raise StateError(
                f"damaged: {name}.step must be a list of at most {cfg.run.history} "
                f"steps (run.history), found {_show(steps)}"
            )
        floats = (torch.float64, torch.float32)
        out = {"step": fresh_tensor(steps, f"{name}.step", (n,), floats, torch.float64)}
        if not torch.isfinite(out["step"]).all():
            raise StateError(f"damaged: {name}.step holds NaN or infinite steps")
        for key in names:  # other keys are left out: nothing acts on them
            if key in value:
                out[key] = fresh_tensor(value[key], f"{name}.{key}", (n,), floats, torch.float64)
        return out

    return check


def _live(_cfg: GanConfig, value: Any, name: str) -> dict:
    """What a running app keeps: checked like everything else before the engine obeys it."""
    want = {"schedule", "stop_at", "players", "status", "message"}
    # Older versions also sent a (never set) "view_extent": checked below, then left out.
    if not isinstance(value, dict) or not want <= set(value) <= want | {"view_extent"}:
        raise StateError(f"damaged: {name} must hold {', '.join(sorted(want))}")
    sched = value["schedule"]
    if not isinstance(sched, list) or len(sched) > MAX_SCHEDULE:
        raise StateError(f"damaged: {name}.schedule must be a list of at most {MAX_SCHEDULE} actions")
    clean_sched = []
    for i, a in enumerate(sched):
        if (
            not isinstance(a, (list, tuple))
            or len(a) != 3
            or type(a[0]) is not int
            or not 0 <= a[0] <= MAX_STEP
            or a[1] not in ACTIONS
            or a[2] not in PLAYERS
        ):
            raise StateError(f"damaged: {name}.schedule[{i}]={_show(a)} must be (step, {'|'.join(ACTIONS)}, G|D)")
        clean_sched.append((a[0], a[1], a[2]))
    if [a[0] for a in clean_sched] != sorted(a[0] for a in clean_sched):
        raise StateError(f"damaged: {name}.schedule is not in step order")
    stop = value["stop_at"]
    if stop is not None:
        whole(stop, f"{name}.stop_at", 0, MAX_STEP)
    players = value["players"]
    if (
        not isinstance(players, (list, tuple))
        or not players
        or len(set(players)) != len(players)
        or not set(players) <= set(PLAYERS)
    ):
        raise StateError(f"damaged: {name}.players={_show(players)} must name G, D or both")
    if value["status"] not in ("ok", "diverged"):
        raise StateError(f"damaged: {name}.status={_show(value['status'])} must be ok or diverged")
    message = value["message"]
    if not isinstance(message, str):
        raise StateError(f"damaged: {name}.message must be text")
    extent = value.get("view_extent")
    if extent is not None:
        if (
            not isinstance(extent, (list, tuple))
            or len(extent) != 4
            or not all(_finite(v) for v in extent)
            or not (extent[0] < extent[1] and extent[2] < extent[3])
            or max(abs(v) for v in extent) > 1e12
        ):
            raise StateError(f"damaged: {name}.view_extent must be (xmin, xmax, ymin, ymax), finite")
        extent = tuple(float(v) for v in extent)
    return {
        "schedule": clean_sched,
        "stop_at": stop,
        "players": tuple(players),
        "status": value["status"],
        "message": one_line(message, MAX_MESSAGE),
    }


def _spectrum(cfg: GanConfig, value: Any, name: str) -> dict:
    """The game spectrum's last eigenvalues and history (core.spectrum_monitor.state)."""
    from .spectrum_monitor import SPECTRUM_SERIES

    if not isinstance(value, dict) or set(value) != {"step", "h", "values", "history"}:
        raise StateError(f"damaged: {name} must hold step, h, values and history")
    step = whole(value["step"], f"{name}.step", -1, MAX_STEP)  # -1: none computed yet
    h = value["h"]
    if type(h) is not float or not math.isfinite(h) or not 0 <= h <= 1e6:
        raise StateError(f"damaged: {name}.h={_show(h)} must be a finite step size")
    vals = value["values"]
    k = vals.shape[1] if isinstance(vals, torch.Tensor) and vals.dim() == 2 and vals.shape[0] == 2 else -1
    if not 0 <= k <= 10_000:  # compared before anything is copied
        raise StateError(f"damaged: {name}.values must be a (2, k) array, k <= 10000, found {_show(vals)}")
    values = fresh_tensor(vals, f"{name}.values", (2, k), (torch.float64, torch.float32), torch.float64)
    history = _series(SPECTRUM_SERIES)(cfg, value["history"], f"{name}.history")
    return {"step": step, "h": h, "values": values, "history": history}


def _register_builtin() -> None:
    from .engine import TRAIN_SERIES
    from .evaluation import EVAL_SERIES

    register_section("step", lambda _c, v, n: whole(v, n, 0, MAX_STEP), required=True)
    register_section("frozen", lambda _c, v, n: player_dict(v, n, _flag), required=True)
    register_section("resets", lambda _c, v, n: player_dict(v, n, lambda x, m: whole(x, m, 0, 10**9)), required=True)
    for name, check in (
        ("G", _model),
        ("D", _model),
        ("opt_g", _optimizer),
        ("opt_d", _optimizer),
        ("rng", _rng),
        ("history", _series(TRAIN_SERIES)),
        ("evals", _series(EVAL_SERIES)),
    ):
        register_section(name, check, required=True)
    register_section("live", _live)
    register_section("spectrum", _spectrum)  # sessions written before the spectrum existed have none


_register_builtin()
