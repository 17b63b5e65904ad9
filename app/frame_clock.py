"""When the window draws: as soon as a new frame is there and due, not at the next poll.

The window used to look for a frame every 15 ms and draw it if 29 ms had passed since the last
draw. Frames come from training about every 33 ms (the frame budget's rate), so a frame landing
just after a tick waited for the next one, and the next frame was then not yet due at the tick
after that: the window drew 2 frames out of 3 (measured: draws 46 ms apart while frames came 33 ms
apart, 14 fps of 21 made, with the UI thread idle 80% of the time). Now the training side rings
when it offers a frame (from its own thread: a posted event), and a frame that is not due yet is
drawn by a one-shot timer at the moment it is. The poll stays, for everything else a tick does.

A frame is drawn only once the one before it has been painted (app.frame_budget): when drawing
took longer than frames came, new draws went before the repaints, and 4 frames in 10 were built
and never shown, costing the UI thread what the ones shown needed.
"""

from __future__ import annotations

import threading

from PySide6 import QtCore

FRAME_EVENT = QtCore.QEvent.Type(QtCore.QEvent.registerEventType())
LOW = QtCore.Qt.EventPriority.LowEventPriority.value  # postEvent takes an int


class FrameClock(QtCore.QObject):
    """Calls `draw` (the window's tick) when a frame arrives and when a waiting frame falls due."""

    def __init__(self, parent: QtCore.QObject, worker, plane, draw):
        super().__init__(parent)
        self._draw = draw
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(QtCore.Qt.PreciseTimer)  # a coarse timer may fire 5% late
        self._timer.timeout.connect(draw)
        self._pending = threading.Event()  # a ring is posted and not yet handled
        self._worker = worker
        worker.on_frame = self.ring
        plane.viewport().installEventFilter(self)

    def ring(self) -> None:
        """A frame was offered (called on the worker's thread). Posted at Qt's low priority, as Qt
        posts a window's repaint: at normal priority, a ring that came while the UI thread drew
        went before the repaint of the frame just drawn, and while drawing took longer than the
        frames came the window drew 15 frames a second and painted one every two seconds."""
        if not self._pending.is_set():
            self._pending.set()
            QtCore.QCoreApplication.postEvent(self, QtCore.QEvent(FRAME_EVENT), LOW)

    def event(self, ev: QtCore.QEvent) -> bool:
        if ev.type() == FRAME_EVENT:
            self._pending.clear()
            self._draw()
            return True
        return super().event(ev)

    def draw_in(self, seconds: float) -> None:
        """A new frame is waiting but is due only in `seconds`: draw it then (once)."""
        ms = max(0, int(seconds * 1000 + 0.999))
        if not self._timer.isActive() or self._timer.remainingTime() > ms:
            self._timer.start(ms)

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802 (Qt's name)
        if ev.type() == QtCore.QEvent.Paint:
            self.ring()  # the plane is painting the last frame: the next may be drawn after it
        return False

    def stop(self) -> None:
        """Closing: no more draws, and the worker rings nobody."""
        self._timer.stop()
        self._worker.on_frame = None
