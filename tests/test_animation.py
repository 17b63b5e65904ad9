"""The encoder: files read back with the right frames; failures and cancels leave nothing behind."""

import numpy as np
import pytest
from PIL import Image

from ganscope.core.animation import AnimationWriter, ExportCancelled, ExportError, check_output, check_size


def moving_square(n: int, w: int = 96, h: int = 64) -> list[np.ndarray]:
    """Frames of a red square moving right over white: a known, distinct picture per frame."""
    frames = []
    for i in range(n):
        f = np.full((h, w, 3), 255, np.uint8)
        x = 4 + i * (w - 24) // max(n - 1, 1)
        f[20:40, x : x + 16] = (200, 30, 30)
        frames.append(f)
    return frames


def leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def write(path, frames, fps=10, **kwargs):
    """Encode frames into path through AnimationWriter, as the app and the CLI do."""
    with AnimationWriter(path, fps=fps, **kwargs) as w:
        for f in frames:
            w.add(f)
        w.finish()


def read_mp4(path):
    import imageio_ffmpeg

    gen = imageio_ffmpeg.read_frames(str(path))
    meta = next(gen)
    w, h = meta["size"]
    frames = [np.frombuffer(b, np.uint8).reshape(h, w, 3) for b in gen]
    return meta, frames


def red_column(frame: np.ndarray) -> float:
    """Mean x of strongly red pixels: where the square is."""
    mask = (frame[..., 0] > 150) & (frame[..., 1] < 100)
    return float(np.nonzero(mask)[1].mean())


def test_mp4_reads_back_with_every_frame_in_order(tmp_path):
    src = moving_square(12)
    write(tmp_path / "a.mp4", src, fps=24)
    meta, frames = read_mp4(tmp_path / "a.mp4")
    assert meta["size"] == (96, 64) and meta["fps"] == 24 and len(frames) == 12
    xs = [red_column(f) for f in frames]
    expected = [red_column(f) for f in src]
    assert np.allclose(xs, expected, atol=1.5)  # lossy, but the square is where it was drawn
    assert leftovers(tmp_path) == ["a.mp4"]


def test_gif_has_one_palette_the_frames_and_their_timing(tmp_path):
    src = moving_square(10)
    write(tmp_path / "a.gif", src, fps=25)
    im = Image.open(tmp_path / "a.gif")
    assert im.n_frames == 10 and im.size == (96, 64)
    assert im.info["duration"] == 40 and im.info["loop"] == 0
    xs = []
    for i in range(10):
        im.seek(i)
        xs.append(red_column(np.asarray(im.convert("RGB"))))
    assert np.allclose(xs, [red_column(f) for f in src], atol=0.5)


def test_png_folder_holds_numbered_lossless_frames(tmp_path):
    src = moving_square(5)
    write(tmp_path / "frames", src, fps=10)
    names = leftovers(tmp_path / "frames")
    assert names == [f"frame_{i:05d}.png" for i in range(5)]
    for name, f in zip(names, src):
        assert np.array_equal(np.asarray(Image.open(tmp_path / "frames" / name)), f)
    assert leftovers(tmp_path) == ["frames"]


@pytest.mark.parametrize("name", ["a.mp4", "a.gif", "frames"])
def test_an_error_mid_export_leaves_no_file_and_keeps_the_old_one(tmp_path, name):
    dest = tmp_path / name
    if name == "frames":
        dest.mkdir()
        (dest / "old.png").write_bytes(b"old")
    else:
        dest.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with AnimationWriter(dest, fps=10, force=True) as w:
            for f in moving_square(3):
                w.add(f)
            raise RuntimeError("killed mid-export")
    assert leftovers(tmp_path) == [name]
    old = dest / "old.png" if name == "frames" else dest
    assert old.read_bytes() == b"old"


def test_cancelling_gif_encoding_writes_nothing(tmp_path):
    w = AnimationWriter(tmp_path / "a.gif", fps=10)
    for f in moving_square(6):
        w.add(f)
    with pytest.raises(ExportCancelled):
        w.finish(lambda done, total: done < 3)
    assert leftovers(tmp_path) == []


def test_force_replaces_an_existing_file(tmp_path):
    dest = tmp_path / "a.gif"
    dest.write_bytes(b"old")
    write(dest, moving_square(2), fps=10, force=True)
    assert Image.open(dest).n_frames == 2


@pytest.mark.parametrize(
    "path, message",
    [
        ("a.avi", "unknown format '.avi'"),
        ("missing/a.mp4", "does not exist"),
    ],
)
def test_bad_destinations_are_refused_before_any_work(tmp_path, path, message):
    with pytest.raises(ExportError, match=message):
        check_output(tmp_path / path)
    assert leftovers(tmp_path) == []


def test_existing_file_is_not_overwritten_without_force(tmp_path):
    (tmp_path / "a.mp4").write_bytes(b"old")
    with pytest.raises(ExportError, match="already exists"):
        AnimationWriter(tmp_path / "a.mp4", fps=10)
    assert (tmp_path / "a.mp4").read_bytes() == b"old"


def test_sizes_are_checked_and_made_even_for_h264():
    assert check_size(801, 601) == (800, 600)
    with pytest.raises(ExportError, match="width 10"):
        check_size(10, 600)
    with pytest.raises(ExportError, match="height 100000"):
        check_size(800, 100000)


def test_frames_must_keep_one_size_and_no_empty_export(tmp_path):
    w = AnimationWriter(tmp_path / "a.gif", fps=10)
    with pytest.raises(ExportError, match="no frames"):
        w.finish()
    w = AnimationWriter(tmp_path / "b.gif", fps=10)
    w.add(moving_square(1)[0])
    with pytest.raises(ExportError, match="first was 96x64"):
        w.add(np.zeros((10, 10, 3), np.uint8))
    w.abort()
    assert leftovers(tmp_path) == []


def test_gif_frame_rate_is_capped_where_browsers_slow_it(tmp_path):
    with pytest.raises(ExportError, match="at most 50"):
        AnimationWriter(tmp_path / "a.gif", fps=60)


def test_exports_get_the_usual_permissions_not_private_temp_ones(tmp_path):
    import os

    from ganscope.core.atomic import usual_mode

    with AnimationWriter(tmp_path / "a.gif", fps=10) as w:
        w.add(moving_square(1)[0])
        w.finish()
    assert (tmp_path / "a.gif").stat().st_mode & 0o777 == usual_mode(0o666)
    old = os.umask(0o027)
    try:
        assert usual_mode(0o666) == 0o640
    finally:
        os.umask(old)
