"""A sweep's iteration: core.iteration's definition for one member, batched over members by vmap.

Why: a sweep should train exactly what the engine trains, every objective included (WGAN-GP, R1,
R2, unrolling, several D steps). Writing one member's iteration functionally (torch.func:
functional_call, grad, vmap) over the same loss, penalty and optimiser-rule code as the engine
makes the batch a transformation of that one definition instead of a second implementation.

Members may differ in any field that changes neither a shape nor which terms are computed:
learning rates, betas, momentum, penalty weights, clipping bound, instance-noise std, and the
number of D and G steps (a member with fewer steps than the batch's largest keeps its weights for
the extra ones). No randomness is drawn here: `draw` makes every sample, in one documented plan.
"""

from __future__ import annotations

import dataclasses

import torch

from ganscope.core import iteration as it
from ganscope.core import manual_penalty as mp
from ganscope.core import objectives as obj
from ganscope.core import optim_rules
from ganscope.core.batched_manual import BatchedManual, keep_where
from ganscope.core.batched_manual import supports as hand_written_supports
from ganscope.core.unrolling import lookahead

# Per-member numbers: the config field each comes from (all become (M,) tensors).
HYPER = {
    "d_lr": "d_opt.lr",
    "d_beta1": "d_opt.beta1",
    "d_beta2": "d_opt.beta2",
    "d_momentum": "d_opt.momentum",
    "g_lr": "g_opt.lr",
    "g_beta1": "g_opt.beta1",
    "g_beta2": "g_opt.beta2",
    "g_momentum": "g_opt.momentum",
    "gp_weight": "objective.gp_weight",
    "r1": "objective.r1",
    "r2": "objective.r2",
    "clip": "objective.clip",
    "sigma": "objective.instance_noise",
    "d_steps": "d_opt.steps",
    "g_steps": "g_opt.steps",
}
SERIES = ("d_loss", "g_loss", "g_grad", "d_grad")


