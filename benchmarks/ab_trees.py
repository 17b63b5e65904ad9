"""Two source trees' engine rates (and the plain loop), in short blocks interleaved over one run.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/ab_trees.py --base /work/main \
        [--only non-saturating minimax] [--seconds 60] [--out docs/bench/ab.json]

Why: a change to the fast path is judged against the tree it changes, on a machine shared with
other jobs. Each tree runs in its own Python process of this virtual environment; the base tree's
`ganscope` package is put first on the path (a temporary folder linking its ganscope/, core/ and
app/, so the base needs no venv of its own), and the two engines and this tree's plain loop (benchmarks/objective_speed.py) take turns for ~0.4 s each,
for the whole run, so a burst of load lands on all of them. Reports each one's upper-quartile
block rate, and the ratios new / base and engine / plain as the median over rounds of the ratio
of adjacent blocks. One torch thread everywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BLOCK_S = 0.4

# The worker: builds one engine (or plain loop) for an objective and times a block per request.
WORKER = r"""
import sys, torch
sys.path.insert(0, sys.argv[1])
import objective_speed as osp
from ganscope.core.engine import GanEngine
import ganscope.core.engine as engine_module
print(engine_module.__file__, file=sys.stderr)
torch.set_num_threads(1)
name, kind, block = sys.argv[2], sys.argv[3], float(sys.argv[4])
cfg = osp.config(osp.OBJECTIVES[name])
if kind == "engine":
    e = GanEngine(cfg)
    e.step(40)
    run = lambda: osp.timed(lambda: e.step(20), block, per_call=20)
else:
    run = lambda: osp.plain_loop(cfg, block)
run()  # warm-up: the first block of a process is slower
print("ready", flush=True)
for line in sys.stdin:
    print(run(), flush=True)
"""


def package_shim(tree: Path, folder: Path) -> Path:
    """A folder whose `ganscope` package is `tree`'s (ganscope/__init__.py, core/, app/ linked)."""
    pkg = folder / "ganscope"
    pkg.mkdir(parents=True)
    for name in os.listdir(tree / "ganscope"):
        (pkg / name).symlink_to(tree / "ganscope" / name)
    for sub in ("core", "app"):
        (pkg / sub).symlink_to(tree / sub)
    return folder


def worker(tree: Path, name: str, kind: str, shim: Path | None) -> subprocess.Popen:
    """A worker for `tree`'s engine (its package through `shim`) or this tree's plain loop. Both
    read this tree's benchmarks/objective_speed.py (its OBJECTIVES and timing), so an objective
    added here (a lesson's preset) can be timed on an older tree too."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    if shim is not None:
        env["PYTHONPATH"] = str(shim)
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, str(HERE), name, kind, str(BLOCK_S)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=shim or tree,  # python -c puts the working folder first on the path
        env=env,
    )


def wait_ready(proc: subprocess.Popen) -> None:
    """Workers start one at a time (imports and warm-up of many at once would load the machine)."""
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "ready":
        raise RuntimeError(f"worker {proc.args} did not start")


def block(proc: subprocess.Popen) -> float:
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("go\n")
    proc.stdin.flush()
    line = proc.stdout.readline()
    if not line:
        raise RuntimeError(f"worker {proc.args} ended")
    return float(line)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True, help="the other tree (with its own .venv)")
    ap.add_argument("--only", nargs="*", default=["non-saturating"])
    ap.add_argument("--seconds", type=float, default=60.0, help="length of the whole interleaved run")
    ap.add_argument("--no-plain", action="store_true", help="engines only")
    ap.add_argument("--out", help="write the JSON here too")
    args = ap.parse_args()
    new, base = HERE.parent, Path(args.base).resolve()
    shim = package_shim(base, Path(tempfile.mkdtemp(prefix="ab_trees_")))
    procs = {}
    for name in args.only:
        procs[name, "new"] = worker(new, name, "engine", None)
        wait_ready(procs[name, "new"])
        procs[name, "base"] = worker(base, name, "engine", shim)
        wait_ready(procs[name, "base"])
        if not args.no_plain:
            procs[name, "plain"] = worker(new, name, "plain", None)
            wait_ready(procs[name, "plain"])
    load_before = os.getloadavg()
    rates: dict[tuple, list[float]] = {key: [] for key in procs}
    start = time.perf_counter()
    try:
        while time.perf_counter() - start < args.seconds:
            for key, proc in procs.items():
                rates[key].append(block(proc))
    finally:
        for proc in procs.values():
            proc.stdin.close()  # type: ignore[union-attr]
            proc.wait(timeout=30)
        shutil.rmtree(shim)
    upper = {key: sorted(v)[int(len(v) * 0.75)] for key, v in rates.items()}
    rows = {}
    for name in args.only:
        row = {"new_its": upper[name, "new"], "base_its": upper[name, "base"]}
        row["new_vs_base"] = paired(rates[name, "new"], rates[name, "base"])
        if not args.no_plain:
            row["plain_its"] = upper[name, "plain"]
            row["new_vs_plain"] = paired(rates[name, "new"], rates[name, "plain"])
            row["base_vs_plain"] = paired(rates[name, "base"], rates[name, "plain"])
        row["blocks"] = len(rates[name, "new"])
        rows[name] = row
    out = {
        "base_tree": str(base),
        "new_tree": str(new),
        "base_commit": _commit(base),
        "new_commit": _commit(new),
        "cpu_model": _cpu_model(),
        "threads": 1,
        "seconds": args.seconds,
        "block_s": BLOCK_S,
        "load_average_1_5_15_before": [round(v, 2) for v in load_before],
        "load_average_1_5_15_after": [round(v, 2) for v in os.getloadavg()],
        "model": "ring, G and D 2x128 ReLU, batch 256, Adam",
        "objectives": rows,
    }
    text = json.dumps(_rounded(out), indent=1)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")


def paired(a: list[float], b: list[float]) -> float:
    """The median over rounds of a's rate / b's rate in the same round (adjacent blocks, so a
    burst of load mostly hits both): steadier than a ratio of two separately chosen rates."""
    ratios = sorted(x / y for x, y in zip(a, b))
    return ratios[len(ratios) // 2]


def _commit(tree: Path) -> str:
    try:
        res = subprocess.run(["git", "-C", str(tree), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        return res.stdout.strip()
    except OSError:
        return "?"


def _cpu_model() -> str:
    sys.path.insert(0, str(HERE))
    import objective_speed as osp

    return osp._cpu_model()


def _rounded(v):
    if isinstance(v, dict):
        return {k: _rounded(x) for k, x in v.items()}
    return round(v, 3) if isinstance(v, float) else v


if __name__ == "__main__":
    main()
