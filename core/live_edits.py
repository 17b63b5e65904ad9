"""Changing a run while it trains: validated config edits and what each one has to rebuild.

A mixin of GanEngine. Learning rates, betas and momentum change in place and keep the
optimiser's state; a new model or target is rebuilt once however many of its fields change.
"""
from __future__ import annotations

import torch

from .config import ConfigError
from .evaluation import Evaluator
from .targets import build_target


class LiveEdits:
    def update(self, path: str, value) -> str:
        """Change one config field while training; returns what had to happen ('live', 'rebuilt ...').

        Learning rates, betas and momentum change in place and keep the optimiser's state.
        """
        return self.update_many({path: value})

    def update_many(self, changes: dict) -> str:
        """Change several fields at once (validated together, e.g. a mixture's centres and sigmas)."""
        old = self.cfg.copy()
        try:
            for path, value in changes.items():
                self.cfg.set(path, value)
            self.cfg.validate()
        except ConfigError:
            self.cfg = old
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
        section, key = path.split(".")
        if section in ("g_opt", "d_opt"):
            player = "G" if section == "g_opt" else "D"
            if key == "kind":
                self._set_opt(player, self._new_optimizer(player))
                return f"new {self.cfg.get(path)} optimiser for {player} (its state starts afresh)"
            self._apply_hyperparams(player)
            return "live"
        if section == "generator" or (section == "discriminator") or (section, key) == ("objective", "pack"):
            player = "G" if section == "generator" else "D"
            self.reset(player)
            if player == "G":  # evaluation and display noise follow G's input size
                self.evaluator = Evaluator(self, keep_history=self.evaluator.history)
            self._reset_view()
            return f"rebuilt {'generator' if player == 'G' else 'discriminator'} (weights start afresh)"
        if section == "target":
            self.target = build_target(self.cfg.target)
            self.evaluator = Evaluator(self, keep_history=self.evaluator.history)
            self._reset_view()
            return "new target"
        if (section, key) == ("run", "threads"):
            torch.set_num_threads(self.cfg.run.threads)
        if (section, key) in (("run", "device"), ("run", "seed")):
            return "takes effect at the next reset"
        if section == "run" and key in ("eval_samples", "display_samples"):
            self.evaluator = Evaluator(self, keep_history=self.evaluator.history)
            self._reset_view()
        return "live"

    def _apply_hyperparams(self, player: str) -> None:
        oc = self.cfg.g_opt if player == "G" else self.cfg.d_opt
        for group in (self.opt_g if player == "G" else self.opt_d).param_groups:
            group["lr"] = oc.lr
            if "betas" in group:
                group["betas"] = (oc.beta1, oc.beta2)
            if "momentum" in group:
                group["momentum"] = oc.momentum
            if "alpha" in group:
                group["alpha"] = oc.beta2

    def set_lr(self, player: str, lr: float) -> None:
        """Change a learning rate live, keeping the optimiser's state."""
        self.update(("g_opt" if player == "G" else "d_opt") + ".lr", lr)
