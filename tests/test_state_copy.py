"""The engine's snapshot copy (core.state_copy) is as independent as copy.deepcopy and loads back."""

import copy

import torch

from ganscope.core.engine import GanEngine
from ganscope.core.state_copy import clone_state


def test_clone_state_is_an_independent_copy_that_loads_back(small_cfg):
    e = GanEngine(small_cfg)
    e.step(3)
    model, opt = e.D.state_dict(), e.opt_d.state_dict()
    copies = clone_state(model), clone_state(opt)
    references = copy.deepcopy(model), copy.deepcopy(opt)
    assert copies[0]._metadata == references[0]._metadata  # layer versions, read by load_state_dict
    e.step(3)  # trains in place: a shared tensor would follow
    for key, value in references[0].items():
        assert torch.equal(copies[0][key], value) and not torch.equal(e.D.state_dict()[key], value)
    for index, state in references[1]["state"].items():
        for key, value in state.items():
            assert torch.equal(copies[1]["state"][index][key], value)
    assert copies[1]["param_groups"] == references[1]["param_groups"]
    e.D.load_state_dict(copies[0])
    e.opt_d.load_state_dict(copies[1])
    for key, value in references[0].items():
        assert torch.equal(e.D.state_dict()[key], value)
