"""Live detectors for the failure modes the seed note describes, each a documented rule.

All of them read the engine's metric histories (nothing is recomputed), so they are cheap enough
to run on every frame. Thresholds live in the config's `detect` section.

- collapse: the target has modes, and in each of the last `collapse_evals` evaluations at most
  `collapse_share` of them are captured (VEEGAN/PacGAN's definition of captured), once G has
  reached the data: some evaluation so far captured at least `collapse_reach` modes. Before that,
  "0 of 8 modes" means G has not arrived yet (lesson 5's G starts at the origin and needs about
  1,000 steps to reach the ring), not that it collapsed.
- hopping: across the last `hop_evals` evaluations the mode holding most of the generated
  high-quality samples changed at least `hop_changes` times.
- oscillation: over the last `osc_steps` iterations, D's loss (smoothed over 10 steps, linear
  trend removed) has an autocorrelation of at least `osc_corr` at a peak between 20 steps and a
  third of the window, and swings by at least `osc_amp`: the players circle with that period
  instead of settling.
- vanishing: G's gradient norm (50-step mean) has fallen at least `vanish_drop` times below its
  peak, while D's accuracy (50-step mean over real and fake) is at least `vanish_acc`.
- chance: over the last `chance_steps` iterations D's accuracy on real and on fake both stay within
  0.5 +- `chance_tol`: D can no longer tell them apart (the seed's "success").
- stalled: D has stopped teaching. Over the last `stall_steps` iterations either every gradient
  G received was below `stall_grad` (D's output is flat where the generated samples are, so G is
  frozen in place) or D's own gradient was (D learns nothing). Only while D trains, and only a
  player that trains counts (a frozen or scripted-out player has a zero gradient by design). Seen with D's learning rate at 1: D's
  units die within a few hundred steps and lowering the rate cannot revive them; Reset D can.
- diverged: a loss or weight became NaN or infinite (the engine stops and says when).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TITLES = {
    "collapse": "Mode collapse",
    "hopping": "Mode hopping",
    "oscillation": "Oscillation",
    "vanishing": "Vanishing gradient",
    "chance": "D at chance",
    "stalled": "D stalled",
    "diverged": "Diverged",
}


@dataclass
class Detection:
    name: str
    active: bool
    detail: str = ""
    step: int | None = None  # the step it applies to (the start of the window that shows it)
    detail_zh: str = ""  # the same in Chinese, for the app's Chinese lessons

    def text(self, lang: str = "en") -> str:
        return self.detail_zh if lang == "zh" and self.detail_zh else self.detail

    @property
    def title(self) -> str:
        return TITLES[self.name]


def detect(engine) -> dict[str, Detection]:
    """Every detector's verdict on the engine's run now."""
    d = engine.cfg.detect
    h = engine.history.as_arrays()
    ev = engine.evaluator.history.as_arrays()
    n_modes = engine.target.n_modes
    out = {
        "collapse": _collapse(ev, n_modes, d),
        "hopping": _hopping(ev, n_modes, d),
        "oscillation": _oscillation(h, d),
        "vanishing": _vanishing(h, d),
        "chance": _chance(h, d),
        "stalled": _stalled(h, d, _training(engine)),
        "diverged": Detection(
            "diverged",
            engine.status == "diverged",
            engine.message,
            engine.step_count if engine.status == "diverged" else None,
        ),
    }
    return out


def _collapse(ev, n_modes: int, d) -> Detection:
    modes, steps = ev["modes"], ev["step"]
    k = d.collapse_evals
    if n_modes < 2 or len(modes) < k or not np.isfinite(modes[-k:]).all():
        return Detection("collapse", False)
    limit = d.collapse_share * n_modes
    recent = modes[-k:]
    seen = modes[np.isfinite(modes)]
    reached = bool(len(seen) and float(seen.max()) >= d.collapse_reach)
    if reached and (recent <= limit).all():
        return Detection(
            "collapse",
            True,
            f"only {int(recent[-1])} of {n_modes} modes captured for {k} evaluations in a row",
            int(steps[-k]),
            f"连续 {k} 次评估只捕获了 {n_modes} 个模式中的 {int(recent[-1])} 个",
        )
    return Detection("collapse", False)


def _hopping(ev, n_modes: int, d) -> Detection:
    dom, steps = ev["dominant"], ev["step"]
    k = d.hop_evals
    if n_modes < 2 or len(dom) < k:
        return Detection("hopping", False)
    recent = dom[-k:]
    recent = recent[np.isfinite(recent)]
    changes = int((np.diff(recent) != 0).sum()) if len(recent) > 1 else 0
    if changes >= d.hop_changes:
        return Detection(
            "hopping",
            True,
            f"the dominant mode changed {changes} times in the last {k} evaluations",
            int(steps[-k]),
            f"最近 {k} 次评估中主要模式变换了 {changes} 次",
        )
    return Detection("hopping", False)


def _oscillation(h, d) -> Detection:
    loss, steps = h["d_loss"], h["step"]
    w = d.osc_steps
    if len(loss) < w or not np.isfinite(loss[-w:]).all():
        return Detection("oscillation", False)
    lag, corr = dominant_period(loss[-w:])
    if lag and corr >= d.osc_corr and float(np.std(loss[-w:])) >= d.osc_amp:
        return Detection(
            "oscillation",
            True,
            f"D's loss repeats every ~{lag} steps (autocorrelation {corr:.2f})",
            int(steps[-w]),
            f"判别器的损失大约每 {lag} 步重复一次（自相关 {corr:.2f}）",
        )
    return Detection("oscillation", False)


def dominant_period(series: np.ndarray) -> tuple[int, float]:
    """(lag, autocorrelation) of the strongest true repetition between 20 steps and a third of the
    series; (0, 0.0) when there is none. The series is smoothed over 10 steps and its linear trend
    removed (a loss that only falls is not an oscillation), and the peak must come after the
    autocorrelation has gone below zero (a cycle: down, then back up)."""
    x = np.convolve(series, np.ones(10) / 10, mode="valid")
    n = len(x)
    if n < 60:
        return 0, 0.0
    t = np.arange(n)
    x = x - np.polyval(np.polyfit(t, x, 1), t)
    if not np.any(np.abs(x) > 1e-12):
        return 0, 0.0
    spec = np.fft.rfft(x, 2 * n)
    ac = np.fft.irfft(spec * np.conj(spec))[:n]
    ac = ac / ac[0]
    below = np.nonzero(ac < 0)[0]
    if not len(below):
        return 0, 0.0
    lo, hi = max(20, int(below[0])), n // 3
    if hi <= lo + 2:
        return 0, 0.0
    lag = lo + int(np.argmax(ac[lo:hi]))
    if lag in (lo, hi - 1):  # no peak inside the range, only a slope at its edge
        return 0, 0.0
    return lag, float(ac[lag])


def _vanishing(h, d) -> Detection:
    g, steps = h["g_grad"], h["step"]
    acc = (h["acc_real"] + h["acc_fake"]) / 2
    if len(g) < 100:
        return Detection("vanishing", False)
    smooth = np.convolve(g, np.ones(50) / 50, mode="valid")
    peak, now = float(np.nanmax(smooth)), float(smooth[-1])
    acc_now = float(np.mean(acc[-50:]))
    if peak > 0 and now <= peak / d.vanish_drop and acc_now >= d.vanish_acc:
        ratio = peak / max(now, 1e-300)
        return Detection(
            "vanishing",
            True,
            f"G's gradient is {ratio:,.0f}x below its peak while D is right {100 * acc_now:.0f}% of the time",
            int(steps[-1]),
            f"生成器的梯度比峰值低 {ratio:,.0f} 倍，而判别器的准确率为 {100 * acc_now:.0f}%",
        )
    return Detection("vanishing", False)


def _chance(h, d) -> Detection:
    w = d.chance_steps
    if len(h["step"]) < w:
        return Detection("chance", False)
    real, fake = float(np.mean(h["acc_real"][-w:])), float(np.mean(h["acc_fake"][-w:]))
    if abs(real - 0.5) <= d.chance_tol and abs(fake - 0.5) <= d.chance_tol:
        return Detection(
            "chance",
            True,
            f"D is right {100 * real:.0f}% on real and {100 * fake:.0f}% on generated samples: a coin flip",
            int(h["step"][-w]),
            f"判别器对真实样本的准确率 {100 * real:.0f}%，对生成样本 {100 * fake:.0f}%：如同抛硬币",
        )
    return Detection("chance", False)


def _training(engine) -> set[str]:
    """The players being updated now (not frozen, and in the lesson's script)."""
    frozen = getattr(engine, "frozen", {}) or {}
    return {p for p in getattr(engine, "players", ("D", "G")) if not frozen.get(p, False)}


def _stalled(h, d, training: set[str]) -> Detection:
    w = d.stall_steps
    if len(h["step"]) < w:
        return Detection("stalled", False)
    if "D" not in training:
        return Detection("stalled", False)  # a frozen D teaches nothing by design (lessons 4, 8a)
    for player, series in (("G", "g_grad"), ("D", "d_grad")):
        recent = h[series][-w:]
        if player in training and np.isfinite(recent).all() and float(np.max(recent)) < d.stall_grad:
            start = int(h["step"][-w])
            if player == "G":
                return Detection(
                    "stalled",
                    True,
                    f"G has received no gradient (below {d.stall_grad:g}) for "
                    f"{w} steps: D's output is flat where the generated samples "
                    f"are. Lowering D's learning rate cannot revive it; press "
                    f"Reset D",
                    start,
                    f"生成器已有 {w} 步几乎没有得到梯度（低于 {d.stall_grad:g}）：判别器在生成样本处的"
                    f"输出是平的。降低判别器学习率也救不回来；请按“重置判别器”",
                )
            return Detection(
                "stalled",
                True,
                f"D's gradient has stayed below {d.stall_grad:g} for {w} steps: D has stopped learning. Press Reset D",
                start,
                f"判别器的梯度已有 {w} 步低于 {d.stall_grad:g}：判别器停止学习了。请按“重置判别器”",
            )
    return Detection("stalled", False)
