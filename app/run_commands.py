"""The UI's commands for a run, with tickets: one engine's (app.worker) or a compare group's
(app.compare_runner).

The UI thread submits commands, functions of the run's subject (its engine or its group); the
training thread runs them in order between chunks, or the relay to the training process
(app.worker_process) does, and a ticket is done once its command and every one before it have run
(and the frame after them was offered). A command that raises is reported and never stops training.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable


class RunCommands:
    def __init__(self, subject: Callable[[], object], wake: threading.Event, on_error=None):
        self._subject = subject  # the engine or group the commands act on (it may be replaced)
        self._wake = wake  # set on every submit: the training thread may be waiting for work
        self.on_error = on_error
        self._queue: queue.Queue = queue.Queue()  # (ticket, command, live edit or None)
        self._issued = 0
        self._done = 0

    def submit(self, command, live: tuple | None = None) -> int:
        """Queue command(subject); returns its ticket. `live` says the same edit for a playing
        training process to carry out itself (see core.play.LIVE_OPS)."""
        self._issued += 1
        self._queue.put((self._issued, command, live))
        self._wake.set()
        return self._issued

    @property
    def issued(self) -> int:
        """The ticket of the last command submitted."""
        return self._issued

    def done(self, ticket: int) -> bool:
        """Whether the command with this ticket has run (and a frame after it exists)."""
        return self._done >= ticket

    def finish(self, ticket: int) -> None:
        """The command with this ticket, and every one before it, counts as done."""
        self._done = max(self._done, ticket)

    def waiting(self) -> bool:
        return not self._queue.empty()

    def take(self) -> tuple | None:
        """The next (ticket, command, live) waiting, or None."""
        try:
            return self._queue.get_nowait()
        except queue.Empty:
            return None

    def run(self, command) -> bool:
        """command(subject); a command that raises is reported, and False returned."""
        try:
            command(self._subject())
            return True
        except Exception as exc:  # a bad command must never kill training
            self.report_error(exc)
            return False

    def report_error(self, exc: BaseException) -> None:
        if self.on_error:
            self.on_error(exc)

    def run_waiting(self) -> int | None:
        """Run every command waiting; the last one's ticket (None if none waited). The caller offers
        a frame, then finish()es the ticket, so that a done command's effect is on the screen."""
        last = None
        while (item := self.take()) is not None:
            ticket, command, _live = item
            self.run(command)
            last = ticket
        return last
