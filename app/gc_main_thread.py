"""Python's garbage collector, run from the GUI thread only.

Why: a cyclic collection runs in whichever thread happens to allocate. When that is the training
thread and the garbage holds Qt objects (pyqtgraph's menus and items of a closed recorder or
panel), Qt destroys them off the GUI thread while the GUI thread waits for a Qt lock: the app
deadlocks. (The 10,000-action monkey test found exactly this.) So automatic collection is off
while a window is open, and a timer collects from the GUI thread instead, as pyqtgraph's own
GarbageCollector does.
"""

from __future__ import annotations

import gc

from PySide6 import QtCore


def freeze_start_up_objects() -> None:
    """Move everything alive now (modules, torch, the window: objects that live as long as the
    app) out of the collector's sight. A full collection then looks only at what the app made
    since: closing the window spent 1.5 s in it on a busy 2-core machine, and each full
    collection while running held the UI thread about as long. No collection first (that took
    0.4 s of start-up): the little garbage frozen with them is never freed, which costs less."""
    gc.freeze()


_users = 0  # windows relying on this; automatic collection comes back when none are left
_was_enabled = True


class MainThreadGC:
    def __init__(self, parent: QtCore.QObject, interval_ms: int = 500):
        global _users, _was_enabled
        if _users == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _users += 1
        self.timer = QtCore.QTimer(parent)
        self.timer.timeout.connect(self.collect)
        self.timer.start(interval_ms)
        self._stopped = False

    def collect(self) -> None:
        """The generations whose allocation counts passed their thresholds, as automatic GC would."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        for generation in (2, 1, 0):
            if counts[generation] > thresholds[generation]:
                gc.collect(generation)
                return

    def stop(self) -> None:
        global _users
        if self._stopped:
            return
        self._stopped = True
        self.timer.stop()
        gc.collect()  # here, on the GUI thread, while it is safe
        _users -= 1
        if _users == 0 and _was_enabled:
            gc.enable()
