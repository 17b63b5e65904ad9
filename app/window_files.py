"""The main window's files: opening and saving sessions, importing points, and swapping the run
shown for another engine. A collaborator of MainWindow (which keeps one-line entry points for the
menus, shortcuts and tests); it reaches the window's worker, timeline, keeper and menus."""

from __future__ import annotations

from pathlib import Path

from ganscope.app.run_state import forget_previous_run, matching_preset, show_preset
from ganscope.core.engine import GanEngine

RUN_KEPT = "The run stays open here, unsaved."


class WindowFiles:
    def __init__(self, window):
        self.w = window

    def import_points(self, path: str | None = None) -> int | None:
        from ganscope.core.targets import load_points

        w = self.w
        path = path or w._ask_path(False, "Import points", "", "Points (*.csv *.txt *.npy)")
        if not path:
            return None
        try:
            pts = load_points(path)
        except ValueError as exc:
            w._show_error("Cannot import points", str(exc))
            return None
        w.sketch.begin_stroke()  # the drawing becomes the imported points: Ctrl+Z brings back the old one,
        w.sketch.points = pts.astype(float).reshape(-1, 2)  # and a new stroke adds to them
        if w.plane.getViewBox().draw_handler is not None:
            w.plane.sketch.setData(pos=w.sketch.points)
        return self.set_drawn_points(pts.tolist())

    def set_drawn_points(self, points: list) -> int:
        self.w.keeper.edited()
        changes = {"target.points": points, "target.kind": "points"}
        return self.w.worker.submit(lambda e: e.update_many(changes), live=("update_many", changes))

    def open_session(self, path: str | None = None) -> bool:
        from ganscope.core.session import SessionError
        from ganscope.core.session_history import load_with_timeline

        w = self.w
        if not w.keeper.confirm_discard("opening another session"):
            return False
        path = path or w._ask_path(False, "Open session", "", "ganscope session (*.gscope)")
        if not path:
            return False
        try:
            engine, timeline = load_with_timeline(path)  # the run, its full states and its branches
        except (SessionError, ValueError) as exc:
            w._show_error("Cannot open session", str(exc))
            return False
        self.replace_engine(engine, Path(path).name)
        w.timeline.restore(timeline)
        w.keeper.new_run(engine.step_count)
        w.session_path = path
        w.menus.add_recent(path)
        return True

    def replace_engine(self, engine: GanEngine, label: str) -> int:
        """Show and train another engine (a loaded session, a sweep's cell) from now on."""
        w = self.w
        w.panel.sync(engine.cfg)
        w._preset = matching_preset(engine.cfg)
        show_preset(w.panel.preset, w._preset)
        w.say(f"Opened {label}", 6000)
        w.session_path = None  # open_session names its file after this
        ticket = w.worker.submit(lambda _e: setattr(w.worker, "engine", engine))
        forget_previous_run(w, ticket)
        return ticket

    def save_session(self, path: str | None = None) -> int | None:
        w = self.w
        path = path or w.session_path or w._ask_path(True, "Save session", "run.gscope", "ganscope session (*.gscope)")
        if not path:
            return None
        before = w.session_path
        w.session_path = path
        w.menus.add_recent(path)
        runs, edits = w.keeper.runs, w.keeper.edits

        def save(e: GanEngine):
            written, fell_back, said = w.timeline.save(e, path)  # the session with its timeline
            w.keeper.save_failed = fell_back
            if not fell_back:
                w.keeper.saved(e.step_count, runs, edits)
                return
            # Nothing is lost: the run stays open here, unsaved, under its old name; the banner says
            # where a copy went (core.outputs' fallback folders), or that none could be written.
            w.session_path = before
            w._errors.put(("error", f"{said[:1].upper()}{said[1:]}. {RUN_KEPT}"))

        return w.worker.submit(save)
