"""A batched ensemble: each member trains exactly as GanEngine's own update would, given its samples."""

import numpy as np
import pytest
import torch

from ganscope.core import objectives as obj
from ganscope.core.config import ConfigError, GanConfig
from ganscope.core.engine import GanEngine
from ganscope.core.ensemble import Ensemble
from tests.conftest import configs_with


def engine_iteration(e, s: dict, m: int):
    """Member m's iteration taken by the engine's own eager steps (the reference), on the samples
    the ensemble drew for it; returns its metric row in the ensemble's SERIES order."""
    cfg, sigma = e.cfg, e.cfg.objective.instance_noise
    for i in range(cfg.d_opt.steps):
        with torch.no_grad():
            fake = e.G(s["d_z"][m, i])
        real = s["d_real"][m, i]
        if "d_noise" in s:
            real, fake = real + sigma * s["d_noise"][m, i, 0], fake + sigma * s["d_noise"][m, i, 1]
        r, f, d_grad = e._d_update(real, fake, s["gp_eps"][m, i] if "gp_eps" in s else None, True)
    for j in range(cfg.g_opt.steps):
        fake = e.G(s["g_z"][m, j] if "g_z" in s else s["d_z"][m, -1])
        if "g_noise" in s:
            fake = fake + sigma * s["g_noise"][m, j]
        fg, g_grad = e._g_update(fake, True, s["ahead_real"][m, j] if "ahead_real" in s else None)
    loss = cfg.objective.loss
    return torch.stack([obj.d_loss(loss, r, f), obj.g_loss(loss, fg), g_grad, d_grad])


# Every objective, penalty and optimiser (with and without momentum), and step ratios. Tolerance:
# float64, rtol 1e-7 / atol 1e-9 after 3 iterations (the engine's fused / foreach optimiser
# kernels round differently from the rule's formula; a missing or wrong term is off by >1e-3).
CASES = {
    "nonsaturating-adam": {},
    "minimax-sgd-momentum": {
        "objective.loss": "minimax",
        "d_opt.kind": "sgd",
        "g_opt.kind": "sgd",
        "d_opt.momentum": 0.5,
        "d_opt.lr": 1e-2,
        "g_opt.lr": 1e-2,
    },
    "lsgan-rmsprop-2g": {
        "objective.loss": "lsgan",
        "d_opt.kind": "rmsprop",
        "g_opt.kind": "rmsprop",
        "g_opt.momentum": 0.5,
        "g_opt.steps": 2,
    },
    "hinge-noise-sgd": {
        "objective.loss": "hinge",
        "objective.instance_noise": 0.05,
        "d_opt.kind": "sgd",
        "d_opt.lr": 1e-2,
    },
    "wgan-clip-pack2-3d": {
        "objective.loss": "wgan",
        "objective.pack": 2,
        "d_opt.steps": 3,
        "d_opt.kind": "rmsprop",
        "g_opt.kind": "rmsprop",
    },
    "wgan-gp-2d": {"objective.loss": "wgan-gp", "objective.gp_weight": 1.0, "d_opt.steps": 2},
    "wgan-gp-pack2-rmsprop": {
        "objective.loss": "wgan-gp",
        "objective.pack": 2,
        "d_opt.kind": "rmsprop",
        "d_opt.momentum": 0.5,
    },
    "r1-r2-noise": {"objective.r1": 1.0, "objective.r2": 0.5, "objective.instance_noise": 0.05},
    # penalties by hand-written gradients on a LeakyReLU D; by torch.func's double backward on a tanh D
    "wgan-gp-leaky-relu": {"objective.loss": "wgan-gp", "discriminator.activation": "leaky_relu"},
    "r1-tanh": {"objective.r1": 1.0, "discriminator.activation": "tanh"},
    "unrolled-adam": {"objective.unrolled_steps": 2},
    "unrolled-rmsprop-momentum": {
        "objective.unrolled_steps": 2,
        "objective.loss": "lsgan",
        "d_opt.kind": "rmsprop",
        "d_opt.momentum": 0.5,
    },
    "unrolled-sgd-momentum": {
        "objective.unrolled_steps": 1,
        "d_opt.kind": "sgd",
        "d_opt.momentum": 0.5,
        "d_opt.lr": 1e-2,
    },
}
MEMBERS = [
    {"d_opt.lr_scale": 1.0, "run.seed": 1},
    {"d_opt.lr_scale": 3.0, "g_opt.beta1": 0.0, "run.seed": 2},
    {"d_opt.lr_scale": 0.3, "d_opt.beta2": 0.9, "run.seed": 3},
]


def _cfgs(small_cfg, changes, members=MEMBERS):
    small_cfg.run.batch_size = 32
    small_cfg.generator.width = small_cfg.discriminator.width = 16
    for k, v in changes.items():
        small_cfg.set(k, v)
    out = []
    for member in members:
        c = small_cfg.copy()
        for k, v in member.items():
            if k == "d_opt.lr_scale":
                c.set("d_opt.lr", c.d_opt.lr * v)
            else:
                c.set(k, v)
        out.append(c)
    return out


def check_against_engine(cfgs, iterations=3, hand_written=True):
    ens = Ensemble(cfgs, threads=1, hand_written=hand_written)
    engines = [GanEngine(c) for c in cfgs]
    for _ in range(iterations):
        s = ens.draw()
        rows = ens.iteration(s)
        for m, e in enumerate(engines):
            torch.testing.assert_close(rows[m], engine_iteration(e, s, m).detach(), rtol=1e-7, atol=1e-9)
    for m, e in enumerate(engines):
        for stacked, model in ((ens.G, e.G), (ens.D, e.D)):
            for p_stacked, p in zip(stacked, model.parameters()):
                torch.testing.assert_close(p_stacked[m], p.detach(), rtol=1e-7, atol=1e-9)
    return ens, engines


