"""A batched ensemble: each member trains exactly as GanEngine's own update would, given its samples."""
import numpy as np
import pytest
import torch

from core import manual_grad as mg
from core.config import ConfigError, GanConfig
from core.engine import GanEngine
from core.ensemble import Ensemble


@pytest.fixture
def float64():
    """Double precision, so that any difference is a real one and not float32 rounding."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


def member_configs(small_cfg, values):
    out = []
    for changes in values:
        c = small_cfg.copy()
        for k, v in changes.items():
            c.set(k, v)
        out.append(c)
    return out


@pytest.mark.parametrize("loss, extra", [("nonsaturating", {}), ("wgan", {"objective.pack": 2}),
                                         ("hinge", {"objective.instance_noise": 0.05})])
def test_each_member_matches_the_engine_fed_the_same_samples(small_cfg, loss, extra, float64):
    small_cfg.set("objective.loss", loss)
    for k, v in extra.items():
        small_cfg.set(k, v)
    cfgs = member_configs(small_cfg, [{"d_opt.lr": 1e-3, "g_opt.lr": 2e-4, "run.seed": 1},
                                      {"d_opt.lr": 5e-5, "g_opt.beta1": 0.0, "run.seed": 2},
                                      {"d_opt.beta2": 0.9, "g_opt.lr": 1e-3, "run.seed": 3}])
    ens = Ensemble(cfgs)
    engines = [GanEngine(c) for c in cfgs]
    n = small_cfg.run.batch_size * small_cfg.objective.pack
    gen = torch.Generator().manual_seed(5)
    sigma = torch.tensor([c.objective.instance_noise for c in cfgs]).view(-1, 1, 1)
    for _ in range(8):
        real = torch.randn(3, n, 2, generator=gen)
        z = torch.randn(3, n, small_cfg.generator.noise_dim, generator=gen)
        noise = torch.randn(3, 3, n, 2, generator=gen) if ens.use_noise else None
        with torch.no_grad():
            rows = ens.iteration(real, z, noise)
            for m, e in enumerate(engines):
                e._params = {"G": e.g_params, "D": e.d_params}
                fake, cache = mg.forward(e.G.net, z[m])
                r_m, fd, fg = real[m], fake, fake
                if noise is not None:
                    r_m, fd, fg = (real[m] + sigma[m] * noise[0, m], fake + sigma[m] * noise[1, m],
                                   fake + sigma[m] * noise[2, m])
                d_loss = e._manual_d_update(r_m, fd, small_cfg.objective.loss, True)[0]
                g_loss, _ = e._manual_g_update(fg, cache, small_cfg.objective.loss, True)
                torch.testing.assert_close(rows[m, :2], torch.stack([d_loss, g_loss]), rtol=1e-10, atol=1e-12)
    for m, e in enumerate(engines):
        for stacked, model in ((ens.G, e.G), (ens.D, e.D)):
            for p_stacked, p in zip(stacked.params, model.parameters()):
                torch.testing.assert_close(p_stacked[m], p.detach(), rtol=1e-10, atol=1e-12)


def test_members_do_not_interact(small_cfg):
    """A member fed NaN leaves the other as it would be without it."""
    cfgs = member_configs(small_cfg, [{"d_opt.lr": 3e-4}, {"d_opt.lr": 1e-3}])
    both = Ensemble(cfgs)
    alone = Ensemble(cfgs[:1])
    alone.gen = torch.Generator().manual_seed(0)
    both.gen = torch.Generator().manual_seed(0)
    n, d = small_cfg.run.batch_size, small_cfg.generator.noise_dim
    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for _ in range(20):
            real, z = torch.randn(2, n, 2, generator=gen), torch.randn(2, n, d, generator=gen)
            real[1, 0, 0] = float("nan")
            both.iteration(real, z)
            alone.iteration(real[:1], z[:1])
    assert not torch.isfinite(both.G.params[0][1]).all()  # member 1 blew up...
    for a, b in zip(alone.G.params, both.G.params):       # ...and member 0 never noticed
        torch.testing.assert_close(a[0], b[0], rtol=1e-6, atol=1e-7)


def test_sweep_members_must_share_shapes_and_gradients(small_cfg):
    other = small_cfg.copy()
    other.set("generator.width", 64)
    with pytest.raises(ConfigError, match="generator.width differs"):
        Ensemble([small_cfg, other])
    gp = small_cfg.copy()
    gp.set("objective.loss", "wgan-gp")
    with pytest.raises(ConfigError, match="gradient penalties"):
        Ensemble([gp])


def test_evaluation_and_member_engine_agree_with_the_engine(small_cfg):
    cfgs = member_configs(small_cfg, [{"run.seed": 0}, {"run.seed": 1}])
    ens = Ensemble(cfgs)
    ens.step(30)
    results = ens.evaluate()
    assert [r["verdict"] in ("ok", "partial", "collapsed") for r in results] == [True, True]
    e = ens.member_engine(1)
    assert e.step_count == 30
    # The engine's own evaluator, on the member's weights, reports the same modes captured.
    assert e.metrics()["modes"] == results[1]["modes"]
    np.testing.assert_allclose(e.opt_g.state_dict()["state"][0]["exp_avg"], ens.opt_g.exp_avg[0][1])
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
    ens = Ensemble(member_configs(small_cfg, [{"run.seed": 0}, {"run.seed": 1}]), threads=before + 1)
    real_iteration = ens.iteration
    ens.iteration = lambda *a: seen.append(torch.get_num_threads()) or real_iteration(*a)
    assert torch.get_num_threads() == before
    ens.step(3)
    ens.evaluate()
    assert seen == [before + 1] * 3 and torch.get_num_threads() == before
