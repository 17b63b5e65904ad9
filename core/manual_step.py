"""The engine's training step with hand-written gradients (core.manual_grad): GanEngine.manual.

Used whenever the players are MLPs that core.manual_grad covers and nothing needs differentiating
through D's updates (unrolling); in an unrolled config it takes D's own step, and G's step goes
through the look-ahead by autograd (GanEngine._step_chunk). Gradient penalties (WGAN-GP, R1, R2) are covered when D's
activations are piecewise linear (core.manual_penalty); GanEngine's autograd step covers the rest.
The samples are drawn in the same order in both, and tests check that both train to the same weights.

Per-iteration overhead is what this path exists to cut (for 2x128 MLPs at batch 256 each torch
op's Python and dispatch cost is comparable to its arithmetic), so everything that cannot change
within a chunk of iterations is prepared once per chunk (`prepare`): the config's terms, the
layers classified with their transposed weights, each player's gradients as views of one flat
buffer (written by out= products; the gradient norm is one op), and the optimiser steps with
their argument lists (core.optim_step.prepared_step). Commands reach the engine only between
chunks, so nothing prepared goes stale within one.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from ganscope.core import iteration as it

from . import manual_grad as mg
from . import manual_penalty as mp
from .optim_step import prepared_step


def grad_norm(params) -> torch.Tensor:
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return torch.zeros(())  # only for parameter-free models, which the config forbids
    return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))


def flat_grads(params: list[torch.Tensor], flat: torch.Tensor | None, views: list) -> tuple[torch.Tensor, list]:
    """(flat, views): every parameter's .grad a view of one flat buffer. The previous chunk's
    buffer is kept while every .grad is still its view (a recorded CUDA graph writes into it);
    otherwise a new one (zeros) is made and assigned."""
    if flat is not None and len(views) == len(params) and all(p.grad is v for p, v in zip(params, views)):
        return flat, views
    flat = torch.zeros(sum(p.numel() for p in params), dtype=params[0].dtype, device=params[0].device)
    views, at = [], 0
    for p in params:
        p.grad = flat[at : at + p.numel()].view_as(p)
        views.append(p.grad)
        at += p.numel()
    return flat, views


class Prepared(NamedTuple):
    """What a chunk of iterations reuses (see the module's docstring)."""

    terms: it.Terms
    g_layers: list
    d_layers: list
    d_params: list
    g_flat: torch.Tensor
    d_flat: torch.Tensor
    step_g: object
    step_d: object


class ManualStep:
    """GanEngine's hand-written-gradient step; reads the engine's cfg, G, D, optimisers, samplers."""

    def __init__(self, engine):
        self.engine = engine
        self.ready: Prepared | None = None
        self._flat: dict[str, tuple] = {"G": (None, []), "D": (None, [])}

    def ok(self, unrolled: bool = False) -> bool:
        """Whether hand-written gradients cover this config: MLPs of supported layers, no unrolling,
        and penalties only on a piecewise-linear D (their second derivatives vanish there).
        unrolled: whether they cover D's step of an unrolled config (G's step goes through the
        look-ahead, which autograd differentiates; D's own step is an ordinary one)."""
        e = self.engine
        return (
            e.manual_grad
            and (e._terms().unrolled > 0) == unrolled
            and mg.supports(e.G.net)
            and mg.supports(e.D.net)
            and (mp.supports(e.D.net) or not self.penalised())
        )

    def penalised(self) -> bool:
        """Whether D's objective has an input-gradient penalty (WGAN-GP, R1 or R2)."""
        terms = self.engine._terms()
        return terms.gp or terms.r1 or terms.r2

    def prepare(self) -> None:
        """Build this chunk's Prepared (call before a chunk; nothing may change until it ends)."""
        e = self.engine
        g_params, d_params = e.g_params, e.d_params
        self._flat["G"] = flat_grads(g_params, *self._flat["G"])
        self._flat["D"] = flat_grads(d_params, *self._flat["D"])
        g_flat, d_flat = self._flat["G"][0], self._flat["D"][0]
        self.ready = Prepared(
            terms=e._terms(),
            g_layers=mg.prepare(e.G.net, grads=True),
            d_layers=mg.prepare(e.D.net, grads=True),
            d_params=d_params,
            g_flat=g_flat,
            d_flat=d_flat,
            step_g=prepared_step(e.opt_g),
            step_d=prepared_step(e.opt_d),
        )

    def _ready(self) -> Prepared:
        if self.ready is None:
            self.prepare()
        return self.ready  # type: ignore[return-value]

    def g_forward(self, n: int):
        """G's samples and what the hand-written backward needs: (fake, cache)."""
        e = self.engine
        return mg.forward(self._ready().g_layers, e.G.sample_noise(n, e.gen, e.device))

    def d_step(self, n: int, loss: str, update: bool, shared):
        e, oc = self.engine, self.engine.cfg.objective
        real = e.target.sample(n, e.gen).to(e.device)
        fake = self.g_forward(n)[0] if shared is None else shared[0]
        if oc.instance_noise > 0:
            real = real + oc.instance_noise * torch.randn(n, 2, generator=e.gen).to(e.device)
            fake = fake + oc.instance_noise * torch.randn(n, 2, generator=e.gen).to(e.device)
        eps = None
        if update and self._ready().terms.gp:  # the sample plan's order, as GanEngine._d_step draws it
            eps = torch.rand(n // e.D.pack, 1, generator=e.gen).to(e.device)
        return self.d_update(real, fake, loss, update, eps)

    def g_step(self, n: int, loss: str, update: bool, shared):
        e, oc = self.engine, self.engine.cfg.objective
        fake, g_cache = self.g_forward(n) if shared is None else shared
        if oc.instance_noise > 0:
            fake = fake + oc.instance_noise * torch.randn(n, 2, generator=e.gen).to(e.device)
        return self.g_update(fake, g_cache, loss, update)

    def d_update(self, real: torch.Tensor, fake: torch.Tensor, loss: str, update: bool, eps=None):
        """D's step on given samples (eps: WGAN-GP's interpolation weights, when it has that
        penalty): (scores on real, scores on fake, grad norm); no sampling, no host sync."""
        ready, e = self._ready(), self.engine
        scores, cache = self._d_forward(torch.cat([real, fake]))
        r, f = scores.split(len(real) // e.D.pack)
        if update:
            self._d_backward(cache, torch.cat(mg.d_output_grads(loss, r, f)), weight_grads=True)
            terms = ready.terms
            if terms.gp or terms.r1 or terms.r2:
                oc = e.cfg.objective
                mp.add_d_penalties(e.D, terms, cache, real, fake, eps, oc.gp_weight, oc.r1, oc.r2)
            d_grad = torch.linalg.vector_norm(ready.d_flat)
            ready.step_d()  # type: ignore[operator]
            if loss == "wgan":
                clip = e.cfg.objective.clip
                torch._foreach_clamp_min_(ready.d_params, -clip)
                torch._foreach_clamp_max_(ready.d_params, clip)
        else:
            d_grad = torch.zeros((), device=e.device)
        return r, f, d_grad

    def g_update(self, fake: torch.Tensor, g_cache: list, loss: str, update: bool):
        """G's step through D on given samples (g_cache from G's forward): (D's scores on them,
        grad norm)."""
        ready = self._ready()
        f, d_cache = self._d_forward(fake)
        dx = self._d_backward(d_cache, mg.g_output_grad(loss, f), weight_grads=False, input_grad=True)
        mg.backward(ready.g_layers, g_cache, dx, weight_grads=True, input_grad=False)
        g_grad = torch.linalg.vector_norm(ready.g_flat)
        if update:
            ready.step_g()  # type: ignore[operator]
        return f, g_grad

    def _d_forward(self, x: torch.Tensor):
        """D(x) as Discriminator.forward computes it (packs, input scale), keeping the cache."""
        D = self.engine.D
        x = x.reshape(-1, 2 * D.pack)
        out, cache = mg.forward(self._ready().d_layers, x * D.input_scale if D.input_scale != 1 else x)
        return out.squeeze(-1), cache

    def _d_backward(self, cache, d_scores: torch.Tensor, weight_grads: bool, input_grad: bool = False):
        D = self.engine.D
        dx = mg.backward(self._ready().d_layers, cache, d_scores[:, None], weight_grads, input_grad)
        if dx is None:
            return None
        return (dx * D.input_scale if D.input_scale != 1 else dx).reshape(-1, 2)
