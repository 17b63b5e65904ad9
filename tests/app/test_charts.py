"""The charts' log axis labels few, readable ticks however short the chart."""

import numpy as np


def test_log_ticks_are_few_and_read_as_plain_numbers(qtbot):
    from ganscope.app.views.charts import FewLogTicks

    axis = FewLogTicks("left")
    for lo, hi in ((-3.0, 1.0), (-1.2, 0.1), (-0.05, 0.05), (-12.0, 2.0)):
        [(step, values)] = axis.tickValues(lo, hi, 100)
        assert 1 <= len(values) <= 5 and all(lo - 1e-9 <= v <= hi + 1e-9 for v in values), (lo, hi, values)
        assert np.allclose(np.diff(values), step)
    [(_step, values)] = axis.tickValues(-1.2, 0.1, 100)
    assert axis.tickStrings(values, 1, 0.5) == ["0.1", "0.32", "1"]


def test_the_gradient_chart_uses_it(qtbot):
    from ganscope.app.views.charts import ChartsView, FewLogTicks

    view = ChartsView()
    qtbot.addWidget(view)
    assert isinstance(view.plots["grad"].getAxis("left"), FewLogTicks)


def test_charts_redraw_only_the_curves_whose_data_changed(qtbot):
    """Sample quality changes once an evaluation; the losses with every update: only they are redrawn."""
    from ganscope.app.views.charts import ChartsView

    view = ChartsView()
    qtbot.addWidget(view)
    steps = np.arange(10.0)
    data = {name: (steps, np.full(10, 0.5)) for name in view.curves}
    view.update_from(data)
    redrawn = []
    for name, curve in view.curves.items():
        curve.setData = lambda *a, _n=name, _set=curve.setData, **k: redrawn.append(_n) or _set(*a, **k)
    more = np.arange(11.0)
    newer = dict(data, d_loss=(more, np.linspace(0, 1, 11)), g_loss=(more, np.linspace(1, 0, 11)))
    view.update_from({k: (x.copy(), y.copy()) for k, (x, y) in newer.items()})  # equal copies count as unchanged
    assert sorted(redrawn) == ["d_loss", "g_loss"]
    x, y = view.curves["d_loss"].getData()
    assert np.array_equal(x, more) and np.array_equal(y, np.linspace(0, 1, 11))  # what it shows is the new data


def test_long_curves_keep_every_pixel_columns_extremes_and_lose_the_rest():
    """Drawn with at most about 2 points a pixel column (a thick antialiased line costs Qt per point),
    the lowest and highest point of every column stay: the line looks the same, no spike is lost."""
    from ganscope.app.views.charts import peak_decimated

    rng = np.random.default_rng(1)
    x = np.arange(10_007.0)
    y = rng.normal(size=x.size)
    y[5_123] = 40.0  # one spike
    dx, dy = peak_decimated(x, y, 300)
    assert len(dx) <= 2 * 300 + 40 and np.all(np.diff(dx) > 0)  # in order, no repeats
    k = -(-len(x) // 300)
    for start in range(0, len(x) // k * k, k):  # every column's extremes are kept
        col = y[start : start + k]
        kept = dy[(dx >= start) & (dx < start + k)]
        assert kept.min() == col.min() and kept.max() == col.max()
    assert np.array_equal(peak_decimated(x[:1000], y[:1000], 300)[1], y[:1000])  # short curves as they are
