"""The decision boundary's marching squares against curves known in closed form."""

import numpy as np

from ganscope.app.views.contour import isoline_segments

EXTENT = (-2.0, 2.0, -1.5, 1.5)


def grid(nx=101, ny=81):
    x0, x1, y0, y1 = EXTENT
    gy, gx = np.meshgrid(np.linspace(y0, y1, ny), np.linspace(x0, x1, nx), indexing="ij")
    return gx, gy


def test_circle_level_set_lies_on_the_circle_and_has_its_length():
    gx, gy = grid()
    seg = isoline_segments(gx**2 + gy**2, 1.0, EXTENT)
    r = np.hypot(seg[:, 0], seg[:, 1])
    assert np.abs(r - 1).max() < 0.01
    length = np.linalg.norm(seg[0::2] - seg[1::2], axis=1).sum()
    assert abs(length - 2 * np.pi) < 0.01  # a closed curve: the polygon's perimeter


def test_a_vertical_line_in_row_major_data_is_vertical():
    gx, _gy = grid()
    seg = isoline_segments(gx, 0.3, EXTENT)  # rows are y, columns are x: x = 0.3 everywhere
    assert np.allclose(seg[:, 0], 0.3, atol=1e-6)
    assert seg[:, 1].min() == -1.5 and seg[:, 1].max() == 1.5


def test_a_saddle_cell_is_split_by_its_centre_value():
    z = np.array([[1.0, 0.0], [0.0, 1.0]])  # high corners bottom-left and top-right
    as_pairs = lambda seg: {
        tuple(map(tuple, seg[i : i + 2].astype(float).round(5).tolist())) for i in range(0, len(seg), 2)
    }
    # Centre 0.5 is on the high side: the high corners join, the line cuts off the low corners.
    assert as_pairs(isoline_segments(z, 0.5, EXTENT)) == {((0, -1.5), (2, 0)), ((0, 1.5), (-2, 0))}
    # Centre 0.5 below level 0.55: the low corners join instead.
    seg = isoline_segments(z, 0.55, EXTENT)
    assert as_pairs(seg) == {((-0.2, -1.5), (-2, -0.15)), ((2, 0.15), (0.2, 1.5))}


def test_flat_or_nan_surfaces_draw_nothing():
    assert len(isoline_segments(np.ones((16, 16)), 0.5, EXTENT)) == 0
    z = np.full((16, 16), np.nan)
    assert len(isoline_segments(z, 0.5, EXTENT)) == 0
