"""Writes RGB frames to MP4 (H.264), GIF or a folder of PNGs, atomically.

No Qt here: frames arrive as (height, width, 3) uint8 arrays from whoever renders them (the app's
off-screen views). Every format writes into a temporary path beside the destination and renames it
into place only when `finish()` succeeds, so a cancelled or failed export leaves nothing behind and
never damages an existing file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .atomic import TEMP_PREFIX, fsync_dir, usual_mode

FORMATS = {".mp4": "mp4", ".gif": "gif", "": "png"}  # no extension: a folder of PNG frames
FORMAT_NAMES = {"mp4": "MP4 video (H.264)", "gif": "animated GIF", "png": "folder of PNG frames"}
MAX_FPS = {"mp4": 120, "gif": 50, "png": 120}  # browsers slow GIF delays under 20 ms down to 100 ms
MIN_SIDE, MAX_SIDE = 64, 4096
GIF_MEMORY_LIMIT = 4 << 30  # a GIF keeps its frames until the shared palette is known

Progress = Callable[[int, int], bool]  # (done, total) -> keep going?


class ExportError(ValueError):
    """The export cannot be done as asked; the message says why and what to do."""


class ExportCancelled(Exception):
    """The user cancelled; nothing was written."""


def output_format(path: str | Path) -> str:
    """'mp4', 'gif' or 'png' (a folder of frames) from the path; ExportError for anything else."""
    suffix = Path(path).suffix.lower()
    name = Path(path).name.lower()
    if name in FORMATS and name:  # ".gif" is a hidden name without an extension to Path
        raise ExportError(f"{path}: the name has nothing before its extension; e.g. run{name}")
    if str(path).endswith(("/", os.sep)):
        if suffix in (".gif", ".mp4"):
            raise ExportError(
                f"{path}: ends with '/' (a folder of PNG frames) but is named like a "
                f"{suffix} file; drop the '/' or the extension"
            )
        suffix = ""
    if suffix not in FORMATS:
        raise ExportError(
            f"{path}: unknown format {suffix!r}; use .mp4, .gif, or a name without an "
            f"extension for a folder of PNG frames"
        )
    return FORMATS[suffix]


def check_output(path: str | Path, force: bool = False) -> tuple[Path, str]:
    """Validate the destination before any work starts: (path, format) or ExportError."""
    fmt = output_format(path)
    path = Path(str(path).rstrip("/" + os.sep) or ".").expanduser()
    if len(path.name.encode("utf-8", "surrogateescape")) > 255:  # checked before any call fails on it
        raise ExportError(
            f"{str(path)[:80]}...: the name is {len(path.name.encode('utf-8', 'surrogateescape'))} "
            f"bytes; file systems allow 255"
        )
    parent = path.resolve().parent
    if not parent.is_dir():
        raise ExportError(f"{path}: directory {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise ExportError(f"{path}: directory {parent} is not writable")
    if path.exists() and not force:
        raise ExportError(f"{path} already exists; choose another name or allow overwriting (--force)")
    if path.exists() and (path.is_dir() != (fmt == "png")):
        kind = "a folder" if path.is_dir() else "a file"
        raise ExportError(f"{path} is {kind}; it cannot be replaced by a {FORMAT_NAMES[fmt]}")
    return path, fmt


def check_size(width: int, height: int) -> tuple[int, int]:
    """H.264 with 4:2:0 colour needs even sides; refuse sizes no one can mean."""
    for name, v in (("width", width), ("height", height)):
        if not MIN_SIDE <= v <= MAX_SIDE:
            raise ExportError(f"{name} {v}: must be between {MIN_SIDE} and {MAX_SIDE} pixels")
    return width - width % 2, height - height % 2


def check_fps(fps: float, fmt: str) -> float:
    if not (fps > 0 and fps <= MAX_FPS[fmt]):
        raise ExportError(f"fps {fps}: must be above 0 and at most {MAX_FPS[fmt]} for {FORMAT_NAMES[fmt]}")
    return float(fps)


class AnimationWriter:
    """Add frames, then `finish()` (renames into place) or `abort()` (removes everything).

    Usable as a context manager: leaving the block with an exception aborts.
    """

    def __init__(self, path: str | Path, fps: float, force: bool = False):
        self.path, self.format = check_output(path, force)
        self.fps = check_fps(fps, self.format)
        self.force = force
        self.frames = 0
        self.size: Any = None  # (width, height) of the first frame
        self._held: list[np.ndarray] = []  # GIF frames until the palette is known
        self._ffmpeg: Any = None  # imageio-ffmpeg's writer generator while an MP4 is open
        parent = self.path.resolve().parent
        if self.format == "png":
            self._tmp = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, suffix=".partial", dir=parent))
            os.chmod(self._tmp, usual_mode(0o777))
        else:
            # Short: the destination's name in it pushed a legal long name past 255 bytes.
            fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=f".partial{self.path.suffix}", dir=parent)
            os.close(fd)
            self._tmp = Path(tmp)
            os.chmod(self._tmp, usual_mode(0o666))
        self.closed = False

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.abort()
        return False

    def add(self, rgb: np.ndarray) -> None:
        if self.closed:
            raise ExportError("this export is already finished")
        rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
        if rgb.ndim != 3 or rgb.shape[2] != 3:
            raise ExportError(f"frames must be (height, width, 3) RGB, got {rgb.shape}")
        h, w = rgb.shape[:2]
        if self.size is None:
            self.size = (w, h)
            self._open()
        elif self.size != (w, h):
            raise ExportError(f"frame {self.frames} is {w}x{h}, the first was {self.size[0]}x{self.size[1]}")
        if self.format == "mp4":
            self._ffmpeg.send(rgb.tobytes())
        elif self.format == "gif":
            if (self.frames + 1) * rgb.nbytes > GIF_MEMORY_LIMIT:
                raise ExportError(
                    f"a GIF of more than {self.frames} frames at {w}x{h} would need over "
                    f"{GIF_MEMORY_LIMIT >> 30} GB; export MP4, or fewer or smaller frames"
                )
            self._held.append(rgb)
        else:
            from PIL import Image

            Image.fromarray(rgb).save(self._tmp / f"frame_{self.frames:05d}.png", compress_level=1)
        self.frames += 1

    def _open(self) -> None:
        if self.format != "mp4":
            return
        import imageio_ffmpeg

        w, h = self.size
        if w % 2 or h % 2:
            raise ExportError(f"MP4 frames need even sides, got {w}x{h}")
        # yuv420p plays everywhere (browsers, PowerPoint, Keynote); crf 18 is visually lossless.
        self._ffmpeg = imageio_ffmpeg.write_frames(
            str(self._tmp),
            (w, h),
            fps=self.fps,
            codec="libx264",
            pix_fmt_in="rgb24",
            pix_fmt_out="yuv420p",
            macro_block_size=1,
            quality=None,
            output_params=["-crf", "18", "-preset", "superfast", "-movflags", "+faststart"],
            ffmpeg_log_level="error",
        )
        self._ffmpeg.send(None)  # start the encoder

    def finish(self, progress: Progress | None = None) -> Path:
        """Encode what is pending and move the result into place; ExportCancelled if progress says stop."""
        if self.frames == 0:
            self.abort()
            raise ExportError("no frames were recorded; nothing written")
        try:
            if self.format == "mp4":
                self._ffmpeg.close()
                self._ffmpeg = None
            elif self.format == "gif":
                _write_gif(self._tmp, self._held, self.fps, progress)
                self._held = []
            self._fsync()
            self._move_into_place()
            fsync_dir(self.path.resolve().parent)
        except BaseException:
            self.abort()
            raise
        self.closed = True
        return self.path

    def abort(self) -> None:
        """Stop and remove every temporary byte; an existing destination is untouched."""
        self.closed = True
        self._held = []
        if self._ffmpeg is not None:
            try:
                self._ffmpeg.close()
            except Exception:  # the encoder may already be gone; the file is removed either way
                pass
            self._ffmpeg = None
        if self._tmp.is_dir():
            shutil.rmtree(self._tmp, ignore_errors=True)
        else:
            self._tmp.unlink(missing_ok=True)

    def _fsync(self) -> None:
        files = sorted(self._tmp.iterdir()) if self._tmp.is_dir() else [self._tmp]
        for f in files:
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())

    def _move_into_place(self) -> None:
        if self.path.exists() and not self.force:
            raise ExportError(f"{self.path} appeared while exporting; not overwritten")
        if self.format != "png" or not self.path.exists():
            os.replace(self._tmp, self.path)
            return
        # A folder cannot be swapped in one rename: park the old one, move, then delete the old.
        old = self.path.with_name(f"{TEMP_PREFIX}old-{os.getpid()}")
        os.replace(self.path, old)
        os.replace(self._tmp, self.path)
        shutil.rmtree(old, ignore_errors=True)


def _write_gif(path: Path, frames: list[np.ndarray], fps: float, progress: Progress | None) -> None:
    """One palette shared by all frames: built once from a sample of them (fast, and no flicker)."""
    from PIL import Image

    total = len(frames)
    sample = frames[:: max(1, total // 12)][:12]
    mosaic = Image.fromarray(np.concatenate([f[::2, ::2] for f in sample], axis=0))
    palette = mosaic.quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    images = []
    for i, f in enumerate(frames):
        images.append(Image.fromarray(f).quantize(palette=palette, dither=Image.Dither.NONE))
        if progress is not None and not progress(i + 1, total + 1):
            raise ExportCancelled("export cancelled; nothing written")
    duration = max(20, round(1000 / fps / 10) * 10)  # GIF delays are whole hundredths of a second
    images[0].save(
        path,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=duration,
        loop=0,
        optimize=False,
        disposal=1,
    )
    if progress is not None:
        progress(total + 1, total + 1)
