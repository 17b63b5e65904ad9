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
