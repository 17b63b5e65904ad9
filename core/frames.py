"""Frame: everything one picture of the game needs, as ready-to-draw float32 numpy arrays.

Display samples use fixed noise and fixed real points, so from frame to frame a generated point
moves only because G changed: trails and motion then show the training dynamics, not resampling.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from . import manual_grad as mg
from . import objectives as obj
from .models import build_player, d_backward, d_forward
from .surface_grid import grid_scores
from .targets import build_target

MANIFOLD_LINES = 21  # latent grid lines per direction
MANIFOLD_POINTS = 64  # points along each line


@dataclass
class Frame:
    step: int
    real: np.ndarray  # (n, 2) real samples
    fake: np.ndarray  # (n, 2) generated samples, from fixed noise
    arrows: np.ndarray  # (n, 2) -d(G loss)/dx at each fake point: where G pushes it
    surface: np.ndarray  # (res, res) D on the grid; row j is y_j, column i is x_i
    extent: tuple  # (xmin, xmax, ymin, ymax) of the surface grid
    levels: tuple  # colour levels for the surface
    contour_level: float  # D's decision boundary value (0.5 for probabilities, else 0)
    manifold: np.ndarray  # (lines, points, 2) image of a latent grid under G
    metrics: dict = field(default_factory=dict)
    status: str = "ok"
    message: str = ""
    loss: str = ""
    centres: np.ndarray | None = None
    charts: dict = field(default_factory=dict)  # filled by clients that draw charts
    detections: dict | None = None  # name -> core.detectors.Detection, when computed


class ViewState:
    """Fixed display noise and real samples, rebuilt when the target or G's input changes."""

    def __init__(self, engine):
        cfg = engine.cfg
        gen = torch.Generator().manual_seed(cfg.run.seed + 104729)
        pack = cfg.objective.pack
        n = max(pack, cfg.run.display_samples // pack * pack)  # whole packs for PacGAN's D
        self.z = engine.G.sample_noise(n, gen, engine.device)
        self.real_t = engine.target.sample(n, gen).to(engine.device)
        self.real = self.real_t.cpu().numpy().astype(np.float32)
        self.latent = _latent_grid(engine.G.noise_dim, engine.G.noise_kind).to(engine.device)
        self.pack = pack
        self._real_heads: dict[int, np.ndarray] = {}

    def head(self, points: int | None) -> tuple[torch.Tensor, np.ndarray]:
        """The first `points` noise vectors and real samples (whole packs; all when None). The
        same array object each time for the same count, so a view redraws real points only
        when they change."""
        n = len(self.z) if points is None else min(len(self.z), max(self.pack, points // self.pack * self.pack))
        if n == len(self.z):
            return self.z, self.real
        if n not in self._real_heads:
            self._real_heads[n] = self.real[:n]
        return self.z[:n], self._real_heads[n]


def _latent_grid(dim: int, kind: str) -> torch.Tensor:
    """Lines of a latent grid (lines * points, dim); beyond 2-D it is a slice through 0."""
    lim = 1.0 if kind == "uniform" else 2.5
    t = torch.linspace(-lim, lim, MANIFOLD_POINTS)
    if dim == 1:
        return t[:, None]
    ticks = torch.linspace(-lim, lim, MANIFOLD_LINES)
    horiz = torch.stack(torch.broadcast_tensors(t[None, :], ticks[:, None]), -1)  # z1 varies
    vert = torch.stack(torch.broadcast_tensors(ticks[:, None], t[None, :]), -1)  # z2 varies
    lines = torch.cat([horiz, vert]).reshape(-1, 2)
    if dim > 2:
        lines = torch.cat([lines, torch.zeros(len(lines), dim - 2)], 1)
    return lines


def build_frame(
    engine,
    view: ViewState | None = None,
    extent: tuple | None = None,
    skip: frozenset = frozenset(),
    max_res: int | None = None,
    max_points: int | None = None,
    low_precision: bool = False,
) -> Frame:
    """A Frame of the current state of `engine` (a GanEngine, or a _Shadow of one), drawn with the
    display samples of `view` (the owner keeps it from frame to frame; None: fresh ones). `skip`
    names layers nobody will draw ('manifold', 'arrows', 'surface'): their arrays are left empty,
    which saves most of the cost of a frame. `max_res` and `max_points` cap the surface's resolution
    and the points shown (a frame budget); the surface costs res², each point a pass of G and of D's
    gradient. `low_precision`: D's hidden layers on the surface grid in bfloat16 (core.surface_grid;
    the app's screen frames, on CPUs that do it natively). Reads `engine`, never changes it."""
    cfg = engine.cfg
    view = view or ViewState(engine)
    loss = cfg.objective.loss
    G, D = engine.G, engine.D
    extent = extent or engine.target.extent()
    res = cfg.run.surface_res if max_res is None else max(2, min(cfg.run.surface_res, max_res))
    z, real = view.head(max_points)
    hand = engine.manual_grad and mg.supports(G.net) and mg.supports(D.net)

    with torch.no_grad():
        fake = G(z)
        if "surface" in skip:
            surface = torch.full((res, res), float("nan"))
        else:
            x0, x1, y0, y1 = extent
            xs = torch.linspace(x0, x1, res, device=engine.device)
            ys = torch.linspace(y0, y1, res, device=engine.device)
            if hand:  # the grid's first layer by rows and columns, in blocks (core.surface_grid)
                scores = grid_scores(D, xs, ys, low_precision=low_precision and engine.device.type == "cpu")
            else:
                gy, gx = torch.meshgrid(ys, xs, indexing="ij")
                grid = torch.stack([gx.reshape(-1), gy.reshape(-1)], 1)
                # PacGAN's D scores packs: show it a pack of copies of each grid point.
                grid = grid.repeat_interleave(D.pack, 0)
                # In blocks of 1,024 points: the activations stay in the CPU's cache (128x128 at once
                # took 8.1 ms here, in blocks 4.3 ms).
                scores = torch.cat([D(g) for g in grid.split(1024 * D.pack)])
            surface = obj.surface_transform(loss, scores).reshape(res, res)
        manifold = G(view.latent) if "manifold" not in skip else torch.zeros(0, MANIFOLD_POINTS, 2)
        n = len(fake) // D.pack
        if "arrows" in skip:
            push = torch.zeros_like(fake)
        elif hand:  # the generator's push by the hand-written chain rule: no autograd graph
            f, cache = d_forward(D, fake)
            push = -d_backward(D, cache, mg.g_output_grad(loss, f) * n, weight_grads=False, input_grad=True)  # type: ignore[operator]
    if "arrows" not in skip and not hand:
        # The generator's push: minus the gradient of its loss with respect to each fake point.
        x = fake.detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(obj.g_loss(loss, D(x)) * n, x)
        push = -grad
    levels = obj.surface_levels(loss)
    surface_np = _f32(surface)
    contour = 0.5 if loss in obj.LOG_LOSSES or loss == "lsgan" else 0.0
    if levels is None:
        # A critic's score is only defined up to a shift: centre the colours and the boundary
        # between its mean score on real and on generated samples.
        with torch.no_grad():
            contour = float((D(view.real_t[: len(fake)]).mean() + D(fake).mean()) / 2)
        finite = surface_np[np.isfinite(surface_np)]
        m = max(float(np.abs(finite - contour).max()), 1e-6) if finite.size else 1.0
        levels = (contour - m, contour + m)
    n_lines = 0 if "manifold" in skip else (1 if G.noise_dim == 1 else 2 * MANIFOLD_LINES)
    return Frame(
        step=engine.step_count,
        real=real,
        fake=_f32(fake),
        arrows=_f32(push),
        surface=surface_np,
        extent=tuple(float(v) for v in extent),
        levels=levels,
        contour_level=contour,
        manifold=_f32(manifold).reshape(n_lines, MANIFOLD_POINTS, 2),
        metrics=engine.metrics(),
        status=engine.status,
        message=engine.message,
        loss=loss,
        centres=None if engine.target.centres is None else engine.target.centres.astype(np.float32),
    )


def _f32(t: torch.Tensor) -> np.ndarray:
    return np.ascontiguousarray(t.detach().float().cpu().numpy(), dtype=np.float32)


class FrameSource:
    """What one frame needs, copied on the training thread in a fraction of a millisecond.

    Building the frame itself (D on the surface grid, G's push on every point) costs several ms;
    `FrameBuilder.build()` does it on another thread, the UI's, while training carries on. The
    weights here are copies, so the picture is of one consistent moment of the run.
    `key` changes whenever the players' structure, the target or the display samples change.
    """

    def __init__(self, engine, skip: frozenset = frozenset()):
        self.key = (engine, engine.G, engine.D, engine.target, engine.view_version)
        self.device, self.target = engine.device, engine.target
        self.weights = {
            name: {k: v.detach().clone() for k, v in model.state_dict().items()}
            for name, model in (("G", engine.G), ("D", engine.D))
        }
        self.cfg = engine.cfg.copy()
        self.step_count, self.status, self.message = engine.step_count, engine.status, engine.message
        self.metrics = engine.metrics()
        self.manual_grad = engine.manual_grad
        self.skip = skip
        self.charts: dict = {}
        self.detections: dict | None = None  # name -> Detection, when the worker computed them


class FrameBuilder:
    """Turns FrameSources into Frames using its own copies of the players."""

    def __init__(self):
        self._key: tuple | None = None
        self._shadow: _Shadow | None = None
        self._surface: tuple | None = None  # (what it was made for, frames since, the frame it came from)

    def build(
        self,
        src: FrameSource,
        max_res: int | None = None,
        max_points: int | None = None,
        surface_every: int = 1,
        low_precision: bool = False,
    ) -> Frame:
        """`surface_every` > 1 (a frame budget) recomputes D's surface on every n-th frame only and
        shows the last one in between: it is about a third of a frame's cost and changes slowly,
        while the points and arrows stay live. A new player, target, view, resolution or loss
        always recomputes it. `low_precision`: see build_frame."""
        if self._key is None or not same_key(src.key, self._key):
            self._shadow = _Shadow(src)  # a new player, target or view: copy the structure once
            self._key = src.key
            self._surface = None
        shadow = self._shadow
        assert shadow is not None  # made above on the first build
        shadow.load(src)
        if shadow.view is None:
            shadow.view = ViewState(shadow)
        made_for = (max_res, src.cfg.run.surface_res, src.cfg.objective.loss, "surface" in src.skip, low_precision)
        reuse = None
        if surface_every > 1 and self._surface is not None and self._surface[0] == made_for:
            if self._surface[1] + 1 < surface_every:
                reuse = self._surface[2]
        skip = src.skip | {"surface"} if reuse is not None else src.skip
        frame = build_frame(
            shadow, shadow.view, skip=skip, max_res=max_res, max_points=max_points, low_precision=low_precision
        )
        if reuse is not None:
            frame.surface, frame.extent, frame.levels, frame.contour_level = (
                reuse.surface,
                reuse.extent,
                reuse.levels,
                reuse.contour_level,
            )
            self._surface = (made_for, self._surface[1] + 1, reuse)  # type: ignore[index]
        else:
            self._surface = (made_for, 0, frame)
        frame.charts = src.charts
        frame.detections = src.detections
        return frame


def same_key(a: tuple, b: tuple) -> bool:
    # Objects by identity (a rebuilt player is a new object), numbers and strings by value.
    return len(a) == len(b) and all(x is y or (isinstance(x, (int, str)) and x == y) for x, y in zip(a, b))


class _Shadow:
    """What build_frame reads of a GanEngine, holding copies of G and D, and its own display samples."""

    def __init__(self, src: FrameSource):
        # Built from the source's config, never copied from the live modules, which the training
        # thread is changing; their values come from the source's weights in load().
        self.G = build_player(src.cfg, "G").to(src.device)
        self.D = build_player(src.cfg, "D").to(src.device)
        # A source from the training process carries no target object: it is rebuilt from the
        # config, exactly as the process built its own.
        self.target = src.target if src.target is not None else build_target(src.cfg.target)
        self.device = src.device
        self.view: ViewState | None = None  # made at the first frame, once the config is loaded

    def load(self, src: FrameSource) -> None:
        self.G.load_state_dict(src.weights["G"])
        self.D.load_state_dict(src.weights["D"])
        self.cfg, self.step_count, self.status, self.message = src.cfg, src.step_count, src.status, src.message
        self._metrics, self.manual_grad = src.metrics, src.manual_grad

    def metrics(self) -> dict:
        return self._metrics
