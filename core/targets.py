"""Target distributions in the plane: what the generator must learn to imitate.

Every target samples with an explicit torch.Generator (so a run is reproducible from its seed) and
reports a bounding box for the view. Mixture targets also expose their modes (centres and sigmas),
which the modes-captured metric and the exact JS reference need.
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import numpy as np
import torch

from .config import ConfigError, TargetConfig
from .config_values import MAX_POINTS


class Target:
    """Base class: a 2-D distribution that can be sampled."""

    name = "target"
    centres: np.ndarray | None = None  # (k, 2) mode centres, mixtures only
    sigmas: np.ndarray | None = None  # (k,) per-mode standard deviations
    weights: np.ndarray | None = None  # (k,) mode probabilities, summing to 1

    def sample(self, n: int, gen: torch.Generator) -> torch.Tensor:
        raise NotImplementedError

    @property
    def n_modes(self) -> int:
        return 0 if self.centres is None else len(self.centres)

    def extent(self) -> tuple[float, float, float, float]:
        """(xmin, xmax, ymin, ymax) that frames the target with a margin."""
        gen = torch.Generator().manual_seed(12345)
        pts = self.sample(4096, gen).numpy()
        lo, hi = np.percentile(pts, 0.5, axis=0), np.percentile(pts, 99.5, axis=0)
        return _square_box(lo, hi)


def _on(gen: torch.Generator, target, *names: str) -> list[torch.Tensor]:
    """The target's tensors on the generator's device (a GPU generator samples on the GPU)."""
    if gen.device.type == "cpu":
        return [getattr(target, n) for n in names]
    cache = target.__dict__.setdefault("_device_copies", {})
    return [cache.setdefault((n, str(gen.device)), getattr(target, n).to(gen.device)) for n in names]


def _square_box(lo: np.ndarray, hi: np.ndarray, margin: float = 0.25) -> tuple[float, float, float, float]:
    """A square box around [lo, hi] with a relative margin, so circles look round."""
    centre = (lo + hi) / 2
    half = max(float(np.max(hi - lo)) / 2, 1e-3) * (1 + margin)
    return (float(centre[0] - half), float(centre[0] + half), float(centre[1] - half), float(centre[1] + half))


class GaussianMixture(Target):
    """Isotropic Gaussian components with their own centre, sigma and weight."""

    name = "mixture"
    centres: np.ndarray  # always set here (Target's are None for targets without modes)
    sigmas: np.ndarray
    weights: np.ndarray

    def __init__(self, centres, sigmas, weights=None):
        self.centres = np.asarray(centres, dtype=np.float64).reshape(-1, 2)
        k = len(self.centres)
        self.sigmas = np.broadcast_to(np.asarray(sigmas, dtype=np.float64), (k,)).copy()
        w = np.ones(k) if weights is None else np.asarray(weights, dtype=np.float64)
        self.weights = w / w.sum()
        self._c = torch.tensor(self.centres, dtype=torch.float32)
        self._s = torch.tensor(self.sigmas, dtype=torch.float32)
        self._w = torch.tensor(self.weights, dtype=torch.float64)

    def sample(self, n: int, gen: torch.Generator) -> torch.Tensor:
        c, s, w = _on(gen, self, "_c", "_s", "_w")
        idx = torch.multinomial(w, n, replacement=True, generator=gen)
        eps = torch.randn(n, 2, generator=gen, device=gen.device)
        # index_select, not c[idx]: the same values with less of advanced indexing's overhead. Out
        # of place: under a float64 default dtype, eps is float64 and the sum must promote.
        return c.index_select(0, idx) + eps * s.index_select(0, idx).unsqueeze(1)

    def extent(self):
        pad = 3 * self.sigmas[:, None]
        return _square_box((self.centres - pad).min(0), (self.centres + pad).max(0), margin=0.3)

    def cell_probabilities(self, xedges: np.ndarray, yedges: np.ndarray) -> np.ndarray:
        """Exact probability mass of each grid cell (nx, ny): products of 1-D normal CDF steps."""
        from math import erf

        cdf = np.vectorize(lambda z: 0.5 * (1 + erf(z / math.sqrt(2))))
        p = np.zeros((len(xedges) - 1, len(yedges) - 1))
        for c, s, w in zip(self.centres, self.sigmas, self.weights):
            px = np.diff(cdf((xedges - c[0]) / s))
            py = np.diff(cdf((yedges - c[1]) / s))
            p += w * np.outer(px, py)
        return p


def ring(n_modes: int, radius: float, sigma: float) -> GaussianMixture:
    angles = 2 * np.pi * np.arange(n_modes) / n_modes
    centres = radius * np.stack([np.cos(angles), np.sin(angles)], 1)
    t = GaussianMixture(centres, sigma)
    t.name = "ring"
    return t


def grid(size: int, spacing: float, sigma: float) -> GaussianMixture:
    axis = (np.arange(size) - (size - 1) / 2) * spacing
    xx, yy = np.meshgrid(axis, axis, indexing="ij")
    t = GaussianMixture(np.stack([xx.ravel(), yy.ravel()], 1), sigma)
    t.name = "grid"
    return t


class CurveTarget(Target):
    """A distribution along a curve (spiral, moons, swiss roll) plus Gaussian noise."""

    def __init__(self, name: str, scale: float, noise: float):
        self.name, self.scale, self.noise = name, scale, noise

    def sample(self, n: int, gen: torch.Generator) -> torch.Tensor:
        u = torch.rand(n, generator=gen, device=gen.device)
        if self.name == "spiral":
            # Area-uniform along two turns of an Archimedean spiral.
            t = torch.sqrt(u) * 4 * math.pi
            pts = torch.stack([t * torch.cos(t), t * torch.sin(t)], 1) / (2 * math.pi)
        elif self.name == "moons":
            upper = torch.rand(n, generator=gen, device=gen.device) < 0.5
            t = u * math.pi
            x = torch.where(upper, torch.cos(t), 1 - torch.cos(t))
            y = torch.where(upper, torch.sin(t), 0.5 - torch.sin(t))
            pts = torch.stack([x - 0.5, y - 0.25], 1)
        else:  # swiss roll, as in gan_toy.py's make_swiss_roll (scaled to about unit size)
            t = 1.5 * math.pi * (1 + 2 * u)
            pts = torch.stack([t * torch.cos(t), t * torch.sin(t)], 1) / 7.5
        pts = pts * self.scale
        return pts + self.noise * torch.randn(n, 2, generator=gen, device=gen.device)


class PointSet(Target):
    """A drawn or imported set of points, sampled with replacement plus a small jitter."""

    name = "points"

    def __init__(self, points, jitter: float):
        self.points = torch.as_tensor(np.asarray(points, dtype=np.float32).reshape(-1, 2))
        self.jitter = jitter

    def sample(self, n: int, gen: torch.Generator) -> torch.Tensor:
        (points,) = _on(gen, self, "points")
        idx = torch.randint(len(points), (n,), generator=gen, device=gen.device)
        return points[idx] + self.jitter * torch.randn(n, 2, generator=gen, device=gen.device)

    def extent(self):
        p = self.points.numpy()
        return _square_box(p.min(0) - 3 * self.jitter, p.max(0) + 3 * self.jitter)


def build_target(cfg: TargetConfig) -> Target:
    """The Target a TargetConfig describes."""
    if cfg.kind == "ring":
        return ring(cfg.n_modes, cfg.radius, cfg.sigma)
    if cfg.kind == "grid":
        return grid(cfg.grid_size, cfg.spacing, cfg.sigma)
    if cfg.kind == "mixture":
        return GaussianMixture(cfg.centres, cfg.sigmas, cfg.weights)
    if cfg.kind == "gaussian":
        t = GaussianMixture([[0.0, 0.0]], cfg.scale)
        t.name = "gaussian"
        return t
    if cfg.kind in ("spiral", "moons", "swissroll"):
        return CurveTarget(cfg.kind, cfg.scale, cfg.noise)
    if cfg.kind == "points":
        if not cfg.points:
            raise ConfigError("target.points: a point-set target needs at least one point")
        return PointSet(cfg.points, cfg.jitter)
    raise ConfigError(f"target.kind={cfg.kind!r}: unknown target")


def load_points(path: str | Path) -> np.ndarray:
    """Read (x, y) rows from a .csv/.txt or .npy file; refuses anything malformed with a clear message."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".npy":
        try:
            # Never unpickle a file from outside; map it first, so a huge file is refused from
            # its header before any of it is read into memory.
            arr = np.load(path, allow_pickle=False, mmap_mode="r")
            if arr.ndim == 2 and arr.shape[1] == 2 and len(arr) > MAX_POINTS:
                raise ConfigError(f"{path}: {len(arr)} points is more than the {MAX_POINTS} allowed")
            arr = np.array(arr)
        except ConfigError:
            raise
        except ValueError as exc:
            raise ConfigError(f"{path}: not a plain numeric .npy array ({exc})") from None
        except Exception as exc:  # truncated or corrupt headers raise assorted errors
            raise ConfigError(f"{path}: cannot read .npy file ({exc})") from None
    elif suffix in (".csv", ".txt"):
        arr = _read_csv(path)
    else:
        raise ConfigError(f"{path}: unknown file type '{suffix}' (use .csv, .txt or .npy)")
    if arr.dtype.kind not in "fiu":
        raise ConfigError(f"{path}: values must be numbers, found dtype {arr.dtype}")
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ConfigError(f"{path}: need rows of two columns (x, y), got shape {arr.shape}")
    if len(arr) == 0:
        raise ConfigError(f"{path}: the file holds no points")
    if len(arr) > MAX_POINTS:
        raise ConfigError(f"{path}: {len(arr)} points is more than the {MAX_POINTS} allowed")
    if not np.isfinite(arr).all():
        raise ConfigError(f"{path}: contains NaN or infinite values")
    return arr.astype(np.float64)


