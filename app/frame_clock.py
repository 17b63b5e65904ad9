"""When the window draws: as soon as a new frame is there and due, not at the next poll.

The window used to look for a frame every 15 ms and draw it if 29 ms had passed since the last
draw. Frames come from training about every 33 ms (the frame budget's rate), so a frame landing
just after a tick waited for the next one, and the next frame was then not yet due at the tick
after that: the window drew 2 frames out of 3 (measured: draws 46 ms apart while frames came 33 ms
apart, 14 fps of 21 made, with the UI thread idle 80% of the time). Now the training side rings
when it offers a frame (from its own thread: a queued signal), and a frame that is not due yet is
drawn by a one-shot timer at the moment it is. The poll stays, for everything else a tick does.
"""

from __future__ import annotations

from PySide6 import QtCore


class FrameClock(QtCore.QObject):
    """Calls `draw` (the window's tick) when a frame arrives and when a waiting frame falls due."""

    arrived = QtCore.Signal()

    def __init__(self, parent: QtCore.QObject, worker, draw):
        super().__init__(parent)
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(QtCore.Qt.PreciseTimer)  # a coarse timer may fire 5% late
        self._timer.timeout.connect(draw)
        self.arrived.connect(draw, QtCore.Qt.QueuedConnection)  # emitted on the worker's thread
        self._worker = worker
        worker.on_frame = self.arrived.emit

    def draw_in(self, seconds: float) -> None:
        """A new frame is waiting but is due only in `seconds`: draw it then (once)."""
        if not self._timer.isActive():
            self._timer.start(max(0, int(seconds * 1000 + 0.999)))

    def stop(self) -> None:
        """Closing: no more draws, and the worker rings nobody."""
        self._timer.stop()
        self._worker.on_frame = None
