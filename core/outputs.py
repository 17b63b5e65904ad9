"""Where finished work goes: destinations checked before training, and a fallback after it.

Training can take hours; a save that fails at the end (disk full, folder gone, a name too long)
must not throw the run away. So a destination is checked first (name length, a real write test,
a free-space estimate), and if writing still fails afterwards the bytes go to a fallback folder,
whose path is printed.
"""

from __future__ import annotations

import errno
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from .atomic import atomic_write_bytes
from .safe_text import one_line

NAME_MAX = 255  # bytes in one file name on ext4, XFS, APFS, NTFS (UTF-16 units there)


class DestinationError(ValueError):
    """An output cannot be written where asked; found before any work starts."""


def check_destination(path: str | None, flag: str, need_bytes: float = 0) -> None:
    """Refuse now what would fail after training: DestinationError naming the flag and why."""
    if path is None:
        return
    shown = f"{flag} {one_line(path, 200)}"
    if not path.strip():
        raise DestinationError(f"{flag}: the path is empty")
    p = Path(path).expanduser()
    if path.endswith(("/", os.sep)):
        raise DestinationError(f"{shown}: is a folder; give a file name")
    parent = Path(os.path.abspath(p)).parent
    if not parent.is_dir():
        raise DestinationError(f"{shown}: directory {one_line(parent, 200)} does not exist")
    limit = _name_max(parent)
    if len(p.name.encode("utf-8", "surrogateescape")) > limit:  # before any call that would fail on it
        raise DestinationError(
            f"{shown}: the file name is {len(p.name.encode('utf-8', 'surrogateescape'))} "
            f"bytes; this file system allows {limit}"
        )
    if p.is_dir():
        raise DestinationError(f"{shown}: is a folder; give a file name")
    try:  # os.access says yes on read-only mounts and for root; only a real write tells
        fd, probe = tempfile.mkstemp(prefix=".gs-", suffix=".probe", dir=parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise DestinationError(
            f"{shown}: directory {one_line(parent, 200)} is not writable ({exc.strerror or exc})"
        ) from None
    if need_bytes:
        check_free_space(path, flag, need_bytes)


def check_distinct(*pairs: tuple[str, str | None]) -> None:
    """Two outputs of one command must not be the same file (--save X --report X clobbered)."""
    seen: dict = {}
    for flag, path in pairs:
        if not path:
            continue
        key = os.path.abspath(Path(path).expanduser())
        if key in seen:
            raise DestinationError(
                f"{flag} and {seen[key]} name the same file {one_line(path, 200)}; one would overwrite the other"
            )
        seen[key] = flag


def write_or_fallback(data: bytes, path: str, what: str, stream=None) -> tuple[str | None, bool]:
    """Write `data` atomically to `path`; if that fails, to a fallback folder.

    Returns (the path written, whether it is a fallback), or (None, True) when nothing could be
    written anywhere (the message says so)."""
    try:
        atomic_write_bytes(path, data)
        return path, False
    except OSError as exc:
        reason = f"could not write the {what} to {one_line(path, 200)} ({_reason(exc)})"
    return write_fallback(data, Path(path).name, what, reason, stream), True


def write_fallback(data: bytes, name: str, what: str, reason: str, stream=None) -> str | None:
    """Write `data` into the first fallback folder that takes it; say where (or that none did)."""
    stream = stream or sys.stderr
    for folder in fallback_folders():
        target = folder / _fallback_name(name or "output")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(target, data)
        except OSError:
            continue
        stream.write(f"ganscope: {reason}; the {what} was written to {target} instead\n")
        return str(target)
    stream.write(
        f"ganscope: {reason}; nor could the {what} be written to any fallback folder "
        f"({', '.join(map(str, fallback_folders()))})\n"
    )
    return None


def check_free_space(path: str, flag: str, need_bytes: float) -> None:
    """DestinationError if the disk holding `path` has clearly too little room for the output."""
    parent = Path(os.path.abspath(Path(path.rstrip("/" + os.sep) or ".").expanduser())).parent
    free = shutil.disk_usage(parent).free
    if free < 1.5 * need_bytes + (1 << 20):
        raise DestinationError(
            f"{flag} {one_line(path, 200)}: {_mb(free)} free on that disk; this output needs about {_mb(need_bytes)}"
        )


def fallback_folders() -> list[Path]:
    """$GANSCOPE_RECOVERY_DIR if set, ~/.ganscope/recovered (beside the app's autosave), the temp dir."""
    folders = []
    if os.environ.get("GANSCOPE_RECOVERY_DIR"):
        folders.append(Path(os.environ["GANSCOPE_RECOVERY_DIR"]))
    folders += [Path.home() / ".ganscope" / "recovered", Path(tempfile.gettempdir())]
    return folders


def _fallback_name(name: str) -> str:
    """A short name that keeps the extension and cannot collide: stem-YYYYmmdd-HHMMSS-pid.ext."""
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 10:
        stem, ext = name, "out"
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)[:60] or "ganscope"
    return f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.{ext}"


def _name_max(folder: Path) -> int:
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):
        return NAME_MAX


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno == errno.ENAMETOOLONG:
        return "the name is too long"
    return one_line(exc.strerror or exc, 200)


def _mb(n: float) -> str:
    return f"{n / 2**20:,.1f} MB"
