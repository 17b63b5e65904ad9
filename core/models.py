"""Small MLPs for the two players."""

from __future__ import annotations

import torch
from torch import nn

from . import manual_grad as mg
from .config import DiscriminatorConfig, GanConfig, GeneratorConfig

_ACTIVATIONS = {
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(0.2),
    "tanh": nn.Tanh,
    "elu": nn.ELU,
    "silu": nn.SiLU,
}


class Maxout(nn.Module):
    """max over `pieces` consecutive outputs of the linear layer before it (Goodfellow et al. 2013)."""

    def __init__(self, pieces: int):
        super().__init__()
        self.pieces = pieces

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.unflatten(-1, (-1, self.pieces)).amax(-1)


def mlp(
    n_in: int, n_out: int, depth: int, width: int, activation: str, norm: str = "none", maxout: int = 1
) -> nn.Sequential:
    """depth hidden layers of `width` units; depth 0 is a single linear map. `norm='batch'` puts
    batch norm between each hidden linear layer and its activation; `maxout` > 1 makes each hidden
    unit the max of that many linear pieces instead (no activation)."""
    layers: list[nn.Module] = []
    d = n_in
    for _ in range(depth):
        if maxout > 1:
            layers += [nn.Linear(d, width * maxout), Maxout(maxout)]
        else:
            layers.append(nn.Linear(d, width))
            if norm == "batch":
                layers.append(nn.BatchNorm1d(width))
            layers.append(_ACTIVATIONS[activation]())
        d = width
    layers.append(nn.Linear(d, n_out))
    return nn.Sequential(*layers)


def initialise(net: nn.Module, kind: str) -> None:
    """'orthogonal': orthogonal weights with gain 0.8 and zero biases (Metz et al. 2017, appendix
    A); unrolling prevents collapse on the ring from this start, not from PyTorch's default one.
    'normal-0.02': weights N(0, 0.02), zero biases, as the PacGAN / VEEGAN synthetic-data code."""
    if kind in ("orthogonal", "normal-0.02"):
        with torch.no_grad():
            for m in net.modules():
                if isinstance(m, nn.Linear):
                    if kind == "orthogonal":
                        nn.init.orthogonal_(m.weight, gain=0.8)
                    else:
                        nn.init.normal_(m.weight, 0.0, 0.02)
                    m.bias.zero_()


class Generator(nn.Module):
    """Maps noise of `noise_dim` dimensions to points in the plane."""

    def __init__(self, cfg: GeneratorConfig):
        super().__init__()
        self.noise_dim = cfg.noise_dim
        self.noise_kind = cfg.noise
        self.net = mlp(cfg.noise_dim, 2, cfg.depth, cfg.width, cfg.activation, norm=cfg.norm)
        initialise(self.net, cfg.init)

    def sample_noise(self, n: int, gen: torch.Generator, device) -> torch.Tensor:
        if self.noise_kind == "uniform":
            z = torch.rand(n, self.noise_dim, generator=gen) * 2 - 1
        else:
            z = torch.randn(n, self.noise_dim, generator=gen)
        return z.to(device, non_blocking=True)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


class Discriminator(nn.Module):
    """Scores `pack` points at once (PacGAN); one raw output (a logit or a critic score)."""

    def __init__(self, cfg: DiscriminatorConfig, pack: int = 1):
        super().__init__()
        self.pack = pack
        self.input_scale = cfg.input_scale
        self.net = mlp(2 * pack, 1, cfg.depth, cfg.width, cfg.activation, maxout=cfg.maxout)
        initialise(self.net, cfg.init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (n * pack, 2) points -> (n,) scores; consecutive rows form one pack."""
        x = x.reshape(-1, 2 * self.pack) * self.input_scale
        return self.net(x).squeeze(-1)


def build_player(cfg: GanConfig, player: str, resets: int = 0) -> Generator | Discriminator:
    """G or D initialised from (seed, player, reset count), without touching torch's global RNG."""
    seed = cfg.run.seed * 1000 + resets * 2 + (player == "D")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        if player == "G":
            return Generator(cfg.generator)
        return Discriminator(cfg.discriminator, cfg.objective.pack)


def d_forward(D: Discriminator, x: torch.Tensor) -> tuple[torch.Tensor, list]:
    """D(x) as Discriminator.forward computes it (packs, input scale), keeping manual_grad's cache."""
    out, cache = mg.forward(D.net, x.reshape(-1, 2 * D.pack) * D.input_scale)
    return out.squeeze(-1), cache


def d_backward(
    D: Discriminator, cache: list, d_scores: torch.Tensor, weight_grads: bool, input_grad: bool = False
) -> torch.Tensor | None:
    """The backward pass of d_forward: weight gradients into .grad, and/or d(loss)/d(points)."""
    dx = mg.backward(D.net, cache, d_scores[:, None], weight_grads, input_grad)
    return None if dx is None else (dx * D.input_scale).reshape(-1, 2)