class BatchedStep:
    """One iteration of every member: `run(params, states, samples)` -> new params, states, rows."""

    def __init__(
        self,
        configs,
        g_template: torch.nn.Module,
        d_template: torch.nn.Module,
        device,
        full_rows: bool = False,
        hand_written: bool = False,
    ):
        """`full_rows`: each member's row is the engine's whole row (core.iteration.SERIES, with the
        accuracies and mean scores the charts show) instead of the sweep's four numbers (SERIES here).
        `hand_written`: train by core.batched_manual's batched hand-written passes where they cover
        the config (several times faster on a CPU), by torch.func.grad under vmap otherwise."""
        base = configs[0]
        self.full_rows = full_rows
        self.terms = dataclasses.replace(it.Terms.of(configs), functional=True)
        # Penalties on a piecewise-linear D by their hand-written gradients (core.manual_penalty,
        # checked against autograd): torch.func's double backward under vmap costs far more.
        self.manual_penalties = (self.terms.gp or self.terms.r1 or self.terms.r2) and mp.supports(d_template.net)
        self.loss_terms = (
            dataclasses.replace(self.terms, gp=False, r1=False, r2=False) if self.manual_penalties else self.terms
        )
        self.kinds = (base.d_opt.kind, base.g_opt.kind)
        self.d_steps = max(c.d_opt.steps for c in configs)
        self.g_steps = max(c.g_opt.steps for c in configs)
        self.vary_steps = any(c.d_opt.steps != self.d_steps or c.g_opt.steps != self.g_steps for c in configs)
        self.n = base.run.batch_size * base.objective.pack
        self.g_t, self.d_t = g_template, d_template
        self.g_names = [k for k, _ in g_template.named_parameters()]
        self.d_names = [k for k, _ in d_template.named_parameters()]
        dtype = next(g_template.parameters()).dtype
        self.hp = {
            k: torch.tensor([float(c.get(path)) for c in configs], dtype=dtype, device=device)
            for k, path in HYPER.items()
        }
        self._batched = torch.vmap(self.member, randomness="error")
        self.manual = BatchedManual(self) if hand_written and hand_written_supports(self) else None

    # --- the sample plan ---------------------------------------------------------------------------
    def draw(self, M: int, real_sampler, noise_sampler, normal, uniform) -> dict:
        """Every sample of one iteration for M members, each (M, ...): per D step the real batch,
        G's noise, instance noise on real and fake and WGAN-GP's weights; per G step G's noise,
        instance noise and the look-ahead's real batch. Drawn in this order, only what is used."""
        n, T, s = self.n, self.terms, {}
        s["d_real"] = torch.stack([real_sampler(M, n) for _ in range(self.d_steps)], 1)
        s["d_z"] = torch.stack([noise_sampler(M, n) for _ in range(self.d_steps)], 1)
        if T.noise:
            s["d_noise"] = torch.stack([normal(M, 2, n, 2) for _ in range(self.d_steps)], 1)
        if T.gp:
            s["gp_eps"] = torch.stack([uniform(M, n // T.pack, 1) for _ in range(self.d_steps)], 1)
        if self.g_steps > 1 or T.unrolled or self.vary_steps:
            s["g_z"] = torch.stack([noise_sampler(M, n) for _ in range(self.g_steps)], 1)
        if T.noise:
            s["g_noise"] = torch.stack([normal(M, n, 2) for _ in range(self.g_steps)], 1)
        if T.unrolled:
            s["ahead_real"] = torch.stack([real_sampler(M, n) for _ in range(self.g_steps)], 1)
        return s

    # --- one member --------------------------------------------------------------------------------
    def _g(self, params, z):
        return torch.func.functional_call(self.g_t, dict(zip(self.g_names, params)), (z,))

    def _d(self, params):
        return lambda x: torch.func.functional_call(self.d_t, dict(zip(self.d_names, params)), (x,))

    def member(self, gp, dp, gs, ds, hp, s):
        """One member's iteration (pure): the engine's D step(s) then G step(s), on its samples."""
        T, (d_kind, g_kind) = self.terms, self.kinds
        d_out = d_grad = None
        for i in range(self.d_steps):
            fake = self._g(gp, s["d_z"][i]).detach()
            real = s["d_real"][i]
            if T.noise:
                real = it.with_noise(real, hp["sigma"], s["d_noise"][i][0])
                fake = it.with_noise(fake, hp["sigma"], s["d_noise"][i][1])
            eps = s["gp_eps"][i] if T.gp else None

            def d_total(p, real=real, fake=fake, eps=eps):
                terms = self.loss_terms
                total, out = it.d_objective(terms, self._d(p), real, fake, eps, hp["gp_weight"], hp["r1"], hp["r2"])
                return total, out

            grads, out = torch.func.grad(d_total, has_aux=True)(dp)
            if self.manual_penalties:
                grads = self._with_penalties(grads, dp, real, fake, eps, hp)
            new, new_state = optim_rules.step(
                d_kind, dp, grads, ds, hp["d_lr"], hp["d_beta1"], hp["d_beta2"], hp["d_momentum"]
            )
            if T.clip:
                new = it.clip(new, hp["clip"])
            norm = it.norm(grads)
            if self.vary_steps and i > 0:
                on = i < hp["d_steps"]
                new, new_state, out, norm = keep_where(on, (new, new_state, out, norm), (dp, ds, d_out, d_grad))
            dp, ds, d_out, d_grad = new, new_state, out, norm
        g_loss = g_grad = None
        for j in range(self.g_steps):
            z = s["g_z"][j] if "g_z" in s else s["d_z"][-1]  # one G step: the last D step's noise

            def g_total(p, j=j, z=z):
                fake = self._g(p, z)
                if T.noise:
                    fake = it.with_noise(fake, hp["sigma"], s["g_noise"][j])
                d_params = dp
                if T.unrolled:
                    real = s["ahead_real"][j]
                    d_grad_fn = torch.func.grad(lambda c: obj.d_loss(T.loss, self._d(c)(real), self._d(c)(fake)))
                    hp_d = (hp["d_lr"], hp["d_beta1"], hp["d_beta2"], hp["d_momentum"])
                    d_params = lookahead(d_kind, hp_d, T.unrolled, dp, ds, d_grad_fn)
                loss, _ = it.g_objective(T, self._d(d_params), fake)
                return loss, loss

            grads, loss = torch.func.grad(g_total, has_aux=True)(gp)
            new, new_state = optim_rules.step(
                g_kind, gp, grads, gs, hp["g_lr"], hp["g_beta1"], hp["g_beta2"], hp["g_momentum"]
            )
            norm = it.norm(grads)
            if self.vary_steps and j > 0:
                on = j < hp["g_steps"]
                new, new_state, loss, norm = keep_where(on, (new, new_state, loss, norm), (gp, gs, g_loss, g_grad))
            gp, gs, g_loss, g_grad = new, new_state, loss, norm
        if self.full_rows:
            d_out = tuple(x.detach() for x in d_out)
            return gp, dp, gs, ds, it.row(T, d_out, d_grad, g_loss.detach(), g_grad)
        return gp, dp, gs, ds, torch.stack([d_out[0].detach(), g_loss.detach(), g_grad, d_grad])

    def _with_penalties(self, grads, dp, real, fake, eps, hp) -> list:
        """D's loss gradient plus its penalties' (dp: [weight, bias, ...] of D's Linear layers)."""
        D = self.d_t
        extra = mp.d_penalty_grads(
            D.net, dp, D.pack, D.input_scale, self.terms, real, fake, eps, hp["gp_weight"], hp["r1"], hp["r2"]
        )
        grads = list(grads)
        for i, g in zip(range(0, len(grads), 2), extra or []):
            grads[i] = grads[i] + g
        return grads

    def run(self, gp, dp, gs, ds, samples):
        """Every member's iteration at once: (M, ...) in, (M, ...) out; rows (M, len(SERIES))."""
        if self.manual is not None:
            return self.manual.run(gp, dp, gs, ds, samples)
        return self._batched(gp, dp, gs, ds, self.hp, samples)
