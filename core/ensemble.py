"""Many independent GANs trained as one: weights stacked along a member axis, batched matmuls.

Why: one small GAN leaves the hardware mostly idle (tiny matrices, per-kernel overhead). Stacking
M members turns every layer into one batched product, so a grid of configurations (a sweep)
trains in a fraction of the time of M separate runs. Members never mix: each has its own weights,
optimiser state, learning rates and samples; a test checks each against GanEngine's own update fed
the same samples.

Members may differ only in fields that change no tensor shape (SWEEPABLE). Gradients are the
hand-written ones of core.manual_grad, so gradient penalties and unrolling are not available here.
"""
from __future__ import annotations

import math
import os

import numpy as np
import torch
from torch import nn

from . import manual_grad as mg
from . import objectives as obj
from .config import ConfigError, GanConfig
from .engine import build_player, resolve_device
from .metrics import histogram, js_divergence, mode_metrics, reverse_kl_modes
from .targets import build_target

SWEEPABLE = ("d_opt.lr", "g_opt.lr", "d_opt.beta1", "d_opt.beta2", "g_opt.beta1", "g_opt.beta2",
             "objective.instance_noise", "run.seed")
SERIES = ("d_loss", "g_loss", "g_grad", "d_grad")
EPS = 1e-8  # torch.optim.Adam's default, as the engine uses


class StackedMLP:
    """M copies of one MLP layout: weights (M, out, in), biases (M, out), one activation."""

    def __init__(self, nets: list[nn.Sequential], device):
        self.layers = list(nets[0])
        self.params: list[torch.Tensor] = []
        for i, layer in enumerate(self.layers):
            if isinstance(layer, nn.Linear):
                self.params.append(torch.stack([n[i].weight.detach() for n in nets]).to(device))
                self.params.append(torch.stack([n[i].bias.detach() for n in nets]).to(device))
        self.grads: list[torch.Tensor | None] = [None] * len(self.params)

    def forward(self, x: torch.Tensor):
        cache, h, k = [], x, 0
        for layer in self.layers:
            if isinstance(layer, nn.Linear):
                cache.append(h)
                w, b = self.params[k], self.params[k + 1]
                h = torch.baddbmm(b.unsqueeze(1), h, w.transpose(1, 2))
                k += 2
            else:
                h, saved = mg.activate(layer, h)
                cache.append(saved)
        return h, cache

    def backward(self, cache, dy: torch.Tensor, weight_grads: bool, input_grad: bool):
        k = len(self.params)
        for i in range(len(self.layers) - 1, -1, -1):
            layer, saved = self.layers[i], cache[i]
            if isinstance(layer, nn.Linear):
                k -= 2
                if weight_grads:
                    self.grads[k] = torch.bmm(dy.transpose(1, 2), saved)
                    self.grads[k + 1] = dy.sum(1)
                if i == 0 and not input_grad:
                    return None
                dy = torch.bmm(dy, self.params[k])
            else:
                dy = mg._activation_backward(layer, saved[0], saved[1], dy)
        return dy

    def member_state(self, m: int, template: nn.Sequential) -> dict:
        """Member m's weights as a state dict of the single-model layout."""
        keys = list(template.state_dict().keys())
        return {key: p[m].detach().cpu().clone() for key, p in zip(keys, self.params)}


class StackedAdam:
    """Adam over stacked parameters with a learning rate and betas per member (torch's formula)."""

    def __init__(self, params: list[torch.Tensor], lr, beta1, beta2, device):
        col = lambda v: torch.as_tensor(v, dtype=params[0].dtype, device=device)
        self.lr, self.beta1, self.beta2 = col(lr), col(beta1), col(beta2)
        self.exp_avg = [torch.zeros_like(p) for p in params]
        self.exp_avg_sq = [torch.zeros_like(p) for p in params]
        self.t = 0

    def step(self, params, grads) -> None:
        self.t += 1
        bc1 = 1 - self.beta1 ** self.t
        bc2_sqrt = (1 - self.beta2 ** self.t).sqrt()
        for p, g, m, v in zip(params, grads, self.exp_avg, self.exp_avg_sq):
            shape = (-1,) + (1,) * (p.dim() - 1)
            b1, b2 = self.beta1.view(shape), self.beta2.view(shape)
            m.lerp_(g, 1 - b1)
            v.mul_(b2).addcmul_(g, g * (1 - b2))
            denom = (v.sqrt() / bc2_sqrt.view(shape)).add_(EPS)
            p.addcdiv_(m, denom * (bc1 / self.lr).view(shape), value=-1.0)


