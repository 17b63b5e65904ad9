"""The seed note's phenomena as one-click scenarios: a preset plus a script, a lesson in English and
Chinese, and the detectors it is expected to fire.

A scenario is a preset file (core/presets/lesson-*.json) with a "scenario" block:
  title, lesson      {"en": ..., "zh": ...}
  steps              how long the one-click run trains
  players            who trains ("D" alone for the Arjovsky-Bottou experiment); default both
  script             [{"at": step, "do": "freeze" | "unfreeze" | "reset", "player": "G" | "D"}]
  expect, expect_not detectors that must fire at some point / must not be active at the end
The app plays the same script through GanEngine.schedule, so a user sees exactly what the tests
check.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from .config import ConfigError
from .presets import PRESET_DIR, preset_config
from .run_loop import DONE, Callback, DetectorLog, LoopState, run_loop

LANGUAGES = ("en", "zh")
ACTIONS = ("freeze", "unfreeze", "reset")


@dataclass
class Scenario:
    name: str
    title: dict
    lesson: dict
    steps: int
    players: tuple = ("D", "G")
    script: list = field(default_factory=list)
    expect: list = field(default_factory=list)
    expect_not: list = field(default_factory=list)
    order: int = 0

    def text(self, lang: str) -> tuple[str, str]:
        lang = lang if lang in LANGUAGES else "en"
        return self.title.get(lang) or self.title["en"], self.lesson.get(lang) or self.lesson["en"]

    def config(self, seed: int | None = None):
        cfg = preset_config(self.name)
        if seed is not None:
            cfg.set("run.seed", seed)
        return cfg

    def install(self, engine) -> None:
        """Give the engine this scenario's script and stopping point (step counts from now)."""
        start = engine.step_count
        engine.schedule = sorted(
            ((start + a["at"], a["do"], a["player"]) for a in self.script), key=lambda item: item[0]
        )
        engine.stop_at = start + self.steps
        engine.players = tuple(self.players)
        engine.run_schedule()  # actions at step 0 happen before the first iteration


def scenario_names() -> list[str]:
    return [s.name for s in all_scenarios()]


def all_scenarios() -> list[Scenario]:
    out = []
    for path in PRESET_DIR.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        if "scenario" in data:
            out.append(_parse(path.stem, data["scenario"]))
    return sorted(out, key=lambda s: (s.order, s.name))


def load_scenario(name: str) -> Scenario:
    for s in all_scenarios():
        if s.name == name:
            return s
    raise ConfigError(f"unknown scenario '{name}' (known: {', '.join(scenario_names())})")


def _parse(name: str, block: dict) -> Scenario:
    for a in block.get("script", []):
        if a.get("do") not in ACTIONS or a.get("player") not in ("G", "D"):
            raise ConfigError(f"scenario {name}: bad script action {a!r}")
    return Scenario(
        name=name,
        title=block["title"],
        lesson=block["lesson"],
        steps=int(block["steps"]),
        players=tuple(block.get("players", ("D", "G"))),
        script=list(block.get("script", [])),
        expect=list(block.get("expect", [])),
        expect_not=list(block.get("expect_not", [])),
        order=int(block.get("order", 0)),
    )


def run_scenario(name: str, seed: int | None = None, steps: int | None = None, check_every: int = 100, until=None):
    """Train a scenario headless; returns (engine, {detector: first step it fired}).
    `until(engine, fired)`, if given, ends the run early once it returns True (a test's verdict
    that is already decided)."""
    from .engine import GanEngine

    s = load_scenario(name)
    engine = GanEngine(s.config(seed))
    s.install(engine)
    if steps is not None:
        engine.stop_at = engine.step_count + steps
    detectors = DetectorLog(engine)
    callbacks: list = [detectors]
    if until is not None:
        callbacks.append(_Until(until, engine, detectors.fired))
    stop_at = engine.stop_at if engine.stop_at is not None else engine.step_count
    run_loop(engine, max(stop_at - engine.step_count, 0), chunks=check_every, callbacks=callbacks)
    return engine, detectors.fired


class _Until(Callback):
    """Ends the loop once `until(engine, fired)` holds (runs after DetectorLog has noted the chunk)."""

    def __init__(self, until, engine, fired: dict):
        self.until, self.engine, self.fired = until, engine, fired

    def on_chunk(self, state: LoopState) -> None:
        if self.until(self.engine, self.fired):
            state.stop(DONE)
