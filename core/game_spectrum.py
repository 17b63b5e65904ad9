"""The game's Jacobian spectrum: why the players circle or settle (Mescheder, Nowozin & Geiger 2017).

Simultaneous gradient play moves all weights along the field v = (-grad_D L_D, -grad_G L_G), with
each player's loss exactly as the engine trains it (core.objectives, penalties included). Near a
stationary point the eigenvalues of J = dv / d(theta_D, theta_G) decide what happens: a large
imaginary part with a small real part is rotation, i.e. oscillation.

The field is evaluated on a fixed batch (fixed real points, noise, instance noise and penalty
interpolates, all from a seed of their own), so it is a deterministic function of the weights and
never touches the training random stream. The players are copied first, so batch-norm statistics
and the engine's weights are never changed.

J is never formed for real networks: one graph of v is built with create_graph=True, and each
backward pass through it gives J^T u for a vector u. J^T has the same eigenvalues as J, so
restarted Arnoldi (core.arnoldi) on J^T u finds J's leading eigenvalues; for tiny networks the dense
J (one backward pass per row) is the exact reference. WGAN's weight clipping is a projection after
the step, not part of the field, and is left out.
"""

from __future__ import annotations

import copy
from types import SimpleNamespace

import numpy as np
import torch

from . import iteration as it
from . import objectives as obj
from .arnoldi import ArnoldiResult, arnoldi_eigs
from .unrolling import unrolled_params

BATCH_SEED = 15485863  # the fixed evaluation batch's seed offset (apart from training's and eval's)
DENSE_LIMIT = 1500  # below this many weights, `leading_eigenvalues` forms J exactly


