"""The fast path's pieces against their references: thin products against a plain product, gradients
written into prepared buffers against autograd, a step function prepared once for a chunk against
torch.optim's steps, the chunk's metric rows against per-iteration ones, the look-ahead's direct
D against functional_call, and an engine whose path changes between chunks against one that
never changes."""

import io

import pytest
import torch

from ganscope.core import iteration as it
from ganscope.core import manual_grad as mg
from ganscope.core import objectives as obj
from ganscope.core.config import LOSSES
from ganscope.core.engine import GanEngine
from ganscope.core.manual_step import flat_grads
from ganscope.core.models import Discriminator, mlp
from ganscope.core.optim_step import prepared_step
from ganscope.core.unrolling import d_with


@pytest.mark.parametrize("cols", [1, 2, 3, 4, 8, 9])
@pytest.mark.parametrize("transposed", [False, True])
def test_thin_products_equal_the_plain_product(cols, transposed):
    torch.manual_seed(0)
    a = torch.randn(40, 300, dtype=torch.float64).t() if transposed else torch.randn(300, 40, dtype=torch.float64)
    b = torch.randn(a.shape[1], cols, dtype=torch.float64)
    out = mg.mm(a, b)
    assert out.shape == (a.shape[0], cols)
    torch.testing.assert_close(out, a @ b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("inputs", [2, 4, 16])
def test_gradients_into_prepared_buffers_match_autograd(inputs):
    torch.manual_seed(1)
    net = mlp(inputs, 2, depth=2, width=16, activation="leaky_relu").double()
    x, dy = torch.randn(50, inputs, dtype=torch.float64), torch.randn(50, 2, dtype=torch.float64)
    ref = torch.autograd.grad(net(x), list(net.parameters()), dy)
    params = list(net.parameters())
    flat, views = flat_grads(params, None, [])
    layers = mg.prepare(net, grads=True)
    for _ in range(2):  # the buffers are overwritten, not accumulated
        with torch.no_grad():
            _, cache = mg.forward(layers, x)
            mg.backward(layers, cache, dy, weight_grads=True, input_grad=False)
        for p, g in zip(params, ref):
            assert p.grad is not None and p.grad.data_ptr() >= flat.data_ptr()  # still a view of the buffer
            torch.testing.assert_close(p.grad, g, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(
        torch.linalg.vector_norm(flat), torch.linalg.vector_norm(torch.cat([g.flatten() for g in ref]))
    )
    assert flat_grads(params, flat, views)[0] is flat  # kept while every .grad is its view
    params[0].grad = None
    assert flat_grads(params, flat, views)[0] is not flat


@pytest.mark.parametrize(
    "kind, kwargs",
    [
        ("adam", {"lr": 1e-2, "betas": (0.5, 0.9), "fused": True}),
        ("sgd", {"lr": 1e-2}),
        ("sgd", {"lr": 1e-2, "momentum": 0.5}),
        ("rmsprop", {"lr": 1e-3}),
        ("rmsprop", {"lr": 1e-3, "momentum": 0.5}),
    ],
)
def test_a_step_prepared_once_for_a_chunk_equals_torch_optim(kind, kwargs):
    """As the engine uses it: prepared at a chunk's start, called every iteration with the
    gradients written in place; torch.optim's own step on a copy is the reference (bit-identical)."""
    cls = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD, "rmsprop": torch.optim.RMSprop}[kind]
    torch.manual_seed(2)
    nets = [mlp(2, 1, 1, 8, "relu") for _ in range(2)]
    nets[1].load_state_dict(nets[0].state_dict())
    opts = [cls(n.parameters(), **kwargs) for n in nets]
    for n in nets:
        flat_grads(list(n.parameters()), None, [])
    for chunk in range(3):
        step = prepared_step(opts[1])
        for _ in range(3):
            grads = [torch.randn_like(p) for p in nets[0].parameters()]
            for n in nets:
                for p, g in zip(n.parameters(), grads):
                    p.grad.copy_(g)  # type: ignore[union-attr]
            opts[0].step()
            step()
        for o in opts:
            o.param_groups[0]["lr"] *= 0.3  # a live change between chunks is honoured
        if chunk == 0:  # a state saved and loaded between chunks, as a session does (Adam's step counts)
            buf = io.BytesIO()
            torch.save(opts[1].state_dict(), buf)
            opts[1].load_state_dict(torch.load(io.BytesIO(buf.getvalue()), weights_only=True))
    for a, b in zip(nets[0].parameters(), nets[1].parameters()):
        assert torch.equal(a, b)
    for a, b in zip(nets[0].parameters(), nets[1].parameters()):
        assert opts[0].state[a].keys() == opts[1].state[b].keys()
        for key, value in opts[0].state[a].items():
            assert torch.equal(value, opts[1].state[b][key]), key


@pytest.mark.parametrize("loss", LOSSES)
def test_a_chunks_rows_equal_each_iterations_row(loss):
    torch.manual_seed(3)
    r, f, fg = torch.randn(3, 64), torch.randn(3, 64), torch.randn(3, 64)
    d_grad, g_grad = torch.rand(3), torch.rand(3)
    rows = it.rows(loss, r, f, d_grad, fg, g_grad)
    terms = it.Terms(loss=loss)
    for k in range(3):
        d_out = (obj.d_loss(loss, r[k], f[k]), r[k], f[k])
        expected = it.row(terms, d_out, d_grad[k], obj.g_loss(loss, fg[k]), g_grad[k])
        torch.testing.assert_close(rows[k], expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("activation, pack", [("relu", 1), ("leaky_relu", 2), ("tanh", 1)])
def test_the_lookaheads_direct_d_equals_functional_call_with_second_derivatives(small_cfg, activation, pack):
    small_cfg.set("discriminator.activation", activation)
    small_cfg.set("discriminator.input_scale", 0.5)
    D = Discriminator(small_cfg.discriminator, pack).double()
    names = [n for n, _ in D.named_parameters()]
    params = [p.detach().clone().requires_grad_(True) for p in D.parameters()]
    x = torch.randn(12, 2, dtype=torch.float64, requires_grad=True)
    ref = torch.func.functional_call(D, dict(zip(names, params)), (x,))
    out = d_with(D, names, params)(x)
    torch.testing.assert_close(out, ref, rtol=1e-12, atol=1e-12)
    # the look-ahead differentiates D's gradient again: second derivatives must agree too
    g_ref = torch.autograd.grad(ref.square().sum(), params, create_graph=True)
    g_out = torch.autograd.grad(out.square().sum(), params, create_graph=True)
    (h_ref,) = torch.autograd.grad(sum(g.sum() for g in g_ref), x)
    (h_out,) = torch.autograd.grad(sum(g.sum() for g in g_out), x)
    torch.testing.assert_close(h_out, h_ref, rtol=1e-10, atol=1e-12)


def test_switching_paths_between_chunks_trains_as_autograd_alone(small_cfg):
    """Hand-written and autograd chunks in turn (their gradient buffers rebuilt each time) train
    the same weights as autograd throughout (float32, rtol 1e-4 / atol 1e-5 after 12 iterations)."""
    mixed, ref = GanEngine(small_cfg), GanEngine(small_cfg)
    ref.manual_grad = False
    for chunk in range(4):
        mixed.manual_grad = chunk % 2 == 0
        mixed.step(3)
        ref.step(3)
    for a, b in zip([*mixed.G.parameters(), *mixed.D.parameters()], [*ref.G.parameters(), *ref.D.parameters()]):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
    ha, hb = mixed.history.as_arrays(), ref.history.as_arrays()
    for name in it.SERIES:
        torch.testing.assert_close(torch.tensor(ha[name]), torch.tensor(hb[name]), rtol=1e-4, atol=1e-5)
