"""Compared runs that differ only in numbers, trained as one batched call (core.batched_step).

Why: runs that share architecture, batch and objective (a learning-rate or penalty comparison, an
original and a branch with another learning rate) are one vmapped iteration over stacked weights
instead of one engine call each. The engines stay the runs' owners (frames, charts, detectors,
snapshots, edits): a chunk stacks their weights and optimiser states, draws each run's samples
from the run's own random stream in the engine's own order (GanEngine._iteration: so a batched
run follows the same sample stream as the run trained alone), trains the chunk batched, writes
the weights and states back and books the rows through the engine (GanEngine.keep_chunk).

Runs that differ in structure (loss, packing, unrolling, architecture, batch size: lesson 5's
remedies) cannot share one vmapped iteration; `why_not` says why and the group steps their engines.
"""

from __future__ import annotations

import torch

from ganscope.core import optim_rules
from ganscope.core.batched_step import BatchedStep
from ganscope.core.config import ConfigError
from ganscope.core.ensemble import check_members
from ganscope.core.threads import torch_threads


def why_not(engines) -> str | None:
    """None when these engines can train as one batched call now; else the reason, in words."""
    if len(engines) < 2:
        return "one run"
    try:
        check_members([e.cfg for e in engines])
    except ConfigError as exc:
        return str(exc)
    first = engines[0]
    for e in engines:
        if e.status != "ok":
            return "a run has stopped"
        if e.step_count != first.step_count:
            return "the runs are at different steps"
        if e.device != first.device:
            return "the runs train on different devices"
        if e.schedule or e.stop_at is not None or any(e.frozen.values()) or set(e.players) != {"G", "D"}:
            return "a run follows a lesson's script (freezes, resets or one player)"
    return None


class BatchedLockstep:
    """Steps engines that `why_not` allows as one batched call; `step(n)` returns the steps kept."""

    def __init__(self, engines):
        self.engines = list(engines)

    def step(self, n: int) -> list[int]:
        """n iterations of every run (n must not cross an evaluation step: the caller chunks);
        returns each run's kept steps (0 for a run that diverged in this chunk and was rolled back)."""
        engines = self.engines
        e0 = engines[0]
        configs = [e.cfg for e in engines]
        batched = BatchedStep(configs, e0.G, e0.D, e0.device, full_rows=True)
        g_kind, d_kind = e0.cfg.g_opt.kind, e0.cfg.d_opt.kind
        gp = _stack([list(e.G.parameters()) for e in engines])
        dp = _stack([list(e.D.parameters()) for e in engines])
        gs = _stack_state(g_kind, [(e.opt_g, list(e.G.parameters())) for e in engines])
        ds = _stack_state(d_kind, [(e.opt_d, list(e.D.parameters())) for e in engines])
        rows = []
        with torch.no_grad(), torch_threads(e0.cfg.run.threads):
            for _ in range(n):
                samples = _stack_samples([_draw_like_engine(e, batched) for e in engines])
                gp, dp, gs, ds, r = batched.run(gp, dp, gs, ds, samples)
                rows.append(r)
            per_run = torch.stack(rows, 1)  # (M, n, SERIES)
            for m, e in enumerate(engines):
                _write_back(list(e.G.parameters()), gp, e.opt_g, g_kind, gs, m)
                _write_back(list(e.D.parameters()), dp, e.opt_d, d_kind, ds, m)
        return [e.keep_chunk(per_run[m]) for m, e in enumerate(engines)]


def _stack(per_run: list[list[torch.Tensor]]) -> list[torch.Tensor]:
    return [torch.stack([p.detach() for p in ps]) for ps in zip(*per_run)]


def _stack_state(kind: str, opts) -> dict:
    """The runs' torch optimiser states in the rule's layout, stacked along a run axis."""
    states = [optim_rules.state_from_torch(kind, opt, params) for opt, params in opts]
    params0 = opts[0][1]
    out: dict = {"step": torch.tensor([s["step"] for s in states], dtype=params0[0].dtype, device=params0[0].device)}
    for key in states[0]:
        if key == "step":
            continue
        per_run = [
            [torch.zeros_like(p) if v is None else v for v, p in zip(s[key], params)]  # SGD's first step: 0 * m + g
            for s, (_opt, params) in zip(states, opts)
        ]
        out[key] = _stack(per_run)
    return out


