"""One budget check refuses configs that would exhaust memory or never finish an iteration, with
the estimate, before anything is allocated; it warns about large ones and passes the presets."""

import tracemalloc

import pytest

from ganscope.core.budget import check_budget, estimate
from ganscope.core.cli import main
from ganscope.core.config import ConfigError, GanConfig
from ganscope.core.engine import GanEngine
from ganscope.core.presets import preset_config, preset_names


def test_every_preset_fits_without_a_warning():
    for name in preset_names():
        assert check_budget(preset_config(name)) == [], name


def test_the_estimate_grows_with_every_size():
    base = estimate(GanConfig())
    for path, value in [
        ("run.batch_size", 4096),
        ("generator.width", 512),
        ("discriminator.depth", 6),
        ("objective.unrolled_steps", 5),
        ("d_opt.steps", 5),
        ("g_opt.steps", 5),
        ("run.eval_samples", 50_000),
    ]:
        cfg = GanConfig()
        cfg.set(path, value)
        b = estimate(cfg)
        assert b.memory_bytes > base.memory_bytes or b.seconds_per_iteration > base.seconds_per_iteration, path


def _mixture(n):
    return {
        "target": {
            "kind": "mixture",
            "centres": [[i % 1000 / 100, i // 1000 / 100] for i in range(n)],
            "sigmas": [0.01] * n,
            "weights": [1.0] * n,
        }
    }


def test_200k_mixture_centres_are_refused_by_the_estimate():
    """It peaked at 11.8 GB (2,500 evaluation samples x 200k centres of float64 distances)."""
    cfg = GanConfig()
    cfg.target.kind, cfg.target.centres = "mixture", [[0.0, 0.0]] * 200_000
    b = estimate(cfg)
    assert 6 << 30 < b.memory_bytes < 24 << 30  # the measured peak, within the estimate's factor
    with pytest.raises(ConfigError, match="too much memory"):
        check_budget(cfg)


def test_many_centres_are_refused_before_allocating():
    doc = _mixture(20_000)
    doc["run"] = {"eval_samples": 100_000}  # 2e9 sample-to-centre distances
    tracemalloc.start()
    try:
        with pytest.raises(ConfigError, match="too much memory") as err:
            GanEngine(GanConfig.from_dict(doc))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "GiB" in str(err.value) and "eval_samples" in str(err.value)
    assert peak < 100 * 2**20  # the config's own lists, not gigabytes


def test_a_huge_deep_unrolled_net_is_refused_with_its_estimate():
    """Depth 8, width 1024, batch 19,073, 10 unrolled, 100+100 steps ran 240 s without 30 steps."""
    cfg = GanConfig()
    for path, v in [
        ("generator.depth", 8),
        ("discriminator.depth", 8),
        ("generator.width", 1024),
        ("discriminator.width", 1024),
        ("run.batch_size", 19073),
        ("objective.unrolled_steps", 10),
        ("d_opt.steps", 100),
        ("g_opt.steps", 100),
    ]:
        cfg.set(path, v)
    with pytest.raises(ConfigError, match="estimated .* per iteration"):
        cfg.validate()


def test_a_slow_config_is_refused_even_when_it_fits_in_memory():
    cfg = GanConfig()
    for path, v in [
        ("generator.width", 1024),
        ("discriminator.width", 1024),
        ("generator.depth", 4),
        ("discriminator.depth", 4),
        ("run.batch_size", 2048),
        ("d_opt.steps", 50),
    ]:
        cfg.set(path, v)
    assert estimate(cfg).memory_bytes < 4 << 30
    with pytest.raises(ConfigError, match="too slow"):
        cfg.validate()


def test_a_large_config_runs_with_a_warning_naming_the_estimate(capsys):
    code = main(
        [
            "train",
            "--steps",
            "0",
            "--quiet",
            "--set",
            "generator.width=512",
            "--set",
            "discriminator.width=512",
            "--set",
            "generator.depth=3",
            "--set",
            "discriminator.depth=3",
            "--set",
            "run.batch_size=1024",
        ]
    )
    err = capsys.readouterr().err
    assert code == 0 and "warning: this config is large: estimated" in err and "per iteration" in err


def test_more_threads_than_cores_is_said(monkeypatch):
    from ganscope.core import budget

    monkeypatch.setattr(budget.os, "cpu_count", lambda: 2)
    cfg = GanConfig()
    cfg.run.threads = 4
    assert any("run.threads=4" in w for w in check_budget(cfg))


def test_threads_taking_every_core_is_said_and_one_thread_is_quiet(monkeypatch):
    from ganscope.core import budget

    monkeypatch.setattr(budget.os, "cpu_count", lambda: 2)
    cfg = GanConfig()
    cfg.run.threads = 2
    assert any("run.threads=2 takes every core" in w for w in check_budget(cfg))
    cfg.run.threads = 1
    assert not any("run.threads" in w for w in check_budget(cfg))
