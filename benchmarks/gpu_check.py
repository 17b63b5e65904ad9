"""The GPU check, one prepared script for a lent GPU machine: correctness first, then speed.

    PYTHONPATH=. python3 benchmarks/gpu_check.py [--out DIR] [--quick]

1. The CUDA graph replays the same arithmetic as the eager step (same inputs, same weights after).
2. A ring run on the GPU trains, draws a frame and saves/loads a session.
3. Engine it/s: a plain PyTorch loop vs the engine (graph / eager hand-written / autograd), same run.
4. Sweeps: 16 members against the same runs in sequence; then 1,024 members at once.
Prints one JSON object per section and writes them all to DIR/gpu_check.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.engine_throughput import engine_rate, plain_loop  # noqa: E402
from ganscope.core.engine import GanEngine  # noqa: E402
from ganscope.core.ensemble import Ensemble  # noqa: E402
from ganscope.core.presets import preset_config  # noqa: E402
from ganscope.core.sweep import Axis, member_configs  # noqa: E402

RESULTS: dict = {}


def section(name: str, data: dict) -> None:
    RESULTS[name] = data
    print(json.dumps({name: data}, default=float), flush=True)


def graph_matches_eager(changes: dict) -> dict:
    cfg = preset_config("ring")
    cfg.set("run.device", "cuda")
    for k, v in changes.items():
        cfg.set(k, v)
    e = GanEngine(cfg)
    e.step(10)  # warm-up and recording
    g = e._graph
    assert g.graph is not None, "the graph was not recorded"
    tensors = [*e.G.parameters(), *e.D.parameters()] + [
        t for opt in (e.opt_d, e.opt_g) for st in opt.state.values() for t in st.values()
    ]
    saved = [t.detach().clone() for t in tensors]
    inputs = g._draw(20)
    for i in range(20):  # replayed
        for static, drawn in zip(g.static, inputs):
            static.copy_(drawn[i])
        g.graph.replay()
    after_graph = [t.detach().clone() for t in tensors]
    with torch.no_grad():
        for t, s in zip(tensors, saved):
            t.copy_(s)  # in place: the recorded graph keeps pointing at these tensors
        for i in range(20):  # the same body, run eagerly
            for static, drawn in zip(g.static, inputs):
                static.copy_(drawn[i])
            g._body()
    torch.cuda.synchronize()
    worst = max(float((a - t).detach().abs().max() / (t.abs().max() + 1e-12)) for a, t in zip(after_graph, tensors))
    return {"changes": changes, "max_relative_difference": worst, "captures": g.captures, "ok": worst < 1e-5}


def end_to_end() -> dict:
    cfg = preset_config("ring")
    cfg.set("run.device", "cuda")
    e = GanEngine(cfg)
    start = time.perf_counter()
    e.step(3000)
    torch.cuda.synchronize()
    wall = time.perf_counter() - start
    frame = e.frame()
    from ganscope.core.session import load_session, save_session

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "run.gscope")
        save_session(e, path)
        back = load_session(path, device="cuda")
        same = all(torch.equal(a, b) for a, b in zip(e.G.parameters(), back.G.parameters()))
    m = e.metrics()
    return {
        "steps": 3000,
        "wall_s": wall,
        "status": e.status,
        "modes": m["modes"],
        "hq_share": m["hq_share"],
        "graph_captures": e._graph.captures,
        "frame_surface": list(frame.surface.shape),
        "session_round_trip_equal": same,
    }


def engine_speed(steps: int) -> dict:
    cfg = preset_config("ring")
    cfg.set("run.device", "cuda")
    plain = max(plain_loop(cfg, steps, "cuda") for _ in range(2))
    out = {"steps": steps, "plain_loop_its": plain}
    for name, kw in (
        ("engine_graph", {}),
        ("engine_eager_manual", {"graph": False}),
        ("engine_autograd", {"manual": False, "graph": False}),
    ):
        its = max(engine_rate(cfg, steps, **kw) for _ in range(2))
        out[f"{name}_its"], out[f"{name}_ratio"] = its, its / plain
    return out


def sweep_speed(side: int, steps: int, sequential: bool) -> dict:
    base = preset_config("ring")
    base.set("run.device", "cuda")
    lrs = [float(v) for v in torch.logspace(-4, -2, side)]
    configs = member_configs(base, Axis("d_opt.lr", lrs), Axis("g_opt.lr", lrs))
    ens = Ensemble(configs, device="cuda")
    ens.step(5)
    torch.cuda.synchronize()
    start = time.perf_counter()
    ens.step(steps)
    torch.cuda.synchronize()
    t = time.perf_counter() - start
    out = {
        "members": len(configs),
        "steps": steps,
        "ensemble_s": t,
        "gan_iterations_per_s": len(configs) * steps / t,
        "verdicts": sorted({r["verdict"] for r in ens.evaluate()}),
    }
    if sequential:
        start = time.perf_counter()
        for c in configs:
            engine_rate(c, steps)
        out["sequential_engine_s"] = time.perf_counter() - start
        start = time.perf_counter()
        for c in configs:
            plain_loop(c, steps, "cuda")
        out["sequential_plain_s"] = time.perf_counter() - start
        out["speedup_vs_sequential_engine"] = out["sequential_engine_s"] / t
        out["speedup_vs_sequential_plain"] = out["sequential_plain_s"] / t
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.environ.get("OUT", "."))
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    section(
        "env",
        {
            "torch": torch.__version__,
            "cuda": torch.cuda.is_available(),
            "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        },
    )
    if not torch.cuda.is_available():
        print("no CUDA device: nothing to check")
        return
    for changes in (
        {},
        {"objective.loss": "wgan", "objective.pack": 2, "objective.instance_noise": 0.05},
        {"objective.loss": "hinge", "discriminator.activation": "leaky_relu"},
    ):
        section(f"graph_vs_eager {changes}", graph_matches_eager(changes))
    section("end_to_end", end_to_end())
    steps = 300 if args.quick else 2000
    section("engine_speed", engine_speed(steps))
    section("sweep_16", sweep_speed(4, 100 if args.quick else 300, sequential=True))
    section("sweep_1024", sweep_speed(32, 50 if args.quick else 200, sequential=False))
    with open(os.path.join(args.out, "gpu_check.json"), "w") as fh:
        json.dump(RESULTS, fh, indent=1, default=float)
    print("done")


if __name__ == "__main__":
    main()
