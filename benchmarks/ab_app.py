"""Source trees' training rate in the app (the real window, offscreen, training in its own process),
in short play blocks taking turns over one run.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/ab_app.py --tree base=/work/wt/base \
        --tree main=/work/main [--preset lesson-7a-wgan-gp] [--rounds 10] [--seconds 4] [--out x.json]

Why: on a 2-core machine shared with other jobs, one 8 s app run per tree (benchmarks/gui_fps.py,
benchmarks/ab_gui.sh) swung by 2x with the load of the moment. Here each tree's window is built
once, in a process of its own (this virtual environment; another tree's `ganscope` package put
first on the path as benchmarks/ab_trees.py does), and the windows take turns: Play, `--settle`
seconds for the hand-over to the training process, `--seconds` timed, Pause. Only one plays at a
time (the others' windows and training processes sleep), so a burst of load lands on adjacent
blocks of every tree. Reports each tree's median block rate and, against the first tree given
(`--tree` order; this checkout is "this"), the median over rounds of the ratio of the blocks of
one round. The app's frame budget governs its detail as users run it; its level is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from ab_trees import _commit, _cpu_model, _rounded, package_shim, paired  # noqa: E402

# One tree's window: plays a block per request and answers with one JSON line.
WORKER = r"""
import json, os, sys, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6 import QtCore, QtWidgets
app = QtWidgets.QApplication([])
from ganscope.app.gc_main_thread import freeze_start_up_objects
from ganscope.app.main_window import MainWindow
from ganscope.core.torch_startup import skip_dynamo_import
skip_dynamo_import()
from ganscope.core.engine import GanEngine
from ganscope.core.presets import preset_config
import torch
name, preset, res, points = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
cfg = preset_config(preset)
cfg.set("run.surface_res", res)
cfg.set("run.display_samples", points)
freeze_start_up_objects()
torch.set_num_threads(1)  # as the app does (app/main.py)
settings = QtCore.QSettings(QtCore.QSettings.IniFormat, QtCore.QSettings.UserScope, "ganscope", "ab_app_" + name)
settings.clear()
win = MainWindow(GanEngine(cfg), settings=settings, autosave="", train_process=True)
win.unattended = True
win.resize(1500, 950)
win.show()

def run_event_loop(seconds):
    loop = QtCore.QEventLoop()
    QtCore.QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()

run_event_loop(0.5)
print("ready", flush=True)
for line in sys.stdin:
    settle, seconds = map(float, line.split())
    win.do_action("play:1")
    if not win.worker.process_ready.wait(120):
        print(json.dumps({"error": "no training process"}), flush=True)
        continue
    run_event_loop(settle)
    s0, d0, t0, c0 = win.worker.step_count(), win.plane.frames_drawn, time.perf_counter(), time.process_time()
    run_event_loop(seconds)
    el = time.perf_counter() - t0
    out = {
        "its": (win.worker.step_count() - s0) / el,
        "fps": (win.plane.frames_drawn - d0) / el,
        "app_cores": (time.process_time() - c0) / el,
        "level": win.budget.governor.level,
        "in_process": bool(win.worker.in_process),
    }
    win.do_action("play:0")
    run_event_loop(0.3)  # the run comes back from the training process while the window idles
    print(json.dumps(out), flush=True)
win.close()
"""


def start(name: str, tree: Path, shim: Path | None, args) -> subprocess.Popen:
    env = dict(os.environ, OMP_NUM_THREADS="1", QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    if shim is not None:
        env["PYTHONPATH"] = str(shim)
    proc = subprocess.Popen(
        [sys.executable, "-c", WORKER, name, args.preset, str(args.res), str(args.points)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=shim or tree,  # python -c puts the working folder first on the path
        env=env,
    )
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "ready":  # one at a time: start-ups would load the machine
        raise RuntimeError(f"the window of {name} ({tree}) did not start")
    return proc


def block(proc: subprocess.Popen, settle: float, seconds: float) -> dict:
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(f"{settle} {seconds}\n")
    proc.stdin.flush()
    line = proc.stdout.readline()
    if not line:
        raise RuntimeError(f"worker {proc.args[3]} ended")
    return json.loads(line)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tree", action="append", default=[], help="name=path of another checkout (repeatable)")
    ap.add_argument("--preset", default="lesson-7a-wgan-gp")
    ap.add_argument("--res", type=int, default=128, help="the run's surface resolution")
    ap.add_argument("--points", type=int, default=2048, help="the run's display samples")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=4.0, help="timed seconds of each block")
    ap.add_argument("--settle", type=float, default=1.5, help="seconds after Play before the timing starts")
    ap.add_argument("--out", help="write the JSON here too")
    args = ap.parse_args()
    trees = [(spec.split("=", 1)[0], Path(spec.split("=", 1)[1]).resolve()) for spec in args.tree]
    trees.append(("this", HERE.parent))
    temp = Path(tempfile.mkdtemp(prefix="ab_app_"))
    procs = {}
    try:
        for name, tree in trees:
            shim = None if tree == HERE.parent else package_shim(tree, temp / name)
            procs[name] = start(name, tree, shim, args)
            block(procs[name], args.settle, 1.0)  # warm-up: the training process starts, first frames
        load_before = os.getloadavg()
        blocks: dict[str, list[dict]] = {name: [] for name in procs}
        for _ in range(args.rounds):
            for name, proc in procs.items():
                blocks[name].append(block(proc, args.settle, args.seconds))
    finally:
        for proc in procs.values():
            proc.stdin.close()  # type: ignore[union-attr]
            proc.wait(timeout=60)
        shutil.rmtree(temp)
    first = trees[0][0]
    rows = {}
    for name, tree in trees:
        its = [b["its"] for b in blocks[name]]
        rows[name] = {
            "tree": str(tree),
            "commit": _commit(tree),
            "median_its": sorted(its)[len(its) // 2],
            "median_fps": sorted(b["fps"] for b in blocks[name])[len(its) // 2],
            "levels": [b["level"] for b in blocks[name]],
            "all_in_process": all(b["in_process"] for b in blocks[name]),
            "its": its,
        }
        if name != first:
            rows[name][f"vs_{first}"] = paired(its, [b["its"] for b in blocks[first]])
    if "this" in rows:
        for name in rows:
            if name not in ("this", first):
                rows["this"][f"vs_{name}"] = paired(rows["this"]["its"], rows[name]["its"])
    out = {
        "preset": args.preset,
        "surface": args.res,
        "points": args.points,
        "rounds": args.rounds,
        "block_s": args.seconds,
        "settle_s": args.settle,
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "load_average_1_5_15_before": [round(v, 2) for v in load_before],
        "load_average_1_5_15_after": [round(v, 2) for v in os.getloadavg()],
        "trees": rows,
    }
    text = json.dumps(_rounded(out), indent=1)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
