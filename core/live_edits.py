"""Changing a run while it trains: validated config edits and what each one has to rebuild.

A collaborator that GanEngine owns (`engine.edits`); GanEngine.update / update_many / set_lr hand
over to it. Learning rates, betas and momentum change in place and keep the optimiser's state; a
new model or target is rebuilt once however many of its fields change.
"""

from __future__ import annotations

from .config import ConfigError
from .evaluation import Evaluator
from .targets import build_target


class LiveEdits:
    """Validated config edits of one engine and what each has to rebuild.

    Parameters
    ----------
    engine : GanEngine
        What an edit changes: its `cfg` (restored when an edit is refused), its optimisers
        (`opt_g`, `opt_d`, `_set_opt`, `_new_optimizer`), its players (`reset`), its `target`,
        `evaluator` and display samples (`_reset_view`).
    """

    def __init__(self, engine):
        self.engine = engine

    def update_many(self, changes: dict) -> str:
        """Change several fields at once (validated together, e.g. a mixture's centres and sigmas)."""
        e = self.engine
        old = e.cfg.copy()
        try:
            for path, value in changes.items():
                e.cfg.set(path, value)
            e.cfg.validate()
        except ConfigError:
            e.cfg = old
            raise
        results, done = [], set()
        for path in changes:
            section = path.split(".")[0]
            # A target or model is rebuilt once however many of its fields changed together.
            part = section if section in ("target", "generator", "discriminator") else path
            if part in done:
                continue
            done.add(part)
            r = self._apply(path)
            if r not in results:
                results.append(r)
        return "; ".join(r for r in results if r != "live") or "live"

    def _apply(self, path: str) -> str:
        """Carry out the consequences of a changed field (already validated)."""
        e = self.engine
        section, key = path.split(".")
        if section in ("g_opt", "d_opt"):
            player = "G" if section == "g_opt" else "D"
            if key == "kind":
                e._set_opt(player, e._new_optimizer(player))
                return f"new {e.cfg.get(path)} optimiser for {player} (its state starts afresh)"
            self._apply_hyperparams(player)
            return "live"
        if section == "generator" or (section == "discriminator") or (section, key) == ("objective", "pack"):
            player = "G" if section == "generator" else "D"
            e.reset(player)
            if player == "G":  # evaluation and display noise follow G's input size
                e.evaluator = Evaluator(e, keep_history=e.evaluator.history)
            e._reset_view()
            return f"rebuilt {'generator' if player == 'G' else 'discriminator'} (weights start afresh)"
        if section == "target":
            e.target = build_target(e.cfg.target)
            e.evaluator = Evaluator(e, keep_history=e.evaluator.history)
            e._reset_view()
            return "new target"
        if (section, key) in (("run", "device"), ("run", "seed")):
            return "takes effect at the next reset"
        if section == "run" and key in ("eval_samples", "display_samples"):
            e.evaluator = Evaluator(e, keep_history=e.evaluator.history)
            e._reset_view()
        return "live"

    def _apply_hyperparams(self, player: str) -> None:
        e = self.engine
        oc = e.cfg.g_opt if player == "G" else e.cfg.d_opt
        for group in (e.opt_g if player == "G" else e.opt_d).param_groups:
            group["lr"] = oc.lr
            if "betas" in group:
                group["betas"] = (oc.beta1, oc.beta2)
            if "momentum" in group:
                group["momentum"] = oc.momentum
            if "alpha" in group:
                group["alpha"] = oc.beta2
