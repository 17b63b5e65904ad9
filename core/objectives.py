"""GAN objectives as (discriminator loss, generator loss) pairs on D's raw outputs, plus penalties.

D's raw output is a logit for the log-loss objectives (minimax, non-saturating) and a score for the
others. Each loss is a batch mean; penalties are added by the engine, which owns D and the samples.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

LOG_LOSSES = ("minimax", "nonsaturating")


def d_loss(loss: str, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """The discriminator's loss given its raw outputs on real and on fake samples.

    Means over the last axis: a stack of k steps' outputs (k, n) gives their k losses at once
    (the engine books a chunk's metric rows that way, core.iteration.rows)."""
    if loss in LOG_LOSSES:
        # -log D(x) - log(1 - D(G(z))), written with softplus for stability.
        return F.softplus(-real).mean(-1) + F.softplus(fake).mean(-1)
    if loss == "lsgan":
        return 0.5 * ((real - 1) ** 2).mean(-1) + 0.5 * (fake**2).mean(-1)
    if loss == "hinge":
        return F.relu(1 - real).mean(-1) + F.relu(1 + fake).mean(-1)
    if loss in ("wgan", "wgan-gp"):
        return fake.mean(-1) - real.mean(-1)
    raise ValueError(f"unknown loss {loss!r}")


def g_loss(loss: str, fake: torch.Tensor) -> torch.Tensor:
    """The generator's loss given D's raw outputs on its samples."""
    if loss == "minimax":
        return -F.softplus(fake).mean(-1)  # log(1 - D(G(z))): saturates when D is confident
    if loss == "nonsaturating":
        return F.softplus(-fake).mean(-1)  # -log D(G(z))
    if loss == "lsgan":
        return 0.5 * ((fake - 1) ** 2).mean(-1)
    if loss in ("hinge", "wgan", "wgan-gp"):
        return -fake.mean(-1)
    raise ValueError(f"unknown loss {loss!r}")


def decision_threshold(loss: str) -> float:
    """The raw D output above which a sample counts as called 'real' (for accuracies)."""
    return 0.5 if loss == "lsgan" else 0.0


def surface_transform(loss: str, raw: torch.Tensor) -> torch.Tensor:
    """What the heatmap shows: D's probability for log-loss objectives, the raw score otherwise."""
    return torch.sigmoid(raw) if loss in LOG_LOSSES else raw


def surface_levels(loss: str) -> tuple[float, float] | None:
    """Fixed colour levels where the output is bounded (None: choose from the data)."""
    if loss in LOG_LOSSES:
        return (0.0, 1.0)
    if loss == "lsgan":
        return (-0.5, 1.5)
    return None


def input_grad(d, x: torch.Tensor, functional: bool = False) -> torch.Tensor:
    """grad_x sum(d(x)), kept differentiable for D's own update.

    torch.autograd.grad (create_graph) in the engine, which is ~25% faster here; torch.func.grad
    (`functional`) where vmap batches the step across a sweep's members, which autograd cannot.
    This is the reference: for a piecewise-linear D, the engine's fast path and sweeps use the
    penalties' hand-written gradients (core.manual_penalty), checked against it.
    """
    if functional:
        return torch.func.grad(lambda v: d(v).sum())(x)
    if not x.requires_grad:  # attached x (core.game_spectrum) keeps its dependence on G's weights
        x = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(d(x).sum(), x, create_graph=True)
    return grad


def gradient_penalty(
    d, real: torch.Tensor, fake: torch.Tensor, eps: torch.Tensor, pack: int = 1, functional: bool = False
) -> torch.Tensor:
    """WGAN-GP: (||grad D(x_hat)|| - 1)^2 on random interpolates between packs of real and fake.

    d: a callable x -> scores (a Discriminator, or its functional form in a sweep); eps: one
    uniform weight per pack, shape (n / pack, 1), drawn by the caller.
    """
    eps = eps.repeat_interleave(pack, 0)
    grad = input_grad(d, eps * real + (1 - eps) * fake, functional)
    norms = grad.reshape(eps.shape[0] // pack, -1).norm(dim=1)
    return ((norms - 1) ** 2).mean()


def zero_centred_penalty(d, x: torch.Tensor, pack: int = 1, functional: bool = False) -> torch.Tensor:
    """R1 (x real) / R2 (x fake): E ||grad_x D(x)||^2, Mescheder et al. 2018 (without the 1/2).

    x stays attached when it already requires grad (the game's Jacobian needs R2's dependence on
    G's weights, core.game_spectrum); the engine passes detached samples."""
    return input_grad(d, x, functional).reshape(-1, 2 * pack).pow(2).sum(1).mean()
