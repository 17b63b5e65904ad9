"""The data the metric charts draw: decimated histories, one consistent moment of a run.

Made wherever the engine lives (the training thread or the training process) and drawn by the
app's ChartsView; plain numpy, so it crosses a process boundary cheaply.
"""

from __future__ import annotations

import numpy as np

MAX_POINTS = 2000  # decimate long histories to about this many points per curve


def chart_snapshot(engine) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Decimated (steps, values) per curve, consistent with one moment of the run."""
    h = engine.history.as_arrays(stride=max(1, len(engine.history) // MAX_POINTS))
    steps = h["step"]
    out = {name: (steps, h[name]) for name in ("d_loss", "g_loss", "acc_real", "acc_fake")}
    for name in ("g_grad", "d_grad"):
        out[name] = (steps, np.maximum(h[name], 1e-12))  # log axis: no zeros
    ev = engine.evaluator.history.as_arrays()
    n_modes = max(engine.target.n_modes, 1)
    for name, y in (
        ("modes_frac", ev["modes"] / n_modes),
        ("hq_share", ev["hq_share"]),
        ("js", ev["js"]),
        ("mmd", ev["mmd"]),
    ):
        ok = np.isfinite(y)
        out[name] = (ev["step"][ok], y[ok])
    out["spectrum"] = engine.spectrum.snapshot()  # not a curve: the game-spectrum panel's data
    return out
