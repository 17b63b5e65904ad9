"""One progress bar for every long headless job (training, sweeps, animation export).

On a terminal the line is redrawn in place; written to a file or a pipe (CI logs), it prints one
line per tenth of the work instead, so a log stays short and still shows that the job moves.
"""

from __future__ import annotations

import sys

WIDTH = 30  # characters of the bar itself


class ProgressBar:
    """`update(done)` after each piece of work, `finish()` once at the end.

    Parameters
    ----------
    total : int
        How much work there is (iterations, frames).
    label : str
        Printed before the bar ("sweep", "frames"); empty for none.
    unit : str
        What the rate counts, e.g. "it" gives "123 it/s".
    stream : file, optional
        Where to write; standard error by default, so standard output stays the result.
    """

    def __init__(self, total: int, label: str = "", unit: str = "it", stream=None, clock=None):
        import time

        self.total = max(int(total), 1)
        self.label = label
        self.unit = unit
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._clock = clock or time.perf_counter
        self._start = self._clock()
        # (time, done) of the first update: the rate and ETA count from there once more work is done,
        # so a start-up before the first piece of work (a sweep's worker processes, 1-5 s) does not
        # make them read slow for the whole run.
        self._first: tuple[float, int] | None = None
        self._next_line = 0  # without a terminal: the work done when the next line is due
        self._drawn = False

    def update(self, done: int, extra: str = "") -> None:
        now = self._clock()
        if self._first is None and done > 0:
            self._first = (now, done)
        if not (self.tty or done >= self._next_line or done >= self.total):
            return
        self._next_line = done + max(self.total // 10, 1)
        since, done_then = self._first if self._first is not None and done > self._first[1] else (self._start, 0)
        elapsed = now - since
        rate = (done - done_then) / elapsed if elapsed > 0 else 0.0
        eta = (self.total - done) / rate if rate > 0 else 0.0
        filled = int(WIDTH * min(done, self.total) / self.total)
        head = f"{self.label}: " if self.label else ""
        start, end = ("\r", "") if self.tty else ("", "\n")
        self.stream.write(
            f"{start}{head}[{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{self.total} "
            f"{rate:5.1f} {self.unit}/s eta {f'{eta:4.0f}s' if rate > 0 else '    ?'}{' ' + extra if extra else ''} {end}"
        )
        self.stream.flush()
        self._drawn = True

    def finish(self) -> None:
        """End a redrawn line, so what follows starts on a line of its own."""
        if self.tty and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
        self._drawn = False
