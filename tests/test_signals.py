"""SIGINT and SIGTERM stop every headless command between steps or frames with its own exit code,
leave no partial file, and never crash (the 200-try version: benchmarks/signal_storm.py)."""

import json
import random
import signal

import pytest

from benchmarks.signal_storm import problems, run_once
from ganscope.core.session import load_session


# A few tries (each a fresh process importing torch, some Qt): every one failed before (SIGTERM
# killed with -15 and left partial files; SIGINT left train at exit 0). The other commands and
# formats, and 200 random tries: `python -m benchmarks.signal_storm`.
@pytest.mark.parametrize(
    "command, signum",
    [
        ("train", signal.SIGINT),
        ("export-gif", signal.SIGTERM),
        ("sweep", signal.SIGTERM),
        ("compare", signal.SIGTERM),
        ("compare-gif", signal.SIGINT),
    ],
)
def test_a_signal_while_working_stops_cleanly_with_its_exit_code(tmp_path, command, signum):
    r = run_once(command, signum, tmp_path, delay=random.Random(str(tmp_path)).uniform(0, 0.3))
    assert problems(r, tmp_path) == [], r
    assert r["code"] == (130 if signum == signal.SIGINT else 143), r
    if command == "train":  # what was trained before the signal is kept, whole
        assert load_session(tmp_path / "run.gscope").step_count > 0 and "interrupted" in r["stdout"]
    if command.startswith("export"):
        assert r["files"] == [] and "nothing written" in r["stderr"]
    if command == "compare":  # the runs as far as they got: the table and a whole report
        report = json.loads((tmp_path / "c.json").read_text())
        assert report["interrupted"] and report["steps"] > 0 and "interrupted at lockstep step" in r["stderr"]
    if command == "sweep":  # minutes of training are not thrown away: the map of the steps made
        report = json.loads((tmp_path / "sweep.json").read_text())
        assert report["interrupted"] and report["steps"] > 0 and len(report["cells"]) == 4, report
        assert "sweep interrupted at step" in r["stderr"] and "modes by" in r["stdout"]
    if command == "compare-gif":
        assert r["files"] == [] and "animation was not written" in r["stderr"]


def test_a_signal_during_start_up_is_one_line_not_a_traceback(tmp_path):
    r = run_once("train", signal.SIGINT, tmp_path, delay=1.0, wait_until_working=False)  # in the imports
    assert problems(r, tmp_path) == [], r
