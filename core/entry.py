"""The `ganscope` console command. Its first act is to hold stop signals, so a Ctrl-C while torch
and Qt import (seconds) ends in one line and exit code 130, not a traceback."""
from core.stop_signals import hold_early

hold_early()

from core.cli import main  # noqa: E402  (after the signal handlers, on purpose)

__all__ = ["main"]
