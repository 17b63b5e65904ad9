"""Sample-quality metrics with published definitions, and a bounded metric history.

- modes captured / high-quality share: VEEGAN (Srivastava et al. 2017) and PacGAN (Lin et al. 2018):
  a sample is high quality if it lies within 3 sigma of its nearest mode centre; a mode is captured
  if at least one high-quality sample is nearest to it.
- JS divergence on a grid, in bits (0 = same histogram, 1 = disjoint supports).
- MMD with a Gaussian kernel: a true distance between distributions, zero only when they are equal.
"""

from __future__ import annotations

import numpy as np
import torch


def mode_metrics(samples: np.ndarray, centres: np.ndarray, sigmas: np.ndarray):
    """Returns (modes captured, high-quality share, high-quality count per mode)."""
    samples = np.asarray(samples, dtype=np.float64)
    d2 = ((samples[:, None, :] - centres[None, :, :]) ** 2).sum(-1)
    nearest = d2.argmin(1)
    dist = np.sqrt(d2[np.arange(len(samples)), nearest])
    hq = dist <= 3 * np.asarray(sigmas)[nearest]
    counts = np.bincount(nearest[hq], minlength=len(centres))
    return int((counts > 0).sum()), float(hq.mean()) if len(samples) else 0.0, counts


def reverse_kl_modes(samples: np.ndarray, centres: np.ndarray, weights: np.ndarray | None = None) -> float:
    """KL(generated || real) over the modes, in nats: PacGAN's "reverse KL" column as ganscope
    computes it (their released code does not contain it). Every sample counts for its nearest
    mode centre, whatever its distance; the generated distribution over modes is those counts
    normalised, the real one the target's mode weights (uniform when not given). 0 when the
    samples spread exactly like the modes, log(modes) when all sit on one of equally likely modes."""
    samples = np.asarray(samples, dtype=np.float64)
    if len(samples) == 0:
        return float("nan")
    nearest = ((samples[:, None, :] - centres[None, :, :]) ** 2).sum(-1).argmin(1)
    p = np.bincount(nearest, minlength=len(centres)) / len(samples)
    q = np.full(len(centres), 1 / len(centres)) if weights is None else np.asarray(weights, np.float64)
    q = q / q.sum()
    nz = p > 0
    return float((p[nz] * np.log(p[nz] / q[nz])).sum())


