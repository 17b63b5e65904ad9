"""The engine's training step with hand-written gradients (core.manual_grad), as a mixin of GanEngine.

Used whenever the players are MLPs that core.manual_grad covers and nothing needs differentiating
through D's updates (unrolling). Gradient penalties (WGAN-GP, R1, R2) are covered when D's
activations are piecewise linear (core.manual_penalty); GanEngine's autograd step covers the rest. The samples are drawn in the
same order in both, and tests check that both train to the same weights.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import torch

from ganscope.core import iteration as it

from . import manual_grad as mg
from . import manual_penalty as mp
from . import objectives as obj
from .optim_step import adam_step

if TYPE_CHECKING:
    from .config import GanConfig
    from .models import Discriminator, Generator


def grad_norm(params) -> torch.Tensor:
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return torch.zeros(())  # only for parameter-free models, which the config forbids
    return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))


class ManualStep:
    """GanEngine's hand-written-gradient step (it reads the engine's cfg, G, D, optimisers).

    What it reads of the engine is declared here, so a change to GanEngine that breaks it is a
    type error (mypy on core/), not a surprise at run time."""

    cfg: GanConfig
    G: Generator
    D: Discriminator
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    gen: torch.Generator
    device: torch.device
    target: Any
    frozen: dict[str, bool]
    manual_grad: bool
    _iteration: Callable[..., Any]
    _terms: Callable[..., it.Terms]
    _params: Any

    def _manual_ok(self) -> bool:
        """Whether hand-written gradients cover this config: MLPs of supported layers, no unrolling,
        and penalties only on a piecewise-linear D (their second derivatives vanish there)."""
        terms = self._terms()
        return (
            self.manual_grad
            and terms.unrolled == 0
            and mg.supports(self.G.net)
            and mg.supports(self.D.net)
            and (mp.supports(self.D.net) or not self._penalised())
        )

    def _penalised(self) -> bool:
        """Whether D's objective has an input-gradient penalty (WGAN-GP, R1 or R2)."""
        terms = self._terms()
        return terms.gp or terms.r1 or terms.r2

    def _plan(self, players) -> tuple:
        """(loss, samples per step, train D?, train G?, D steps) of one iteration for `players`."""
        cfg = self.cfg
        train_d = "D" in players and not self.frozen["D"]
        train_g = "G" in players and not self.frozen["G"]
        return (
            cfg.objective.loss,
            cfg.run.batch_size * cfg.objective.pack,
            train_d,
            train_g,
            cfg.d_opt.steps if train_d else 1,
        )

    def _manual_iteration(self, players) -> torch.Tensor:
        """The engine's iteration (GanEngine._iteration) with the chain rule done by hand."""
        return self._iteration(players, manual=True)

    def _manual_g_forward(self, n: int):
        """G's samples and what the hand-written backward needs: (fake, cache)."""
        return mg.forward(self.G.net, self.G.sample_noise(n, self.gen, self.device))

    def _manual_d_step(self, n: int, loss: str, update: bool, shared):
        oc = self.cfg.objective
        real = self.target.sample(n, self.gen).to(self.device)
        fake = self.G(self.G.sample_noise(n, self.gen, self.device)) if shared is None else shared[0]
        if oc.instance_noise > 0:
            real = real + oc.instance_noise * torch.randn(n, 2, generator=self.gen).to(self.device)
            fake = fake + oc.instance_noise * torch.randn(n, 2, generator=self.gen).to(self.device)
        eps = None
        if update and self._terms().gp:  # the sample plan's order, as GanEngine._d_step draws it
            eps = torch.rand(n // self.D.pack, 1, generator=self.gen).to(self.device)
        return self._manual_d_update(real, fake, loss, update, eps)

    def _manual_g_step(self, n: int, loss: str, update: bool, shared):
        oc = self.cfg.objective
        fake, g_cache = self._manual_g_forward(n) if shared is None else shared
        if oc.instance_noise > 0:
            fake = fake + oc.instance_noise * torch.randn(n, 2, generator=self.gen).to(self.device)
        return self._manual_g_update(fake, g_cache, loss, update)

    def _manual_d_update(
        self, real: torch.Tensor, fake: torch.Tensor, loss: str, update: bool, eps: torch.Tensor | None = None
    ):
        """D's step on given samples (eps: WGAN-GP's interpolation weights, when it has that
        penalty): (d_loss, 4 stats, grad norm); no sampling, no host sync."""
        scores, cache = self._d_forward(torch.cat([real, fake]))
        r, f = scores.split(len(real) // self.D.pack)
        d_loss = obj.d_loss(loss, r, f)
        if update:
            self._d_backward(cache, torch.cat(mg.d_output_grads(loss, r, f)), weight_grads=True)
            if self._penalised():
                oc = self.cfg.objective
                mp.add_d_penalties(self.D, self._terms(), cache, real, fake, eps, oc.gp_weight, oc.r1, oc.r2)
            d_params = self._params["D"]
            d_grad = grad_norm(d_params)
            adam_step(self.opt_d)
            if loss == "wgan":
                clip = self.cfg.objective.clip
                torch._foreach_clamp_min_(d_params, -clip)
                torch._foreach_clamp_max_(d_params, clip)
        else:
            d_grad = torch.zeros((), device=self.device)
        return (d_loss, *it.d_stats(loss, r, f), d_grad)

    def _manual_g_update(self, fake: torch.Tensor, g_cache: list, loss: str, update: bool):
        """G's step through D on given samples (g_cache from G's forward): (g_loss, grad norm)."""
        f, d_cache = self._d_forward(fake)
        g_loss = obj.g_loss(loss, f)
        dx = self._d_backward(d_cache, mg.g_output_grad(loss, f), weight_grads=False, input_grad=True)
        mg.backward(self.G.net, g_cache, dx, weight_grads=True, input_grad=False)
        g_grad = grad_norm(self._params["G"])
        if update:
            adam_step(self.opt_g)
        return g_loss, g_grad

    def _d_forward(self, x: torch.Tensor):
        """D(x) as Discriminator.forward computes it (packs, input scale), keeping the cache."""
        D = self.D
        out, cache = mg.forward(D.net, x.reshape(-1, 2 * D.pack) * D.input_scale)
        return out.squeeze(-1), cache

    def _d_backward(self, cache, d_scores: torch.Tensor, weight_grads: bool, input_grad: bool = False):
        dx = mg.backward(self.D.net, cache, d_scores[:, None], weight_grads, input_grad)
        return None if dx is None else (dx * self.D.input_scale).reshape(-1, 2)
