"""The main window's status line: step, D's outputs, modes and frozen players; speed and frame rate."""

from __future__ import annotations


class StatusLine:
    """Fills the status bar's two labels from each drawn frame; MainWindow owns one.

    Parameters
    ----------
    step_label, rate_label : QLabel
        Where the run's state and the speeds are shown.
    lessons : LessonsPanel
        Holds the interface language.
    """

    def __init__(self, step_label, rate_label, lessons):
        self.status_step, self.status_rate, self.lessons = step_label, rate_label, lessons

    def show(self, frame, frozen_players: dict, recorder, rates: str) -> None:
        """`rates`: it/s, fps and the detail the frame budget chose (app.frame_budget.rate_text)."""
        from .i18n import translate
        from .run_state import status_line

        frozen = [p for p, f in frozen_players.items() if f]
        self.status_step.setText(status_line(frame, frozen, lambda text: translate(text, self.lessons.lang)))
        rec = f"● REC {recorder.frames} frames   " if recorder is not None else ""
        self.status_rate.setText(rec + rates)
