"""A drawn target: points sprayed with a round brush, an eraser, undo per stroke. No Qt here."""

from __future__ import annotations

import numpy as np

from ganscope.core.config_values import MAX_POINTS


class Sketch:
    """Points in the plane, edited stroke by stroke."""

    def __init__(self, points=None, seed: int = 0):
        self.points = np.zeros((0, 2)) if points is None else np.asarray(points, dtype=np.float64).reshape(-1, 2)
        self.brush = 0.15  # brush radius in plane units
        self.per_dab = 8  # points sprayed per brush dab
        self.eraser = False
        self._undo: list[np.ndarray] = []
        self._rng = np.random.default_rng(seed)

    def begin_stroke(self) -> None:
        self._undo.append(self.points.copy())
        del self._undo[:-50]

    def dab(self, x: float, y: float) -> None:
        """Spray points uniformly in the brush disc around (x, y), or erase inside it."""
        if self.eraser:
            keep = np.hypot(self.points[:, 0] - x, self.points[:, 1] - y) > self.brush
            self.points = self.points[keep]
            return
        if len(self.points) + self.per_dab > MAX_POINTS:
            return
        r = self.brush * np.sqrt(self._rng.random(self.per_dab))
        a = 2 * np.pi * self._rng.random(self.per_dab)
        new = np.column_stack([x + r * np.cos(a), y + r * np.sin(a)])
        self.points = np.concatenate([self.points, new])

    def undo(self) -> bool:
        if not self._undo:
            return False
        self.points = self._undo.pop()
        return True

    def clear(self) -> None:
        self.begin_stroke()
        self.points = np.zeros((0, 2))
