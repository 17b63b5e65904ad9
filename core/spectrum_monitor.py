"""The game's spectrum over a run: computed every `run.spectrum_every` steps, kept as a history.

It runs where the engine evaluates its metrics (the training process, in the app), right after an
evaluation, so the steps it is computed at do not depend on how callers chunk their calls. It uses
its own fixed batch (core.game_spectrum), never the training random stream: turning it on or off
does not change the run.

Cost (benchmarks/spectrum_cost.py, docs/benchmarks.md): one spectrum (float32, a batch of at
most 128, 20 Krylov products, each one backward pass through the field's graph) costs as much as
a few dozen training iterations of the same run, so every 1,000 steps (the default) adds a few
per cent to training time.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from .game_spectrum import GameField, leading_eigenvalues
from .metrics import MetricHistory
from .stability import reference_step, step_scales, summarise

SPECTRUM_SERIES = ("ratio", "radius", "outside", "max_growth")
LEADING = 6  # eigenvalues kept: the ones that decide the dynamics (20 products converge
# the leading 6 on the 2x128 ring networks; the 7th and 8th needed a restart)
KRYLOV = 20  # Arnoldi products per pass (one backward pass each)
RESTARTS = 0  # no restart: the cost stays at KRYLOV products (with one allowed, lessons
# 3 and 8b took 40 and cost up to 96 iterations); the panel says when the
# leading values have not converged
BATCH = 128  # the field's batch (packs): at most the run's own
DENSE_BELOW = 64  # weights: below this, the exact dense Jacobian (n products) costs less than Arnoldi


class SpectrumMonitor:
    """Leading eigenvalues of the engine's game Jacobian, now and as a history of summaries."""

    def __init__(self, engine):
        self.engine = engine
        self.history = MetricHistory(SPECTRUM_SERIES, engine.cfg.run.history)
        self.values = np.zeros(0, dtype=complex)  # the latest leading eigenvalues
        self.step = -1  # the step they belong to (-1: none yet)
        self.h = reference_step(engine.cfg)  # the step size their summary used
        self.converged = True
        self.seconds = 0.0  # what the latest one cost
        self.error = ""  # why the latest one failed, if it did
        # The training process computes it on a thread of its own (core.spectrum_background): set
        # to a BackgroundSpectra there; None computes it here, in the engine's step.
        self.background = None
        self._asked = -1  # the step of the last one asked of the background (computed or not)

    def after_evaluation(self) -> None:
        """Compute when `run.spectrum_every` steps have passed since the last one (0: never)."""
        every = self.engine.cfg.run.spectrum_every
        e = self.engine
        if every > 0 and e.step_count > 0 and e.step_count // every > max(self.step, self._asked, 0) // every:
            if self.background is None:
                self.update()
            else:
                from .spectrum_background import frozen_engine

                self._asked = e.step_count
                self.background.submit(self.compute, frozen_engine(e))

    def update(self) -> dict[str, float]:
        """Compute the spectrum at the current weights now and add it to the history."""
        self.collect(wait=True)  # one asked of the background comes first
        return self.record(self.engine.step_count, self.compute(self.engine))

    def compute(self, e) -> tuple:
        """(eigenvalues, converged, error, reference step, seconds) of `e`'s game at its weights:
        reads `e` (a GanEngine, or core.spectrum_background's copy of one), changes nothing."""
        start = time.perf_counter()
        cfg = e.cfg
        h = reference_step(cfg)
        try:
            field = GameField.from_engine(e, batch=min(cfg.run.batch_size, BATCH), dtype=torch.float32)
            scale = step_scales(cfg, field.n_d, field.n - field.n_d)
            result = leading_eigenvalues(
                field, k=LEADING, krylov=KRYLOV, restarts=RESTARTS, scale=scale, dense_below=DENSE_BELOW, tol=1e-4
            )
            values, converged, error = result.values, result.converged, ""
            if not np.isfinite(values).all():
                raise FloatingPointError("the game's Jacobian is not finite at these weights")
        except (RuntimeError, FloatingPointError, np.linalg.LinAlgError) as exc:
            # A spectrum that cannot be computed never stops training: the panel says why.
            values, converged, error = np.zeros(0, dtype=complex), None, f"{type(exc).__name__}: {exc}"
        return values, converged, error, h, time.perf_counter() - start

    def record(self, step: int, result: tuple | str) -> dict[str, float]:
        """Add a computed spectrum (compute's tuple, or the text of an error) at `step`."""
        if isinstance(result, str):
            result = (np.zeros(0, dtype=complex), None, result, reference_step(self.engine.cfg), 0.0)
        values, converged, self.error, self.h, seconds = result
        if converged is not None:  # a failed one says nothing about convergence
            self.converged = converged
        summary = summarise(values, self.h) if len(values) else dict.fromkeys(SPECTRUM_SERIES, float("nan"))
        self.values, self.step = values.astype(complex), step
        self.history.extend(np.array([step]), np.array([[summary[k] for k in SPECTRUM_SERIES]]))
        self.seconds = seconds
        return summary

    def collect(self, wait: bool = False) -> None:
        """Record the spectra the background has finished (with `wait`: all those asked for)."""
        if self.background is not None:
            for step, result in self.background.finished(wait):
                self.record(step, result)

    def snapshot(self) -> dict:
        """Plain numpy for the panel (crosses the training process's pipe)."""
        self.collect()
        h = self.history.as_arrays()
        return {
            "step": self.step,
            "values": self.values.copy(),
            "h": self.h,
            "error": self.error,
            "converged": self.converged,
            "seconds": self.seconds,
            "history": {k: h[k] for k in ("step", *SPECTRUM_SERIES)},
        }

    # --- sessions -------------------------------------------------------------------------------
    def state(self) -> dict:
        self.collect(wait=True)  # a session or a hand-over holds every spectrum asked for
        return {
            "step": int(self.step),
            "h": float(self.h),
            "values": torch.from_numpy(np.stack([self.values.real, self.values.imag]).astype(np.float64)),
            "history": {k: torch.from_numpy(v) for k, v in self.history.as_arrays().items()},
        }

    def load_state(self, state: dict) -> None:
        """From `state()` (a session file: sizes and types are checked, never trusted)."""
        if not isinstance(state, dict) or not isinstance(state.get("values"), torch.Tensor):
            raise ValueError("spectrum: not a spectrum state")
        if self.background is not None:
            self.background.discard()  # spectra of the run this one replaces
        self._asked = -1
        values = np.asarray(state["values"].numpy(), dtype=np.float64)
        if values.ndim != 2 or values.shape[0] != 2 or values.shape[1] > 10_000:
            raise ValueError("spectrum values must be a (2, k) array")
        self.values = values[0] + 1j * values[1]
        self.step, self.h = int(state["step"]), float(state["h"])
        history = state["history"]
        if not isinstance(history, dict) or not all(isinstance(v, torch.Tensor) for v in history.values()):
            raise ValueError("spectrum: its history must be named arrays")
        self.history.load_arrays(
            {
                k: np.asarray(v.numpy(), dtype=np.float64).ravel()
                for k, v in history.items()
                if k in ("step", *SPECTRUM_SERIES)
            }
        )
