"""Ctrl-C and SIGTERM for headless commands: stop between steps or frames, never inside one.

While `handle_signals()` is active, SIGINT and SIGTERM raise `Stopped` (a KeyboardInterrupt, so
code that already cleans up on Ctrl-C does the same for SIGTERM). Inside a `deferred()` block
(Qt painting, where an exception raised in a Python override called from C++ crashed the process,
and the writing of a finished output) the signal is only noted, and raised when the block ends.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

HANDLED = (signal.SIGINT, signal.SIGTERM)


class Stopped(KeyboardInterrupt):
    """A stop signal arrived; `signum` says which."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


_state = {"deferring": 0, "pending": None, "last": None}


def _handler(signum, _frame) -> None:
    _state["last"] = signum
    if _state["deferring"]:
        _state["pending"] = signum
        return
    raise Stopped(signum)


def last_signal() -> int | None:
    """The stop signal received during the current command, if any."""
    return _state["last"]


@contextmanager
def handle_signals():
    """Install the handlers for the length of a command (main thread only); restore after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {s: signal.getsignal(s) for s in HANDLED}
    _state["deferring"] = 0  # a signal noted during start-up stays pending: raise_pending() acts on it
    for s in HANDLED:
        signal.signal(s, _handler)
    _state["active"] = True
    try:
        yield
    finally:
        _state["active"] = False
        for s, h in old.items():
            signal.signal(s, h)


def reinstall() -> None:
    """Put the handlers back after a library replaced them (Qt's start-up may): call after it."""
    if _state.get("active") and threading.current_thread() is threading.main_thread():
        for s in HANDLED:
            if signal.getsignal(s) is not _handler:
                signal.signal(s, _handler)


@contextmanager
def deferred():
    """Hold a stop signal until the block ends: for work that must not be cut midway."""
    _state["deferring"] += 1
    try:
        yield
    finally:
        _state["deferring"] -= 1
        pending = _state["pending"]
        if not _state["deferring"] and pending is not None:
            _state["pending"] = None
            raise Stopped(pending)


def stop_requested() -> bool:
    """True once a stop signal arrived during a deferred block (polled between frames)."""
    return _state["pending"] is not None


def take_pending() -> bool:
    """Whether a stop signal is pending, which the caller now answers itself (the deferred block
    then ends without raising): a command that stopped early and still wrote what it made."""
    pending = _state["pending"] is not None
    _state["pending"] = None
    return pending


def hold_early() -> None:
    """First thing the console entry does: a signal while the modules import is noted, not a
    traceback; the command then stops at once with its exit code (raise_pending)."""
    if threading.current_thread() is threading.main_thread():
        for s in HANDLED:
            signal.signal(s, _early)


def _early(signum, _frame) -> None:
    _state["last"] = _state["pending"] = signum


def release_early() -> None:
    """Back to Python's own handlers (for the app, which handles Ctrl-C itself)."""
    if threading.current_thread() is threading.main_thread():
        for s, default in ((signal.SIGINT, signal.default_int_handler), (signal.SIGTERM, signal.SIG_DFL)):
            if signal.getsignal(s) is _early:
                signal.signal(s, default)


def raise_pending() -> None:
    """Raise Stopped for a signal that arrived before the handlers were installed."""
    pending = _state["pending"]
    if pending is not None and not _state["deferring"]:
        _state["pending"] = None
        raise Stopped(pending)