class GameField:
    """v(theta_D, theta_G) of one GAN on one fixed batch, with products by its Jacobian.

    Parameters
    ----------
    G, D : the players (copied here, converted to `dtype`).
    objective : ObjectiveConfig (loss, penalties, instance noise, packing, unrolling).
    real : (n, 2) real points; n a whole number of D's packs.
    z : (n, noise_dim) G's noise.
    seed : seeds the instance noise and the WGAN-GP interpolation weights.
    unroll : for unrolled objectives, (D's optimiser config, its optimiser state by parameter
        index, the target) so G's field looks k updates ahead as the engine's does.
    """

    def __init__(
        self, G, D, objective, real: torch.Tensor, z: torch.Tensor, seed: int = 0, dtype=torch.float64, unroll=None
    ):
        self.G = copy.deepcopy(G).to(dtype=dtype, device="cpu")
        self.D = copy.deepcopy(D).to(dtype=dtype, device="cpu")
        self.oc, self.seed, self.unroll = objective, seed, unroll
        self.real, self.z = real.to(dtype=dtype, device="cpu"), z.to(dtype=dtype, device="cpu")
        self.params = [*self.D.parameters(), *self.G.parameters()]
        self.n_d = sum(p.numel() for p in self.D.parameters())
        self.n = sum(p.numel() for p in self.params)
        self.dtype = dtype
        self._v: torch.Tensor | None = None

    @classmethod
    def from_engine(cls, engine, batch: int | None = None, dtype=torch.float64) -> GameField:
        """The field of the engine's run at its current weights, on a batch fixed by its seed."""
        cfg = engine.cfg
        gen = torch.Generator().manual_seed(cfg.run.seed + BATCH_SEED)
        pack = cfg.objective.pack
        n = (batch or cfg.run.batch_size) * pack
        real = engine.target.sample(n, gen).cpu()
        z = engine.G.sample_noise(n, gen, "cpu")
        unroll = None
        if cfg.objective.unrolled_steps > 0:
            state = [engine.opt_d.state.get(p, {}) for p in engine.D.parameters()]
            unroll = (cfg.d_opt, state, engine.target)
        return cls(
            engine.G, engine.D, cfg.objective, real, z, seed=cfg.run.seed + BATCH_SEED, dtype=dtype, unroll=unroll
        )

    # --- the field ----------------------------------------------------------------------------
    def _losses(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(L_D with penalties, L_G) as functions of all weights: D's loss sees G's samples
        attached, since how D's gradient changes with G's weights is part of the game."""
        oc, D = self.oc, self.D
        gen = torch.Generator().manual_seed(self.seed)
        n = len(self.real)
        fake = self.G(self.z)
        real_d, fake_d, fake_g = self.real, fake, fake
        if oc.instance_noise > 0:
            noise = torch.randn(3, n, 2, generator=gen, dtype=self.dtype) * oc.instance_noise
            real_d, fake_d, fake_g = self.real + noise[0], fake + noise[1], fake + noise[2]
        terms = it.Terms.of(SimpleNamespace(objective=oc))  # the engine's own D objective
        eps = torch.rand(n // D.pack, 1, generator=gen, dtype=self.dtype) if terms.gp else None
        loss_d, _ = it.d_objective(terms, D, real_d, fake_d, eps, oc.gp_weight, oc.r1, oc.r2)
        if oc.unrolled_steps > 0 and self.unroll is not None:
            d_opt, state, target = self.unroll
            shim = SimpleNamespace(
                D=D,
                cfg=SimpleNamespace(d_opt=d_opt),
                device="cpu",
                target=SimpleNamespace(sample=lambda k, g: target.sample(k, g).to(self.dtype)),
                gen=torch.Generator().manual_seed(self.seed + 1),
                opt_d=SimpleNamespace(state=dict(zip(D.parameters(), state))),
            )
            f_g = torch.func.functional_call(D, unrolled_params(shim, oc.unrolled_steps, fake_g, oc.loss), (fake_g,))
        else:
            f_g = D(fake_g)
        return loss_d, obj.g_loss(oc.loss, f_g)

    def value(self) -> torch.Tensor:
        """v at the current weights, flat: D's weights first, then G's (kept for products)."""
        if self._v is None:
            loss_d, loss_g = self._losses()
            d_params, g_params = self.params[: len(list(self.D.parameters()))], list(self.G.parameters())
            grads = [
                *torch.autograd.grad(loss_d, d_params, create_graph=True),
                *torch.autograd.grad(loss_g, g_params, create_graph=True),
            ]
            self._v = -torch.cat([g.reshape(-1) for g in grads])
        return self._v

    def jt_vec(self, u: np.ndarray | torch.Tensor) -> np.ndarray:
        """J^T u (one backward pass through v's graph), as float64 numpy."""
        v = self.value()
        u = torch.as_tensor(np.asarray(u), dtype=v.dtype)
        if not v.requires_grad:  # v does not depend on the weights at all (e.g. a frozen linear toy)
            return np.zeros(self.n)
        grads = torch.autograd.grad(v, self.params, u, retain_graph=True, allow_unused=True)
        return (
            torch.cat(
                [
                    (torch.zeros(p.numel(), dtype=v.dtype) if g is None else g.reshape(-1))
                    for g, p in zip(grads, self.params)
                ]
            )
            .double()
            .numpy()
        )

    def dense(self) -> np.ndarray:
        """The whole Jacobian J (n x n, float64), one backward pass per row."""
        rows = np.stack([self.jt_vec(e) for e in np.eye(self.n)])  # rows[i] = J^T e_i = J[i, :]
        return rows


def dense_eigenvalues(field: GameField) -> np.ndarray:
    """All eigenvalues of J, largest modulus first (exact to rounding; small networks only)."""
    values = np.linalg.eigvals(field.dense())
    return values[np.argsort(-np.abs(values), kind="stable")]


def leading_eigenvalues(
    field: GameField,
    k: int = 8,
    krylov: int = 30,
    restarts: int = 2,
    scale: np.ndarray | None = None,
    dense_below: int = DENSE_LIMIT,
    tol: float = 1e-6,
) -> ArnoldiResult:
    """The k eigenvalues of J (or of diag(scale) J, a per-weight step scaling) of largest modulus.

    Exact (dense) below `dense_below` weights, restarted Arnoldi on J^T above: the eigenvalues
    of diag(s) J are those of J^T diag(s), whose products cost one backward pass each.
    """
    if field.n < dense_below:
        J = field.dense()
        if scale is not None:
            J = scale[:, None] * J
        values = np.linalg.eigvals(J)
        values = values[np.argsort(-np.abs(values), kind="stable")][:k]
        return ArnoldiResult(values, np.zeros(len(values)), field.n, True)
    matvec = field.jt_vec if scale is None else (lambda u: field.jt_vec(scale * u))
    return arnoldi_eigs(matvec, field.n, k=k, krylov=krylov, restarts=restarts, tol=tol)