def check_members(configs: list[GanConfig]) -> None:
    """Members may differ only in SWEEPABLE fields; penalties and unrolling need autograd."""
    base = configs[0].to_dict()
    for cfg in configs[1:]:
        other = cfg.to_dict()
        for section, fields in base.items():
            for key, value in fields.items():
                if f"{section}.{key}" not in SWEEPABLE and other[section][key] != value:
                    raise ConfigError(f"{section}.{key} differs between sweep members; only "
                                      f"{', '.join(SWEEPABLE)} can vary within one batched sweep")
    oc, base = configs[0].objective, configs[0]
    if base.d_opt.kind != "adam" or base.g_opt.kind != "adam" or base.d_opt.steps != 1 \
            or base.g_opt.steps != 1:
        raise ConfigError("sweeps train both players with Adam, one D step and one G step per iteration")
    if base.generator.norm != "none" or base.discriminator.maxout > 1:
        raise ConfigError("sweeps train plain MLPs: batch norm (generator.norm) and maxout "
                          "(discriminator.maxout) need the single-run engine")
    if oc.r1 or oc.r2 or oc.unrolled_steps or oc.loss == "wgan-gp":
        raise ConfigError("sweeps train with hand-written gradients: gradient penalties (wgan-gp, r1, "
                          "r2) and unrolling are not available in a sweep")


