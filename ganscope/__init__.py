"""ganscope: watch a small GAN learn a 2-D distribution, live, and steer it.

The public API, for scripts and notebooks::

    from ganscope import GanConfig, GanEngine, preset_config, save_session, load_session

    engine = GanEngine(preset_config("ring"))
    engine.step(500)
    frame = build_frame(engine)          # ready-to-draw float32 arrays and the metric row
    save_session(engine, "ring.gscope")  # config, weights, optimiser state, RNG: resumes bit-identically

The engine is ``ganscope.core`` (torch + numpy, never Qt); the desktop app is ``ganscope.app``.
Names resolve lazily (PEP 562) so that ``import ganscope`` does not import torch: the app's first frame
must not wait for it.
"""

from importlib import import_module

__version__ = "0.2.0"

# public name -> module that defines it
_EXPORTS = {
    "GanConfig": "ganscope.core.config",
    "ConfigError": "ganscope.core.config",
    "GanEngine": "ganscope.core.engine",
    "Frame": "ganscope.core.frames",
    "build_frame": "ganscope.core.frames",
    "save_session": "ganscope.core.session",
    "load_session": "ganscope.core.session",
    "SessionError": "ganscope.core.session",
    "preset_names": "ganscope.core.presets",
    "preset_config": "ganscope.core.presets",
    "preset_description": "ganscope.core.presets",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value  # resolve once
        return value
    raise AttributeError(f"module 'ganscope' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
