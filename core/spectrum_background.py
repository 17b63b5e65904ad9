"""The game's spectrum computed beside training instead of in its way (the training process's).

Every `run.spectrum_every` steps the engine computes the game's spectrum (core.spectrum_monitor):
0.5-0.9 s of CPU on the default ring networks on a 2-core machine (measured, issue 13), during
which training, and with it every frame, stood still: the training process offered 26-28 frames a
second instead of 30. Here the spectrum is computed on a thread of its own from a copy of the
players at that step, while training goes on; the monitor records the result, at the step it was
asked for, once it is there. The values are those of the same computation on the live engine
(tested bit for bit): it reads only the weights, its own fixed batch and the config.
"""

from __future__ import annotations

import copy
import threading
import time
from collections import deque
from types import SimpleNamespace

from .state_copy import clone_state

WAIT_S = 120.0  # the longest a hand-over waits for a spectrum being computed (seconds of a busy machine)


def frozen_engine(engine) -> SimpleNamespace:
    """What the spectrum reads of a GanEngine, copied at this step (the live one trains on)."""
    G, D = copy.deepcopy(engine.G), copy.deepcopy(engine.D)
    state = {
        copied: clone_state(engine.opt_d.state.get(p, {})) for p, copied in zip(engine.D.parameters(), D.parameters())
    }
    return SimpleNamespace(
        cfg=engine.cfg.copy(),
        target=copy.deepcopy(engine.target),
        G=G,
        D=D,
        opt_d=SimpleNamespace(state=state),
        step_count=engine.step_count,
    )


class BackgroundSpectra:
    """A thread that computes spectra in the order asked; the training thread collects them."""

    def __init__(self):
        self._cond = threading.Condition()
        self._jobs: deque = deque()
        self._done: list = []
        self._busy = 0  # jobs asked for and not finished
        self._generation = 0  # bumped by discard(): results of older jobs are dropped
        self._cpu = 0.0  # CPU seconds spent, not yet taken (the training speed meter counts them)
        self._thread: threading.Thread | None = None

    def submit(self, compute, frozen) -> None:
        """Compute `compute(frozen)` on the thread (started at the first job)."""
        with self._cond:
            self._jobs.append((self._generation, frozen.step_count, compute, frozen))
            self._busy += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="ganscope-spectrum", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def finished(self, wait: bool = False) -> list[tuple[int, tuple]]:
        """(step, result) of the spectra computed since the last call, oldest first; with `wait`,
        after every job asked for is done (at most WAIT_S)."""
        with self._cond:
            if wait:
                self._cond.wait_for(lambda: self._busy == 0, WAIT_S)
            out, self._done = self._done, []
            return out

    def discard(self) -> None:
        """Forget every job asked for so far (the run was replaced): their results are dropped."""
        with self._cond:
            self._generation += 1
            self._done = []

    def take_cpu(self) -> float:
        """CPU seconds the thread spent since the last call."""
        with self._cond:
            cpu, self._cpu = self._cpu, 0.0
            return cpu

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._jobs))
                generation, step, compute, frozen = self._jobs.popleft()
            start = time.thread_time()
            try:
                result = compute(frozen)
            except Exception as exc:  # never kills the thread: the panel says why (a str result)
                result = f"{type(exc).__name__}: {exc}"
            with self._cond:
                self._cpu += time.thread_time() - start
                if generation == self._generation:
                    self._done.append((step, result))
                self._busy -= 1
                self._cond.notify_all()
