import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from ganscope.core import objectives as obj
from ganscope.core.config import LOSSES, ConfigError
from ganscope.core.engine import TRAIN_SERIES, GanEngine

ROOT = Path(__file__).resolve().parents[1]


def params(model):
    return torch.cat([p.detach().flatten().clone() for p in model.parameters()])


def test_same_config_and_seed_give_identical_runs_and_frames(small_cfg):
    a, b = GanEngine(small_cfg), GanEngine(small_cfg)
    a.step(60)
    b.step(60)
    for name in TRAIN_SERIES:
        assert np.array_equal(a.history.series(name), b.history.series(name)), name
    fa, fb = a.frame(), b.frame()
    assert np.array_equal(fa.fake, fb.fake) and np.array_equal(fa.surface, fb.surface)
    small_cfg.run.seed = 1
    c = GanEngine(small_cfg)
    c.step(60)
    assert not np.array_equal(c.frame().fake, fa.fake)


def test_chunking_does_not_change_the_run(small_cfg):
    a, b = GanEngine(small_cfg), GanEngine(small_cfg)
    a.step(40)
    for _ in range(8):
        b.step(5)
    assert torch.equal(params(a.G), params(b.G)) and torch.equal(params(a.D), params(b.D))


def test_learning_rate_changes_live_and_keeps_adam_state(small_cfg):
    e = GanEngine(small_cfg)
    e.step(10)
    p = next(e.D.parameters())
    moment = e.opt_d.state[p]["exp_avg"].clone()
    assert e.update("d_opt.lr", 1e-5) == "live"
    assert e.opt_d.param_groups[0]["lr"] == 1e-5
    assert torch.equal(e.opt_d.state[p]["exp_avg"], moment)  # state kept
    assert e.opt_d.state[p]["step"].item() == 10
    e.set_lr("G", 0.02)
    assert e.opt_g.param_groups[0]["lr"] == 0.02
    e.update("g_opt.beta1", 0.0)
    assert e.opt_g.param_groups[0]["betas"] == (0.0, 0.999)


def test_objective_changes_live_without_touching_weights(small_cfg):
    e = GanEngine(small_cfg)
    e.step(5)
    before = params(e.D)
    assert e.update("objective.loss", "wgan-gp") == "live"
    assert torch.equal(params(e.D), before)
    e.step(5)
    assert e.frame().loss == "wgan-gp"


def test_freezing_a_player_stops_only_its_updates(small_cfg):
    e = GanEngine(small_cfg)
    e.freeze("D")
    d0, g0 = params(e.D), params(e.G)
    e.step(5)
    assert torch.equal(params(e.D), d0) and not torch.equal(params(e.G), g0)
    e.freeze("D", False)
    e.freeze("G")
    g1 = params(e.G)
    e.step(5)
    assert torch.equal(params(e.G), g1)
    assert e.history.series("g_grad")[-1] > 0  # G's gradient is still measured while frozen


def test_step_one_player_only(small_cfg):
    e = GanEngine(small_cfg)
    d0, g0 = params(e.D), params(e.G)
    e.step(3, players=("D",))
    assert torch.equal(params(e.G), g0) and not torch.equal(params(e.D), d0)


def test_reset_one_player_keeps_the_other_and_its_optimiser(small_cfg):
    e = GanEngine(small_cfg)
    e.step(10)
    d, g = params(e.D), params(e.G)
    adam_steps = e.opt_d.state[next(e.D.parameters())]["step"].item()
    e.reset("G")
    assert torch.equal(params(e.D), d) and not torch.equal(params(e.G), g)
    assert e.opt_d.state[next(e.D.parameters())]["step"].item() == adam_steps
    assert len(e.opt_g.state) == 0
    assert e.step_count == 10


def test_divergence_stops_keeps_last_good_weights_and_says_when(small_cfg):
    small_cfg.d_opt.kind = small_cfg.g_opt.kind = "sgd"
    small_cfg.d_opt.lr = small_cfg.g_opt.lr = 10.0
    small_cfg.objective.loss = "lsgan"
    e = GanEngine(small_cfg)
    total = 0
    for _ in range(200):
        total += e.step(5)
        if e.status != "ok":
            break
    assert e.status == "diverged"
    assert "diverged at step" in e.message and "NaN or infinite" in e.message
    assert e.step_count == total
    assert torch.isfinite(params(e.G)).all() and torch.isfinite(params(e.D)).all()
    assert e.step(5) == 0  # stays stopped until the user acts
    f = e.frame()
    assert f.status == "diverged" and np.isfinite(f.fake).all()
    e.update("d_opt.lr", 1e-4)
    e.update("g_opt.lr", 1e-4)
    e.resume()
    assert e.step(5) == 5


@pytest.mark.parametrize("loss", LOSSES)
def test_every_objective_trains_with_penalties_unrolling_and_packing(small_cfg, loss):
    small_cfg.objective.loss = loss
    small_cfg.objective.r1 = 1.0
    small_cfg.objective.instance_noise = 0.05
    small_cfg.objective.unrolled_steps = 2
    small_cfg.objective.pack = 2
    e = GanEngine(small_cfg)
    assert e.step(6) == 6 and e.status == "ok"
    f = e.frame()
    assert f.fake.shape == (64, 2) and np.isfinite(f.surface).all()


