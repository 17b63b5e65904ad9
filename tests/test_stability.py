"""The stability region against the Dirac-GAN's own trajectories, and the run's spectrum history."""

import numpy as np
import pytest

from ganscope.core import dirac
from ganscope.core.engine import GanEngine
from ganscope.core.game_spectrum import dense_eigenvalues
from ganscope.core.session import live_state, load_session, restore_state, save_session
from ganscope.core.stability import region_boundary, step_scales, summarise
from tests.test_game_spectrum import dirac_field


def test_the_region_is_the_disc_where_one_step_shrinks_a_deviation():
    h = 0.3
    x, y = region_boundary(h)
    np.testing.assert_allclose(np.abs(1 + h * (x + 1j * y)), 1.0, atol=1e-12)
    x, y = region_boundary(3e-4, span=10.0)  # Adam's step: only the arc near 0, densely
    assert np.abs(y).max() == 10.0 and len(x) == 256
    np.testing.assert_allclose(np.abs(1 + 3e-4 * (x + 1j * y)), 1.0, atol=1e-12)
    s = summarise(np.array([-1.0, -1 / h + 0.5j, 2j, -10.0]), h)  # inside, inside, rotation, overshoot
    assert s["outside"] == 2
    assert s["ratio"] == pytest.approx(1e6)  # a pure rotation: |Re| = 0
    assert s["radius"] == pytest.approx(10.0)
    assert s["max_growth"] == pytest.approx(abs(1 - 10 * h))


@pytest.mark.parametrize(
    "name, loss, penalties, lr",
    [
        ("gan", "minimax", {}, 0.1),
        ("wgan", "wgan", {}, 0.1),
        ("r1", "minimax", {"r1": 1.0}, 0.1),
        ("r1", "minimax", {"r1": 1.0}, 5.0),
    ],
)
def test_the_summary_predicts_what_simultaneous_steps_do_on_the_dirac_gan(name, loss, penalties, lr):
    """Eigenvalues outside the disc <=> core.dirac's simultaneous trajectory leaves the equilibrium."""
    eig = dense_eigenvalues(dirac_field(loss, 0.0, 0.0, **penalties))
    s = summarise(eig, lr)
    path = dirac.trajectory(name, (0.05, 0.05), lr, 3000, "simultaneous", penalties.get("r1", 1.0))
    grows = np.hypot(*path[-1]) > np.hypot(0.05, 0.05)
    assert (s["outside"] > 0) == grows, (eig, s, path[-1])


def test_step_scales_follow_the_players_learning_rates():
    from ganscope.core.config import GanConfig

    cfg = GanConfig()
    assert step_scales(cfg, 3, 2) is None
    cfg.g_opt.lr = cfg.d_opt.lr / 4
    np.testing.assert_allclose(step_scales(cfg, 3, 2), [1, 1, 1, 0.25, 0.25])


def test_the_run_keeps_a_spectrum_history_without_changing_training(small_cfg, tmp_path):
    small_cfg.generator.width = small_cfg.discriminator.width = 6
    small_cfg.run.spectrum_every = 50
    on = GanEngine(small_cfg)
    off_cfg = small_cfg.copy()
    off_cfg.run.spectrum_every = 0
    off = GanEngine(off_cfg)
    for n in (30, 30, 40):  # chunked: the spectrum is computed at the same steps however called
        on.step(n)
    off.step(100)
    for a, b in zip(on.G.parameters(), off.G.parameters()):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy())  # same bits: own batch, own seed
    assert len(off.spectrum.history) == 0
    snap = on.spectrum.snapshot()
    np.testing.assert_array_equal(snap["history"]["step"], [50, 100])  # after evaluations, exactly
    assert on.spectrum.step == 100 and len(snap["values"]) > 0 and snap["error"] == ""
    assert np.isfinite(snap["history"]["ratio"]).all() and (snap["history"]["radius"] > 0).all()
    # the latest eigenvalues are those of the dense Jacobian at these weights (float32 field)
    from ganscope.core.game_spectrum import GameField

    field = GameField.from_engine(on, batch=min(on.cfg.run.batch_size, 128))
    dense = dense_eigenvalues(field)
    for value in snap["values"][:4]:
        assert np.abs(dense - value).min() <= 1e-3 * abs(dense[0])
    # a session file and the hand-over to the training process keep the history
    save_session(on, tmp_path / "run.gscope")
    back = load_session(tmp_path / "run.gscope")
    np.testing.assert_array_equal(back.spectrum.snapshot()["history"]["ratio"], snap["history"]["ratio"])
    np.testing.assert_array_equal(back.spectrum.values, snap["values"])
    restore_state(off, live_state(on))
    assert off.spectrum.step == 100


def test_a_damaged_spectrum_in_a_session_is_refused(small_cfg, tmp_path):
    import torch

    from ganscope.core.session import SessionError, engine_state, state_to_bytes

    e = GanEngine(small_cfg)
    state = engine_state(e)
    state["spectrum"]["values"] = torch.zeros(5, 5, 5)
    (tmp_path / "bad.gscope").write_bytes(state_to_bytes(state))
    with pytest.raises(SessionError, match="damaged"):
        load_session(tmp_path / "bad.gscope")
