"""A fast deep copy of model and optimiser state dicts (the engine's last-good-state snapshot).

Why: the engine keeps the last good weights and optimiser state after every chunk of iterations,
so a divergence can roll back. copy.deepcopy walks each tensor through Python's copy protocol
(~2.9 ms per snapshot for the default networks here, about 6% of a 20-iteration chunk); cloning
the tensors directly gives the same independent copy at a fraction of the cost.
"""

from __future__ import annotations

from collections import OrderedDict

import torch


def clone_state(obj):
    """An independent copy of a (nested) state dict: tensors cloned, containers rebuilt, other
    values (numbers, strings, None) shared, as they are immutable. Keeps a module state dict's
    `_metadata` (load_state_dict reads the layers' versions from it)."""
    if isinstance(obj, torch.Tensor):
        return obj.detach().clone()
    if isinstance(obj, dict):
        out = (OrderedDict if isinstance(obj, OrderedDict) else dict)((k, clone_state(v)) for k, v in obj.items())
        meta = getattr(obj, "_metadata", None)
        if meta is not None:
            out._metadata = clone_state(meta)
        return out
    if isinstance(obj, list):
        return [clone_state(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(clone_state(v) for v in obj)
    return obj
