"""The engine's roll-back point: the last weights and optimiser states known to be finite.

After every chunk of iterations whose metric rows and weights are finite, the engine saves both
players' weights and optimiser states here (core.state_copy clones them); when a loss or weight
becomes NaN or infinite, it puts them back and stops with a message naming the step.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import torch

from .iteration import SERIES
from .state_copy import clone_state


class LastGood:
    def __init__(self, engine):
        self.engine = engine
        self.state: dict | None = None

    def save(self) -> None:
        e = self.engine
        self.state = {
            "G": clone_state(e.G.state_dict()),
            "D": clone_state(e.D.state_dict()),
            "opt_g": clone_state(e.opt_g.state_dict()),
            "opt_d": clone_state(e.opt_d.state_dict()),
        }

    def optimizer_replaced(self, player: str) -> None:
        """A player's optimiser was replaced: the roll-back point's optimiser part must be the new
        one's (Adam's moments put back into a new SGD were refused by the hand-back's checks)."""
        if self.state is not None:
            opt = self.engine.opt_g if player == "G" else self.engine.opt_d
            self.state["opt_g" if player == "G" else "opt_d"] = copy.deepcopy(opt.state_dict())

    def weights_finite(self) -> bool:
        e = self.engine
        flat = [p.detach().sum() for p in (*e.G.parameters(), *e.D.parameters())]
        return bool(torch.isfinite(torch.stack(flat).sum()))

    def restore(self, index: int, row: np.ndarray) -> None:
        """Put the last good state back after row `index` of the chunk (values `row`) went bad."""
        e, good = self.engine, self.state
        assert good is not None  # saved when the engine was built
        e.G.load_state_dict(good["G"])
        e.D.load_state_dict(good["D"])
        e.opt_g.load_state_dict(good["opt_g"])
        e.opt_d.load_state_dict(good["opt_d"])
        bad = [name for name, v in zip(SERIES, row) if not math.isfinite(v)] or ["the weights"]
        e.status = "diverged"
        e.message = (
            f"Training diverged at step {e.step_count + index + 1}: "
            f"{', '.join(bad)} became NaN or infinite. The weights from step "
            f"{e.step_count} are kept. Lower the learning rates, then reset or continue."
        )


def first_non_finite(values: np.ndarray):
    """The index of the first row with a NaN or infinity, or None."""
    bad = ~np.isfinite(values).all(axis=1)
    return int(np.argmax(bad)) if bad.any() else None
