"""The Record dialog remembers its choices (size, speed, spacing, charts, caption) between uses, and
starts from defaults that suit a slow machine: on a 2-core laptop the window draws a few frames a
second, so 20 iterations between frames at 30 frames/s turned 45 s of recording into 0.6 s of video."""

from __future__ import annotations

DEFAULT_FPS = 12  # frames/s of the video: a slow machine records few frames; they should last
DEFAULT_EVERY = 1  # iterations between kept frames: every drawn frame is kept (the draw rate limits)
KEYS = {"width": "width_", "height": "height_", "fps": "fps", "every": "every"}


def restore_dialog(dialog, settings) -> None:
    """Fill the dialog from the last recording's choices (or the slow-machine defaults)."""
    dialog.fps.setValue(int(settings.value("export/fps", DEFAULT_FPS)))
    dialog.every.setValue(int(settings.value("export/every", DEFAULT_EVERY)))
    for key in ("width", "height"):
        value = settings.value(f"export/{key}")
        if value is not None:
            getattr(dialog, KEYS[key]).setValue(int(value))
    for key in ("charts", "caption"):
        value = settings.value(f"export/{key}")
        if value is not None:
            getattr(dialog, key).setChecked(value in (True, "true"))


def remember_dialog(dialog, settings) -> None:
    for key, attr in KEYS.items():
        settings.setValue(f"export/{key}", getattr(dialog, attr).value())
    for key in ("charts", "caption"):
        settings.setValue(f"export/{key}", getattr(dialog, key).isChecked())
