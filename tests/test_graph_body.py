"""The CUDA graph's recorded body (core.cuda_graph.GraphStep._body) run eagerly on the CPU, against
the engine's reference step fed the same samples. The replay itself needs a GPU and is checked by
benchmarks/gpu_check.py; this checks the arithmetic it records. Tolerance: float32, rtol 1e-4 /
atol 1e-5 after 4 iterations (hand-written and autograd gradients sum in different orders)."""

import pytest
import torch

from ganscope.core.cuda_graph import GraphStep
from ganscope.core.engine import GanEngine


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"objective.loss": "hinge", "objective.instance_noise": 0.1},
        {"objective.loss": "wgan", "objective.pack": 2},
        {"objective.loss": "lsgan", "discriminator.activation": "leaky_relu"},
    ],
)
def test_graph_body_matches_the_reference_step(small_cfg, changes):
    for k, v in changes.items():
        small_cfg.set(k, v)
    graph, ref = GanEngine(small_cfg), GanEngine(small_cfg)
    body = GraphStep(graph)
    sigma = small_cfg.objective.instance_noise
    for _ in range(4):
        body.static = [d[0] for d in body._draw(1)]
        graph.manual.prepare()
        with torch.no_grad():
            row = body.rows(body._body()[None])[0]
        real, z = body.static[0], body.static[1]
        fake = ref.G(z)
        fake_d, fake_g = fake.detach(), fake
        if sigma > 0:
            noise = body.static[2]
            real, fake_d, fake_g = real + sigma * noise[0], fake_d + sigma * noise[1], fake + sigma * noise[2]
        expected = ref.rows([(*ref._d_update(real, fake_d, None, True), *ref._g_update(fake_g, True))])[0]
        torch.testing.assert_close(row, expected, rtol=1e-4, atol=1e-5)
    for a, b in zip([*graph.G.parameters(), *graph.D.parameters()], [*ref.G.parameters(), *ref.D.parameters()]):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