@pytest.mark.parametrize("kind", ["adam", "sgd", "rmsprop"])
def test_unrolling_follows_each_optimiser_and_leaves_d_unchanged(small_cfg, kind):
    from ganscope.core.unrolling import unrolled_params

    small_cfg.d_opt.kind = kind
    small_cfg.d_opt.momentum = 0.5
    e = GanEngine(small_cfg)
    e.step(3)
    before = params(e.D)
    fake = e.G(e.G.sample_noise(64, e.gen, e.device))  # G's batch, still attached to G
    p = unrolled_params(e, 3, fake, "nonsaturating")
    assert torch.equal(params(e.D), before)
    assert not torch.equal(torch.cat([v.flatten() for v in p.values()]), before)
    # G receives gradient through the look-ahead: D's future weights depend on G's weights.
    g = torch.autograd.grad(sum(v.sum() for v in p.values()), list(e.G.parameters()), allow_unused=True)
    assert any(x is not None and float(x.abs().sum()) > 0 for x in g)


def test_frame_arrays_are_ready_to_draw(small_cfg):
    small_cfg.run.surface_res = 20
    e = GanEngine(small_cfg)
    e.step(3)
    f = e.frame()
    for arr in (f.real, f.fake, f.arrows, f.surface, f.manifold):
        assert arr.dtype == np.float32 and arr.flags["C_CONTIGUOUS"]
    assert f.surface.shape == (20, 20) and f.manifold.shape == (42, 64, 2)
    assert f.levels == (0.0, 1.0) and f.contour_level == 0.5
    x0, x1, y0, y1 = f.extent
    assert x0 < -2 and x1 > 2 and y0 < -2 and y1 > 2  # fits the radius-2 ring


def test_surface_rows_are_y_and_columns_are_x(small_cfg):
    small_cfg.run.surface_res = 9
    small_cfg.discriminator.depth = 0
    small_cfg.objective.loss = "wgan"
    e = GanEngine(small_cfg)
    with torch.no_grad():  # D(x, y) = x exactly
        e.D.net[0].weight.copy_(torch.tensor([[1.0, 0.0]]))
        e.D.net[0].bias.zero_()
    s = e.frame().surface
    assert np.allclose(s[0], s[-1]) and s[0, -1] > s[0, 0]


def test_arrows_point_where_the_generator_loss_falls(small_cfg):
    e = GanEngine(small_cfg)
    e.step(20)
    f = e.frame()
    x = torch.from_numpy(f.fake)
    step = 1e-3 * torch.from_numpy(f.arrows)
    loss = lambda pts: obj.g_loss(f.loss, e.D(pts)).item()  # noqa: E731
    assert loss(x + step) < loss(x) < loss(x - step)


@pytest.mark.parametrize("noise_dim,lines", [(1, 1), (2, 42), (5, 42)])
def test_latent_manifold_for_any_noise_dimension(small_cfg, noise_dim, lines):
    small_cfg.generator.noise_dim = noise_dim
    f = GanEngine(small_cfg).frame()
    assert f.manifold.shape == (lines, 64, 2)


def test_architecture_change_rebuilds_only_that_player(small_cfg):
    e = GanEngine(small_cfg)
    e.step(3)
    d = params(e.D)
    assert "rebuilt generator" in e.update("generator.width", 16)
    assert e.G.net[0].out_features == 16 and torch.equal(params(e.D), d)
    e.step(3)
    assert "rebuilt discriminator" in e.update("objective.pack", 2)
    e.step(3)
    assert e.frame().fake.shape[0] % 2 == 0


def test_a_gan_learns_a_gaussian(small_cfg):
    small_cfg.target.kind = "gaussian"
    small_cfg.target.scale = 0.5
    e = GanEngine(small_cfg)
    start = e.evaluator.evaluate()["mmd"]
    e.step(600)
    end = e.evaluator.evaluate()["mmd"]
    assert end < start / 3