# The cases the batched hand-written passes cannot take (core.batched_manual.supports).
VMAP_ONLY = ("r1-tanh", "unrolled-adam", "unrolled-rmsprop-momentum", "unrolled-sgd-momentum")


PATHS = [pytest.param(case, True, id=f"{case}-hand-written") for case in CASES] + [
    pytest.param(case, False, id=f"{case}-vmap") for case in CASES if case not in VMAP_ONLY
]


@pytest.mark.parametrize("case, hand_written", PATHS)
def test_each_member_matches_the_engine_fed_the_same_samples(small_cfg, case, hand_written, float64):
    """On either path; the hand-written one is taken wherever it covers the case."""
    ens, _ = check_against_engine(_cfgs(small_cfg, CASES[case]), hand_written=hand_written)
    assert (ens.batched.manual is not None) == (hand_written and case not in VMAP_ONLY)


def test_members_may_differ_in_penalty_weights_clip_and_step_counts(small_cfg, float64):
    """What a stability map varies: gp_weight, R1, D:G steps; each member trains as its own engine."""
    members = [
        {"objective.gp_weight": 0.0, "d_opt.steps": 1, "run.seed": 1},
        {"objective.gp_weight": 10.0, "d_opt.steps": 3, "g_opt.steps": 2, "run.seed": 2},
        {"objective.gp_weight": 0.1, "objective.r1": 1.0, "d_opt.steps": 2, "run.seed": 3},
    ]
    clip = [{"objective.clip": 0.01}, {"objective.clip": 0.1, "objective.instance_noise": 0.1}]
    for hand_written in (True, False):
        check_against_engine(_cfgs(small_cfg.copy(), {"objective.loss": "wgan-gp"}, members), hand_written=hand_written)
        check_against_engine(_cfgs(small_cfg.copy(), {"objective.loss": "wgan"}, clip), hand_written=hand_written)


def test_members_do_not_interact(small_cfg):
    """A member fed NaN leaves the other as it would be without it."""
    cfgs = configs_with(small_cfg, [{"d_opt.lr": 3e-4}, {"d_opt.lr": 1e-3}])
    both = Ensemble(cfgs, threads=1)
    alone = Ensemble(cfgs[:1], threads=1)
    with torch.no_grad():
        for _ in range(20):
            s = both.draw()
            s["d_real"][1, 0, 0, 0] = float("nan")
            both.iteration(s)
            alone.iteration({k: v[:1] for k, v in s.items()})
    assert not torch.isfinite(both.G[0][1]).all()  # member 1 blew up...
    for a, b in zip(alone.G, both.G):  # ...and member 0 never noticed
        torch.testing.assert_close(a[0], b[0], rtol=1e-6, atol=1e-7)


def test_sweep_members_must_share_shapes_and_terms(small_cfg):
    other = small_cfg.copy()
    other.set("generator.width", 64)
    with pytest.raises(ConfigError, match="generator.width differs"):
        Ensemble([small_cfg, other])
    gp = small_cfg.copy()
    gp.set("objective.loss", "wgan-gp")
    with pytest.raises(ConfigError, match="objective.loss differs"):
        Ensemble([small_cfg, gp])


def test_evaluation_and_member_engine_agree_with_the_engine(small_cfg):
    cfgs = configs_with(small_cfg, [{"run.seed": 0}, {"run.seed": 1}])
    ens = Ensemble(cfgs, threads=1)
    ens.step(30)
    results = ens.evaluate()
    assert [r["verdict"] in ("ok", "partial", "collapsed") for r in results] == [True, True]
    e = ens.member_engine(1)
    assert e.step_count == 30
    # The engine's own evaluator, on the member's weights, reports the same modes captured.
    assert e.metrics()["modes"] == results[1]["modes"]
    np.testing.assert_allclose(e.opt_g.state_dict()["state"][0]["exp_avg"], ens.opt_g["exp_avg"][0][1])
    e.step(5)  # and it trains on from there
    assert e.step_count == 35 and e.status == "ok"


def test_a_long_call_keeps_memory_flat():
    """One 1,500-step call: per-iteration metric tensors once pinned the heap (+116 MB here; a
    20,000-step call of the mode-coverage benchmark reached 3.3 GB)."""

    def rss_mb():
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * 4096 / 1e6

    configs = []
    for seed in range(5):
        c = GanConfig()
        c.run.batch_size, c.run.seed = 100, seed
        c.generator.width = c.discriminator.width = 32  # the heap's growth came from per-step tensors
        configs.append(c)
    ens = Ensemble(configs, threads=1)
    ens.step(200)  # the allocator's working set
    before = rss_mb()
    ens.step(1500)
    assert rss_mb() - before < 40
    assert ens.history[-1].shape == (1500, 5, 4) and np.isfinite(ens.history[-1]).all()


def test_its_thread_count_holds_for_its_own_work_only(small_cfg):
    """The process keeps its own torch thread count (the app trains with 1, leaving the UI a core)."""
    import torch

    before = torch.get_num_threads()
    seen = []
    ens = Ensemble(configs_with(small_cfg, [{"run.seed": 0}, {"run.seed": 1}]), threads=before + 1)
    real_iteration = ens.iteration
    ens.iteration = lambda *a: seen.append(torch.get_num_threads()) or real_iteration(*a)
    assert torch.get_num_threads() == before
    ens.step(3)
    ens.evaluate()
    assert seen == [before + 1] * 3 and torch.get_num_threads() == before