class Ensemble:
    """Trains len(configs) GANs at once; `evaluate()` gives each member's quality metrics."""

    def __init__(self, configs: list[GanConfig], device: str | None = None, threads: int | None = None):
        for c in configs:
            c.validate()
        check_members(configs)
        self.configs = configs
        base = configs[0]
        self.device = resolve_device(device or base.run.device)
        # Unlike one small GAN, batched products do use every core (1.7x from 2 threads here).
        torch.set_num_threads(threads or os.cpu_count() or 1)
        self.M = len(configs)
        # Samples are drawn where the members train: on a GPU, a CPU sampler would be the bottleneck.
        self.gen = torch.Generator(device=self.device).manual_seed(base.run.seed + 31337)
        self.target = build_target(base.target)
        G = [build_player(c, "G") for c in configs]
        D = [build_player(c, "D") for c in configs]
        self.templates = (G[0].net, D[0].net)
        self.noise_dim, self.noise_kind = G[0].noise_dim, G[0].noise_kind
        self.pack, self.input_scale = D[0].pack, D[0].input_scale
        self.G = StackedMLP([g.net for g in G], self.device)
        self.D = StackedMLP([d.net for d in D], self.device)
        val = lambda path: [c.get(path) for c in configs]
        self.opt_g = StackedAdam(self.G.params, val("g_opt.lr"), val("g_opt.beta1"), val("g_opt.beta2"),
                                 self.device)
        self.opt_d = StackedAdam(self.D.params, val("d_opt.lr"), val("d_opt.beta1"), val("d_opt.beta2"),
                                 self.device)
        self.sigma = torch.tensor(val("objective.instance_noise"), dtype=self.G.params[0].dtype,
                                  device=self.device).view(-1, 1, 1)
        self.use_noise = any(v > 0 for v in val("objective.instance_noise"))
        self.step_count = 0
        self.history: list[np.ndarray] = []  # per chunk: (iterations, M, len(SERIES))

    # --- one iteration, every member -------------------------------------------------------------
    def _noise(self, n: int) -> torch.Tensor:
        shape = (self.M, n, self.noise_dim)
        if self.noise_kind == "uniform":
            return torch.rand(shape, generator=self.gen, device=self.device) * 2 - 1
        return torch.randn(shape, generator=self.gen, device=self.device)

    def _randn(self, n: int) -> torch.Tensor:
        return torch.randn(self.M, n, 2, generator=self.gen, device=self.device)

    def _d_forward(self, x: torch.Tensor):
        out, cache = self.D.forward(x.reshape(self.M, -1, 2 * self.pack) * self.input_scale)
        return out.squeeze(-1), cache

    def _d_input_grad(self, cache, d_scores: torch.Tensor) -> torch.Tensor:
        dx = self.D.backward(cache, d_scores.unsqueeze(-1), weight_grads=False, input_grad=True)
        return (dx * self.input_scale).reshape(self.M, -1, 2)

    def iteration(self, real: torch.Tensor, z: torch.Tensor, noise: torch.Tensor | None = None):
        """One D step then one G step for every member, on given samples (M, n, 2) and (M, n, dim).

        `noise` (3, M, n, 2) is instance noise before scaling by each member's sigma.
        Returns (M, len(SERIES)) per-member metrics.
        """
        cfg = self.configs[0]
        loss = cfg.objective.loss
        fake, g_cache = self.G.forward(z)
        fake_d, fake_g = fake, fake
        if noise is not None:
            real, fake_d, fake_g = real + self.sigma * noise[0], fake + self.sigma * noise[1], \
                fake + self.sigma * noise[2]
        scores, d_cache = self._d_forward(torch.cat([real, fake_d], 1))
        r, f = scores.split(real.shape[1] // self.pack, dim=1)
        d_loss = torch.vmap(lambda a, b: obj.d_loss(loss, a, b))(r, f)
        dr, df = mg.d_output_grads(loss, r, f)
        self.D.backward(d_cache, torch.cat([dr, df], 1).unsqueeze(-1), weight_grads=True, input_grad=False)
        d_grad = _member_norm(self.D.grads)
        self.opt_d.step(self.D.params, self.D.grads)
        if loss == "wgan":
            for p in self.D.params:
                p.clamp_(-cfg.objective.clip, cfg.objective.clip)
        f, d_cache = self._d_forward(fake_g)
        g_loss = torch.vmap(lambda a: obj.g_loss(loss, a))(f)
        dx = self._d_input_grad(d_cache, mg.g_output_grad(loss, f))
        self.G.backward(g_cache, dx, weight_grads=True, input_grad=False)
        g_grad = _member_norm(self.G.grads)
        self.opt_g.step(self.G.params, self.G.grads)
        return torch.stack([d_loss, g_loss, g_grad, d_grad], 1)

    def step(self, n_steps: int) -> None:
        cfg = self.configs[0]
        n = cfg.run.batch_size * cfg.objective.pack
        # One buffer for the call's metrics: a list of small per-iteration tensors pinned the
        # allocator's heap between the large temporaries, and a 20,000-step call grew to 3.3 GB.
        rows = torch.empty(n_steps, self.M, len(SERIES), device=self.device)
        with torch.no_grad():
            for i in range(n_steps):
                real = self.target.sample(self.M * n, self.gen).reshape(self.M, n, 2)
                z = self._noise(n)
                noise = torch.stack([self._randn(n) for _ in range(3)]) if self.use_noise else None
                rows[i] = self.iteration(real, z, noise)
        self.history.append(rows.cpu().numpy())  # one host sync per call
        self.step_count += n_steps

    # --- results ---------------------------------------------------------------------------------
    def generated(self, n: int = 2500) -> np.ndarray:
        """(M, n, 2) samples from each member's G, from one fixed noise batch shared by all."""
        gen = torch.Generator().manual_seed(self.configs[0].run.seed + 7919)
        z = torch.randn(n, self.noise_dim, generator=gen) if self.noise_kind != "uniform" else \
            torch.rand(n, self.noise_dim, generator=gen) * 2 - 1
        with torch.no_grad():
            out, _ = self.G.forward(z.to(self.device).expand(self.M, n, self.noise_dim))
        return out.cpu().numpy().astype(np.float64)

    def evaluate(self) -> list[dict]:
        """Per member: modes captured, high-quality share, JS (bits), final losses, verdict."""
        samples = self.generated()
        t = self.target
        x0, x1, y0, y1 = t.extent()
        xe, ye = np.linspace(x0, x1, 65), np.linspace(y0, y1, 65)
        if hasattr(t, "cell_probabilities"):
            p = t.cell_probabilities(xe, ye).ravel()
            p_real = np.append(p, max(0.0, 1 - p.sum()))
        else:
            p_real = histogram(t.sample(50_000, torch.Generator().manual_seed(1)).numpy(), xe, ye)
        last = self.history[-1][-1] if self.history else np.full((self.M, len(SERIES)), np.nan)
        results = []
        for m in range(self.M):
            s = samples[m]
            r = {name: float(last[m, i]) for i, name in enumerate(SERIES)}
            finite = bool(np.isfinite(s).all() and np.isfinite(last[m]).all())
            r.update(modes=math.nan, hq_share=math.nan, js=math.nan, reverse_kl=math.nan)
            if finite:
                if t.centres is not None:
                    captured, hq, _ = mode_metrics(s, t.centres, t.sigmas)
                    r.update(modes=float(captured), hq_share=hq,
                             reverse_kl=reverse_kl_modes(s, t.centres, getattr(t, "weights", None)))
                r["js"] = js_divergence(p_real, histogram(s, xe, ye))
            r["verdict"] = verdict(r, t.n_modes, finite)
            results.append(r)
        return results

    def member_engine(self, m: int):
        """A GanEngine holding member m's trained weights and config, to continue in the app."""
        from .engine import GanEngine
        e = GanEngine(self.configs[m].copy())
        for model, stacked, opt, st, tpl in ((e.G, self.G, e.opt_g, self.opt_g, self.templates[0]),
                                             (e.D, self.D, e.opt_d, self.opt_d, self.templates[1])):
            model.net.load_state_dict(stacked.member_state(m, tpl))
            saved = opt.state_dict()  # Adam's moments carry over, so continuing is seamless
            saved["state"] = {i: {"step": torch.tensor(float(st.t)), "exp_avg": a[m].detach().cpu().clone(),
                                  "exp_avg_sq": s[m].detach().cpu().clone()}
                              for i, (a, s) in enumerate(zip(st.exp_avg, st.exp_avg_sq))}
            opt.load_state_dict(saved)
        e.step_count = self.step_count
        e.evaluator.evaluate()
        e._snapshot()
        return e


def verdict(r: dict, n_modes: int, finite: bool) -> str:
    """diverged / collapsed (<= 25% of modes) / partial / ok; without modes, by JS alone."""
    if not finite:
        return "diverged"
    if n_modes:
        if r["modes"] <= 0.25 * n_modes:
            return "collapsed"
        return "ok" if r["modes"] == n_modes else "partial"
    return "ok" if r["js"] < 0.3 else "poor"


def _member_norm(grads: list[torch.Tensor]) -> torch.Tensor:
    """Each member's gradient norm over all its parameters: (M,)."""
    return torch.sqrt(sum(g.reshape(g.shape[0], -1).square().sum(1) for g in grads))
