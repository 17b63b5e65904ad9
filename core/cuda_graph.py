"""On a GPU, one training iteration recorded once as a CUDA graph and replayed with fresh samples.

Why: a step of these small models is ~150 tiny kernels; launching them one by one from Python
leaves the GPU idle most of the time (a plain loop runs ~250 it/s on an H200). Replaying a recorded
graph launches them all at once. The graph reads its samples from fixed input tensors, so each
replay copies the next iteration's samples in first; samples for a whole chunk are drawn in one go.

It applies when the hand-written gradient path does (core.manual_grad) without penalties, both players train one
step each per iteration with Adam, and nothing is frozen; otherwise the engine runs eagerly. Any
change to the config, a model or an optimiser's state tensors records the graph again.
"""

from __future__ import annotations

import torch

from . import manual_grad as mg

WARMUP = 3  # eager iterations on a side stream before recording, as CUDA graphs require


class GraphStep:
    """Runs chunks of iterations through a recorded graph for one GanEngine."""

    def __init__(self, engine):
        self.engine = engine
        self.key = None
        self.graph: torch.cuda.CUDAGraph | None = None
        self.captures = 0  # how many times a graph was recorded (tests and benchmarks read it)

    def applies(self, players) -> bool:
        e, cfg = self.engine, self.engine.cfg
        return (
            e.device.type == "cuda"
            and e.use_cuda_graph
            and e.manual.ok()
            and not e.manual.penalised()  # the recorded body draws no WGAN-GP weights; penalties run eagerly
            and cfg.d_opt.steps == 1
            and cfg.g_opt.steps == 1
            and set(players) == {"G", "D"}
            and not any(e.frozen.values())
            and cfg.d_opt.kind == "adam"
            and cfg.g_opt.kind == "adam"
        )

    def run(self, n_iter: int) -> torch.Tensor:
        """Train n_iter iterations; returns their metric rows (n_iter, len(TRAIN_SERIES)) on the GPU."""
        e = self.engine
        outs = []
        start = 0
        if self._key() != self.key:
            warm = min(WARMUP, n_iter)
            side = torch.cuda.Stream()
            side.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(side), torch.no_grad():
                outs += [self.flat(e._iteration(("D", "G"), manual=True)) for _ in range(warm)]
            torch.cuda.current_stream().wait_stream(side)
            start = warm
            if start < n_iter:
                self._capture()
        if start < n_iter:
            inputs = self._draw(n_iter - start)
            out = torch.empty(n_iter - start, self.out.numel(), device=e.device)
            for i in range(n_iter - start):
                for static, drawn in zip(self.static, inputs):
                    static.copy_(drawn[i], non_blocking=True)
                self.graph.replay()  # type: ignore[union-attr]  # captured just above
                out[i].copy_(self.out)
            outs += list(out)
        return self.rows(torch.stack(outs))

    @staticmethod
    def flat(out: tuple) -> torch.Tensor:
        """An iteration's outputs (r, f, d_grad, fg, g_grad; see GanEngine._iteration) as one vector."""
        r, f, d_grad, fg, g_grad = out
        return torch.cat([r, f, fg, d_grad[None], g_grad[None]])

    def rows(self, flat: torch.Tensor) -> torch.Tensor:
        """The metric rows of k iterations' `flat` vectors (k, 3 n + 2)."""
        n = (flat.shape[1] - 2) // 3
        r, f, fg, d_grad, g_grad = flat.split([n, n, n, 1, 1], 1)
        return self.engine.rows(list(zip(r, f, d_grad[:, 0], fg, g_grad[:, 0])))

    def _key(self):
        """Everything the recorded graph bakes in; when it changes, record again."""
        e = self.engine
        states = tuple(id(t) for opt in (e.opt_d, e.opt_g) for st in opt.state.values() for t in st.values())
        return (e.cfg.to_json(), id(e.G), id(e.D), id(e.opt_d), id(e.opt_g), states)

    def _draw(self, k: int) -> list[torch.Tensor]:
        """Samples for k iterations at once: real points, noise, and instance noise if used."""
        e, cfg = self.engine, self.engine.cfg
        n = cfg.run.batch_size * cfg.objective.pack
        real = e.target.sample(k * n, e.gen).reshape(k, n, 2).to(e.device, non_blocking=True)
        z = e.G.sample_noise(k * n, e.gen, e.device).reshape(k, n, -1)
        drawn = [real, z]
        if cfg.objective.instance_noise > 0:
            drawn.append(torch.randn(k, 3, n, 2, generator=e.gen).to(e.device, non_blocking=True))
        return drawn

    def _capture(self) -> None:
        drawn = self._draw(1)
        self.static = [d[0].clone() for d in drawn]
        self.graph = torch.cuda.CUDAGraph()
        with torch.no_grad(), torch.cuda.graph(self.graph):
            self.out = self._body()
        self.key = self._key()
        self.captures += 1

    def _body(self) -> torch.Tensor:
        """One iteration on the static inputs, the same arithmetic as GanEngine's manual iteration;
        returns its outputs as `flat` makes them (the metric rows are made after the replays)."""
        e, cfg = self.engine, self.engine.cfg
        loss, sigma = cfg.objective.loss, cfg.objective.instance_noise
        real, z = self.static[0], self.static[1]
        fake, g_cache = mg.forward(e.manual.ready.g_layers, z)  # prepared by the chunk
        fake_d, fake_g = fake, fake
        if sigma > 0:
            noise = self.static[2]
            real, fake_d, fake_g = real + sigma * noise[0], fake + sigma * noise[1], fake + sigma * noise[2]
        return self.flat(
            (*e.manual.d_update(real, fake_d, loss, True), *e.manual.g_update(fake_g, g_cache, loss, True))
        )
