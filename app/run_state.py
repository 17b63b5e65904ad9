"""What the window shows about the run: starting afresh, the preset box, the status line, the title.

A new run (preset, lesson, New, a session or a sweep cell) must not show anything of the previous
one: the drawing's grey ghost, the trails, detector marks and draw mode all belonged to it.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from PySide6 import QtCore

from ganscope.core.presets import preset_config, preset_names

DASH = "–"  # what a value not measured yet reads as (never "nan")


def forget_previous_run(window, ticket: int | None) -> None:
    """Clear every trace of the previous run from the views; frames the old engine still sends
    (until the worker has run `ticket`, the hand-over) are not drawn."""
    from ganscope.app.sketch import Sketch

    window._handover_ticket = ticket or 0
    window.plane.clear_trails()
    window.charts.clear_marks()
    window.detect_label.hide()
    if window.plane.getViewBox().draw_handler is not None:
        window.sketch_tool.set_draw_mode(False)
    window.sketch = Sketch()
    window.plane.sketch.setData(pos=np.zeros((0, 2)))
    window.stall_banner.hide()
    window.end_card.stop()


def still_old_run(window) -> bool:
    """Whether the newest frame may still come from the engine being replaced."""
    return not window.worker.done(getattr(window, "_handover_ticket", 0))


def matching_preset(cfg) -> str | None:
    """The preset whose configuration this is, if any."""

    def key(c) -> dict:
        d = c.to_dict()
        d.get("run", {}).pop("seed", None)  # the same preset with another seed is still that preset
        return d

    want = key(cfg)
    for name in preset_names():
        try:
            if key(preset_config(name)) == want:
                return name
        except Exception:  # noqa: BLE001 (a broken preset file must not stop the window)
            continue
    return None


def show_preset(box, name: str | None) -> None:
    """The Preset box names the loaded preset, or reads "custom" (never a preset that is not loaded)."""
    with QtCore.QSignalBlocker(box):
        index = box.findText(name) if name else -1
        box.setPlaceholderText("custom")
        box.setCurrentIndex(index)


def number(value, spec: str = ".2f") -> str:
    """A metric for people: a dash where it is not measured (None, NaN, infinite)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return DASH
    return format(v, spec) if math.isfinite(v) else DASH


def status_line(frame, frozen: list[str], t) -> str:
    """The status bar's left text; `t` translates a word."""
    m = frame.metrics
    modes = ""
    if frame.centres is not None and "modes" in m:
        modes = f"   {t('modes')} {number(m['modes'], '.0f')}/{len(frame.centres)}"
    return (
        f"{t('step')} {frame.step}   D(real) {number(m.get('d_real'))}   "
        f"D(fake) {number(m.get('d_fake'))}{modes}" + (f"   {t('frozen')}: {', '.join(frozen)}" if frozen else "")
    )


def refresh_title(window) -> None:
    """Qt's convention: "file[*] — app", with [*] shown while there are unsaved changes."""
    name = Path(window.session_path).name if window.session_path else "untitled"
    title = f"{name}[*] — ganscope"
    if window.windowTitle() != title:
        window.setWindowTitle(title)
    dirty = window.keeper.dirty()
    if window.isWindowModified() != dirty:
        window.setWindowModified(dirty)


def save_session_as(window) -> int | None:
    """Save As: always asks where (Save saves to the current file)."""
    path = window._ask_path(True, "Save session", window.session_path or "run.gscope", "ganscope session (*.gscope)")
    return window.files.save_session(path) if path else None
