"""GanEngine: trains a generator against a discriminator on a 2-D target, one iteration at a time.

The engine is headless and single-threaded; a GUI drives it from a worker thread. All randomness
comes from generators seeded by the config, so the same config and seed give the same run on the CPU.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import torch

from ganscope.core import iteration as it

from .config import ConfigError, GanConfig
from .cuda_graph import GraphStep
from .evaluation import Evaluator
from .frames import ViewState, build_frame
from .last_good import LastGood, first_non_finite
from .live_edits import LiveEdits
from .manual_step import ManualStep
from .manual_step import grad_norm as _grad_norm
from .metrics import MetricHistory
from .models import build_player
from .optim_step import adam_step, new_optimizer
from .spectrum_monitor import SpectrumMonitor
from .targets import build_target
from .threads import torch_threads
from .unrolling import unrolled_params

TRAIN_SERIES = it.SERIES
PLAYERS = ("G", "D")


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError("run.device='cuda': no CUDA device is available here (use cpu or auto)")
    return torch.device(name)


class GanEngine:
    """A GAN on a 2-D target.

    Parameters
    ----------
    config : GanConfig
        The whole run; copied, so later edits go through `update()`.
    """

    def __init__(self, config: GanConfig | None = None):
        cfg = (config or GanConfig()).copy()
        cfg.validate()
        self.cfg = cfg
        self.device = resolve_device(cfg.run.device)
        self.frozen = {"G": False, "D": False}
        self.manual_grad = True  # hand-written gradients where they apply (see core.manual_grad)
        self.manual = ManualStep(self)  # that fast path (core.manual_step)
        self.last_good = LastGood(self)  # the roll-back point after a divergence (core.last_good)
        self.use_cuda_graph = True  # on a GPU, replay recorded iterations (see core.cuda_graph)
        self._graph = GraphStep(self)
        self.edits = LiveEdits(self)  # changes while training (core.live_edits)
        self._resets = {"G": 0, "D": 0}
        self.reset_all()

    # --- building -----------------------------------------------------------------------------
    def reset_all(self) -> None:
        """Back to step 0: fresh target, both players, optimisers, histories and random streams."""
        cfg = self.cfg
        self.step_count = 0
        self.status, self.message = "ok", ""
        self.schedule: list = []  # a scenario's (step, action, player), in order
        self.stop_at: int | None = None  # a scenario's length: training pauses there
        self.players = PLAYERS
        self.gen = torch.Generator().manual_seed(cfg.run.seed)
        self._resets = {"G": 0, "D": 0}
        self.target = build_target(cfg.target)
        self.history = MetricHistory(TRAIN_SERIES, cfg.run.history)
        self.G = self._new_model("G")
        self.D = self._new_model("D")
        self.opt_g = self._new_optimizer("G")
        self.opt_d = self._new_optimizer("D")
        self.evaluator = Evaluator(self)
        self.spectrum = SpectrumMonitor(self)  # the game's Jacobian spectrum (core.spectrum_monitor)
        self._reset_view()
        self._snapshot()

    def _reset_view(self) -> None:
        """Fixed display samples are rebuilt on the next frame (frame builders watch the version)."""
        self._view: ViewState | None = None
        self.view_version = getattr(self, "view_version", 0) + 1

    def _new_model(self, player: str):
        return build_player(self.cfg, player, self._resets[player]).to(self.device)

    def _new_optimizer(self, player: str) -> torch.optim.Optimizer:
        oc = self.cfg.g_opt if player == "G" else self.cfg.d_opt
        return new_optimizer(oc, (self.G if player == "G" else self.D).parameters(), self.device)

    @property
    def g_params(self) -> list[torch.nn.Parameter]:
        return list(self.G.parameters())

    @property
    def d_params(self) -> list[torch.nn.Parameter]:
        return list(self.D.parameters())

    # --- commands -----------------------------------------------------------------------------
    def _set_opt(self, player: str, opt) -> None:
        if player == "G":
            self.opt_g = opt
        else:
            self.opt_d = opt
        self.last_good.optimizer_replaced(player)

    def update(self, path: str, value) -> str:
        """Change one config field while training; returns what had to happen ('live', 'rebuilt ...').

        Learning rates, betas and momentum change in place and keep the optimiser's state.
        """
        return self.edits.update_many({path: value})

    def update_many(self, changes: dict) -> str:
        """Change several fields at once (validated together, e.g. a mixture's centres and sigmas)."""
        return self.edits.update_many(changes)

    def set_lr(self, player: str, lr: float) -> None:
        """Change a learning rate live, keeping the optimiser's state."""
        self.update(("g_opt" if player == "G" else "d_opt") + ".lr", lr)

    def freeze(self, player: str, frozen: bool = True) -> None:
        self.frozen[_check_player(player)] = bool(frozen)

    def reset(self, player: str) -> None:
        """Fresh weights and optimiser state for one player; the other keeps everything."""
        _check_player(player)
        self._resets[player] += 1
        if player == "G":
            self.G = self._new_model("G")
        else:
            self.D = self._new_model("D")
        self._set_opt(player, self._new_optimizer(player))
        if self.status == "diverged":
            self.status, self.message = "ok", ""
        self._snapshot()

    # --- training -----------------------------------------------------------------------------
    def step(self, n: int = 1, players: tuple[str, ...] | None = None, until: Callable[[], bool] | None = None) -> int:
        """Run n iterations (D steps then G steps each); returns how many were kept.

        `players` limits an iteration to one side (the GUI's "step D only"); by default
        `self.players` (both, unless a scenario says otherwise). If a loss or weight becomes
        NaN/Inf, the run stops at that chunk, the last good weights are restored and `status`
        becomes 'diverged' with a message naming the step. A scenario's scheduled actions happen
        at their exact steps, and training stops at `stop_at` (fewer than n are run), or where
        `until()` says so after an iteration (core.play); the weights never depend on where.

        Trains with `run.threads` intra-op threads, then puts the process's own setting back.
        """
        if self.status == "diverged" or n <= 0:
            return 0
        with torch_threads(self.cfg.run.threads):
            return self._step(n, players, until)

    def _step(self, n: int, players: tuple[str, ...] | None, until: Callable[[], bool] | None = None) -> int:
        players = players or self.players
        every = self.cfg.run.eval_every
        if self.step_count == 0 and len(self.evaluator.history) == 0:
            self.evaluator.evaluate()  # the starting point: charts begin at step 0, however the
            # caller chunks its calls (the GUI's small chunks and one long headless call agree)
        done = 0
        while done < n and self.status == "ok":  # chunks end on evaluation steps and script steps
            chunk = min(n - done, every - self.step_count % every)
            for at in [a[0] for a in self.schedule[:1]] + ([self.stop_at] if self.stop_at is not None else []):
                if at > self.step_count:
                    chunk = min(chunk, at - self.step_count)
            if self.stop_at is not None and self.step_count >= self.stop_at:
                break
            ran = self._step_chunk(chunk, players, until)
            if ran == 0:
                break
            done += ran
            self.run_schedule()
            if until is not None and (ran < chunk or until()):
                break
        return done

    def run_schedule(self) -> None:
        """Carry out the scripted actions that are due (a scenario's freeze / unfreeze / reset)."""
        while self.schedule and self.schedule[0][0] <= self.step_count:
            _at, action, player = self.schedule.pop(0)
            if action == "reset":
                self.reset(player)
            else:
                self.freeze(player, action == "freeze")

    def clear_script(self) -> None:
        """Back to free play: no scheduled actions, no stopping point, both players train."""
        self.schedule, self.stop_at, self.players = [], None, PLAYERS

    def _step_chunk(self, n: int, players, until: Callable[[], bool] | None = None) -> int:
        # Once per chunk: all by hand, or (unrolled) D's step by hand and G's by autograd (ManualStep.ok)
        manual, manual_d = self.manual.ok(), self.manual.ok(unrolled=True)
        if not (manual or manual_d):
            return self.keep_chunk(self.rows(self._iterations(n, players, until)))
        self.manual.prepare()
        try:
            if manual and self._graph.applies(players):
                rows = self._graph.run(n)
            elif manual:
                with torch.no_grad():
                    rows = self.rows(self._iterations(n, players, until, manual=True))
            else:
                rows = self.rows(self._iterations(n, players, until, manual_d=True))
        finally:
            self.manual.ready = None  # prepared for this chunk only
        return self.keep_chunk(rows)

    def _iterations(self, n: int, players, until: Callable[[], bool] | None, **path) -> list:
        outs = [self._iteration(players, **path)]  # n >= 1; fewer than n when until() says so
        while len(outs) < n and not (until is not None and until()):
            outs.append(self._iteration(players, **path))
        return outs

    def rows(self, outs: list) -> torch.Tensor:
        """The metric rows (k, SERIES) of k iterations' outputs (see _iteration)."""
        return it.rows(self.cfg.objective.loss, *(torch.stack(x) for x in zip(*outs)))

    def keep_chunk(self, rows: torch.Tensor) -> int:
        """Book a chunk of iterations whose weights are already in place: its metric rows (n, SERIES)
        into the history, or a roll-back on NaN/Inf; the step count, evaluation and spectrum. Also
        called by core.compare_batched after it wrote a batched chunk's weights back."""
        n = len(rows)
        values = rows.cpu().numpy()  # the one host sync of the chunk
        first_bad = first_non_finite(values)
        if first_bad is None and not self.last_good.weights_finite():
            first_bad = len(values) - 1
        if first_bad is not None:
            self.last_good.restore(first_bad, values[first_bad])
            return 0  # the whole chunk is rolled back to the last good weights
        steps = self.step_count + 1 + np.arange(n)
        self.history.extend(steps, values)
        before = self.step_count
        self.step_count += n
        self._snapshot()
        every = self.cfg.run.eval_every
        if self.step_count // every > before // every:
            self.evaluator.evaluate()
            self.spectrum.after_evaluation()
        return n

    def _iteration(self, players, manual: bool = False, manual_d: bool = False) -> tuple:
        """One iteration: D's step(s), then G's, drawing samples in one order on either path.
        Returns (D's scores on real, on fake, D's grad norm) of the last D step and (D's scores on
        G's batch, G's grad norm) of the last G step, from which `rows` makes the metric row.

        `manual`: the hand-written-gradient fast path (core.manual_step) instead of autograd;
        the loop, the sample order and the row are the same, so both train the same weights.
        """
        cfg = self.cfg
        loss, n, train_d, train_g, d_steps = self._plan(players)
        forward, d_step, g_step = (
            (self.manual.g_forward, self.manual.d_step, self.manual.g_step)
            if manual
            else (self._g_forward, self._d_step, self._g_step)
        )
        if manual_d:  # an unrolled config: D's step needs no graph (core.manual_step.ManualStep.ok)
            d_step = torch.no_grad()(self.manual.d_step)
        # One G forward serves both players when G's weights cannot change in between: D's step
        # reads it detached, G's step backpropagates through it (a 1.1x saving measured here).
        share = train_g and cfg.g_opt.steps == 1 and not (cfg.objective.unrolled_steps > 0 and train_d)
        shared = None
        for i in range(d_steps):
            if share and i == d_steps - 1:
                shared = forward(n)
            d_out = d_step(n, loss, train_d, shared)
        for j in range(cfg.g_opt.steps if train_g else 1):
            g_out = g_step(n, loss, train_g, shared if j == 0 else None)
        return (*d_out, *g_out)

    def _plan(self, players) -> tuple:
        """(loss, samples per step, train D?, train G?, D steps) of one iteration for `players`."""
        cfg = self.cfg
        train_d = "D" in players and not self.frozen["D"]
        train_g = "G" in players and not self.frozen["G"]
        d_steps = cfg.d_opt.steps if train_d else 1
        return cfg.objective.loss, cfg.run.batch_size * cfg.objective.pack, train_d, train_g, d_steps

    def _g_forward(self, n: int) -> torch.Tensor:
        return self.G(self.G.sample_noise(n, self.gen, self.device))

    def _d_step(self, n: int, loss: str, update: bool, fake: torch.Tensor | None = None):
        """Draw D's samples (the sample plan's order: real, noise if not given, instance noise on
        real then fake, WGAN-GP's interpolation weights) and take D's step on them."""
        sigma = self.cfg.objective.instance_noise
        real = self.target.sample(n, self.gen).to(self.device)
        if fake is None:
            with torch.no_grad():
                fake = self.G(self.G.sample_noise(n, self.gen, self.device))
        fake = fake.detach()
        if sigma > 0:
            real = real + sigma * torch.randn(n, 2, generator=self.gen).to(self.device)
            fake = fake + sigma * torch.randn(n, 2, generator=self.gen).to(self.device)
        eps = None
        if update and self._terms().gp:
            eps = torch.rand(n // self.D.pack, 1, generator=self.gen).to(self.device)
        return self._d_update(real, fake, eps, update)

    def _terms(self, update: bool = True) -> it.Terms:
        terms = it.Terms.of(self.cfg)
        # Penalties only shape D's update; a step that does not update D does not compute them.
        return terms if update else dataclasses.replace(terms, gp=False, r1=False, r2=False)

    def _d_update(self, real: torch.Tensor, fake: torch.Tensor, eps: torch.Tensor | None, update: bool):
        """D's step on given samples (core.iteration's objective): (scores on real, on fake, grad norm)."""
        oc, terms = self.cfg.objective, self._terms(update)
        with torch.set_grad_enabled(update):
            total, (_, r, f) = it.d_objective(terms, self.D, real, fake, eps, oc.gp_weight, oc.r1, oc.r2)
        if update:
            self.opt_d.zero_grad(set_to_none=True)
            total.backward()
            d_grad = _grad_norm(self.D.parameters())
            adam_step(self.opt_d)
            if terms.clip:
                with torch.no_grad():
                    torch._foreach_clamp_min_(self.d_params, -oc.clip)
                    torch._foreach_clamp_max_(self.d_params, oc.clip)
        else:
            d_grad = torch.zeros((), device=self.device)
        return r.detach(), f.detach(), d_grad

    def _g_step(self, n: int, loss: str, update: bool, fake: torch.Tensor | None = None):
        """Draw G's samples (noise if not given, instance noise, the look-ahead's real batch) and
        take G's step on them."""
        sigma = self.cfg.objective.instance_noise
        if fake is None:
            fake = self.G(self.G.sample_noise(n, self.gen, self.device))
        if sigma > 0:
            fake = fake + sigma * torch.randn(n, 2, generator=self.gen).to(self.device)
        ahead_real = None
        if self._unrolls(update):
            ahead_real = self.target.sample(n, self.gen).to(self.device)
        return self._g_update(fake, update, ahead_real)

    def _unrolls(self, update: bool) -> bool:
        return self.cfg.objective.unrolled_steps > 0 and update and not self.frozen["D"]

    def _g_update(self, fake: torch.Tensor, update: bool, ahead_real: torch.Tensor | None = None):
        """G's step through D (or D after the look-ahead) on G's batch `fake`: (D's scores on it, grad norm)."""
        terms = self._terms(update)
        d: Callable = self.D
        if self._unrolls(update):
            params = unrolled_params(self, terms.unrolled, fake, terms.loss, ahead_real, d_fixed=True)
            d = lambda x: torch.func.functional_call(self.D, params, (x,))
        g_loss, scores = it.g_objective(terms, d, fake)
        # Gradients for G's weights only: D's weight gradients would be computed and thrown away.
        g_params = self.g_params
        for p, g in zip(g_params, torch.autograd.grad(g_loss, g_params)):
            p.grad = g
        g_grad = _grad_norm(g_params)
        if update:
            adam_step(self.opt_g)
        return scores.detach(), g_grad

    def _snapshot(self) -> None:
        """Keep the current weights and optimiser states as the roll-back point (core.last_good)."""
        self.last_good.save()

    def resume(self) -> None:
        """Clear a divergence stop (after the user changed something) so training can go on."""
        self.status, self.message = "ok", ""

    # --- views --------------------------------------------------------------------------------
    def frame(self, skip: frozenset = frozenset()):
        """Everything one picture needs, as float32 numpy arrays (see core.frames.Frame);
        `skip` names layers that will not be drawn ('surface', 'arrows', 'manifold')."""
        if self._view is None:  # the engine owns its display samples; _reset_view drops them
            self._view = ViewState(self)
        return build_frame(self, self._view, skip=skip)

    def detections(self):
        """Each failure-mode detector's verdict now (core.detectors), name -> Detection."""
        from .detectors import detect

        return detect(self)

    def metrics(self) -> dict[str, float]:
        """The latest value of every metric series."""
        out = self.history.last()
        out.update(self.evaluator.history.last())
        return out


def _check_player(player: str) -> str:
    if player not in PLAYERS:
        raise ValueError(f"player must be 'G' or 'D', got {player!r}")
    return player
