"""The batched hand-written passes (core.batched_manual) on members stacked along a leading axis:
each stacked function gives every member what the one-run function gives it (float64, 1e-12).
Whole iterations against the engine's autograd step: tests/test_ensemble.py."""

import pytest
import torch

from ganscope.core import iteration as it
from ganscope.core import manual_grad as mg
from ganscope.core import manual_penalty as mp
from tests.test_manual_penalty import WEIGHTS, discriminator

M = 3


@pytest.mark.parametrize("shape", [(300, 40, 1), (300, 40, 2), (300, 40, 8), (300, 40, 9), (300, 1, 40), (2, 300, 40)])
@pytest.mark.parametrize("transposed", [False, True])
def test_stacked_products_equal_each_members_product(shape, transposed):
    """Thin results (transposed inside), outer products (K = 1) and plain ones, on views too."""
    torch.manual_seed(0)
    n, k, cols = shape
    a = torch.randn(M, k, n, dtype=torch.float64).mT if transposed else torch.randn(M, n, k, dtype=torch.float64)
    b = torch.randn(M, k, cols, dtype=torch.float64)
    out = mg.mm(a, b)
    assert out.shape == (M, n, cols)
    for m in range(M):
        torch.testing.assert_close(out[m], a[m] @ b[m], rtol=1e-12, atol=1e-12)


def stacked(D_members):
    """The members' Linear weights and biases stacked: [w0, b0, w1, b1, ...], each (M, ...)."""
    per = [
        [t.detach() for layer in D.net if isinstance(layer, torch.nn.Linear) for t in (layer.weight, layer.bias)]
        for D in D_members
    ]
    return [torch.stack(ts) for ts in zip(*per)]


@pytest.mark.parametrize("activation", ["relu", "leaky_relu"])
def test_stacked_passes_give_each_member_its_own_gradients(activation):
    """manual_grad.forward / backward over stacked layers: scores, weight gradients and input
    gradients per member, as the one-run passes compute them."""
    torch.manual_seed(1)
    Ds = [discriminator(activation, 2, 1) for _ in range(M)]
    params = stacked(Ds)
    grads = [torch.zeros_like(p) for p in params]
    layers, k = [], 0
    for layer in Ds[0].net:
        if isinstance(layer, torch.nn.Linear):
            layers.append(mg.Layer(layer, params[k], params[k + 1], params[k].mT, grads[k], grads[k + 1]))
            k += 2
        else:
            layers.append(mg.Layer(layer))
    x = torch.randn(M, 40, 2, dtype=torch.float64)
    dy = torch.randn(M, 40, 1, dtype=torch.float64)
    out, cache = mg.forward(layers, x)
    dx = mg.backward(layers, cache, dy, weight_grads=True, input_grad=True)
    for m, D in enumerate(Ds):
        D.zero_grad(set_to_none=True)
        out_m, cache_m = mg.forward(D.net, x[m])
        dx_m = mg.backward(D.net, cache_m, dy[m], weight_grads=True, input_grad=True)
        torch.testing.assert_close(out[m], out_m, rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(dx[m], dx_m, rtol=1e-12, atol=1e-12)
        for g, p in zip(grads, D.parameters()):
            torch.testing.assert_close(g[m], p.grad, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("pack", [1, 2])
@pytest.mark.parametrize("depth", [0, 1, 2, 3])
@pytest.mark.parametrize("penalty", [{"gp": True, "r1": True}, {"r2": True}])
def test_stacked_penalty_gradients_equal_each_members(penalty, depth, pack):
    """manual_penalty.d_penalty_grads on stacked members (each with its own penalty weights, masks
    from the stacked forward's cache as the sweep passes them) against the one-run function."""
    torch.manual_seed(depth * 10 + pack)
    Ds = [discriminator("relu", depth, pack) for _ in range(M)]
    params = stacked(Ds)
    n = 12 * pack
    real, fake = torch.randn(M, n, 2, dtype=torch.float64), torch.randn(M, n, 2, dtype=torch.float64) * 2
    eps = torch.rand(M, n // pack, 1, dtype=torch.float64)
    weights = {k: torch.tensor([v, 2 * v, 0.0], dtype=torch.float64).view(M, 1, 1) for k, v in WEIGHTS.items()}
    terms = it.Terms("wgan-gp", pack, **penalty)
    D0 = Ds[0]
    x = torch.cat([real, fake], 1).reshape(M, -1, 2 * pack) * D0.input_scale
    layers, k = [], 0
    for layer in D0.net:
        if isinstance(layer, torch.nn.Linear):
            layers.append(mg.Layer(layer, params[k], params[k + 1], params[k].mT))
            k += 2
        else:
            layers.append(mg.Layer(layer))
    _, cache = mg.forward(layers, x)
    out = mp.d_penalty_grads(
        D0.net, params, pack, D0.input_scale, terms, real, fake, eps, *weights.values(), cache=cache
    )
    for m, D in enumerate(Ds):
        own = [t for layer in D.net if isinstance(layer, torch.nn.Linear) for t in (layer.weight, layer.bias)]
        with torch.no_grad():
            expected = mp.d_penalty_grads(
                D.net,
                own,
                pack,
                D.input_scale,
                terms,
                real[m],
                fake[m],
                eps[m],
                *(float(w[m]) for w in weights.values()),
            )
        assert len(out) == len(expected)
        for a, b in zip(out, expected):
            torch.testing.assert_close(a[m], b, rtol=1e-12, atol=1e-12)
