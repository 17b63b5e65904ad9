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


def mlp(n_in: int, n_out: int, depth: int, width: int, activation: str) -> nn.Sequential:
    """depth hidden layers of `width` units; depth 0 is a single linear map."""
    layers: list[nn.Module] = []
    d = n_in
    for _ in range(depth):
        layers += [nn.Linear(d, width), _ACTIVATIONS[activation]()]
        d = width
    layers.append(nn.Linear(d, n_out))
    return nn.Sequential(*layers)


def initialise(net: nn.Module, kind: str) -> None:
    """'orthogonal': orthogonal weights with gain 0.8 and zero biases (Metz et al. 2017, appendix
    A); unrolling prevents collapse on the ring from this start, not from PyTorch's default one."""
    if kind == "orthogonal":
        with torch.no_grad():
            for m in net.modules():
                if isinstance(m, nn.Linear):
                    nn.init.orthogonal_(m.weight, gain=0.8)
                    m.bias.zero_()


class Generator(nn.Module):
    """Maps noise of `noise_dim` dimensions to points in the plane."""

    def __init__(self, cfg: GeneratorConfig):
        super().__init__()
        self.noise_dim = cfg.noise_dim
        self.noise_kind = cfg.noise
        self.net = mlp(cfg.noise_dim, 2, cfg.depth, cfg.width, cfg.activation)
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
        self.net = mlp(2 * pack, 1, cfg.depth, cfg.width, cfg.activation)
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


def d_backward(D: Discriminator, cache: list, d_scores: torch.Tensor, weight_grads: bool,
               input_grad: bool = False) -> torch.Tensor | None:
    """The backward pass of d_forward: weight gradients into .grad, and/or d(loss)/d(points)."""
    dx = mg.backward(D.net, cache, d_scores[:, None], weight_grads, input_grad)
    return None if dx is None else (dx * D.input_scale).reshape(-1, 2)
