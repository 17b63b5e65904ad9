"""One GAN training iteration, defined once: what D and G minimise, and what each step reports.

Every executor builds its step from these functions: the engine's eager step (the reference),
the hand-written fast path (its statistics; its gradients are checked against these losses), the
batched ensemble (under torch.func.vmap, core.batched_step) and the look-ahead (core.unrolling).
They take D as a callable x -> scores, so the same code runs on an nn.Module, on
torch.func.functional_call of stacked weights, or inside vmap; no randomness is drawn here (the
caller draws every sample, in its documented order), so vmap and CUDA graphs can hold them.

Penalty weights and the instance-noise std may be floats or 0-d tensors (a member's own value in
a sweep); which penalties are computed at all is decided by `Terms`, fixed for the whole run.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ganscope.core import objectives as obj

SERIES = ("d_loss", "g_loss", "acc_real", "acc_fake", "d_real", "d_fake", "g_grad", "d_grad")


@dataclass(frozen=True)
class Terms:
    """Which terms an iteration computes (static: it decides the work, not the values)."""

    loss: str
    pack: int = 1
    gp: bool = False  # WGAN-GP's interpolate penalty
    r1: bool = False  # zero-centred penalty on real samples
    r2: bool = False  # zero-centred penalty on fake samples
    noise: bool = False  # instance noise
    clip: bool = False  # WGAN's weight clipping
    unrolled: int = 0  # look-ahead steps of D in G's step
    functional: bool = False  # input gradients by torch.func (under vmap) rather than autograd

    @staticmethod
    def of(configs) -> Terms:
        """The terms of a config (or the union over a sweep's member configs)."""
        configs = configs if isinstance(configs, (list, tuple)) else [configs]
        oc = configs[0].objective
        return Terms(
            loss=oc.loss,
            pack=oc.pack,
            gp=oc.loss == "wgan-gp" and any(c.objective.gp_weight > 0 for c in configs),
            r1=any(c.objective.r1 > 0 for c in configs),
            r2=any(c.objective.r2 > 0 for c in configs),
            noise=any(c.objective.instance_noise > 0 for c in configs),
            clip=oc.loss == "wgan",
            unrolled=oc.unrolled_steps,
        )


def with_noise(x: torch.Tensor, sigma, noise: torch.Tensor | None) -> torch.Tensor:
    """Instance noise: x + sigma * noise (noise drawn by the caller as a standard normal)."""
    return x if noise is None else x + sigma * noise


def d_objective(
    terms: Terms, d, real: torch.Tensor, fake: torch.Tensor, gp_eps: torch.Tensor | None, gp_weight=0.0, r1=0.0, r2=0.0
):
    """D's total loss with its penalties, and (d_loss, scores on real, scores on fake).

    real, fake: D's inputs (instance noise already added, fake detached from G). gp_eps: the
    interpolation weights for WGAN-GP, one per pack (n / pack, 1), drawn by the caller.
    """
    n = real.shape[0] // terms.pack
    r, f = d(torch.cat([real, fake])).split(n)  # one pass for both halves
    d_loss = obj.d_loss(terms.loss, r, f)
    total = d_loss
    if terms.gp:
        total = total + gp_weight * obj.gradient_penalty(d, real, fake, gp_eps, terms.pack, terms.functional)
    if terms.r1:
        total = total + 0.5 * r1 * obj.zero_centred_penalty(d, real, terms.pack, terms.functional)
    if terms.r2:
        total = total + 0.5 * r2 * obj.zero_centred_penalty(d, fake, terms.pack, terms.functional)
    return total, (d_loss, r, f)


def g_objective(terms: Terms, d, fake: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """G's loss on D's scores of its samples (d: the current D, or D after the look-ahead), and
    those scores."""
    scores = d(fake)
    return obj.g_loss(terms.loss, scores), scores


def clip(params, bound):
    """WGAN's weight clipping (pure: new tensors; `bound` a float or a member's 0-d tensor)."""
    return [torch.clamp(p, -bound, bound) for p in params]


def d_stats(loss: str, r: torch.Tensor, f: torch.Tensor):
    """Accuracy on real and fake, mean D(real) and D(fake), for the charts (means over the last
    axis, as the losses': k steps' scores (k, n) give k values each)."""
    thr = obj.decision_threshold(loss)
    if loss in ("wgan", "wgan-gp"):
        # a critic has no fixed threshold: split at the midpoint
        thr = (r.mean(-1, keepdim=True) + f.mean(-1, keepdim=True)) / 2
    return (
        (r > thr).to(r.dtype).mean(-1),
        (f <= thr).to(f.dtype).mean(-1),
        obj.surface_transform(loss, r).mean(-1),
        obj.surface_transform(loss, f).mean(-1),
    )


def norm(grads) -> torch.Tensor:
    """The gradient norm over all of a player's parameters (as the charts show it)."""
    grads = [g for g in grads if g is not None]
    if not grads:
        return torch.zeros(())  # only for parameter-free models, which the config forbids
    return torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))


def rows(loss: str, r: torch.Tensor, f: torch.Tensor, d_grad: torch.Tensor, fg: torch.Tensor, g_grad: torch.Tensor):
    """The metric rows (k, SERIES) of k iterations, from what each one's steps return: D's scores
    on real and on fake in its last D step (k, n), the norm of D's gradient (k,), D's scores on G's
    batch in G's last step (k, n) and the norm of G's gradient (k,).

    Why at the end of a chunk: the losses and statistics are not needed to train (the gradients
    come from autograd or in closed form), and computed once over a chunk's stacked scores they
    cost ~25 fewer small torch ops per iteration than computed per iteration."""
    return torch.stack([obj.d_loss(loss, r, f), obj.g_loss(loss, fg), *d_stats(loss, r, f), g_grad, d_grad], -1)


def row(terms: Terms, d_out, d_grad, g_loss, g_grad) -> torch.Tensor:
    """The metric row of one iteration, in SERIES order; d_out = (d_loss, r, f) of the last D step."""
    d_loss, r, f = d_out
    return torch.stack([d_loss, g_loss, *d_stats(terms.loss, r, f), g_grad, d_grad])
