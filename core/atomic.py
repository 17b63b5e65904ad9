"""Files appear whole or not at all: write beside the destination, fsync, rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

TEMP_PREFIX = ".gs-"  # temporary files: ".gs-" + 8 random characters + a short suffix


def usual_mode(full: int) -> int:
    """The permissions a plain open() would give; temporary files start private (0600)."""
    return full & ~_umask()


def _umask() -> int:
    try:  # Linux says it without changing it; os.umask() must set it, racing other threads
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, fsync, then rename: never a half-written file."""
    path = Path(path)
    if not path.parent.is_dir():
        raise OSError(f"{path.parent}: no such directory")
    # A short temporary name: the destination's own name plus a prefix and suffix passed the
    # 255-byte limit for a legal 252-byte name, failing after the work was done.
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, usual_mode(0o666))  # mkstemp makes it private; a saved file should not be
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: str | Path) -> None:
    """Make a rename durable: a power cut right after it must not bring the old name back."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # not possible on every system (Windows); the rename itself is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
