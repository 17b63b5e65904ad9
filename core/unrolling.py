"""Unrolled GAN (Metz et al. 2017): the generator plays against D as it will be k updates later.

The k look-ahead updates are differentiable (create_graph=True), so G's gradient includes how D
would react, which is what discourages mode collapse. They follow D's own optimiser rule (Adam,
RMSProp or SGD, with momentum; core.optim_rules, checked against torch.optim) starting from its
current state, as in the paper's implementation; D itself is not changed by the look-ahead. As in
that implementation, every look-ahead step uses the same real batch and G's own batch for this
step: G's samples then pass through G once, not k + 1 times (1.6x the iterations per second at
k = 5 on the lesson-5 networks, measured here). For a D of Linear and ReLU / LeakyReLU layers,
each step's D gradient is written by hand (core.lookahead_grad) and D's parameters are updated
as one flat vector: 1.2-1.6x the iterations per second at k = 5 (docs/benchmarks.md, stop 22),
and 1.13-1.2x more with the output layer's rank-1 form and the thin products' layouts there
(docs/benchmarks.md, "the look-ahead's products")."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ganscope.core import optim_rules

from . import lookahead_grad as lg
from . import manual_grad as mg
from . import objectives as obj


def lookahead(kind: str, hp: tuple, k: int, params: list, state: dict, d_grad, transposed: tuple = ()) -> list:
    """D's parameters after k differentiable updates of rule `kind` from `state` (pure).

    hp: (lr, beta1, beta2, momentum), floats or a sweep member's 0-d tensors. d_grad(params)
    gives D's loss gradient keeping the graph (hand-written, `manual_d_grad`, or
    torch.autograd.grad with create_graph in the engine; torch.func.grad in the ensemble).

    The rule updates D's parameters as one flat vector: every op of a step is recorded for G's
    backward, and one update of the concatenation (the same values, element by element) records
    ~12 ops a step instead of ~12 per parameter tensor. `transposed`: the indices of 2-d
    parameters kept transposed in that vector (the rule is elementwise, so only the layout
    changes); d_grad then sees them as column-major views (see `manual_d_grad` for why)."""
    sizes, shapes = [p.numel() for p in params], [p.shape for p in params]
    flips = [i in transposed for i in range(len(params))]
    flat = _flat(params, flips)
    flat_state = {key: _flat_state(value, flips) for key, value in state.items()}
    for _ in range(k):
        grad = _flat(d_grad(_unflat(flat, sizes, shapes, flips)), flips)
        (flat,), flat_state = optim_rules.step(kind, [flat], [grad], flat_state, *hp, differentiable=True)
    return _unflat(flat, sizes, shapes, flips)


def _flat(tensors, flips=None) -> torch.Tensor:
    tensors = list(tensors)
    flips = flips or [False] * len(tensors)
    return torch.cat([(t.t() if flip else t).reshape(-1) for t, flip in zip(tensors, flips)])


def _unflat(flat: torch.Tensor, sizes: list[int], shapes: list, flips: list) -> list[torch.Tensor]:
    parts = torch.split(flat, sizes)
    return [part.view(shape[::-1]).t() if flip else part.view(shape) for part, shape, flip in zip(parts, shapes, flips)]


def _flat_state(value, flips):
    """One state entry for the flat vector: a list of per-parameter tensors concatenated (SGD's
    momentum buffers are all None before its first step with momentum, and stay [None])."""
    if not isinstance(value, list):
        return value
    if all(v is None for v in value):
        return [None]
    return [_flat(value, flips)]


def d_with(D, names: list[str], params: list):
    """x -> D(x) computed with `params` (named `names`) in place of D's own, differentiably.

    For an MLP of Linear layers and elementwise activations (the models' usual D) it is the layers
    applied directly: torch.func.functional_call swaps every parameter in and out of the module on
    each call, which cost ~12% of an unrolled iteration here (5 look-ahead steps make 11 calls).
    Anything else goes through functional_call."""
    linears = [m for m in D.net if isinstance(m, nn.Linear)]
    expected = [
        f"net.{i}.{kind}" for i, m in enumerate(D.net) if isinstance(m, nn.Linear) for kind in ("weight", "bias")
    ]
    if not mg.supports(D.net) or names != expected or len(params) != 2 * len(linears):
        return lambda x: torch.func.functional_call(D, dict(zip(names, params)), (x,))
    weights, biases = params[0::2], params[1::2]

    def d(x: torch.Tensor) -> torch.Tensor:
        h, k = x.reshape(-1, 2 * D.pack) * D.input_scale, 0  # as Discriminator.forward
        for layer in D.net:
            if isinstance(layer, nn.Linear):
                h = F.linear(h, weights[k], biases[k])
                k += 1
            else:
                h = layer(h)
        return h.squeeze(-1)

    return d


def unrolled_params(
    engine, k: int, fake: torch.Tensor, loss: str, real: torch.Tensor | None = None, d_fixed: bool = False
) -> dict[str, torch.Tensor]:
    """D's parameters after k differentiable updates against G's batch `fake` (still attached to
    G's graph) and one real batch (drawn here unless given; a dict for functional_call).

    d_fixed: the caller differentiates in G's weights only (the engine's G step), so D's current
    weights are constants of the look-ahead; the game's Jacobian (core.game_spectrum) needs the
    derivatives in D's weights too and leaves it False."""
    D, oc = engine.D, engine.cfg.d_opt
    names = [name for name, _ in D.named_parameters()]
    params = [p for _, p in D.named_parameters()]
    state = optim_rules.state_from_torch(oc.kind, engine.opt_d, params)
    if real is None:
        real = engine.target.sample(len(fake), engine.gen).to(engine.device)

    d_grad = manual_d_grad(D, names, loss, real, fake)
    transposed: tuple = ()
    if d_grad is not None:
        if d_fixed:
            params = [p.detach() for p in params]
        # D's first weight (width x 2-8 inputs) kept transposed: the hand-written pass then hands
        # autograd products whose derivatives are thin products in the layout MKL runs fast (~12 us,
        # against ~80 us for the (width x rows) @ (rows x 2) one it picks for a column-major operand)
        transposed = (0,) if params[0].dim() == 2 else ()
    else:

        def d_grad(current):
            d = d_with(D, names, current)
            return torch.autograd.grad(obj.d_loss(loss, d(real), d(fake)), current, create_graph=True)

    hp = (oc.lr, oc.beta1, oc.beta2, oc.momentum)
    return dict(zip(names, lookahead(oc.kind, hp, k, params, state, d_grad, transposed)))


def manual_d_grad(D, names: list[str], loss: str, real: torch.Tensor, fake: torch.Tensor):
    """params -> D's loss gradient on (real, fake) at `params`, written by hand
    (core.lookahead_grad); None unless D is an MLP of Linear and ReLU / LeakyReLU layers in turn
    (then use autograd).

    Why: the look-ahead differentiates D's gradient once more for G's step. Through autograd
    (create_graph) every backward node of D's pass is itself recorded and then differentiated
    (AddmmBackward, threshold_backward with the zeros for its second input, ...): ~2/3 of an
    unrolled iteration was that bookkeeping, not arithmetic. Written by hand, D's gradient is a
    few products and masks, which autograd differentiates like any forward pass.
    Exact: a piecewise-linear activation's slope is constant almost everywhere, so its mask is a
    constant (detached), as autograd's own double backward of it is zero.
    Real and fake rows go through D as one batch; the first layer's thin weight gradient (2-8
    columns) is computed transposed, as manual_grad.mm does, from the input's transpose with a row
    of ones below it (the bias gradient in the same product), made once."""
    expected = [
        f"net.{i}.{kind}" for i, m in enumerate(D.net) if isinstance(m, nn.Linear) for kind in ("weight", "bias")
    ]
    piecewise = all(isinstance(m, (nn.Linear, nn.ReLU, nn.LeakyReLU)) for m in D.net)
    if not piecewise or names != expected or not lg.alternating(D.net):
        return None
    cols = 2 * D.pack
    x = torch.cat([real.reshape(-1, cols), fake.reshape(-1, cols)]) * D.input_scale
    x_t = torch.cat([x.t(), x.new_ones(1, len(x))])  # the first layer's gradients' operand, made once
    m = len(real) // D.pack  # rows of real samples

    def part(current: list, rows: slice, m_real: int) -> list:
        scores, cache = lg.forward(D.net, current, x[rows])
        return lg.backward(D.net, current, x_t[:, rows], lg.output_grad(loss, scores, m_real), cache)

    def d_grad(current: list[torch.Tensor]) -> list[torch.Tensor]:
        if any(c.requires_grad for c in current):
            return part(current, slice(None), m)
        # D's own weights, held fixed by the caller (the engine's first step): the real rows' part
        # of the gradient is then a constant, and only the fake rows' part is recorded for G.
        with torch.no_grad():
            real_part = part(current, slice(None, m), m)
        return [a + b for a, b in zip(real_part, part(current, slice(m, None), 0))]

    return d_grad
