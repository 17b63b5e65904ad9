"""The Dirac-GAN (Mescheder, Geiger & Nowozin, 2018): the smallest GAN, solved on a plane.

The data is a point mass at 0, the generator a point mass at theta, the discriminator linear:
D's logit (or critic score) at x is psi * x. The whole game is the 2-D vector field of the players'
gradient steps over (theta, psi); its only equilibrium is (0, 0). Which objectives spiral into it,
circle it or spiral away is the paper's point, and here it can be seen and tested exactly.

Signs: D ascends its objective V(theta, psi), G descends its own loss; the field returned is the
direction both move, (d theta, d psi).
"""

from __future__ import annotations

import numpy as np

OBJECTIVES = ("gan", "nonsaturating", "wgan", "wgan-gp", "r1", "instance-noise")
UPDATES = ("simultaneous", "alternating")
_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(41)  # E[f(eps)], eps ~ N(0, 1), exactly enough
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()


def _sig(t):
    return 0.5 * (1 + np.tanh(0.5 * t))  # the logistic function without overflow


def field(objective: str, theta, psi, reg: float = 1.0):
    """(d theta, d psi): the gradient-step direction at (theta, psi). `reg` is the weight of the
    regulariser: gradient penalty (wgan-gp, lambda), R1 (gamma) or the instance noise's std."""
    theta, psi = np.asarray(theta, dtype=float), np.asarray(psi, dtype=float)
    if objective == "wgan":  # V = psi*0 - psi*theta; G minimises -V's generator term
        return psi + 0 * theta, -theta + 0 * psi
    if objective == "wgan-gp":  # minus lambda (|grad_x D| - 1)^2, and grad_x D = psi everywhere
        return psi + 0 * theta, -theta - 2 * reg * (np.abs(psi) - 1) * np.sign(psi)
    if objective == "instance-noise":  # the GAN averaged over x + eps, eps ~ N(0, reg^2), on both sides
        eps = reg * _NODES[:, None]
        shape = np.broadcast(theta, psi).shape
        t, p = np.broadcast_to(theta, shape).ravel(), np.broadcast_to(psi, shape).ravel()
        s_fake = _sig(p * (t + eps))  # d/dx log(1 - sig(psi x)) = -psi sig(psi x)
        d_theta = (_WEIGHTS[:, None] * p * s_fake).sum(0)
        d_psi = (_WEIGHTS[:, None] * (eps * _sig(-p * eps) - (t + eps) * s_fake)).sum(0)
        return d_theta.reshape(shape), d_psi.reshape(shape)
    s = _sig(psi * theta)  # V = log sig(0) + log(1 - sig(psi theta))
    d_psi = -theta * s
    if objective == "r1":  # minus gamma/2 |grad_x D(data)|^2 = gamma/2 psi^2
        d_psi = d_psi - reg * psi
    if objective == "nonsaturating":  # G ascends log sig(psi theta) instead
        return psi * _sig(-psi * theta), d_psi
    if objective in ("gan", "r1"):
        return psi * s, d_psi
    raise ValueError(f"unknown objective {objective!r}; choose from {', '.join(OBJECTIVES)}")


def trajectory(
    objective: str, start=(1.0, 1.0), lr: float = 0.1, steps: int = 500, update: str = "simultaneous", reg: float = 1.0
) -> np.ndarray:
    """(steps + 1, 2) points (theta, psi) of gradient steps from `start`.

    simultaneous: both players step from the same point. alternating: D steps first, then G steps
    against the new D (how ganscope's engine, and most GAN code, trains).
    """
    if update not in UPDATES:
        raise ValueError(f"unknown update {update!r}; choose from {', '.join(UPDATES)}")
    out = np.empty((steps + 1, 2))
    theta, psi = map(float, start)
    out[0] = theta, psi
    for i in range(1, steps + 1):
        d_theta, d_psi = field(objective, theta, psi, reg)
        if update == "alternating":
            psi = psi + lr * float(d_psi)
            theta = theta + lr * float(field(objective, theta, psi, reg)[0])
        else:
            theta, psi = theta + lr * float(d_theta), psi + lr * float(d_psi)
        out[i] = theta, psi
        if not np.isfinite(out[i]).all() or np.abs(out[i]).max() > 1e6:
            return out[: i + 1]  # flew off: the picture ends here
    return out
