"""A sweep's iteration with hand-written gradients, every member at once (members on a leading axis).

Why: on a CPU a sweep is bound by its products, and torch.func.grad under vmap (core.batched_step's
general path) adds autograd's bookkeeping, many full-size temporaries and the thin products' slow
layout (16 x (128 x 512 @ 512 x 2) took 1,240 us against 200 us transposed) to each of them. Here
the players' passes are core.manual_grad's own forward and backward, given weights stacked along
a leading member axis (batched products, thin ones transposed, ReLU in place), and the samples,
the order of the steps, the losses' output gradients, the penalties (core.manual_penalty), the
optimiser rules (core.optim_rules), clipping and the metric rows are the engine's functions,
applied to all members at once (per-member numbers as broadcast columns; nothing under vmap).
tests/test_ensemble.py checks every member against the engine's autograd step in float64.

Covers what the engine's hand-written step covers (core.manual_step.ManualStep.ok): MLPs of
manual_grad's layers, no unrolling, penalties only on a piecewise-linear D.
"""

from __future__ import annotations

import torch

from ganscope.core import iteration as it
from ganscope.core import manual_grad as mg
from ganscope.core import manual_penalty as mp
from ganscope.core import optim_rules

# Columns of core.iteration.SERIES that make the sweep's row (core.batched_step.SERIES).
SWEEP_COLUMNS = [it.SERIES.index(k) for k in ("d_loss", "g_loss", "g_grad", "d_grad")]


def supports(step) -> bool:
    """Whether core.batched_step.BatchedStep `step` can train by hand-written gradients."""
    T = step.terms
    penalised = T.gp or T.r1 or T.r2
    return (
        T.unrolled == 0
        and mg.supports(step.g_t.net)
        and mg.supports(step.d_t.net)
        and (not penalised or mp.supports(step.d_t.net))
    )


