"""The command line's exit codes, in one place (the README's "Your work is kept" lists them)."""

from __future__ import annotations

import signal

OK = 0
INTERNAL_ERROR = 1  # a bug in ganscope: a one-line message and a traceback file to report
BAD_INPUT = 2  # arguments, config, session or point file refused; nothing was trained
DIVERGED = 3  # training stopped on NaN/Inf; the last good weights are kept (and saved)
NOT_AS_EXPECTED = 4  # `ganscope scenario`: the lesson's detectors did not behave as it says
SAVED_ELSEWHERE = 5  # the run finished but an output could not go where asked: it was written
# to a fallback path, named on stderr
INTERRUPTED = 128 + signal.SIGINT  # 130: Ctrl-C; stopped between steps, outputs kept or removed
TERMINATED = 128 + signal.SIGTERM  # 143: SIGTERM (kill, logout, CI timeout); the same

MEANINGS = {
    OK: "done",
    INTERNAL_ERROR: "internal error (a bug: please report it with the traceback file named)",
    BAD_INPUT: "bad input: arguments, config, session or point file refused; nothing was trained",
    DIVERGED: "training diverged; the last good weights are kept",
    NOT_AS_EXPECTED: "scenario: the detectors did not behave as the lesson says",
    SAVED_ELSEWHERE: "an output could not be written where asked; it was written to the fallback path printed instead",
    INTERRUPTED: "interrupted by Ctrl-C (SIGINT)",
    TERMINATED: "stopped by SIGTERM",
}


def for_signal(signum: int) -> int:
    """The exit code a command stopped by `signum` returns."""
    return TERMINATED if signum == signal.SIGTERM else INTERRUPTED


def for_run(status: str) -> int:
    """OK or DIVERGED from an engine's status."""
    return DIVERGED if status == "diverged" else OK
