"""One dataclass tree for a whole run: target, models, objective, optimisers, run settings.

Every field carries its allowed range (or choices) and the reason for its default, so validation
messages and `ganscope config --explain` come from the same place as the defaults themselves.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from .config_values import coerce, describe_field, parse_json
from .errors import ConfigError  # noqa: F401  (raised here; defined apart for core.budget)

TARGET_KINDS = ("ring", "grid", "mixture", "spiral", "moons", "swissroll", "gaussian", "points")
ACTIVATIONS = ("relu", "leaky_relu", "tanh", "elu", "silu")
NOISE_KINDS = ("normal", "uniform")
INITS = ("default", "orthogonal", "normal-0.02")
NORMS = ("none", "batch")
LOSSES = ("minimax", "nonsaturating", "lsgan", "hinge", "wgan", "wgan-gp")
OPTIMIZERS = ("adam", "sgd", "rmsprop")
DEVICES = ("cpu", "cuda", "auto")


def opt(default: Any, why: str, lo: float | None = None, hi: float | None = None, choices: tuple | None = None):
    """A config field with its reason and allowed range; lists get a fresh copy per instance."""
    meta = {"why": why, "lo": lo, "hi": hi, "choices": choices}
    if isinstance(default, list):
        return field(
            default_factory=lambda d=default: [list(x) if isinstance(x, list) else x for x in d],  # type: ignore[misc]
            metadata=meta,
        )
    return field(default=default, metadata=meta)


@dataclass
class TargetConfig:
    kind: str = opt("ring", "the 8-Gaussian ring is the classic mode-collapse benchmark", choices=TARGET_KINDS)
    n_modes: int = opt(8, "ring: 8 modes as in VEEGAN / PacGAN / Unrolled GAN", 1, 256)
    radius: float = opt(2.0, "ring: radius 2 as in the Unrolled GAN paper", 0.01, 100.0)
    grid_size: int = opt(5, "grid: 5x5 = 25 modes as in VEEGAN / PacGAN", 1, 16)
    spacing: float = opt(2.0, "grid: modes at {-4,-2,0,2,4}^2", 0.01, 100.0)
    sigma: float = opt(0.02, "std of each mode (ring 0.02, grid 0.05 in the papers)", 1e-4, 100.0)
    centres: list = opt([[-1.0, 0.0], [1.0, 0.0]], "mixture: component centres (x, y)")
    sigmas: list = opt([0.1, 0.1], "mixture: one std per component")
    weights: list = opt([1.0, 1.0], "mixture: relative weights, normalised when sampling")
    noise: float = opt(0.05, "spiral / moons / swiss roll: std of the noise around the curve", 0.0, 10.0)
    scale: float = opt(1.0, "spiral / moons / swiss roll / gaussian: overall size", 0.01, 100.0)
    points: list = opt([], "points: a drawn or imported point set, rows of (x, y)")
    jitter: float = opt(0.02, "points: std of the Gaussian jitter added when sampling a point set", 0.0, 10.0)


@dataclass
class GeneratorConfig:
    depth: int = opt(2, "two hidden layers learn every preset target", 0, 8)
    width: int = opt(128, "128 units, as in the Unrolled GAN / PacGAN toy nets", 1, 1024)
    activation: str = opt("relu", "ReLU is the standard toy choice", choices=ACTIVATIONS)
    noise_dim: int = opt(2, "2-D noise lets the latent grid be drawn exactly", 1, 256)
    noise: str = opt("normal", "Gaussian noise, as most papers use", choices=NOISE_KINDS)
    init: str = opt(
        "default",
        "PyTorch's default; 'orthogonal' (gain 0.8, zero biases) is the "
        "Unrolled GAN paper's; 'normal-0.02' (N(0, 0.02), zero biases) PacGAN's",
        choices=INITS,
    )
    norm: str = opt(
        "none", "'batch': batch norm after each hidden layer, as the PacGAN / VEEGAN generator (4 x 400)", choices=NORMS
    )


@dataclass
class DiscriminatorConfig:
    depth: int = opt(2, "two hidden layers give a smooth but expressive surface", 0, 8)
    width: int = opt(128, "128 units, as in the Unrolled GAN / PacGAN toy nets", 1, 1024)
    activation: str = opt("relu", "ReLU is the standard toy choice", choices=ACTIVATIONS)
    input_scale: float = opt(1.0, "scale inputs (the Unrolled GAN recipe uses 1/4)", 1e-3, 1e3)
    init: str = opt(
        "default",
        "PyTorch's default; 'orthogonal' (gain 0.8, zero biases) is the "
        "Unrolled GAN paper's; 'normal-0.02' (N(0, 0.02), zero biases) PacGAN's",
        choices=INITS,
    )
    maxout: int = opt(
        1,
        "pieces per hidden unit (maxout in place of the activation); 5 is the "
        "PacGAN / VEEGAN D (3 x 200); 1 = the plain activation",
        1,
        16,
    )


@dataclass
class ObjectiveConfig:
    loss: str = opt("nonsaturating", "the loss Goodfellow et al. recommend in practice", choices=LOSSES)
    gp_weight: float = opt(0.1, "WGAN-GP lambda; 0.1 suits the 2-D toys of gan_toy.py", 0.0, 1e4)
    clip: float = opt(0.01, "WGAN weight-clipping bound from the WGAN paper", 1e-5, 10.0)
    r1: float = opt(0.0, "R1 penalty on real data (Mescheder 2018); off by default", 0.0, 1e4)
    r2: float = opt(0.0, "R2 penalty on fake data; off by default", 0.0, 1e4)
    instance_noise: float = opt(0.0, "std of noise added to D's inputs; off by default", 0.0, 10.0)
    unrolled_steps: int = opt(0, "Metz et al. unrolling; 0 = plain simultaneous game", 0, 10)
    pack: int = opt(1, "PacGAN packing degree; 1 = no packing", 1, 4)


@dataclass
class OptimizerConfig:
    kind: str = opt("adam", "Adam is what nearly every GAN uses", choices=OPTIMIZERS)
    lr: float = opt(3e-4, "learns the presets in seconds; 1e-3 already oscillates on a Gaussian", 1e-7, 10.0)
    beta1: float = opt(0.5, "0.5 as in DCGAN; lower momentum damps oscillation", 0.0, 0.9999)
    beta2: float = opt(0.999, "Adam's default", 0.0, 0.99999)
    momentum: float = opt(0.0, "SGD momentum; 0 = plain gradient descent", 0.0, 0.9999)
    steps: int = opt(1, "updates of this player per iteration", 1, 100)


@dataclass
class RunConfig:
    batch_size: int = opt(256, "large enough for stable 2-D estimates, small enough to be fast", 1, 65536)
    seed: int = opt(0, "same config + seed gives the same run", 0, 2**31 - 1)
    device: str = opt("cpu", "tiny nets run fastest on the CPU; 'auto' picks CUDA when present", choices=DEVICES)
    eval_every: int = opt(100, "expensive metrics (modes, JS, MMD) every this many iterations", 1, 1_000_000)
    eval_samples: int = opt(2500, "VEEGAN / PacGAN evaluate 2,500 generated samples", 100, 100_000)
    history: int = opt(20000, "metric points kept per series (older ones are decimated)", 100, 1_000_000)
    surface_res: int = opt(128, "128x128 surface: 18x GAN Lab's 30x30, a few ms to compute", 8, 1024)
    display_samples: int = opt(1024, "generated / real points drawn per frame", 1, 100_000)
    spectrum_every: int = opt(
        1000,
        "the game's Jacobian spectrum every this many steps (after an "
        "evaluation; a few per cent of training time); 0 = only on demand",
        0,
        1_000_000,
    )
    threads: int = opt(1, "1 torch thread: tiny matmuls gain nothing from more, and the UI thread keeps a core", 1, 256)


@dataclass
class DetectConfig:
    """Thresholds of the failure-mode detectors (core/detectors.py documents each rule)."""

    collapse_share: float = opt(0.25, "collapse: at most a quarter of the modes captured...", 0.0, 1.0)
    collapse_evals: int = opt(5, "...for this many evaluations in a row (500 steps by default)", 1, 1000)
    collapse_reach: int = opt(
        1,
        "...once G has reached the data: some evaluation so far captured at least "
        "this many modes (lesson 5's G needs ~1,000 steps to get there)",
        0,
        1_000_000,
    )
    hop_evals: int = opt(10, "hopping: look at this many recent evaluations...", 2, 1000)
    hop_changes: int = opt(3, "...and fire when the dominant mode changed this often", 1, 1000)
    osc_steps: int = opt(2000, "oscillation: the window of D's loss examined", 200, 100_000)
    osc_corr: float = opt(
        0.6,
        "oscillation: autocorrelation at the repeating lag (a settling run's "
        "damped wobble measured 0.44-0.57 here, circling players 0.77-0.97)",
        0.0,
        1.0,
    )
    osc_amp: float = opt(0.02, "oscillation: least swing of D's loss (std, loss units) that counts", 0.0, 1e6)
    vanish_drop: float = opt(100.0, "vanishing: G's gradient this many times below its peak...", 1.0, 1e12)
    vanish_acc: float = opt(0.95, "...while D is at least this accurate", 0.5, 1.0)
    chance_steps: int = opt(500, "chance: the window of D's accuracy examined", 10, 100_000)
    chance_tol: float = opt(0.05, "chance: accuracy within 50% +- this on real and on fake", 0.0, 0.5)
    stall_steps: int = opt(200, "stalled: the window of gradient norms examined", 10, 100_000)
    stall_grad: float = opt(
        1e-6,
        "stalled: a gradient norm below this every step is none (healthy runs "
        "measured 1e-2..1e2; D at lr 1 gave G exactly 0)",
        0.0,
        1e6,
    )


@dataclass
class GanConfig:
    target: TargetConfig = field(default_factory=TargetConfig)
    generator: GeneratorConfig = field(default_factory=GeneratorConfig)
    discriminator: DiscriminatorConfig = field(default_factory=DiscriminatorConfig)
    objective: ObjectiveConfig = field(default_factory=ObjectiveConfig)
    d_opt: OptimizerConfig = field(default_factory=OptimizerConfig)
    g_opt: OptimizerConfig = field(default_factory=OptimizerConfig)
    run: RunConfig = field(default_factory=RunConfig)
    detect: DetectConfig = field(default_factory=DetectConfig)

    # --- serialisation -------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {f.name: _section_to_dict(getattr(self, f.name)) for f in fields(self)}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: Any) -> GanConfig:
        """Build and validate a config; unknown keys and bad values raise ConfigError."""
        if not isinstance(data, dict):
            raise ConfigError(f"config must be a JSON object, got {type(data).__name__}")
        cfg = cls()
        known = {f.name for f in fields(cls)}
        for name, section in data.items():
            if name not in known:
                raise ConfigError(f"unknown config section '{name}' (known: {', '.join(sorted(known))})")
            if not isinstance(section, dict):
                raise ConfigError(f"config section '{name}' must be an object")
            for key, value in section.items():
                cfg.set(f"{name}.{key}", value)
        cfg.validate()
        return cfg

    @classmethod
    def from_json(cls, text: str) -> GanConfig:
        return cls.from_dict(parse_json(text, "config"))

    def copy(self) -> GanConfig:
        return GanConfig.from_dict(self.to_dict())

    # --- editing ------------------------------------------------------------------------------
    def set(self, path: str, value: Any) -> None:
        """Set `section.field` to value (strings are parsed, e.g. from `--set`), checking it."""
        section, fdef = self._lookup(path)
        setattr(section, fdef.name, coerce(path, fdef, value))

    def get(self, path: str) -> Any:
        section, fdef = self._lookup(path)
        return getattr(section, fdef.name)

    def _lookup(self, path: str):
        parts = path.split(".")
        if len(parts) != 2:
            raise ConfigError(f"'{path}': expected section.field, e.g. d_opt.lr")
        sec_name, key = parts
        if sec_name not in {f.name for f in fields(self)}:
            raise ConfigError(
                f"'{path}': unknown section '{sec_name}' (known: {', '.join(f.name for f in fields(self))})"
            )
        section = getattr(self, sec_name)
        for fdef in fields(section):
            if fdef.name == key:
                return section, fdef
        raise ConfigError(f"'{path}': unknown field '{key}' (known: {', '.join(f.name for f in fields(section))})")

    def validate(self) -> None:
        """Cross-field checks that single-field ranges cannot express."""
        for f in fields(self):
            section = getattr(self, f.name)
            for fdef in fields(section):
                coerce(f"{f.name}.{fdef.name}", fdef, getattr(section, fdef.name))
        t = self.target
        if t.kind == "mixture":
            n = len(t.centres)
            if n == 0:
                raise ConfigError("target.centres: a mixture needs at least one component")
            if len(t.sigmas) != n or len(t.weights) != n:
                raise ConfigError(
                    f"target.sigmas / target.weights: need one per centre ({n}), got "
                    f"{len(t.sigmas)} and {len(t.weights)}"
                )
            if sum(t.weights) <= 0:
                raise ConfigError("target.weights: at least one weight must be > 0")
        if t.kind == "points" and len(t.points) == 0:
            raise ConfigError(
                "target.points: a point-set target needs at least one point (draw some or import a CSV/NPY file)"
            )
        # Refuse sizes that would exhaust memory or never finish an iteration, before anything
        # is allocated: one estimate from every size (core/budget.py).
        from .budget import check_budget

        check_budget(self)


def _section_to_dict(section) -> dict:
    return {f.name: getattr(section, f.name) for f in fields(section)}


def describe_defaults() -> list[tuple[str, Any, str, str]]:
    """(path, default, allowed, why) for every field: what `ganscope config --explain` prints."""
    rows = []
    cfg = GanConfig()
    for f in fields(cfg):
        section = getattr(cfg, f.name)
        assert is_dataclass(section)
        for fdef in fields(section):
            default = getattr(section, fdef.name)
            rows.append((f"{f.name}.{fdef.name}", default, describe_field(fdef), fdef.metadata["why"]))
    return rows
