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
        m = frame.metrics
        modes = ""
        if frame.centres is not None and "modes" in m:
            modes = f"   modes {m['modes']:.0f}/{len(frame.centres)}"
        frozen = [p for p, f in frozen_players.items() if f]
        from .i18n import translate
        t = lambda text: translate(text, self.lessons.lang)  # noqa: E731
        if modes:
            modes = f"   {t('modes')} {m['modes']:.0f}/{len(frame.centres)}"
        self.status_step.setText(
            f"{t('step')} {frame.step}   D(real) {m.get('d_real', float('nan')):.2f}   "
            f"D(fake) {m.get('d_fake', float('nan')):.2f}{modes}"
            + (f"   {t('frozen')}: {', '.join(frozen)}" if frozen else ""))
        rec = f"● REC {recorder.frames} frames   " if recorder is not None else ""
        self.status_rate.setText(rec + rates)
