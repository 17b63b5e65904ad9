"""A long headless run: resident memory must stay flat and the metric history bounded.

    .venv/bin/python benchmarks/soak.py [--steps 1000000] [--report every]

Prints JSON lines as it goes (step, RSS MB, history rows) and a summary: RSS growth from the
first report to the end, against the 50 MB budget.
"""

from __future__ import annotations

import argparse
import json
import time

import torch

from ganscope.core.engine import GanEngine
from ganscope.core.presets import preset_config


def rss_mb() -> float:
    """Resident set size from /proc (Linux); the soak's whole point is this number."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def soak(engine: GanEngine, steps: int, every: int, out=None) -> dict:
    first = None
    start = time.perf_counter()
    done = 0
    while done < steps:
        done += engine.step(min(every, steps - done))
        if engine.status != "ok":
            break
        engine.frame()  # frames too: a GUI session builds ~30 a second
        rss = rss_mb()
        first = rss if first is None else first
        if out:
            out(
                json.dumps(
                    {
                        "step": engine.step_count,
                        "rss_mb": round(rss, 1),
                        "history_rows": len(engine.history),
                        "eval_rows": len(engine.evaluator.history),
                    }
                )
            )
    return {
        "steps": done,
        "seconds": time.perf_counter() - start,
        "rss_first_mb": first,
        "rss_last_mb": rss_mb(),
        "rss_growth_mb": rss_mb() - first,
        "history_rows": len(engine.history),
        "history_capacity": engine.cfg.run.history,
        "status": engine.status,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=1_000_000)
    ap.add_argument("--every", type=int, default=10_000)
    args = ap.parse_args()
    torch.set_num_threads(1)
    result = soak(GanEngine(preset_config("ring")), args.steps, args.every, out=print)
    result["budget_mb"] = 50
    result["ok"] = result["rss_growth_mb"] < 50 and result["history_rows"] <= result["history_capacity"]
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
