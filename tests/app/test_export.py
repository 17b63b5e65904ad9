"""Animations from the app and from `ganscope export`: read back, compared with what was trained."""

import numpy as np
import pytest
from PIL import Image
from PySide6 import QtWidgets

from ganscope.app.entry import main
from ganscope.app.export import ExportOptions, FrameRenderer, export_headless, parse_layers
from ganscope.core.animation import ExportError
from ganscope.core.engine import GanEngine
from ganscope.core.frames import build_frame
from tests.app.conftest import wait_ticket
from tests.test_animation import leftovers, read_mp4

SMALL = ["--set", "generator.width=32", "--set", "discriminator.width=32", "--set", "run.batch_size=64"]


def green_pixels(rgb: np.ndarray) -> int:
    """Pixels in the real samples' colour (Okabe-Ito bluish green, 0, 158, 115)."""
    r, g, b = (rgb[..., i].astype(int) for i in range(3))
    return int(((abs(r - 0) < 40) & (abs(g - 158) < 40) & (abs(b - 115) < 40)).sum())


def test_cli_export_writes_one_frame_per_k_steps_and_shows_training(tmp_path, capsys):
    out = tmp_path / "run.mp4"
    code = main(
        [
            "export",
            "--preset",
            "ring",
            "--steps",
            "200",
            "--every",
            "20",
            "--size",
            "320x240",
            "--out",
            str(out),
            *SMALL,
        ]
    )
    assert code == 0
    meta, frames = read_mp4(out)
    assert len(frames) == 200 // 20 + 1 and meta["size"] == (320, 240)
    # Training moved the generated samples: the first and last pictures differ, consecutive ones less.
    first, last = frames[0].astype(int), frames[-1].astype(int)
    assert np.abs(first - last).mean() > 2 * np.abs(first - frames[1].astype(int)).mean()
    assert "11 frames (320x240) written" in capsys.readouterr().err
    assert leftovers(tmp_path) == ["run.mp4"]


def test_cli_export_gif_with_charts_and_chosen_layers(tmp_path):
    out = tmp_path / "run.gif"
    assert (
        main(
            [
                "export",
                "--steps",
                "40",
                "--every",
                "20",
                "--size",
                "480x240",
                "--charts",
                "--layers",
                "surface,fake",
                "--fps",
                "10",
                "--out",
                str(out),
                *SMALL,
            ]
        )
        == 0
    )
    im = Image.open(out)
    assert im.n_frames == 3 and im.size == (480, 240) and im.info["duration"] == 100
    assert green_pixels(np.asarray(im.convert("RGB"))) < 5  # the real samples layer was left out


@pytest.mark.parametrize(
    "args, message",
    [
        (["--out", "x.avi"], "unknown format"),
        (["--out", "nowhere/x.mp4"], "does not exist"),
        (["--out", "x.mp4", "--size", "big"], "WIDTHxHEIGHT"),
        (["--out", "x.mp4", "--every", "0"], "--every 0"),
        (["--out", "x.gif", "--fps", "60"], "at most 50"),
        (["--out", "x.mp4", "--layers", "surface,bogus"], "choose from"),
        (["--out", "exists.mp4"], "already exists"),
    ],
)
def test_cli_export_refuses_bad_requests_with_exit_2(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "exists.mp4").write_bytes(b"keep")
    assert main(["export", "--steps", "20", *args, *SMALL]) == 2
    assert message in capsys.readouterr().err
    assert leftovers(tmp_path) == ["exists.mp4"] and (tmp_path / "exists.mp4").read_bytes() == b"keep"


def test_interrupted_headless_export_leaves_no_file(tmp_path, small_cfg, qapp):
    engine = GanEngine(small_cfg)
    calls = {"n": 0}
    real_step = engine.step

    def step(n, *a, **k):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # Ctrl-C on the third chunk
        return real_step(n, *a, **k)

    engine.step = step
    with pytest.raises(KeyboardInterrupt):
        export_headless(engine, str(tmp_path / "run.mp4"), 100, ExportOptions(width=160, height=120, every=10))
    assert leftovers(tmp_path) == []


