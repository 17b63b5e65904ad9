"""Which of the game's eigenvalues a gradient step of size h can follow (Mescheder et al. 2017).

Simultaneous gradient descent with step h maps a small deviation x to (I + h J) x, so near a
stationary point it converges exactly when every eigenvalue lambda of J has |1 + h lambda| < 1:
lambda inside the disc of radius 1/h centred at -1/h. A purely imaginary lambda (rotation) is
always outside: simultaneous steps spiral away from an equilibrium the continuous flow circles.

How the engine's real optimisers are read here, honestly:
- Different learning rates for D and G: the step is diag(h_D, h_G) J; `step_scales` gives the
  per-weight ratio to the reference step h (the larger rate), and the eigenvalues to test are
  those of diag(scale) J, with the disc for h.
- Alternating updates (the engine's D-then-G order), several D steps, momentum and Adam are not
  this map. Adam divides each coordinate by its running gradient scale, so its effective step can
  be far from its learning rate; the disc is drawn for h = the learning rate, a first-order guide
  for those optimisers, exact only for simultaneous SGD without momentum.
"""

from __future__ import annotations

import math

import numpy as np

SIGNIFICANT = 1e-4  # eigenvalues below this fraction of the spectral radius are rounding of zeros
RATIO_CAP = 1e6  # |Im| / |Re| of a (numerically) pure rotation is reported as this


def reference_step(cfg) -> float:
    """h: the larger of the two players' learning rates."""
    return max(cfg.d_opt.lr, cfg.g_opt.lr)


def step_scales(cfg, n_d: int, n_g: int) -> np.ndarray | None:
    """Per-weight step relative to h (D's weights first), or None when both players use h."""
    h = reference_step(cfg)
    if cfg.d_opt.lr == cfg.g_opt.lr:
        return None
    return np.concatenate([np.full(n_d, cfg.d_opt.lr / h), np.full(n_g, cfg.g_opt.lr / h)])


def region_boundary(h: float, points: int = 256, span: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of the circle |1 + h lambda| = 1 in the lambda plane: centre -1/h, radius 1/h.

    With `span` (the half-height of the view) smaller than the radius, only the arc near the
    origin, |y| <= span, is returned, sampled densely: drawn whole, a circle of radius 1/h = 3,000
    (Adam's 3e-4) would put a handful of its points in a view of eigenvalues of size 10."""
    r = 1 / h
    if span is None or span >= r:
        t = np.linspace(0.0, 2 * math.pi, points)
        return -r + np.cos(t) * r, np.sin(t) * r
    y = np.linspace(-span, span, points)
    # -r + sqrt(r^2 - y^2), written without cancelling where y << r
    return -(y**2) / (r + np.sqrt(r * r - y * y)), y


def growth(values: np.ndarray, h: float) -> np.ndarray:
    """|1 + h lambda| per eigenvalue: how much one step multiplies that direction."""
    return np.abs(1 + h * np.asarray(values, dtype=complex))


def summarise(values: np.ndarray, h: float) -> dict[str, float]:
    """What a run's spectrum says, in numbers a chart can hold.

    ratio: the largest |Im| / |Re| among significant eigenvalues (rotation against damping);
    radius: the spectral radius; outside: how many eigenvalues a step of h cannot follow
    (|1 + h lambda| > 1, significant ones only); max_growth: the largest |1 + h lambda|.
    """
    values = np.asarray(values, dtype=complex)
    radius = float(np.abs(values).max(initial=0.0))
    if radius == 0.0 or not np.isfinite(radius):
        return {"ratio": float("nan"), "radius": radius, "outside": 0.0, "max_growth": 1.0}
    sig = values[np.abs(values) > SIGNIFICANT * radius]
    re, im = np.abs(sig.real), np.abs(sig.imag)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(re > 0, im / np.maximum(re, 1e-300), np.where(im > 0, np.inf, 0.0))
    # |1 + h l|^2 - 1 = 2 h Re l + h^2 |l|^2: compared with 0 directly, without cancelling in 1 + ...
    excess = 2 * h * sig.real + (h * np.abs(sig)) ** 2
    return {
        "ratio": float(min(ratios.max(initial=0.0), RATIO_CAP)),
        "radius": radius,
        "outside": float((excess > 0).sum()),
        "max_growth": float(np.sqrt(max(1.0 + excess.max(initial=-1.0), 0.0))),
    }
