"""The plane's gradient arrows on a diverging run's last frames: no numpy warnings, and a push that
is not a number is drawn as no arrow while the finite ones keep their scale."""

import warnings

import numpy as np

from ganscope.app.views.plane import PlaneView


def test_arrows_that_are_not_numbers_are_drawn_as_none(qtbot, window):
    frame = window.worker.latest()[1]
    arrows = np.ones_like(frame.arrows)
    arrows[0] = np.inf
    arrows[1] = np.nan
    arrows[2] = 3.4e38  # its norm overflows float32
    frame.arrows = arrows
    plane = PlaneView()
    qtbot.addWidget(plane)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow or invalid-value warning fails the test
        plane._draw_arrows(frame)
    x, y = plane.arrows.getData()
    seg = np.stack([x, y], 1).reshape(-1, 2, 2)
    lengths = np.linalg.norm(seg[:, 1] - seg[:, 0], axis=1)
    assert np.isfinite(seg).all()
    assert (lengths[:3] == 0).all()
    span = (frame.extent[1] - frame.extent[0]) * 0.08
    np.testing.assert_allclose(lengths[3:], span, rtol=1e-5)  # equal pushes: each the longest, 8% of the view
