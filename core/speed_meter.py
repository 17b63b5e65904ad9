"""How fast training would run with the machine to itself: iterations per CPU second.

The app reports its training speed as a share of headless speed. Wall-clock it/s alone cannot say
that: it falls both when drawing takes the training core's time and when the run is simply
slower. The CPU time of the training thread counts only the time it actually trained, so
iterations / CPU seconds is the headless rate under the same conditions, and
(iterations / wall seconds) / that rate is the share the app keeps.
"""

from __future__ import annotations

import time
from collections import deque


class CpuRate:
    """Iterations per second of training-thread CPU time, over the last `window` seconds."""

    def __init__(self, window: float = 2.0):
        self.window = window
        self._spans: deque = deque()  # (wall time at end, iterations, cpu seconds)
        self._cpu0: float | None = None
        self._steps0 = 0

    def begin(self, steps: int) -> None:
        """Call before training on this thread, with the step count then."""
        self._cpu0, self._steps0 = time.thread_time(), steps

    def end(self, steps: int, other_cpu: float = 0.0) -> None:
        """Call after training on this thread, with the step count now; `other_cpu`: seconds
        another thread spent on the same iterations (the training process's spectrum thread)."""
        if self._cpu0 is None:
            return
        self.add(steps - self._steps0, time.thread_time() - self._cpu0 + other_cpu)
        self._cpu0 = None

    def add(self, iterations: int, cpu_seconds: float, now: float | None = None) -> None:
        now = time.perf_counter() if now is None else now
        if iterations > 0 and cpu_seconds >= 0:
            self._spans.append((now, iterations, cpu_seconds))
        while self._spans and now - self._spans[0][0] > self.window:
            self._spans.popleft()

    def rate(self) -> float:
        """Iterations per CPU second (0.0 before any training)."""
        its = sum(s[1] for s in self._spans)
        cpu = sum(s[2] for s in self._spans)
        return its / cpu if cpu > 0 else 0.0
