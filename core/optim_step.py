"""A lean Adam step: the fused kernel that torch.optim.Adam(fused=True) runs, without its wrapper.

Why: for these six-tensor models the Optimizer.step machinery (hooks, grouping by device, state
checks) costs ~90 us per call against ~22 us for the kernel itself, twice per iteration. The
optimiser object still owns the state (so saving, loading and live learning-rate changes work as
before); only the call path is shorter. Falls back to `opt.step()` whenever anything is unusual,
and a test checks that both paths give bit-identical weights and state.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

_KERNEL = getattr(torch, "_fused_adam_", None)


def new_optimizer(oc, params, device: torch.device) -> torch.optim.Optimizer:
    """The optimiser a player's config section `oc` (kind, lr, betas, momentum) asks for."""
    if oc.kind == "adam":
        # Fused Adam: one kernel for all tensors, 3x faster than the default here (47 vs 142 us).
        return torch.optim.Adam(params, lr=oc.lr, betas=(oc.beta1, oc.beta2), **fast_adam(device))
    if oc.kind == "rmsprop":
        return torch.optim.RMSprop(params, lr=oc.lr, alpha=oc.beta2, momentum=oc.momentum, foreach=True)
    return torch.optim.SGD(params, lr=oc.lr, momentum=oc.momentum, foreach=True)


def adam_step(opt: torch.optim.Optimizer) -> None:
    prepared_step(opt)()


def prepared_step(opt: torch.optim.Optimizer) -> Callable[[], None]:
    """opt's step as a function for a run of steps in which nothing about opt changes: neither its
    hyper-parameters, nor its state tensors, nor the parameters' .grad tensors (their values may).

    Why: the engine's fast path prepares it once per chunk of iterations (commands arrive only
    between chunks), so each step is the kernel alone, without re-checking and re-gathering its
    arguments (~30 us of Python per step here). Falls back to `opt.step`."""
    if _lean_possible(opt):
        _init_state(opt)
    if not _lean_ok(opt):
        return opt.step
    group = opt.param_groups[0]
    params = list(group["params"])
    states = [opt.state[p] for p in params]
    grads = [p.grad for p in params]
    avgs, avg_sqs = [s["exp_avg"] for s in states], [s["exp_avg_sq"] for s in states]
    count, steps = _one_count(states)
    beta1, beta2 = group["betas"]
    kwargs = dict(
        amsgrad=False,
        lr=group["lr"],
        beta1=beta1,
        beta2=beta2,
        weight_decay=group["weight_decay"],
        eps=group["eps"],
        maximize=False,
        grad_scale=None,
        found_inf=None,
    )

    def step() -> None:
        if count is None:
            torch._foreach_add_(steps, 1)
        else:
            count.add_(1)
        _KERNEL(params, grads, avgs, avg_sqs, [], steps, **kwargs)  # type: ignore[misc]  # checked above

    return step


def _one_count(states: list[dict]) -> tuple[torch.Tensor | None, list[torch.Tensor]]:
    """(count, steps): every parameter's step count (a float32 scalar) as a view of one tensor,
    `count`, so that one in-place add advances them all, as torch.optim's `_foreach_add_` does.

    Why: `_foreach_add_` on six scalars costs ~10 us on this CPU against ~2.5 for one add_ (twice an
    iteration, six times for WGAN-GP with 5 critic steps). The counts keep their values and stay
    in `opt.state` (saved and loaded as before); a chunk reuses the views the previous one made, and
    counts replaced since (a loaded state, a roll-back) are gathered again. count is None (each
    advanced on its own) unless all are scalars of one dtype."""
    steps = [s["step"] for s in states]
    if any(t.dim() != 0 or t.dtype != steps[0].dtype for t in steps):
        return None, steps
    base = steps[0]._base
    if (
        base is not None
        and base.shape == (len(steps),)
        and all(t._base is base and t.storage_offset() == base.storage_offset() + i for i, t in enumerate(steps))
    ):
        return base, steps
    count = torch.stack(steps)
    for i, s in enumerate(states):
        s["step"] = count[i]
    return count, [s["step"] for s in states]


def _lean_possible(opt: torch.optim.Optimizer) -> bool:
    if _KERNEL is None or not isinstance(opt, torch.optim.Adam) or len(opt.param_groups) != 1:
        return False
    g = opt.param_groups[0]
    if not g.get("fused") or g.get("amsgrad") or g.get("maximize") or g.get("decoupled_weight_decay"):
        return False
    return not (isinstance(g["lr"], torch.Tensor) or g.get("capturable") or opt._optimizer_step_pre_hooks)


def _init_state(opt: torch.optim.Optimizer) -> None:
    """Adam's state as its first step makes it for fused Adam (float32 step count, zero moments).

    Doing it here means torch's Optimizer.step never runs, and with it the import of TorchDynamo
    that its wrapper makes on first use (1.4 s, which the user would feel as a stall at Play).
    """
    for p in opt.param_groups[0]["params"]:
        if p.grad is not None and not opt.state.get(p):
            opt.state[p] = {
                "step": torch.zeros((), dtype=torch.float32, device=p.device),
                "exp_avg": torch.zeros_like(p, memory_format=torch.preserve_format),
                "exp_avg_sq": torch.zeros_like(p, memory_format=torch.preserve_format),
            }


def _lean_ok(opt: torch.optim.Optimizer) -> bool:
    if not _lean_possible(opt):
        return False
    for p in opt.param_groups[0]["params"]:
        st = opt.state.get(p)
        if p.grad is None or not st or "exp_avg" not in st or st["step"].device != p.device:
            return False
    return True


def fast_adam(device: torch.device) -> dict:
    """Fused Adam where this torch has it for the device (CPU since 2.4, CUDA since 2.0).

    On CUDA it is also capturable (its step count lives on the GPU), so a CUDA graph can hold it.
    """
    major, minor = (int(v) for v in torch.__version__.split(".")[:2])
    if device.type == "cuda":
        return {"fused": True, "capturable": True}
    if device.type == "cpu" and (major, minor) >= (2, 4):
        return {"fused": True}
    return {"foreach": True}