# A plain decimal number, as every spreadsheet writes one. float() alone would also take "1_000"
# (Python's digit separator), "\u0661" (an Arabic-Indic one) and " 1 " and turn them into numbers.
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(nan|inf|infinity)", re.IGNORECASE | re.ASCII)


def _read_csv(path: Path) -> np.ndarray:
    """Rows of two plain numbers. A byte-order mark sets the encoding (UTF-8 or UTF-16, as Excel
    writes them); empty fields, digit separators and anything else unusual are refused by line,
    never silently dropped or reinterpreted."""
    from .text_input import read_text

    rows: list[list[float]] = []
    text = read_text(path, "points file")
    try:
        for lineno, row in enumerate(csv.reader(io.StringIO(text, newline="")), 1):
            cells = [c.strip() for c in row]
            if not any(cells) or cells[0].startswith("#"):
                continue  # blank lines (also ",," from a spreadsheet) and comments
            bad = next((c for c in cells if not _NUMBER.fullmatch(c)), None)
            if bad is not None:
                if not rows and lineno == _first_data_line(text) and all(_is_label(c) for c in cells):
                    continue  # a header line such as "x,y"
                if bad == "":
                    raise ConfigError(
                        f"{path}:{lineno}: an empty field in {_show_row(row)}; every row "
                        f"needs exactly two numbers (x, y)"
                    )
                if "_" in bad or re.fullmatch(r"[+-]?[\d.]+([ ,'_][\d.]+)+", bad, re.ASCII):
                    raise ConfigError(
                        f"{path}:{lineno}: {bad!r} uses digit separators; write plain numbers such as 1000.5"
                    )
                raise ConfigError(f"{path}:{lineno}: not a number in {_show_row(row)}")
            if len(cells) != 2:
                raise ConfigError(f"{path}:{lineno}: need two columns (x, y), got {len(cells)}")
            rows.append([float(c) for c in cells])
            if len(rows) > MAX_POINTS:
                raise ConfigError(f"{path}: more than the {MAX_POINTS} points allowed")
    except csv.Error as exc:  # e.g. a field over 131,072 characters, a NUL byte
        raise ConfigError(f"{path}: not a readable CSV file ({exc})") from None
    return np.asarray(rows, dtype=np.float64).reshape(-1, 2)


def _is_label(cell: str) -> bool:
    """A column name: has a letter and is not a number's spelling ("nan", "inf")."""
    return any(ch.isalpha() for ch in cell) and not _NUMBER.fullmatch(cell)


def _first_data_line(text: str) -> int:
    """The number of the first line that is neither blank nor a comment (a header's only place)."""
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.strip(",") and not stripped.startswith("#"):
            return lineno
    return 0


def _show_row(row: list[str]) -> str:
    from .safe_text import one_line

    return one_line(repr(row), 120)