class BatchedManual:
    """`run(gp, dp, gs, ds, samples)` as BatchedStep.run: (M, ...) stacked weights and states in,
    the new ones and the metric rows out; pure (the gradients go into buffers of its own).

    Each player's parameters, gradients and optimiser state are views of one (M, P) tensor, so an
    optimiser step is the rule's dozen ops on it, per-member hyper-parameters as (M, 1) columns
    (under vmap, per parameter, it was ~60 ops)."""

    def __init__(self, step):
        self.step = step
        self.grads: dict[str, tuple[torch.Tensor, list[torch.Tensor]]] = {}  # player: (flat, views)
        self._flats: dict[str, tuple[torch.Tensor, list[torch.Tensor]]] = {}  # the last flat tensor made

    # --- flat storage ------------------------------------------------------------------------------
    def _flat(self, key: str, tensors: list[torch.Tensor]) -> torch.Tensor:
        """(M, P): `tensors` side by side; no copy when they are views of the last one made."""
        last = self._flats.get(key)
        if last is not None and len(last[1]) == len(tensors) and all(a is b for a, b in zip(last[1], tensors)):
            return last[0]
        return torch.cat([t.reshape(t.shape[0], -1) for t in tensors], 1)

    def _views(self, key: str, flat: torch.Tensor, like: list[torch.Tensor]) -> list[torch.Tensor]:
        """`like`'s shapes as views of flat (remembered, so the next _flat of them copies nothing)."""
        views, at = [], 0
        for t in like:
            n = t[0].numel()
            views.append(flat[:, at : at + n].view(t.shape))
            at += n
        self._flats[key] = (flat, views)
        return views

    # --- the passes ---------------------------------------------------------------------------------
    def _layers(self, net: torch.nn.Sequential, params: list[torch.Tensor], player: str) -> list:
        """manual_grad's layers over stacked weights, their gradients into views of one buffer."""
        if player not in self.grads:
            flat = params[0].new_zeros(params[0].shape[0], sum(p[0].numel() for p in params))
            self.grads[player] = (flat, self._views("grad" + player, flat, params))
        grads, out, k = self.grads[player][1], [], 0
        for layer in net:
            if isinstance(layer, torch.nn.Linear):
                w, b = params[k], params[k + 1]
                out.append(mg.Layer(layer, w, b, w.mT, grads[k], grads[k + 1]))
                k += 2
            else:
                out.append(mg.Layer(layer))
        return out

    def _d_forward(self, layers: list, x: torch.Tensor):
        """D's scores (M, n / pack) on points x (M, n, 2), as Discriminator.forward, and the cache."""
        D = self.step.d_t
        x = x.reshape(x.shape[0], -1, 2 * D.pack)
        out, cache = mg.forward(layers, x * D.input_scale if D.input_scale != 1 else x)
        return out.squeeze(-1), cache

    # --- the optimiser step ------------------------------------------------------------------------
    def _apply(self, player: str, params: list, state: dict, hp: dict):
        """core.optim_rules' step (and WGAN's clipping) of every member: (params, state, grad norm)."""
        st, p = self.step, ("d_" if player == "D" else "g_")
        kind = st.kinds[0] if player == "D" else st.kinds[1]
        M = params[0].shape[0]
        col = lambda key: hp[key].view(M, 1)  # noqa: E731
        flat_p = self._flat(player, params)
        flat_s = {k: [self._flat(player + k, v)] for k, v in state.items() if k != "step"}
        flat_s["step"] = state["step"].view(M, 1)
        grads = self.grads[player][0]
        new, new_state = optim_rules.step(
            kind, [flat_p], [grads], flat_s, col(p + "lr"), col(p + "beta1"), col(p + "beta2"), col(p + "momentum")
        )
        if player == "D" and st.terms.clip:
            new = it.clip(new, col("clip"))
        out_state = {k: self._views(player + k, v[0], state[k]) for k, v in new_state.items() if k != "step"}
        out_state["step"] = new_state["step"].view(M)
        return self._views(player, new[0], params), out_state, torch.linalg.vector_norm(grads, dim=1)

    # --- one iteration of every member ---------------------------------------------------------------
    def run(self, gp, dp, gs, ds, s):
        st, T = self.step, self.step.terms
        hp, loss, M = st.hp, T.loss, gp[0].shape[0]
        g_net, d_net = st.g_t.net, st.d_t.net
        sigma = hp["sigma"].view(M, 1, 1)
        g_layers = self._layers(g_net, gp, "G")
        shared = None
        r = f = d_grad = None
        for i in range(st.d_steps):
            d_layers = self._layers(d_net, dp, "D")
            fake, g_cache = mg.forward(g_layers, s["d_z"][:, i])
            shared = (fake, g_cache)
            real = s["d_real"][:, i]
            if T.noise:
                real = it.with_noise(real, sigma, s["d_noise"][:, i, 0])
                fake = it.with_noise(fake, sigma, s["d_noise"][:, i, 1])
            scores, cache = self._d_forward(d_layers, torch.cat([real, fake], 1))
            r_i, f_i = scores.split(real.shape[1] // T.pack, 1)
            dy = torch.cat(mg.d_output_grads(loss, r_i, f_i), 1)
            mg.backward(d_layers, cache, dy[..., None], weight_grads=True, input_grad=False)
            if T.gp or T.r1 or T.r2:
                eps = s["gp_eps"][:, i] if T.gp else None
                D, w = st.d_t, lambda key: hp[key].view(M, 1, 1)  # noqa: E731
                extra = mp.d_penalty_grads(
                    d_net, dp, D.pack, D.input_scale, T, real, fake, eps, w("gp_weight"), w("r1"), w("r2"), cache
                )
                for g, e in zip(self.grads["D"][1][0::2], extra):
                    g.add_(e)
            new, new_state, norm = self._apply("D", dp, ds, hp)
            if st.vary_steps and i > 0:
                on = i < hp["d_steps"]
                new, new_state, r_i, f_i, norm = keep_where(
                    on, (new, new_state, r_i, f_i, norm), (dp, ds, r, f, d_grad)
                )
            dp, ds, r, f, d_grad = new, new_state, r_i, f_i, norm
        fg = g_grad = None
        for j in range(st.g_steps):
            if "g_z" in s:
                fake, g_cache = mg.forward(g_layers, s["g_z"][:, j])
            else:  # one G step on the last D step's noise: G has not changed since that step's forward
                fake, g_cache = shared
            if T.noise:
                fake = it.with_noise(fake, sigma, s["g_noise"][:, j])
            d_layers = self._layers(d_net, dp, "D")
            fg_j, d_cache = self._d_forward(d_layers, fake)
            dx = mg.backward(d_layers, d_cache, mg.g_output_grad(loss, fg_j)[..., None], False, input_grad=True)
            scale = st.d_t.input_scale
            dx = (dx * scale if scale != 1 else dx).reshape(M, -1, 2)
            mg.backward(g_layers, g_cache, dx, weight_grads=True, input_grad=False)
            new, new_state, norm = self._apply("G", gp, gs, hp)
            if st.vary_steps and j > 0:
                on = j < hp["g_steps"]
                new, new_state, fg_j, norm = keep_where(on, (new, new_state, fg_j, norm), (gp, gs, fg, g_grad))
            gp, gs, fg, g_grad = new, new_state, fg_j, norm
            g_layers = self._layers(g_net, gp, "G")
        rows = it.rows(loss, r, f, d_grad, fg, g_grad)
        return gp, dp, gs, ds, (rows if st.full_rows else rows[:, SWEEP_COLUMNS])


def keep_where(on, new, old):
    """Keep `new` where the member is on, `old` where it has already taken all its steps (on: one
    flag per member, (M,) batched or 0-d under vmap)."""
    return torch.utils._pytree.tree_map(
        lambda a, b: torch.where(on.view(-1, *[1] * (a.dim() - 1)) if on.dim() else on, a, b), new, old
    )
