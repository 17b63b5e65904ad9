"""The Arjovsky-Bottou experiment (2017, Figure 2): keep G fixed, train a fresh D alone, and watch
the norm of G's gradient under the original minimax loss and under the non-saturating one.

With the minimax loss log(1 - D(G(z))) the gradient vanishes as D gets better, by orders of
magnitude; with -log D(G(z)) it does not. Both are measured on the same fixed noise batch, against
the same D at every point, so the two curves differ only in the loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from . import objectives as obj
from .config import GanConfig
from .run_loop import Every, LoopState, run_loop


@dataclass
class GradientDecay:
    d_iterations: np.ndarray
    log10_minimax: np.ndarray
    log10_nonsaturating: np.ndarray
    d_accuracy: np.ndarray


def gradient_decay(
    cfg: GanConfig, g_state: dict | None = None, iterations: int = 2000, every: int = 20, stop=None
) -> GradientDecay:
    """Train a fresh D (cfg's D loss and optimiser) against a fixed G; G's gradient norm per loss.

    `g_state`: weights for G (e.g. the run in the app); a fresh G when None. `stop()` returning
    True ends the experiment early (the results so far are returned).
    """
    from .engine import GanEngine

    cfg = cfg.copy()
    if cfg.objective.loss not in ("minimax", "nonsaturating"):
        cfg.objective.loss = "minimax"  # the experiment is about the log losses: D's side is the same
    engine = GanEngine(cfg)
    if g_state is not None:
        engine.G.load_state_dict(g_state)
    engine.freeze("G")
    gen = torch.Generator().manual_seed(cfg.run.seed + 2017)
    z = engine.G.sample_noise(cfg.run.batch_size * cfg.objective.pack, gen, engine.device)
    rows = []

    def measure(state: LoopState | None = None) -> None:
        grads = [_g_grad_norm(engine, z, loss) for loss in ("minimax", "nonsaturating")]
        acc = engine.history.as_arrays()
        rows.append(
            (
                state.done if state else 0,
                *np.log10(np.maximum(grads, 1e-30)),
                float((acc["acc_real"][-1] + acc["acc_fake"][-1]) / 2) if len(acc["step"]) else 0.5,
            )
        )

    measure()  # at 0 iterations; then after each chunk, and stop() is asked before the next one
    run_loop(
        engine,
        iterations // every * every,
        chunks=every,
        callbacks=[Every(measure)],
        should_stop=stop,
        step=lambda n: engine.step(n, players=("D",)),
    )
    a = np.array(rows)
    return GradientDecay(a[:, 0].astype(int), a[:, 1], a[:, 2], a[:, 3])


def _g_grad_norm(engine, z: torch.Tensor, loss: str) -> float:
    params = list(engine.G.parameters())
    scores = engine.D(engine.G(z))
    grads = torch.autograd.grad(obj.g_loss(loss, scores), params)
    return float(torch.sqrt(sum((g * g).sum() for g in grads)))
