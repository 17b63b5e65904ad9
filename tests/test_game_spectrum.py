"""The game's Jacobian and its eigenvalues against closed forms, finite differences and dense algebra."""

import numpy as np
import pytest
import torch
from torch import nn

from ganscope.core import dirac
from ganscope.core.arnoldi import arnoldi_eigs
from ganscope.core.config import GanConfig, ObjectiveConfig
from ganscope.core.engine import GanEngine
from ganscope.core.game_spectrum import GameField, dense_eigenvalues, leading_eigenvalues


# --- the Dirac-GAN (Mescheder et al. 2018) as two one-weight players in the plane -------------------
class DiracG(nn.Module):
    """G = a point mass at (theta, 0)."""

    def __init__(self, theta):
        super().__init__()
        self.theta = nn.Parameter(torch.tensor(float(theta), dtype=torch.float64))

    def forward(self, z):
        return torch.stack([self.theta.expand(len(z)), torch.zeros(len(z), dtype=self.theta.dtype)], 1)


class DiracD(nn.Module):
    """D(x) = psi * x_1, a linear logit (or critic score)."""

    pack = 1

    def __init__(self, psi):
        super().__init__()
        self.psi = nn.Parameter(torch.tensor(float(psi), dtype=torch.float64))

    def forward(self, x):
        return self.psi * x.reshape(-1, 2)[:, 0]


def dirac_field(loss, theta, psi, **penalties) -> GameField:
    oc = ObjectiveConfig(loss=loss, **penalties)
    return GameField(DiracG(theta), DiracD(psi), oc, torch.zeros(16, 2), torch.zeros(16, 1))


def sorted_eigs(values):
    values = np.asarray(values, dtype=complex)
    return values[np.lexsort((values.imag.round(8), values.real.round(8)))]


@pytest.mark.parametrize("loss, speed", [("minimax", 0.5), ("nonsaturating", 0.5), ("wgan", 1.0)])
def test_dirac_gan_equilibrium_is_a_pure_rotation(loss, speed):
    """Plain GAN and WGAN at the equilibrium: eigenvalues +-i f'(0), f'(0) = 1/2 for the log losses."""
    eig = dense_eigenvalues(dirac_field(loss, 0.0, 0.0))
    np.testing.assert_allclose(sorted_eigs(eig), [-1j * speed, 1j * speed], atol=1e-12)


@pytest.mark.parametrize("gamma", [0.5, 1.0, 3.0])
def test_dirac_gan_with_r1_has_the_papers_eigenvalues(gamma):
    """J = [[-gamma, -1/2], [1/2, 0]] in (psi, theta): lambda = (-gamma +- sqrt(gamma^2 - 1)) / 2."""
    eig = dense_eigenvalues(dirac_field("minimax", 0.0, 0.0, r1=gamma))
    root = np.sqrt(complex(gamma**2 - 1))
    np.testing.assert_allclose(sorted_eigs(eig), sorted_eigs([(-gamma + root) / 2, (-gamma - root) / 2]), atol=1e-12)
    assert (eig.real < 0).all()  # R1 makes the equilibrium attracting


@pytest.mark.parametrize(
    "loss, dirac_name, penalties",
    [
        ("minimax", "gan", {}),
        ("nonsaturating", "nonsaturating", {}),
        ("wgan", "wgan", {}),
        ("wgan-gp", "wgan-gp", {"gp_weight": 0.7}),
        ("minimax", "r1", {"r1": 0.7}),
    ],
)
@pytest.mark.parametrize("theta, psi", [(0.8, -0.3), (-1.2, 0.5)])
def test_dirac_gan_jacobian_matches_the_repos_closed_form_field(loss, dirac_name, penalties, theta, psi):
    """Away from the equilibrium: J against finite differences of core.dirac.field (its closed form)."""
    J = dirac_field(loss, theta, psi, **penalties).dense()  # rows (psi, theta): D's weight first
    reg = next(iter(penalties.values()), 1.0)
    h = 1e-6

    def f(t, p):
        d_theta, d_psi = dirac.field(dirac_name, t, p, reg)
        return np.array([d_psi, d_theta], dtype=float)

    ref = np.column_stack(
        [(f(theta, psi + h) - f(theta, psi - h)) / (2 * h), (f(theta + h, psi) - f(theta - h, psi)) / (2 * h)]
    )
    np.testing.assert_allclose(J, ref, rtol=1e-5, atol=1e-7)


# --- real (tiny) networks -------------------------------------------------------------------------------
def tiny_engine(loss="nonsaturating", width=5, **objective) -> GanEngine:
    cfg = GanConfig()
    cfg.generator.depth = cfg.discriminator.depth = 1
    cfg.generator.width = cfg.discriminator.width = width
    cfg.generator.activation = cfg.discriminator.activation = "tanh"  # smooth: finite differences apply
    cfg.run.batch_size = 16
    cfg.objective.loss = loss
    for key, value in objective.items():
        setattr(cfg.objective, key, value)
    e = GanEngine(cfg)
    e.step(30)  # away from the initial weights
    return e


def field_at(field: GameField, x: np.ndarray) -> np.ndarray:
    """v at flat weights x, from a fresh copy of the field (its players moved to x)."""
    moved = GameField(field.G, field.D, field.oc, field.real, field.z, field.seed, unroll=field.unroll)
    with torch.no_grad():
        torch.nn.utils.vector_to_parameters(torch.as_tensor(x), moved.params)
    return moved.value().detach().numpy()


