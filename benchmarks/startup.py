"""Seconds from launching `ganscope` to its first drawn frame, against the import floor.

    .venv/bin/python benchmarks/startup.py [--repeats 5]

Runs `ganscope gui --exit-after-first-frame` (offscreen unless DISPLAY is set) and, as a baseline
in the same run, a Python that only imports torch, PySide6's widgets and pyqtgraph. "cold" is the
first launch of the run, with the file cache as the machine had it (after a reboot or another
Python's work it is truly cold); "warm" is the median of the repeats after it. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def timed(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    env = dict(os.environ)
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    app = [sys.executable, "-m", "ganscope.app.entry", "gui", "--exit-after-first-frame"]
    floor = [sys.executable, "-c", "import torch, pyqtgraph; from PySide6 import QtWidgets"]
    cold = timed(app, env)  # the first launch: the file cache as found
    apps = [timed(app, env) for _ in range(args.repeats)]
    floors = [timed(floor, env) for _ in range(args.repeats)]
    out = {
        "first_frame_cold_s": cold,
        "first_frame_s": statistics.median(apps),
        "first_frame_max_s": max(apps),
        "import_floor_s": statistics.median(floors),
        "platform": env.get("QT_QPA_PLATFORM", "xcb"),
        "repeats": args.repeats,
        "load_average_1min": os.getloadavg()[0],
    }  # other work on the machine at the end
    out["ratio_to_floor"] = out["first_frame_s"] / out["import_floor_s"]
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in out.items()}, indent=1))


if __name__ == "__main__":
    main()
