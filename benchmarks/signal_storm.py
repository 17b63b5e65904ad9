"""Random SIGINT / SIGTERM against the headless commands: never a crash, never a partial file.

    .venv/bin/python -m benchmarks.signal_storm [--tries 200] [--seed 0]

Each try starts one of train / export (GIF, MP4, PNG frames) / sweep / scenario in a fresh
process, waits until it is working (or, in some tries, only a random moment after start-up),
sends SIGINT or SIGTERM and checks: the exit code is 130 or 143 (or 0 if it had finished), no
segfault or traceback, no temporary or partial file left, and anything written is whole.
The CI test (tests/test_signals.py) runs a few tries of the same function.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUN = [sys.executable, "-c", "import sys; from app.entry import main; sys.exit(main())"]  # as the script
SMALL = ["--set", "generator.width=8", "--set", "discriminator.width=8"]

COMMANDS = {
    "train": (
        [
            "train",
            "--preset",
            "gaussian",
            "--steps",
            "10000000",
            *SMALL,
            "--save",
            "{dir}/run.gscope",
            "--report",
            "{dir}/run.json",
        ],
        "[",
    ),
    "export-gif": (
        [
            "export",
            "--preset",
            "gaussian",
            "--steps",
            "1000000",
            "--every",
            "1",
            "--size",
            "64x64",
            *SMALL,
            "--out",
            "{dir}/out.gif",
        ],
        ".partial",
    ),
    "export-mp4": (
        [
            "export",
            "--preset",
            "gaussian",
            "--steps",
            "1000000",
            "--every",
            "1",
            "--size",
            "64x64",
            *SMALL,
            "--out",
            "{dir}/out.mp4",
        ],
        ".partial",
    ),
    "export-png": (
        [
            "export",
            "--preset",
            "gaussian",
            "--steps",
            "1000000",
            "--every",
            "1",
            "--size",
            "64x64",
            *SMALL,
            "--out",
            "{dir}/frames",
        ],
        ".partial",
    ),
    "sweep": (
        [
            "sweep",
            "--preset",
            "gaussian",
            "--x",
            "d_opt.lr=1e-4,1e-3",
            "--y",
            "g_opt.lr=1e-4,1e-3",
            "--steps",
            "10000000",
            *SMALL,
            "--report",
            "{dir}/sweep.json",
        ],
        "sweep:",
    ),
    "compare": (
        [
            "compare",
            "--preset",
            "gaussian",
            "--preset",
            "gaussian",
            "--steps",
            "10000000",
            *SMALL,
            "--report",
            "{dir}/c.json",
        ],
        "[",
    ),
    "compare-gif": (
        [
            "compare",
            "--preset",
            "gaussian",
            "--preset",
            "gaussian",
            "--steps",
            "1000000",
            "--every",
            "1",
            "--size",
            "96x64",
            *SMALL,
            "--export",
            "{dir}/out.gif",
        ],
        ".partial",
    ),
    "scenario": (["scenario", "lesson-2-chance", "--steps", "10000000", "--report", "{dir}/lesson.json"], "["),
}


def run_once(
    command: str, signum: int, folder: Path, delay: float, wait_until_working: bool = True, deadline_s: float = 180.0
) -> dict:
    """One try; returns what happened (the caller asserts on it)."""
    args, marker = COMMANDS[command]
    args = [a.replace("{dir}", str(folder)) for a in args]
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        OMP_NUM_THREADS="1",
        PYTHONPATH=str(ROOT),
        GANSCOPE_RECOVERY_DIR=str(folder / "recovered"),
    )
    proc = subprocess.Popen(
        RUN + args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True, errors="replace"
    )
    lines: queue.Queue = queue.Queue()
    err_text: list[str] = []
    out_text: list[str] = []

    def pump(stream, keep, announce):
        for line in stream:
            keep.append(line)
            if announce:
                lines.put(line)

    readers = [
        threading.Thread(target=pump, args=(proc.stderr, err_text, True), daemon=True),
        threading.Thread(target=pump, args=(proc.stdout, out_text, False), daemon=True),
    ]
    for reader in readers:
        reader.start()
    started = time.monotonic()
    working = not wait_until_working
    while not working:
        if time.monotonic() - started > deadline_s:
            proc.kill()
            raise TimeoutError(f"{command}: not working after {deadline_s} s: {''.join(err_text)[-2000:]}")
        if proc.poll() is not None:
            break
        if marker == ".partial":
            working = any(".partial" in p.name for p in folder.iterdir())
        else:
            try:
                working = marker in lines.get(timeout=0.05)
            except queue.Empty:
                pass
        time.sleep(0.01 if not working else 0)
    time.sleep(delay)
    proc.send_signal(signum)
    try:
        proc.wait(timeout=deadline_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return {
            "command": command,
            "signal": signum,
            "code": "hung",
            "stdout": "",
            "files": [],
            "stderr": "".join(err_text)[-2000:],
        }
    for reader in readers:
        reader.join(timeout=10)
    out = "".join(out_text)
    left = sorted(p.name for p in folder.iterdir() if p.name != "recovered")
    return {
        "command": command,
        "signal": int(signum),
        "code": proc.returncode,
        "stdout": out[-2000:],
        "stderr": "".join(err_text)[-3000:],
        "files": left,
        "seconds": time.monotonic() - started,
    }


def problems(result: dict, folder: Path) -> list[str]:
    """What is wrong with one try's outcome (empty when all is well)."""
    bad = []
    expected = {130 if result["signal"] == signal.SIGINT else 143, 0}
    if result["code"] not in expected:
        bad.append(f"exit code {result['code']} (expected {sorted(expected)})")
    if "Traceback" in result["stderr"] or "Fatal Python error" in result["stderr"]:
        bad.append("a traceback or fatal error on stderr")
    for name in result["files"]:
        if name.startswith(".gs-") or ".partial" in name:
            bad.append(f"temporary file left: {name}")
    from ganscope.core.session import SessionError, load_session

    for name in result["files"]:
        path = folder / name
        try:
            if name.endswith(".gscope"):
                load_session(path)
            elif name.endswith(".json"):
                json.loads(path.read_text())
            elif name.endswith(".gif") and path.stat().st_size == 0:
                bad.append(f"{name} is empty")
        except (SessionError, ValueError) as exc:
            bad.append(f"{name} is not whole: {exc}")
    return bad


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--tries", type=int, default=200)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="/tmp/ganscope-signal-storm")
    args = p.parse_args()
    rng = random.Random(args.seed)
    base = Path(args.out)
    failures = 0
    for i in range(args.tries):
        folder = base / f"try{i:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        command = rng.choice(sorted(COMMANDS))
        signum = rng.choice([signal.SIGINT, signal.SIGTERM])
        r = run_once(command, signum, folder, delay=rng.uniform(0, 1.0), wait_until_working=rng.random() < 0.8)
        bad = problems(r, folder)
        failures += bool(bad)
        print(
            json.dumps(
                {
                    "try": i,
                    "command": command,
                    "signal": signal.Signals(signum).name,
                    "code": r["code"],
                    "problems": bad,
                }
            ),
            flush=True,
        )
    print(json.dumps({"tries": args.tries, "failures": failures}))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