def test_layers_choose_what_the_render_shows(small_cfg, qapp):
    frame = build_frame(GanEngine(small_cfg))
    with_real = FrameRenderer(ExportOptions(width=320, height=240))
    without = FrameRenderer(ExportOptions(width=320, height=240, layers=parse_layers("surface,fake")))
    try:
        assert green_pixels(with_real.render(frame)) > 20 and green_pixels(without.render(frame)) < 5
    finally:
        with_real.close()
        without.close()
    with pytest.raises(ExportError):
        parse_layers("")


def test_recording_from_the_app_saves_the_frames_it_drew(qtbot, window, tmp_path):
    out = tmp_path / "rec.gif"
    assert window.start_recording(str(out), ExportOptions(width=240, height=180, fps=20, every=5))
    assert window.worker.playing or window.panel.buttons["play"].isChecked()
    qtbot.waitUntil(lambda: window.recorder.frames >= 6, timeout=20000)
    steps_seen = window.engine.step_count
    assert window.stop_recording() == str(out)
    window.do_action("play:0")
    im = Image.open(out)
    assert im.n_frames >= 6 and im.size == (240, 180)
    assert not window.panel.buttons["record"].isChecked() and steps_seen >= 25


def test_a_bad_recording_path_is_reported_and_nothing_changes(window, tmp_path):
    assert not window.start_recording(str(tmp_path / "no" / "rec.mp4"), ExportOptions())
    assert window.recorder is None and "does not exist" in window.banner.text()
    assert not window.panel.buttons["record"].isChecked()


def test_closing_while_recording_leaves_no_partial_file(qtbot, window, tmp_path):
    assert window.start_recording(str(tmp_path / "rec.mp4"), ExportOptions(width=160, height=120, every=1))
    qtbot.waitUntil(lambda: window.recorder.frames >= 2, timeout=20000)
    window.close()
    assert not window.worker._thread.is_alive()
    assert leftovers(tmp_path) == ["settings.ini"]


def test_step_and_reset_while_recording_keeps_going(qtbot, window, tmp_path):
    out = tmp_path / "rec.mp4"
    window.do_action("play:0")
    assert window.start_recording(str(out), ExportOptions(width=160, height=120, every=1))
    window.do_action("play:0")
    wait_ticket(qtbot, window, window.do_action("reset_all"))  # steps go back: still recorded
    wait_ticket(qtbot, window, window.do_action("step"))
    kept = window.recorder.frames
    assert kept >= 2
    assert window.stop_recording() == str(out)
    assert len(read_mp4(out)[1]) == kept


def test_the_record_dialog_checks_the_path_and_follows_its_extension(qtbot, tmp_path):
    from ganscope.app.recorder import ExportDialog

    d = ExportDialog(None, str(tmp_path / "a.gif"), {"surface": True, "real": False})
    qtbot.addWidget(d)
    d._path_changed()
    assert d.format.currentData() == "gif" and d.fps.maximum() == 50
    d.format.setCurrentIndex(d.format.findData("mp4"))
    assert d.path.text() == str(tmp_path / "a.mp4")
    opts = d.options()
    assert (opts.width, opts.height, opts.every) == (800, 600, 20)
    assert opts.layers["surface"] and not opts.layers["real"]
    d.path.setText(str(tmp_path / "missing" / "a.mp4"))
    d._check_and_accept()
    assert d.result() != QtWidgets.QDialog.Accepted and "does not exist" in d.message.text()


def test_exports_can_show_the_game_spectrum(small_cfg, qapp):
    from ganscope.core.chart_data import chart_snapshot

    e = GanEngine(small_cfg)
    e.step(10)
    e.spectrum.update()
    frame = build_frame(e)
    frame.charts = chart_snapshot(e)
    r = FrameRenderer(ExportOptions(width=480, height=300, spectrum=True))
    plain = FrameRenderer(ExportOptions(width=480, height=300))
    try:
        rgb = r.render(frame)
        x, y = r.spectrum.points.getData()
        np.testing.assert_allclose(x + 1j * y, e.spectrum.values, rtol=1e-6)
        assert rgb.shape == (300, 480, 3)
        assert not np.array_equal(rgb, plain.render(frame))  # the spectrum's plots are drawn in
    finally:
        r.close()
        plain.close()
