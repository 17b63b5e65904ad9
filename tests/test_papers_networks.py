"""The PacGAN / VEEGAN networks (batch-norm G, maxout D, N(0, 0.02) init) and the reverse-KL metric."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from ganscope.core.config import GanConfig
from ganscope.core.engine import GanEngine, build_player
from ganscope.core.metrics import reverse_kl_modes
from ganscope.core.models import Maxout


def papers_config(width_g=400, width_d=200) -> GanConfig:
    cfg = GanConfig()
    g, d = cfg.generator, cfg.discriminator
    g.depth, g.width, g.norm, g.init = 4, width_g, "batch", "normal-0.02"
    d.depth, d.width, d.maxout, d.init = 3, width_d, 5, "normal-0.02"
    cfg.objective.pack = 2
    return cfg


def test_the_default_networks_are_unchanged():
    cfg = GanConfig()
    G, D = build_player(cfg, "G"), build_player(cfg, "D")
    assert [type(m) for m in G.net] == [nn.Linear, nn.ReLU, nn.Linear, nn.ReLU, nn.Linear]
    assert [type(m) for m in D.net] == [nn.Linear, nn.ReLU, nn.Linear, nn.ReLU, nn.Linear]
    with torch.random.fork_rng(devices=[]):  # the same draws as before the options existed
        torch.manual_seed(cfg.run.seed * 1000)
        ref = nn.Sequential(nn.Linear(2, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 2))
    for a, b in zip(G.net.state_dict().values(), ref.state_dict().values()):
        assert torch.equal(a, b)


def test_the_papers_networks_have_their_layout_and_initialisation():
    cfg = papers_config()
    G, D = build_player(cfg, "G"), build_player(cfg, "D")
    kinds = [type(m).__name__ for m in G.net]
    assert kinds == ["Linear", "BatchNorm1d", "ReLU"] * 4 + ["Linear"]
    assert [m.out_features for m in G.net if isinstance(m, nn.Linear)] == [400, 400, 400, 400, 2]
    assert [type(m).__name__ for m in D.net] == ["Linear", "Maxout"] * 3 + ["Linear"]
    assert D.net[0].in_features == 2 * 2 and D.net[0].out_features == 200 * 5 and D.net[-1].in_features == 200
    weights = torch.cat([m.weight.detach().reshape(-1) for m in G.net if isinstance(m, nn.Linear)])
    assert float(weights.mean()) == pytest.approx(0.0, abs=1e-3)
    assert float(weights.std()) == pytest.approx(0.02, rel=0.02)
    assert all(float(m.bias.detach().abs().max()) == 0.0 for m in D.net if isinstance(m, nn.Linear))


def test_maxout_takes_the_largest_of_each_units_pieces():
    x = torch.randn(7, 12)
    out = Maxout(3)(x)
    ref = torch.stack([torch.stack([x[:, 3 * u + k] for k in range(3)], 1).max(1).values for u in range(4)], 1)
    assert torch.equal(out, ref)


def test_the_engine_trains_the_papers_networks_the_same_way_twice():
    cfg = papers_config(width_g=16, width_d=8)
    cfg.run.batch_size, cfg.run.eval_every, cfg.run.eval_samples = 32, 10, 200
    runs = []
    for _ in range(2):
        e = GanEngine(cfg)
        assert not e.manual.ok()  # batch norm and maxout train through autograd
        assert e.step(20) == 20 and e.status == "ok"
        runs.append(torch.cat([p.detach().reshape(-1) for p in e.G.parameters()]))
        assert math.isfinite(e.metrics()["reverse_kl"])
    assert torch.equal(*runs)


def test_sweeps_refuse_the_papers_networks_with_a_reason():
    from ganscope.core.config import ConfigError
    from ganscope.core.ensemble import check_members

    with pytest.raises(ConfigError, match="batch norm"):
        check_members([papers_config(), papers_config()])


def test_reverse_kl_over_modes_against_closed_forms():
    centres = np.array([[np.cos(a), np.sin(a)] for a in np.linspace(0, 2 * np.pi, 8, endpoint=False)])
    rng = np.random.default_rng(0)
    spread = np.repeat(centres, 100, 0) + 0.01 * rng.standard_normal((800, 2))
    assert reverse_kl_modes(spread, centres) == pytest.approx(0.0, abs=1e-12)
    collapsed = centres[3] + 0.01 * rng.standard_normal((500, 2))
    assert reverse_kl_modes(collapsed, centres) == pytest.approx(math.log(8))
    half = np.concatenate([np.repeat(centres[:1], 300, 0), np.repeat(centres[1:2], 100, 0)])
    p = np.array([0.75, 0.25])
    assert reverse_kl_modes(half, centres) == pytest.approx(float((p * np.log(p * 8)).sum()))
    weights = np.array([3.0, 1.0] + [0.0] * 6)  # a mixture whose modes are not equally likely
    assert reverse_kl_modes(half, centres, weights) == pytest.approx(0.0, abs=1e-12)
