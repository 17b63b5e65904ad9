"""Frames the training process offers a second, on its own (no window): the ceiling of the app's
frame rate, and the gaps between frames (a stall of training shows as a long one).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/frame_offer.py [--seconds 10] [--preset ring] [--fps 30]

Prints JSON: frames a second (asked for: --fps), training it/s meanwhile, and percentiles of the
intervals between frames in ms. The first second (start-up) is left out.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--preset", default="ring")
    ap.add_argument("--fps", type=float, default=30.0, help="frames a second asked of the process")
    args = ap.parse_args()
    from ganscope.core.torch_startup import skip_dynamo_import

    skip_dynamo_import()
    import torch

    from ganscope.core.engine import GanEngine
    from ganscope.core.presets import preset_config
    from ganscope.core.train_process import RemoteTrainer

    torch.set_num_threads(1)
    engine = GanEngine(preset_config(args.preset))
    r = RemoteTrainer()
    r.start()
    if not r.check_ready(60):
        raise SystemExit("the training process did not start within 60 s")
    r.push(engine, 0)
    r.op("frame_interval", 1 / args.fps)
    times, steps = [], []
    end = time.perf_counter() + args.seconds + 1
    while time.perf_counter() < end:
        for m in r.receive(0.05):
            if m[0] == "frame":
                times.append(time.perf_counter())
                steps.append(m[1]["step"])
    r.close()
    t, s = np.array(times), np.array(steps)
    keep = t > t[0] + 1
    t, s = t[keep], s[keep]
    gaps = np.diff(t) * 1000
    print(
        json.dumps(
            {
                "tree": os.path.dirname(
                    os.path.dirname(os.path.abspath(sys.modules[RemoteTrainer.__module__].__file__))
                ),
                "preset": args.preset,
                "asked_fps": args.fps,
                "load_average_1min": os.getloadavg()[0],
                "frames_per_s": round(len(t) / (t[-1] - t[0]), 2),
                "its": round((s[-1] - s[0]) / (t[-1] - t[0]), 1),
                "interval_ms": {str(p): round(float(np.percentile(gaps, p)), 1) for p in (5, 50, 95, 99)},
                "longest_ms": round(float(gaps.max()), 1),
                "over_50ms": int((gaps > 50).sum()),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