def _write_back(params, stacked, opt, kind: str, state: dict, m: int) -> None:
    """Run m's new weights into its model and its optimiser state into its torch optimiser, in
    torch.optim's layout (so the engine continues from them exactly as from its own step). Into the
    existing tensors where there are some: a CUDA graph the engine recorded keeps reading them."""
    for p, value in zip(params, stacked):
        p.copy_(value[m])
    momentum = opt.param_groups[0].get("momentum", 0.0)
    for i, p in enumerate(params):
        st = opt.state[p]
        for key, values in state.items():
            if key == "step" or (key == "momentum_buffer" and not momentum):
                continue
            _assign(st, key, values[i][m])
        if kind != "sgd":  # torch's SGD keeps no step count
            # torch keeps the count as a float32 scalar, on the parameter's device for fused or
            # capturable Adam (the engine's on CUDA), on the CPU otherwise
            on_device = opt.defaults.get("fused") or opt.defaults.get("capturable")
            step = state["step"][m].to(torch.float32).to(p.device if on_device else "cpu")
            _assign(st, "step", step)


def _assign(st: dict, key: str, value: torch.Tensor) -> None:
    old = st.get(key)
    if isinstance(old, torch.Tensor) and old.shape == value.shape:
        old.copy_(value)
    else:
        st[key] = value.clone()


def _draw_like_engine(e, batched: BatchedStep) -> dict:
    """One iteration's samples from engine e's own generator, in the order GanEngine._iteration
    draws them (for one G step that is not unrolled, G's noise is drawn before D's last step and
    serves both players), laid out as BatchedStep.draw lays them out for one run; slots this run
    does not use (fewer D or G steps than the batch's largest, no instance noise) hold zeros."""
    cfg, T, gen, dev = e.cfg, batched.terms, e.gen, e.device
    n, sigma = batched.n, cfg.objective.instance_noise
    gp = cfg.objective.loss == "wgan-gp" and cfg.objective.gp_weight > 0
    d_steps, g_steps = cfg.d_opt.steps, cfg.g_opt.steps
    share = g_steps == 1 and cfg.objective.unrolled_steps == 0
    z_shape = (n, e.G.noise_dim)
    zeros = lambda *shape: torch.zeros(*shape, device=dev)
    s: dict = {
        "d_real": [zeros(n, 2) for _ in range(batched.d_steps)],
        "d_z": [zeros(*z_shape) for _ in range(batched.d_steps)],
    }
    if T.noise:
        s["d_noise"] = [zeros(2, n, 2) for _ in range(batched.d_steps)]
    if T.gp:
        s["gp_eps"] = [zeros(n // T.pack, 1) for _ in range(batched.d_steps)]
    for i in range(d_steps):
        z = e.G.sample_noise(n, gen, dev) if share and i == d_steps - 1 else None
        s["d_real"][i] = e.target.sample(n, gen).to(dev)
        s["d_z"][i] = e.G.sample_noise(n, gen, dev) if z is None else z
        if sigma > 0:
            s["d_noise"][i] = torch.stack([torch.randn(n, 2, generator=gen) for _ in range(2)]).to(dev)
        if gp:
            s["gp_eps"][i] = torch.rand(n // T.pack, 1, generator=gen).to(dev)
    g_z = [zeros(*z_shape) for _ in range(batched.g_steps)]
    g_noise = [zeros(n, 2) for _ in range(batched.g_steps)]
    ahead = [zeros(n, 2) for _ in range(batched.g_steps)]
    for j in range(g_steps):
        g_z[j] = s["d_z"][d_steps - 1] if share and j == 0 else e.G.sample_noise(n, gen, dev)
        if sigma > 0:
            g_noise[j] = torch.randn(n, 2, generator=gen).to(dev)
        if T.unrolled:
            ahead[j] = e.target.sample(n, gen).to(dev)
    if batched.g_steps > 1 or T.unrolled or batched.vary_steps:
        s["g_z"] = g_z
    if T.noise:
        s["g_noise"] = g_noise
    if T.unrolled:
        s["ahead_real"] = ahead
    return {k: torch.stack(v) for k, v in s.items()}


def _stack_samples(per_run: list[dict]) -> dict:
    return {k: torch.stack([s[k] for s in per_run]) for k in per_run[0]}
