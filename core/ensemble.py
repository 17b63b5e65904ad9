"""Many independent GANs trained as one: weights stacked along a member axis, one vmapped iteration.

Why: one small GAN leaves the hardware mostly idle (tiny matrices, per-kernel overhead). Stacking
M members turns every layer into one batched product, so a grid of configurations (a sweep)
trains in a fraction of the time of M separate runs on a GPU. Members never mix: each has its own
weights, optimiser state, hyper-parameters and samples. The iteration is core.iteration's, batched
by core.batched_step, so every objective the engine trains (WGAN-GP, R1, R2, unrolling, several
D or G steps, SGD / Adam / RMSprop) trains here too; tests check members against the engine.

Members may differ only in fields that change no tensor shape and no set of computed terms
(SWEEPABLE); a penalty is computed for all members when any has it, weighted by each one's own.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np
import torch

from ganscope.core import optim_rules
from ganscope.core.batched_step import HYPER, SERIES, BatchedStep
from ganscope.core.config import ConfigError, GanConfig
from ganscope.core.engine import build_player, resolve_device
from ganscope.core.metrics import histogram, js_divergence, mode_metrics, reverse_kl_modes
from ganscope.core.targets import build_target
from ganscope.core.threads import torch_threads

SWEEPABLE = tuple(HYPER.values()) + ("run.seed",)
INT_FIELDS = ("d_opt.steps", "g_opt.steps", "run.seed")


def check_members(configs: list[GanConfig]) -> None:
    """Members may differ only in SWEEPABLE fields (the rest fixes shapes and computed terms)."""
    base = configs[0].to_dict()
    for cfg in configs[1:]:
        other = cfg.to_dict()
        for section, fields in base.items():
            for key, value in fields.items():
                if f"{section}.{key}" not in SWEEPABLE and other[section][key] != value:
                    raise ConfigError(
                        f"{section}.{key} differs between sweep members; only "
                        f"{', '.join(SWEEPABLE)} can vary within one batched sweep"
                    )
    base = configs[0]
    if base.generator.norm != "none" or base.discriminator.maxout > 1:
        raise ConfigError(
            "sweeps train plain MLPs: batch norm (generator.norm) and maxout "
            "(discriminator.maxout) need the single-run engine"
        )


class Ensemble:
    """Trains len(configs) GANs at once; `evaluate()` gives each member's quality metrics."""

    def __init__(
        self,
        configs: list[GanConfig],
        device: str | None = None,
        threads: int | None = None,
        hand_written: bool | None = None,
    ):
        """hand_written: train by batched hand-written gradients where they cover the config
        (core.batched_manual; False: torch.func under vmap throughout, the general path). Default:
        on a CPU only, where it was measured (docs/benchmarks.md); GPU sweeps keep the general path
        until it is measured there."""
        for c in configs:
            c.validate()
        check_members(configs)
        self.configs = configs
        base = configs[0]
        self.device = resolve_device(device or base.run.device)
        # Unlike one small GAN, batched products do use every core (1.7x from 2 threads here); set
        # only around this object's own work (step, generated), never for the whole process.
        self.threads = threads or os.cpu_count() or 1
        self.M = len(configs)
        # Samples are drawn where the members train: on a GPU, a CPU sampler would be the bottleneck.
        self.gen = torch.Generator(device=self.device).manual_seed(base.run.seed + 31337)
        self.target = build_target(base.target)
        G = [build_player(c, "G") for c in configs]
        D = [build_player(c, "D") for c in configs]
        self.templates = (G[0].to(self.device), D[0].to(self.device))
        self.noise_dim, self.noise_kind = G[0].noise_dim, G[0].noise_kind
        self.G = [torch.stack([p.detach() for p in ps]).to(self.device) for ps in zip(*(g.parameters() for g in G))]
        self.D = [torch.stack([p.detach() for p in ps]).to(self.device) for ps in zip(*(d.parameters() for d in D))]
        self.kinds = (base.g_opt.kind, base.d_opt.kind)
        self.opt_g, self.opt_d = self._fresh_state(self.kinds[0], self.G), self._fresh_state(self.kinds[1], self.D)
        self.batched = BatchedStep(
            configs,
            self.templates[0],
            self.templates[1],
            self.device,
            hand_written=self.device.type == "cpu" if hand_written is None else hand_written,
        )
        self.step_count = 0
        self.history: list[np.ndarray] = []  # per chunk: (iterations, M, len(SERIES))
        self.drawn = slice(None)  # the members whose samples this object keeps (keep_members)
        self.draws_for = self.M  # how many members' samples each iteration draws

    def keep_members(self, lo: int, hi: int) -> None:
        """Train only members lo..hi-1 from now on (a sweep worker's share, core.sweep_processes).
        Every member's samples are still drawn from the sweep's one generator, in the same plan, and
        these members' kept: each trains on the very samples it would in the whole sweep, so its
        weights come out bit for bit the same (tested). Before the first step only."""
        if self.step_count or not 0 <= lo < hi <= self.M:
            raise ValueError(f"keep_members({lo}, {hi}): before the first step, within 0..{self.M}")
        part = slice(lo, hi)
        self.G, self.D = [p[part].clone() for p in self.G], [p[part].clone() for p in self.D]
        self.opt_g, self.opt_d = (
            {k: v[part].clone() if k == "step" else [t[part].clone() for t in v] for k, v in st.items()}
            for st in (self.opt_g, self.opt_d)
        )
        self.batched.hp = {k: v[part] for k, v in self.batched.hp.items()}
        self.configs, self.M, self.drawn = self.configs[part], hi - lo, part

    def _fresh_state(self, kind: str, params: list[torch.Tensor]) -> dict:
        state = optim_rules.init_state(kind, params)
        state["step"] = torch.zeros(self.M, dtype=params[0].dtype, device=self.device)  # per member
        return state

    # --- one iteration, every member -------------------------------------------------------------
    def draw(self) -> dict:
        """One iteration's samples for every member (core.batched_step.BatchedStep.draw's plan)."""
        gen, dev = self.gen, self.device

        def noise(M, n):
            if self.noise_kind == "uniform":
                return torch.rand(M, n, self.noise_dim, generator=gen, device=dev) * 2 - 1
            return torch.randn(M, n, self.noise_dim, generator=gen, device=dev)

        samples = self.batched.draw(
            self.draws_for,
            lambda M, n: self.target.sample(M * n, gen).reshape(M, n, 2).to(dev),
            noise,
            lambda *shape: torch.randn(*shape, generator=gen, device=dev),
            lambda *shape: torch.rand(*shape, generator=gen, device=dev),
        )
        return samples if self.draws_for == self.M else {k: v[self.drawn] for k, v in samples.items()}

    def iteration(self, samples: dict) -> torch.Tensor:
        """Every member's iteration on given samples (see draw); returns (M, len(SERIES)) metrics."""
        self.G, self.D, self.opt_g, self.opt_d, rows = self.batched.run(self.G, self.D, self.opt_g, self.opt_d, samples)
        return rows

    def step(self, n_steps: int) -> None:
        # One buffer for the call's metrics: a list of small per-iteration tensors pinned the
        # allocator's heap between the large temporaries, and a 20,000-step call grew to 3.3 GB.
        rows = torch.empty(n_steps, self.M, len(SERIES), device=self.device)
        with torch.no_grad(), torch_threads(self.threads):
            for i in range(n_steps):
                rows[i] = self.iteration(self.draw())
        self.history.append(rows.cpu().numpy())  # one host sync per call
        self.step_count += n_steps

    # --- results ---------------------------------------------------------------------------------
    def generated(self, n: int = 2500) -> np.ndarray:
        """(M, n, 2) samples from each member's G, from one fixed noise batch shared by all."""
        gen = torch.Generator().manual_seed(self.configs[0].run.seed + 7919)
        z = (
            torch.randn(n, self.noise_dim, generator=gen)
            if self.noise_kind != "uniform"
            else torch.rand(n, self.noise_dim, generator=gen) * 2 - 1
        )
        with torch.no_grad(), torch_threads(self.threads):
            g = lambda params: torch.func.functional_call(
                self.templates[0], dict(zip(self.batched.g_names, params)), (z.to(self.device),)
            )
            out = torch.vmap(g)(self.G)
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
            r: dict[str, Any] = {name: float(last[m, i]) for i, name in enumerate(SERIES)}
            finite = bool(np.isfinite(s).all() and np.isfinite(last[m]).all())
            r.update(modes=math.nan, hq_share=math.nan, js=math.nan, reverse_kl=math.nan)
            if finite:
                if t.centres is not None:
                    captured, hq, _ = mode_metrics(s, t.centres, t.sigmas)
                    r.update(
                        modes=float(captured),
                        hq_share=hq,
                        reverse_kl=reverse_kl_modes(s, t.centres, getattr(t, "weights", None)),
                    )
                r["js"] = js_divergence(p_real, histogram(s, xe, ye))
            r["verdict"] = verdict(r, t.n_modes, finite)
            results.append(r)
        return results

    def member_engine(self, m: int):
        """A GanEngine holding member m's trained weights and config, to continue in the app."""
        from .engine import GanEngine

        e = GanEngine(self.configs[m].copy())
        for model, stacked, opt, st in ((e.G, self.G, e.opt_g, self.opt_g), (e.D, self.D, e.opt_d, self.opt_d)):
            with torch.no_grad():
                for p, value in zip(model.parameters(), stacked):
                    p.copy_(value[m])
            saved = opt.state_dict()  # the optimiser's state carries over, so continuing is seamless
            saved["state"] = {i: _torch_state(st, i, m) for i in range(len(stacked))}
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


def _torch_state(state: dict, i: int, m: int) -> dict:
    """Member m's state of parameter i, in torch.optim's layout (the rule uses its names)."""
    out = {k: v[i][m].detach().cpu().clone() for k, v in state.items() if k != "step"}
    out["step"] = state["step"][m].detach().cpu().clone().float()
    return out
