"""`ganscope compare --export`: the runs side by side, each drawn exactly as the single-run export draws it."""

import numpy as np
from PIL import Image

from ganscope.app.compare_export import SideBySideRenderer, grid_shape
from ganscope.app.entry import main
from ganscope.app.export import ExportOptions, FrameRenderer
from ganscope.core.compare import CompareGroup
from tests.test_compare import TINY, TINY_ARGS


def test_export_puts_each_run_beside_the_others_as_its_own_export_would_draw_it(tmp_path, qapp, capsys):
    out = tmp_path / "frames"
    assert (
        main(
            [
                "compare",
                "--preset",
                "ring",
                "--preset",
                "ring-wgan-gp",
                "--steps",
                "20",
                "--every",
                "10",
                "--size",
                "400x200",
                "--export",
                str(out),
                *TINY_ARGS,
            ]
        )
        == 0
    )
    files = sorted(out.iterdir())
    assert len(files) == 3  # steps 0, 10, 20
    pictures = [np.asarray(Image.open(f).convert("RGB")) for f in files]
    assert pictures[0].shape == (200, 400, 3)
    # The reference: the same runs built afresh, each drawn by its own single-run renderer at the
    # same steps (trails follow the frames a renderer has drawn).
    group = CompareGroup(["ring", "ring-wgan-gp"], overrides=TINY)
    alone = [FrameRenderer(ExportOptions(width=200, height=200)) for _ in group.runs]
    tiles = []

    def draw(g):
        tiles.append([r.render(run.engine.frame(), run.label) for r, run in zip(alone, g.runs)])
        qapp.processEvents()  # as the export does after every frame (the axes lay themselves out)

    try:
        group.train(20, every=10, on_frame=draw)
    finally:
        for r in alone:
            r.close()
    for picture, row in zip(pictures, tiles):
        for i, x0 in enumerate((0, 200)):
            assert np.array_equal(picture[:, x0 : x0 + 200], row[i]), f"tile {i} differs from its own export"
    assert not np.array_equal(pictures[-1][:, :200], pictures[-1][:, 200:])  # two different runs
    assert "3 frames (400x200) of 2 runs side by side" in capsys.readouterr().err


def test_four_runs_make_a_two_by_two_grid(qapp, small_cfg):
    assert grid_shape(2) == (1, 2) and grid_shape(3) == (1, 3) and grid_shape(4) == (2, 2)
    group = CompareGroup([small_cfg] * 4)
    r = SideBySideRenderer(4, 320, 240)
    try:
        rgb = r.render([e.frame() for e in group.engines], [x.label for x in group.runs])
    finally:
        r.close()
    assert rgb.shape == (240, 320, 3)
    quads = [rgb[:120, :160], rgb[:120, 160:], rgb[120:, :160], rgb[120:, 160:]]
    assert all((q < 250).any() for q in quads)  # every quarter holds a drawn plane


def test_layers_choose_what_each_plane_draws_and_a_bad_name_writes_nothing(tmp_path, qapp, capsys):
    base = ["compare", "--preset", "ring", "--preset", "ring-wgan-gp", "--steps", "10", "--every", "10"]
    base += ["--size", "400x200", *TINY_ARGS]
    bad = tmp_path / "bad.gif"
    assert main([*base, "--layers", "surface,bogus", "--export", str(bad)]) == 2
    assert not bad.exists() and "--layers 'surface,bogus': choose from" in capsys.readouterr().err
    out = tmp_path / "frames"
    assert main([*base, "--layers", "real", "--export", str(out)]) == 0
    last = np.asarray(Image.open(sorted(out.iterdir())[-1]).convert("RGB"))
    group = CompareGroup(["ring", "ring-wgan-gp"], overrides=TINY)
    only_real = ExportOptions(width=200, height=200)
    only_real.layers = {k: k == "real" for k in only_real.layers}
    r = FrameRenderer(only_real)
    tiles = []

    def draw(g):  # the reference: the single-run renderer with the same one layer, frame by frame
        tiles.append(r.render(g.engines[0].frame(), g.runs[0].label))
        qapp.processEvents()

    try:
        group.train(10, every=10, on_frame=draw)
    finally:
        r.close()
    assert np.array_equal(last[:, :200], tiles[-1])
