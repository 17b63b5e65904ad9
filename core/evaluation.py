"""Periodic, more expensive sample-quality metrics: modes captured, high-quality share, JS, MMD.

Evaluation uses its own fixed noise and its own reference samples, so it never consumes the
training random stream: changing how often it runs does not change the training run.
"""

from __future__ import annotations

import numpy as np
import torch

from .metrics import MetricHistory, histogram, js_divergence, mmd, mmd_self_term, mode_metrics, reverse_kl_modes

EVAL_SERIES = ("modes", "hq_share", "js", "mmd", "dominant", "reverse_kl")  # dominant: the mode most
# samples sit on; reverse_kl: KL(generated || real) over the modes (metrics.reverse_kl_modes)
JS_BINS = 64  # 64x64 cells: fine enough to separate modes 3 sigma apart on the presets
MMD_SAMPLES = 1000  # MMD costs O(n^2); 1,000 points per side keep it to a few ms
REFERENCE_SAMPLES = 50_000


class Evaluator:
    """Computes EVAL_SERIES for an engine and keeps their history."""

    def __init__(self, engine, keep_history: MetricHistory | None = None):
        self.engine = engine
        cfg = engine.cfg
        self.history = keep_history or MetricHistory(EVAL_SERIES, cfg.run.history)
        gen = torch.Generator().manual_seed(cfg.run.seed + 7919)
        target = engine.target
        self.z = engine.G.sample_noise(cfg.run.eval_samples, gen, "cpu")
        x0, x1, y0, y1 = target.extent()
        self.xedges = np.linspace(x0, x1, JS_BINS + 1)
        self.yedges = np.linspace(y0, y1, JS_BINS + 1)
        if hasattr(target, "cell_probabilities"):  # exact mass per cell for Gaussian mixtures
            p = target.cell_probabilities(self.xedges, self.yedges).ravel()
            self.p_real = np.append(p, max(0.0, 1 - p.sum()))
        else:
            self.p_real = histogram(target.sample(REFERENCE_SAMPLES, gen).numpy(), self.xedges, self.yedges)
        self.real_ref = target.sample(MMD_SAMPLES, gen).numpy().astype(np.float64)
        self.bandwidth = (x1 - x0) / 20  # a twentieth of the view: resolves modes, tolerates jitter
        self.real_self = mmd_self_term(self.real_ref, self.bandwidth)  # fixed: computed once

    def generated(self) -> np.ndarray:
        G = self.engine.G
        z = self.z if self.z.shape[1] == G.noise_dim else self._new_noise()
        with torch.no_grad():
            return G(z.to(self.engine.device)).float().cpu().numpy().astype(np.float64)

    def _new_noise(self) -> torch.Tensor:
        gen = torch.Generator().manual_seed(self.engine.cfg.run.seed + 7919)
        self.z = self.engine.G.sample_noise(self.engine.cfg.run.eval_samples, gen, "cpu")
        return self.z

    def evaluate(self) -> dict[str, float]:
        fake = self.generated()
        target = self.engine.target
        if not np.isfinite(fake).all():
            values = dict.fromkeys(EVAL_SERIES, float("nan"))
        else:
            values = {
                "modes": float("nan"),
                "hq_share": float("nan"),
                "dominant": float("nan"),
                "reverse_kl": float("nan"),
            }
            if target.centres is not None:
                captured, hq, counts = mode_metrics(fake, target.centres, target.sigmas)
                # The dominant mode: the one holding at least half the high-quality samples, if any.
                dominant = float(counts.argmax()) if counts.sum() and counts.max() * 2 >= counts.sum() else float("nan")
                values = {
                    "modes": float(captured),
                    "hq_share": hq,
                    "dominant": dominant,
                    "reverse_kl": reverse_kl_modes(fake, target.centres, getattr(target, "weights", None)),
                }
            values["js"] = js_divergence(self.p_real, histogram(fake, self.xedges, self.yedges))
            values["mmd"] = mmd(fake[:MMD_SAMPLES], self.real_ref, self.bandwidth, self.real_self)
        row = np.array([[values[k] for k in EVAL_SERIES]])
        self.history.extend(np.array([self.engine.step_count]), row)
        return values