def test_core_never_imports_qt():
    forbidden = {"PySide6", "PyQt5", "PyQt6", "pyqtgraph", "app"}
    for path in (ROOT / "core").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            for n in names:
                assert n.split(".")[0] not in forbidden, f"{path.name} imports {n}"
    code = (
        "import sys, core.engine, core.cli, core.session, core.training_run, core.frames;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'app')];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=120)


def test_update_many_changes_a_mixture_in_one_validated_step(small_cfg):
    e = GanEngine(small_cfg)
    e.step(3)
    with pytest.raises(ConfigError, match="one per centre"):  # 3 centres but 2 sigmas
        e.update_many({"target.kind": "mixture", "target.centres": [[0, 0], [1, 1], [2, 2]]})
    assert e.cfg.target.kind == "ring"  # refused changes leave the config as it was
    result = e.update_many(
        {
            "target.kind": "mixture",
            "target.centres": [[0, 0], [1, 1], [2, 2]],
            "target.sigmas": [0.1, 0.2, 0.3],
            "target.weights": [1, 1, 2],
        }
    )
    assert result == "new target" and e.target.n_modes == 3 and e.target.weights.tolist() == [0.25, 0.25, 0.5]
    assert e.step(3) == 3


def test_a_frame_built_from_a_source_is_the_engines_frame_at_that_moment(small_cfg):
    from ganscope.core.frames import FrameBuilder, FrameSource

    e = GanEngine(small_cfg)
    e.step(10)
    src = FrameSource(e)
    reference = e.frame()
    e.step(10)  # training goes on while the frame is built elsewhere
    builder = FrameBuilder()
    f = builder.build(src)
    assert f.step == 10 and f.metrics.keys() == reference.metrics.keys()
    np.testing.assert_array_equal(list(f.metrics.values()), list(reference.metrics.values()))  # NaN-aware
    for name in ("fake", "arrows", "surface", "manifold", "real"):
        np.testing.assert_allclose(getattr(f, name), getattr(reference, name), rtol=1e-5, atol=1e-6)
    e.reset("G")  # a new player: the builder copies the new structure
    after = builder.build(FrameSource(e))
    np.testing.assert_allclose(after.fake, e.frame().fake, rtol=1e-5, atol=1e-6)


def test_orthogonal_initialisation_is_the_unrolled_gan_papers(small_cfg):
    small_cfg.generator.noise_dim = 64
    small_cfg.generator.init = small_cfg.discriminator.init = "orthogonal"
    e = GanEngine(small_cfg)
    first = e.G.net[0].weight.detach()  # (32, 64): orthogonal rows, scaled by the gain 0.8
    torch.testing.assert_close(first @ first.T, 0.64 * torch.eye(32), atol=1e-5, rtol=0)
    assert all(float(m.bias.detach().abs().max()) == 0 for m in e.D.net if isinstance(m, torch.nn.Linear))
    again = GanEngine(small_cfg)  # seeded like every player: the same run twice
    assert torch.equal(params(again.G), params(e.G)) and torch.equal(params(again.D), params(e.D))
    assert e.update("discriminator.init", "default").startswith("rebuilt discriminator")
    assert float(e.D.net[0].bias.detach().abs().max()) > 0


def test_the_engine_leaves_the_process_thread_count_alone(small_cfg):
    """run.threads applies to the engine's own work; building or stepping it changes nothing else."""
    import torch

    before = torch.get_num_threads()
    small_cfg.run.threads = 2 if before == 1 else 1
    e = GanEngine(small_cfg)
    assert torch.get_num_threads() == before
    seen = []
    real = e._step
    e._step = lambda n, players, *until: seen.append(torch.get_num_threads()) or real(n, players, *until)
    e.step(3)
    assert seen == [small_cfg.run.threads] and torch.get_num_threads() == before
    e.update("run.threads", before)
    assert torch.get_num_threads() == before


def test_a_divergence_after_an_optimiser_change_keeps_a_consistent_state(small_cfg):
    """The rollback restores the new optimiser's state, so the run can still be handed over and saved."""
    from ganscope.core.session import live_state, restore_state

    e = GanEngine(small_cfg)
    e.step(5)  # Adam has moments now
    e.update("g_opt.kind", "sgd")
    e.update("d_opt.kind", "sgd")
    e.update("g_opt.lr", 10.0)
    e.update("d_opt.lr", 10.0)
    e.update("objective.loss", "lsgan")
    for _ in range(200):
        if e.step(5) == 0:
            break
    assert e.status == "diverged"
    restore_state(GanEngine(small_cfg), live_state(e))  # raised StateError: Adam moments in an SGD


def test_a_frame_budget_can_recompute_the_surface_every_other_frame_only(small_cfg):
    """surface_every=2 (the governor's first rung): the odd frames show the previous surface, the
    even ones D's surface at that moment; points and arrows are always of the frame's own moment."""
    from ganscope.core.frames import FrameBuilder, FrameSource

    e = GanEngine(small_cfg)
    builder = FrameBuilder()
    frames, references = [], []
    for _ in range(4):
        e.step(5)
        references.append(e.frame())
        frames.append(builder.build(FrameSource(e), surface_every=2))
    for i, (f, ref) in enumerate(zip(frames, references)):
        np.testing.assert_allclose(f.fake, ref.fake, rtol=1e-5, atol=1e-6)  # always live
        np.testing.assert_allclose(f.arrows, ref.arrows, rtol=1e-5, atol=1e-6)
        shown = references[i - i % 2]  # the surface of the last even frame
        np.testing.assert_allclose(f.surface, shown.surface, rtol=1e-5, atol=1e-6)
        assert f.levels == shown.levels and f.contour_level == shown.contour_level
    assert not np.allclose(frames[1].surface, references[1].surface)  # the reuse is real (D trained)
    smaller = builder.build(FrameSource(e), max_res=8, surface_every=2)  # a new resolution: made afresh
    assert smaller.surface.shape == (8, 8) and np.isfinite(smaller.surface).all()