def js_divergence(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen-Shannon divergence in bits between two histograms (each normalised here)."""
    p = np.asarray(p, dtype=np.float64).ravel()
    q = np.asarray(q, dtype=np.float64).ravel()
    p, q = p / p.sum(), q / q.sum()
    m = (p + q) / 2

    def kl(a, b):
        nz = a > 0
        return float((a[nz] * np.log2(a[nz] / b[nz])).sum())

    return max(0.0, 0.5 * kl(p, m) + 0.5 * kl(q, m))


def histogram(samples: np.ndarray, xedges: np.ndarray, yedges: np.ndarray) -> np.ndarray:
    """Counts on the grid; samples outside it go to an extra 'outside' cell so no mass is dropped."""
    h, _, _ = np.histogram2d(samples[:, 0], samples[:, 1], bins=[xedges, yedges])
    return np.append(h.ravel(), len(samples) - h.sum())


def mmd(x: np.ndarray, y: np.ndarray, bandwidth: float, yy: float | None = None) -> float:
    """Unbiased MMD^2 estimate, returned as sqrt(max(0, MMD^2)), Gaussian kernel of that bandwidth.

    `yy` is the y-y term (`mmd_self_term(y, bandwidth)`), for callers that compare many x against
    one fixed reference. Kernels are float32 torch ops: 10x faster than float64 numpy, and the
    estimate's sampling error is far above float32 rounding.
    """
    x = torch.as_tensor(np.asarray(x), dtype=torch.float32)
    y = torch.as_tensor(np.asarray(y), dtype=torch.float32)
    xx = mmd_self_term(x, bandwidth)
    yy = mmd_self_term(y, bandwidth) if yy is None else yy
    xy = _sum(_kernel(x, y, bandwidth)) / (len(x) * len(y))
    return float(np.sqrt(max(xx + yy - 2 * xy, 0.0)))


def mmd_self_term(x, bandwidth: float) -> float:
    """Mean kernel value over distinct pairs of x (the unbiased within-sample term)."""
    x = torch.as_tensor(np.asarray(x), dtype=torch.float32)
    n = len(x)
    k = _kernel(x, x, bandwidth)
    return (_sum(k) - float(k.diagonal().sum(dtype=torch.float64))) / (n * (n - 1))


def _sum(k: torch.Tensor) -> float:
    """The sum of a kernel matrix: its rows in float32 (1,000 terms each, rounding ~1e-7 of the
    row), the row sums in float64. A float64 sum of the whole matrix converts every element and took
    5-10x longer here; the two agree to ~1e-9 relative."""
    return float(k.sum(1).sum(dtype=torch.float64))


def _kernel(a: torch.Tensor, b: torch.Tensor, bandwidth: float) -> torch.Tensor:
    # Squared distances as |a|^2 + |b|^2 - 2 a.b: cdist's own product form without its square root,
    # which the kernel would square again (3.5x less time for 1,000 x 1,000 here).
    d2 = (a.square().sum(1)[:, None] + b.square().sum(1)).addmm_(a, b.t(), alpha=-2).clamp_(min=0.0)
    # exp() of very negative numbers returns denormals, which x86 computes ~10x slower; below
    # exp(-80) ~ 2e-35 the kernel is zero for every purpose here.
    k = d2.mul_(-1 / (2 * bandwidth**2)).clamp_(min=-80.0)
    # numpy's float32 exp, in place: half of torch's exp_ time here (1,000 x 1,000: ~0.95 against
    # ~1.8 ms, docs/benchmarks.md); the two differ by at most one unit in the last place.
    np.exp(k.numpy(), out=k.numpy())
    return k


class MetricHistory:
    """Named series on a shared step axis, bounded: when full, every other row is dropped.

    The newest points stay at full resolution while older ones thin out, so memory never grows
    past `capacity` rows however long the run.
    """

    def __init__(self, names: tuple[str, ...], capacity: int):
        self.names = tuple(names)
        self.capacity = max(int(capacity), 4)
        self._data = np.zeros((self.capacity, 1 + len(self.names)), dtype=np.float64)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def extend(self, steps: np.ndarray, values: np.ndarray) -> None:
        """Append rows: steps (k,), values (k, len(names))."""
        rows = np.column_stack([np.asarray(steps, np.float64), np.asarray(values, np.float64)])
        for start in range(0, len(rows), self.capacity // 2):
            chunk = rows[start : start + self.capacity // 2]
            if self._n + len(chunk) > self.capacity:
                kept = self._data[: self._n][::2].copy()
                self._n = len(kept)
                self._data[: self._n] = kept
            self._data[self._n : self._n + len(chunk)] = chunk
            self._n += len(chunk)

    @property
    def steps(self) -> np.ndarray:
        return self._data[: self._n, 0]

    def series(self, name: str) -> np.ndarray:
        return self._data[: self._n, 1 + self.names.index(name)]

    def last(self) -> dict[str, float]:
        if self._n == 0:
            return {}
        return {n: float(v) for n, v in zip(self.names, self._data[self._n - 1, 1:])}

    def as_arrays(self, stride: int = 1) -> dict[str, np.ndarray]:
        """Copies of every series, every `stride`-th row (decimated before copying)."""
        rows = self._data[: self._n : max(1, stride)]
        out = {"step": rows[:, 0].copy()}
        out.update({n: rows[:, 1 + i].copy() for i, n in enumerate(self.names)})
        return out

    def load_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        self._n = 0
        steps = np.asarray(arrays["step"])
        # A series this version records but the file lacks (an older session) reads as NaN.
        values = (
            np.column_stack([np.asarray(arrays.get(n, np.full(len(steps), np.nan))) for n in self.names])
            if len(steps)
            else np.zeros((0, len(self.names)))
        )
        self.extend(steps, values)
