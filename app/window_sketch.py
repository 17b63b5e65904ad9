"""Drawing a target on the plane, and dragging mixture centres: the main window's sketch commands."""

from __future__ import annotations

import numpy as np

from ganscope.app.draw_toolbar import show_draw_state


class SketchTool:
    """The main window's drawing commands; MainWindow owns one (`window.sketch_tool`).

    Parameters
    ----------
    window : MainWindow
        For its status line (`say`), errors (`_show_error`), file dialog (`_ask_path`), run keeper
        (`keeper`) and `set_drawn_points`, which hands a drawn target to the engine.
    sketch, plane, panel, worker
        The drawing being made, the plane it is drawn on, the control panel, and the worker whose
        engine trains on it.
    """

    def __init__(self, window, sketch, plane, panel, worker):
        self.window, self.sketch, self.plane, self.panel, self.worker = window, sketch, plane, panel, worker

    def action(self, key: str, arg: str):
        """A drawing action of the control panel ('draw', 'eraser', 'brush', 'undo', ...)."""
        if key == "draw":
            self.set_draw_mode(bool(int(arg)))
        elif key == "eraser":
            self.sketch.eraser = bool(int(arg))
        elif key == "brush":
            self.sketch.brush = float(arg)
        elif key == "undo" and self.sketch.undo():
            return self._commit()
        elif key == "clear_sketch":
            self.sketch.clear()
            self.plane.sketch.setData(pos=self.sketch.points)
        elif key == "save_points":
            self.save_points()
        return None

    def set_draw_mode(self, on: bool) -> None:
        self.panel.set_checked("draw", on)
        show_draw_state(self.window, on)
        t = self.worker.engine.cfg.target
        if on and not len(self.sketch.points) and t.kind == "points":
            self.sketch.points = np.asarray(t.points, dtype=np.float64).reshape(-1, 2)
        self.plane.getViewBox().draw_handler = self.on_draw if on else None
        self.plane.sketch.setData(pos=self.sketch.points if on else np.zeros((0, 2)))
        self.window.say(
            "Drawing: drag on the plane to paint the target; the GAN trains on it as soon as a stroke ends"
            if on
            else "Drawing off",
            6000,
        )

    def on_draw(self, x: float, y: float, starting: bool, finishing: bool) -> None:
        if starting:
            self.sketch.begin_stroke()
        self.sketch.dab(x, y)
        self.plane.sketch.setData(pos=self.sketch.points)
        if finishing:
            self._commit()

    def sync_handles(self, frame) -> None:
        """Mixture targets get a draggable marker per component; others none."""
        centres = frame.centres if self.worker.engine.cfg.target.kind == "mixture" else None
        n = 0 if centres is None else len(centres)
        if n != len(self.plane.handles):
            self.plane.set_handles(centres, self.move_components)

    def move_components(self, centres: list) -> int:
        """New mixture centres (after a drag): the target changes, training goes on."""
        shown = self.worker.engine.cfg.copy().target
        shown.centres = centres
        self.panel.mixture.show_config(shown)  # the table follows the drag
        self.window.keeper.edited()
        return self.worker.submit(
            lambda e: e.update("target.centres", centres), live=("update", "target.centres", centres)
        )

    def _commit(self):
        self.plane.sketch.setData(pos=self.sketch.points)
        if len(self.sketch.points) == 0:
            return None  # an empty drawing is not a target: keep training on the last one
        return self.window.files.set_drawn_points(self.sketch.points.tolist())

    def save_points(self, path: str | None = None) -> bool:
        from ganscope.core.session import atomic_write_bytes

        pts = (
            np.asarray(self.worker.engine.cfg.target.points)
            if self.worker.engine.cfg.target.kind == "points"
            else self.sketch.points
        )
        if len(pts) == 0:
            self.window._show_error("Nothing to save", "Draw or import a target first.")
            return False
        path = path or self.window._ask_path(True, "Save points", "target.csv", "CSV (*.csv)")
        if not path:
            return False
        text = "x,y\n" + "".join(f"{x:.6g},{y:.6g}\n" for x, y in np.asarray(pts).reshape(-1, 2))
        try:
            atomic_write_bytes(path, text.encode())
        except OSError as exc:
            self.window._show_error("Cannot save points", str(exc))
            return False
        return True