OBJECTIVES = [
    ("minimax", {}),
    ("nonsaturating", {}),
    ("lsgan", {}),
    ("hinge", {}),
    ("wgan", {}),
    ("wgan-gp", {"gp_weight": 0.5}),
    ("nonsaturating", {"r1": 2.0}),
    ("nonsaturating", {"r2": 2.0}),
    ("lsgan", {"r1": 1.0, "r2": 1.0}),
    ("nonsaturating", {"instance_noise": 0.1}),
    ("nonsaturating", {"pack": 2}),
    ("nonsaturating", {"unrolled_steps": 2}),
]


@pytest.mark.parametrize("loss, objective", OBJECTIVES, ids=lambda p: str(p))
def test_every_objective_jacobian_matches_finite_differences_and_arnoldi_matches_dense(loss, objective):
    e = tiny_engine(loss, **objective)
    field = GameField.from_engine(e)
    x = torch.nn.utils.parameters_to_vector(field.params).detach().numpy().copy()
    J = field.dense()
    assert J.shape == (field.n, field.n) and np.isfinite(J).all()
    np.testing.assert_allclose(field_at(field, x), field.value().detach().numpy(), rtol=1e-12, atol=1e-14)
    rng = np.random.default_rng(0)
    for j in rng.choice(field.n, 4, replace=False):  # columns of J by central differences
        eps = np.zeros(field.n)
        eps[j] = 1e-6
        ref = (field_at(field, x + eps) - field_at(field, x - eps)) / 2e-6
        np.testing.assert_allclose(J[:, j], ref, rtol=1e-4, atol=1e-6 * max(1.0, np.abs(J).max()))
    # Arnoldi (through J^T products, never forming J) finds the dense matrix's leading eigenvalues.
    dense = dense_eigenvalues(field)
    lead = leading_eigenvalues(field, k=4, krylov=min(field.n, 40), restarts=3, dense_below=0)
    for value in lead.values:
        assert np.abs(dense[:8] - value).min() <= 1e-6 * np.abs(dense[0]), (value, dense[:8])
    assert abs(abs(lead.values[0]) - abs(dense[0])) <= 1e-8 * abs(dense[0])


def test_batch_norm_and_maxout_players_have_a_correct_jacobian():
    """The papers' layer kinds (batch-norm G, maxout D), tiny: dense J against finite differences."""
    e = tiny_engine("nonsaturating", width=3, pack=2)
    cfg = e.cfg.copy()
    cfg.generator.norm, cfg.discriminator.maxout, cfg.discriminator.activation = "batch", 3, "relu"
    e = GanEngine(cfg)
    e.step(10)
    field = GameField.from_engine(e)
    assert any(isinstance(m, torch.nn.BatchNorm1d) for m in field.G.modules())
    x = torch.nn.utils.parameters_to_vector(field.params).detach().numpy().copy()
    J = field.dense()
    for j in range(0, field.n, 7):
        eps = np.zeros(field.n)
        eps[j] = 1e-7
        ref = (field_at(field, x + eps) - field_at(field, x - eps)) / 2e-7
        np.testing.assert_allclose(J[:, j], ref, rtol=1e-4, atol=1e-6 * max(1.0, np.abs(J).max()))
    running = e.G.net[1].running_mean.clone()
    GameField.from_engine(e).value()
    assert torch.equal(e.G.net[1].running_mean, running)  # the engine's batch-norm statistics are untouched


def test_the_field_is_deterministic_and_leaves_the_run_alone():
    e = tiny_engine("wgan-gp", gp_weight=0.5, instance_noise=0.05)
    before = {k: v.clone() for k, v in e.D.state_dict().items()}
    rng_before = e.gen.get_state().clone()
    a = GameField.from_engine(e).value().detach()
    b = GameField.from_engine(e).value().detach()
    assert torch.equal(a, b)
    assert torch.equal(e.gen.get_state(), rng_before)  # the training random stream is untouched
    for k, v in e.D.state_dict().items():
        assert torch.equal(v, before[k])


def test_arnoldi_on_a_known_matrix_with_restarts():
    rng = np.random.default_rng(1)
    n = 300
    Q = np.linalg.qr(rng.standard_normal((n, n)))[0]
    spectrum = np.concatenate([[12.0, -9.0, 7.0], rng.uniform(-1, 1, n - 3)])
    A = Q @ np.diag(spectrum) @ Q.T
    r = arnoldi_eigs(lambda u: A @ u, n, k=3, krylov=25, restarts=10, tol=1e-8)
    assert r.converged
    np.testing.assert_allclose(r.values, [12.0, -9.0, 7.0], rtol=1e-8)
    # a rotation block: a complex pair -0.1 +- 5i (damped rotation, as the GAN game has) on top
    M = np.diag(spectrum)
    M[:3, :3] = [[-0.1, 5.0, 0.0], [-5.0, -0.1, 0.0], [0.0, 0.0, 3.0]]
    B = Q @ M @ Q.T
    r = arnoldi_eigs(lambda u: B @ u, n, k=3, krylov=25, restarts=10, tol=1e-8)
    np.testing.assert_allclose(sorted_eigs(r.values), sorted_eigs([-0.1 - 5j, -0.1 + 5j, 3.0]), atol=1e-7)


def test_dense_path_is_exact_below_the_limit_and_arnoldi_above():
    e = tiny_engine(width=6)
    field = GameField.from_engine(e)
    exact = leading_eigenvalues(field, k=3)  # small: dense
    assert exact.matvecs == field.n
    arn = leading_eigenvalues(field, k=3, krylov=field.n, dense_below=0)
    np.testing.assert_allclose(sorted_eigs(arn.values), sorted_eigs(exact.values), rtol=1e-8)
