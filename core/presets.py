"""Named starting points: a preset is a description plus config overrides, stored as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from .config import ConfigError, GanConfig

PRESET_DIR = Path(__file__).with_name("presets")


def preset_names() -> list[str]:
    return sorted(p.stem for p in PRESET_DIR.glob("*.json"))


def preset_description(name: str) -> str:
    return _read(name).get("description", "")


def preset_config(name: str) -> GanConfig:
    """The default config with the preset's overrides applied (validated)."""
    base = GanConfig().to_dict()
    for section, values in _read(name).get("config", {}).items():
        base.setdefault(section, {}).update(values)
    return GanConfig.from_dict(base)


def _read(name: str) -> dict:
    path = PRESET_DIR / f"{name}.json"
    if not path.is_file():
        raise ConfigError(f"unknown preset '{name}' (known: {', '.join(preset_names())})")
    return json.loads(path.read_text(encoding="utf-8"))
